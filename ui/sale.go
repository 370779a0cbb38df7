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

// simpleSale is «Простой режим»: amounts on the keypad summed with «+», cash or card, «Далее».
type simpleSale struct {
	u   *UI
	reg *registerScreen
	in  amountInput
	pay kkm.PaymentType
	err error
}

func (s *simpleSale) view() fyne.CanvasObject {
	u, l := s.u, s.u.loc
	pays := []kkm.PaymentType{kkm.PayCash, kkm.PayCard}
	chosen := 0
	if s.pay == kkm.PayCard {
		chosen = 1
	}
	errLabel := errorText(l.Error(s.err))
	pay := segmented([]string{l.T("pay.cash"), l.T("pay.card")}, chosen, func(i int) { s.pay = pays[i]; u.render() })
	next := primary(l.T("sale.next"), s.next)
	// The keypad takes the height the operations menu, the payment choice and «Далее» leave it:
	// the keys grow on a taller phone. On one too short for them the form scrolls.
	body := container.NewBorder(s.reg.operations(), errLabel, nil, nil, u.keypad(&s.in, true, func() {
		s.err = nil
		errLabel.Hide()
	}))
	return container.NewBorder(nil, container.NewVBox(pay, next), nil, nil, container.NewVScroll(body))
}

// draft is the receipt as typed: one line per amount, paid in full one way.
func (s *simpleSale) draft() kkm.ReceiptDraft {
	var pays []kkm.Payment
	if t := s.in.total(); t > 0 {
		pays = []kkm.Payment{{Type: s.pay, Sum: t}}
	}
	return kkm.SimpleDraft(s.reg.op, s.in.amounts(), pays)
}

// next opens the preview.
func (s *simpleSale) next() {
	s.in.press("=")
	d := s.draft()
	s.err = nil
	if len(d.Lines) == 0 {
		s.err = kkm.ErrReceiptEmpty
		s.u.render()
		return
	}
	s.reg.preview(d, func(err error) { s.err = err; s.u.render() }, func() {
		s.in = amountInput{}
		s.err = nil
	})
}

// The payment choices of extended mode.
const (
	payCash  = 0
	payCard  = 1
	payMixed = 2
)

// extendedSale is «Расширенный режим»: items with name, quantity, unit, price and VAT rate, the
// receipt's discount or markup, the buyer's IIN/BIN, and cash, card or mixed payment.
type extendedSale struct {
	u        *UI
	reg      *registerScreen
	lines    []kkm.LineDraft
	modKind  kkm.ModifierKind // Discount or Markup
	modText  string           // the modifier's amount as typed
	buyer    string
	pay      int
	cashText string // cash taken
	cardText string // card part of a mixed payment
	err      error
}

// subtotal is the lines' sum before the receipt's modifier, for the running total.
func (s *extendedSale) subtotal() kkm.Money {
	var t kkm.Money
	for _, ln := range s.lines {
		m, err := kkm.MulQuantity(ln.Price, ln.Quantity)
		if err == nil {
			t += m
		}
	}
	return t
}

// modifier is the receipt's discount or markup as typed, or nil.
func (s *extendedSale) modifier() (*kkm.Modifier, error) {
	if strings.TrimSpace(s.modText) == "" || !s.u.ports.Register.Settings().ReceiptModifiersAllowed {
		return nil, nil
	}
	m, err := kkm.ParseMoney(s.modText)
	if err != nil {
		return nil, err
	}
	if m == 0 {
		return nil, nil
	}
	kind := s.modKind
	if kind == 0 {
		kind = kkm.Discount
	}
	return &kkm.Modifier{Kind: kind, Amount: m}, nil
}

// total is the running total: the lines after the receipt's modifier.
func (s *extendedSale) total() kkm.Money {
	t := s.subtotal()
	if m, err := s.modifier(); err == nil && m != nil {
		if m.Kind == kkm.Markup {
			t += m.Amount
		} else {
			t -= m.Amount
		}
	}
	return t
}

func (s *extendedSale) view() fyne.CanvasObject {
	u, l := s.u, s.u.loc
	set := u.ports.Register.Settings()
	body := container.NewVBox(s.reg.operations(),
		widget.NewButtonWithIcon(l.T("sale.add_item"), theme.ContentAddIcon(), func() {
			u.open(newItemScreen(u, s, -1))
		}))
	for i, ln := range s.lines {
		sum, _ := kkm.MulQuantity(ln.Price, ln.Quantity)
		name := bold(ln.Name)
		name.Truncation = fyne.TextTruncateEllipsis
		detail := wrapped(l.T("sale.line", map[string]any{
			"Quantity": quantity(l, ln.Quantity), "Unit": unitName(l, ln.Unit),
			"Price": money(l, ln.Price), "Sum": money(l, sum)}))
		lines := container.NewVBox(name)
		if ln.NTIN != "" {
			lines.Add(wrapped(l.T("doc.ntin", map[string]any{"Code": ln.NTIN})))
		}
		if ln.Marked != "" {
			lines.Add(s.markedLine(i))
		}
		lines.Add(detail)
		edit := widget.NewButtonWithIcon("", theme.DocumentCreateIcon(), func() { u.open(newItemScreen(u, s, i)) })
		remove := widget.NewButtonWithIcon("", theme.DeleteIcon(), func() {
			s.lines = append(s.lines[:i:i], s.lines[i+1:]...)
			u.render()
		})
		body.Add(container.NewBorder(nil, nil, nil, container.NewHBox(edit, remove), lines))
	}
	if len(s.lines) == 0 {
		body.Add(wrapped(l.T("sale.no_items")))
	}
	if set.ReceiptModifiersAllowed {
		kinds := []kkm.ModifierKind{kkm.Discount, kkm.Markup}
		chosen := 0
		if s.modKind == kkm.Markup {
			chosen = 1
		}
		body.Add(field(l.T("sale.modifier"), container.NewVBox(
			segmented([]string{l.T("sale.discount"), l.T("sale.markup")}, chosen, func(i int) { s.modKind = kinds[i]; u.render() }),
			s.liveEntry(&s.modText, l.T("sale.amount.hint")))))
	}
	if set.BuyerIINBINAllowed {
		body.Add(field(l.T("sale.buyer"), entry(&s.buyer, l.T("sale.buyer.hint"))))
	}
	total := s.total()
	body.Add(segmented([]string{l.T("pay.cash"), l.T("pay.card"), l.T("pay.mixed")}, s.pay, func(i int) { s.pay = i; u.render() }))
	switch s.pay {
	case payCash:
		body.Add(field(l.T("sale.taken"), s.liveEntry(&s.cashText, l.T("sale.amount.hint"))))
		quick := container.NewGridWithColumns(3)
		for _, m := range quickSums(total) {
			quick.Add(widget.NewButton(strings.TrimSuffix(money(l, m), "\u00a0"+kkm.CurrencySign), func() {
				s.cashText = m.String()
				u.render()
			}))
		}
		body.Add(quick)
		if taken, err := kkm.ParseMoney(s.cashText); err == nil && taken >= total && total > 0 {
			body.Add(bold(l.T("sale.change", map[string]any{"Change": money(l, taken-total)})))
		}
	case payCard:
		body.Add(widget.NewLabel(l.T("sale.card_sum", map[string]any{"Sum": money(l, total)})))
	case payMixed:
		body.Add(field(l.T("sale.cash_part"), s.liveEntry(&s.cashText, l.T("sale.amount.hint"))))
		body.Add(field(l.T("sale.card_part"), s.liveEntry(&s.cardText, l.T("sale.amount.hint"))))
	}
	body.Add(errorText(l.Error(s.err)))
	// The total stays in view above «Далее», however long the list.
	bottom := container.NewVBox(bold(l.T("keypad.total", map[string]any{"Total": money(l, total)})),
		primary(l.T("sale.next"), s.next))
	return container.NewBorder(nil, bottom, nil, nil, container.NewVScroll(body))
}

// liveEntry is an entry bound to *value whose every change recomputes the totals: the screen is
// rebuilt when the cashier leaves the field (Enter or «Далее»), not on each key, so typing is
// never interrupted.
func (s *extendedSale) liveEntry(value *string, hint string) *widget.Entry {
	e := entry(value, hint)
	e.OnSubmitted = func(string) { s.u.render() }
	return e
}

// quickSums are the round amounts a buyer is likely to hand over for total: the total itself and
// the next round banknote sums above it.
func quickSums(total kkm.Money) []kkm.Money {
	if total <= 0 {
		return nil
	}
	out := []kkm.Money{total}
	for _, note := range []kkm.Money{100000, 200000, 500000, 1000000, 2000000} {
		m := (total + note - 1) / note * note
		if m != out[len(out)-1] && len(out) < 6 {
			out = append(out, m)
		}
	}
	return out
}

// draft is the receipt as typed.
func (s *extendedSale) draft() (kkm.ReceiptDraft, error) {
	d := kkm.ReceiptDraft{Operation: s.reg.op, Lines: append([]kkm.LineDraft(nil), s.lines...)}
	mod, err := s.modifier()
	if err != nil {
		return d, err
	}
	d.Modifier = mod
	if s.u.ports.Register.Settings().BuyerIINBINAllowed {
		d.BuyerIINBIN = strings.TrimSpace(s.buyer)
		if d.BuyerIINBIN != "" {
			if err := kkm.ValidateIINBIN(d.BuyerIINBIN); err != nil {
				return d, err
			}
		}
	}
	total := s.total()
	switch s.pay {
	case payCash:
		taken := total
		if strings.TrimSpace(s.cashText) != "" {
			if taken, err = kkm.ParseMoney(s.cashText); err != nil {
				return d, err
			}
		}
		d.Payments = []kkm.Payment{{Type: kkm.PayCash, Sum: taken}}
	case payCard:
		d.Payments = []kkm.Payment{{Type: kkm.PayCard, Sum: total}}
	case payMixed:
		cash, err := kkm.ParseMoney(s.cashText)
		if err != nil {
			return d, err
		}
		card, err := kkm.ParseMoney(s.cardText)
		if err != nil {
			return d, err
		}
		d.Payments = []kkm.Payment{{Type: kkm.PayCash, Sum: cash}, {Type: kkm.PayCard, Sum: card}}
	}
	return d, nil
}

// next opens the preview.
func (s *extendedSale) next() {
	s.err = nil
	if len(s.lines) == 0 {
		s.err = kkm.ErrReceiptEmpty
		s.u.render()
		return
	}
	d, err := s.draft()
	if err != nil {
		s.err = err
		s.u.render()
		return
	}
	s.reg.preview(d, func(err error) { s.err = err; s.u.render() }, func() {
		*s = extendedSale{u: s.u, reg: s.reg, modKind: s.modKind}
	})
}

// itemScreen is «Добавить товар» and its edit: name, the optional НКТ product code, quantity,
// unit, price and, for a VAT payer, the VAT rate.
type itemScreen struct {
	u     *UI
	sale  *extendedSale
	index int // the line edited, or -1 for a new one
	name  string
	ntin  string // the product code in the National Catalogue of Goods, digits; empty when none
	qty   string
	unit  string
	price string
	vat   kkm.VATRate
	// marked is the «marked goods» flag and group its group (marking.go); codes are the line's
	// codes when it is edited, kept as long as the quantity leaves room for them.
	marked bool
	group  kkm.MarkedGroup
	codes  []string
	err    error
}

func newItemScreen(u *UI, sale *extendedSale, index int) *itemScreen {
	s := &itemScreen{u: u, sale: sale, index: index, qty: "1", unit: kkm.UnitPiece, vat: kkm.VATDefault}
	if index >= 0 {
		ln := sale.lines[index]
		s.name, s.ntin, s.qty, s.unit, s.price, s.vat = ln.Name, ln.NTIN, ln.Quantity.String(), ln.Unit, ln.Price.String(), ln.VATRate
		s.marked, s.group, s.codes = ln.Marked != "", ln.Marked, ln.Codes
	}
	return s
}

func (s *itemScreen) view() fyne.CanvasObject {
	u, l := s.u, s.u.loc
	units := kkm.Units()
	names := make([]string, len(units))
	for i, un := range units {
		names[i] = unitName(l, un.Code)
	}
	unit := widget.NewSelect(names, nil)
	for i, un := range units {
		if un.Code == s.unit {
			unit.SetSelectedIndex(i)
		}
	}
	// A quantity of pieces is a whole number: the phone's numeric keyboard. A unit that may be
	// fractional (kilograms, litres) needs the decimal comma, which that keyboard lacks.
	qty := wholeEntry(&s.qty, l.T("item.quantity.hint"))
	qty.text = fractional(s.unit)
	unit.OnChanged = func(string) {
		s.unit = units[unit.SelectedIndex()].Code
		qty.text = fractional(s.unit)
	}
	body := container.NewVBox(
		field(l.T("item.name"), entry(&s.name, l.T("item.name.hint"))),
		// Digits only: the phone's numeric keyboard. The label wraps, long as it is at a large text size.
		container.NewVBox(wrapped(l.T("item.ntin")),
			wholeEntry(&s.ntin, l.T("item.ntin.hint", map[string]any{"Max": kkm.MaxNTINLength}))),
		field(l.T("item.quantity"), qty),
		field(l.T("item.unit"), unit),
		field(l.T("item.price"), entry(&s.price, l.T("sale.amount.hint"))),
	)
	body.Add(s.markedView())
	set := u.ports.Register.Settings()
	if set.VATPayer {
		rates := append([]kkm.VATRate{kkm.VATDefault}, kkm.VATRates()...)
		labels := make([]string, len(rates))
		for i, r := range rates {
			labels[i] = vatName(l, r)
			if r == kkm.VATDefault {
				labels[i] = l.T("vat.default", map[string]any{"Rate": vatName(l, set.DefaultVATRate)})
			}
		}
		vat := widget.NewSelect(labels, nil)
		for i, r := range rates {
			if r == s.vat {
				vat.SetSelectedIndex(i)
			}
		}
		vat.OnChanged = func(string) { s.vat = rates[vat.SelectedIndex()] }
		body.Add(field(l.T("item.vat"), vat))
	}
	body.Add(errorText(l.Error(s.err)))
	label := l.T("item.add")
	if s.index >= 0 {
		label = l.T("item.save")
	}
	return page(u.header(l.T("item.title"), true), body, primary(label, s.save), widget.NewButton(l.T("button.cancel"), u.back))
}

// fractional reports whether a unit's quantities may have a fractional part.
func fractional(code string) bool {
	un, ok := kkm.UnitByCode(code)
	return !ok || un.Fractional
}

// save checks the item and puts it on the receipt.
func (s *itemScreen) save() {
	ln := kkm.LineDraft{Name: strings.TrimSpace(s.name), NTIN: strings.TrimSpace(s.ntin), Unit: s.unit, VATRate: s.vat}
	var err error
	switch {
	case ln.Name == "":
		err = kkm.ErrLineNameEmpty
	case s.marked && !s.group.Valid():
		err = kkm.Code(errMarkedGroupMissing)
	default:
		if err = kkm.ValidateItemName(ln.Name); err != nil {
			break
		}
		if err = kkm.ValidateNTIN(ln.NTIN); err != nil {
			break
		}
		if ln.Quantity, err = kkm.ParseQuantity(s.qty); err != nil {
			break
		}
		if un, ok := kkm.UnitByCode(ln.Unit); ok && !un.Fractional && !ln.Quantity.Whole() {
			err = &kkm.Error{Code: kkm.ErrQuantityFraction, Data: map[string]any{"Unit": unitName(s.u.loc, ln.Unit)}}
			break
		}
		if ln.Price, err = kkm.ParseMoney(s.price); err == nil && ln.Price == 0 {
			err = kkm.ErrLinePriceZero
		}
		if err == nil && s.marked {
			err = s.mark(&ln)
		}
	}
	if err != nil {
		s.err = err
		s.u.render()
		return
	}
	index := s.index
	if index >= 0 {
		s.sale.lines[index] = ln
	} else {
		s.sale.lines = append(s.sale.lines, ln)
		index = len(s.sale.lines) - 1
	}
	s.u.back()
	if ln.Marked != "" && len(ln.Codes) < int(ln.Quantity/kkm.QuantityOne) {
		// The codes are what the cashier does next: the scanner is ready at once.
		s.u.open(newMarkingScreen(s.u, s.sale, index))
	}
}

// previewScreen is the preview of a receipt: «Сформировать» issues it, «Отменить» goes back to
// the form with everything kept.
type previewScreen struct {
	u      *UI
	draft  kkm.ReceiptDraft
	r      kkm.Receipt
	issued func() // clears the form after the receipt is issued
	busy   bool
}

func newPreviewScreen(u *UI, d kkm.ReceiptDraft, r kkm.Receipt, issued func()) *previewScreen {
	return &previewScreen{u: u, draft: d, r: r, issued: issued}
}

func (s *previewScreen) view() fyne.CanvasObject {
	u, l := s.u, s.u.loc
	doc := kkm.Document{Kind: kkm.KindReceipt, Receipt: &s.r, Operator: u.cashier.Operator()}
	card := u.documentCard(IssuedDocument{Document: doc}, false)
	issue := primary(l.T("preview.issue"), func() {
		s.busy = true
		u.render()
		u.issue(func(ctx context.Context) (Issued, error) {
			return u.ports.Register.IssueReceipt(ctx, u.cashier.Operator(), s.draft)
		}, s.issued, func() { s.busy = false; u.render() })
	})
	if s.busy {
		issue.Disable()
	}
	return page(u.header(l.T("preview.title", map[string]any{"Operation": operationName(l, s.r.Operation)}), false),
		card, issue, widget.NewButton(l.T("preview.cancel"), u.back))
}
