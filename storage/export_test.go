package storage

import (
	"bytes"
	"context"
	"encoding/csv"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ekassa-go/ekassa/kkm"
)

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
	s, signs := historyShop(t)
	from, to := time.Date(2026, 3, 3, 0, 0, 0, 0, almaty), time.Date(2026, 3, 5, 0, 0, 0, 0, almaty)
	for _, comma := range []rune{0, ','} {
		var buf bytes.Buffer
		n, err := s.j.ExportReceipts(context.Background(), &buf, from, to, CSVOptions{Comma: comma})
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
	if _, err := s.j.ExportItems(ctx, &items, from, to, CSVOptions{}); err != nil {
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
	opt := CSVOptions{Text: func(id string) string { return "«" + id + "»" }}
	if _, err := s.j.ExportShifts(ctx, &shifts, from, to, opt); err != nil {
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
