package ui

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"

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
	// The amount is checked as it is typed (issue 12.1): a cash out above the drawer, a cash in
	// that would take the drawer past its limit, each with the drawer's cash in the message, in
	// the keypad's own message place, which never moves the keys.
	body := container.NewVBox(
		wrapped(l.T("cash.drawer", map[string]any{"Cash": money(l, u.status.CashInDrawer)})),
		u.keypadWithNote(&s.in, false, func() { s.err = nil }, s.note),
	)
	do := primary(action, s.record)
	if s.busy {
		do.Disable()
	}
	return page(u.header(title, true), body, do)
}

// note is what is wrong with the amount typed so far (nothing typed is no error until the
// button), or the last refusal.
func (s *cashScreen) note() error {
	if s.err != nil {
		return s.err
	}
	if amount := s.in.total(); amount > 0 {
		return kkm.CheckPlacement(s.kind, amount, s.u.status.CashInDrawer)
	}
	return nil
}

// pressKey takes a keypad key from the keyboard (keyboard.go): digits, the comma, ⌫ and C.
func (s *cashScreen) pressKey(key string) {
	if s.busy {
		return
	}
	s.in.press(key)
	s.err = nil
	s.u.render()
}

// record issues the cash in or out, or says why not without issuing anything.
func (s *cashScreen) record() {
	u := s.u
	amount := s.in.total()
	if err := kkm.CheckPlacement(s.kind, amount, u.status.CashInDrawer); err != nil {
		s.err = err
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
