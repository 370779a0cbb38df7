package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// The check at start (design.md §3.10, issue 15 item 3).
//
// SQLite's quick_check reads every page of every table and index and checks its structure (what
// it skips of integrity_check, the cross-check of index entries against rows, costs far more and
// finds no damage that stops a sale). On a year of a busy shop (1 M documents, 1.2 GB) it takes
// 8–13 s here (docs/benchmarks.md), far beyond a start. So the check is bounded:
//
//  1. Before Open returns, quick_check of the tables every Commit rewrites and that stay one row
//     or a few (the chain head, the register state, the OFD link, the settings, the cashiers):
//     microseconds, whatever the journal's size.
//  2. The whole file's quick_check starts at once on a connection of its own, and Open waits for
//     it up to startCheckBudget: a journal of months (tens of thousands of documents) is checked
//     whole before the first sale. A bigger one opens, and its check goes on in the background;
//     damage it finds is latched like any fault (ErrJournalCorrupt) and the next Commit is
//     refused. WaitChecked waits for it.
//
// Damage the write path touches in the meantime is found by SQLite itself (SQLITE_CORRUPT) and
// latched the same way (fault.go).

// startCheckBudget is how long Open waits for the whole file's check (a var: tests set it to 0
// to see the background path).
var startCheckBudget = 250 * time.Millisecond

// hotTables are the tables the write path rewrites that stay a row or a few.
var hotTables = []string{"chain", "register_state", "ofd_link", "settings", "cashiers"}

// fileCheck is the background check of the whole file.
type fileCheck struct {
	cancel context.CancelFunc
	done   chan struct{}
	err    error // set before done closes
}

// startCheck runs step 1 and starts step 2, waiting for it up to startCheckBudget.
func (j *Journal) startCheck(ctx context.Context) error {
	for _, t := range hotTables {
		var n int // a new journal has no tables yet: they come with the migrations
		if err := j.hold.QueryRowContext(ctx, `SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ?`, t).Scan(&n); err != nil {
			return j.checkFailed(err)
		}
		if n == 0 {
			continue
		}
		if err := j.quickCheck(ctx, j.hold, t); err != nil {
			return err
		}
	}
	conn, err := j.db.Conn(ctx)
	if err != nil {
		return j.checkFailed(err)
	}
	bg, cancel := context.WithCancel(context.Background())
	c := &fileCheck{cancel: cancel, done: make(chan struct{})}
	j.check = c
	go func() {
		defer close(c.done)
		defer conn.Close()
		c.err = j.quickCheck(bg, conn, "")
		if errors.Is(c.err, context.Canceled) {
			c.err = nil // the journal closed first
		}
	}()
	if startCheckBudget <= 0 {
		return nil
	}
	select {
	case <-c.done:
		return c.err
	case <-time.After(startCheckBudget):
		return nil
	case <-ctx.Done():
		return nil
	}
}

// quickCheck runs quick_check on table ("" for the whole file) and latches what it finds.
func (j *Journal) quickCheck(ctx context.Context, conn *sql.Conn, table string) error {
	q := `PRAGMA quick_check(5)`
	if table != "" {
		q = fmt.Sprintf(`PRAGMA quick_check(%q)`, table)
	}
	rows, err := conn.QueryContext(ctx, q)
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
			Reason: "the check found damage: " + strings.Join(found, "; ")})
	}
	return nil
}

// checkFailed latches the error of a check that could not run when it is a journal fault.
func (j *Journal) checkFailed(err error) error {
	return j.fail(fmt.Errorf("storage: open %s: check: %w", j.path, err))
}

// WaitChecked waits until the check of the whole file (see above) is done and returns what it
// found: nil, or the latched *FaultError. It returns ctx's error if ctx ends first.
func (j *Journal) WaitChecked(ctx context.Context) error {
	if j.check == nil {
		return j.Fault()
	}
	select {
	case <-j.check.done:
		return j.check.err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// stopCheck ends the background check and waits for it (at Close).
func (j *Journal) stopCheck() {
	if j.check == nil {
		return
	}
	j.check.cancel()
	<-j.check.done
}
