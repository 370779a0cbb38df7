package barcode

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"image/png"
	"strings"
	"testing"
	"time"

	"github.com/ekassa-go/ekassa/kkm"
)

// Real-shaped marking codes (GTIN check digits right), GS as the symbol holds it.
var codes = map[string]string{
	"shoes": "0104690257528523" + "21" + "G+mgsHw<DiLN_" + kkm.GS + "91EE05" + kkm.GS +
		"92" + "sOe6fy7lPT8lLffZ5WdQ7Rp8PXLDwEGD1Wv4oY71o4FV",
	"medicine": "0104607028393839" + "21" + "5RTQ2P8MXK1ZW" + kkm.GS + "91EE06" + kkm.GS +
		"92" + "dGVzdHNpZ25hdHVyZWZvcm1lZGljaW5lMTIzNDU2Nzg5",
	"tobacco":       "0104600266011725" + "21" + "-fw3Cq?" + kkm.GS + "8005095000" + kkm.GS + "93dGVz",
	"beer":          "0104870216760007" + "21" + "qKkdi+S" + kkm.GS + "93U3g5",
	"tobacco short": "04780101164394" + "TF&csaN" + "NW1kK0tL",
}

// TestDataMatrixRoundTrip draws each code as a DataMatrix with gozxing's writer and reads it back
// as the register would from a photo: as drawn, then scaled up and set off-centre on a grey
// background (not a "pure" symbol), then through a PNG and a JPEG file. The content read is the
// code, separators included, and kkm accepts it as the same unit.
func TestDataMatrixRoundTrip(t *testing.T) {
	for name, code := range codes {
		t.Run(name, func(t *testing.T) {
			img, err := EncodeDataMatrix(code, 200)
			if err != nil {
				t.Fatal(err)
			}
			check := func(how, got string, err error) {
				t.Helper()
				if err != nil {
					t.Fatalf("%s: %v", how, err)
				}
				if got != code {
					t.Errorf("%s: read %q, want %q", how, got, code)
				}
				want, _ := kkm.ParseMarkingCode(code)
				if c, err := kkm.ParseMarkingCode(got); err != nil || c.ID() != want.ID() {
					t.Errorf("%s: kkm reads %q as %v (%v)", how, got, c.ID(), err)
				}
			}
			got, err := DecodeDataMatrix(img)
			check("as drawn", got, err)

			photo := onBackground(img, 3, image.Pt(90, 140))
			got, err = DecodeDataMatrix(photo)
			check("scaled, off-centre", got, err)

			var pngFile, jpegFile bytes.Buffer
			if err := png.Encode(&pngFile, photo); err != nil {
				t.Fatal(err)
			}
			got, err = DecodeFile(&pngFile)
			check("PNG file", got, err)
			if err := jpeg.Encode(&jpegFile, photo, &jpeg.Options{Quality: 80}); err != nil {
				t.Fatal(err)
			}
			got, err = DecodeFile(&jpegFile)
			check("JPEG file", got, err)
		})
	}
}

// onBackground scales img by k and puts it at off on a larger light-grey canvas.
func onBackground(img image.Image, k int, off image.Point) image.Image {
	b := img.Bounds()
	out := image.NewGray(image.Rect(0, 0, b.Dx()*k+off.X+120, b.Dy()*k+off.Y+80))
	draw.Draw(out, out.Bounds(), &image.Uniform{color.Gray{Y: 0xd8}}, image.Point{}, draw.Src)
	for y := 0; y < b.Dy()*k; y++ {
		for x := 0; x < b.Dx()*k; x++ {
			out.Set(off.X+x, off.Y+y, img.At(b.Min.X+x/k, b.Min.Y+y/k))
		}
	}
	return out
}

func TestDecodeRefusals(t *testing.T) {
	blank := image.NewGray(image.Rect(0, 0, 300, 300))
	draw.Draw(blank, blank.Bounds(), image.White, image.Point{}, draw.Src)
	if _, err := DecodeDataMatrix(blank); !errors.Is(err, ErrNoCode) {
		t.Errorf("a blank image: %v, want ErrNoCode", err)
	}
	if _, err := DecodeFile(strings.NewReader("not an image")); err == nil {
		t.Error("text decoded as an image")
	}
	var huge bytes.Buffer
	if err := png.Encode(&huge, image.NewGray(image.Rect(0, 0, 9000, 6000))); err != nil {
		t.Fatal(err)
	}
	if _, err := DecodeFile(&huge); err == nil || !strings.Contains(err.Error(), "too large") {
		t.Errorf("a 54-megapixel image: %v", err)
	}
}

// typeAt feeds s to k one character every step from start, then Enter one step later.
func typeAt(k *KeyboardScanner, s string, start time.Time, step time.Duration) (bool, time.Time) {
	at := start
	for _, r := range s {
		k.Rune(r, at)
		at = at.Add(step)
	}
	return k.Enter(at), at
}

// TestKeyboardScanner replays keystrokes at a scanner's pace and at a person's, and mixes of them.
func TestKeyboardScanner(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	beer := strings.ReplaceAll(codes["beer"], kkm.GS, "") // the layout could not type GS
	tests := []struct {
		name  string
		play  func(k *KeyboardScanner) bool
		scans []string
	}{
		{"a scanner at 4 ms a key", func(k *KeyboardScanner) bool { ok, _ := typeAt(k, beer, t0, 4*time.Millisecond); return ok }, []string{beer}},
		{"a scanner sending GS as a character", func(k *KeyboardScanner) bool {
			ok, _ := typeAt(k, codes["shoes"], t0, 2*time.Millisecond)
			return ok
		}, []string{codes["shoes"]}},
		{"at exactly the limit", func(k *KeyboardScanner) bool { ok, _ := typeAt(k, beer, t0, DefaultMaxGap); return ok }, []string{beer}},
		{"a person at 150 ms a key", func(k *KeyboardScanner) bool { ok, _ := typeAt(k, beer, t0, 150*time.Millisecond); return ok }, nil},
		{"just over the limit", func(k *KeyboardScanner) bool { ok, _ := typeAt(k, beer, t0, DefaultMaxGap+time.Millisecond); return ok }, nil},
		{"too short to be a code", func(k *KeyboardScanner) bool { ok, _ := typeAt(k, "1234567", t0, time.Millisecond); return ok }, nil},
		{"an EAN-8 is long enough", func(k *KeyboardScanner) bool { ok, _ := typeAt(k, "96385074", t0, time.Millisecond); return ok }, []string{"96385074"}},
		{"typing, a pause, then a scan", func(k *KeyboardScanner) bool {
			_, at := typeAt(k, "abc", t0, 200*time.Millisecond)
			// no Enter was typed: the scan starts 300 ms later and the typed letters are dropped
			k.Reset()
			ok, _ := typeAt(k, beer, at.Add(300*time.Millisecond), 5*time.Millisecond)
			return ok
		}, []string{beer}},
		{"typed letters then a scan without a pause between", func(k *KeyboardScanner) bool {
			at := t0
			for _, r := range "xy" {
				k.Rune(r, at)
				at = at.Add(200 * time.Millisecond)
			}
			ok, _ := typeAt(k, beer, at, 5*time.Millisecond)
			return ok
		}, []string{beer}},
		{"a slow Enter after a fast run", func(k *KeyboardScanner) bool {
			at := t0
			for _, r := range beer {
				k.Rune(r, at)
				at = at.Add(3 * time.Millisecond)
			}
			return k.Enter(at.Add(time.Second))
		}, nil},
		{"two scans in a row", func(k *KeyboardScanner) bool {
			ok1, at := typeAt(k, beer, t0, 3*time.Millisecond)
			ok2, _ := typeAt(k, codes["tobacco short"], at.Add(800*time.Millisecond), 3*time.Millisecond)
			return ok1 && ok2
		}, []string{beer, codes["tobacco short"]}},
		{"Enter alone", func(k *KeyboardScanner) bool { return k.Enter(t0) }, nil},
		// The app stalls (a search per key on a slow phone, a loaded machine): the keys it takes
		// after the pause come in a burst. Seen in the walk: 135 ms after eight keys.
		{"a scan the app took with a stall in it", func(k *KeyboardScanner) bool {
			at := t0
			for i, r := range "4870001000035" {
				if i == 8 {
					at = at.Add(135 * time.Millisecond)
				}
				k.Rune(r, at)
				at = at.Add(time.Millisecond)
			}
			return k.Enter(at)
		}, []string{"4870001000035"}},
		{"a stall before the scan's Enter", func(k *KeyboardScanner) bool {
			at := t0
			for _, r := range beer {
				k.Rune(r, at)
				at = at.Add(3 * time.Millisecond)
			}
			return k.Enter(at.Add(200 * time.Millisecond))
		}, []string{beer}},
		{"a pause longer than a stall splits the run", func(k *KeyboardScanner) bool {
			at := t0
			for i, r := range "4870001000035" {
				if i == 8 {
					at = at.Add(400 * time.Millisecond)
				}
				k.Rune(r, at)
				at = at.Add(time.Millisecond)
			}
			return k.Enter(at)
		}, nil},
		{"a person's two quick keys do not make a pause a stall", func(k *KeyboardScanner) bool {
			at := t0
			for i, r := range "12345678" {
				k.Rune(r, at)
				at = at.Add([]time.Duration{30, 30, 120, 120, 120, 120, 120, 120}[i] * time.Millisecond)
			}
			return k.Enter(at)
		}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			k := &KeyboardScanner{OnScan: func(c string) { got = append(got, c) }}
			ok := tt.play(k)
			if ok != (len(tt.scans) > 0) || strings.Join(got, "|") != strings.Join(tt.scans, "|") {
				t.Errorf("scanned %q (%v), want %q", got, ok, tt.scans)
			}
			if k.Pending() != 0 {
				t.Errorf("%d characters left after Enter", k.Pending())
			}
		})
	}
}
