package ui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/mobile"
	"fyne.io/fyne/v2/widget"
)

// A Bluetooth barcode scanner on a phone is a hardware keyboard (HID). What Fyne's mobile driver
// (fyne.io/fyne/v2 v2.7.1, internal/driver/mobile) does with its keys decides what the app must
// do to sell from it without a tap on a field:
//
//   - driver.go, typeDownCanvas: a key goes to the focused object (TypedKey, then TypedRune); with
//     nothing focused it goes to the canvas's OnTypedKey and OnTypedRune, as on the desktop — and
//     the Back key goes to OnTypedKey too once one is set (else the driver finishes the activity);
//   - but on Android, app/android.go, processKey drops every key event whose character is a digit
//     ("GBoard generates key events for numbers, but we see them in textChanged"): digits reach
//     the app only as text typed into the hidden EditText of GoNativeActivity.java, which is shown
//     and focused only while a Fyne object that takes the keyboard has the focus (keyboard.go,
//     handleKeyboard: any focused, enabled object). With nothing focused a scanner's EAN arrives
//     as its Enter alone (and letters of a Code 128 without their digits).
//
// So the sale screens keep an object focused when no field is: scanCatcher, invisible and of no
// size (a tap never lands on it), focused once the phone has shown it has a hardware keyboard and
// given back its keys to the window's key handlers (keyboard.go), which tell a scan from typing
// by pace as on the desktop. Android does not bring up the on-screen keyboard for it while a
// hardware keyboard is connected (its default); before one has been seen the catcher stays
// unfocused, so a phone without a scanner never shows a keyboard nobody asked for. The first key
// a hardware keyboard sends with nothing focused (a scan's Enter, its digits dropped) is how the
// phone shows it: the catcher takes the focus from then on and the cashier is asked to scan again.
type scanCatcher struct {
	widget.BaseWidget
	u *UI
}

var (
	_ fyne.Focusable      = (*scanCatcher)(nil)
	_ mobile.Keyboardable = (*scanCatcher)(nil)
)

func newScanCatcher(u *UI) *scanCatcher {
	c := &scanCatcher{u: u}
	c.ExtendBaseWidget(c)
	return c
}

// CreateRenderer draws nothing.
func (c *scanCatcher) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(canvas.NewRectangle(color.Transparent))
}

// MinSize is none: the catcher takes no room and no tap.
func (c *scanCatcher) MinSize() fyne.Size { return fyne.Size{} }

// Keyboard is the single-line keyboard: not the numeric one, whose key listener (digits and
// separators only) would drop the letters of a Code 128 or a marking code.
func (c *scanCatcher) Keyboard() mobile.KeyboardType { return mobile.SingleLineKeyboard }

// FocusGained does nothing: the catcher shows nothing.
func (c *scanCatcher) FocusGained() {}

// FocusLost takes the focus back soon when nothing else took it (a tap on a button or on the
// keypad unfocuses whatever was focused).
func (c *scanCatcher) FocusLost() { c.u.spawn(func() { fyne.Do(c.u.catchKeys) }) }

// TypedRune is a scanner's (or a hardware keyboard's) character, for the window's key handlers.
func (c *scanCatcher) TypedRune(r rune) { c.u.typedRune(r) }

// TypedKey is a scanner's key for the window's key handlers; Back goes back as it does anywhere.
func (c *scanCatcher) TypedKey(ev *fyne.KeyEvent) {
	if ev.Name == mobile.KeyBack {
		c.u.phoneBack()
		return
	}
	c.u.typedKey(ev)
}

// withCatcher puts the catcher beside a screen's content on a phone (on the desktop the window's
// keys come with nothing focused, keyboard.go).
func (u *UI) withCatcher(content fyne.CanvasObject) fyne.CanvasObject {
	if !fyne.CurrentDevice().IsMobile() {
		return content
	}
	if u.catcher == nil {
		u.catcher = newScanCatcher(u)
	}
	return container.NewStack(content, container.NewWithoutLayout(u.catcher))
}

// catchKeys focuses the catcher when the screen shown takes a scanner's keys, nothing else has
// the focus and no dialog is open, once the phone has shown a hardware keyboard.
func (u *UI) catchKeys() {
	if u.catcher == nil || !u.hardKeys || !u.unlocked || u.win == nil {
		return
	}
	if _, ok := u.current.(keyScanTarget); !ok {
		return
	}
	c := u.win.Canvas()
	if c.Overlays().Top() != nil || c.Focused() != nil {
		return
	}
	c.Focus(u.catcher)
}

// phoneKey is a key that came to the window with nothing focused on a phone: only a hardware
// keyboard sends one (the on-screen keyboard is hidden then, and Android hands its keys to the
// hidden field only). Back goes back as the driver would; any other key shows the phone has a
// keyboard or a scanner: the catcher takes the focus from now on, and a scan whose digits the
// driver dropped (its Enter came alone) is asked for again.
func (u *UI) phoneKey(ev *fyne.KeyEvent) {
	if ev.Name == mobile.KeyBack {
		u.phoneBack()
		return
	}
	first := !u.hardKeys
	u.hardKeys = true
	u.typedKey(ev)
	if first && (ev.Name == fyne.KeyReturn || ev.Name == fyne.KeyEnter) && u.onRegister() && u.ports.Catalogue != nil {
		c := u.reg.extended.catalogue()
		c.note = &uiError{id: errScanAgain}
		if u.reg.tab == tabSimple {
			u.reg.simple.err = c.note
		}
		u.render() // which gives the catcher the focus
		return
	}
	u.catchKeys()
}

// phoneRune is a character that came to the window with nothing focused on a phone (a hardware
// keyboard's letter: the driver drops digits there).
func (u *UI) phoneRune(r rune) {
	u.hardKeys = true
	u.typedRune(r)
	u.catchKeys()
}

// errScanAgain: a scanner's first code on a phone came without its digits (the driver drops
// them with nothing focused); the register now listens, and the cashier scans again.
const errScanAgain = "err.catsell.scan_again"

// phoneBack is the phone's Back key: the screen before, or, on the first screen, what the
// system does (Fyne's driver finishes the activity).
func (u *UI) phoneBack() {
	if u.unlocked && len(u.stack) > 0 && u.win.Canvas().Overlays().Top() == nil {
		u.back()
		return
	}
	if d, ok := fyne.CurrentApp().Driver().(interface{ GoBack() }); ok {
		d.GoBack()
	}
}
