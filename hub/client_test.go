package hub

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"net/http/httptest"
	"testing"
	"time"
)

// TestOwnerClientReads: the owner's client methods over TLS against a real hub read the
// registers with their live state, the documents of a period (all or one register), the figures
// beside the previous period and the CSV, only of the owner's own organization.
func TestOwnerClientReads(t *testing.T) {
	ctx := context.Background()
	s, _ := openStore(t)
	org, ownerSecret, _ := s.CreateOrganization(ctx, "Chain")
	other, _, _ := s.CreateOrganization(ctx, "Other")
	r1, till1, _ := s.AddRegister(ctx, org.ID, "R1", "Till 1", "Abay 10")
	_, till2, _ := s.AddRegister(ctx, org.ID, "R2", "Till 2", "Dostyk 5")
	_, tillX, _ := s.AddRegister(ctx, other.ID, "RX", "Not ours", "Abay 10")

	srv := httptest.NewTLSServer(NewServer(s, nil).Handler())
	defer srv.Close()
	client := func(secret string) *Client { return &Client{BaseURL: srv.URL, Secret: secret, HTTP: srv.Client()} }

	kz := time.FixedZone("UTC+5", 5*3600)
	day := time.Date(2026, 12, 2, 0, 0, 0, 0, kz)
	at := func(d, h int) time.Time { return day.AddDate(0, 0, d).Add(time.Duration(h) * time.Hour) }
	ends := at(0, 20).UTC()
	offline := at(0, 11).UTC()
	state := &RegisterState{At: at(0, 12).UTC(), ShiftOpen: true, ShiftNumber: 1, ShiftEndsAt: ends, Waiting: 3,
		OfflineSince: offline}
	if _, err := client(till1).Push(ctx, receiptChain("R1", []sale{{at(-1, 9), 2, 500, 1}, {at(0, 9), 2, 1000, 1}}), state); err != nil {
		t.Fatal(err)
	}
	if _, err := client(till2).Push(ctx, receiptChain("R2", []sale{{at(0, 10), 2, 2000, 2}}),
		&RegisterState{At: at(0, 12).UTC(), Block: "shift_over_24h"}); err != nil {
		t.Fatal(err)
	}
	if _, err := client(tillX).Push(ctx, receiptChain("RX", []sale{{at(0, 10), 2, 99999, 9}}), nil); err != nil {
		t.Fatal(err)
	}

	owner := client(ownerSecret)
	regs, err := owner.Registers(ctx)
	if err != nil || len(regs) != 2 {
		t.Fatalf("registers = %+v, %v; want the organization's two", regs, err)
	}
	byserial := map[string]Register{}
	for _, r := range regs {
		byserial[r.Serial] = r
	}
	got := byserial["R1"]
	if got.Shop != "Abay 10" || got.Cursor.Seq != 2 || got.State == nil || !got.State.ShiftOpen ||
		got.State.Waiting != 3 || !got.State.ShiftEndsAt.Equal(ends) || !got.State.OfflineSince.Equal(offline) {
		t.Errorf("R1 = %+v state %+v", got, got.State)
	}
	if st := byserial["R2"].State; st == nil || st.Block != "shift_over_24h" || st.ShiftOpen {
		t.Errorf("R2 state = %+v", st)
	}

	from, to := day, day.AddDate(0, 0, 1)
	docs, err := owner.Documents(ctx, DocumentQuery{From: from, To: to})
	if err != nil || len(docs) != 2 {
		t.Fatalf("documents of the day = %d, %v; want R1's second and R2's", len(docs), err)
	}
	docs, err = owner.Documents(ctx, DocumentQuery{From: from.AddDate(0, 0, -1), To: to, RegisterID: r1.ID, Limit: 1})
	if err != nil || len(docs) != 1 || docs[0].Total != 500 || docs[0].RegisterID != r1.ID {
		t.Fatalf("R1's first document = %+v, %v", docs, err)
	}

	figs, err := owner.Analytics(ctx, from, to, ByShop)
	if err != nil {
		t.Fatal(err)
	}
	shops := map[string]Figures{}
	for _, f := range figs {
		shops[f.Key] = f
	}
	if a := shops["Abay 10"]; a.Revenue != 1000 || a.Receipts != 1 || a.PrevRevenue != 500 || a.PrevReceipts != 1 {
		t.Errorf("Abay 10 = %+v", a)
	}
	if d := shops["Dostyk 5"]; d.Revenue != 2000 || d.PrevRevenue != 0 {
		t.Errorf("Dostyk 5 = %+v", d)
	}
	if _, err := owner.Analytics(ctx, from, to, Grouping("weekday")); err == nil {
		t.Error("an unknown grouping was accepted")
	}

	var buf bytes.Buffer
	if err := owner.ExportCSV(ctx, &buf, from, to); err != nil {
		t.Fatal(err)
	}
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(buf.Bytes(), []byte("\ufeff"))))
	r.Comma = ';'
	rows, err := r.ReadAll()
	if err != nil || len(rows) != 3 { // the header and the day's two documents
		t.Fatalf("csv = %q, %v", rows, err)
	}
	if bytes.Contains(buf.Bytes(), []byte("99999")) {
		t.Error("the CSV holds another organization's document")
	}

	if _, err := client(till1).Registers(ctx); !errors.Is(err, ErrForbidden) {
		t.Errorf("a register listing registers: %v, want ErrForbidden", err)
	}
	if err := client("nonsense").ExportCSV(ctx, &buf, from, to); err == nil {
		t.Error("an unknown credential exported")
	}
}
