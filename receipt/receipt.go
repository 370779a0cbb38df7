// Package receipt turns a register's documents into what people keep and share: a picture of the
// receipt or report with its QR code, drawn in a monospace font that has every Kazakh letter
// (ә ғ қ ң ө ұ ү һ і), and the plain text with the check link.
//
// The text itself is kkm.ReceiptText's; this package only draws it. The pixel grid matches a
// thermal printer's: at scale 1 a column is 12 dots wide and a line 24 dots high, so 32 columns fill
// a 58 mm printer's 384 dots and 48 columns an 80 mm printer's 576, and the image can be sent to
// package escpos as it is. Scale 2 gives a crisp image on a phone screen.
//
// It must not import Fyne or the screens: the caller hands NewRenderer its font (the app and ui
// hand Fyne's monospace), so drawing a receipt needs no GUI toolkit.
package receipt

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"io"
	"strings"

	qrcode "github.com/skip2/go-qrcode"
	"golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"

	"github.com/ekassa-go/ekassa/kkm"
)

// The pixel grid at scale 1: a thermal printer's 12×24-dot character cell.
const (
	CellWidth  = 12
	CellHeight = 24
)

// ErrNoText is returned when there is nothing to draw.
var ErrNoText = errors.New("receipt: no text to draw")

// Options says how to draw a document.
type Options struct {
	// Columns is the width of the text in characters (kkm.ReceiptColumns58mm, …80mm). Zero takes
	// kkm.ReceiptColumns80mm for a document; for RenderText, the widest line.
	Columns int
	// Scale multiplies the 12×24 cell; zero means 1 (printer dots). 2 suits a phone screen.
	Scale int
	// Margin is the white border in cells at scale 1 (zero for a printer, which has its own
	// margins; one or two for an image on screen).
	Margin int
	// QRModules is the width of the QR code in cells, the quiet zone included; zero makes it about
	// half the width, at least 14 cells. It is rounded down to whole pixels per module.
	QRModules int
}

// scale returns the effective scale.
func (o Options) scale() int { return max(1, o.Scale) }

// Renderer draws documents with one monospace font. It is safe for concurrent use: each call
// builds its own font face.
type Renderer struct {
	font *opentype.Font
}

// NewRenderer returns a renderer drawing with the given TrueType or OpenType font. The font should
// be monospace, since the text's columns are aligned by spaces, and have every letter of the
// Kazakh and Russian alphabets, the tenge sign ₸ and №: the app hands it the monospace font
// bundled with Fyne (DejaVu Sans Mono), so that this package needs no GUI toolkit.
func NewRenderer(ttf []byte) (*Renderer, error) {
	f, err := opentype.Parse(ttf)
	if err != nil {
		return nil, fmt.Errorf("receipt: parse font: %w", err)
	}
	return &Renderer{font: f}, nil
}

// HasGlyphs reports which runes of s the renderer's font has no glyph for (nil when it has them
// all): those would be drawn as the font's empty box.
func (r *Renderer) HasGlyphs(s string) (missing []rune, err error) {
	var buf sfnt.Buffer
	for _, c := range s {
		g, err := r.font.GlyphIndex(&buf, c)
		if err != nil {
			return nil, fmt.Errorf("receipt: glyph of %q: %w", c, err)
		}
		if g == 0 && kkm.TextWidth(string(c)) > 0 && c != ' ' {
			missing = append(missing, c)
		}
	}
	return missing, nil
}

// Render draws a document as kkm.ReceiptText lays it out, with the QR code of its check link (see
// kkm.CheckLink) at the bottom when it has one.
func (r *Renderer) Render(doc kkm.Document, s kkm.Settings, mark kkm.FiscalMark, opt Options) (*image.Gray, error) {
	if opt.Columns == 0 {
		opt.Columns = kkm.ReceiptColumns80mm
	}
	text := kkm.ReceiptText(doc, s, mark, opt.Columns)
	return r.RenderText(text, kkm.CheckLink(doc, s, mark), opt)
}

// RenderText draws monospace text, one cell per column, black on white, and below it the QR code
// of link when link is not empty. The image is Columns (or the widest line) cells wide.
func (r *Renderer) RenderText(text, link string, opt Options) (*image.Gray, error) {
	lines := strings.Split(strings.TrimRight(text, "\n"), "\n")
	if strings.TrimSpace(text) == "" {
		return nil, ErrNoText
	}
	sc := opt.scale()
	cw, ch := CellWidth*sc, CellHeight*sc
	cols := opt.Columns
	for _, l := range lines {
		cols = max(cols, kkm.TextWidth(l))
	}
	margin := opt.Margin * CellWidth * sc

	var qr [][]bool
	module := 0
	if link != "" {
		q, err := qrcode.New(link, qrcode.Medium)
		if err != nil {
			return nil, fmt.Errorf("receipt: QR code of %q: %w", link, err)
		}
		qr = q.Bitmap() // the quiet zone included
		want := opt.QRModules * CellWidth * sc
		if want == 0 {
			want = max(cols*cw/2, 14*cw)
		}
		module = max(2*sc, min(want, cols*cw)/len(qr))
	}

	width := cols*cw + 2*margin
	height := len(lines)*ch + 2*margin
	if qr != nil {
		height += len(qr) * module
	}
	img := image.NewGray(image.Rect(0, 0, width, height))
	draw.Draw(img, img.Bounds(), image.White, image.Point{}, draw.Src)

	face, err := opentype.NewFace(r.font, &opentype.FaceOptions{
		Size:    float64(cw) / advanceRatio(r.font),
		DPI:     72,
		Hinting: font.HintingFull,
	})
	if err != nil {
		return nil, fmt.Errorf("receipt: font face: %w", err)
	}
	defer face.Close()
	m := face.Metrics()
	// Centre the font's ascent+descent in the cell height, on a whole pixel, so that every glyph
	// lands on the same sub-pixel phase and can be drawn once and stamped.
	baseline := ((fixed.I(ch)-m.Ascent-m.Descent)/2 + m.Ascent).Round()
	glyphs := glyphCache{face: face, cache: map[rune]*cachedGlyph{}}
	for i, l := range lines {
		col := 0
		y := margin + i*ch + baseline
		for _, c := range l {
			w := kkm.TextWidth(string(c))
			if c != ' ' && c != '\u00a0' && w > 0 {
				glyphs.draw(img, image.Pt(margin+col*cw, y), c)
			}
			col += w
		}
	}

	if qr != nil {
		size := len(qr) * module
		x0 := (width - size) / 2
		y0 := margin + len(lines)*ch
		for y, row := range qr {
			for x, set := range row {
				if set {
					draw.Draw(img, image.Rect(x0+x*module, y0+y*module, x0+(x+1)*module, y0+(y+1)*module),
						image.Black, image.Point{}, draw.Src)
				}
			}
		}
	}
	return img, nil
}

// glyphCache draws each character of one face once and stamps it wherever it recurs, since all
// glyphs sit on whole pixels.
type glyphCache struct {
	face  font.Face
	cache map[rune]*cachedGlyph
}

// cachedGlyph is a glyph's coverage and where it goes relative to the pen (the dot).
type cachedGlyph struct {
	mask   *image.Alpha
	offset image.Point
}

// draw stamps the glyph of c in black with its pen at dot (left end of the baseline).
func (g *glyphCache) draw(dst draw.Image, dot image.Point, c rune) {
	cg, ok := g.cache[c]
	if !ok {
		dr, mask, mp, _, found := g.face.Glyph(fixed.Point26_6{}, c)
		if !found && dr.Empty() {
			g.cache[c] = nil
			return
		}
		// The face reuses its mask buffer: keep a copy.
		a := image.NewAlpha(image.Rect(0, 0, dr.Dx(), dr.Dy()))
		draw.Draw(a, a.Bounds(), mask, mp, draw.Src)
		cg = &cachedGlyph{mask: a, offset: dr.Min}
		g.cache[c] = cg
	}
	if cg == nil {
		return
	}
	r := cg.mask.Bounds().Add(dot.Add(cg.offset))
	draw.DrawMask(dst, r, image.Black, image.Point{}, cg.mask, image.Point{}, draw.Over)
}

// advanceRatio returns the font's advance width per em (0.6 for DejaVu Sans Mono), read from the
// glyph of '0'; the font size is chosen so that one advance fills one cell.
func advanceRatio(f *opentype.Font) float64 {
	var buf sfnt.Buffer
	const ppem = 1024
	g, err := f.GlyphIndex(&buf, '0')
	if err != nil || g == 0 {
		return 0.6
	}
	adv, err := f.GlyphAdvance(&buf, g, fixed.I(ppem), font.HintingNone)
	if err != nil || adv <= 0 {
		return 0.6
	}
	return float64(adv) / 64 / ppem
}

// QRCode draws a QR code holding link, size pixels square (rounded down to whole pixels per
// module, at least one), black on white with its quiet zone: for showing large on screen for a
// buyer's phone to scan.
func QRCode(link string, size int) (*image.Gray, error) {
	if link == "" {
		return nil, ErrNoText
	}
	q, err := qrcode.New(link, qrcode.Medium)
	if err != nil {
		return nil, fmt.Errorf("receipt: QR code of %q: %w", link, err)
	}
	bm := q.Bitmap()
	module := max(1, size/len(bm))
	n := len(bm) * module
	img := image.NewGray(image.Rect(0, 0, n, n))
	for y := 0; y < n; y++ {
		for x := 0; x < n; x++ {
			v := color.Gray{Y: 0xff}
			if bm[y/module][x/module] {
				v.Y = 0
			}
			img.SetGray(x, y, v)
		}
	}
	return img, nil
}

// EncodePNG encodes an image as PNG bytes.
func EncodePNG(img image.Image) ([]byte, error) {
	var b bytes.Buffer
	if err := WritePNG(&b, img); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// WritePNG writes an image as PNG to w (for a save dialog's writer, say).
func WritePNG(w io.Writer, img image.Image) error {
	enc := png.Encoder{CompressionLevel: png.DefaultCompression}
	if err := enc.Encode(w, img); err != nil {
		return fmt.Errorf("receipt: encode PNG: %w", err)
	}
	return nil
}
