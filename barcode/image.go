package barcode

import (
	"bytes"
	"image"
	"image/color"

	"github.com/makiuchi-d/gozxing"
)

func bytesReader(b []byte) *bytes.Reader { return bytes.NewReader(b) }

// quietZone renders a bit matrix black on white with margin white pixels on every side.
func quietZone(m *gozxing.BitMatrix, margin int) image.Image {
	w, h := m.GetWidth(), m.GetHeight()
	img := image.NewGray(image.Rect(0, 0, w+2*margin, h+2*margin))
	for i := range img.Pix {
		img.Pix[i] = 0xff
	}
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			if m.Get(x, y) {
				img.SetGray(x+margin, y+margin, color.Gray{Y: 0})
			}
		}
	}
	return img
}
