// Package barcode reads the codes a cash register meets on goods, apart from any screen: the
// DataMatrix of a marked good from a photo (with github.com/makiuchi-d/gozxing, the Go port of
// ZXing), and a barcode scanner that acts as a keyboard, told apart from a person typing by the
// pace of its keystrokes (KeyboardScanner). It knows nothing of what a code means: kkm parses a
// marking code, the catalogue a product barcode.
//
// It must not import the screens, the journal or Fyne; what a code means is package kkm's.
package barcode

import (
	"errors"
	"fmt"
	"image"
	_ "image/jpeg" // photos from a phone's camera
	_ "image/png"
	"io"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/datamatrix"
)

// ErrNoCode is returned when an image holds no readable DataMatrix code.
var ErrNoCode = errors.New("barcode: no DataMatrix code found in the image")

// MaxImagePixels bounds the image decoded from a file, so a huge photo is refused before its
// pixels are allocated (a 48-megapixel camera gives 8000 × 6000).
const MaxImagePixels = 8000 * 6000

// DecodeDataMatrix reads the DataMatrix code in img and returns its content as the symbol holds
// it: a GS1 code's FNC1 separators come back as GS (ASCII 29), its leading FNC1 as a leading GS.
// It tries the photo as it is, then with the reader told to look harder (TRY_HARDER), then as a
// code that fills the image (PURE_BARCODE, as a screenshot or a generated image does).
func DecodeDataMatrix(img image.Image) (string, error) {
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		return "", fmt.Errorf("barcode: %w", err)
	}
	r := datamatrix.NewDataMatrixReader()
	for _, hints := range []map[gozxing.DecodeHintType]interface{}{
		nil,
		{gozxing.DecodeHintType_TRY_HARDER: true},
		{gozxing.DecodeHintType_PURE_BARCODE: true},
	} {
		res, err := r.Decode(bmp, hints)
		if err == nil {
			return res.GetText(), nil
		}
	}
	return "", ErrNoCode
}

// DecodeFile reads a PNG or JPEG image and the DataMatrix code in it.
func DecodeFile(r io.Reader) (string, error) {
	data, err := io.ReadAll(io.LimitReader(r, 64<<20))
	if err != nil {
		return "", fmt.Errorf("barcode: %w", err)
	}
	cfg, _, err := image.DecodeConfig(bytesReader(data))
	if err != nil {
		return "", fmt.Errorf("barcode: not an image: %w", err)
	}
	if cfg.Width*cfg.Height > MaxImagePixels {
		return "", fmt.Errorf("barcode: image of %d × %d is too large", cfg.Width, cfg.Height)
	}
	img, _, err := image.Decode(bytesReader(data))
	if err != nil {
		return "", fmt.Errorf("barcode: not an image: %w", err)
	}
	return DecodeDataMatrix(img)
}

// EncodeDataMatrix draws text as a DataMatrix symbol of at least size × size pixels with a quiet
// zone around it, as a label printer would. Tests and the demo use it to make codes to read back.
func EncodeDataMatrix(text string, size int) (image.Image, error) {
	m, err := datamatrix.NewDataMatrixWriter().Encode(text, gozxing.BarcodeFormat_DATA_MATRIX, size, size, nil)
	if err != nil {
		return nil, fmt.Errorf("barcode: %w", err)
	}
	return quietZone(m, size/8+4), nil
}
