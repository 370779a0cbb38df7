package storage

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ekassa-go/ekassa/kkm"
)

func TestOutboxKeepsRequestAcrossRetriesAndRestart(t *testing.T) {
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

	st, err := j.OutboxStats(ctx)
	if err != nil || st.Waiting != 3 || !st.OldestQueued.Equal(time.Date(2026, 3, 2, 9, 1, 0, 0, time.UTC)) {
		t.Fatalf("OutboxStats = %+v, %v", st, err)
	}
	e, err := j.NextOutbox(ctx)
	if err != nil || e.Seq != 1 || e.Request != nil || e.Document.Receipt == nil {
		t.Fatalf("NextOutbox = seq %d request %v, %v", e.Seq, e.Request, err)
	}
	if err := j.SetLinkState(ctx, LinkState{Token: 3000000001, LastReqnum: 16}); err != nil {
		t.Fatal(err)
	}
	if _, err := j.AssignNextRequest(ctx, 2, 1, time.Time{}); !errors.Is(err, ErrOutboxOrder) {
		t.Errorf("AssignNextRequest out of order: %v, want ErrOutboxOrder", err)
	}
	first := Request{Token: 3000000001, Reqnum: 17, OfflineBegin: time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)}
	got, err := j.AssignNextRequest(ctx, 1, first.Token, first.OfflineBegin)
	if err != nil || got != first {
		t.Fatalf("AssignNextRequest = %+v, %v; want %+v", got, err, first)
	}
	// A retry proposes another token and online; the stored request wins and takes no REQNUM.
	if got, err := j.AssignNextRequest(ctx, 1, 5, time.Time{}); err != nil || got != first {
		t.Errorf("second AssignNextRequest = %+v, %v; want the first %+v", got, err, first)
	}
	j.Close()

	// The process dies before the answer is stored: after a restart the same request goes out.
	j, err = Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	e, err = j.NextOutbox(ctx)
	if err != nil || e.Seq != 1 || e.Request == nil || *e.Request != first {
		t.Fatalf("after restart NextOutbox = seq %d request %+v, %v", e.Seq, e.Request, err)
	}
	link, _ := j.LinkState(ctx)
	if link.LastReqnum != 17 {
		t.Errorf("LastReqnum = %d, want 17", link.LastReqnum)
	}

	if err := j.CompleteOutbox(ctx, 2, FiscalResult{}, 9); !errors.Is(err, ErrOutboxOrder) {
		t.Errorf("CompleteOutbox out of order: %v", err)
	}
	at := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	res := FiscalResult{Sign: "1234567890", QRLink: "http://consumer.oofd.kz?i=1234567890", At: at}
	if err := j.CompleteOutbox(ctx, 1, res, 3000000002); err != nil {
		t.Fatal(err)
	}
	if got, err := j.FiscalResult(ctx, 1); err != nil || got != res {
		t.Errorf("FiscalResult(1) = %+v, %v", got, err)
	}
	if _, err := j.FiscalResult(ctx, 2); !errors.Is(err, ErrNotFound) {
		t.Errorf("FiscalResult of a waiting document: %v", err)
	}
	if link, _ := j.LinkState(ctx); link.Token != 3000000002 {
		t.Errorf("token after completion = %d", link.Token)
	}
	if err := j.CompleteOutbox(ctx, 1, res, 1); !errors.Is(err, ErrOutboxOrder) {
		t.Errorf("completing twice: %v", err)
	}

	// The rest drain in order, skipping the X report; cash in has no fiscal sign.
	for _, want := range []int64{2, 4} {
		e, err := j.NextOutbox(ctx)
		if err != nil || e.Seq != want {
			t.Fatalf("NextOutbox = %d, %v; want %d", e.Seq, err, want)
		}
		if _, err := j.AssignNextRequest(ctx, e.Seq, 1, time.Time{}); err != nil {
			t.Fatal(err)
		}
		if err := j.CompleteOutbox(ctx, e.Seq, FiscalResult{At: at}, 1); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := j.NextOutbox(ctx); !errors.Is(err, ErrNotFound) {
		t.Errorf("NextOutbox of a drained queue: %v", err)
	}
	if st, err := j.OutboxStats(ctx); err != nil || st.Waiting != 0 || !st.OldestQueued.IsZero() {
		t.Errorf("drained OutboxStats = %+v, %v", st, err)
	}
	if _, err := j.ReceiptByFiscalSign(ctx, ""); !errors.Is(err, ErrNotFound) {
		t.Errorf("an empty fiscal sign matched a document: %v", err)
	}
}

func TestLinkStateAndReqnum(t *testing.T) {
	j := openTemp(t)
	ctx := context.Background()
	if s, err := j.LinkState(ctx); err != nil || s != (LinkState{}) {
		t.Fatalf("fresh LinkState = %+v, %v", s, err)
	}
	tests := []struct {
		name  string
		state LinkState
		next  uint16
	}{
		{"online", LinkState{Token: 26264070, LastReqnum: 1}, 2},
		{"offline", LinkState{Token: 2704817126, LastReqnum: 400, OfflineSince: time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)}, 401},
		{"blocked", LinkState{Token: 7, LastReqnum: 65534, BlockedCode: 15, InfoText: "Касса заблокирована"}, 65535},
		{"wraps", LinkState{Token: 7, LastReqnum: 65535}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := j.SetLinkState(ctx, tt.state); err != nil {
				t.Fatal(err)
			}
			if got, err := j.LinkState(ctx); err != nil || got != tt.state {
				t.Errorf("LinkState = %+v, %v; want %+v", got, err, tt.state)
			}
			n, err := j.NextReqnum(ctx)
			if err != nil || n != tt.next {
				t.Errorf("NextReqnum = %d, %v; want %d", n, err, tt.next)
			}
			if got, _ := j.LinkState(ctx); got.LastReqnum != tt.next {
				t.Errorf("LastReqnum after NextReqnum = %d", got.LastReqnum)
			}
		})
	}
}

// A waiting document whose stored content cannot be decoded is reported as ErrUndecodable,
// naming it, with its entry (seq, request) so the sender can block on it by name; the entries
// behind it are not handed out instead.
func TestNextOutboxUndecodable(t *testing.T) {
	ctx := context.Background()
	j := openTemp(t)
	d := newDesk(t, j)
	d.sale(false) // 1
	d.sale(false) // 2
	req, err := j.AssignNextRequest(ctx, 1, 3000000001, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	// Valid JSON (the operation index reads it), but not a document: its time is no time.
	if _, err := j.db.ExecContext(ctx, `UPDATE documents SET content = json_set(CAST(content AS TEXT), '$.time', 'yesterday')
		WHERE seq = 1`); err != nil {
		t.Fatal(err)
	}
	e, err := j.NextOutbox(ctx)
	if !errors.Is(err, ErrUndecodable) || !strings.Contains(err.Error(), "document 1") {
		t.Fatalf("NextOutbox of a damaged document: %v, want ErrUndecodable naming document 1", err)
	}
	if e.Seq != 1 || e.Request == nil || *e.Request != req || e.Document.Kind != "" {
		t.Errorf("entry of the damaged document: seq %d request %v kind %q; want seq 1, %+v, no document", e.Seq, e.Request, e.Document.Kind, req)
	}
	if _, err := j.Document(ctx, 1); !errors.Is(err, ErrUndecodable) {
		t.Errorf("Document(1): %v, want ErrUndecodable", err)
	}
}
