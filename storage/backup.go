package storage

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"filippo.io/age"
	sqlite "modernc.org/sqlite"
)

// Backups.
//
// Backup writes a consistent copy of the journal while the app keeps working: SQLite's
// `VACUUM INTO` reads the database in one read transaction (so it sees one committed state, never
// half a Commit) and writes a compact file into a private folder, which is then checked (its whole
// seal verified) and encrypted with the owner's password into the backup file (filippo.io/age,
// an scrypt recipient, mode 0600). Inside the encryption are the journal's seal key and the
// journal: a backup restores on a new phone, and whoever lacks the password can neither read the
// sales in it nor change it.
//
// RestoreFrom decrypts a backup into a private folder and replaces this journal's content with
// it through SQLite's online backup API (the journal stays open; every connection sees the
// restored content), and takes the backup's seal key when it differs (a new phone), recording
// that. It refuses, and changes nothing, unless the password opens the file, the backup's seal
// holds, the backup is of this register (same system ID, RNM and serial number) or this journal
// has no register and no documents yet (a new phone), and the backup holds every document this
// journal holds (the journal's documents are the backup's first ones): a restore never loses a
// document. A plain journal file (a backup made before encryption) still restores: its old
// unkeyed chain is verified and sealed on the way, as Open does.
// The backup's refusals. Each value is its own message ID.
const (
	// ErrBackupOtherRegister: the backup is of another register than this journal's.
	ErrBackupOtherRegister ErrorCode = "err.backup.other_register"
	// ErrBackupOlder: the backup lacks documents this journal holds, or its documents differ.
	ErrBackupOlder ErrorCode = "err.backup.older"
	// ErrBackupUnreadable: the file is not a journal (or not one this app can read).
	ErrBackupUnreadable ErrorCode = "err.backup.unreadable"
	// ErrBackupWrongPassword: the password does not open the backup.
	ErrBackupWrongPassword ErrorCode = "err.backup.wrong_password"
	// ErrBackupPasswordShort: a backup's password must have at least MinBackupPassword characters.
	ErrBackupPasswordShort ErrorCode = "err.backup.password_short"
)

// MinBackupPassword is the shortest password a backup is encrypted with.
const MinBackupPassword = 8

// backupWorkFactor is the scrypt work factor of a backup's password (2^18: about a second on a
// phone, which is what makes guessing a short password slow).
const backupWorkFactor = 18

// BackupError says why a backup cannot be restored. It matches its Code with errors.Is (and a
// broken chain matches ErrChainBroken through Err).
type BackupError struct {
	Code   ErrorCode // ErrBackupOtherRegister, ErrBackupOlder, ErrBackupUnreadable or ErrChainBroken
	Path   string    // the backup file
	Reason string    // in English, for logs
	Err    error     // the cause, if any
}

// Error names the file and what is wrong with it.
func (e *BackupError) Error() string {
	s := fmt.Sprintf("storage: backup %s: %s", e.Path, e.Reason)
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// MessageID returns the code's message ID.
func (e *BackupError) MessageID() string { return string(e.Code) }

// Unwrap returns the code and the cause, so errors.Is sees both.
func (e *BackupError) Unwrap() []error {
	if e.Err != nil {
		return []error{e.Code, e.Err}
	}
	return []error{e.Code}
}

// BackupInfo describes a journal file: how many documents it holds and whose register it is.
type BackupInfo struct {
	Path       string
	Size       int64 // bytes
	Documents  int64 // the chain's head: documents 1..Documents, verified
	Registered bool  // settings with a system ID are saved
	SystemID   uint32
	RNM, ZNM   string
	HeadHash   []byte // the last document's hash (zero bytes for an empty journal)
}

// Backup writes a consistent copy of the journal, encrypted with password, to path (replacing a
// file there, mode 0600) and returns what it holds. The copy is verified before it is encrypted;
// on failure no file is left at path.
func (j *Journal) Backup(ctx context.Context, path, password string) (BackupInfo, error) {
	if len([]rune(password)) < MinBackupPassword {
		return BackupInfo{}, &BackupError{Code: ErrBackupPasswordShort, Path: path, Reason: "the password is too short"}
	}
	dir, err := os.MkdirTemp("", "ekassa-backup-*") // 0700: the plain copy is for this process only
	if err != nil {
		return BackupInfo{}, fmt.Errorf("storage: backup: %w", err)
	}
	defer os.RemoveAll(dir)
	plain := filepath.Join(dir, "journal.db")
	if _, err := j.db.ExecContext(ctx, `VACUUM INTO ?`, plain); err != nil {
		return BackupInfo{}, fmt.Errorf("storage: backup to %s: %w", path, err)
	}
	info, err := inspectPlain(ctx, plain, j.seal.key)
	if err != nil {
		return BackupInfo{}, fmt.Errorf("storage: backup to %s: the copy does not verify: %w", path, err)
	}
	if err := j.encryptBackup(plain, j.seal.key, path, password); err != nil {
		return BackupInfo{}, err
	}
	info.Path = path
	if fi, err := os.Stat(path); err == nil {
		info.Size = fi.Size()
	}
	return info, nil
}

// backupMagic starts the plaintext inside a backup's encryption, before the key and the journal.
const backupMagic = "EKASSA-BACKUP 1\n"

// encryptBackup writes magic, key and the journal file plain to path, encrypted with password.
func (j *Journal) encryptBackup(plain string, key []byte, path, password string) error {
	r, err := age.NewScryptRecipient(password)
	if err != nil {
		return fmt.Errorf("storage: backup: %w", err)
	}
	wf := j.scryptWork
	if wf == 0 {
		wf = backupWorkFactor
	}
	r.SetWorkFactor(wf)
	in, err := os.Open(plain)
	if err != nil {
		return fmt.Errorf("storage: backup: %w", err)
	}
	defer in.Close()
	out, err := os.CreateTemp(filepath.Dir(path), ".ekassa-backup-*")
	if err != nil {
		return fmt.Errorf("storage: backup: %w", err)
	}
	tmp := out.Name()
	defer os.Remove(tmp)
	fail := func(err error) error {
		out.Close()
		return fmt.Errorf("storage: backup to %s: %w", path, err)
	}
	if err := out.Chmod(0o600); err != nil {
		return fail(err)
	}
	w, err := age.Encrypt(out, r)
	if err != nil {
		return fail(err)
	}
	if _, err := io.WriteString(w, backupMagic); err != nil {
		return fail(err)
	}
	if _, err := w.Write(key); err != nil {
		return fail(err)
	}
	if _, err := io.Copy(w, in); err != nil {
		return fail(err)
	}
	if err := w.Close(); err != nil {
		return fail(err)
	}
	if err := out.Sync(); err != nil {
		return fail(err)
	}
	if err := out.Close(); err != nil {
		return fmt.Errorf("storage: backup to %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("storage: backup: %w", err)
	}
	return nil
}

// ageMagic starts every age-encrypted file.
const ageMagic = "age-encryption.org/v1\n"

// unpackBackup decrypts the backup at path with password into dir and returns the journal file
// there and the seal key that came with it. A plain journal file (made before backups were
// encrypted) is copied as it is, with a nil key.
func unpackBackup(path, password, dir string) (string, []byte, error) {
	dst := filepath.Join(dir, "journal.db")
	f, err := os.Open(path)
	if err != nil {
		return "", nil, &BackupError{Code: ErrBackupUnreadable, Path: path, Reason: "cannot read the file", Err: err}
	}
	defer f.Close()
	head := make([]byte, len(ageMagic))
	n, _ := io.ReadFull(f, head)
	head = head[:n]
	if bytes.HasPrefix(head, sqliteMagic) {
		if err := copyFile(path, dst); err != nil {
			return "", nil, &BackupError{Code: ErrBackupUnreadable, Path: path, Reason: "cannot copy the file", Err: err}
		}
		// A plain journal with its key file beside it (a recovery file): the key comes along.
		if key, err := readKeyFile(KeyFile(path)); err == nil {
			return dst, key, nil
		}
		return dst, nil, nil
	}
	if string(head) != ageMagic {
		return "", nil, &BackupError{Code: ErrBackupUnreadable, Path: path, Reason: "neither a backup nor a journal"}
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return "", nil, &BackupError{Code: ErrBackupUnreadable, Path: path, Reason: "cannot read the file", Err: err}
	}
	id, err := age.NewScryptIdentity(password)
	if err != nil {
		return "", nil, &BackupError{Code: ErrBackupWrongPassword, Path: path, Reason: "no password", Err: err}
	}
	r, err := age.Decrypt(f, id)
	if err != nil {
		var nm *age.NoIdentityMatchError
		if errors.As(err, &nm) {
			return "", nil, &BackupError{Code: ErrBackupWrongPassword, Path: path, Reason: "the password does not open it"}
		}
		return "", nil, &BackupError{Code: ErrBackupUnreadable, Path: path, Reason: "cannot decrypt", Err: err}
	}
	magic := make([]byte, len(backupMagic)+keySize)
	if _, err := io.ReadFull(r, magic); err != nil || string(magic[:len(backupMagic)]) != backupMagic {
		return "", nil, &BackupError{Code: ErrBackupUnreadable, Path: path, Reason: "not a backup of this app", Err: err}
	}
	key := magic[len(backupMagic):]
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return "", nil, fmt.Errorf("storage: unpack backup: %w", err)
	}
	if _, err := io.Copy(out, r); err != nil {
		out.Close()
		// A changed byte anywhere in the file fails age's authentication here.
		return "", nil, &BackupError{Code: ErrBackupUnreadable, Path: path, Reason: "damaged or changed", Err: err}
	}
	if err := out.Close(); err != nil {
		return "", nil, fmt.Errorf("storage: unpack backup: %w", err)
	}
	return dst, key, nil
}

// Inspect decrypts the backup at path with password into a private folder, verifies its whole
// seal and reads whose register it is. It does not change the file.
func Inspect(ctx context.Context, path, password string) (BackupInfo, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return BackupInfo{}, &BackupError{Code: ErrBackupUnreadable, Path: path, Reason: "cannot read the file", Err: err}
	}
	dir, err := os.MkdirTemp("", "ekassa-inspect-*")
	if err != nil {
		return BackupInfo{}, fmt.Errorf("storage: inspect: %w", err)
	}
	defer os.RemoveAll(dir)
	plain, key, err := unpackBackup(path, password, dir)
	if err != nil {
		return BackupInfo{}, err
	}
	info, err := inspectPlain(ctx, plain, key)
	if err != nil {
		var be *BackupError
		if errors.As(err, &be) {
			be.Path = path
		}
		return BackupInfo{}, err
	}
	info.Path, info.Size = path, fi.Size()
	return info, nil
}

// inspectPlain opens the plain journal at path with key (its own key file when nil), migrating
// it, verifies it whole and reads its identity.
func inspectPlain(ctx context.Context, path string, key []byte) (BackupInfo, error) {
	j, err := openKeyed(ctx, path, key)
	if err != nil {
		if errors.Is(err, ErrJournalTooNew) {
			return BackupInfo{}, err
		}
		if errors.Is(err, ErrChainBroken) {
			return BackupInfo{}, &BackupError{Code: ErrChainBroken, Path: path, Reason: "the seal does not hold", Err: err}
		}
		return BackupInfo{}, &BackupError{Code: ErrBackupUnreadable, Path: path, Reason: "not a journal", Err: err}
	}
	defer j.closeDB()
	return j.info(ctx)
}

// info verifies the whole journal and reads the register's identity.
func (j *Journal) info(ctx context.Context) (BackupInfo, error) {
	var info BackupInfo
	res, err := j.VerifyAll(ctx)
	if err != nil {
		return info, &BackupError{Code: ErrChainBroken, Path: j.path, Reason: "the seal does not hold", Err: err}
	}
	info.Documents = res.Last
	if err := j.db.QueryRowContext(ctx, `SELECT head_hash FROM chain WHERE id = 1`).Scan(&info.HeadHash); err != nil {
		return info, fmt.Errorf("storage: read chain head: %w", err)
	}
	s, ok, err := j.Settings(ctx)
	if err != nil {
		return info, &BackupError{Code: ErrBackupUnreadable, Path: j.path, Reason: "unreadable settings", Err: err}
	}
	info.Registered = ok && s.SystemID != 0
	info.SystemID, info.RNM = s.SystemID, s.Reg.RNM
	info.ZNM = s.SerialNumber
	if info.ZNM == "" {
		info.ZNM = s.Reg.ZNM
	}
	return info, nil
}

// Info verifies this journal whole and says whose register it is: the integrity check on demand.
func (j *Journal) Info(ctx context.Context) (BackupInfo, error) {
	info, err := j.info(ctx)
	info.Path = j.path
	return info, err
}

// checkRestore says whether the backup src (opened from a private copy at b.Path, described by
// b) may replace this journal (see the Backups comment above): nil, or a *BackupError.
func (j *Journal) checkRestore(ctx context.Context, src *Journal, b BackupInfo) error {
	cur, err := j.Info(ctx)
	if err != nil {
		return err
	}
	if cur.Registered || cur.Documents > 0 {
		if !b.Registered || b.SystemID != cur.SystemID || b.RNM != cur.RNM || (cur.ZNM != "" && b.ZNM != cur.ZNM) {
			return &BackupError{Code: ErrBackupOtherRegister, Path: b.Path,
				Reason: fmt.Sprintf("register %d (RNM %s, ZNM %s), this device's is %d (RNM %s, ZNM %s)",
					b.SystemID, b.RNM, b.ZNM, cur.SystemID, cur.RNM, cur.ZNM)}
		}
	}
	if b.Documents < cur.Documents {
		return &BackupError{Code: ErrBackupOlder, Path: b.Path,
			Reason: fmt.Sprintf("it holds %d documents, the journal %d", b.Documents, cur.Documents)}
	}
	if cur.Documents == 0 {
		return nil
	}
	// The journal's documents must be the backup's first ones. Under one key the sealed hash of
	// the journal's last row says so (it chains every row before); under two keys, the rows
	// themselves are compared through an unkeyed digest of both.
	var same bool
	if bytes.Equal(src.seal.key, j.seal.key) {
		var h []byte
		err := src.db.QueryRowContext(ctx, `SELECT hash FROM documents WHERE seq = ?`, cur.Documents).Scan(&h)
		same = err == nil && bytes.Equal(h, cur.HeadHash)
	} else {
		mine, err1 := contentDigest(ctx, j.db, cur.Documents)
		theirs, err2 := contentDigest(ctx, src.db, cur.Documents)
		same = err1 == nil && err2 == nil && bytes.Equal(mine, theirs)
	}
	if !same {
		return &BackupError{Code: ErrBackupOlder, Path: b.Path,
			Reason: fmt.Sprintf("its documents 1..%d differ from the journal's", cur.Documents)}
	}
	return nil
}

// contentDigest is the unkeyed chain hash over documents 1..upTo as they are, whatever their
// stored hashes: equal digests mean equal rows.
func contentDigest(ctx context.Context, q querier, upTo int64) ([]byte, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+chainColumns+` FROM documents WHERE seq <= ? ORDER BY seq`, upTo)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	hs := newChainHasher(nil)
	prev := make([]byte, hashSize)
	for rows.Next() {
		r, _, _, err := scanChainRow(rows)
		if err != nil {
			return nil, err
		}
		prev = hs.rowHash(prev, r)
	}
	return prev, rows.Err()
}

// RestoreFrom replaces this journal's content with the backup at path, decrypted with password,
// when the checks above allow it, and returns what the journal now holds. Nothing may write to
// the journal meanwhile (the app stops its sender first). The backup file itself is not changed.
func (j *Journal) RestoreFrom(ctx context.Context, path, password string) (BackupInfo, error) {
	defer j.catalogue.reset() // the backup's catalogue replaces this one's: read it again
	// A private folder beside the journal (same file system, owner only).
	dir, err := os.MkdirTemp(filepath.Dir(j.path), ".ekassa-restore-*")
	if err != nil {
		return BackupInfo{}, fmt.Errorf("storage: restore: %w", err)
	}
	defer os.RemoveAll(dir)
	cp, key, err := unpackBackup(path, password, dir)
	if err != nil {
		return BackupInfo{}, err
	}
	return j.restorePlain(ctx, cp, key, path, "a backup")
}

// restorePlain replaces this journal's content with the plain journal file cp, sealed with key
// (nil: a legacy backup's own), when the checks allow it; path names where it came from in
// messages and source in the seal's event ("a backup", "the owner's hub").
func (j *Journal) restorePlain(ctx context.Context, cp string, key []byte, path, source string) (BackupInfo, error) {
	if key == nil {
		if err := checkHeader(cp); err != nil {
			return BackupInfo{}, err
		}
	}
	src, err := openKeyed(ctx, cp, key)
	if key == nil && errors.Is(err, ErrKeyMissing) {
		// A plain copy of a sealed journal: this device's own, if anyone's.
		src, err = openKeyed(ctx, cp, j.seal.key)
	}
	if err != nil {
		if errors.Is(err, ErrChainBroken) {
			return BackupInfo{}, &BackupError{Code: ErrChainBroken, Path: path, Reason: "the seal does not hold", Err: err}
		}
		return BackupInfo{}, &BackupError{Code: ErrBackupUnreadable, Path: path, Reason: "not a journal", Err: err}
	}
	srcKey := src.seal.key
	info, err := src.info(ctx)
	if err == nil {
		err = j.checkRestore(ctx, src, BackupInfo{Path: path, Documents: info.Documents, Registered: info.Registered,
			SystemID: info.SystemID, RNM: info.RNM, ZNM: info.ZNM, HeadHash: info.HeadHash})
	}
	if err == nil {
		err = src.Close() // checkpoint: the whole content in the main file, which the restore reads
	} else {
		src.closeDB()
	}
	if err != nil {
		var be *BackupError
		if errors.As(err, &be) {
			be.Path = path
		}
		return BackupInfo{}, err
	}
	info.Path = path

	conn, err := j.db.Conn(ctx)
	if err != nil {
		return BackupInfo{}, fmt.Errorf("storage: restore: %w", err)
	}
	defer conn.Close()
	j.writeMu.Lock()
	// The restore writes past inTx: what the journal knew of a draining backlog (the head, its
	// request, the link) is the old files', and the next answer must read the backup's.
	j.ans.forget()
	j.committed.drop(-1) // the fold reads the backup's documents (fold_memory.go)
	err = conn.Raw(func(dc any) error {
		r, ok := dc.(interface {
			NewRestore(string) (*sqlite.Backup, error)
		})
		if !ok {
			return fmt.Errorf("the SQLite driver (%T) has no backup API", dc)
		}
		b, err := r.NewRestore(cp)
		if err != nil {
			return err
		}
		for more := true; more; {
			if more, err = b.Step(-1); err != nil {
				return errors.Join(err, b.Finish())
			}
		}
		return b.Finish()
	})
	// The files hold the backup now, written by this process; what it committed before is gone
	// from them by the cashier's choice.
	if j.id != nil {
		j.id.dbWritten = true
	}
	err = errors.Join(err, j.remark())
	j.sess.reset(info.Documents, info.HeadHash)
	j.writeMu.Unlock()
	if err != nil {
		return BackupInfo{}, fmt.Errorf("storage: restore from %s: %w", path, err)
	}
	if !bytes.Equal(srcKey, j.seal.key) {
		// The journal is now sealed with the backup's key: it becomes this journal's key file.
		if err := writeKeyFile(KeyFile(j.path), srcKey); err != nil {
			return BackupInfo{}, fmt.Errorf("storage: restore from %s: %w", path, err)
		}
		j.seal = sealer{key: srcKey}
		if err := j.inTx(ctx, func(tx *Tx) error {
			return addEvent(ctx, tx, j.seal, "adopt-key", fmt.Sprintf("restored %d documents from %s sealed with key %s",
				info.Documents, source, hex.EncodeToString(keyID(srcKey))))
		}); err != nil {
			return BackupInfo{}, err
		}
	}
	// What the journal now holds, verified in place.
	got, err := j.Info(ctx)
	if err != nil {
		return BackupInfo{}, fmt.Errorf("storage: restore from %s: %w", path, err)
	}
	if got.Documents != info.Documents || !bytes.Equal(got.HeadHash, info.HeadHash) {
		return BackupInfo{}, fmt.Errorf("storage: restore from %s: the journal holds %d documents, the backup %d",
			path, got.Documents, info.Documents)
	}
	got.Path = j.path
	j.commitMu.Lock()
	j.head = chainHead{seq: got.Documents, hash: got.HeadHash}
	j.commitMu.Unlock()
	return got, nil
}

// sqliteMagic is the first 16 bytes of every SQLite database file.
var sqliteMagic = []byte("SQLite format 3\x00")

// checkHeader refuses a file that is not an SQLite database before SQLite is given it.
func checkHeader(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return &BackupError{Code: ErrBackupUnreadable, Path: path, Reason: "cannot read the file", Err: err}
	}
	defer f.Close()
	head := make([]byte, len(sqliteMagic))
	if _, err := io.ReadFull(f, head); err != nil || !bytes.Equal(head, sqliteMagic) {
		return &BackupError{Code: ErrBackupUnreadable, Path: path, Reason: "not an SQLite database"}
	}
	return nil
}

// copyFile copies src to dst (created or truncated) and syncs it.
func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// syncFile flushes a file to stable storage.
func syncFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return fmt.Errorf("storage: backup: %w", err)
	}
	defer f.Close()
	if err := f.Sync(); err != nil {
		return fmt.Errorf("storage: backup: %w", err)
	}
	return nil
}
