package storage

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// ReplaceFromBackup is the way out of a journal that cannot be opened because it is damaged
// (ErrJournalCorrupt, ErrJournalIO at Open) or its seal key is gone or not its own
// (ErrKeyMissing, ErrKeyMismatch): the backup at backup, decrypted with password and verified
// first (its whole seal, as Inspect), takes the journal's place at path with its seal key, and
// the damaged journal, its WAL and a copy of its answer log are kept beside it, renamed
// `journal.db.damaged-<time>` (nothing is deleted: support may still read documents out of it).
// The journal must not be open anywhere (ErrJournalInUse). It returns what the journal now holds
// and the damaged file's new name.
//
// Unlike RestoreFrom it cannot check that the backup is of the same register and holds every
// document of the journal — the damaged journal cannot say — so the cashier chooses the newest
// backup; the OFD's ledger and the damaged file kept aside tell what a backup lacks.
func ReplaceFromBackup(ctx context.Context, path, backup, password string) (info BackupInfo, damaged string, err error) {
	lock, err := lockJournal(path)
	if err != nil {
		return BackupInfo{}, "", err
	}
	defer lock.release()
	dir, err := os.MkdirTemp(filepath.Dir(path), ".ekassa-replace-*")
	if err != nil {
		return BackupInfo{}, "", fmt.Errorf("storage: restore %s: %w", path, err)
	}
	defer os.RemoveAll(dir)
	plain, key, err := unpackBackup(backup, password, dir)
	if err != nil {
		return BackupInfo{}, "", err
	}
	if info, err = inspectPlain(ctx, plain, key); err != nil {
		var be *BackupError
		if errors.As(err, &be) {
			be.Path = backup
		}
		return BackupInfo{}, "", err
	}
	if key == nil {
		// A plain journal sealed on the way (inspectPlain re-keyed it): its new key is beside it.
		if key, err = readKeyFile(KeyFile(plain)); err != nil {
			return BackupInfo{}, "", fmt.Errorf("storage: restore %s: %w", path, err)
		}
	}
	tmp := path + ".restoring"
	if err := copyFile(plain, tmp); err != nil {
		return BackupInfo{}, "", fmt.Errorf("storage: restore %s: %w", path, err)
	}
	defer os.Remove(tmp)
	damaged = fmt.Sprintf("%s.damaged-%s", path, time.Now().UTC().Format("20060102T150405"))
	for _, suffix := range []string{"", "-wal", "-shm"} {
		if err := os.Rename(path+suffix, damaged+suffix); err != nil && !os.IsNotExist(err) {
			return BackupInfo{}, "", fmt.Errorf("storage: restore %s: keep the damaged journal: %w", path, err)
		}
	}
	// The answer log stays, and a copy goes aside with the damaged journal (which may hold
	// answers only there). Its records are the OFD's answers to this register's requests, sealed
	// with its key: those that continue the backup's outbox (it was taken while they were
	// waiting) replay into it at the next Open, so it carries on from the OFD's last answer
	// instead of sending again a request the OFD has answered; the rest never chain (answers.go).
	if err := copyFile(AnswerLogFile(path), AnswerLogFile(damaged)); err != nil && !os.IsNotExist(err) {
		return BackupInfo{}, "", fmt.Errorf("storage: restore %s: keep the damaged journal's answer log: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return BackupInfo{}, "", fmt.Errorf("storage: restore %s: %w", path, err)
	}
	if old, err := os.ReadFile(KeyFile(path)); err == nil {
		_ = os.WriteFile(damaged+".key", old, 0o600) // the damaged journal keeps its key beside it
	}
	if err := writeKeyFile(KeyFile(path), key); err != nil {
		return BackupInfo{}, "", fmt.Errorf("storage: restore %s: %w", path, err)
	}
	info.Path = path
	return info, damaged, nil
}
