package ui

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/ekassa-go/ekassa/kkm"
)

// cashScreen is «Внесение» or «Изъятие»: an amount on the keypad and the button that records it.
type cashScreen struct {
	u    *UI
	kind kkm.DocumentKind // KindCashIn or KindCashOut
	in   amountInput
	err  error
	busy bool
}

func newCashScreen(u *UI, kind kkm.DocumentKind) *cashScreen { return &cashScreen{u: u, kind: kind} }

func (s *cashScreen) view() fyne.CanvasObject {
	u, l := s.u, s.u.loc
	title, action := l.T("op.cash_in"), l.T("cash.in")
	if s.kind == kkm.KindCashOut {
		title, action = l.T("op.cash_out"), l.T("cash.out")
	}
	errLabel := errorText(l.Error(s.err))
	body := container.NewVBox(
		widget.NewLabel(l.T("cash.drawer", map[string]any{"Cash": money(l, u.status.CashInDrawer)})),
		u.keypad(&s.in, false, func() { s.err = nil; errLabel.Hide() }),
		errLabel,
	)
	do := primary(action, s.record)
	if s.busy {
		do.Disable()
	}
	return page(u.header(title, true), body, do)
}

// record issues the cash in or out.
func (s *cashScreen) record() {
	u := s.u
	amount := s.in.total()
	if amount <= 0 {
		s.err = kkm.ErrCashAmountZero
		u.render()
		return
	}
	s.busy = true
	u.render()
	u.issue(func(ctx context.Context) (Issued, error) {
		if s.kind == kkm.KindCashOut {
			return u.ports.Issuer.CashOut(ctx, u.cashier.Operator(), amount)
		}
		return u.ports.Issuer.CashIn(ctx, u.cashier.Operator(), amount)
	}, func() { s.busy = false; s.in = amountInput{} }, func() { s.busy = false; u.render() })
}
