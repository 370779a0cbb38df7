package storage

import (
	"context"
	"fmt"
	"os"
	"sync/atomic"
)

// The checkpoint policy (issue 16, item 1: a commit never pays a checkpoint).
//
// SQLite's default copies the WAL into the database file inside the commit that takes the WAL
// past 1 000 pages (wal_autocheckpoint): one receipt in ~70 paid for the copy of 1 000 pages and,
// with synchronous=FULL, the database file's fsync. The journal turns that off (DSN) and copies
// the WAL itself, after the commit that took the WAL past checkpointAfter bytes, in a goroutine of
// its own, at the next pause in the writes (idle.go): a PASSIVE checkpoint (it never waits for a
// reader), under writeMu, so the files' mark (identity.go) is taken again before the next write
// looks at it. A commit that arrives meanwhile waits for the copy; at a cashier's pace none does.
// A journal written without a pause checkpoints at checkpointForce. The WAL is started again and
// truncated (journal_size_limit) by the first commit after a complete copy.
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
	if j.id != nil && j.id.mark.walSize >= checkpointForce {
		go j.checkpointInBackground()
	}
}

// checkpointInBackground checkpoints unless a background checkpoint is running; a failed one is
// tried again after the next commit or pause.
func (j *Journal) checkpointInBackground() {
	if !j.checkpointing.CompareAndSwap(false, true) {
		return
	}
	defer j.checkpointing.Store(false)
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
// readers, under writeMu, and marks the files again.
func (j *Journal) checkpointPassive(ctx context.Context) error {
	j.writeMu.Lock()
	defer j.writeMu.Unlock()
	if j.closed || j.Fault() != nil {
		return nil
	}
	if j.checkBeforeCheckpoint(ctx); j.Fault() != nil {
		return nil
	}
	var busy, logFrames, checkpointed int
	j.background.checkpoints.Add(1)
	err := j.view().QueryRowContext(ctx, "PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &logFrames, &checkpointed)
	j.id.dbWritten = true
	if merr := j.remark(); merr != nil {
		return merr
	}
	if err != nil {
		return fmt.Errorf("storage: checkpoint: %w", err)
	}
	return nil
}

// backgroundCounts counts the journal's folds and checkpoints since Open.
type backgroundCounts struct {
	folds, checkpoints atomic.Int64
}

// BackgroundWork counts the work the journal did beside the documents' writes since Open.
type BackgroundWork struct {
	Folds       int64 // analytics and search-key folds (analytics_fold.go)
	Checkpoints int64 // WAL checkpoints (this file)
}

// BackgroundWork says how much work the journal has done beside the writes since Open: a
// benchmark tells by it which of its slowest operations met a fold or a checkpoint, each of which
// holds the writes for milliseconds (at a pause, or forced by a count when none comes).
func (j *Journal) BackgroundWork() BackgroundWork {
	return BackgroundWork{Folds: j.background.folds.Load(), Checkpoints: j.background.checkpoints.Load()}
}
