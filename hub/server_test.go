package hub

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
)

// TestAPIOverTLS: a register pushes over TLS, repeats a push, is refused a fork, cannot read; an
// owner reads only its organization and cannot push.
func TestAPIOverTLS(t *testing.T) {
	ctx := context.Background()
	s, _ := openStore(t)
	orgA, ownerA, _ := s.CreateOrganization(ctx, "A")
	orgB, _, _ := s.CreateOrganization(ctx, "B")
	_, tillA, _ := s.AddRegister(ctx, orgA.ID, "A-1", "A till", "Shop 1")
	_, tillB, _ := s.AddRegister(ctx, orgB.ID, "B-1", "B till", "Shop 1")

	srv := httptest.NewTLSServer(NewServer(s, nil).Handler())
	defer srv.Close()
	client := func(secret string) *Client { return &Client{BaseURL: srv.URL, Secret: secret, HTTP: srv.Client()} }

	docs := chain("A-1", 1, zeroHash, 4)
	a := client(tillA)
	if res, err := a.Push(ctx, docs[:2], nil); err != nil || res.Stored != 2 {
		t.Fatalf("push = %+v, %v", res, err)
	}
	if res, err := a.Push(ctx, docs, nil); err != nil || res.Stored != 2 || res.Duplicate != 2 || res.Cursor.Seq != 4 {
		t.Fatalf("repeated push = %+v, %v", res, err)
	}
	if cur, err := a.Cursor(ctx); err != nil || cur.Seq != 4 {
		t.Fatalf("cursor = %+v, %v", cur, err)
	}
	fork := chain("A-1-other", 4, docs[2].Hash, 1)
	if _, err := a.Push(ctx, fork, nil); !errors.Is(err, ErrFork) {
		t.Fatalf("fork push = %v, want ErrFork", err)
	}
	if _, err := a.Push(ctx, chain("A-1", 6, docs[3].Hash, 1), nil); !errors.Is(err, ErrGap) {
		t.Fatalf("gap push = %v, want ErrGap", err)
	}
	// B's register pushing A's documents lands them in B's own chain, never A's.
	if res, err := client(tillB).Push(ctx, chain("B-1", 1, zeroHash, 1), nil); err != nil || res.Stored != 1 {
		t.Fatalf("B push = %+v, %v", res, err)
	}

	get := func(secret, path string) int {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+path, nil)
		req.Header.Set("Authorization", "Bearer "+secret)
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	const period = "/v1/documents?from=2026-01-01T00:00:00Z&to=2027-01-01T00:00:00Z"
	if code := get(ownerA, period); code != http.StatusOK {
		t.Errorf("owner reading its documents: %d", code)
	}
	if code := get(tillA, period); code != http.StatusForbidden {
		t.Errorf("a register reading documents: %d, want 403", code)
	}
	if code := get("nonsense", period); code != http.StatusUnauthorized {
		t.Errorf("an unknown credential: %d, want 401", code)
	}
	if code := get(ownerA, "/v1/documents?from=yesterday"); code != http.StatusBadRequest {
		t.Errorf("a malformed period: %d, want 400", code)
	}
	if _, err := client(ownerA).Push(ctx, docs, nil); !errors.Is(err, ErrForbidden) {
		t.Errorf("an owner pushing: %v, want ErrForbidden", err)
	}

	var seen []Document
	owner := client(ownerA)
	if err := owner.call(ctx, http.MethodGet, period, nil, &seen); err != nil {
		t.Fatal(err)
	}
	if len(seen) != 4 {
		t.Fatalf("owner A sees %d documents, want its 4", len(seen))
	}
	for _, d := range seen {
		if string(d.Content) == "" || d.UUID != docs[d.Seq-1].UUID {
			t.Errorf("owner sees seq %d as %v", d.Seq, d.UUID)
		}
	}
}

// TestReceiptByEmail: a register mails a receipt to its buyer through the hub; bad addresses and
// links are refused; an owner's credential cannot use it.
func TestReceiptByEmail(t *testing.T) {
	ctx := context.Background()
	s, _ := openStore(t)
	org, owner, _ := s.CreateOrganization(ctx, "A")
	_, till, _ := s.AddRegister(ctx, org.ID, "A-1", "A till", "Shop 1")
	mail := &MemoryMailer{}
	srv := NewServer(s, nil)
	srv.Mail = mail
	ts := httptest.NewTLSServer(srv.Handler())
	defer ts.Close()
	c := &Client{BaseURL: ts.URL, Secret: till, HTTP: ts.Client()}
	const link = "http://consumer.oofd.kz?i=1&f=620300144467&s=1.00&t=20261203T100000"
	if err := c.EmailReceipt(ctx, ReceiptMail{To: "buyer@mail.kz", Text: "ЧЕК\nЖИЫНЫ 1,00", Link: link}); err != nil {
		t.Fatal(err)
	}
	if got := mail.Last("buyer@mail.kz"); got != "ЧЕК\nЖИЫНЫ 1,00\n\n"+link {
		t.Fatalf("mailed %q", got)
	}
	for _, bad := range []ReceiptMail{
		{To: "buyer", Text: "x", Link: link},
		{To: "buyer@mail.kz", Text: "", Link: link},
		{To: "buyer@mail.kz", Text: "x", Link: "javascript:alert(1)"},
	} {
		if err := c.EmailReceipt(ctx, bad); !errors.Is(err, ErrMalformed) {
			t.Errorf("%+v = %v, want ErrMalformed", bad, err)
		}
	}
	o := &Client{BaseURL: ts.URL, Secret: owner, HTTP: ts.Client()}
	if err := o.EmailReceipt(ctx, ReceiptMail{To: "buyer@mail.kz", Text: "x"}); !errors.Is(err, ErrForbidden) {
		t.Errorf("an owner mailing a receipt = %v, want ErrForbidden", err)
	}
}
