package ui

import (
	_ "embed"
	"image/color"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// AppTitle is the window's title until the register's language is known (Show sets the
// translated one): the brand's Latin spelling, the same in every language.
const AppTitle = "E-kassa"

// OpeningIcon is the app's icon at 192×192 px (assets/icon_gen.go draws both): what the opening
// frame shows at 96 dp, and the window's icon. The app's own icon (assets/icon.png, 1024 px, the
// packages' metadata) cost tens of milliseconds of decoding and scaling before the first frame.
//
//go:embed opening_icon.png
var openingIconPNG []byte

// OpeningIcon is the small app icon (see openingIconPNG).
var OpeningIcon fyne.Resource = fyne.NewStaticResource("opening_icon.png", openingIconPNG)

// Opening is the window's first frame while the register starts behind it (app.Main): the app's
// icon over a running bar. It has no words — the language is only known once the journal is
// read — and reads nothing, so it is drawn at once however large the journal is. It measures no
// text either (Fyne's progress bar does, for its label), so the first frame loads no font.
func Opening() fyne.CanvasObject {
	img := canvas.NewImageFromResource(OpeningIcon)
	img.FillMode = canvas.ImageFillContain
	return container.NewCenter(container.NewVBox(
		container.NewCenter(container.NewGridWrap(fyne.NewSize(96, 96), img)),
		container.NewGridWrap(fyne.NewSize(160, 4), newRunningBar()),
	))
}

// runningBar is a bar with a block running to and fro: "starting, wait" without a word. Its
// animation runs while the bar is drawn and stops when the register's screen replaces the
// opening (the renderer is destroyed).
type runningBar struct {
	widget.BaseWidget
}

func newRunningBar() *runningBar {
	b := &runningBar{}
	b.ExtendBaseWidget(b)
	return b
}

func (b *runningBar) CreateRenderer() fyne.WidgetRenderer {
	th := b.Theme()
	v := fyne.CurrentApp().Settings().ThemeVariant()
	primary := th.Color(theme.ColorNamePrimary, v)
	r, g, bl, _ := primary.RGBA()
	r1 := &runningBarRenderer{
		bar:   b,
		track: canvas.NewRectangle(color.NRGBA{R: uint8(r >> 8), G: uint8(g >> 8), B: uint8(bl >> 8), A: 0x40}),
		block: canvas.NewRectangle(primary),
	}
	r1.anim = fyne.NewAnimation(1500*time.Millisecond, r1.tick)
	r1.anim.AutoReverse = true
	r1.anim.RepeatCount = fyne.AnimationRepeatForever
	r1.anim.Start()
	return r1
}

type runningBarRenderer struct {
	bar          *runningBar
	track, block *canvas.Rectangle
	anim         *fyne.Animation
	done         float32
}

// tick moves the block (a fifth of the bar) across the bar; done runs 0 → 1 → 0.
func (r *runningBarRenderer) tick(done float32) {
	r.done = done
	r.place(r.bar.Size())
	canvas.Refresh(r.block)
}

func (r *runningBarRenderer) place(size fyne.Size) {
	w := size.Width / 5
	r.block.Resize(fyne.NewSize(w, size.Height))
	r.block.Move(fyne.NewPos((size.Width-w)*r.done, 0))
}

func (r *runningBarRenderer) Layout(size fyne.Size) {
	r.track.Resize(size)
	r.place(size)
}

// MinSize is fixed: measuring anything here would load the fonts before the first frame.
func (r *runningBarRenderer) MinSize() fyne.Size { return fyne.NewSize(160, 4) }

func (r *runningBarRenderer) Objects() []fyne.CanvasObject {
	return []fyne.CanvasObject{r.track, r.block}
}

func (r *runningBarRenderer) Refresh() {
	r.track.Refresh()
	r.block.Refresh()
}

func (r *runningBarRenderer) Destroy() { r.anim.Stop() }
