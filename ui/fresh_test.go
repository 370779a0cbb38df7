package ui

import (
	"context"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/ekassa-go/ekassa/i18n"
	"github.com/ekassa-go/ekassa/kkm"
)

// An amount left on the simple keypad while another document (here a return) is issued does not
// become the next customer's receipt: after every document the sale screen starts fresh (issue
// 12.5). A language switch starts fresh too.
func TestFreshStartAfterAnyDocument(t *testing.T) {
	h := newHarness(t, true, true, i18n.Russian)
	h.unlock()
	by := kkm.Operator{Code: 1, Name: "Кассир"}
	if _, err := h.reg.IssueReceipt(context.Background(), by, kkm.ReceiptDraft{Operation: kkm.OpSale,
		Lines:    []kkm.LineDraft{{Name: "Хлеб", Quantity: 1000, Price: 30000}},
		Payments: []kkm.Payment{{Type: kkm.PayCash, Sum: 30000}}}); err != nil {
		t.Fatal(err)
	}
	h.settle()
	h.keys("1234")
	h.tap(h.T("pay.card"))
	h.see("Итого: " + h.money(123400))

	h.choose("Продажа", "Возврат")
	h.tapPrefix("Продажа №1, смена 1")
	h.typeInto(h.T("return.quantity.hint"), 0, "1")
	h.tap("Далее")
	h.tap("Сформировать")
	h.see("Возврат продажи №2")
	h.tap("Готово")
	h.see("Итого: " + h.money(0))
	if got := h.u.reg.simple.in.total(); got != 0 {
		t.Errorf("the keypad kept %d after a return", got)
	}
	if h.u.reg.simple.pay != kkm.PayCash || h.u.reg.op != kkm.OpSale || h.u.reg.extended.modKind != kkm.Discount {
		t.Errorf("not a fresh sale: pay %v op %v modifier %v", h.u.reg.simple.pay, h.u.reg.op, h.u.reg.extended.modKind)
	}

	h.keys("55")
	h.see("Итого: " + h.money(5500))
	h.u.SetLang(i18n.English)
	h.settle()
	if got := h.u.reg.simple.in.total(); got != 0 {
		t.Errorf("the keypad kept %d after a language switch", got)
	}
}

// Ticking the demo «Нет сети» switch leaves the keyboard to the keypad: digits typed after it
// are not lost in the check box.
func TestNetworkSwitchGivesTheKeyboardBack(t *testing.T) {
	desktopOnly(t)
	h := newHarness(t, true, true, i18n.Russian)
	h.reg.demo = true
	h.unlock()
	h.u.setStatus(h.reg.Status())
	h.settle()
	h.tapCheck(h.T("status.network_cut"))
	if f := h.w.Canvas().Focused(); f != nil {
		t.Errorf("the switch kept the keyboard: %T focused", f)
	}
	test.TypeOnCanvas(h.w.Canvas(), "6")
	h.settle()
	h.see("Итого: " + h.money(600))
}
