package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/ekassa-go/ekassa/kkm"
)

// FiscalResult is the OFD's answer to a fiscal document: the fiscal sign (the TICKET answer's
// ticket_number; empty for documents whose answer carries none), the QR link the OFD returned,
// and when the answer was stored. It is kept beside the document, outside the hash chain.
type FiscalResult struct {
	Sign   string
	QRLink string
	At     time.Time
}

// Request is the identity of a request to the OFD: the header's TOKEN and REQNUM, and the
// offline_period begin it carries (zero when it is sent online). A retry must send the same
// Request, so the OFD replays its answer instead of counting the document twice.
type Request struct {
	Token        uint32
	Reqnum       uint16
	OfflineBegin time.Time
}

// OutboxEntry is the oldest document waiting for the OFD.
type OutboxEntry struct {
	Entry              // the document
	QueuedAt time.Time // when it joined the queue
	Request  *Request  // the request assigned to it, nil until one is (AssignNextRequest, or Commit)
}

// OutboxStats describes the queue for the UI and for the offline limit.
type OutboxStats struct {
	Waiting      int       // documents not yet answered by the OFD
	OldestQueued time.Time // when the oldest of them was queued; zero when none waits
	// Newest is the seq of the newest outbox entry, answered or not, when they were counted:
	// the count holds every document queued up to it (delivery.Sender.Queued).
	Newest int64
}

// LinkState is the OFD link's persistent state.
type LinkState struct {
	Token        uint32    // the token the next document request carries
	LastReqnum   uint16    // the REQNUM of the last request sent (the next is LastReqnum+1, wrapping)
	OfflineSince time.Time // zero while online: the first failed send of the current offline spell
	BlockedCode  uint32    // 0 unless blocked; else the OFD's result code (or a local reason code)
	InfoText     string    // the OFD's info text that came with a block, to show the cashier
}

// NextOutbox returns the oldest entry the OFD has not answered yet, with its document, or
// ErrNotFound when the outbox is empty. When that document's stored content cannot be decoded,
// the error wraps ErrUndecodable and names the document, and the entry is returned all the same
// without its Document (Seq, QueuedAt and Request set): the entry cannot be sent, but it can be
// named, and its request renewed.
func (j *Journal) NextOutbox(ctx context.Context) (OutboxEntry, error) {
	ctx, err := whole(ctx) // the statements run whole (journal.go)
	if err != nil {
		return OutboxEntry{}, err
	}
	var heads []waitingRow
	err = j.hotRead(func(held func(*sql.Stmt) *sql.Stmt) error {
		heads, err = waitingHeads(ctx, held(j.st.waitingFirst), 1, 0)
		return err
	})
	if err != nil {
		return OutboxEntry{}, err
	}
	if len(heads) == 0 {
		return OutboxEntry{}, notFound("outbox is empty")
	}
	return heads[0].entry()
}

// OutboxStats counts the waiting entries and finds the oldest one's queue time. Both use the
// partial index over waiting rows, so the cost follows the queue's length, not the journal's.
func (j *Journal) OutboxStats(ctx context.Context) (OutboxStats, error) {
	ctx, err := whole(ctx) // the statements run whole (journal.go)
	if err != nil {
		return OutboxStats{}, err
	}
	var s OutboxStats
	var oldest sql.NullInt64
	err = j.hotRead(func(held func(*sql.Stmt) *sql.Stmt) error {
		return held(j.st.outboxStats).QueryRowContext(ctx).Scan(&s.Waiting, &oldest, &s.Newest)
	})
	if err != nil {
		return s, j.fail(fmt.Errorf("storage: outbox stats: %w", err))
	}
	if oldest.Valid {
		s.OldestQueued = fromMillis(oldest.Int64)
	}
	return s, nil
}

// AssignNextRequest durably gives outbox entry seq its request before it first leaves: the
// given token and offline_period begin (zero when sent online), and the journal's next REQNUM
// (LastReqnum+1, wrapping), taken in the same transaction, so no REQNUM kept outside the
// journal can go stale. If the entry already has a request, that one is returned unchanged and
// no REQNUM is taken: every retry, also after a crash or restart, reuses the first. Only the
// oldest waiting entry can be assigned (ErrOutboxOrder otherwise).
func (j *Journal) AssignNextRequest(ctx context.Context, seq int64, token uint32, offlineBegin time.Time) (Request, error) {
	ctx, err := whole(ctx) // the statements run whole (journal.go)
	if err != nil {
		return Request{}, err
	}
	var out Request
	err = j.inTx(ctx, func(tx *Tx) error {
		heads, err := j.oldestWaiting(ctx, tx, seq, 1)
		if err != nil {
			return err
		}
		if r := heads[0].request; r != nil {
			out = *r
			return nil
		}
		out, err = j.assignFresh(ctx, tx, seq, token, offlineBegin)
		return err
	})
	return out, err
}

// ReassignRefusedRequest gives the oldest waiting entry seq a new request identity (the given
// token and offline_period begin, and the journal's next REQNUM) in place of refused, the
// request the OFD answered with a refusal: a result code that says the document was not
// counted (1, 2, 3, 4, 5, 8, 9, 11, 13, 14, 15, ...; never 0, 254 or 255, nor a lost answer).
// A resend after such a refusal (once a person entered a new token for code 2, or fixed a 13 or
// 14) is then a new request, not a replay of the refused (TOKEN, REQNUM), which an OFD that keeps
// its last answer would only answer with the same refusal again.
//
// It is the one way a stored request changes, and the caller vouches for the refusal: a request
// whose answer was lost must be retried unchanged (AssignNextRequest returns it), or the OFD
// may count the document twice. The swap is conditional: when the entry's stored request is no
// longer refused's (TOKEN, REQNUM) (it was replaced already, say before a crash), the stored one
// is returned unchanged and no REQNUM is taken; an entry with no request gets its first.
func (j *Journal) ReassignRefusedRequest(ctx context.Context, seq int64, refused Request, token uint32, offlineBegin time.Time) (Request, error) {
	ctx, err := whole(ctx) // the statements run whole (journal.go)
	if err != nil {
		return Request{}, err
	}
	var out Request
	err = j.inTx(ctx, func(tx *Tx) error {
		heads, err := j.oldestWaiting(ctx, tx, seq, 1)
		if err != nil {
			return err
		}
		if r := heads[0].request; r != nil && (r.Token != refused.Token || r.Reqnum != refused.Reqnum) {
			out = *r
			return nil
		}
		out, err = j.assignFresh(ctx, tx, seq, token, offlineBegin)
		return err
	})
	return out, err
}

// CompleteOutbox stores the OFD's answer to outbox entry seq in one transaction: the fiscal
// result, the entry marked done, and newToken (the answer header's TOKEN) as the link's token.
// Only the oldest waiting entry can be completed (ErrOutboxOrder otherwise).
func (j *Journal) CompleteOutbox(ctx context.Context, seq int64, result FiscalResult, newToken uint32) error {
	ctx, err := whole(ctx) // the statements run whole (journal.go)
	if err != nil {
		return err
	}
	return j.inTx(ctx, func(tx *Tx) error {
		if _, err := j.oldestWaiting(ctx, tx, seq, 1); err != nil {
			return err
		}
		if err := j.complete(ctx, tx, seq, result); err != nil {
			return err
		}
		j.noteLink()
		if _, err := tx.StmtContext(ctx, j.st.setToken).ExecContext(ctx, int64(newToken)); err != nil {
			return fmt.Errorf("storage: complete outbox %d: %w", seq, err)
		}
		return nil
	})
}

// CompleteAndAssignNext is CompleteOutbox and AssignNextRequest of the entry after seq in one
// transaction, so that while the outbox drains every document costs one durable commit: it
// stores the OFD's answer to the oldest waiting entry seq (fiscal result, entry done, newToken as
// the link's token) and gives the next waiting entry, if any, its request (newToken, the
// journal's next REQNUM and offlineBegin), and returns that entry with its document. If the next
// entry already has a request, it keeps it. It returns nil when the outbox is empty after seq.
// Only the oldest waiting entry can be completed (ErrOutboxOrder otherwise).
//
// The statements are few on purpose (one read of both entries, the result, the entry done, one
// write of the link that sets the token and takes the REQNUM, the next entry's request), and the
// next document is decoded after the commit: the fsync of the commit is what a document costs.
// Should that document not decode, the answer stays committed and nil is returned: NextOutbox
// then reports the failure.
func (j *Journal) CompleteAndAssignNext(ctx context.Context, seq int64, result FiscalResult, newToken uint32, offlineBegin time.Time) (*OutboxEntry, error) {
	ctx, err := whole(ctx) // the statements run whole (journal.go)
	if err != nil {
		return nil, err
	}
	if next, logged, fold := j.logAnswer(ctx, seq, result, newToken, offlineBegin); logged {
		if fold {
			// The answers logged reach SQLite now, not at the next read: an error here is a
			// latched fault the next step meets; this answer is durable in the log already.
			_ = j.settle(ctx)
		}
		return next, nil
	}
	var next *waitingRow
	// The next document is decoded while the transaction writes and waits for its fsync: the
	// sender needs it at once to build the next request, and its JSON decoding is a quarter of
	// the CPU this commit costs (profiled), which the fsync's wait can hide where a core is free
	// (a phone's). On this 2-core machine at load 20 it saved only 1–2 % of the commit
	// (BenchmarkAnswerCommitOverBareInsert, the two ways alternated in one run).
	var decoded chan decodedDocument
	err = j.inTx(ctx, func(tx *Tx) error {
		heads, err := j.oldestWaiting(ctx, tx, seq, 2)
		if err != nil {
			return err
		}
		if len(heads) == 2 && decoded == nil {
			decoded = make(chan decodedDocument, 1)
			go func(content []byte) {
				var out decodedDocument
				out.err = decodeDocument(content, &out.doc)
				decoded <- out
			}(heads[1].content)
		}
		if len(heads) < 2 || heads[1].request != nil {
			if err := j.complete(ctx, tx, seq, result); err != nil {
				return err
			}
			j.noteLink()
			if _, err := tx.StmtContext(ctx, j.st.setToken).ExecContext(ctx, int64(newToken)); err != nil {
				return fmt.Errorf("storage: complete outbox %d: %w", seq, err)
			}
			if len(heads) == 2 {
				next = &heads[1]
			}
			return nil
		}
		// The usual case while a backlog drains: three statements. The answer; the chain row's
		// one write, which sets the token, takes the REQNUM and stamps the write, returning
		// the link as it leaves it (no read after); the entry done and the next one's request
		// in one UPDATE of the outbox.
		at, mac, sign := j.answerRow(seq, result)
		if _, err := tx.StmtContext(ctx, j.st.insertFiscalResult).ExecContext(ctx, seq, sign, result.QRLink, at, mac); err != nil {
			return fmt.Errorf("storage: complete outbox %d: %w", seq, err)
		}
		link, err := scanLink(tx.StmtContext(ctx, j.st.setTokenTakeReqnum).QueryRowContext(ctx, int64(newToken), j.nonce()))
		if err != nil {
			return fmt.Errorf("storage: complete outbox %d: %w", seq, err)
		}
		j.pend.stamped, j.pend.link = true, &link
		w := heads[1]
		req := Request{Token: newToken, Reqnum: link.LastReqnum, OfflineBegin: truncMillis(offlineBegin)}
		var begin any
		if !req.OfflineBegin.IsZero() {
			begin = toMillis(req.OfflineBegin)
		}
		if _, err := tx.StmtContext(ctx, j.st.doneAndNext).ExecContext(ctx, seq, at, w.seq, int64(req.Token), int64(req.Reqnum), begin); err != nil {
			return fmt.Errorf("storage: complete outbox %d: %w", seq, err)
		}
		j.noteAnswer(seq, FiscalResult{Sign: result.Sign, QRLink: result.QRLink, At: fromMillis(at)})
		j.noteRequest(w.seq, req)
		w.request, next = &req, &w
		// The next answer may go to the answer log (answers.go): this one gave the next entry its
		// request, and left the link as link.
		j.ans.streamNext = &answerStream{head: w.seq, req: req, link: link}
		return nil
	})
	if err != nil || next == nil {
		return nil, err
	}
	if next.request != nil {
		j.writeMu.Lock()
		j.kickAhead() // for a logged answer to it (answers.go)
		j.writeMu.Unlock()
	}
	d := <-decoded
	if d.err != nil {
		// The sender's next step reads it again with NextOutbox, which names it as undecodable.
		return nil, nil
	}
	return &OutboxEntry{Entry: Entry{Seq: next.seq, Document: d.doc}, QueuedAt: fromMillis(next.queued), Request: next.request}, nil
}

// decodedDocument is a document decoded apart from the transaction that read it.
type decodedDocument struct {
	doc kkm.Document
	err error
}

// The statements of the outbox and the link, prepared once (see statements.go).
const (
	readLinkSQL = `SELECT link_token, link_reqnum, link_offline_since, link_blocked_code, link_info_text
		FROM chain WHERE id = 1`
	takeReqnumSQL = `UPDATE chain SET link_reqnum = (link_reqnum + 1) % 65536 WHERE id = 1
		RETURNING link_token, link_reqnum, link_offline_since, link_blocked_code, link_info_text`
	setTokenSQL = `UPDATE chain SET link_token = ? WHERE id = 1`
	// The answer's link write stamps the write too (stampWriteSQL, identity.go): one statement
	// of the chain row, which holds the link since migration 12.
	setTokenTakeReqnumSQL = `UPDATE chain SET link_token = ?, link_reqnum = (link_reqnum + 1) % 65536,
		writes = writes + 1, opener = ? WHERE id = 1
		RETURNING link_token, link_reqnum, link_offline_since, link_blocked_code, link_info_text`
	storeRequestSQL       = `UPDATE outbox SET token = ?, reqnum = ?, offline_begin = ? WHERE seq = ?`
	insertFiscalResultSQL = `INSERT INTO fiscal_results (seq, fiscal_sign, qr_link, answered_at, mac)
		VALUES (?, ?, ?, ?, ?)`
	markDoneSQL = `UPDATE outbox SET done_at = ? WHERE seq = ?`
	// doneAndNextSQL marks entry ?1 done at ?2 and gives entry ?3 its request (?4 token, ?5
	// REQNUM, ?6 offline_period begin): CompleteAndAssignNext's two rows in one statement.
	doneAndNextSQL = `UPDATE outbox SET
		done_at = CASE seq WHEN ?1 THEN ?2 ELSE done_at END,
		token = CASE seq WHEN ?3 THEN ?4 ELSE token END,
		reqnum = CASE seq WHEN ?3 THEN ?5 ELSE reqnum END,
		offline_begin = CASE seq WHEN ?3 THEN ?6 ELSE offline_begin END
		WHERE seq IN (?1, ?3)`
)

// answerRow is the fiscal_results row of result for entry seq: its time in milliseconds, its
// seal and its sign (NULL when the answer carries none).
func (j *Journal) answerRow(seq int64, result FiscalResult) (at int64, mac []byte, sign any) {
	ns := sql.NullString{String: result.Sign, Valid: result.Sign != ""}
	if ns.Valid {
		sign = result.Sign
	}
	at = toMillis(result.At)
	return at, j.seal.fiscalMAC(seq, ns, result.QRLink, at), sign
}

// complete stores the fiscal result of entry seq and marks it done, inside tx.
func (j *Journal) complete(ctx context.Context, tx *Tx, seq int64, result FiscalResult) error {
	at, mac, sign := j.answerRow(seq, result)
	if _, err := tx.StmtContext(ctx, j.st.insertFiscalResult).ExecContext(ctx, seq, sign, result.QRLink, at, mac); err != nil {
		return fmt.Errorf("storage: complete outbox %d: %w", seq, err)
	}
	if _, err := tx.StmtContext(ctx, j.st.markDone).ExecContext(ctx, at, seq); err != nil {
		return fmt.Errorf("storage: complete outbox %d: %w", seq, err)
	}
	j.noteAnswer(seq, FiscalResult{Sign: result.Sign, QRLink: result.QRLink, At: fromMillis(at)})
	return nil
}

// assignFresh takes the journal's next REQNUM and stores it with token and offlineBegin as the
// request of entry seq, replacing any it had, inside tx.
func (j *Journal) assignFresh(ctx context.Context, tx *Tx, seq int64, token uint32, offlineBegin time.Time) (Request, error) {
	taken, err := j.takeReqnum(ctx, tx)
	if err != nil {
		return Request{}, fmt.Errorf("storage: assign request of %d: %w", seq, err)
	}
	return j.storeRequest(ctx, tx, seq, Request{Token: token, Reqnum: taken.LastReqnum, OfflineBegin: offlineBegin})
}

// takeReqnum takes the journal's next REQNUM inside tx and returns the link as it leaves it
// (LastReqnum is the REQNUM taken), kept for the session without reading it again.
func (j *Journal) takeReqnum(ctx context.Context, tx *Tx) (LinkState, error) {
	l, err := scanLink(tx.StmtContext(ctx, j.st.takeReqnum).QueryRowContext(ctx))
	if err != nil {
		return l, err
	}
	j.pend.link = &l
	return l, nil
}

// storeRequest writes req as the request of entry seq inside tx and returns it as stored.
func (j *Journal) storeRequest(ctx context.Context, tx *Tx, seq int64, req Request) (Request, error) {
	var begin any
	if !req.OfflineBegin.IsZero() {
		begin = toMillis(req.OfflineBegin)
	}
	if _, err := tx.StmtContext(ctx, j.st.storeRequest).ExecContext(ctx,
		int64(req.Token), int64(req.Reqnum), begin, seq); err != nil {
		return Request{}, fmt.Errorf("storage: assign request of %d: %w", seq, err)
	}
	req.OfflineBegin = truncMillis(req.OfflineBegin)
	j.noteRequest(seq, req)
	return req, nil
}

// waitingRow is a waiting outbox entry as read, its document not yet decoded.
type waitingRow struct {
	seq     int64
	queued  int64
	request *Request
	content []byte // nil unless read with content
}

// entry decodes the row's document. When it cannot, it returns the entry without its document
// and an error that names it and wraps ErrUndecodable.
func (w waitingRow) entry() (OutboxEntry, error) {
	e := OutboxEntry{QueuedAt: fromMillis(w.queued), Request: w.request}
	e.Seq = w.seq
	if err := decodeDocument(w.content, &e.Document); err != nil {
		e.Document = kkm.Document{}
		return e, fmt.Errorf("storage: outbox document %d: %w", w.seq, err)
	}
	return e, nil
}

// waitingWhere selects the waiting entries of the outbox: above the watermark (migration 14),
// not done. It walks the outbox's primary key from the watermark, so its cost follows the
// queue's length, not the journal's.
const waitingWhere = `seq > (SELECT outbox_done_seq FROM chain WHERE id = 1) AND done_at IS NULL`

// outboxStatsSQL counts the waiting entries and reads the oldest one's queueing time (OutboxStats).
const outboxStatsSQL = `SELECT COUNT(*),
		(SELECT queued_at FROM outbox WHERE ` + waitingWhere + ` ORDER BY seq LIMIT 1),
		(SELECT COALESCE(MAX(seq), 0) FROM outbox)
	FROM outbox WHERE ` + waitingWhere

// fiscalResultSQL reads a document's stored answer (FiscalResult).
const fiscalResultSQL = `SELECT fiscal_sign, qr_link, answered_at FROM fiscal_results WHERE seq = ?`

// The reads of the oldest waiting entries, with and without their documents, from the
// watermark on (waitingWhere).
//
// The two reads with content are two statements, each with its LIMIT written in: SQLite plans a
// LIMIT given as a parameter with its bound value and prepares the statement again whenever
// the value changes, and the sender's two reads (the next entry, NextOutbox; the answered one
// and the next, CompleteAndAssignNext) alternated 1 and 2 on one statement on every sale: ~75 µs
// of CPU a sale in that second preparation (profiled; 15 → 32 µs a read, alternated, in
// isolation).
const (
	// waitingWithContentSQL reads the content of the entries from seq ?1 on: CompleteAndAssignNext
	// needs only the next entry's, and a document's content (its printed text too) is the
	// largest part of the row, often on overflow pages.
	waitingWithContentSQL = `SELECT o.seq, o.queued_at, o.token, o.reqnum, o.offline_begin,
			CASE WHEN o.seq >= ?1 THEN COALESCE(o.amended, d.content) END
		FROM outbox o JOIN documents d ON d.seq = o.seq
		WHERE o.seq > (SELECT outbox_done_seq FROM chain WHERE id = 1) AND o.done_at IS NULL
		ORDER BY o.seq LIMIT `
	waitingFirstSQL = waitingWithContentSQL + `1` // NextOutbox
	waitingPairSQL  = waitingWithContentSQL + `2` // CompleteAndAssignNext
	waitingBareSQL  = `SELECT seq, queued_at, token, reqnum, offline_begin, NULL
		FROM outbox WHERE ` + waitingWhere + ` ORDER BY seq LIMIT ?`
)

// waitingHeads reads up to n of the oldest waiting outbox entries, oldest first, with their
// stored requests, in one statement: read is the statement of waitingBareSQL (args: n), or of
// waitingWithContentSQL to read the documents' content too (args: the first seq whose content
// is read, n).
func waitingHeads(ctx context.Context, read *sql.Stmt, n int, args ...any) ([]waitingRow, error) {
	rows, err := read.QueryContext(ctx, args...)
	if err != nil {
		return nil, fmt.Errorf("storage: outbox: %w", err)
	}
	defer rows.Close()
	out := make([]waitingRow, 0, n)
	for rows.Next() {
		var w waitingRow
		var token, reqnum, offBegin sql.NullInt64
		if err := rows.Scan(&w.seq, &w.queued, &token, &reqnum, &offBegin, &w.content); err != nil {
			return nil, fmt.Errorf("storage: outbox: %w", err)
		}
		if token.Valid {
			w.request = &Request{Token: uint32(token.Int64), Reqnum: uint16(reqnum.Int64)}
			if offBegin.Valid {
				w.request.OfflineBegin = fromMillis(offBegin.Int64)
			}
		}
		out = append(out, w)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("storage: outbox: %w", err)
	}
	return out, nil
}

// oldestWaiting reads the oldest waiting entry inside tx (with n = 2 also the one after it,
// with its document, for CompleteAndAssignNext) and fails with ErrOutboxOrder unless the oldest
// is seq.
func (j *Journal) oldestWaiting(ctx context.Context, tx *Tx, seq int64, n int) ([]waitingRow, error) {
	read, args := j.st.waitingBare, []any{n}
	if n > 1 {
		// The oldest's content is not read: it is the document being answered, not sent.
		read, args = j.st.waitingPair, []any{seq + 1}
		n = 2
	}
	heads, err := waitingHeads(ctx, tx.StmtContext(ctx, read), n, args...)
	if err != nil {
		return nil, err
	}
	if len(heads) == 0 {
		return nil, fmt.Errorf("%w: %d (the outbox is empty)", ErrOutboxOrder, seq)
	}
	if heads[0].seq != seq {
		return nil, fmt.Errorf("%w: %d (the oldest waiting is %d)", ErrOutboxOrder, seq, heads[0].seq)
	}
	return heads, nil
}

// FiscalResult returns the OFD's answer stored for document seq, or ErrNotFound while none has
// arrived.
func (j *Journal) FiscalResult(ctx context.Context, seq int64) (FiscalResult, error) {
	ctx, err := whole(ctx) // the statements run whole (journal.go)
	if err != nil {
		return FiscalResult{}, err
	}
	var r FiscalResult
	var sign sql.NullString
	var at int64
	err = j.hotRead(func(held func(*sql.Stmt) *sql.Stmt) error {
		return held(j.st.fiscalResult).QueryRowContext(ctx, seq).Scan(&sign, &r.QRLink, &at)
	})
	if errors.Is(err, sql.ErrNoRows) {
		return r, notFound(fmt.Sprintf("fiscal result of document %d", seq))
	}
	if err != nil {
		return r, fmt.Errorf("storage: fiscal result %d: %w", seq, err)
	}
	r.Sign, r.At = sign.String, fromMillis(at)
	return r, nil
}

// LinkState reads the OFD link's state.
func (j *Journal) LinkState(ctx context.Context) (LinkState, error) {
	ctx, err := whole(ctx) // the statements run whole (journal.go)
	if err != nil {
		return LinkState{}, err
	}
	var l LinkState
	err = j.hotRead(func(held func(*sql.Stmt) *sql.Stmt) error {
		l, err = scanLink(held(j.st.readLink).QueryRowContext(ctx))
		return err
	})
	return l, err
}

// SetLinkState replaces the OFD link's state (a new token entered by the cashier, going offline
// or back online, a block and its text). A writer that changes only some fields while others
// may take REQNUMs uses UpdateLinkState.
func (j *Journal) SetLinkState(ctx context.Context, s LinkState) error {
	ctx, err := whole(ctx) // the statements run whole (journal.go)
	if err != nil {
		return err
	}
	return j.inTx(ctx, func(tx *Tx) error {
		j.noteLink()
		return writeLink(ctx, tx, s)
	})
}

// linkDB is what writing the link's row (or the settings') needs of a *sql.DB or a *sql.Tx.
type linkDB interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// scanLink reads the link's row from row, the result of the statement readLink.
func scanLink(row *sql.Row) (LinkState, error) {
	var s LinkState
	var token, reqnum int64
	var since sql.NullInt64
	err := row.Scan(&token, &reqnum, &since, &s.BlockedCode, &s.InfoText)
	if err != nil {
		return s, fmt.Errorf("storage: link state: %w", err)
	}
	s.Token, s.LastReqnum = uint32(token), uint16(reqnum)
	if since.Valid {
		s.OfflineSince = fromMillis(since.Int64)
	}
	return s, nil
}

// writeLink replaces the link's row.
func writeLink(ctx context.Context, q linkDB, s LinkState) error {
	var since any
	if !s.OfflineSince.IsZero() {
		since = toMillis(s.OfflineSince)
	}
	_, err := q.ExecContext(ctx, `UPDATE chain SET link_token = ?, link_reqnum = ?, link_offline_since = ?,
		link_blocked_code = ?, link_info_text = ? WHERE id = 1`,
		int64(s.Token), int64(s.LastReqnum), since, int64(s.BlockedCode), s.InfoText)
	if err != nil {
		return fmt.Errorf("storage: set link state: %w", err)
	}
	return nil
}

// UpdateLinkState changes the OFD link's state in one transaction: it reads the stored state,
// lets fn change it, writes it back and returns it. A writer that changes some fields (the
// token, the offline spell, a block) thereby never writes back a stale copy of the others, such
// as a LastReqnum another request took meanwhile; fn should leave LastReqnum alone.
func (j *Journal) UpdateLinkState(ctx context.Context, fn func(*LinkState)) (LinkState, error) {
	ctx, err := whole(ctx) // the statements run whole (journal.go)
	if err != nil {
		return LinkState{}, err
	}
	var s LinkState
	err = j.inTx(ctx, func(tx *Tx) error {
		var err error
		if s, err = scanLink(tx.StmtContext(ctx, j.st.readLink).QueryRowContext(ctx)); err != nil {
			return err
		}
		fn(&s)
		j.noteLink()
		return writeLink(ctx, tx, s)
	})
	if err != nil {
		return LinkState{}, err
	}
	return s, nil
}

// NextReqnum durably takes the next REQNUM (LastReqnum+1, wrapping at 65536) for a request that
// carries no document (INFO, SYSTEM, REPORT) and returns it.
func (j *Journal) NextReqnum(ctx context.Context) (uint16, error) {
	var l LinkState
	err := j.inTx(ctx, func(tx *Tx) error {
		var err error
		l, err = j.takeReqnum(ctx, tx)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("storage: next reqnum: %w", err)
	}
	return l.LastReqnum, nil
}

// toMillis converts t to Unix milliseconds for the journal's time columns.
func toMillis(t time.Time) int64 { return t.UnixMilli() }

// fromMillis converts a time column back to a time.Time in UTC.
func fromMillis(ms int64) time.Time { return time.UnixMilli(ms).UTC() }

// truncMillis drops what a time column cannot hold, so a returned value equals a stored one.
func truncMillis(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return fromMillis(toMillis(t))
}
