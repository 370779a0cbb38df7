package ui

import (
	"strings"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/ekassa-go/ekassa/kkm"
)

// msgLabel is a label for a message that wraps only where a reader expects a line to break: at
// an ordinary space or a line end. Fyne 2.7's word wrap breaks at any unicode.IsSpace rune, the
// no-break spaces included (widget/richtext.go, findSpaceIndex), so a money amount written with
// them — «6 000,00 ₸» — was shown as «6» on one line and «000,00 ₸» on the next (walker F10).
// Every message, error, warning, confirmation or status text that can hold an amount is shown
// in one. A word longer than the whole line (a file's path) is still broken where it must be
// rather than drawn past the edge.
//
// Its fields mirror widget.Label's, so a screen sets them the same way.
type msgLabel struct {
	widget.BaseWidget
	Text       string
	Importance widget.Importance
	TextStyle  fyne.TextStyle
	Alignment  fyne.TextAlign
	// MaxLines, when above 0, is as many lines as the label shows, fewer when fewer fit the
	// height it is given: the last one shown ends in «…» when the text goes on (a favourite's
	// name on its tile, above its price).
	MaxLines int
}

// newMsgLabel is a message label showing text.
func newMsgLabel(text string) *msgLabel {
	l := &msgLabel{Text: text}
	l.ExtendBaseWidget(l)
	return l
}

// SetText shows text instead.
func (l *msgLabel) SetText(text string) {
	l.Text = text
	l.Refresh()
}

// Resize lays the lines out anew for the new width: the label's height follows its width, as a
// wrapped Fyne label's does (the screens lay out twice for it, see twoPass).
func (l *msgLabel) Resize(size fyne.Size) {
	if size == l.Size() {
		return
	}
	l.BaseWidget.Resize(size)
	l.Refresh()
}

func (l *msgLabel) CreateRenderer() fyne.WidgetRenderer {
	l.ExtendBaseWidget(l)
	r := &msgLabelRenderer{l: l}
	r.Refresh()
	return r
}

type msgLabelRenderer struct {
	l     *msgLabel
	lines []*canvas.Text
}

func (r *msgLabelRenderer) Destroy() {}

// metrics are the text size and the padding the label is drawn with, from the theme in force
// where it is drawn (a ThemeOverride or the app's text scale).
func (r *msgLabelRenderer) metrics() (th fyne.Theme, size, pad float32) {
	th = r.l.Theme()
	return th, th.Size(theme.SizeNameText), th.Size(theme.SizeNameInnerPadding)
}

func (r *msgLabelRenderer) MinSize() fyne.Size {
	_, size, pad := r.metrics()
	var h float32
	for _, t := range r.lines {
		h += fyne.MeasureText(t.Text, size, r.l.TextStyle).Height
	}
	if len(r.lines) == 0 {
		h = fyne.MeasureText("A", size, r.l.TextStyle).Height
	}
	// No width of its own, as a wrapped Fyne label: it takes the width it is given.
	return fyne.NewSize(2*pad, h+2*pad)
}

func (r *msgLabelRenderer) Layout(size fyne.Size) {
	_, textSize, pad := r.metrics()
	y := pad
	for _, t := range r.lines {
		m := fyne.MeasureText(t.Text, textSize, r.l.TextStyle)
		x := pad
		switch r.l.Alignment {
		case fyne.TextAlignCenter:
			x = (size.Width - m.Width) / 2
		case fyne.TextAlignTrailing:
			x = size.Width - pad - m.Width
		}
		t.Move(fyne.NewPos(x, y))
		t.Resize(m)
		y += m.Height
	}
}

func (r *msgLabelRenderer) Objects() []fyne.CanvasObject {
	out := make([]fyne.CanvasObject, len(r.lines))
	for i, t := range r.lines {
		out[i] = t
	}
	return out
}

func (r *msgLabelRenderer) Refresh() {
	th, size, pad := r.metrics()
	room := r.l.Size().Width - 2*pad
	if r.l.Size().Width == 0 {
		room = 0 // not laid out yet: one line a paragraph until the label has its width
	}
	measure := func(s string) float32 { return fyne.MeasureText(s, size, r.l.TextStyle).Width }
	lines := wrapLines(r.l.Text, room, measure)
	if shown := r.l.MaxLines; shown > 0 {
		if h := r.l.Size().Height; h > 0 {
			line := fyne.MeasureText("A", size, r.l.TextStyle).Height
			shown = min(shown, int((h-2*pad)/line+0.01)) // a height made for n lines holds n, rounding aside
		}
		shown = max(shown, 1)
		if len(lines) > shown {
			lines = append(lines[:shown-1:shown-1], ellipsize(lines[shown-1], room, measure))
		}
	}
	col := th.Color(importanceColor(r.l.Importance), fyne.CurrentApp().Settings().ThemeVariant())
	r.lines = r.lines[:0]
	for _, s := range lines {
		t := canvas.NewText(s, col)
		t.TextSize = size
		t.TextStyle = r.l.TextStyle
		r.lines = append(r.lines, t)
	}
	r.Layout(r.l.Size())
	canvas.Refresh(r.l)
}

// importanceColor is the text colour of a label of this importance, as widget.Label draws it.
func importanceColor(i widget.Importance) fyne.ThemeColorName {
	switch i {
	case widget.LowImportance:
		return theme.ColorNameDisabled
	case widget.HighImportance:
		return theme.ColorNamePrimary
	case widget.DangerImportance:
		return theme.ColorNameError
	case widget.WarningImportance:
		return theme.ColorNameWarning
	case widget.SuccessImportance:
		return theme.ColorNameSuccess
	}
	return theme.ColorNameForeground
}

// joinCurrency is the no-break space put before the tenge sign: «5,000.00 ₸» is one word, a line
// never begins with the sign alone (the texts write an ordinary space before it after a number).
var joinCurrency = strings.NewReplacer(" "+kkm.CurrencySign, "\u00a0"+kkm.CurrencySign)

// wrapLines breaks text into lines no wider than room as measure measures them. A line ends at a
// line end of the text or at an ordinary space (the space is not drawn), never at a no-break
// space (U+00A0, U+202F) nor inside a word; a word wider than the whole room is broken at the
// last rune that fits, the only place a word is broken. room 0 means no limit: one line a
// paragraph. Runs of spaces between words are kept as written inside a line.
func wrapLines(text string, room float32, measure func(string) float32) []string {
	text = joinCurrency.Replace(strings.ReplaceAll(text, "\r\n", "\n"))
	var out []string
	for _, para := range strings.Split(text, "\n") {
		if room <= 0 {
			out = append(out, para)
			continue
		}
		line := ""
		for _, word := range strings.Split(para, " ") {
			if word == "" { // a run of spaces: kept inside a line, dropped at a break
				if line != "" {
					line += " "
				}
				continue
			}
			if line != "" {
				if cand := line + " " + word; measure(cand) <= room {
					line = cand
					continue
				}
				out = append(out, strings.TrimRight(line, " "))
				line = ""
			}
			// The word starts a line; one wider than the whole line is broken where it must be.
			for utf8.RuneCountInString(word) > 1 && measure(word) > room {
				cut := fitPrefix(word, room, measure)
				out = append(out, word[:cut])
				word = word[cut:]
			}
			line = word
		}
		out = append(out, strings.TrimRight(line, " "))
	}
	return out
}

// fitPrefix is the byte length of the longest prefix of word (at least one rune) no wider than
// room.
func fitPrefix(word string, room float32, measure func(string) float32) int {
	_, fit := utf8.DecodeRuneInString(word) // the first rune goes on the line, whatever its width
	for fit < len(word) {
		_, n := utf8.DecodeRuneInString(word[fit:])
		if measure(word[:fit+n]) > room {
			break
		}
		fit += n
	}
	return fit
}

// boldMsg is a bold message label: a total or the change, an amount that must never wrap inside.
func boldMsg(text string) *msgLabel {
	l := newMsgLabel(text)
	l.TextStyle = fyne.TextStyle{Bold: true}
	return l
}

// ellipsize is line with «…» after it, cut where both fit in room (0: no limit).
func ellipsize(line string, room float32, measure func(string) float32) string {
	const more = "…"
	for room > 0 && line != "" && measure(strings.TrimRight(line, " ")+more) > room {
		_, n := utf8.DecodeLastRuneInString(line)
		line = line[:len(line)-n]
	}
	return strings.TrimRight(line, " ") + more
}
