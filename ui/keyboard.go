package ui

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"

	"github.com/ekassa-go/ekassa/kkm"
)

// The desktop keyboard. With no text field focused, on the register screen:
//
//	0-9 , . + =        the simple-mode keypad («.» is the numeric pad's comma)
//	Enter              «ВВОД =»
//	Backspace          the keypad's ⌫;  Delete or Esc: «C»
//	Ctrl+Enter         «Далее» (either tab)
//	Ctrl+1, Ctrl+2     «Простой режим», «Расширенный режим»
//	Ctrl+S, Ctrl+P     sale, purchase
//	Ctrl+R             return
//	Ctrl+I, Ctrl+O     cash in, cash out
//	Ctrl+X, Ctrl+Z     X report, Z report (each asks to confirm first)
//	Ctrl+H             «Смена и отчеты» (reports and history)
//	Ctrl+,             settings
//	Ctrl+L             lock the app
//
// and on the screens opened from it, Esc goes back; over a dialog, Esc closes it (its cancel);
// on the preview, Enter forms the receipt; on cash in and cash out, digits, the comma, Backspace and Delete are their keypad's keys. On
// the marking-code screen, the catalogue item's screen and the register itself a barcode scanner
// acting as a keyboard needs no field focused: its keys and Enter go to barcode.KeyboardScanner,
// which takes fast runs ending in Enter as codes and drops slower typing (marking.go,
// catalogue.go, catalogue_sell.go); on the register the simple keypad still gets the keys, and
// gets back what it showed before a run that turns out to be a scan.
//
// Every other button is reached with Tab and pressed with Space, as Fyne gives every button. A
// text field takes the keys while it has the focus (Fyne sends keys to the focused widget first).
//
// The handlers stay on the window's canvas once installed and look at the screen shown when a key
// comes, so they do nothing on the lock screen, under a dialog, or before a register is open.

// keyShortcuts are the Ctrl shortcuts of the register screen.
func (u *UI) keyShortcuts() map[fyne.Shortcut]func() {
	ctrl := func(k fyne.KeyName) fyne.Shortcut {
		return &desktop.CustomShortcut{KeyName: k, Modifier: fyne.KeyModifierShortcutDefault}
	}
	return map[fyne.Shortcut]func(){
		ctrl(fyne.KeyReturn): u.keyNext,
		ctrl(fyne.KeyEnter):  u.keyNext,
		ctrl(fyne.Key1):      func() { u.keyTab(tabSimple) },
		ctrl(fyne.Key2):      func() { u.keyTab(tabExtended) },
		ctrl(fyne.KeyS):      func() { u.keyOperation(kkm.OpSale) },
		ctrl(fyne.KeyP):      func() { u.keyOperation(kkm.OpPurchase) },
		ctrl(fyne.KeyR):      u.keyReturn,
		ctrl(fyne.KeyI):      func() { u.open(newCashScreen(u, kkm.KindCashIn)) },
		ctrl(fyne.KeyO):      func() { u.open(newCashScreen(u, kkm.KindCashOut)) },
		ctrl(fyne.KeyH):      func() { u.open(newReportsScreen(u)) },
		ctrl(fyne.KeyComma):  func() { u.open(newSettingsScreen(u, false)) },
		ctrl(fyne.KeyL):      u.Lock,
		// Ctrl+X and Ctrl+Z reach the canvas as Fyne's cut and undo (a text field keeps them).
		&fyne.ShortcutCut{}:  u.keyXReport,
		&fyne.ShortcutUndo{}: u.keyZReport,
	}
}

// installKeys puts the keyboard's handlers on the window's canvas. The register screen calls it
// each time it is built; installing again replaces the same handlers.
func (u *UI) installKeys() {
	if u.win == nil {
		return
	}
	c := u.win.Canvas()
	if fyne.CurrentDevice().IsMobile() {
		// A phone has no shortcuts; a key with nothing focused is a hardware keyboard's
		// (scancatcher.go), and the keys a scanner sends go through the catcher.
		c.SetOnTypedRune(u.phoneRune)
		c.SetOnTypedKey(u.phoneKey)
		return
	}
	c.SetOnTypedRune(u.typedRune)
	c.SetOnTypedKey(u.typedKey)
	for sc, do := range u.keyShortcuts() {
		c.AddShortcut(sc, func(fyne.Shortcut) {
			if u.onRegister() {
				do()
			}
		})
	}
}

// onRegister tells whether the keys are the register screen's now: it is shown, unlocked, with
// no dialog above it.
func (u *UI) onRegister() bool {
	return u.unlocked && u.reg != nil && u.current == u.reg && u.win.Canvas().Overlays().Top() == nil
}

// typedRune takes a character typed with no widget focused: keypad keys on the simple tab.
func (u *UI) typedRune(r rune) {
	if t, ok := u.current.(keyScanTarget); ok {
		if u.unlocked && u.win.Canvas().Overlays().Top() == nil {
			t.scanRune(r) // a barcode scanner's keys, or typing it drops (marking.go)
		}
		return
	}
	if t, ok := u.current.(keypadScreen); ok {
		if u.unlocked && u.win.Canvas().Overlays().Top() == nil {
			if k := padKey(r); k != "" && k != "+" && k != "=" {
				t.pressKey(k)
			}
		}
		return
	}
	u.padRune(r)
}

// padRune takes a character typed on the register screen with no widget focused: keypad keys on
// the simple tab.
func (u *UI) padRune(r rune) {
	if !u.onRegister() || u.reg.tab != tabSimple {
		return
	}
	if k := padKey(r); k != "" {
		u.keyPad(k)
	}
}

// typedKey takes a key pressed with no widget focused.
func (u *UI) typedKey(ev *fyne.KeyEvent) {
	if u.win.Canvas().Overlays().Top() != nil {
		// Esc closes the dialog on top as its cancel would (the buyer's QR code, a
		// confirmation, the share menu), as on every desktop (walker S4 W20).
		if ev.Name == fyne.KeyEscape && u.shown != nil {
			u.shown.Hide()
			u.shown = nil
		}
		// A dialog: Enter presses the button it names for it (the safe one), nothing else.
		if b := u.enterButton(); b != nil && (ev.Name == fyne.KeyReturn || ev.Name == fyne.KeyEnter) {
			b.OnTapped()
		}
		return
	}
	if t, ok := u.current.(keyScanTarget); ok && u.unlocked && (ev.Name == fyne.KeyReturn || ev.Name == fyne.KeyEnter) {
		t.scanEnter()
		return
	}
	if t, ok := u.current.(keypadScreen); ok && u.unlocked {
		switch ev.Name {
		case fyne.KeyBackspace:
			t.pressKey("back")
			return
		case fyne.KeyDelete:
			t.pressKey("clear")
			return
		}
	}
	if !u.onRegister() {
		if ev.Name == fyne.KeyEscape && u.unlocked && len(u.stack) > 0 {
			u.back()
		}
		if p, ok := u.current.(*previewScreen); ok && u.unlocked && (ev.Name == fyne.KeyReturn || ev.Name == fyne.KeyEnter) {
			p.issueNow() // Enter forms the receipt on the preview, as «Сформировать» does
		}
		return
	}
	if u.reg.tab != tabSimple {
		return
	}
	switch ev.Name {
	case fyne.KeyReturn, fyne.KeyEnter:
		u.keyPad("=")
	case fyne.KeyBackspace:
		u.keyPad("back")
	case fyne.KeyDelete, fyne.KeyEscape:
		u.keyPad("clear")
	}
}

// keypadScreen is a screen whose amount is typed on a keypad of its own (cash in and out): with
// no field focused the keyboard's digits, comma, Backspace and Delete are its keys (walker F9).
type keypadScreen interface {
	pressKey(key string)
}

// padKey is the keypad's key for a typed character, or "".
func padKey(r rune) string {
	switch {
	case r >= '0' && r <= '9':
		return string(r)
	case r == ',' || r == '.':
		return ","
	case r == '+' || r == '=':
		return string(r)
	}
	return ""
}

// keyPad presses a key of the simple-mode keypad and shows the new total.
func (u *UI) keyPad(key string) {
	s := u.reg.simple
	s.in.press(key)
	s.err = nil
	u.render()
}

// keyNext is «Далее» of the tab shown.
func (u *UI) keyNext() {
	if u.reg.tab == tabExtended {
		u.reg.extended.next()
		return
	}
	u.reg.simple.next()
}

// keyReturn opens the return screen, asking the owner's permission first as the operations menu
// does (admin.go): a cashier the owner keeps from returns is told so and stays on the register.
func (u *UI) keyReturn() {
	u.allowThen(kkm.ActionReturn, func() { u.open(newReturnScreen(u)) })
}

// keyTab shows a tab of the register screen.
func (u *UI) keyTab(tab int) {
	u.reg.tab = tab
	u.render()
}

// keyOperation makes the receipt being formed a sale or a purchase, as the operations menu does.
func (u *UI) keyOperation(op kkm.Operation) {
	u.reg.op = op
	u.render()
}

// keyXReport asks to confirm and takes an X report, as «Смена и отчеты» does; with no shift open
// it shows «Смена и отчеты», which says why there is none.
func (u *UI) keyXReport() {
	if !u.status.ShiftOpen {
		u.open(newReportsScreen(u))
		return
	}
	u.confirm("reports.x", "reports.x.confirm", "button.confirm", func() {
		u.issue(func(ctx context.Context) (Issued, error) { return u.ports.Issuer.XReport(ctx, u.cashier.Operator()) }, nil, nil)
	})
}

// keyZReport asks to confirm and closes the shift with a Z report; with no shift open it shows
// «Смена и отчеты».
func (u *UI) keyZReport() {
	if !u.status.ShiftOpen {
		u.open(newReportsScreen(u))
		return
	}
	u.closeShift()
}
