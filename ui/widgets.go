package ui

import (
	"errors"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/mobile"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/ekassa-go/ekassa/kkm"
)

// header is a screen's title row, with a back arrow when the screen has somewhere to go back to.
func (u *UI) header(title string, back bool) fyne.CanvasObject {
	t := widget.NewLabelWithStyle(title, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	t.Wrapping = fyne.TextWrapWord // a long title wraps at words, never cut
	if !back {
		return t
	}
	b := widget.NewButtonWithIcon("", theme.NavigateBackIcon(), u.back)
	return container.NewBorder(nil, nil, b, nil, t)
}

// page lays a screen out: its header on top, the body scrolling in the middle and the actions
// (the big buttons a thumb reaches) at the bottom.
func page(head fyne.CanvasObject, body fyne.CanvasObject, actions ...fyne.CanvasObject) fyne.CanvasObject {
	p, _ := scrolledPage(head, body, actions...)
	return p
}

// scrolledPage is page, with the scroll its body is in: a screen that refuses what was typed
// keeps it to scroll the refusal into view (reveal).
func scrolledPage(head fyne.CanvasObject, body fyne.CanvasObject, actions ...fyne.CanvasObject) (fyne.CanvasObject, *container.Scroll) {
	var bottom fyne.CanvasObject
	if len(actions) > 0 {
		bottom = container.NewVBox(actions...)
	}
	scroll := container.NewVScroll(body)
	return container.NewBorder(head, bottom, nil, nil, scroll), scroll
}

// reveal scrolls s so that the first of labels that is shown lies in view: after a refusal, the
// error the screen has just drawn (or the notice of what was done) far down its form. A form's
// refusal sits under the field it is about or at the foot of the form; on a phone that is below
// the fold, and a tap on «Далее», «Подключить» or «Сохранить» seemed to do nothing (walker S1,
// F1). Call it after the screen is rendered, so that the labels have their places.
func reveal(s *container.Scroll, labels ...*msgLabel) {
	if s == nil {
		return
	}
	for _, l := range labels {
		if l != nil && l.Visible() && l.Text != "" {
			scrollIntoView(s, l)
			return
		}
	}
}

// twoPass holds a screen laid out a second time once its wrapped labels know their width (their
// height depends on it), so that nothing under a wrapped label overlaps it on a screen shown
// without the status line's own second pass (see UI.render).
func twoPass(o fyne.CanvasObject) fyne.CanvasObject { return container.New(twoPassLayout{}, o) }

type twoPassLayout struct{}

func (twoPassLayout) MinSize(objs []fyne.CanvasObject) fyne.Size { return objs[0].MinSize() }

func (twoPassLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	o := objs[0]
	o.Move(fyne.NewPos(0, 0))
	o.Resize(size)
	if c, ok := o.(*fyne.Container); ok {
		c.Refresh()
	}
}

// errorText is the label a screen shows its last error in, in the cashier's language.
func errorText(text string) *msgLabel {
	l := newMsgLabel(text)
	l.Importance = widget.DangerImportance
	if text == "" {
		l.Hide()
	}
	return l
}

// wrapped is a label that wraps its words, never inside an amount (msgLabel).
func wrapped(text string) *msgLabel { return newMsgLabel(text) }

// bold is a bold label.
func bold(text string) *widget.Label {
	return widget.NewLabelWithStyle(text, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
}

// primary is a big action button.
func primary(text string, tapped func()) *widget.Button {
	b := widget.NewButton(text, tapped)
	b.Importance = widget.HighImportance
	return b
}

// disabled disables b and returns it.
func disabled(b *widget.Button) *widget.Button {
	b.Disable()
	return b
}

// field is a labelled form field, the label above the input as phones show them.
func field(label string, input fyne.CanvasObject) fyne.CanvasObject {
	return container.NewVBox(widget.NewLabel(label), input)
}

// entry is a single-line entry bound to *value: it starts with the value and writes every change
// back, so that what the cashier typed survives a rebuild of the screen.
func entry(value *string, placeholder string) *widget.Entry {
	e := widget.NewEntry()
	bind(e, value, placeholder)
	return e
}

// bind starts e with *value and writes every change back.
func bind(e *widget.Entry, value *string, placeholder string) {
	e.SetPlaceHolder(placeholder)
	e.SetText(*value)
	e.OnChanged = func(s string) { *value = s }
}

// numberEntry is an entry for whole numbers (a system ID, a token, a quick-access code, a
// quantity of pieces): on a phone it brings up the numeric keyboard. That keyboard has no decimal
// separator on Android and iOS (design.md §8), so amounts of money keep the ordinary keyboard or
// the on-screen keypad. It embeds widget.Entry: everything an entry does, it does.
type numberEntry struct {
	widget.Entry
	// text brings back the ordinary keyboard, for a quantity whose unit may be fractional.
	text bool
}

var _ mobile.Keyboardable = (*numberEntry)(nil)

// newNumberEntry is a single-line numberEntry; with password its text is hidden.
func newNumberEntry(password bool) *numberEntry {
	e := &numberEntry{}
	e.Password = password
	e.ExtendBaseWidget(e)
	return e
}

// Keyboard is the phone's numeric keyboard (or the ordinary one when text is set).
func (e *numberEntry) Keyboard() mobile.KeyboardType {
	if e.text {
		return e.Entry.Keyboard()
	}
	return mobile.NumberKeyboard
}

// wholeEntry is a numberEntry bound to *value, as entry is.
func wholeEntry(value *string, placeholder string) *numberEntry {
	e := newNumberEntry(false)
	bind(&e.Entry, value, placeholder)
	return e
}

// secret is an entry for a quick-access code (4–6 digits) bound to *value: hidden, with the
// phone's numeric keyboard.
func secret(value *string, placeholder string) *numberEntry {
	e := newNumberEntry(true)
	bind(&e.Entry, value, placeholder)
	return e
}

// check is a check box bound to *value, its text wrapping to the screen's width.
func check(value *bool, label string, changed func()) *wrapCheck {
	return newWrapCheck(label, *value, func(b bool) {
		*value = b
		if changed != nil {
			changed()
		}
	})
}

// wrapCheck is a check box whose text wraps: Fyne's Check keeps its text on one line, which at a
// larger text size makes a phone's screen wider than the phone. Tapping the text toggles it as
// tapping the box does; the box takes the keyboard's focus and Space.
type wrapCheck struct {
	widget.BaseWidget
	Text  string
	box   *widget.Check
	label *msgLabel
}

func newWrapCheck(text string, checked bool, changed func(bool)) *wrapCheck {
	c := &wrapCheck{Text: text, box: widget.NewCheck("", nil), label: wrapped(text)}
	c.box.SetChecked(checked)
	c.box.OnChanged = changed
	c.ExtendBaseWidget(c)
	return c
}

// Checked reports whether the box is checked.
func (c *wrapCheck) Checked() bool { return c.box.Checked }

// Tapped toggles the box.
func (c *wrapCheck) Tapped(*fyne.PointEvent) {
	if !c.box.Disabled() {
		c.box.SetChecked(!c.box.Checked)
	}
}

// CreateRenderer lays the box out before its wrapped text.
func (c *wrapCheck) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(container.NewBorder(nil, nil, container.NewCenter(c.box), nil, c.label))
}

// wrapButton is a button whose text wraps at words instead of widening the screen: a document's
// title in a list, which in Kazakh at 130 % text is wider than a phone. It is a plain button with
// the text laid over it; a tap on the text reaches the button below (a label takes no taps), so it
// looks and answers as every other button.
type wrapButton struct {
	widget.BaseWidget
	Text   string
	button *widget.Button
	label  *msgLabel
}

func newWrapButton(text string, tapped func()) *wrapButton {
	b := &wrapButton{Text: text, button: widget.NewButton("", tapped), label: wrapped(text)}
	b.label.Alignment = fyne.TextAlignCenter
	b.ExtendBaseWidget(b)
	return b
}

// CreateRenderer lays the text over the whole button.
func (b *wrapButton) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(container.NewStack(b.button, b.label))
}

// fitButton is a button with the full label when it fits the window's width, and the short one
// when it does not (a larger text size, a long language); the full text then stands above it,
// wrapped, so nothing of it is lost. Fyne has no accessibility hint to carry it otherwise.
func (u *UI) fitButton(full, short string, icon fyne.Resource, tapped func()) fyne.CanvasObject {
	b := widget.NewButtonWithIcon(full, icon, tapped)
	if u.win == nil || u.win.Canvas().Size().Width <= 0 || b.MinSize().Width+2*theme.Padding() <= u.win.Canvas().Size().Width {
		return b
	}
	b.SetText(short)
	return container.NewVBox(wrapped(full), b)
}

// segmented is a row of buttons of which one is chosen (highlighted): payment type, language,
// the kind of a return. Buttons are big targets, unlike radio dots. They share the width equally
// when the longest label allows, otherwise each takes its label's width and a share of the rest.
func segmented(labels []string, chosen int, choose func(int)) *fyne.Container {
	c := container.New(&keypadLayout{cols: len(labels), fixedRows: true})
	for i, l := range labels {
		b := widget.NewButton(l, func() { choose(i) })
		if i == chosen {
			b.Importance = widget.HighImportance
		}
		c.Add(b)
	}
	return c
}

// amountInput is the state of the on-screen amount keypad: the amounts already added with «+»
// and the one being typed (digits and at most one decimal comma, as ParseMoney reads it).
type amountInput struct {
	terms   []kkm.Money
	typing  string
	entered bool  // «ВВОД =» was pressed: the total is final until the next key
	err     error // why the last key was refused (a limit of kkm's table), shown on the keypad
}

// maxTyped bounds what the keypad accepts: 13 digits before the comma, 2 after.
const maxTyped = 13

// press applies one key: a digit, "," (decimal), "00", "+", "=", "back" or "clear". A key that
// would take the amount typed past kkm.MaxMoney, or the sum of the amounts past it (a receipt's
// total is one amount too), is refused at once: what was typed stays, and err says the limit.
func (a *amountInput) press(key string) {
	before := amountInput{terms: a.terms, typing: a.typing, entered: a.entered}
	a.err = nil
	if err := a.apply(key); err != nil {
		*a = before
		a.err = err
		return
	}
	if _, err := kkm.ParseMoney(a.typing); errors.Is(err, kkm.ErrMoneyOverflow) {
		*a = before
		a.err = err
		return
	}
	var sum kkm.Money
	for _, m := range append(a.terms, a.current()) {
		if sum += m; sum > kkm.MaxMoney {
			*a = before
			a.err = &kkm.Error{Code: kkm.ErrReceiptOverflow, Data: map[string]any{"Max": kkm.MaxMoney}}
			return
		}
	}
}

// apply applies one key without checking the limits, or refuses a key that no amount takes: a
// third decimal (walker F7), or «+» and «ВВОД =» on a typed 0 (walker F12: the key did nothing,
// with no word why).
func (a *amountInput) apply(key string) error {
	switch key {
	case "clear":
		*a = amountInput{}
		return nil
	case "back":
		a.entered = false
		if a.typing != "" {
			a.typing = a.typing[:len(a.typing)-1]
		} else if n := len(a.terms); n > 0 {
			a.typing = strings.ReplaceAll(a.terms[n-1].String(), "\u00a0", "")
			a.terms = a.terms[:n-1]
		}
		return nil
	case "+", "=":
		m, err := kkm.ParseMoney(a.typing)
		if err == nil && m == 0 {
			return kkm.ErrCashAmountZero
		}
		if err == nil {
			a.terms = append(a.terms, m)
		}
		a.typing = ""
		a.entered = key == "="
		return nil
	}
	a.entered = false
	whole, _, hasComma := strings.Cut(a.typing, ",")
	switch {
	case key == ",":
		if !hasComma {
			if a.typing == "" {
				a.typing = "0"
			}
			a.typing += ","
		}
	case hasComma:
		if err := moneyRule.check(a.typing + key); err != nil {
			return err
		}
		a.typing += key
	case len(whole)+len(key) <= maxTyped:
		if a.typing == "0" {
			a.typing = ""
		}
		a.typing += key
		if strings.Trim(a.typing, "0") == "" {
			a.typing = "0"
		}
	}
	return nil
}

// current is the amount being typed (0 when nothing or nothing valid).
func (a *amountInput) current() kkm.Money {
	m, err := kkm.ParseMoney(a.typing)
	if err != nil {
		return 0
	}
	return m
}

// total is the sum of the added amounts and the one being typed.
func (a *amountInput) total() kkm.Money {
	var t kkm.Money
	for _, m := range a.terms {
		t += m
	}
	return t + a.current()
}

// amounts are the positions entered: every added amount and the one being typed.
func (a *amountInput) amounts() []kkm.Money {
	out := append([]kkm.Money(nil), a.terms...)
	if m := a.current(); m > 0 {
		out = append(out, m)
	}
	return out
}

// keypad builds the on-screen keypad over in: its display (the positions and the running total)
// and the keys. changed runs after each key.
func (u *UI) keypad(in *amountInput, withSum bool, changed func()) fyne.CanvasObject {
	return u.keypadWithNote(in, withSum, changed, nil)
}

// keypadWithNote is keypad whose message place also shows the screen's own message (note, nil
// when there is none) when no key was refused. The place keeps its height when empty, so a
// message never moves or shrinks the keys under the cashier's finger.
func (u *UI) keypadWithNote(in *amountInput, withSum bool, changed func(), note func() error) fyne.CanvasObject {
	sep := u.loc.T("keypad.decimal")
	expr := widget.NewLabel("")
	expr.Alignment = fyne.TextAlignTrailing
	expr.Truncation = fyne.TextTruncateClip
	total := widget.NewLabelWithStyle("", fyne.TextAlignTrailing, fyne.TextStyle{Bold: true})
	limit := errorText("")
	var shown *fyne.Container // the message's overlay, hidden with it
	show := func() {
		msg := in.err
		if msg == nil && note != nil {
			msg = note()
		}
		if msg != nil {
			limit.SetText(u.loc.Error(msg))
			limit.Show()
		} else {
			limit.Hide()
		}
		if shown != nil {
			shown.Hidden = limit.Hidden
			shown.Refresh()
		}
		parts := make([]string, 0, len(in.terms)+1)
		for _, m := range in.terms {
			parts = append(parts, strings.ReplaceAll(money(u.loc, m), "\u00a0"+kkm.CurrencySign, ""))
		}
		if in.typing != "" {
			parts = append(parts, strings.ReplaceAll(in.typing, ",", sep))
		}
		expr.SetText(strings.Join(parts, " "+u.loc.T("keypad.plus")+" "))
		total.SetText(u.loc.T("keypad.total", map[string]any{"Total": money(u.loc, in.total())}))
	}
	show()
	key := func(label, k string) *widget.Button {
		return widget.NewButton(label, func() {
			in.press(k)
			if changed != nil {
				changed()
			}
			show()
		})
	}
	d := func(i int) *widget.Button { s := strconv.Itoa(i); return key(s, s) }
	backspace := widget.NewButtonWithIcon("", theme.ContentUndoIcon(), func() {
		in.press("back")
		if changed != nil {
			changed()
		}
		show()
	})
	var keys []fyne.CanvasObject
	if withSum {
		enter := key(u.loc.T("keypad.enter"), "=")
		enter.Importance = widget.HighImportance
		keys = []fyne.CanvasObject{
			d(7), d(8), d(9), backspace,
			d(4), d(5), d(6), key(u.loc.T("keypad.plus"), "+"),
			d(1), d(2), d(3), key(u.loc.T("keypad.clear"), "clear"),
			key(sep, ","), d(0), key(u.loc.T("keypad.double_zero"), "00"), enter,
		}
	} else {
		keys = []fyne.CanvasObject{
			d(7), d(8), d(9), backspace,
			d(4), d(5), d(6), key(u.loc.T("keypad.clear"), "clear"),
			d(1), d(2), d(3), key(u.loc.T("keypad.double_zero"), "00"),
			layout.NewSpacer(), d(0), key(sep, ","), layout.NewSpacer(),
		}
	}
	grid := container.New(&keypadLayout{cols: 4}, keys...)
	// The message lies over the display (the amounts and the total), on the screen's background,
	// and scrolls there when long: shown or hidden it takes no height of its own, so it never moves
	// or shrinks a key; the next key hides it and shows the amounts again.
	// Two lines, the amount typed over its total, with or without «+»: a message over them has two
	// lines to be read in (a cash out refused names the drawer and the amount, cut after one line
	// when the display had only the total).
	display := container.NewVBox(expr, total)
	shown = overlayMessage(limit)
	shown.Hidden = limit.Hidden
	display = container.NewStack(display, shown)
	// In the centre of a border the keys take the height the screen leaves them.
	return container.NewBorder(display, nil, nil, nil, grid)
}

// maxKeyHeight bounds a keypad row's height in a tall window; the keys then sit at the bottom,
// where the thumb is.
const maxKeyHeight = 96

// keypadLayout is the keypad's grid: rows of equal height that grow to fill the height given
// (up to maxKeyHeight), and columns of equal width when the widest key allows, otherwise each
// column as wide as its widest key plus an equal share of what is left. So «ЕНГІЗУ =» at a larger
// text size widens its own column, not all four, and the keypad still fits a 360 px phone.
type keypadLayout struct {
	cols      int
	fixedRows bool // the rows keep their least height (a row of choices, not a keypad)
}

// columns are each column's least width and the least row height.
func (k *keypadLayout) columns(objs []fyne.CanvasObject) (widths []float32, row float32) {
	widths = make([]float32, k.cols)
	for i, o := range objs {
		m := o.MinSize()
		widths[i%k.cols] = max(widths[i%k.cols], m.Width)
		row = max(row, m.Height)
	}
	return widths, row
}

func (k *keypadLayout) rows(objs []fyne.CanvasObject) int { return (len(objs) + k.cols - 1) / k.cols }

func (k *keypadLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	widths, row := k.columns(objs)
	pad := theme.Padding()
	var w float32
	for _, cw := range widths {
		w += cw
	}
	n := float32(k.rows(objs))
	if !k.fixedRows {
		row *= compactKeys
	}
	return fyne.NewSize(w+pad*float32(k.cols-1), row*n+pad*(n-1))
}

// compactKeys is how far a keypad's rows may shrink below a button's own height in a window too
// short for them (a small phone, a large text size, Fyne's phone simulation): a key a little
// lower than a button is still a key to tap, where a keypad scrolled out of sight is none. In a
// window of a usual height the rows grow from the height the screen leaves them.
const compactKeys = 0.8

func (k *keypadLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	if len(objs) == 0 {
		return
	}
	widths, minRow := k.columns(objs)
	pad := theme.Padding()
	free := size.Width - pad*float32(k.cols-1)
	var sum, widest float32
	for _, cw := range widths {
		sum += cw
		widest = max(widest, cw)
	}
	if widest*float32(k.cols) <= free {
		for i := range widths {
			widths[i] = free / float32(k.cols)
		}
	} else {
		extra := max(0, free-sum) / float32(k.cols)
		for i := range widths {
			widths[i] += extra
		}
	}
	n := float32(k.rows(objs))
	row := max(minRow*compactKeys, min(maxKeyHeight, (size.Height-pad*(n-1))/n))
	if k.fixedRows {
		row = minRow
	}
	y := max(0, size.Height-(row*n+pad*(n-1)))
	for r := 0; r*k.cols < len(objs); r++ {
		x := float32(0)
		for c := 0; c < k.cols && r*k.cols+c < len(objs); c++ {
			o := objs[r*k.cols+c]
			o.Move(fyne.NewPos(x, y))
			o.Resize(fyne.NewSize(widths[c], row))
			x += widths[c] + pad
		}
		y += row + pad
	}
}

// messageSlot holds a screen's message (an error under a keypad) in a region of a fixed height:
// lines lines of text whether the message is shown, hidden or long. So a message appearing or
// going never moves the keys next to it under the cashier's finger; a longer message wraps and
// scrolls inside the region instead of pushing the keys away.
func messageSlot(msg *msgLabel, lines int) fyne.CanvasObject {
	probe := widget.NewLabel(strings.Repeat("A\n", lines-1) + "A")
	return container.New(&slotLayout{height: probe.MinSize().Height}, container.NewVScroll(msg))
}

// slotLayout gives its one object the whole width and a fixed height (none: the height given, and
// no least height of its own).
type slotLayout struct{ height float32 }

func (s *slotLayout) MinSize([]fyne.CanvasObject) fyne.Size { return fyne.NewSize(0, s.height) }

func (s *slotLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objs {
		o.Move(fyne.NewPos(0, 0))
		h := s.height
		if h == 0 {
			h = size.Height
		}
		o.Resize(fyne.NewSize(size.Width, h))
	}
}

// overlayMessage is msg on the theme's background, to lie over what it covers while shown; a long
// message scrolls inside the covered region instead of growing it.
func overlayMessage(msg *msgLabel) *fyne.Container {
	bg := canvas.NewRectangle(theme.Color(theme.ColorNameBackground))
	return container.NewStack(bg, container.New(&slotLayout{}, container.NewVScroll(msg)))
}
