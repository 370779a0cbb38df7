package storage

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestOpenSetsPragmasOnEveryConnection(t *testing.T) {
	j := openTemp(t)
	ctx := context.Background()
	// Hold three connections at once, so the pool has to open more than one.
	for i := 0; i < 3; i++ {
		c, err := j.db.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		var mode string
		var sync, fk, busy int
		if err := c.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
			t.Fatal(err)
		}
		if err := c.QueryRowContext(ctx, "PRAGMA synchronous").Scan(&sync); err != nil {
			t.Fatal(err)
		}
		if err := c.QueryRowContext(ctx, "PRAGMA foreign_keys").Scan(&fk); err != nil {
			t.Fatal(err)
		}
		if err := c.QueryRowContext(ctx, "PRAGMA busy_timeout").Scan(&busy); err != nil {
			t.Fatal(err)
		}
		if mode != "wal" || sync != 2 || fk != 1 || busy != busyTimeoutMillis {
			t.Errorf("connection %d: journal_mode=%s synchronous=%d foreign_keys=%d busy_timeout=%d; want wal 2 (FULL) 1 %d",
				i, mode, sync, fk, busy, busyTimeoutMillis)
		}
	}
}

func TestOpenMigratesOnceAndReopens(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "j.db")
	for round := 0; round < 3; round++ {
		j, err := Open(ctx, path)
		if err != nil {
			t.Fatalf("round %d: Open: %v", round, err)
		}
		var v int
		if err := j.db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
			t.Fatal(err)
		}
		if v != SchemaVersion() {
			t.Errorf("round %d: user_version = %d, want %d", round, v, SchemaVersion())
		}
		if round == 0 {
			newDesk(t, j).fill(4)
		}
		var n int
		if err := j.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM documents").Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 4 {
			t.Errorf("round %d: %d documents, want 4", round, n)
		}
		if err := j.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}
	}
}

func TestOpenRefusesNewerJournal(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "j.db")
	j, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := j.db.ExecContext(ctx, "PRAGMA user_version = 99"); err != nil {
		t.Fatal(err)
	}
	j.Close()

	_, err = Open(ctx, path)
	if !errors.Is(err, ErrJournalTooNew) {
		t.Fatalf("Open of a version-99 journal: %v, want ErrJournalTooNew", err)
	}
	var ve *VersionError
	if !errors.As(err, &ve) || ve.Found != 99 || ve.Supported != SchemaVersion() {
		t.Errorf("VersionError = %+v", ve)
	}
	var m interface{ MessageID() string }
	if !errors.As(err, &m) || m.MessageID() != "err.journal.too_new" {
		t.Errorf("MessageID of %v is not err.journal.too_new", err)
	}
}

func TestDSNRefusesQuestionMark(t *testing.T) {
	if _, err := Open(context.Background(), filepath.Join(t.TempDir(), "a?b.db")); !errors.Is(err, ErrBadPath) {
		t.Errorf("Open with '?' in the path: %v, want ErrBadPath", err)
	}
	dsn, err := DSN("/data/journal.db")
	if err != nil || !strings.Contains(dsn, "synchronous%28FULL%29") || !strings.Contains(dsn, "_txlock=immediate") {
		t.Errorf("DSN = %q, %v", dsn, err)
	}
}

func TestCheckpointEmptiesWAL(t *testing.T) {
	j := openTemp(t)
	newDesk(t, j).fill(3)
	ctx := context.Background()
	if err := j.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	var busy, frames, done int
	if err := j.db.QueryRowContext(ctx, "PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &frames, &done); err != nil {
		t.Fatal(err)
	}
	if frames != 0 {
		t.Errorf("WAL holds %d frames after Checkpoint, want 0", frames)
	}
}

// A journal written at schema 2 (by the build before migration 3: its schema made by migrations 1
// and 2, documents committed and answered) opens at the current schema: documents_by_shift is
// gone, every document, answer and lookup is still there, the chain holds, and work goes on.
func TestOpenMigratesVersion2Journal(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "j.db")
	old, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	d := newDesk(t, old)
	d.fill(6)
	d.commit(d.reg.CloseShift(d.op, d.tick(), false))
	d.fill(3)
	if err := old.CompleteOutbox(ctx, 1, FiscalResult{Sign: "555", QRLink: "http://q", At: d.now}, 9); err != nil {
		t.Fatal(err)
	}
	if err := old.Close(); err != nil {
		t.Fatal(err)
	}
	downgradeToSchema2(t, path)

	j, err := Open(ctx, path)
	if err != nil {
		t.Fatalf("Open of a schema-2 journal: %v", err)
	}
	defer j.Close()
	var v int
	if err := j.db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil || v != SchemaVersion() || v < 3 {
		t.Errorf("user_version = %d, %v; want %d", v, err, SchemaVersion())
	}
	if hasIndex(t, j.db.DB, "documents_by_shift") {
		t.Error("documents_by_shift is still there")
	}
	for _, idx := range []string{"keys_time", "keys_shift", "keys_number"} {
		if !hasIndex(t, j.db.DB, idx) {
			t.Errorf("%s is gone", idx)
		}
	}
	if res, err := j.Verify(ctx, 1); err != nil || res.Last != 11 {
		t.Errorf("Verify = %+v, %v; want 11 rows", res, err)
	}
	if e, err := j.ReceiptByFiscalSign(ctx, "555"); err != nil || e.Seq != 1 {
		t.Errorf("ReceiptByFiscalSign = %d, %v", e.Seq, err)
	}
	if e, err := j.ReceiptByNumber(ctx, 2, 1); err != nil || e.Seq != 9 {
		t.Errorf("ReceiptByNumber(2, 1) = %d, %v; want 9", e.Seq, err)
	}
	if es, err := j.DocumentsByShift(ctx, 1, Page{}); err != nil || len(es) != 8 {
		t.Errorf("DocumentsByShift(1) = %d entries, %v; want 8", len(es), err)
	}
	if ev, err := j.Events(ctx); err != nil || len(ev) != 1 || ev[0].Kind != "rekey" || !strings.Contains(ev[0].Detail, "documents 1..11 verified") {
		t.Errorf("the re-keying is not recorded: %+v, %v", ev, err)
	}
	if _, err := j.VerifyAll(ctx); err != nil {
		t.Errorf("VerifyAll after the re-keying: %v", err)
	}
	// The outbox's watermark (migration 14): document 1 answered, 2..11 waiting.
	if st, err := j.OutboxStats(ctx); err != nil || st.Waiting != 10 {
		t.Errorf("OutboxStats after the migrations = %+v, %v; want 10 waiting", st, err)
	}
	if e, err := j.NextOutbox(ctx); err != nil || e.Seq != 2 {
		t.Errorf("NextOutbox after the migrations = %d, %v; want 2", e.Seq, err)
	}
	// The link's own row (migration 12 moved it into the chain row): the token of the answer.
	if l, err := j.LinkState(ctx); err != nil || l.Token != 9 {
		t.Errorf("LinkState after the migrations = %+v, %v; want token 9", l, err)
	}
	d.j = j
	if seq := d.sale(false); seq != 12 {
		t.Errorf("the next sale is %d, want 12", seq)
	}
}

// hasIndex says whether the journal's schema has the index name.
func hasIndex(t testing.TB, db *sql.DB, name string) bool {
	t.Helper()
	var n int
	if err := db.QueryRow(`SELECT COUNT(*) FROM sqlite_schema WHERE type = 'index' AND name = ?`, name).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n == 1
}

// downgradeToSchema2 turns the journal at path into what the build before the seal and before
// migration 3 wrote: the unkeyed SHA-256 chain, no key file, no seal columns, documents_by_shift,
// user_version 2.
func downgradeToSchema2(t testing.TB, path string) {
	t.Helper()
	ctx := context.Background()
	unseal(t, path)
	dsn, err := DSN(path)
	if err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, q := range append([]string{
		`DROP VIEW register_state`,
		`CREATE TABLE register_state (
			id      INTEGER PRIMARY KEY CHECK (id = 1),
			content BLOB NOT NULL,
			refusals INTEGER NOT NULL DEFAULT 0,
			mac BLOB
		)`,
		`INSERT INTO register_state SELECT 1, state_content, state_refusals, state_mac FROM chain WHERE state_content IS NOT NULL`,
		`ALTER TABLE chain DROP COLUMN state_content`,
		`ALTER TABLE chain DROP COLUMN state_refusals`,
		`ALTER TABLE chain DROP COLUMN state_mac`,
		`DROP TRIGGER outbox_done_update`,
		`DROP TRIGGER outbox_done_insert`,
		`ALTER TABLE chain DROP COLUMN outbox_done_seq`,
		`CREATE INDEX outbox_waiting ON outbox(seq) WHERE done_at IS NULL`,
		`DROP VIEW ofd_link`,
		`CREATE TABLE ofd_link (
			id            INTEGER PRIMARY KEY CHECK (id = 1),
			token         INTEGER NOT NULL,
			last_reqnum   INTEGER NOT NULL,
			offline_since INTEGER,
			blocked_code  INTEGER NOT NULL,
			info_text     TEXT    NOT NULL
		)`,
		`INSERT INTO ofd_link SELECT 1, link_token, link_reqnum, link_offline_since, link_blocked_code, link_info_text FROM chain`,
		`ALTER TABLE chain DROP COLUMN link_token`,
		`ALTER TABLE chain DROP COLUMN link_reqnum`,
		`ALTER TABLE chain DROP COLUMN link_offline_since`,
		`ALTER TABLE chain DROP COLUMN link_blocked_code`,
		`ALTER TABLE chain DROP COLUMN link_info_text`,
		`DROP TABLE analytics_days`,
		`DROP TABLE analytics_month_hours`,
		`DROP TABLE analytics_item_months`,
		`DROP TABLE analytics_rollup`,
		`DROP TABLE document_keys`, // and the indexes migration 16 moved to it, below
		`CREATE INDEX documents_by_time ON documents(issued_at)`,
		`DROP TABLE item_barcodes`,
		`DROP TABLE items`,
		`DROP TABLE journal_events`,
		`DROP INDEX fiscal_results_unsealed`,
		`ALTER TABLE chain DROP COLUMN key_id`,
		`ALTER TABLE chain DROP COLUMN writes`,
		`ALTER TABLE chain DROP COLUMN opener`,
		`ALTER TABLE register_state DROP COLUMN mac`,
		`ALTER TABLE settings DROP COLUMN mac`,
		`ALTER TABLE cashiers DROP COLUMN mac`,
		`ALTER TABLE fiscal_results DROP COLUMN mac`,
		`DROP TABLE refusals`,
		`ALTER TABLE outbox DROP COLUMN amended`,
		`ALTER TABLE register_state DROP COLUMN refusals`,
		`CREATE INDEX documents_by_shift ON documents(shift_number, number)`,
		`PRAGMA user_version = 2`,
	}, historyAndAnalyticsMigration()[:6]...) { // migration 2's history indexes
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}

// unseal turns the journal at path into one written before the seal (still at the current
// schema): every row hashed with plain SHA-256, no key ID, no MACs, no key file.
func unseal(t testing.TB, path string) {
	t.Helper()
	ctx := context.Background()
	dsn, err := DSN(path)
	if err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	head, err := rehashRows(ctx, tx, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`UPDATE register_state SET mac = NULL`, `UPDATE settings SET mac = NULL`, `UPDATE cashiers SET mac = NULL`,
		`UPDATE fiscal_results SET mac = NULL`, `UPDATE refusals SET mac = NULL`, `DELETE FROM journal_events`,
	} {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE chain SET key_id = NULL, head_hash = ?, verified_seq = 0, verified_hash = zeroblob(32)`, head); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(KeyFile(path)); err != nil {
		t.Fatal(err)
	}
}
