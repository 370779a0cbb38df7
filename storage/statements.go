package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// statements are the SQL of the journal's write path (Commit and the outbox's transactions),
// prepared once when the journal opens instead of parsed again in every transaction: the parse is
// a fifth of what a receipt's commit costs in CPU.
//
// They are prepared on the *sql.DB and used inside a transaction through tx.StmtContext, which
// binds a statement to the transaction's connection: database/sql keeps one prepared copy per
// connection of the pool and prepares a new copy the first time a statement runs on a connection
// that has none, so the pool may open, close and reuse connections as it likes. Every statement is
// a single SQL statement, which modernc.org/sqlite keeps prepared (reset, not finalized, after
// each use). A statement changed by a schema change (a migration, a restore) is prepared again by
// SQLite itself on its next step.
type statements struct {
	// Commit (documents.go)
	chainHead      *sql.Stmt
	commitHead     *sql.Stmt
	insertDocument *sql.Stmt
	insertOutbox   *sql.Stmt
	setChainHead   *sql.Stmt
	saveState      *sql.Stmt
	// the analytics aggregates (analytics.go), in the fold's transaction (analytics_fold.go)
	analyticsHour     *sql.Stmt
	analyticsOperator *sql.Stmt
	analyticsItem     *sql.Stmt
	// the outbox and the link (outbox.go)
	readLink           *sql.Stmt
	takeReqnum         *sql.Stmt
	setToken           *sql.Stmt
	setTokenTakeReqnum *sql.Stmt
	storeRequest       *sql.Stmt
	waitingBare        *sql.Stmt
	waitingWithContent *sql.Stmt
	insertFiscalResult *sql.Stmt
	markDone           *sql.Stmt
	doneAndNext        *sql.Stmt
	// reads asked on every sale (the status line's queue, the answer awaited): prepared once
	// instead of on every call, which took ~16 % of a sale's CPU (docs/benchmarks.md)
	outboxStats  *sql.Stmt
	fiscalResult *sql.Stmt
	// every write transaction (journal.go inTx, identity.go)
	stampWrite *sql.Stmt

	all []*sql.Stmt // every statement above that is prepared, for close
}

// prepareStatements prepares the write path's statements on db.
func prepareStatements(ctx context.Context, db *sql.DB) (*statements, error) {
	s := &statements{}
	for _, p := range []struct {
		stmt  **sql.Stmt
		query string
	}{
		{&s.chainHead, chainHeadSQL},
		{&s.commitHead, commitHeadSQL},
		{&s.insertDocument, insertDocumentSQL},
		{&s.insertOutbox, insertOutboxSQL},
		{&s.setChainHead, setChainHeadSQL},
		{&s.saveState, saveStateSQL},
		{&s.analyticsHour, analyticsHourSQL},
		{&s.analyticsOperator, analyticsOperatorSQL},
		{&s.analyticsItem, analyticsItemSQL},
		{&s.readLink, readLinkSQL},
		{&s.takeReqnum, takeReqnumSQL},
		{&s.setToken, setTokenSQL},
		{&s.setTokenTakeReqnum, setTokenTakeReqnumSQL},
		{&s.storeRequest, storeRequestSQL},
		{&s.waitingBare, waitingBareSQL},
		{&s.waitingWithContent, waitingWithContentSQL},
		{&s.insertFiscalResult, insertFiscalResultSQL},
		{&s.markDone, markDoneSQL},
		{&s.doneAndNext, doneAndNextSQL},
		{&s.outboxStats, outboxStatsSQL},
		{&s.fiscalResult, fiscalResultSQL},
		{&s.stampWrite, stampWriteSQL},
	} {
		stmt, err := db.PrepareContext(ctx, p.query)
		if err != nil {
			return nil, errors.Join(fmt.Errorf("storage: prepare %q: %w", p.query, err), s.close())
		}
		*p.stmt = stmt
		s.all = append(s.all, stmt)
	}
	return s, nil
}

// close closes every statement prepared so far.
func (s *statements) close() error {
	var errs []error
	for _, stmt := range s.all {
		errs = append(errs, stmt.Close())
	}
	s.all = nil
	return errors.Join(errs...)
}
