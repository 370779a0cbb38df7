package receipt

import (
	"bytes"
	"errors"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/theme"
	"github.com/makiuchi-d/gozxing"
	zxqr "github.com/makiuchi-d/gozxing/qrcode"

	"github.com/ekassa-go/ekassa/kkm"
)

// docsEnv names the environment variable that makes TestDocsImages write docs/receipts/*.png.
const docsEnv = "EKASSA_RECEIPT_DOCS"

// fixture is a small shift of a VAT payer: documents with the OFD's marks.
type fixture struct {
	s       kkm.Settings
	sale    kkm.Document
	mark    kkm.FiscalMark
	offline kkm.Document
	z       kkm.Document
	x       kkm.Document
}

func newFixture(t *testing.T) fixture {
	t.Helper()
	s := kkm.DefaultSettings()
	s.VATPayer = true
	s.VATCertificateSeries, s.VATCertificateNumber = "60001", "1234567"
	s.ReceiptModifiersAllowed = true
	s.Reg = kkm.RegInfo{
		OrgTitle:       "ТОО «Ақжол Сауда»",
		OrgIINBIN:      "150840023176",
		PointTitle:     "Дүкен «Ақжол» №2",
		PointAddress:   "г. Алматы, пр. Абая, 150, кв. 12",
		PointAddressKZ: "Алматы қ., Абай даңғылы, 150, 12-пәтер",
		RNM:            "620300144467",
		ZNM:            "EK-7Q4M-2X9P",
		OFDTitle:       "АО «Казахтелеком»",
	}
	reg := kkm.Register{Settings: s}
	op := kkm.Operator{Code: 2, Name: "Әлия Қасымова"}
	at := time.Date(2026, 3, 2, 9, 12, 0, 0, time.FixedZone("Asia/Almaty", 5*3600))
	var f fixture
	f.s = s
	issue := func(iss kkm.Issued, err error) kkm.Document {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		reg.State = iss.State
		return iss.Documents[len(iss.Documents)-1]
	}
	f.sale = issue(reg.IssueReceipt(kkm.ReceiptDraft{
		Operation: kkm.OpSale,
		Lines: []kkm.LineDraft{
			{Name: "Нан «Бородинский» қара бидай ұны, кесілген, 400 г", Quantity: 2000, Price: 25000},
			{Name: "Шай «Пиала» көк, 100 пакет", Quantity: 1000, Price: 149000,
				Modifier: &kkm.Modifier{Kind: kkm.Discount, Percent: 1000}},
			{Name: "Қант ұнтағы", Quantity: 1250, Unit: "166", Price: 52000},
		},
		Payments: []kkm.Payment{{Type: kkm.PayCash, Sum: 200000}, {Type: kkm.PayCard, Sum: 100000}},
	}, op, at, false))
	f.mark = kkm.FiscalMark{Sign: "3937088095",
		QRLink: kkm.QRLink(kkm.KazakhtelecomCheckSite, "3937088095", s.Reg.RNM, f.sale.Receipt.Total, f.sale.Time)}
	f.offline = issue(reg.IssueReceipt(kkm.ReceiptDraft{
		Operation: kkm.OpSale,
		Lines:     []kkm.LineDraft{{Name: "Су «Тассай» газсыз, 1,5 л", Quantity: 4000, Unit: "868", Price: 32000}},
		Payments:  []kkm.Payment{{Type: kkm.PayCash, Sum: 130000}},
	}, op, at.Add(time.Hour), true))
	x, err := reg.XReport(op, at.Add(2*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	f.x = x
	f.z = issue(reg.CloseShift(op, at.Add(9*time.Hour), false))
	return f
}

func newRenderer(t *testing.T) *Renderer {
	t.Helper()
	// The app's font: Fyne's monospace, DejaVu Sans Mono (only the test imports Fyne).
	r, err := NewRenderer(theme.DefaultTextMonospaceFont().Content())
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// decodeQR reads the QR code back from an image with gozxing, an implementation independent of the
// encoder.
func decodeQR(t *testing.T, img image.Image) string {
	t.Helper()
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatal(err)
	}
	res, err := zxqr.NewQRCodeReader().Decode(bmp, map[gozxing.DecodeHintType]interface{}{
		gozxing.DecodeHintType_TRY_HARDER: true,
	})
	if err != nil {
		t.Fatalf("decode QR: %v", err)
	}
	return res.GetText()
}

// TestRenderQR draws receipts at printer and phone sizes, checks the image size, and decodes the
// QR code back to the check link: the OFD's link online, the locally built one offline.
func TestRenderQR(t *testing.T) {
	f := newFixture(t)
	r := newRenderer(t)
	offlineLink := "http://consumer.oofd.kz?i=1&f=620300144467&s=1280.00&t=20260302T101200"
	tests := []struct {
		name      string
		doc       kkm.Document
		mark      kkm.FiscalMark
		opt       Options
		wantWidth int
		wantLink  string
	}{
		{"online, 58 mm printer", f.sale, f.mark, Options{Columns: 32}, 384, f.mark.QRLink},
		{"online, 80 mm printer", f.sale, f.mark, Options{Columns: 48}, 576, f.mark.QRLink},
		{"online, phone", f.sale, f.mark, Options{Columns: 42, Scale: 2, Margin: 1}, 42*24 + 2*24, f.mark.QRLink},
		{"offline, phone", f.offline, kkm.FiscalMark{}, Options{Columns: 48, Scale: 2, Margin: 1}, 48*24 + 2*24, offlineLink},
		{"offline, 58 mm printer", f.offline, kkm.FiscalMark{}, Options{Columns: 32}, 384, offlineLink},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			img, err := r.Render(tt.doc, f.s, tt.mark, tt.opt)
			if err != nil {
				t.Fatal(err)
			}
			b := img.Bounds()
			if b.Dx() != tt.wantWidth {
				t.Errorf("width %d, want %d", b.Dx(), tt.wantWidth)
			}
			text := kkm.ReceiptText(tt.doc, f.s, tt.mark, tt.opt.Columns)
			lines := strings.Count(text, "\n")
			sc := tt.opt.scale()
			if min := lines*CellHeight*sc + 2*tt.opt.Margin*CellWidth*sc; b.Dy() <= min {
				t.Errorf("height %d leaves no room for the QR code below %d lines (%d px)", b.Dy(), lines, min)
			}
			if got := decodeQR(t, img); got != tt.wantLink {
				t.Errorf("QR holds %q, want %q", got, tt.wantLink)
			}
		})
	}
}

// TestRenderReportHasNoQR checks reports are drawn without a QR code, text only.
func TestRenderReportHasNoQR(t *testing.T) {
	f := newFixture(t)
	r := newRenderer(t)
	for _, doc := range []kkm.Document{f.x, f.z} {
		img, err := r.Render(doc, f.s, kkm.FiscalMark{}, Options{Columns: 32})
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Count(kkm.ReceiptText(doc, f.s, kkm.FiscalMark{}, 32), "\n")
		if img.Bounds().Dx() != 384 || img.Bounds().Dy() != lines*CellHeight {
			t.Errorf("%s: %v, want 384×%d", doc.Kind, img.Bounds(), lines*CellHeight)
		}
		if ink(img, img.Bounds()) == 0 {
			t.Errorf("%s: blank image", doc.Kind)
		}
	}
}

// ink counts the dark pixels of img within r.
func ink(img *image.Gray, r image.Rectangle) int {
	n := 0
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if img.GrayAt(x, y).Y < 128 {
				n++
			}
		}
	}
	return n
}

// glyph draws one character in one cell at scale 2.
func glyph(t *testing.T, r *Renderer, c rune) *image.Gray {
	t.Helper()
	img, err := r.RenderText(string(c), "", Options{Columns: 1, Scale: 2})
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// sameImage reports whether two images have the same pixels.
func sameImage(a, b *image.Gray) bool {
	return a.Bounds() == b.Bounds() && bytes.Equal(a.Pix, b.Pix)
}

// TestKazakhLetters checks that every Kazakh-specific letter is drawn as a glyph of its own: the
// font maps it, it leaves ink, it is not the font's missing-glyph box (what a character the font
// lacks, U+E000, draws), not a question mark, not its Russian look-alike, and unlike every other
// Kazakh letter.
func TestKazakhLetters(t *testing.T) {
	r := newRenderer(t)
	const kazakh = "әғқңөұүһіӘҒҚҢӨҰҮҺІ"
	if missing, err := r.HasGlyphs(kazakh + "₸№«»×"); err != nil || len(missing) > 0 {
		t.Fatalf("font lacks %q (%v)", missing, err)
	}
	if missing, _ := r.HasGlyphs("\ue000"); len(missing) != 1 {
		t.Fatalf("U+E000 should be missing from the font, to stand for the missing-glyph box")
	}
	tofu := glyph(t, r, '\ue000')
	question := glyph(t, r, '?')
	// һ and і look like Latin h and i by design; the others must not fall back to a Russian letter.
	lookAlike := map[rune]rune{'ә': 'е', 'ғ': 'г', 'қ': 'к', 'ң': 'н', 'ө': 'о', 'ұ': 'у', 'ү': 'у'}
	seen := map[string]rune{}
	for _, c := range kazakh {
		g := glyph(t, r, c)
		if ink(g, g.Bounds()) < 20 {
			t.Errorf("%q leaves almost no ink", c)
		}
		if sameImage(g, tofu) {
			t.Errorf("%q is drawn as the missing-glyph box", c)
		}
		if sameImage(g, question) {
			t.Errorf("%q is drawn as a question mark", c)
		}
		if l, ok := lookAlike[c]; ok && sameImage(g, glyph(t, r, l)) {
			t.Errorf("%q is drawn as %q", c, l)
		}
		if o, ok := seen[string(g.Pix)]; ok {
			t.Errorf("%q and %q are drawn the same", c, o)
		}
		seen[string(g.Pix)] = c
	}
}

func TestQRCode(t *testing.T) {
	link := "http://consumer.oofd.kz?i=3937088095&f=620300144467&s=11022.00&t=20231109T203226"
	img, err := QRCode(link, 600)
	if err != nil {
		t.Fatal(err)
	}
	if d := img.Bounds().Dx(); d > 600 || d < 500 {
		t.Errorf("QR code %d px, want close to 600", d)
	}
	if got := decodeQR(t, img); got != link {
		t.Errorf("QR holds %q, want %q", got, link)
	}
	if _, err := QRCode("", 100); !errors.Is(err, ErrNoText) {
		t.Errorf("empty link: %v", err)
	}
}

func TestRenderTextEmpty(t *testing.T) {
	r := newRenderer(t)
	if _, err := r.RenderText(" \n", "", Options{}); !errors.Is(err, ErrNoText) {
		t.Errorf("RenderText of blank text: %v, want ErrNoText", err)
	}
}

func TestNewRendererRefusesGarbage(t *testing.T) {
	if _, err := NewRenderer([]byte("not a font")); err == nil {
		t.Error("a garbage font was accepted")
	}
}

func TestExport(t *testing.T) {
	f := newFixture(t)
	r := newRenderer(t)
	tests := []struct {
		name               string
		doc                kkm.Document
		mark               kkm.FiscalMark
		wantImage, wantTxt string
		wantLink           string
	}{
		{"online sale", f.sale, f.mark, "20260302-0912-receipt-1-1.png", "20260302-0912-receipt-1-1.txt", f.mark.QRLink},
		{"offline sale", f.offline, kkm.FiscalMark{}, "20260302-1012-receipt-1-2.png", "20260302-1012-receipt-1-2.txt",
			"http://consumer.oofd.kz?i=1&f=620300144467&s=1280.00&t=20260302T101200"},
		{"X report", f.x, kkm.FiscalMark{}, "20260302-1112-x-report-1.png", "20260302-1112-x-report-1.txt", ""},
		{"Z report", f.z, kkm.FiscalMark{}, "20260302-1812-z-report-1.png", "20260302-1812-z-report-1.txt", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ex, err := r.Export(tt.doc, f.s, tt.mark, Options{Columns: 42, Scale: 2, Margin: 1})
			if err != nil {
				t.Fatal(err)
			}
			if ex.ImageName != tt.wantImage || ex.TextName != tt.wantTxt {
				t.Errorf("names %q, %q; want %q, %q", ex.ImageName, ex.TextName, tt.wantImage, tt.wantTxt)
			}
			if ex.Link != tt.wantLink {
				t.Errorf("link %q, want %q", ex.Link, tt.wantLink)
			}
			if !strings.HasPrefix(ex.Text, kkm.ReceiptText(tt.doc, f.s, tt.mark, 42)) {
				t.Error("the shared text does not start with the receipt text")
			}
			if tt.wantLink != "" && !strings.HasSuffix(ex.Text, tt.wantLink+"\n") {
				t.Error("the shared text does not end with the check link")
			}
			img, err := png.Decode(bytes.NewReader(ex.PNG))
			if err != nil {
				t.Fatal(err)
			}
			if img.Bounds().Dx() != 42*24+2*24 {
				t.Errorf("PNG width %d", img.Bounds().Dx())
			}
			if tt.wantLink != "" {
				if got := decodeQR(t, img); got != tt.wantLink {
					t.Errorf("PNG's QR holds %q", got)
				}
			}
			var w bytes.Buffer
			if err := WriteText(&w, tt.doc, f.s, tt.mark, 42); err != nil || w.String() != ex.Text {
				t.Errorf("WriteText wrote %d bytes (%v), want the shared text", w.Len(), err)
			}
		})
	}
}

// TestDocsImages writes the example pictures of docs/receipts.md when EKASSA_RECEIPT_DOCS is set:
//
//	EKASSA_RECEIPT_DOCS=1 go test ./receipt -run DocsImages
func TestDocsImages(t *testing.T) {
	if os.Getenv(docsEnv) == "" {
		t.Skip("set " + docsEnv + "=1 to write docs/receipts/*.png")
	}
	f := newFixture(t)
	r := newRenderer(t)
	dir := filepath.Join("..", "docs", "receipts")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	images := []struct {
		file string
		doc  kkm.Document
		mark kkm.FiscalMark
		opt  Options
	}{
		{"sale-phone-42.png", f.sale, f.mark, Options{Columns: 42, Scale: 2, Margin: 1}},
		{"sale-58mm-32.png", f.sale, f.mark, Options{Columns: 32, Margin: 1}},
		{"sale-offline-80mm-48.png", f.offline, kkm.FiscalMark{}, Options{Columns: 48, Margin: 1}},
		{"z-report-58mm-32.png", f.z, kkm.FiscalMark{}, Options{Columns: 32, Margin: 1}},
	}
	for _, im := range images {
		img, err := r.Render(im.doc, f.s, im.mark, im.opt)
		if err != nil {
			t.Fatal(err)
		}
		b, err := EncodePNG(img)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, im.file), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
