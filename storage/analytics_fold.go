package storage

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/ekassa-go/ekassa/kkm"
)

// The analytics aggregates folded from the documents (issue 16, item 1).
//
// A receipt's Commit used to add it to the fine aggregates (analytics_hours, analytics_items,
// analytics_operators) in its own transaction: three statements and a page per table, and one per
// line, on the path every sale waits for. The aggregates are a derived cache of the documents (the
// documents are the sealed record; migration 2 fills the aggregates from them with SQL), so they
// are now folded in behind a watermark, analytics_rollup.folded_seq: the receipts after it are
// decoded and added in one transaction of their own, which moves the watermark to the last
// document, atomically with the rows it added (a crash leaves both as they were).
//
// The fold runs before Analytics reads (so its figures always include the last receipt), and in
// the background at the first pause in the writes once foldEvery documents are waiting (idle.go),
// or at once when foldForce are, so that a read finds little to do, a sale does not wait for a
// fold, and a phone pays one extra durable commit for that many receipts, not one per receipt. The same add
// (analyticsWriter) as before computes the rows, so the figures are the same
// (TestAnalyticsRollupSame, TestAnalyticsBackfillEqualsHook, TestAnalyticsAgainstRecount).

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
	_ = j.foldAnalytics(context.Background())
}

// foldAnalytics adds the receipts committed after the watermark to the fine aggregates and moves
// the watermark to the last document, in one transaction; nothing when there is none.
//
// The same transaction adds the documents' search keys after their watermark (keys.go).
func (j *Journal) foldAnalytics(ctx context.Context) error {
	var folded, keyed, last int64
	if err := j.db.QueryRowContext(ctx, `SELECT folded_seq, keyed_seq, (SELECT COALESCE(MAX(seq), 0) FROM documents)
		FROM analytics_rollup WHERE id = 1`).Scan(&folded, &keyed, &last); err != nil {
		return fmt.Errorf("storage: analytics: fold: %w", err)
	}
	if folded >= last && keyed >= last {
		return nil
	}
	j.foldMu.Lock()
	defer j.foldMu.Unlock()
	j.background.folds.Add(1)
	return j.inTx(ctx, func(tx *Tx) error {
		// Read again inside the write transaction: another fold may have run meanwhile.
		if err := tx.QueryRowContext(ctx, `SELECT folded_seq FROM analytics_rollup WHERE id = 1`).Scan(&folded); err != nil {
			return fmt.Errorf("storage: analytics: fold: %w", err)
		}
		rows, err := tx.QueryContext(ctx, `SELECT seq, content FROM documents WHERE seq > ? AND kind = 'receipt' ORDER BY seq`, folded)
		if err != nil {
			return fmt.Errorf("storage: analytics: fold: %w", err)
		}
		var docs []kkm.Document
		for rows.Next() {
			var seq int64
			var content []byte
			var d kkm.Document
			if err := rows.Scan(&seq, &content); err != nil {
				rows.Close()
				return fmt.Errorf("storage: analytics: fold: %w", err)
			}
			if err := decodeDocument(content, &d); err != nil {
				rows.Close()
				return fmt.Errorf("storage: analytics: fold: document %d: %w", seq, err)
			}
			docs = append(docs, d)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("storage: analytics: fold: %w", err)
		}
		w := j.newAnalyticsWriter(tx)
		for i := range docs {
			if err := w.add(ctx, &docs[i]); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE analytics_rollup SET folded_seq = (SELECT COALESCE(MAX(seq), 0) FROM documents) WHERE id = 1`); err != nil {
			return fmt.Errorf("storage: analytics: fold: %w", err)
		}
		if err := keyTail(ctx, tx); err != nil {
			return err
		}
		j.unfolded.Store(0)
		return nil
	})
}

// foldState is the Journal's part of the fold.
type foldState struct {
	foldMu   sync.Mutex   // one fold at a time
	unfolded atomic.Int64 // documents committed since the last fold (a hint, not the watermark)
	folding  atomic.Bool  // a background fold is running
}
