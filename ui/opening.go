package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
)

// AppTitle is the window's title until the register's language is known (Show sets the
// translated one): the brand's Latin spelling, the same in every language.
const AppTitle = "E-kassa"

// Opening is the window's first frame while the register starts behind it (app.Main): the app's
// icon over a running bar. It has no words — the language is only known once the journal is
// read — and reads nothing, so it is drawn at once however large the journal is.
func Opening(a fyne.App) fyne.CanvasObject {
	bar := widget.NewProgressBarInfinite()
	items := []fyne.CanvasObject{}
	if icon := a.Metadata().Icon; icon != nil {
		img := widget.NewIcon(icon)
		items = append(items, container.NewGridWrap(fyne.NewSize(96, 96), img))
	}
	items = append(items, bar)
	return container.NewCenter(container.NewVBox(items...))
}
