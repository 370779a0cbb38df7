package storage

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	sqlite "modernc.org/sqlite"
)

// Backups.
//
// Backup writes a consistent copy of the journal while the app keeps working: SQLite's
// `VACUUM INTO` reads the database in one read transaction (so it sees one committed state, never
// half a Commit) and writes a compact file, which is then checked (its hash chain verified) before
// it is renamed into place. The file is an ordinary journal: it can be shared, opened, restored.
//
// RestoreFrom replaces this journal's content with a backup's, through SQLite's online backup API
// (the journal stays open; every connection sees the restored content). It refuses, and changes
// nothing, unless the backup's hash chain holds, the backup is of this register (same system ID,
// RNM and serial number) or this journal has no register and no documents yet (a new phone), and
// the backup holds every document this journal holds (the journal's chain is a prefix of the
// backup's): a restore never loses a document.

// The backup's refusals. Each value is its own message ID.
const (
	// ErrBackupOtherRegister: the backup is of another register than this journal's.
	ErrBackupOtherRegister ErrorCode = "err.backup.other_register"
	// ErrBackupOlder: the backup lacks documents this journal holds, or its documents differ.
	ErrBackupOlder ErrorCode = "err.backup.older"
	// ErrBackupUnreadable: the file is not a journal (or not one this app can read).
	ErrBackupUnreadable ErrorCode = "err.backup.unreadable"
)

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

// Backup writes a consistent copy of the journal to path (replacing a file there) and returns
// what it holds. The copy is verified before it takes the name path; on failure no file is left
// at path.
func (j *Journal) Backup(ctx context.Context, path string) (BackupInfo, error) {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, ".ekassa-backup-*.db")
	if err != nil {
		return BackupInfo{}, fmt.Errorf("storage: backup: %w", err)
	}
	tmpPath := tmp.Name()
	tmp.Close()
	// VACUUM INTO wants a file that does not exist (or is empty); the name was only reserved.
	os.Remove(tmpPath)
	defer os.Remove(tmpPath)
	if _, err := j.db.ExecContext(ctx, `VACUUM INTO ?`, tmpPath); err != nil {
		return BackupInfo{}, fmt.Errorf("storage: backup to %s: %w", path, err)
	}
	info, err := Inspect(ctx, tmpPath)
	if err != nil {
		return BackupInfo{}, fmt.Errorf("storage: backup to %s: the copy does not verify: %w", path, err)
	}
	if err := syncFile(tmpPath); err != nil {
		return BackupInfo{}, err
	}
	if err := os.Rename(tmpPath, path); err != nil {
		return BackupInfo{}, fmt.Errorf("storage: backup: %w", err)
	}
	info.Path = path
	return info, nil
}

// Inspect opens a journal file (a backup) on its own, verifies its whole hash chain and reads
// whose register it is. It does not change the file: a backup of an older schema is checked on a
// private copy, migrated there.
func Inspect(ctx context.Context, path string) (BackupInfo, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return BackupInfo{}, &BackupError{Code: ErrBackupUnreadable, Path: path, Reason: "cannot read the file", Err: err}
	}
	if err := checkHeader(path); err != nil {
		return BackupInfo{}, err
	}
	dir, err := os.MkdirTemp("", "ekassa-inspect-*")
	if err != nil {
		return BackupInfo{}, fmt.Errorf("storage: inspect: %w", err)
	}
	defer os.RemoveAll(dir)
	cp := filepath.Join(dir, "journal.db")
	if err := copyFile(path, cp); err != nil {
		return BackupInfo{}, &BackupError{Code: ErrBackupUnreadable, Path: path, Reason: "cannot copy the file", Err: err}
	}
	info, err := inspectOpen(ctx, cp)
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

// inspectOpen opens the journal at path (migrating it), verifies it and reads its identity.
func inspectOpen(ctx context.Context, path string) (BackupInfo, error) {
	j, err := Open(ctx, path)
	if err != nil {
		if errors.Is(err, ErrJournalTooNew) {
			return BackupInfo{}, err
		}
		return BackupInfo{}, &BackupError{Code: ErrBackupUnreadable, Path: path, Reason: "not a journal", Err: err}
	}
	defer j.closeDB()
	return j.info(ctx)
}

// info verifies the whole chain and reads the register's identity.
func (j *Journal) info(ctx context.Context) (BackupInfo, error) {
	var info BackupInfo
	res, err := j.Verify(ctx, 1)
	if err != nil {
		return info, &BackupError{Code: ErrChainBroken, Path: j.path, Reason: "the hash chain does not hold", Err: err}
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

// Info verifies this journal's whole chain and says whose register it is: the integrity check
// on demand.
func (j *Journal) Info(ctx context.Context) (BackupInfo, error) {
	info, err := j.info(ctx)
	info.Path = j.path
	return info, err
}

// checkRestore says whether the backup described by b, a private copy at b.Path, may replace
// this journal (see the Backups comment above): nil, or a *BackupError.
func (j *Journal) checkRestore(ctx context.Context, b BackupInfo) error {
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
	if cur.Documents > 0 {
		// The journal's chain must be a prefix of the backup's: its head row is in the backup.
		bj, err := Open(ctx, b.Path)
		if err != nil {
			return &BackupError{Code: ErrBackupUnreadable, Path: b.Path, Reason: "not a journal", Err: err}
		}
		defer bj.closeDB()
		var h []byte
		err = bj.db.QueryRowContext(ctx, `SELECT hash FROM documents WHERE seq = ?`, cur.Documents).Scan(&h)
		if err != nil || !bytes.Equal(h, cur.HeadHash) {
			return &BackupError{Code: ErrBackupOlder, Path: b.Path,
				Reason: fmt.Sprintf("its document %d differs from the journal's", cur.Documents), Err: err}
		}
	}
	return nil
}

// RestoreFrom replaces this journal's content with the backup at path, when the checks above
// allow it, and returns what the journal now holds. Nothing may write to the journal
// meanwhile (the app stops its sender first). The backup file itself is not changed.
func (j *Journal) RestoreFrom(ctx context.Context, path string) (BackupInfo, error) {
	if err := checkHeader(path); err != nil {
		return BackupInfo{}, err
	}
	defer j.catalogue.reset() // the backup's catalogue replaces this one's: read it again
	// Restore from a private, migrated copy: the backup may be of an older schema.
	dir, err := os.MkdirTemp(filepath.Dir(j.path), ".ekassa-restore-*")
	if err != nil {
		return BackupInfo{}, fmt.Errorf("storage: restore: %w", err)
	}
	defer os.RemoveAll(dir)
	cp := filepath.Join(dir, "journal.db")
	if err := copyFile(path, cp); err != nil {
		return BackupInfo{}, fmt.Errorf("storage: restore: %w", err)
	}
	src, err := Open(ctx, cp)
	if err != nil {
		return BackupInfo{}, &BackupError{Code: ErrBackupUnreadable, Path: path, Reason: "not a journal", Err: err}
	}
	info, err := src.info(ctx)
	if err == nil {
		err = src.Close() // checkpoint: the whole content in the main file, which the restore reads
	} else {
		src.closeDB()
	}
	if err != nil {
		return BackupInfo{}, err
	}
	info.Path = path
	if err := j.checkRestore(ctx, BackupInfo{Path: cp, Documents: info.Documents, Registered: info.Registered,
		SystemID: info.SystemID, RNM: info.RNM, ZNM: info.ZNM, HeadHash: info.HeadHash}); err != nil {
		var be *BackupError
		if errors.As(err, &be) {
			be.Path = path
		}
		return BackupInfo{}, err
	}

	conn, err := j.db.Conn(ctx)
	if err != nil {
		return BackupInfo{}, fmt.Errorf("storage: restore: %w", err)
	}
	defer conn.Close()
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
	if err != nil {
		return BackupInfo{}, fmt.Errorf("storage: restore from %s: %w", path, err)
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
