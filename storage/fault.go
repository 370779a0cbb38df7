package storage

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	sqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// Faults of the journal itself (design.md §3.10): the file deleted, renamed or replaced under the
// running app, a damaged database, an I/O error, a full disk.
//
// A fault is latched: the first one the journal meets (at Open's check, at the file check before
// a write, or in the answer of any statement) is kept, and from then on every write transaction —
// Commit above all — is refused with it, so no document is accepted on a journal that failed.
// Reads go on (the history, a backup) for as long as SQLite can serve them. The app shows the
// fault (Journal.Fault) with its translated message and the way out.
//
// When the file under the app is gone or replaced, the process still holds the real journal
// through its open descriptors (an unlinked file lives on until it is closed): before refusing,
// the journal writes it out to a recovery file next to the path (`journal.db.recovered-<time>.db`,
// a verified journal like a backup), which restores through «Восстановить из резервной копии».
// When an older copy was written over the file in place instead (same inode), SQLite's view can
// no longer be trusted: identity.go finds it from the files' own bytes, and recovery.go writes the
// recovery file from what the process itself committed.
// docs/fault-matrix.md lists the faults and their ways out.

// The journal faults. Each value is its own message ID.
const (
	// ErrJournalGone: the journal file was deleted, renamed or replaced while the app ran.
	ErrJournalGone ErrorCode = "err.journal.file_gone"
	// ErrJournalCorrupt: SQLite found the database damaged (or not a database at all).
	ErrJournalCorrupt ErrorCode = "err.journal.corrupt"
	// ErrJournalIO: the storage failed to read or write the journal.
	ErrJournalIO ErrorCode = "err.journal.io"
	// ErrDiskFull: no space left for the journal.
	ErrDiskFull ErrorCode = "err.journal.disk_full"
)

// FaultError is a latched journal fault: what happened and, for a journal whose file went away,
// where the process saved what it still held. It matches its Code with errors.Is.
type FaultError struct {
	Code     ErrorCode // ErrJournalGone, ErrJournalCorrupt, ErrJournalIO or ErrDiskFull
	Path     string    // the journal
	Reason   string    // in English, for logs
	Recovery string    // the recovery file written for ErrJournalGone, "" if none could be
	Err      error     // the cause
}

// Error says what happened to which journal.
func (e *FaultError) Error() string {
	s := fmt.Sprintf("storage: journal %s: %s", e.Path, e.Reason)
	if e.Recovery != "" {
		s += "; what the app held is saved in " + e.Recovery
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// MessageID returns the code's message ID (with a recovery file: the code's ".saved" variant).
func (e *FaultError) MessageID() string {
	if e.Recovery != "" {
		return string(e.Code) + ".saved"
	}
	return string(e.Code)
}

// TemplateData gives the messages the recovery file's name.
func (e *FaultError) TemplateData() map[string]any {
	return map[string]any{"File": e.Recovery}
}

// Unwrap returns the code and the cause.
func (e *FaultError) Unwrap() []error {
	if e.Err != nil {
		return []error{e.Code, e.Err}
	}
	return []error{e.Code}
}

// faultCode sorts an SQLite error into a journal fault, or "" for an error that is not one (a
// constraint, a busy timeout, a cancelled context).
func faultCode(err error) ErrorCode {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return ""
	}
	switch se.Code() & 0xff { // the primary result code; the extended codes refine it
	case sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB:
		return ErrJournalCorrupt
	case sqlite3.SQLITE_IOERR, sqlite3.SQLITE_CANTOPEN:
		return ErrJournalIO
	case sqlite3.SQLITE_FULL:
		return ErrDiskFull
	}
	return ""
}

// faultLatch keeps the journal's first fault.
type faultLatch struct {
	mu    sync.Mutex
	fault *FaultError
}

func (l *faultLatch) get() *FaultError {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.fault
}

// set keeps f unless a fault is kept already, and returns the one kept.
func (l *faultLatch) set(f *FaultError) *FaultError {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.fault == nil {
		l.fault = f
	}
	return l.fault
}

// Fault returns the journal's latched fault, or nil while it is sound. Writes are refused with it.
func (j *Journal) Fault() error {
	if f := j.faults.get(); f != nil {
		return f
	}
	return nil
}

// fail latches err when it is a journal fault and returns the error to pass on: the fault
// (which wraps err) or err unchanged.
func (j *Journal) fail(err error) error {
	if err == nil {
		return nil
	}
	var fe *FaultError
	if errors.As(err, &fe) {
		j.faults.set(fe)
		return err
	}
	code := faultCode(err)
	if code == "" {
		return err
	}
	reason := map[ErrorCode]string{
		ErrJournalCorrupt: "the database is damaged",
		ErrJournalIO:      "the storage failed",
		ErrDiskFull:       "the disk is full",
	}[code]
	return j.faults.set(&FaultError{Code: code, Path: j.path, Reason: reason, Err: err})
}

// fileID is what identifies the journal's files on disk while the journal is open.
type fileID struct {
	db, wal os.FileInfo
}

// statFiles reads the identity of the journal file and its WAL at path.
func statFiles(path string) (fileID, error) {
	db, err := os.Stat(path)
	if err != nil {
		return fileID{}, err
	}
	wal, err := os.Stat(path + "-wal")
	if err != nil {
		return fileID{}, err
	}
	return fileID{db: db, wal: wal}, nil
}

// checkFile refuses to write when the journal has a fault, or when the file at the journal's path
// is no longer the one this process has open (deleted, renamed, replaced; the WAL likewise): then
// it latches ErrJournalGone, after writing what the process still holds to a recovery file. Two
// stat calls on the receipt path (BenchmarkCheckFile).
func (j *Journal) checkFile(ctx context.Context) error {
	if f := j.faults.get(); f != nil {
		return f
	}
	now, err := statFiles(j.path)
	if err == nil {
		j.seen = now // the sizes, for the identity check that follows (identity.go)
	}
	var reason string
	switch {
	case err != nil:
		reason = "the journal file or its WAL is no longer at its path"
	case !os.SameFile(now.db, j.files.db):
		reason = "another file has taken the journal's path"
	case !os.SameFile(now.wal, j.files.wal):
		reason = "another file has taken the journal's WAL's path"
	default:
		return nil
	}
	return j.goneFault(ctx, reason, err)
}

// goneFault latches ErrJournalGone, writing the recovery file first (once).
func (j *Journal) goneFault(ctx context.Context, reason string, cause error) error {
	j.recoverMu.Lock()
	defer j.recoverMu.Unlock()
	if f := j.faults.get(); f != nil {
		return f
	}
	f := &FaultError{Code: ErrJournalGone, Path: j.path, Reason: reason, Err: cause}
	rec, err := j.writeRecovery(ctx)
	if err != nil {
		f.Reason += fmt.Sprintf(" (and no recovery file could be written: %v)", err)
	}
	f.Recovery = rec
	return j.faults.set(f)
}

// writeRecovery writes the journal as this process holds it (through its open descriptors, even
// when the file is unlinked) to a fresh recovery file next to the journal's path, or in the
// system's temporary folder when that folder is gone, verifies it and returns its path.
func (j *Journal) writeRecovery(ctx context.Context) (string, error) {
	name := fmt.Sprintf("%s.recovered-%s.db", filepath.Base(j.path), time.Now().UTC().Format("20060102T150405.000"))
	var errs []error
	for _, dir := range []string{filepath.Dir(j.path), os.TempDir()} {
		p := filepath.Join(dir, name)
		if _, err := j.view().ExecContext(ctx, `VACUUM INTO ?`, p); err != nil {
			os.Remove(p)
			errs = append(errs, err)
			continue
		}
		if err := syncFile(p); err != nil {
			errs = append(errs, err)
			continue
		}
		if err := os.Chmod(p, 0o600); err != nil {
			errs = append(errs, err)
			continue
		}
		// The seal's key goes beside it: the journal's own folder may be what went away.
		if err := writeKeyFile(KeyFile(p), j.seal.key); err != nil {
			errs = append(errs, err)
			continue
		}
		if _, err := inspectPlain(ctx, p, j.seal.key); err != nil {
			errs = append(errs, fmt.Errorf("the recovery file %s does not verify: %w", p, err))
			continue
		}
		return p, nil
	}
	return "", errors.Join(errs...)
}
