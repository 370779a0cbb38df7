package storage

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/ekassa-go/ekassa/kkm"
)

// sealedDesk is a journal at path with documents, settings, a cashier and OFD answers, closed.
func sealedDesk(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "journal.db")
	j, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	registered(t, j, 777, "010100777001", "SWK1")
	if _, err := j.AddCashier(ctx, kkm.Cashier{Name: "Ержан", Role: kkm.RoleCashier, OperatorCode: 2}); err != nil {
		t.Fatal(err)
	}
	d := newDesk(t, j)
	d.fill(6)
	for seq := int64(1); seq <= 3; seq++ {
		if err := j.CompleteOutbox(ctx, seq, FiscalResult{Sign: "12345" + string(rune('0'+seq)), QRLink: "http://q", At: d.now}, 9); err != nil {
			t.Fatal(err)
		}
	}
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// rawDB opens the journal file with plain SQL, as a person with a database tool would.
func rawDB(t *testing.T, path string) *sql.DB {
	t.Helper()
	dsn, err := DSN(path)
	if err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// rechain recomputes every row's hash after an edit with key (nil: the old unkeyed SHA-256, the
// algorithm the source code shows) and sets the head: what a forger who knows the algorithm but
// not the key can do.
func rechain(t *testing.T, db *sql.DB, key []byte) {
	t.Helper()
	ctx := context.Background()
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	head, err := rehashRows(ctx, tx, key)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE chain SET head_hash = ?, verified_hash = ?`, head, head); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
}

// Every fiscal fact edited behind the app's back, and the chain re-computed by someone without the
// key, fails verification, and the failure says what changed: a document's total (whole content
// and indexed column, the chain recomputed with the old unkeyed hash or with a guessed key), the
// drawer in the state, the permissions in the settings, a cashier's role, an OFD answer, an entry
// marked sent behind the OFD's back.
func TestSealCatchesARewrittenJournal(t *testing.T) {
	ctx := context.Background()
	guessed := make([]byte, keySize)
	rand.Read(guessed)
	cases := []struct {
		name     string
		edit     func(t *testing.T, db *sql.DB)
		what     string
		seq      int64
		tipFinds bool // the tip check finds it too (the rest is the background check's)
	}{
		{"a total edited, the chain recomputed unkeyed", func(t *testing.T, db *sql.DB) {
			editTotal(t, db, 2)
			rechain(t, db, nil)
		}, ChangedDocument, 1, true},
		{"a total edited, the chain recomputed with a guessed key", func(t *testing.T, db *sql.DB) {
			editTotal(t, db, 2)
			rechain(t, db, guessed)
		}, ChangedDocument, 1, true},
		{"a total edited, the chain left", func(t *testing.T, db *sql.DB) { editTotal(t, db, 2) }, ChangedDocument, 2, false},
		{"cash in the drawer raised", func(t *testing.T, db *sql.DB) {
			editJSON(t, db, `register_state`, func(m map[string]any) { m["cash_in_drawer"] = 99_999_999.0 })
		}, ChangedState, 6, true},
		{"permissions lowered", func(t *testing.T, db *sql.DB) {
			editJSON(t, db, `settings`, func(m map[string]any) {
				m["permissions"] = map[string]any{"settings": 0, "change_token": 0, "cashiers": 0}
			})
		}, ChangedSettings, 0, true},
		{"a cashier made administrator", func(t *testing.T, db *sql.DB) {
			var content []byte
			if err := db.QueryRow(`SELECT content FROM cashiers WHERE operator_code = 2`).Scan(&content); err != nil {
				t.Fatal(err)
			}
			var c kkm.Cashier
			json.Unmarshal(content, &c)
			c.Role = kkm.RoleAdministrator
			content, _ = json.Marshal(c)
			sqlExec(t, db, `UPDATE cashiers SET content = ? WHERE operator_code = 2`, content)
		}, ChangedCashier, 1, true},
		{"an OFD answer's fiscal sign changed", func(t *testing.T, db *sql.DB) {
			sqlExec(t, db, `UPDATE fiscal_results SET fiscal_sign = '999999' WHERE seq = 2`)
		}, ChangedFiscal, 2, false},
		{"a waiting entry marked sent", func(t *testing.T, db *sql.DB) {
			sqlExec(t, db, `UPDATE outbox SET done_at = 1 WHERE seq = 5`)
		}, ChangedOutbox, 5, false},
		{"an outbox entry deleted", func(t *testing.T, db *sql.DB) {
			sqlExec(t, db, `DELETE FROM outbox WHERE seq = 6`)
		}, ChangedOutbox, 6, false},
		{"a document's search key changed, hiding it from the history", func(t *testing.T, db *sql.DB) {
			sqlExec(t, db, `UPDATE document_keys SET total = 1 WHERE seq = 3`)
		}, ChangedDocument, 3, false},
		{"a document's search keys deleted", func(t *testing.T, db *sql.DB) {
			sqlExec(t, db, `DELETE FROM document_keys WHERE seq = 4`)
		}, ChangedDocument, 4, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := sealedDesk(t)
			db := rawDB(t, path)
			c.edit(t, db)
			db.Close()
			j, err := Open(ctx, path)
			if err != nil {
				t.Fatal(err)
			}
			defer j.Close()
			tipErr := j.VerifyTip(ctx)
			if c.tipFinds != (tipErr != nil) {
				t.Errorf("VerifyTip: %v, want a finding: %v", tipErr, c.tipFinds)
			}
			_, err = j.VerifyAll(ctx)
			var ce *ChainError
			if !errors.As(err, &ce) || !errors.Is(err, ErrChainBroken) {
				t.Fatalf("VerifyAll: %v, want a ChainError", err)
			}
			what := ce.What
			if what == "" {
				what = ChangedDocument
			}
			if what != c.what || ce.Seq != c.seq {
				t.Errorf("VerifyAll says %s %d (%s), want %s %d", what, ce.Seq, ce.Reason, c.what, c.seq)
			}
			if ce.MessageID() != "err.journal.changed."+c.what {
				t.Errorf("MessageID %q", ce.MessageID())
			}
		})
	}
}

// The key is outside the journal: a sealed journal whose key file is gone, or replaced by another
// key, is refused by name at Open instead of being re-keyed (re-keying is only for a journal that
// was never sealed).
func TestSealKeyMissingOrReplaced(t *testing.T) {
	ctx := context.Background()
	path := sealedDesk(t)
	if fi, err := os.Stat(KeyFile(path)); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v, %v", fi, err)
	}
	key, _ := os.ReadFile(KeyFile(path))
	other := make([]byte, keySize)
	rand.Read(other)
	if err := os.WriteFile(KeyFile(path), other, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(ctx, path); !errors.Is(err, ErrKeyMismatch) {
		t.Fatalf("another key: %v", err)
	}
	os.Remove(KeyFile(path))
	if _, err := Open(ctx, path); !errors.Is(err, ErrKeyMissing) {
		t.Fatalf("no key: %v", err)
	}
	if _, err := os.Stat(KeyFile(path)); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("Open made a new key for a sealed journal")
	}
	os.WriteFile(KeyFile(path), key, 0o644)
	j, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	if _, err := j.VerifyAll(ctx); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(KeyFile(path)); fi.Mode().Perm() != 0o600 {
		t.Errorf("a loose key file stays %v", fi.Mode().Perm())
	}
}

// A legacy journal (written before the seal) whose unkeyed chain does not hold is not blessed by
// re-keying: Open refuses it and leaves it as it was.
func TestRekeyRefusesABrokenLegacyChain(t *testing.T) {
	ctx := context.Background()
	path := sealedDesk(t)
	unseal(t, path)
	db := rawDB(t, path)
	editTotal(t, db, 3)
	db.Close()
	if _, err := Open(ctx, path); !errors.Is(err, ErrChainBroken) {
		t.Fatalf("a broken legacy journal: %v", err)
	}
	var keyID []byte
	db = rawDB(t, path)
	if err := db.QueryRow(`SELECT key_id FROM chain`).Scan(&keyID); err != nil || keyID != nil {
		t.Fatalf("the broken journal was sealed: %x, %v", keyID, err)
	}
}

func sqlExec(t *testing.T, db *sql.DB, q string, args ...any) {
	t.Helper()
	if _, err := db.Exec(q, args...); err != nil {
		t.Fatal(err)
	}
}

// editTotal raises document seq's total in its content and its indexed column.
func editTotal(t *testing.T, db *sql.DB, seq int64) {
	t.Helper()
	var content []byte
	if err := db.QueryRow(`SELECT content FROM documents WHERE seq = ?`, seq).Scan(&content); err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(content, &m); err != nil {
		t.Fatal(err)
	}
	m["edited"] = true
	content, _ = json.Marshal(m)
	sqlExec(t, db, `UPDATE documents SET content = ?, total = total + 100 WHERE seq = ?`, content, seq)
}

// editJSON changes the one JSON row of table.
func editJSON(t *testing.T, db *sql.DB, table string, f func(map[string]any)) {
	t.Helper()
	var content []byte
	if err := db.QueryRow(`SELECT content FROM ` + table + ` WHERE id = 1`).Scan(&content); err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(content, &m); err != nil {
		t.Fatal(err)
	}
	f(m)
	content, _ = json.Marshal(m)
	sqlExec(t, db, `UPDATE `+table+` SET content = ? WHERE id = 1`, content)
}
