package csvexport

import (
	"bytes"
	"context"
	"encoding/csv"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ekassa-go/ekassa/kkm"
	"github.com/ekassa-go/ekassa/storage"
)

var almaty = time.FixedZone("Asia/Almaty", 5*3600)

var (
	alia  = kkm.Operator{Code: 7, Name: "Әлия Қасымова"}
	boris = kkm.Operator{Code: 9, Name: "Борис Ким"}
)

// shop is a register's documents of three days kept in memory as the journal streams them: the
// Source of the exports. Some receipts carry the OFD's answer.
type shop struct {
	t       *testing.T
	reg     kkm.Register
	entries []storage.Entry
	docs    []kkm.Document
	seqs    []int64
}

// EachDocument streams the documents of kind in [from, to), oldest first, as the journal does.
func (s *shop) EachDocument(_ context.Context, from, to time.Time, kind kkm.DocumentKind, fn func(storage.Entry) error) error {
	for _, e := range s.entries {
		d := e.Document
		if d.Kind != kind || !from.IsZero() && d.Time.Before(from) || !to.IsZero() && !d.Time.Before(to) {
			continue
		}
		if err := fn(e); err != nil {
			return err
		}
	}
	return nil
}

// add keeps an issue's documents; every third fiscal one gets the OFD's answer.
func (s *shop) add(iss kkm.Issued, err error) int64 {
	s.t.Helper()
	if err != nil {
		s.t.Fatal(err)
	}
	s.reg.State = iss.State
	for _, d := range iss.Documents {
		seq := int64(len(s.entries) + 1)
		e := storage.Entry{Seq: seq, Document: d}
		if d.Kind == kkm.KindReceipt && seq%3 != 0 {
			e.Fiscal = &storage.FiscalResult{Sign: strconv.FormatInt(9000+seq, 10), At: d.Time}
		}
		s.entries = append(s.entries, e)
		s.docs, s.seqs = append(s.docs, d), append(s.seqs, seq)
	}
	return s.seqs[len(s.seqs)-1]
}

func itemDraft(op kkm.Operation, pay ...kkm.Payment) kkm.ReceiptDraft {
	return kkm.ReceiptDraft{Operation: op, Lines: []kkm.LineDraft{
		{Name: "Нан бөлкесі", Quantity: 2000, Unit: "796", Price: 25000},
		{Name: "Ірімшік", Quantity: 350, Unit: "166", Price: 420000},
	}, Payments: pay}
}

func cash(m kkm.Money) kkm.Payment   { return kkm.Payment{Type: kkm.PayCash, Sum: m} }
func card(m kkm.Money) kkm.Payment   { return kkm.Payment{Type: kkm.PayCard, Sum: m} }
func mobile(m kkm.Money) kkm.Payment { return kkm.Payment{Type: kkm.PayMobile, Sum: m} }

func simple(op kkm.Operation, amount kkm.Money, pay ...kkm.Payment) kkm.ReceiptDraft {
	return kkm.SimpleDraft(op, []kkm.Money{amount}, pay)
}

// newShop issues three days of a shop: cash in, item and simple sales paid every way, an X
// report, a return of items and a simple one, a purchase, cash out and the Z report.
func newShop(t *testing.T) *shop {
	s := &shop{t: t, reg: kkm.Register{Settings: kkm.Settings{VATPayer: true, DefaultVATRate: kkm.VAT16, AutoCashOut: true}}}
	at := func(day, hh, mm int) time.Time { return time.Date(2026, 3, 2+day, hh, mm, 0, 0, almaty) }
	for day := 0; day < 3; day++ {
		op := alia
		s.add(s.reg.CashIn(500_000, op, at(day, 8, 30), false))
		first := s.add(s.reg.IssueReceipt(itemDraft(kkm.OpSale, cash(300_000)), op, at(day, 9, 5), false))
		firstDoc := s.docs[len(s.docs)-1]
		s.add(s.reg.IssueReceipt(simple(kkm.OpSale, 123_456, card(123_456)), op, at(day, 9, 40), false))
		s.add(s.reg.IssueReceipt(simple(kkm.OpSale, 99_900, mobile(99_900)), op, at(day, 10, 0), day == 1))
		s.add(s.reg.IssueReceipt(itemDraft(kkm.OpSale, cash(100_000), card(97_000)), op, at(day, 13, 59), day == 1))
		xr, err := s.reg.XReport(op, at(day, 14, 0))
		if err != nil {
			t.Fatal(err)
		}
		s.add(kkm.Issued{Documents: []kkm.Document{xr}, State: s.reg.State}, nil)
		op = boris
		for i := 0; i < day+2; i++ {
			s.add(s.reg.IssueReceipt(simple(kkm.OpSale, kkm.Money(10_000*(i+1)), cash(50_000)), op, at(day, 15, 10*i), false))
		}
		parent := kkm.ParentReceipt{Number: strconv.FormatInt(first, 10), Time: firstDoc.Time, RNM: "1", Total: 197_000}
		ret := itemDraft(kkm.OpSaleReturn, card(197_000))
		ret.Parent = &parent
		s.add(s.reg.IssueReceipt(ret, op, at(day, 18, 0), false))
		sret := simple(kkm.OpSaleReturn, 5_000, cash(5_000))
		sret.Parent = &parent
		s.add(s.reg.IssueReceipt(sret, op, at(day, 18, 30), false))
		s.add(s.reg.IssueReceipt(simple(kkm.OpPurchase, 7_000, cash(7_000)), op, at(day, 19, 0), false))
		s.add(s.reg.CashOut(20_000, op, at(day, 20, 0), false))
		s.add(s.reg.CloseShift(op, at(day, 23, 30), false))
	}
	return s
}

// signs are the fiscal signs of the shop's answered documents, by seq.
func (s *shop) signs() map[int64]string {
	out := map[int64]string{}
	for _, e := range s.entries {
		if e.Fiscal != nil {
			out[e.Seq] = e.Fiscal.Sign
		}
	}
	return out
}

// parseCSV checks the BOM and reads an export back.
func parseCSV(t *testing.T, b []byte, comma rune) [][]string {
	t.Helper()
	if !bytes.HasPrefix(b, []byte("\xEF\xBB\xBF")) {
		t.Fatalf("no UTF-8 byte order mark: %q", b[:min(len(b), 10)])
	}
	r := csv.NewReader(bytes.NewReader(b[3:]))
	r.Comma = comma
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatalf("read back: %v\n%s", err, b)
	}
	return recs
}

// parseMoney reads "-1234,50" back.
func parseMoney(t *testing.T, s string) kkm.Money {
	t.Helper()
	whole, frac, ok := strings.Cut(s, ",")
	if !ok || len(frac) != 2 || strings.ContainsAny(s, " .\u00a0") {
		t.Fatalf("money cell %q is not like 1234,50", s)
	}
	w, err1 := strconv.ParseInt(whole, 10, 64)
	f, err2 := strconv.ParseInt(frac, 10, 64)
	if err1 != nil || err2 != nil {
		t.Fatalf("money cell %q", s)
	}
	if strings.HasPrefix(whole, "-") {
		return kkm.Money(w*100 - f)
	}
	return kkm.Money(w*100 + f)
}

// column returns the index of column name in the title row.
func column(t *testing.T, titles []string, name string) int {
	t.Helper()
	for i, c := range titles {
		if c == name {
			return i
		}
	}
	t.Fatalf("no column %q in %v", name, titles)
	return -1
}

func TestExportReceiptsReadsBack(t *testing.T) {
	s := newShop(t)
	signs := s.signs()
	from, to := time.Date(2026, 3, 3, 0, 0, 0, 0, almaty), time.Date(2026, 3, 5, 0, 0, 0, 0, almaty)
	for _, comma := range []rune{0, ','} {
		var buf bytes.Buffer
		n, err := Receipts(context.Background(), &buf, s, from, to, Options{Comma: comma})
		if err != nil {
			t.Fatal(err)
		}
		sep := ';'
		if comma != 0 {
			sep = comma
		}
		recs := parseCSV(t, buf.Bytes(), sep)
		if len(recs) != n+1 {
			t.Fatalf("%d records for %d rows", len(recs), n)
		}
		titles, rows := recs[0], recs[1:]
		var want []int
		for i, d := range s.docs {
			if d.Kind == kkm.KindReceipt && !d.Time.Before(from) && d.Time.Before(to) {
				want = append(want, i)
			}
		}
		if len(rows) != len(want) {
			t.Fatalf("%d receipts exported, want %d", len(rows), len(want))
		}
		for k, row := range rows {
			i := want[k]
			d := s.docs[i]
			r := d.Receipt
			checks := map[string]string{
				"seq":         strconv.FormatInt(s.seqs[i], 10),
				"time":        d.Time.Format("02.01.2006 15:04:05"),
				"shift":       strconv.Itoa(int(d.ShiftNumber)),
				"number":      strconv.Itoa(int(d.Number)),
				"operation":   map[kkm.Operation]string{0: "purchase", 2: "sale", 3: "sale_return"}[r.Operation],
				"cashier":     d.Operator.Name,
				"fiscal_sign": signs[s.seqs[i]],
			}
			for col, v := range checks {
				if got := row[column(t, titles, col)]; got != v {
					t.Errorf("row %d %s = %q, want %q", k, col, got, v)
				}
			}
			if got := parseMoney(t, row[column(t, titles, "total")]); got != r.Total {
				t.Errorf("row %d total %v, want %v", k, got, r.Total)
			}
			var paid kkm.Money
			for _, c := range []string{"cash", "card", "mobile"} {
				paid += parseMoney(t, row[column(t, titles, c)])
			}
			if change := parseMoney(t, row[column(t, titles, "change")]); paid-change != r.Total {
				t.Errorf("row %d payments %v − change %v ≠ total %v", k, paid, change, r.Total)
			}
			if off := row[column(t, titles, "offline")]; (off == "yes") != d.Offline {
				t.Errorf("row %d offline %q, document offline %v", k, off, d.Offline)
			}
		}
	}
}

func TestExportItemsAndShiftsReadBack(t *testing.T) {
	s := newShop(t)
	ctx := context.Background()
	from, to := time.Date(2026, 3, 2, 0, 0, 0, 0, almaty), time.Time{} // open end
	var items bytes.Buffer
	if _, err := Items(ctx, &items, s, from, to, Options{}); err != nil {
		t.Fatal(err)
	}
	recs := parseCSV(t, items.Bytes(), ';')
	titles, rows := recs[0], recs[1:]
	var wantLines int
	var wantSum kkm.Money
	for _, d := range s.docs {
		if d.Receipt != nil {
			wantLines += len(d.Receipt.Lines)
			wantSum += d.Receipt.Total
		}
	}
	var sum kkm.Money
	for _, row := range rows {
		sum += parseMoney(t, row[column(t, titles, "sum")])
	}
	if len(rows) != wantLines || sum != wantSum {
		t.Errorf("%d item rows summing %v, want %d summing %v", len(rows), sum, wantLines, wantSum)
	}
	if q := rows[1][column(t, titles, "quantity")]; q != "0,350" {
		t.Errorf("quantity of 350 g = %q, want 0,350", q)
	}

	var shifts bytes.Buffer
	opt := Options{Text: func(id string) string { return "«" + id + "»" }}
	if _, err := Shifts(ctx, &shifts, s, from, to, opt); err != nil {
		t.Fatal(err)
	}
	recs = parseCSV(t, shifts.Bytes(), ';')
	titles, rows = recs[0], recs[1:]
	if titles[0] != "«csv.column.shift»" {
		t.Errorf("titles not translated: %v", titles)
	}
	var zs []*kkm.Report
	for _, d := range s.docs {
		if d.Kind == kkm.KindZReport {
			zs = append(zs, d.Report)
		}
	}
	if len(rows) != len(zs) {
		t.Fatalf("%d shifts exported, want %d", len(rows), len(zs))
	}
	for i, z := range zs {
		row := rows[i]
		if row[0] != strconv.Itoa(int(z.ShiftNumber)) ||
			parseMoney(t, row[column(t, titles, "«csv.column.sales»")]) != z.TotalResult[kkm.OpSale].Sum ||
			parseMoney(t, row[column(t, titles, "«csv.column.revenue»")]) != z.Revenue ||
			parseMoney(t, row[column(t, titles, "«csv.column.cash_out»")]) != z.Placements[kkm.PlacementCashOut].Sum {
			t.Errorf("shift row %v does not match Z report %d", row, z.ShiftNumber)
		}
	}
}

func TestCSVCells(t *testing.T) {
	for _, c := range []struct {
		m    kkm.Money
		want string
	}{{0, "0,00"}, {5, "0,05"}, {123450, "1234,50"}, {-199, "-1,99"}, {100_000_000_00, "100000000,00"}} {
		if got := csvMoney(c.m); got != c.want {
			t.Errorf("csvMoney(%d) = %q, want %q", c.m, got, c.want)
		}
	}
	for in, want := range map[string]string{"=SUM(A1)": "'=SUM(A1)", "+7 701": "'+7 701", "Сүт": "Сүт", "": ""} {
		if got := csvText(in); got != want {
			t.Errorf("csvText(%q) = %q, want %q", in, got, want)
		}
	}
}
