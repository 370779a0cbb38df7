package storage

import (
	"database/sql"
	"sync"

	"github.com/ekassa-go/ekassa/kkm"
)

// The documents a fold needs, kept from their commit (issue 16: a sale does not wait for a fold).
//
// A fold step read its documents back from SQLite and decoded their JSON: ~30 of the ~45 ms of
// CPU a fold of foldForce sales costs (BenchmarkForcedFold), on a phone's cores beside the sales.
// Commit has each document in memory, so it keeps what the fold takes from it — the receipt's
// figures, the document's search keys and its hash — in committedDocs, in seq order, and a step
// whose documents are all there builds its sums from them and reads nothing. The journal's own
// commits are the only ones kept: a run of them that does not continue the last (documents
// written another way: a restore, a recovery) starts the record again, and a step finds the rest
// in SQLite as before. What a step takes from memory is checked like what it reads (the
// watermarks and the last document's hash, foldOneStep); a step that finds the journal changed
// forgets the record.

// committedLimit is the most documents kept: a journal whose folds fail (read-only) stops keeping.
const committedLimit = 4 * foldForce

// committedDoc is what a fold takes from one committed document.
type committedDoc struct {
	seq     int64
	hash    []byte
	keys    documentKeys
	receipt *receiptFigures // nil for other documents
}

// receiptFigures is what a receipt adds to the analytics aggregates (analyticsSum).
type receiptFigures struct {
	hour     hourKey
	figures  hourFigures
	operator string
	items    []itemFigure
}

// itemFigure is what a line adds to its row of analytics_items.
type itemFigure struct {
	key     itemKey
	figures itemFigures
}

// committedDocs is the record, in seq order without gaps.
type committedDocs struct {
	mu   sync.Mutex
	docs []committedDoc
}

// add records the documents of one commit (rows as inserted, hashes as stored).
func (c *committedDocs) add(docs []kkm.Document, rows []chainRow, hashes [][]byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if n := len(c.docs); n > 0 && (c.docs[n-1].seq+1 != rows[0].seq || n+len(rows) > committedLimit) {
		c.docs = nil
	}
	for i := range rows {
		c.docs = append(c.docs, committedDoc{seq: rows[i].seq, hash: hashes[i], keys: keysOfRow(&rows[i], &docs[i]),
			receipt: figuresOf(&docs[i])})
	}
}

// take returns the documents after..upto, when the record holds them all; nil otherwise.
func (c *committedDocs) take(after, upto int64) []committedDoc {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.docs) == 0 || c.docs[0].seq > after+1 || c.docs[len(c.docs)-1].seq < upto {
		return nil
	}
	first := c.docs[0].seq
	return c.docs[after+1-first : upto+1-first : upto+1-first]
}

// last is the last document recorded, 0 when none.
func (c *committedDocs) last() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.docs) == 0 {
		return 0
	}
	return c.docs[len(c.docs)-1].seq
}

// drop forgets the documents up to upto (folded), or all of them (upto < 0: the journal changed).
func (c *committedDocs) drop(upto int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if upto < 0 {
		c.docs = nil
		return
	}
	i := 0
	for i < len(c.docs) && c.docs[i].seq <= upto {
		i++
	}
	// Resliced, not copied (a copy of the rest at every step of a fold was the sale's
	// largest allocation): nothing writes over a recorded document, add only appends past the
	// end, and a slice take handed out ends its capacity at its own last document, so a step
	// still reading it never sees a change. The front is freed when append next moves the array.
	c.docs = c.docs[i:]
}

// keysOfRow is document_keys' row of a committed document: what keysOfDocumentsSQL reads from
// its columns and, for a receipt's operation, its content.
func keysOfRow(r *chainRow, d *kkm.Document) documentKeys {
	k := documentKeys{seq: r.seq, shift: int64(r.shiftNumber), kind: r.kind, number: int64(r.number), total: r.total,
		issuedAt: r.issuedAt}
	if r.offline {
		k.offline = 1
	}
	if r.offlineNumber != 0 {
		k.offlineNumber = sql.NullInt64{Int64: int64(r.offlineNumber), Valid: true}
	}
	if r.kind == string(kkm.KindReceipt) && d.Receipt != nil {
		k.operation = sql.NullInt64{Int64: int64(d.Receipt.Operation), Valid: true}
	}
	return k
}
