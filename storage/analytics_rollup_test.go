package storage

import (
	"context"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"github.com/ekassa-go/ekassa/kkm"
)

// seasonShop commits receipts of two cashiers over 80 days from 2026-01-20 (across three month
// ends, to 2026-04-09), asking for analytics every nine days so that the rollups grow in steps, a shift a day: sales with items or simple, by cash, card and mobile, sale returns, a
// purchase, at hours spread over the day.
func seasonShop(t *testing.T) *desk {
	d := newDesk(t, openTemp(t))
	rng := rand.New(rand.NewPCG(16, 3))
	names := []string{"Нан бөлкесі", "Сүт 1 л", "Ірімшік", "Алма", "Шай", "Қант"}
	for day := 0; day < 80; day++ {
		base := time.Date(2026, 1, 20+day, 7, 0, 0, 0, almaty)
		if day%9 == 4 { // the watermark moves as the journal grows, inside months and across them
			if _, err := d.j.Analytics(context.Background(), base.AddDate(0, 0, -3), base, 0); err != nil {
				t.Fatal(err)
			}
		}
		d.op = []kkm.Operator{alia, boris}[day%2]
		d.commit(d.reg.CashIn(50_000_000, d.op, base.Add(-time.Minute), false)) // change for the returns
		n := 3 + rng.IntN(6)
		for i := 0; i < n; i++ {
			at := base.Add(time.Duration(i*(15*60/n)+rng.IntN(10)) * time.Minute)
			var dr kkm.ReceiptDraft
			switch rng.IntN(5) {
			case 0:
				amount := kkm.Money(1000 + rng.IntN(90_000))
				dr = simple(kkm.OpSale, amount, cash(amount))
			case 1:
				dr = simple(kkm.OpPurchase, 7_000, cash(7_000))
			default:
				for k := 0; k < 1+rng.IntN(3); k++ {
					dr.Lines = append(dr.Lines, kkm.LineDraft{Name: names[rng.IntN(len(names))],
						Quantity: kkm.Quantity(500 + rng.IntN(3000)), Unit: "166", Price: kkm.Money(1000 + rng.IntN(50_000))})
				}
				dr.Operation = kkm.OpSale
				dr.Payments = []kkm.Payment{cash(10_000_000)}
			}
			iss, err := d.reg.IssueReceipt(dr, d.op, at, false)
			if err != nil {
				t.Fatal(err)
			}
			if pay := rng.IntN(3); pay > 0 && dr.Operation == kkm.OpSale { // by card or mobile: the exact total
				dr.Payments = []kkm.Payment{[]kkm.Payment{card(0), mobile(0)}[pay-1]}
				dr.Payments[0].Sum = iss.Documents[0].Receipt.Total
				iss, err = d.reg.IssueReceipt(dr, d.op, at, false)
			}
			d.commit(iss, err)
			if i == 1 && day%3 == 0 && dr.Operation == kkm.OpSale {
				doc := iss.Documents[0]
				ret := dr
				ret.Operation = kkm.OpSaleReturn
				ret.Payments = []kkm.Payment{cash(doc.Receipt.Total)}
				ret.Parent = &kkm.ParentReceipt{Number: "1", Time: doc.Time, RNM: "1", Total: doc.Receipt.Total}
				d.commit(d.reg.IssueReceipt(ret, d.op, at.Add(time.Minute), false))
			}
		}
		d.commit(d.reg.CloseShift(d.op, base.Add(16*time.Hour), false))
	}
	return d
}

// TestAnalyticsRollupSame: the analytics of any period read through the rollups (whole days and
// months before the watermark, hours and days at the edges) equal those read from the fine tables
// alone, for days, months, a quarter, periods that start and end inside days and months, and a
// period given in another time zone.
func TestAnalyticsRollupSame(t *testing.T) {
	d := seasonShop(t)
	ctx := context.Background()
	var w int64
	if _, err := d.j.Analytics(ctx, d.now, d.now.Add(time.Hour), 0); err != nil { // rolls up
		t.Fatal(err)
	}
	if err := d.j.db.QueryRowContext(ctx, `SELECT `+rolledDaySQL).Scan(&w); err != nil {
		t.Fatal(err)
	}
	if last := wallHour(d.reg.State.LastDocumentTime.In(almaty)) / 24; w != last-1 {
		t.Fatalf("watermark at day %d, want the day before the newest, %d", w, last-1)
	}
	var months, days int
	d.j.db.QueryRowContext(ctx, `SELECT COUNT(DISTINCT wall_month) FROM analytics_item_months`).Scan(&months)
	d.j.db.QueryRowContext(ctx, `SELECT COUNT(DISTINCT wall_day) FROM analytics_days`).Scan(&days)
	if months != 4 || days != 78 {
		t.Fatalf("rolled up %d months and %d days, want January to April (April's first days) and 78 days (Jan 20 – Apr 7)", months, days)
	}
	at := func(m time.Month, day, h int) time.Time { return time.Date(2026, m, day, h, 0, 0, 0, almaty) }
	periods := [][2]time.Time{
		{at(2, 10, 0), at(2, 11, 0)},                // a rolled day
		{at(2, 1, 0), at(3, 1, 0)},                  // a rolled month
		{at(3, 1, 0), at(4, 1, 0)},                  // a month with days past the watermark
		{at(1, 1, 0), at(4, 1, 0)},                  // a quarter starting before the journal
		{at(1, 1, 0), at(1, 1, 0).AddDate(1, 0, 0)}, // the year
		{at(1, 25, 13), at(3, 17, 9)},               // inside days and months at both ends
		{at(2, 3, 5), at(2, 27, 23)},                // inside one month
		{at(4, 6, 0), at(4, 9, 0)},                  // the newest days, not rolled
		{at(2, 1, 0).UTC(), at(3, 1, 0).UTC()},
	}
	rng := rand.New(rand.NewPCG(5, 5))
	for i := 0; i < 30; i++ {
		from := at(1, 18, 0).Add(time.Duration(rng.IntN(85*24)) * time.Hour)
		periods = append(periods, [2]time.Time{from, from.Add(time.Duration(1+rng.IntN(60*24)) * time.Hour)})
	}
	for _, p := range periods {
		got, err := d.j.CompareAnalytics(ctx, p[0], p[1], 3)
		if err != nil {
			t.Fatal(err)
		}
		analyticsRollups = false
		want, err := d.j.CompareAnalytics(ctx, p[0], p[1], 3)
		analyticsRollups = true
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s – %s through the rollups:\n%+v\nfrom the fine tables:\n%+v", p[0], p[1], got.Current, want.Current)
		}
		if got.Current.Total.SaleCount == 0 && p[0].Before(at(4, 1, 0)) && p[1].After(at(1, 21, 0)) {
			t.Errorf("%s – %s: no sales counted", p[0], p[1])
		}
	}
}

// TestAnalyticsRollupMonths: the wall months of days and their first days agree with SQLite's.
func TestAnalyticsRollupMonths(t *testing.T) {
	j := openTemp(t)
	for _, day := range []int64{0, 31, 59, 20089, 20454, 20513, 20514, 20515, 24000} {
		var sqlMonth, sqlFirst int64
		if err := j.db.QueryRow(`SELECT `+monthOfDaySQL("?1")+`, `+firstDayOfMonthSQL("?1"), day).Scan(&sqlMonth, &sqlFirst); err != nil {
			t.Fatal(err)
		}
		if m := wallMonth(day); m != sqlMonth || monthFirstDay(m) != sqlFirst {
			t.Errorf("day %d: month %d first day %d, SQLite says %d and %d", day, m, monthFirstDay(m), sqlMonth, sqlFirst)
		}
		m0, m1 := fullMonths(sqlFirst, monthFirstDay(wallMonth(day)+1))
		if m0 != wallMonth(day) || m1 != m0+1 {
			t.Errorf("day %d: its month's days hold months [%d, %d), want [%d, %d)", day, m0, m1, wallMonth(day), wallMonth(day)+1)
		}
	}
	if m0, m1 := fullMonths(20090, 20120); m1 > m0 {
		t.Errorf("30 days inside two months hold months [%d, %d)", m0, m1)
	}
}
