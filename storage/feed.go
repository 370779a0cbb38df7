package storage

import (
	"context"
	"fmt"
	"time"
)

// ChainRow is one document row as the journal stores it, with its link in the hash chain: what a
// copy of the journal elsewhere (the owner's hub) needs to hold the same chain, in the journal's
// own order, without decoding the content.
type ChainRow struct {
	Seq         int64
	Kind        string
	ShiftNumber uint32
	Number      uint32
	IssuedAt    time.Time
	Total       int64 // tiyn
	Offline     bool
	ParentSeq   int64  // a return's original in this journal (0 when none): hashed, not in the content
	Content     []byte // the document's JSON exactly as stored (and hashed)
	PrevHash    []byte
	Hash        []byte
}

// maxFeedRows bounds one ChainRows read.
const maxFeedRows = 1000

// ChainRows returns up to limit rows after seq after, in seq order: the feed a hub push reads
// from its own cursor, apart from the OFD's outbox. It reads by the primary key, so its cost does
// not grow with the journal.
func (j *Journal) ChainRows(ctx context.Context, after int64, limit int) ([]ChainRow, error) {
	if limit <= 0 || limit > maxFeedRows {
		limit = maxFeedRows
	}
	rows, err := j.db.QueryContext(ctx, `SELECT seq, kind, shift_number, number, issued_at, total, offline,
		COALESCE(parent_seq, 0), content, prev_hash, hash FROM documents WHERE seq > ? ORDER BY seq LIMIT ?`, after, limit)
	if err != nil {
		return nil, j.fail(fmt.Errorf("storage: reading the chain after %d: %w", after, err))
	}
	defer rows.Close()
	var out []ChainRow
	for rows.Next() {
		var r ChainRow
		var issued int64
		if err := rows.Scan(&r.Seq, &r.Kind, &r.ShiftNumber, &r.Number, &issued, &r.Total, &r.Offline,
			&r.ParentSeq, &r.Content, &r.PrevHash, &r.Hash); err != nil {
			return nil, j.fail(fmt.Errorf("storage: reading the chain after %d: %w", after, err))
		}
		r.IssuedAt = time.UnixMilli(issued)
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, j.fail(fmt.Errorf("storage: reading the chain after %d: %w", after, err))
	}
	return out, nil
}
