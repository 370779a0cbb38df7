package app

import (
	"context"
	"encoding/json"
	"errors"
	"github.com/ekassa-go/ekassa/delivery"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ekassa-go/ekassa/kkm"
	"github.com/ekassa-go/ekassa/ofdclient"
	"github.com/ekassa-go/ekassa/storage"
)

func TestClockGuard(t *testing.T) {
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	mono := t0
	g := clockGuard{monoNow: func() time.Time { return mono }}
	steps := []struct {
		name       string
		real, wall time.Duration // how far real time and the wall clock moved since the last step
		jump       time.Duration // the refusal's Jump; 0: accepted
	}{
		{"first check anchors", 0, 0, 0},
		{"an hour passes", time.Hour, time.Hour, 0},
		{"NTP slews a little", 10 * time.Minute, 10*time.Minute + 3*time.Second, 0},
		{"within the tolerance", time.Minute, 2 * time.Minute, 0},
		{"set an hour ahead", time.Minute, time.Hour + time.Minute, time.Hour},
		{"still ahead", time.Minute, time.Minute, time.Hour},
		{"set right again", time.Minute, -time.Hour + time.Minute, 0},
		{"set 10 minutes back", 30 * time.Minute, 20 * time.Minute, -10 * time.Minute},
	}
	wall := t0
	for _, s := range steps {
		mono = mono.Add(s.real)
		wall = wall.Add(s.wall)
		err := g.check(wall)
		var je *ClockJumpError
		switch {
		case s.jump == 0 && err != nil:
			t.Fatalf("%s: refused: %v", s.name, err)
		case s.jump != 0 && (!errors.As(err, &je) || je.Jump != s.jump):
			t.Fatalf("%s: %v, want a jump of %v", s.name, err, s.jump)
		}
	}
	// Confirming accepts the clock as it is.
	g.reset()
	if err := g.check(wall); err != nil {
		t.Fatalf("after confirming: %v", err)
	}
	mono = mono.Add(time.Minute)
	if err := g.check(wall.Add(time.Minute)); err != nil {
		t.Fatalf("a minute after confirming: %v", err)
	}
}

func TestClockJumpErrorIsTranslatable(t *testing.T) {
	e := &ClockJumpError{Jump: -90 * time.Second, Wall: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC),
		Expected: time.Date(2026, 3, 2, 9, 1, 30, 0, time.UTC)}
	d := e.TemplateData()
	if e.MessageID() != "err.clock.jumped" || d["Minutes"] != int64(2) || d["Ahead"] != false || d["Now"] != "02.03.2026 09:00" {
		t.Fatalf("%s %v", e.MessageID(), d)
	}
}

// A fake clock (no monotonic reading) is trusted as it is: tests that move the register's clock
// by hours keep working.
func TestClockGuardTrustsFakeClocks(t *testing.T) {
	var g clockGuard
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	for _, d := range []time.Duration{0, 25 * time.Hour, -time.Hour} {
		if err := g.check(t0.Add(d)); err != nil {
			t.Fatal(err)
		}
	}
}

// TestIssueRefusedWhenClockJumped: the Runtime refuses a sale when the device's clock was set
// ahead, writes nothing, and issues it once the clock is right again (or confirmed).
func TestIssueRefusedWhenClockJumped(t *testing.T) {
	var offset atomic.Int64
	r := newRigWith(t, Options{Now: func() time.Time { return time.Now().Add(time.Duration(offset.Load())) }})
	r.sell(10000)
	draft := kkm.SimpleDraft(kkm.OpSale, []kkm.Money{25000}, []kkm.Payment{{Type: kkm.PayCash, Sum: 25000}})
	for _, jump := range []time.Duration{time.Hour, -5 * time.Minute} {
		offset.Store(int64(jump))
		before := snapshotJournal(t, r)
		_, err := r.rt.IssueReceipt(r.ctx, r.by, draft)
		var je *ClockJumpError
		if !errors.As(err, &je) || je.MessageID() != "err.clock.jumped" {
			t.Fatalf("clock moved by %v: %v, want err.clock.jumped", jump, err)
		}
		if _, err := r.rt.CashIn(r.ctx, r.by, 100); !errors.As(err, &je) {
			t.Fatalf("cash in with the clock moved: %v", err)
		}
		if after := snapshotJournal(t, r); after != before {
			t.Fatalf("a refused document changed the journal:\n%+v\n%+v", before, after)
		}
		// The clock is set right: the same draft (kept by the screen) is issued.
		offset.Store(0)
		if _, err := r.rt.IssueReceipt(r.ctx, r.by, draft); err != nil {
			t.Fatalf("after setting the clock right: %v", err)
		}
	}
	// A correction the cashier confirms: the clock was wrong before, not now (3 minutes: more
	// than the jump's tolerance, within the OFD's limit).
	offset.Store(int64(3 * time.Minute))
	if _, err := r.rt.CashIn(r.ctx, r.by, 100); err == nil {
		t.Fatal("a jump of 3 minutes accepted")
	}
	r.rt.ConfirmClock()
	if _, err := r.rt.CashIn(r.ctx, r.by, 100); err != nil {
		t.Fatalf("after confirming the clock: %v", err)
	}
	// Confirming does not make a clock 10 minutes ahead of the OFD's right: the OFD's time,
	// read when the register started, refuses it (clockofd.go).
	offset.Store(int64(10 * time.Minute))
	r.rt.ConfirmClock()
	var ae *ClockAheadError
	if _, err := r.rt.CashIn(r.ctx, r.by, 100); !errors.As(err, &ae) || ae.Ahead < 9*time.Minute {
		t.Fatalf("10 minutes ahead of the OFD, confirmed: %v", err)
	}
}

// newRigWith is newRig with the Runtime's options given (the emulator, the fast sender and the
// demo cashier as newRig sets them).
func newRigWith(t *testing.T, opts Options) *rig {
	t.Helper()
	ctx := context.Background()
	demo, err := StartDemo(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { demo.Server.Close() })
	j, err := storage.Open(ctx, filepath.Join(t.TempDir(), JournalFile))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { j.Close() })
	opts.Demo = demo.Server
	if opts.FiscalWait == 0 {
		opts.FiscalWait = 5 * time.Second
	}
	if opts.Exchanger == nil {
		opts.Exchanger = &ofdclient.Transport{Timeout: 2 * time.Second}
	}
	if opts.Sender.RetryDelay == 0 {
		opts.Sender = delivery.Config{
			TransactionTime: 300 * time.Millisecond,
			RetryDelay:      10 * time.Millisecond,
			OfflineRetry:    20 * time.Millisecond,
			MaxOfflineRetry: 50 * time.Millisecond,
			Jitter:          func(d time.Duration) time.Duration { return d },
		}
	}
	rt, err := NewRuntime(ctx, j, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rt.Close() })
	if err := prepareDemo(ctx, rt, demo, "Демо кассир"); err != nil {
		t.Fatal(err)
	}
	c, err := rt.CheckCode(ctx, DemoCode)
	if err != nil {
		t.Fatal(err)
	}
	return &rig{t: t, ctx: ctx, demo: demo, j: j, rt: rt, by: c.Operator()}
}

// journalSnapshot is what a refused input must leave as it was.
type journalSnapshot struct {
	head    int64
	state   string
	waiting int
	oldest  time.Time
}

// snapshotJournal reads the journal's head, state and outbox.
func snapshotJournal(t *testing.T, r *rig) journalSnapshot {
	t.Helper()
	res, err := r.j.Verify(r.ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	st, err := r.j.State(r.ctx)
	if err != nil {
		t.Fatal(err)
	}
	q, err := r.j.OutboxStats(r.ctx)
	if err != nil {
		t.Fatal(err)
	}
	return journalSnapshot{head: res.Last, state: stateKey(st), waiting: q.Waiting, oldest: q.OldestQueued}
}

func stateKey(s kkm.State) string {
	b, err := json.Marshal(s)
	if err != nil {
		panic(err)
	}
	return string(b)
}
