package storage

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"filippo.io/age"
	"github.com/ekassa-go/ekassa/kkm"
)

// The journal's safe at the owner's hub (issue 18 item 5).
//
// A phone can be lost with its journal. The hub already holds the documents with their chain
// (ChainRows, pushed by hubsync); the safe is the rest of what a new phone needs to go on as the
// same register, in two parts:
//
//   - the answers (SafeAnswer): each outbox entry the OFD has answered, with the OFD's fiscal
//     result or refusal and its seal. They are final once stored and arrive in seq order (the
//     outbox is sent strictly in order), so they are pushed once each, from the hub's own cursor;
//   - the sealed snapshot: the seal key, the register state (shift, counters, drawer), the
//     settings, the cashiers, the OFD link (token, last REQNUM, offline since, block), the
//     entries still waiting for the OFD with their request identity, and the seal's events, as of
//     one chain head. It is small (the waiting queue is bounded by the 72-hour limit) and replaced
//     whole on every push that changes it. It is encrypted with age (scrypt) under the register's
//     hub credential, which the hub keeps only as a digest: the hub stores it but cannot read the
//     key, the token or the counters (docs/security.md).
//
// RestoreFromHub builds a journal from the documents, the answers and the snapshot in a private
// file, in one transaction, and then hands it to the same path as a backup's restore (RestoreFrom):
// the whole seal is verified with the snapshot's key before the journal takes it, the journal's
// content is replaced at once, and the key is adopted. It refuses a journal that is not empty, a
// safe of another register, and a credential that does not open the snapshot.

// The refusals of a restore from the hub. Each value is its own message ID.
const (
	// ErrRestoreNotEmpty: the journal already holds documents or a register; a restore from the
	// hub is for a new phone only.
	ErrRestoreNotEmpty ErrorCode = "err.hubrestore.not_empty"
	// ErrRestoreCredential: the credential does not open the hub's sealed snapshot.
	ErrRestoreCredential ErrorCode = "err.hubrestore.credential"
	// ErrRestoreIncomplete: the hub's copy is not whole (documents missing before the snapshot's
	// head, or no snapshot pushed yet).
	ErrRestoreIncomplete ErrorCode = "err.hubrestore.incomplete"
)

// safeWorkFactor is the scrypt work factor of the sealed snapshot. The passphrase is the
// register's hub credential (32 random bytes), which no guessing reaches, so the snapshot needs
// no slow key stretching; a low factor keeps a push cheap on a phone.
const safeWorkFactor = 10

// SafeAnswer is one outbox entry as the safe keeps it: its request identity, when it was done,
// and the OFD's answer or refusal with their seals. A waiting entry has no DoneAt and no answer.
type SafeAnswer struct {
	Seq          int64        `json:"seq"`
	QueuedAt     int64        `json:"queued_at"` // Unix ms
	Token        *int64       `json:"token,omitempty"`
	Reqnum       *int64       `json:"reqnum,omitempty"`
	OfflineBegin *int64       `json:"offline_begin,omitempty"`
	DoneAt       *int64       `json:"done_at,omitempty"`
	Amended      []byte       `json:"amended,omitempty"`
	Fiscal       *SafeFiscal  `json:"fiscal,omitempty"`
	Refusal      *SafeRefusal `json:"refusal,omitempty"`
}

// SafeFiscal is the OFD's fiscal result of a document with its seal.
type SafeFiscal struct {
	Sign       *string `json:"sign,omitempty"` // nil when the answer carries none
	QRLink     string  `json:"qr_link"`
	AnsweredAt int64   `json:"answered_at"`
	MAC        []byte  `json:"mac"`
}

// SafeRefusal is the OFD's refusal of a document with its seal.
type SafeRefusal struct {
	Code      int64  `json:"code"`
	Text      string `json:"text"`
	RefusedAt int64  `json:"refused_at"`
	MAC       []byte `json:"mac"`
}

// safeSnapshot is the sealed snapshot's plaintext.
type safeSnapshot struct {
	Format   int           `json:"format"`
	Key      []byte        `json:"key"`
	HeadSeq  int64         `json:"head_seq"`
	HeadHash []byte        `json:"head_hash"`
	State    *safeRow      `json:"state,omitempty"`
	Settings *safeRow      `json:"settings,omitempty"`
	Cashiers []safeCashier `json:"cashiers,omitempty"`
	Link     safeLink      `json:"link"`
	Waiting  []SafeAnswer  `json:"waiting,omitempty"`
	Events   []safeEvent   `json:"events,omitempty"`
}

type safeRow struct {
	Content  []byte `json:"content"`
	Refusals int64  `json:"refusals,omitempty"`
	MAC      []byte `json:"mac"`
}

type safeCashier struct {
	ID           int64  `json:"id"`
	OperatorCode int64  `json:"operator_code"`
	Name         string `json:"name"`
	Content      []byte `json:"content"`
	MAC          []byte `json:"mac"`
}

type safeLink struct {
	Token        int64  `json:"token"`
	LastReqnum   int64  `json:"last_reqnum"`
	OfflineSince *int64 `json:"offline_since,omitempty"`
	BlockedCode  int64  `json:"blocked_code"`
	InfoText     string `json:"info_text"`
}

type safeEvent struct {
	ID     int64  `json:"id"`
	At     int64  `json:"at"`
	Kind   string `json:"kind"`
	Detail string `json:"detail"`
	MAC    []byte `json:"mac"`
}

// SafeCopy is what a push to the hub's safe carries: the chain head it belongs to, the answers
// after the hub's answer cursor, and the sealed snapshot.
type SafeCopy struct {
	HeadSeq  int64
	HeadHash []byte
	Answers  []SafeAnswer // done entries with seq > the cursor asked for, in seq order
	More     bool         // more answers follow (read again after the last one)
	Sealed   []byte       // the snapshot, age-encrypted
	// Fingerprint identifies the snapshot's plaintext and the answers: the same fingerprint
	// means nothing new to push.
	Fingerprint [sha256.Size]byte
}

// maxSafeAnswers bounds the answers of one SafeCopy.
const maxSafeAnswers = 1000

// outboxColumns are the columns of an outbox entry with its answer and refusal (scanAnswer).
const outboxColumns = `o.seq, o.queued_at, o.token, o.reqnum, o.offline_begin, o.done_at, o.amended,
	f.seq IS NOT NULL, f.fiscal_sign, COALESCE(f.qr_link, ''), COALESCE(f.answered_at, 0), f.mac,
	r.seq IS NOT NULL, COALESCE(r.code, 0), COALESCE(r.text, ''), COALESCE(r.refused_at, 0), r.mac
	FROM outbox o LEFT JOIN fiscal_results f ON f.seq = o.seq LEFT JOIN refusals r ON r.seq = o.seq`

func scanAnswer(s scanner) (SafeAnswer, error) {
	var a SafeAnswer
	var token, reqnum, begin, done sql.NullInt64
	var hasFiscal, hasRefusal bool
	var f SafeFiscal
	var r SafeRefusal
	var sign sql.NullString
	if err := s.Scan(&a.Seq, &a.QueuedAt, &token, &reqnum, &begin, &done, &a.Amended,
		&hasFiscal, &sign, &f.QRLink, &f.AnsweredAt, &f.MAC,
		&hasRefusal, &r.Code, &r.Text, &r.RefusedAt, &r.MAC); err != nil {
		return a, err
	}
	ptr := func(v sql.NullInt64) *int64 {
		if !v.Valid {
			return nil
		}
		return &v.Int64
	}
	a.Token, a.Reqnum, a.OfflineBegin, a.DoneAt = ptr(token), ptr(reqnum), ptr(begin), ptr(done)
	if hasFiscal {
		if sign.Valid {
			f.Sign = &sign.String
		}
		a.Fiscal = &f
	}
	if hasRefusal {
		a.Refusal = &r
	}
	return a, nil
}

// SafeCopy reads, in one read of the journal, the chain head, the answered entries with seq after
// answersAfter (at most 1000) and the snapshot, sealed with passphrase (the register's hub
// credential).
func (j *Journal) SafeCopy(ctx context.Context, answersAfter int64, passphrase string) (SafeCopy, error) {
	if passphrase == "" {
		return SafeCopy{}, errors.New("storage: safe: no passphrase")
	}
	var out SafeCopy
	var snap safeSnapshot
	err := j.inTx(ctx, func(tx *Tx) error {
		if err := tx.QueryRowContext(ctx, chainHeadSQL).Scan(&out.HeadSeq, &out.HeadHash); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT `+outboxColumns+` WHERE o.seq > ? AND o.done_at IS NOT NULL
			ORDER BY o.seq LIMIT ?`, answersAfter, maxSafeAnswers+1)
		if err != nil {
			return err
		}
		for rows.Next() {
			a, err := scanAnswer(rows)
			if err != nil {
				rows.Close()
				return err
			}
			out.Answers = append(out.Answers, a)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if len(out.Answers) > maxSafeAnswers {
			out.Answers, out.More = out.Answers[:maxSafeAnswers], true
		}
		snap, err = readSnapshot(ctx, tx)
		return err
	})
	if err != nil {
		return SafeCopy{}, fmt.Errorf("storage: safe: %w", err)
	}
	snap.Key, snap.HeadSeq, snap.HeadHash = j.seal.key, out.HeadSeq, out.HeadHash
	plain, err := json.Marshal(snap)
	if err != nil {
		return SafeCopy{}, fmt.Errorf("storage: safe: %w", err)
	}
	h := sha256.New()
	h.Write(plain)
	for _, a := range out.Answers {
		fmt.Fprintf(h, "/%d", a.Seq)
	}
	copy(out.Fingerprint[:], h.Sum(nil))
	if out.Sealed, err = sealSnapshot(plain, passphrase); err != nil {
		return SafeCopy{}, err
	}
	return out, nil
}

// readSnapshot reads the snapshot's rows (all but the key and the head) in tx.
func readSnapshot(ctx context.Context, tx *Tx) (safeSnapshot, error) {
	s := safeSnapshot{Format: 1}
	var st safeRow
	switch err := tx.QueryRowContext(ctx, `SELECT content, refusals, mac FROM register_state WHERE id = 1`).Scan(&st.Content, &st.Refusals, &st.MAC); {
	case err == nil:
		s.State = &st
	case !errors.Is(err, sql.ErrNoRows):
		return s, err
	}
	var set safeRow
	switch err := tx.QueryRowContext(ctx, `SELECT content, mac FROM settings WHERE id = 1`).Scan(&set.Content, &set.MAC); {
	case err == nil:
		s.Settings = &set
	case !errors.Is(err, sql.ErrNoRows):
		return s, err
	}
	var since sql.NullInt64
	if err := tx.QueryRowContext(ctx, `SELECT token, last_reqnum, offline_since, blocked_code, info_text FROM ofd_link WHERE id = 1`).
		Scan(&s.Link.Token, &s.Link.LastReqnum, &since, &s.Link.BlockedCode, &s.Link.InfoText); err != nil {
		return s, err
	}
	if since.Valid {
		s.Link.OfflineSince = &since.Int64
	}
	rows, err := tx.QueryContext(ctx, `SELECT id, operator_code, name, content, mac FROM cashiers ORDER BY id`)
	if err != nil {
		return s, err
	}
	for rows.Next() {
		var c safeCashier
		if err := rows.Scan(&c.ID, &c.OperatorCode, &c.Name, &c.Content, &c.MAC); err != nil {
			rows.Close()
			return s, err
		}
		s.Cashiers = append(s.Cashiers, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return s, err
	}
	rows, err = tx.QueryContext(ctx, `SELECT `+outboxColumns+` WHERE o.seq > (SELECT outbox_done_seq FROM chain WHERE id = 1)
		AND o.done_at IS NULL ORDER BY o.seq`)
	if err != nil {
		return s, err
	}
	for rows.Next() {
		a, err := scanAnswer(rows)
		if err != nil {
			rows.Close()
			return s, err
		}
		s.Waiting = append(s.Waiting, a)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return s, err
	}
	rows, err = tx.QueryContext(ctx, `SELECT id, at, kind, detail, mac FROM journal_events ORDER BY id`)
	if err != nil {
		return s, err
	}
	defer rows.Close()
	for rows.Next() {
		var e safeEvent
		if err := rows.Scan(&e.ID, &e.At, &e.Kind, &e.Detail, &e.MAC); err != nil {
			return s, err
		}
		s.Events = append(s.Events, e)
	}
	return s, rows.Err()
}

// sealSnapshot encrypts plain with passphrase (age, scrypt).
func sealSnapshot(plain []byte, passphrase string) ([]byte, error) {
	r, err := age.NewScryptRecipient(passphrase)
	if err != nil {
		return nil, fmt.Errorf("storage: safe: %w", err)
	}
	r.SetWorkFactor(safeWorkFactor)
	var b bytes.Buffer
	w, err := age.Encrypt(&b, r)
	if err != nil {
		return nil, fmt.Errorf("storage: safe: %w", err)
	}
	if _, err := w.Write(plain); err != nil {
		return nil, fmt.Errorf("storage: safe: %w", err)
	}
	if err := w.Close(); err != nil {
		return nil, fmt.Errorf("storage: safe: %w", err)
	}
	return b.Bytes(), nil
}

// openSnapshot decrypts a sealed snapshot with passphrase.
func openSnapshot(sealed []byte, passphrase string) (safeSnapshot, error) {
	var s safeSnapshot
	id, err := age.NewScryptIdentity(passphrase)
	if err != nil {
		return s, &BackupError{Code: ErrRestoreCredential, Path: "hub", Reason: "no credential", Err: err}
	}
	r, err := age.Decrypt(bytes.NewReader(sealed), id)
	if err != nil {
		return s, &BackupError{Code: ErrRestoreCredential, Path: "hub", Reason: "the credential does not open the hub's snapshot", Err: err}
	}
	plain, err := io.ReadAll(r)
	if err != nil {
		return s, &BackupError{Code: ErrBackupUnreadable, Path: "hub", Reason: "the hub's snapshot is damaged", Err: err}
	}
	if err := json.Unmarshal(plain, &s); err != nil || s.Format != 1 || len(s.Key) != keySize {
		return s, &BackupError{Code: ErrBackupUnreadable, Path: "hub", Reason: "not a snapshot of this app", Err: err}
	}
	return s, nil
}

// HubSafe is a register's copy at the hub, as a restore reads it.
type HubSafe struct {
	Serial    string       // the register's serial number (ЗНМ) at the hub
	Documents []ChainRow   // seq 1..the snapshot's head, in order
	Answers   []SafeAnswer // the answered entries, in seq order
	Sealed    []byte       // the sealed snapshot
}

// RestoreFromHub makes this journal, which must be empty (a new phone), the register's journal as
// the hub holds it, opened with passphrase (the register's hub credential); see the comment at the
// top of this file. It returns what the journal now holds. Nothing may write to the journal
// meanwhile. On any refusal the journal is left as it was.
func (j *Journal) RestoreFromHub(ctx context.Context, safe HubSafe, passphrase string) (BackupInfo, error) {
	cur, err := j.Info(ctx)
	if err != nil {
		return BackupInfo{}, err
	}
	if cur.Documents > 0 || cur.Registered {
		return BackupInfo{}, &BackupError{Code: ErrRestoreNotEmpty, Path: j.path,
			Reason: fmt.Sprintf("the journal holds %d documents (register %q)", cur.Documents, cur.ZNM)}
	}
	snap, err := openSnapshot(safe.Sealed, passphrase)
	if err != nil {
		return BackupInfo{}, err
	}
	if snap.Settings == nil {
		return BackupInfo{}, &BackupError{Code: ErrRestoreIncomplete, Path: "hub", Reason: "the snapshot holds no settings"}
	}
	var s kkm.Settings
	if err := json.Unmarshal(snap.Settings.Content, &s); err != nil {
		return BackupInfo{}, &BackupError{Code: ErrBackupUnreadable, Path: "hub", Reason: "unreadable settings", Err: err}
	}
	znm := s.SerialNumber
	if znm == "" {
		znm = s.Reg.ZNM
	}
	if znm != safe.Serial {
		return BackupInfo{}, &BackupError{Code: ErrBackupOtherRegister, Path: "hub",
			Reason: fmt.Sprintf("the snapshot is of register %q, the hub's copy of %q", znm, safe.Serial)}
	}
	if int64(len(safe.Documents)) != snap.HeadSeq {
		return BackupInfo{}, &BackupError{Code: ErrRestoreIncomplete, Path: "hub",
			Reason: fmt.Sprintf("%d documents for a snapshot at %d", len(safe.Documents), snap.HeadSeq)}
	}
	for i, d := range safe.Documents {
		if d.Seq != int64(i+1) {
			return BackupInfo{}, &BackupError{Code: ErrRestoreIncomplete, Path: "hub", Reason: fmt.Sprintf("document %d where %d belongs", d.Seq, i+1)}
		}
	}
	dir, err := os.MkdirTemp(filepath.Dir(j.path), ".ekassa-hubrestore-*")
	if err != nil {
		return BackupInfo{}, fmt.Errorf("storage: restore from the hub: %w", err)
	}
	defer os.RemoveAll(dir)
	plain := filepath.Join(dir, "journal.db")
	if err := buildFromSafe(ctx, plain, safe, snap); err != nil {
		return BackupInfo{}, err
	}
	defer j.catalogue.reset()
	return j.restorePlain(ctx, plain, snap.Key, "hub", "the owner's hub")
}

// buildFromSafe writes the journal the safe describes into a new file at path, in one
// transaction, sealed with the snapshot's key. The restore verifies it after.
func buildFromSafe(ctx context.Context, path string, safe HubSafe, snap safeSnapshot) error {
	b, err := openKeyed(ctx, path, snap.Key)
	if err != nil {
		return fmt.Errorf("storage: restore from the hub: %w", err)
	}
	err = b.inTx(ctx, func(tx *Tx) error {
		// The analytics aggregates are folded in from the documents later (analytics_fold.go).
		insert := tx.StmtContext(ctx, b.st.insertDocument)
		for _, d := range safe.Documents {
			var doc kkm.Document
			if err := decodeDocument(d.Content, &doc); err != nil {
				return &BackupError{Code: ErrBackupUnreadable, Path: "hub", Reason: fmt.Sprintf("document %d", d.Seq), Err: err}
			}
			var parentNumber string
			if p := parentOf(&doc); p != nil {
				parentNumber = p.Number
			}
			if _, err := insert.ExecContext(ctx, d.Seq, d.Kind, d.ShiftNumber, d.Number, d.IssuedAt.UnixMilli(), d.Total,
				d.Offline, nullIfZero(int64(doc.OfflineNumber)), nullIfZero(d.ParentSeq), nullIfEmpty(parentNumber),
				d.Content, d.PrevHash, d.Hash); err != nil {
				return fmt.Errorf("storage: restore from the hub: document %d: %w", d.Seq, err)
			}
		}
		answers := append(append([]SafeAnswer(nil), safe.Answers...), snap.Waiting...)
		for _, a := range answers {
			if a.Seq < 1 || a.Seq > snap.HeadSeq {
				return &BackupError{Code: ErrRestoreIncomplete, Path: "hub", Reason: fmt.Sprintf("an answer to document %d beyond the head", a.Seq)}
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO outbox (seq, queued_at, token, reqnum, offline_begin, done_at, amended)
				VALUES (?, ?, ?, ?, ?, ?, ?)`, a.Seq, a.QueuedAt, a.Token, a.Reqnum, a.OfflineBegin, a.DoneAt, a.Amended); err != nil {
				return fmt.Errorf("storage: restore from the hub: outbox %d: %w", a.Seq, err)
			}
			if f := a.Fiscal; f != nil {
				if _, err := tx.ExecContext(ctx, `INSERT INTO fiscal_results (seq, fiscal_sign, qr_link, answered_at, mac)
					VALUES (?, ?, ?, ?, ?)`, a.Seq, f.Sign, f.QRLink, f.AnsweredAt, f.MAC); err != nil {
					return fmt.Errorf("storage: restore from the hub: answer %d: %w", a.Seq, err)
				}
			}
			if r := a.Refusal; r != nil {
				if _, err := tx.ExecContext(ctx, `INSERT INTO refusals (seq, code, text, refused_at, mac) VALUES (?, ?, ?, ?, ?)`,
					a.Seq, r.Code, r.Text, r.RefusedAt, r.MAC); err != nil {
					return fmt.Errorf("storage: restore from the hub: refusal %d: %w", a.Seq, err)
				}
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE chain SET head_seq = ?, head_hash = ? WHERE id = 1`, snap.HeadSeq, snap.HeadHash); err != nil {
			return err
		}
		if st := snap.State; st != nil {
			if _, err := tx.ExecContext(ctx, saveStateSQL, st.Content, st.Refusals, st.MAC); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO settings (id, content, mac) VALUES (1, ?, ?)
			ON CONFLICT (id) DO UPDATE SET content = excluded.content, mac = excluded.mac`, snap.Settings.Content, snap.Settings.MAC); err != nil {
			return err
		}
		for _, c := range snap.Cashiers {
			if _, err := tx.ExecContext(ctx, `INSERT INTO cashiers (id, operator_code, name, content, mac) VALUES (?, ?, ?, ?, ?)`,
				c.ID, c.OperatorCode, c.Name, c.Content, c.MAC); err != nil {
				return fmt.Errorf("storage: restore from the hub: cashier %d: %w", c.ID, err)
			}
		}
		l := snap.Link
		if _, err := tx.ExecContext(ctx, `UPDATE chain SET link_token = ?, link_reqnum = ?, link_offline_since = ?,
			link_blocked_code = ?, link_info_text = ? WHERE id = 1`, l.Token, l.LastReqnum, l.OfflineSince, l.BlockedCode, l.InfoText); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM journal_events`); err != nil {
			return err
		}
		for _, e := range snap.Events {
			if _, err := tx.ExecContext(ctx, `INSERT INTO journal_events (id, at, kind, detail, mac) VALUES (?, ?, ?, ?, ?)`,
				e.ID, e.At, e.Kind, e.Detail, e.MAC); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil {
		err = b.rollAnalytics(ctx)
	}
	if cerr := b.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("storage: restore from the hub: %w", cerr)
	}
	return err
}
