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
//
// It must not import ofdclient, delivery, ui or app (nor Fyne): the journal is SQL and nothing
// else. It returns rows; formatting them (CSV) is package csvexport's.
package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver
)

// busyTimeoutMillis is how long a connection waits for another one's write lock.
const busyTimeoutMillis = 5000

// Journal is an open journal file. It is safe for concurrent use: reads run in parallel (WAL),
// writes are serialised by SQLite's write lock, taken at BEGIN (_txlock=immediate) so that two
// writers never deadlock upgrading a read lock.
type Journal struct {
	db   pool
	path string
	st   *statements // the write path's prepared statements
	// the write transaction on the held connection and its BEGIN, COMMIT and ROLLBACK
	// (statements.go, Tx)
	tx                            *Tx
	txBegin, txCommit, txRollback *sql.Stmt

	// The file under the app (lock.go, fault.go).
	lock *journalLock // the OS lock held for the journal's life
	// hold is one connection kept open, so SQLite never deletes and recreates the WAL; every
	// write transaction and the sale path's reads run on it (statements.go, Tx, hotRead).
	hold      *sql.Conn
	files     fileID     // the journal file and WAL this process opened
	seen      fileID     // the files at the path as the last path check found them
	faults    faultLatch // the first fault met; writes are refused with it
	recoverMu sync.Mutex // one recovery file at a time
	id        *identity  // the files' own bytes, read past SQLite (identity.go)

	// writeMu serialises every write transaction and checkpoint of this process, so that the
	// files' mark taken after one is what the next one finds unless another program wrote. It
	// also guards sess and pend.
	writeMu sync.Mutex
	sess    session    // what this process committed since Open (recovery.go)
	found   *asFound   // the files at the path as another program left them (recovery.go)
	pend    session    // what the running write transaction notes, merged into sess at its commit
	check   *fileCheck // the whole file's check, running or done (check.go)

	foldState // the analytics aggregates' fold (analytics_fold.go)

	checkpointMu sync.Mutex       // one checkpoint at a time, taken before writeMu (checkpoint.go)
	background   backgroundCounts // the work done beside the writes (BackgroundWork)
	closed       bool             // closeDB has begun (guarded by writeMu)
	idle         *time.Timer      // runs whenIdle after a pause in the writes (idle.go; guarded by writeMu)

	// commitMu serialises Commit in this process and guards head: the chain head the last
	// Commit (or Open) left, which the next Commit must find, or the file changed under the app.
	commitMu sync.Mutex

	// catalogue is the search index of the catalogue's names (catalogue_index.go).
	catalogue searchIndex
	head      chainHead

	seal sealer      // the key every fiscal fact is sealed with (seal.go)
	ans  answerState // the answer log and what it holds that SQLite does not yet (answers.go)
	// scryptWork is the scrypt work factor of the backups it writes (backupWorkFactor when 0;
	// tests lower it).
	scryptWork int
}

// chainHead is the hash chain's head as a Commit leaves it.
type chainHead struct {
	seq  int64
	hash []byte
}

// walLimit is the most the WAL file keeps after the WAL starts again: past the forced
// checkpoint's size (checkpoint.go), so a journal written without a pause keeps its file whole.
const walLimit = 2 * checkpointForce

// synchronous is the journal's synchronous pragma. It is FULL, always, in the app: a commit is
// durable before it returns (design.md §3). Only the storage package's own benchmarks set OFF, to
// measure what a commit costs beyond its fsync (BenchmarkCommitOverBareInsert).
var synchronous = "FULL"

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
	q.Add("_pragma", "synchronous("+synchronous+")")
	q.Add("_pragma", "foreign_keys(ON)")
	// After a complete checkpoint SQLite starts the WAL again at its beginning. It writes over
	// the file in place rather than truncating it (journal_size_limit(0) truncated it to what
	// the new generation held): a commit that only overwrites allocated blocks is synced without
	// the file system's metadata (fdatasync, as the answer log, answerlog.go), and the first sale
	// after a checkpoint no longer pays for freeing 16 MB of blocks (10–15 ms here, the slowest
	// of BenchmarkReceiptToFiscalSign). The file keeps the largest size the WAL reached since the
	// last truncating checkpoint (Journal.Checkpoint: the app going to the background, Close),
	// walLimit at most.
	q.Add("_pragma", fmt.Sprintf("journal_size_limit(%d)", walLimit))
	// The journal copies its WAL into the database file itself, off the commit (checkpoint.go).
	q.Add("_pragma", "wal_autocheckpoint(0)")
	q.Set("_txlock", "immediate")
	return path + "?" + q.Encode(), nil
}

// Open opens (creating if needed) the journal at path and brings its schema up to date. A journal
// written by a newer version of the app is refused with a *VersionError (ErrJournalTooNew).
//
// The journal is held for this process until Close (ErrJournalInUse when another process or
// another Journal of this process has it, see lock.go), and checked before it is used (check.go):
// a damaged database is refused with a *FaultError (ErrJournalCorrupt, ErrJournalIO). On a full
// disk the journal opens read-only with ErrDiskFull latched (Fault), see readonly.go.
//
// The seal key is read from KeyFile(path); a journal that was never sealed gets a new key there
// and is re-keyed (seal.go), a sealed journal without its key is refused with a *ChainError
// (ErrKeyMissing, ErrKeyMismatch).
func Open(ctx context.Context, path string) (*Journal, error) {
	return openKeyed(ctx, path, nil)
}

// openKeyed opens the journal at path sealed with key, or with its key file when key is nil.
func openKeyed(ctx context.Context, path string, key []byte) (*Journal, error) {
	dsn, err := DSN(path)
	if err != nil {
		return nil, err
	}
	if err := ownerOnly(path); err != nil {
		return nil, err
	}
	lock, err := lockJournal(path)
	if err != nil {
		return nil, err
	}
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		lock.release()
		return nil, fmt.Errorf("storage: open %s: %w", path, err)
	}
	j := &Journal{db: pool{DB: db}, path: path, lock: lock}
	j.db.j = j
	if err := j.open(ctx); err != nil {
		j.lock = nil // kept for the read-only fallback
		j.closeDB()
		if ro, rerr := openFull(ctx, path, lock, err); rerr == nil {
			// Read-only: a sealed journal's key is read (nothing is re-keyed on a full disk).
			_ = ro.keyUp(ctx, KeyFile(path), key)
			return ro, nil
		}
		lock.release()
		return nil, err
	}
	if err := j.keyUp(ctx, KeyFile(path), key); err != nil {
		j.closeDB()
		return nil, err
	}
	if err := j.replayAnswers(ctx); err != nil {
		j.closeDB()
		return nil, err
	}
	return j, nil
}

// open brings the freshly opened journal into use: the check, the schema, the statements, the
// held connection and the file identity.
func (j *Journal) open(ctx context.Context) error {
	var err error
	if j.hold, err = j.db.Conn(ctx); err != nil {
		return j.fail(fmt.Errorf("storage: open %s: %w", j.path, err))
	}
	if err := j.startCheck(ctx); err != nil {
		return err
	}
	if err := migrate(ctx, j.db.DB); err != nil {
		return j.fail(err)
	}
	if j.st, err = prepareStatements(ctx, j.db.DB); err != nil {
		return j.fail(err)
	}
	if j.tx, j.txBegin, j.txCommit, j.txRollback, err = heldTx(ctx, j.hold, j.st, j.st.queries); err != nil {
		return j.fail(err)
	}
	j.catchUpSoon(ctx)
	if err := j.hold.QueryRowContext(ctx, chainHeadSQL).Scan(&j.head.seq, &j.head.hash); err != nil {
		return j.fail(fmt.Errorf("storage: open %s: read chain head: %w", j.path, err))
	}
	if j.files, err = statFiles(j.path); err != nil {
		return fmt.Errorf("storage: open %s: %w", j.path, err)
	}
	j.sess.reset(j.head.seq, j.head.hash)
	if err := j.openIdentity(ctx); err != nil {
		return j.fail(err)
	}
	if noSpace(filepath.Dir(j.path)) {
		// Opened, but the next write would fail half-way: read-only from the start (readonly.go).
		j.faults.set(&FaultError{Code: ErrDiskFull, Path: j.path, Reason: "the disk is full at start: read-only"})
	}
	return nil
}

// Path returns the file the journal was opened from.
func (j *Journal) Path() string { return j.path }

// Checkpoint copies the WAL into the main database file and truncates the WAL. The app calls it
// when it goes to the background, so a phone that kills it finds a compact file; it is not needed
// for durability (a committed transaction is durable in the WAL already).
func (j *Journal) Checkpoint(ctx context.Context) error {
	j.checkpointMu.Lock() // after a background one's copy, which it would find busy
	defer j.checkpointMu.Unlock()
	j.writeMu.Lock()
	defer j.writeMu.Unlock()
	j.checkBeforeCheckpoint(ctx)
	if j.found != nil {
		// The files at the path are not this journal's: copying its WAL into them would only
		// mix the two further.
		return nil
	}
	var busy, logFrames, checkpointed int
	err := j.view().QueryRowContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)").Scan(&busy, &logFrames, &checkpointed)
	if j.id != nil {
		j.id.dbWritten = true
	}
	if merr := j.remark(); merr != nil || err != nil {
		return errors.Join(merr, wrapErr("storage: checkpoint", err))
	}
	return nil
}

// Close keys and folds what the last pause left (keys.go, analytics_fold.go), checkpoints the
// WAL and closes the journal.
func (j *Journal) Close() error {
	if j.Fault() == nil && j.hold != nil {
		// The answers logged (answers.go); should that fail, the next Open applies them.
		_ = j.settle(context.Background())
		_ = j.foldAnalytics(context.Background()) // what is left is done by the next pause
	}
	cerr := j.Checkpoint(context.Background())
	return errors.Join(cerr, j.closeDB())
}

// closeDB closes the prepared statements and the database, without a checkpoint, and lets the
// journal go (the lock).
func (j *Journal) closeDB() error {
	j.stopCheck()
	j.writeMu.Lock()
	j.closed = true // no background checkpoint starts now
	j.stopIdle()
	j.stopAhead()
	j.writeMu.Unlock()
	j.folding.Store(true) // no background fold starts now; a running one finishes first
	j.foldMu.Lock()
	defer j.foldMu.Unlock()
	j.closeIdentity()
	var errs []error
	if j.ans.answers != nil {
		errs = append(errs, j.ans.answers.close())
	}
	if j.st != nil {
		errs = append(errs, j.st.close())
	}
	if j.tx != nil {
		for _, st := range append(slices.Collect(maps.Values(j.tx.bound)), j.txBegin, j.txCommit, j.txRollback) {
			errs = append(errs, st.Close())
		}
	}
	if j.hold != nil {
		errs = append(errs, j.hold.Close())
	}
	errs = append(errs, j.db.Close())
	errs = append(errs, j.putBackAsFound(), j.lock.release())
	return errors.Join(errs...)
}

// inTx runs fn in one write transaction and commits it, or rolls back if fn or the commit fails.
// A journal with a fault, or whose file is no longer the one at its path or no longer holds what
// this process left in it, refuses (fault.go, identity.go); an error that is a journal fault is
// latched. Every transaction stamps the chain row with a write counter and this process's nonce,
// so the chain's page differs after each one (identity.go); what fn noted for the session is kept
// once the transaction commits (recovery.go).
func (j *Journal) inTx(ctx context.Context, fn func(tx *Tx) error) error {
	ctx, err := whole(ctx)
	if err != nil {
		return err
	}
	j.writeMu.Lock()
	defer j.writeMu.Unlock()
	if err := j.checkFile(ctx); err != nil {
		return err
	}
	if err := j.checkIdentity(ctx); err != nil {
		return err
	}
	if j.tx == nil {
		return j.fail(fmt.Errorf("storage: %s: the journal has no write connection", j.path))
	}
	if _, err := j.txBegin.ExecContext(ctx); err != nil {
		return j.fail(fmt.Errorf("storage: begin: %w", err))
	}
	tx := j.tx
	// Whatever the transaction's end, the files hold what this process made of them.
	defer func() {
		tx.end()
		if err := j.remark(); err != nil {
			j.fail(&FaultError{Code: ErrJournalIO, Path: j.path, Reason: "the storage failed", Err: err})
			return
		}
		j.checkpointSoon()
	}()
	j.pend = session{}
	// Whatever this transaction changes, the answers logged while a backlog drains reach SQLite
	// first, in it (answers.go), and the stream they followed may no longer hold.
	applied := len(j.ans.logged)
	if applied > 0 {
		if err := j.applyLogged(ctx, tx); err != nil {
			return j.fail(errors.Join(&FaultError{Code: ErrJournalIO, Path: j.path, Reason: "the answer log could not be applied", Err: err}, j.rollbackTx(ctx)))
		}
	}
	j.ans.forget()
	if err := fn(tx); err != nil {
		return j.fail(errors.Join(err, j.rollbackTx(ctx)))
	}
	if j.id != nil && !j.pend.stamped {
		if _, err := tx.StmtContext(ctx, j.st.stampWrite).ExecContext(ctx, j.id.nonce); err != nil {
			return j.fail(errors.Join(fmt.Errorf("storage: stamp the write: %w", err), j.rollbackTx(ctx)))
		}
	}
	if j.pend.linkDirty {
		l, err := scanLink(tx.StmtContext(ctx, j.st.readLink).QueryRowContext(ctx))
		if err != nil {
			return j.fail(errors.Join(err, j.rollbackTx(ctx)))
		}
		j.pend.link = &l
	}
	if _, err := j.txCommit.ExecContext(ctx); err != nil {
		// A COMMIT that failed may leave the transaction open (SQLITE_BUSY): it is rolled
		// back, so the connection is clean for the next one.
		return j.fail(errors.Join(fmt.Errorf("storage: commit: %w", err), j.rollbackTx(ctx)))
	}
	j.sess.merge(&j.pend)
	j.ans.stream = j.ans.streamNext
	if applied > 0 {
		j.ans.logged = j.ans.logged[:0]
		j.ans.count.Store(0)
		j.ans.answers.restart()
	}
	return nil
}

// rollbackTx rolls the running write transaction back; a transaction SQLite has already ended
// (a failed COMMIT that rolled back, an error that ended it) is no error.
func (j *Journal) rollbackTx(ctx context.Context) error {
	if _, err := j.txRollback.ExecContext(ctx); err != nil && !strings.Contains(err.Error(), "no transaction is active") {
		return fmt.Errorf("storage: rollback: %w", err)
	}
	return nil
}

// WriteTx runs fn in one of the journal's own write transactions (with its checks, inTx), for a
// tool that writes in bulk what the API writes row by row (the fixture generator's answers). The
// app never uses it: every write of the app goes through the journal's methods.
func (j *Journal) WriteTx(ctx context.Context, fn func(tx *Tx) error) error {
	return j.inTx(ctx, fn)
}

// whole returns ctx without its cancellation, or ctx's error when it is done already. A write
// transaction of the journal, once begun, runs to its commit or its rollback whatever happens to
// the caller's context (a sender stopped as the app goes to the background must not drop an
// answer the OFD gave), and so do the short reads of the sale's path: the driver watches a
// cancellable context with a goroutine of its own for every statement (modernc.org/sqlite
// interruptOnDone), which a sale paid some twenty times (BenchmarkReceiptToFiscalSign's
// scheduler latency).
func whole(ctx context.Context) (context.Context, error) {
	if err := ctx.Err(); err != nil {
		return ctx, err
	}
	return context.WithoutCancel(ctx), nil
}

// wrapErr wraps err with what, or returns nil.
func wrapErr(what string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %w", what, err)
}

// rollback rolls tx back, ignoring the error of a transaction that is already gone.
func rollback(tx *sql.Tx) error {
	if err := tx.Rollback(); err != nil && !errors.Is(err, sql.ErrTxDone) {
		return fmt.Errorf("storage: rollback: %w", err)
	}
	return nil
}
