package pricelist

import (
	"bufio"
	"encoding/csv"
	"io"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/ekassa-go/ekassa/kkm"
)

// Export writes a catalogue as a price list that Read, ReadXLSX and GuessMapping take back to
// the same items: the header in the cashier's language (Header), every column, the unit by its
// short name in that language (its ИС ЭСФ code in English, which has no names of its own), the
// price with a decimal comma for a ';' list (a spreadsheet set to Russian or Kazakh reads it as a
// number), barcodes as printed on the goods (kkm.DisplayBarcode) split by spaces, the VAT rate
// as a number, «без НДС» or empty for the register's default, and yes/no for the flags.

// headers are the export's header lines; each word is one of headerWords, so GuessMapping maps an
// exported file back without the cashier's help.
var headers = map[string][Columns]string{
	"ru": {"Наименование", "НТИН", "Код", "Штрихкод", "Ед.", "Цена", "НДС", "Маркировка", "Избранное", "Архив"},
	"kk": {"Атауы", "НТИН", "Коды", "Штрихкод", "Өлшем бірлігі", "Бағасы", "ҚҚС", "Таңбалау", "Таңдаулы", "Мұрағат"},
	"en": {"Name", "NTIN", "Code", "Barcodes", "Unit", "Price", "VAT", "Marked", "Favourite", "Archived"},
}

// Header returns the export's header in a language ("kk", "ru" or "en"; Russian for any other).
func Header(lang string) [Columns]string {
	if h, ok := headers[lang]; ok {
		return h
	}
	return headers["ru"]
}

// words of the flags and of «no VAT» in each language, as flag and item read them.
var yesNo = map[string][2]string{"ru": {"да", ""}, "kk": {"иә", ""}, "en": {"yes", ""}}
var noVAT = map[string]string{"ru": "без НДС", "kk": "ҚҚС-сыз", "en": "none"}

// Row is one item as the export's cells, in the order of Columns. decimalComma writes the price
// as «850,50» instead of «850.50».
func Row(it kkm.Item, lang string, decimalComma bool) [Columns]string {
	if _, ok := headers[lang]; !ok {
		lang = "ru"
	}
	var r [Columns]string
	r[ColName], r[ColNTIN], r[ColCode] = it.Name, it.NTIN, it.Code
	codes := make([]string, len(it.Barcodes))
	for i, b := range it.Barcodes {
		codes[i] = kkm.DisplayBarcode(b)
	}
	r[ColBarcodes] = strings.Join(codes, " ")
	r[ColUnit] = it.Unit
	if u, ok := kkm.UnitByCode(it.Unit); ok && lang != "en" {
		r[ColUnit] = map[string]string{"ru": u.NameRU, "kk": u.NameKK}[lang]
	}
	r[ColPrice] = it.Price.Decimal()
	if decimalComma {
		r[ColPrice] = strings.Replace(r[ColPrice], ".", ",", 1)
	}
	switch it.VATRate {
	case kkm.VATDefault:
	case kkm.VATNone:
		r[ColVAT] = noVAT[lang]
	default:
		r[ColVAT] = it.VATRate.String()
	}
	r[ColMarked] = string(it.Marked)
	yn := yesNo[lang]
	r[ColFavourite], r[ColArchived] = yn[1], yn[1]
	if it.Favourite {
		r[ColFavourite] = yn[0]
	}
	if it.Archived {
		r[ColArchived] = yn[0]
	}
	return r
}

// ItemSource gives the catalogue to export page by page (storage.Journal.EachItem), so 50 000
// items are never all held at once by the export.
type ItemSource func(yield func(kkm.Item) error) error

// WriteCSV writes the items as a CSV price list: UTF-8 with a byte-order mark (so a spreadsheet
// opens it as UTF-8), fields split by ';', CRLF line ends, quoted where a field needs it.
func WriteCSV(w io.Writer, lang string, items ItemSource) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	if _, err := bw.WriteString("\uFEFF"); err != nil {
		return err
	}
	cw := csv.NewWriter(bw)
	cw.Comma, cw.UseCRLF = ';', true
	h := Header(lang)
	if err := cw.Write(h[:]); err != nil {
		return err
	}
	err := items(func(it kkm.Item) error {
		r := Row(it, lang, true)
		return cw.Write(r[:])
	})
	if err != nil {
		return err
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	return bw.Flush()
}

// WriteXLSX writes the items as an XLSX workbook of one sheet through excelize's stream writer:
// text cells for every column but the price, which is a number (two decimals shown), so codes
// such as «036000291452» keep their leading zeros and the price sums in a spreadsheet.
func WriteXLSX(w io.Writer, lang string, items ItemSource) error {
	f := excelize.NewFile()
	defer f.Close()
	sheet := f.GetSheetName(0)
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	priceStyle, err := f.NewStyle(&excelize.Style{NumFmt: 4}) // #,##0.00
	if err != nil {
		return err
	}
	if err := sw.SetColWidth(1, 1, 40); err != nil {
		return err
	}
	if err := sw.SetColWidth(2, int(Columns), 16); err != nil {
		return err
	}
	h := Header(lang)
	cells := make([]any, Columns)
	for i, v := range h {
		cells[i] = v
	}
	if err := sw.SetRow("A1", cells, excelize.RowOpts{}); err != nil {
		return err
	}
	row := 2
	err = items(func(it kkm.Item) error {
		r := Row(it, lang, false)
		for i, v := range r {
			cells[i] = excelize.Cell{Value: v}
		}
		// The price as a number of tenge: a float holds any sum up to MaxMoney to the tiyn.
		cells[ColPrice] = excelize.Cell{StyleID: priceStyle, Value: float64(it.Price) / 100}
		cell, _ := excelize.CoordinatesToCellName(1, row)
		row++
		return sw.SetRow(cell, cells)
	})
	if err != nil {
		return err
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	return f.Write(w)
}
