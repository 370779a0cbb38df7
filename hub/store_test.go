package hub

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ekassa-go/ekassa/internal/pglocal"
	"github.com/ekassa-go/ekassa/internal/pgtest"
	"github.com/google/uuid"
)

// openStore starts a throwaway cluster with an empty database and opens a Store on it.
func openStore(t *testing.T) (*Store, *pglocal.Cluster) {
	t.Helper()
	c := pgtest.Start(t)
	s, err := Open(context.Background(), c.DSN)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s, c
}

// chain makes n documents of a register's journal, linked as the register links them, starting
// after prev at seq from.
func chain(serial string, from int64, prev []byte, n int) []Document {
	out := make([]Document, 0, n)
	for i := 0; i < n; i++ {
		seq := from + int64(i)
		content := fmt.Sprintf(`{"serial":%q,"seq":%d,"total":%d}`, serial, seq, seq*100)
		h := sha256.New()
		h.Write(prev)
		var b [8]byte
		binary.BigEndian.PutUint64(b[:], uint64(seq))
		h.Write(b[:])
		h.Write([]byte(content))
		d := Document{
			UUID:     uuid.NewSHA1(uuid.NameSpaceOID, []byte(fmt.Sprintf("%s/%d", serial, seq))),
			Seq:      seq,
			Kind:     "receipt",
			IssuedAt: time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC).Add(time.Duration(seq) * time.Minute),
			Total:    seq * 100, ShiftNumber: 1, Number: uint32(seq),
			Content:  []byte(content),
			PrevHash: prev,
			Hash:     h.Sum(nil),
		}
		out = append(out, d)
		prev = d.Hash
	}
	return out
}

var zeroHash = make([]byte, HashSize)

func TestPushStoresOnceInOrder(t *testing.T) {
	ctx := context.Background()
	s, _ := openStore(t)
	org, _, err := s.CreateOrganization(ctx, "Shop")
	if err != nil {
		t.Fatal(err)
	}
	reg, secret, err := s.AddRegister(ctx, org.ID, "KTCD0001", "Till 1", "Shop 1")
	if err != nil {
		t.Fatal(err)
	}
	p, err := s.Authenticate(ctx, secret)
	if err != nil || p.Owner || p.RegisterID != reg.ID || p.OrganizationID != org.ID {
		t.Fatalf("Authenticate = %+v, %v", p, err)
	}
	docs := chain("KTCD0001", 1, zeroHash, 10)

	res, err := s.Push(ctx, reg.ID, docs[:6])
	if err != nil || res.Stored != 6 || res.Duplicate != 0 || res.Cursor.Seq != 6 {
		t.Fatalf("first push = %+v, %v", res, err)
	}
	// The answer was lost: the register pushes the same batch again, with the rest.
	res, err = s.Push(ctx, reg.ID, docs)
	if err != nil || res.Stored != 4 || res.Duplicate != 6 || res.Cursor.Seq != 10 {
		t.Fatalf("repeated push = %+v, %v", res, err)
	}
	// And once more, all of it: nothing new.
	res, err = s.Push(ctx, reg.ID, docs)
	if err != nil || res.Stored != 0 || res.Duplicate != 10 {
		t.Fatalf("third push = %+v, %v", res, err)
	}
	got, err := s.Documents(ctx, org.ID, DocumentQuery{From: time.Time{}, To: time.Now().Add(24 * 365 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 10 {
		t.Fatalf("held %d documents, want 10", len(got))
	}
	for i, d := range got {
		if d.Seq != int64(i+1) || d.UUID != docs[i].UUID || d.Total != docs[i].Total {
			t.Errorf("document %d = seq %d %v total %d", i, d.Seq, d.UUID, d.Total)
		}
	}
}

func TestPushRefusesGapsAndForks(t *testing.T) {
	ctx := context.Background()
	s, _ := openStore(t)
	org, _, _ := s.CreateOrganization(ctx, "Shop")
	reg, _, err := s.AddRegister(ctx, org.ID, "KTCD0002", "Till", "Shop 1")
	if err != nil {
		t.Fatal(err)
	}
	docs := chain("KTCD0002", 1, zeroHash, 5)
	if _, err := s.Push(ctx, reg.ID, docs[:3]); err != nil {
		t.Fatal(err)
	}
	other := chain("KTCD0002-restored-elsewhere", 3, docs[1].Hash, 2) // another document at seq 3
	rewritten := chain("KTCD0002", 4, zeroHash, 1)                    // seq 4 not linked to seq 3
	stolenUUID := docs[3]
	stolenUUID.UUID = docs[0].UUID

	cases := []struct {
		name string
		push []Document
		want error
	}{
		{"gap: seq 5 before 4", docs[4:5], ErrGap},
		{"fork: another document at a held seq", other[:1], ErrFork},
		{"fork: prev_hash is not the held head", rewritten, ErrFork},
		{"fork: a uuid already held", []Document{stolenUUID}, ErrFork},
		{"malformed: no uuid", []Document{{Seq: 4, Kind: "receipt", IssuedAt: time.Now(), PrevHash: zeroHash, Hash: zeroHash, Content: []byte(`{}`)}}, ErrMalformed},
		{"malformed: content not JSON", []Document{{UUID: uuid.New(), Seq: 4, Kind: "receipt", IssuedAt: time.Now(), PrevHash: docs[2].Hash, Hash: zeroHash, Content: []byte(`{`)}}, ErrMalformed},
		{"a batch naming one document twice: nothing of it stored", []Document{docs[3], docs[3+1], docs[4]}, ErrFork},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := s.Push(ctx, reg.ID, c.push)
			var ce *ChainError
			if !errors.Is(err, c.want) || !errors.As(err, &ce) {
				t.Fatalf("Push = %v, want %v as a *ChainError", err, c.want)
			}
			cur, err := s.Cursor(ctx, reg.ID)
			if err != nil || cur.Seq != 3 {
				t.Fatalf("cursor after a refused push = %+v, %v; want seq 3 (nothing changed)", cur, err)
			}
		})
	}
	// The chain goes on from where it was.
	if res, err := s.Push(ctx, reg.ID, docs[3:]); err != nil || res.Cursor.Seq != 5 {
		t.Fatalf("push after the refusals = %+v, %v", res, err)
	}
}

func TestOwnersAreIsolated(t *testing.T) {
	ctx := context.Background()
	s, _ := openStore(t)
	orgA, ownerA, _ := s.CreateOrganization(ctx, "A")
	orgB, ownerB, _ := s.CreateOrganization(ctx, "B")
	regA, _, _ := s.AddRegister(ctx, orgA.ID, "A-1", "A till", "Shop 1")
	regB, _, _ := s.AddRegister(ctx, orgB.ID, "B-1", "B till", "Shop 1")
	if _, err := s.Push(ctx, regA.ID, chain("A-1", 1, zeroHash, 3)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Push(ctx, regB.ID, chain("B-1", 1, zeroHash, 4)); err != nil {
		t.Fatal(err)
	}
	pa, err := s.Authenticate(ctx, ownerA)
	if err != nil || !pa.Owner || pa.OrganizationID != orgA.ID {
		t.Fatalf("owner A = %+v, %v", pa, err)
	}
	pb, _ := s.Authenticate(ctx, ownerB)
	all := DocumentQuery{To: time.Now().Add(24 * 365 * time.Hour)}
	a, _ := s.Documents(ctx, pa.OrganizationID, all)
	b, _ := s.Documents(ctx, pb.OrganizationID, all)
	if len(a) != 3 || len(b) != 4 {
		t.Fatalf("owner A sees %d, owner B %d; want 3 and 4", len(a), len(b))
	}
	// Owner A naming B's register still reads only A's organization.
	cross, _ := s.Documents(ctx, pa.OrganizationID, DocumentQuery{To: all.To, RegisterID: regB.ID})
	if len(cross) != 0 {
		t.Fatalf("owner A read %d documents of B's register", len(cross))
	}
	if _, err := s.Authenticate(ctx, ownerA+"x"); !errors.Is(err, ErrForbidden) {
		t.Fatalf("a wrong secret = %v, want ErrForbidden", err)
	}
}

// TestConcurrentPushesOfOneRegister: a register pushing from two goroutines at once (a retry
// racing the first attempt) stores each document once.
func TestConcurrentPushesOfOneRegister(t *testing.T) {
	ctx := context.Background()
	s, _ := openStore(t)
	org, _, _ := s.CreateOrganization(ctx, "Shop")
	reg, _, _ := s.AddRegister(ctx, org.ID, "KTCD0003", "Till", "Shop 1")
	docs := chain("KTCD0003", 1, zeroHash, 50)
	var wg sync.WaitGroup
	stored := make([]int, 4)
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < len(docs); i += 10 {
				res, err := s.Push(ctx, reg.ID, docs[:i+10])
				if err != nil {
					t.Error(err)
					return
				}
				stored[g] += res.Stored
			}
		}(g)
	}
	wg.Wait()
	if total := stored[0] + stored[1] + stored[2] + stored[3]; total != 50 {
		t.Fatalf("stored %d documents in all, want 50", total)
	}
	cur, _ := s.Cursor(ctx, reg.ID)
	if cur.Seq != 50 {
		t.Fatalf("cursor = %d, want 50", cur.Seq)
	}
}

func TestMigrateRefusesNewerSchema(t *testing.T) {
	ctx := context.Background()
	s, c := openStore(t)
	if _, err := s.pool.Exec(ctx, `UPDATE hub_schema SET version = version + 1`); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(ctx, c.DSN); err == nil {
		t.Fatal("Open on a newer schema succeeded")
	}
}

// TestDocumentsKeptFiveYears (issue 18.7): the database refuses to change a pushed document, to
// delete one younger than five years, or to empty the table, whoever connects; a document older
// than five years may go. A push goes on after the refusals.
func TestDocumentsKeptFiveYears(t *testing.T) {
	ctx := context.Background()
	s, _ := openStore(t)
	org, _, _ := s.CreateOrganization(ctx, "Shop")
	reg, _, _ := s.AddRegister(ctx, org.ID, "KTCD0005", "Till", "Shop 1")
	docs := chain("KTCD0005", 1, zeroHash, 4)
	if _, err := s.Push(ctx, reg.ID, docs[:3]); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`UPDATE documents SET total = total + 100000 WHERE seq = 2`,
		`DELETE FROM documents WHERE seq = 3`,
		`DELETE FROM documents`,
		`TRUNCATE documents CASCADE`,
	} {
		if _, err := s.pool.Exec(ctx, q); err == nil || !strings.Contains(err.Error(), "kept as pushed") {
			t.Errorf("%s: %v, want the refusal", q, err)
		}
	}
	if res, err := s.Push(ctx, reg.ID, docs[3:]); err != nil || res.Cursor.Seq != 4 {
		t.Fatalf("the push after the refusals = %+v, %v", res, err)
	}
	var n int
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM documents WHERE register_id = $1`, reg.ID).Scan(&n); err != nil || n != 4 {
		t.Fatalf("%d documents kept, %v", n, err)
	}
	// Past five years a document may go (archived elsewhere by then).
	old := chain("KTCD0006", 1, zeroHash, 1)
	old[0].IssuedAt = time.Now().AddDate(-5, 0, -2)
	reg6, _, _ := s.AddRegister(ctx, org.ID, "KTCD0006", "Till 6", "Shop 1")
	if _, err := s.Push(ctx, reg6.ID, old); err != nil {
		t.Fatal(err)
	}
	if _, err := s.pool.Exec(ctx, `DELETE FROM documents WHERE register_id = $1`, reg6.ID); err != nil {
		t.Fatalf("a document older than five years: %v", err)
	}
}
