package kkm

import (
	"errors"
	"testing"
)

// scaleLabel makes a scale label of 12 digits with its EAN-13 check digit.
func scaleLabel(twelve string) string {
	sum := 0
	for i, c := range twelve {
		d := int(c - '0')
		if i%2 == 1 {
			d *= 3
		}
		sum += d
	}
	return twelve + string(rune('0'+(10-sum%10)%10))
}

func TestScaleFormatsRead(t *testing.T) {
	shop := ScaleFormats{
		{PrefixFrom: 20, PrefixTo: 24, CodeDigits: 5, Value: ScaleWeight},
		{PrefixFrom: 25, PrefixTo: 25, CodeDigits: 4, Value: ScaleSum, SumUnit: 1},
		{PrefixFrom: 26, PrefixTo: 27, CodeDigits: 6, Value: ScaleSum, SumUnit: 100},
	}
	if err := shop.Validate(); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		fs    ScaleFormats
		raw   string
		ok    bool
		err   Code
		label ScaleLabel
	}{
		{shop, scaleLabel("220012301250"), true, "", ScaleLabel{Code: "00123", Quantity: 1250}},
		{shop, scaleLabel("250123012345"), true, "", ScaleLabel{Code: "0123", Sum: 12345}},
		{shop, scaleLabel("270001230450"), true, "", ScaleLabel{Code: "000123", Sum: 45000}},
		{shop, scaleLabel("280012301250"), false, "", ScaleLabel{}},       // no layout for 28: an ordinary barcode
		{shop, "2200123012501", true, ErrBarcodeCheckDigit, ScaleLabel{}}, // 22 is a label: its check digit counts
		{shop, scaleLabel("240012300000"), true, ErrScaleLabelEmpty, ScaleLabel{}},
		{nil, scaleLabel("280012301250"), true, "", ScaleLabel{Code: "00123", Quantity: 1250}}, // none set: the default
		{nil, "4006381333931", false, "", ScaleLabel{}},
	} {
		got, ok, err := c.fs.ReadScaleLabel(c.raw)
		if ok != c.ok || (c.err == "") != (err == nil) || (c.err != "" && !errors.Is(err, c.err)) || got != c.label {
			t.Errorf("%v.ReadScaleLabel(%s) = %+v, %v, %v; want %+v, %v, %s", c.fs, c.raw, got, ok, err, c.label, c.ok, c.err)
		}
	}
}

func TestScaleFormatsValidate(t *testing.T) {
	for _, c := range []struct {
		fs  ScaleFormats
		err Code
	}{
		{nil, ""},
		{ScaleFormats{DefaultScaleFormat}, ""},
		{ScaleFormats{{PrefixFrom: 20, PrefixTo: 25, CodeDigits: 5, Value: ScaleWeight}, {PrefixFrom: 25, PrefixTo: 29, CodeDigits: 5, Value: ScaleWeight}}, ErrScaleOverlap},
		{ScaleFormats{{PrefixFrom: 20, PrefixTo: 29, CodeDigits: 7, Value: ScaleWeight}}, ErrScaleFormat},
		{ScaleFormats{{PrefixFrom: 20, PrefixTo: 29, CodeDigits: 5, Value: ScaleSum}}, ErrScaleFormat}, // a sum without its unit
		{ScaleFormats{{PrefixFrom: 19, PrefixTo: 29, CodeDigits: 5, Value: ScaleWeight}}, ErrScaleFormat},
	} {
		err := c.fs.Validate()
		if (c.err == "") != (err == nil) || (c.err != "" && !errors.Is(err, c.err)) {
			t.Errorf("%+v: %v, want %s", c.fs, err, c.err)
		}
		s := DefaultSettings()
		s.ScaleLabels = c.fs
		if err2 := s.Validate(); (err == nil) != (err2 == nil) {
			t.Errorf("%+v: Settings.Validate %v, ScaleFormats.Validate %v", c.fs, err2, err)
		}
	}
}
