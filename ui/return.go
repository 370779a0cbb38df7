package ui

import (
	"context"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/ekassa-go/ekassa/kkm"
)

// recentReturns is how many recent receipts the return screen offers.
const recentReturns = 20

// returnScreen is «Возврат»: the original receipt picked from the recent ones or found by its
// number, then what to return (an amount for a simple-mode receipt, items and quantities for an
// extended one) and how the money goes back.
type returnScreen struct {
	u      *UI
	recent []IssuedDocument
	query  string
	ret    *Returnable
	in     amountInput // simple mode: the amount
	qty    []string    // extended mode: the quantity of each line, as typed
	picked [][]bool    // a marked line: which of its codes left to return come back
	pay    kkm.PaymentType
	err    error
	busy   bool
}

func newReturnScreen(u *UI) *returnScreen {
	s := &returnScreen{u: u, busy: true}
	u.background(func(ctx context.Context) func() {
		r, err := u.ports.Register.RecentReceipts(ctx, recentReturns)
		return func() {
			s.busy = false
			s.recent, s.err = r, err
			if u.current == s {
				u.render()
			}
		}
	})
	return s
}

func (s *returnScreen) view() fyne.CanvasObject {
	u, l := s.u, s.u.loc
	if s.ret != nil {
		return s.whatView()
	}
	search := entry(&s.query, l.T("return.search.hint"))
	search.OnSubmitted = func(string) { s.find() }
	body := container.NewVBox(
		container.NewBorder(nil, nil, nil, widget.NewButtonWithIcon("", theme.SearchIcon(), s.find), search),
		errorText(l.Error(s.err)),
		widget.NewLabel(l.T("return.recent")),
	)
	for _, d := range s.recent {
		body.Add(u.documentItem(d, func() { s.pick(d.Seq) }))
	}
	if len(s.recent) == 0 && !s.busy {
		body.Add(widget.NewLabel(l.T("return.none")))
	}
	return page(u.header(l.T("op.return"), true), body)
}

// find looks a receipt up by the number typed.
func (s *returnScreen) find() {
	u := s.u
	q := strings.TrimSpace(s.query)
	if q == "" {
		return
	}
	u.background(func(ctx context.Context) func() {
		d, err := u.ports.Register.FindReceipt(ctx, q)
		return func() {
			if err != nil {
				s.err = err
				u.render()
				return
			}
			s.pick(d.Seq)
		}
	})
}

// pick loads what is left to return of a receipt.
func (s *returnScreen) pick(seq int64) {
	u := s.u
	u.background(func(ctx context.Context) func() {
		r, err := u.ports.Register.Returnable(ctx, seq)
		return func() {
			s.err = err
			if err == nil {
				s.ret = &r
				s.in = amountInput{}
				s.qty = make([]string, len(r.Lines))
				s.picked = make([][]bool, len(r.Lines))
				for i, rl := range r.Lines {
					s.picked[i] = make([]bool, len(rl.Codes))
				}
			}
			u.render()
		}
	})
}

// simple reports whether the original is a simple-mode receipt (returned by amount).
func (s *returnScreen) simple() bool {
	r := s.ret.Original.Document.Receipt
	return r == nil || r.Simple
}

// whatView asks what to return of the picked receipt.
func (s *returnScreen) whatView() fyne.CanvasObject {
	u, l := s.u, s.u.loc
	orig := s.ret.Original
	body := container.NewVBox(
		bold(documentTitle(l, orig.Document)),
		widget.NewLabel(dateTime(l, orig.Document.Time)+" · "+money(l, orig.Document.Total())),
		widget.NewLabel(l.T("return.left", map[string]any{"Left": money(l, s.ret.Left)})),
	)
	errLabel := errorText(l.Error(s.err))
	if s.simple() {
		body.Add(u.keypad(&s.in, false, func() { s.err = nil; errLabel.Hide() }))
	} else {
		for i, rl := range s.ret.Lines {
			body.Add(bold(rl.Line.Name))
			if rl.Line.Marked != "" {
				body.Add(s.codesView(i, rl))
				continue
			}
			body.Add(field(l.T("return.line", map[string]any{"Price": money(l, rl.Line.Price),
				"Left": quantity(l, rl.Left), "Unit": unitName(l, rl.Line.Unit)}),
				entry(&s.qty[i], l.T("return.quantity.hint"))))
		}
	}
	chosen := 0
	if s.pay == kkm.PayCard {
		chosen = 1
	}
	pays := []kkm.PaymentType{kkm.PayCash, kkm.PayCard}
	body.Add(widget.NewLabel(l.T("return.pay")))
	body.Add(segmented([]string{l.T("pay.cash"), l.T("pay.card")}, chosen, func(i int) { s.pay = pays[i]; u.render() }))
	body.Add(errLabel)
	other := widget.NewButton(l.T("return.other"), func() { s.ret = nil; s.err = nil; u.render() })
	return page(u.header(l.T("op.return"), true), body, primary(l.T("sale.next"), s.next), other)
}

// draft is the return as chosen.
func (s *returnScreen) draft() (kkm.ReceiptDraft, error) {
	orig := s.ret.Original.Document.Receipt
	op := kkm.OpSaleReturn
	if orig != nil && orig.Operation == kkm.OpPurchase {
		op = kkm.OpPurchaseReturn
	}
	parent := s.ret.Parent
	d := kkm.ReceiptDraft{Operation: op, Simple: s.simple(), Parent: &parent}
	var total kkm.Money
	if s.simple() {
		for _, m := range s.in.amounts() {
			d.Lines = append(d.Lines, kkm.LineDraft{Price: m, Quantity: kkm.QuantityOne, Unit: kkm.UnitPiece})
			total += m
		}
	} else {
		for i, rl := range s.ret.Lines {
			if rl.Line.Marked != "" {
				ln, ok := s.markedReturn(i, rl)
				if ok {
					d.Lines = append(d.Lines, ln)
					sum, err := kkm.MulQuantity(ln.Price, ln.Quantity)
					if err != nil {
						return d, err
					}
					total += sum
				}
				continue
			}
			t := strings.TrimSpace(s.qty[i])
			if t == "" || t == "0" {
				continue
			}
			q, err := kkm.ParseQuantity(t)
			if err != nil {
				return d, err
			}
			if q > rl.Left {
				return d, &kkm.Error{Code: kkm.ErrReturnItemExceedsOrig,
					Data: map[string]any{"Name": rl.Line.Name, "Left": rl.Left}}
			}
			ln := rl.Line
			// The line as the original sold it: a returned line is an item of the original only
			// with the same name, НКТ code, section, unit, price and VAT rate (kkm.ValidateReturn).
			d.Lines = append(d.Lines, kkm.LineDraft{Name: ln.Name, NTIN: ln.NTIN, Section: ln.Section, Quantity: q,
				Unit: ln.Unit, Price: ln.Price, VATRate: ln.VATRate})
			sum, err := kkm.MulQuantity(ln.Price, q)
			if err != nil {
				return d, err
			}
			total += sum
		}
	}
	if len(d.Lines) == 0 {
		return d, ErrNothingToReturn
	}
	if total > s.ret.Left {
		return d, &kkm.Error{Code: kkm.ErrReturnExceedsOriginal, Data: map[string]any{"Left": s.ret.Left}}
	}
	d.Payments = []kkm.Payment{{Type: s.pay, Sum: total}}
	return d, nil
}

// next opens the preview of the return.
func (s *returnScreen) next() {
	u := s.u
	d, err := s.draft()
	var r kkm.Receipt
	if err == nil {
		r, err = u.ports.Register.Preview(d)
	}
	s.err = err
	if err != nil {
		u.render()
		return
	}
	u.open(newPreviewScreen(u, d, r, func() {}))
}
