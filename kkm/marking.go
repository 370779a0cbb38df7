package kkm

import "strings"

// Marked goods (маркированные товары, таңбаланатын тауарлар).
//
// A unit of a marked good carries a DataMatrix code whose content, the marking code (код
// маркировки, таңбалау коды), is a GS1 element string: AI 01 with the 14-digit GTIN, AI 21 with the
// unit's serial, and a verification tail set by the marking system — AI 91 (key) with AI 92
// (signature) for shoes, clothes, medicines and most groups, AI 93 (a short code) for beer,
// alcohol and tobacco, AI 8005 (maximum retail price) before it on tobacco. Variable-length
// fields end with a group separator (GS, 0x1D, the barcode's FNC1). Tobacco consumer packs also
// carry a 29-character code without AIs (GTIN 14, serial 7, 8 verification characters), as the
// Kazakh, Uzbek and Russian tobacco schemes print it.
//
// The receipt sends one code per unit (commodity list_excise_stamp, Order 626 para 56 item 8), so
// a marked line is sold in whole units and carries exactly as many codes as units; a unit (its
// GTIN and serial) appears once in a receipt.

// MarkedGroup is a group of goods that must be marked, or "" for goods that are not.
type MarkedGroup string

// The marked groups of Kazakhstan's marking system the register knows.
const (
	MarkedTobacco  MarkedGroup = "tobacco"  // cigarettes and other tobacco products
	MarkedAlcohol  MarkedGroup = "alcohol"  // strong alcohol and wine
	MarkedBeer     MarkedGroup = "beer"     // beer and beer drinks (from 2026)
	MarkedShoes    MarkedGroup = "shoes"    // footwear
	MarkedMedicine MarkedGroup = "medicine" // medicines
	MarkedClothes  MarkedGroup = "clothes"  // light industry: clothes and linen
	MarkedTyres    MarkedGroup = "tyres"    // tyres
	MarkedPerfume  MarkedGroup = "perfume"  // perfumes and toilet water
	MarkedDairy    MarkedGroup = "dairy"    // dairy products
	MarkedWater    MarkedGroup = "water"    // packaged water and soft drinks
)

// MarkedGroups returns the marked groups in the order pickers list them.
func MarkedGroups() []MarkedGroup {
	return []MarkedGroup{MarkedTobacco, MarkedAlcohol, MarkedBeer, MarkedShoes, MarkedMedicine,
		MarkedClothes, MarkedTyres, MarkedPerfume, MarkedDairy, MarkedWater}
}

// Valid reports whether g is one of the marked groups ("" is not: it means not marked).
func (g MarkedGroup) Valid() bool {
	for _, k := range MarkedGroups() {
		if g == k {
			return true
		}
	}
	return false
}

// MessageID is the i18n key of the group's name, "marked.group.<g>".
func (g MarkedGroup) MessageID() string { return "marked.group." + string(g) }

// GS is the GS1 group separator (ASCII 29) that ends a variable-length field of a marking code;
// it is part of the code and is kept in what is stored and sent.
const GS = "\x1d"

// MaxMarkingCodeLength bounds a marking code in bytes (the longest real ones, shoes with an
// 88-character signature, are about 130).
const MaxMarkingCodeLength = 200

// Refusals of a marking code and of marked lines.
const (
	ErrMarkingEmpty       Code = "err.marking.empty"
	ErrMarkingTooLong     Code = "err.marking.too_long"               // {{.Max}}
	ErrMarkingStructure   Code = "err.marking.structure"              // not a GS1 element string (nor the AI-less tobacco form)
	ErrMarkingGTIN        Code = "err.marking.gtin"                   // the GTIN's check digit is wrong
	ErrMarkingSerial      Code = "err.marking.serial"                 // no serial (AI 21), or not printable
	ErrMarkingCrypto      Code = "err.marking.crypto"                 // no verification tail (AI 91/92/93)
	ErrMarkingDuplicate   Code = "err.marking.duplicate"              // the unit is already in this receipt; {{.Line}}
	ErrMarkingSold        Code = "err.marking.sold"                   // sold in this shift by receipt {{.Number}}, not returned; {{.Code}}
	ErrMarkingCount       Code = "err.receipt.line.marking_count"     // {{.Line}} needs {{.Want}} codes, has {{.Have}}
	ErrMarkedFraction     Code = "err.receipt.line.marked_fraction"   // {{.Line}}: marked goods in whole units
	ErrMarkedGroup        Code = "err.receipt.line.marked_group"      // {{.Line}}: unknown group
	ErrMarkingUnmarked    Code = "err.receipt.line.marking_unmarked"  // {{.Line}}: codes on a line not marked
	ErrMarkingGTINMixed   Code = "err.receipt.line.marking_gtin"      // {{.Line}}: codes of different goods
	ErrReturnMarkingNotIn Code = "err.return.marking_not_in_original" // {{.Name}}: a code the original did not sell
	ErrReturnMarkingTwice Code = "err.return.marking_returned"        // {{.Name}}: a code already returned
)

func markingMessageIDs() []string {
	codes := []Code{ErrMarkingEmpty, ErrMarkingTooLong, ErrMarkingStructure, ErrMarkingGTIN, ErrMarkingSerial,
		ErrMarkingCrypto, ErrMarkingDuplicate, ErrMarkingSold, ErrMarkingCount, ErrMarkedFraction, ErrMarkedGroup,
		ErrMarkingUnmarked, ErrMarkingGTINMixed, ErrReturnMarkingNotIn, ErrReturnMarkingTwice}
	ids := make([]string, len(codes))
	for i, c := range codes {
		ids[i] = string(c)
	}
	return ids
}

// AIField is one application identifier of a marking code with its value.
type AIField struct {
	AI    string
	Value string
}

// MarkingCode is a parsed marking code. Its String is the canonical content sent to the OFD.
type MarkingCode struct {
	GTIN   string    // 14 digits, check digit verified
	Serial string    // the unit's serial (AI 21)
	Fields []AIField // every field in order, 01 and 21 included; nil for the AI-less tobacco form
	short  string    // the AI-less tobacco form as scanned
}

// aiSpec describes an application identifier: a fixed length (0 for variable), a maximum length,
// digits only, and whether it is predefined-length in GS1 (no separator follows it).
type aiSpec struct {
	fixed, max int
	numeric    bool
	predefined bool
}

// ais are the application identifiers marking codes use. 8005 and 7003 have a fixed length but
// are not in GS1's predefined-length table, so a separator follows them.
var ais = map[string]aiSpec{
	"01":   {fixed: 14, max: 14, numeric: true, predefined: true},
	"11":   {fixed: 6, max: 6, numeric: true, predefined: true},
	"17":   {fixed: 6, max: 6, numeric: true, predefined: true},
	"10":   {max: 20},
	"21":   {max: 20},
	"240":  {max: 30},
	"3100": {fixed: 6, max: 6, numeric: true, predefined: true},
	"3101": {fixed: 6, max: 6, numeric: true, predefined: true},
	"3102": {fixed: 6, max: 6, numeric: true, predefined: true},
	"3103": {fixed: 6, max: 6, numeric: true, predefined: true},
	"3104": {fixed: 6, max: 6, numeric: true, predefined: true},
	"3105": {fixed: 6, max: 6, numeric: true, predefined: true},
	"7003": {fixed: 10, max: 10, numeric: true},
	"8005": {fixed: 6, max: 6, numeric: true},
	"91":   {max: 90},
	"92":   {max: 90},
	"93":   {max: 90},
}

// aiAt returns the application identifier at the start of s, if it is one of ais.
func aiAt(s string) (string, aiSpec, bool) {
	for n := 2; n <= 4 && n <= len(s); n++ {
		if spec, ok := ais[s[:n]]; ok {
			return s[:n], spec, true
		}
	}
	return "", aiSpec{}, false
}

// String returns the canonical code: the fields in order, a GS after each field that is not of
// predefined length, except the last. The AI-less tobacco form is returned as it is.
func (c MarkingCode) String() string {
	if c.Fields == nil {
		return c.short
	}
	var b strings.Builder
	for i, f := range c.Fields {
		b.WriteString(f.AI)
		b.WriteString(f.Value)
		if i < len(c.Fields)-1 && !ais[f.AI].predefined {
			b.WriteString(GS)
		}
	}
	return b.String()
}

// ID is what identifies the unit: its GTIN and serial. Two codes with the same ID are the same
// unit, whatever their verification tails.
func (c MarkingCode) ID() string { return c.GTIN + "/" + c.Serial }

// Readable returns the code as people write it: "(01)…(21)…(91)…", without separators; the
// AI-less tobacco form as it is.
func (c MarkingCode) Readable() string {
	if c.Fields == nil {
		return c.short
	}
	var b strings.Builder
	for _, f := range c.Fields {
		b.WriteString("(" + f.AI + ")" + f.Value)
	}
	return b.String()
}

// Identification returns the unit's identification code as printed on a receipt,
// "(01)<GTIN>(21)<serial>": the verification tail is a signature for the OFD, not for the buyer.
func (c MarkingCode) Identification() string { return "(01)" + c.GTIN + "(21)" + c.Serial }

// NormalizeMarkingCode brings a marking code as an input device delivers it to one form: the
// surrounding spaces and the Enter a scanner ends with are dropped; a symbology identifier a
// scanner puts first (]d2 for GS1 DataMatrix, ]C1 for GS1-128, ]Q3 for GS1 QR) and a leading
// FNC1 are dropped; the separator written as "<GS>" or "␝" becomes GS; and a code a scanner typed
// with the Russian keyboard layout active (Cyrillic letters where the code has Latin ones) is read
// back to the keys it pressed.
func NormalizeMarkingCode(raw string) string {
	s := strings.Trim(raw, " \t\r\n")
	for _, p := range []string{"]d2", "]C1", "]Q3", "]e0"} {
		if strings.HasPrefix(s, p) {
			s = s[len(p):]
			break
		}
	}
	s = fromRussianLayout(s)
	s = strings.ReplaceAll(s, "<GS>", GS)
	s = strings.ReplaceAll(s, "␝", GS)
	s = strings.TrimLeft(s, GS)
	return strings.TrimRight(s, GS+" \t\r\n")
}

// ParseMarkingCode parses what a scanner, a photo or a cashier delivered as a marking code
// (NormalizeMarkingCode first) and checks its structure: AI 01 with a GTIN whose check digit is
// right, AI 21 with a serial of printable ASCII, a verification tail (AI 91, 92 or 93), every AI
// at most once and numeric fields digits only. It accepts the element string with separators, the
// same without them (keyboard-wedge scanners often drop GS: the split is found from the serial
// lengths the marking schemes use, 13 and 7 first), the bracketed form "(01)…(21)…", and the
// AI-less 29-character tobacco pack code. Refusals are *Error with an ErrMarking… code.
func ParseMarkingCode(raw string) (MarkingCode, error) {
	s := NormalizeMarkingCode(raw)
	switch {
	case s == "":
		return MarkingCode{}, newError(ErrMarkingEmpty)
	case len(s) > MaxMarkingCodeLength:
		return MarkingCode{}, newError(ErrMarkingTooLong, "Max", MaxMarkingCodeLength)
	}
	for i := 0; i < len(s); i++ {
		if (s[i] < 0x21 || s[i] > 0x7e) && s[i] != GS[0] {
			return MarkingCode{}, newError(ErrMarkingStructure)
		}
	}
	var fields []AIField
	var err error
	switch {
	case strings.HasPrefix(s, "("):
		fields, err = parseBracketed(s)
	case strings.HasPrefix(s, "01"):
		if fields, err = parseElements(s); err == nil {
			_, err = checkFields(fields)
		}
		if err != nil && !strings.Contains(s, GS) {
			if f, ok := splitWithoutGS(s); ok {
				fields, err = f, nil
			}
		}
	default:
		err = newError(ErrMarkingStructure)
	}
	if err == nil {
		var c MarkingCode
		if c, err = checkFields(fields); err == nil {
			return c, nil
		}
	}
	if c, ok := parseShortTobacco(s); ok {
		return c, nil
	}
	return MarkingCode{}, err
}

// parseElements reads a GS1 element string: a field of fixed length is read by its length, a
// variable one up to the next GS or the end.
func parseElements(s string) ([]AIField, error) {
	var fields []AIField
	for len(s) > 0 {
		ai, spec, ok := aiAt(s)
		if !ok {
			return nil, newError(ErrMarkingStructure)
		}
		s = s[len(ai):]
		var v string
		if spec.fixed > 0 {
			if len(s) < spec.fixed {
				return nil, newError(ErrMarkingStructure)
			}
			v, s = s[:spec.fixed], s[spec.fixed:]
		} else if i := strings.Index(s, GS); i >= 0 {
			v, s = s[:i], s[i:]
		} else {
			v, s = s, ""
		}
		s = strings.TrimPrefix(s, GS)
		fields = append(fields, AIField{ai, v})
	}
	return fields, nil
}

// parseBracketed reads the human-readable form "(01)…(21)…(91)…".
func parseBracketed(s string) ([]AIField, error) {
	s = strings.ReplaceAll(s, GS, "")
	var fields []AIField
	for len(s) > 0 {
		end := strings.IndexByte(s, ')')
		if s[0] != '(' || end < 0 {
			return nil, newError(ErrMarkingStructure)
		}
		ai := s[1:end]
		if _, ok := ais[ai]; !ok {
			return nil, newError(ErrMarkingStructure)
		}
		s = s[end+1:]
		next := strings.IndexByte(s, '(')
		if next < 0 {
			next = len(s)
		}
		fields = append(fields, AIField{ai, s[:next]})
		s = s[next:]
	}
	return fields, nil
}

// serialLengths are the serial lengths tried, in order, when a code came without separators:
// 13 (shoes, clothes, medicines, tyres, perfume, dairy, water) and 7 (tobacco, beer, alcohol)
// first, then every other length GS1 allows.
var serialLengths = func() []int {
	l := []int{13, 7, 6, 8}
	for n := 1; n <= 20; n++ {
		if n != 13 && n != 7 && n != 6 && n != 8 {
			l = append(l, n)
		}
	}
	return l
}()

// splitWithoutGS finds the fields of a code whose separators were lost: 01 and its GTIN, 21 and a
// serial of one of serialLengths, then a tail of one of the shapes marking schemes use — 91 with
// a 4-character key and 92 with the rest; 93 with the rest; 8005 with 6 digits and 93 with the
// rest; 92 with the rest.
func splitWithoutGS(s string) ([]AIField, bool) {
	if len(s) < 2+14+2 || s[16:18] != "21" {
		return nil, false
	}
	gtin, rest := s[2:16], s[18:]
	for _, n := range serialLengths {
		if n >= len(rest) {
			continue
		}
		serial, tail := rest[:n], rest[n:]
		fields := []AIField{{"01", gtin}, {"21", serial}}
		switch {
		case strings.HasPrefix(tail, "91") && len(tail) > 2+4+2 && tail[6:8] == "92":
			fields = append(fields, AIField{"91", tail[2:6]}, AIField{"92", tail[8:]})
		case strings.HasPrefix(tail, "8005") && len(tail) > 4+6+2 && tail[10:12] == "93":
			fields = append(fields, AIField{"8005", tail[4:10]}, AIField{"93", tail[12:]})
		case strings.HasPrefix(tail, "93") && len(tail) > 2, strings.HasPrefix(tail, "92") && len(tail) > 2:
			fields = append(fields, AIField{tail[:2], tail[2:]})
		default:
			continue
		}
		if _, err := checkFields(fields); err == nil {
			return fields, true
		}
	}
	return nil, false
}

// parseShortTobacco reads the AI-less tobacco pack code: 14 GTIN digits, a 7-character serial
// and 8 verification characters.
func parseShortTobacco(s string) (MarkingCode, bool) {
	if len(s) != 29 || strings.Contains(s, GS) || !validGTIN(s[:14]) {
		return MarkingCode{}, false
	}
	return MarkingCode{GTIN: s[:14], Serial: s[14:21], short: s}, true
}

// checkFields checks the parsed fields and builds the code.
func checkFields(fields []AIField) (MarkingCode, error) {
	if len(fields) == 0 || fields[0].AI != "01" {
		return MarkingCode{}, newError(ErrMarkingStructure)
	}
	var c MarkingCode
	seen := map[string]bool{}
	crypto := false
	for _, f := range fields {
		spec := ais[f.AI]
		if seen[f.AI] || f.Value == "" || len(f.Value) > spec.max || (spec.fixed > 0 && len(f.Value) != spec.fixed) {
			return MarkingCode{}, newError(ErrMarkingStructure)
		}
		seen[f.AI] = true
		for i := 0; i < len(f.Value); i++ {
			ch := f.Value[i]
			if ch < 0x21 || ch > 0x7e || (spec.numeric && (ch < '0' || ch > '9')) {
				if f.AI == "01" {
					return MarkingCode{}, newError(ErrMarkingGTIN)
				}
				return MarkingCode{}, newError(ErrMarkingStructure)
			}
		}
		switch f.AI {
		case "01":
			c.GTIN = f.Value
		case "21":
			c.Serial = f.Value
		case "91", "92", "93":
			crypto = true
		}
	}
	switch {
	case !validGTIN(c.GTIN):
		return MarkingCode{}, newError(ErrMarkingGTIN)
	case c.Serial == "":
		return MarkingCode{}, newError(ErrMarkingSerial)
	case !crypto:
		return MarkingCode{}, newError(ErrMarkingCrypto)
	}
	c.Fields = fields
	return c, nil
}

// validGTIN reports whether g is 14 digits whose last is the GS1 check digit of the others
// (weights 3 and 1 alternating from the right).
func validGTIN(g string) bool {
	if len(g) != 14 {
		return false
	}
	sum := 0
	for i := 0; i < 13; i++ {
		d := int(g[i] - '0')
		if d < 0 || d > 9 {
			return false
		}
		if i%2 == 0 {
			d *= 3
		}
		sum += d
	}
	return g[13] >= '0' && g[13] <= '9' && int(g[13]-'0') == (10-sum%10)%10
}

// markLine checks a line's marking (n counts from 1) and puts the canonical codes on l.
func markLine(n int, ld LineDraft, l *Line) error {
	if ld.Marked == "" {
		if len(ld.Codes) > 0 {
			return newError(ErrMarkingUnmarked, "Line", n)
		}
		return nil
	}
	if !ld.Marked.Valid() {
		return newError(ErrMarkedGroup, "Line", n, "Group", string(ld.Marked))
	}
	if !l.Quantity.Whole() {
		return newError(ErrMarkedFraction, "Line", n, "Quantity", l.Quantity)
	}
	want := int64(l.Quantity / QuantityOne)
	if int64(len(ld.Codes)) != want {
		return newError(ErrMarkingCount, "Line", n, "Want", want, "Have", len(ld.Codes))
	}
	l.Marked = ld.Marked
	l.Codes = make([]string, len(ld.Codes))
	gtin := ""
	for i, raw := range ld.Codes {
		c, err := ParseMarkingCode(raw)
		if err != nil {
			e := err.(*Error)
			if e.Data == nil {
				e.Data = map[string]any{}
			}
			e.Data["Line"] = n
			e.Data["Unit"] = i + 1
			return e
		}
		if gtin == "" {
			gtin = c.GTIN
		} else if c.GTIN != gtin {
			return newError(ErrMarkingGTINMixed, "Line", n)
		}
		l.Codes[i] = c.String()
	}
	return nil
}

// checkUnitsOnce refuses a receipt in which a unit (a marking code's GTIN and serial) appears
// twice, on one line or on two.
func checkUnitsOnce(lines []Line) error {
	seen := map[string]bool{}
	for i, l := range lines {
		for _, code := range l.Codes {
			c, err := ParseMarkingCode(code)
			if err != nil {
				return err // cannot happen: markLine stored it parsed
			}
			if seen[c.ID()] {
				return newError(ErrMarkingDuplicate, "Line", i+1, "Code", c.Identification())
			}
			seen[c.ID()] = true
		}
	}
	return nil
}

// MarkingID returns the unit identity (ID) of a stored or typed code, or "" when it does not parse.
func MarkingID(code string) string {
	c, err := ParseMarkingCode(code)
	if err != nil {
		return ""
	}
	return c.ID()
}

// checkReturnCodes checks the marking codes of a return against its original: every returned
// unit of a marked item names its code, and that code is one the original sold on the same item
// (ErrReturnMarkingNotIn) and no earlier return took back (ErrReturnMarkingTwice). A line
// returning a marked item without codes is refused with ErrMarkingCount.
func checkReturnCodes(original Receipt, returned []Receipt, ret Receipt) error {
	sold := map[string]returnKey{}
	marked := map[returnKey]bool{}
	for _, l := range original.Lines {
		if l.Marked != "" {
			marked[keyOf(l)] = true
		}
		for _, code := range l.Codes {
			sold[MarkingID(code)] = keyOf(l)
		}
	}
	back := map[string]bool{}
	for _, p := range returned {
		for _, l := range p.Lines {
			for _, code := range l.Codes {
				back[MarkingID(code)] = true
			}
		}
	}
	for i, l := range ret.Lines {
		k := keyOf(l)
		if marked[k] && len(l.Codes) == 0 {
			return newError(ErrMarkingCount, "Line", i+1, "Want", int64(l.Quantity/QuantityOne), "Have", 0)
		}
		for _, code := range l.Codes {
			id := MarkingID(code)
			if sk, ok := sold[id]; !ok || sk != k {
				return newError(ErrReturnMarkingNotIn, "Name", l.Name, "Code", code)
			}
			if back[id] {
				return newError(ErrReturnMarkingTwice, "Name", l.Name, "Code", code)
			}
			back[id] = true
		}
	}
	return nil
}

// usToRussian is what each key of the US layout types in the Russian (ЙЦУКЕН) layout, shifted
// and not. A keyboard-mode scanner sends keys, not characters: with the Russian layout active it
// types «ЙЦУКЕН» where the code has "QWERTY". Digits are the same in both.
var usToRussian = map[rune]rune{
	'q': 'й', 'w': 'ц', 'e': 'у', 'r': 'к', 't': 'е', 'y': 'н', 'u': 'г', 'i': 'ш', 'o': 'щ', 'p': 'з',
	'[': 'х', ']': 'ъ', 'a': 'ф', 's': 'ы', 'd': 'в', 'f': 'а', 'g': 'п', 'h': 'р', 'j': 'о', 'k': 'л',
	'l': 'д', ';': 'ж', '\'': 'э', 'z': 'я', 'x': 'ч', 'c': 'с', 'v': 'м', 'b': 'и', 'n': 'т', 'm': 'ь',
	',': 'б', '.': 'ю', '/': '.', '`': 'ё',
	'Q': 'Й', 'W': 'Ц', 'E': 'У', 'R': 'К', 'T': 'Е', 'Y': 'Н', 'U': 'Г', 'I': 'Ш', 'O': 'Щ', 'P': 'З',
	'{': 'Х', '}': 'Ъ', 'A': 'Ф', 'S': 'Ы', 'D': 'В', 'F': 'А', 'G': 'П', 'H': 'Р', 'J': 'О', 'K': 'Л',
	'L': 'Д', ':': 'Ж', '"': 'Э', 'Z': 'Я', 'X': 'Ч', 'C': 'С', 'V': 'М', 'B': 'И', 'N': 'Т', 'M': 'Ь',
	'<': 'Б', '>': 'Ю', '?': ',', '~': 'Ё',
	'@': '"', '#': '№', '$': ';', '^': ':', '&': '?', '|': '/',
}

// russianToUS inverts usToRussian.
var russianToUS = func() map[rune]rune {
	m := make(map[rune]rune, len(usToRussian))
	for us, ru := range usToRussian {
		m[ru] = us
	}
	return m
}()

// fromRussianLayout gives back the keys a scanner pressed when s holds a Cyrillic letter (or №),
// the sign that the Russian layout was active: every character is read back through the layout.
// A marking code holds only ASCII, so a code with Cyrillic in it can only have come this way.
func fromRussianLayout(s string) string {
	cyrillic := false
	for _, r := range s {
		if (r >= 'А' && r <= 'я') || r == 'ё' || r == 'Ё' || r == '№' {
			cyrillic = true
			break
		}
	}
	if !cyrillic {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if us, ok := russianToUS[r]; ok {
			r = us
		}
		b.WriteRune(r)
	}
	return b.String()
}
