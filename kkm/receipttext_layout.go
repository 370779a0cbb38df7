package kkm

import (
	"strings"
	"unicode"
)

// The paper widths a receipt is laid out for, in characters of a monospace font: 58 mm printers
// print 32 columns (384 dots of 12), 80 mm printers 48 (576 dots), and 42 is the 80 mm printers'
// narrow font and a comfortable phone screen.
const (
	ReceiptColumns58mm = 32
	ReceiptColumns42   = 42
	ReceiptColumns80mm = 48

	// MinReceiptColumns and MaxReceiptColumns bound the width ReceiptText accepts; a width outside
	// is clamped to them.
	MinReceiptColumns = 24
	MaxReceiptColumns = 80
)

// ReceiptColumns returns the widths receipts are laid out for, narrowest first.
func ReceiptColumns() []int { return []int{ReceiptColumns58mm, ReceiptColumns42, ReceiptColumns80mm} }

// TextWidth returns how many monospace columns s takes: combining marks and zero-width characters
// take none, East Asian wide and full-width characters two, everything else (Latin, Cyrillic with
// the Kazakh letters, digits, ₸, №, the no-break space) one.
func TextWidth(s string) int {
	n := 0
	for _, r := range s {
		n += runeWidth(r)
	}
	return n
}

// runeWidth returns the columns one rune takes (see TextWidth).
func runeWidth(r rune) int {
	// Printable ASCII and Cyrillic (Kazakh's letters are in U+0400–U+04FF; U+0483–U+0489 are
	// combining marks), nearly every rune of a receipt, take one column: found without the
	// Unicode tables, which were a twentieth of a sale's CPU.
	if r >= 0x20 && r < 0x7f || r >= 0x400 && r < 0x483 || r >= 0x48a && r < 0x500 {
		return 1
	}
	switch {
	case r == '\u200b' || r == '\u200c' || r == '\u200d' || r == '\ufeff':
		return 0
	case unicode.In(r, unicode.Mn, unicode.Me, unicode.Cc, unicode.Cf):
		return 0
	case r >= 0x1100 && r <= 0x115f, // Hangul Jamo
		r >= 0x2e80 && r <= 0x303e, // CJK radicals, punctuation
		r >= 0x3041 && r <= 0x33ff, // kana, CJK compatibility
		r >= 0x3400 && r <= 0x4dbf, // CJK extension A
		r >= 0x4e00 && r <= 0x9fff, // CJK unified ideographs
		r >= 0xa000 && r <= 0xa4cf, // Yi
		r >= 0xac00 && r <= 0xd7a3, // Hangul syllables
		r >= 0xf900 && r <= 0xfaff, // CJK compatibility ideographs
		r >= 0xfe30 && r <= 0xfe4f, // CJK compatibility forms
		r >= 0xff00 && r <= 0xff60, // full-width forms
		r >= 0xffe0 && r <= 0xffe6,
		r >= 0x1f300 && r <= 0x1f64f, // pictographs, emoticons
		r >= 0x1f900 && r <= 0x1f9ff,
		r >= 0x20000 && r <= 0x3fffd: // CJK extensions B and later
		return 2
	}
	return 1
}

// sheet lays text out on a fixed number of monospace columns, line by line.
type sheet struct {
	w     int
	lines []string
}

// newSheet returns an empty sheet of w columns, clamped to the accepted range.
func newSheet(w int) *sheet {
	w = max(MinReceiptColumns, min(w, MaxReceiptColumns))
	return &sheet{w: w}
}

// String returns the sheet's lines, each ended by a newline, with no trailing spaces.
func (s *sheet) String() string {
	n := 0
	for _, l := range s.lines {
		n += len(l) + 1
	}
	var b strings.Builder
	b.Grow(n) // once: grown line by line it copied the ticket over about ten times (every sale)
	for _, l := range s.lines {
		b.WriteString(strings.TrimRight(l, " "))
		b.WriteByte('\n')
	}
	return b.String()
}

// add appends lines as they are (the caller made them fit).
func (s *sheet) add(lines ...string) { s.lines = append(s.lines, lines...) }

// rule appends a line of c across the whole width.
func (s *sheet) rule(c string) { s.add(strings.Repeat(c, s.w)) }

// center appends text wrapped to the width, each line centred.
func (s *sheet) center(text string) {
	for _, l := range wrap(text, s.w) {
		pad := (s.w - TextWidth(l)) / 2
		s.add(strings.Repeat(" ", pad) + l)
	}
}

// text appends text wrapped to the width, flush left.
func (s *sheet) text(text string) { s.para("", 0, text) }

// para appends text wrapped to the width, the first line after first and the following ones after
// indent spaces (a hanging indent for numbered items).
func (s *sheet) para(first string, indent int, text string) {
	lines := wrap(text, s.w-indent)
	for i, l := range lines {
		if i == 0 {
			s.add(first + strings.Repeat(" ", max(0, indent-TextWidth(first))) + l)
			continue
		}
		s.add(strings.Repeat(" ", indent) + l)
	}
}

// pair appends label on the left and value flush right. When they do not fit on one line, the
// label wraps and the value goes flush right on a line of its own.
func (s *sheet) pair(label, value string) { s.pairIndent(0, label, value) }

// pairIndent is pair with the label indented by indent spaces.
func (s *sheet) pairIndent(indent int, label, value string) { s.pairGap(indent, 1, label, value) }

// pairGap is pairIndent keeping at least gap spaces between label and value on one line.
func (s *sheet) pairGap(indent, gap int, label, value string) {
	pre := strings.Repeat(" ", indent)
	lw, vw := TextWidth(label), TextWidth(value)
	// The value's leading spaces only place it in its column: the label may run into them.
	ink := strings.TrimLeft(value, " ")
	if iw := TextWidth(ink); indent+lw+gap+iw <= s.w {
		s.add(pre + label + strings.Repeat(" ", s.w-indent-lw-iw) + ink)
		return
	}
	for _, l := range wrap(label, s.w-indent) {
		s.add(pre + l)
	}
	if vw <= s.w {
		s.add(strings.Repeat(" ", s.w-vw) + value)
		return
	}
	for _, l := range wrap(value, s.w) {
		s.add(strings.Repeat(" ", s.w-TextWidth(l)) + l)
	}
}

// labelled returns the long label when it fits beside value on one line, else the short one if
// that fits; when neither does, the value goes on a line of its own under the long label.
func (s *sheet) labelled(long, short, value string) string {
	vw := TextWidth(value)
	if TextWidth(long)+1+vw <= s.w || TextWidth(short)+1+vw > s.w {
		return long
	}
	return short
}

// wrap breaks text into lines of at most w columns at spaces (never at a no-break space), breaking
// a word longer than a line where it must. Explicit newlines are kept.
func wrap(text string, w int) []string {
	w = max(w, 1)
	var out []string
	for _, para := range strings.Split(text, "\n") {
		words := strings.Split(para, " ")
		line, lw := "", 0
		flush := func() {
			out = append(out, line)
			line, lw = "", 0
		}
		for _, word := range words {
			if word == "" {
				continue
			}
			ww := TextWidth(word)
			if lw > 0 && lw+1+ww <= w {
				line += " " + word
				lw += 1 + ww
				continue
			}
			if lw > 0 {
				flush()
			}
			for ww > w {
				head, rest := splitWidth(word, w)
				out = append(out, head)
				word, ww = rest, TextWidth(rest)
			}
			line, lw = word, ww
		}
		if lw > 0 || len(out) == 0 || para == "" {
			flush()
		}
	}
	return out
}

// splitWidth splits s after at most w columns (at least one rune).
func splitWidth(s string, w int) (head, rest string) {
	n := 0
	for i, r := range s {
		rw := runeWidth(r)
		if n+rw > w && i > 0 {
			return s[:i], s[i:]
		}
		n += rw
	}
	return s, ""
}

// padLeft returns s preceded by spaces to n columns.
func padLeft(s string, n int) string {
	return strings.Repeat(" ", max(0, n-TextWidth(s))) + s
}
