package ui

import (
	"bytes"
	"image/png"
	"io"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"

	"github.com/ekassa-go/ekassa/barcode"
	"github.com/ekassa-go/ekassa/i18n"
	"github.com/ekassa-go/ekassa/kkm"
)

// Real-shaped beer codes (01 GTIN, 21 serial of 7, GS, 93 code of 4) and a pair of shoes.
const (
	uiBeer1 = "0104870216760007" + "21" + "qKkdi11" + kkm.GS + "93" + "U3g5"
	uiBeer2 = "0104870216760007" + "21" + "qKkdi12" + kkm.GS + "93" + "U3g6"
	uiShoes = "0104690257528523" + "21" + "G+mgsHw<DiLN_" + kkm.GS + "91" + "EE05" + kkm.GS +
		"92" + "sOe6fy7lPT8lLffZ5WdQ7Rp8PXLDwEGD1Wv4oY71o4FV"
)

// stepClock is a clock that moves by step each time it is read: one read per key, so the keys
// typed on the canvas come at that pace.
func stepClock(step time.Duration) func() time.Time {
	t := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	return func() time.Time { t = t.Add(step); return t }
}

// scanKeys types s on the canvas with no field focused at one key every step, then Enter.
func (h *harness) scanKeys(s string, step time.Duration) {
	h.t.Helper()
	m, ok := h.u.current.(*markingScreen)
	if !ok {
		h.t.Fatalf("not on the marking screen but %T", h.u.current)
	}
	m.now = stepClock(step)
	h.typeKeys(s)
	h.key(fyne.KeyReturn)
}

// A marked item is sold only with a code per unit: the item is flagged with its group, the
// marking screen opens, a scanner's fast keys (no field focused) add a code while typing at a
// person's pace adds none, bad and repeated codes are refused, «Далее» refuses the receipt until
// every unit has its code, a code typed in the field or read from a photo completes it, and the
// receipt carries the codes with their separators. A return then ticks which units come back.
func TestMarkedSaleAndReturn(t *testing.T) {
	h := newHarness(t, true, true, i18n.Russian)
	h.unlock()
	h.tab("Расширенный")
	h.tap("Добавить товар")
	h.typeInto(h.T("item.name.hint"), 0, "Сыра «Тянь-Шань»")
	h.typeInto(h.T("item.quantity.hint"), 0, "2")
	h.typeInto(h.T("sale.amount.hint"), 0, "650")
	h.tapCheck(h.T("item.marked"))
	h.tap("Добавить")
	h.see("Выберите товарную группу маркированного товара.")
	h.choose("", "Пиво")
	h.tap("Добавить")

	// The marking screen is next, ready for the scanner.
	h.see("Коды маркировки", "Сыра «Тянь-Шань»", "Пиво", "Отсканировано: 0 из 2")
	// The scanner's keyboard layout cannot type GS: the keys come without it.
	scanned := "]d2" + strings.ReplaceAll(uiBeer1, kkm.GS, "")
	if fyne.CurrentDevice().IsMobile() {
		// A phone has no window keyboard handler: the scanner types into the focused code field.
		h.typeInto(h.T("marking.scan.hint"), 0, scanned)
		h.submit(h.T("marking.scan.hint"), 0)
	} else {
		h.scanKeys(scanned, 5*time.Millisecond)
	}
	h.see("Отсканировано: 1 из 2", "(01)04870216760007 (21)qKkdi11")
	if !fyne.CurrentDevice().IsMobile() {
		// The same keys at a person's pace are typing, not a scan: nothing is added.
		h.scanKeys(strings.ReplaceAll(uiBeer2, kkm.GS, ""), 180*time.Millisecond)
		h.see("Отсканировано: 1 из 2")
		h.notSee("qKkdi12")
	}
	// The same unit again, and an ordinary barcode, are refused.
	h.typeInto(h.T("marking.scan.hint"), 0, uiBeer1)
	h.submit(h.T("marking.scan.hint"), 0)
	h.see("Этот экземпляр товара уже есть в чеке (строка 1)", "Отсканировано: 1 из 2")
	h.typeInto(h.T("marking.scan.hint"), 0, "4870001234560")
	h.submit(h.T("marking.scan.hint"), 0)
	h.see("Это не код маркировки")
	if es := h.entries(h.T("marking.scan.hint")); es[0].Text != "4870001234560" {
		t.Errorf("the refused code left the field: %q", es[0].Text)
	}

	// Back on the sale: one code of two, and the receipt is refused.
	h.tap("Готово")
	h.see("Коды маркировки: 1 из 2")
	h.tap("Далее")
	h.see("Строка 1: маркированный товар — нужен код маркировки на каждую единицу: нужно 2, отсканировано 1.")

	// The second code typed in the field (GS written as <GS>), then one too many from a photo.
	h.tap("Сканировать коды маркировки")
	h.typeInto(h.T("marking.scan.hint"), 0, strings.ReplaceAll(uiBeer2, kkm.GS, "<GS>"))
	h.submit(h.T("marking.scan.hint"), 0)
	h.see("Все коды отсканированы", "(21)qKkdi12")
	m := h.u.current.(*markingScreen)
	m.readPhoto(pngOf(t, uiShoes))
	h.settle()
	h.see("Кодов уже столько же, сколько единиц товара")
	h.shot("marked-codes")
	h.tap("Готово")
	h.see("Коды маркировки: 2 из 2")

	// Shoes whose code comes from a photo; a photo without a code is refused.
	h.tap("Добавить товар")
	h.typeInto(h.T("item.name.hint"), 0, "Етік")
	h.typeInto(h.T("sale.amount.hint"), 0, "28900")
	h.tapCheck(h.T("item.marked"))
	h.choose("", "Обувь")
	h.tap("Добавить")
	m = h.u.current.(*markingScreen)
	m.readPhoto(io.NopCloser(strings.NewReader("not a picture")))
	h.settle()
	h.see("На фото не удалось найти код DataMatrix")
	m.readPhoto(pngOf(t, uiShoes))
	h.settle()
	h.see("Все коды отсканированы", "(01)04690257528523 (21)G+mgsHw<DiLN_")
	h.tap("Готово")

	h.tap("Далее")
	h.see("Предварительный чек", "КМ: (01)04870216760007 (21)qKkdi11", "КМ: (01)04870216760007 (21)qKkdi12",
		"КМ: (01)04690257528523 (21)G+mgsHw<DiLN_")
	h.tap("Сформировать")
	h.tap("Готово")
	rs := h.reg.receipts()
	if len(rs) != 1 {
		t.Fatalf("%d receipts", len(rs))
	}
	if l := rs[0].Lines[0]; l.Marked != kkm.MarkedBeer || strings.Join(l.Codes, "|") != uiBeer1+"|"+uiBeer2 {
		t.Errorf("beer line %q with codes %q", l.Marked, l.Codes)
	}
	if l := rs[0].Lines[1]; l.Marked != kkm.MarkedShoes || len(l.Codes) != 1 || l.Codes[0] != uiShoes {
		t.Errorf("shoes line %q with codes %q", l.Marked, l.Codes)
	}

	// A return: the second beer comes back, by its code.
	h.choose("Продажа", "Возврат")
	h.tapPrefix("Продажа №1, смена 1")
	h.see("Отметьте единицы, которые возвращаются (осталось: 2)", "(01)04870216760007 (21)qKkdi12")
	h.tapCheck("(01)04870216760007 (21)qKkdi12")
	h.shot("marked-return")
	h.tap("Далее")
	h.see("Предварительный чек: Возврат продажи", "КМ: (01)04870216760007 (21)qKkdi12")
	h.notSee("qKkdi11")
	h.tap("Сформировать")
	ret := h.reg.receipts()[1]
	if len(ret.Lines) != 1 || ret.Lines[0].Quantity != kkm.QuantityOne || len(ret.Lines[0].Codes) != 1 || ret.Lines[0].Codes[0] != uiBeer2 {
		t.Fatalf("return %+v", ret.Lines)
	}
	h.tap("Готово")
	// The next return offers only the units not yet returned.
	h.choose("Продажа", "Возврат")
	h.tapPrefix("Продажа №1, смена 1")
	h.see("(01)04870216760007 (21)qKkdi11")
	h.notSee("(21)qKkdi12")
}

// pngOf is a photo of code's DataMatrix as a PNG file.
func pngOf(t *testing.T, code string) io.ReadCloser {
	t.Helper()
	img, err := barcode.EncodeDataMatrix(code, 240)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return io.NopCloser(&b)
}

// Every marked group has a name in every language.
func TestMarkedGroupNames(t *testing.T) {
	for _, l := range i18n.Langs() {
		loc := i18n.MustBundle().Localizer(l)
		for _, g := range kkm.MarkedGroups() {
			if !loc.Has(g.MessageID()) {
				t.Errorf("%s: no name for %q", l, g)
			}
		}
	}
}
