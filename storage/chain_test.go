package storage

import (
	"context"
	"errors"
	"testing"
)

func TestVerifyFindsTamperedRow(t *testing.T) {
	tests := []struct {
		name    string
		tamper  string // raw SQL run behind the journal's back
		wantSeq int64
	}{
		{"content edited", `UPDATE documents SET content = replace(content, '"shift":1', '"shift":2') WHERE seq = 4`, 4},
		{"indexed total edited", `UPDATE documents SET total = total + 100 WHERE seq = 3`, 3},
		{"offline flag edited", `UPDATE documents SET offline = 1 - offline WHERE seq = 5`, 5},
		{"middle row deleted", `DELETE FROM documents WHERE seq = 3`, 3},
		{"first row deleted", `DELETE FROM documents WHERE seq = 1`, 1},
		{"last row deleted", `DELETE FROM documents WHERE seq = 6`, 6},
		{"row appended", `INSERT INTO documents (seq, kind, shift_number, number, issued_at, total, offline, content, prev_hash, hash)
			SELECT 7, kind, shift_number, number + 10, issued_at, total, offline, content, hash, hash FROM documents WHERE seq = 6`, 7},
		{"row inserted in the middle", `UPDATE documents SET seq = -seq WHERE seq >= 5;
			UPDATE documents SET seq = 1 - seq WHERE seq < 0;
			INSERT INTO documents (seq, kind, shift_number, number, issued_at, total, offline, content, prev_hash, hash)
				SELECT 5, kind, shift_number, number, issued_at, total, offline, content, hash, hash FROM documents WHERE seq = 4`, 5},
		{"hash recomputed by hand without its successor", `UPDATE documents SET hash = zeroblob(32) WHERE seq = 2`, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			j := openTemp(t)
			newDesk(t, j).fill(6)
			ctx := context.Background()
			if res, err := j.Verify(ctx, 1); err != nil || res.Checked != 6 || res.Last != 6 {
				t.Fatalf("Verify of an intact journal: %+v, %v", res, err)
			}
			// The outbox row would keep a deleted document; drop foreign keys for the forgery.
			if _, err := j.db.ExecContext(ctx, "PRAGMA foreign_keys = OFF"); err != nil {
				t.Fatal(err)
			}
			if _, err := j.db.ExecContext(ctx, tt.tamper); err != nil {
				t.Fatalf("tamper: %v", err)
			}
			_, err := j.Verify(ctx, 1)
			var ce *ChainError
			if !errors.As(err, &ce) || !errors.Is(err, ErrChainBroken) {
				t.Fatalf("Verify after tampering: %v, want a ChainError", err)
			}
			if ce.Seq != tt.wantSeq {
				t.Errorf("ChainError at %d (%s), want %d", ce.Seq, ce.Reason, tt.wantSeq)
			}
			if ce.MessageID() != "err.journal.changed.document" {
				t.Errorf("MessageID = %q", ce.MessageID())
			}
		})
	}
}

func TestVerifyFindsForgedRowWithValidHash(t *testing.T) {
	// A forger who knows the hash function appends a row with a correct hash: the chain's head,
	// written by Commit, still ends at the real last row.
	j := openTemp(t)
	newDesk(t, j).fill(3)
	ctx := context.Background()
	var r chainRow
	var prev []byte
	if err := j.db.QueryRowContext(ctx, `SELECT kind, shift_number, number, issued_at, total, offline, content, hash
		FROM documents WHERE seq = 3`).Scan(&r.kind, &r.shiftNumber, &r.number, &r.issuedAt, &r.total, &r.offline,
		&r.content, &prev); err != nil {
		t.Fatal(err)
	}
	r.seq, r.number = 4, r.number+1
	if _, err := j.db.ExecContext(ctx, `INSERT INTO documents (seq, kind, shift_number, number, issued_at, total,
		offline, content, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.seq, r.kind, r.shiftNumber, r.number, r.issuedAt, r.total, r.offline, r.content, prev, newChainHasher(j.seal.key).rowHash(prev, r)); err != nil {
		t.Fatal(err)
	}
	var ce *ChainError
	if _, err := j.Verify(ctx, 1); !errors.As(err, &ce) || ce.Seq != 4 {
		t.Errorf("Verify: %v, want a ChainError at 4", err)
	}
}

func TestVerifyFromCheckpointChecksOnlyNewRows(t *testing.T) {
	j := openTemp(t)
	d := newDesk(t, j)
	ctx := context.Background()

	if res, err := j.VerifyFromCheckpoint(ctx); err != nil || res.Checked != 0 {
		t.Fatalf("empty journal: %+v, %v", res, err)
	}
	d.fill(5)
	if res, err := j.VerifyFromCheckpoint(ctx); err != nil || res.Checked != 5 || res.Last != 5 {
		t.Fatalf("first check: %+v, %v", res, err)
	}
	d.fill(3)
	res, err := j.VerifyFromCheckpoint(ctx)
	if err != nil || res.From != 6 || res.Checked != 3 || res.Last != 8 {
		t.Fatalf("second check: %+v, %v; want rows 6..8 only", res, err)
	}
	// A verify that starts after the checkpoint does not move it.
	d.fill(2)
	if _, err := j.Verify(ctx, 10); err != nil {
		t.Fatal(err)
	}
	if res, err := j.VerifyFromCheckpoint(ctx); err != nil || res.From != 9 || res.Checked != 2 {
		t.Fatalf("after a partial verify: %+v, %v; want rows 9..10", res, err)
	}
	// The verified point itself is checked.
	if _, err := j.db.ExecContext(ctx, `UPDATE documents SET hash = zeroblob(32) WHERE seq = 10`); err != nil {
		t.Fatal(err)
	}
	var ce *ChainError
	if _, err := j.VerifyFromCheckpoint(ctx); !errors.As(err, &ce) || ce.Seq != 10 {
		t.Errorf("changed verified row: %v, want a ChainError at 10", err)
	}
}
