package storage

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/ekassa-go/ekassa/kkm"
)

// foldedSeq reads the analytics fold's watermark.
func foldedSeq(t *testing.T, j *Journal) int64 {
	t.Helper()
	var s int64
	if err := j.db.QueryRow(`SELECT folded_seq FROM analytics_rollup WHERE id = 1`).Scan(&s); err != nil {
		t.Fatal(err)
	}
	return s
}

// fileSize is the size of the file at path.
func fileSize(t *testing.T, path string) int64 {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}

// TestBackgroundWorkWaitsForAPause: sales back to back never wait for the fold or the checkpoint
// (they are due, but no pause came); the pause runs both, the fold first; and a journal written
// without a pause still folds once foldForce receipts wait.
func TestBackgroundWorkWaitsForAPause(t *testing.T) {
	defer setPause(setPause(time.Hour)) // no pause comes while the sales are made
	j := openTemp(t)
	d := newDesk(t, j)
	var last int64
	for j.id.walInUse() < checkpointAfter || j.unfolded.Load() < foldEvery {
		last = d.sale(false)
	}
	time.Sleep(50 * time.Millisecond) // room for a background job that should not have started
	if f := foldedSeq(t, j); f != 0 {
		t.Fatalf("folded to %d before a pause", f)
	}
	if w := j.BackgroundWork(); w != (BackgroundWork{}) {
		t.Fatalf("background work before a pause: %+v", w)
	}
	dbBefore := fileSize(t, j.path)

	j.whenIdle() // the pause, as the timer runs it
	if f := foldedSeq(t, j); f != last {
		t.Fatalf("after the pause folded to %d, want %d", f, last)
	}
	if w := j.BackgroundWork(); w.Folds != 1 || w.Checkpoints != 1 || w.LongestFoldHold <= 0 || w.LongestCheckpointHold <= 0 {
		t.Fatalf("background work after the pause: %+v, want one fold and one checkpoint", w)
	}
	if after := fileSize(t, j.path); after <= dbBefore {
		t.Fatalf("the pause copied nothing into the database file (%d → %d bytes)", dbBefore, after)
	}

	// The timer: a pause after the last write runs the fold.
	for j.unfolded.Load() < foldEvery {
		d.sale(false)
	}
	setPause(20 * time.Millisecond)
	last = d.sale(false) // restarts the wait with the short pause
	waitFor(t, func() bool { return foldedSeq(t, j) == last }, "the fold after a pause")

	// Without a pause: foldForce receipts in one commit start a fold at once.
	setPause(time.Hour)
	last = d.sale(false)
	iss, err := d.reg.IssueReceipt(fiveItems(kkm.OpSale), d.op, d.tick(), false)
	if err != nil {
		t.Fatal(err)
	}
	docs := make([]kkm.Document, foldForce)
	for i := range docs {
		docs[i] = iss.Documents[0]
		docs[i].Number = iss.Documents[0].Number + uint32(i)
	}
	seqs, err := j.Commit(context.Background(), docs, iss.State)
	if err != nil {
		t.Fatal(err)
	}
	last = seqs[len(seqs)-1]
	waitFor(t, func() bool { return foldedSeq(t, j) == last }, "the fold forced by foldForce receipts")
}

// waitFor polls cond for up to ten seconds.
func waitFor(t *testing.T, cond func() bool, what string) {
	t.Helper()
	for end := time.Now().Add(10 * time.Second); time.Now().Before(end); time.Sleep(5 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("%s did not come within ten seconds", what)
}

// TestOpenCatchesUp: documents left unkeyed and unfolded by an app that stopped before its pause
// are folded and keyed at the first pause after the next Open, with no write to start it.
func TestOpenCatchesUp(t *testing.T) {
	defer setPause(setPause(time.Hour))
	ctx := context.Background()
	j := openTemp(t)
	path := j.path
	d := newDesk(t, j)
	var last int64
	for i := 0; i < foldEvery+5; i++ {
		last = d.sale(false)
	}
	if err := j.closeDB(); err != nil { // stopped before its pause: no fold at Close
		t.Fatal(err)
	}
	setPause(20 * time.Millisecond)
	j, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	waitFor(t, func() bool {
		var keyed int64
		if err := j.db.QueryRow(`SELECT keyed_seq FROM analytics_rollup WHERE id = 1`).Scan(&keyed); err != nil {
			t.Fatal(err)
		}
		return keyed == last && foldedSeq(t, j) == last
	}, "the catch-up after Open")
}
