package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"

	"github.com/ekassa-go/ekassa/i18n"
	"github.com/ekassa-go/ekassa/kkm"
)

// key presses a key on the window's canvas with no widget focused, as the desktop driver does.
func (h *harness) key(name fyne.KeyName) {
	h.t.Helper()
	if h.phoneScanner(func(c *scanCatcher) { c.TypedKey(&fyne.KeyEvent{Name: name}) }) {
		return
	}
	h.w.Canvas().Unfocus()
	if f := h.w.Canvas().OnTypedKey(); f != nil {
		f(&fyne.KeyEvent{Name: name})
	}
	h.settle()
}

// typeKeys types characters on the window's canvas with no widget focused.
func (h *harness) typeKeys(s string) {
	h.t.Helper()
	if h.phoneScanner(func(c *scanCatcher) {
		for _, r := range s {
			if r < 128 && r > ' ' {
				c.TypedKey(&fyne.KeyEvent{Name: fyne.KeyName(strings.ToUpper(string(r)))}) // as the driver sends it
			}
			c.TypedRune(r)
		}
	}) {
		return
	}
	h.w.Canvas().Unfocus()
	if h.w.Canvas().OnTypedRune() != nil { // installed with the register screen
		test.TypeOnCanvas(h.w.Canvas(), s)
	}
	h.settle()
}

// ctrl presses Ctrl with a key (Cmd on a Mac), or sc as it is when given.
func (h *harness) ctrl(k fyne.KeyName, sc ...fyne.Shortcut) {
	h.t.Helper()
	var s fyne.Shortcut = &desktop.CustomShortcut{KeyName: k, Modifier: fyne.KeyModifierShortcutDefault}
	if len(sc) > 0 {
		s = sc[0]
	}
	h.w.Canvas().(fyne.Shortcutable).TypedShortcut(s)
	h.settle()
}

// The simple-mode keypad from the keyboard: digits, comma (and the numeric pad's point), plus,
// Backspace, Enter for «ВВОД =», Esc to clear, Ctrl+Enter for «Далее».
func TestKeyboardKeypad(t *testing.T) {
	desktopOnly(t)
	h := newHarness(t, true, true, i18n.Russian)
	h.typeKeys("999") // locked: the keys do nothing
	h.unlock()
	h.typeKeys("1500+250.5")
	h.key(fyne.KeyBackspace)
	h.typeKeys("7")
	h.key(fyne.KeyReturn)
	h.see("Итого: " + h.money(175070))
	if !h.u.reg.simple.in.entered {
		t.Error("Enter is not «ВВОД =»")
	}
	h.key(fyne.KeyEscape)
	h.see("Итого: " + h.money(0))
	h.typeKeys("12,5")
	h.key(fyne.KeyEnter) // the numeric pad's Enter
	h.see("Итого: " + h.money(1250))
	h.ctrl(fyne.KeyReturn)
	h.see("Предварительный чек: Продажа", h.money(1250))
	// On the preview the keypad is not there: digits change nothing, Esc goes back to the form.
	h.typeKeys("5")
	h.key(fyne.KeyEscape)
	h.see("Итого: " + h.money(1250))
	// In extended mode the digits are not the keypad's.
	h.ctrl(fyne.Key2)
	h.typeKeys("9")
	h.ctrl(fyne.Key1)
	h.see("Итого: " + h.money(1250))
}

// Each operation's shortcut opens its screen; under a dialog the keys wait.
func TestKeyboardShortcuts(t *testing.T) {
	desktopOnly(t)
	h := newHarness(t, true, true, i18n.Russian)
	h.unlock()
	back := func() {
		h.t.Helper()
		h.key(fyne.KeyEscape)
		if h.u.current != h.u.reg {
			t.Fatalf("Esc left %T", h.u.current)
		}
	}
	h.ctrl(fyne.KeyR)
	if _, ok := h.u.current.(*returnScreen); !ok {
		t.Fatalf("Ctrl+R: %T", h.u.current)
	}
	back()
	h.ctrl(fyne.KeyI)
	if s, ok := h.u.current.(*cashScreen); !ok || s.kind != kkm.KindCashIn {
		t.Fatalf("Ctrl+I: %T", h.u.current)
	}
	h.see(h.T("cash.in"))
	back()
	h.ctrl(fyne.KeyO)
	if s, ok := h.u.current.(*cashScreen); !ok || s.kind != kkm.KindCashOut {
		t.Fatalf("Ctrl+O: %T", h.u.current)
	}
	back()
	h.ctrl(fyne.KeyP)
	if h.u.reg.op != kkm.OpPurchase {
		t.Errorf("Ctrl+P: %v", h.u.reg.op)
	}
	h.see("Покупка")
	h.ctrl(fyne.KeyS)
	if h.u.reg.op != kkm.OpSale {
		t.Errorf("Ctrl+S: %v", h.u.reg.op)
	}
	h.ctrl(fyne.KeyH)
	if _, ok := h.u.current.(*reportsScreen); !ok {
		t.Fatalf("Ctrl+H: %T", h.u.current)
	}
	back()
	h.ctrl(fyne.KeyComma)
	if _, ok := h.u.current.(*settingsScreen); !ok {
		t.Fatalf("Ctrl+,: %T", h.u.current)
	}
	back()

	// No shift yet: Ctrl+X shows «Смена и отчёты». After a sale it asks, and takes the X report.
	h.ctrl("", &fyne.ShortcutCut{})
	if _, ok := h.u.current.(*reportsScreen); !ok {
		t.Fatalf("Ctrl+X with no shift: %T", h.u.current)
	}
	back()
	h.typeKeys("100")
	h.ctrl(fyne.KeyReturn)
	h.tap("Сформировать")
	h.tap("Готово")
	h.ctrl("", &fyne.ShortcutCut{})
	h.see(h.T("reports.x.confirm"))
	h.ctrl(fyne.KeyR) // a dialog is up: the shortcut waits
	if h.u.current != h.u.reg {
		t.Fatalf("a shortcut went through the dialog: %T", h.u.current)
	}
	h.tap("Подтвердить")
	h.see("X-отчёт")
	back()
	h.ctrl("", &fyne.ShortcutUndo{})
	h.see(h.T("counter.z.confirm", map[string]any{"Shift": 1, "Cash": h.money(h.u.status.CashInDrawer)}))
	h.tap(h.T("counter.z.close"))
	h.see("Z-отчёт, смена 1")
	back()
	h.ctrl(fyne.KeyL)
	if _, ok := h.u.current.(*lockScreen); !ok {
		t.Fatalf("Ctrl+L: %T", h.u.current)
	}
	h.key(fyne.KeyEscape) // the lock screen is not left with Esc
	if _, ok := h.u.current.(*lockScreen); !ok {
		t.Fatalf("Esc left the lock screen for %T", h.u.current)
	}
}

// phoneScanner sends keys as a Bluetooth scanner's reach a phone on a screen that takes them
// (scancatcher.go): to the focused scan catcher, which must have the focus with no field focused.
// The phone has seen its scanner already (TestPhoneNoticesItsScanner shows how it does). It
// reports false on the desktop or on a screen that takes no scan, where the canvas gets the keys.
func (h *harness) phoneScanner(send func(*scanCatcher)) bool {
	h.t.Helper()
	if !phoneBuild {
		return false
	}
	if _, ok := h.u.current.(keyScanTarget); !ok {
		return false
	}
	if !h.u.hardKeys {
		h.u.hardKeys = true // what the scanner's first key does (phoneKey)
		h.u.catchKeys()
	}
	h.w.Canvas().Unfocus() // as a tap on a button does: the catcher takes the focus back
	h.settle()
	c, ok := h.w.Canvas().Focused().(*scanCatcher)
	if !ok {
		h.t.Fatalf("on a phone with a scanner the focus is on %T, not the scan catcher", h.w.Canvas().Focused())
	}
	send(c)
	h.settle()
	return true
}

// desktopOnly skips a test of the desktop keyboard in the mobile build (go test -tags mobile).
func desktopOnly(t *testing.T) {
	if fyne.CurrentDevice().IsMobile() {
		t.Skip("no desktop keyboard on a phone")
	}
}
