package escpos

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"io"
	"net"
	"testing"
	"time"

	"fyne.io/fyne/v2/theme"

	"github.com/ekassa-go/ekassa/kkm"
	"github.com/ekassa-go/ekassa/receipt"
)

// printout is what a fake printer understood of an ESC/POS stream.
type printout struct {
	inits, cuts, fed int
	raster           *Bitmap // the bands stacked
}

// decode parses an ESC/POS stream of the commands this package sends (ESC @, GS v 0, ESC d, GS V)
// and stacks the raster bands; anything else is an error, as a strict printer would refuse it.
func decode(stream []byte) (printout, error) {
	var p printout
	for i := 0; i < len(stream); {
		switch {
		case bytes.HasPrefix(stream[i:], []byte{esc, '@'}):
			p.inits++
			i += 2
		case bytes.HasPrefix(stream[i:], []byte{esc, 'd'}) && i+2 < len(stream):
			p.fed += int(stream[i+2])
			i += 3
		case bytes.HasPrefix(stream[i:], []byte{gs, 'V'}) && i+2 < len(stream):
			p.cuts++
			i += 3
		case bytes.HasPrefix(stream[i:], []byte{gs, 'v', '0'}) && i+8 <= len(stream):
			if m := stream[i+3]; m != 0 {
				return p, fmt.Errorf("offset %d: raster mode %d, want 0", i, m)
			}
			stride := int(stream[i+4]) | int(stream[i+5])<<8
			rows := int(stream[i+6]) | int(stream[i+7])<<8
			if rows > BandRows {
				return p, fmt.Errorf("offset %d: band of %d rows", i, rows)
			}
			n := stride * rows
			data := stream[i+8:]
			if len(data) < n {
				return p, fmt.Errorf("offset %d: raster of %d bytes, %d left", i, n, len(data))
			}
			if p.raster == nil {
				p.raster = &Bitmap{Width: stride * 8, Stride: stride}
			} else if p.raster.Stride != stride {
				return p, fmt.Errorf("offset %d: band %d bytes wide after %d", i, stride, p.raster.Stride)
			}
			p.raster.Pix = append(p.raster.Pix, data[:n]...)
			p.raster.Height += rows
			i += 8 + n
		default:
			return p, fmt.Errorf("offset %d: unknown command % x", i, stream[i:min(i+4, len(stream))])
		}
	}
	return p, nil
}

// fakePrinter listens on loopback like a network printer on port 9100 and hands over each job it
// receives (everything read until the client closes its side).
func fakePrinter(t *testing.T) (addr string, jobs <-chan []byte) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	ch := make(chan []byte, 4)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			b, _ := io.ReadAll(c)
			c.Close()
			ch <- b
		}
	}()
	return ln.Addr().String(), ch
}

// pattern draws a test card dots wide: a border, diagonals and a checkerboard, black on white.
func pattern(w, h int) *image.Gray {
	img := image.NewGray(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			// Lines two dots thick, so that they survive scaling to half size.
			black := x < 2 || y < 2 || x >= w-2 || y >= h-2 || abs(x-y) < 2 || abs(w-1-y-x) < 2 ||
				(y > h/2 && (x/8+y/8)%2 == 0)
			c := color.Gray{Y: 0xff}
			if black {
				c.Y = 0
			}
			img.SetGray(x, y, c)
		}
	}
	return img
}

// abs returns |v|.
func abs(v int) int { return max(v, -v) }

// sameDots compares a bitmap with a black-and-white image dot by dot.
func sameDots(t *testing.T, b *Bitmap, img *image.Gray) {
	t.Helper()
	r := img.Bounds()
	if b.Width != r.Dx() || b.Height != r.Dy() {
		t.Fatalf("raster %d×%d, image %d×%d", b.Width, b.Height, r.Dx(), r.Dy())
	}
	bad := 0
	for y := 0; y < b.Height; y++ {
		for x := 0; x < b.Width; x++ {
			if b.Black(x, y) != (img.GrayAt(r.Min.X+x, r.Min.Y+y).Y < 128) {
				bad++
			}
		}
	}
	if bad > 0 {
		t.Errorf("%d dots differ from the image", bad)
	}
}

// TestPrintLoopback prints to a fake network printer and decodes what it received: one init, the
// raster equal to the image dot for dot, a feed and a cut. It covers both paper widths, a tall
// image spanning several bands, and a receipt drawn by package receipt with Kazakh letters.
func TestPrintLoopback(t *testing.T) {
	r, err := receipt.NewRenderer(theme.DefaultTextMonospaceFont().Content())
	if err != nil {
		t.Fatal(err)
	}
	text := "ФИСКАЛДЫҚ ЧЕК / ФИСКАЛЬНЫЙ ЧЕК\nӘә Ғғ Ққ Ңң Өө Ұұ Үү Һһ Іі\nЖИЫНЫ / ИТОГО      1 280,00 ₸\n"
	rendered, err := r.RenderText(text, "http://consumer.oofd.kz?i=1&f=620300144467&s=1280.00&t=20260302T101200",
		receipt.Options{Columns: kkm.ReceiptColumns58mm})
	if err != nil {
		t.Fatal(err)
	}
	want := Rasterize(rendered, Dots58mm, Threshold).Image()
	tests := []struct {
		name  string
		img   image.Image
		dots  int
		want  *image.Gray
		bands int
	}{
		{"58 mm test card", pattern(Dots58mm, 100), Dots58mm, pattern(Dots58mm, 100), 1},
		{"80 mm, several bands", pattern(Dots80mm, 3*BandRows+17), Dots80mm, pattern(Dots80mm, 3*BandRows+17), 4},
		{"58 mm receipt with Kazakh letters and QR", rendered, Dots58mm, want, (rendered.Bounds().Dy() + BandRows - 1) / BandRows},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			addr, jobs := fakePrinter(t)
			p := Printer{Addr: addr, Dots: tt.dots}
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			if err := p.Print(ctx, tt.img); err != nil {
				t.Fatal(err)
			}
			var job []byte
			select {
			case job = <-jobs:
			case <-ctx.Done():
				t.Fatal("the printer received nothing")
			}
			got, err := decode(job)
			if err != nil {
				t.Fatal(err)
			}
			if got.inits != 1 || got.cuts != 1 || got.fed != FeedLinesBeforeCut {
				t.Errorf("inits %d, cuts %d, fed %d; want 1, 1, %d", got.inits, got.cuts, got.fed, FeedLinesBeforeCut)
			}
			if n := bytes.Count(job, []byte{gs, 'v', '0'}); n < tt.bands {
				t.Errorf("%d raster bands, want %d", n, tt.bands)
			}
			if !bytes.HasPrefix(job, Init()) || !bytes.HasSuffix(job, Cut()) {
				t.Error("the job does not start with ESC @ and end with the cut")
			}
			sameDots(t, got.raster, tt.want)
		})
	}
}

func TestRasterizeFit(t *testing.T) {
	tests := []struct {
		name         string
		w, h, dots   int
		wantH        int
		wantLeftEdge int // the first black column: the image's left border after centring
	}{
		{"exact", 384, 50, Dots58mm, 50, 0},
		{"narrower is centred", 200, 50, Dots58mm, 50, 92},
		{"phone scale 2 halves", 768, 100, Dots58mm, 50, 0},
		{"80 mm image on 58 mm paper", 576, 90, Dots58mm, 60, 0},
	}
	for _, tt := range tests {
		b := Rasterize(pattern(tt.w, tt.h), tt.dots, Threshold)
		if b.Width != tt.dots || b.Height != tt.wantH {
			t.Errorf("%s: %d×%d, want %d×%d", tt.name, b.Width, b.Height, tt.dots, tt.wantH)
			continue
		}
		first := -1
		for x := 0; x < b.Width && first < 0; x++ {
			if b.Black(x, b.Height/4) {
				first = x
			}
		}
		if first != tt.wantLeftEdge {
			t.Errorf("%s: first black dot at %d, want %d", tt.name, first, tt.wantLeftEdge)
		}
	}
}

// TestDither checks the two reductions on flat greys: the threshold gives all or nothing, error
// diffusion keeps the tone as a share of black dots.
func TestDither(t *testing.T) {
	tests := []struct {
		grey         uint8
		d            Dither
		minBl, maxBl float64 // share of black dots
	}{
		{0x00, Threshold, 1, 1},
		{0xff, Threshold, 0, 0},
		{0x90, Threshold, 0, 0},
		{0x70, Threshold, 1, 1},
		{0x80, FloydSteinberg, 0.45, 0.55},
		{0xc0, FloydSteinberg, 0.20, 0.30},
		{0x40, FloydSteinberg, 0.70, 0.80},
		{0xff, FloydSteinberg, 0, 0},
	}
	for _, tt := range tests {
		img := image.NewUniform(color.Gray{Y: tt.grey})
		sub := image.NewGray(image.Rect(0, 0, 96, 96))
		for y := 0; y < 96; y++ {
			for x := 0; x < 96; x++ {
				sub.Set(x, y, img.C)
			}
		}
		b := Rasterize(sub, 96, tt.d)
		black := 0
		for y := 0; y < b.Height; y++ {
			for x := 0; x < b.Width; x++ {
				if b.Black(x, y) {
					black++
				}
			}
		}
		share := float64(black) / float64(b.Width*b.Height)
		if share < tt.minBl || share > tt.maxBl {
			t.Errorf("grey %#x dither %d: %.2f black, want %.2f–%.2f", tt.grey, tt.d, share, tt.minBl, tt.maxBl)
		}
	}
}

func TestCommands(t *testing.T) {
	tests := []struct {
		name string
		got  []byte
		want []byte
	}{
		{"init", Init(), []byte{0x1b, 0x40}},
		{"feed", Feed(3), []byte{0x1b, 0x64, 3}},
		{"feed clamps", Feed(1000), []byte{0x1b, 0x64, 255}},
		{"cut", Cut(), []byte{0x1d, 0x56, 1}},
		{"raster 9×2", Raster(&Bitmap{Width: 9, Height: 2, Stride: 2, Pix: []byte{0x80, 0x80, 0xff, 0x00}}),
			[]byte{0x1d, 0x76, 0x30, 0, 2, 0, 2, 0, 0x80, 0x80, 0xff, 0x00}},
	}
	for _, tt := range tests {
		if !bytes.Equal(tt.got, tt.want) {
			t.Errorf("%s: % x, want % x", tt.name, tt.got, tt.want)
		}
	}
}

// TestSendErrors checks a missing address, a refused connection, and a printer that accepts but
// never reads: the job gives up at the context's deadline instead of hanging.
func TestSendErrors(t *testing.T) {
	if err := (Printer{}).Send(context.Background(), []byte{1}); !errors.Is(err, ErrNoAddress) {
		t.Errorf("no address: %v", err)
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := ln.Addr().String()
	ln.Close()
	var op *net.OpError
	if err := (Printer{Addr: closed}).Send(context.Background(), []byte{1}); !errors.As(err, &op) {
		t.Errorf("refused connection: %v, want a *net.OpError inside", err)
	}

	stuck, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer stuck.Close()
	held := make(chan net.Conn, 1)
	go func() {
		c, err := stuck.Accept()
		if err == nil {
			held <- c // accepted, never read
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	err = Printer{Addr: stuck.Addr().String()}.Send(ctx, make([]byte, 64<<20))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("stuck printer: %v, want the deadline", err)
	}
	select {
	case c := <-held:
		c.Close()
	default:
	}
}

func TestPrinterAddress(t *testing.T) {
	tests := []struct{ in, want string }{
		{"192.168.1.50", "192.168.1.50:9100"},
		{"192.168.1.50:9101", "192.168.1.50:9101"},
		{"printer.local", "printer.local:9100"},
		{"fe80::1", "[fe80::1]:9100"},
	}
	for _, tt := range tests {
		if got, err := (Printer{Addr: tt.in}).address(); err != nil || got != tt.want {
			t.Errorf("address(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}
