// Package csvexport writes the journal's receipts, their items and the shifts of a period as CSV
// for the owner's spreadsheet. The journal (package storage) streams the documents
// (Journal.EachDocument); this package only formats them, so no SQL lives here and no CSV in the
// journal. It imports kkm and storage's Entry type, never the screens (ui) or the OFD's wire.
package csvexport

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/ekassa-go/ekassa/kkm"
	"github.com/ekassa-go/ekassa/storage"
)

// Source streams the documents of one kind issued in [from, to), oldest first:
// storage.Journal.EachDocument.
type Source interface {
	EachDocument(ctx context.Context, from, to time.Time, kind kkm.DocumentKind, fn func(storage.Entry) error) error
}

// CSV export of receipts, their items and the shifts of a period, for the owner's spreadsheet.
//
// The format is chosen for Excel as it is set up in Kazakhstan and Russia:
//
//   - UTF-8 with a byte order mark: without it Excel reads a CSV in the ANSI code page (1251) and
//     Kazakh and Russian letters come out as mojibake.
//   - ";" between fields by default: Windows with a Kazakh or Russian locale has "," as the decimal
//     separator, so its list separator, which Excel expects in a CSV it opens with a double click,
//     is ";". (A "sep=;" first line would say so too, but Excel then ignores the BOM.)
//   - money as "1234,50" (no thousands grouping, decimal comma) and quantities as "1,500": the
//     numbers those locales read as numbers, so a column can be summed at once.
//   - dates as "02.01.2006 15:04:05" in the register's time, which those locales read as dates.
//
// A text cell that starts with = + - or @ (a name a cashier typed) is prefixed with ' so that a
// spreadsheet never runs it as a formula.

// Options says how to write an export. The zero value writes ";"-separated CSV with the column
// IDs as titles and the English value IDs.
type Options struct {
	// Comma is the field separator: ';' when 0. Use ',' for a spreadsheet in an English locale.
	Comma rune
	// Text translates the export's message IDs: column titles "csv.column.<name>" and values
	// "csv.operation.<sale|sale_return|purchase|purchase_return>", "csv.mode.<simple|extended>",
	// "csv.yes". nil writes the last part of the ID.
	Text func(id string) string
}

// ReceiptColumns are the columns of Receipts, in order.
func ReceiptColumns() []string {
	return []string{"seq", "time", "shift", "number", "operation", "mode", "total", "vat", "cash", "card",
		"mobile", "change", "offline", "offline_number", "fiscal_sign", "cashier_code", "cashier", "buyer_iin_bin",
		"parent"}
}

// ItemColumns are the columns of Items, in order.
func ItemColumns() []string {
	return []string{"seq", "time", "shift", "number", "operation", "line", "name", "section", "unit",
		"quantity", "price", "discount", "markup", "sum", "vat_rate", "vat"}
}

// ShiftColumns are the columns of Shifts, in order.
func ShiftColumns() []string {
	return []string{"shift", "opened", "closed", "sales_count", "sales", "sale_returns_count", "sale_returns",
		"purchases_count", "purchases", "purchase_returns_count", "purchase_returns", "cash_in", "cash_out",
		"revenue", "cash_in_drawer"}
}

// ExportIDs lists every message ID the exports may ask Options.Text for, for the translations.
func IDs() []string {
	var ids []string
	seen := map[string]bool{}
	for _, cols := range [][]string{ReceiptColumns(), ItemColumns(), ShiftColumns()} {
		for _, c := range cols {
			if !seen[c] {
				seen[c] = true
				ids = append(ids, "csv.column."+c)
			}
		}
	}
	for _, op := range []kkm.Operation{kkm.OpPurchase, kkm.OpPurchaseReturn, kkm.OpSale, kkm.OpSaleReturn} {
		ids = append(ids, "csv.operation."+operationID(op))
	}
	return append(ids, "csv.mode.simple", "csv.mode.extended", "csv.yes")
}

// A zero from or to leaves the period open on that side.

// Receipts writes the receipts issued in [from, to) as CSV, one row per receipt, oldest first,
// and returns how many it wrote. It streams: memory does not grow with the period.
func Receipts(ctx context.Context, w io.Writer, src Source, from, to time.Time, opt Options) (int, error) {
	return export(ctx, w, src, from, to, opt, kkm.KindReceipt, ReceiptColumns(), func(e storage.Entry, write func([]string) error) error {
		r := e.Document.Receipt
		if r == nil {
			return nil
		}
		var cash, card, mobile kkm.Money
		for _, p := range r.Payments {
			switch p.Type {
			case kkm.PayCash:
				cash += p.Sum
			case kkm.PayCard:
				card += p.Sum
			case kkm.PayMobile:
				mobile += p.Sum
			}
		}
		d := e.Document
		mode := "csv.mode.extended"
		if r.Simple {
			mode = "csv.mode.simple"
		}
		var parent string
		if r.Parent != nil {
			parent = r.Parent.Number
		}
		return write([]string{
			strconv.FormatInt(e.Seq, 10), csvTime(d.Time), uitoa(d.ShiftNumber), uitoa(d.Number),
			opt.text("csv.operation." + operationID(r.Operation)), opt.text(mode),
			csvMoney(r.Total), csvMoney(r.VAT), csvMoney(cash), csvMoney(card), csvMoney(mobile), csvMoney(r.Change),
			opt.yes(d.Offline), uitoaOrEmpty(d.OfflineNumber), fiscalSign(e), uitoa(d.Operator.Code),
			csvText(d.Operator.Name), csvText(r.BuyerIINBIN), csvText(parent),
		})
	})
}

// Items writes the lines of the receipts issued in [from, to) as CSV, one row per line
// (simple-mode receipts too, with their one unnamed line), oldest first, and returns how many
// rows it wrote.
func Items(ctx context.Context, w io.Writer, src Source, from, to time.Time, opt Options) (int, error) {
	return export(ctx, w, src, from, to, opt, kkm.KindReceipt, ItemColumns(), func(e storage.Entry, write func([]string) error) error {
		r := e.Document.Receipt
		if r == nil {
			return nil
		}
		d := e.Document
		for i, l := range r.Lines {
			rate := ""
			if l.VATRate.Taxed() {
				rate = strconv.FormatInt(l.VATRate.Percent(), 10)
			}
			if err := write([]string{
				strconv.FormatInt(e.Seq, 10), csvTime(d.Time), uitoa(d.ShiftNumber), uitoa(d.Number),
				opt.text("csv.operation." + operationID(r.Operation)), strconv.Itoa(i + 1), csvText(l.Name),
				csvText(l.Section), csvText(l.Unit), csvQuantity(l.Quantity), csvMoney(l.Price),
				csvMoney(l.Discount + l.ReceiptDiscount), csvMoney(l.Markup + l.ReceiptMarkup), csvMoney(l.Sum),
				rate, csvMoney(l.VAT),
			}); err != nil {
				return err
			}
		}
		return nil
	})
}

// Shifts writes the shifts closed in [from, to) as CSV, one row per Z report, oldest first,
// with the shift's counters as the Z report has them, and returns how many it wrote.
func Shifts(ctx context.Context, w io.Writer, src Source, from, to time.Time, opt Options) (int, error) {
	return export(ctx, w, src, from, to, opt, kkm.KindZReport, ShiftColumns(), func(e storage.Entry, write func([]string) error) error {
		rep := e.Document.Report
		if rep == nil {
			return nil
		}
		row := []string{uitoa(rep.ShiftNumber), csvTime(rep.OpenTime), csvTime(rep.CloseTime)}
		for _, op := range []kkm.Operation{kkm.OpSale, kkm.OpSaleReturn, kkm.OpPurchase, kkm.OpPurchaseReturn} {
			c := rep.TotalResult[op]
			row = append(row, uitoa(c.Count), csvMoney(c.Sum))
		}
		row = append(row, csvMoney(rep.Placements[kkm.PlacementCashIn].Sum), csvMoney(rep.Placements[kkm.PlacementCashOut].Sum),
			csvMoney(rep.Revenue), csvMoney(rep.CashInDrawer))
		return write(row)
	})
}

// export streams the documents of kind issued in [from, to) through row, as CSV with a BOM and
// a title line, and returns the number of rows written.
func export(ctx context.Context, w io.Writer, src Source, from, to time.Time, opt Options, kind kkm.DocumentKind,
	columns []string, row func(storage.Entry, func([]string) error) error) (int, error) {
	if _, err := io.WriteString(w, "\uFEFF"); err != nil {
		return 0, fmt.Errorf("csvexport: %w", err)
	}
	cw := csv.NewWriter(w)
	cw.Comma = ';'
	if opt.Comma != 0 {
		cw.Comma = opt.Comma
	}
	cw.UseCRLF = true
	titles := make([]string, len(columns))
	for i, c := range columns {
		titles[i] = opt.text("csv.column." + c)
	}
	if err := cw.Write(titles); err != nil {
		return 0, fmt.Errorf("csvexport: %w", err)
	}
	n := 0
	write := func(rec []string) error {
		n++
		if err := cw.Write(rec); err != nil {
			return fmt.Errorf("csvexport: %w", err)
		}
		return nil
	}
	if err := src.EachDocument(ctx, from, to, kind, func(e storage.Entry) error { return row(e, write) }); err != nil {
		return n, err
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return n, fmt.Errorf("csvexport: %w", err)
	}
	return n, nil
}

// text translates id, or gives its last part.
func (o Options) text(id string) string {
	if o.Text != nil {
		return o.Text(id)
	}
	return id[strings.LastIndexByte(id, '.')+1:]
}

// yes is the "yes" cell of a flag, empty when false.
func (o Options) yes(b bool) string {
	if !b {
		return ""
	}
	return o.text("csv.yes")
}

// operationID names a receipt operation in message IDs.
func operationID(op kkm.Operation) string {
	switch op {
	case kkm.OpPurchase:
		return "purchase"
	case kkm.OpPurchaseReturn:
		return "purchase_return"
	case kkm.OpSaleReturn:
		return "sale_return"
	}
	return "sale"
}

// csvMoney writes an amount as "-1234,50".
func csvMoney(m kkm.Money) string { return csvDecimal(int64(m), 100, 2) }

// csvQuantity writes a quantity as "1,500".
func csvQuantity(q kkm.Quantity) string { return csvDecimal(int64(q), 1000, 3) }

// csvDecimal writes v/unit with frac decimals after a comma, without grouping.
func csvDecimal(v, unit int64, frac int) string {
	sign := ""
	u := uint64(v)
	if v < 0 {
		sign, u = "-", uint64(-v) // MinInt64 has no positive; money never reaches it (kkm.MaxMoney)
	}
	f := strconv.FormatUint(u%uint64(unit), 10)
	return sign + strconv.FormatUint(u/uint64(unit), 10) + "," + strings.Repeat("0", frac-len(f)) + f
}

// csvTime writes a moment in the register's time, empty when zero.
func csvTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format("02.01.2006 15:04:05")
}

// csvText guards a typed text against being run as a spreadsheet formula.
func csvText(s string) string {
	if s != "" && strings.ContainsRune("=+-@", rune(s[0])) {
		return "'" + s
	}
	return s
}

// fiscalSign is an entry's fiscal sign, empty before the OFD answers.
func fiscalSign(e storage.Entry) string {
	if e.Fiscal == nil {
		return ""
	}
	return e.Fiscal.Sign
}

func uitoa(v uint32) string { return strconv.FormatUint(uint64(v), 10) }

// uitoaOrEmpty writes 0 as an empty cell.
func uitoaOrEmpty(v uint32) string {
	if v == 0 {
		return ""
	}
	return uitoa(v)
}
