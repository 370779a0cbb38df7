package pricelist

import (
	"bytes"
	"io"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/ekassa-go/ekassa/kkm"
)

// ErrXLSX refuses a file that looks like a workbook (a ZIP) but excelize cannot open or read:
// damaged, encrypted or not a spreadsheet.
const ErrXLSX kkm.Code = "err.pricelist.xlsx"

// zipMagic begins every XLSX (an Office Open XML package is a ZIP).
var zipMagic = []byte("PK\x03\x04")

// ReadAny reads a price list whose format is told from its first bytes: a ZIP is an XLSX
// workbook (ReadXLSX), anything else is CSV (Read). The name the file had is not trusted: a
// price list saved from a phone's messenger often loses it.
func ReadAny(r io.Reader) (Table, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxSize))
	if err != nil {
		return Table{}, err
	}
	if bytes.HasPrefix(data, zipMagic) {
		return ReadXLSX(bytes.NewReader(data))
	}
	return Read(bytes.NewReader(data))
}

// ReadXLSX reads the first sheet of an XLSX workbook as a price list: the header is the first row
// that names the name and price columns (titles above it are skipped; with no such row, the first
// non-empty one), empty rows and a total line at the end are skipped, and each row keeps its
// sheet row number for the errors. A formula's cell is its value as the spreadsheet last computed
// and saved it.
// The sheet is read as a stream of rows (excelize.Rows), so a list of 50 000 rows is never
// held as a parsed sheet beside its table. Cells are read raw (no number format applied: a price
// formatted «# ##0,00 ₸» is its number), and a number Excel stored with binary noise
// ("850.49999999999994", "4.006381333931E+12") is written back in its shortest exact form.
func ReadXLSX(r io.Reader) (Table, error) {
	f, err := excelize.OpenReader(io.LimitReader(r, MaxSize))
	if err != nil {
		return Table{}, &kkm.Error{Code: ErrXLSX, Err: err}
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return Table{}, &kkm.Error{Code: ErrEmpty}
	}
	rows, err := f.Rows(sheets[0])
	if err != nil {
		return Table{}, &kkm.Error{Code: ErrXLSX, Err: err}
	}
	defer rows.Close()
	var t Table
	var lead [][]string
	var leadLines []int
	for line := 1; rows.Next(); line++ {
		rec, err := rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return Table{}, &kkm.Error{Code: ErrXLSX, Err: err}
		}
		for i, c := range rec {
			rec[i] = cellText(c)
		}
		t.add(rec, line, &lead, &leadLines)
	}
	if err := rows.Error(); err != nil {
		return Table{}, &kkm.Error{Code: ErrXLSX, Err: err}
	}
	return t.finish(lead, leadLines)
}

// cellText is a raw cell's text, with a float's binary noise taken out (see ReadXLSX). Only a
// number with an exponent or more than six decimals is rewritten: "036000291452" stays as it is.
func cellText(c string) string {
	noisy := strings.ContainsAny(c, "eE")
	if i := strings.IndexByte(c, '.'); i >= 0 && len(c)-i-1 > 6 {
		noisy = true
	}
	if !noisy {
		return c
	}
	v, err := strconv.ParseFloat(c, 64)
	if err != nil {
		return c
	}
	// 14 significant digits hold any price (kkm.MaxMoney) and GTIN; the shortest form of that is the
	// number the shop typed.
	v, _ = strconv.ParseFloat(strconv.FormatFloat(v, 'g', 14, 64), 64)
	return strconv.FormatFloat(v, 'f', -1, 64)
}
