package ui

import (
	"testing"

	"fyne.io/fyne/v2/theme"

	"github.com/ekassa-go/ekassa/i18n"
	"github.com/ekassa-go/ekassa/kkm"
)

// A discount on one item: 10 % off 2 × 250,00 shows 450,00 as it is typed, the sale's line says
// what it takes off, editing the line keeps it, and the receipt issued carries it (the receipt
// prints «Скидка 10% -50,00», the total 450,00). A discount of the whole line is refused at once, next
// to its field, and «Добавить» adds nothing.
func TestItemDiscountOnALine(t *testing.T) {
	for _, lang := range i18n.Langs() {
		t.Run(string(lang), func(t *testing.T) {
			h := newHarness(t, true, true, lang)
			h.unlock()
			h.tab(h.T("register.tab.extended"))
			h.tap(h.T("sale.add_item"))
			h.typeInto(h.T("item.name.hint"), 0, "Нан")
			h.tap(h.T("item.quantity"))
			h.tap(h.T("keypad.clear"))
			h.keys("2")
			h.tap(h.T("item.price"))
			h.keys("250")

			// The whole line as a discount: refused at once, under the modifier.
			h.typeInto(h.T("item.modifier.hint"), 1, "500")
			h.see(h.T("item.modifier"), h.u.loc.Error(&kkm.Error{Code: kkm.ErrDiscountTooLarge,
				Data: map[string]any{"Discount": kkm.Money(50000), "Sum": kkm.Money(50000), "Line": 1}}))
			h.tap(h.T("item.add"))
			if n := len(h.u.reg.extended.lines); n != 0 {
				t.Fatalf("a line with a discount of its whole sum was added (%d lines)", n)
			}

			h.tap("%")
			h.typeInto(h.T("item.modifier.hint"), 1, "10")
			h.see(h.T("item.sum.discounted", map[string]any{"After": h.money(45000)}))
			h.tap(h.T("item.add"))
			lines := h.u.reg.extended.lines
			if len(lines) != 1 || lines[0].Modifier == nil ||
				*lines[0].Modifier != (kkm.Modifier{Kind: kkm.Discount, Percent: 1000}) {
				t.Fatalf("lines %+v", lines)
			}
			h.see(h.T("sale.line.discounted", map[string]any{"Amount": h.money(5000), "After": h.money(45000)}))

			// Edited, the line keeps its discount; a markup instead is what the cashier chose.
			h.tapIcon(theme.DocumentCreateIcon(), 0)
			if got := h.fieldText(h.T("item.modifier.hint"), 1); got != kkm.Money(1000).String() {
				t.Fatalf("the edited line's discount reads %q", got)
			}
			h.tap(h.T("sale.markup"))
			h.see(h.T("item.sum.marked_up", map[string]any{"After": h.money(55000)}))
			h.tap(h.T("sale.discount"))
			h.tap(h.T("item.save"))

			h.tap(h.T("sale.next"))
			h.tap(h.T("preview.issue"))
			rs := h.reg.receipts()
			if len(rs) != 1 || rs[0].Total != 45000 || rs[0].Lines[0].Discount != 5000 {
				t.Fatalf("issued %+v", rs)
			}
			h.see("-50,00") // the printed receipt's discount line (kk/ru whatever the screen's language)
		})
	}
}
