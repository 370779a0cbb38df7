package ui

import (
	"errors"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"

	"github.com/ekassa-go/ekassa/kkm"
)

// itemModifier is a line's own discount or markup on the item form (extended mode): a kind, an
// amount in tenge or a percent, as typed. kkm computes what it takes off or adds (Line.Discount,
// Line.Markup), the receipt shows it under the line, and a return refunds the line's share after it.
//
// It is offered where the owner allows discounts and markups (the manual's «Скидки/наценки на
// чек»): a shop that gives none has no field to mistype; a line that already has one keeps it.
type itemModifier struct {
	kind    kkm.ModifierKind // Discount or Markup; Discount when 0
	percent bool             // the text is a percent (10,5 is 10.5 %), not tenge
	text    string           // as typed; empty means none
}

// modifierFrom is the form's state of a line's modifier m (nil: none).
func modifierFrom(m *kkm.Modifier) itemModifier {
	if m == nil {
		return itemModifier{kind: kkm.Discount}
	}
	if m.Percent != 0 {
		// Percent is in hundredths of a percent, as Money is in hundredths of a tenge: the same digits.
		return itemModifier{kind: m.Kind, percent: true, text: kkm.Money(m.Percent).String()}
	}
	return itemModifier{kind: m.Kind, text: m.Amount.String()}
}

// modifier is the typed modifier, nil when none (an empty field or 0). The receipt's own
// discount or markup is read the same way, in tenge (extendedSale.modifier).
func (im itemModifier) modifier() (*kkm.Modifier, error) {
	if strings.TrimSpace(im.text) == "" {
		return nil, nil
	}
	v, err := kkm.ParseMoney(im.text)
	if err != nil || v == 0 {
		return nil, err
	}
	kind := im.kind
	if kind == 0 {
		kind = kkm.Discount
	}
	if im.percent {
		return &kkm.Modifier{Kind: kind, Percent: int64(v)}, nil
	}
	return &kkm.Modifier{Kind: kind, Amount: v}, nil
}

// modifierShown reports whether the item form offers the line's discount or markup.
func (s *itemScreen) modifierShown() bool {
	return s.u.ports.Settings.Settings().ReceiptModifiersAllowed || strings.TrimSpace(s.mod.text) != ""
}

// modifierView is the line's discount or markup: discount or markup, tenge or percent, and the
// amount, with its error under it. The amount takes the phone's keyboard with the comma (not the
// keypad, which types the quantity or the price).
func (s *itemScreen) modifierView() fyne.CanvasObject {
	if !s.modifierShown() {
		return container.NewVBox()
	}
	l := s.u.loc
	var kindSeg, unitSeg *fyne.Container
	chosenKind := 0
	if s.mod.kind == kkm.Markup {
		chosenKind = 1
	}
	kindSeg = segmented([]string{l.T("sale.discount"), l.T("sale.markup")}, chosenKind, func(i int) {
		s.mod.kind = []kkm.ModifierKind{kkm.Discount, kkm.Markup}[i]
		markChosen(kindSeg, i)
		s.follow()
	})
	chosenUnit := 0
	if s.mod.percent {
		chosenUnit = 1
	}
	unitSeg = segmented([]string{l.T("item.modifier.tenge"), "%"}, chosenUnit, func(i int) {
		s.mod.percent = i == 1
		markChosen(unitSeg, i)
		s.follow()
	})
	// What the line comes to after it, under the field (not on the sum's line above the keypad:
	// a second line there would move the keys).
	s.modAfter = wrapped("")
	amount := newPadEntry(nil)
	amount.text = true
	bind(&amount.Entry, &s.mod.text, l.T("item.modifier.hint"))
	amount.refused = func(err error) {
		s.keyErr, s.keyAt = err, atLineModifier
		s.follow()
	}
	bound := amount.OnChanged
	amount.OnChanged = func(v string) {
		bound(v)
		s.keyErr = nil
		s.follow()
	}
	amount.OnSubmitted = func(string) { s.save() }
	return field(l.T("item.modifier"), container.NewVBox(
		kindSeg, container.NewBorder(nil, nil, unitSeg, nil, amount), s.modAfter, s.errs[atLineModifier]))
}

// lineAfterModifier is what the line ln comes to after its own discount or markup, as the
// receipt computes it, and the amount the modifier took off (negative) or added.
func lineAfterModifier(op kkm.Operation, ln kkm.LineDraft, set kkm.Settings) (sum, change kkm.Money, err error) {
	r, err := kkm.ReceiptTotal(kkm.ReceiptDraft{Operation: op, Lines: []kkm.LineDraft{ln}}, set)
	if err != nil {
		return 0, 0, err
	}
	line := r.Lines[0]
	return line.Sum, line.Markup - line.Discount, nil
}

// followModifier shows, once a price p and quantity q compute, what the line comes to after its
// discount or markup, and names at once a discount that would take the whole line or a sum past
// the limit (the modifier's other faults wait for «Добавить», as the form's do).
func (s *itemScreen) followModifier(p kkm.Money, q kkm.Quantity) {
	if s.modAfter != nil {
		s.modAfter.SetText("")
	}
	m, err := s.mod.modifier()
	if err != nil || m == nil {
		if errors.Is(err, kkm.ErrMoneyOverflow) {
			s.err, s.errAt = err, atLineModifier
		}
		return
	}
	// The name does not change the arithmetic; a placeholder lets the sum follow before it is typed.
	ln := kkm.LineDraft{Name: "-", Quantity: q, Unit: s.unit, Price: p, VATRate: s.vat, Modifier: m}
	after, change, err := lineAfterModifier(s.sale.reg.op, ln, s.u.ports.Settings.Settings())
	if err != nil {
		if errors.Is(err, kkm.ErrDiscountTooLarge) || errors.Is(err, kkm.ErrLineOverflow) ||
			errors.Is(err, kkm.ErrReceiptOverflow) || errors.Is(err, kkm.ErrModifierInvalid) {
			s.err, s.errAt = err, atLineModifier
		}
		return
	}
	if s.modAfter == nil {
		return
	}
	l := s.u.loc
	key := "item.sum.discounted"
	if change > 0 {
		key = "item.sum.marked_up"
	}
	s.modAfter.SetText(l.T(key, map[string]any{"After": money(l, after)}))
}

// modifierLine is the sale's line under an item with its own discount or markup: what it takes
// off or adds and what the line comes to, as the receipt will print it.
func (s *extendedSale) modifierLine(ln kkm.LineDraft) fyne.CanvasObject {
	after, change, err := lineAfterModifier(s.reg.op, ln, s.u.ports.Settings.Settings())
	if err != nil || change == 0 {
		return nil // the item form refused a modifier that does not compute
	}
	l := s.u.loc
	if change < 0 {
		return wrapped(l.T("sale.line.discounted", map[string]any{"Amount": money(l, -change), "After": money(l, after)}))
	}
	return wrapped(l.T("sale.line.marked_up", map[string]any{"Amount": money(l, change), "After": money(l, after)}))
}
