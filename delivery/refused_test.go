package delivery_test

import (
	"context"
	"errors"
	"github.com/ekassa-go/ekassa/delivery"
	"sync"
	"testing"
	"time"

	"github.com/ekassa-go/ekassa/ofdclient"
	"github.com/ekassa-go/ekassa/ofdclient/pb"
	"github.com/ekassa-go/ekassa/storage"
)

// zAccepted closes the shift, drains, and checks that the OFD took the Z: it compares the
// register's counters with its own (the emulator answers 13 naming the first that differs), so an
// accepted Z is the proof that the counters are the OFD's.
func zAccepted(t *testing.T, r *rig) int64 {
	t.Helper()
	r.clock.Advance(time.Minute)
	seqs := r.commit(r.reg.CloseShift(r.op, r.clock.Now(), r.offline()))
	r.drain()
	z := seqs[len(seqs)-1]
	if _, err := r.journal.FiscalResult(r.ctx, z); err != nil {
		t.Fatalf("the Z has no answer: %v", err)
	}
	if v := r.ledger(); v.LastZ == nil || v.LastZ.GetShiftNumber() != r.reg.State.ShiftNumber {
		t.Fatalf("the OFD holds no Z of shift %d", r.reg.State.ShiftNumber)
	}
	return z
}

// refusedEntry reads document seq and checks it is marked refused with code.
func refusedEntry(t *testing.T, r *rig, seq int64, code uint32) storage.Entry {
	t.Helper()
	e, err := r.journal.Document(r.ctx, seq)
	if err != nil {
		t.Fatal(err)
	}
	if e.Refusal == nil || e.Refusal.Code != code || e.Fiscal != nil {
		t.Fatalf("document %d: refusal %+v, fiscal %+v; want refused with %d", seq, e.Refusal, e.Fiscal, code)
	}
	return e
}

// TestSetAside: for every code that refuses a document for its content, the register blocks
// naming it; setting it aside marks it refused, takes it out of the counters and the queue in one
// transaction and ends the block; the documents queued behind it (a cash in, a receipt issued
// offline, the Z with its auto cash-out) go on, and the OFD accepts the Z: the counters are its
// own. Nothing is counted twice and the refused receipt is never in the OFD's ledger.
func TestSetAside(t *testing.T) {
	for code := uint32(1); code <= 18; code++ {
		if !delivery.SetAsideAllowed(code) || code == ofdclient.ResultShiftExpired {
			continue // 11 is set aside at once (TestShorterShiftLimit)
		}
		t.Run(codeName(code), func(t *testing.T) {
			t.Parallel()
			r := newRig(t, rigOptions{})
			emulatorOnly(t, r)
			r.reg.Settings.AutoCashOut = true
			kept := r.receipt(bread())
			r.drain()
			r.tg.sim.InjectResult(code, "injected refusal", 1)
			refused := r.receipt(bread())
			if _, err := r.sender.Drain(r.ctx); !isCode(err, code) {
				t.Fatalf("drain: %v, want %d", err, code)
			}
			// Behind it, while blocked: the app refuses new documents then, but an earlier
			// offline spell may have queued them; queue them as if it had.
			r.clock.Advance(time.Minute)
			in := r.commit(r.reg.CashIn(50000, r.op, r.clock.Now(), true))[0]
			late := r.receipt(bread())
			r.clock.Advance(time.Minute)
			zs := r.commit(r.reg.CloseShift(r.op, r.clock.Now(), true))

			e, err := r.sender.SetAside(r.ctx)
			if err != nil {
				t.Fatal(err)
			}
			if e.Seq != refused || e.Refusal.Code != code || e.Refusal.Text != "injected refusal" {
				t.Fatalf("set aside %+v", e)
			}
			if st := r.sender.State(); st.Mode == delivery.ModeBlocked || st.Refusals != 1 || st.Refused.Seq != refused {
				t.Fatalf("state after setting aside %+v", st)
			}
			r.drain()
			refusedEntry(t, r, refused, code)
			fiscalisedOnce(t, r, kept, late)
			for _, seq := range append([]int64{in}, zs...) {
				r.result(seq)
			}
			v := r.ledger()
			if v.LastZ == nil || v.Cash != 0 {
				t.Fatalf("the OFD's Z %v, drawer %d", v.LastZ, v.Cash)
			}
			// The register's state is the OFD's: the next shift goes on and closes.
			if r.reg.State.Refusals != 1 || r.reg.State.CashInDrawer != 0 {
				t.Fatalf("state: %d refusals, drawer %d", r.reg.State.Refusals, r.reg.State.CashInDrawer)
			}
			r.receipt(bread())
			zAccepted(t, r)
		})
	}
}

// TestSetAsideRefused: SetAside does nothing where it is not the way out: no block, a block on
// the token, the register or the request number, and a refused Z report (the journal closed its
// shift; Retry is the way out).
func TestSetAsideRefused(t *testing.T) {
	r := newRig(t, rigOptions{})
	emulatorOnly(t, r)
	if _, err := r.sender.SetAside(r.ctx); !errors.Is(err, delivery.ErrNothingToSetAside) {
		t.Fatalf("without a block: %v", err)
	}
	for _, code := range []uint32{1, 2, 8, 9, 15, 254, 255, ofdclient.ResultDocumentUnsendable} {
		if delivery.SetAsideAllowed(code) {
			t.Errorf("code %d may be set aside", code)
		}
	}
	seq := r.receipt(bread())
	r.drain()
	r.tg.sim.InjectResult(13, "the Z differs", 1)
	r.clock.Advance(time.Minute)
	z := r.commit(r.reg.CloseShift(r.op, r.clock.Now(), false))[0]
	if _, err := r.sender.Drain(r.ctx); !isCode(err, 13) {
		t.Fatalf("drain: %v", err)
	}
	if _, err := r.sender.SetAside(r.ctx); !errors.Is(err, delivery.ErrNothingToSetAside) {
		t.Fatalf("a Z set aside: %v", err)
	}
	if err := r.sender.Retry(r.ctx); err != nil {
		t.Fatal(err)
	}
	r.drain()
	fiscalisedOnce(t, r, seq)
	r.result(z)
}

// fakeAfter is a clock's After for the Sender's pauses: it moves the clock on by the pause at
// once and records it, so the default pauses run without sleeping.
type fakeAfter struct {
	clk    *clock
	mu     sync.Mutex
	pauses []time.Duration
}

func (f *fakeAfter) After(d time.Duration) <-chan time.Time {
	f.mu.Lock()
	f.pauses = append(f.pauses, d)
	f.mu.Unlock()
	f.clk.Advance(d)
	c := make(chan time.Time, 1)
	c <- f.clk.Now()
	return c
}

// runUntil runs the Sender (Run, with its pauses) until cond holds of its state, and stops it.
func runUntil(t *testing.T, r *rig, cond func(delivery.State) bool) {
	t.Helper()
	changed := make(chan struct{}, 1)
	unsubscribe := r.sender.Subscribe(func(delivery.State) {
		select {
		case changed <- struct{}{}:
		default:
		}
	})
	defer unsubscribe()
	if err := r.sender.Refresh(r.ctx); err != nil { // count what was committed since
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(r.ctx)
	done := make(chan error, 1)
	go func() { done <- r.sender.Run(ctx) }()
	defer func() { cancel(); <-done }()
	r.sender.Wake()
	guard := time.NewTimer(20 * time.Second) // a guard against a hang, not a measurement
	defer guard.Stop()
	for !cond(r.sender.State()) {
		select {
		case <-changed:
		case <-guard.C:
			t.Fatalf("the sender never got there: %+v", r.sender.State())
		}
	}
}

// TestShorterShiftLimit: an OFD that limits a shift to less than 24 hours (1 h and Webkassa's
// 12 h) refuses the next receipt with code 11, also as an offline catch-up. The register sends
// it once, sets it aside (marked refused, out of the counters), allows only the Z, which the OFD
// accepts, learns the OFD's limit and warns before it in the next shift. Run with the Sender's
// default pauses on a fake clock: one request per document, no loop.
func TestShorterShiftLimit(t *testing.T) {
	for _, limit := range []time.Duration{time.Hour, 12 * time.Hour} {
		t.Run(limit.String(), func(t *testing.T) {
			clk := &fakeAfter{}
			r := newRig(t, rigOptions{shiftLimit: limit, shiftLimitOffline: true, after: clk.After})
			clk.clk = r.clock
			emulatorOnly(t, r)
			kept := r.receipt(bread())
			runUntil(t, r, func(st delivery.State) bool { return st.Waiting == 0 && st.LastAnswer.After(time.Time{}) })
			r.sync()
			r.clock.Advance(limit + 3*time.Minute)
			refused := r.receipt(bread())
			runUntil(t, r, func(st delivery.State) bool { return st.Refusals == 1 && st.Waiting == 0 })
			st := r.sender.State()
			if !st.OnlyZ || st.Mode != delivery.ModeOnline || st.Refused.Seq != refused {
				t.Fatalf("after code 11: %+v", st)
			}
			refusedEntry(t, r, refused, 11)
			r.sync()
			if r.reg.State.OFDShiftLimit != limit || !r.reg.ShiftExpired(r.clock.Now()) {
				t.Fatalf("learned %v, want %v", r.reg.State.OFDShiftLimit, limit)
			}
			if _, err := r.reg.IssueReceipt(bread(), r.op, r.clock.Now(), false); err == nil {
				t.Fatal("a receipt was allowed after code 11")
			}
			r.clock.Advance(time.Minute)
			zs := r.commit(r.reg.CloseShift(r.op, r.clock.Now(), false))
			runUntil(t, r, func(st delivery.State) bool { return st.Waiting == 0 && !st.OnlyZ })
			r.sync()
			r.result(zs[len(zs)-1])
			fiscalisedOnce(t, r, kept)
			tickets := 0
			for _, q := range r.net.requests() {
				if q.Request.GetCommand() == pb.CommandTypeEnum_COMMAND_TICKET {
					tickets++
				}
			}
			if tickets != 2 {
				t.Fatalf("%d TICKET requests for two receipts: a resend loop", tickets)
			}
			for _, d := range clk.pauses {
				if d > 0 && d < 100*time.Millisecond {
					t.Fatalf("a pause of %v: not the defaults", d)
				}
			}
			// The next shift: the register warns before the OFD's limit and stops at it.
			r.clock.Advance(time.Minute)
			again := r.receipt(bread()) // the refused receipt, issued again in the new shift
			r.clock.Advance(limit / 2)
			if left := r.reg.ShiftTimeLeft(r.clock.Now()); left != limit/2 {
				t.Fatalf("time left %v, want %v", left, limit/2)
			}
			runUntil(t, r, func(st delivery.State) bool { return st.Waiting == 0 })
			r.sync()
			fiscalisedOnce(t, r, kept, again)
			r.clock.Advance(limit / 2)
			if err := r.reg.CanIssue(r.clock.Now()); err == nil {
				t.Fatal("a receipt allowed past the OFD's limit")
			}
			zAccepted(t, r)
		})
	}
}
