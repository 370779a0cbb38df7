package storage

import (
	"context"
	"fmt"
	"strings"
)

// startCheck is the check of a journal as it opens: SQLite's quick_check (every page of every
// table and index is read and its structure checked; what it skips of integrity_check, the
// cross-check of index entries against rows, costs far more and finds no damage that stops a
// sale). A damaged journal is refused with ErrJournalCorrupt; a read that fails with ErrJournalIO.
// Its cost on a year of a busy shop is in docs/benchmarks.md (BenchmarkScaleStartCheck).
func (j *Journal) startCheck(ctx context.Context) error {
	rows, err := j.hold.QueryContext(ctx, `PRAGMA quick_check(5)`)
	if err != nil {
		return j.checkFailed(err)
	}
	defer rows.Close()
	var found []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return j.checkFailed(err)
		}
		if s != "ok" {
			found = append(found, s)
		}
	}
	if err := rows.Err(); err != nil {
		return j.checkFailed(err)
	}
	if len(found) > 0 {
		return j.fail(&FaultError{Code: ErrJournalCorrupt, Path: j.path,
			Reason: "the check at start found damage: " + strings.Join(found, "; ")})
	}
	return nil
}

// checkFailed latches the error of a check that could not run when it is a journal fault.
func (j *Journal) checkFailed(err error) error {
	return j.fail(fmt.Errorf("storage: open %s: check: %w", j.path, err))
}
