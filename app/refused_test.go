package app

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/ekassa-go/ekassa/kkm"
	"github.com/ekassa-go/ekassa/storage"
	"github.com/ekassa-go/ekassa/ui"
)

// waitStatus waits until the status satisfies cond (a guard against a hang, not a measurement).
func (r *rig) waitStatus(cond func(ui.Status) bool) ui.Status {
	r.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if st := r.rt.Status(); cond(st) {
			return st
		}
		time.Sleep(10 * time.Millisecond)
	}
	r.t.Fatalf("status never came: %+v", r.rt.Status())
	return ui.Status{}
}

// A sale the OFD refuses for its content (13) blocks the register naming it; «Отметить
// отклонённым» marks it refused, takes it out of the drawer and the counters, the register goes
// on, history and the document show the mark, and the OFD accepts the Z: its counters and the
// register's agree.
func TestSetAsideRefusedSale(t *testing.T) {
	r := newRigWith(t, Options{FiscalWait: 300 * time.Millisecond})
	kept := r.sell(1000)
	r.waitDrained()
	r.demo.Server.InjectResult(13, "сумма вне диапазона", 1)
	refused := r.sell(700)
	st := r.waitStatus(func(st ui.Status) bool { return st.Block != ui.BlockNone })
	if st.Block != ui.BlockRefused || st.Refused == nil || st.Refused.Seq != refused.Seq || st.Refused.SetAside {
		t.Fatalf("after code 13: %+v", st)
	}
	if st.CashInDrawer != 1700 {
		t.Fatalf("drawer %v before setting aside", st.CashInDrawer)
	}
	if err := r.rt.SetAside(r.ctx); err != nil {
		t.Fatal(err)
	}
	st = r.rt.Status()
	if st.Block != ui.BlockNone || st.CashInDrawer != 1000 || st.Waiting != 0 {
		t.Fatalf("after setting aside: %+v", st)
	}
	d, err := r.rt.Document(r.ctx, refused.Seq)
	if err != nil || d.Refused == nil || d.Answered || d.QRLink != "" {
		t.Fatalf("refused document %+v, %v", d, err)
	}
	page, err := r.rt.History(r.ctx, ui.HistoryFilter{})
	if err != nil || len(page.Documents) != 2 || page.Documents[0].Refused == nil || page.Documents[1].Refused != nil {
		t.Fatalf("history %+v, %v", page, err)
	}
	// The corrected sale, then the Z, which the OFD takes.
	r.sell(500)
	if _, err := r.rt.CloseShift(r.ctx, r.by); err != nil {
		t.Fatal(err)
	}
	r.waitDrained()
	led, _ := r.demo.Server.Ledger(demoSystemID)
	if len(led.Receipts) != 2 || led.LastZ == nil || led.Receipts[0].Total != int64(kept.Document.Total()) {
		t.Fatalf("the OFD holds %d receipts, Z %v", len(led.Receipts), led.LastZ != nil)
	}
	if st := r.rt.Status(); st.Block != ui.BlockNone || st.OnlyZ {
		t.Fatalf("after the Z: %+v", st)
	}
}

// A sale the OFD refuses with code 11 is set aside at once: no resend, the status says which and
// that only the Z is allowed; the Z reaches the OFD and the register goes on.
func TestShiftLimitRefusalAllowsOnlyZ(t *testing.T) {
	r := newRigWith(t, Options{FiscalWait: 300 * time.Millisecond})
	r.sell(1000)
	r.waitDrained()
	r.demo.Server.InjectResult(11, "shift too long", 1)
	refused := r.sell(700)
	st := r.waitStatus(func(st ui.Status) bool { return st.OnlyZ })
	if st.Block != ui.BlockShiftExpired || st.Refused == nil || st.Refused.Seq != refused.Seq || !st.Refused.SetAside ||
		st.CashInDrawer != 1000 || st.Waiting != 0 {
		t.Fatalf("after code 11: %+v", st)
	}
	if _, err := r.rt.IssueReceipt(r.ctx, r.by, kkm.SimpleDraft(kkm.OpSale, []kkm.Money{100}, []kkm.Payment{{Type: kkm.PayCash, Sum: 100}})); err == nil {
		t.Fatal("a sale was allowed after code 11")
	}
	if _, err := r.rt.CloseShift(r.ctx, r.by); err != nil {
		t.Fatal(err)
	}
	r.waitDrained()
	if st := r.rt.Status(); st.OnlyZ || st.Block != ui.BlockNone {
		t.Fatalf("after the Z: %+v", st)
	}
	led, _ := r.demo.Server.Ledger(demoSystemID)
	if len(led.Receipts) != 1 || led.LastZ == nil {
		t.Fatalf("the OFD holds %d receipts, Z %v", len(led.Receipts), led.LastZ != nil)
	}
	r.sell(700) // issued again in the new shift
	r.waitDrained()
}

// A refusal recorded between the runtime's read of the state and its commit (the sender works
// on its own goroutine) is not undone: the journal refuses the stale state (ErrStateChanged),
// and the runtime issues again from the journal's state, without the refused sale.
func TestIssueAfterConcurrentRefusal(t *testing.T) {
	r := newRigWith(t, Options{FiscalWait: 100 * time.Millisecond})
	r.sell(1000)
	r.waitDrained()
	if err := r.rt.SetNetworkCut(true); err != nil {
		t.Fatal(err)
	}
	refused := r.sell(700)
	var head storage.OutboxEntry
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) { // the sender has tried it once: its request is assigned
		if e, err := r.rt.journal.NextOutbox(r.ctx); err == nil && e.Request != nil {
			head = e
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if head.Seq != refused.Seq {
		t.Fatalf("head %+v", head)
	}
	// Behind the runtime's back, as the sender does it.
	if _, err := r.rt.journal.RefuseHead(r.ctx, head.Seq, *head.Request, storage.Refusal{Code: 13, At: time.Now()}); err != nil {
		t.Fatal(err)
	}
	r.sell(300)
	st, err := r.rt.journal.State(r.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.Refusals != 1 || st.CashInDrawer != 1300 || st.Counters.Receipts[kkm.OpSale].Count != 2 {
		t.Fatalf("state after the concurrent refusal: refusals %d, drawer %v, sales %d",
			st.Refusals, st.CashInDrawer, st.Counters.Receipts[kkm.OpSale].Count)
	}
	if err := r.rt.SetNetworkCut(false); err != nil {
		t.Fatal(err)
	}
	if _, err := r.rt.CloseShift(r.ctx, r.by); err != nil {
		t.Fatal(err)
	}
	r.waitDrained()
	led, _ := r.demo.Server.Ledger(demoSystemID)
	if len(led.Receipts) != 2 || led.LastZ == nil {
		t.Fatalf("the OFD holds %d receipts, Z %v", len(led.Receipts), led.LastZ != nil)
	}
}

// A receipt the OFD refused cannot be returned (nothing was sold on it), and a refused return
// gives nothing back: the original can still be returned in full.
func TestRefusedReceiptsAndReturns(t *testing.T) {
	r := newRigWith(t, Options{FiscalWait: 300 * time.Millisecond})
	orig := r.sell(900)
	r.waitDrained()
	// Two sales while the network is cut (the second issued offline, with its own number), both
	// refused by the OFD once it answers, and set aside.
	if err := r.rt.SetNetworkCut(true); err != nil {
		t.Fatal(err)
	}
	r.sell(400)
	r.waitStatus(func(st ui.Status) bool { return !st.Online })
	bad := r.sell(450)
	if bad.Document.OfflineNumber == 0 {
		t.Fatalf("not issued offline: %+v", bad.Document)
	}
	r.demo.Server.InjectResult(13, "refused", 2)
	if err := r.rt.SetNetworkCut(false); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		r.waitStatus(func(st ui.Status) bool { return st.Block == ui.BlockRefused })
		if err := r.rt.SetAside(r.ctx); err != nil {
			t.Fatal(err)
		}
	}
	r.waitDrained()
	if _, err := r.rt.FindReceipt(r.ctx, fmt.Sprint(bad.Document.OfflineNumber)); !errors.Is(err, errParentRefused) {
		t.Fatalf("find a refused receipt to return: %v", err)
	}
	// A return of the accepted sale, refused by the OFD, gives nothing back.
	ret, err := r.rt.Returnable(r.ctx, orig.Seq)
	if err != nil {
		t.Fatal(err)
	}
	back := kkm.ReceiptDraft{Operation: kkm.OpSaleReturn, Parent: &ret.Parent, Simple: true,
		Lines: []kkm.LineDraft{{Price: 900}}, Payments: []kkm.Payment{{Type: kkm.PayCash, Sum: 900}}}
	r.demo.Server.InjectResult(13, "refused", 1)
	if _, err := r.rt.IssueReceipt(r.ctx, r.by, back); err != nil {
		t.Fatal(err)
	}
	r.waitStatus(func(st ui.Status) bool { return st.Block == ui.BlockRefused })
	if err := r.rt.SetAside(r.ctx); err != nil {
		t.Fatal(err)
	}
	if left, err := r.rt.Returnable(r.ctx, orig.Seq); err != nil || left.Left != 900 {
		t.Fatalf("left to return after a refused return: %v, %v", left.Left, err)
	}
	if _, err := r.rt.IssueReceipt(r.ctx, r.by, back); err != nil {
		t.Fatalf("the return again: %v", err)
	}
	r.waitDrained()
	if _, err := r.rt.CloseShift(r.ctx, r.by); err != nil {
		t.Fatal(err)
	}
	r.waitDrained()
}
