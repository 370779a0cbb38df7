package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
)

// demoHint tells a new user of the demo register the quick-access code of its demo cashier; it is
// hidden for a real register.
func (s *lockScreen) demoHint() fyne.CanvasObject {
	u := s.u
	hint := widget.NewLabelWithStyle(u.loc.T("lock.demo_hint", map[string]any{"Code": u.ports.DemoCode}),
		fyne.TextAlignLeading, fyne.TextStyle{Italic: true})
	hint.Wrapping = fyne.TextWrapWord
	hint.Importance = widget.HighImportance
	if !u.status.Demo || u.ports.DemoCode == "" {
		hint.Hide()
	}
	return hint
}
