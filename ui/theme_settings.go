package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
)

// appearanceSection is the settings' part for the look of the app: the theme (as the system,
// light or dark) and the text size. A choice is kept in the preferences and takes effect at once;
// on the desktop it also lists the keyboard's keys.
func (u *UI) appearanceSection() fyne.CanvasObject {
	l := u.loc
	cur := ThemeFromPreferences(u.app.Preferences())
	modes := ThemeModes()
	modeNames := make([]string, len(modes))
	chosenMode := 0
	for i, m := range modes {
		modeNames[i] = l.T(themeModeID(m))
		if m == cur.Mode {
			chosenMode = i
		}
	}
	scales := TextScales()
	scaleNames := make([]string, len(scales))
	chosenScale := 0
	for i, s := range scales {
		scaleNames[i] = l.T("settings.text_size.percent", map[string]any{"Percent": int(s*100 + 0.5)})
		if s == cur.Scale {
			chosenScale = i
		}
	}
	box := container.NewVBox(
		field(l.T("settings.theme"), segmented(modeNames, chosenMode, func(i int) {
			u.app.Preferences().SetString(PrefThemeMode, string(modes[i]))
			u.applyTheme()
		})),
		field(l.T("settings.text_size"), segmented(scaleNames, chosenScale, func(i int) {
			u.app.Preferences().SetFloat(PrefTextScale, float64(scales[i]))
			u.applyTheme()
		})),
	)
	if !fyne.CurrentDevice().IsMobile() {
		box.Add(wrapped(l.T("settings.keys")))
	}
	return box
}

// applyTheme takes the theme kept in the preferences at once and lays the screen out again for
// the new text size.
func (u *UI) applyTheme() {
	ApplyTheme(u.app)
	u.render()
}

// themeModeID is the message ID of a mode's name.
func themeModeID(m ThemeMode) string {
	switch m {
	case ThemeLight:
		return "settings.theme.light"
	case ThemeDark:
		return "settings.theme.dark"
	}
	return "settings.theme.system"
}
