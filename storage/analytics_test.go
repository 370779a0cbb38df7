package storage

import (
	"context"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/ekassa-go/ekassa/kkm"
)

// almaty is the register's time zone in these tests (Kazakhstan is UTC+5 throughout).
var almaty = time.FixedZone("UTC+5", 5*3600)

// shop is a small journal over three days with everything analytics and history distinguish:
// two cashiers, sales paid in cash with change, by card, by mobile and mixed, simple and extended
// mode, sale returns by card and in cash, a purchase, cash in and out, offline documents, an X
// report and a Z report at every day's end. docs holds what was committed, in order.
type shop struct {
	*desk
	docs []kkm.Document
	seqs []int64
}

var (
	alia  = kkm.Operator{Code: 7, Name: "Әлия Қасымова"}
	boris = kkm.Operator{Code: 9, Name: "Борис Ким"}
)

// commitIss commits an issue and remembers its documents.
func (s *shop) commitIss(iss kkm.Issued, err error) int64 {
	s.t.Helper()
	seqs := s.commit(iss, err)
	s.docs = append(s.docs, iss.Documents...)
	s.seqs = append(s.seqs, seqs...)
	return seqs[len(seqs)-1]
}

// at sets the clock to day (0-based from 2026-03-02) at hh:mm in Almaty.
func (s *shop) at(day, hh, mm int) time.Time {
	s.now = time.Date(2026, 3, 2+day, hh, mm, 0, 0, almaty)
	return s.now
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

// newShop builds the shop's journal.
func newShop(t testing.TB) *shop {
	s := &shop{desk: newDesk(t, openTemp(t))}
	ctx := context.Background()
	for day := 0; day < 3; day++ {
		s.op = alia
		s.commitIss(s.reg.CashIn(500_000, s.op, s.at(day, 8, 30), false))
		first := s.commitIss(s.reg.IssueReceipt(itemDraft(kkm.OpSale, cash(300_000)), s.op, s.at(day, 9, 5), false))
		s.commitIss(s.reg.IssueReceipt(simple(kkm.OpSale, 123_456, card(123_456)), s.op, s.at(day, 9, 40), false))
		s.commitIss(s.reg.IssueReceipt(simple(kkm.OpSale, 99_900, mobile(99_900)), s.op, s.at(day, 10, 0), day == 1))
		s.commitIss(s.reg.IssueReceipt(itemDraft(kkm.OpSale, cash(100_000), card(97_000)), s.op, s.at(day, 13, 59), day == 1))
		xr, err := s.reg.XReport(s.op, s.at(day, 14, 0))
		if err != nil {
			t.Fatal(err)
		}
		seqs, err := s.j.Commit(ctx, []kkm.Document{xr}, s.reg.State)
		if err != nil {
			t.Fatal(err)
		}
		s.docs, s.seqs = append(s.docs, xr), append(s.seqs, seqs...)
		s.op = boris
		for i := 0; i < day+2; i++ {
			s.commitIss(s.reg.IssueReceipt(simple(kkm.OpSale, kkm.Money(10_000*(i+1)), cash(50_000)), s.op, s.at(day, 15, 10*i), false))
		}
		parent := kkm.ParentReceipt{Number: fmt.Sprint(first), Time: s.docs[0].Time, RNM: "1", Total: 197_000}
		ret := itemDraft(kkm.OpSaleReturn, card(197_000))
		ret.Parent = &parent
		s.commitIss(s.reg.IssueReceipt(ret, s.op, s.at(day, 18, 0), false))
		sret := simple(kkm.OpSaleReturn, 5_000, cash(5_000))
		sret.Parent = &parent
		s.commitIss(s.reg.IssueReceipt(sret, s.op, s.at(day, 18, 30), false))
		s.commitIss(s.reg.IssueReceipt(simple(kkm.OpPurchase, 7_000, cash(7_000)), s.op, s.at(day, 19, 0), false))
		s.commitIss(s.reg.CashOut(20_000, s.op, s.at(day, 20, 0), false))
		s.commitIss(s.reg.CloseShift(s.op, s.at(day, 23, 30), false))
	}
	return s
}

// recount computes the analytics of [from, to) straight from the documents, without the journal.
func recount(docs []kkm.Document, from, to time.Time) (total Figures, byHour [24]Figures, byCashier map[uint32]Figures, items map[[2]string]ItemFigures) {
	byCashier = map[uint32]Figures{}
	items = map[[2]string]ItemFigures{}
	for _, d := range docs {
		if d.Kind != kkm.KindReceipt || d.Time.Before(from) || !d.Time.Before(to) {
			continue
		}
		r := d.Receipt
		sign := kkm.Money(1)
		switch r.Operation {
		case kkm.OpSale:
		case kkm.OpSaleReturn:
			sign = -1
		default:
			continue
		}
		var f Figures
		for _, p := range r.Payments {
			switch p.Type {
			case kkm.PayCash:
				f.Cash += sign * (p.Sum - r.Change)
			case kkm.PayCard:
				f.Card += sign * p.Sum
			case kkm.PayMobile:
				f.Mobile += sign * p.Sum
			}
		}
		if sign > 0 {
			f.Sales, f.SaleCount = r.Total, 1
		} else {
			f.Returns, f.ReturnCount = r.Total, 1
		}
		f.Revenue = f.Sales - f.Returns
		plus := func(a, b Figures) Figures {
			return Figures{a.Sales + b.Sales, a.SaleCount + b.SaleCount, a.Returns + b.Returns,
				a.ReturnCount + b.ReturnCount, a.Revenue + b.Revenue, a.Cash + b.Cash, a.Card + b.Card, a.Mobile + b.Mobile}
		}
		total = plus(total, f)
		h := d.Time.Hour() // the register's wall clock, whatever zone the period is given in
		byHour[h] = plus(byHour[h], f)
		byCashier[d.Operator.Code] = plus(byCashier[d.Operator.Code], f)
		if !r.Simple {
			for _, l := range r.Lines {
				k := [2]string{l.Name, l.Unit}
				it := items[k]
				it.Name, it.Unit = l.Name, l.Unit
				it.Lines += int64(sign)
				it.Quantity += kkm.Quantity(sign) * l.Quantity
				it.Sum += sign * l.Sum
				items[k] = it
			}
		}
	}
	return
}

func TestAnalyticsAgainstRecount(t *testing.T) {
	s := newShop(t)
	ctx := context.Background()
	day := func(n int) time.Time { return time.Date(2026, 3, 2+n, 0, 0, 0, 0, almaty) }
	cases := []struct {
		name     string
		from, to time.Time
	}{
		{"first day", day(0), day(1)},
		{"second day (offline receipts)", day(1), day(2)},
		{"all three days", day(0), day(3)},
		{"a week around them", day(-2), day(5)},
		{"nothing", day(10), day(11)},
		{"a period given in UTC reads the register's wall clock", day(0).UTC(), day(3).UTC()},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a, err := s.j.Analytics(ctx, c.from, c.to, 100)
			if err != nil {
				t.Fatal(err)
			}
			total, byHour, byCashier, items := recount(s.docs, c.from, c.to)
			if a.Total != total {
				t.Errorf("total = %+v, want %+v", a.Total, total)
			}
			if a.ByHour != byHour {
				t.Errorf("by hour = %+v\nwant %+v", a.ByHour, byHour)
			}
			got := map[uint32]Figures{}
			for _, cf := range a.ByCashier {
				got[cf.Operator.Code] = cf.Figures
				if want := map[uint32]string{7: alia.Name, 9: boris.Name}[cf.Operator.Code]; cf.Operator.Name != want {
					t.Errorf("cashier %d named %q, want %q", cf.Operator.Code, cf.Operator.Name, want)
				}
			}
			if len(byCashier) == 0 {
				byCashier = map[uint32]Figures{}
			}
			if !reflect.DeepEqual(got, byCashier) {
				t.Errorf("by cashier = %+v, want %+v", got, byCashier)
			}
			var daySum Figures
			for _, df := range a.ByDay {
				dt, _, _, _ := recount(s.docs, df.Day, df.Day.AddDate(0, 0, 1))
				if df.Figures != dt {
					t.Errorf("day %s = %+v, want %+v", df.Day, df.Figures, dt)
				}
				daySum.Revenue += df.Revenue
			}
			if daySum.Revenue != total.Revenue {
				t.Errorf("days add up to %v, total %v", daySum.Revenue, total.Revenue)
			}
			var wantTop []ItemFigures
			for _, it := range items {
				wantTop = append(wantTop, it)
			}
			sort.Slice(wantTop, func(i, k int) bool { return wantTop[i].Sum > wantTop[k].Sum })
			if len(wantTop) == 0 {
				wantTop = nil
			}
			if !reflect.DeepEqual(a.TopBySum, wantTop) {
				t.Errorf("top by sum = %+v, want %+v", a.TopBySum, wantTop)
			}
			if len(a.TopByQuantity) != len(wantTop) {
				t.Errorf("top by quantity has %d items, want %d", len(a.TopByQuantity), len(wantTop))
			}
			for i := 1; i < len(a.TopByQuantity); i++ {
				if a.TopByQuantity[i].Quantity > a.TopByQuantity[i-1].Quantity {
					t.Errorf("top by quantity out of order: %+v", a.TopByQuantity)
				}
			}
		})
	}
}

// The figures of the first day, worked out by hand from newShop: a guard against a recount that
// shares a mistake with the query.
func TestAnalyticsFirstDayByHand(t *testing.T) {
	s := newShop(t)
	a, err := s.j.Analytics(context.Background(), time.Date(2026, 3, 2, 0, 0, 0, 0, almaty),
		time.Date(2026, 3, 3, 0, 0, 0, 0, almaty), 2)
	if err != nil {
		t.Fatal(err)
	}
	// Extended receipt: 2 × 250,00 + 0,350 × 4 200,00 = 500,00 + 1 470,00 = 1 970,00.
	// Sales: 1 970,00 (cash) + 1 234,56 (card) + 999,00 (mobile) + 1 970,00 (1 000,00 cash + 970,00 card)
	//        + 100,00 + 200,00 (Boris, cash with change) = 6 473,56 over 6 receipts.
	// Returns: 1 970,00 (card) + 50,00 (cash) = 2 020,00 over 2.
	want := Figures{
		Sales: 647_356, SaleCount: 6, Returns: 202_000, ReturnCount: 2, Revenue: 445_356,
		Cash:   197_000 + 100_000 + 10_000 + 20_000 - 5_000,
		Card:   123_456 + 97_000 - 197_000,
		Mobile: 99_900,
	}
	if a.Total != want {
		t.Errorf("first day = %+v\nwant        %+v", a.Total, want)
	}
	if got := a.Total.Average(); got != 107_893 { // 6 473,56 / 6 = 1 078,926… → 1 078,93
		t.Errorf("average = %v, want 1078,93", got)
	}
	if len(a.TopBySum) != 2 || a.TopBySum[0].Name != "Ірімшік" || a.TopBySum[0].Sum != 147_000 ||
		a.TopBySum[0].Quantity != 350 || a.TopBySum[1].Sum != 50_000 || a.TopBySum[1].Quantity != 2000 {
		t.Errorf("top by sum = %+v", a.TopBySum)
	}
	if len(a.TopByQuantity) != 2 || a.TopByQuantity[0].Name != "Нан бөлкесі" {
		t.Errorf("top by quantity = %+v", a.TopByQuantity)
	}
	if a.ByHour[9].SaleCount != 2 || a.ByHour[13].Sales != 197_000 || a.ByHour[15].SaleCount != 2 {
		t.Errorf("by hour: 9 → %+v, 13 → %+v, 15 → %+v", a.ByHour[9], a.ByHour[13], a.ByHour[15])
	}
}

func TestCompareAnalyticsPreviousPeriod(t *testing.T) {
	s := newShop(t)
	from := time.Date(2026, 3, 4, 0, 0, 0, 0, almaty)
	c, err := s.j.CompareAnalytics(context.Background(), from, from.AddDate(0, 0, 1), 5)
	if err != nil {
		t.Fatal(err)
	}
	prev, _, _, _ := recount(s.docs, from.AddDate(0, 0, -1), from)
	cur, _, _, _ := recount(s.docs, from, from.AddDate(0, 0, 1))
	if c.Current.Total != cur || c.Previous.Total != prev {
		t.Errorf("current %+v previous %+v, want %+v and %+v", c.Current.Total, c.Previous.Total, cur, prev)
	}
	if !c.Previous.From.Equal(from.AddDate(0, 0, -1)) || !c.Previous.To.Equal(from) {
		t.Errorf("previous period [%s, %s)", c.Previous.From, c.Previous.To)
	}
	// Boris sells one more small receipt each day.
	if cur.SaleCount != prev.SaleCount+1 {
		t.Errorf("sale counts %d and %d", cur.SaleCount, prev.SaleCount)
	}
}

// The migration's SQL fills the aggregates exactly as the fold from the documents does
// (analytics_fold.go), so a journal written before migration 2 gets the same analytics as one
// written after.
func TestAnalyticsBackfillEqualsHook(t *testing.T) {
	s := newShop(t)
	if err := s.j.foldAnalytics(context.Background()); err != nil {
		t.Fatal(err)
	}
	folded := aggregateRows(t, s.j)
	if len(folded) < 10 {
		t.Fatalf("only %d aggregate rows", len(folded))
	}
	if filled := refilledAggregates(t, s.j); !reflect.DeepEqual(filled, folded) {
		t.Errorf("migration fill differs from the fold:\n%s\nwant\n%s", strings.Join(filled, "\n"), strings.Join(folded, "\n"))
	}
}

// aggregateRows reads the fine analytics aggregates, a line a row, in their keys' order.
func aggregateRows(t *testing.T, j *Journal) []string {
	t.Helper()
	var out []string
	for _, q := range []string{
		`SELECT wall_hour, operator_code, operation, receipts, total, cash, card, mobile FROM analytics_hours ORDER BY 1, 2, 3`,
		`SELECT wall_day, name, unit, operation, lines, quantity, total FROM analytics_items ORDER BY 1, 2, 3, 4`,
		`SELECT operator_code, name FROM analytics_operators ORDER BY 1`,
	} {
		rows, err := j.db.QueryContext(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			out = append(out, fmt.Sprint(vals...))
		}
		rows.Close()
	}
	return out
}

// refilledAggregates empties the fine aggregates, fills them again from every document with
// migration 2's SQL, and reads them (aggregateRows).
func refilledAggregates(t *testing.T, j *Journal) []string {
	t.Helper()
	ctx := context.Background()
	for _, tbl := range []string{"analytics_hours", "analytics_items", "analytics_operators"} {
		if _, err := j.db.ExecContext(ctx, `DELETE FROM `+tbl); err != nil {
			t.Fatal(err)
		}
	}
	for _, st := range historyAndAnalyticsMigration() {
		if strings.HasPrefix(strings.TrimSpace(st), "INSERT") {
			if _, err := j.db.ExecContext(ctx, st); err != nil {
				t.Fatalf("%v\n%s", err, st)
			}
		}
	}
	return aggregateRows(t, j)
}
