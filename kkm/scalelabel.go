package kkm

import (
	"strconv"
	"strings"
)

// Scale labels (весовые этикетки): a shop's scale prints an EAN-13 whose first two digits are an
// in-store prefix, 20 to 29 (GS1 keeps these for the shop's own use), followed by the item's code
// on the scale (its PLU, the catalogue's Item.Code), then the weight or the price of what was
// weighed, and the EAN check digit. How many digits each part takes, and whether a prefix carries
// a weight or a price, is the scale's setting, so it is the register's too (ScaleFormat); the
// most common layout here, 2X CCCCC WWWWW K with the weight in grams, is DefaultScaleFormat.

// ScaleValue is what the digits after the item's code mean.
type ScaleValue uint8

// The values a scale label carries.
const (
	ScaleWeight ScaleValue = iota + 1 // a weight in grams (thousandths of a kilogram, as Quantity)
	ScaleSum                          // the sum of what was weighed, in units of SumUnit tiyn
)

// ScaleFormat is a scale's label layout: labels whose prefix is within [PrefixFrom, PrefixTo]
// carry the item's code in CodeDigits digits and Value in the 10 − CodeDigits digits after it.
type ScaleFormat struct {
	PrefixFrom, PrefixTo int        // 20–29
	CodeDigits           int        // 4–6
	Value                ScaleValue // ScaleWeight or ScaleSum
	SumUnit              Money      // for ScaleSum: tiyn per unit of the value (1: tiyn, 100: whole tenge)
}

// DefaultScaleFormat is 2X CCCCC WWWWW K for every prefix 20–29: a five-digit code and the weight
// in grams (up to 99,999 kg).
var DefaultScaleFormat = ScaleFormat{PrefixFrom: 20, PrefixTo: 29, CodeDigits: 5, Value: ScaleWeight}

// ErrScaleFormat refuses a scale format outside what an EAN-13 can hold.
const ErrScaleFormat Code = "err.scale.format"

// ErrScaleLabelEmpty refuses a scale label that weighs or costs nothing: {{.Code}}.
const ErrScaleLabelEmpty Code = "err.scale.empty"

// ErrScaleSum refuses a price label for an item with no price to divide it by.
const ErrScaleSum Code = "err.scale.sum"

// ScaleLabel is a scale label read: the item's code on the scale and the weight or sum.
type ScaleLabel struct {
	Code     string   // the item's code on the scale (Item.Code), leading zeros kept
	Quantity Quantity // the weight, in thousandths of a kilogram (ScaleWeight); 0 for a sum
	Sum      Money    // the sum printed (ScaleSum); 0 for a weight
}

// Validate checks that the format fits an EAN-13.
func (f ScaleFormat) Validate() error {
	if f.PrefixFrom < 20 || f.PrefixTo > 29 || f.PrefixFrom > f.PrefixTo || f.CodeDigits < 4 || f.CodeDigits > 6 ||
		(f.Value != ScaleWeight && f.Value != ScaleSum) || (f.Value == ScaleSum && f.SumUnit <= 0) {
		return newError(ErrScaleFormat)
	}
	return nil
}

// ReadScaleLabel reads raw (as a scanner delivers it) as a label of this format. ok is false when
// it is not one (not 13 digits, or a prefix outside the format's): then it is an ordinary barcode.
// A label of the format's prefix whose check digit is wrong, or that weighs nothing, is an error.
func (f ScaleFormat) ReadScaleLabel(raw string) (label ScaleLabel, ok bool, err error) {
	if err := f.Validate(); err != nil {
		return ScaleLabel{}, false, err
	}
	s := stripSymbology(strings.Trim(raw, " \t\r\n"))
	if len(s) != 13 || !allDigits(s) {
		return ScaleLabel{}, false, nil
	}
	prefix, _ := strconv.Atoi(s[:2])
	if prefix < f.PrefixFrom || prefix > f.PrefixTo {
		return ScaleLabel{}, false, nil
	}
	if !validGTIN("0" + s) {
		return ScaleLabel{}, true, newError(ErrBarcodeCheckDigit, "Code", s)
	}
	code, digits := s[2:2+f.CodeDigits], s[2+f.CodeDigits:12]
	v, _ := strconv.ParseInt(digits, 10, 64)
	if v == 0 {
		return ScaleLabel{}, true, newError(ErrScaleLabelEmpty, "Code", s)
	}
	label = ScaleLabel{Code: code}
	if f.Value == ScaleWeight {
		label.Quantity = Quantity(v)
	} else {
		label.Sum = Money(v) * f.SumUnit
	}
	return label, true, nil
}

// ScaleLine is the receipt line for a scale label of this item. A weight is the line's quantity
// in the item's unit (a kilogram item takes the grams as thousandths; a gram item the grams as
// whole units). A sum is divided by the item's price into a quantity of three decimals, rounded
// half up, so the line's sum may differ from the label's by the rounding (at most half a gram's
// worth); a line that comes to nothing is refused.
func (it Item) ScaleLine(label ScaleLabel) (LineDraft, error) {
	q := label.Quantity
	if label.Sum > 0 {
		if it.Price <= 0 {
			return LineDraft{}, newError(ErrScaleSum)
		}
		q = Quantity((int64(label.Sum)*1000 + int64(it.Price)/2) / int64(it.Price))
	} else if it.Unit == "163" { // grams
		q *= QuantityOne
	}
	if q <= 0 {
		return LineDraft{}, newError(ErrScaleLabelEmpty, "Code", label.Code)
	}
	if q > MaxQuantity {
		return LineDraft{}, newError(ErrQuantityOverflow, "Max", MaxQuantity)
	}
	return it.Line(q), nil
}

// ScaleFormats are the layouts of a shop's scale labels, each for its own prefixes: a shop whose
// scales print the weight under 20–24 and the price under 25–29 keeps two. Settings.ScaleLabels
// holds them; an empty list is DefaultScaleFormat for every prefix.
type ScaleFormats []ScaleFormat

// ErrScaleOverlap refuses two layouts for one prefix: {{.Prefix}}.
const ErrScaleOverlap Code = "err.scale.overlap"

// MaxScaleFormats bounds the layouts a register keeps (one per prefix at most).
const MaxScaleFormats = 10

// Validate checks every layout (ScaleFormat.Validate) and that no prefix has two.
func (fs ScaleFormats) Validate() error {
	if len(fs) > MaxScaleFormats {
		return newError(ErrScaleFormat)
	}
	var taken [30]bool
	for _, f := range fs {
		if err := f.Validate(); err != nil {
			return err
		}
		for p := f.PrefixFrom; p <= f.PrefixTo; p++ {
			if taken[p] {
				return newError(ErrScaleOverlap, "Prefix", p)
			}
			taken[p] = true
		}
	}
	return nil
}

// Effective returns the layouts to read labels with: fs, or DefaultScaleFormat when fs is empty.
func (fs ScaleFormats) Effective() ScaleFormats {
	if len(fs) == 0 {
		return ScaleFormats{DefaultScaleFormat}
	}
	return fs
}

// ReadScaleLabel reads raw with the layout of its prefix (see ScaleFormat.ReadScaleLabel): ok is
// false when no layout has its prefix, and then it is an ordinary barcode.
func (fs ScaleFormats) ReadScaleLabel(raw string) (label ScaleLabel, ok bool, err error) {
	for _, f := range fs.Effective() {
		if label, ok, err = f.ReadScaleLabel(raw); ok || err != nil {
			return label, ok, err
		}
	}
	return ScaleLabel{}, false, nil
}
