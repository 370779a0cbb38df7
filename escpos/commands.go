package escpos

import "image"

// The ESC/POS commands the package uses.
const (
	esc = 0x1b
	gs  = 0x1d
)

// Init returns ESC @: reset the printer to its defaults (clears the buffer and modes).
func Init() []byte { return []byte{esc, '@'} }

// Feed returns ESC d n: print what is buffered and feed n lines (at most 255).
func Feed(lines int) []byte { return []byte{esc, 'd', byte(max(0, min(lines, 255)))} }

// Cut returns GS V 1: a partial cut (one point left uncut, so the receipt does not fall).
func Cut() []byte { return []byte{gs, 'V', 1} }

// Raster returns the bitmap as GS v 0 commands (normal density, m = 0), one per band of at most
// BandRows rows: GS v 0 m xL xH yL yH, then yL+yH×256 rows of xL+xH×256 bytes.
func Raster(b *Bitmap) []byte {
	out := make([]byte, 0, len(b.Pix)+(b.Height/BandRows+1)*8)
	for y0 := 0; y0 < b.Height; y0 += BandRows {
		rows := min(BandRows, b.Height-y0)
		out = append(out, gs, 'v', '0', 0,
			byte(b.Stride), byte(b.Stride>>8), byte(rows), byte(rows>>8))
		out = append(out, b.Pix[y0*b.Stride:(y0+rows)*b.Stride]...)
	}
	return out
}

// FeedLinesBeforeCut is how many lines a job feeds after the picture, to bring its end past the
// cutter.
const FeedLinesBeforeCut = 4

// Job returns a whole print job for an image: initialise, the raster of the image dots wide (see
// Rasterize), feed past the cutter and cut.
func Job(img image.Image, dots int, d Dither) []byte {
	b := Rasterize(img, dots, d)
	job := Init()
	job = append(job, Raster(b)...)
	job = append(job, Feed(FeedLinesBeforeCut)...)
	return append(job, Cut()...)
}
