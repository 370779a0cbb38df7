package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2/driver/mobile"
	"fyne.io/fyne/v2/theme"

	"github.com/ekassa-go/ekassa/i18n"
	"github.com/ekassa-go/ekassa/kkm"
)

// In extended mode an item may carry its НКТ product code: typed on the numeric keyboard, checked
// (digits, at most 20), shown in the item list and on the preview, kept when the item is edited,
// and issued on the line.
func TestItemNTIN(t *testing.T) {
	h := newHarness(t, true, true, i18n.Russian)
	h.unlock()
	h.tab("Расширенный")
	h.tap("Добавить товар")
	h.see("Код НКТ (необязательно)")
	hint := h.T("item.ntin.hint", map[string]any{"Max": kkm.MaxNTINLength})
	if hint != "До 20 цифр" {
		t.Errorf("hint %q", hint)
	}
	if k := h.keyboardOf(hint, 0); k != mobile.NumberKeyboard {
		t.Errorf("the НКТ code brings up keyboard %v", k)
	}
	h.typeInto(h.T("item.name.hint"), 0, "Шай «Пиала»")
	h.typeInto(hint, 0, "48700012345A")
	h.typeInto(h.T("sale.amount.hint"), 0, "1490")
	h.tap("Добавить")
	h.see("Код товара по НКТ") // refused; the form keeps what was typed
	h.typeInto(hint, 0, "123456789012345678901")
	h.tap("Добавить")
	h.see("не больше 20 цифр")
	h.typeInto(hint, 0, " 4870001234567 ")
	h.tap("Добавить")
	h.see("Шай «Пиала»", "НКТ: 4870001234567", "1 шт × "+h.money(149000)+" = "+h.money(149000))

	// An item without a code shows none.
	coded := countText(h, "НКТ:")
	h.tap("Добавить товар")
	h.typeInto(h.T("item.name.hint"), 0, "Пакет")
	h.typeInto(h.T("sale.amount.hint"), 0, "50")
	h.tap("Добавить")
	h.see("Пакет")
	if n := countText(h, "НКТ:"); n != coded {
		t.Errorf("the item without a code shows one:\n%s", h.text())
	}

	// Editing keeps the code.
	h.tapIcon(theme.DocumentCreateIcon(), 0)
	if es := h.entries(hint); len(es) != 1 || es[0].Text != "4870001234567" {
		t.Fatalf("the edit form lost the code")
	}
	h.tap("Сохранить")

	h.tap("Далее")
	h.see("Предварительный чек", "Шай «Пиала»", "НКТ: 4870001234567")
	h.tap("Сформировать")
	rs := h.reg.receipts()
	if len(rs) != 1 || rs[0].Lines[0].NTIN != "4870001234567" || rs[0].Lines[1].NTIN != "" {
		t.Fatalf("issued %+v", rs)
	}
}

// countText counts the occurrences of s in the screen's text.
func countText(h *harness, s string) int {
	return strings.Count(h.text(), s)
}
