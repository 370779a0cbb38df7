package app

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/ekassa-go/ekassa/kkm"
	"github.com/ekassa-go/ekassa/ui"
)

// The analytics port answers what a recount of a small journal gives: a cash sale, a card sale
// of one item in extended mode, a return of part of the first, and a purchase (not revenue).
func TestAnalyticsPort(t *testing.T) {
	r := newRig(t)
	s1 := r.sell(10000)
	item := kkm.ReceiptDraft{Operation: kkm.OpSale,
		Lines:    []kkm.LineDraft{{Name: "Ірімшік", Quantity: 1500, Unit: "166", Price: 16700}},
		Payments: []kkm.Payment{{Type: kkm.PayCard, Sum: 25050}}}
	if _, err := r.rt.IssueReceipt(r.ctx, r.by, item); err != nil {
		t.Fatal(err)
	}
	parent, err := r.rt.Returnable(r.ctx, s1.Seq)
	if err != nil {
		t.Fatal(err)
	}
	ret := kkm.SimpleDraft(kkm.OpSaleReturn, []kkm.Money{3000}, []kkm.Payment{{Type: kkm.PayCash, Sum: 3000}})
	ret.Parent = &parent.Parent
	if _, err := r.rt.IssueReceipt(r.ctx, r.by, ret); err != nil {
		t.Fatal(err)
	}
	if _, err := r.rt.CashIn(r.ctx, r.by, 50000); err != nil {
		t.Fatal(err)
	}
	purchase := kkm.SimpleDraft(kkm.OpPurchase, []kkm.Money{7000}, []kkm.Payment{{Type: kkm.PayCash, Sum: 7000}})
	if _, err := r.rt.IssueReceipt(r.ctx, r.by, purchase); err != nil {
		t.Fatal(err)
	}

	port := newAnalytics(r.j)
	now := time.Now()
	from, to := now.Add(-2*time.Hour), now.Add(2*time.Hour)
	c, err := port.Compare(r.ctx, from, to)
	if err != nil {
		t.Fatal(err)
	}
	want := ui.AnalyticsFigures{Sales: 35050, SaleCount: 2, Returns: 3000, ReturnCount: 1, Revenue: 32050,
		Average: 17525, Cash: 7000, Card: 25050}
	if c.Current.Total != want {
		t.Errorf("figures %+v\nwant    %+v", c.Current.Total, want)
	}
	if c.Previous.Total != (ui.AnalyticsFigures{}) || !c.Previous.To.Equal(c.Current.From) {
		t.Errorf("the period before: %+v", c.Previous)
	}
	sum := func(bs []ui.AnalyticsBucket) (rev kkm.Money, n int64) {
		for _, b := range bs {
			rev += b.Revenue
			n += b.Count
		}
		return rev, n
	}
	if len(c.Current.ByHour) != 24 {
		t.Fatalf("%d hours", len(c.Current.ByHour))
	}
	for i, b := range c.Current.ByHour {
		if b.Hour != i {
			t.Fatalf("hour %d is labelled %d", i, b.Hour)
		}
	}
	if rev, n := sum(c.Current.ByHour); rev != 32050 || n != 2 {
		t.Errorf("by hour: %v in %d sales", rev, n)
	}
	if rev, n := sum(c.Current.ByDay); rev != 32050 || n != 2 || c.Current.ByDay[0].Time.IsZero() {
		t.Errorf("by day: %v in %d sales (%+v)", rev, n, c.Current.ByDay)
	}
	if len(c.Current.ByCashier) != 1 || c.Current.ByCashier[0].Label != r.by.Name || c.Current.ByCashier[0].Revenue != 32050 {
		t.Errorf("by cashier: %+v", c.Current.ByCashier)
	}
	top := c.Current.TopItems
	if len(top) == 0 || top[0].Label != "Ірімшік" || top[0].Revenue != 25050 || top[0].Quantity != 1500 || top[0].Unit != "166" {
		t.Errorf("top items: %+v", top)
	}

	text := func(id string) string { return "«" + id + "»" }
	for _, c := range []struct {
		what  ui.ExportKind
		first string
		rows  int // rows after the title; -1: do not count
	}{
		{ui.ExportReceipts, "«csv.column.seq»", 4},
		{ui.ExportItems, "«csv.column.seq»", -1},
		{ui.ExportShifts, "«csv.column.shift»", 0},
	} {
		var b bytes.Buffer
		if err := port.Export(r.ctx, &b, c.what, from, to, text); err != nil {
			t.Fatalf("%s: %v", c.what, err)
		}
		out := b.String()
		if !strings.HasPrefix(out, "\uFEFF"+c.first) {
			t.Errorf("%s starts %.40q", c.what, out)
		}
		if lines := strings.Count(strings.TrimRight(out, "\r\n"), "\n"); c.rows >= 0 && lines != c.rows {
			t.Errorf("%s: %d rows, want %d:\n%s", c.what, lines, c.rows, out)
		}
		if c.what == ui.ExportItems && !strings.Contains(out, "Ірімшік") {
			t.Errorf("items without the item:\n%s", out)
		}
	}
	if err := port.Export(r.ctx, &bytes.Buffer{}, "pictures", from, to, text); err == nil {
		t.Error("an unknown export was written")
	}
}
