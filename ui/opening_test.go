package ui

import (
	"bytes"
	"image/png"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
)

// TestOpeningDrawsNoText: the opening frame is what the window shows first, before the register
// starts; a text in it (a label, or Fyne's progress bar, which measures "100%") would load the
// font faces before the first frame. Its icon is the small one, not the 1024 px app icon.
func TestOpeningDrawsNoText(t *testing.T) {
	a := test.NewTempApp(t)
	w := a.NewWindow(AppTitle)
	defer w.Close()
	o := Opening()
	w.SetContent(o)
	w.Resize(fyne.NewSize(360, 640))

	var texts, images int
	var walk func(fyne.CanvasObject)
	walk = func(obj fyne.CanvasObject) {
		switch v := obj.(type) {
		case *canvas.Text:
			texts++
		case *canvas.Image:
			images++
			if v.Resource != OpeningIcon {
				t.Errorf("the opening draws %v, want the small icon", v.Resource)
			}
		case *fyne.Container:
			for _, c := range v.Objects {
				walk(c)
			}
		case fyne.Widget:
			for _, c := range test.TempWidgetRenderer(t, v).Objects() {
				walk(c)
			}
		}
	}
	walk(o)
	if texts != 0 || images != 1 {
		t.Fatalf("the opening has %d texts and %d images, want 0 and 1", texts, images)
	}
	img, err := png.Decode(bytes.NewReader(OpeningIcon.Content()))
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != 192 || b.Dy() != 192 {
		t.Fatalf("the opening icon is %v, want 192×192 (96 dp at scale 2)", b)
	}
	if min := o.MinSize(); min.Width < 160 || min.Height < 100 {
		t.Fatalf("the opening's minimum size %v is smaller than its icon over its bar", min)
	}
}

// TestRunningBarRuns: the block runs across the whole bar and back, a fifth of its width.
func TestRunningBarRuns(t *testing.T) {
	test.NewTempApp(t)
	b := newRunningBar()
	r := test.TempWidgetRenderer(t, b).(*runningBarRenderer)
	b.Resize(fyne.NewSize(160, 4))
	r.tick(1)
	if got := r.block.Position().X; got != 128 {
		t.Fatalf("at the end of its run the block is at %v, want 128 (the bar less a fifth)", got)
	}
	r.tick(0)
	if got := r.block.Position().X; got != 0 {
		t.Fatalf("at the start the block is at %v, want 0", got)
	}
	if got := r.block.Size(); got != fyne.NewSize(32, 4) {
		t.Fatalf("the block is %v, want 32×4", got)
	}
}
