package hubsync

import (
	"context"
	"errors"
	"net/http/httptest"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ekassa-go/ekassa/hub"
	"github.com/ekassa-go/ekassa/internal/pglocal"
	"github.com/ekassa-go/ekassa/internal/pgtest"
	"github.com/ekassa-go/ekassa/storage"
	"github.com/ekassa-go/ekassa/storage/fixture"
)

// rig is a hub over a throwaway PostgreSQL and a register's journal filled by the fixture.
type rig struct {
	store  *hub.Store
	srv    *httptest.Server
	client *hub.Client
	orgID  int64
	regID  int64
}

func newRig(t *testing.T) *rig {
	t.Helper()
	ctx := context.Background()
	c := pgtest.Start(t)
	store, err := hub.Open(ctx, c.DSN)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(store.Close)
	org, _, err := store.CreateOrganization(ctx, "Shop")
	if err != nil {
		t.Fatal(err)
	}
	reg, secret, err := store.AddRegister(ctx, org.ID, "KTCD0001", "Till", "Shop 1")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewTLSServer(hub.NewServer(store, nil).Handler())
	t.Cleanup(srv.Close)
	return &rig{store: store, srv: srv, orgID: org.ID, regID: reg.ID,
		client: &hub.Client{BaseURL: srv.URL, Secret: secret, HTTP: srv.Client()}}
}

func journal(t *testing.T, docs int, seed uint64) *storage.Journal {
	t.Helper()
	ctx := context.Background()
	j, err := storage.Open(ctx, filepath.Join(t.TempDir(), "journal.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { j.Close() })
	if _, err := fixture.Generate(ctx, j, fixture.Options{Documents: docs, Days: 3, Seed: seed}); err != nil {
		t.Fatal(err)
	}
	return j
}

// held returns how many documents the hub holds of the rig's register, and its cursor.
func (r *rig) held(t *testing.T) (int, int64) {
	t.Helper()
	ctx := context.Background()
	docs, err := r.store.Documents(ctx, r.orgID, hub.DocumentQuery{To: time.Now().Add(10 * 365 * 24 * time.Hour), Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	cur, err := r.store.Cursor(ctx, r.regID)
	if err != nil {
		t.Fatal(err)
	}
	for i, d := range docs {
		if d.Seq != int64(i+1) || d.UUID != DocumentUUID("KTCD0001", d.Seq) {
			t.Fatalf("held document %d is seq %d, uuid %v", i, d.Seq, d.UUID)
		}
	}
	return len(docs), cur.Seq
}

func TestSyncPushesTheWholeJournalOnce(t *testing.T) {
	ctx := context.Background()
	r := newRig(t)
	j := journal(t, 430, 1)
	head, _ := j.ChainRows(ctx, 0, 1000)
	p := New(j, r.client, "KTCD0001", Config{Batch: 64})
	n, err := p.Sync(ctx)
	if err != nil || n != len(head) {
		t.Fatalf("Sync = %d, %v; want %d", n, err, len(head))
	}
	if got, cur := r.held(t); got != len(head) || cur != int64(len(head)) {
		t.Fatalf("hub holds %d (cursor %d), want %d", got, cur, len(head))
	}
	if n, err := p.Sync(ctx); err != nil || n != 0 {
		t.Fatalf("second Sync = %d, %v; want nothing new", n, err)
	}
	if st := p.Status(); st.Cursor != int64(len(head)) || st.Err != nil || st.LastPush.IsZero() {
		t.Fatalf("status = %+v", st)
	}
}

// lossy pushes to the hub but loses the answer of the first push: the register must not know
// whether it landed.
type lossy struct {
	Hub
	lost atomic.Bool
}

func (l *lossy) Push(ctx context.Context, docs []hub.Document, st *hub.RegisterState) (hub.PushResult, error) {
	res, err := l.Hub.Push(ctx, docs, st)
	if err == nil && !l.lost.Swap(true) {
		return hub.PushResult{}, errors.New("connection reset (the answer was lost)")
	}
	return res, err
}

func TestLostAnswerAndHubDownStoreNothingTwice(t *testing.T) {
	ctx := context.Background()
	r := newRig(t)
	j := journal(t, 300, 2)
	rows, _ := j.ChainRows(ctx, 0, 1000)

	// The hub is unreachable: the push fails, the journal is untouched, status says why.
	down := &hub.Client{BaseURL: "https://127.0.0.1:1", Secret: r.client.Secret, HTTP: r.srv.Client()}
	p := New(j, down, "KTCD0001", Config{Batch: 50})
	if _, err := p.Sync(ctx); err == nil || p.Status().Err == nil {
		t.Fatal("a push to a hub that is down succeeded")
	}

	// The hub is back, but the first answer is lost: the retry stores the rest, nothing twice.
	p = New(j, &lossy{Hub: r.client}, "KTCD0001", Config{Batch: 50})
	if _, err := p.Sync(ctx); err == nil {
		t.Fatal("the lost answer was not reported")
	}
	if n, err := p.Sync(ctx); err != nil || n != len(rows)-50 {
		t.Fatalf("retry stored %d, %v; want %d (the first 50 had landed)", n, err, len(rows)-50)
	}
	if got, cur := r.held(t); got != len(rows) || cur != int64(len(rows)) {
		t.Fatalf("hub holds %d (cursor %d), want %d", got, cur, len(rows))
	}
}

// TestRunCatchesUpAfterDays: a register whose hub was out of reach pushes everything, in order,
// once the hub answers, woken by the runtime or by its poll.
func TestRunCatchesUpAfterDays(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	r := newRig(t)
	j := journal(t, 250, 3)
	rows, _ := j.ChainRows(ctx, 0, 1000)
	var up atomic.Bool
	gate := &gated{Hub: r.client, up: &up}
	tick := make(chan time.Time)
	p := New(j, gate, "KTCD0001", Config{Batch: 40, After: func(time.Duration) <-chan time.Time { return tick }})
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	tick <- time.Now() // a pause after the failure passes; still down
	up.Store(true)
	p.Wake()
	deadline := time.After(30 * time.Second)
	for p.Status().Cursor != int64(len(rows)) {
		select {
		case tick <- time.Now():
		case <-deadline:
			t.Fatalf("not caught up: %+v", p.Status())
		}
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("Run = %v", err)
	}
	if got, _ := r.held(t); got != len(rows) {
		t.Fatalf("hub holds %d, want %d", got, len(rows))
	}
}

type gated struct {
	Hub
	up *atomic.Bool
}

func (g *gated) Cursor(ctx context.Context) (hub.Cursor, error) {
	if !g.up.Load() {
		return hub.Cursor{}, errors.New("no route to the hub")
	}
	return g.Hub.Cursor(ctx)
}

// TestAnotherJournalIsAFork: a journal that is not the one the hub holds (another phone's, or
// this register's rewritten) is refused as a fork and the hub's copy stays as it was.
func TestAnotherJournalIsAFork(t *testing.T) {
	ctx := context.Background()
	r := newRig(t)
	first := journal(t, 120, 4)
	if _, err := New(first, r.client, "KTCD0001", Config{}).Sync(ctx); err != nil {
		t.Fatal(err)
	}
	other := journal(t, 200, 5)
	p := New(other, r.client, "KTCD0001", Config{})
	if _, err := p.Sync(ctx); !errors.Is(err, hub.ErrFork) {
		t.Fatalf("Sync of another journal = %v, want ErrFork", err)
	}
	if !errors.Is(p.Status().Err, hub.ErrFork) {
		t.Fatalf("status = %+v", p.Status())
	}
	rows, _ := first.ChainRows(ctx, 0, 1000)
	if got, cur := r.held(t); got != len(rows) || cur != int64(len(rows)) {
		t.Fatalf("hub holds %d (cursor %d) after the fork, want the first journal's %d", got, cur, len(rows))
	}
}

// TestHubKilledMidPush: the hub's database is killed (as a crash: pg_ctl -m immediate) while a
// register is pushing, and started again; the register's next pushes go on from the hub's
// cursor and the hub ends up holding every document once, in order.
func TestHubKilledMidPush(t *testing.T) {
	ctx := context.Background()
	c := pgtest.Start(t)
	store, err := hub.Open(ctx, c.DSN)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	org, _, _ := store.CreateOrganization(ctx, "Shop")
	reg, secret, _ := store.AddRegister(ctx, org.ID, "KTCD0001", "Till", "Shop 1")
	srv := httptest.NewTLSServer(hub.NewServer(store, nil).Handler())
	defer srv.Close()
	client := &hub.Client{BaseURL: srv.URL, Secret: secret, HTTP: srv.Client()}
	j := journal(t, 400, 6)
	rows, _ := j.ChainRows(ctx, 0, 1000)

	killed := make(chan struct{})
	var pushes atomic.Int32
	p := New(j, &killer{Hub: client, after: 3, pushes: &pushes, kill: func() {
		if err := c.Stop(true); err != nil {
			t.Error(err)
		}
		close(killed)
	}}, "KTCD0001", Config{Batch: 25})
	if _, err := p.Sync(ctx); err == nil {
		t.Fatal("a push into a killed database succeeded")
	}
	<-killed
	if _, err := pglocal.Start(c.Dir, pglocal.Options{}); err != nil {
		t.Fatal(err)
	}
	var last error
	for try := 0; try < 50; try++ { // the pool reconnects on its own
		if _, last = p.Sync(ctx); last == nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if last != nil {
		t.Fatalf("no push after the restart: %v", last)
	}
	cur, err := store.Cursor(ctx, reg.ID)
	if err != nil || cur.Seq != rows[len(rows)-1].Seq {
		t.Fatalf("cursor after the restart = %+v, %v; want %d", cur, err, rows[len(rows)-1].Seq)
	}
	docs, err := store.Documents(ctx, org.ID, hub.DocumentQuery{To: time.Now().Add(10 * 365 * 24 * time.Hour), Limit: 500})
	if err != nil || len(docs) != len(rows) {
		t.Fatalf("hub holds %d documents, %v; want %d", len(docs), err, len(rows))
	}
	for i, d := range docs {
		if d.Seq != int64(i+1) {
			t.Fatalf("document %d has seq %d", i, d.Seq)
		}
	}
}

// killer kills the hub's database just before its after-th push.
type killer struct {
	Hub
	after  int32
	pushes *atomic.Int32
	kill   func()
}

func (k *killer) Push(ctx context.Context, docs []hub.Document, st *hub.RegisterState) (hub.PushResult, error) {
	if k.pushes.Add(1) == k.after {
		k.kill()
	}
	return k.Hub.Push(ctx, docs, st)
}

// TestOwnerSeesTheRegistersState: the register's live state goes with its pushes, and alone when
// only it changed; the owner's list of registers shows the latest.
func TestOwnerSeesTheRegistersState(t *testing.T) {
	ctx := context.Background()
	r := newRig(t)
	j := journal(t, 30, 7)
	st := hub.RegisterState{ShiftOpen: true, ShiftNumber: 3, Waiting: 2,
		OfflineSince: time.Date(2026, 12, 3, 8, 0, 0, 0, time.UTC)}
	p := New(j, r.client, "KTCD0001", Config{State: func() hub.RegisterState {
		s := st
		s.At = time.Now()
		return s
	}})
	look := func() hub.RegisterState {
		t.Helper()
		regs, err := r.store.Registers(ctx, r.orgID)
		if err != nil || len(regs) != 1 || regs[0].State == nil {
			t.Fatalf("registers = %+v, %v", regs, err)
		}
		got := *regs[0].State
		got.At = time.Time{}
		return got
	}
	if _, err := p.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if got := look(); !got.OfflineSince.Equal(st.OfflineSince) || got.Waiting != 2 || got.ShiftNumber != 3 || !got.ShiftOpen {
		t.Fatalf("the owner sees %+v, want %+v", got, st)
	}
	// The queue drained and the shift closed, no new document: the state alone is pushed.
	st = hub.RegisterState{ShiftNumber: 3}
	if n, err := p.Sync(ctx); err != nil || n != 0 {
		t.Fatalf("Sync = %d, %v", n, err)
	}
	if got := look(); got.ShiftOpen || got.Waiting != 0 || !got.OfflineSince.IsZero() {
		t.Fatalf("the owner sees %+v after the change, want %+v", got, st)
	}
}
