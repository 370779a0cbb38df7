package storage

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync/atomic"
	"time"
)

// The checkpoint policy (issue 16, item 1: a commit never pays a checkpoint).
//
// SQLite's default copies the WAL into the database file inside the commit that takes the WAL
// past 1 000 pages (wal_autocheckpoint): one receipt in ~70 paid for the copy of 1 000 pages and,
// with synchronous=FULL, the database file's fsync. The journal turns that off (DSN) and copies
// the WAL itself, after the commit that took the WAL past checkpointAfter bytes, in a goroutine of
// its own, at the next pause in the writes (idle.go): a PASSIVE checkpoint (it never waits for a
// reader), the bulk beside the writes and the rest under writeMu, so the files' mark
// (identity.go) is taken again before the next write looks at it (checkpointPassive). A journal
// written without a pause checkpoints at checkpointForce. The WAL is started again by the first
// commit after a complete copy, over the file's old frames (journal.go, walLimit), and the size
// that counts is what its generation holds (identity.walInUse), not the file's.
// Journal.Checkpoint (the app going to the background, Close) copies and truncates at once.

// checkpointAfter is the WAL's size past which the next pause checkpoints: SQLite's own default
// of 1 000 pages of 4 KiB. checkpointForce is the size past which a checkpoint starts at once.
const (
	checkpointAfter = 1000 * (4096 + walFrameHeaderSize)
	checkpointForce = 4 * checkpointAfter
)

// checkpointSoon waits for a pause before the next checkpoint (idle.go), or starts one at once in
// the background when the WAL has grown past checkpointForce and none is running. It is called
// with writeMu held, after a write transaction's mark.
func (j *Journal) checkpointSoon() {
	j.wrote()
	if j.id != nil && j.id.walInUse() >= checkpointForce {
		go j.checkpointInBackground()
	}
}

// checkpointInBackground checkpoints unless another checkpoint is running; a failed one is
// tried again after the next commit or pause.
func (j *Journal) checkpointInBackground() {
	if !j.checkpointMu.TryLock() {
		return
	}
	defer j.checkpointMu.Unlock()
	_ = j.checkpointPassive(context.Background())
}

// checkBeforeCheckpoint looks at the files' own bytes before a checkpoint writes the database
// file (with writeMu held): a checkpoint after another program wrote over the database file
// would copy this process's pages into that file and take the mixture as its new mark, so the
// change would never be found. A change found latches ErrJournalGone as before a write
// (identity.go); a journal whose path is gone is left to the next write, as before.
func (j *Journal) checkBeforeCheckpoint(ctx context.Context) {
	if j.id == nil || j.Fault() != nil {
		return
	}
	now, err := statFiles(j.path)
	if err != nil || !os.SameFile(now.db, j.files.db) || !os.SameFile(now.wal, j.files.wal) {
		return
	}
	j.seen = now
	_ = j.checkIdentity(ctx) // latched
}

// checkpointPassive copies what it can of the WAL into the database file without waiting for
// readers, and marks the files again.
//
// It copies in two passes, the first beside the writes and the second under writeMu. A copy of
// checkpointForce bytes of WAL (4 000 pages) took 15 ms here, and under writeMu a sale that came
// meanwhile waited as long (BenchmarkReceiptToFiscalSign's slowest sales, one in ~440 back to
// back); SQLite lets a writer append to the WAL while another connection copies it, so the first
// pass takes the bulk without the lock, and the second, under it, the few frames committed
// meanwhile (so the copy is complete and the next commit starts the WAL again) and the mark. While
// the first pass writes the database file, the writes do not compare its part of the mark
// (identity.copying): its bytes are changing under them, by this process. Another program's
// change to it in that window is taken into the new mark, as it was by a copy under the lock; the
// check before the copy (checkBeforeCheckpoint) and the WAL's part stand.
func (j *Journal) checkpointPassive(ctx context.Context) error {
	j.writeMu.Lock()
	if j.closed || j.Fault() != nil || j.id == nil {
		j.writeMu.Unlock()
		return nil
	}
	if j.checkBeforeCheckpoint(ctx); j.Fault() != nil {
		j.writeMu.Unlock()
		return nil
	}
	j.background.checkpoints.Add(1)
	j.id.copying = true
	dbFile := j.id.db
	j.writeMu.Unlock()
	if checkpointBulkHook != nil {
		checkpointBulkHook()
	}
	var busy, logFrames, checkpointed int
	bulk := j.db.QueryRowContext(ctx, "PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &logFrames, &checkpointed)
	// SQLite syncs the database file after a copy only when the copy reached the WAL's end, and
	// a sale committed meanwhile moves the end: then the second pass's sync, under writeMu, flushed
	// the whole bulk (~16 MB, 3–7 ms of a sale's wait, one in ~430 back to back). Synced here,
	// beside the writes, it leaves that one the few pages of the second pass. A failed sync
	// (a platform that will not sync a read-only file) only leaves the work to the second pass.
	_ = dataSync(dbFile)

	j.writeMu.Lock()
	defer j.writeMu.Unlock()
	defer j.background.checkpointHeld.since(time.Now())
	j.id.copying = false
	j.id.dbWritten = true
	var err error
	if !j.closed {
		err = j.view().QueryRowContext(ctx, "PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &logFrames, &checkpointed)
	}
	if merr := j.remark(); merr != nil {
		return merr
	}
	if err = errors.Join(bulk, err); err != nil {
		return fmt.Errorf("storage: checkpoint: %w", err)
	}
	return nil
}

// checkpointBulkHook, when set, runs after a checkpoint let the writes go and before it copies the
// bulk: a seam for the test that writes there; nothing sets it outside tests.
var checkpointBulkHook func()

// backgroundCounts counts the journal's folds and checkpoints since Open, and the longest each
// held the writes.
type backgroundCounts struct {
	folds, foldSteps         atomic.Int64
	checkpoints              atomic.Int64
	foldHeld, checkpointHeld longest
}

// longest keeps the longest of the durations it is shown.
type longest struct{ ns atomic.Int64 }

// since shows it the time from start to now.
func (l *longest) since(start time.Time) {
	d := int64(time.Since(start))
	for {
		old := l.ns.Load()
		if d <= old || l.ns.CompareAndSwap(old, d) {
			return
		}
	}
}

// BackgroundWork counts the work the journal did beside the documents' writes since Open.
type BackgroundWork struct {
	Folds       int64 // analytics and search-key folds (analytics_fold.go), counted as they start
	FoldSteps   int64 // their steps, counted as each writes: a fold in the background spans many sales
	Checkpoints int64 // WAL checkpoints (this file)
	// The longest a fold step's write transaction took (its wait for the lock included) and a
	// checkpoint held the writes: a sale that comes meanwhile waits up to that long.
	LongestFoldHold, LongestCheckpointHold time.Duration
}

// BackgroundWork says how much work the journal has done beside the writes since Open: a
// benchmark tells by it which of its slowest operations met a fold or a checkpoint, each of which
// holds the writes for milliseconds (at a pause, or forced by a count when none comes).
func (j *Journal) BackgroundWork() BackgroundWork {
	return BackgroundWork{Folds: j.background.folds.Load(), FoldSteps: j.background.foldSteps.Load(),
		Checkpoints:           j.background.checkpoints.Load(),
		LongestFoldHold:       time.Duration(j.background.foldHeld.ns.Load()),
		LongestCheckpointHold: time.Duration(j.background.checkpointHeld.ns.Load())}
}
