package storage

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/ekassa-go/ekassa/kkm"
)

// Entry is a document as the journal holds it: its sequence number in the journal, the document,
// and the OFD's answer once it has arrived (nil before, and always for X reports): its fiscal
// result, or its refusal when the OFD refused it for good (RefuseHead).
type Entry struct {
	Seq      int64
	Document kkm.Document
	Fiscal   *FiscalResult
	Refusal  *Refusal
}

// Page selects one page of a history listing, newest first. Before is the Seq of the last entry
// of the previous page (0 for the first page); Limit is the page size (DefaultPageSize when 0).
type Page struct {
	Before int64
	Limit  int
}

// DefaultPageSize is the page size of a Page with no Limit.
const DefaultPageSize = 50

// querier is what both *sql.DB and *sql.Tx offer, so lookups run inside or outside a transaction.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// The statements of Commit, prepared once (see statements.go).
const (
	chainHeadSQL = `SELECT head_seq, head_hash FROM chain WHERE id = 1`
	// commitHeadSQL is what Commit reads before it writes, in one statement: the chain head,
	// the OFD link (both in the chain row since migration 12), the refusals the saved state
	// took out, and whether any outbox entry is waiting (for the online head's request).
	commitHeadSQL = `SELECT head_seq, head_hash, link_token, link_reqnum, link_offline_since,
			link_blocked_code, link_info_text,
			CASE WHEN state_content IS NOT NULL THEN state_refusals END,
			EXISTS (SELECT 1 FROM outbox WHERE ` + waitingWhere + `)
		FROM chain WHERE id = 1`
	insertDocumentSQL = `INSERT INTO documents (seq, kind, shift_number, number, issued_at,
			total, offline, offline_number, parent_seq, parent_number, content, prev_hash, hash)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	// insertOutboxSQL: an entry, with its request when Commit assigns one (NULLs otherwise).
	insertOutboxSQL = `INSERT INTO outbox (seq, queued_at, token, reqnum) VALUES (?, ?, ?, ?)`
	// setChainHeadSQL also stamps the write (stampWriteSQL, identity.go) and saves the register
	// state after the documents (in the chain row since migration 15): one statement, one row.
	setChainHeadSQL = `UPDATE chain SET head_seq = ?, head_hash = ?, writes = writes + 1, opener = ?,
		state_content = ?, state_refusals = ?, state_mac = ? WHERE id = 1`
	// saveStateSQL replaces the register state alone (SaveState, a refusal, a restore).
	saveStateSQL = `UPDATE chain SET state_content = ?, state_refusals = ?, state_mac = ? WHERE id = 1`
)

// Commit writes docs (in order) and the register state after them in one transaction, and for
// every fiscal document an outbox entry; X reports are journaled but not queued. It returns the
// documents' sequence numbers. Nothing is written if anything fails. A Z report with auto
// cash-out is the two documents of one Commit. A state computed before the OFD's latest refusal
// was taken out of the saved one (its Refusals count is behind) is refused with ErrStateChanged:
// saving it would count the refused document again; the caller reloads State and issues anew.
func (j *Journal) Commit(ctx context.Context, docs []kkm.Document, state kkm.State) ([]int64, error) {
	ctx, err := whole(ctx) // the statements run whole (journal.go)
	if err != nil {
		return nil, err
	}
	if len(docs) == 0 {
		return nil, ErrNoDocuments
	}
	stateJSON, err := json.Marshal(state)
	if err != nil {
		return nil, fmt.Errorf("storage: commit: encode state: %w", err)
	}
	rows := make([]chainRow, len(docs))
	for i := range docs {
		if rows[i], err = documentRow(&docs[i]); err != nil {
			return nil, err
		}
	}
	seqs := make([]int64, len(docs))
	hashes := make([][]byte, len(docs))
	j.commitMu.Lock()
	defer j.commitMu.Unlock()
	var newHead chainHead
	err = j.inTx(ctx, func(tx *Tx) error {
		var head int64
		var prev []byte
		var link LinkState
		var token, reqnum int64
		var since, savedRefusals sql.NullInt64
		var waiting bool
		if err := tx.StmtContext(ctx, j.st.commitHead).QueryRowContext(ctx).Scan(&head, &prev,
			&token, &reqnum, &since, &link.BlockedCode, &link.InfoText, &savedRefusals, &waiting); err != nil {
			return fmt.Errorf("storage: commit: read chain head: %w", err)
		}
		link.Token, link.LastReqnum = uint32(token), uint16(reqnum)
		if since.Valid {
			link.OfflineSince = fromMillis(since.Int64)
		}
		// The journal's identity: the chain never moves back from the head this process's last
		// Commit left (nor changes its hash there). If it did, the content under the open file
		// changed: an older copy written over it in place.
		if head < j.head.seq || (head == j.head.seq && !bytes.Equal(prev, j.head.hash)) {
			return j.overwrittenFault(ctx, fmt.Sprintf("the journal's content changed under the app (its chain head is %d, this app left %d)",
				head, j.head.seq), false)
		}
		if commitHook != nil {
			commitHook(ctx, tx, "begin")
		}
		hs := newChainHasher(j.seal.key)
		insertDocument := tx.StmtContext(ctx, j.st.insertDocument)
		insertOutbox := tx.StmtContext(ctx, j.st.insertOutbox)
		for i := range rows {
			r := &rows[i]
			r.seq = head + 1
			if p := parentOf(&docs[i]); p != nil {
				if r.parentSeq, err = resolveParent(ctx, tx, *p); err != nil {
					return err
				}
			}
			h := hs.rowHash(prev, *r)
			if _, err := insertDocument.ExecContext(ctx,
				r.seq, r.kind, r.shiftNumber, r.number, r.issuedAt, r.total, r.offline,
				nullIfZero(int64(r.offlineNumber)), nullIfZero(r.parentSeq), nullIfEmpty(r.parentNumber),
				r.content, prev, h); err != nil {
				return fmt.Errorf("storage: commit: document %d: %w", r.seq, err)
			}
			j.noteDoc(*r, prev, h)
			if docs[i].Kind.Fiscal() {
				req, err := j.onlineHeadRequest(ctx, tx, &docs[i], link, waiting)
				if err != nil {
					return err
				}
				var token, reqnum any
				if req != nil {
					token, reqnum = int64(req.Token), int64(req.Reqnum)
				}
				if _, err := insertOutbox.ExecContext(ctx, r.seq, r.issuedAt, token, reqnum); err != nil {
					return fmt.Errorf("storage: commit: outbox %d: %w", r.seq, err)
				}
				if req != nil {
					j.noteRequest(r.seq, *req)
				}
				waiting = true
			}
			seqs[i], hashes[i], head, prev = r.seq, h, r.seq, h
		}
		if err := checkRefusals(savedRefusals, state.Refusals); err != nil {
			return err
		}
		j.pend.stamped = true
		if _, err := tx.StmtContext(ctx, j.st.setChainHead).ExecContext(ctx, head, prev, j.nonce(),
			stateJSON, int64(state.Refusals), j.seal.stateMAC(head, prev, stateJSON)); err != nil {
			return fmt.Errorf("storage: commit: chain head and state: %w", err)
		}
		j.noteState(stateJSON, int64(state.Refusals))
		newHead = chainHead{seq: head, hash: prev}
		if commitHook != nil {
			commitHook(ctx, tx, "written")
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	j.head = newHead
	j.committed.add(docs, rows, hashes)
	j.foldSoon(len(docs))
	if commitHook != nil {
		commitHook(ctx, nil, "committed")
	}
	return seqs, nil
}

// documentRow encodes d into the row columns the hash covers (seq and parent seq are set later).
func documentRow(d *kkm.Document) (chainRow, error) {
	content, err := json.Marshal(d)
	if err != nil {
		return chainRow{}, fmt.Errorf("storage: commit: encode %s document: %w", d.Kind, err)
	}
	r := chainRow{
		kind:          string(d.Kind),
		shiftNumber:   d.ShiftNumber,
		number:        d.Number,
		issuedAt:      toMillis(d.Time),
		total:         int64(d.Total()),
		offline:       d.Offline,
		offlineNumber: d.OfflineNumber,
		content:       content,
	}
	if p := parentOf(d); p != nil {
		r.parentNumber = p.Number
	}
	return r, nil
}

// parentOf returns the original a return names, or nil.
func parentOf(d *kkm.Document) *kkm.ParentReceipt {
	if d.Kind != kkm.KindReceipt || d.Receipt == nil {
		return nil
	}
	return d.Receipt.Parent
}

// resolveParent finds the journal's own receipt that p names, by fiscal sign first and then by
// offline number, and returns its seq; 0 when the original is not in this journal (a register
// moved to a new phone, or a receipt of another register).
func resolveParent(ctx context.Context, q querier, p kkm.ParentReceipt) (int64, error) {
	if p.Number == "" {
		return 0, nil
	}
	var seq int64
	err := q.QueryRowContext(ctx, `SELECT f.seq FROM fiscal_results f JOIN documents d ON d.seq = f.seq
		WHERE f.fiscal_sign = ? AND d.kind = 'receipt' ORDER BY f.seq LIMIT 1`, p.Number).Scan(&seq)
	if err == nil {
		return seq, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("storage: find parent receipt %q: %w", p.Number, err)
	}
	n, perr := strconv.ParseUint(p.Number, 10, 32)
	if perr != nil || n == 0 {
		return 0, nil
	}
	err = q.QueryRowContext(ctx, `SELECT seq FROM documents WHERE offline_number = ? AND kind = 'receipt'
		ORDER BY seq DESC LIMIT 1`, n).Scan(&seq)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("storage: find parent receipt %q: %w", p.Number, err)
	}
	return seq, nil
}

// State returns the register state saved by the last Commit (or SaveState); the zero State on a
// fresh journal. It reads one row, whatever the journal's size.
func (j *Journal) State(ctx context.Context) (kkm.State, error) {
	var s kkm.State
	var content []byte
	err := j.db.QueryRowContext(ctx, `SELECT content FROM register_state WHERE id = 1`).Scan(&content)
	if errors.Is(err, sql.ErrNoRows) {
		return s, nil
	}
	if err != nil {
		return s, fmt.Errorf("storage: load state: %w", err)
	}
	if err := json.Unmarshal(content, &s); err != nil {
		return s, fmt.Errorf("storage: decode state: %w", err)
	}
	return s, nil
}

// SaveState replaces the register state without a document, for the changes that issue none:
// reconciling the shift with the OFD's view when a register is connected to a new phone.
func (j *Journal) SaveState(ctx context.Context, s kkm.State) error {
	content, err := json.Marshal(s)
	if err != nil {
		return fmt.Errorf("storage: encode state: %w", err)
	}
	return j.inTx(ctx, func(tx *Tx) error { return j.saveStateTx(ctx, tx, content, int64(s.Refusals)) })
}

// saveStateTx replaces the register state inside tx, sealed to the chain head it follows.
func (j *Journal) saveStateTx(ctx context.Context, tx *Tx, content []byte, refusals int64) error {
	var head int64
	var hash []byte
	if err := tx.StmtContext(ctx, j.st.chainHead).QueryRowContext(ctx).Scan(&head, &hash); err != nil {
		return fmt.Errorf("storage: save state: read chain head: %w", err)
	}
	if _, err := tx.StmtContext(ctx, j.st.saveState).ExecContext(ctx, content, refusals, j.seal.stateMAC(head, hash, content)); err != nil {
		return fmt.Errorf("storage: save state: %w", err)
	}
	j.noteState(content, refusals)
	return nil
}

// entryColumns selects what scanEntry reads.
const entryColumns = `d.seq, d.content, f.fiscal_sign, f.qr_link, f.answered_at,
	r.code, r.text, r.refused_at
	FROM documents d LEFT JOIN fiscal_results f ON f.seq = d.seq LEFT JOIN refusals r ON r.seq = d.seq`

// scanner is a *sql.Row or *sql.Rows.
type scanner interface{ Scan(dest ...any) error }

// scanEntry reads one row of entryColumns.
func scanEntry(s scanner) (Entry, error) {
	var e Entry
	var content []byte
	var sign, link sql.NullString
	var at, rcode, rat sql.NullInt64
	var rtext sql.NullString
	if err := s.Scan(&e.Seq, &content, &sign, &link, &at, &rcode, &rtext, &rat); err != nil {
		return e, err
	}
	if rat.Valid {
		e.Refusal = &Refusal{Code: uint32(rcode.Int64), Text: rtext.String, At: fromMillis(rat.Int64)}
	}
	if err := decodeDocument(content, &e.Document); err != nil {
		return e, fmt.Errorf("document %d: %w", e.Seq, err)
	}
	if at.Valid {
		e.Fiscal = &FiscalResult{Sign: sign.String, QRLink: link.String, At: fromMillis(at.Int64)}
	}
	return e, nil
}

// decodeDocument decodes a document's stored content; a failure wraps ErrUndecodable.
func decodeDocument(content []byte, d *kkm.Document) error {
	if err := json.Unmarshal(content, d); err != nil {
		return fmt.Errorf("%w: %w", ErrUndecodable, err)
	}
	return nil
}

// one runs a query for at most one entry; ErrNotFound (naming what) when there is none.
func (j *Journal) one(ctx context.Context, what, where string, args ...any) (Entry, error) {
	e, err := scanEntry(j.db.QueryRowContext(ctx, `SELECT `+entryColumns+` WHERE `+where+` LIMIT 1`, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return e, notFound(what)
	}
	if err != nil {
		return e, j.fail(fmt.Errorf("storage: %s: %w", what, err))
	}
	return e, nil
}

// Document returns the document with sequence number seq.
func (j *Journal) Document(ctx context.Context, seq int64) (Entry, error) {
	return j.one(ctx, fmt.Sprintf("document %d", seq), `d.seq = ?`, seq)
}

// ReceiptByNumber finds the receipt with number number in shift shift. Among the keyed documents
// it reads those numbered number within the shift's first and last seq (keys_number, bounded by
// keys_shift), so its cost does not grow with the journal or the shift; the tail is read whole
// (keys.go).
func (j *Journal) ReceiptByNumber(ctx context.Context, shift, number uint32) (Entry, error) {
	return j.one(ctx, fmt.Sprintf("receipt %d of shift %d", number, shift), receiptByNumberWhere,
		number, shift, shift, shift, number, shift)
}

// receiptByNumberWhere is ReceiptByNumber's condition. The shift's bounds only narrow the search
// of the keyed documents: the shift number is still checked on every row (the unary + keeps
// SQLite from walking the whole shift on keys_shift instead).
const receiptByNumberWhere = `d.seq IN (SELECT seq FROM document_keys
		WHERE number = ? AND +shift_number = ? AND kind = 'receipt'
			AND seq BETWEEN (SELECT MIN(seq) FROM document_keys WHERE shift_number = ?)
				AND (SELECT MAX(seq) FROM document_keys WHERE shift_number = ?)
	UNION ALL SELECT seq FROM ` + tailKeysSQL + ` WHERE number = ? AND shift_number = ? AND kind = 'receipt')`

// ReceiptByOfflineNumber finds the receipt issued offline with offline number n.
func (j *Journal) ReceiptByOfflineNumber(ctx context.Context, n uint32) (Entry, error) {
	return j.one(ctx, fmt.Sprintf("receipt with offline number %d", n),
		`d.offline_number = ? AND d.kind = 'receipt' ORDER BY d.seq DESC`, n)
}

// ReceiptByFiscalSign finds the receipt the OFD gave fiscal sign sign.
func (j *Journal) ReceiptByFiscalSign(ctx context.Context, sign string) (Entry, error) {
	return j.one(ctx, fmt.Sprintf("receipt with fiscal sign %s", sign),
		`f.fiscal_sign = ? AND d.kind = 'receipt' ORDER BY d.seq`, sign)
}

// DocumentsByShift lists shift shift's documents, newest first, one page at a time.
func (j *Journal) DocumentsByShift(ctx context.Context, shift uint32, p Page) ([]Entry, error) {
	return j.page(ctx, p, `x.shift_number = ?`, shift)
}

// DocumentsByPeriod lists the documents issued in [from, to), newest first, one page at a time.
func (j *Journal) DocumentsByPeriod(ctx context.Context, from, to time.Time, p Page) ([]Entry, error) {
	return j.page(ctx, p, `x.issued_at >= ? AND x.issued_at < ?`, toMillis(from), toMillis(to))
}

// page runs a keyset-paged listing, newest first, of the documents whose keys (x, keys.go) meet
// where.
func (j *Journal) page(ctx context.Context, p Page, where string, args ...any) ([]Entry, error) {
	limit := p.Limit
	if limit <= 0 {
		limit = DefaultPageSize
	}
	if p.Before > 0 {
		where += ` AND x.seq < ?`
		args = append(args, p.Before)
	}
	seqs, args := keyedSeqs(where, `x.seq DESC`, limit, args...)
	args = append(args, limit)
	rows, err := j.db.QueryContext(ctx, `SELECT `+entryColumns+` WHERE d.seq IN (`+seqs+`) ORDER BY d.seq DESC LIMIT ?`, args...)
	if err != nil {
		return nil, fmt.Errorf("storage: list documents: %w", err)
	}
	defer rows.Close()
	var out []Entry
	for rows.Next() {
		e, err := scanEntry(rows)
		if err != nil {
			return nil, fmt.Errorf("storage: list documents: %w", err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("storage: list documents: %w", err)
	}
	return out, nil
}

// ReturnedLine is how much of one item has been returned: the lines of the returns are grouped by
// name, НКТ code, section, unit, price and VAT rate, the identity of an item that
// kkm.ValidateReturn uses.
type ReturnedLine struct {
	Name     string
	NTIN     string
	Section  string
	Unit     string
	Price    kkm.Money
	VATRate  kkm.VATRate
	Quantity kkm.Quantity
	Sum      kkm.Money
}

// Returned is what the returns against one original receipt add up to.
type Returned struct {
	Receipts []kkm.Receipt  // the returns, oldest first (kkm.ValidateReturn's "returned")
	Total    kkm.Money      // their totals' sum (simple mode's limit)
	Lines    []ReturnedLine // per item, in order of first appearance (extended mode's limit)
}

// Returned adds up the returns already issued against the original parent names. The original is
// looked up in the journal (by fiscal sign, then offline number) so that returns naming it either
// way count together; an original from elsewhere is matched by the number the returns name.
func (j *Journal) Returned(ctx context.Context, parent kkm.ParentReceipt) (Returned, error) {
	var out Returned
	seq, err := resolveParent(ctx, j.db, parent)
	if err != nil {
		return out, err
	}
	where, arg := `parent_number = ? AND parent_seq IS NULL`, any(parent.Number)
	if seq > 0 {
		where, arg = `parent_seq = ?`, seq
	}
	// A return the OFD refused gave nothing back (RefuseHead): it does not count.
	rows, err := j.db.QueryContext(ctx, `SELECT content FROM documents WHERE `+where+` AND kind = 'receipt'
		AND seq NOT IN (SELECT seq FROM refusals) ORDER BY seq`, arg)
	if err != nil {
		return out, fmt.Errorf("storage: returned: %w", err)
	}
	defer rows.Close()
	index := map[ReturnedLine]int{}
	for rows.Next() {
		var content []byte
		var d kkm.Document
		if err := rows.Scan(&content); err != nil {
			return out, fmt.Errorf("storage: returned: %w", err)
		}
		if err := decodeDocument(content, &d); err != nil {
			return out, err
		}
		if d.Receipt == nil {
			continue
		}
		out.Receipts = append(out.Receipts, *d.Receipt)
		out.Total += d.Receipt.Total
		for _, l := range d.Receipt.Lines {
			key := ReturnedLine{Name: l.Name, NTIN: l.NTIN, Section: l.Section, Unit: l.Unit, Price: l.Price, VATRate: l.VATRate}
			i, ok := index[key]
			if !ok {
				i = len(out.Lines)
				index[key] = i
				out.Lines = append(out.Lines, key)
			}
			out.Lines[i].Quantity += l.Quantity
			out.Lines[i].Sum += l.Sum
		}
	}
	if err := rows.Err(); err != nil {
		return out, fmt.Errorf("storage: returned: %w", err)
	}
	return out, nil
}

// nullIfZero stores 0 as NULL, for optional integer columns.
func nullIfZero(v int64) any {
	if v == 0 {
		return nil
	}
	return v
}

// nullIfEmpty stores "" as NULL, for optional text columns.
func nullIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// onlineHeadRequest gives a document issued online its request identity in the transaction that
// commits it, when it is the only document waiting (waiting: none was before it) and the link
// is neither offline nor blocked: the sender would assign exactly this pair before sending (the
// link's token, the next REQNUM, no offline_period), so an online receipt costs one durable
// commit less. It takes the REQNUM and returns the request to store with the entry; nil when
// the sender assigns it later, with the offline_period or the new token that the situation needs.
func (j *Journal) onlineHeadRequest(ctx context.Context, tx *Tx, d *kkm.Document, link LinkState, waiting bool) (*Request, error) {
	if d.Offline || waiting || link.BlockedCode != 0 || !link.OfflineSince.IsZero() || link.Token == 0 {
		return nil, nil
	}
	taken, err := j.takeReqnum(ctx, tx)
	if err != nil {
		return nil, fmt.Errorf("storage: commit: %w", err)
	}
	return &Request{Token: link.Token, Reqnum: taken.LastReqnum}, nil
}
