//go:build ignore

// icon_gen draws the app icon, assets/icon.png (1024×1024): a white receipt with a zigzag tear
// and the tenge sign on a deep teal rounded square, and the same scaled to 192×192 for the
// window's opening frame, ui/opening_icon.png (96 dp at a phone's scale 2: decoding and scaling
// the 1024 px icon took tens of milliseconds before the first frame). Drawn from shapes so it is
// reproducible:
//
//	go run assets/icon_gen.go
package main

import (
	"image"
	"image/color"
	"image/png"
	"log"
	"math"
	"os"

	"golang.org/x/image/draw"
)

const size = 1024

var (
	teal  = color.RGBA{0x0b, 0x6e, 0x69, 0xff}
	teal2 = color.RGBA{0x13, 0x95, 0x8c, 0xff}
	white = color.RGBA{0xff, 0xff, 0xff, 0xff}
	ink   = color.RGBA{0x0b, 0x4f, 0x4b, 0xff}
	gold  = color.RGBA{0xf2, 0xb7, 0x05, 0xff}
)

func main() {
	img := image.NewRGBA(image.Rect(0, 0, size, size))
	for y := 0; y < size; y++ {
		for x := 0; x < size; x++ {
			if !inRoundedRect(x, y, 0, 0, size, size, 220) {
				continue
			}
			// A diagonal gradient gives the flat square some depth.
			t := float64(x+y) / float64(2*size)
			img.Set(x, y, mix(teal2, teal, t))
		}
	}
	// The receipt: a white strip with a zigzag bottom edge.
	left, right, top, bottom := 300, 724, 170, 820
	for y := top; y < bottom+40; y++ {
		for x := left; x < right; x++ {
			if y >= bottom && y-bottom > zig(x-left) {
				continue
			}
			img.Set(x, y, white)
		}
	}
	// Printed lines of the receipt.
	for i, w := range []int{300, 220, 260} {
		fill(img, left+62, top+70+i*56, left+62+w, top+70+i*56+22, color.RGBA{0xc9, 0xd8, 0xd6, 0xff})
	}
	// The tenge sign ₸: two bars and a stem, in ink, with a gold underline as the total.
	cx := (left + right) / 2
	fill(img, cx-130, 420, cx+130, 462, ink)
	fill(img, cx-130, 500, cx+130, 542, ink)
	fill(img, cx-22, 500, cx+22, 720, ink)
	fill(img, left+62, 760, right-62, 782, gold)
	write("assets/icon.png", img)
	small := image.NewRGBA(image.Rect(0, 0, openingSize, openingSize))
	draw.CatmullRom.Scale(small, small.Bounds(), img, img.Bounds(), draw.Src, nil)
	write("ui/opening_icon.png", small)
}

// openingSize is the opening frame's icon in pixels: 96 dp at scale 2.
const openingSize = 192

func write(path string, img image.Image) {
	f, err := os.Create(path)
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	if err := png.Encode(f, img); err != nil {
		log.Fatal(err)
	}
}

func zig(dx int) int {
	const tooth = 53
	p := dx % tooth
	return int(math.Abs(float64(p-tooth/2))) * 40 / (tooth / 2)
}

func fill(img *image.RGBA, x0, y0, x1, y1 int, c color.Color) {
	for y := y0; y < y1; y++ {
		for x := x0; x < x1; x++ {
			img.Set(x, y, c)
		}
	}
}

func inRoundedRect(x, y, x0, y0, x1, y1, r int) bool {
	cx := min(max(x, x0+r), x1-r-1)
	cy := min(max(y, y0+r), y1-r-1)
	dx, dy := x-cx, y-cy
	return dx*dx+dy*dy <= r*r
}

func mix(a, b color.RGBA, t float64) color.RGBA {
	l := func(p, q uint8) uint8 { return uint8(float64(p)*(1-t) + float64(q)*t) }
	return color.RGBA{l(a.R, b.R), l(a.G, b.G), l(a.B, b.B), 0xff}
}
