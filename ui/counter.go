package ui

import (
	"strconv"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// scrollIntoView scrolls s so that o, somewhere in its content, is in view: an error shown under
// a field the cashier cannot see is no use.
func scrollIntoView(s *container.Scroll, o fyne.CanvasObject) {
	y, ok := offsetIn(s.Content, o)
	if !ok {
		d := fyne.CurrentApp().Driver()
		y = d.AbsolutePositionForObject(o).Y - d.AbsolutePositionForObject(s.Content).Y
	}
	// A wrapped label may be laid out a line short until its second pass: a margin keeps its
	// last line in view too.
	h := max(o.Size().Height, o.MinSize().Height) + 2*theme.Padding()
	view := s.Size().Height
	off := s.Offset.Y
	switch {
	case y < off:
		off = y
	case y+h > off+view:
		off = y + h - view
	default:
		return
	}
	s.ScrollToOffset(fyne.NewPos(s.Offset.X, max(0, off)))
}

// offsetIn is how far down inside root o lies, found through the containers between them. The
// app's window knows where an object is only once it has been drawn (Fyne's desktop driver maps
// objects to their canvas when it paints them), and a refusal is scrolled to right after the
// screen holding it is built: asked there, the driver put every object at 0 and nothing scrolled
// (walker S1; the headless test driver does not show it). ok is false when o is not inside root
// through containers only.
func offsetIn(root, o fyne.CanvasObject) (y float32, ok bool) {
	if root == o {
		return 0, true
	}
	c, isContainer := root.(*fyne.Container)
	if !isContainer {
		return 0, false
	}
	for _, ch := range c.Objects {
		if y, ok := offsetIn(ch, o); ok {
			return ch.Position().Y + y, true
		}
	}
	return 0, false
}

// padEntry is an entry for an amount or a quantity, typed on the phone's keyboard, a hardware
// keyboard or an on-screen keypad (decimalPad): the item's quantity and price, the sale's cash,
// card part and discount. Every key goes through its rule and a filled-in amount is replaced by
// the first key (input.go). Tapping it, or giving it the focus, makes it the keypad's field.
type padEntry struct {
	numberEntry
	chosen   func()
	rule     func() inputRule // nil: money
	refused  func(error)      // a key was refused, and why
	pristine bool             // the text is the screen's suggestion: the next key replaces it
	scan     *fieldScan       // a barcode scanner's keys told from typing (noticeScans), or nil
}

func newPadEntry(chosen func()) *padEntry {
	e := &padEntry{chosen: chosen}
	e.ExtendBaseWidget(e)
	return e
}

// FocusGained makes the entry the keypad's field.
func (e *padEntry) FocusGained() {
	e.Entry.FocusGained()
	if e.chosen != nil {
		e.chosen()
	}
}

// decimalPad is an on-screen keypad of digits, the language's decimal separator, ⌫ and C, that
// types into the entry target returns. A phone's numeric keyboard has no decimal separator
// (design.md §8), and the mobile simulation sends no hardware key to a field at all.
func (u *UI) decimalPad(target func() *padEntry) fyne.CanvasObject {
	sep := u.loc.T("keypad.decimal")
	press := func(k string) {
		if e := target(); e != nil {
			e.press(k, sep)
		}
	}
	key := func(label, k string) *widget.Button { return widget.NewButton(label, func() { press(k) }) }
	d := func(i int) *widget.Button { s := strconv.Itoa(i); return key(s, s) }
	back := widget.NewButtonWithIcon("", theme.ContentUndoIcon(), func() { press("back") })
	return container.New(&keypadLayout{cols: 4, fixedRows: true},
		d(7), d(8), d(9), back,
		d(4), d(5), d(6), key(u.loc.T("keypad.clear"), "clear"),
		d(1), d(2), d(3), key(sep, ","),
		layout.NewSpacer(), d(0), key(u.loc.T("keypad.double_zero"), "00"), layout.NewSpacer(),
	)
}

// markChosen highlights the i-th button of a segmented row in place (without rebuilding the
// screen, which would take the focus from the field being typed in).
func markChosen(seg *fyne.Container, i int) {
	for j, o := range seg.Objects {
		if b, ok := o.(*widget.Button); ok {
			b.Importance = widget.MediumImportance
			if j == i {
				b.Importance = widget.HighImportance
			}
			b.Refresh()
		}
	}
}

// maxCodeLength is the longest quick-access code (validCode: 4–6 digits).
const maxCodeLength = 6

// pinPad is the on-screen pad of the quick-access code: ten digits, C and ⌫. It reads the code
// typed so far with get and gives the new one to set; it takes no more than maxCodeLength digits.
func (u *UI) pinPad(get func() string, set func(string)) fyne.CanvasObject {
	digit := func(d string) *widget.Button {
		return widget.NewButton(d, func() {
			if c := get(); len(c) < maxCodeLength {
				set(c + d)
			}
		})
	}
	clear := widget.NewButton(u.loc.T("keypad.clear"), func() { set("") })
	back := widget.NewButtonWithIcon("", theme.ContentUndoIcon(), func() {
		if c := get(); c != "" {
			set(c[:len(c)-1])
		}
	})
	return container.New(&keypadLayout{cols: 3, fixedRows: true},
		digit("1"), digit("2"), digit("3"),
		digit("4"), digit("5"), digit("6"),
		digit("7"), digit("8"), digit("9"),
		clear, digit("0"), back)
}
