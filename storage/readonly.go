package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
)

// A full disk at start (design.md §3.10, issue 15 item 3).
//
// On a full disk SQLite cannot even open the journal the usual way: the WAL's shared-memory index
// (`journal.db-shm`) cannot grow, and the open fails with an I/O error. The register must still
// show its history and take a backup, so Open then opens the journal read-only in exclusive
// locking mode, in which SQLite keeps the WAL index in the process's own memory and needs no
// -shm (the OS lock held for the journal makes exclusive mode safe: no one else may open it).
// The journal comes back with ErrDiskFull latched: every write is refused with it, reads and
// Backup work. Free space and start again to sell.

// minFreeBytes is the free space under which a failed open counts as a full disk.
const minFreeBytes = 1 << 20

// readOnlyDSN is the DSN of the read-only fallback: exclusive locking before the first access
// (so no -shm is ever touched), no journal_mode change, one connection.
func readOnlyDSN(path string) string {
	q := url.Values{}
	q.Add("_pragma", "locking_mode(EXCLUSIVE)")
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busyTimeoutMillis))
	q.Add("_pragma", "foreign_keys(ON)")
	return path + "?" + q.Encode()
}

// openFull is Open's answer to a journal that failed to open with err: when the disk is full,
// the journal opened read-only with ErrDiskFull latched; otherwise err.
func openFull(ctx context.Context, path string, lock *journalLock, err error) (*Journal, error) {
	var fe *FaultError
	if !errors.As(err, &fe) || (fe.Code != ErrDiskFull && fe.Code != ErrJournalIO) {
		return nil, err
	}
	if fe.Code != ErrDiskFull && !noSpace(filepath.Dir(path)) {
		return nil, err
	}
	db, oerr := sql.Open("sqlite", readOnlyDSN(path))
	if oerr != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1) // exclusive locking: one connection holds the file
	// No answer log on a read-only journal: nothing to settle (answers.go).
	j := &Journal{db: pool{DB: db}, path: path, lock: lock}
	j.faults.set(&FaultError{Code: ErrDiskFull, Path: path, Reason: "the disk is full: opened read-only", Err: err})
	if oerr := j.openReadOnly(ctx); oerr != nil {
		if j.st != nil {
			j.st.close()
		}
		db.Close()
		return nil, errors.Join(err, oerr)
	}
	return j, nil
}

// openReadOnly checks the journal and prepares its statements, writing nothing.
func (j *Journal) openReadOnly(ctx context.Context) error {
	var v int
	if err := j.db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
		return err
	}
	if v != SchemaVersion() {
		return fmt.Errorf("storage: a read-only journal at schema %d, this build needs %d", v, SchemaVersion())
	}
	var err error
	if j.st, err = prepareStatements(ctx, j.db.DB); err != nil {
		return err
	}
	return j.db.QueryRowContext(ctx, chainHeadSQL).Scan(&j.head.seq, &j.head.hash)
}
