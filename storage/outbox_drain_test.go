package storage

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/ekassa-go/ekassa/kkm"
)

// TestCompleteAndAssignNext drains a queue the way the sender does, one commit per document: the
// answer to the head and the next entry's request in one transaction. The REQNUM comes from the
// journal (a request without a document taken meanwhile is not reused), a stored request is
// never changed, and both survive a restart.
func TestCompleteAndAssignNext(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "j.db")
	j, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	d := newDesk(t, j)
	d.sale(false)                                        // 1
	d.commit(d.reg.CashIn(5_000, d.op, d.tick(), false)) // 2
	x, _ := d.reg.XReport(d.op, d.tick())
	if _, err := j.Commit(ctx, []kkm.Document{x}, d.reg.State); err != nil { // 3, not queued
		t.Fatal(err)
	}
	d.sale(true) // 4
	if err := j.SetLinkState(ctx, LinkState{Token: 100, LastReqnum: 41}); err != nil {
		t.Fatal(err)
	}

	first, err := j.AssignNextRequest(ctx, 1, 100, time.Time{})
	if err != nil || first != (Request{Token: 100, Reqnum: 42}) {
		t.Fatalf("AssignNextRequest = %+v, %v; want token 100, REQNUM 42", first, err)
	}
	if got, err := j.AssignNextRequest(ctx, 1, 555, time.Now()); err != nil || got != first {
		t.Errorf("a second AssignNextRequest = %+v, %v; want the first %+v", got, err, first)
	}
	if l, _ := j.LinkState(ctx); l.LastReqnum != 42 {
		t.Errorf("a reused request took a REQNUM: LastReqnum %d", l.LastReqnum)
	}
	if _, err := j.AssignNextRequest(ctx, 2, 100, time.Time{}); !errors.Is(err, ErrOutboxOrder) {
		t.Errorf("AssignNextRequest out of order: %v", err)
	}
	// An INFO or SYSTEM request takes a REQNUM between the documents.
	if n, err := j.NextReqnum(ctx); err != nil || n != 43 {
		t.Fatalf("NextReqnum = %d, %v", n, err)
	}

	begin := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	at := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	res := FiscalResult{Sign: "1234567890", QRLink: "http://consumer.oofd.kz?i=1234567890", At: at}
	if _, err := j.CompleteAndAssignNext(ctx, 2, res, 101, begin); !errors.Is(err, ErrOutboxOrder) {
		t.Errorf("CompleteAndAssignNext out of order: %v", err)
	}
	if l, _ := j.LinkState(ctx); l.Token != 100 || l.LastReqnum != 43 {
		t.Errorf("a refused CompleteAndAssignNext changed the link: %+v", l)
	}
	next, err := j.CompleteAndAssignNext(ctx, 1, res, 101, begin)
	if err != nil || next == nil {
		t.Fatalf("CompleteAndAssignNext(1) = %v, %v", next, err)
	}
	want := Request{Token: 101, Reqnum: 44, OfflineBegin: begin}
	if next.Seq != 2 || next.Request == nil || *next.Request != want || next.Document.Kind != kkm.KindCashIn {
		t.Fatalf("next = seq %d kind %v request %+v; want seq 2, cash in, %+v", next.Seq, next.Document.Kind, next.Request, want)
	}
	if got, err := j.FiscalResult(ctx, 1); err != nil || got != res {
		t.Errorf("FiscalResult(1) = %+v, %v", got, err)
	}
	if l, _ := j.LinkState(ctx); l.Token != 101 || l.LastReqnum != 44 {
		t.Errorf("link after CompleteAndAssignNext = %+v; want token 101, LastReqnum 44", l)
	}
	if _, err := j.CompleteAndAssignNext(ctx, 1, res, 1, time.Time{}); !errors.Is(err, ErrOutboxOrder) {
		t.Errorf("completing twice: %v", err)
	}
	// A retry of the next document, by another path, keeps what was assigned.
	if got, err := j.AssignNextRequest(ctx, 2, 999, time.Time{}); err != nil || got != want {
		t.Errorf("AssignNextRequest after CompleteAndAssignNext = %+v, %v; want %+v", got, err, want)
	}
	j.Close()

	// The process dies before sending document 2: after a restart the same request goes out.
	j, err = Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	e, err := j.NextOutbox(ctx)
	if err != nil || e.Seq != 2 || e.Request == nil || *e.Request != want {
		t.Fatalf("after restart NextOutbox = seq %d request %+v, %v", e.Seq, e.Request, err)
	}
	next, err = j.CompleteAndAssignNext(ctx, 2, FiscalResult{At: at}, 102, time.Time{})
	if err != nil || next == nil || next.Seq != 4 || *next.Request != (Request{Token: 102, Reqnum: 45}) || next.Document.Receipt == nil {
		t.Fatalf("CompleteAndAssignNext(2) = %+v, %v; want the receipt 4 with token 102, REQNUM 45 (the X report is not queued)", next, err)
	}
	next, err = j.CompleteAndAssignNext(ctx, 4, FiscalResult{Sign: "77", At: at}, 103, time.Time{})
	if err != nil || next != nil {
		t.Fatalf("CompleteAndAssignNext of the last = %+v, %v; want nil", next, err)
	}
	if l, _ := j.LinkState(ctx); l.Token != 103 || l.LastReqnum != 45 {
		t.Errorf("link after the last = %+v; want token 103 and no REQNUM taken", l)
	}
	if st, err := j.OutboxStats(ctx); err != nil || st.Waiting != 0 {
		t.Errorf("OutboxStats = %+v, %v", st, err)
	}
	if _, err := j.CompleteAndAssignNext(ctx, 4, FiscalResult{}, 1, time.Time{}); !errors.Is(err, ErrOutboxOrder) {
		t.Errorf("completing in an empty outbox: %v", err)
	}
}

// TestReassignRefusedRequest: after a refusal the head gets a new (TOKEN, REQNUM) once; a second
// call with the same refused request (say after a crash) changes nothing.
func TestReassignRefusedRequest(t *testing.T) {
	ctx := context.Background()
	j := openTemp(t)
	d := newDesk(t, j)
	d.sale(false) // 1
	d.sale(false) // 2
	if err := j.SetLinkState(ctx, LinkState{Token: 7, LastReqnum: 9}); err != nil {
		t.Fatal(err)
	}
	refused, err := j.AssignNextRequest(ctx, 1, 7, time.Time{})
	if err != nil || refused != (Request{Token: 7, Reqnum: 10}) {
		t.Fatalf("AssignNextRequest = %+v, %v", refused, err)
	}
	if _, err := j.ReassignRefusedRequest(ctx, 2, refused, 8, time.Time{}); !errors.Is(err, ErrOutboxOrder) {
		t.Errorf("ReassignRefusedRequest out of order: %v", err)
	}
	// The OFD refused it with code 2; the cashier entered token 8, whose INFO took REQNUM 11.
	if _, err := j.NextReqnum(ctx); err != nil {
		t.Fatal(err)
	}
	begin := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	fresh, err := j.ReassignRefusedRequest(ctx, 1, refused, 8, begin)
	want := Request{Token: 8, Reqnum: 12, OfflineBegin: begin}
	if err != nil || fresh != want {
		t.Fatalf("ReassignRefusedRequest = %+v, %v; want %+v", fresh, err, want)
	}
	if e, err := j.NextOutbox(ctx); err != nil || e.Request == nil || *e.Request != want {
		t.Fatalf("NextOutbox after the reassignment: %+v, %v", e.Request, err)
	}
	// Done twice (a crash before the caller saw the answer): the new request stays.
	if got, err := j.ReassignRefusedRequest(ctx, 1, refused, 9, time.Time{}); err != nil || got != want {
		t.Errorf("a second ReassignRefusedRequest = %+v, %v; want %+v unchanged", got, err, want)
	}
	if got, err := j.AssignNextRequest(ctx, 1, 9, time.Time{}); err != nil || got != want {
		t.Errorf("AssignNextRequest after the reassignment = %+v, %v", got, err)
	}
	if l, _ := j.LinkState(ctx); l.LastReqnum != 12 {
		t.Errorf("LastReqnum = %d, want 12", l.LastReqnum)
	}
	// An entry with no request yet simply gets its first.
	if err := j.CompleteOutbox(ctx, 1, FiscalResult{Sign: "1"}, 8); err != nil {
		t.Fatal(err)
	}
	if got, err := j.ReassignRefusedRequest(ctx, 2, Request{}, 8, time.Time{}); err != nil || got != (Request{Token: 8, Reqnum: 13}) {
		t.Errorf("ReassignRefusedRequest of an unassigned entry = %+v, %v", got, err)
	}
}

// TestUpdateLinkStateKeepsOtherFields: a writer that changes the offline spell or a block does
// not write back a REQNUM it read before another request took the next one.
func TestUpdateLinkStateKeepsOtherFields(t *testing.T) {
	ctx := context.Background()
	j := openTemp(t)
	if err := j.SetLinkState(ctx, LinkState{Token: 5, LastReqnum: 100}); err != nil {
		t.Fatal(err)
	}
	if _, err := j.NextReqnum(ctx); err != nil { // 101, taken behind the writer's back
		t.Fatal(err)
	}
	since := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	got, err := j.UpdateLinkState(ctx, func(l *LinkState) { l.OfflineSince, l.BlockedCode, l.InfoText = since, 13, "bad sum" })
	want := LinkState{Token: 5, LastReqnum: 101, OfflineSince: since, BlockedCode: 13, InfoText: "bad sum"}
	if err != nil || got != want {
		t.Fatalf("UpdateLinkState = %+v, %v; want %+v", got, err, want)
	}
	if l, err := j.LinkState(ctx); err != nil || l != want {
		t.Errorf("stored %+v, %v; want %+v", l, err, want)
	}
}
