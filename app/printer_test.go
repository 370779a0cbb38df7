package app

import (
	"bytes"
	"errors"
	"image"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/ekassa-go/ekassa/escpos"
	"github.com/ekassa-go/ekassa/i18n"
	"github.com/ekassa-go/ekassa/kkm"
	"github.com/ekassa-go/ekassa/receipt"
	"github.com/ekassa-go/ekassa/ui"
)

// The printer port prints a receipt on the settings' network printer at the paper's width as
// the renderer draws it, dot for dot; an X report prints; the test slip prints on the printer as
// typed; a printer missing or unreachable is the screens' refusal, translated.
func TestPrinterPrintsOnNetworkPrinter(t *testing.T) {
	r := newRig(t)
	p := newFakePrinter(t)
	port := r.rt.Ports().Printer
	doc := r.sell(2500)
	if err := port.Print(r.ctx, []ui.IssuedDocument{doc}); !errors.Is(err, ui.ErrPrinterNotSet) {
		t.Fatalf("no printer: %v", err)
	}

	// The test slip, on the printer as typed (not saved).
	if err := port.PrintText(r.ctx, kkm.Printer{Address: p.addr, Paper: kkm.Paper80mm}, "ӘҒҚҢӨҰҮҺІ\n"+strings.Repeat("-", 48)); err != nil {
		t.Fatal(err)
	}
	slip := decodeJob(t, p.job(t))
	if slip.Width != escpos.Dots80mm || blackDots(slip) == 0 {
		t.Errorf("test slip %d dots wide, %d black", slip.Width, blackDots(slip))
	}
	if err := port.PrintText(r.ctx, kkm.Printer{Address: "printer:port"}, "x"); err == nil {
		t.Error("a bad address printed")
	}

	set := r.rt.Settings()
	set.Printer = kkm.Printer{Address: p.addr, Paper: kkm.Paper80mm}
	if err := r.rt.SaveSettings(r.ctx, r.by, set); err != nil {
		t.Fatal(err)
	}
	if err := port.Print(r.ctx, []ui.IssuedDocument{doc}); err != nil {
		t.Fatal(err)
	}
	job := p.job(t)
	rr, err := receiptRenderer()
	if err != nil {
		t.Fatal(err)
	}
	img, err := rr.Render(doc.Document, r.rt.Settings(), doc.FiscalMark(), receipt.Options{Columns: kkm.ReceiptColumns80mm})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(job, escpos.Job(img, escpos.Dots80mm, escpos.Threshold)) {
		t.Error("the printer got another picture than the receipt's")
	}
	bm := decodeJob(t, job)
	if bm.Width != escpos.Dots80mm || bm.Height != img.Bounds().Dy() || !sameDots(bm, img) {
		t.Errorf("printed %d×%d, drawn %v", bm.Width, bm.Height, img.Bounds())
	}

	// The X report prints too.
	x, err := r.rt.XReport(r.ctx, r.by)
	if err != nil {
		t.Fatal(err)
	}
	if err := port.Print(r.ctx, x); err != nil {
		t.Fatal(err)
	}
	if bm := decodeJob(t, p.job(t)); bm.Width != escpos.Dots80mm || bm.Height < 1000 {
		t.Errorf("X report printed %d×%d", bm.Width, bm.Height)
	}

	// A printer that does not answer.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := ln.Addr().String()
	ln.Close()
	set.Printer = kkm.Printer{Address: dead, Paper: kkm.Paper58mm}
	if err := r.rt.SaveSettings(r.ctx, r.by, set); err != nil {
		t.Fatal(err)
	}
	err = port.Print(r.ctx, []ui.IssuedDocument{doc})
	var ue *ui.PrinterUnreachableError
	if !errors.As(err, &ue) || ue.Address != dead {
		t.Fatalf("dead printer: %v", err)
	}
	if got := i18n.MustBundle().Localizer(i18n.Russian).Error(err); !strings.Contains(got, "Принтер "+dead+" не отвечает.") {
		t.Errorf("dead printer says %q", got)
	}
}

// A printer an earlier build kept in the app's preferences moves into the register's settings
// once: the preferences forget it, a printer the settings already have is not replaced, and a
// printer removed in the settings afterwards does not come back.
func TestMigratePrinterFromPreferences(t *testing.T) {
	r := newRig(t)
	prefs := test.NewTempApp(t).Preferences()
	prefs.SetString(prefPrinterAddress, " 192.168.1.50:9100 ")
	prefs.SetInt(prefPrinterPaper, kkm.Paper80mm)
	if err := migratePrinter(r.ctx, r.rt, prefs); err != nil {
		t.Fatal(err)
	}
	want := kkm.Printer{Address: "192.168.1.50:9100", Paper: kkm.Paper80mm}
	if got := r.rt.Settings().Printer; got != want {
		t.Fatalf("migrated %+v, want %+v", got, want)
	}
	if prefs.String(prefPrinterAddress) != "" {
		t.Error("the preferences still hold the printer")
	}
	stored, _, err := r.j.Settings(r.ctx)
	if err != nil || stored.Printer != want {
		t.Fatalf("the journal's settings hold %+v (%v)", stored.Printer, err)
	}

	// Removed in the settings: it stays removed at the next start.
	set := r.rt.Settings()
	set.Printer = kkm.Printer{}
	if err := r.rt.SaveSettings(r.ctx, r.by, set); err != nil {
		t.Fatal(err)
	}
	if err := migratePrinter(r.ctx, r.rt, prefs); err != nil {
		t.Fatal(err)
	}
	if got := r.rt.Settings().Printer; got != (kkm.Printer{}) {
		t.Errorf("the removed printer came back: %+v", got)
	}

	// The settings' own printer wins over a stale preference.
	set.Printer = kkm.Printer{Address: "printer.local", Paper: kkm.Paper58mm}
	if err := r.rt.SaveSettings(r.ctx, r.by, set); err != nil {
		t.Fatal(err)
	}
	prefs.SetString(prefPrinterAddress, "10.0.0.9")
	if err := migratePrinter(r.ctx, r.rt, prefs); err != nil {
		t.Fatal(err)
	}
	if got := r.rt.Settings().Printer; got != set.Printer {
		t.Errorf("the preference replaced the settings' printer: %+v", got)
	}
}

// fakePrinter is a network printer on loopback that keeps every job it receives.
type fakePrinter struct {
	addr string
	jobs chan []byte
}

func newFakePrinter(t *testing.T) *fakePrinter {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &fakePrinter{addr: ln.Addr().String(), jobs: make(chan []byte, 16)}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			b, _ := io.ReadAll(c)
			c.Close()
			p.jobs <- b
		}
	}()
	t.Cleanup(func() { ln.Close() })
	return p
}

// job returns the next job printed.
func (p *fakePrinter) job(t *testing.T) []byte {
	t.Helper()
	select {
	case b := <-p.jobs:
		return b
	case <-time.After(5 * time.Second):
		t.Fatal("nothing printed")
	}
	return nil
}

// decodeJob reads an ESC/POS job back to its bitmap: initialise, GS v 0 bands, feed, cut.
func decodeJob(t *testing.T, job []byte) *escpos.Bitmap {
	t.Helper()
	if !bytes.HasPrefix(job, escpos.Init()) {
		t.Fatalf("job starts % x", job[:min(8, len(job))])
	}
	rest := job[len(escpos.Init()):]
	var width, height int
	var pix []byte
	for len(rest) >= 8 && rest[0] == 0x1d && rest[1] == 'v' && rest[2] == '0' {
		stride := int(rest[4]) | int(rest[5])<<8
		rows := int(rest[6]) | int(rest[7])<<8
		n := 8 + stride*rows
		if len(rest) < n {
			t.Fatalf("band of %d×%d cut short", stride, rows)
		}
		width = stride * 8
		height += rows
		pix = append(pix, rest[8:n]...)
		rest = rest[n:]
	}
	tail := append(escpos.Feed(escpos.FeedLinesBeforeCut), escpos.Cut()...)
	if !bytes.Equal(rest, tail) {
		t.Fatalf("job ends % x", rest)
	}
	return &escpos.Bitmap{Width: width, Height: height, Stride: width / 8, Pix: pix}
}

// blackDots counts the black dots of a bitmap.
func blackDots(b *escpos.Bitmap) int {
	n := 0
	for y := 0; y < b.Height; y++ {
		for x := 0; x < b.Width; x++ {
			if b.Black(x, y) {
				n++
			}
		}
	}
	return n
}

// sameDots reports whether a printed bitmap has the drawn image's dark pixels, dot for dot.
func sameDots(b *escpos.Bitmap, img *image.Gray) bool {
	for y := 0; y < b.Height; y++ {
		for x := 0; x < b.Width; x++ {
			if b.Black(x, y) != (img.GrayAt(x, y).Y < 128) {
				return false
			}
		}
	}
	return true
}
