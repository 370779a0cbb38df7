package storage

import (
	"context"
	"errors"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ekassa-go/ekassa/kkm"
)

// walMark is how much of the WAL is in use by the journal's mark, read under the write lock.
func walMark(j *Journal) int64 {
	j.writeMu.Lock()
	defer j.writeMu.Unlock()
	return j.id.walInUse()
}

// dueACheckpoint is a quiet journal (quietDesk) with sales enough for a checkpoint at the next
// pause, and its desk.
func dueACheckpoint(t *testing.T) (*Journal, *desk) {
	t.Helper()
	j, d := quietDesk(t)
	for walMark(j) < checkpointAfter {
		d.sale(false)
	}
	return j, d
}

// TestCheckpointBesideTheWrites: a background checkpoint copies the bulk of the WAL without
// holding the writes — a sale commits while it is under way, its check of the files passing
// although the database file changes under it — and still leaves the copy complete, so the next
// commit starts the WAL again, however many sales come meanwhile. Nothing is latched, and the
// journal verifies.
func TestCheckpointBesideTheWrites(t *testing.T) {
	ctx := context.Background()
	j, d := dueACheckpoint(t)

	// One sale while the copy is about to start: the write lock is free.
	checkpointBulkHook = func() {
		done := make(chan struct{})
		go func() {
			d.sale(false)
			close(done)
		}()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Error("a sale waited for the checkpoint's copy")
		}
	}
	j.checkpointInBackground()
	checkpointBulkHook = nil
	if err := j.Fault(); err != nil {
		t.Fatalf("after a sale beside the copy: %v", err)
	}

	// Sales back to back while the checkpoints run.
	var stop atomic.Bool
	sold := make(chan int)
	go func() {
		n := 0
		for !stop.Load() {
			d.sale(false)
			if n++; n%1000 == 0 { // a shift is 24 h of the desk's minutes
				d.commit(d.reg.CloseShift(d.op, d.tick(), false))
			}
		}
		sold <- n
	}()
	for i := 0; i < 4; i++ {
		for deadline := time.Now().Add(20 * time.Second); walMark(j) < checkpointAfter; {
			if time.Now().After(deadline) {
				t.Fatal("the WAL did not grow")
			}
			time.Sleep(time.Millisecond)
		}
		j.checkpointInBackground()
		// Complete: the next commit starts the WAL again.
		for deadline := time.Now().Add(20 * time.Second); walMark(j) >= checkpointAfter; {
			if time.Now().After(deadline) {
				t.Fatalf("checkpoint %d left the WAL at %d bytes while the sales went on", i, walMark(j))
			}
			time.Sleep(time.Millisecond)
		}
	}
	stop.Store(true)
	if n := <-sold; n == 0 {
		t.Fatal("no sale was made beside the checkpoints")
	}
	if err := j.Fault(); err != nil {
		t.Fatalf("after the sales beside the checkpoints: %v", err)
	}
	if w := j.BackgroundWork(); w.Checkpoints != 5 || w.LongestCheckpointHold <= 0 {
		t.Errorf("background work %+v, want 5 checkpoints and their hold", w)
	}
	if _, err := j.VerifyAll(ctx); err != nil {
		t.Errorf("VerifyAll: %v", err)
	}
}

// TestCheckpointWaitsForTheBackgroundCopy: the app going to the background (Journal.Checkpoint)
// while a background checkpoint copies waits for that copy, then copies the rest and truncates
// the WAL, rather than finding SQLite's checkpoint busy and leaving the WAL whole.
func TestCheckpointWaitsForTheBackgroundCopy(t *testing.T) {
	ctx := context.Background()
	j, d := dueACheckpoint(t)
	done := make(chan error, 1)
	checkpointBulkHook = func() {
		go func() {
			time.Sleep(time.Millisecond) // the copy of ~4 MB is under way
			done <- j.Checkpoint(ctx)
		}()
	}
	j.checkpointInBackground()
	checkpointBulkHook = nil
	if err := <-done; err != nil {
		t.Fatalf("Checkpoint: %v", err)
	}
	if size := walSize(t, j.path+"-wal"); size != 0 {
		t.Errorf("the WAL is %d bytes after Checkpoint, want it truncated", size)
	}
	if err := j.Fault(); err != nil {
		t.Fatal(err)
	}
	d.sale(false)
	if _, err := j.VerifyAll(ctx); err != nil {
		t.Errorf("VerifyAll: %v", err)
	}
}

// TestOlderWALWrittenOverAReusedOne: once the WAL has started again over its old frames (the file
// keeps its size, journal.go), an older copy of it written over it in place is the same size; the
// identity check still finds it by the last commit frame's header, and the next write is refused.
func TestOlderWALWrittenOverAReusedOne(t *testing.T) {
	ctx := context.Background()
	j, d := dueACheckpoint(t)
	j.checkpointInBackground()
	wal := j.path + "-wal"
	sizeBefore := walSize(t, wal)
	d.sale(false) // starts the WAL again, over the old frames
	if size := walSize(t, wal); size != sizeBefore || walMark(j) >= checkpointAfter {
		t.Fatalf("the WAL did not start again in place: file %d → %d bytes, %d in use", sizeBefore, size, walMark(j))
	}
	older, err := os.ReadFile(wal)
	if err != nil {
		t.Fatal(err)
	}
	for range 5 {
		d.sale(false)
	}
	if err := os.WriteFile(wal, older, 0o600); err != nil {
		t.Fatal(err)
	}
	iss, err := d.reg.IssueReceipt(fiveItems(kkm.OpSale), d.op, d.tick(), false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := j.Commit(ctx, iss.Documents, iss.State); !errors.Is(err, ErrJournalGone) {
		t.Fatalf("a Commit over an older copy of the reused WAL: %v, want ErrJournalGone", err)
	}
}
