// Package pricelist reads a shop's price list from CSV into catalogue items (kkm.Item): UTF-8
// with or without a byte-order mark, or Windows-1251 (1С's and a Russian Excel's CSV), fields
// split by ';' (as a spreadsheet set to Russian or Kazakh saves them) or ',', found from the first
// lines; titles above the header and a total line under the list are skipped. The columns are mapped to the item's
// fields by the cashier, with a guess from the header's words to start from; every row is
// checked as kkm checks an item, and a bad row gets its own error, so the preview shows them all
// before anything is written. Writing is the journal's, in one transaction (package
// journalimport, over storage.Journal.ImportItemsWith): a price list is imported whole or not at
// all.
//
// It must not import the journal (storage), the screens, app, the sender or the wire: the screens
// use its Table and Mapping, and through it they would link SQLite (internal/archtest).
package pricelist

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/ekassa-go/ekassa/kkm"
)

// Column is a field of kkm.Item a price list's column may fill.
type Column int

// The columns of a price list. Name and Price are required.
const (
	ColName Column = iota
	ColNTIN
	ColCode
	ColBarcodes // one or more barcodes, split by spaces, '|' or ','
	ColUnit     // an ИС ЭСФ code ("796") or a short name («шт», «дана», «кг»)
	ColPrice
	ColVAT       // "16", "16%", "0", "без НДС", "ҚҚС-сыз", "none"; empty: the register's default rate
	ColMarked    // a marked group's key (kkm.MarkedGroup) or empty
	ColFavourite // «да», «иә», "yes", "1", "+" or empty/«нет»: on the favourites grid
	ColArchived  // the same words: archived (kept for its codes, hidden from sale)
	Columns      // how many
)

// Refusals of a price list as a whole, and of a row's fields kkm has no code for.
const (
	ErrEncoding kkm.Code = "err.pricelist.encoding" // not UTF-8 text
	ErrEmpty    kkm.Code = "err.pricelist.empty"    // no header line
	ErrSyntax   kkm.Code = "err.pricelist.syntax"   // broken quoting; {{.Line}}
	ErrColumns  kkm.Code = "err.pricelist.columns"  // the name or price column is not chosen
	ErrVAT      kkm.Code = "err.pricelist.vat"      // a VAT rate not known; {{.Value}}
	ErrMarked   kkm.Code = "err.pricelist.marked"   // a marked group not known; {{.Value}}
	ErrFlag     kkm.Code = "err.pricelist.flag"     // a favourite/archived cell neither yes nor no; {{.Value}}
	// ErrDuplicateBarcode: an earlier row gives the barcode to another item; {{.Code}} {{.Line}} {{.Name}}
	ErrDuplicateBarcode kkm.Code = "err.pricelist.duplicate_barcode"
)

// MessageIDs lists the message IDs of this package.
func MessageIDs() []string {
	return []string{string(ErrEncoding), string(ErrEmpty), string(ErrSyntax), string(ErrColumns), string(ErrVAT), string(ErrMarked), string(ErrFlag), string(ErrXLSX), string(ErrDuplicateBarcode)}
}

// MaxSize bounds a price list read (64 MB: several hundred thousand rows).
const MaxSize = 64 << 20

// Table is a price list as read: its header and rows of fields, and the delimiter found.
type Table struct {
	Header    []string
	Rows      [][]string
	Lines     []int // the file's line number of each row, for the errors
	Delimiter rune
}

// Read reads a CSV price list: a UTF-8 byte-order mark is dropped, the delimiter is the one of
// ';' and ',' the header line holds more of (outside quotes), empty lines are skipped.
func Read(r io.Reader) (Table, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxSize))
	if err != nil {
		return Table{}, err
	}
	data = bytes.TrimPrefix(data, []byte("\uFEFF"))
	if !utf8.Valid(data) {
		// 1С and Excel on a Russian Windows save CSV in Windows-1251 unless told otherwise.
		dec, ok := fromWindows1251(data)
		if !ok {
			return Table{}, &kkm.Error{Code: ErrEncoding}
		}
		data = dec
	}
	t := Table{Delimiter: delimiter(data)}
	cr := csv.NewReader(bytes.NewReader(data))
	cr.Comma, cr.FieldsPerRecord, cr.ReuseRecord = t.Delimiter, -1, false
	var lead [][]string // the rows before the header is known (titles above it)
	var leadLines []int
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			line := 0
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				line = pe.Line
			}
			return Table{}, &kkm.Error{Code: ErrSyntax, Data: map[string]any{"Line": line}, Err: err}
		}
		line, _ := cr.FieldPos(0)
		t.add(rec, line, &lead, &leadLines)
	}
	return t.finish(lead, leadLines)
}

// headerSearch is how many rows above the header a price list may have: a title, the shop's name
// and address, the date, as 1С and a supplier's spreadsheet put there.
const headerSearch = 30

// add takes a row of the file: a blank row is skipped, and until the header is found (the first
// row that names the name and price columns, within headerSearch rows) the rows are kept aside.
func (t *Table) add(rec []string, line int, lead *[][]string, leadLines *[]int) {
	if blank(rec) {
		return
	}
	if t.Header != nil {
		t.Rows, t.Lines = append(t.Rows, rec), append(t.Lines, line)
		return
	}
	if m := GuessMapping(rec); m[ColName] >= 0 && m[ColPrice] >= 0 {
		t.Header = rec // the rows above it were titles
		*lead, *leadLines = nil, nil
		return
	}
	*lead, *leadLines = append(*lead, rec), append(*leadLines, line)
	if len(*lead) > headerSearch {
		t.finishLead(*lead, *leadLines)
		*lead, *leadLines = nil, nil
	}
}

// finishLead makes the first kept row the header when no row named the columns: the cashier maps
// them by hand.
func (t *Table) finishLead(lead [][]string, lines []int) {
	t.Header = lead[0]
	t.Rows, t.Lines = append(t.Rows, lead[1:]...), append(t.Lines, lines[1:]...)
}

// finish ends the reading: the header from the kept rows if none was found, and a total line at
// the end of the list dropped.
func (t Table) finish(lead [][]string, leadLines []int) (Table, error) {
	if t.Header == nil && len(lead) > 0 {
		t.finishLead(lead, leadLines)
	}
	if t.Header == nil {
		return Table{}, &kkm.Error{Code: ErrEmpty}
	}
	for n := len(t.Rows); n > 0 && totalLine(t.Rows[n-1]); n-- {
		t.Rows, t.Lines = t.Rows[:n-1], t.Lines[:n-1]
	}
	return t, nil
}

// totalWords begin the total line an accounting program puts under a list («Итого», «Всего:
// 2 000 позиций», «Барлығы»): not an item.
var totalWords = []string{"итого", "итог", "всего", "барлығы", "жиыны", "барлыгы", "total"}

// totalLine tells a list's total line: its first filled cell begins with a total's word.
func totalLine(rec []string) bool {
	for _, f := range rec {
		f = kkm.FoldForSearch(f)
		if f == "" {
			continue
		}
		for _, w := range totalWords {
			if f == w || strings.HasPrefix(f, w+" ") || strings.HasPrefix(f, w+":") {
				return true
			}
		}
		return false
	}
	return false
}

// delimiter is the one of ';' and ',' the first lines hold more of outside quotes: the header's
// line alone may be a title above it with neither.
func delimiter(data []byte) rune {
	semi, comma, quoted := 0, 0, false
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for n := 0; n < 10 && sc.Scan(); n++ {
		for _, r := range sc.Text() {
			switch {
			case r == '"':
				quoted = !quoted
			case quoted:
			case r == ';':
				semi++
			case r == ',':
				comma++
			}
		}
	}
	if comma > semi {
		return ','
	}
	return ';'
}

func blank(rec []string) bool {
	for _, f := range rec {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}

// Mapping gives, for each Column, the index of the file's column that fills it, or -1.
type Mapping [Columns]int

// headerWords are the words a header names a column with, folded (kkm.FoldForSearch), in the
// languages price lists come in.
var headerWords = [Columns][]string{
	ColName:      {"наименование", "название", "товар", "атауы", "атау", "тауар", "name", "item"},
	ColNTIN:      {"ntin", "нтин", "нкт", "ұтк", "код нкт", "ntin code"},
	ColCode:      {"код", "артикул", "plu", "коды", "code", "sku", "article"},
	ColBarcodes:  {"штрихкод", "штрих-код", "штрихкоды", "barcode", "barcodes", "ean"},
	ColUnit:      {"ед", "ед.", "ед. изм.", "единица", "өлшем бірлігі", "бірлік", "unit"},
	ColPrice:     {"цена", "баға", "бағасы", "price", "цена, тг", "цена, ₸"},
	ColVAT:       {"ндс", "ставка ндс", "ққс", "vat", "vat rate"},
	ColMarked:    {"маркировка", "таңбалау", "marked", "marking"},
	ColFavourite: {"избранное", "избранный", "таңдаулы", "favourite", "favorite"},
	ColArchived:  {"архив", "в архиве", "мұрағат", "мұрағатта", "archived", "archive"},
}

// GuessMapping maps the columns whose header is one of the words each column is known by.
func GuessMapping(header []string) Mapping {
	var m Mapping
	for c := range m {
		m[c] = -1
	}
	for i, h := range header {
		f := kkm.FoldForSearch(h)
		for c, words := range headerWords {
			if m[c] >= 0 {
				continue
			}
			for _, w := range words {
				if f == w {
					m[c] = i
					break
				}
			}
		}
	}
	return m
}

// RowError is a bad row: its line in the file and why, a *kkm.Error the screen translates.
type RowError struct {
	Line int
	Err  error
}

// Error names the line and the cause, for logs.
func (e *RowError) Error() string { return "pricelist: line " + itoa(e.Line) + ": " + e.Err.Error() }

// Unwrap gives the cause.
func (e *RowError) Unwrap() error { return e.Err }

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}

// Items turns the rows into items under m, each checked (kkm.Item.Validate), and returns the good
// ones and an error per bad row. A mapping without the name or price column is refused whole.
// That two rows carry the same barcode, or one an existing item's, the journal finds at import.
func (t Table) Items(m Mapping) ([]kkm.Item, []*RowError, error) {
	if m[ColName] < 0 || m[ColPrice] < 0 {
		return nil, nil, &kkm.Error{Code: ErrColumns}
	}
	var items []kkm.Item
	var bad []*RowError
	seen := map[string]int{}  // a row's text: its index, for a row listed twice
	owner := map[string]int{} // a barcode's key: the index of the row that has it
	for i, rec := range t.Rows {
		whole := strings.Join(rec, "\x00")
		if _, twice := seen[whole]; twice {
			continue // the same row again (an export listing an item twice): nothing new in it
		}
		seen[whole] = i
		it, err := item(rec, m)
		if err == nil {
			err = it.Validate()
		}
		if err == nil {
			err = t.sharedBarcode(it, i, owner, m)
		}
		if err != nil {
			bad = append(bad, &RowError{Line: t.Lines[i], Err: err})
			continue
		}
		items = append(items, it)
	}
	return items, bad, nil
}

// sharedBarcode refuses a row whose barcode an earlier row of the list gives another item, naming
// that row's line and item, so the preview shows it before anything is written; else it notes the
// row's barcodes in owner.
func (t Table) sharedBarcode(it kkm.Item, i int, owner map[string]int, m Mapping) error {
	for _, b := range it.Barcodes {
		code, err := kkm.ReadBarcode(b)
		if err != nil {
			continue // Validate has read it; a code it keeps as is is the journal's to check
		}
		if j, ok := owner[code.Key]; ok {
			name := ""
			if c := m[ColName]; c >= 0 && c < len(t.Rows[j]) {
				name = strings.TrimSpace(t.Rows[j][c])
			}
			return &kkm.Error{Code: ErrDuplicateBarcode, Data: map[string]any{
				"Code": kkm.DisplayBarcode(code.Key), "Line": t.Lines[j], "Name": name}}
		}
	}
	for _, b := range it.Barcodes {
		if code, err := kkm.ReadBarcode(b); err == nil {
			owner[code.Key] = i
		}
	}
	return nil
}

func item(rec []string, m Mapping) (kkm.Item, error) {
	get := func(c Column) string {
		if i := m[c]; i >= 0 && i < len(rec) {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	it := kkm.Item{Name: get(ColName), NTIN: get(ColNTIN), Code: get(ColCode), Unit: kkm.UnitPiece, VATRate: kkm.VATDefault}
	var err error
	if it.Price, err = kkm.ParseMoney(get(ColPrice)); err != nil {
		return it, err
	}
	if u := get(ColUnit); u != "" {
		it.Unit = unitCode(u)
	}
	switch v := kkm.FoldForSearch(strings.TrimSuffix(get(ColVAT), "%")); v {
	case "":
	case "без ндс", "ққс-сыз", "ққссыз", "none", "no vat", "-":
		it.VATRate = kkm.VATNone
	default:
		if it.VATRate, err = kkm.ParseVATRate(strings.TrimSpace(v)); err != nil {
			return it, &kkm.Error{Code: ErrVAT, Data: map[string]any{"Value": get(ColVAT)}}
		}
	}
	if g := get(ColMarked); g != "" {
		it.Marked = kkm.MarkedGroup(kkm.FoldForSearch(g))
		if !it.Marked.Valid() {
			return it, &kkm.Error{Code: ErrMarked, Data: map[string]any{"Value": g}}
		}
	}
	if it.Favourite, err = flag(get(ColFavourite)); err != nil {
		return it, err
	}
	if it.Archived, err = flag(get(ColArchived)); err != nil {
		return it, err
	}
	// Several barcodes in one cell, separated by spaces, bars, commas or semicolons.
	it.Barcodes = append(it.Barcodes, strings.FieldsFunc(get(ColBarcodes), func(r rune) bool {
		return r == ' ' || r == '|' || r == ',' || r == ';'
	})...)
	return it, nil
}

// unitCode reads a unit as a code or a short name in Russian or Kazakh; what it does not know is
// kept, for kkm to refuse by name.
func unitCode(s string) string {
	f := strings.TrimSuffix(kkm.FoldForSearch(s), ".")
	for _, u := range kkm.Units() {
		if f == u.Code || f == kkm.FoldForSearch(u.NameRU) || f == kkm.FoldForSearch(u.NameKK) {
			return u.Code
		}
	}
	if c, ok := unitWords[f]; ok {
		return c
	}
	return s
}

// unitWords are the other names accounting programs and spreadsheets give the units (1С writes
// «уп» and «упак.», a supplier «килограмм» or «pcs»), folded.
var unitWords = map[string]string{
	"штука": "796", "штук": "796", "pcs": "796", "pc": "796", "ед": "796",
	"килограмм": "166", "kg": "166", "грамм": "163", "литр": "112", "l": "112",
	"уп": "778", "упаковка": "778", "қаптама": "778", "pack": "778",
	"бутылка": "868", "бут": "868",
}

// flag reads a yes/no cell in the languages price lists come in; empty is no.
func flag(s string) (bool, error) {
	switch kkm.FoldForSearch(s) {
	case "", "0", "-", "нет", "жоқ", "no", "false", "n":
		return false, nil
	case "1", "+", "да", "иә", "ия", "yes", "true", "y", "x", "х", "✓":
		return true, nil
	}
	return false, &kkm.Error{Code: ErrFlag, Data: map[string]any{"Value": s}}
}

// Result is what an import did: items added and items updated (journalimport.Import with update).
type Result struct {
	Added, Updated int
}
