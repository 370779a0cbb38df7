package app

import (
	"context"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ekassa-go/ekassa/hub"
	"github.com/ekassa-go/ekassa/internal/pgtest"
	"github.com/ekassa-go/ekassa/kkm"
	"github.com/ekassa-go/ekassa/ofdclient"
	"github.com/ekassa-go/ekassa/storage"
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
	stop, _, err := startHubPush(ctx, r.j, r.rt, hubConfig{url: srv.URL, caFile: ca}, nil, t.Logf)
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
	if _, _, err := startHubPush(context.Background(), r.j, r.rt, hubConfig{url: "https://127.0.0.1:1"}, nil, nil); err == nil {
		t.Fatal("started without a credential")
	}
}

// TestRegisterCatalogueChangeGoesUpAtOnce: on a register joined to a hub whose owner lets
// registers edit, an item a senior cashier saves on the catalogue's port reaches the hub without
// waiting for the catalogue's poll (minutes): the save wakes the sync. The save itself returns
// before and whatever the hub does.
func TestRegisterCatalogueChangeGoesUpAtOnce(t *testing.T) {
	ctx := context.Background()
	c := pgtest.Start(t)
	store, err := hub.Open(ctx, c.DSN)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	r := newRig(t)
	org, _, _ := store.CreateOrganization(ctx, "Shop")
	if err := store.SetCatalogueSettings(ctx, org.ID, hub.CatalogueSettings{RegistersEdit: true}); err != nil {
		t.Fatal(err)
	}
	_, secret, err := store.AddRegister(ctx, org.ID, r.rt.Settings().SerialNumber, "Till", "Shop 1")
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
	stop, wake, err := startHubPush(ctx, r.j, r.rt, hubConfig{url: srv.URL, caFile: ca}, nil, t.Logf)
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	// The owner's bread comes down first: the sync's start is over before the cashier's save.
	bread := kkm.Item{Name: "Нан", Code: "B-1", Unit: kkm.UnitPiece, Price: 250_00, VATRate: kkm.VATDefault}
	if _, err := store.PutCatalogue(ctx, org.ID, []hub.CatalogueItem{{Item: bread}}); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(20 * time.Second); ; {
		if _, found, _ := r.j.ItemByCode(ctx, "B-1"); found {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the owner's bread never came down")
		}
		time.Sleep(20 * time.Millisecond)
	}
	cat := catalogue{journal: r.j, access: r.rt, changed: wake}
	tea := kkm.Item{Name: "Шай", Code: "T-77", Unit: kkm.UnitPiece, Price: 1200_00, VATRate: kkm.VATDefault}
	if _, err := cat.SaveItem(ctx, r.by, tea); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		ch, err := store.CatalogueChanges(ctx, org.ID, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(ch.Items) == 2 && ch.Items[1].Item.Code == "T-77" && ch.Items[1].Item.Price == 1200_00 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the hub's catalogue after the save: %+v", ch.Items)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestHubPushWaitsForTheConnection (walker S4 W10): the push to the hub started on a register not
// connected yet neither fails nor stops the app: it waits for the connection and then for a
// credential, and pushes every document once both are there, with no restart.
func TestHubPushWaitsForTheConnection(t *testing.T) {
	ctx := context.Background()
	c := pgtest.Start(t)
	store, err := hub.Open(ctx, c.DSN)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	hs := hub.NewServer(store, nil)
	mails := &hub.MemoryMailer{}
	hs.Mail = mails
	srv := httptest.NewTLSServer(hs.Handler())
	defer srv.Close()
	hc, err := hubHTTPClientPEM(pemOf(srv))
	if err != nil {
		t.Fatal(err)
	}

	demo, err := StartDemo(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer demo.Server.Close()
	j, err := storage.Open(ctx, filepath.Join(t.TempDir(), JournalFile))
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	rt, err := NewRuntime(ctx, j, Options{Demo: demo.Server, FiscalWait: 5 * time.Second,
		Exchanger: &ofdclient.Transport{Timeout: 2 * time.Second}})
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Close()

	var secret atomic.Value
	secret.Store("")
	mailer := &hubMailer{}
	stop, _ := pushWhenConnected(ctx, j, rt, func() (string, *http.Client, error) { return srv.URL, hc, nil },
		func(string) (string, error) { return secret.Load().(string), nil }, mailer, t.Logf)
	defer stop()
	if mailer.Ready() {
		t.Fatal("the receipt's e-mail offered before the register pushes to a hub")
	}

	// Connected: a serial number, but no credential yet.
	if err := prepareDemo(ctx, rt, demo, "Демо кассир"); err != nil {
		t.Fatal(err)
	}
	serial := rt.Settings().SerialNumber
	org, _, _ := store.CreateOrganization(ctx, "Shop")
	reg, cred, err := store.AddRegister(ctx, org.ID, serial, "Till", "Shop 1")
	if err != nil {
		t.Fatal(err)
	}
	secret.Store(cred)
	cashier, err := rt.CheckCode(ctx, DemoCode)
	if err != nil {
		t.Fatal(err)
	}
	is, err := rt.IssueReceipt(ctx, cashier.Operator(), kkm.SimpleDraft(kkm.OpSale, []kkm.Money{500_00},
		[]kkm.Payment{{Type: kkm.PayCash, Sum: 500_00}}))
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		cur, err := store.Cursor(ctx, reg.ID)
		if err != nil {
			t.Fatal(err)
		}
		if cur.Seq >= is.Last().Seq {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the hub holds up to seq %d; the sale is seq %d", cur.Seq, is.Last().Seq)
		}
		time.Sleep(20 * time.Millisecond)
	}
	// Pushing, the register mails a receipt to its buyer through the hub's mailer (issue 18.7).
	if !mailer.Ready() {
		t.Fatal("pushing to the hub, the register offers no e-mail")
	}
	if err := mailer.Send(ctx, "buyer@example.kz", "ФИСКАЛЬНЫЙ ЧЕК 500,00", "https://consumer.oofd.kz/?i=1"); err != nil {
		t.Fatal(err)
	}
	if got := mails.Last("buyer@example.kz"); !strings.Contains(got, "500,00") || !strings.Contains(got, "https://consumer.oofd.kz/?i=1") {
		t.Fatalf("the buyer got %q", got)
	}
}
