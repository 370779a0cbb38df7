package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/ekassa-go/ekassa/i18n"
)

// A favourite with a long name (walker S4 W3): at every text size the name on its tile keeps to
// three lines (the tile as high as they take), broken at spaces, the last ending in «…» when the name goes on, and never runs
// over the price under it.
func TestFavouriteTileLongName(t *testing.T) {
	for _, scale := range TextScales() {
		h := newHarness(t, true, true, i18n.Russian)
		h.app.Settings().SetTheme(&Theme{Mode: ThemeLight, Scale: scale})
		tile := newFavouriteTile()
		tile.name.SetText("Нан «Бородинский» қара бидай ұны, кесілген, жұмсақ, 400 г, жаңа піскен")
		tile.price.SetText("250,00 ₸")
		w := test.NewWindow(tile)
		w.Resize(tile.MinSize())
		tile.Resize(tile.MinSize()) // as the grid lays every tile out
		r := test.WidgetRenderer(tile.name).(*msgLabelRenderer)
		var lines []string
		for _, l := range r.lines {
			lines = append(lines, l.Text)
		}
		if len(lines) < 3 || len(lines) > 3 || !strings.HasSuffix(lines[len(lines)-1], "…") {
			t.Errorf("at %v the name shows %q", scale, lines)
		}
		for _, l := range lines {
			if strings.Contains(l, "Бородински") && !strings.Contains(l, "«Бородинский»") {
				t.Errorf("at %v a word is broken: %q", scale, lines)
			}
		}
		d := fyne.CurrentApp().Driver()
		_, size, pad := r.metrics()
		nameBottom := d.AbsolutePositionForObject(tile.name).Y + pad +
			float32(len(lines))*fyne.MeasureText("A", size, tile.name.TextStyle).Height
		if priceTop := d.AbsolutePositionForObject(tile.price).Y; nameBottom > priceTop+0.5 {
			t.Errorf("at %v the name ends at %v, under the price's top %v", scale, nameBottom, priceTop)
		}
		w.Close()
	}
}

func TestEllipsize(t *testing.T) {
	measure := func(s string) float32 { return float32(len([]rune(s))) }
	for _, c := range []struct {
		line string
		room float32
		want string
	}{
		{"кесілген жұмсақ", 20, "кесілген жұмсақ…"},
		{"кесілген жұмсақ", 10, "кесілген…"},
		{"кесілген жұмсақ", 0, "кесілген жұмсақ…"},
		{"абв", 1, "…"},
	} {
		if got := ellipsize(c.line, c.room, measure); got != c.want {
			t.Errorf("ellipsize(%q, %v) = %q, want %q", c.line, c.room, got, c.want)
		}
	}
}
