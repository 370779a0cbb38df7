package storage

import (
	"context"
	"fmt"
	"time"

	"github.com/ekassa-go/ekassa/kkm"
)

// EachDocument calls fn with every document of kind issued in [from, to), oldest first, with what
// the OFD answered for it, and stops at fn's first error, which it returns. A zero from or to
// leaves the period open on that side. It streams: memory does not grow with the period, so an
// export of a year costs one document's worth. Formatting the rows (CSV for a spreadsheet) is the
// exporting layer's (package csvexport); the journal only reads.
func (j *Journal) EachDocument(ctx context.Context, from, to time.Time, kind kkm.DocumentKind, fn func(Entry) error) error {
	fromMs, toMs := periodMillis(from, to)
	lo, hi, ok, err := j.periodSeqs(ctx, from, to)
	if err != nil || !ok {
		return err
	}
	rows, err := j.db.QueryContext(ctx, `SELECT `+entryColumns+` WHERE d.kind = ? AND d.seq >= ? AND d.seq <= ?
		AND d.issued_at >= ? AND d.issued_at < ? ORDER BY d.seq`, string(kind), lo, hi, fromMs, toMs)
	if err != nil {
		return fmt.Errorf("storage: documents of a period: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		e, err := scanEntry(rows)
		if err != nil {
			return fmt.Errorf("storage: documents of a period: %w", err)
		}
		if err := fn(e); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("storage: documents of a period: %w", err)
	}
	return nil
}
