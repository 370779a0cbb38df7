package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
)

// demoHint tells a new user of the demo register the quick-access code of its demo cashier, and
// that the demo's journal is kept (its folder, with the emulator's ledger, survives a close or a
// kill: walker S4 W7 found a shift "lost" after a restart); it is hidden for a real register.
func (s *lockScreen) demoHint() fyne.CanvasObject {
	u := s.u
	hint := widget.NewLabelWithStyle(u.loc.T("lock.demo_hint", map[string]any{"Code": u.ports.DemoCode})+"\n"+u.loc.T("lock.demo_kept"),
		fyne.TextAlignLeading, fyne.TextStyle{Italic: true})
	hint.Wrapping = fyne.TextWrapWord
	hint.Importance = widget.HighImportance
	if !u.status.Demo || u.ports.DemoCode == "" {
		hint.Hide()
	}
	return hint
}
