package ui

import (
	"context"
	"errors"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/ekassa-go/ekassa/i18n"
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
	pay := segmented([]string{l.T("pay.cash"), l.T("pay.card")}, chosen, func(i int) { s.pay = pays[i]; u.render() })
	next := primary(l.T("sale.next"), s.next)
	// The keypad takes the height the operations menu, the payment choice and «Далее» leave it:
	// the keys grow on a taller phone. On one too short for them the form scrolls.
	// The sale's message (an empty receipt, a total the receipt would refuse, checked as typed)
	// is shown in the keypad's own message place, which never moves the keys.
	body := container.NewBorder(s.reg.operations(), nil, nil, nil, u.keypadWithNote(&s.in, true, func() {
		s.err = nil // a key clears the last error
	}, func() error {
		if s.err != nil {
			return s.err
		}
		return s.live()
	}))
	return container.NewBorder(nil, container.NewVBox(pay, next), nil, nil, container.NewVScroll(body))
}

// live is what is wrong with the amounts as typed so far, by kkm's own count (too large a total,
// above the maximum-sum setting), or nil.
func (s *simpleSale) live() error {
	amounts := s.in.amounts()
	if len(amounts) == 0 {
		return nil
	}
	_, err := kkm.ReceiptTotal(kkm.SimpleDraft(s.reg.op, amounts, nil), s.u.ports.Settings.Settings())
	return err
}

// fresh is the keypad for the next customer: nothing typed, cash.
func (s *simpleSale) fresh() {
	s.in, s.err, s.pay = amountInput{}, nil, kkm.PayCash
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
	s.reg.preview(d, func(err error) { s.err = err; s.u.render() }, s.fresh)
}

// The payment choices of extended mode.
const (
	payCash  = 0
	payCard  = 1
	payMixed = 2
)

// saleField is where on the extended form an error belongs: it is shown next to that field.
type saleField int

const (
	atTotal    saleField = iota // the list and its total: nothing to sell, too large, above the maximum sum
	atModifier                  // the receipt's discount or markup
	atBuyer                     // the buyer's IIN/BIN
	atCash                      // the cash taken, or the cash part of a mixed payment
	atCard                      // the card part of a mixed payment
	fieldCount
)

// extendedSale is «Расширенный режим»: items with name, quantity, unit, price and VAT rate, the
// receipt's discount or markup, the buyer's IIN/BIN, and cash, card or mixed payment.
//
// The total, the change, what is left to pay by card and the errors follow every key the cashier
// types, in place (the form is not rebuilt, so typing is never interrupted): a total on screen is
// the one kkm computes (ReceiptTotal), never negative or wrapped, and an error sits next to its
// field and goes away as soon as its cause does.
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
	cardOwn  bool   // the card part was typed, not filled in with what is left to pay
	filling  bool   // the card part is being filled in: not the cashier's typing
	// cashFilled: the cash taken is a quick sum tapped, not typed; the next key replaces it.
	cashFilled bool
	// keyErr is a key just refused by its field's rule (a third decimal), shown at keyAt until
	// the next change of the form.
	keyErr error
	keyAt  saleField
	// checked is set once «Далее» found an error: from then on every key checks the whole
	// receipt again, so the message follows what is typed.
	checked bool
	err     error
	errAt   saleField

	// The parts of the view that follow the typing.
	scroll   *container.Scroll
	errs     [fieldCount]*msgLabel
	totalL   *msgLabel
	changeL  *msgLabel
	cardSumL *msgLabel
	leftL    *msgLabel
	quick    *fyne.Container
	card     *padEntry
	// cat is the catalogue's search, favourites and scanner around the form (catalogue_sell.go),
	// kept from one customer to the next.
	cat *catalogueSale
	// refocus: a scanner typed into the field at focusAt; rebuilt, it gets the focus back.
	refocus bool
	focusAt saleField
}

// fresh is the form for the next customer: no items, cash, a discount if any, nothing typed.
func (s *extendedSale) fresh() {
	cat := s.cat
	*s = extendedSale{u: s.u, reg: s.reg, cat: cat}
	if cat != nil {
		cat.query, cat.note, cat.showFav, cat.lastResults = "", nil, false, nil
	}
}

// catalogue is the catalogue's part of the form, made when first shown.
func (s *extendedSale) catalogue() *catalogueSale {
	if s.cat == nil {
		s.cat = newCatalogueSale(s)
	}
	return s.cat
}

// modifier is the receipt's discount or markup as typed (an amount in tenge), or nil.
func (s *extendedSale) modifier() (*kkm.Modifier, error) {
	if !s.u.ports.Settings.Settings().ReceiptModifiersAllowed {
		return nil, nil
	}
	return itemModifier{kind: s.modKind, text: s.modText}.modifier()
}

// total is the receipt's total as kkm computes it from the lines and the modifier, or where the
// error lies that keeps it from being computed.
func (s *extendedSale) total() (kkm.Money, saleField, error) {
	mod, err := s.modifier()
	if err != nil {
		return 0, atModifier, err
	}
	if len(s.lines) == 0 {
		return 0, atTotal, kkm.ErrReceiptEmpty
	}
	d := kkm.ReceiptDraft{Operation: s.reg.op, Lines: s.lines, Modifier: mod}
	r, err := kkm.ReceiptTotal(d, s.u.ports.Settings.Settings())
	if err != nil {
		return 0, fieldOf(err, atTotal), err
	}
	return r.Total, atTotal, nil
}

// fieldOf is where a refusal of the receipt belongs on the form; other is the place of the rest.
func fieldOf(err error, other saleField) saleField {
	var ke *kkm.Error
	if !errors.As(err, &ke) {
		return other
	}
	switch ke.Code {
	case kkm.ErrModifierInvalid, kkm.ErrModifierNotAllowed, kkm.ErrDiscountTooLarge:
		return atModifier
	case kkm.ErrBuyerIINBINNotAllowed, kkm.ErrBuyerIINBINSimpleMode, kkm.ErrBuyerIINBINIsSeller,
		kkm.ErrIINBINLength, kkm.ErrIINBINDigits, kkm.ErrIINBINCheckDigit:
		return atBuyer
	case kkm.ErrPaymentsShort, kkm.ErrChangeNotAllowed, kkm.ErrPaymentZero, kkm.ErrPaymentsMissing:
		return atCash
	case kkm.ErrNonCashExceedsTotal:
		return atCard
	}
	return other
}

// errCardExceedsLeft: the card part of a mixed payment is more than the cash leaves to pay.
const errCardExceedsLeft = "err.sale.card_exceeds_left"

// payments reads the payment as typed against total.
func (s *extendedSale) payments(total kkm.Money) ([]kkm.Payment, saleField, error) {
	switch s.pay {
	case payCard:
		return []kkm.Payment{{Type: kkm.PayCard, Sum: total}}, atTotal, nil
	case payMixed:
		cash, err := kkm.ParseMoney(s.cashText)
		if err != nil {
			return nil, atCash, err
		}
		card, err := kkm.ParseMoney(s.cardText)
		if err != nil {
			return nil, atCard, err
		}
		if left := max(0, total-cash); card > left {
			return nil, atCard, &uiError{id: errCardExceedsLeft, data: map[string]any{
				"Left": money(s.u.loc, left), "Card": money(s.u.loc, card)}}
		}
		return []kkm.Payment{{Type: kkm.PayCash, Sum: cash}, {Type: kkm.PayCard, Sum: card}}, atTotal, nil
	}
	taken := total
	if strings.TrimSpace(s.cashText) != "" {
		var err error
		if taken, err = kkm.ParseMoney(s.cashText); err != nil {
			return nil, atCash, err
		}
	}
	return []kkm.Payment{{Type: kkm.PayCash, Sum: taken}}, atTotal, nil
}

// draft is the receipt as typed, or the first error in it and where it lies. Without full it
// checks only what the screen shows as the cashier types (the total and the amounts); with it,
// everything «Далее» checks, the preview's computation included.
func (s *extendedSale) draft(full bool) (kkm.ReceiptDraft, saleField, error) {
	d := kkm.ReceiptDraft{Operation: s.reg.op, Lines: append([]kkm.LineDraft(nil), s.lines...)}
	total, at, err := s.total()
	if err != nil {
		if err == kkm.ErrReceiptEmpty && !full {
			err = nil // an empty form is no error until «Далее»
		}
		return d, at, err
	}
	d.Modifier, _ = s.modifier()
	if d.Payments, at, err = s.payments(total); err != nil {
		if !full && (at == atCash && strings.TrimSpace(s.cashText) == "" || at == atCard && strings.TrimSpace(s.cardText) == "") {
			err = nil // a part still to be typed is no error until «Далее»
		}
		return d, at, err
	}
	if !full {
		return d, atTotal, nil
	}
	if s.u.ports.Settings.Settings().BuyerIINBINAllowed {
		d.BuyerIINBIN = strings.TrimSpace(s.buyer)
		if d.BuyerIINBIN != "" {
			if err := kkm.ValidateIINBIN(d.BuyerIINBIN); err != nil {
				return d, atBuyer, err
			}
		}
	}
	if _, err := s.u.ports.Issuer.Preview(d); err != nil {
		return d, fieldOf(err, atTotal), err
	}
	return d, atTotal, nil
}

func (s *extendedSale) view() fyne.CanvasObject {
	u, l := s.u, s.u.loc
	s.keyErr = nil // a refused key's message lasts until the cashier does anything else
	set := u.ports.Settings.Settings()
	for i := range s.errs {
		s.errs[i] = errorText("")
	}
	body := container.NewVBox(s.catalogue().formSlot(), s.reg.operations(),
		widget.NewButtonWithIcon(l.T("sale.add_item"), theme.ContentAddIcon(), func() {
			u.open(newItemScreen(u, s, -1))
		}))
	for i, ln := range s.lines {
		sum, _ := kkm.MulQuantity(ln.Price, ln.Quantity) // the item screen refused a line that does not compute
		name := bold(ln.Name)
		name.Wrapping = fyne.TextWrapWord // a long name wraps at words, never cut
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
		if ln.Modifier != nil {
			if m := s.modifierLine(ln); m != nil {
				lines.Add(m)
			}
		}
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
			s.amountEntry(&s.modText, atModifier, nil), s.errs[atModifier])))
	}
	if set.BuyerIINBINAllowed {
		body.Add(field(l.T("sale.buyer"), container.NewVBox(s.liveEntry(&s.buyer, l.T("sale.buyer.hint"), nil), s.errs[atBuyer])))
	}
	body.Add(segmented([]string{l.T("pay.cash"), l.T("pay.card"), l.T("pay.mixed")}, s.pay, func(i int) {
		s.pay = i
		u.render()
	}))
	// The amounts' labels wrap: at a large text size a long amount must not widen the phone.
	s.changeL, s.cardSumL, s.leftL, s.quick, s.card = boldMsg(""), wrapped(""), wrapped(""), nil, nil
	switch s.pay {
	case payCash:
		body.Add(field(l.T("sale.taken"), s.amountEntry(&s.cashText, atCash, &s.cashFilled)))
		body.Add(s.errs[atCash])
		s.quick = container.NewGridWithColumns(3)
		body.Add(s.quick)
		body.Add(s.changeL)
	case payCard:
		body.Add(s.cardSumL)
	case payMixed:
		body.Add(field(l.T("sale.cash_part"), s.amountEntry(&s.cashText, atCash, &s.cashFilled)))
		body.Add(s.errs[atCash])
		// Once the cashier types in the card part (clearing it too), it is theirs: no longer filled
		// in. Until then it is the screen's suggestion, which the first key replaces.
		filled := !s.cardOwn
		s.card = s.amountEntry(&s.cardText, atCard, &filled)
		bound := s.card.OnChanged
		s.card.OnChanged = func(v string) {
			if !s.filling {
				s.cardOwn = true
			}
			bound(v)
		}
		body.Add(field(l.T("sale.card_part"), s.card))
		body.Add(s.errs[atCard]) // right under the field typed in, where the eye is
		body.Add(s.leftL)
	}
	s.scroll = container.NewVScroll(body)
	// The total stays in view above «Далее», however long the list, and so do the errors about it.
	s.totalL = boldMsg("")
	bottom := container.NewVBox(s.totalL, s.errs[atTotal], primary(l.T("sale.next"), s.next))
	s.follow()
	return container.NewBorder(nil, bottom, nil, nil, s.catalogue().wrap(s.scroll))
}

// liveEntry is an entry bound to *value whose every change updates the totals and the errors in
// place; typed is run first, when set. Enter opens the preview, as «Далее» does.
func (s *extendedSale) liveEntry(value *string, hint string, typed func()) *widget.Entry {
	e := entry(value, hint)
	bound := e.OnChanged
	e.OnChanged = func(v string) {
		bound(v)
		if s.filling {
			return
		}
		if typed != nil {
			typed()
		}
		s.follow()
	}
	e.OnSubmitted = func(string) { s.next() }
	return e
}

// amountEntry is an entry of an amount of money bound to *value, at field at of the form: its
// every change updates the totals and the errors in place, a key that would give it a third
// decimal is refused next to it, and while *filled it holds the screen's suggestion (a quick sum,
// the card part left to pay) that the first key replaces. Enter opens the preview.
func (s *extendedSale) amountEntry(value *string, at saleField, filled *bool) *padEntry {
	e := newPadEntry(nil)
	e.text = true // an amount has a decimal part: not the numeric keyboard, which lacks the comma
	bind(&e.Entry, value, s.u.loc.T("sale.amount.hint"))
	if filled != nil {
		e.pristine = *filled && *value != ""
	}
	bound := e.OnChanged
	e.OnChanged = func(v string) {
		bound(v)
		if s.filling {
			return
		}
		if filled != nil && !e.pristine {
			*filled = false
		}
		s.keyErr = nil
		s.follow()
	}
	e.refused = func(err error) {
		s.keyErr, s.keyAt = err, at
		s.follow()
	}
	e.OnSubmitted = func(string) { s.next() }
	// A scanner typing into the field sells its item: the field, its filled-in state and the
	// card part filled in from it are put back as they were, and the rebuilt field has the focus.
	s.catalogue().fieldScans(e, func() func() {
		wasFilled, own := filled != nil && *filled, s.cardOwn
		return func() {
			if filled != nil {
				*filled = wasFilled
			}
			s.cardOwn = own
			s.keyErr = nil
			s.follow()
		}
	}, func() { s.focusAt, s.refocus = at, true })
	if s.refocus && s.focusAt == at {
		s.refocus = false
		s.u.focusAfterRender(e)
	}
	return e
}

// follow brings the view's totals and errors up to date with what is typed.
func (s *extendedSale) follow() {
	if s.totalL == nil {
		return
	}
	l := s.u.loc
	total, _, terr := s.total()
	if errors.Is(terr, kkm.ErrReceiptEmpty) {
		terr = nil // no items yet: the total is 0,00, not an error
	}
	if terr != nil {
		total = 0
	}
	// In a mixed payment the card pays what the cash leaves, until the cashier types it.
	if s.pay == payMixed && s.card != nil && !s.cardOwn && terr == nil {
		want := ""
		if cash, err := kkm.ParseMoney(s.cashText); err == nil && cash < total {
			want = plainMoney(l, total-cash)
		}
		if s.cardText != want {
			s.filling = true
			s.card.fill(want)
			s.filling = false
		}
	}
	_, s.errAt, s.err = s.draft(s.checked)
	if s.keyErr != nil {
		s.err, s.errAt = s.keyErr, s.keyAt // the key just refused is what the cashier looks at
	}
	if terr != nil {
		s.totalL.SetText(l.T("keypad.total", map[string]any{"Total": "—"}))
	} else {
		s.totalL.SetText(l.T("keypad.total", map[string]any{"Total": money(l, total)}))
	}
	for i, e := range s.errs {
		if e == nil {
			continue
		}
		at := saleField(i)
		// An error about a field the payment choice does not show goes next to the total.
		if s.err != nil && (s.errAt == at || at == atTotal && !s.shows(s.errAt)) {
			e.SetText(l.Error(s.err))
			e.Show()
		} else {
			e.SetText("")
			e.Hide()
		}
	}
	s.changeL.Hide()
	if taken, err := kkm.ParseMoney(s.cashText); s.pay == payCash && err == nil && terr == nil && total > 0 && taken >= total {
		s.changeL.SetText(l.T("sale.change", map[string]any{"Change": money(l, taken-total)}))
		s.changeL.Show()
	}
	s.cardSumL.SetText(l.T("sale.card_sum", map[string]any{"Sum": money(l, total)}))
	s.leftL.Hide()
	if cash, err := kkm.ParseMoney(s.cashText); s.pay == payMixed && terr == nil && total > 0 {
		if err != nil {
			cash = 0
		}
		s.leftL.SetText(l.T("sale.left", map[string]any{"Left": money(l, max(0, total-cash))}))
		s.leftL.Show()
	}
	if s.quick != nil {
		s.quick.Objects = nil
		sums := quickSums(total)
		if terr != nil {
			sums = nil
		}
		// Three round sums a row; two when they are long, so that the row fits a phone.
		cols := 3
		for _, m := range sums {
			if len([]rune(m.String())) > 10 {
				cols = 2
			}
		}
		s.quick.Layout = layout.NewGridLayoutWithColumns(cols)
		for _, m := range sums {
			s.quick.Add(widget.NewButton(strings.TrimSuffix(money(l, m), "\u00a0"+kkm.CurrencySign), func() {
				s.cashText, s.cashFilled = plainMoney(l, m), true
				s.u.render()
			}))
		}
		s.quick.Refresh()
	}
}

// shows reports whether the form shows field at now.
func (s *extendedSale) shows(at saleField) bool {
	set := s.u.ports.Settings.Settings()
	switch at {
	case atModifier:
		return set.ReceiptModifiersAllowed
	case atBuyer:
		return set.BuyerIINBINAllowed
	case atCash:
		return s.pay != payCard
	case atCard:
		return s.pay == payMixed
	}
	return true
}

// plainMoney is an amount as a cashier would type it: no grouping, the language's decimal sign.
func plainMoney(l *i18n.Localizer, m kkm.Money) string {
	if l.Lang() == i18n.English {
		return m.Decimal()
	}
	return strings.Replace(m.Decimal(), ".", ",", 1)
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

// next opens the preview, or shows the first error next to its field, scrolled into view.
func (s *extendedSale) next() {
	d, at, err := s.draft(true)
	s.err, s.errAt = err, at
	if err != nil {
		s.checked = true
		s.u.render()
		if e := s.errs[at]; e != nil && e.Visible() && s.scroll != nil {
			scrollIntoView(s.scroll, e)
		}
		return
	}
	s.reg.preview(d, func(err error) { s.err, s.errAt = err, fieldOf(err, atTotal); s.u.render() }, s.fresh)
}

// itemScreen is «Добавить товар» and its edit: name, the optional НКТ product code, quantity,
// unit, price and, for a VAT payer, the VAT rate. Quantity and price have an on-screen keypad with
// the decimal separator (a phone's numeric keyboard has none); the line's sum follows the typing,
// computed by kkm, and an error sits under the field it is about.
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
	mod    itemModifier // the line's own discount or markup (itemmodifier.go)
	pad    int          // the field the keypad types into: padPrice or padQuantity
	tried  bool         // «Добавить» was pressed: every change checks the line again
	err    error
	errAt  itemField
	// filled: the quantity (1 on a new line) or the price (of a line edited) is as the screen
	// filled it in, and the first key typed replaces it.
	filled [2]bool
	// keyErr is a key just refused by its field's rule (a third decimal of the price, a fraction
	// of a piece), shown under that field until the next change.
	keyErr error
	keyAt  itemField

	errs     [itemFields]*msgLabel
	sumL     *msgLabel
	modAfter *msgLabel // the line after its discount or markup (itemmodifier.go)
	scroll   *container.Scroll
	fields   [2]*padEntry    // quantity and price, by pad
	padSeg   *fyne.Container // the choice of the keypad's field
	// scanned: a scanner typed into the quantity or the price (focusPad) and sold its item on
	// the receipt; the form says so, and the rebuilt field gets the focus back (refocus).
	scanned  bool
	refocus  bool
	focusPad int
}

// itemField is where on the item form an error belongs.
type itemField int

const (
	atName itemField = iota
	atNTIN
	atQuantity
	atPrice
	atMarked       // the marked-goods flag and group (marking.go)
	atLineModifier // the line's discount or markup (itemmodifier.go)
	itemFields
)

// The fields the item form's keypad types into.
const (
	padQuantity = 0
	padPrice    = 1
)

func newItemScreen(u *UI, sale *extendedSale, index int) *itemScreen {
	s := &itemScreen{u: u, sale: sale, index: index, qty: "1", unit: kkm.UnitPiece, vat: kkm.VATDefault, pad: padPrice,
		mod: modifierFrom(nil)}
	s.filled[padQuantity] = true
	if index >= 0 {
		s.filled[padPrice] = true
		ln := sale.lines[index]
		s.name, s.ntin, s.qty, s.unit, s.price, s.vat = ln.Name, ln.NTIN, ln.Quantity.String(), ln.Unit, ln.Price.String(), ln.VATRate
		s.marked, s.group, s.codes = ln.Marked != "", ln.Marked, ln.Codes
		s.mod = modifierFrom(ln.Modifier) // an edited line keeps its discount or markup
	}
	return s
}

func (s *itemScreen) view() fyne.CanvasObject {
	u, l := s.u, s.u.loc
	s.keyErr = nil // a refused key's message lasts until the cashier does anything else
	for i := range s.errs {
		s.errs[i] = errorText("")
	}
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
	qty := s.padField(padQuantity, &s.qty, l.T("item.quantity.hint"))
	qty.text = fractional(s.unit)
	unit.OnChanged = func(string) {
		s.unit = units[unit.SelectedIndex()].Code
		qty.text = fractional(s.unit)
		s.follow()
	}
	price := s.padField(padPrice, &s.price, l.T("sale.amount.hint"))
	price.text = true // an amount has a decimal part: not the numeric keyboard, which lacks the comma
	s.padSeg = segmented([]string{l.T("item.quantity"), l.T("item.price")}, s.pad, func(i int) {
		s.pad = i
		markChosen(s.padSeg, i)
	})
	name := entry(&s.name, l.T("item.name.hint"))
	ntin := wholeEntry(&s.ntin, l.T("item.ntin.hint", map[string]any{"Max": kkm.MaxNTINLength}))
	for _, e := range []*widget.Entry{name, &ntin.Entry} {
		bound := e.OnChanged
		e.OnChanged = func(v string) { bound(v); s.follow() }
	}
	s.sumL = boldMsg("")
	body := container.NewVBox(
		s.scannedNote(),
		field(l.T("item.name"), container.NewVBox(name, s.errs[atName])),
		// Digits only: the phone's numeric keyboard. The label wraps, long as it is at a large text size.
		container.NewVBox(wrapped(l.T("item.ntin")), ntin, s.errs[atNTIN]),
		field(l.T("item.quantity"), qty),
		field(l.T("item.unit"), unit),
		field(l.T("item.price"), price),
		s.sumL,
		// The quantity's and the price's messages (a key refused, a limit) come and go as the
		// keypad is tapped: they take a place of a fixed height above it, so no message moves
		// the keys under the cashier's finger (walker S0, seen again with the keypad's refusals).
		padMessages(s.errs[atQuantity], s.errs[atPrice]),
		// The keypad types into the field chosen above it (tapping a field chooses it too).
		s.padSeg,
		u.decimalPad(func() *padEntry { return s.fields[s.pad] }),
	)
	body.Add(s.modifierView())
	body.Add(s.markedView())
	body.Add(s.errs[atMarked])
	set := u.ports.Settings.Settings()
	if set.VATPayer {
		body.Add(field(l.T("item.vat"), vatSelect(l, set.DefaultVATRate, s.vat, func(r kkm.VATRate) { s.vat = r })))
	}
	label := l.T("item.add")
	if s.index >= 0 {
		label = l.T("item.save")
	}
	s.scroll = container.NewVScroll(body)
	s.follow()
	return container.NewBorder(u.header(l.T("item.title"), true),
		container.NewVBox(primary(label, s.save), widget.NewButton(l.T("button.cancel"), u.back)), nil, nil, s.scroll)
}

// padField is the quantity or the price: an entry bound to *value that the keypad types into
// once it is chosen, or tapped.
func (s *itemScreen) padField(pad int, value *string, hint string) *padEntry {
	e := newPadEntry(func() {
		s.pad = pad
		if s.padSeg != nil {
			markChosen(s.padSeg, pad)
		}
	})
	bind(&e.Entry, value, hint)
	e.pristine = s.filled[pad] && *value != ""
	at := atPrice
	if pad == padQuantity {
		at = atQuantity
		e.rule = func() inputRule { return quantityRule(s.u.loc, s.unit) }
	}
	e.refused = func(err error) {
		s.keyErr, s.keyAt = err, at
		s.follow()
	}
	bound := e.OnChanged
	e.OnChanged = func(v string) {
		bound(v)
		if !e.pristine {
			s.filled[pad] = false
		}
		s.keyErr = nil
		s.follow()
	}
	e.OnSubmitted = func(string) { s.save() }
	// A scanner typing into the quantity or the price sells the scanned item on the receipt; the
	// form keeps what was typed in it, says what the scan added, and the field keeps the focus.
	s.sale.catalogue().fieldScans(e, func() func() {
		wasFilled := s.filled[pad]
		return func() {
			s.filled[pad] = wasFilled
			s.keyErr = nil
			s.follow()
		}
	}, func() {
		s.refocus, s.focusPad, s.scanned = true, pad, true
		s.pad = pad
	})
	if s.refocus && s.focusPad == pad {
		s.refocus = false
		s.u.focusAfterRender(e)
	}
	s.fields[pad] = e
	return e
}

// line reads the form, or the first error in it and where it lies. The line is checked by kkm as
// the receipt will check it (a price times a quantity that does not compute is refused here, not
// shown as 0,00 on the sale).
func (s *itemScreen) line() (kkm.LineDraft, itemField, error) {
	ln := kkm.LineDraft{Name: strings.TrimSpace(s.name), NTIN: strings.TrimSpace(s.ntin), Unit: s.unit, VATRate: s.vat}
	var err error
	if ln.Name == "" {
		return ln, atName, kkm.ErrLineNameEmpty
	}
	if s.marked && !s.group.Valid() {
		return ln, atMarked, kkm.Code(errMarkedGroupMissing)
	}
	if err = kkm.ValidateItemName(ln.Name); err != nil {
		return ln, atName, err
	}
	if err = kkm.ValidateNTIN(ln.NTIN); err != nil {
		return ln, atNTIN, err
	}
	if ln.Quantity, err = kkm.ParseQuantity(s.qty); err != nil {
		return ln, atQuantity, err
	}
	if un, ok := kkm.UnitByCode(ln.Unit); ok && !un.Fractional && !ln.Quantity.Whole() {
		return ln, atQuantity, &kkm.Error{Code: kkm.ErrQuantityFraction, Data: map[string]any{"Unit": unitName(s.u.loc, ln.Unit)}}
	}
	if ln.Price, err = kkm.ParseMoney(s.price); err == nil && ln.Price == 0 {
		err = kkm.ErrLinePriceZero
	}
	if err != nil {
		return ln, atPrice, err
	}
	if _, err := kkm.ReceiptTotal(kkm.ReceiptDraft{Operation: s.sale.reg.op, Lines: []kkm.LineDraft{ln}},
		s.u.ports.Settings.Settings()); err != nil {
		return ln, atPrice, err
	}
	if ln.Modifier, err = s.mod.modifier(); err != nil {
		return ln, atLineModifier, err
	}
	if ln.Modifier != nil {
		if _, _, err := lineAfterModifier(s.sale.reg.op, ln, s.u.ports.Settings.Settings()); err != nil {
			return ln, atLineModifier, err
		}
	}
	if s.marked {
		if err := s.mark(&ln); err != nil {
			return ln, atMarked, err
		}
	}
	return ln, atPrice, nil
}

// follow shows the line's sum as it is typed, and the errors: the sum's own (too large) at once,
// the others once «Добавить» was pressed, each until its cause is gone.
func (s *itemScreen) follow() {
	if s.sumL == nil {
		return
	}
	l := s.u.loc
	// The sum's line keeps its place while empty, so the keypad under it does not move between
	// two taps.
	s.sumL.SetText(" ")
	s.err = nil
	q, qerr := kkm.ParseQuantity(s.qty)
	p, perr := kkm.ParseMoney(s.price)
	// A quantity or price past its limit in kkm's table (kkm/limits.go) is named at once too.
	switch {
	case errors.Is(qerr, kkm.ErrQuantityOverflow):
		s.err, s.errAt = qerr, atQuantity
	case errors.Is(perr, kkm.ErrMoneyOverflow):
		s.err, s.errAt = perr, atPrice
	// Too many decimals (pasted: the keys refuse them) would leave the sum's line empty with no word.
	case errors.Is(qerr, kkm.ErrQuantityTooManyDecs):
		s.err, s.errAt = qerr, atQuantity
	case errors.Is(perr, kkm.ErrMoneyTooManyDecimals):
		s.err, s.errAt = perr, atPrice
	}
	if qerr == nil && perr == nil && p > 0 {
		if sum, err := kkm.MulQuantity(p, q); err == nil {
			s.sumL.SetText(l.T("item.sum", map[string]any{"Sum": money(l, sum)}))
			s.followModifier(p, q)
		} else {
			s.err, s.errAt = err, atPrice
		}
	}
	if s.tried {
		_, s.errAt, s.err = s.line()
	}
	if s.keyErr != nil {
		s.err, s.errAt = s.keyErr, s.keyAt // the key just refused is what the cashier looks at
	}
	for i, e := range s.errs {
		if s.err != nil && itemField(i) == s.errAt {
			e.SetText(l.Error(s.err))
			e.Show()
		} else {
			e.SetText("")
			e.Hide()
		}
	}
}

// padMessages holds the messages of the keypad's fields in two lines of a fixed height, shown
// or not (one is shown at a time; a longer one scrolls inside).
func padMessages(msgs ...*msgLabel) fyne.CanvasObject {
	probe := widget.NewLabel("A\nA")
	objs := make([]fyne.CanvasObject, len(msgs))
	for i, m := range msgs {
		objs[i] = m
	}
	return container.New(&slotLayout{height: probe.MinSize().Height}, container.NewVScroll(container.NewVBox(objs...)))
}

// fractional reports whether a unit's quantities may have a fractional part.
func fractional(code string) bool {
	un, ok := kkm.UnitByCode(code)
	return !ok || un.Fractional
}

// save checks the item and puts it on the receipt, or shows the error under its field.
func (s *itemScreen) save() {
	ln, at, err := s.line()
	if err != nil {
		s.tried = true
		s.err, s.errAt = err, at
		s.u.render()
		if e := s.errs[at]; e != nil && s.scroll != nil {
			scrollIntoView(s.scroll, e)
		}
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
	scan   *fieldScan // a scanner's keys told from the cashier's Enter (scanfield.go)
}

func newPreviewScreen(u *UI, d kkm.ReceiptDraft, r kkm.Receipt, issued func()) *previewScreen {
	return &previewScreen{u: u, draft: d, r: r, issued: issued}
}

func (s *previewScreen) view() fyne.CanvasObject {
	u, l := s.u, s.u.loc
	doc := kkm.Document{Kind: kkm.KindReceipt, Receipt: &s.r, Operator: u.cashier.Operator()}
	card := u.documentCard(IssuedDocument{Document: doc}, false)
	issue := primary(l.T("preview.issue"), s.issueNow)
	if s.busy {
		issue.Disable()
	}
	return page(u.header(l.T("preview.title", map[string]any{"Operation": operationName(l, s.r.Operation)}), false),
		card, issue, widget.NewButton(l.T("preview.cancel"), u.back))
}

// issueNow issues the receipt, once: a second tap or Enter while it is being issued does nothing.
func (s *previewScreen) issueNow() {
	u := s.u
	if s.busy {
		return
	}
	s.busy = true
	u.render()
	u.issue(func(ctx context.Context) (Issued, error) {
		return u.ports.Issuer.IssueReceipt(ctx, u.cashier.Operator(), s.draft)
	}, s.issued, func() { s.busy = false; u.render() })
}
