package app

import (
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ekassa-go/ekassa/delivery"
	"github.com/ekassa-go/ekassa/hub"
	"github.com/ekassa-go/ekassa/hubsync"
	"github.com/ekassa-go/ekassa/internal/pgtest"
	"github.com/ekassa-go/ekassa/kkm"
	"github.com/ekassa-go/ekassa/ofdclient"
	"github.com/ekassa-go/ekassa/storage"
)

// TestRestoreFromHubOnANewPhone (issue 18 item 5): register A sells 20 receipts, the last 5 while
// the OFD is out of reach, and pushes its journal with its safe to a real hub; A's folder is then
// deleted (the phone is lost). Phone B restores the register from the hub with the register's
// credential (-restore-from-hub), connects to the same emulator, sends the 5 in their order with
// their offline numbers, and issues receipt 21: the emulator's ledger holds receipts 1..21, each
// once, and B's journal continues A's without a gap or a repeat.
func TestRestoreFromHubOnANewPhone(t *testing.T) {
	ctx := context.Background()
	c := pgtest.Start(t)
	store, err := hub.Open(ctx, c.DSN)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	srv := httptest.NewTLSServer(hub.NewServer(store, nil).Handler())
	defer srv.Close()
	ca := filepath.Join(t.TempDir(), "hub.crt")
	if err := os.WriteFile(ca, pemOf(srv), 0o600); err != nil {
		t.Fatal(err)
	}

	a := newRig(t)
	serial := a.rt.Settings().SerialNumber
	org, _, _ := store.CreateOrganization(ctx, "Shop")
	if _, _, err := store.AddRegister(ctx, org.ID, "OTHER-1", "Someone else's till", "Shop 2"); err != nil {
		t.Fatal(err)
	}
	_, secret, err := store.AddRegister(ctx, org.ID, serial, "Till", "Shop 1")
	if err != nil {
		t.Fatal(err)
	}
	_, otherSecret, err := store.AddRegister(ctx, org.ID, "OTHER-2", "Another till", "Shop 1")
	if err != nil {
		t.Fatal(err)
	}
	amount := func(i int) kkm.Money { return kkm.Money(1000_00 + 100*i) }
	for i := 1; i <= 15; i++ {
		a.sell(amount(i))
	}
	a.waitDrained()
	if err := a.rt.SetNetworkCut(true); err != nil {
		t.Fatal(err)
	}
	// The switch checks the link at once (Sender.CheckLink), so every sale of the cut is an
	// offline document with its own number.
	for i := 16; i <= 20; i++ {
		if d := a.sell(amount(i)); d.FiscalSign != "" || !d.Document.Offline || d.Document.OfflineNumber != uint32(i-15) {
			t.Fatalf("sale %d during the cut: %+v", i, d)
		}
	}
	if st := a.rt.Status(); st.Waiting != 5 {
		t.Fatalf("%d documents wait for the OFD, want 5", st.Waiting)
	}
	client := &hub.Client{BaseURL: srv.URL, Secret: secret, HTTP: srv.Client()}
	p := hubsync.New(a.j, client, serial, hubsync.Config{Safe: a.j, Passphrase: secret})
	if _, err := p.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	// The phone is lost: its runtime stops, its folder goes.
	a.rt.Close()
	a.j.Close()
	if err := os.RemoveAll(filepath.Dir(a.j.Path())); err != nil {
		t.Fatal(err)
	}

	// Phone B, a fresh journal. Another register's credential opens another register's safe, which
	// has none yet; a wrong credential is refused by the hub.
	dirB := t.TempDir()
	jb, err := storage.Open(ctx, filepath.Join(dirB, JournalFile))
	if err != nil {
		t.Fatal(err)
	}
	defer jb.Close()
	cfg := hubConfig{url: srv.URL, caFile: ca}
	if _, err := restoreFromHub(ctx, jb, cfg, otherSecret); err == nil {
		t.Fatal("another register's credential restored this register")
	}
	if _, err := restoreFromHub(ctx, jb, cfg, "not a credential"); err == nil {
		t.Fatal("a wrong credential restored the register")
	}
	info, err := restoreFromHub(ctx, jb, cfg, secret)
	if err != nil {
		t.Fatal(err)
	}
	if info.Documents != 20 || info.ZNM != serial {
		t.Fatalf("restored %+v", info)
	}
	// Restoring again over the restored journal is refused.
	if _, err := restoreFromHub(ctx, jb, cfg, secret); err == nil {
		t.Fatal("a restore over a journal with documents was accepted")
	}
	rtB, err := NewRuntime(ctx, jb, Options{Demo: a.demo.Server, FiscalWait: 5 * time.Second,
		Exchanger: &ofdclient.Transport{Timeout: 2 * time.Second},
		Sender: delivery.Config{TransactionTime: 300 * time.Millisecond, RetryDelay: 10 * time.Millisecond,
			OfflineRetry: 20 * time.Millisecond, MaxOfflineRetry: 50 * time.Millisecond,
			Jitter: func(d time.Duration) time.Duration { return d }}})
	if err != nil {
		t.Fatal(err)
	}
	defer rtB.Close()
	if st := rtB.Status(); st.Waiting != 5 || st.Online {
		t.Fatalf("the restored register shows %+v, want 5 waiting, offline", st)
	}
	cashier, err := rtB.CheckCode(ctx, DemoCode)
	if err != nil {
		t.Fatal(err)
	}
	if err := rtB.SetNetworkCut(false); err != nil {
		t.Fatal(err)
	}
	b := &rig{t: t, ctx: ctx, demo: a.demo, j: jb, rt: rtB, by: cashier.Operator()}
	b.waitDrained()
	last := b.sell(amount(21))
	b.waitDrained()
	if last.Document.Offline {
		t.Fatal("receipt 21 is offline")
	}

	ledger, err := a.demo.Server.Ledger(demoSystemID)
	if err != nil {
		t.Fatal(err)
	}
	if len(ledger.Receipts) != 21 {
		t.Fatalf("the OFD holds %d receipts, want 21", len(ledger.Receipts))
	}
	signs := map[string]bool{}
	for i, r := range ledger.Receipts {
		if r.Total != int64(amount(i+1)) || signs[r.FiscalSign] {
			t.Fatalf("the OFD's receipt %d: %d tiyn (want %d), sign %s seen before: %v", i+1, r.Total, amount(i+1), r.FiscalSign, signs[r.FiscalSign])
		}
		signs[r.FiscalSign] = true
		if offline := i >= 15 && i < 20; offline != (r.OfflineNumber != 0) {
			t.Fatalf("the OFD's receipt %d: offline number %d", i+1, r.OfflineNumber)
		}
	}
	if res, err := jb.VerifyAll(ctx); err != nil || res.Last != 21 {
		t.Fatalf("B's journal: %+v, %v", res, err)
	}
	// B pushes on from where A stopped: the hub holds 1..21 of this register once.
	pb := hubsync.New(jb, client, serial, hubsync.Config{Safe: jb, Passphrase: secret})
	if _, err := pb.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if cur, err := client.Cursor(ctx); err != nil || cur.Seq != 21 || cur.Answered != 21 {
		t.Fatalf("the hub's cursor after B's push: %+v, %v", cur, err)
	}
}
