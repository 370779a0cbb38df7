package ui

import (
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/ekassa-go/ekassa/kkm"
)

// header is a screen's title row, with a back arrow when the screen has somewhere to go back to.
func (u *UI) header(title string, back bool) fyne.CanvasObject {
	t := widget.NewLabelWithStyle(title, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	t.Truncation = fyne.TextTruncateEllipsis
	if !back {
		return t
	}
	b := widget.NewButtonWithIcon("", theme.NavigateBackIcon(), u.back)
	return container.NewBorder(nil, nil, b, nil, t)
}

// page lays a screen out: its header on top, the body scrolling in the middle and the actions
// (the big buttons a thumb reaches) at the bottom.
func page(head fyne.CanvasObject, body fyne.CanvasObject, actions ...fyne.CanvasObject) fyne.CanvasObject {
	var bottom fyne.CanvasObject
	if len(actions) > 0 {
		bottom = container.NewVBox(actions...)
	}
	return container.NewBorder(head, bottom, nil, nil, container.NewVScroll(body))
}

// errorText is the label a screen shows its last error in, in the cashier's language.
func errorText(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.Importance = widget.DangerImportance
	l.Wrapping = fyne.TextWrapWord
	if text == "" {
		l.Hide()
	}
	return l
}

// wrapped is a label that wraps its words.
func wrapped(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.Wrapping = fyne.TextWrapWord
	return l
}

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

// field is a labelled form field, the label above the input as phones show them.
func field(label string, input fyne.CanvasObject) fyne.CanvasObject {
	return container.NewVBox(widget.NewLabel(label), input)
}

// entry is a single-line entry bound to *value: it starts with the value and writes every change
// back, so that what the cashier typed survives a rebuild of the screen.
func entry(value *string, placeholder string) *widget.Entry {
	e := widget.NewEntry()
	e.SetPlaceHolder(placeholder)
	e.SetText(*value)
	e.OnChanged = func(s string) { *value = s }
	return e
}

// secret is a password entry bound to *value.
func secret(value *string, placeholder string) *widget.Entry {
	e := widget.NewPasswordEntry()
	e.SetPlaceHolder(placeholder)
	e.SetText(*value)
	e.OnChanged = func(s string) { *value = s }
	return e
}

// check is a check box bound to *value.
func check(value *bool, label string, changed func()) *widget.Check {
	c := widget.NewCheck(label, nil)
	c.SetChecked(*value)
	c.OnChanged = func(b bool) {
		*value = b
		if changed != nil {
			changed()
		}
	}
	return c
}

// segmented is a row of buttons of which one is chosen (highlighted): payment type, language,
// the kind of a return. Buttons are big targets, unlike radio dots.
func segmented(labels []string, chosen int, choose func(int)) *fyne.Container {
	c := container.NewGridWithColumns(len(labels))
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
	entered bool // «ВВОД =» was pressed: the total is final until the next key
}

// maxTyped bounds what the keypad accepts: 13 digits before the comma, 2 after.
const maxTyped = 13

// press applies one key: a digit, "," (decimal), "00", "+", "=", "back" or "clear".
func (a *amountInput) press(key string) {
	switch key {
	case "clear":
		*a = amountInput{}
		return
	case "back":
		a.entered = false
		if a.typing != "" {
			a.typing = a.typing[:len(a.typing)-1]
		} else if n := len(a.terms); n > 0 {
			a.typing = strings.ReplaceAll(a.terms[n-1].String(), "\u00a0", "")
			a.terms = a.terms[:n-1]
		}
		return
	case "+", "=":
		if m, err := kkm.ParseMoney(a.typing); err == nil && m > 0 {
			a.terms = append(a.terms, m)
		}
		a.typing = ""
		a.entered = key == "="
		return
	}
	a.entered = false
	whole, frac, hasComma := strings.Cut(a.typing, ",")
	switch {
	case key == ",":
		if !hasComma {
			if a.typing == "" {
				a.typing = "0"
			}
			a.typing += ","
		}
	case hasComma:
		if len(frac)+len(key) <= 2 {
			a.typing += key
		}
	case len(whole)+len(key) <= maxTyped:
		if a.typing == "0" {
			a.typing = ""
		}
		a.typing += key
		if strings.Trim(a.typing, "0") == "" {
			a.typing = "0"
		}
	}
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
	sep := u.loc.T("keypad.decimal")
	expr := widget.NewLabel("")
	expr.Alignment = fyne.TextAlignTrailing
	expr.Truncation = fyne.TextTruncateClip
	total := widget.NewLabelWithStyle("", fyne.TextAlignTrailing, fyne.TextStyle{Bold: true})
	show := func() {
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
			show()
			if changed != nil {
				changed()
			}
		})
	}
	d := func(i int) *widget.Button { s := strconv.Itoa(i); return key(s, s) }
	backspace := widget.NewButtonWithIcon("", theme.ContentUndoIcon(), func() {
		in.press("back")
		show()
		if changed != nil {
			changed()
		}
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
	grid := container.NewGridWithColumns(4, keys...)
	display := container.NewVBox(expr, total)
	if !withSum {
		display = container.NewVBox(total)
	}
	return container.NewVBox(display, grid)
}
