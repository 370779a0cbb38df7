// Package storage is the register's journal: one SQLite file (modernc.org/sqlite, pure Go) that
// holds every document the register issued, the register's state (shift and its ZX counters),
// the OFD outbox and link state, the settings and the cashiers.
//
// The journal keeps the invariants of design.md §3:
//
//   - Durable before visible: the file is in WAL mode with synchronous=FULL, and Commit writes a
//     document, the register state it changes and its outbox entry in one transaction.
//   - Nothing lost, nothing twice: AssignNextRequest (or Commit itself, for an online document
//     onto an empty queue) commits a request's (TOKEN, REQNUM) before it leaves, with the REQNUM
//     taken from the journal in the same transaction, and returns the same pair on every retry;
//     only ReassignRefusedRequest, after the OFD refused the document, gives it a new one.
//     CompleteAndAssignNext (or CompleteOutbox) stores the OFD's answer and the new token in one
//     transaction.
//   - Strict order: the outbox is read oldest first (NextOutbox) and only the oldest waiting entry
//     can be assigned or completed.
//
// Every document row is chained to the one before by a SHA-256 hash (see chain.go), so an edited,
// inserted or deleted row is found by Verify.
package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strings"

	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver
)

// busyTimeoutMillis is how long a connection waits for another one's write lock.
const busyTimeoutMillis = 5000

// Journal is an open journal file. It is safe for concurrent use: reads run in parallel (WAL),
// writes are serialised by SQLite's write lock, taken at BEGIN (_txlock=immediate) so that two
// writers never deadlock upgrading a read lock.
type Journal struct {
	db   *sql.DB
	path string
	st   *statements // the write path's prepared statements
}

// DSN returns the modernc.org/sqlite data source name the journal opens path with. The pragmas
// travel in the DSN (`_pragma=`), so every connection of the pool gets them, not only the first:
// WAL, synchronous=FULL (a committed transaction survives power loss), foreign keys on, and a
// busy timeout.
func DSN(path string) (string, error) {
	if strings.Contains(path, "?") {
		return "", fmt.Errorf("%w: %q", ErrBadPath, path)
	}
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busyTimeoutMillis))
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(FULL)")
	q.Add("_pragma", "foreign_keys(ON)")
	q.Set("_txlock", "immediate")
	return path + "?" + q.Encode(), nil
}

// Open opens (creating if needed) the journal at path and brings its schema up to date. A journal
// written by a newer version of the app is refused with a *VersionError (ErrJournalTooNew).
func Open(ctx context.Context, path string) (*Journal, error) {
	dsn, err := DSN(path)
	if err != nil {
		return nil, err
	}
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("storage: open %s: %w", path, err)
	}
	j := &Journal{db: db, path: path}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("storage: open %s: %w", path, err)
	}
	if err := migrate(ctx, db); err != nil {
		db.Close()
		return nil, err
	}
	if j.st, err = prepareStatements(ctx, db); err != nil {
		db.Close()
		return nil, err
	}
	return j, nil
}

// Path returns the file the journal was opened from.
func (j *Journal) Path() string { return j.path }

// Checkpoint copies the WAL into the main database file and truncates the WAL. The app calls it
// when it goes to the background, so a phone that kills it finds a compact file; it is not needed
// for durability (a committed transaction is durable in the WAL already).
func (j *Journal) Checkpoint(ctx context.Context) error {
	var busy, logFrames, checkpointed int
	err := j.db.QueryRowContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)").Scan(&busy, &logFrames, &checkpointed)
	if err != nil {
		return fmt.Errorf("storage: checkpoint: %w", err)
	}
	return nil
}

// Close checkpoints the WAL and closes the journal.
func (j *Journal) Close() error {
	cerr := j.Checkpoint(context.Background())
	return errors.Join(cerr, j.closeDB())
}

// closeDB closes the prepared statements and the database, without a checkpoint.
func (j *Journal) closeDB() error {
	return errors.Join(j.st.close(), j.db.Close())
}

// inTx runs fn in one write transaction and commits it, or rolls back if fn or the commit fails.
func (j *Journal) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := j.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("storage: begin: %w", err)
	}
	if err := fn(tx); err != nil {
		return errors.Join(err, rollback(tx))
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("storage: commit: %w", err)
	}
	return nil
}

// rollback rolls tx back, ignoring the error of a transaction that is already gone.
func rollback(tx *sql.Tx) error {
	if err := tx.Rollback(); err != nil && !errors.Is(err, sql.ErrTxDone) {
		return fmt.Errorf("storage: rollback: %w", err)
	}
	return nil
}
