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
// They are prepared on the *sql.DB (the pool, for a journal without a write connection) and again
// on the held connection, where every write transaction runs (Tx): inside one, tx.StmtContext
// gives a statement's copy there, and the sale path's reads use the same copies between two
// transactions (hotRead). Every statement is a single SQL statement, which modernc.org/sqlite
// keeps prepared (reset, not finalized, after each use). A statement changed by a schema change
// (a migration, a restore) is prepared again by SQLite itself on its next step.
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
	insertKeys        *sql.Stmt // the documents' search keys (keys.go), in the same transaction
	// the outbox and the link (outbox.go)
	readLink           *sql.Stmt
	takeReqnum         *sql.Stmt
	setToken           *sql.Stmt
	setTokenTakeReqnum *sql.Stmt
	storeRequest       *sql.Stmt
	waitingBare        *sql.Stmt
	waitingFirst       *sql.Stmt
	waitingPair        *sql.Stmt
	insertFiscalResult *sql.Stmt
	markDone           *sql.Stmt
	doneAndNext        *sql.Stmt
	// the answer log (answers.go)
	waitingAfter   *sql.Stmt
	setLinkFromLog *sql.Stmt
	// reads asked on every sale (the status line's queue, the answer awaited): prepared once
	// instead of on every call, which took ~16 % of a sale's CPU (docs/benchmarks.md)
	outboxStats   *sql.Stmt
	fiscalResult  *sql.Stmt
	cashierByCode *sql.Stmt
	// every write transaction (journal.go inTx, identity.go)
	stampWrite *sql.Stmt

	all     []*sql.Stmt          // every statement above that is prepared, for close
	queries map[*sql.Stmt]string // each one's SQL, to prepare it on the held connection (Tx)
}

// prepareStatements prepares the write path's statements on db.
func prepareStatements(ctx context.Context, db *sql.DB) (*statements, error) {
	s := &statements{queries: map[*sql.Stmt]string{}}
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
		{&s.insertKeys, insertKeysSQL},
		{&s.readLink, readLinkSQL},
		{&s.takeReqnum, takeReqnumSQL},
		{&s.setToken, setTokenSQL},
		{&s.setTokenTakeReqnum, setTokenTakeReqnumSQL},
		{&s.storeRequest, storeRequestSQL},
		{&s.waitingBare, waitingBareSQL},
		{&s.waitingFirst, waitingFirstSQL},
		{&s.waitingPair, waitingPairSQL},
		{&s.insertFiscalResult, insertFiscalResultSQL},
		{&s.markDone, markDoneSQL},
		{&s.doneAndNext, doneAndNextSQL},
		{&s.waitingAfter, waitingNextSQL},
		{&s.setLinkFromLog, setLinkFromLogSQL},
		{&s.outboxStats, outboxStatsSQL},
		{&s.fiscalResult, fiscalResultSQL},
		{&s.cashierByCode, cashierByCodeSQL},
		{&s.stampWrite, stampWriteSQL},
	} {
		stmt, err := db.PrepareContext(ctx, p.query)
		if err != nil {
			return nil, errors.Join(fmt.Errorf("storage: prepare %q: %w", p.query, err), s.close())
		}
		*p.stmt = stmt
		s.all = append(s.all, stmt)
		s.queries[stmt] = p.query
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

// hotRead runs read between two write transactions (under writeMu) with the write path's
// statements as prepared on the held connection (Tx), for the reads of a sale's path: the
// cashier, the queue for the status line, the next document to send, the answer awaited, the
// link. held maps one of j.st's statements to its copy there; a journal without the connection
// (read-only, readonly.go) runs them on the pool.
//
// On a connection of the pool they cost a sale some forty preads: SQLite drops a connection's
// whole page cache when it finds that another connection wrote since its last read, so each of
// them read the pages of the chain, the outbox and the document again from the files. The
// writing connection's cache is always current (BenchmarkReceiptToFiscalSign: CPU 2.24 → 1.96 ms
// a sale, and 1.84 with the cashier's lookup here too). The reads wait for a transaction in progress, which at a cashier's
// pace is none, and never see one half done. A count that waited for a commit sees its documents
// before the app tells the sender of them: OutboxStats.Newest lets the sender count them once.
func (j *Journal) hotRead(read func(held func(*sql.Stmt) *sql.Stmt) error) error {
	// The answers a draining backlog logged reach SQLite first (answers.go); a journal that
	// cannot apply them has a fault latched, and its reads see SQLite as it is.
	_ = j.settle(context.Background())
	if j.tx == nil {
		return read(func(s *sql.Stmt) *sql.Stmt { return s })
	}
	j.writeMu.Lock()
	defer j.writeMu.Unlock()
	return read(func(s *sql.Stmt) *sql.Stmt { return j.tx.StmtContext(context.Background(), s) })
}

// sqlView is what both a connection and the pool answer: the statements of SQLite's view.
type sqlView interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// view is the connection whose view of the files is the process's own: the writing one (its
// cache holds what this process wrote), or the pool on a journal without one. The checkpoints
// run on it, so that its cache stays its own (a checkpoint on another connection that starts
// the WAL again makes it drop its cache), and the recovery (recovery.go, fault.go) reads SQLite's
// view through it.
func (j *Journal) view() sqlView {
	if j.hold == nil {
		return j.db
	}
	return j.hold
}

// Tx is one of the journal's write transactions (Journal.inTx, WriteTx): BEGIN IMMEDIATE and
// COMMIT on the held connection, with the write path's statements prepared on that connection
// once, when the journal opens.
//
// A *sql.Tx cost each transaction what its statements cost: database/sql and the driver prepare
// BEGIN and COMMIT anew every time, start a goroutine to watch the transaction's context, and bind
// every prepared statement to the transaction again (Tx.StmtContext): 34 → 23 µs p50 for a
// transaction of one statement, a fifth of a receipt's commit beyond its fsync.
type Tx struct {
	conn  *sql.Conn
	bound map[*sql.Stmt]*sql.Stmt // the pool's statements (Journal.st) → the same on conn
	own   []*sql.Stmt             // prepared in this transaction (PrepareContext), closed at its end
}

// ExecContext runs query in the transaction.
func (tx *Tx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return tx.conn.ExecContext(ctx, query, args...)
}

// QueryContext runs query in the transaction.
func (tx *Tx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return tx.conn.QueryContext(ctx, query, args...)
}

// QueryRowContext runs query in the transaction.
func (tx *Tx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	return tx.conn.QueryRowContext(ctx, query, args...)
}

// StmtContext returns the write path's statement s (one of Journal.st's) as prepared on the
// transaction's connection.
func (tx *Tx) StmtContext(_ context.Context, s *sql.Stmt) *sql.Stmt {
	b, ok := tx.bound[s]
	if !ok {
		panic("storage: a statement not prepared with the write path's (prepareStatements)")
	}
	return b
}

// PrepareContext prepares query for the rest of the transaction.
func (tx *Tx) PrepareContext(ctx context.Context, query string) (*sql.Stmt, error) {
	s, err := tx.conn.PrepareContext(ctx, query)
	if err == nil {
		tx.own = append(tx.own, s)
	}
	return s, err
}

// end closes what the transaction prepared.
func (tx *Tx) end() {
	for _, s := range tx.own {
		s.Close()
	}
	tx.own = tx.own[:0]
}

// heldTx prepares the write transactions' statements on conn: BEGIN IMMEDIATE, COMMIT, ROLLBACK
// and each of st's.
func heldTx(ctx context.Context, conn *sql.Conn, st *statements, queries map[*sql.Stmt]string) (tx *Tx, begin, commit, rollback *sql.Stmt, err error) {
	tx = &Tx{conn: conn, bound: map[*sql.Stmt]*sql.Stmt{}}
	closeAll := func() {
		for _, s := range tx.bound {
			s.Close()
		}
		for _, s := range []*sql.Stmt{begin, commit, rollback} {
			if s != nil {
				s.Close()
			}
		}
	}
	for _, p := range []struct {
		stmt  **sql.Stmt
		query string
	}{{&begin, "BEGIN IMMEDIATE"}, {&commit, "COMMIT"}, {&rollback, "ROLLBACK"}} {
		if *p.stmt, err = conn.PrepareContext(ctx, p.query); err != nil {
			closeAll()
			return nil, nil, nil, nil, fmt.Errorf("storage: prepare %q: %w", p.query, err)
		}
	}
	for _, s := range st.all {
		b, err := conn.PrepareContext(ctx, queries[s])
		if err != nil {
			closeAll()
			return nil, nil, nil, nil, fmt.Errorf("storage: prepare %q: %w", queries[s], err)
		}
		tx.bound[s] = b
	}
	return tx, begin, commit, rollback, nil
}

// writer is what both a *Tx and a *sql.Tx do: the seal's helpers (seal.go) take either, so the
// tests' forger can use them on a database of its own.
type writer interface {
	sqlView
	PrepareContext(ctx context.Context, query string) (*sql.Stmt, error)
}
