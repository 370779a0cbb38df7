package app

import (
	"context"
	"encoding/pem"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ekassa-go/ekassa/hub"
	"github.com/ekassa-go/ekassa/internal/pgtest"
	"github.com/ekassa-go/ekassa/kkm"
)

// TestSalesReachTheHub: a demo register started with -hub pushes its journal to a real hub over
// TLS (trusting the hub's self-signed certificate from a file) after each sale, without the sale
// waiting for it; the hub then holds every document of the journal, in order.
func TestSalesReachTheHub(t *testing.T) {
	ctx := context.Background()
	c := pgtest.Start(t)
	store, err := hub.Open(ctx, c.DSN)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	r := newRig(t)
	org, _, _ := store.CreateOrganization(ctx, "Shop")
	reg, secret, err := store.AddRegister(ctx, org.ID, r.rt.Settings().SerialNumber, "Till", "Shop 1")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewTLSServer(hub.NewServer(store, nil).Handler())
	defer srv.Close()
	ca := filepath.Join(t.TempDir(), "hub.crt")
	if err := os.WriteFile(ca, pemOf(srv), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv(HubCredentialEnv, secret)
	stop, err := startHubPush(ctx, r.j, r.rt, hubConfig{url: srv.URL, caFile: ca}, t.Logf)
	if err != nil {
		t.Fatal(err)
	}
	defer stop()

	for i := 0; i < 5; i++ {
		r.sell(kkm.Money(100_00 * (i + 1)))
	}
	rows, err := r.j.ChainRows(ctx, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	want := rows[len(rows)-1].Seq
	deadline := time.Now().Add(20 * time.Second)
	for {
		cur, err := store.Cursor(ctx, reg.ID)
		if err != nil {
			t.Fatal(err)
		}
		if cur.Seq == want {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the hub holds up to seq %d, the journal up to %d", cur.Seq, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
	// The owner sees the register's shift open.
	regs, err := store.Registers(ctx, org.ID)
	if err != nil || len(regs) != 1 || regs[0].State == nil || !regs[0].State.ShiftOpen || regs[0].State.ShiftEndsAt.IsZero() {
		t.Fatalf("the owner sees %+v, %v", regs, err)
	}
}

// pemOf is the test server's certificate as PEM.
func pemOf(srv *httptest.Server) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
}

func TestHubPushNeedsItsCredential(t *testing.T) {
	r := newRig(t)
	t.Setenv(HubCredentialEnv, "")
	if _, err := startHubPush(context.Background(), r.j, r.rt, hubConfig{url: "https://127.0.0.1:1"}, nil); err == nil {
		t.Fatal("started without a credential")
	}
}
