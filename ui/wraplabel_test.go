package ui

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"

	"github.com/ekassa-go/ekassa/i18n"
	"github.com/ekassa-go/ekassa/kkm"
)

// runes measures a text as one unit a rune: widths in the table are counts of characters.
func runes(s string) float32 { return float32(utf8.RuneCountInString(s)) }

func TestWrapLines(t *testing.T) {
	const nb = "\u00a0"
	for _, c := range []struct {
		name string
		text string
		room float32
		want []string
	}{
		{"fits", "изъять 6" + nb + "000,00" + nb + "₸", 40, []string{"изъять 6" + nb + "000,00" + nb + "₸"}},
		// Fyne broke this one at the no-break space: «6» / «000,00 ₸» (walker F10).
		{"an amount is never split at its digit groups", "изъять 6" + nb + "000,00" + nb + "₸", 14,
			[]string{"изъять", "6" + nb + "000,00" + nb + "₸"}},
		{"the narrow no-break space joins too", "take 6\u202f000.00", 10, []string{"take", "6\u202f000.00"}},
		// The texts write an ordinary space before the sign: it still goes with its amount.
		{"the tenge sign stays with its amount", "= 5,000.00 ₸", 10, []string{"=", "5,000.00" + nb + "₸"}},
		{"greedy at ordinary spaces", "aa bb cc dd", 5, []string{"aa bb", "cc dd"}},
		{"exactly the room", "aaaaa bbbbb", 5, []string{"aaaaa", "bbbbb"}},
		{"a line end is kept", "Наличных:\n1" + nb + "234,56" + nb + "₸", 40, []string{"Наличных:", "1" + nb + "234,56" + nb + "₸"}},
		{"an empty line is kept", "a\n\nb", 10, []string{"a", "", "b"}},
		// A word wider than the whole line is broken where it must be, never drawn past the edge.
		{"a long word is broken", "/storage/emulated/0/Documents", 10, []string{"/storage/e", "mulated/0/", "Documents"}},
		{"a long word after a short one", "file /a/b/c/d/e/f", 6, []string{"file", "/a/b/c", "/d/e/f"}},
		{"a long amount in a tiny room", "1" + nb + "234" + nb + "567,89", 4, []string{"1" + nb + "23", "4" + nb + "56", "7,89"}},
		{"one rune wider than the room still shows", "ab", 0.5, []string{"a", "b"}},
		{"spaces at a break are dropped", "aaa   bbb", 4, []string{"aaa", "bbb"}},
		{"spaces inside a line are kept", "a  b", 10, []string{"a  b"}},
		{"no room yet: a line a paragraph", "aa bb\ncc", 0, []string{"aa bb", "cc"}},
		{"empty", "", 10, []string{""}},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := wrapLines(c.text, c.room, runes); !slices.Equal(got, c.want) {
				t.Errorf("wrapLines(%q, %v) = %q, want %q", c.text, c.room, got, c.want)
			}
		})
	}
}

// Every message with an amount, in kk, ru and en at 100 % and 130 % text, wrapped at every width
// from a phone's narrowest column up to a phone's width, breaks only at ordinary spaces: each
// amount whole on one line, each line within the room (the fit test's own rule, wrapCut).
func TestWrapLinesKeepsAmountsWhole(t *testing.T) {
	test.NewTempApp(t)
	for _, lang := range i18n.Langs() {
		l := i18n.MustBundle().Localizer(lang)
		texts := []string{
			l.Error(kkm.CheckPlacement(kkm.KindCashOut, 600000, 123456)),
			l.Error(kkm.CheckPlacement(kkm.KindCashIn, 123456789, kkm.MaxDrawer-1)),
			l.Error(&kkm.Error{Code: kkm.ErrReturnExceedsOriginal, Data: map[string]any{"Left": kkm.Money(123456789), "Total": kkm.Money(987654321)}}),
			l.T("sale.change", map[string]any{"Change": money(l, 500000)}),
			l.T("status.offline", map[string]any{"Count": 1234, "Left": "23 ч 59 мин"}),
			"2,5 кг × " + money(l, 123456) + " = " + money(l, 308640),
			l.T("return.refund.total", map[string]any{"Sum": money(l, 99999999999)}),
		}
		for _, scale := range []float32{1, 1.3} {
			size := theme.TextSize() * scale
			measure := func(s string) float32 { return fyne.MeasureText(s, size, fyne.TextStyle{}).Width }
			for _, text := range texts {
				if strings.TrimSpace(text) == "" || messageIDs[text] {
					t.Fatalf("%s: a message is missing: %q", lang, text)
				}
				for room := float32(80); room <= 340; room += 3 {
					lines := wrapLines(text, room, measure)
					if msg := wrapCut(text, lines, room, measure); msg != "" {
						t.Fatalf("%s at %.0f %%, %.0f wide: %s", lang, scale*100, room, msg)
					}
					for _, line := range lines {
						if measure(line) > room {
							t.Fatalf("%s at %.0f %%, %.0f wide: the line %q is %.0f wide", lang, scale*100, room, line, measure(line))
						}
					}
				}
			}
		}
	}
}

// The label itself: laid out in a column narrower than its text at 130 %, it draws the lines
// wrapLines makes, one under the other inside its height, in its importance's colour; a new text
// is drawn anew.
func TestMsgLabelDrawsItsLines(t *testing.T) {
	a := test.NewTempApp(t)
	a.Settings().SetTheme(&Theme{Mode: ThemeLight, Scale: 1.3})
	text := "В кассе только 1\u00a0234,56 ₸: изъять 6\u00a0000,00 ₸ нельзя."
	l := errorText(text)
	w := test.NewWindow(container.NewVBox(l))
	defer w.Close()
	w.Resize(fyne.NewSize(170, 400))
	w.Content().Refresh() // the second pass: the label's height follows the width it was given
	th := a.Settings().Theme()
	size, pad := th.Size(theme.SizeNameText), th.Size(theme.SizeNameInnerPadding)
	measure := func(s string) float32 { return fyne.MeasureText(s, size, fyne.TextStyle{}).Width }
	drawn := func() (lines []string, bottom float32) {
		for _, o := range test.WidgetRenderer(l).Objects() {
			c := o.(*canvas.Text)
			if c.Color != th.Color(theme.ColorNameError, a.Settings().ThemeVariant()) {
				t.Errorf("%q drawn in %v, not the error colour", c.Text, c.Color)
			}
			lines = append(lines, c.Text)
			bottom = c.Position().Y + c.Size().Height
		}
		return lines, bottom
	}
	lines, bottom := drawn()
	want := wrapLines(text, l.Size().Width-2*pad, measure)
	if !slices.Equal(lines, want) || len(lines) < 3 {
		t.Fatalf("drawn %q, want %q (at least three lines in %v)", lines, want, l.Size())
	}
	if msg := wrapCut(text, lines, l.Size().Width-2*pad, measure); msg != "" {
		t.Error(msg)
	}
	if bottom > l.MinSize().Height || l.MinSize().Height > l.Size().Height+0.5 {
		t.Errorf("the lines end at %v; the label's least height %v, its height %v", bottom, l.MinSize().Height, l.Size().Height)
	}
	l.SetText("6\u00a0000,00 ₸")
	if lines, _ := drawn(); !slices.Equal(lines, []string{"6\u00a0000,00\u00a0₸"}) {
		t.Errorf("after SetText drawn %q", lines)
	}
}
