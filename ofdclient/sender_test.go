package ofdclient_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/ekassa-go/ekassa/kkm"
	"github.com/ekassa-go/ekassa/ofdclient"
	"github.com/ekassa-go/ekassa/ofdclient/ofdsim"
	"github.com/ekassa-go/ekassa/storage"
)

// crashingJournal loses the next CompleteOutbox, as a process killed between receiving the
// OFD's answer and committing it would.
type crashingJournal struct {
	ofdclient.Journal
	crash bool
}

var errKilled = errors.New("test: process killed")

func (c *crashingJournal) CompleteOutbox(ctx context.Context, seq int64, r storage.FiscalResult, token uint32) error {
	if c.crash {
		c.crash = false
		return errKilled
	}
	return c.Journal.CompleteOutbox(ctx, seq, r, token)
}

// emulatorOnly skips a test that needs the emulator's fault injection and inspection.
func emulatorOnly(t *testing.T, r *rig) {
	t.Helper()
	if !r.tg.emulated() {
		t.Skip("needs the emulator")
	}
}

// TestCrashBetweenSendAndStore: the app dies after the OFD counted the receipt but before the
// answer was committed; a fresh Sender on the same journal file sends the same TOKEN and REQNUM,
// the OFD replays, and holds the receipt once.
func TestCrashBetweenSendAndStore(t *testing.T) {
	cj := &crashingJournal{crash: true}
	r := newRig(t, rigOptions{journal: func(j *storage.Journal) ofdclient.Journal { cj.Journal = j; return cj }})
	emulatorOnly(t, r)
	seq := r.receipt(bread())
	if _, err := r.sender.Drain(r.ctx); !errors.Is(err, errKilled) {
		t.Fatalf("drain: %v, want the simulated kill", err)
	}
	r.restart(rigOptions{})
	r.drain()
	reqs := r.net.requests()
	a, b := reqs[len(reqs)-2], reqs[len(reqs)-1]
	if a.Header != b.Header {
		t.Fatalf("after the restart the request went out as %+v, first as %+v", b.Header, a.Header)
	}
	v := r.ledger()
	if len(v.Receipts) != 1 {
		t.Fatalf("the OFD holds %d receipts, want 1", len(v.Receipts))
	}
	ex := v.Exchange(a.Header.Token, a.Header.ReqNum)
	if ex.Processed != 1 || ex.Replayed != 1 {
		t.Errorf("processed %d, replayed %d; want 1 and 1", ex.Processed, ex.Replayed)
	}
	if got := r.result(seq).Sign; got != v.Receipts[0].FiscalSign {
		t.Errorf("stored fiscal sign %q, the OFD's %q", got, v.Receipts[0].FiscalSign)
	}
	if r.link().Token != v.Token {
		t.Errorf("journal token %d, the OFD expects %d", r.link().Token, v.Token)
	}
}

// TestTransientFaults: every temporary failure is retried with the same TOKEN and REQNUM until
// the receipt is fiscalised once.
func TestTransientFaults(t *testing.T) {
	cases := []struct {
		name  string
		fault ofdsim.Fault
		times int
	}{
		{"254 then OK", ofdsim.Fault{Kind: ofdsim.FaultResult, Code: 254, Text: "busy"}, 1},
		{"255 twice", ofdsim.Fault{Kind: ofdsim.FaultResult, Code: 255}, 2},
		{"lost answer", ofdsim.Fault{Kind: ofdsim.FaultDropAfter}, 1},
		{"refused connection", ofdsim.Fault{Kind: ofdsim.FaultRefuse}, 1},
		{"garbage answer", ofdsim.Fault{Kind: ofdsim.FaultGarbage}, 1},
		{"truncated answer", ofdsim.Fault{Kind: ofdsim.FaultTruncated}, 1},
		{"oversize answer", ofdsim.Fault{Kind: ofdsim.FaultOversize}, 1},
		{"timeout", ofdsim.Fault{Kind: ofdsim.FaultDelay, Delay: 300 * time.Millisecond}, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t, rigOptions{})
			emulatorOnly(t, r)
			r.cfg.ExchangeTimeout = 100 * time.Millisecond
			r.newSender(rigOptions{})
			seq := r.receipt(bread())
			r.tg.sim.Inject(tc.fault, tc.times)
			var last error
			for i := 0; i <= tc.times; i++ {
				if _, last = r.sender.Drain(r.ctx); last == nil {
					break
				}
				var re *ofdclient.ResultError
				var ue *ofdclient.UnreachableError
				if !errors.As(last, &re) && !errors.As(last, &ue) {
					t.Fatalf("attempt %d: %v is neither a refusal nor unreachable", i+1, last)
				}
			}
			if last != nil {
				t.Fatalf("not sent after %d faults: %v", tc.times, last)
			}
			time.Sleep(350 * time.Millisecond) // let a delayed answer's connection finish
			v := r.ledger()
			if len(v.Receipts) != 1 || r.result(seq).Sign != v.Receipts[0].FiscalSign {
				t.Fatalf("the OFD holds %d receipts; stored %+v", len(v.Receipts), r.result(seq))
			}
			first := r.net.requests()[1].Header
			for _, q := range r.net.requests()[1:] {
				if q.Header != first {
					t.Errorf("a retry went out as %+v, the first as %+v", q.Header, first)
				}
			}
		})
	}
}

// TestInvalidTokenBlocksUntilNewToken: code 2 stops the queue until the cashier enters the token
// the OFD cabinet gave; then the waiting receipt goes out with it and is fiscalised.
func TestInvalidTokenBlocksUntilNewToken(t *testing.T) {
	r := newRig(t, rigOptions{})
	emulatorOnly(t, r)
	const fresh = 4000000123
	if err := r.tg.sim.SetToken(simID, fresh); err != nil {
		t.Fatal(err)
	}
	seq := r.receipt(bread())
	_, err := r.sender.Drain(r.ctx)
	var re *ofdclient.ResultError
	if !errors.As(err, &re) || re.Code != 2 || re.MessageID() != "err.ofd.invalid_token" {
		t.Fatalf("drain: %v, want code 2", err)
	}
	st := r.sender.State()
	if st.Mode != ofdclient.ModeBlocked || st.Block.Code != 2 || st.Waiting != 1 {
		t.Fatalf("state %+v", st)
	}
	if _, err := r.sender.Drain(r.ctx); err == nil {
		t.Fatal("a blocked sender sent")
	}
	if _, err := r.sender.ChangeToken(r.ctx, 12345); !isCode(err, 2) {
		t.Fatalf("a wrong new token: %v, want code 2", err)
	}
	if _, err := r.sender.ChangeToken(r.ctx, fresh); err != nil {
		t.Fatal(err)
	}
	r.drain()
	if r.result(seq).Sign == "" || r.sender.State().Mode != ofdclient.ModeOnline {
		t.Fatalf("not fiscalised after the new token: %+v", r.sender.State())
	}
}

func isCode(err error, code uint32) bool {
	var re *ofdclient.ResultError
	return errors.As(err, &re) && re.Code == code
}

// TestServerBlock: code 15 blocks with the OFD's info text; the sender probes with SYSTEM and
// carries on when the OFD lifts the block.
func TestServerBlock(t *testing.T) {
	r := newRig(t, rigOptions{})
	emulatorOnly(t, r)
	const text = "Касса заблокирована: обратитесь в ОФД"
	if err := r.tg.sim.Block(simID, text); err != nil {
		t.Fatal(err)
	}
	seq := r.receipt(bread())
	if _, err := r.sender.Drain(r.ctx); !isCode(err, 15) {
		t.Fatalf("drain: %v, want code 15", err)
	}
	st := r.sender.State()
	if st.Mode != ofdclient.ModeBlocked || st.Block.Info != text || st.Block.MessageID() != "err.ofd.blocked" {
		t.Fatalf("state %+v, want blocked with the OFD's text", st)
	}
	ctx, cancel := context.WithCancel(r.ctx)
	defer cancel()
	changes := make(chan ofdclient.State, 64)
	defer r.sender.Subscribe(func(s ofdclient.State) {
		select {
		case changes <- s:
		default:
		}
	})()
	done := make(chan error, 1)
	go func() { done <- r.sender.Run(ctx) }()
	time.Sleep(30 * time.Millisecond) // a few probes, all refused
	if r.sender.State().Mode != ofdclient.ModeBlocked {
		t.Fatal("left the block while the OFD still blocks")
	}
	if err := r.tg.sim.Unblock(simID); err != nil {
		t.Fatal(err)
	}
	deadline := time.After(5 * time.Second)
	for st := r.sender.State(); st.Mode != ofdclient.ModeOnline || st.Waiting != 0; st = r.sender.State() {
		select {
		case <-changes:
		case <-deadline:
			t.Fatalf("still %+v after the OFD lifted the block", st)
		}
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("Run: %v", err)
	}
	if r.result(seq).Sign == "" {
		t.Fatal("the receipt was not sent after the block")
	}
	system := 0
	for _, q := range r.net.requests() {
		if q.Request.GetCommand().String() == "COMMAND_SYSTEM" && q.Request.GetService().GetRegInfo_() != nil {
			system++
		}
	}
	if system == 0 {
		t.Error("no COMMAND_SYSTEM probe with reg_info")
	}
}

// TestOfflineLimit: a clock carried past 72 hours offline refuses new documents (the app's
// kkm.CheckOfflineLimit with the outbox's oldest); once the queue drains the register works again.
func TestOfflineLimit(t *testing.T) {
	r := newRig(t, rigOptions{})
	r.reg.Settings.ShiftLimit = 96 * time.Hour // one shift spans the whole spell
	r.net.setCut(true)
	r.receipt(bread())
	for i := 0; r.sender.State().Mode != ofdclient.ModeOffline; i++ {
		if _, err := r.sender.Drain(r.ctx); err == nil || i > 5 {
			t.Fatalf("not offline: %v", err)
		}
	}
	r.clock.Advance(71 * time.Hour)
	r.receipt(bread()) // still within the limit
	if err := r.sender.Refresh(r.ctx); err != nil {
		t.Fatal(err)
	}
	if st := r.sender.State(); st.OfflineLimitReached || st.OfflineLeft > time.Hour || st.Waiting != 2 {
		t.Fatalf("at 71 h: %+v", st)
	}
	r.clock.Advance(2 * time.Hour)
	st := r.sender.State()
	if !st.OfflineLimitReached || st.OfflineLeft != 0 {
		t.Fatalf("at 73 h: %+v, want the limit reached", st)
	}
	stats, err := r.journal.OutboxStats(r.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := kkm.CheckOfflineLimit(stats.OldestQueued, r.clock.Now(), kkm.DefaultOfflineLimit); !errors.Is(err, kkm.ErrOfflineLimit) {
		t.Fatalf("kkm lets the register issue past the limit: %v", err)
	}
	r.net.setCut(false)
	if n := r.drain(); n != 2 {
		t.Fatalf("drained %d, want 2", n)
	}
	st = r.sender.State()
	if st.OfflineLimitReached || st.Mode != ofdclient.ModeOnline || st.OfflineLeft != kkm.DefaultOfflineLimit {
		t.Fatalf("after draining: %+v", st)
	}
	r.receipt(bread())
	r.drain()
}

// TestShiftExpiredAllowsOnlyZ: code 11 sets the only-Z flag; the receipt goes on as an offline
// catch-up message and the flag clears with the accepted Z.
func TestShiftExpiredAllowsOnlyZ(t *testing.T) {
	r := newRig(t, rigOptions{})
	emulatorOnly(t, r)
	r.receipt(bread())
	r.drain()
	r.tg.sim.InjectResult(11, "shift too long", 1)
	r.receipt(bread())
	if _, err := r.sender.Drain(r.ctx); !isCode(err, 11) {
		t.Fatalf("drain: %v, want code 11", err)
	}
	if st := r.sender.State(); !st.OnlyZ || st.Mode != ofdclient.ModeOffline {
		t.Fatalf("state %+v, want only Z, offline", st)
	}
	r.drain()
	r.clock.Advance(time.Minute)
	r.commit(r.reg.CloseShift(r.op, r.clock.Now(), r.offline()))
	r.drain()
	if st := r.sender.State(); st.OnlyZ || st.Mode != ofdclient.ModeOnline {
		t.Fatalf("after the Z: %+v", st)
	}
}

// TestRefusalBlocksUntilRetry: a refusal such as 14 (not enough cash) keeps the document unsent
// and the register blocked with the reason until a person retries.
func TestRefusalBlocksUntilRetry(t *testing.T) {
	r := newRig(t, rigOptions{})
	emulatorOnly(t, r)
	r.tg.sim.InjectResult(14, "not enough cash", 1)
	seq := r.receipt(bread())
	if _, err := r.sender.Drain(r.ctx); !isCode(err, 14) {
		t.Fatalf("drain: %v, want 14", err)
	}
	st := r.sender.State()
	if st.Mode != ofdclient.ModeBlocked || st.Block.MessageID() != "err.ofd.not_enough_cash" || st.Waiting != 1 {
		t.Fatalf("state %+v", st)
	}
	if _, err := r.journal.FiscalResult(r.ctx, seq); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("the refused document has a result: %v", err)
	}
	if err := r.sender.Retry(r.ctx); err != nil {
		t.Fatal(err)
	}
	r.drain()
	if r.result(seq).Sign == "" {
		t.Fatal("not sent after Retry")
	}
}
