package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"

	"github.com/ekassa-go/ekassa/i18n"
	"github.com/ekassa-go/ekassa/kkm"
)

// A whole day's first sales driven with taps alone, as on a phone: the PIN pad opens the lock
// screen, the keypad types a simple sale, the item keypad an extended one with a decimal
// quantity, each receipt is formed and issued, and the register is fresh for the next customer.
// make test-mobile runs it in Fyne's mobile simulation (the device is a phone, and no desktop
// keyboard handler is installed); make test on the desktop.
func TestWholeSaleByTaps(t *testing.T) {
	for _, lang := range i18n.Langs() {
		h := newHarness(t, true, true, lang)
		if got := fyne.CurrentDevice().IsMobile(); got != phoneBuild {
			t.Fatalf("the device is mobile: %v, in the mobile build: %v", got, phoneBuild)
		}
		if phoneBuild && h.w.Canvas().OnTypedRune() != nil {
			t.Fatal("a desktop keyboard handler on a phone")
		}
		// The lock screen: the code on the PIN pad.
		h.keys("1234")
		h.tap(h.T("lock.enter"))
		if _, ok := h.u.current.(*registerScreen); !ok {
			t.Fatalf("%s: still on %T after the PIN pad:\n%s", lang, h.u.current, h.text())
		}

		// Simple mode: 1 500 + 250,50 paid by card.
		h.keys("1500")
		h.tap(h.T("keypad.plus"))
		h.keys("250")
		h.tap(h.T("keypad.decimal"))
		h.keys("5")
		h.see(h.T("keypad.total", map[string]any{"Total": h.money(175050)}))
		h.tap(h.T("pay.card"))
		h.tap(h.T("sale.next"))
		h.see(h.T("preview.title", map[string]any{"Operation": h.T("op.sale")}))
		h.tap(h.T("preview.issue"))
		h.see(h.T("doc.title.receipt", map[string]any{"Operation": h.T("op.sale"), "Number": 1, "Shift": 1}))
		h.tap(h.T("button.done"))
		h.chosen(h.T("pay.cash"), true)
		h.see(h.T("keypad.total", map[string]any{"Total": h.money(0)}))

		// Extended mode: 1,25 kg at 800 on the item keypad, cash 2 000 on a quick button.
		h.tab(h.T("register.tab.extended"))
		h.tap(h.T("sale.add_item"))
		h.typeInto(h.T("item.name.hint"), 0, "Алма")
		h.choose(unitName(h.u.loc, kkm.UnitPiece), unitName(h.u.loc, "166"))
		h.tap(h.T("item.quantity"))
		h.tap(h.T("keypad.clear"))
		h.keys("1")
		h.tap(h.T("keypad.decimal"))
		h.keys("25")
		h.tap(h.T("item.price"))
		h.keys("800")
		h.tap(h.T("item.add"))
		h.see(h.T("keypad.total", map[string]any{"Total": h.money(100000)}))
		h.tap(strings.TrimSuffix(h.money(200000), "\u00a0"+kkm.CurrencySign)) // the quick sum 2 000
		h.see(h.T("sale.change", map[string]any{"Change": h.money(100000)}))
		h.tap(h.T("sale.next"))
		h.tap(h.T("preview.issue"))
		h.see(h.T("doc.title.receipt", map[string]any{"Operation": h.T("op.sale"), "Number": 2, "Shift": 1}))
		h.tap(h.T("button.done"))
		h.see(h.T("sale.no_items"))

		rs := h.reg.receipts()
		if len(rs) != 2 || rs[0].Total != 175050 || rs[0].Payments[0].Type != kkm.PayCard ||
			rs[1].Total != 100000 || rs[1].Lines[0].Quantity != 1250 || rs[1].Change != 100000 {
			t.Errorf("%s: issued %+v", lang, rs)
		}
	}
}
