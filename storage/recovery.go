package storage

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/ekassa-go/ekassa/kkm"
)

// The recovery file of a journal written over in place (identity.go), from what the process
// itself knows.
//
// When another program wrote over the journal's files, SQLite's view of them (its cache, its WAL,
// and the rest read from the file now there) can no longer be trusted to hold what the process
// committed. So the process keeps, from Open on, its own record of every fiscal fact it
// committed (session): each document row with its chain hash, each request identity given, each
// OFD answer and refusal stored, the last register state and the last OFD link. It is memory
// only, a few hundred bytes a document, and costs no statement.
//
// The recovery file is then, in this order of preference:
//
//  1. SQLite's view written out (VACUUM INTO), if it verifies whole (every seal) and ends at the
//     chain head this process left with every OFD answer this process stored: then nothing was
//     lost from it.
//  2. Otherwise the journal now at the path (the older copy: its database file, and its WAL
//     when both were copied over together), verified whole, carried forward to this process's
//     head: the documents after its head are appended with their outbox entries, request
//     identities, OFD answers and refusals (those committed since Open from the process's own
//     record; older ones, between the copy's head and the head at Open, read back through SQLite
//     and accepted only when their chain hashes lead exactly to the head at Open and their
//     answers' seals hold), answers this process stored for its older documents are added, and
//     the register state (the process's last, or the one SQLite serves when its seal binds it to
//     the head) and the OFD link are the process's. The result verifies whole like a backup.
//  3. If neither can be made, `<recovery>.session.json`: the documents committed since Open, with
//     their chain hashes, requests, answers and refusals, the last state and link, so that none
//     is lost; support puts them back.
//
// What 2 cannot carry forward: settings, cashiers and catalogue changes made after the copy (the
// copy's are kept), and the amendments a refusal made to waiting documents behind it (the
// refusal itself is carried).

// trustView is false only in tests that prove the second way on its own: SQLite's view of a file
// written over depends on what its caches hold at that moment.
var trustView = true

// session is what the process committed since Open (or since the last restore).
type session struct {
	openSeq  int64
	openHash []byte
	docs     []sessionDoc // in seq order, from openSeq+1
	answers  map[int64]FiscalResult
	requests map[int64]Request
	refusals map[int64]Refusal
	state    []byte // the last register state written, nil when none since Open
	refused  int64  // its Refusals count
	link     *LinkState

	linkDirty bool // in a pending transaction: the link's row was written
	stamped   bool // in a pending transaction: the chain row was stamped already (setChainHead)
}

// sessionDoc is one document row as committed.
type sessionDoc struct {
	row        chainRow
	prev, hash []byte
}

// reset starts a session at the head seq, hash.
func (s *session) reset(seq int64, hash []byte) {
	*s = session{openSeq: seq, openHash: hash}
}

// head is the chain head of the session's last document.
func (s *session) head() (int64, []byte) {
	if n := len(s.docs); n > 0 {
		return s.docs[n-1].row.seq, s.docs[n-1].hash
	}
	return s.openSeq, s.openHash
}

// sessionKeep is how many documents the session keeps whole in memory (~1.5 kB each). A quarter
// more past it, the oldest are let go and the session starts after them, as if the app had opened there: their rows
// are then read back through SQLite, accepted only when their chain leads to the session's start
// (readBack), like the documents before Open. So a register that runs for weeks holds a few
// megabytes, not its whole history.
var sessionKeep = 10_000

// merge adds the facts of a committed transaction.
func (s *session) merge(p *session) {
	s.docs = append(s.docs, p.docs...)
	// Let go in steps of a quarter, not one document a commit: a step copies the kept documents
	// and walks the maps, which done on every commit past sessionKeep took a third of a sale's
	// CPU (BenchmarkCommitOverBareInsert with 20 000 receipts).
	if n := len(s.docs) - sessionKeep; n > sessionKeep/4 {
		last := s.docs[n-1]
		s.openSeq, s.openHash = last.row.seq, last.hash
		s.docs = append([]sessionDoc(nil), s.docs[n:]...)
		for seq := range s.answers {
			if seq <= s.openSeq {
				delete(s.answers, seq)
			}
		}
		for seq := range s.requests {
			if seq <= s.openSeq {
				delete(s.requests, seq)
			}
		}
		for seq := range s.refusals {
			if seq <= s.openSeq {
				delete(s.refusals, seq)
			}
		}
	}
	for k, v := range p.answers {
		if s.answers == nil {
			s.answers = map[int64]FiscalResult{}
		}
		s.answers[k] = v
	}
	for k, v := range p.requests {
		if s.requests == nil {
			s.requests = map[int64]Request{}
		}
		s.requests[k] = v
	}
	for k, v := range p.refusals {
		if s.refusals == nil {
			s.refusals = map[int64]Refusal{}
		}
		s.refusals[k] = v
	}
	if p.state != nil {
		s.state, s.refused = p.state, p.refused
	}
	if p.link != nil {
		s.link = p.link
	}
}

// The notes of the pending transaction (inTx resets them; they count only once it commits).
func (j *Journal) noteDoc(r chainRow, prev, hash []byte) {
	j.pend.docs = append(j.pend.docs, sessionDoc{row: r, prev: prev, hash: hash})
}

func (j *Journal) noteState(content []byte, refusals int64) {
	j.pend.state, j.pend.refused = content, refusals
}

func (j *Journal) noteAnswer(seq int64, r FiscalResult) {
	if j.pend.answers == nil {
		j.pend.answers = map[int64]FiscalResult{}
	}
	j.pend.answers[seq] = r
}

func (j *Journal) noteRequest(seq int64, r Request) {
	if j.pend.requests == nil {
		j.pend.requests = map[int64]Request{}
	}
	j.pend.requests[seq] = r
}

func (j *Journal) noteRefusal(seq int64, r Refusal) {
	if j.pend.refusals == nil {
		j.pend.refusals = map[int64]Refusal{}
	}
	j.pend.refusals[seq] = r
}

func (j *Journal) noteLink() { j.pend.linkDirty = true }

// overwrittenFault latches ErrJournalGone for a journal written over in place, writing the
// recovery file first (once). pair says both the database file and its WAL were written over
// (then the WAL at the path belongs to the copy).
func (j *Journal) overwrittenFault(ctx context.Context, reason string, pair bool) error {
	j.recoverMu.Lock()
	defer j.recoverMu.Unlock()
	if f := j.faults.get(); f != nil {
		return f
	}
	f := &FaultError{Code: ErrJournalGone, Path: j.path, Reason: reason}
	j.keepAsFound(pair)
	rec, holds, err := j.recoverOverwritten(ctx, pair)
	if err != nil {
		f.Reason += fmt.Sprintf(" (and no recovery file could be written: %v)", err)
	} else {
		f.Reason += "; the recovery file holds " + holds
	}
	f.Recovery = rec
	return j.faults.set(f)
}

// asFound is the files at the path as another program left them, copied when the journal found
// them written over, so that Close can put them back after SQLite has let go: SQLite copies its
// WAL into the database file when it closes, which would mix this process's pages into the copy.
type asFound struct {
	db, wal string // wal is "" when the WAL at the path does not belong with the database file
}

// keepAsFound copies the files at the path aside (best effort: without it, Close leaves what
// SQLite makes of them, which the next start finds damaged or changed).
func (j *Journal) keepAsFound(pair bool) {
	stamp := time.Now().UTC().Format("20060102T150405.000")
	a := &asFound{db: fmt.Sprintf("%s.as-found-%s", j.path, stamp)}
	if copyFile(j.path, a.db) != nil {
		os.Remove(a.db)
		return
	}
	if pair {
		a.wal = a.db + "-wal"
		if copyFile(j.path+"-wal", a.wal) != nil {
			os.Remove(a.db)
			os.Remove(a.wal)
			return
		}
	}
	j.found = a
}

// putBackAsFound puts the files kept by keepAsFound back at the path once SQLite has closed. A
// WAL at the path that does not belong with them (this process's, or one written over alone) is
// kept beside it, renamed `journal.db-wal.set-aside-<time>`.
func (j *Journal) putBackAsFound() error {
	a := j.found
	if a == nil {
		return nil
	}
	j.found = nil
	var errs []error
	if a.wal == "" {
		if _, err := os.Stat(j.path + "-wal"); err == nil {
			aside := fmt.Sprintf("%s-wal.set-aside-%s", j.path, time.Now().UTC().Format("20060102T150405.000"))
			errs = append(errs, os.Rename(j.path+"-wal", aside))
		}
	} else {
		errs = append(errs, os.Rename(a.wal, j.path+"-wal"))
	}
	if err := os.Remove(j.path + "-shm"); err != nil && !os.IsNotExist(err) {
		errs = append(errs, err)
	}
	errs = append(errs, os.Rename(a.db, j.path))
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("storage: put the journal back as found: %w", err)
	}
	return nil
}

// recoverOverwritten writes the recovery file (the three ways above) and says what it holds.
func (j *Journal) recoverOverwritten(ctx context.Context, pair bool) (string, string, error) {
	headSeq, headHash := j.sess.head()
	name := fmt.Sprintf("%s.recovered-%s.db", filepath.Base(j.path), time.Now().UTC().Format("20060102T150405.000"))
	p := filepath.Join(filepath.Dir(j.path), name)
	var errs []error

	// 1. SQLite's view, if it is whole.
	if !trustView {
		errs = append(errs, errors.New("SQLite's view: not tried (test)"))
	} else if _, err := j.view().ExecContext(ctx, `VACUUM INTO ?`, p); err == nil {
		err = j.sealedRecovery(ctx, p, headSeq, headHash)
		if err == nil {
			return p, fmt.Sprintf("the journal as SQLite still served it, verified whole: %d documents", headSeq), nil
		}
		errs = append(errs, fmt.Errorf("SQLite's view: %w", err))
	} else {
		errs = append(errs, fmt.Errorf("SQLite's view: %w", err))
	}
	os.Remove(p)

	// 2. The copy at the path, carried forward.
	from, err := j.carryForward(ctx, p, pair)
	if err == nil {
		if err = j.sealedRecovery(ctx, p, headSeq, headHash); err == nil {
			return p, fmt.Sprintf("the copy found at the path (%d documents) with documents %d to %d and the OFD's answers "+
				"this app held appended: %d documents", from, from+1, headSeq, headSeq), nil
		}
	}
	errs = append(errs, fmt.Errorf("the copy carried forward: %w", err))
	os.Remove(p)

	// 3. The process's own record.
	sp := p + ".session.json"
	if err := j.writeSession(sp); err != nil {
		errs = append(errs, err)
		return "", "", errors.Join(errs...)
	}
	return sp, fmt.Sprintf("documents %d to %d committed since the app opened, with the OFD's answers, as JSON (%v)",
		j.sess.openSeq+1, headSeq, errors.Join(errs...)), nil
}

// sealedRecovery makes p a recovery file: owner only, the seal key beside it, and it verifies
// whole, ending at headSeq/headHash with every answer this process stored.
func (j *Journal) sealedRecovery(ctx context.Context, p string, headSeq int64, headHash []byte) error {
	if err := syncFile(p); err != nil {
		return err
	}
	if err := os.Chmod(p, 0o600); err != nil {
		return err
	}
	if err := writeKeyFile(KeyFile(p), j.seal.key); err != nil {
		return err
	}
	info, err := inspectPlain(ctx, p, j.seal.key)
	if err != nil {
		return err
	}
	if info.Documents != headSeq || !bytes.Equal(info.HeadHash, headHash) {
		return fmt.Errorf("it ends at document %d, this app committed up to %d", info.Documents, headSeq)
	}
	db, err := sql.Open("sqlite", p+"?mode=ro")
	if err != nil {
		return err
	}
	defer db.Close()
	for seq, a := range j.sess.answers {
		var sign sql.NullString
		if err := db.QueryRowContext(ctx, `SELECT fiscal_sign FROM fiscal_results WHERE seq = ?`, seq).Scan(&sign); err != nil {
			return fmt.Errorf("the OFD's answer to document %d: %w", seq, err)
		}
		if sign.String != a.Sign {
			return fmt.Errorf("the OFD's answer to document %d is not the one stored", seq)
		}
	}
	return nil
}

// carryForward writes the copy at the path, carried forward to this process's head, to p, and
// returns the copy's head.
func (j *Journal) carryForward(ctx context.Context, p string, pair bool) (int64, error) {
	dir, err := os.MkdirTemp(filepath.Dir(j.path), ".ekassa-recover-*")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(dir)
	base := filepath.Join(dir, "journal.db")
	open := func(withWAL bool) (*Journal, BackupInfo, error) {
		for _, s := range []string{"", "-wal", "-shm"} {
			os.Remove(base + s)
		}
		if err := copyFile(j.path, base); err != nil {
			return nil, BackupInfo{}, err
		}
		if withWAL {
			if err := copyFile(j.path+"-wal", base+"-wal"); err != nil && !os.IsNotExist(err) {
				return nil, BackupInfo{}, err
			}
		}
		b, err := openKeyed(ctx, base, j.seal.key)
		if err != nil {
			return nil, BackupInfo{}, err
		}
		info, err := b.info(ctx)
		if err != nil {
			b.closeDB()
			return nil, BackupInfo{}, err
		}
		return b, info, nil
	}
	// A database file and its WAL written over together are one copy; a WAL that is this
	// process's (only the database was written over) or alone written over does not belong to
	// the database file at the path.
	b, info, err := open(pair)
	if err != nil && pair {
		b, info, err = open(false)
	}
	if err != nil {
		return 0, fmt.Errorf("the copy at the path: %w", err)
	}
	if err := b.extend(ctx, j, info); err != nil {
		b.closeDB()
		return info.Documents, err
	}
	if err := b.Close(); err != nil {
		return info.Documents, err
	}
	if err := os.Rename(base, p); err != nil {
		return info.Documents, err
	}
	return info.Documents, nil
}

// extend appends to b (the copy, verified, holding info) what src (the live journal) committed
// after b's head, and src's answers, state and link.
func (b *Journal) extend(ctx context.Context, src *Journal, info BackupInfo) error {
	s := &src.sess
	headSeq, headHash := s.head()
	from := info.Documents
	if from > headSeq {
		return fmt.Errorf("the copy holds %d documents, more than the %d this app committed", from, headSeq)
	}
	var rows []sessionDoc
	answers := map[int64]FiscalResult{}
	requests := map[int64]Request{}
	refusals := map[int64]Refusal{}
	if from < s.openSeq {
		var err error
		if rows, err = src.readBack(ctx, from, info.HeadHash, answers, requests, refusals); err != nil {
			return err
		}
	} else {
		at := s.openHash
		if from > s.openSeq {
			at = s.docs[from-s.openSeq-1].hash
		}
		if !bytes.Equal(at, info.HeadHash) {
			return fmt.Errorf("the copy's document %d is not this journal's", from)
		}
	}
	for _, d := range s.docs {
		if d.row.seq > from {
			rows = append(rows, d)
		}
	}
	for k, v := range s.answers {
		answers[k] = v
	}
	for k, v := range s.requests {
		requests[k] = v
	}
	for k, v := range s.refusals {
		refusals[k] = v
	}
	state, refused := s.state, s.refused
	if state == nil && headSeq > from {
		// No state written since Open, but documents to append: the state SQLite serves, if
		// its seal binds it to the head.
		var mac []byte
		if err := src.db.QueryRowContext(ctx, `SELECT content, refusals, mac FROM register_state WHERE id = 1`).
			Scan(&state, &refused, &mac); err != nil {
			return fmt.Errorf("the register state: %w", err)
		}
		if !bytes.Equal(mac, src.seal.stateMAC(headSeq, headHash, state)) {
			return errors.New("the register state SQLite serves is not sealed to the head")
		}
	}
	link := s.link
	if link == nil {
		if l, err := src.LinkState(ctx); err == nil {
			link = &l
		}
	}
	return b.inTx(ctx, func(tx *Tx) error {
		for _, d := range rows {
			r := d.row
			if _, err := tx.StmtContext(ctx, b.st.insertDocument).ExecContext(ctx,
				r.seq, r.kind, r.shiftNumber, r.number, r.issuedAt, r.total, r.offline,
				nullIfZero(int64(r.offlineNumber)), nullIfZero(r.parentSeq), nullIfEmpty(r.parentNumber),
				r.content, d.prev, d.hash); err != nil {
				return fmt.Errorf("document %d: %w", r.seq, err)
			}
			// The analytics aggregates fold them in later (analytics_fold.go).
			if kkm.DocumentKind(r.kind).Fiscal() {
				if _, err := tx.StmtContext(ctx, b.st.insertOutbox).ExecContext(ctx, r.seq, r.issuedAt, nil, nil); err != nil {
					return fmt.Errorf("outbox %d: %w", r.seq, err)
				}
			}
		}
		// The requests, answers and refusals, for the appended documents and the copy's own.
		for seq, q := range requests {
			if _, err := b.storeRequest(ctx, tx, seq, q); err != nil {
				return err
			}
		}
		for seq, a := range answers {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM fiscal_results WHERE seq = ?`, seq).Scan(&n); err != nil {
				return err
			}
			if n == 0 {
				if err := b.complete(ctx, tx, seq, a); err != nil {
					return err
				}
			}
		}
		for seq, r := range refusals {
			at := toMillis(r.At)
			if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO refusals (seq, code, text, refused_at, mac) VALUES (?, ?, ?, ?, ?)`,
				seq, int64(r.Code), r.Text, at, b.seal.refusalMAC(seq, int64(r.Code), r.Text, at)); err != nil {
				return fmt.Errorf("refusal %d: %w", seq, err)
			}
			if _, err := tx.StmtContext(ctx, b.st.markDone).ExecContext(ctx, at, seq); err != nil {
				return err
			}
		}
		b.pend.stamped = true
		// The head alone (Commit's setChainHead writes the state with it; here the state may stay).
		if _, err := tx.ExecContext(ctx, `UPDATE chain SET head_seq = ?, head_hash = ?, writes = writes + 1, opener = ?
			WHERE id = 1`, headSeq, headHash, b.nonce()); err != nil {
			return err
		}
		if state != nil {
			if _, err := tx.StmtContext(ctx, b.st.saveState).ExecContext(ctx, state, refused, b.seal.stateMAC(headSeq, headHash, state)); err != nil {
				return err
			}
		}
		if link != nil {
			return writeLink(ctx, tx, *link)
		}
		return nil
	})
}

// readBack reads documents from+1 to the head at Open through SQLite, accepting them only when
// their chain leads from the copy's head hash exactly to the head at Open, with their request
// identities and the OFD's answers and refusals whose seals hold.
func (j *Journal) readBack(ctx context.Context, from int64, fromHash []byte, answers map[int64]FiscalResult,
	requests map[int64]Request, refusals map[int64]Refusal) ([]sessionDoc, error) {
	to := j.sess.openSeq
	rows, err := j.view().QueryContext(ctx, `SELECT `+chainColumns+` FROM documents WHERE seq > ? AND seq <= ? ORDER BY seq`, from, to)
	if err != nil {
		return nil, fmt.Errorf("documents %d to %d: %w", from+1, to, err)
	}
	defer rows.Close()
	hs := newChainHasher(j.seal.key)
	prev := fromHash
	var out []sessionDoc
	for rows.Next() {
		r, storedPrev, stored, err := scanChainRow(rows)
		if err != nil {
			return nil, fmt.Errorf("documents %d to %d: %w", from+1, to, err)
		}
		if r.seq != from+int64(len(out))+1 || !bytes.Equal(storedPrev, prev) || !bytes.Equal(stored, hs.rowHash(prev, r)) {
			return nil, fmt.Errorf("document %d as SQLite serves it is not the one committed", r.seq)
		}
		out = append(out, sessionDoc{row: r, prev: prev, hash: stored})
		prev = stored
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("documents %d to %d: %w", from+1, to, err)
	}
	if int64(len(out)) != to-from || !bytes.Equal(prev, j.sess.openHash) {
		return nil, fmt.Errorf("documents %d to %d could not be read back whole", from+1, to)
	}
	// Their answers, requests and refusals, where SQLite still has them and their seals hold.
	fr, err := j.view().QueryContext(ctx, `SELECT seq, fiscal_sign, qr_link, answered_at, mac FROM fiscal_results WHERE seq > ? AND seq <= ?`, from, to)
	if err == nil {
		for fr.Next() {
			var seq, at int64
			var sign sql.NullString
			var link string
			var mac []byte
			if fr.Scan(&seq, &sign, &link, &at, &mac) == nil && bytes.Equal(mac, j.seal.fiscalMAC(seq, sign, link, at)) {
				answers[seq] = FiscalResult{Sign: sign.String, QRLink: link, At: fromMillis(at)}
			}
		}
		fr.Close()
	}
	rq, err := j.view().QueryContext(ctx, `SELECT seq, token, reqnum, offline_begin FROM outbox WHERE seq > ? AND seq <= ? AND token IS NOT NULL`, from, to)
	if err == nil {
		for rq.Next() {
			var seq, token, reqnum int64
			var begin sql.NullInt64
			if rq.Scan(&seq, &token, &reqnum, &begin) == nil {
				q := Request{Token: uint32(token), Reqnum: uint16(reqnum)}
				if begin.Valid {
					q.OfflineBegin = fromMillis(begin.Int64)
				}
				requests[seq] = q
			}
		}
		rq.Close()
	}
	rf, err := j.view().QueryContext(ctx, `SELECT seq, code, text, refused_at, mac FROM refusals WHERE seq > ? AND seq <= ?`, from, to)
	if err == nil {
		for rf.Next() {
			var seq, code, at int64
			var text string
			var mac []byte
			if rf.Scan(&seq, &code, &text, &at, &mac) == nil && bytes.Equal(mac, j.seal.refusalMAC(seq, code, text, at)) {
				refusals[seq] = Refusal{Code: uint32(code), Text: text, At: fromMillis(at)}
			}
		}
		rf.Close()
	}
	return out, nil
}

// sessionFile is the JSON of the last way out.
type sessionFile struct {
	Journal   string                 `json:"journal"`
	OpenSeq   int64                  `json:"open_seq"`
	OpenHash  []byte                 `json:"open_hash"`
	Documents []sessionFileDoc       `json:"documents"`
	Answers   map[int64]FiscalResult `json:"answers,omitempty"`
	Requests  map[int64]Request      `json:"requests,omitempty"`
	Refusals  map[int64]Refusal      `json:"refusals,omitempty"`
	State     json.RawMessage        `json:"state,omitempty"`
	Link      *LinkState             `json:"link,omitempty"`
}

type sessionFileDoc struct {
	Seq       int64           `json:"seq"`
	ParentSeq int64           `json:"parent_seq,omitempty"`
	Prev      []byte          `json:"prev_hash"`
	Hash      []byte          `json:"hash"`
	Document  json.RawMessage `json:"document"`
}

// writeSession writes the session's record to p (0600, synced).
func (j *Journal) writeSession(p string) error {
	s := &j.sess
	f := sessionFile{Journal: j.path, OpenSeq: s.openSeq, OpenHash: s.openHash, Answers: s.answers,
		Requests: s.requests, Refusals: s.refusals, State: s.state, Link: s.link}
	for _, d := range s.docs {
		f.Documents = append(f.Documents, sessionFileDoc{Seq: d.row.seq, ParentSeq: d.row.parentSeq, Prev: d.prev,
			Hash: d.hash, Document: d.row.content})
	}
	b, err := json.MarshalIndent(f, "", " ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(p, b, 0o600); err != nil {
		return err
	}
	return syncFile(p)
}
