package kkm

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// The catalogue (номенклатура, тауарлар анықтамалығы): the goods and services a shop sells, each
// with its name as in the National Catalogue of Goods (НКТ) and its code there (NTIN), the
// barcodes on its packs, its unit, price, VAT rate and marked group. Selling an item copies these
// onto a receipt line (Item.Line): the receipt keeps the copy, so a later change of the item's
// price or name never alters a receipt already issued. Items are archived, never deleted, so a
// code once printed always finds what it named.

// Item is one good or service of the catalogue.
type Item struct {
	ID        int64       `json:"id"`                  // the journal's row id; 0 for an item not yet saved
	Name      string      `json:"name"`                // as in the НКТ; printed on the receipt
	NTIN      string      `json:"ntin,omitempty"`      // the item's НКТ code, digits (ValidateNTIN)
	Code      string      `json:"code,omitempty"`      // the shop's own article or PLU code (scale labels carry it)
	Barcodes  []string    `json:"barcodes,omitempty"`  // canonical keys (NormalizeBarcode), each on one item only
	Unit      string      `json:"unit"`                // ИС ЭСФ unit code (Units)
	Price     Money       `json:"price"`               // price of one unit, VAT included
	VATRate   VATRate     `json:"vat_rate"`            // VATDefault takes the register's default rate at sale
	Marked    MarkedGroup `json:"marked,omitempty"`    // "" when not marked
	Favourite bool        `json:"favourite,omitempty"` // shown on the favourites grid for one-tap sale
	Archived  bool        `json:"archived,omitempty"`  // hidden from sale and search; kept for its codes
}

// Limits of an item's own code and of a free-text (Code 128) barcode.
const (
	MaxItemCodeLength  = 32 // characters of the shop's article code
	MaxBarcodeLength   = 48 // characters of a Code 128 barcode (GS1-128 stays within 48 data characters)
	MaxBarcodesPerItem = 32 // barcodes one item may carry (packs, old labels, suppliers)
)

// Refusals of the catalogue. Each is a *Error whose data name the offending value.
const (
	ErrItemNameEmpty       Code = "err.item.name_empty"        // an item without a name
	ErrItemCode            Code = "err.item.code"              // article code too long or with control characters; {{.Max}}
	ErrItemPrice           Code = "err.item.price"             // zero price
	ErrItemMarkedGroup     Code = "err.item.marked_group"      // an unknown marked group; {{.Group}}
	ErrItemMarkedFraction  Code = "err.item.marked_fraction"   // a marked good in a divisible unit; {{.Unit}}
	ErrItemTooManyBarcodes Code = "err.item.too_many_barcodes" // {{.Max}}
	ErrBarcodeEmpty        Code = "err.barcode.empty"          // nothing scanned or typed
	ErrBarcodeCheckDigit   Code = "err.barcode.check_digit"    // an EAN/UPC/GTIN whose check digit is wrong; {{.Code}}
	ErrBarcodeInvalid      Code = "err.barcode.invalid"        // too long or not printable ASCII; {{.Code}} {{.Max}}
	ErrBarcodeTaken        Code = "err.barcode.taken"          // the barcode is already another item's; {{.Code}} {{.Name}}
	ErrItemCodeTaken       Code = "err.item.code_taken"        // the article code is already another item's; {{.Code}} {{.Name}}
	ErrItemNotFound        Code = "err.item.not_found"         // no item with that id
)

// catalogueMessageIDs lists the message IDs of catalogue.go, for MessageIDs.
func catalogueMessageIDs() []string {
	var ids []string
	for _, c := range []Code{ErrItemNameEmpty, ErrItemCode, ErrItemPrice, ErrItemMarkedGroup,
		ErrItemMarkedFraction, ErrItemTooManyBarcodes, ErrBarcodeEmpty, ErrBarcodeCheckDigit,
		ErrBarcodeInvalid, ErrBarcodeTaken, ErrItemCodeTaken, ErrItemNotFound, ErrScaleFormat, ErrScaleLabelEmpty, ErrScaleSum, ErrScaleOverlap} {
		ids = append(ids, string(c))
	}
	return ids
}

// BarcodeKind is the symbology a barcode was read as.
type BarcodeKind uint8

// The barcodes an item may carry.
const (
	BarcodeEAN13   BarcodeKind = iota + 1 // 13 digits, GS1 check digit
	BarcodeEAN8                           // 8 digits, GS1 check digit
	BarcodeUPCA                           // 12 digits, GS1 check digit
	BarcodeGTIN14                         // 14 digits (ITF-14, or the GTIN of a GS1 DataMatrix / GS1-128)
	BarcodeCode128                        // any other printable ASCII text
)

// Barcode is a barcode as scanned or typed, read: Key is what the catalogue stores and looks up.
// The GS1 codes (EAN-13, EAN-8, UPC-A, GTIN-14, a DataMatrix's AI 01) all name a GTIN, and their
// key is that GTIN padded to 14 digits, so the EAN-13 printed on a pack and the GTIN in the same
// pack's marking code find the same item, as do a UPC-A and its EAN-13 form with a leading 0.
type Barcode struct {
	Kind BarcodeKind
	Key  string
}

// Display returns the barcode as it is printed on the goods: a GTIN key without the zeros its
// padding added (13 digits for an EAN-13 or UPC-A, 8 for an EAN-8).
func (b Barcode) Display() string { return DisplayBarcode(b.Key) }

// DisplayBarcode returns a stored barcode key as it is printed on the goods (see Barcode.Display).
func DisplayBarcode(key string) string {
	if len(key) == 14 && allDigits(key) {
		switch {
		case strings.HasPrefix(key, "000000"):
			return key[6:]
		case key[0] == '0':
			return key[1:]
		}
	}
	return key
}

// ReadBarcode reads a barcode as a scanner or a cashier delivered it: the spaces and Enter around
// it, and a symbology identifier a scanner puts first (]E0, ]C1, ]d2, …), are dropped; a code
// typed with the Russian layout active is read back to its keys. Digits only, 8, 12, 13 or 14 of
// them, are a GS1 code whose check digit must be right (ErrBarcodeCheckDigit); a GS1 element
// string (a marking code, or "(01)…") gives its GTIN; anything else of printable ASCII, up to
// MaxBarcodeLength, is a Code 128 text kept as it is.
func ReadBarcode(raw string) (Barcode, error) {
	s := stripSymbology(strings.Trim(raw, " \t\r\n"))
	s = fromRussianLayout(s)
	s = strings.Trim(s, GS+" ")
	if s == "" {
		return Barcode{}, newError(ErrBarcodeEmpty)
	}
	if allDigits(s) {
		switch len(s) {
		case 8, 12, 13, 14:
			key := strings.Repeat("0", 14-len(s)) + s
			if !validGTIN(key) {
				return Barcode{}, newError(ErrBarcodeCheckDigit, "Code", s)
			}
			kind := map[int]BarcodeKind{8: BarcodeEAN8, 12: BarcodeUPCA, 13: BarcodeEAN13, 14: BarcodeGTIN14}[len(s)]
			return Barcode{Kind: kind, Key: key}, nil
		}
	}
	if len(s) > 16 && (strings.HasPrefix(s, "01") || strings.HasPrefix(s, "(01)")) {
		if c, err := ParseMarkingCode(s); err == nil {
			return Barcode{Kind: BarcodeGTIN14, Key: c.GTIN}, nil
		}
		if g := strings.TrimPrefix(strings.TrimPrefix(s, "(01)"), "01"); len(g) >= 14 && allDigits(g[:14]) {
			// A GS1-128 or DataMatrix with AI 01 but no serial (a trade unit's label): its GTIN.
			if !validGTIN(g[:14]) {
				return Barcode{}, newError(ErrBarcodeCheckDigit, "Code", g[:14])
			}
			return Barcode{Kind: BarcodeGTIN14, Key: g[:14]}, nil
		}
	}
	if utf8.RuneCountInString(s) > MaxBarcodeLength {
		return Barcode{}, newError(ErrBarcodeInvalid, "Code", clip(s, MaxBarcodeLength), "Max", MaxBarcodeLength)
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return Barcode{}, newError(ErrBarcodeInvalid, "Code", clip(s, MaxBarcodeLength), "Max", MaxBarcodeLength)
		}
	}
	return Barcode{Kind: BarcodeCode128, Key: s}, nil
}

// stripSymbology drops the symbology identifiers a scanner may put first (ISO/IEC 15424: "]",
// a letter, a digit or letter: ]E0 EAN-13, ]C1 GS1-128, ]d2 GS1 DataMatrix).
func stripSymbology(s string) string {
	isAlpha := func(c byte) bool { return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' }
	for len(s) >= 3 && s[0] == ']' && isAlpha(s[1]) && (isAlpha(s[2]) || s[2] >= '0' && s[2] <= '9') {
		s = s[3:]
	}
	return s
}

func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}

// Validate checks an item before it is saved and brings its barcodes to their keys (ReadBarcode),
// dropping repeats: a refusal is a *Error naming the field, and the item is then left unchanged.
// That a barcode or code is not another item's is the journal's check (ErrBarcodeTaken).
func (it *Item) Validate() error {
	name := strings.TrimSpace(it.Name)
	if name == "" {
		return newError(ErrItemNameEmpty)
	}
	if err := ValidateItemName(name); err != nil {
		return err
	}
	if err := ValidateNTIN(it.NTIN); err != nil {
		return err
	}
	code := strings.TrimSpace(it.Code)
	if err := checkText(code, MaxItemCodeLength, ErrItemCode); err != nil {
		return err
	}
	u, ok := UnitByCode(it.Unit)
	if !ok {
		return newError(ErrLineUnitUnknown, "Unit", it.Unit)
	}
	if it.Price <= 0 {
		return newError(ErrItemPrice)
	}
	if it.Price > MaxMoney {
		return newError(ErrMoneyOverflow, "Max", MaxMoney)
	}
	if !it.VATRate.Valid() {
		return newError(ErrVATRateInvalid)
	}
	if it.Marked != "" {
		if !it.Marked.Valid() {
			return newError(ErrItemMarkedGroup, "Group", string(it.Marked))
		}
		if u.Fractional {
			return newError(ErrItemMarkedFraction, "Unit", u.NameRU)
		}
	}
	if len(it.Barcodes) > MaxBarcodesPerItem {
		return newError(ErrItemTooManyBarcodes, "Max", MaxBarcodesPerItem)
	}
	keys := make([]string, 0, len(it.Barcodes))
	seen := map[string]bool{}
	for _, raw := range it.Barcodes {
		b, err := ReadBarcode(raw)
		if err != nil {
			return err
		}
		if !seen[b.Key] {
			seen[b.Key] = true
			keys = append(keys, b.Key)
		}
	}
	it.Name, it.Code, it.Barcodes = name, code, keys
	return nil
}

// Line is the receipt line that sells quantity of the item: a copy of its name, code, unit,
// price, VAT rate and marked group as they are now. Marking codes are the sale screen's to add.
func (it Item) Line(quantity Quantity) LineDraft {
	return LineDraft{
		Name: it.Name, NTIN: it.NTIN, Unit: it.Unit, Price: it.Price, VATRate: it.VATRate,
		Quantity: quantity, Marked: it.Marked,
	}
}

// FoldForSearch brings a name or a query to the form the catalogue's search compares: lower case
// by Unicode's rules, which know the Kazakh letters (Ә→ә, Ғ→ғ, Қ→қ, Ң→ң, Ө→ө, Ұ→ұ, Ү→ү, Һ→һ,
// І→і), ё read as е (as most shops write it), and runs of spaces as one. A cashier finds «Қымыз»
// by typing «қым» or «ҚЫМ».
func FoldForSearch(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := true // drop leading spaces
	for _, r := range s {
		if unicode.IsSpace(r) {
			if !space {
				b.WriteByte(' ')
			}
			space = true
			continue
		}
		space = false
		r = unicode.ToLower(r)
		if r == 'ё' {
			r = 'е'
		}
		b.WriteRune(r)
	}
	return strings.TrimRight(b.String(), " ")
}
