package ui

import (
	"image/color"
	"math"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/ekassa-go/ekassa/i18n"
)

// luminance is the WCAG 2.x relative luminance of an opaque colour.
func luminance(c color.Color) float64 {
	r, g, b, _ := c.RGBA()
	lin := func(v uint32) float64 {
		s := float64(v) / 0xffff
		if s <= 0.04045 {
			return s / 12.92
		}
		return math.Pow((s+0.055)/1.055, 2.4)
	}
	return 0.2126*lin(r) + 0.7152*lin(g) + 0.0722*lin(b)
}

// contrast is the WCAG contrast ratio of two opaque colours, from 1 to 21.
func contrast(a, b color.Color) float64 {
	la, lb := luminance(a), luminance(b)
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

// over is c drawn over the opaque colour under (how a translucent hover or focus tint shows).
func over(c, under color.Color) color.Color {
	n := color.NRGBAModel.Convert(c).(color.NRGBA)
	u := color.NRGBAModel.Convert(under).(color.NRGBA)
	a := float64(n.A) / 0xff
	mix := func(x, y uint8) uint8 { return uint8(math.Round(float64(x)*a + float64(y)*(1-a))) }
	return color.NRGBA{R: mix(n.R, u.R), G: mix(n.G, u.G), B: mix(n.B, u.B), A: 0xff}
}

// The WCAG AA minimum for normal text; the app has no large-text exemption to lean on (its
// larger-text setting must not be needed for legibility).
const wcagAA = 4.5

// Every text colour the screens use passes WCAG AA against what it is drawn on, in both variants
// and whatever the system says: labels and entries, the keypad and the primary buttons
// (plain, hovered and focused), disabled buttons, placeholders, and the status line's online,
// offline and error texts.
func TestThemeContrast(t *testing.T) {
	type pair struct {
		what   string
		fg, bg fyne.ThemeColorName
		tint   fyne.ThemeColorName // a translucent tint over bg, or ""
	}
	pairs := []pair{
		{"text", theme.ColorNameForeground, theme.ColorNameBackground, ""},
		{"text in a dialog", theme.ColorNameForeground, theme.ColorNameOverlayBackground, ""},
		{"text in a menu", theme.ColorNameForeground, theme.ColorNameMenuBackground, ""},
		{"typed text", theme.ColorNameForeground, theme.ColorNameInputBackground, ""},
		{"selected typed text", theme.ColorNameForeground, theme.ColorNameInputBackground, theme.ColorNameSelection},
		{"keypad key", theme.ColorNameForeground, theme.ColorNameButton, ""},
		{"hovered key", theme.ColorNameForeground, theme.ColorNameButton, theme.ColorNameHover},
		{"focused key", theme.ColorNameForeground, theme.ColorNameButton, theme.ColorNameFocus},
		{"pressed key", theme.ColorNameForeground, theme.ColorNameButton, theme.ColorNamePressed},
		{"primary button", theme.ColorNameForegroundOnPrimary, theme.ColorNamePrimary, ""},
		{"hovered primary button", theme.ColorNameForegroundOnPrimary, theme.ColorNamePrimary, theme.ColorNameHover},
		{"focused primary button", theme.ColorNameForegroundOnPrimary, theme.ColorNamePrimary, theme.ColorNameFocus},
		{"primary text", theme.ColorNamePrimary, theme.ColorNameBackground, ""},
		{"link", theme.ColorNameHyperlink, theme.ColorNameBackground, ""},
		{"disabled button", theme.ColorNameDisabled, theme.ColorNameDisabledButton, ""},
		{"disabled text", theme.ColorNameDisabled, theme.ColorNameBackground, ""},
		{"placeholder", theme.ColorNamePlaceHolder, theme.ColorNameInputBackground, ""},
		{"error text (status line, forms)", theme.ColorNameError, theme.ColorNameBackground, ""},
		{"error in a dialog", theme.ColorNameError, theme.ColorNameOverlayBackground, ""},
		{"online (success)", theme.ColorNameSuccess, theme.ColorNameBackground, ""},
		{"offline (warning)", theme.ColorNameWarning, theme.ColorNameBackground, ""},
		{"danger button", theme.ColorNameForegroundOnError, theme.ColorNameError, ""},
		{"success button", theme.ColorNameForegroundOnSuccess, theme.ColorNameSuccess, ""},
		{"warning button", theme.ColorNameForegroundOnWarning, theme.ColorNameWarning, ""},
	}
	for _, mode := range ThemeModes() {
		for _, system := range []fyne.ThemeVariant{theme.VariantLight, theme.VariantDark} {
			th := &Theme{Mode: mode, Scale: 1}
			for _, p := range pairs {
				bg := th.Color(p.bg, system)
				if p.tint != "" {
					bg = over(th.Color(p.tint, system), bg)
				}
				fg := th.Color(p.fg, system)
				if _, _, _, a := fg.RGBA(); a != 0xffff {
					t.Errorf("%s: %s is translucent", p.what, p.fg)
				}
				if r := contrast(fg, bg); r < wcagAA {
					t.Errorf("%s/system %d: %s %.2f:1 (%v on %v), want ≥ %.1f", mode, system, p.what, r, fg, bg, wcagAA)
				}
			}
		}
	}
	// The check itself: black on white is 21:1, Fyne's white on its own blue is not enough.
	if r := contrast(color.Black, color.White); math.Abs(r-21) > 1e-9 {
		t.Errorf("black on white %.3f", r)
	}
	def := theme.DefaultTheme()
	if r := contrast(def.Color(theme.ColorNameForegroundOnPrimary, theme.VariantLight),
		def.Color(theme.ColorNamePrimary, theme.VariantLight)); r >= wcagAA {
		t.Errorf("Fyne's default primary now passes (%.2f): the palette could follow it", r)
	}
}

// The mode decides the variant: the system's, or the one chosen whatever the system says.
func TestThemeFollowsSystemOrChoice(t *testing.T) {
	bg := func(m ThemeMode, system fyne.ThemeVariant) color.Color {
		return (&Theme{Mode: m}).Color(theme.ColorNameBackground, system)
	}
	light, dark := lightPalette[theme.ColorNameBackground], darkPalette[theme.ColorNameBackground]
	for _, c := range []struct {
		m      ThemeMode
		system fyne.ThemeVariant
		want   color.Color
	}{
		{ThemeSystem, theme.VariantLight, light}, {ThemeSystem, theme.VariantDark, dark},
		{ThemeLight, theme.VariantDark, light}, {ThemeDark, theme.VariantLight, dark},
	} {
		if got := bg(c.m, c.system); got != c.want {
			t.Errorf("%s on system %d: background %v, want %v", c.m, c.system, got, c.want)
		}
	}
	th := &Theme{Mode: ThemeSystem, Scale: 1.3}
	if got, want := th.Size(theme.SizeNameText), theme.DefaultTheme().Size(theme.SizeNameText)*1.3; got != want {
		t.Errorf("text size %v, want %v", got, want)
	}
	if got, want := th.Size(theme.SizeNamePadding), theme.DefaultTheme().Size(theme.SizeNamePadding); got != want {
		t.Errorf("padding %v, want %v (only text grows)", got, want)
	}
}

// Preferences hold the choice; nonsense in them gives the normal system-following theme.
func TestThemeFromPreferences(t *testing.T) {
	a := test.NewTempApp(t)
	p := a.Preferences()
	if th := ThemeFromPreferences(p); th.Mode != ThemeSystem || th.Scale != 1 {
		t.Errorf("fresh: %+v", th)
	}
	p.SetString(PrefThemeMode, "dark")
	p.SetFloat(PrefTextScale, float64(float32(1.15)))
	if th := ThemeFromPreferences(p); th.Mode != ThemeDark || th.Scale != 1.15 {
		t.Errorf("kept: %+v", th)
	}
	p.SetString(PrefThemeMode, "purple")
	p.SetFloat(PrefTextScale, 7)
	if th := ThemeFromPreferences(p); th.Mode != ThemeSystem || th.Scale != 1 {
		t.Errorf("nonsense: %+v", th)
	}
}

// In the settings the cashier picks dark and a larger text (115 %: at 130 % some screens of
// other files are wider than 360 px, which the phone-size harness refuses): the app takes them at once, keeps
// them, and the screen stays on the settings with what was typed.
func TestSettingsTheme(t *testing.T) {
	h := newHarness(t, true, true, i18n.Russian)
	h.unlock()
	h.tapIcon(theme.SettingsIcon(), 0)
	h.typeInto(h.T("settings.register_name.hint"), 0, "Касса у окна")
	h.see(h.T("settings.theme"), h.T("settings.text_size"))
	h.tap(h.T("settings.theme.dark"))
	cur := h.app.Settings().Theme()
	if got := cur.Color(theme.ColorNameBackground, theme.VariantLight); got != darkPalette[theme.ColorNameBackground] {
		t.Errorf("background after choosing dark: %v", got)
	}
	if h.app.Preferences().String(PrefThemeMode) != string(ThemeDark) {
		t.Errorf("dark not kept")
	}
	normal := theme.DefaultTheme().Size(theme.SizeNameText)
	h.tap(h.T("settings.text_size.percent", map[string]any{"Percent": 115}))
	if got := h.app.Settings().Theme().Size(theme.SizeNameText); got != normal*1.15 {
		t.Errorf("text size %v, want %v", got, normal*1.15)
	}
	// A label drawn now is drawn larger.
	l := widget.NewLabel("Ә")
	test.WidgetRenderer(l)
	if l.MinSize().Height <= theme.DefaultTheme().Size(theme.SizeNameText)+2*theme.DefaultTheme().Size(theme.SizeNameInnerPadding) {
		t.Errorf("label %v not larger", l.MinSize())
	}
	h.see("Касса у окна")
	if _, ok := h.u.current.(*settingsScreen); !ok {
		t.Errorf("left the settings for %T", h.u.current)
	}
	h.shot("20-settings-dark-larger")
	h.tap(h.T("settings.theme.system"))
	h.tap(h.T("settings.text_size.percent", map[string]any{"Percent": 100}))
	if th := ThemeFromPreferences(h.app.Preferences()); th.Mode != ThemeSystem || th.Scale != 1 {
		t.Errorf("back to normal: %+v", th)
	}
}
