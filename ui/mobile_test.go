package ui

import (
	"context"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/ekassa-go/ekassa/i18n"
	"github.com/ekassa-go/ekassa/kkm"
)

// phone is the screen the layout is made for: a 360×640 phone in portrait.
var phone = fyne.NewSize(360, 640)

// within fails unless o lies wholly inside the window, and (when in is not nil) inside the
// visible part of the scroll it is in, so it needs no scrolling to be reached.
func (h *harness) within(what string, o fyne.CanvasObject, in *container.Scroll) {
	h.t.Helper()
	d := fyne.CurrentApp().Driver()
	pos, size := d.AbsolutePositionForObject(o), o.Size()
	win := h.w.Canvas().Size()
	if size.Width <= 0 || size.Height <= 0 {
		h.t.Errorf("%s: not laid out (%v)", what, size)
		return
	}
	if pos.X < 0 || pos.Y < 0 || pos.X+size.Width > win.Width+0.5 || pos.Y+size.Height > win.Height+0.5 {
		h.t.Errorf("%s at %v size %v: outside the %v window", what, pos, size, win)
	}
	if in != nil {
		sp := d.AbsolutePositionForObject(in)
		if pos.Y < sp.Y-0.5 || pos.Y+size.Height > sp.Y+in.Size().Height+0.5 {
			h.t.Errorf("%s at y %v–%v: outside its scroll's view y %v–%v", what, pos.Y, pos.Y+size.Height,
				sp.Y, sp.Y+in.Size().Height)
		}
	}
}

// keypadParts finds the keypad's keys (by their labels) and the scroll that holds them.
func (h *harness) keypadParts(labels []string) (keys []*widget.Button, scroll *container.Scroll) {
	h.t.Helper()
	want := map[string]bool{}
	for _, l := range labels {
		want[l] = true
	}
	for _, o := range h.visible() {
		switch v := o.(type) {
		case *widget.Button:
			if want[v.Text] {
				keys = append(keys, v)
				delete(want, v.Text)
			}
		case *container.Scroll:
			if scroll == nil {
				scroll = v
			}
		}
	}
	if len(want) > 0 {
		h.t.Fatalf("keys %v not on the screen:\n%s", want, h.text())
	}
	return keys, scroll
}

// The register's simple mode and the cash screens at a phone's size, in every language, with a
// quiet and a busy (offline, wrapped) status line: every key of the keypad, the payment choice
// and «Далее» are on the screen at once, with no scrolling.
// A phone shorter than 640 points (an older small phone, 320×533; Fyne's phone simulation in a
// small screen, about 360×540) still shows every key without scrolling at the usual text size:
// the keys grow lower rather than out of sight (walker S4 W17).
func TestShortPhoneKeypadFits(t *testing.T) {
	for _, size := range []fyne.Size{fyne.NewSize(360, 540), fyne.NewSize(320, 533)} {
		for _, l := range i18n.Langs() {
			for _, offline := range []bool{false, true} {
				phoneKeypadFitsIn(t, l, offline, 1, size)
			}
		}
	}
}

func TestPhoneKeypadFits(t *testing.T) {
	for _, l := range i18n.Langs() {
		for _, offline := range []bool{false, true} {
			phoneKeypadFits(t, l, offline, 1)
		}
	}
}

// phoneKeypadFits is TestPhoneKeypadFits in one language, quiet or offline, at a text scale.
func phoneKeypadFits(t *testing.T, l i18n.Lang, offline bool, scale float32) {
	phoneKeypadFitsIn(t, l, offline, scale, phone)
}

// phoneKeypadFitsIn is phoneKeypadFits in a window of the given size.
func phoneKeypadFitsIn(t *testing.T, l i18n.Lang, offline bool, scale float32, size fyne.Size) {
	h := newHarness(t, true, true, l)
	h.app.Settings().SetTheme(&Theme{Mode: ThemeLight, Scale: scale})
	h.w.Resize(size)
	h.unlock()
	if offline {
		// The tallest status line: DEMO with the network switch, offline with a document
		// waiting, wrapped.
		h.reg.demo = true
		if err := h.reg.SetNetworkCut(true); err != nil {
			t.Fatal(err)
		}
		if _, err := h.reg.IssueReceipt(context.Background(), kkm.Operator{Name: "Айгуль"},
			kkm.SimpleDraft(kkm.OpSale, []kkm.Money{150000}, []kkm.Payment{{Type: kkm.PayCash, Sum: 150000}})); err != nil {
			t.Fatal(err)
		}
		h.settle()
		h.see(h.T("status.demo"))
	}
	digits := []string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9", h.T("keypad.decimal"), h.T("keypad.double_zero")}
	simple := append([]string{h.T("keypad.plus"), h.T("keypad.enter"), h.T("keypad.clear")}, digits...)
	keys, scroll := h.keypadParts(simple)
	for _, k := range keys {
		h.within(string(l)+" key «"+k.Text+"»", k, scroll)
	}
	h.within(string(l)+" «"+h.T("sale.next")+"»", h.button(h.T("sale.next")), nil)
	h.within(string(l)+" «"+h.T("pay.card")+"»", h.button(h.T("pay.card")), nil)
	if scroll.Content.MinSize().Height > scroll.Size().Height+0.5 {
		t.Errorf("%s offline %v at %v in %v: the simple mode scrolls (%v in %v)", l, offline, scale, size,
			scroll.Content.MinSize().Height, scroll.Size().Height)
	}
	if size != phone {
		return
	}
	if offline && scale == 1 {
		h.shot("30-phone-offline-" + string(l))
	}
	if !offline && scale == TextScales()[2] && l == i18n.Kazakh {
		h.shot("36-keypad-text-130-kk")
	}

	h.u.open(newCashScreen(h.u, kkm.KindCashIn))
	h.settle()
	keys, scroll = h.keypadParts(digits)
	for _, k := range keys {
		h.within(string(l)+" cash key «"+k.Text+"»", k, scroll)
	}
	h.within(string(l)+" «"+h.T("cash.in")+"»", h.button(h.T("cash.in")), nil)
}

// The other main screens fit the phone's width (the harness refuses a wider window) and show
// their main action without scrolling.
func TestPhoneMainScreens(t *testing.T) {
	for _, l := range i18n.Langs() {
		h := newHarness(t, true, true, l)
		h.w.Resize(phone)
		h.unlock()
		h.tab(h.T("register.tab.extended"))
		h.settle()
		h.within(string(l)+" extended «"+h.T("sale.next")+"»", h.button(h.T("sale.next")), nil)
		h.within(string(l)+" «"+h.T("sale.add_item")+"»", h.button(h.T("sale.add_item")), nil)
		h.u.open(newReportsScreen(h.u))
		h.settle()
		h.within(string(l)+" «"+h.T("reports.history")+"»", h.button(h.T("reports.history")), nil)
		h.u.open(newSettingsScreen(h.u, false))
		h.settle()
		h.within(string(l)+" «"+h.T("settings.save")+"»", h.button(h.T("settings.save")), nil)
	}
}
