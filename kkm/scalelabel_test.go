package kkm

import (
	"errors"
	"strconv"
	"testing"
)

// ean13 appends the GS1 check digit to 12 digits.
func ean13(body string) string {
	sum := 0
	for i := 0; i < 12; i++ {
		d := int(body[i] - '0')
		if i%2 == 1 {
			d *= 3
		}
		sum += d
	}
	return body + strconv.Itoa((10-sum%10)%10)
}

func TestReadScaleLabel(t *testing.T) {
	priceTenge := ScaleFormat{PrefixFrom: 26, PrefixTo: 27, CodeDigits: 5, Value: ScaleSum, SumUnit: 100}
	priceTiyn := ScaleFormat{PrefixFrom: 28, PrefixTo: 28, CodeDigits: 4, Value: ScaleSum, SumUnit: 1}
	for _, tc := range []struct {
		name  string
		f     ScaleFormat
		raw   string
		ok    bool
		label ScaleLabel
		err   Code
	}{
		{"weight 1,234 kg", DefaultScaleFormat, ean13("220012301234"), true, ScaleLabel{Code: "00123", Quantity: 1234}, ""},
		{"weight from a scanner", DefaultScaleFormat, "]E0" + ean13("290000700005") + "\r\n", true, ScaleLabel{Code: "00007", Quantity: 5}, ""},
		{"the heaviest 99,999 kg", DefaultScaleFormat, ean13("209999999999"), true, ScaleLabel{Code: "99999", Quantity: 99999}, ""},
		{"weighs nothing", DefaultScaleFormat, ean13("220012300000"), true, ScaleLabel{}, ErrScaleLabelEmpty},
		{"check digit wrong", DefaultScaleFormat, "2200123012341", true, ScaleLabel{}, ErrBarcodeCheckDigit},
		{"an ordinary EAN-13", DefaultScaleFormat, "4006381333931", false, ScaleLabel{}, ""},
		{"prefix 19 is no label", DefaultScaleFormat, ean13("190012301234"), false, ScaleLabel{}, ""},
		{"an EAN-8", DefaultScaleFormat, "96385074", false, ScaleLabel{}, ""},
		{"sum in tenge 1 250 ₸", priceTenge, ean13("260004201250"), true, ScaleLabel{Code: "00042", Sum: 125000}, ""},
		{"outside the sum format's prefixes", priceTenge, ean13("250004201250"), false, ScaleLabel{}, ""},
		{"sum in tiyn, four-digit code", priceTiyn, ean13("280042012345"), true, ScaleLabel{Code: "0042", Sum: 12345}, ""},
		{"bad format", ScaleFormat{PrefixFrom: 19, PrefixTo: 29, CodeDigits: 5, Value: ScaleWeight}, ean13("220012301234"), false, ScaleLabel{}, ErrScaleFormat},
		{"sum format without a unit", ScaleFormat{PrefixFrom: 20, PrefixTo: 29, CodeDigits: 5, Value: ScaleSum}, ean13("220012301234"), false, ScaleLabel{}, ErrScaleFormat},
	} {
		t.Run(tc.name, func(t *testing.T) {
			label, ok, err := tc.f.ReadScaleLabel(tc.raw)
			if tc.err != "" {
				if !errors.Is(err, tc.err) || ok != tc.ok {
					t.Fatalf("ReadScaleLabel(%q) = %+v, %v, %v; want %s", tc.raw, label, ok, err, tc.err)
				}
				return
			}
			if err != nil || ok != tc.ok || label != tc.label {
				t.Fatalf("ReadScaleLabel(%q) = %+v, %v, %v; want %+v, %v", tc.raw, label, ok, err, tc.label, tc.ok)
			}
		})
	}
}

func TestScaleLine(t *testing.T) {
	apples := Item{Name: "Алма", Code: "00123", Unit: "166", Price: 89000}  // 890 ₸ a kilogram
	cheese := Item{Name: "Ірімшік", Code: "00124", Unit: "163", Price: 500} // 5 ₸ a gram
	for _, tc := range []struct {
		name  string
		it    Item
		label ScaleLabel
		qty   Quantity
		err   Code
	}{
		{"1,234 kg", apples, ScaleLabel{Code: "00123", Quantity: 1234}, 1234, ""},
		{"grams of a gram item", cheese, ScaleLabel{Code: "00124", Quantity: 250}, 250_000, ""},
		{"1 250 ₸ of apples: 1,404 kg", apples, ScaleLabel{Code: "00123", Sum: 125000}, 1404, ""}, // 1,40449… rounds down
		{"445 ₸ of apples: 0,5 kg", apples, ScaleLabel{Code: "00123", Sum: 44500}, 500, ""},
		{"half a gram rounds up", Item{Name: "Шафран", Unit: "166", Price: 200}, ScaleLabel{Sum: 1}, 5, ""},
		{"a sum that comes to nothing", Item{Name: "Алтын", Unit: "166", Price: 99_999_999}, ScaleLabel{Sum: 1}, 0, ErrScaleLabelEmpty},
		{"a sum for an item with no price", Item{Name: "X", Unit: "166"}, ScaleLabel{Sum: 100}, 0, ErrScaleSum},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l, err := tc.it.ScaleLine(tc.label)
			if tc.err != "" {
				if !errors.Is(err, tc.err) {
					t.Fatalf("ScaleLine = %+v, %v; want %s", l, err, tc.err)
				}
				return
			}
			if err != nil || l.Quantity != tc.qty || l.Name != tc.it.Name || l.Price != tc.it.Price {
				t.Fatalf("ScaleLine = %+v, %v; want quantity %v", l, err, tc.qty)
			}
		})
	}
}
