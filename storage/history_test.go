package storage

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ekassa-go/ekassa/kkm"
)

// fiscalise answers the oldest n waiting outbox entries as the OFD would, with fiscal sign
// "9000<seq>", and returns the signs by seq.
func fiscalise(t testing.TB, j *Journal, n int) map[int64]string {
	t.Helper()
	ctx := context.Background()
	signs := map[int64]string{}
	for i := 0; i < n; i++ {
		e, err := j.NextOutbox(ctx)
		if err != nil {
			t.Fatal(err)
		}
		sign := fmt.Sprintf("9000%d", e.Seq)
		if e.Document.Kind != kkm.KindReceipt {
			sign = ""
		}
		if err := j.CompleteOutbox(ctx, e.Seq, FiscalResult{Sign: sign, QRLink: "http://q", At: e.Document.Time}, 1); err != nil {
			t.Fatal(err)
		}
		signs[e.Seq] = sign
	}
	return signs
}

// historyShop is newShop with the first 30 fiscal documents answered by the OFD.
func historyShop(t testing.TB) (*shop, map[int64]string) {
	s := newShop(t)
	return s, fiscalise(t, s.j, 30)
}

// matches is the history filter written plainly over one document, for the recount.
func matches(q HistoryQuery, seq int64, d kkm.Document, sign string, answered bool) bool {
	if q.Shift > 0 && d.ShiftNumber != q.Shift {
		return false
	}
	if !q.From.IsZero() && d.Time.Before(q.From) || !q.To.IsZero() && !d.Time.Before(q.To) {
		return false
	}
	if q.Number != "" {
		n := fmt.Sprint(d.Number)
		off := fmt.Sprint(d.OfflineNumber)
		if !(sign != "" && sign == q.Number || d.OfflineNumber != 0 && off == q.Number || n == q.Number) {
			return false
		}
	}
	total := d.Total()
	if q.Amount.Min > 0 && total < q.Amount.Min || q.Amount.Max > 0 && total > q.Amount.Max {
		return false
	}
	op := kkm.Operation(-1)
	if d.Receipt != nil {
		op = d.Receipt.Operation
	}
	switch q.Kind {
	case HistoryAll:
	case HistorySales:
		return op == kkm.OpSale && stateMatches(q, d, answered)
	case HistorySaleReturns:
		return op == kkm.OpSaleReturn && stateMatches(q, d, answered)
	case HistoryPurchases:
		return op == kkm.OpPurchase && stateMatches(q, d, answered)
	case HistoryPurchaseReturn:
		return op == kkm.OpPurchaseReturn && stateMatches(q, d, answered)
	default:
		if string(d.Kind) != string(q.Kind) {
			return false
		}
	}
	return stateMatches(q, d, answered)
}

func stateMatches(q HistoryQuery, d kkm.Document, answered bool) bool {
	switch q.State {
	case StateFiscalised:
		return answered
	case StateWaiting:
		return d.Kind.Fiscal() && !answered
	case StateOffline:
		return d.Offline
	}
	return true
}

// The history is searched with the documents' keys (keys.go) in every state: none keyed (all in
// the tail), the first half keyed, and all keyed.
func TestHistoryAgainstRecount(t *testing.T) {
	defer setPause(setPause(time.Hour)) // no pause keys the documents behind the test's back
	s, signs := historyShop(t)
	for _, keyed := range []int64{0, s.seqs[len(s.seqs)/2], s.seqs[len(s.seqs)-1]} {
		keyUpTo(t, s.j, keyed)
		t.Run(fmt.Sprintf("keyed to %d", keyed), func(t *testing.T) { historyAgainstRecount(t, s, signs) })
	}
}

// keyUpTo leaves the documents up to seq keyed and the others in the tail.
func keyUpTo(t *testing.T, j *Journal, seq int64) {
	t.Helper()
	ctx := context.Background()
	err := j.WriteTx(ctx, func(tx *Tx) error {
		for _, q := range []struct {
			sql string
			arg any
		}{
			{`DELETE FROM document_keys WHERE seq > ?`, 0},
			{`INSERT INTO document_keys ` + keysOfDocumentsSQL + ` WHERE seq <= ?`, seq},
			{`UPDATE analytics_rollup SET keyed_seq = ? WHERE id = 1`, seq},
		} {
			if _, err := tx.ExecContext(ctx, q.sql, q.arg); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func historyAgainstRecount(t *testing.T, s *shop, signs map[int64]string) {
	ctx := context.Background()
	day := func(n, h int) time.Time { return time.Date(2026, 3, 2+n, h, 0, 0, 0, almaty) }
	var someSign string
	for seq, sg := range signs {
		if sg != "" && seq > 5 {
			someSign = sg
			break
		}
	}
	cases := []HistoryQuery{
		{},
		{Shift: 2},
		{Shift: 99},
		{From: day(1, 0), To: day(2, 0)},
		{From: day(1, 12)},
		{To: day(0, 14)},
		{From: day(0, 9), To: day(0, 10)},
		{From: day(5, 0), To: day(6, 0)},
		{Number: "3"},
		{Number: "2", Shift: 3},
		{Number: someSign},
		{Number: "1"}, // offline number 1 and every shift's first document
		{Amount: ExactAmount(123_456)},
		{Amount: AmountRange{Min: 10_000, Max: 30_000}},
		{Amount: AmountRange{Min: 150_000}},
		{Kind: HistoryReceipts},
		{Kind: HistorySales},
		{Kind: HistorySaleReturns},
		{Kind: HistoryPurchases},
		{Kind: HistoryPurchaseReturn},
		{Kind: HistoryCashIn},
		{Kind: HistoryCashOut},
		{Kind: HistoryXReports},
		{Kind: HistoryZReports},
		{State: StateFiscalised},
		{State: StateWaiting},
		{State: StateOffline},
		{Kind: HistorySales, State: StateWaiting, From: day(1, 0)},
		{Kind: HistorySaleReturns, Shift: 1, Amount: AmountRange{Max: 10_000}},
	}
	for _, q := range cases {
		for _, limit := range []int{1, 3, 100} {
			t.Run(fmt.Sprintf("%+v/limit %d", q, limit), func(t *testing.T) {
				var want []int64
				for i := len(s.docs) - 1; i >= 0; i-- {
					seq := s.seqs[i]
					sign, answered := signs[seq]
					if matches(q, seq, s.docs[i], sign, answered) {
						want = append(want, seq)
					}
				}
				var got []int64
				p := Page{Limit: limit}
				for pages := 0; ; pages++ {
					hp, err := s.j.History(ctx, q, p)
					if err != nil {
						t.Fatal(err)
					}
					if len(hp.Entries) > limit {
						t.Fatalf("page of %d entries, limit %d", len(hp.Entries), limit)
					}
					for _, e := range hp.Entries {
						got = append(got, e.Seq)
						if sg := signs[e.Seq]; (e.Fiscal != nil) != (signs[e.Seq] != "" || hasKey(signs, e.Seq)) ||
							e.Fiscal != nil && e.Fiscal.Sign != sg {
							t.Errorf("entry %d fiscal result %+v, sign %q", e.Seq, e.Fiscal, sg)
						}
					}
					if !hp.More {
						break
					}
					if pages > len(s.docs) {
						t.Fatal("endless paging")
					}
					p = hp.Next
				}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("got %v\nwant %v", got, want)
				}
			})
		}
	}
}

func hasKey(m map[int64]string, k int64) bool { _, ok := m[k]; return ok }

func TestHistoryRefusesBadQueries(t *testing.T) {
	s := newShop(t)
	for _, q := range []HistoryQuery{
		{Number: "12ab"},
		{Amount: AmountRange{Min: 500, Max: 100}},
		{Amount: AmountRange{Min: -1}},
		{Kind: "refund"},
		{State: "lost"},
	} {
		if _, err := s.j.History(context.Background(), q, Page{}); !errors.Is(err, ErrBadHistoryQuery) {
			t.Errorf("%+v: err = %v, want ErrBadHistoryQuery", q, err)
		}
	}
}

// Every access path of the history reads an index (or the primary key's range), never the whole
// table, and needs no sort of all matches: a page costs O(page), whatever the journal's size.
func TestHistoryQueryPlansUseIndexes(t *testing.T) {
	s, _ := historyShop(t)
	ctx := context.Background()
	// No ANALYZE: the app never runs it, so the planner's own estimates are what a phone gets.
	from := time.Date(2026, 3, 3, 0, 0, 0, 0, almaty)
	cases := []struct {
		q         HistoryQuery
		wantIndex string
		sortOK    bool // an amount range may sort its matches
	}{
		{HistoryQuery{}, "INTEGER PRIMARY KEY", false},
		{HistoryQuery{From: from, To: from.AddDate(0, 0, 1)}, "INTEGER PRIMARY KEY", false},
		{HistoryQuery{Shift: 2}, "keys_shift", false},
		{HistoryQuery{Shift: 2, From: from}, "keys_shift", false},
		{HistoryQuery{Kind: HistoryZReports}, "keys_kind", false},
		{HistoryQuery{Kind: HistorySaleReturns}, "keys_operation", false},
		{HistoryQuery{Number: "90005"}, "", true},
		{HistoryQuery{Amount: ExactAmount(123_456)}, "keys_total", false},
		{HistoryQuery{Amount: AmountRange{Min: 1, Max: 2}}, "keys_total", true},
		{HistoryQuery{State: StateOffline}, "keys_offline", false},
		{HistoryQuery{State: StateWaiting}, "", true},
		{HistoryQuery{State: StateFiscalised}, "INTEGER PRIMARY KEY", false},
	}
	for _, c := range cases {
		query, args, empty, err := s.j.historySQL(ctx, c.q, Page{Before: 40, Limit: 20})
		if err != nil || empty {
			t.Fatalf("%+v: %v %v", c.q, err, empty)
		}
		plan := explain(t, s.j, query, args...)
		if strings.Contains(plan, "SCAN d") && !strings.Contains(plan, "SCAN d USING") {
			t.Errorf("%+v: full scan of documents:\n%s", c.q, plan)
		}
		if !strings.Contains(plan, "SEARCH d") {
			t.Errorf("%+v: documents not searched by index:\n%s", c.q, plan)
		}
		if c.wantIndex != "" && !strings.Contains(plan, c.wantIndex) {
			t.Errorf("%+v: plan does not use %s:\n%s", c.q, c.wantIndex, plan)
		}
		if !c.sortOK && strings.Contains(plan, "TEMP B-TREE") {
			t.Errorf("%+v: plan sorts every match:\n%s", c.q, plan)
		}
	}
}

// explain returns the query plan of query, one step a line.
func explain(t testing.TB, j *Journal, query string, args ...any) string {
	t.Helper()
	rows, err := j.db.QueryContext(context.Background(), `EXPLAIN QUERY PLAN `+query, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var id, parent, notused int
		var detail string
		if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
			t.Fatal(err)
		}
		b.WriteString(detail + "\n")
	}
	return b.String()
}
