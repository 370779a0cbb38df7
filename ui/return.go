package ui

import (
	"context"
	"errors"
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
	u       *UI
	started bool // its background work is started (start)
	recent  []IssuedDocument
	query   string
	ret     *Returnable
	in      amountInput // simple mode: the amount
	qty     []string    // extended mode: the quantity of each line, as typed
	picked  [][]bool    // a marked line: which of its codes left to return come back
	refund  int         // how the money goes back: refundAsPaid (the default), refundCash or refundCard
	picks   func()      // runs when a marked unit is ticked: the refund shown follows
	keyErr  error       // a key just refused by a quantity's rule (a fraction of a piece), shown at its line
	keyLine int
	err     error
	busy    bool
	scroll  *container.Scroll // the page's, to scroll a refusal into view
	errL    *msgLabel         // the refusal under the refund choices
}

// How a return refunds (kkm.ComputeReturn): as the original was paid unless the cashier
// deliberately chooses one way for all of it.
const (
	refundAsPaid = iota
	refundCash
	refundCard
)

func newReturnScreen(u *UI) *returnScreen {
	return &returnScreen{u: u, busy: true}
}

// start reads the recent receipts in the background once the screen is shown (starter).
func (s *returnScreen) start() {
	if s.started {
		return
	}
	s.started = true
	u := s.u
	u.background(func(ctx context.Context) func() {
		r, err := u.ports.Journal.RecentReceipts(ctx, recentReturns)
		return func() {
			s.busy = false
			s.recent, s.err = r, err
			if u.current == s {
				u.render()
			}
		}
	})
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
		d, err := u.ports.Journal.FindReceipt(ctx, q)
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
		r, err := u.ports.Journal.Returnable(ctx, seq)
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
				s.refund = refundAsPaid
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

// whatView asks what to return of the picked receipt, shows what it refunds and how (as the
// original was paid by default), and lets the cashier choose one way for all of it instead.
//
// What the return refunds follows every key (walker F13): each line says what its typed quantity
// refunds, the total and its split per payment type follow below, all computed by kkm's return
// computation (kkm.ComputeReturn, then kkm.ComputeReceipt as the preview does), and a quantity or
// an amount the return refuses is named as it is typed.
func (s *returnScreen) whatView() fyne.CanvasObject {
	u, l := s.u, s.u.loc
	s.keyErr = nil // a refused key's message lasts until the cashier does anything else
	orig := s.ret.Original
	body := container.NewVBox(
		bold(documentTitle(l, orig.Document)),
		widget.NewLabel(dateTime(l, orig.Document.Time)+" · "+money(l, orig.Document.Total())),
		widget.NewLabel(l.T("return.left", map[string]any{"Left": money(l, s.ret.Left)})),
	)
	errLabel := errorText(l.Error(s.err))
	refund := container.NewVBox()
	lineSums := make([]*msgLabel, len(s.ret.Lines))
	// showRefund shows what the return typed so far gives back: per line, in all and per payment
	// type; or why the return would be refused.
	showRefund := func() {
		for i, sum := range lineSums {
			if sum != nil {
				s.showLineRefund(i, sum)
			}
		}
		refund.RemoveAll()
		r, err := s.computed()
		if err == nil {
			refund.Add(bold(l.T("return.refund.total", map[string]any{"Sum": money(l, r.Total)})))
			for _, p := range r.Payments {
				refund.Add(wrapped(l.T("return.refund.line", map[string]any{"Pay": paymentName(l, p.Type), "Sum": money(l, p.Sum)})))
			}
		} else if errors.Is(err, kkm.ErrReturnNothing) {
			err = nil // nothing chosen yet is no error until «Далее»
		}
		// What «Далее» found is what the cashier looks at (a key just refused shows at its line).
		if s.err != nil {
			err = s.err
		}
		if err != nil {
			errLabel.SetText(l.Error(err))
			errLabel.Show()
		} else {
			errLabel.Hide()
		}
	}
	changed := func() {
		s.err = nil
		showRefund()
	}
	s.picks = changed
	if s.simple() {
		body.Add(u.keypad(&s.in, false, changed))
	} else {
		for i, rl := range s.ret.Lines {
			body.Add(bold(rl.Line.Name))
			if rl.Line.Marked != "" {
				body.Add(s.codesView(i, rl))
				continue
			}
			// The quantity keeps to its unit's decimals key by key (input.go), as the sale's does.
			e := newPadEntry(nil)
			e.text = fractional(rl.Line.Unit)
			bind(&e.Entry, &s.qty[i], l.T("return.quantity.hint"))
			unit := rl.Line.Unit
			e.rule = func() inputRule { return quantityRule(l, unit) }
			e.refused = func(err error) { s.keyErr, s.keyLine = err, i; showRefund() }
			e.OnChanged = func(v string) { s.qty[i] = v; s.keyErr = nil; changed() }
			body.Add(field(l.T("return.line", map[string]any{"Price": money(l, rl.Line.Price),
				"Left": quantity(l, rl.Left), "Unit": unitName(l, rl.Line.Unit)}), e))
			lineSums[i] = wrapped("")
			body.Add(lineSums[i])
		}
	}
	body.Add(widget.NewLabel(l.T("return.refund")))
	ways := container.NewVBox()
	for i, id := range []string{"return.refund.as_paid", "return.refund.cash", "return.refund.card"} {
		b := widget.NewButton(l.T(id), func() { s.refund = i; u.render() })
		if i == s.refund {
			b.Importance = widget.HighImportance
		}
		ways.Add(b)
	}
	body.Add(ways)
	if s.refund != refundAsPaid {
		body.Add(wrapped(l.T("return.refund.other_note")))
	}
	body.Add(refund)
	body.Add(errLabel)
	showRefund()
	other := widget.NewButton(l.T("return.other"), func() { s.ret = nil; s.err = nil; u.render() })
	s.errL = errLabel
	var pg fyne.CanvasObject
	pg, s.scroll = scrolledPage(u.header(l.T("op.return"), true), body, primary(l.T("sale.next"), s.next), other)
	return pg
}

// showLineRefund shows under line i what its typed quantity refunds, by kkm's computation of a
// return of that quantity alone (the same number the whole return gives the line), or why that
// quantity is refused; with nothing typed, what all that is left of a line paid after discounts
// or markups refunds.
func (s *returnScreen) showLineRefund(i int, sum *msgLabel) {
	l := s.u.loc
	rl := s.ret.Lines[i]
	sum.Importance = widget.MediumImportance
	t := strings.TrimSpace(s.qty[i])
	q, err := kkm.ParseQuantity(t)
	switch {
	case s.keyErr != nil && s.keyLine == i:
		err = s.keyErr // the key just refused: said under its field, whatever the field holds
	case t == "" || errors.Is(err, kkm.ErrQuantityZero):
		sum.Hide()
		if rl.Line.Sum != rl.Line.Gross && rl.Left > 0 {
			paid := s.ret.State.Lines[i].Line.Sum - s.ret.State.Lines[i].Refunded
			sum.SetText(l.T("return.line.refund_left", map[string]any{"Sum": money(l, max(paid, 0))}))
			sum.Show()
		}
		return
	case err == nil:
		req := kkm.ReturnRequest{Quantities: make([]kkm.Quantity, len(s.ret.Lines))}
		req.Quantities[i] = q
		var d kkm.ReceiptDraft
		if d, err = kkm.ComputeReturn(s.ret.State, s.ret.Parent, req); err == nil {
			var r kkm.Receipt
			if r, err = s.u.ports.Issuer.Preview(d); err == nil && len(r.Lines) == 1 {
				sum.SetText(l.T("return.line.refund_typed", map[string]any{
					"Quantity": quantity(l, q), "Unit": unitName(l, rl.Line.Unit), "Sum": money(l, r.Lines[0].Sum)}))
				sum.Show()
				return
			}
		}
	}
	if err == nil {
		sum.Hide()
		return
	}
	sum.Importance = widget.DangerImportance
	sum.SetText(l.Error(err))
	sum.Show()
}

// computed is the return as chosen, computed as the preview will show it, or why it is refused.
func (s *returnScreen) computed() (kkm.Receipt, error) {
	d, err := s.draft()
	if err != nil {
		return kkm.Receipt{}, err
	}
	return s.u.ports.Issuer.Preview(d)
}

// request is what the cashier chose: quantities per line or amounts, and how to refund.
func (s *returnScreen) request() (kkm.ReturnRequest, error) {
	var req kkm.ReturnRequest
	switch s.refund {
	case refundCash:
		p := kkm.PayCash
		req.RefundAs = &p
	case refundCard:
		p := kkm.PayCard
		req.RefundAs = &p
	}
	if s.simple() {
		req.Amounts = s.in.amounts()
		return req, nil
	}
	req.Quantities = make([]kkm.Quantity, len(s.ret.Lines))
	req.Codes = make([][]string, len(s.ret.Lines))
	for i, rl := range s.ret.Lines {
		if rl.Line.Marked != "" {
			// A marked item comes back by the units ticked, each with its code.
			if ln, ok := s.markedReturn(i, rl); ok {
				req.Quantities[i], req.Codes[i] = ln.Quantity, ln.Codes
			}
			continue
		}
		t := strings.TrimSpace(s.qty[i])
		if t == "" || t == "0" {
			continue
		}
		q, err := kkm.ParseQuantity(t)
		if err != nil {
			return req, err
		}
		req.Quantities[i] = q
	}
	return req, nil
}

// draft is the return as chosen, built by kkm.ComputeReturn: each line refunds its share of what
// was paid for it, split over the payment types as chosen.
func (s *returnScreen) draft() (kkm.ReceiptDraft, error) {
	req, err := s.request()
	if err != nil {
		return kkm.ReceiptDraft{}, err
	}
	return kkm.ComputeReturn(s.ret.State, s.ret.Parent, req)
}

// next opens the preview of the return.
func (s *returnScreen) next() {
	u := s.u
	d, err := s.draft()
	var r kkm.Receipt
	if err == nil {
		r, err = u.ports.Issuer.Preview(d)
	}
	s.err = err
	if err != nil {
		u.render()
		reveal(s.scroll, s.errL) // under the refund choices, below the fold on a phone
		return
	}
	u.open(newPreviewScreen(u, d, r, func() {}))
}
