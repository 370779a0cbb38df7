package storage

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/ekassa-go/ekassa/kkm"
)

// Refusal is the OFD's final refusal of a document for its content (a result code such as 11
// or 13, never a temporary one): the document stays in the journal, visible and marked with it,
// but left the counters and the queue (RefuseHead). It is kept beside the document, outside the
// hash chain, as the OFD's answers are.
type Refusal struct {
	Code uint32    // the OFD's result code
	Text string    // the OFD's result text
	At   time.Time // when the refusal was recorded
}

// The statements of RefuseHead; it runs rarely, so they are not prepared ahead.
const (
	headContentSQL = `SELECT COALESCE(o.amended, d.content) FROM outbox o JOIN documents d ON d.seq = o.seq
		WHERE o.seq = ?`
	insertRefusalSQL = `INSERT INTO refusals (seq, code, text, refused_at, mac) VALUES (?, ?, ?, ?, ?)`
	// The waiting documents a refusal can change: Z reports carry counters, an auto cash-out
	// the drawer's cash.
	waitingAfterSQL = `SELECT o.seq, COALESCE(o.amended, d.content) FROM outbox o JOIN documents d ON d.seq = o.seq
		WHERE o.done_at IS NULL AND o.seq > ? AND d.kind IN ('cash_out', 'z_report') ORDER BY o.seq`
	amendSQL = `UPDATE outbox SET amended = ? WHERE seq = ?`
)

// RefuseHead records that the OFD refused the oldest waiting document seq for good, in one
// transaction (design.md §3 invariant 11):
//
//   - the refusal is stored beside the document, which stays in the journal and its hash chain;
//   - the outbox entry is done: the queue moves on to the next document, and a block of the OFD
//     link (the refusal's) ends;
//   - the register state loses the document from its counters, the non-nullable sums and the
//     drawer (kkm.State.WithoutRefused), so the X and Z reports are the OFD's; for code 11 the
//     state also learns the OFD's shift limit (kkm.State.LearnShiftLimit);
//   - waiting documents issued after it that carried it are amended as they must now be sent
//     (kkm.AmendAfterRefused): Z reports lose it from their counters, the first auto cash-out
//     after it withdraws what the OFD holds (and the drawer stays as that cash-out left it).
//
// refused is the request the OFD refused: when the entry's stored request is no longer that one
// (it was renewed) or the entry has none (it was never sent), nothing changes and ErrOutboxOrder
// is returned, since the caller's refusal is not about what is waiting now. It returns the
// refused entry with its Refusal.
func (j *Journal) RefuseHead(ctx context.Context, seq int64, refused Request, r Refusal) (Entry, error) {
	var out Entry
	err := j.inTx(ctx, func(tx *Tx) error {
		heads, err := j.oldestWaiting(ctx, tx, seq, 1)
		if err != nil {
			return err
		}
		if q := heads[0].request; q == nil || q.Token != refused.Token || q.Reqnum != refused.Reqnum {
			return fmt.Errorf("%w: %d (its request is not the refused one)", ErrOutboxOrder, seq)
		}
		var content []byte
		if err := tx.QueryRowContext(ctx, headContentSQL, seq).Scan(&content); err != nil {
			return fmt.Errorf("storage: refuse %d: %w", seq, err)
		}
		var doc kkm.Document
		if err := decodeDocument(content, &doc); err != nil {
			return fmt.Errorf("storage: refuse %d: %w", seq, err)
		}
		if doc.Kind == kkm.KindZReport {
			// The journal closed the shift; only the OFD can take the Z (Retry).
			return fmt.Errorf("%w: %d (a Z report cannot be set aside)", ErrOutboxOrder, seq)
		}
		at := toMillis(r.At)
		if _, err := tx.ExecContext(ctx, insertRefusalSQL, seq, int64(r.Code), r.Text, at,
			j.seal.refusalMAC(seq, int64(r.Code), r.Text, at)); err != nil {
			return fmt.Errorf("storage: refuse %d: %w", seq, err)
		}
		if _, err := tx.StmtContext(ctx, j.st.markDone).ExecContext(ctx, at, seq); err != nil {
			return fmt.Errorf("storage: refuse %d: %w", seq, err)
		}
		// The block this refusal caused ends with it.
		j.noteRefusal(seq, Refusal{Code: r.Code, Text: r.Text, At: fromMillis(at)})
		j.noteLink()
		if _, err := tx.ExecContext(ctx, `UPDATE chain SET link_blocked_code = 0, link_info_text = '' WHERE id = 1`); err != nil {
			return fmt.Errorf("storage: refuse %d: %w", seq, err)
		}
		inDrawer, err := j.amendAfter(ctx, tx, seq, doc)
		if err != nil {
			return err
		}
		var st kkm.State
		var stored []byte
		switch err := tx.QueryRowContext(ctx, `SELECT content FROM register_state WHERE id = 1`).Scan(&stored); {
		case err == sql.ErrNoRows:
		case err != nil:
			return fmt.Errorf("storage: refuse %d: load state: %w", seq, err)
		default:
			if err := json.Unmarshal(stored, &st); err != nil {
				return fmt.Errorf("storage: refuse %d: decode state: %w", seq, err)
			}
		}
		st, err = st.WithoutRefused(doc, inDrawer)
		if err != nil {
			return fmt.Errorf("storage: refuse %d: %w", seq, err)
		}
		if r.Code == refusedShiftExpired {
			st = st.LearnShiftLimit(doc.ShiftNumber, r.At)
		}
		stateJSON, err := json.Marshal(st)
		if err != nil {
			return fmt.Errorf("storage: refuse %d: encode state: %w", seq, err)
		}
		if err := j.saveStateTx(ctx, tx, stateJSON, int64(st.Refusals)); err != nil {
			return fmt.Errorf("storage: refuse %d: %w", seq, err)
		}
		r.At = fromMillis(at)
		out = Entry{Seq: seq, Document: doc, Refusal: &r}
		return nil
	})
	return out, err
}

// refusedShiftExpired is the OFD's code 11 (the shift is open too long), whose refusal teaches
// the state the OFD's shift limit. The wire's codes are ofdclient's; storage names only this one.
const refusedShiftExpired = 11

// amendAfter amends the waiting Z reports and the first auto cash-out after refused, inside tx,
// and reports whether refused's cash is still in the drawer the state counts (no auto cash-out
// after it has emptied the drawer since).
func (j *Journal) amendAfter(ctx context.Context, tx *Tx, seq int64, refused kkm.Document) (bool, error) {
	rows, err := tx.QueryContext(ctx, waitingAfterSQL, seq)
	if err != nil {
		return false, fmt.Errorf("storage: refuse: waiting documents: %w", err)
	}
	type waiting struct {
		seq int64
		doc kkm.Document
	}
	var list []waiting
	for rows.Next() {
		var w waiting
		var content []byte
		if err := rows.Scan(&w.seq, &content); err != nil {
			rows.Close()
			return false, fmt.Errorf("storage: refuse: waiting documents: %w", err)
		}
		if err := decodeDocument(content, &w.doc); err != nil {
			rows.Close()
			return false, fmt.Errorf("storage: refuse: document %d: %w", w.seq, err)
		}
		list = append(list, w)
	}
	if err := rows.Close(); err != nil {
		return false, fmt.Errorf("storage: refuse: waiting documents: %w", err)
	}
	inDrawer := true
	var less kkm.Money // what the auto cash-out just amended withdraws less, for its Z
	for i, w := range list {
		// A Z's auto cash-out is the cash out committed with it: the next seq, the same time
		// and shift (kkm.Register.CloseShift).
		auto := w.doc.Kind == kkm.KindCashOut && i+1 < len(list) && list[i+1].seq == w.seq+1 &&
			list[i+1].doc.Kind == kkm.KindZReport && list[i+1].doc.Time.Equal(w.doc.Time) &&
			list[i+1].doc.ShiftNumber == w.doc.ShiftNumber
		if auto && !inDrawer {
			continue // an earlier auto cash-out took the refused document's cash already
		}
		amended, changed, err := kkm.AmendAfterRefused(w.doc, refused, inDrawer, auto)
		if err != nil {
			return false, fmt.Errorf("storage: refuse: amend %d: %w", w.seq, err)
		}
		if less != 0 && amended.Kind == kkm.KindZReport {
			amended, changed, less = kkm.AmendForAutoCashOut(amended, less), true, 0
		}
		if auto {
			inDrawer = false
			less = w.doc.Cash - amended.Cash
		}
		if !changed {
			continue
		}
		content, err := json.Marshal(amended)
		if err != nil {
			return false, fmt.Errorf("storage: refuse: amend %d: %w", w.seq, err)
		}
		if _, err := tx.ExecContext(ctx, amendSQL, content, w.seq); err != nil {
			return false, fmt.Errorf("storage: refuse: amend %d: %w", w.seq, err)
		}
	}
	return inDrawer, nil
}

// LastRefusal returns the document the OFD refused last, with its Refusal, or ErrNotFound when it
// never refused one.
func (j *Journal) LastRefusal(ctx context.Context) (Entry, error) {
	return j.one(ctx, "the last refused document", `d.seq = (SELECT MAX(seq) FROM refusals)`)
}

// checkRefusals refuses, inside Commit's tx, a state whose Refusals count is behind the saved
// state's: it was computed before RefuseHead took a document out of the counters.
func checkRefusals(saved sql.NullInt64, have uint32) error {
	if saved.Valid && uint32(saved.Int64) != have {
		return fmt.Errorf("%w: the saved state took out %d refused documents, this one %d", ErrStateChanged, saved.Int64, have)
	}
	return nil
}
