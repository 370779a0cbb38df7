package storage

import (
	"context"
	"sync/atomic"
	"time"
)

// The journal's background work waits for a pause (issue 16: a sale never waits for it).
//
// Two jobs keep the journal small and its reads fast: the WAL's checkpoint (checkpoint.go) and
// the analytics fold (analytics_fold.go). Each holds the write lock for milliseconds, and a sale
// that arrives meanwhile waits for it. Started on a count (the WAL past 1 000 pages, 64 receipts
// unfolded), they fell on one sale in 64–77 each and made the slowest 1 % of sales
// (BenchmarkReceiptToFiscalSign: p99 7 ms with them, 5 ms without, at a p50 of 2.4 ms).
//
// So they now wait for a pause: once a write transaction ends, a timer waits idleAfter, and is
// started again by the next write; when it runs out, the journal has written nothing for that
// long, and the fold (when foldEvery receipts wait) and then the checkpoint (when the WAL is past
// checkpointAfter) run. idleAfter is far shorter than any pause between two customers. Only a
// journal that never pauses — a long backlog drained, a benchmark's sales back to back — starts
// them on a count, at foldForce receipts and checkpointForce bytes of WAL, so that the unfolded
// tail and the WAL stay bounded; a larger checkpoint copies a page written many times once, so
// fewer and larger ones copy less in all.
const idleAfter = 200 * time.Millisecond

// pause is the wait for a pause in force: idleAfter, but for the tests, which change it while a
// journal's timer may be running (setPause).
var pause atomic.Int64

func init() { pause.Store(int64(idleAfter)) }

// setPause sets the wait for a pause and returns the one it replaces.
func setPause(d time.Duration) time.Duration { return time.Duration(pause.Swap(int64(d))) }

// wrote (re)starts the wait for a pause after a write transaction. It is called with writeMu
// held.
func (j *Journal) wrote() {
	if j.closed {
		return
	}
	if j.idle == nil {
		j.idle = time.AfterFunc(time.Duration(pause.Load()), j.whenIdle)
		return
	}
	j.idle.Reset(time.Duration(pause.Load()))
}

// stopIdle stops the wait for a pause (closeDB, with writeMu held).
func (j *Journal) stopIdle() {
	if j.idle != nil {
		j.idle.Stop()
	}
}

// whenIdle runs the background work that waits for a pause: the fold first (its rows then go
// into the copy), then the checkpoint.
func (j *Journal) whenIdle() {
	_ = j.settle(context.Background()) // a backlog's answers logged (answers.go)
	if j.unfolded.Load() >= foldEvery {
		j.foldInBackground()
	}
	j.writeMu.Lock()
	due := !j.closed && j.id != nil && j.id.walInUse() >= checkpointAfter
	j.writeMu.Unlock()
	if due {
		j.checkpointInBackground()
	}
}

// catchUpSoon counts, at Open, the documents written before it and not yet folded or keyed (an
// app stopped before its pause, a journal restored from the hub or carried forward by a
// recovery), so that the first pause folds and keys them, or a background fold starts at once
// past foldForce: until then the history reads them in the tail, one by one.
func (j *Journal) catchUpSoon(ctx context.Context) {
	var behind int64
	if err := j.db.QueryRowContext(ctx, `SELECT COALESCE((SELECT MAX(seq) FROM documents), 0) - MIN(folded_seq, keyed_seq)
		FROM analytics_rollup WHERE id = 1`).Scan(&behind); err != nil || behind <= 0 {
		return
	}
	j.foldSoon(int(behind))
	if behind >= foldEvery {
		j.writeMu.Lock()
		j.wrote()
		j.writeMu.Unlock()
	}
}
