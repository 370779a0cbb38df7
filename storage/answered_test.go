package storage

import (
	"context"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/ekassa-go/ekassa/kkm"
)

// Cash in, cash out and the Z report are answered without a fiscal sign: the journal keeps the
// answer all the same, so every way of reading a document (by number, in the history, filtered
// by state, after a restart) says it was answered, and a document still waiting says it was not.
func TestAnswerWithoutFiscalSignIsKept(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "j.db")
	j, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	d := newDesk(t, j)
	in := d.commit(d.reg.CashIn(50_000, d.op, d.tick(), false))[0]
	d.simpleSale(20_000, false)
	out := d.commit(d.reg.CashOut(10_000, d.op, d.tick(), false))[0]
	closed := d.commit(d.reg.CloseShift(d.op, d.tick(), false)) // the auto cash-out, then the Z
	z := closed[len(closed)-1]
	waiting := d.commit(d.reg.CashIn(5_000, d.op, d.tick(), false))[0]
	if err := j.SetLinkState(ctx, LinkState{Token: 1}); err != nil {
		t.Fatal(err)
	}

	at := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	signs := map[int64]string{}
	for {
		e, err := j.NextOutbox(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if e.Seq == waiting {
			break
		}
		if _, err := j.AssignNextRequest(ctx, e.Seq, 1, time.Time{}); err != nil {
			t.Fatal(err)
		}
		res := FiscalResult{At: at}
		if e.Document.Kind == kkm.KindReceipt {
			res.Sign = strconv.FormatInt(900000+e.Seq, 10)
			signs[e.Seq] = res.Sign
		}
		if _, err := j.CompleteAndAssignNext(ctx, e.Seq, res, 1, time.Time{}); err != nil {
			t.Fatal(err)
		}
	}

	check := func(when string, j *Journal) {
		t.Helper()
		for _, seq := range append([]int64{in, out, z}, closed...) {
			e, err := j.Document(ctx, seq)
			if err != nil {
				t.Fatal(err)
			}
			if e.Fiscal == nil || !e.Fiscal.At.Equal(at) || e.Fiscal.Sign != "" {
				t.Errorf("%s: %v %d answered without a sign reads as %+v", when, e.Document.Kind, seq, e.Fiscal)
			}
		}
		for seq, sign := range signs {
			if e, err := j.Document(ctx, seq); err != nil || e.Fiscal == nil || e.Fiscal.Sign != sign {
				t.Errorf("%s: receipt %d reads as %+v, %v; want sign %s", when, seq, e.Fiscal, err, sign)
			}
		}
		if e, err := j.Document(ctx, waiting); err != nil || e.Fiscal != nil {
			t.Errorf("%s: the waiting cash in reads as answered: %+v, %v", when, e.Fiscal, err)
		}
		page, err := j.History(ctx, HistoryQuery{}, Page{})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range page.Entries {
			if answered := e.Fiscal != nil; answered != (e.Seq != waiting) && e.Document.Kind.Fiscal() {
				t.Errorf("%s: history shows %v %d answered=%v", when, e.Document.Kind, e.Seq, answered)
			}
		}
		for _, q := range []struct {
			state HistoryState
			want  map[int64]bool
		}{
			{StateFiscalised, map[int64]bool{in: true, out: true, z: true}},
			{StateWaiting, map[int64]bool{waiting: true}},
		} {
			page, err := j.History(ctx, HistoryQuery{State: q.state}, Page{})
			if err != nil {
				t.Fatal(err)
			}
			got := map[int64]bool{}
			for _, e := range page.Entries {
				got[e.Seq] = true
			}
			for seq := range q.want {
				if !got[seq] {
					t.Errorf("%s: the %s filter leaves out document %d", when, q.state, seq)
				}
			}
			if q.state == StateWaiting && len(got) != 1 {
				t.Errorf("%s: the waiting filter shows %v, want only %d", when, got, waiting)
			}
		}
	}
	check("open", j)
	j.Close()
	j, err = Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	check("after a restart", j)
}
