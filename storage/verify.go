package storage

import (
	"bytes"
	"context"
	"crypto/hmac"
	"database/sql"
	"errors"
	"fmt"
	"runtime"
	"sync"
)

// Checking the seal (seal.go). Two checks, for two moments:
//
//   - VerifyTip, before the first sale: the chain's last row against its key, the state, the
//     settings and every cashier. Its cost does not grow with the journal (a few rows), so a
//     start stays instant on a journal of a million documents.
//   - VerifyAll, in the background after start and on «Проверить журнал»: every document row,
//     every OFD answer, and the outbox's agreement with both. The rows are checked in parallel
//     ranges: each row's stored hash must be HMAC(key, its stored prev_hash || its bytes), and
//     its stored prev_hash the stored hash of the row before, which together are the chain.
//
// Either returns a *ChainError saying what changed (What) and where (Seq).

// tipSnapshot is the chain's head, the last row's seq and the state, read by one statement so
// that they belong together even while the app commits (SQLite reads one statement from one
// snapshot).
type tipSnapshot struct {
	headSeq, maxSeq int64
	headHash        []byte
	state, stateMAC []byte
	hasState        bool
}

func (j *Journal) tip(ctx context.Context) (tipSnapshot, error) {
	var t tipSnapshot
	var id sql.NullInt64
	err := j.db.QueryRowContext(ctx, `SELECT c.head_seq, c.head_hash, (SELECT COALESCE(MAX(seq), 0) FROM documents),
			s.id, s.content, s.mac
		FROM chain c LEFT JOIN register_state s ON s.id = 1 WHERE c.id = 1`).
		Scan(&t.headSeq, &t.headHash, &t.maxSeq, &id, &t.state, &t.stateMAC)
	if err != nil {
		return t, fmt.Errorf("storage: verify: read chain head: %w", err)
	}
	t.hasState = id.Valid
	return t, nil
}

// VerifyTip checks what the next sale builds on: the last document, the state sealed to it, the
// settings and the cashiers.
func (j *Journal) VerifyTip(ctx context.Context) error {
	t, err := j.tip(ctx)
	if err != nil {
		return err
	}
	if t.maxSeq != t.headSeq {
		return &ChainError{Seq: min(t.maxSeq, t.headSeq) + 1, Reason: fmt.Sprintf("the last row is %d, the chain's head %d", t.maxSeq, t.headSeq)}
	}
	if t.headSeq > 0 {
		// Rows are never rewritten, so the head row read now is the one the snapshot names.
		r, prev, stored, err := scanChainRow(j.db.QueryRowContext(ctx, `SELECT `+chainColumns+` FROM documents WHERE seq = ?`, t.headSeq))
		if err != nil {
			return fmt.Errorf("storage: verify: %w", err)
		}
		if h := newChainHasher(j.seal.key).rowHash(prev, r); !bytes.Equal(h, stored) || !bytes.Equal(h, t.headHash) {
			return &ChainError{Seq: t.headSeq, Reason: "the last document does not match its sealed hash"}
		}
		if t.headSeq > 1 {
			var before []byte
			if err := j.db.QueryRowContext(ctx, `SELECT hash FROM documents WHERE seq = ?`, t.headSeq-1).Scan(&before); err != nil || !bytes.Equal(before, prev) {
				return &ChainError{Seq: t.headSeq - 1, Reason: "the row before the last does not match"}
			}
		}
	}
	return j.verifyFacts(ctx, t)
}

// verifyFacts checks the state (sealed to the head of the same snapshot), the settings and every
// cashier.
func (j *Journal) verifyFacts(ctx context.Context, t tipSnapshot) error {
	switch {
	case !t.hasState:
		if t.headSeq > 0 {
			return &ChainError{What: ChangedState, Seq: t.headSeq, Reason: "the register state is gone"}
		}
	case !hmac.Equal(t.stateMAC, j.seal.stateMAC(t.headSeq, t.headHash, t.state)):
		return &ChainError{What: ChangedState, Seq: t.headSeq, Reason: "the register state does not match its seal"}
	}
	var content, mac []byte
	switch err := j.db.QueryRowContext(ctx, `SELECT content, mac FROM settings WHERE id = 1`).Scan(&content, &mac); {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return fmt.Errorf("storage: verify settings: %w", err)
	case !hmac.Equal(mac, j.seal.settingsMAC(content)):
		return &ChainError{What: ChangedSettings, Reason: "the settings do not match their seal"}
	}
	rows, err := j.db.QueryContext(ctx, `SELECT id, operator_code, content, mac FROM cashiers ORDER BY id`)
	if err != nil {
		return fmt.Errorf("storage: verify cashiers: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, code int64
		if err := rows.Scan(&id, &code, &content, &mac); err != nil {
			return fmt.Errorf("storage: verify cashiers: %w", err)
		}
		if !hmac.Equal(mac, j.seal.cashierMAC(id, code, content)) {
			return &ChainError{What: ChangedCashier, Seq: id, Reason: fmt.Sprintf("cashier %d does not match its seal", id)}
		}
	}
	return rows.Err()
}

// VerifyAll checks the whole journal: every document against the keyed chain (in parallel
// ranges), every OFD answer against its seal, the outbox against both (every fiscal document
// queued once, every entry marked sent answered), and the tip's facts (VerifyTip). It returns
// how many documents it checked. On success the head becomes the verified point.
func (j *Journal) VerifyAll(ctx context.Context) (VerifyResult, error) {
	// The app goes on committing meanwhile: everything is checked against the head read here
	// (rows are append-only, so rows 1..head stay what they were), and each other check is one
	// statement, one snapshot.
	t, err := j.tip(ctx)
	if err != nil {
		return VerifyResult{}, err
	}
	headSeq, headHash := t.headSeq, t.headHash
	res := VerifyResult{From: 1}
	if t.maxSeq > headSeq {
		return res, &ChainError{Seq: headSeq + 1, Reason: fmt.Sprintf("row beyond the chain's head %d", headSeq)}
	}
	var count int64
	if err := j.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM documents WHERE seq <= ?`, headSeq).Scan(&count); err != nil {
		return res, fmt.Errorf("storage: verify: %w", err)
	}
	g := newGroup(ctx)
	gctx := g.ctx
	workers := max(1, runtime.GOMAXPROCS(0))
	span := (headSeq + int64(workers) - 1) / int64(workers)
	for w := 0; w < workers && span > 0; w++ {
		from, to := int64(w)*span+1, min(int64(w+1)*span, headSeq)
		if from > to {
			break
		}
		g.Go(func() error { return j.verifyRange(gctx, from, to, headSeq, headHash) })
	}
	g.Go(func() error { return j.verifyAnswers(gctx) })
	if errs := g.Wait(); len(errs) > 0 {
		return res, firstChange(errs)
	}
	if count != headSeq {
		return res, &ChainError{Seq: headSeq, Reason: fmt.Sprintf("%d rows for a chain of %d", count, headSeq)}
	}
	if err := j.verifyOutbox(ctx); err != nil {
		return res, err
	}
	// The tip's facts as they are now (the head may have moved on while the rows were checked:
	// the state is read with its head again).
	if err := j.VerifyTip(ctx); err != nil {
		return res, err
	}
	res.Last, res.Checked = headSeq, headSeq
	if err := j.recordVerified(ctx, headSeq); err != nil {
		return res, err
	}
	return res, nil
}

// recordVerified makes seq the last verified point when it is still the head. It is a write like
// any (inTx); on a journal with a fault the point is simply not recorded.
func (j *Journal) recordVerified(ctx context.Context, seq int64) error {
	err := j.inTx(ctx, func(tx *Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE chain SET verified_seq = ?, verified_hash = head_hash WHERE id = 1 AND head_seq = ?`, seq, seq)
		return err
	})
	var fe *FaultError
	if err != nil && !errors.As(err, &fe) {
		return fmt.Errorf("storage: verify: record verified point: %w", err)
	}
	return nil
}

// firstChange returns, among a group's errors, the change at the lowest document (the ranges run
// in parallel and may each find one; the others' errors are their cancellations), else the first.
func firstChange(errs []error) error {
	var best *ChainError
	for _, err := range errs {
		var ce *ChainError
		if errors.As(err, &ce) && (best == nil || (ce.What == "" && best.What != "") || (ce.What == best.What && ce.Seq < best.Seq)) {
			best = ce
		}
	}
	if best != nil {
		return best
	}
	return errs[0]
}

// verifyRange checks rows from..to: each one's hash against its bytes and stored prev, each
// stored prev against the stored hash before, with no row missing; the last row of the chain
// must be the head.
func (j *Journal) verifyRange(ctx context.Context, from, to, headSeq int64, headHash []byte) error {
	prev := make([]byte, hashSize)
	if from > 1 {
		err := j.db.QueryRowContext(ctx, `SELECT hash FROM documents WHERE seq = ?`, from-1).Scan(&prev)
		if errors.Is(err, sql.ErrNoRows) {
			return &ChainError{Seq: from - 1, Reason: "row missing"}
		}
		if err != nil {
			return fmt.Errorf("storage: verify: %w", err)
		}
	}
	keys, err := j.openKeyCheck(ctx, from, to)
	if err != nil {
		return err
	}
	defer keys.close()
	rows, err := j.db.QueryContext(ctx, `SELECT `+chainColumns+` FROM documents WHERE seq BETWEEN ? AND ? ORDER BY seq`, from, to)
	if err != nil {
		return fmt.Errorf("storage: verify: %w", err)
	}
	defer rows.Close()
	hs := newChainHasher(j.seal.key)
	want := from
	// The row's bytes are read in place (sql.RawBytes, valid until the next row): a million rows
	// of a kilobyte or two are not copied; only the 32-byte hash is kept for the next row.
	var r chainRow
	var content, storedPrev, stored sql.RawBytes
	prevBuf := make([]byte, 0, hashSize)
	for rows.Next() {
		if err := rows.Scan(&r.seq, &r.kind, &r.shiftNumber, &r.number, &r.issuedAt, &r.total, &r.offline,
			&r.offlineNumber, &r.parentSeq, &r.parentNumber, &content, &storedPrev, &stored); err != nil {
			return fmt.Errorf("storage: verify: %w", err)
		}
		r.content = content
		switch {
		case r.seq != want:
			return &ChainError{Seq: want, Reason: fmt.Sprintf("row missing (next row is %d)", r.seq)}
		case !bytes.Equal(storedPrev, prev):
			return &ChainError{Seq: r.seq, Reason: "previous hash does not match the row before"}
		}
		if h := hs.rowHash(prev, r); !bytes.Equal(h, stored) {
			return &ChainError{Seq: r.seq, Reason: "content does not match its sealed hash"}
		}
		if err := keys.check(&r); err != nil {
			return err
		}
		prevBuf = append(prevBuf[:0], stored...)
		prev, want = prevBuf, r.seq+1
		if r.seq%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("storage: verify: %w", err)
	}
	if err := keys.end(); err != nil {
		return err
	}
	if want <= to {
		return &ChainError{Seq: want, Reason: fmt.Sprintf("rows %d..%d missing", want, to)}
	}
	if to == headSeq && !bytes.Equal(prev, headHash) {
		return &ChainError{Seq: to, Reason: "last row's hash differs from the chain's head"}
	}
	return nil
}

// verifyAnswers checks every OFD answer against its seal.
func (j *Journal) verifyAnswers(ctx context.Context) error {
	rows, err := j.db.QueryContext(ctx, `SELECT seq, fiscal_sign, qr_link, answered_at, mac FROM fiscal_results ORDER BY seq`)
	if err != nil {
		return fmt.Errorf("storage: verify answers: %w", err)
	}
	defer rows.Close()
	for n := 0; rows.Next(); n++ {
		var seq, at int64
		var sign sql.NullString
		var link string
		var mac []byte
		if err := rows.Scan(&seq, &sign, &link, &at, &mac); err != nil {
			return fmt.Errorf("storage: verify answers: %w", err)
		}
		if !hmac.Equal(mac, j.seal.fiscalMAC(seq, sign, link, at)) {
			return &ChainError{What: ChangedFiscal, Seq: seq, Reason: "the OFD's answer does not match its seal"}
		}
		if n%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	refusals, err := j.db.QueryContext(ctx, `SELECT seq, code, text, refused_at, mac FROM refusals ORDER BY seq`)
	if err != nil {
		return fmt.Errorf("storage: verify refusals: %w", err)
	}
	defer refusals.Close()
	for refusals.Next() {
		var seq, code, at int64
		var text string
		var mac []byte
		if err := refusals.Scan(&seq, &code, &text, &at, &mac); err != nil {
			return fmt.Errorf("storage: verify refusals: %w", err)
		}
		if !hmac.Equal(mac, j.seal.refusalMAC(seq, code, text, at)) {
			return &ChainError{What: ChangedFiscal, Seq: seq, Reason: "the OFD's refusal does not match its seal"}
		}
	}
	return refusals.Err()
}

// verifyOutbox checks the outbox against the documents and the answers: every fiscal document
// has its entry, every entry is a fiscal document's, an entry is marked sent exactly when its
// answer is stored, at the answer's time, and no waiting entry is at or below the watermark.
func (j *Journal) verifyOutbox(ctx context.Context) error {
	var seq int64
	check := func(reason, q string) error {
		err := j.db.QueryRowContext(ctx, q).Scan(&seq)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("storage: verify outbox: %w", err)
		}
		return &ChainError{What: ChangedOutbox, Seq: seq, Reason: reason}
	}
	for _, c := range []struct{ reason, q string }{
		{"a fiscal document has no outbox entry", `SELECT d.seq FROM documents d LEFT JOIN outbox o ON o.seq = d.seq
			WHERE d.kind <> 'x_report' AND o.seq IS NULL LIMIT 1`},
		{"an outbox entry is not a fiscal document's", `SELECT o.seq FROM outbox o LEFT JOIN documents d ON d.seq = o.seq
			WHERE d.seq IS NULL OR d.kind = 'x_report' LIMIT 1`},
		{"an entry is marked sent without the OFD's answer or refusal", `SELECT o.seq FROM outbox o
			LEFT JOIN fiscal_results f ON f.seq = o.seq LEFT JOIN refusals r ON r.seq = o.seq
			WHERE o.done_at IS NOT NULL AND (f.seq IS NULL OR f.answered_at <> o.done_at)
				AND (r.seq IS NULL OR r.refused_at <> o.done_at) LIMIT 1`},
		{"an answer is stored for an entry still waiting", `SELECT f.seq FROM fiscal_results f LEFT JOIN outbox o ON o.seq = f.seq
			WHERE o.seq IS NULL OR o.done_at IS NULL LIMIT 1`},
		{"a refusal is stored for an entry still waiting", `SELECT r.seq FROM refusals r LEFT JOIN outbox o ON o.seq = r.seq
			WHERE o.seq IS NULL OR o.done_at IS NULL LIMIT 1`},
		// The sender finds waiting entries above the watermark only (migration 14).
		{"an entry still waiting is below the outbox's watermark", `SELECT o.seq FROM outbox o
			WHERE o.seq <= (SELECT outbox_done_seq FROM chain WHERE id = 1) AND o.done_at IS NULL LIMIT 1`},
	} {
		if err := check(c.reason, c.q); err != nil {
			return err
		}
	}
	return nil
}

// group runs checks in parallel and keeps their errors; the first cancels the others.
type group struct {
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	mu     sync.Mutex
	errs   []error
}

func newGroup(ctx context.Context) *group {
	g := &group{}
	g.ctx, g.cancel = context.WithCancel(ctx)
	return g
}

// Go runs f on its own goroutine.
func (g *group) Go(f func() error) {
	g.wg.Add(1)
	go func() {
		defer g.wg.Done()
		if err := f(); err != nil {
			g.mu.Lock()
			g.errs = append(g.errs, err)
			g.mu.Unlock()
			// A change ends only its own range: an earlier range may still find an earlier
			// one, which is the one to name. Any other error ends them all.
			var ce *ChainError
			if !errors.As(err, &ce) {
				g.cancel()
			}
		}
	}()
}

// Wait waits for every f and returns their errors.
func (g *group) Wait() []error {
	g.wg.Wait()
	g.cancel()
	return g.errs
}
