package storage

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
)

// One writer (design.md §3.10).
//
// Two processes that both sell from one journal issue the same document numbers twice and let
// the drawer drift from the documents; SQLite's own locks only serialise their transactions, they
// do not stop the second process from computing its documents from a state the first has moved
// on. So the journal is held for the life of its Journal: Open takes an exclusive OS lock (flock
// on Unix, Android and iOS; LockFileEx on Windows) on a lock file beside the journal
// (`journal.db.lock`), without waiting, and refuses with ErrJournalInUse when another process
// holds it. The lock is on a file of its own, not on the database, because SQLite's POSIX
// (fcntl) locks on the database are dropped by the kernel whenever any descriptor of that file is
// closed in the process, and SQLite opens and closes them as it likes. The kernel drops the lock
// when the process dies, so a crash never leaves a stale lock behind.
//
// A second Open of the same journal in the same process is refused too: the held journals are
// listed in openJournals (process-wide by nature: the OS lock is per process as well).

// ErrJournalInUse: the journal is open in another process (another window of the app, a second
// app) or already open in this one. The register is open elsewhere.
const ErrJournalInUse ErrorCode = "err.journal.in_use"

// LockError says that the journal could not be held for this process.
// It matches ErrJournalInUse with errors.Is when another holder has it.
type LockError struct {
	Path        string // the journal
	SameProcess bool   // this process already has it open
	Err         error  // the OS's answer, when it was not "held by another"
}

// Error names the journal and who holds it.
func (e *LockError) Error() string {
	switch {
	case e.Err != nil:
		return fmt.Sprintf("storage: cannot lock the journal %s: %v", e.Path, e.Err)
	case e.SameProcess:
		return fmt.Sprintf("storage: the journal %s is already open in this process", e.Path)
	}
	return fmt.Sprintf("storage: the journal %s is open in another process", e.Path)
}

// MessageID is ErrJournalInUse's message ID.
func (e *LockError) MessageID() string { return ErrJournalInUse.MessageID() }

// Unwrap makes errors.Is(err, ErrJournalInUse) true when someone else holds the journal.
func (e *LockError) Unwrap() []error {
	if e.Err != nil {
		return []error{e.Err}
	}
	return []error{ErrJournalInUse}
}

// errLockHeld is what the platform's tryLock returns when another holder has the lock.
var errLockHeld = errors.New("lock held by another")

// openJournals are the journals (absolute paths) this process holds.
var openJournals = struct {
	sync.Mutex
	paths map[string]bool
}{paths: map[string]bool{}}

// journalLock is a held journal: the OS lock on its lock file and its entry in openJournals.
type journalLock struct {
	key      string
	file     *os.File
	released bool // guarded by openJournals; a second release must not free a later holder's entry
}

// lockJournal holds the journal at path for this process, or says who has it.
func lockJournal(path string) (*journalLock, error) {
	key, err := filepath.Abs(path)
	if err != nil {
		return nil, &LockError{Path: path, Err: err}
	}
	openJournals.Lock()
	defer openJournals.Unlock()
	if openJournals.paths[key] {
		return nil, &LockError{Path: path, SameProcess: true}
	}
	f, err := os.OpenFile(key+".lock", os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, &LockError{Path: path, Err: err}
	}
	if err := tryLock(f); err != nil {
		f.Close()
		if errors.Is(err, errLockHeld) {
			return nil, &LockError{Path: path}
		}
		return nil, &LockError{Path: path, Err: err}
	}
	openJournals.paths[key] = true
	return &journalLock{key: key, file: f}, nil
}

// release lets the journal go: closing the file drops the OS lock. The lock file stays (removing
// it would let a third process lock a new file while a second still waits on the old one).
func (l *journalLock) release() error {
	if l == nil {
		return nil
	}
	openJournals.Lock()
	defer openJournals.Unlock()
	if l.released {
		return nil
	}
	l.released = true
	delete(openJournals.paths, l.key)
	return l.file.Close()
}
