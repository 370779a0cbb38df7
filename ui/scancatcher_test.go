package ui

import (
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/mobile"

	"github.com/ekassa-go/ekassa/i18n"
)

// A phone with a Bluetooth scanner (a hardware keyboard), as Fyne's Android driver hands its keys
// over (scancatcher.go): with nothing focused, the first scan's digits are dropped and its Enter
// alone reaches the window; the register then keeps its scan catcher focused, asks for the scan
// again, and sells from every scan after it without a tap on a field. A phone that never showed
// a hardware keyboard focuses nothing (no on-screen keyboard pops up by itself).
func TestPhoneNoticesItsScanner(t *testing.T) {
	if !phoneBuild {
		t.Skip("the scan catcher is a phone's (make test-mobile); the desktop gets keys with nothing focused")
	}
	h, _ := catalogueHarness(t, i18n.Kazakh)
	if f := h.w.Canvas().Focused(); f != nil {
		t.Fatalf("a phone with no scanner seen has %T focused", f)
	}
	h.u.reg.extended.catalogue().now = stepClock(5 * time.Millisecond)

	// The first scan: Android drops its digits; its Enter comes to the window with nothing focused.
	h.w.Canvas().OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyReturn})
	h.settle()
	c, ok := h.w.Canvas().Focused().(*scanCatcher)
	if !ok {
		t.Fatalf("after the scanner's first key the focus is on %T", h.w.Canvas().Focused())
	}
	h.see(h.u.loc.Error(&uiError{id: errScanAgain}))
	h.wantLines()

	// Scanned again: the keys reach the focused catcher as the driver sends them.
	send := func(code string) {
		for _, r := range code {
			c.TypedKey(&fyne.KeyEvent{Name: fyne.KeyName(string(r))})
			c.TypedRune(r)
		}
		c.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
		h.settle()
	}
	send(eanBread)
	h.wantLines("Нан × 1000 @ 25000")
	h.notSee(h.u.loc.Error(&uiError{id: errScanAgain}))

	// A tap on a button unfocuses what was focused (Fyne's mobile canvas): the catcher takes the
	// focus back, and the next scan sells again.
	h.tab(h.T("register.tab.simple"))
	h.settle()
	h.tap("7")
	h.w.Canvas().Unfocus()
	h.settle()
	if h.w.Canvas().Focused() != c {
		t.Fatalf("after a tap the focus is on %T", h.w.Canvas().Focused())
	}
	send(eanBread)
	h.wantLines("Нан × 2000 @ 25000")

	// A field the cashier taps keeps the focus; a scan into it is the field's (TestScanIntoTheSaleFields).
	h.u.reg.tab = tabExtended
	h.u.render()
	h.settle()
	f := h.padEntries(h.T("sale.amount.hint"))[1]
	h.w.Canvas().Focus(f)
	h.settle()
	if h.w.Canvas().Focused() != f {
		t.Fatalf("the catcher took the focus from the cash field: %T", h.w.Canvas().Focused())
	}

	// A screen that takes no scan (the operations' reports) focuses nothing; Back goes back.
	h.w.Canvas().Unfocus()
	h.u.open(newReportsScreen(h.u))
	h.settle()
	if got := h.w.Canvas().Focused(); got != nil {
		t.Fatalf("the reports screen has %T focused", got)
	}
	h.w.Canvas().OnTypedKey()(&fyne.KeyEvent{Name: mobile.KeyBack})
	h.settle()
	if h.u.current != h.u.reg || h.w.Canvas().Focused() != h.u.catcher {
		t.Fatalf("Back: on %T with %T focused", h.u.current, h.w.Canvas().Focused())
	}
}
