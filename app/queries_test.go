package app

import (
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/ekassa-go/ekassa/kkm"
	"github.com/ekassa-go/ekassa/storage"
	"github.com/ekassa-go/ekassa/ui"
)

// historyRig is a journal with two shifts: sales cash and card, a return, a cash in, a purchase,
// a Z report, then a sale in shift 2 and two more issued with the network cut (the first waits
// online, the second is offline). The cut is left on, so both are still waiting.
type historyRig struct {
	*rig
	s1, s2, ret, purchase, s3, waiting, offline ui.IssuedDocument
	all                                         []ui.IssuedDocument // every document, newest first
}

func newHistoryRig(t *testing.T) *historyRig {
	t.Helper()
	r := &historyRig{rig: newRig(t)}
	issue := func(d kkm.ReceiptDraft) ui.IssuedDocument {
		t.Helper()
		is, err := r.rt.IssueReceipt(r.ctx, r.by, d)
		if err != nil {
			t.Fatal(err)
		}
		return is.Last()
	}
	r.s1 = r.sell(10000)
	r.s2 = issue(kkm.SimpleDraft(kkm.OpSale, []kkm.Money{25050}, []kkm.Payment{{Type: kkm.PayCard, Sum: 25050}}))
	parent, err := r.rt.Returnable(r.ctx, r.s1.Seq)
	if err != nil {
		t.Fatal(err)
	}
	ret := kkm.SimpleDraft(kkm.OpSaleReturn, []kkm.Money{3000}, []kkm.Payment{{Type: kkm.PayCash, Sum: 3000}})
	ret.Parent = &parent.Parent
	r.ret = issue(ret)
	if _, err := r.rt.CashIn(r.ctx, r.by, 50000); err != nil {
		t.Fatal(err)
	}
	r.purchase = issue(kkm.SimpleDraft(kkm.OpPurchase, []kkm.Money{7000}, []kkm.Payment{{Type: kkm.PayCash, Sum: 7000}}))
	if _, err := r.rt.CloseShift(r.ctx, r.by); err != nil {
		t.Fatal(err)
	}
	r.s3 = r.sell(10000)
	r.waitDrained()
	// The emulator's own switch: a break no check of the link has seen, so the first sale after
	// it is issued online and waits without a fiscal sign, and the next one is offline.
	if err := r.demo.Server.SetNetworkCut(true); err != nil {
		t.Fatal(err)
	}
	r.waiting = r.sell(4000)
	r.offline = r.sell(5000)
	if r.waiting.FiscalSign != "" || r.waiting.Document.Offline || !r.offline.Document.Offline {
		t.Fatalf("the cut: %+v / %+v", r.waiting, r.offline)
	}
	page, err := r.rt.History(r.ctx, ui.HistoryFilter{Limit: 100})
	if err != nil || page.More {
		t.Fatal(page.More, err)
	}
	r.all = page.Documents
	if len(r.all) < 9 || r.all[0].Seq != r.offline.Seq || r.all[len(r.all)-1].Seq != r.s1.Seq {
		t.Fatalf("the journal: %d documents", len(r.all))
	}
	return r
}

// recount lists the seqs of the documents keep selects, newest first: the right answer.
func (r *historyRig) recount(keep func(ui.IssuedDocument) bool) []int64 {
	var out []int64
	for _, d := range r.all {
		if keep(d) {
			out = append(out, d.Seq)
		}
	}
	return out
}

// search lists the seqs History finds for f, paging with the cursor, newest first.
func (r *historyRig) search(f ui.HistoryFilter) []int64 {
	r.t.Helper()
	var out []int64
	for pages := 0; ; pages++ {
		page, err := r.rt.History(r.ctx, f)
		if err != nil {
			r.t.Fatalf("%+v: %v", f, err)
		}
		if f.Limit > 0 && len(page.Documents) > f.Limit {
			r.t.Fatalf("%+v: %d documents on a page", f, len(page.Documents))
		}
		for _, d := range page.Documents {
			out = append(out, d.Seq)
		}
		if !page.More || pages > 100 {
			return out
		}
		f.Before = page.Documents[len(page.Documents)-1].Seq
	}
}

// One journal (building it takes a cut network's wait) answers the history's three tests.
func TestHistoryQueries(t *testing.T) {
	r := newHistoryRig(t)
	historyFiltersAgainstARecount(t, r)
	historyKeysetPaging(t, r)
	recentReceiptsSkipReturns(t, r)
}

// Every filter, alone and combined, finds what a recount of the journal finds, at every page size.
func historyFiltersAgainstARecount(t *testing.T, r *historyRig) {
	total := func(d ui.IssuedDocument) kkm.Money { return d.Document.Total() }
	operation := func(d ui.IssuedDocument) (kkm.Operation, bool) {
		if d.Document.Receipt == nil {
			return 0, false
		}
		return d.Document.Receipt.Operation, true
	}
	number := func(n string) func(ui.IssuedDocument) bool {
		return func(d ui.IssuedDocument) bool {
			return d.FiscalSign == n || fmt.Sprint(d.Document.OfflineNumber) == n && d.Document.OfflineNumber != 0 ||
				fmt.Sprint(d.Document.Number) == n
		}
	}
	from, to := r.s2.Document.Time, r.s3.Document.Time
	cases := []struct {
		name string
		f    ui.HistoryFilter
		keep func(ui.IssuedDocument) bool
	}{
		{"everything", ui.HistoryFilter{}, func(ui.IssuedDocument) bool { return true }},
		{"shift 1", ui.HistoryFilter{Shift: 1}, func(d ui.IssuedDocument) bool { return d.Document.ShiftNumber == 1 }},
		{"receipts of shift 2", ui.HistoryFilter{Shift: 2, Kind: kkm.KindReceipt}, func(d ui.IssuedDocument) bool {
			return d.Document.ShiftNumber == 2 && d.Document.Kind == kkm.KindReceipt
		}},
		{"period", ui.HistoryFilter{From: from, To: to}, func(d ui.IssuedDocument) bool {
			ms := d.Document.Time.UnixMilli()
			return ms >= from.UnixMilli() && ms < to.UnixMilli()
		}},
		{"fiscal sign", ui.HistoryFilter{Number: r.s1.FiscalSign}, number(r.s1.FiscalSign)},
		{"offline number", ui.HistoryFilter{Number: fmt.Sprint(r.offline.Document.OfflineNumber)},
			number(fmt.Sprint(r.offline.Document.OfflineNumber))},
		{"number in shift", ui.HistoryFilter{Number: "2"}, number("2")},
		{"exact amount", ui.HistoryFilter{AmountFrom: 10000, AmountTo: 10000}, func(d ui.IssuedDocument) bool { return total(d) == 10000 }},
		{"amount range", ui.HistoryFilter{AmountFrom: 4000, AmountTo: 10000}, func(d ui.IssuedDocument) bool {
			return total(d) >= 4000 && total(d) <= 10000
		}},
		{"amount from", ui.HistoryFilter{AmountFrom: 25000}, func(d ui.IssuedDocument) bool { return total(d) >= 25000 }},
		{"sales", ui.HistoryFilter{Operation: ui.HistorySale}, func(d ui.IssuedDocument) bool {
			op, ok := operation(d)
			return ok && op == kkm.OpSale
		}},
		{"sale returns", ui.HistoryFilter{Operation: ui.HistorySaleReturn, Kind: kkm.KindReceipt}, func(d ui.IssuedDocument) bool {
			op, ok := operation(d)
			return ok && op == kkm.OpSaleReturn
		}},
		{"purchases", ui.HistoryFilter{Operation: ui.HistoryPurchase}, func(d ui.IssuedDocument) bool {
			op, ok := operation(d)
			return ok && op == kkm.OpPurchase
		}},
		{"an operation of cash in", ui.HistoryFilter{Operation: ui.HistorySale, Kind: kkm.KindCashIn},
			func(ui.IssuedDocument) bool { return false }},
		{"cash in", ui.HistoryFilter{Kind: kkm.KindCashIn}, func(d ui.IssuedDocument) bool { return d.Document.Kind == kkm.KindCashIn }},
		{"Z reports", ui.HistoryFilter{Kind: kkm.KindZReport}, func(d ui.IssuedDocument) bool { return d.Document.Kind == kkm.KindZReport }},
		{"waiting", ui.HistoryFilter{State: ui.HistoryWaiting}, func(d ui.IssuedDocument) bool {
			return d.Seq == r.waiting.Seq || d.Seq == r.offline.Seq
		}},
		{"offline", ui.HistoryFilter{State: ui.HistoryOffline}, func(d ui.IssuedDocument) bool { return d.Document.Offline }},
		{"fiscalised", ui.HistoryFilter{State: ui.HistoryFiscalised}, func(d ui.IssuedDocument) bool {
			// The OFD has answered all but the two (a cash in or a Z report has no fiscal sign).
			return d.Seq != r.waiting.Seq && d.Seq != r.offline.Seq
		}},
		{"sales of shift 2 waiting", ui.HistoryFilter{Shift: 2, Operation: ui.HistorySale, State: ui.HistoryWaiting},
			func(d ui.IssuedDocument) bool { return d.Seq == r.waiting.Seq || d.Seq == r.offline.Seq }},
	}
	for _, c := range cases {
		want := r.recount(c.keep)
		for _, limit := range []int{0, 1, 2, 3} {
			f := c.f
			f.Limit = limit
			if got := r.search(f); !slices.Equal(got, want) {
				t.Errorf("%s, pages of %d: %v, want %v", c.name, limit, got, want)
			}
		}
	}
	if _, err := r.rt.History(r.ctx, ui.HistoryFilter{Number: "12a"}); !errors.Is(err, storage.ErrBadHistoryQuery) {
		t.Errorf("a number that is not a number: %v", err)
	}
	if _, err := r.rt.History(r.ctx, ui.HistoryFilter{AmountFrom: 500, AmountTo: 100}); !errors.Is(err, storage.ErrBadHistoryQuery) {
		t.Errorf("an amount range upside down: %v", err)
	}
}

// The cursor pages through the journal without gaps or repeats, and the deprecated offset still
// lands where the cursor does.
func historyKeysetPaging(t *testing.T, r *historyRig) {
	var seqs []int64
	f := ui.HistoryFilter{Limit: 2}
	for {
		page, err := r.rt.History(r.ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range page.Documents {
			seqs = append(seqs, d.Seq)
		}
		if !page.More {
			if len(page.Documents) == 0 {
				t.Error("More promised a page that is empty")
			}
			break
		}
		if len(page.Documents) != 2 {
			t.Fatalf("a page of %d before the end", len(page.Documents))
		}
		f.Before = page.Documents[1].Seq
	}
	if want := r.recount(func(ui.IssuedDocument) bool { return true }); !slices.Equal(seqs, want) {
		t.Fatalf("paged %v, want %v", seqs, want)
	}
	past, err := r.rt.History(r.ctx, ui.HistoryFilter{Before: seqs[len(seqs)-1], Limit: 2})
	if err != nil || len(past.Documents) != 0 || past.More {
		t.Fatalf("a page past the end: %+v %v", past, err)
	}
}

// RecentReceipts lists the sales and purchases, newest first, and never a return.
func recentReceiptsSkipReturns(t *testing.T, r *historyRig) {
	want := r.recount(func(d ui.IssuedDocument) bool {
		return d.Document.Receipt != nil && !d.Document.Receipt.Operation.Returning()
	})
	for _, limit := range []int{1, 3, 100} {
		got, err := r.rt.RecentReceipts(r.ctx, limit)
		if err != nil {
			t.Fatal(err)
		}
		var seqs []int64
		for _, d := range got {
			seqs = append(seqs, d.Seq)
		}
		if w := want[:min(limit, len(want))]; !slices.Equal(seqs, w) {
			t.Errorf("limit %d: %v, want %v", limit, seqs, w)
		}
	}
}
