package storage

import (
	"context"
	"crypto/hmac"
	"database/sql"
	"fmt"
	"sync/atomic"
	"time"
)

// The journal's side of the answer log (answerlog.go): which answers go to the log, how they
// reach SQLite, and the reads that wait for them.

// answerStream is what the journal knows of a draining backlog between two answers: the oldest
// waiting entry, the request it was sent with, and the link as the last answer left it. It is
// set by an answer that gave the next entry its request (CompleteAndAssignNext) and cleared by
// every other write transaction, which may have changed any of them; while it holds, the next
// answer can be logged without reading SQLite's view of them.
type answerStream struct {
	head int64
	req  Request
	link LinkState
}

// answerState is the journal's answer log and what it holds that SQLite does not yet (guarded
// by writeMu; count is read without it).
type answerState struct {
	answers    *answerLog
	logged     []answerRecord
	count      atomic.Int64
	stream     *answerStream
	streamNext *answerStream // set by the running transaction, the stream once it commits
	ahead      *answerAhead  // the entry after the stream's head, read and decoded ahead (readAhead)
	// queue is the waiting entries after the stream's head, read from SQLite aheadBatch at a
	// time and not yet decoded (readNext); like ahead, it holds only while the stream does.
	queue []waitingRow
	// kick wakes the read-ahead worker (kickAhead), nil until the first kick and after Close.
	kick chan struct{}
}

// aheadBatch is how many waiting entries one read of SQLite brings ahead: each read is a read
// transaction of its own (the WAL's locks, the statement's round trip), half of the read-ahead's
// time when it read one entry.
const aheadBatch = 16

// forget drops what the journal knows of a draining backlog — the stream and what was read
// ahead of it — (under writeMu) when SQLite is written past the answer log: a write transaction
// or a restore may have changed any of it.
func (a *answerState) forget() {
	a.stream, a.streamNext, a.ahead, a.queue = nil, nil, nil, nil
}

// waitingNextSQL reads the first ?2 waiting entries after seq ?1 with their documents: the next
// ones logged answers give their requests. Unlike waitingWithContentSQL it does not start at the oldest
// waiting entry, which in SQLite may be one whose answer is logged only.
const waitingNextSQL = `SELECT o.seq, o.queued_at, o.token, o.reqnum, o.offline_begin, COALESCE(o.amended, d.content)
	FROM outbox o JOIN documents d ON d.seq = o.seq
	WHERE o.seq > ?1 AND o.done_at IS NULL ORDER BY o.seq LIMIT ?2`

// setLinkFromLogSQL writes the link as the last applied answer left it, and stamps the write
// (stampWriteSQL, identity.go).
const setLinkFromLogSQL = `UPDATE chain SET link_token = ?, link_reqnum = ?, writes = writes + 1, opener = ? WHERE id = 1`

// logAnswer is CompleteAndAssignNext's way while a backlog drains: when the journal's stream
// says seq is the oldest waiting entry and the entry after it waits without a request, the
// answer and that entry's request are appended to the answer log and synced, and the entry is
// returned, its document decoded. logged is false when it cannot take this answer (no stream,
// another entry, no next entry, one with a request already, a fault, a full log, a failed write);
// the transaction's way then takes it and says why if it must. fold says SQLite should now be
// given the answers logged (answerFoldAt of them).
func (j *Journal) logAnswer(ctx context.Context, seq int64, result FiscalResult, newToken uint32, offlineBegin time.Time) (next *OutboxEntry, logged, fold bool) {
	j.writeMu.Lock()
	s := j.ans.stream
	if j.ans.answers == nil || s == nil || s.head != seq || j.closed || j.tx == nil || j.faults.get() != nil {
		j.writeMu.Unlock()
		return nil, false, false
	}
	ahead := j.ans.ahead
	j.ans.ahead = nil
	if ahead == nil || ahead.after != seq {
		var ok bool
		if ahead, ok = j.readNext(ctx, seq); !ok {
			j.writeMu.Unlock()
			return nil, false, false
		}
	}
	w := ahead.row
	at, mac, _ := j.answerRow(seq, result)
	link := s.link
	link.Token = newToken
	link.LastReqnum++ // (link_reqnum + 1) % 65536, as takeReqnumSQL
	req := Request{Token: newToken, Reqnum: link.LastReqnum, OfflineBegin: truncMillis(offlineBegin)}
	rec := answerRecord{seq: seq, answered: s.req, sign: result.Sign, signOK: result.Sign != "", qr: result.QRLink,
		at: at, mac: mac, token: newToken, next: w.seq, nextReq: req}
	if err := j.ans.answers.append(&rec); err != nil {
		// Full, or the write or its sync failed: the answer is not known durable in the log,
		// and the transaction's way stores it (a record that did reach the disk answers an
		// entry SQLite then has done, which ends the log's chain at replay).
		j.writeMu.Unlock()
		return nil, false, false
	}
	j.ans.logged = append(j.ans.logged, rec)
	j.ans.count.Store(int64(len(j.ans.logged)))
	j.ans.stream = &answerStream{head: w.seq, req: req, link: link}
	// Durable now: the session holds it as it holds a committed answer (recovery.go).
	j.sess.merge(&session{
		answers:  map[int64]FiscalResult{seq: {Sign: result.Sign, QRLink: result.QRLink, At: fromMillis(at)}},
		requests: map[int64]Request{w.seq: req},
		link:     &link,
	})
	j.wrote()
	fold = len(j.ans.logged) >= answerFoldAt
	if !fold {
		j.kickAhead()
	}
	j.writeMu.Unlock()
	if ahead.err != nil {
		return nil, true, fold // NextOutbox names it, as after the transaction's way
	}
	e := ahead.entry
	e.Request = &req
	return &e, true, fold
}

// answerAhead is the waiting entry after entry `after`, read with its document decoded.
type answerAhead struct {
	after int64
	row   waitingRow
	entry OutboxEntry
	err   error // the document's decoding failed
}

// readNext takes the first waiting entry after seq, the stream's head, and decodes its document
// (under writeMu): from the queue read ahead, or from SQLite with the aheadBatch entries after it.
// ok is false when there is none, or it has a request already, or the read failed.
func (j *Journal) readNext(ctx context.Context, seq int64) (a *answerAhead, ok bool) {
	if len(j.ans.queue) == 0 || j.ans.queue[0].seq <= seq {
		rows, err := waitingHeads(ctx, j.tx.StmtContext(ctx, j.st.waitingAfter), aheadBatch, seq, aheadBatch)
		if err != nil {
			j.ans.queue = nil
			return nil, false
		}
		j.ans.queue = rows
	}
	if len(j.ans.queue) == 0 || j.ans.queue[0].request != nil {
		return nil, false
	}
	row := j.ans.queue[0]
	j.ans.queue = j.ans.queue[1:]
	a = &answerAhead{after: seq, row: row}
	a.entry, a.err = row.entry()
	return a, true
}

// kickAhead wakes the read-ahead worker, started on the first kick (under writeMu): it reads
// and decodes the entry after the stream's head while that head's request is out, so that its
// answer finds the next document ready (the read and the JSON decoding were half of a logged
// answer's time). One long-lived goroutine rather than one per answer: a new goroutine grows
// its stack again through SQLite's deep calls every time.
func (j *Journal) kickAhead() {
	if j.closed {
		return
	}
	if j.ans.kick == nil {
		j.ans.kick = make(chan struct{}, 1)
		go j.aheadWorker(j.ans.kick)
	}
	select {
	case j.ans.kick <- struct{}{}:
	default: // a kick is pending: the worker reads for the stream as it is then
	}
}

// stopAhead ends the read-ahead worker (under writeMu, at Close).
func (j *Journal) stopAhead() {
	if j.ans.kick != nil {
		close(j.ans.kick)
		j.ans.kick = nil
	}
}

func (j *Journal) aheadWorker(kick <-chan struct{}) {
	for range kick {
		j.readAhead()
	}
}

// readAhead reads ahead the entry after the stream's head, unless it is read already. Any
// write transaction drops what it read (inTx).
func (j *Journal) readAhead() {
	j.writeMu.Lock()
	defer j.writeMu.Unlock()
	s := j.ans.stream
	if s == nil || (j.ans.ahead != nil && j.ans.ahead.after == s.head) || j.closed || j.tx == nil {
		return
	}
	if a, ok := j.readNext(context.Background(), s.head); ok {
		j.ans.ahead = a
	}
}

// applyLogged writes the logged answers into SQLite inside tx (inTx, before its own work): each
// answer, its entry done and the next entry's request, then the link as the last one left it.
func (j *Journal) applyLogged(ctx context.Context, tx *Tx) error {
	for _, r := range j.ans.logged {
		var sign any
		if r.signOK {
			sign = r.sign
		}
		if _, err := tx.StmtContext(ctx, j.st.insertFiscalResult).ExecContext(ctx, r.seq, sign, r.qr, r.at, r.mac); err != nil {
			return fmt.Errorf("storage: apply the answer log: %d: %w", r.seq, err)
		}
		if _, err := tx.StmtContext(ctx, j.st.doneAndNext).ExecContext(ctx, r.seq, r.at, r.next,
			int64(r.nextReq.Token), int64(r.nextReq.Reqnum), optMillisArg(r.nextReq.OfflineBegin)); err != nil {
			return fmt.Errorf("storage: apply the answer log: %d: %w", r.seq, err)
		}
		j.noteAnswer(r.seq, FiscalResult{Sign: r.sign, QRLink: r.qr, At: fromMillis(r.at)})
		j.noteRequest(r.next, r.nextReq)
	}
	last := j.ans.logged[len(j.ans.logged)-1]
	if _, err := tx.StmtContext(ctx, j.st.setLinkFromLog).ExecContext(ctx, int64(last.token), int64(last.nextReq.Reqnum), j.nonce()); err != nil {
		return fmt.Errorf("storage: apply the answer log: %w", err)
	}
	j.pend.stamped = true
	j.noteLink()
	return nil
}

// optMillisArg is t in ms for a nullable column: nil for the zero time.
func optMillisArg(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return toMillis(t)
}

// settle gives SQLite the logged answers, in a transaction of their own, before a read that
// must see them. A journal with none logged (every journal but one draining a backlog) pays one
// atomic load.
func (j *Journal) settle(ctx context.Context) error {
	if j.ans.count.Load() == 0 {
		return nil
	}
	j.writeMu.Lock()
	n := len(j.ans.logged)
	j.writeMu.Unlock()
	if n == 0 { // another transaction applied them meanwhile
		return nil
	}
	return j.inTx(ctx, func(*Tx) error { return nil })
}

// pool is the journal's connection pool. Its reads (and a connection taken from it) first give
// SQLite the answers logged (settle): a read on the pool never finds an answer only the log
// holds. A failure to apply them is a latched fault (inTx), after which the reads see SQLite as
// it is, as a read-only journal's do; the next Open applies them.
type pool struct {
	*sql.DB
	j *Journal
}

func (p pool) settle(ctx context.Context) {
	if p.j != nil {
		_ = p.j.settle(ctx)
	}
}

// QueryContext runs query on the pool once the logged answers are in SQLite.
func (p pool) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	p.settle(ctx)
	return p.DB.QueryContext(ctx, query, args...)
}

// QueryRowContext runs query on the pool once the logged answers are in SQLite.
func (p pool) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	p.settle(ctx)
	return p.DB.QueryRowContext(ctx, query, args...)
}

// ExecContext runs query on the pool once the logged answers are in SQLite.
func (p pool) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	p.settle(ctx)
	return p.DB.ExecContext(ctx, query, args...)
}

// Conn takes a connection of the pool once the logged answers are in SQLite.
func (p pool) Conn(ctx context.Context) (*sql.Conn, error) {
	p.settle(ctx)
	return p.DB.Conn(ctx)
}

// replayAnswers opens the answer log when the journal opens (not a read-only one) and applies
// the answers a crash or a kill left in it: the chain of records from SQLite's oldest waiting
// entry (answerlog.go), each sealed with the journal's key.
func (j *Journal) replayAnswers(ctx context.Context) error {
	if j.tx == nil || j.faults.get() != nil {
		return nil
	}
	l, records, err := openAnswerLog(AnswerLogFile(j.path))
	if err != nil {
		return j.fail(&FaultError{Code: ErrJournalIO, Path: j.path, Reason: "the answer log cannot be read", Err: err})
	}
	j.ans.answers = l
	valid, err := j.answerChain(ctx, records)
	if err != nil {
		return err
	}
	if len(valid) > 0 {
		j.writeMu.Lock()
		j.ans.logged = valid
		j.ans.count.Store(int64(len(valid)))
		j.writeMu.Unlock()
		if err := j.settle(ctx); err != nil {
			return err
		}
	}
	j.writeMu.Lock()
	l.restart()
	j.writeMu.Unlock()
	return nil
}

// answerChain returns the records that continue SQLite's outbox: the first answers the oldest
// waiting entry's stored request and gives its request to the entry after it, and so on, every
// record sealed with the journal's key; it stops at the first record that does not.
func (j *Journal) answerChain(ctx context.Context, records []answerRecord) ([]answerRecord, error) {
	if len(records) == 0 {
		return nil, nil
	}
	heads, err := waitingHeads(ctx, j.st.waitingBare, len(records)+1, len(records)+1)
	if err != nil {
		return nil, j.fail(err)
	}
	var valid []answerRecord
	for k, r := range records {
		if k+1 >= len(heads) {
			break
		}
		h, n := heads[k], heads[k+1]
		answered := h.request
		if k > 0 {
			answered = &records[k-1].nextReq
		}
		if answered == nil || r.seq != h.seq || r.next != n.seq || n.request != nil ||
			r.answered.Token != answered.Token || r.answered.Reqnum != answered.Reqnum ||
			r.nextReq.Token != r.token {
			break
		}
		if !hmac.Equal(r.mac, j.seal.fiscalMAC(r.seq, sql.NullString{String: r.sign, Valid: r.signOK}, r.qr, r.at)) {
			break
		}
		valid = append(valid, r)
	}
	return valid, nil
}
