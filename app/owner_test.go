package app

import (
	"bytes"
	"context"
	"errors"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/ekassa-go/ekassa/hub"
	"github.com/ekassa-go/ekassa/internal/pgtest"
	"github.com/ekassa-go/ekassa/ui"
)

// TestOwnerModeOverTheHub: the owner mode signs in to a real hub over TLS with its self-signed
// certificate, is refused a wrong credential and an untrusted hub, keeps the sign-in in the
// app's preferences (resumed by a fresh port), reads the registers' state, the documents, the
// figures and the CSV as the ui types, and forgets the sign-in on signing out.
func TestOwnerModeOverTheHub(t *testing.T) {
	ctx := context.Background()
	c := pgtest.Start(t)
	store, err := hub.Open(ctx, c.DSN)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	org, ownerSecret, _ := store.CreateOrganization(ctx, "Shop")
	reg, till, _ := store.AddRegister(ctx, org.ID, "R1", "Till 1", "Abay 10")
	srv := httptest.NewTLSServer(hub.NewServer(store, nil).Handler())
	defer srv.Close()

	at := time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)
	push := &hub.Client{BaseURL: srv.URL, Secret: till, HTTP: srv.Client()}
	content := []byte(`{"kind":"receipt","operator":{"code":1,"name":"Aigul"},"receipt":{"operation":2}}`)
	doc := hub.Document{UUID: [16]byte{1}, Seq: 1, Kind: "receipt", ShiftNumber: 1, Number: 1, IssuedAt: at, Total: 150_000,
		Content: content, PrevHash: make([]byte, hub.HashSize), Hash: bytes.Repeat([]byte{7}, hub.HashSize)}
	state := &hub.RegisterState{At: at, ShiftOpen: true, ShiftNumber: 1, ShiftEndsAt: at.Add(20 * time.Hour), Waiting: 2}
	if _, err := push.Push(ctx, []hub.Document{doc}, state); err != nil {
		t.Fatal(err)
	}

	a := test.NewTempApp(t)
	secret := secretFile{path: filepath.Join(t.TempDir(), ownerCredentialFile), key: bytes.Repeat([]byte{9}, 32)}
	mode := newOwnerMode(a.Preferences(), secret)
	if h, err := mode.Resume(ctx); h != nil || err != nil {
		t.Fatalf("resumed with nothing kept: %v, %v", h, err)
	}
	good := ui.OwnerLogin{Address: srv.URL, CertPEM: pemOf(srv), Credential: ownerSecret}
	wrong := good
	wrong.Credential = "nonsense"
	if _, err := mode.SignIn(ctx, wrong); !errors.Is(err, ui.ErrOwnerRefused) {
		t.Errorf("a wrong credential: %v, want ErrOwnerRefused", err)
	}
	untrusted := good
	untrusted.CertPEM = nil
	if _, err := mode.SignIn(ctx, untrusted); !errors.Is(err, ui.ErrOwnerUnreachable) {
		t.Errorf("an untrusted hub: %v, want ErrOwnerUnreachable", err)
	} else if strings.Contains(err.Error(), ownerSecret) {
		t.Error("the credential is in an error")
	}
	registerCred := good
	registerCred.Credential = till
	if _, err := mode.SignIn(ctx, registerCred); !errors.Is(err, ui.ErrOwnerRefused) {
		t.Errorf("a register's credential: %v, want ErrOwnerRefused", err)
	}
	if h, _ := mode.Resume(ctx); h != nil {
		t.Fatal("a refused sign-in was kept")
	}
	if _, err := mode.SignIn(ctx, good); err != nil {
		t.Fatal(err)
	}

	// The credential is not in the preferences, and not in plain in its file.
	if got := a.Preferences().String(prefOwnerCredential); got != "" {
		t.Fatal("the owner's credential is in the preferences")
	}
	if b, err := os.ReadFile(secret.path); err != nil || bytes.Contains(b, []byte(ownerSecret)) {
		t.Fatalf("the credential's file: %v, or it holds the credential in plain", err)
	}
	h, err := newOwnerMode(a.Preferences(), secret).Resume(ctx) // as after a restart
	if err != nil || h == nil {
		t.Fatalf("resume = %v, %v", h, err)
	}
	// Under another journal's key (a restored phone) the file does not open: sign in again.
	if h, err := newOwnerMode(a.Preferences(), secretFile{path: secret.path, key: bytes.Repeat([]byte{8}, 32)}).Resume(ctx); h != nil || err != nil {
		t.Fatalf("resumed under another key: %v, %v", h, err)
	}
	// An earlier build's plain copy in the preferences moves into the sealed file.
	a.Preferences().SetString(prefOwnerCredential, ownerSecret)
	if err := secret.Remove(); err != nil {
		t.Fatal(err)
	}
	if h, err := newOwnerMode(a.Preferences(), secret).Resume(ctx); err != nil || h == nil ||
		a.Preferences().String(prefOwnerCredential) != "" {
		t.Fatalf("the plain credential did not move: %v, %v", h, err)
	}
	regs, err := h.Registers(ctx)
	if err != nil || len(regs) != 1 {
		t.Fatalf("registers = %+v, %v", regs, err)
	}
	if r := regs[0]; r.ID != reg.ID || r.Shop != "Abay 10" || r.Pushed != 1 || !r.HasState || !r.ShiftOpen || r.Waiting != 2 ||
		!r.ShiftEndsAt.Equal(at.Add(20*time.Hour)) {
		t.Errorf("register = %+v", r)
	}
	docs, err := h.Documents(ctx, ui.OwnerDocumentQuery{From: at.Add(-time.Hour), To: at.Add(time.Hour)})
	if err != nil || len(docs) != 1 || docs[0].RegisterID != reg.ID || docs[0].Total != 150_000 || docs[0].Kind != "receipt" {
		t.Fatalf("documents = %+v, %v", docs, err)
	}
	figs, err := h.Analytics(ctx, at.Add(-time.Hour), at.Add(time.Hour), ui.OwnerByCashier)
	if err != nil || len(figs) != 1 || figs[0].Label != "Aigul" || figs[0].Revenue != 150_000 || figs[0].Receipts != 1 {
		t.Fatalf("figures = %+v, %v", figs, err)
	}
	var csv bytes.Buffer
	if err := h.ExportCSV(ctx, &csv, at.Add(-time.Hour), at.Add(time.Hour)); err != nil || !strings.Contains(csv.String(), "R1") {
		t.Fatalf("csv = %q, %v", csv.String(), err)
	}
	if _, err := h.Analytics(ctx, at, at.Add(time.Hour), ui.OwnerGrouping("weekday")); !errors.Is(err, ui.ErrOwnerHub) {
		t.Errorf("a bad grouping: %v", err)
	}

	if err := mode.SignOut(ctx); err != nil {
		t.Fatal(err)
	}
	if h, _ := mode.Resume(ctx); h != nil {
		t.Error("signed out, yet resumed")
	}
}
