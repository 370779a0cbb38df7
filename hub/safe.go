package hub

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// The journal's safe off the phone (issue 18 item 5). Beside its documents a register pushes
// what a new phone needs to go on as the same register (storage/hubsafe.go says what and why):
//
//   - its OFD answers, each once, in seq order from the hub's answer cursor (Cursor.Answered);
//     the hub reads of them only whether the OFD refused the document, which the owner's figures
//     then leave out;
//   - its sealed snapshot (seal key, state, link, waiting queue), encrypted on the register with
//     its credential, which the hub keeps only as a digest: the hub stores it and cannot open it.
//
// A safe push names the chain head its snapshot belongs to; the hub takes it only when that is
// the head it holds, so the snapshot and the documents always match. A restore (Store.Safe) reads
// the snapshot with the documents and answers up to its head, by the register's credential only.

// Errors of the safe.
var (
	// ErrSafeBehind: the snapshot's chain head is not the hub's head (documents are still to be
	// pushed, or the journal is not the hub's copy); push the documents first.
	ErrSafeBehind = errors.New("hub: the safe's chain head is not the hub's: push the documents first")
	// ErrNoSafe: the register never pushed a safe; it cannot be restored from the hub.
	ErrNoSafe = errors.New("hub: no safe of this register yet")
)

// maxSealed bounds a sealed snapshot (a few thousand waiting documents fit many times over).
const maxSealed = 8 << 20

// Answer is the OFD's answer to one of a register's documents as the register's safe keeps it.
type Answer struct {
	Seq     int64           `json:"seq"`
	Refused bool            `json:"refused,omitempty"` // the OFD refused it: it never counted
	Data    json.RawMessage `json:"data"`              // the register's entry, opaque to the hub
}

// SafePush is a register's push to its safe.
type SafePush struct {
	HeadSeq  int64    `json:"head_seq"`
	HeadHash []byte   `json:"head_hash"`
	Answers  []Answer `json:"answers,omitempty"` // after the hub's answer cursor, in seq order
	Sealed   []byte   `json:"sealed"`
}

// Safe is one page of a register's safe as a restore reads it: the snapshot, and the documents
// and answers with seq after the page's start, up to the snapshot's head.
type Safe struct {
	Serial    string     `json:"serial"`
	HeadSeq   int64      `json:"head_seq"`
	Sealed    []byte     `json:"sealed"`
	Documents []Document `json:"documents"`
	Answers   []Answer   `json:"answers,omitempty"`
}

// maxSafePage bounds the documents of one Safe page.
const maxSafePage = 1000

// PutSafe stores a register's answers and sealed snapshot in one transaction, under the
// register's row lock, when push.HeadSeq and HeadHash are the head the hub holds (else
// ErrSafeBehind). Answers the hub holds already are skipped (a repeated push); the others must
// follow the answer cursor in seq order, up to the head. It returns the cursor after the push.
func (s *Store) PutSafe(ctx context.Context, registerID int64, push SafePush) (Cursor, error) {
	if len(push.Sealed) == 0 || len(push.Sealed) > maxSealed {
		return Cursor{}, fmt.Errorf("%w: a sealed snapshot of 1 byte to %d MB", ErrMalformed, maxSealed>>20)
	}
	var c Cursor
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `SELECT head_seq, head_hash, answered_seq FROM registers WHERE id = $1 FOR UPDATE`, registerID).
			Scan(&c.Seq, &c.Hash, &c.Answered); err != nil {
			if errors.Is(err, pgx.ErrNoRows) {
				return ErrForbidden
			}
			return err
		}
		if push.HeadSeq != c.Seq || !bytes.Equal(push.HeadHash, c.Hash) {
			return fmt.Errorf("%w (the safe's head %d, the hub's %d)", ErrSafeBehind, push.HeadSeq, c.Seq)
		}
		batch := &pgx.Batch{}
		for _, a := range push.Answers {
			if a.Seq <= c.Answered {
				continue // held already: a repeated push
			}
			if a.Seq > c.Seq || !json.Valid(a.Data) {
				return fmt.Errorf("%w: an answer to document %d (head %d) must be JSON about a document held", ErrMalformed, a.Seq, c.Seq)
			}
			batch.Queue(`INSERT INTO register_answers (register_id, seq, refused, answer) VALUES ($1, $2, $3, $4)`,
				registerID, a.Seq, a.Refused, string(a.Data))
			if a.Refused {
				batch.Queue(unrollSQL, registerID, a.Seq)
				batch.Queue(unrollDaysSQL, registerID, a.Seq)
				batch.Queue(unrollMonthsSQL, registerID, a.Seq)
			}
			c.Answered = a.Seq
		}
		batch.Queue(`UPDATE registers SET answered_seq = $2 WHERE id = $1`, registerID, c.Answered)
		batch.Queue(`INSERT INTO register_safes (register_id, head_seq, sealed) VALUES ($1, $2, $3)
			ON CONFLICT (register_id) DO UPDATE SET head_seq = EXCLUDED.head_seq, sealed = EXCLUDED.sealed, updated_at = now()`,
			registerID, push.HeadSeq, push.Sealed)
		return tx.SendBatch(ctx, batch).Close()
	})
	return c, err
}

// Safe reads a page of a register's safe for a restore: the sealed snapshot, and the documents
// and answers with seq in (after, after+1000], never past the snapshot's head, all in one
// snapshot of the database.
func (s *Store) Safe(ctx context.Context, registerID, after int64) (Safe, error) {
	var out Safe
	err := pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `SELECT r.serial, s.head_seq, s.sealed FROM registers r JOIN register_safes s ON s.register_id = r.id
			WHERE r.id = $1`, registerID).Scan(&out.Serial, &out.HeadSeq, &out.Sealed)
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrNoSafe
		}
		if err != nil {
			return err
		}
		upTo := min(after+maxSafePage, out.HeadSeq)
		rows, err := tx.Query(ctx, `SELECT uuid, seq, kind, shift_number, number, issued_at, total, offline, parent_seq,
				content::text, prev_hash, hash FROM documents WHERE register_id = $1 AND seq > $2 AND seq <= $3 ORDER BY seq`,
			registerID, after, upTo)
		if err != nil {
			return err
		}
		for rows.Next() {
			var d Document
			var shift, number int64
			var content string
			if err := rows.Scan(&d.UUID, &d.Seq, &d.Kind, &shift, &number, &d.IssuedAt, &d.Total, &d.Offline, &d.ParentSeq,
				&content, &d.PrevHash, &d.Hash); err != nil {
				rows.Close()
				return err
			}
			d.ShiftNumber, d.Number, d.Content = uint32(shift), uint32(number), json.RawMessage(content)
			out.Documents = append(out.Documents, d)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		rows, err = tx.Query(ctx, `SELECT seq, refused, answer::text FROM register_answers
			WHERE register_id = $1 AND seq > $2 AND seq <= $3 ORDER BY seq`, registerID, after, upTo)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var a Answer
			var data string
			if err := rows.Scan(&a.Seq, &a.Refused, &data); err != nil {
				return err
			}
			a.Data = json.RawMessage(data)
			out.Answers = append(out.Answers, a)
		}
		return rows.Err()
	})
	return out, err
}
