package kkm

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// Real-shaped marking codes (the GTINs carry correct check digits; serials and tails are made
// up in the schemes' shapes).
const (
	// shoes: 01 GTIN, 21 serial of 13, GS, 91 key of 4, GS, 92 signature of 44 (base64)
	codeShoes = "0104690257528523" + "21" + "G+mgsHw<DiLN_" + GS + "91" + "EE05" + GS +
		"92" + "sOe6fy7lPT8lLffZ5WdQ7Rp8PXLDwEGD1Wv4oY71o4FV"
	// medicine: the same shape, another GTIN
	codeMedicine = "0104607028393839" + "21" + "5RTQ2P8MXK1ZW" + GS + "91" + "EE06" + GS +
		"92" + "dGVzdHNpZ25hdHVyZWZvcm1lZGljaW5lMTIzNDU2Nzg5"
	// tobacco pack: 01 GTIN, 21 serial of 7, GS, 8005 price of 6, GS, 93 code of 4
	codeTobacco = "0104600266011725" + "21" + "-fw3Cq?" + GS + "8005" + "095000" + GS + "93" + "dGVz"
	// tobacco block with the 91/92 tail
	codeTobaccoBlock = "0104600266011725" + "21" + "XQd3b7A" + GS + "91" + "FFD0" + GS +
		"92" + "dGVzdGJsb2NrY29kZXNpZ25hdHVyZTEyMzQ1Njc4OTA="
	// beer: 01 GTIN, 21 serial of 7, GS, 93 code of 4
	codeBeer = "0104870216760007" + "21" + "qKkdi+S" + GS + "93" + "U3g5"
	// the AI-less tobacco pack code: GTIN 14, serial 7, 8 verification characters
	codeTobaccoShort = "04780101164394" + "TF&csaN" + "NW1kK0tL"
)

// russianLayout is what a keyboard-mode scanner types for s with the Russian layout active.
func russianLayout(s string) string {
	var b strings.Builder
	for _, r := range s {
		if ru, ok := usToRussian[r]; ok {
			r = ru
		}
		b.WriteRune(r)
	}
	return b.String()
}

// beer returns the beer code of another unit (serial digits n).
func beerUnit(n string) string { return "0104870216760007" + "21" + "qKkdi" + n + GS + "93" + "U3g5" }

func TestParseMarkingCode(t *testing.T) {
	noGS := func(s string) string { return strings.ReplaceAll(s, GS, "") }
	tests := []struct {
		name         string
		in           string
		gtin, serial string
		want         string // canonical; "" means the input itself
		code         Code
	}{
		{"shoes", codeShoes, "04690257528523", "G+mgsHw<DiLN_", "", ""},
		{"medicine", codeMedicine, "04607028393839", "5RTQ2P8MXK1ZW", "", ""},
		{"tobacco pack with 8005 and 93", codeTobacco, "04600266011725", "-fw3Cq?", "", ""},
		{"tobacco block with 91/92", codeTobaccoBlock, "04600266011725", "XQd3b7A", "", ""},
		{"beer", codeBeer, "04870216760007", "qKkdi+S", "", ""},
		{"tobacco pack without AIs", codeTobaccoShort, "04780101164394", "TF&csaN", "", ""},

		// what scanners and people deliver
		{"]d2 symbology prefix", "]d2" + codeShoes, "04690257528523", "G+mgsHw<DiLN_", codeShoes, ""},
		{"]C1 symbology prefix", "]C1" + codeBeer, "04870216760007", "qKkdi+S", codeBeer, ""},
		{"leading FNC1 as GS", GS + codeMedicine, "04607028393839", "5RTQ2P8MXK1ZW", codeMedicine, ""},
		{"the scanner's Enter", codeBeer + "\r\n", "04870216760007", "qKkdi+S", codeBeer, ""},
		{"a trailing GS", codeBeer + GS, "04870216760007", "qKkdi+S", codeBeer, ""},
		{"GS typed as <GS>", strings.ReplaceAll(codeShoes, GS, "<GS>"), "04690257528523", "G+mgsHw<DiLN_", codeShoes, ""},
		{"GS shown as ␝", strings.ReplaceAll(codeTobacco, GS, "␝"), "04600266011725", "-fw3Cq?", codeTobacco, ""},
		{"shoes without GS", noGS(codeShoes), "04690257528523", "G+mgsHw<DiLN_", codeShoes, ""},
		{"medicine without GS", noGS(codeMedicine), "04607028393839", "5RTQ2P8MXK1ZW", codeMedicine, ""},
		{"tobacco without GS", noGS(codeTobacco), "04600266011725", "-fw3Cq?", codeTobacco, ""},
		{"beer without GS", noGS(codeBeer), "04870216760007", "qKkdi+S", codeBeer, ""},
		{"]d2 and no GS", "]d2" + noGS(codeBeer), "04870216760007", "qKkdi+S", codeBeer, ""},
		{"bracketed", "(01)04690257528523(21)G+mgsHw<DiLN_(91)EE05(92)sOe6fy7lPT8lLffZ5WdQ7Rp8PXLDwEGD1Wv4oY71o4FV",
			"04690257528523", "G+mgsHw<DiLN_", codeShoes, ""},
		{"shoes scanned with the Russian layout", russianLayout(noGS(codeShoes)), "04690257528523", "G+mgsHw<DiLN_", codeShoes, ""},
		{"tobacco scanned with the Russian layout", russianLayout(codeTobacco), "04600266011725", "-fw3Cq?", codeTobacco, ""},
		{"the AI-less pack with the Russian layout", russianLayout(codeTobaccoShort), "04780101164394", "TF&csaN", codeTobaccoShort, ""},
		{"bracketed beer", "(01)04870216760007(21)qKkdi+S(93)U3g5", "04870216760007", "qKkdi+S", codeBeer, ""},

		// refused
		{"empty", "", "", "", "", ErrMarkingEmpty},
		{"only the Enter", "\r\n", "", "", "", ErrMarkingEmpty},
		{"an EAN-13 barcode", "4870001234560", "", "", "", ErrMarkingStructure},
		{"GTIN check digit wrong", "0104690257528524" + "21" + "G+mgsHw<DiLN_" + GS + "91EE05" + GS + "92abcd", "", "", "", ErrMarkingGTIN},
		{"GTIN with a letter", "01046902575285A3" + "21" + "G+mgsHw<DiLN_" + GS + "91EE05" + GS + "92abcd", "", "", "", ErrMarkingGTIN},
		{"no serial", "0104690257528523" + "91EE05" + GS + "92abcd", "", "", "", ErrMarkingSerial},
		{"no crypto tail", "0104690257528523" + "21" + "G+mgsHw<DiLN_", "", "", "", ErrMarkingCrypto},
		{"serial longer than 20", "0104690257528523" + "21" + strings.Repeat("A", 21) + GS + "93abcd", "", "", "", ErrMarkingStructure},
		{"an unknown AI", "0104690257528523" + "21" + "ABC" + GS + "99abcd", "", "", "", ErrMarkingStructure},
		{"an AI twice", "0104690257528523" + "21" + "ABC" + GS + "21DEF" + GS + "93abcd", "", "", "", ErrMarkingStructure},
		{"a space inside", "0104690257528523" + "21" + "AB C" + GS + "93abcd", "", "", "", ErrMarkingStructure},
		{"Kazakh letters", "0104690257528523" + "21" + "әіңғ" + GS + "93abcd", "", "", "", ErrMarkingStructure},
		{"GTIN cut short", "01046902575", "", "", "", ErrMarkingStructure},
		{"too long", "0104690257528523" + "21" + "A" + GS + "92" + strings.Repeat("x", MaxMarkingCodeLength), "", "", "", ErrMarkingTooLong},
		{"not a code at all", "hello", "", "", "", ErrMarkingStructure},
		{"short form with a bad GTIN", "04780101164395" + "TF&csaN" + "NW1kK0tL", "", "", "", ErrMarkingStructure},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := ParseMarkingCode(tt.in)
			wantCode(t, err, tt.code)
			if err != nil {
				return
			}
			want := tt.want
			if want == "" {
				want = tt.in
			}
			if c.GTIN != tt.gtin || c.Serial != tt.serial || c.String() != want {
				t.Errorf("got GTIN %q serial %q code %q; want %q %q %q", c.GTIN, c.Serial, c.String(), tt.gtin, tt.serial, want)
			}
			again, err := ParseMarkingCode(c.String())
			if err != nil || again.String() != c.String() {
				t.Errorf("the canonical form does not parse back to itself: %q, %v", again.String(), err)
			}
			if c.ID() != tt.gtin+"/"+tt.serial {
				t.Errorf("ID %q", c.ID())
			}
		})
	}
}

func TestMarkingCodeForms(t *testing.T) {
	c, err := ParseMarkingCode(codeTobacco)
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Readable(); got != "(01)04600266011725(21)-fw3Cq?(8005)095000(93)dGVz" {
		t.Errorf("Readable %q", got)
	}
	if got := c.Identification(); got != "(01)04600266011725(21)-fw3Cq?" {
		t.Errorf("Identification %q", got)
	}
	// the GS stays in the canonical code: it is what the DataMatrix holds and what the OFD gets
	if strings.Count(c.String(), GS) != 2 {
		t.Errorf("canonical code %q lost its separators", c.String())
	}
	for _, g := range MarkedGroups() {
		if !g.Valid() || !strings.HasPrefix(g.MessageID(), "marked.group.") {
			t.Errorf("group %q", g)
		}
	}
	if MarkedGroup("").Valid() || MarkedGroup("guns").Valid() {
		t.Error("an empty or unknown group is valid")
	}
}

func markedItem(name string, units int, price Money, g MarkedGroup, codes ...string) LineDraft {
	l := item(name, Quantity(units)*QuantityOne, price)
	l.Marked, l.Codes = g, codes
	return l
}

func TestComputeReceiptMarked(t *testing.T) {
	tests := []struct {
		name  string
		lines []LineDraft
		code  Code
		line  int
	}{
		{"two beers, two codes", []LineDraft{markedItem("Сыра", 2, 50000, MarkedBeer, beerUnit("11"), beerUnit("12"))}, "", 0},
		{"shoes, medicine and tobacco", []LineDraft{
			item("Нан", 1000, 20000),
			markedItem("Етік", 1, 2500000, MarkedShoes, codeShoes),
			markedItem("Дәрі", 1, 150000, MarkedMedicine, "]d2"+codeMedicine),
			markedItem("Темекі", 1, 95000, MarkedTobacco, codeTobaccoShort)}, "", 0},
		{"tobacco pack and block of one GTIN", []LineDraft{
			markedItem("Темекі", 2, 95000, MarkedTobacco, codeTobacco, codeTobaccoBlock)}, "", 0},
		{"a code missing", []LineDraft{markedItem("Сыра", 2, 50000, MarkedBeer, beerUnit("11"))}, ErrMarkingCount, 1},
		{"a code too many", []LineDraft{markedItem("Сыра", 1, 50000, MarkedBeer, beerUnit("11"), beerUnit("12"))}, ErrMarkingCount, 1},
		{"no codes at all", []LineDraft{item("Нан", 1000, 20000), markedItem("Етік", 1, 2500000, MarkedShoes)}, ErrMarkingCount, 2},
		{"a fraction of a marked unit", []LineDraft{{Name: "Ірімшік", Quantity: 1500, Unit: "166", Price: 300000, Marked: MarkedDairy}}, ErrMarkedFraction, 1},
		{"the same unit twice on a line", []LineDraft{markedItem("Сыра", 2, 50000, MarkedBeer, codeBeer, codeBeer)}, ErrMarkingDuplicate, 1},
		{"the same unit on two lines, once without GS", []LineDraft{
			markedItem("Сыра", 1, 50000, MarkedBeer, codeBeer),
			markedItem("Сыра", 1, 50000, MarkedBeer, strings.ReplaceAll(codeBeer, GS, ""))}, ErrMarkingDuplicate, 2},
		{"a bad code", []LineDraft{markedItem("Етік", 1, 2500000, MarkedShoes, "4870001234560")}, ErrMarkingStructure, 1},
		{"codes on a line not marked", []LineDraft{{Name: "Нан", Quantity: 1000, Price: 20000, Codes: []string{codeBeer}}}, ErrMarkingUnmarked, 1},
		{"an unknown group", []LineDraft{markedItem("Қару", 1, 100, "guns", codeBeer)}, ErrMarkedGroup, 1},
		{"two goods' codes on one line", []LineDraft{markedItem("Сыра", 2, 50000, MarkedBeer, codeBeer, codeShoes)}, ErrMarkingGTINMixed, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := ComputeReceipt(ReceiptDraft{Operation: OpSale, Lines: tt.lines, Payments: cash(100000000)}, payerSettings())
			wantCode(t, err, tt.code)
			if err != nil {
				var e *Error
				if errors.As(err, &e) && e.Data["Line"] != tt.line {
					t.Errorf("error on line %v, want %d", e.Data["Line"], tt.line)
				}
				return
			}
			for i, l := range r.Lines {
				if l.Marked != tt.lines[i].Marked || len(l.Codes) != len(tt.lines[i].Codes) {
					t.Errorf("line %d: marked %q with %d codes", i+1, l.Marked, len(l.Codes))
				}
				for j, c := range l.Codes {
					want, _ := ParseMarkingCode(tt.lines[i].Codes[j])
					if c != want.String() {
						t.Errorf("line %d code %d is %q, want the canonical %q", i+1, j+1, c, want.String())
					}
				}
			}
		})
	}
}

func TestComputeReceiptMarkedCanonical(t *testing.T) {
	r, err := ComputeReceipt(ReceiptDraft{Operation: OpSale, Payments: cash(10000000),
		Lines: []LineDraft{markedItem("Етік", 1, 2500000, MarkedShoes, "]d2"+strings.ReplaceAll(codeShoes, GS, "")+"\r")}}, payerSettings())
	if err != nil {
		t.Fatal(err)
	}
	if r.Lines[0].Codes[0] != codeShoes {
		t.Errorf("stored %q, want the code with its separators %q", r.Lines[0].Codes[0], codeShoes)
	}
}

func TestValidateReturnMarked(t *testing.T) {
	s := payerSettings()
	orig, err := ComputeReceipt(ReceiptDraft{Operation: OpSale, Payments: cash(10000000), Lines: []LineDraft{
		markedItem("Сыра", 3, 50000, MarkedBeer, beerUnit("11"), beerUnit("12"), beerUnit("13")),
		item("Нан", 1000, 20000)}}, s)
	if err != nil {
		t.Fatal(err)
	}
	parent := &ParentReceipt{Number: "1", Time: time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC), RNM: "1", Total: orig.Total}
	ret := func(lines ...LineDraft) Receipt {
		t.Helper()
		var sum Money
		for _, l := range lines {
			sum += l.Price * Money(l.Quantity/QuantityOne)
		}
		r, err := ComputeReceipt(ReceiptDraft{Operation: OpSaleReturn, Parent: parent, Payments: cash(sum), Lines: lines}, s)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	first := ret(markedItem("Сыра", 1, 50000, MarkedBeer, beerUnit("12")))
	tests := []struct {
		name     string
		returned []Receipt
		ret      Receipt
		code     Code
	}{
		{"one unit back by its code", nil, first, ""},
		{"two more after the first", []Receipt{first}, ret(markedItem("Сыра", 2, 50000, MarkedBeer, beerUnit("11"), strings.ReplaceAll(beerUnit("13"), GS, ""))), ""},
		{"the same unit again", []Receipt{first}, ret(markedItem("Сыра", 1, 50000, MarkedBeer, beerUnit("12"))), ErrReturnMarkingTwice},
		{"a unit the original did not sell", nil, ret(markedItem("Сыра", 1, 50000, MarkedBeer, beerUnit("99"))), ErrReturnMarkingNotIn},
		{"a marked item without its codes", nil, ret(item("Сыра", 1000, 50000)), ErrMarkingCount},
		{"an unmarked item as before", nil, ret(item("Нан", 1000, 20000)), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantCode(t, ValidateReturn(orig, tt.returned, tt.ret), tt.code)
		})
	}
}

// FuzzParseMarkingCode checks that the parser never panics, that whatever it accepts has a
// verified GTIN, a serial and a canonical form that parses back to the same unit, and that it
// accepts the canonical form with the separators dropped or a ]d2 prefix added.
func FuzzParseMarkingCode(f *testing.F) {
	for _, s := range []string{codeShoes, codeMedicine, codeTobacco, codeTobaccoBlock, codeBeer, codeTobaccoShort,
		"]d2" + codeBeer, strings.ReplaceAll(codeShoes, GS, ""), "(01)04870216760007(21)qKkdi+S(93)U3g5", "", "01", "(", "0104870216760007"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		c, err := ParseMarkingCode(in)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %v is not an *Error", err)
			}
			return
		}
		if !validGTIN(c.GTIN) || c.Serial == "" || len(c.String()) > MaxMarkingCodeLength {
			t.Fatalf("accepted %q as GTIN %q serial %q", in, c.GTIN, c.Serial)
		}
		again, err := ParseMarkingCode(c.String())
		if err != nil || again.ID() != c.ID() || again.String() != c.String() {
			t.Fatalf("canonical %q of %q parses to %q (%v)", c.String(), in, again.String(), err)
		}
		if p, err := ParseMarkingCode("]d2" + c.String()); err != nil || p.ID() != c.ID() {
			t.Fatalf("]d2 + %q refused or another unit: %v", c.String(), err)
		}
	})
}
