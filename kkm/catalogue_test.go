package kkm

import (
	"errors"
	"testing"
)

func TestReadBarcode(t *testing.T) {
	for _, tc := range []struct {
		name, raw string
		kind      BarcodeKind
		key       string
		err       Code
	}{
		{"EAN-13", "4006381333931", BarcodeEAN13, "04006381333931", ""},
		{"EAN-13 from a scanner with Enter and identifier", "]E04006381333931\r\n", BarcodeEAN13, "04006381333931", ""},
		{"EAN-13 check digit wrong", "4006381333932", 0, "", ErrBarcodeCheckDigit},
		{"EAN-8", "96385074", BarcodeEAN8, "00000096385074", ""},
		{"EAN-8 check digit wrong", "96385075", 0, "", ErrBarcodeCheckDigit},
		{"UPC-A", "036000291452", BarcodeUPCA, "00036000291452", ""},
		{"UPC-A check digit wrong", "036000291453", 0, "", ErrBarcodeCheckDigit},
		{"UPC-A as EAN-13 is the same key", "0036000291452", BarcodeEAN13, "00036000291452", ""},
		{"GTIN-14", "14870216760004", BarcodeGTIN14, "14870216760004", ""},
		{"GS1 DataMatrix marking code gives its GTIN", codeBeer, BarcodeGTIN14, "04870216760007", ""},
		{"marking code with a leading FNC1 and identifier", "]d2" + GS + codeShoes, BarcodeGTIN14, "04690257528523", ""},
		{"bracketed AI 01 without serial", "(01)04870216760007", BarcodeGTIN14, "04870216760007", ""},
		{"AI 01 with a wrong check digit", "0104870216760008" + "10ABC", 0, "", ErrBarcodeCheckDigit},
		{"Code 128 text", "ABC-123/x", BarcodeCode128, "ABC-123/x", ""},
		{"Code 128 digits of another length", "123456", BarcodeCode128, "123456", ""},
		{"Russian layout read back", "ФИС-123", BarcodeCode128, "ABC-123", ""},
		{"empty", "  \r\n", 0, "", ErrBarcodeEmpty},
		{"too long", "X123456789012345678901234567890123456789012345678", 0, "", ErrBarcodeInvalid},
		{"Cyrillic not from the layout", "Қ1", 0, "", ErrBarcodeInvalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, err := ReadBarcode(tc.raw)
			if tc.err != "" {
				if !errors.Is(err, tc.err) {
					t.Fatalf("ReadBarcode(%q) = %+v, %v; want %s", tc.raw, b, err, tc.err)
				}
				return
			}
			if err != nil || b.Kind != tc.kind || b.Key != tc.key {
				t.Fatalf("ReadBarcode(%q) = %+v, %v; want kind %d key %s", tc.raw, b, err, tc.kind, tc.key)
			}
		})
	}
}

func TestDisplayBarcode(t *testing.T) {
	for key, want := range map[string]string{
		"04006381333931": "4006381333931",
		"00000096385074": "96385074",
		"14870216760004": "14870216760004",
		"ABC-123":        "ABC-123",
	} {
		if got := DisplayBarcode(key); got != want {
			t.Errorf("DisplayBarcode(%s) = %s, want %s", key, got, want)
		}
	}
}

func TestItemValidate(t *testing.T) {
	good := func() Item {
		return Item{Name: " Қымыз 0,5 л ", NTIN: "0200000012345", Code: "A-17", Unit: UnitPiece, Price: 85000,
			VATRate: VAT16, Barcodes: []string{"4006381333931", "04006381333931", "96385074"}}
	}
	it := good()
	if err := it.Validate(); err != nil {
		t.Fatalf("Validate: %v", err)
	}
	if it.Name != "Қымыз 0,5 л" || len(it.Barcodes) != 2 || it.Barcodes[0] != "04006381333931" || it.Barcodes[1] != "00000096385074" {
		t.Fatalf("normalised item %+v", it)
	}
	for _, tc := range []struct {
		name   string
		change func(*Item)
		err    Code
	}{
		{"no name", func(i *Item) { i.Name = "  " }, ErrItemNameEmpty},
		{"name with a line break", func(i *Item) { i.Name = "a\nb" }, ErrLineNameInvalid},
		{"NTIN letters", func(i *Item) { i.NTIN = "12A" }, ErrLineNTIN},
		{"code too long", func(i *Item) { i.Code = "123456789012345678901234567890123" }, ErrItemCode},
		{"unit unknown", func(i *Item) { i.Unit = "999" }, ErrLineUnitUnknown},
		{"price zero", func(i *Item) { i.Price = 0 }, ErrItemPrice},
		{"price above the limit", func(i *Item) { i.Price = MaxMoney + 1 }, ErrMoneyOverflow},
		{"VAT rate unknown", func(i *Item) { i.VATRate = 77 }, ErrVATRateInvalid},
		{"marked group unknown", func(i *Item) { i.Marked = "sugar" }, ErrItemMarkedGroup},
		{"marked by the kilogram", func(i *Item) { i.Marked = MarkedDairy; i.Unit = "166" }, ErrItemMarkedFraction},
		{"bad barcode", func(i *Item) { i.Barcodes = append(i.Barcodes, "4006381333932") }, ErrBarcodeCheckDigit},
		{"too many barcodes", func(i *Item) { i.Barcodes = make([]string, MaxBarcodesPerItem+1) }, ErrItemTooManyBarcodes},
	} {
		t.Run(tc.name, func(t *testing.T) {
			it := good()
			tc.change(&it)
			before := it.Name
			if err := it.Validate(); !errors.Is(err, tc.err) {
				t.Fatalf("Validate = %v, want %s", err, tc.err)
			}
			if it.Name != before {
				t.Fatalf("a refused item was changed: %q", it.Name)
			}
		})
	}
	it = good()
	it.Marked, it.Price = MarkedBeer, MaxMoney
	if err := it.Validate(); err != nil {
		t.Fatalf("a marked item by the piece at the price limit: %v", err)
	}
}

func TestItemLineCopies(t *testing.T) {
	it := Item{Name: "Сүт", NTIN: "123", Unit: "112", Price: 54000, VATRate: VAT10, Marked: MarkedDairy}
	l := it.Line(1500)
	it.Name, it.Price = "Сүт жаңа", 99900
	if l.Name != "Сүт" || l.Price != 54000 || l.NTIN != "123" || l.Unit != "112" || l.VATRate != VAT10 ||
		l.Marked != MarkedDairy || l.Quantity != 1500 {
		t.Fatalf("line %+v", l)
	}
}

func TestFoldForSearch(t *testing.T) {
	for in, want := range map[string]string{
		"ҚЫМЫЗ":               "қымыз",
		"ӘҒҚҢӨҰҮҺІ":           "әғқңөұүһі",
		"  Ёлка   ЖАҢА  жыл ": "елка жаңа жыл",
		"Milk 3,2%":           "milk 3,2%",
		"Сүт\tөнімдері":       "сүт өнімдері",
	} {
		if got := FoldForSearch(in); got != want {
			t.Errorf("FoldForSearch(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzReadBarcode: any input is read or refused without a panic, and a key read back reads as itself.
func FuzzReadBarcode(f *testing.F) {
	for _, s := range []string{"4006381333931", "96385074", "036000291452", codeBeer, "(01)04870216760007", "ABC-123", "]E0", "2200123012341"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		b, err := ReadBarcode(raw)
		if err != nil {
			return
		}
		again, err := ReadBarcode(b.Key)
		if err != nil || again.Key != b.Key {
			t.Fatalf("key %q of %q reads as %+v, %v", b.Key, raw, again, err)
		}
		if _, _, err := DefaultScaleFormat.ReadScaleLabel(raw); err != nil && !errors.Is(err, ErrScaleLabelEmpty) && !errors.Is(err, ErrBarcodeCheckDigit) {
			t.Fatalf("scale label of %q: %v", raw, err)
		}
	})
}
