package hub

import (
	"context"
	"errors"
	"testing"
	"time"
)

// TestSafeAtTheHead: a safe is taken only at the chain head the hub holds; answers are kept once
// each from the cursor; a restore reads the snapshot with the documents and answers; a register
// that never pushed a safe has none; and a receipt the OFD refused leaves the owner's figures,
// read from the rollup or from the receipts themselves.
func TestSafeAtTheHead(t *testing.T) {
	ctx := context.Background()
	s, _ := openStore(t)
	org, _, _ := s.CreateOrganization(ctx, "Chain")
	r1, _, _ := s.AddRegister(ctx, org.ID, "R1", "Till 1", "Abay 10")
	r2, _, _ := s.AddRegister(ctx, org.ID, "R2", "Till 2", "Abay 10")
	day := time.Date(2026, 12, 2, 4, 0, 0, 0, time.UTC)
	docs := receiptChain("R1", []sale{{day, 2, 1000, 1}, {day.Add(time.Minute), 2, 2000, 1}, {day.Add(2 * time.Minute), 2, 4000, 1}})
	if _, err := s.Push(ctx, r1.ID, docs[:2]); err != nil {
		t.Fatal(err)
	}
	sealed := []byte("age-encryption.org/v1 not really")
	behind := SafePush{HeadSeq: 1, HeadHash: docs[0].Hash, Sealed: sealed}
	if _, err := s.PutSafe(ctx, r1.ID, behind); !errors.Is(err, ErrSafeBehind) {
		t.Fatalf("a safe behind the head: %v", err)
	}
	if _, err := s.Safe(ctx, r1.ID, 0); !errors.Is(err, ErrNoSafe) {
		t.Fatalf("a safe before any was pushed: %v", err)
	}
	if _, err := s.Push(ctx, r1.ID, docs[2:]); err != nil {
		t.Fatal(err)
	}
	push := SafePush{HeadSeq: 3, HeadHash: docs[2].Hash, Sealed: sealed, Answers: []Answer{
		{Seq: 1, Data: []byte(`{"seq":1}`)}, {Seq: 2, Refused: true, Data: []byte(`{"seq":2}`)}}}
	for range 2 { // the same push again after a lost answer changes nothing
		c, err := s.PutSafe(ctx, r1.ID, push)
		if err != nil || c.Answered != 2 || c.Seq != 3 {
			t.Fatalf("PutSafe = %+v, %v", c, err)
		}
	}
	if _, err := s.PutSafe(ctx, r1.ID, SafePush{HeadSeq: 3, HeadHash: docs[2].Hash, Sealed: sealed,
		Answers: []Answer{{Seq: 4, Data: []byte(`{}`)}}}); !errors.Is(err, ErrMalformed) {
		t.Fatalf("an answer beyond the head: %v", err)
	}
	safe, err := s.Safe(ctx, r1.ID, 0)
	if err != nil || safe.Serial != "R1" || safe.HeadSeq != 3 || string(safe.Sealed) != string(sealed) ||
		len(safe.Documents) != 3 || len(safe.Answers) != 2 || !safe.Answers[1].Refused {
		t.Fatalf("Safe = %+v, %v", safe, err)
	}
	for i, d := range safe.Documents {
		if string(d.Content) != string(docs[i].Content) {
			t.Fatalf("document %d's content came back as %s, pushed as %s", i+1, d.Content, docs[i].Content)
		}
	}
	if _, err := s.Safe(ctx, r2.ID, 0); !errors.Is(err, ErrNoSafe) {
		t.Fatalf("another register's safe: %v", err)
	}
	// Receipt 2 was refused: 1000 + 4000 count, from the rollup (whole hours) and from the
	// receipts (a period that starts and ends within an hour).
	for _, c := range []struct {
		from, to          time.Time
		receipts, revenue int64
	}{
		{day, day.Add(time.Hour), 2, 5000},
		{day.Add(30 * time.Second), day.Add(10 * time.Minute), 1, 4000},
	} {
		figs, err := s.Analytics(ctx, org.ID, c.from, c.to, ByRegister)
		if err != nil || len(figs) != 1 || figs[0].Receipts != c.receipts || figs[0].Revenue != c.revenue {
			t.Fatalf("figures over %v–%v: %+v, %v; want %d receipts, %d", c.from, c.to, figs, err, c.receipts, c.revenue)
		}
	}
}
