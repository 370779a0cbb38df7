package app

import (
	"database/sql"
	"encoding/json"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ekassa-go/ekassa/kkm"
	"github.com/ekassa-go/ekassa/storage"
	"github.com/ekassa-go/ekassa/ui"
)

// reopen closes r's runtime and journal (the app is closed), runs between (a person at the files
// or the clock), and starts the register again on the same journal and emulator with opts.
func reopen(t *testing.T, r *rig, between func(path string), opts Options) *Runtime {
	t.Helper()
	path := r.j.Path()
	r.rt.Close()
	r.j.Close()
	if between != nil {
		between(path)
	}
	j, err := storage.Open(r.ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { j.Close() })
	opts.Demo = r.demo.Server
	opts.Sender = r.rt.senderCfg
	if opts.FiscalWait == 0 {
		opts.FiscalWait = 5 * time.Second
	}
	rt, err := NewRuntime(r.ctx, j, opts)
	if err != nil {
		t.Fatalf("the app did not start on the changed journal: %v", err)
	}
	t.Cleanup(func() { rt.Close() })
	r.j, r.rt = j, rt
	return rt
}

// withSQL edits the closed journal at path with plain SQL.
func withSQL(t *testing.T, path string, f func(db *sql.DB)) {
	t.Helper()
	dsn, err := storage.DSN(path)
	if err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	f(db)
}

// A journal edited while the app was closed: the drawer raised in the state. The app starts, the
// status line says the journal was changed, every document is refused with what changed (the
// state), and the history is still there; the app is not closed.
func TestChangedJournalStopsIssuingNotTheApp(t *testing.T) {
	r := newRig(t)
	r.sell(1000)
	r.sell(2000)
	r.waitDrained()
	rt := reopen(t, r, func(path string) {
		withSQL(t, path, func(db *sql.DB) {
			var content []byte
			if err := db.QueryRow(`SELECT content FROM register_state`).Scan(&content); err != nil {
				t.Fatal(err)
			}
			var st map[string]any
			json.Unmarshal(content, &st)
			st["cash_in_drawer"] = 50_000_000.0
			content, _ = json.Marshal(st)
			if _, err := db.Exec(`UPDATE register_state SET content = ?`, content); err != nil {
				t.Fatal(err)
			}
		})
	}, Options{})
	if st := rt.Status(); st.Block != ui.BlockJournal {
		t.Fatalf("status after the edit: %+v", st)
	}
	_, err := rt.IssueReceipt(r.ctx, r.by, kkm.SimpleDraft(kkm.OpSale, []kkm.Money{500}, []kkm.Payment{{Type: kkm.PayCash, Sum: 500}}))
	var ce *storage.ChainError
	if !errors.As(err, &ce) || ce.MessageID() != "err.journal.changed.state" {
		t.Fatalf("a sale on the changed journal: %v", err)
	}
	if _, err := rt.CashIn(r.ctx, r.by, 100); !errors.Is(err, storage.ErrChainBroken) {
		t.Fatalf("a cash in on the changed journal: %v", err)
	}
	if _, err := rt.XReport(r.ctx, r.by); !errors.Is(err, storage.ErrChainBroken) {
		t.Fatalf("an X report on the changed journal: %v", err)
	}
	if es, err := r.j.DocumentsByShift(r.ctx, 1, storage.Page{}); err != nil || len(es) != 2 {
		t.Fatalf("history on the changed journal: %d, %v", len(es), err)
	}
	if _, err := rt.CheckIntegrity(r.ctx); !errors.Is(err, storage.ErrChainBroken) {
		t.Fatalf("the check: %v", err)
	}
}

// A document far from the tip edited and the chain recomputed with the old unkeyed hash: the tip
// holds, so the app starts, and the background verification finds it and stops issuing, naming
// the document.
func TestBackgroundVerificationFindsAnOldEdit(t *testing.T) {
	r := newRig(t)
	for i := 0; i < 5; i++ {
		r.sell(kkm.Money(1000 * (i + 1)))
	}
	r.waitDrained()
	rt := reopen(t, r, func(path string) {
		withSQL(t, path, func(db *sql.DB) {
			if _, err := db.Exec(`UPDATE documents SET total = total + 100000 WHERE seq = 2`); err != nil {
				t.Fatal(err)
			}
		})
	}, Options{})
	deadline := time.Now().Add(10 * time.Second)
	for rt.Integrity() == nil && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	var ce *storage.ChainError
	if err := rt.Integrity(); !errors.As(err, &ce) || ce.Seq != 2 {
		t.Fatalf("background verification: %v", err)
	}
	if _, err := rt.IssueReceipt(r.ctx, r.by, kkm.SimpleDraft(kkm.OpSale, []kkm.Money{500}, []kkm.Payment{{Type: kkm.PayCash, Sum: 500}})); !errors.As(err, &ce) || ce.Seq != 2 {
		t.Fatalf("a sale after the finding: %v", err)
	}
	if st := rt.Status(); st.Block != ui.BlockJournal {
		t.Fatalf("status: %+v", st)
	}
}

// The OFD's clock, unit by unit: the reference moves with the monotonic clock, not the wall clock.
func TestOFDClockReference(t *testing.T) {
	var c ofdClock
	mono := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	if _, ok := c.now(mono); ok {
		t.Fatal("a reference before any answer")
	}
	ofd := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	c.set(ofd, mono)
	if got, _ := c.now(mono.Add(90 * time.Second)); !got.Equal(ofd.Add(90 * time.Second)) {
		t.Fatalf("OFD now %v", got)
	}
	e := &ClockAheadError{Ahead: 30*24*time.Hour + time.Second, OFD: ofd}
	d := e.TemplateData()
	if e.MessageID() != "err.clock.ahead_of_ofd" || d["Minutes"] != int64(30*24*60+1) || d["OFD"] != "03.12.2026 12:00" {
		t.Fatalf("%s %v", e.MessageID(), d)
	}
}

// A clock set ahead while the app was closed (30 days, on a fake wall clock over the real
// emulator): the app reads the OFD's time at start and refuses to date anything ahead of it,
// shows the gap, and issues again once the clock is set right.
func TestClockAheadOfTheOFDIsRefused(t *testing.T) {
	var offset atomic.Int64
	now := func() time.Time { return time.Now().Add(time.Duration(offset.Load())) }
	r := newRigWith(t, Options{Now: now})
	r.sell(1000)
	r.waitDrained()
	offset.Store(int64(30 * 24 * time.Hour))
	rt := reopen(t, r, nil, Options{Now: now})
	if _, err := rt.AskOFDTime(r.ctx); err != nil {
		t.Fatal(err)
	}
	draft := kkm.SimpleDraft(kkm.OpSale, []kkm.Money{500}, []kkm.Payment{{Type: kkm.PayCash, Sum: 500}})
	var ae *ClockAheadError
	if _, err := rt.IssueReceipt(r.ctx, r.by, draft); !errors.As(err, &ae) || ae.Ahead < 29*24*time.Hour {
		t.Fatalf("a sale 30 days ahead of the OFD: %v", err)
	}
	if st := rt.Status(); st.ClockGap < 29*24*time.Hour {
		t.Fatalf("the status shows no gap: %+v", st)
	}
	led, _ := r.demo.Server.Ledger(demoSystemID)
	if len(led.Receipts) != 1 {
		t.Fatalf("the OFD holds %d receipts", len(led.Receipts))
	}
	offset.Store(0)
	if _, err := rt.IssueReceipt(r.ctx, r.by, draft); err != nil {
		t.Fatalf("after setting the clock right: %v", err)
	}
	if st := rt.Status(); st.ClockGap != 0 {
		t.Fatalf("the gap stays: %v", st.ClockGap)
	}
}

// The way back (docs/fault-matrix.md, «Clocks»): the clock was set 30 days ahead while the app was
// closed and the phone had no network, so documents were issued offline dated in the future and
// later fiscalised. With the clock right again every document is refused (time only moves
// forward); CorrectClock, by an administrator, with the OFD's time confirming the phone's, moves
// the mark back to the OFD's time, records it; the future shift allows only its Z, dated now, and
// the next shift opens now. The emulator accepts all of it, and nothing is refused twice.
func TestWayBackAfterAWrongFutureDate(t *testing.T) {
	var offset atomic.Int64
	now := func() time.Time { return time.Now().Add(time.Duration(offset.Load())) }
	r := newRigWith(t, Options{Now: now})
	r.sell(1000)
	r.waitDrained()
	if _, err := r.rt.CloseShift(r.ctx, r.by); err != nil {
		t.Fatal(err)
	}
	r.waitDrained()
	// Closed; the clock goes 30 days ahead; the app starts with no network.
	ahead := 30 * 24 * time.Hour
	rt := reopen(t, r, func(string) {
		offset.Store(int64(ahead))
		if err := r.demo.Server.SetNetworkCut(true); err != nil {
			t.Fatal(err)
		}
	}, Options{Now: now})
	for i := 0; i < 2; i++ {
		// Issued with no answer from the OFD (the first goes online and fails, the next offline).
		if _, err := rt.IssueReceipt(r.ctx, r.by, kkm.SimpleDraft(kkm.OpSale, []kkm.Money{700}, []kkm.Payment{{Type: kkm.PayCash, Sum: 700}})); err != nil {
			t.Fatalf("sale %d without network: %v", i, err)
		}
	}
	if err := r.demo.Server.SetNetworkCut(false); err != nil {
		t.Fatal(err)
	}
	rt.Resume()
	r.waitDrained()
	// The clock is set right.
	offset.Store(0)
	rt.ConfirmClock()
	draft := kkm.SimpleDraft(kkm.OpSale, []kkm.Money{500}, []kkm.Payment{{Type: kkm.PayCash, Sum: 500}})
	if _, err := rt.IssueReceipt(r.ctx, r.by, draft); !errors.Is(err, kkm.ErrClockBackwards) {
		t.Fatalf("a sale after the clock was set right: %v", err)
	}
	// A cashier may not correct the time.
	cashier, err := rt.AddCashier(r.ctx, r.by, ui.CashierForm{Name: "Ержан", Role: kkm.RoleCashier, Code: "5555"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rt.CorrectClock(r.ctx, cashier.Operator()); !errors.Is(err, kkm.ErrForbidden) {
		t.Fatalf("a cashier's correction: %v", err)
	}
	// A clock still wrong is not corrected.
	offset.Store(int64(time.Hour))
	rt.ConfirmClock()
	var cr *ClockRefusal
	if _, err := rt.CorrectClock(r.ctx, r.by); !errors.As(err, &cr) || cr.ID != "err.clock.correct.disagree" {
		t.Fatalf("a correction with the clock an hour off: %v", err)
	}
	offset.Store(0)
	rt.ConfirmClock()
	cc, err := rt.CorrectClock(r.ctx, r.by)
	if err != nil {
		t.Fatal(err)
	}
	if cc.WrongLast.Sub(cc.OFDTime) < ahead-time.Hour || cc.By.Code != r.by.Code {
		t.Fatalf("correction %+v", cc)
	}
	ev, err := r.j.Events(r.ctx)
	if err != nil || len(ev) == 0 || ev[len(ev)-1].Kind != "clock-correction" {
		t.Fatalf("the correction is not recorded: %+v, %v", ev, err)
	}
	// The shift opened in the wrong future: only its Z, dated now.
	if _, err := rt.IssueReceipt(r.ctx, r.by, draft); !errors.Is(err, kkm.ErrShiftExpired) {
		t.Fatalf("a sale in the wrong future's shift: %v", err)
	}
	if st := rt.Status(); !st.OnlyZ {
		t.Fatalf("status %+v, want only Z", st)
	}
	z, err := rt.CloseShift(r.ctx, r.by)
	if err != nil {
		t.Fatalf("the Z after the correction: %v", err)
	}
	if d := time.Since(z.Last().Document.Time); d < -time.Minute || d > time.Minute {
		t.Fatalf("the Z is dated %v", z.Last().Document.Time)
	}
	is, err := rt.IssueReceipt(r.ctx, r.by, draft)
	if err != nil {
		t.Fatalf("the first sale after the correction: %v", err)
	}
	r.waitDrained()
	if st := rt.Status(); st.Block != ui.BlockNone || st.OnlyZ || !st.Online {
		t.Fatalf("status at the end: %+v", st)
	}
	if d := time.Since(is.Last().Document.Time); d < -time.Minute || d > time.Minute {
		t.Fatalf("the sale is dated %v", is.Last().Document.Time)
	}
	led, _ := r.demo.Server.Ledger(demoSystemID)
	if len(led.Receipts) != 4 || len(led.Shifts) != 3 {
		t.Fatalf("the OFD holds %d receipts in %d shifts", len(led.Receipts), len(led.Shifts))
	}
	for _, e := range led.Exchanges {
		if e.Refused > 0 {
			t.Fatalf("the OFD refused %+v", e)
		}
	}
	// Nothing to correct any more.
	if _, err := rt.CorrectClock(r.ctx, r.by); !errors.Is(err, kkm.ErrClockNothingToCorrect) {
		t.Fatalf("a second correction: %v", err)
	}
}
