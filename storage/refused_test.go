package storage

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/ekassa-go/ekassa/kkm"
)

// TestRefuseHead: a sale the OFD refused leaves the queue and the counters in one transaction,
// stays in the journal marked refused (history, document, last refusal), the Z queued behind
// it is sent without it, the auto cash-out withdraws only what the OFD holds, the hash chain
// holds, and a state computed before the refusal cannot be committed over it.
func TestRefuseHead(t *testing.T) {
	ctx := context.Background()
	j := openTemp(t)
	d := newDesk(t, j)
	if err := j.SetLinkState(ctx, LinkState{Token: 100}); err != nil {
		t.Fatal(err)
	}
	kept := d.sale(false)
	refused := d.sale(true)
	before := d.reg.State // includes the refused sale
	d.commit(d.reg.CloseShift(d.op, d.tick(), true))

	// The first sale is answered; the second is the head, sent and refused.
	if _, err := j.AssignNextRequest(ctx, kept, 100, d.now); err != nil {
		t.Fatal(err)
	}
	if _, err := j.CompleteAndAssignNext(ctx, kept, FiscalResult{Sign: "1", At: d.now}, 101, d.now); err != nil {
		t.Fatal(err)
	}
	head, err := j.NextOutbox(ctx)
	if err != nil || head.Seq != refused || head.Request == nil {
		t.Fatalf("head %+v, %v", head, err)
	}
	// Another request than the one refused: nothing changes.
	if _, err := j.RefuseHead(ctx, refused, Request{Token: 1, Reqnum: 1}, Refusal{Code: 13, At: d.now}); !errors.Is(err, ErrOutboxOrder) {
		t.Fatalf("refusal of another request: %v", err)
	}
	e, err := j.RefuseHead(ctx, refused, *head.Request, Refusal{Code: 13, Text: "sum out of range", At: d.now})
	if err != nil {
		t.Fatal(err)
	}
	if e.Seq != refused || e.Refusal == nil || e.Refusal.Code != 13 || e.Document.Kind != kkm.KindReceipt {
		t.Fatalf("refused entry %+v", e)
	}

	// The queue moved on: the auto cash-out, then the Z, both amended.
	out, err := j.NextOutbox(ctx)
	if err != nil || out.Document.Kind != kkm.KindCashOut {
		t.Fatalf("next %+v, %v", out, err)
	}
	sale, _ := j.Document(ctx, refused)
	cash := sale.Document.CashEffect()
	stored, _ := j.Document(ctx, out.Seq)
	if out.Document.Cash != stored.Document.Cash-cash || cash <= 0 {
		t.Fatalf("auto cash-out sent %d, issued %d, refused cash %d", out.Document.Cash, stored.Document.Cash, cash)
	}
	if _, err := j.CompleteAndAssignNext(ctx, out.Seq, FiscalResult{At: d.now}, 102, d.now); err != nil {
		t.Fatal(err)
	}
	z, err := j.NextOutbox(ctx)
	if err != nil || z.Document.Kind != kkm.KindZReport {
		t.Fatalf("next %+v, %v", z, err)
	}
	r := z.Document.Report
	keptDoc, _ := j.Document(ctx, kept)
	if r.Receipts[kkm.OpSale].Count != 1 || r.NonNullable[kkm.OpSale] != keptDoc.Document.Receipt.Total || r.CashInDrawer != 0 {
		t.Fatalf("amended Z: %d sales, non-nullable %d, drawer %d", r.Receipts[kkm.OpSale].Count, r.NonNullable[kkm.OpSale], r.CashInDrawer)
	}
	if r.Placements[kkm.PlacementCashOut].Sum != out.Document.Cash {
		t.Fatalf("amended Z withdraws %d, its auto cash-out %d", r.Placements[kkm.PlacementCashOut].Sum, out.Document.Cash)
	}
	issuedZ, _ := j.Document(ctx, z.Seq)
	if issuedZ.Document.Report.Receipts[kkm.OpSale].Count != 2 {
		t.Fatal("the journal's Z was changed: the chain covers it as issued")
	}

	// The state lost the sale; the chain holds; the document is shown refused.
	st, err := j.State(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.Refusals != 1 || st.NonNullable[kkm.OpSale] != keptDoc.Document.Receipt.Total || st.CashInDrawer != 0 {
		t.Fatalf("state: refusals %d, non-nullable %d, drawer %d", st.Refusals, st.NonNullable[kkm.OpSale], st.CashInDrawer)
	}
	if _, err := j.Verify(ctx, 1); err != nil {
		t.Fatalf("chain: %v", err)
	}
	if sale.Refusal == nil || sale.Refusal.Text != "sum out of range" || sale.Fiscal != nil {
		t.Fatalf("document: %+v", sale)
	}
	last, err := j.LastRefusal(ctx)
	if err != nil || last.Seq != refused {
		t.Fatalf("last refusal %d, %v", last.Seq, err)
	}
	hp, err := j.History(ctx, HistoryQuery{State: StateRefused}, Page{})
	if err != nil || len(hp.Entries) != 1 || hp.Entries[0].Seq != refused || hp.Entries[0].Refusal == nil {
		t.Fatalf("history of refused documents: %+v, %v", hp, err)
	}
	if q, _ := j.OutboxStats(ctx); q.Waiting != 1 {
		t.Fatalf("waiting %d", q.Waiting)
	}

	// A state computed before the refusal cannot undo it.
	d.reg.State = before
	iss, err := d.reg.IssueReceipt(fiveItems(kkm.OpSale), d.op, d.tick().Add(time.Hour), true)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := j.Commit(ctx, iss.Documents, iss.State); !errors.Is(err, ErrStateChanged) {
		t.Fatalf("stale commit: %v", err)
	}
	d.reg.State = st
	d.commit(d.reg.IssueReceipt(fiveItems(kkm.OpSale), d.op, d.tick().Add(time.Hour), true))
}

// TestRefuseHeadLearnsShiftLimit: a receipt refused with code 11 twelve hours into the shift
// teaches the state the OFD's 12-hour limit in the same transaction.
func TestRefuseHeadLearnsShiftLimit(t *testing.T) {
	ctx := context.Background()
	j := openTemp(t)
	d := newDesk(t, j)
	if err := j.SetLinkState(ctx, LinkState{Token: 100}); err != nil {
		t.Fatal(err)
	}
	first := d.sale(false)
	if _, err := j.AssignNextRequest(ctx, first, 100, d.now); err != nil {
		t.Fatal(err)
	}
	if _, err := j.CompleteAndAssignNext(ctx, first, FiscalResult{Sign: "1", At: d.now}, 101, d.now); err != nil {
		t.Fatal(err)
	}
	opened := d.reg.State.ShiftOpenedAt
	d.now = opened.Add(12*time.Hour + 2*time.Minute)
	late := d.sale(false)
	req, err := j.AssignNextRequest(ctx, late, 101, d.now)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := j.RefuseHead(ctx, late, req, Refusal{Code: 11, At: d.now}); err != nil {
		t.Fatal(err)
	}
	st, _ := j.State(ctx)
	if st.OFDShiftLimit != 12*time.Hour || st.Counters.Receipts[kkm.OpSale].Count != 1 {
		t.Fatalf("learned %v, sales %d", st.OFDShiftLimit, st.Counters.Receipts[kkm.OpSale].Count)
	}
	reg := kkm.Register{State: st}
	if !reg.ShiftExpired(d.now) {
		t.Fatal("the shift is not expired past the OFD's limit")
	}
}
