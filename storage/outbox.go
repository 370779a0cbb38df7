package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
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
	Request  *Request  // the request assigned to it, nil until AssignRequest
}

// OutboxStats describes the queue for the UI and for the offline limit.
type OutboxStats struct {
	Waiting      int       // documents not yet answered by the OFD
	OldestQueued time.Time // when the oldest of them was queued; zero when none waits
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
// ErrNotFound when the outbox is empty.
func (j *Journal) NextOutbox(ctx context.Context) (OutboxEntry, error) {
	var e OutboxEntry
	var queued int64
	var token, reqnum, offBegin sql.NullInt64
	var content []byte
	err := j.db.QueryRowContext(ctx, `SELECT o.seq, o.queued_at, o.token, o.reqnum, o.offline_begin, d.content
		FROM outbox o JOIN documents d ON d.seq = o.seq
		WHERE o.done_at IS NULL ORDER BY o.seq LIMIT 1`).
		Scan(&e.Seq, &queued, &token, &reqnum, &offBegin, &content)
	if errors.Is(err, sql.ErrNoRows) {
		return e, notFound("outbox is empty")
	}
	if err != nil {
		return e, fmt.Errorf("storage: next outbox: %w", err)
	}
	if err := decodeDocument(content, &e.Document); err != nil {
		return e, err
	}
	e.QueuedAt = fromMillis(queued)
	if token.Valid {
		e.Request = &Request{Token: uint32(token.Int64), Reqnum: uint16(reqnum.Int64)}
		if offBegin.Valid {
			e.Request.OfflineBegin = fromMillis(offBegin.Int64)
		}
	}
	return e, nil
}

// OutboxStats counts the waiting entries and finds the oldest one's queue time. Both use the
// partial index over waiting rows, so the cost follows the queue's length, not the journal's.
func (j *Journal) OutboxStats(ctx context.Context) (OutboxStats, error) {
	var s OutboxStats
	var oldest sql.NullInt64
	err := j.db.QueryRowContext(ctx, `SELECT COUNT(*),
			(SELECT queued_at FROM outbox WHERE done_at IS NULL ORDER BY seq LIMIT 1)
		FROM outbox WHERE done_at IS NULL`).Scan(&s.Waiting, &oldest)
	if err != nil {
		return s, fmt.Errorf("storage: outbox stats: %w", err)
	}
	if oldest.Valid {
		s.OldestQueued = fromMillis(oldest.Int64)
	}
	return s, nil
}

// AssignRequest durably records req as the request that carries outbox entry seq, before the
// request leaves, and raises the link's LastReqnum to req.Reqnum. If the entry already has a
// request, that one is returned unchanged and req is ignored: every retry, also after a crash or
// restart, reuses the first (TOKEN, REQNUM, offline_period begin). Only the oldest waiting entry
// can be assigned (ErrOutboxOrder otherwise).
func (j *Journal) AssignRequest(ctx context.Context, seq int64, req Request) (Request, error) {
	var out Request
	err := j.inTx(ctx, func(tx *sql.Tx) error {
		if err := checkOldest(ctx, tx, seq); err != nil {
			return err
		}
		var token, reqnum, offBegin sql.NullInt64
		if err := tx.QueryRowContext(ctx, `SELECT token, reqnum, offline_begin FROM outbox WHERE seq = ?`, seq).
			Scan(&token, &reqnum, &offBegin); err != nil {
			return fmt.Errorf("storage: assign request: %w", err)
		}
		if token.Valid {
			out = Request{Token: uint32(token.Int64), Reqnum: uint16(reqnum.Int64)}
			if offBegin.Valid {
				out.OfflineBegin = fromMillis(offBegin.Int64)
			}
			return nil
		}
		var begin any
		if !req.OfflineBegin.IsZero() {
			begin = toMillis(req.OfflineBegin)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE outbox SET token = ?, reqnum = ?, offline_begin = ? WHERE seq = ?`,
			int64(req.Token), int64(req.Reqnum), begin, seq); err != nil {
			return fmt.Errorf("storage: assign request: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE ofd_link SET last_reqnum = ? WHERE id = 1`, int64(req.Reqnum)); err != nil {
			return fmt.Errorf("storage: assign request: %w", err)
		}
		out = req
		out.OfflineBegin = truncMillis(req.OfflineBegin)
		return nil
	})
	return out, err
}

// CompleteOutbox stores the OFD's answer to outbox entry seq in one transaction: the fiscal
// result, the entry marked done, and newToken (the answer header's TOKEN) as the link's token.
// Only the oldest waiting entry can be completed (ErrOutboxOrder otherwise).
func (j *Journal) CompleteOutbox(ctx context.Context, seq int64, result FiscalResult, newToken uint32) error {
	return j.inTx(ctx, func(tx *sql.Tx) error {
		if err := checkOldest(ctx, tx, seq); err != nil {
			return err
		}
		var sign any
		if result.Sign != "" {
			sign = result.Sign
		}
		at := toMillis(result.At)
		if _, err := tx.ExecContext(ctx, `INSERT INTO fiscal_results (seq, fiscal_sign, qr_link, answered_at)
			VALUES (?, ?, ?, ?)`, seq, sign, result.QRLink, at); err != nil {
			return fmt.Errorf("storage: complete outbox %d: %w", seq, err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE outbox SET done_at = ? WHERE seq = ?`, at, seq); err != nil {
			return fmt.Errorf("storage: complete outbox %d: %w", seq, err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE ofd_link SET token = ? WHERE id = 1`, int64(newToken)); err != nil {
			return fmt.Errorf("storage: complete outbox %d: %w", seq, err)
		}
		return nil
	})
}

// checkOldest fails with ErrOutboxOrder unless seq is the oldest waiting outbox entry.
func checkOldest(ctx context.Context, tx *sql.Tx, seq int64) error {
	var oldest int64
	err := tx.QueryRowContext(ctx, `SELECT seq FROM outbox WHERE done_at IS NULL ORDER BY seq LIMIT 1`).Scan(&oldest)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%w: %d (the outbox is empty)", ErrOutboxOrder, seq)
	}
	if err != nil {
		return fmt.Errorf("storage: outbox: %w", err)
	}
	if oldest != seq {
		return fmt.Errorf("%w: %d (the oldest waiting is %d)", ErrOutboxOrder, seq, oldest)
	}
	return nil
}

// FiscalResult returns the OFD's answer stored for document seq, or ErrNotFound while none has
// arrived.
func (j *Journal) FiscalResult(ctx context.Context, seq int64) (FiscalResult, error) {
	var r FiscalResult
	var sign sql.NullString
	var at int64
	err := j.db.QueryRowContext(ctx, `SELECT fiscal_sign, qr_link, answered_at FROM fiscal_results WHERE seq = ?`, seq).
		Scan(&sign, &r.QRLink, &at)
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
	var s LinkState
	var token, reqnum int64
	var since sql.NullInt64
	err := j.db.QueryRowContext(ctx, `SELECT token, last_reqnum, offline_since, blocked_code, info_text
		FROM ofd_link WHERE id = 1`).Scan(&token, &reqnum, &since, &s.BlockedCode, &s.InfoText)
	if err != nil {
		return s, fmt.Errorf("storage: link state: %w", err)
	}
	s.Token, s.LastReqnum = uint32(token), uint16(reqnum)
	if since.Valid {
		s.OfflineSince = fromMillis(since.Int64)
	}
	return s, nil
}

// SetLinkState replaces the OFD link's state (a new token entered by the cashier, going offline
// or back online, a block and its text).
func (j *Journal) SetLinkState(ctx context.Context, s LinkState) error {
	var since any
	if !s.OfflineSince.IsZero() {
		since = toMillis(s.OfflineSince)
	}
	_, err := j.db.ExecContext(ctx, `UPDATE ofd_link SET token = ?, last_reqnum = ?, offline_since = ?,
		blocked_code = ?, info_text = ? WHERE id = 1`,
		int64(s.Token), int64(s.LastReqnum), since, int64(s.BlockedCode), s.InfoText)
	if err != nil {
		return fmt.Errorf("storage: set link state: %w", err)
	}
	return nil
}

// NextReqnum durably takes the next REQNUM (LastReqnum+1, wrapping at 65536) for a request that
// carries no document (INFO, SYSTEM, REPORT) and returns it.
func (j *Journal) NextReqnum(ctx context.Context) (uint16, error) {
	var n int64
	err := j.inTx(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx,
			`UPDATE ofd_link SET last_reqnum = (last_reqnum + 1) % 65536 WHERE id = 1 RETURNING last_reqnum`).Scan(&n)
	})
	if err != nil {
		return 0, fmt.Errorf("storage: next reqnum: %w", err)
	}
	return uint16(n), nil
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
