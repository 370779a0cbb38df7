package storage

import (
	"context"
	"database/sql"
	"fmt"
)

// The documents' search keys, off the commit (issue 16, item 1).
//
// The history («История отчетов и чеков») and the lookups (a receipt by its number in a shift, a
// shift's documents, a period) find documents through seven indexes: by shift, kind, operation,
// number, offline number, total, time, and the offline ones. Kept on the documents table, every
// receipt's commit wrote a page of each — seven of its nine WAL pages, half of what the commit
// cost beyond its fsync, and, with the fsync of nine pages slower than that of three, more of
// the fsync too (BenchmarkCommitOverBareInsert).
//
// They are now kept in document_keys, a narrow copy of the documents' searched columns, filled
// behind a watermark (analytics_rollup.keyed_seq) in the same transaction as the analytics fold:
// at the first pause in the writes (idle.go), at once past foldForce documents, and before
// Analytics reads. A search reads two arms and joins them (keyedSeqs): the keyed documents through
// the indexes, and the documents after the watermark — the tail, a few dozen at a cashier's pace,
// foldForce at most — read by seq. Both arms select the same columns under the same names (x.),
// so one condition serves both, and each arm is ordered and limited on its own: a page still
// reads about as many index entries as it shows. A document is never missing from a search: it
// is in the tail until its keys are committed, and the watermark moves with them.

// documentKeysMigration is migration 16: document_keys filled from every document (one pass over
// the documents), its indexes, the documents' old ones dropped, and the watermark at the last
// document.
func documentKeysMigration() []string {
	return []string{
		`CREATE TABLE document_keys (
			seq            INTEGER PRIMARY KEY, -- documents.seq
			shift_number   INTEGER NOT NULL,
			kind           TEXT    NOT NULL,
			operation      INTEGER,             -- a receipt's kkm.Operation, NULL for other kinds
			number         INTEGER NOT NULL,
			offline_number INTEGER,
			total          INTEGER NOT NULL,
			issued_at      INTEGER NOT NULL,
			offline        INTEGER NOT NULL
		)`,
		`INSERT INTO document_keys ` + keysOfDocumentsSQL,
		`CREATE INDEX keys_shift ON document_keys(shift_number, seq)`,
		`CREATE INDEX keys_kind ON document_keys(kind, seq)`,
		`CREATE INDEX keys_operation ON document_keys(operation, seq) WHERE operation IS NOT NULL`,
		`CREATE INDEX keys_number ON document_keys(number, seq)`,
		`CREATE INDEX keys_offline_number ON document_keys(offline_number) WHERE offline_number IS NOT NULL`,
		`CREATE INDEX keys_total ON document_keys(total, seq)`,
		`CREATE INDEX keys_time ON document_keys(issued_at)`,
		`CREATE INDEX keys_offline ON document_keys(seq) WHERE offline = 1`,
		`DROP INDEX documents_history_shift`,
		`DROP INDEX documents_history_kind`,
		`DROP INDEX documents_history_operation`,
		`DROP INDEX documents_history_number`,
		`DROP INDEX documents_history_total`,
		`DROP INDEX documents_history_offline`,
		`DROP INDEX documents_by_time`,
		`ALTER TABLE analytics_rollup ADD COLUMN keyed_seq INTEGER NOT NULL DEFAULT 0`,
		`UPDATE analytics_rollup SET keyed_seq = (SELECT COALESCE(MAX(seq), 0) FROM document_keys) WHERE id = 1`,
	}
}

// keysOfDocumentsSQL reads every document's keys from the documents themselves, in
// document_keys' columns and under their names: what fills the table (migration 16, a fold step's read: readKeys) and
// what a search reads of the tail (tailKeysSQL).
const keysOfDocumentsSQL = `SELECT seq, shift_number, kind, CASE WHEN kind = 'receipt' THEN ` + receiptOperationSQL + ` END AS operation,
	number, offline_number, total, issued_at, offline FROM documents`

// keyedSQL is the keyed documents' watermark.
const keyedSQL = `(SELECT keyed_seq FROM analytics_rollup WHERE id = 1)`

// tailKeysSQL is the tail: the keys of the documents after the watermark.
const tailKeysSQL = `(` + keysOfDocumentsSQL + ` WHERE seq > ` + keyedSQL + `)`

// keyedSeqs returns the SQL of the seqs of the documents whose keys (aliased x) meet cond, from
// the keyed documents and from the tail, each arm ordered by order (an ORDER BY over x: "x.seq
// DESC", say) and, with limit, limited to a last parameter, and the arguments of both arms (args,
// twice, each time followed by limit when given).
func keyedSeqs(cond, order string, limit int, args ...any) (string, []any) {
	arm := func(src string) string {
		q := `SELECT x.seq FROM ` + src + ` x WHERE ` + cond + ` ORDER BY ` + order
		if limit > 0 {
			q += ` LIMIT ?`
		}
		return `SELECT seq FROM (` + q + `)`
	}
	all := make([]any, 0, 2*len(args)+2)
	for range 2 {
		all = append(all, args...)
		if limit > 0 {
			all = append(all, limit)
		}
	}
	return arm(`document_keys`) + ` UNION ALL ` + arm(tailKeysSQL), all
}

// documentKeys is a document's row of document_keys as a fold step reads it from the documents
// (keysOfDocumentsSQL), outside the write lock, to insert it under the lock (analytics_fold.go).
type documentKeys struct {
	seq, shift, number, total, issuedAt int64
	kind                                string
	operation, offlineNumber            sql.NullInt64
	offline                             int64
}

// readKeys reads the keys of the documents after..upto in read transaction tx.
func readKeys(ctx context.Context, tx *sql.Tx, after, upto int64) ([]documentKeys, error) {
	rows, err := tx.QueryContext(ctx, keysOfDocumentsSQL+` WHERE seq > ? AND seq <= ? ORDER BY seq`, after, upto)
	if err != nil {
		return nil, fmt.Errorf("storage: document keys: %w", err)
	}
	return scanKeys(rows)
}

// scanKeys reads rows of document_keys' columns, in its order, and closes them.
func scanKeys(rows *sql.Rows) ([]documentKeys, error) {
	defer rows.Close()
	var keys []documentKeys
	for rows.Next() {
		var k documentKeys
		if err := rows.Scan(&k.seq, &k.shift, &k.kind, &k.operation, &k.number, &k.offlineNumber, &k.total,
			&k.issuedAt, &k.offline); err != nil {
			return nil, fmt.Errorf("storage: document keys: %w", err)
		}
		keys = append(keys, k)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("storage: document keys: %w", err)
	}
	return keys, nil
}

// insertKeysSQL inserts a document's keys. OR REPLACE: a key row above the watermark (a journal's
// watermark moved back by hand) is written again from its document instead of stopping every
// fold on a duplicate.
const insertKeysSQL = `INSERT OR REPLACE INTO document_keys (seq, shift_number, kind, operation, number,
	offline_number, total, issued_at, offline) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`

// insertKeys inserts keys in write transaction tx.
func insertKeys(ctx context.Context, tx *Tx, st *statements, keys []documentKeys) error {
	if len(keys) == 0 {
		return nil
	}
	insert := tx.StmtContext(ctx, st.insertKeys)
	for _, k := range keys {
		if _, err := insert.ExecContext(ctx, k.seq, k.shift, k.kind, k.operation, k.number, k.offlineNumber, k.total,
			k.issuedAt, k.offline); err != nil {
			return fmt.Errorf("storage: document keys: %w", err)
		}
	}
	return nil
}

// keyCheck checks the documents' search keys against the documents while VerifyAll walks them
// (verifyRange), with a cursor over document_keys in seq order beside the documents': every
// keyed document has its keys, every key row is a document's, and they are its own. The chain
// seals the documents, not their keys, so a key edited or deleted behind the app's back would
// hide a sealed document from the history's searches. The receipt's operation, which is read
// from the content's JSON, is left out: recomputed for a million receipts it took VerifyAll from
// 7.4 to 12 s (BenchmarkScaleVerifyAll), and it only narrows a search that «Все» answers whole.
type keyCheck struct {
	rows  *sql.Rows
	keyed int64
	k     keyRow
	have  bool
	err   error
}

// keyRow is one row of document_keys as the check reads it.
type keyRow struct {
	seq, shift, number, offlineNumber, total, issuedAt int64
	kind                                               string
	offline                                            bool
}

// openKeyCheck opens the check of the keys of documents from..to.
func (j *Journal) openKeyCheck(ctx context.Context, from, to int64) (*keyCheck, error) {
	c := &keyCheck{}
	if err := j.db.QueryRowContext(ctx, `SELECT keyed_seq FROM analytics_rollup WHERE id = 1`).Scan(&c.keyed); err != nil {
		return nil, fmt.Errorf("storage: verify search keys: %w", err)
	}
	rows, err := j.db.QueryContext(ctx, `SELECT seq, shift_number, kind, number, COALESCE(offline_number, 0), total,
		issued_at, offline FROM document_keys WHERE seq BETWEEN ? AND ? ORDER BY seq`, from, to)
	if err != nil {
		return nil, fmt.Errorf("storage: verify search keys: %w", err)
	}
	c.rows = rows
	c.next()
	return c, c.err
}

// next reads the next key row.
func (c *keyCheck) next() {
	if c.have = c.rows.Next(); c.have {
		k := &c.k
		c.err = c.rows.Scan(&k.seq, &k.shift, &k.kind, &k.number, &k.offlineNumber, &k.total, &k.issuedAt, &k.offline)
	} else {
		c.err = c.rows.Err()
	}
	if c.err != nil {
		c.err = fmt.Errorf("storage: verify search keys: %w", c.err)
	}
}

// check checks the keys of document r, the next document in seq order.
func (c *keyCheck) check(r *chainRow) error {
	if c.err != nil {
		return c.err
	}
	if c.have && c.k.seq < r.seq {
		return &ChainError{What: ChangedDocument, Seq: c.k.seq, Reason: "search keys of no document"}
	}
	if !c.have || c.k.seq > r.seq {
		if r.seq <= c.keyed {
			return &ChainError{What: ChangedDocument, Seq: r.seq, Reason: "a keyed document has no search keys"}
		}
		return nil
	}
	k := c.k
	if k.shift != int64(r.shiftNumber) || k.kind != r.kind || k.number != int64(r.number) ||
		k.offlineNumber != int64(r.offlineNumber) || k.total != r.total || k.issuedAt != r.issuedAt || k.offline != r.offline {
		return &ChainError{What: ChangedDocument, Seq: r.seq, Reason: "a document's search keys are not its own"}
	}
	c.next()
	return c.err
}

// end reports a key row left after the last document.
func (c *keyCheck) end() error {
	if c.err != nil {
		return c.err
	}
	if c.have {
		return &ChainError{What: ChangedDocument, Seq: c.k.seq, Reason: "search keys of no document"}
	}
	return nil
}

// close lets the cursor go.
func (c *keyCheck) close() { c.rows.Close() }
