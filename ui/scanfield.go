package ui

import (
	"time"

	"fyne.io/fyne/v2"

	"github.com/ekassa-go/ekassa/barcode"
)

// fieldScan notices a barcode scanner acting as a keyboard where its keys land in something that
// also takes a person's typing: a focused field of the sale (the cash taken, the card part, the
// discount, the item's quantity and price: padEntry), the catalogue's search field (scanEntry),
// and the simple keypad with no field focused (the window's keys, keyboard.go). The pace test is
// barcode.KeyboardScanner's, the same for all of them; what fieldScan adds is the way back. Keys
// reach their place as they come (a person's typing is never held back or delayed), and at the
// first key of a run save is asked for what puts the place back as it was; when the run ends in
// a scan's Enter that is run first, so the place has exactly what it had before the scan's first
// key (no digit left behind, no refused-key message), and then onScan gets the code.
type fieldScan struct {
	scanner barcode.KeyboardScanner
	now     func() time.Time
	save    func() (undo func())
	undo    func() // what puts the place back as before the run now being timed
}

func newFieldScan(now func() time.Time, save func() func(), onScan func(code string)) *fieldScan {
	f := &fieldScan{now: now, save: save}
	f.scanner.OnScan = func(code string) {
		if f.undo != nil {
			f.undo()
		}
		f.undo = nil
		onScan(code)
	}
	return f
}

// rune times a character before its place takes it.
func (f *fieldScan) rune(r rune) {
	f.scanner.Rune(r, f.now())
	if f.scanner.Pending() == 1 {
		f.undo = nil // a new run of keys begins here
		if f.save != nil {
			f.undo = f.save()
		}
	}
}

// enter takes Enter and reports whether it ended a scan: then the place must not take it (a
// field's Enter would open the preview or save the item).
func (f *fieldScan) enter() bool { return f.scanner.Enter(f.now()) }

// key takes a key other than a character and reports whether the place must not take it (Enter
// that ended a scan). A key that edits or moves the cursor is a person's: it ends the run. Any
// other key changes nothing, above all the key of a character that a desktop keyboard sends just
// before the character itself (Fyne's desktop and mobile drivers both do), and Shift, which a
// scanner presses for capitals.
func (f *fieldScan) key(name fyne.KeyName) bool {
	switch name {
	case fyne.KeyReturn, fyne.KeyEnter:
		return f.enter()
	case fyne.KeyBackspace, fyne.KeyDelete, fyne.KeyLeft, fyne.KeyRight, fyne.KeyUp, fyne.KeyDown,
		fyne.KeyHome, fyne.KeyEnd, fyne.KeyPageUp, fyne.KeyPageDown, fyne.KeyEscape, fyne.KeyTab, fyne.KeyInsert:
		f.scanner.Reset()
	}
	return false
}

// noticeScans makes the field tell a scanner's keys from typing (fieldScan): a scan's keys are
// taken back out, the field gets back its text, cursor and filled-in state, keep's restore puts
// back what the screen made of the field meanwhile (keep runs at a run's first key), and onScan
// gets the code.
func (e *padEntry) noticeScans(now func() time.Time, keep func() (restore func()), onScan func(code string)) {
	e.scan = newFieldScan(now, func() func() {
		text, col, pristine := e.Text, e.CursorColumn, e.pristine
		var back func()
		if keep != nil {
			back = keep()
		}
		return func() {
			e.pristine = false
			e.SetText(text)
			e.CursorColumn, e.pristine = col, pristine
			e.Refresh()
			if back != nil {
				back()
			}
		}
	}, onScan)
}

// focusAfterRender gives o the focus once the screen being built is on the window: a scan from a
// focused field rebuilds the screen, and the cashier's cursor goes back into the new field.
func (u *UI) focusAfterRender(o fyne.Focusable) { u.focusNext = o }

// focusPending gives the focus asked for by focusAfterRender (render calls it last).
func (u *UI) focusPending() {
	o := u.focusNext
	u.focusNext = nil
	if o == nil {
		u.catchKeys() // on a phone with a scanner, the catcher takes its keys (scancatcher.go)
		return
	}
	if u.win == nil || u.win.Canvas().Overlays().Top() != nil {
		return
	}
	if e, ok := o.(*padEntry); ok {
		e.CursorColumn = len([]rune(e.Text)) // the cashier types on after what the field holds
	}
	u.win.Canvas().Focus(o)
}

// On the preview Enter forms the receipt (keyboard.go). A scanner's Enter is not the cashier's:
// a scan there (the next item, scanned before «Артқа») forms nothing; its keys are timed as
// everywhere and dropped, and the cashier's own Enter still forms the receipt (seen in the walk:
// the scan's Enter issued the receipt without the item scanned).
func (s *previewScreen) keys() *fieldScan {
	if s.scan == nil {
		s.scan = newFieldScan(time.Now, nil, func(string) {})
	}
	return s.scan
}

// scanRune times a key typed on the preview with no field focused.
func (s *previewScreen) scanRune(r rune) { s.keys().rune(r) }

// scanEnter is Enter on the preview: a scan's ends nothing, the cashier's forms the receipt.
func (s *previewScreen) scanEnter() {
	if s.keys().enter() {
		return
	}
	if s.u.current == s && s.u.win.Canvas().Overlays().Top() == nil {
		s.issueNow()
	}
}

var _ keyScanTarget = (*previewScreen)(nil)
