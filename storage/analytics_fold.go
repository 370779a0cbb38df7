package storage

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ekassa-go/ekassa/kkm"
)

// The analytics aggregates folded from the documents (issue 16, item 1).
//
// A receipt's Commit used to add it to the fine aggregates (analytics_hours, analytics_items,
// analytics_operators) in its own transaction: three statements and a page per table, and one per
// line, on the path every sale waits for. The aggregates are a derived cache of the documents (the
// documents are the sealed record; migration 2 fills the aggregates from them with SQL), so they
// are now folded in behind a watermark, analytics_rollup.folded_seq: the receipts after it are
// added up (analyticsSum) and written in steps of foldStep documents, each a transaction of its
// own that moves the watermark to its last document, atomically with the rows it added (a crash
// leaves both as they were).
//
// The fold runs before Analytics reads (so its figures always include the last receipt), and in
// the background at the first pause in the writes once foldEvery documents are waiting (idle.go),
// or at once when foldForce are, so that a read finds little to do, a sale does not wait for a
// fold, and a phone pays one extra durable commit for that many receipts, not one per receipt.
// The figures are the migration's (TestAnalyticsRollupSame, TestAnalyticsBackfillEqualsHook,
// TestAnalyticsAgainstRecount, TestFoldFromCommittedDocuments).

// foldEvery is how many documents may wait before the next pause folds them; foldForce, how many
// before a fold starts at once.
const (
	foldEvery = 64
	foldForce = 1024
)

// foldSoon counts n more documents committed and starts a background fold when foldForce are
// waiting and none is running (a pause folds foldEvery, idle.go).
func (j *Journal) foldSoon(n int) {
	if j.unfolded.Add(int64(n)) >= foldForce {
		go j.foldInBackground()
	}
}

// foldInBackground folds unless a background fold is running (or the journal is closing, which
// holds the flag); a failed fold is done again by the next read or pause.
func (j *Journal) foldInBackground() {
	if !j.folding.CompareAndSwap(false, true) {
		return
	}
	defer j.folding.Store(false)
	_ = j.foldPaced(context.Background(), foldStepGap)
}

// foldStep is the most documents one step of a fold takes. A step reads and adds up its documents
// outside the write lock and holds the writes only to add the sums and the search keys: a forced
// fold of foldForce documents in one transaction held them for 48–64 ms (BenchmarkForcedFold),
// and a sale that came meanwhile waited as long. Steps of 256 held them 3–4 ms each, and a sale
// (two write transactions) met two steps in a row: 6–12 ms. A step of 64 holds them about 1 ms
// (its fsync most of it), and a fold in the background leaves foldStepGap between its steps, so
// a sale meets one step at most, and one that does stays near the others.
const (
	foldStep    = 64
	foldStepGap = 5 * time.Millisecond
)

// foldAnalytics adds the receipts committed after the watermark to the fine aggregates and their
// search keys to document_keys (keys.go), up to the last document committed when it starts, a
// step at a time; nothing when there is none. A read that waits for it (Analytics, Close) folds
// without a gap.
func (j *Journal) foldAnalytics(ctx context.Context) error { return j.foldPaced(ctx, 0) }

// foldPaced folds as foldAnalytics does, with gap between its steps. It lets the fold go
// (foldMu) during a gap, so a read that folds (Analytics) does not wait for a paced fold's
// gaps: it folds the rest at once, and the paced fold finds that done (each step reads the
// watermarks again).
func (j *Journal) foldPaced(ctx context.Context, gap time.Duration) error {
	var folded, keyed, last int64
	if err := j.db.QueryRowContext(ctx, `SELECT folded_seq, keyed_seq, (SELECT COALESCE(MAX(seq), 0) FROM documents)
		FROM analytics_rollup WHERE id = 1`).Scan(&folded, &keyed, &last); err != nil {
		return fmt.Errorf("storage: analytics: fold: %w", err)
	}
	if folded >= last && keyed >= last {
		return nil
	}
	j.background.folds.Add(1)
	j.foldMu.Lock()
	for {
		done, err := j.foldOneStep(ctx, last)
		if err != nil || done {
			j.foldMu.Unlock()
			return err
		}
		if gap > 0 {
			j.foldMu.Unlock()
			select {
			case <-time.After(gap):
			case <-ctx.Done():
				return ctx.Err()
			}
			j.foldMu.Lock()
			if j.isClosed() { // closeDB took the fold meanwhile, and let it go closed
				j.foldMu.Unlock()
				return nil
			}
		}
	}
}

// isClosed reports whether closeDB has begun.
func (j *Journal) isClosed() bool {
	j.writeMu.Lock()
	defer j.writeMu.Unlock()
	return j.closed
}

// foldRead is what one step of a fold read outside the write lock: the watermarks it started
// from, the last document it covers and that document's hash, the receipts' sums and the keys.
type foldRead struct {
	folded, keyed, upto int64
	hash                []byte
	sum                 analyticsSum
	keys                []documentKeys
}

// foldOneStep folds the documents after the watermarks, foldStep at most and none after target,
// and reports whether both watermarks have reached target.
//
// It reads in a read transaction of its own while the writes go on, then writes in a write
// transaction that first checks that the journal is still the one it read: both watermarks where
// they were and the last document's hash the same. The hash seals every document up to it
// (chain.go), so a journal restored or resealed meanwhile is found, and the step adds nothing: the
// next one reads again. The watermarks move to the step's last document, not to the journal's.
func (j *Journal) foldOneStep(ctx context.Context, target int64) (bool, error) {
	r, err := j.readFoldStep(ctx, target)
	if err != nil || r == nil {
		return r == nil && err == nil, err
	}
	if foldStepHook != nil {
		foldStepHook()
	}
	start := time.Now()
	defer j.background.foldHeld.since(start)
	err = j.inTx(ctx, func(tx *Tx) error {
		var folded, keyed int64
		var hash []byte
		if err := tx.QueryRowContext(ctx, `SELECT folded_seq, keyed_seq, (SELECT hash FROM documents WHERE seq = ?)
			FROM analytics_rollup WHERE id = 1`, r.upto).Scan(&folded, &keyed, &hash); err != nil {
			return fmt.Errorf("storage: analytics: fold: %w", err)
		}
		if folded != r.folded || keyed != r.keyed || !bytes.Equal(hash, r.hash) {
			r = nil // read from another journal than this one: read again, from SQLite
			j.committed.drop(-1)
			return nil
		}
		if err := r.sum.write(ctx, tx, j.st); err != nil {
			return err
		}
		if err := insertKeys(ctx, tx, j.st, r.keys); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE analytics_rollup SET folded_seq = MAX(folded_seq, ?1), keyed_seq = MAX(keyed_seq, ?1)
			WHERE id = 1`, r.upto)
		if err != nil {
			return fmt.Errorf("storage: analytics: fold: %w", err)
		}
		return nil
	})
	if err != nil {
		return false, err
	}
	j.background.foldSteps.Add(1)
	if r == nil {
		return false, nil
	}
	j.committed.drop(r.upto)
	if r.upto >= target {
		j.unfolded.Store(0)
		return true, nil
	}
	return false, nil
}

// recalledFoldStep is the next step of a fold towards target built from the documents Commit
// kept (fold_memory.go), when it holds them all; nil when it does not.
func (j *Journal) recalledFoldStep(ctx context.Context, target int64) (*foldRead, error) {
	if j.committed.last() == 0 {
		return nil, nil
	}
	r := &foldRead{}
	if err := j.db.QueryRowContext(ctx, `SELECT folded_seq, keyed_seq FROM analytics_rollup WHERE id = 1`).
		Scan(&r.folded, &r.keyed); err != nil {
		return nil, fmt.Errorf("storage: analytics: fold: %w", err)
	}
	from := min(r.folded, r.keyed)
	r.upto = min(target, from+foldStep, j.committed.last())
	if r.upto <= from {
		return nil, nil
	}
	docs := j.committed.take(from, r.upto)
	if docs == nil {
		return nil, nil
	}
	j.recalled.Add(1)
	r.hash = docs[len(docs)-1].hash
	r.sum = newAnalyticsSum()
	for i := range docs {
		if docs[i].seq > r.folded {
			r.sum.add(docs[i].receipt)
		}
		if docs[i].seq > r.keyed {
			r.keys = append(r.keys, docs[i].keys)
		}
	}
	return r, nil
}

// foldStepHook, when set, runs between a fold step's read and its write: a seam for the tests that
// write or restore the journal there; nothing sets it outside tests.
var foldStepHook func()

// readFoldStep reads the next step of a fold towards target in one read transaction; nil when
// both watermarks are at target.
func (j *Journal) readFoldStep(ctx context.Context, target int64) (*foldRead, error) {
	if r, err := j.recalledFoldStep(ctx, target); r != nil || err != nil {
		return r, err
	}
	conn, err := j.db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("storage: analytics: fold: %w", err)
	}
	defer conn.Close()
	rtx, err := conn.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("storage: analytics: fold: %w", err)
	}
	defer rtx.Rollback()
	r := &foldRead{}
	if err := rtx.QueryRowContext(ctx, `SELECT folded_seq, keyed_seq FROM analytics_rollup WHERE id = 1`).
		Scan(&r.folded, &r.keyed); err != nil {
		return nil, fmt.Errorf("storage: analytics: fold: %w", err)
	}
	from := min(r.folded, r.keyed)
	if from >= target {
		return nil, nil
	}
	// The step's last document: foldStep after the lower watermark, the target at most (seqs
	// have no gaps, but the last one at or before is read, not assumed).
	if err := rtx.QueryRowContext(ctx, `SELECT seq, hash FROM documents WHERE seq <= ? ORDER BY seq DESC LIMIT 1`,
		min(target, from+foldStep)).Scan(&r.upto, &r.hash); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("storage: analytics: fold: %w", err)
	}
	if r.upto <= from {
		return nil, nil // a journal restored meanwhile that ends before target
	}
	r.sum = newAnalyticsSum()
	rows, err := rtx.QueryContext(ctx, `SELECT seq, content FROM documents WHERE seq > ? AND seq <= ? AND kind = 'receipt'
		ORDER BY seq`, r.folded, r.upto)
	if err != nil {
		return nil, fmt.Errorf("storage: analytics: fold: %w", err)
	}
	defer rows.Close()
	var d kkm.Document
	for rows.Next() {
		var seq int64
		var content []byte
		if err := rows.Scan(&seq, &content); err != nil {
			return nil, fmt.Errorf("storage: analytics: fold: %w", err)
		}
		d = kkm.Document{}
		if err := decodeDocument(content, &d); err != nil {
			return nil, fmt.Errorf("storage: analytics: fold: document %d: %w", seq, err)
		}
		r.sum.add(figuresOf(&d))
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("storage: analytics: fold: %w", err)
	}
	if r.keys, err = readKeys(ctx, rtx, r.keyed, r.upto); err != nil {
		return nil, err
	}
	return r, nil
}

// foldState is the Journal's part of the fold.
type foldState struct {
	foldMu   sync.Mutex   // one fold at a time
	unfolded atomic.Int64 // documents committed since the last fold (a hint, not the watermark)
	folding  atomic.Bool  // a background fold is running
	// committed is what the fold needs of the documents committed since (fold_memory.go).
	committed committedDocs
	recalled  atomic.Int64 // steps built from it (the tests look)
}
