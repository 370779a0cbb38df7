// Package escpos prints images on ESC/POS receipt printers (58 mm and 80 mm thermal printers) in
// raster mode: the picture of a receipt is sent dot for dot with GS v 0, so every Kazakh letter
// prints as drawn, whatever code pages the printer knows. It turns an image into a 1-bit bitmap
// (threshold or Floyd–Steinberg dithering), builds the command stream (initialise, raster bands,
// feed, cut) and sends it to a network printer over TCP (port 9100, "raw" or "JetDirect" printing).
//
// It imports nothing of the project (it prints any image; package receipt draws it) and no Fyne.
package escpos

import (
	"image"
	"image/color"
	"image/draw"

	xdraw "golang.org/x/image/draw"
)

// The printable widths in dots (203 dpi) of the two common paper widths.
const (
	Dots58mm = 384 // 58 mm paper, 48 mm printable
	Dots80mm = 576 // 80 mm paper, 72 mm printable
)

// BandRows is the most rows sent in one GS v 0 command: printers with small buffers refuse taller
// rasters, so a long receipt goes as a run of bands.
const BandRows = 256

// Dither says how grey becomes black or white dots.
type Dither uint8

// The two ways to reduce an image to dots: a threshold at mid-grey keeps text crisp (a rendered
// receipt is black on white already); Floyd–Steinberg error diffusion keeps the tones of a photo
// or logo.
const (
	Threshold Dither = iota
	FloydSteinberg
)

// Bitmap is a 1-bit image as a printer takes it: rows of Stride bytes, most significant bit
// leftmost, a set bit a black dot.
type Bitmap struct {
	Width, Height int
	Stride        int // bytes per row: (Width + 7) / 8
	Pix           []byte
}

// NewBitmap returns an all-white bitmap.
func NewBitmap(width, height int) *Bitmap {
	stride := (width + 7) / 8
	return &Bitmap{Width: width, Height: height, Stride: stride, Pix: make([]byte, stride*height)}
}

// Black reports whether the dot at (x, y) is black.
func (b *Bitmap) Black(x, y int) bool {
	return b.Pix[y*b.Stride+x/8]&(0x80>>(x%8)) != 0
}

// Set makes the dot at (x, y) black.
func (b *Bitmap) Set(x, y int) { b.Pix[y*b.Stride+x/8] |= 0x80 >> (x % 8) }

// Rasterize turns an image into a bitmap dots wide: an image wider than the paper is scaled down
// to fit (keeping its proportions), a narrower one is centred; transparent areas are white. Then
// each dot is black or white by the given dither.
func Rasterize(img image.Image, dots int, d Dither) *Bitmap {
	src := img.Bounds()
	w, h := src.Dx(), src.Dy()
	if w > dots {
		h = max(1, h*dots/w)
		w = dots
	}
	// Grey levels on white, scaled if needed, centred on the paper's width.
	grey := image.NewGray(image.Rect(0, 0, dots, h))
	draw.Draw(grey, grey.Bounds(), image.White, image.Point{}, draw.Src)
	x0 := (dots - w) / 2
	dst := image.Rect(x0, 0, x0+w, h)
	if w == src.Dx() {
		draw.Draw(grey, dst, img, src.Min, draw.Over)
	} else {
		xdraw.CatmullRom.Scale(grey, dst, img, src, draw.Over, nil)
	}

	b := NewBitmap(dots, h)
	switch d {
	case FloydSteinberg:
		floydSteinberg(grey, b)
	default:
		for y := 0; y < h; y++ {
			for x := 0; x < dots; x++ {
				if grey.GrayAt(x, y).Y < 128 {
					b.Set(x, y)
				}
			}
		}
	}
	return b
}

// floydSteinberg diffuses each dot's error to its neighbours (7/16 right, 3/16 below left, 5/16
// below, 1/16 below right), row by row.
func floydSteinberg(g *image.Gray, b *Bitmap) {
	w, h := b.Width, b.Height
	cur := make([]int, w+2)
	next := make([]int, w+2)
	for x := 0; x < w; x++ {
		cur[x+1] = int(g.GrayAt(x, 0).Y)
	}
	for y := 0; y < h; y++ {
		if y+1 < h {
			for x := 0; x < w; x++ {
				next[x+1] = int(g.GrayAt(x, y+1).Y)
			}
		}
		for x := 0; x < w; x++ {
			old := cur[x+1]
			v := 255
			if old < 128 {
				v = 0
				b.Set(x, y)
			}
			e := old - v
			cur[x+2] += e * 7 / 16
			next[x] += e * 3 / 16
			next[x+1] += e * 5 / 16
			next[x+2] += e / 16
		}
		cur, next = next, cur
		clear(next)
	}
}

// Image returns the bitmap as a black-and-white image, for looking at what will print.
func (b *Bitmap) Image() *image.Gray {
	img := image.NewGray(image.Rect(0, 0, b.Width, b.Height))
	for y := 0; y < b.Height; y++ {
		for x := 0; x < b.Width; x++ {
			c := color.Gray{Y: 0xff}
			if b.Black(x, y) {
				c.Y = 0
			}
			img.SetGray(x, y, c)
		}
	}
	return img
}
