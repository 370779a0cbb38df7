package ui

import (
	"context"
	"fmt"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/mobile"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/ekassa-go/ekassa/i18n"
	"github.com/ekassa-go/ekassa/kkm"
)

// The keypad at the larger text sizes: every key, the payment choice and «Далее» in view on a
// 360×640 phone, in every language, quiet and offline (the harness also fails a screen wider
// than the phone).
func TestPhoneKeypadFitsAtEveryTextSize(t *testing.T) {
	for _, scale := range TextScales()[1:] {
		for _, l := range i18n.Langs() {
			for _, offline := range []bool{false, true} {
				phoneKeypadFits(t, l, offline, scale)
			}
		}
	}
}

// Every screen fits a phone's width at every text size in every language: the register (both
// tabs, a line on the receipt), the start page with its restore, the settings with their check
// boxes, the item, cash, reports, history and return screens. The receipt's paper keeps its own
// size, whatever the text size.
func TestScreensFitPhoneAtEveryTextSize(t *testing.T) {
	var paper float32
	for _, scale := range TextScales() {
		for _, l := range i18n.Langs() {
			h := newHarness(t, true, true, l)
			h.app.Preferences().SetFloat(PrefTextScale, float64(scale)) // as the settings show it
			h.app.Settings().SetTheme(&Theme{Mode: ThemeLight, Scale: scale})
			h.reg.reg.Settings.VATPayer = true
			h.reg.reg.Settings.DefaultVATRate = kkm.VAT16
			h.w.Resize(phone)
			h.unlock()
			reg := h.u.current.(*registerScreen)
			reg.extended.lines = []kkm.LineDraft{{Name: "Хлеб", Quantity: 2500, Unit: "166", Price: 123456, NTIN: "02900001234567890123"}}
			reg.extended.pay = payMixed
			screens := []screen{reg, newStartScreen(h.u), newConnectScreen(h.u), newLockScreen(h.u, nil),
				newItemScreen(h.u, reg.extended, 0), newCashScreen(h.u, kkm.KindCashIn), newReportsScreen(h.u),
				newHistoryScreen(h.u), newReturnScreen(h.u), newSettingsScreen(h.u, false)}
			for _, s := range screens {
				h.u.open(s)
				h.settle()
			}
			reg.tab = tabExtended
			h.u.open(reg)
			h.settle()
			h.u.open(newSettingsScreen(h.u, false))
			h.settle()
			h.see(h.T("settings.auto_cash_out")) // a check box, its text wrapped
			if scale == TextScales()[2] && l == i18n.Russian {
				h.scrollTo(h.T("settings.register_name")) // the check boxes below it
				h.shot("35-settings-text-130")
			}

			is, err := h.reg.IssueReceipt(context.Background(), kkm.Operator{Name: "Айгуль"},
				kkm.SimpleDraft(kkm.OpSale, []kkm.Money{150000}, []kkm.Payment{{Type: kkm.PayCash, Sum: 150000}}))
			if err != nil {
				t.Fatal(err)
			}
			h.u.open(newDocumentScreen(h.u, is))
			h.w.Resize(phone)
			for _, o := range h.visible() {
				if th, ok := o.(*container.ThemeOverride); ok {
					if _, status := th.Theme.(statusTheme); status {
						continue // the status line's rows, not the paper
					}
					w := th.MinSize().Width
					if paper == 0 {
						paper = w
					}
					if w != paper || w > phone.Width-16 {
						t.Errorf("%s at %v: the receipt's paper is %v wide (%v at 100 %%)", l, scale, w, paper)
					}
				}
			}
			h.u.back()
			h.settle()
		}
	}
}

// The simple mode's keys grow to take the height a phone leaves them, up to the thumb's size in a
// taller window, and fill the space down to the payment choice: no empty area under the keypad.
func TestKeypadGrowsWithTheScreen(t *testing.T) {
	for _, size := range []fyne.Size{phone, fyne.NewSize(400, 760), fyne.NewSize(400, 1000)} {
		h := newHarness(t, true, true, i18n.Kazakh)
		h.unlock()
		h.keys("12")
		h.w.Resize(size) // no taps below while wider than the phone: the harness allows 360 px
		_, scroll := h.keypadParts([]string{"0", "7", h.T("keypad.enter")})
		zero, seven := h.button("0"), h.button("7")
		least := widget.NewButton("0", nil).MinSize().Height
		if zero.Size().Height < least*1.4 {
			t.Errorf("%v: the keys are %v high, barely more than the least %v", size, zero.Size().Height, least)
		}
		if zero.Size().Height > maxKeyHeight {
			t.Errorf("%v: the keys are %v high, more than %v", size, zero.Size().Height, maxKeyHeight)
		}
		d := fyne.CurrentApp().Driver()
		bottom := d.AbsolutePositionForObject(zero).Y + zero.Size().Height
		end := d.AbsolutePositionForObject(scroll).Y + scroll.Size().Height
		if gap := end - bottom; gap > 1 {
			t.Errorf("%v: %v of empty space under the keypad", size, gap)
		}
		if d.AbsolutePositionForObject(seven).Y >= d.AbsolutePositionForObject(zero).Y {
			t.Errorf("%v: the rows are not in order", size)
		}
		h.within(fmt.Sprint(size, " «Далее»"), h.button(h.T("sale.next")), nil)
		h.within(fmt.Sprint(size, " card"), h.button(h.T("pay.card")), nil)
		h.shot(fmt.Sprintf("34-keypad-%.0fx%.0f", size.Width, size.Height))
		h.w.Resize(phone)
		// The keys still type.
		h.tap(h.T("keypad.plus"))
		h.keys("3")
		h.tap(h.T("keypad.enter"))
		h.see(h.T("keypad.total", map[string]any{"Total": h.money(1500)}))
	}
}

// scrollTo scrolls the screen's body so that the label with this text is at its top.
func (h *harness) scrollTo(text string) {
	h.t.Helper()
	var sc *container.Scroll
	for _, o := range h.visible() {
		switch v := o.(type) {
		case *container.Scroll:
			if sc == nil {
				sc = v
			}
		case *widget.Label, *msgLabel:
			if s, _, _ := labelText(v); s == text && sc != nil {
				d := fyne.CurrentApp().Driver()
				sc.ScrollToOffset(fyne.NewPos(0, d.AbsolutePositionForObject(v).Y-d.AbsolutePositionForObject(sc.Content).Y-theme.Padding()))
				return
			}
		}
	}
	h.t.Fatalf("no label %q", text)
}

// keyboardOf is the virtual keyboard the i-th entry with this placeholder brings up on a phone.
func (h *harness) keyboardOf(placeholder string, i int) mobile.KeyboardType {
	h.t.Helper()
	n := 0
	for _, o := range h.visible() {
		switch e := o.(type) {
		case *numberEntry:
			if e.PlaceHolder == placeholder {
				if n == i {
					return e.Keyboard()
				}
				n++
			}
		case *padEntry: // the item's quantity and price, with the on-screen keypad too
			if e.PlaceHolder == placeholder {
				if n == i {
					return e.Keyboard()
				}
				n++
			}
		case *widget.Entry:
			if e.PlaceHolder == placeholder {
				if n == i {
					return e.Keyboard()
				}
				n++
			}
		}
	}
	h.t.Fatalf("no entry %d with placeholder %q:\n%s", i, placeholder, h.text())
	return 0
}

// Whole numbers bring up the phone's numeric keyboard (the quick-access code, the system ID and
// the token, a quantity of pieces); amounts of money and a quantity in kilograms keep the keyboard
// with a decimal separator, which the numeric one lacks. The entries still take what is typed.
func TestNumericKeyboards(t *testing.T) {
	h := newHarness(t, true, false, i18n.Russian)
	if k := h.keyboardOf(h.T("lock.code.hint"), 0); k != mobile.NumberKeyboard {
		t.Errorf("the quick-access code brings up keyboard %v", k)
	}
	h.unlock()
	h.tap(h.T("start.connect"))
	for _, id := range []string{"connect.system_id.hint", "connect.token.hint"} {
		if k := h.keyboardOf(h.T(id), 0); k != mobile.NumberKeyboard {
			t.Errorf("%s brings up keyboard %v", id, k)
		}
	}
	h.typeInto(h.T("connect.system_id.hint"), 0, "5021")
	h.typeInto(h.T("connect.token.hint"), 0, "77")
	h.tap(h.T("connect.connect"))
	h.tap(h.T("connect.open"))

	h.tab(h.T("register.tab.extended"))
	h.tap(h.T("sale.add_item"))
	if k := h.keyboardOf(h.T("item.quantity.hint"), 0); k != mobile.NumberKeyboard {
		t.Errorf("a quantity of pieces brings up keyboard %v", k)
	}
	if k := h.keyboardOf(h.T("sale.amount.hint"), 0); k == mobile.NumberKeyboard {
		t.Error("the price brings up the keyboard without a decimal separator")
	}
	h.choose(unitName(h.u.loc, kkm.UnitPiece), unitName(h.u.loc, "166"))
	if k := h.keyboardOf(h.T("item.quantity.hint"), 0); k == mobile.NumberKeyboard {
		t.Error("a quantity in kilograms brings up the keyboard without a decimal separator")
	}
	h.typeInto(h.T("item.name.hint"), 0, "Сыр")
	h.typeInto(h.T("item.quantity.hint"), 0, "1,5")
	h.typeInto(h.T("sale.amount.hint"), 0, "2000")
	h.tap(h.T("item.add"))
	h.see("Сыр")
	if k := h.keyboardOf(h.T("sale.amount.hint"), 0); k == mobile.NumberKeyboard {
		t.Error("the cash taken brings up the keyboard without a decimal separator")
	}
}
