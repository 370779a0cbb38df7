package ui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// The keys under which the look of the app is kept in the app's preferences.
const (
	// PrefThemeMode is the chosen variant: "system" (or nothing), "light" or "dark".
	PrefThemeMode = "ui.theme"
	// PrefTextScale is the chosen text size, a factor of the normal one (see TextScales).
	PrefTextScale = "ui.text_scale"
)

// ThemeMode is how the app picks between its light and dark colours.
type ThemeMode string

// The theme modes, in the order the settings offer them.
const (
	ThemeSystem ThemeMode = "system" // follow the phone's (or the desktop's) light or dark mode
	ThemeLight  ThemeMode = "light"
	ThemeDark   ThemeMode = "dark"
)

// ThemeModes are the modes the settings offer.
func ThemeModes() []ThemeMode { return []ThemeMode{ThemeSystem, ThemeLight, ThemeDark} }

// TextScales are the text sizes the settings offer: normal, large and larger. Only the sizes of
// text grow, not the paddings and icons, so that the keypad still fits a 360×640 phone at the
// largest (tested).
func TextScales() []float32 { return []float32{1, 1.15, 1.3} }

// Theme is the register's look: Fyne's default theme with colours chosen to pass WCAG AA (4.5:1
// for text, tested for both variants) and text sizes scaled for cashiers who need them larger. In
// ThemeSystem mode it follows the variant Fyne reports for the system; otherwise it keeps the one
// chosen.
type Theme struct {
	Mode  ThemeMode
	Scale float32 // the factor of every text size; 0 means 1
}

var _ fyne.Theme = (*Theme)(nil)

// ThemeFromPreferences is the theme kept in p, the system-following normal one if none is.
func ThemeFromPreferences(p fyne.Preferences) *Theme {
	t := &Theme{Mode: ThemeSystem, Scale: 1}
	switch m := ThemeMode(p.String(PrefThemeMode)); m {
	case ThemeLight, ThemeDark:
		t.Mode = m
	}
	s := float32(p.Float(PrefTextScale))
	for _, ok := range TextScales() {
		if s == ok {
			t.Scale = s
		}
	}
	return t
}

// ApplyTheme gives the app the theme kept in its preferences. The app calls it once at start;
// the settings call it again on every change, and Fyne redraws every window at once.
func ApplyTheme(a fyne.App) {
	a.Settings().SetTheme(ThemeFromPreferences(a.Preferences()))
}

// variant is the variant to draw in: the system's, or the one chosen.
func (t *Theme) variant(system fyne.ThemeVariant) fyne.ThemeVariant {
	switch t.Mode {
	case ThemeLight:
		return theme.VariantLight
	case ThemeDark:
		return theme.VariantDark
	}
	return system
}

// Color is the named colour in the variant to draw in: the register's palette where it has one,
// Fyne's default otherwise.
func (t *Theme) Color(n fyne.ThemeColorName, v fyne.ThemeVariant) color.Color {
	v = t.variant(v)
	pal := lightPalette
	if v == theme.VariantDark {
		pal = darkPalette
	}
	if c, ok := pal[n]; ok {
		return c
	}
	return theme.DefaultTheme().Color(n, v)
}

// Font is Fyne's default font (it has every Kazakh letter).
func (t *Theme) Font(s fyne.TextStyle) fyne.Resource { return theme.DefaultTheme().Font(s) }

// Icon is Fyne's default icon.
func (t *Theme) Icon(n fyne.ThemeIconName) fyne.Resource { return theme.DefaultTheme().Icon(n) }

// Size is Fyne's default size, times the text scale for text sizes.
func (t *Theme) Size(n fyne.ThemeSizeName) float32 {
	s := theme.DefaultTheme().Size(n)
	if t.Scale <= 0 {
		return s
	}
	switch n {
	case theme.SizeNameText, theme.SizeNameHeadingText, theme.SizeNameSubHeadingText, theme.SizeNameCaptionText:
		return s * t.Scale
	}
	return s
}

// rgb is an opaque colour from its hex digits.
func rgb(hex uint32) color.NRGBA {
	return color.NRGBA{R: uint8(hex >> 16), G: uint8(hex >> 8), B: uint8(hex), A: 0xff}
}

// The palettes. Fyne's defaults fail WCAG AA in places (white on its blue 4.47:1, the light
// placeholder 3.2:1, the red and green status texts 3.7:1 and 1.5:1, the light disabled text
// 1.3:1): these colours pass, each pair checked by TestThemeContrast. The light primary is a
// deeper blue so white text reads on it; the dark primary is a lighter blue that carries dark
// text and reads as text on the dark background too.
var (
	lightPalette = map[fyne.ThemeColorName]color.Color{
		theme.ColorNameBackground:          rgb(0xffffff),
		theme.ColorNameOverlayBackground:   rgb(0xffffff),
		theme.ColorNameMenuBackground:      rgb(0xf5f5f7),
		theme.ColorNameHeaderBackground:    rgb(0xf7f7f9),
		theme.ColorNameInputBackground:     rgb(0xf1f1f4),
		theme.ColorNameInputBorder:         rgb(0x8a8a92), // 3.4:1, a visible edge for a field (WCAG 1.4.11)
		theme.ColorNameButton:              rgb(0xebebef),
		theme.ColorNameDisabledButton:      rgb(0xf1f1f4),
		theme.ColorNameForeground:          rgb(0x1d1d1f),
		theme.ColorNameDisabled:            rgb(0x5f5f66),
		theme.ColorNamePlaceHolder:         rgb(0x5f5f66),
		theme.ColorNamePrimary:             rgb(0x1f5fc8),
		theme.ColorNameForegroundOnPrimary: rgb(0xffffff),
		theme.ColorNameHyperlink:           rgb(0x1f5fc8),
		theme.ColorNameError:               rgb(0xc2261f),
		theme.ColorNameForegroundOnError:   rgb(0xffffff),
		theme.ColorNameSuccess:             rgb(0x1b7a34),
		theme.ColorNameForegroundOnSuccess: rgb(0xffffff),
		theme.ColorNameWarning:             rgb(0x9a5200),
		theme.ColorNameForegroundOnWarning: rgb(0xffffff),
		theme.ColorNameSeparator:           rgb(0xd4d4da),
		theme.ColorNameFocus:               color.NRGBA{R: 0x1f, G: 0x5f, B: 0xc8, A: 0x33},
		theme.ColorNameSelection:           color.NRGBA{R: 0x1f, G: 0x5f, B: 0xc8, A: 0x40},
	}
	darkPalette = map[fyne.ThemeColorName]color.Color{
		theme.ColorNameBackground:          rgb(0x17171a),
		theme.ColorNameOverlayBackground:   rgb(0x1e1f24),
		theme.ColorNameMenuBackground:      rgb(0x26272d),
		theme.ColorNameHeaderBackground:    rgb(0x1b1b1f),
		theme.ColorNameInputBackground:     rgb(0x232328),
		theme.ColorNameInputBorder:         rgb(0x77777f), // 3.9:1 against the background
		theme.ColorNameButton:              rgb(0x2c2d33),
		theme.ColorNameDisabledButton:      rgb(0x232328),
		theme.ColorNameForeground:          rgb(0xf3f3f3),
		theme.ColorNameDisabled:            rgb(0x9b9ba3),
		theme.ColorNamePlaceHolder:         rgb(0xa0a0a8),
		theme.ColorNamePrimary:             rgb(0x6ea3ff),
		theme.ColorNameForegroundOnPrimary: rgb(0x0e1116),
		theme.ColorNameHyperlink:           rgb(0x6ea3ff),
		theme.ColorNameError:               rgb(0xff7b72),
		theme.ColorNameForegroundOnError:   rgb(0x17171a),
		theme.ColorNameSuccess:             rgb(0x5bd168),
		theme.ColorNameForegroundOnSuccess: rgb(0x17171a),
		theme.ColorNameWarning:             rgb(0xffb347),
		theme.ColorNameForegroundOnWarning: rgb(0x17171a),
		theme.ColorNameSeparator:           rgb(0x3a3a42),
		theme.ColorNameFocus:               color.NRGBA{R: 0x6e, G: 0xa3, B: 0xff, A: 0x33},
		theme.ColorNameSelection:           color.NRGBA{R: 0x6e, G: 0xa3, B: 0xff, A: 0x40},
		theme.ColorNamePressed:             color.NRGBA{R: 0xff, G: 0xff, B: 0xff, A: 0x33}, // Fyne's 0x66 leaves 3.5:1 on a key
	}
)
