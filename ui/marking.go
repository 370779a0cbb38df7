package ui

import (
	"context"
	"io"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/ekassa-go/ekassa/barcode"
	"github.com/ekassa-go/ekassa/kkm"
)

// Marked goods on the sale screen (kkm/marking.go): an item flagged as marked needs the marking
// code of each unit before the receipt can be issued. The codes come three ways:
//
//   - a barcode scanner acting as a keyboard: with no field focused, its fast keystrokes ending in
//     Enter are told from typing by their pace (barcode.KeyboardScanner) and added at once; with
//     the code field focused, the scan lands in the field and its Enter adds it;
//   - typed or pasted into the code field (the bracketed form «(01)…(21)…» too);
//   - read from a photo of the DataMatrix (a file opened and decoded with gozxing).
//
// Each code is checked when it comes (structure, GTIN check digit, the same goods as the line's
// other codes, not already on the receipt, no more codes than units), with the refusal shown in
// the cashier's language and nothing added.

// errMarkingEnough is shown when a code comes for a line that has one for every unit.
const errMarkingEnough = "err.marking.enough"

// errMarkingPhoto is shown when a photo holds no DataMatrix code that can be read.
const errMarkingPhoto = "err.marking.photo"

// markingScreen gathers the marking codes of one line of the receipt being formed.
type markingScreen struct {
	u     *UI
	sale  *extendedSale
	index int    // the line
	typed string // the code field
	err   error
	// scanner takes the keys typed with no field focused (keyboard.go routes them here).
	scanner barcode.KeyboardScanner
	// now is the clock the keys are timed with; tests replay a scanner's pace with their own.
	now func() time.Time
}

func newMarkingScreen(u *UI, sale *extendedSale, index int) *markingScreen {
	s := &markingScreen{u: u, sale: sale, index: index, now: time.Now}
	s.scanner.OnScan = func(code string) { s.add(code) }
	return s
}

// units is how many codes the line needs: one per whole unit.
func (s *markingScreen) units() int {
	ln := s.sale.lines[s.index]
	if !ln.Quantity.Whole() || ln.Quantity <= 0 {
		return 0
	}
	return int(ln.Quantity / kkm.QuantityOne)
}

func (s *markingScreen) view() fyne.CanvasObject {
	u, l := s.u, s.u.loc
	ln := s.sale.lines[s.index]
	have, want := len(ln.Codes), s.units()
	body := container.NewVBox(bold(ln.Name))
	if ln.Marked != "" {
		body.Add(widget.NewLabel(l.T(ln.Marked.MessageID())))
	}
	progress := bold(l.T("marking.progress", map[string]any{"Have": have, "Want": want}))
	if have == want {
		progress.SetText(l.T("marking.complete"))
		progress.Importance = widget.SuccessImportance
	}
	body.Add(progress)
	body.Add(wrapped(l.T("marking.scan.help")))
	code := entry(&s.typed, l.T("marking.scan.hint"))
	code.OnSubmitted = func(string) { s.addTyped() }
	body.Add(container.NewBorder(nil, nil, nil,
		widget.NewButtonWithIcon("", theme.ContentAddIcon(), s.addTyped), code))
	body.Add(widget.NewButtonWithIcon(l.T("marking.photo"), theme.FileImageIcon(), s.openPhoto))
	body.Add(errorText(l.Error(s.err)))
	for i, c := range ln.Codes {
		remove := widget.NewButtonWithIcon("", theme.DeleteIcon(), func() {
			codes := s.sale.lines[s.index].Codes
			s.sale.lines[s.index].Codes = append(codes[:i:i], codes[i+1:]...)
			s.err = nil
			u.render()
		})
		body.Add(container.NewBorder(nil, nil, nil, remove, wrapped(printedCode(c))))
	}
	return page(u.header(l.T("marking.title"), true), body, primary(l.T("marking.done"), u.back))
}

// printedCode is a code as the receipt prints it: «(01)<GTIN> (21)<serial>».
func printedCode(code string) string {
	c, err := kkm.ParseMarkingCode(code)
	if err != nil {
		return code
	}
	return "(01)" + c.GTIN + " (21)" + c.Serial
}

// addTyped adds the code in the field, and empties the field when it was taken.
func (s *markingScreen) addTyped() {
	if s.add(s.typed) {
		s.typed = ""
	}
	s.u.render()
}

// add checks a code and puts it on the line; it reports whether it did. A refusal is kept in
// s.err and shown.
func (s *markingScreen) add(raw string) bool {
	s.err = s.accept(raw)
	s.u.render()
	return s.err == nil
}

func (s *markingScreen) accept(raw string) error {
	c, err := kkm.ParseMarkingCode(raw)
	if err != nil {
		return err
	}
	ln := &s.sale.lines[s.index]
	if len(ln.Codes) >= s.units() {
		return kkm.Code(errMarkingEnough)
	}
	for i, other := range s.sale.lines {
		for _, oc := range other.Codes {
			if kkm.MarkingID(oc) == c.ID() {
				return &kkm.Error{Code: kkm.ErrMarkingDuplicate, Data: map[string]any{"Line": i + 1}}
			}
		}
	}
	if len(ln.Codes) > 0 {
		if first, err := kkm.ParseMarkingCode(ln.Codes[0]); err == nil && first.GTIN != c.GTIN {
			return &kkm.Error{Code: kkm.ErrMarkingGTINMixed, Data: map[string]any{"Line": s.index + 1}}
		}
	}
	ln.Codes = append(ln.Codes, c.String())
	return nil
}

// scanRune and scanEnter take the keys typed with no field focused (keyboard.go).
func (s *markingScreen) scanRune(r rune) { s.scanner.Rune(r, s.now()) }

func (s *markingScreen) scanEnter() { s.scanner.Enter(s.now()) }

// openPhoto asks for a photo of the code and reads the DataMatrix in it.
func (s *markingScreen) openPhoto() {
	u := s.u
	d := dialog.NewFileOpen(func(rc fyne.URIReadCloser, err error) {
		if err != nil || rc == nil {
			return
		}
		s.readPhoto(rc)
	}, u.win)
	d.SetFilter(storage.NewExtensionFileFilter([]string{".png", ".jpg", ".jpeg"}))
	titleFileDialog(d, u.loc, false)
	d.Show()
}

// readPhoto decodes the DataMatrix in the image file r off the UI goroutine, then adds its code.
func (s *markingScreen) readPhoto(r io.ReadCloser) {
	s.u.background(func(context.Context) func() {
		defer r.Close()
		text, err := barcode.DecodeFile(r)
		return func() { s.photoRead(text, err) }
	})
}

// photoRead adds the code read from a photo, or says that none could be read.
func (s *markingScreen) photoRead(text string, err error) {
	if err != nil {
		// No code in the picture, or not a picture at all: either way, another photo is the way on.
		s.err = kkm.Code(errMarkingPhoto)
		s.u.render()
		return
	}
	s.add(text)
}

// keyScanTarget is a screen that takes a barcode scanner's keystrokes when no field is focused.
type keyScanTarget interface {
	scanRune(r rune)
	scanEnter()
}

var _ keyScanTarget = (*markingScreen)(nil)

// errMarkedGroupMissing is shown when an item is flagged as marked without its group.
const errMarkedGroupMissing = "err.marking.group_missing"

// markedView is the item form's «marked goods» flag and, once flagged, the group.
func (s *itemScreen) markedView() fyne.CanvasObject {
	u, l := s.u, s.u.loc
	box := container.NewVBox(newWrapCheck(l.T("item.marked"), s.marked, func(on bool) {
		if on != s.marked {
			s.marked = on
			u.render()
		}
	}))
	if !s.marked {
		return box
	}
	groups := kkm.MarkedGroups()
	names := make([]string, len(groups))
	for i, g := range groups {
		names[i] = l.T(g.MessageID())
	}
	sel := widget.NewSelect(names, nil)
	sel.PlaceHolder = l.T("item.marked.group.hint")
	for i, g := range groups {
		if g == s.group {
			sel.SetSelectedIndex(i)
		}
	}
	sel.OnChanged = func(string) { s.group = groups[sel.SelectedIndex()] }
	box.Add(field(l.T("item.marked.group"), sel))
	return box
}

// mark makes ln a marked line of the chosen group: whole units only, and the codes it had, as
// many as still fit its quantity.
func (s *itemScreen) mark(ln *kkm.LineDraft) error {
	line := s.index + 1
	if s.index < 0 {
		line = len(s.sale.lines) + 1
	}
	if !ln.Quantity.Whole() {
		return &kkm.Error{Code: kkm.ErrMarkedFraction, Data: map[string]any{"Line": line}}
	}
	ln.Marked = s.group
	units := int(ln.Quantity / kkm.QuantityOne)
	ln.Codes = append([]string(nil), s.codes[:min(len(s.codes), units)]...)
	return nil
}

// markedLine is what the sale's item list shows under a marked item: how many of its codes are
// scanned, and the way to the marking screen.
func (s *extendedSale) markedLine(i int) fyne.CanvasObject {
	u, l := s.u, s.u.loc
	ln := s.lines[i]
	want := 0
	if ln.Quantity.Whole() {
		want = int(ln.Quantity / kkm.QuantityOne)
	}
	state := wrapped(l.T("marking.line", map[string]any{"Have": len(ln.Codes), "Want": want}))
	if len(ln.Codes) != want {
		state.Importance = widget.DangerImportance
	}
	return container.NewVBox(state, widget.NewButton(l.T("marking.scan"), func() { u.open(newMarkingScreen(u, s, i)) }))
}

// codesView lets the cashier tick which units of a marked line come back: one check box per code
// not yet returned, the quantity being the number ticked.
func (s *returnScreen) codesView(i int, rl ReturnableLine) fyne.CanvasObject {
	l := s.u.loc
	box := container.NewVBox(wrapped(l.T("return.codes", map[string]any{"Price": money(l, rl.Line.Price),
		"Left": len(rl.Codes)})))
	for j, c := range rl.Codes {
		box.Add(newWrapCheck(printedCode(c), s.picked[i][j], func(on bool) {
			s.picked[i][j] = on
			if s.picks != nil {
				s.picks() // the return screen's refund follows the units ticked
			}
		}))
	}
	return box
}

// markedReturn is the returned line of a marked item: the original line with the units ticked and
// their codes; ok is false when none is ticked.
func (s *returnScreen) markedReturn(i int, rl ReturnableLine) (kkm.LineDraft, bool) {
	var codes []string
	for j, on := range s.picked[i] {
		if on {
			codes = append(codes, rl.Codes[j])
		}
	}
	if len(codes) == 0 {
		return kkm.LineDraft{}, false
	}
	ln := rl.Line
	return kkm.LineDraft{Name: ln.Name, NTIN: ln.NTIN, Section: ln.Section, Unit: ln.Unit, Price: ln.Price,
		VATRate: ln.VATRate, Quantity: kkm.Quantity(len(codes)) * kkm.QuantityOne, Marked: ln.Marked, Codes: codes}, true
}
