package storage

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"os"
	"path/filepath"
	"time"

	"github.com/ekassa-go/ekassa/kkm"
)

// The journal's seal (issue 15, item 5; docs/security.md says what it resists and what not).
//
// Every fiscal fact the journal keeps is sealed with an HMAC-SHA256 key that lives outside the
// journal file, in KeyFile(path) (32 random bytes, mode 0600, written once):
//
//   - documents: the hash chain is keyed, hash = HMAC(key, prev_hash || row bytes) (chain.go), so
//     an edited total whose chain was recomputed no longer verifies without the key;
//   - the register state (the shift, its ZX counters, the drawer): mac = HMAC(key, "state",
//     chain head seq and hash, content), so it is bound to the documents that produced it and an
//     older state cannot be put back under newer documents;
//   - the settings (every one, the receipt-changing ones and the permissions): mac over the row;
//   - the cashiers (their roles and quick-access codes): mac over id, operator code and content;
//   - the OFD's answers (fiscal sign, QR link, time) as they arrive: mac over seq and the answer;
//     so are its refusals (refusals: code, text, time);
//   - the outbox: not sealed row by row; instead every fiscal document must have its outbox row
//     and every row marked sent must have its sealed answer or sealed refusal, so a sale cannot be
//     hidden from the OFD by marking it sent. A waiting row's amended content (a Z re-counted
//     after a refusal) is what the OFD will check against its own counters. The request identity of a waiting row (TOKEN, REQNUM) and the OFD
//     link are the OFD's to judge: a wrong one is refused by the OFD (codes 2, 8, 9).
//
// The chain table records the key's ID (an HMAC of a fixed text, not the key), so a journal
// opened with another key, or whose key file is gone, says so instead of reporting every row.
// journal_events records what happened to the seal (a legacy journal re-keyed, a key adopted
// with a restored backup), each event sealed too.

// keySize is the HMAC key's length.
const keySize = 32

// KeyFile is where the seal key of the journal at path is kept: beside it, never inside it.
func KeyFile(path string) string { return path + ".key" }

// The refusals of the seal key. Each value is its own message ID.
const (
	// ErrKeyMissing: the journal is sealed but its key file is gone (or unreadable).
	ErrKeyMissing ErrorCode = "err.journal.key_missing"
	// ErrKeyMismatch: the key file is not the key this journal was sealed with.
	ErrKeyMismatch ErrorCode = "err.journal.key_mismatch"
)

// What a *ChainError says changed.
const (
	ChangedDocument = "document"
	ChangedState    = "state"
	ChangedSettings = "settings"
	ChangedCashier  = "cashier"
	ChangedFiscal   = "fiscal"
	ChangedOutbox   = "outbox"
)

// ChangedKinds lists every What of a *ChainError, for the translation test.
func ChangedKinds() []string {
	return []string{ChangedDocument, ChangedState, ChangedSettings, ChangedCashier, ChangedFiscal, ChangedOutbox}
}

// keyID is the public name of key: an HMAC of a fixed text.
func keyID(key []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("ekassa journal key id"))
	return m.Sum(nil)[:16]
}

// newKey makes a fresh random key.
func newKey() ([]byte, error) {
	k := make([]byte, keySize)
	if _, err := rand.Read(k); err != nil {
		return nil, fmt.Errorf("storage: make the journal key: %w", err)
	}
	return k, nil
}

// readKeyFile reads a key file, tightening its mode to 0600 when it is wider.
func readKeyFile(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if len(b) != keySize {
		return nil, fmt.Errorf("storage: key file %s: %d bytes, want %d", path, len(b), keySize)
	}
	if fi, err := os.Stat(path); err == nil && fi.Mode().Perm()&0o077 != 0 {
		_ = os.Chmod(path, 0o600)
	}
	return b, nil
}

// writeKeyFile writes key to path atomically (a temporary file renamed into place), mode 0600,
// and syncs the file and its folder.
func writeKeyFile(path string, key []byte) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, ".ekassa-key-*")
	if err != nil {
		return fmt.Errorf("storage: write key file: %w", err)
	}
	tmp := f.Name()
	defer os.Remove(tmp)
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return fmt.Errorf("storage: write key file: %w", err)
	}
	if _, err := f.Write(key); err != nil {
		f.Close()
		return fmt.Errorf("storage: write key file: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("storage: write key file: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("storage: write key file: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("storage: write key file: %w", err)
	}
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return nil
}

// sealer computes the journal's MACs with its key.
type sealer struct{ key []byte }

func (s sealer) mac(parts ...[]byte) []byte {
	m := hmac.New(sha256.New, s.key)
	var n [4]byte
	for _, p := range parts {
		binary.BigEndian.PutUint32(n[:], uint32(len(p)))
		m.Write(n[:])
		m.Write(p)
	}
	return m.Sum(nil)
}

func u64(v int64) []byte {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(v))
	return b[:]
}

// stateMAC binds the register state to the chain head it follows.
func (s sealer) stateMAC(headSeq int64, headHash, content []byte) []byte {
	return s.mac([]byte("state"), u64(headSeq), headHash, content)
}

func (s sealer) settingsMAC(content []byte) []byte { return s.mac([]byte("settings"), content) }

func (s sealer) cashierMAC(id int64, operatorCode int64, content []byte) []byte {
	return s.mac([]byte("cashier"), u64(id), u64(operatorCode), content)
}

// fiscalMAC seals the OFD's answer to document seq; a NULL fiscal sign is sealed as absent.
func (s sealer) fiscalMAC(seq int64, sign sql.NullString, link string, at int64) []byte {
	signPart := []byte{0}
	if sign.Valid {
		signPart = append([]byte{1}, sign.String...)
	}
	return s.mac([]byte("fiscal"), u64(seq), signPart, []byte(link), u64(at))
}

// refusalMAC seals the OFD's refusal of document seq.
func (s sealer) refusalMAC(seq, code int64, text string, at int64) []byte {
	return s.mac([]byte("refusal"), u64(seq), u64(code), []byte(text), u64(at))
}

func (s sealer) eventMAC(id, at int64, kind, detail string) []byte {
	return s.mac([]byte("event"), u64(id), u64(at), []byte(kind), []byte(detail))
}

// chainHasher computes the chain's row hashes: keyed (HMAC) when key is set, plain SHA-256 for a
// legacy journal being verified before it is re-keyed.
type chainHasher struct{ h hash.Hash }

func newChainHasher(key []byte) *chainHasher {
	if key == nil {
		return &chainHasher{h: sha256.New()}
	}
	return &chainHasher{h: hmac.New(sha256.New, key)}
}

// keyUp gives the journal its seal key at Open: the key file's, or for a journal that was never
// sealed (a new one, or one written before the seal) a new key, after which a legacy journal is
// verified under its old unkeyed chain and re-keyed whole, and the re-keying recorded.
func (j *Journal) keyUp(ctx context.Context, keyPath string, given []byte) error {
	var stored []byte
	if err := j.db.QueryRowContext(ctx, `SELECT key_id FROM chain WHERE id = 1`).Scan(&stored); err != nil {
		return fmt.Errorf("storage: read the journal's key id: %w", err)
	}
	key := given
	if key == nil {
		k, err := readKeyFile(keyPath)
		switch {
		case err == nil:
			key = k
		case errors.Is(err, os.ErrNotExist) && stored == nil:
			if key, err = newKey(); err != nil {
				return err
			}
			if err := writeKeyFile(keyPath, key); err != nil {
				return err
			}
		default:
			return &ChainError{What: ChangedDocument, Code: ErrKeyMissing, Reason: fmt.Sprintf("key file %s: %v", keyPath, err)}
		}
	}
	if stored != nil {
		if !bytes.Equal(stored, keyID(key)) {
			return &ChainError{What: ChangedDocument, Code: ErrKeyMismatch, Reason: "the key file is not this journal's key"}
		}
		j.seal = sealer{key: key}
		return nil
	}
	j.seal = sealer{key: key}
	return j.rekey(ctx, key)
}

// rekey seals a journal that has no key yet: it verifies the whole unkeyed chain first (a legacy
// journal whose chain does not hold is refused, not blessed), then, in one transaction,
// recomputes every row's hash with the key, seals the state, settings, cashiers and the OFD's
// answers, records the key's ID and an event saying what was re-keyed.
func (j *Journal) rekey(ctx context.Context, key []byte) error {
	var head chainHead
	err := j.inTx(ctx, func(tx *Tx) error {
		var headSeq int64
		var headHash []byte
		if err := tx.QueryRowContext(ctx, `SELECT head_seq, head_hash FROM chain WHERE id = 1`).Scan(&headSeq, &headHash); err != nil {
			return fmt.Errorf("storage: rekey: %w", err)
		}
		if headSeq > 0 {
			if _, _, err := walkRows(ctx, tx, nil, 1, make([]byte, hashSize), headSeq, headHash); err != nil {
				return fmt.Errorf("storage: rekey: the unkeyed chain does not hold, nothing was re-keyed: %w", err)
			}
		}
		newHead, err := rehashRows(ctx, tx, key)
		if err != nil {
			return err
		}
		head = chainHead{seq: headSeq, hash: newHead}
		s := sealer{key: key}
		if _, err := tx.ExecContext(ctx, `UPDATE chain SET head_hash = ?, verified_seq = head_seq, verified_hash = ?, key_id = ? WHERE id = 1`,
			newHead, newHead, keyID(key)); err != nil {
			return fmt.Errorf("storage: rekey: %w", err)
		}
		if err := sealAll(ctx, tx, s, headSeq, newHead); err != nil {
			return err
		}
		if headSeq > 0 {
			return addEvent(ctx, tx, s, "rekey", fmt.Sprintf("documents 1..%d verified under the unkeyed SHA-256 chain and sealed with key %s",
				headSeq, hex.EncodeToString(keyID(key))))
		}
		return nil
	})
	if err != nil {
		return err
	}
	// The head's hash is the keyed one now: what the next Commit must find (documents.go).
	j.commitMu.Lock()
	j.head = head
	j.commitMu.Unlock()
	return nil
}

// rehashRows recomputes every document row's prev_hash and hash with key and returns the head.
func rehashRows(ctx context.Context, tx writer, key []byte) ([]byte, error) {
	rows, err := tx.QueryContext(ctx, `SELECT `+chainColumns+` FROM documents ORDER BY seq`)
	if err != nil {
		return nil, fmt.Errorf("storage: rekey: %w", err)
	}
	type rh struct {
		seq        int64
		prev, hash []byte
	}
	var out []rh
	prev := make([]byte, hashSize)
	hs := newChainHasher(key)
	for rows.Next() {
		r, _, _, err := scanChainRow(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("storage: rekey: %w", err)
		}
		h := hs.rowHash(prev, r)
		out = append(out, rh{r.seq, prev, h})
		prev = h
	}
	if err := rows.Close(); err != nil {
		return nil, err
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("storage: rekey: %w", err)
	}
	upd, err := tx.PrepareContext(ctx, `UPDATE documents SET prev_hash = ?, hash = ? WHERE seq = ?`)
	if err != nil {
		return nil, fmt.Errorf("storage: rekey: %w", err)
	}
	defer upd.Close()
	for _, r := range out {
		if _, err := upd.ExecContext(ctx, r.prev, r.hash, r.seq); err != nil {
			return nil, fmt.Errorf("storage: rekey: %w", err)
		}
	}
	return prev, nil
}

// sealAll (re)computes the MAC of the state, the settings, every cashier and every OFD answer.
func sealAll(ctx context.Context, tx *Tx, s sealer, headSeq int64, headHash []byte) error {
	if _, err := tx.ExecContext(ctx, `UPDATE chain SET state_mac = ? WHERE id = 1`, nil); err != nil {
		return fmt.Errorf("storage: seal: %w", err)
	}
	var content []byte
	switch err := tx.QueryRowContext(ctx, `SELECT content FROM register_state WHERE id = 1`).Scan(&content); {
	case err == nil:
		if _, err := tx.ExecContext(ctx, `UPDATE chain SET state_mac = ? WHERE id = 1`, s.stateMAC(headSeq, headHash, content)); err != nil {
			return fmt.Errorf("storage: seal: %w", err)
		}
	case !errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("storage: seal: %w", err)
	}
	switch err := tx.QueryRowContext(ctx, `SELECT content FROM settings WHERE id = 1`).Scan(&content); {
	case err == nil:
		if _, err := tx.ExecContext(ctx, `UPDATE settings SET mac = ? WHERE id = 1`, s.settingsMAC(content)); err != nil {
			return fmt.Errorf("storage: seal: %w", err)
		}
	case !errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("storage: seal: %w", err)
	}
	if err := sealCashiers(ctx, tx, s); err != nil {
		return err
	}
	if _, err := sealFiscalResults(ctx, tx, s, false); err != nil {
		return err
	}
	return sealRefusals(ctx, tx, s)
}

// sealRefusals seals every refusal of the OFD.
func sealRefusals(ctx context.Context, tx *Tx, s sealer) error {
	rows, err := tx.QueryContext(ctx, `SELECT seq, code, text, refused_at FROM refusals`)
	if err != nil {
		return fmt.Errorf("storage: seal refusals: %w", err)
	}
	type r struct {
		seq, code, at int64
		text          string
	}
	var all []r
	for rows.Next() {
		var x r
		if err := rows.Scan(&x.seq, &x.code, &x.text, &x.at); err != nil {
			rows.Close()
			return fmt.Errorf("storage: seal refusals: %w", err)
		}
		all = append(all, x)
	}
	rows.Close()
	for _, x := range all {
		if _, err := tx.ExecContext(ctx, `UPDATE refusals SET mac = ? WHERE seq = ?`, s.refusalMAC(x.seq, x.code, x.text, x.at), x.seq); err != nil {
			return fmt.Errorf("storage: seal refusals: %w", err)
		}
	}
	return nil
}

func sealCashiers(ctx context.Context, tx *Tx, s sealer) error {
	rows, err := tx.QueryContext(ctx, `SELECT id, operator_code, content FROM cashiers`)
	if err != nil {
		return fmt.Errorf("storage: seal cashiers: %w", err)
	}
	type c struct {
		id, code int64
		content  []byte
	}
	var all []c
	for rows.Next() {
		var x c
		if err := rows.Scan(&x.id, &x.code, &x.content); err != nil {
			rows.Close()
			return fmt.Errorf("storage: seal cashiers: %w", err)
		}
		all = append(all, x)
	}
	rows.Close()
	for _, x := range all {
		if _, err := tx.ExecContext(ctx, `UPDATE cashiers SET mac = ? WHERE id = ?`, s.cashierMAC(x.id, x.code, x.content), x.id); err != nil {
			return fmt.Errorf("storage: seal cashiers: %w", err)
		}
	}
	return nil
}

// sealFiscalResults seals the OFD's answers, only those without a MAC when onlyUnsealed.
func sealFiscalResults(ctx context.Context, tx *Tx, s sealer, onlyUnsealed bool) (int64, error) {
	q := `SELECT seq, fiscal_sign, qr_link, answered_at FROM fiscal_results`
	if onlyUnsealed {
		q += ` WHERE mac IS NULL`
	}
	rows, err := tx.QueryContext(ctx, q)
	if err != nil {
		return 0, fmt.Errorf("storage: seal answers: %w", err)
	}
	type f struct {
		seq, at int64
		sign    sql.NullString
		link    string
	}
	var all []f
	for rows.Next() {
		var x f
		if err := rows.Scan(&x.seq, &x.sign, &x.link, &x.at); err != nil {
			rows.Close()
			return 0, fmt.Errorf("storage: seal answers: %w", err)
		}
		all = append(all, x)
	}
	rows.Close()
	upd, err := tx.PrepareContext(ctx, `UPDATE fiscal_results SET mac = ? WHERE seq = ?`)
	if err != nil {
		return 0, fmt.Errorf("storage: seal answers: %w", err)
	}
	defer upd.Close()
	for _, x := range all {
		if _, err := upd.ExecContext(ctx, s.fiscalMAC(x.seq, x.sign, x.link, x.at), x.seq); err != nil {
			return 0, fmt.Errorf("storage: seal answers: %w", err)
		}
	}
	return int64(len(all)), nil
}

// SealBulkAnswers seals the OFD's answers that were written in bulk without a MAC, by a
// generator that bypasses CompleteOutbox for speed (storage/fixture). The app never needs it:
// every answer it stores is sealed in the transaction that stores it.
func (j *Journal) SealBulkAnswers(ctx context.Context) (int64, error) {
	var n int64
	err := j.inTx(ctx, func(tx *Tx) error {
		var err error
		n, err = sealFiscalResults(ctx, tx, j.seal, true)
		return err
	})
	return n, err
}

// addEvent records an event of the seal, sealed itself.
func addEvent(ctx context.Context, tx *Tx, s sealer, kind, detail string) error {
	at := time.Now().UnixMilli()
	var id int64
	if err := tx.QueryRowContext(ctx, `INSERT INTO journal_events (at, kind, detail, mac) VALUES (?, ?, ?, zeroblob(32)) RETURNING id`,
		at, kind, detail).Scan(&id); err != nil {
		return fmt.Errorf("storage: record %s: %w", kind, err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE journal_events SET mac = ? WHERE id = ?`, s.eventMAC(id, at, kind, detail), id); err != nil {
		return fmt.Errorf("storage: record %s: %w", kind, err)
	}
	return nil
}

// Event is one record of what happened to the journal's seal.
type Event struct {
	At     time.Time
	Kind   string // "rekey", "adopt-key"
	Detail string
}

// Events lists the seal's events, oldest first, each verified.
func (j *Journal) Events(ctx context.Context) ([]Event, error) {
	rows, err := j.db.QueryContext(ctx, `SELECT id, at, kind, detail, mac FROM journal_events ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("storage: events: %w", err)
	}
	defer rows.Close()
	var out []Event
	for rows.Next() {
		var id, at int64
		var kind, detail string
		var mac []byte
		if err := rows.Scan(&id, &at, &kind, &detail, &mac); err != nil {
			return nil, fmt.Errorf("storage: events: %w", err)
		}
		if !hmac.Equal(mac, j.seal.eventMAC(id, at, kind, detail)) {
			return nil, &ChainError{What: ChangedDocument, Seq: 0, Reason: fmt.Sprintf("journal event %d changed", id)}
		}
		out = append(out, Event{At: fromMillis(at), Kind: kind, Detail: detail})
	}
	return out, rows.Err()
}

// ownerOnly makes the journal file (created empty when missing, so that SQLite, which gives its
// WAL and shared-memory files the database's mode, creates them 0600 too) and any WAL and
// shared-memory file beside it readable and writable by the owner only.
func ownerOnly(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("storage: open %s: %w", path, err)
	}
	f.Close()
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		if err := os.Chmod(p, 0o600); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("storage: open %s: %w", path, err)
		}
	}
	return nil
}

// SaveStateWithEvent replaces the register state without a document and records why, in one
// transaction: a change of the state that no document explains (a clock correction) is always
// explained in the journal's events, sealed like the rest.
func (j *Journal) SaveStateWithEvent(ctx context.Context, s kkm.State, kind, detail string) error {
	content, err := json.Marshal(s)
	if err != nil {
		return fmt.Errorf("storage: encode state: %w", err)
	}
	return j.inTx(ctx, func(tx *Tx) error {
		if err := j.saveStateTx(ctx, tx, content, int64(s.Refusals)); err != nil {
			return err
		}
		return addEvent(ctx, tx, j.seal, kind, detail)
	})
}

// DeriveKey returns a 32-byte key for purpose, derived from the journal's seal key (an HMAC of
// the purpose under it): the app seals small secrets of its own with it (the owner's hub
// credential), so they open only beside this journal's key and never reveal the key itself.
func (j *Journal) DeriveKey(purpose string) []byte {
	return j.seal.mac([]byte("derived key"), []byte(purpose))
}
