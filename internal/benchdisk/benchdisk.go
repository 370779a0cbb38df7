// Package benchdisk is the benchmarks' yardstick for the disk: one durable insert of a 600-byte
// row per transaction into a SQLite file of its own, opened as the journal is (the caller passes
// storage.DSN, synchronous=FULL; storage's own tests import this package, so it cannot import
// storage). Issue 16's goals are ratios to it measured in the same run,
// because an fsync here costs twice as much in one minute as in the next; the storage, delivery
// and app benchmarks all set their figures beside this one insert.
package benchdisk

import (
	"context"
	"crypto/rand"
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	_ "modernc.org/sqlite" // the journal's driver, registered as "sqlite"
)

// Inserter makes bare durable inserts.
type Inserter struct {
	tb   testing.TB
	path string
	db   *sql.DB
	body []byte
}

// New creates bare.db in the test's temporary folder (beside the benchmark's journal, on the
// same disk), opens it with the data source name dsn gives for its path (storage.DSN: the
// journal's pragmas) and creates its table; it is closed when the test ends.
func New(tb testing.TB, dsn func(path string) (string, error)) *Inserter {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "bare.db")
	name, err := dsn(path)
	if err != nil {
		tb.Fatal(err)
	}
	db, err := sql.Open("sqlite", name)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	if _, err := db.Exec(`CREATE TABLE bare (id INTEGER PRIMARY KEY, body BLOB NOT NULL)`); err != nil {
		tb.Fatal(err)
	}
	body := make([]byte, 600)
	rand.Read(body)
	return &Inserter{tb: tb, path: path, db: db, body: body}
}

// Path is the database file's path (its WAL is beside it, Path()+"-wal").
func (in *Inserter) Path() string { return in.path }

// Insert makes one durable insert: BEGIN, one row, COMMIT (the fsync).
func (in *Inserter) Insert() {
	ctx := context.Background()
	tx, err := in.db.BeginTx(ctx, nil)
	if err != nil {
		in.tb.Fatal(err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO bare (body) VALUES (?)`, in.body); err != nil {
		in.tb.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		in.tb.Fatal(err)
	}
}

// Run makes n inserts back to back and returns how long they took.
func (in *Inserter) Run(n int) time.Duration {
	start := time.Now()
	for range n {
		in.Insert()
	}
	return time.Since(start)
}
