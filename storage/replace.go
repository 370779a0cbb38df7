package storage

import (
	"context"
	"fmt"
	"os"
	"time"
)

// ReplaceFromBackup is the way out of a journal that cannot be opened because it is damaged
// (ErrJournalCorrupt, ErrJournalIO at Open): the backup at backup, verified first (its whole hash
// chain, as Inspect), takes the journal's place at path, and the damaged journal and its WAL are
// kept beside it, renamed `journal.db.damaged-<time>` (nothing is deleted: support may still read
// documents out of it). The journal must not be open anywhere (ErrJournalInUse). It returns what
// the journal now holds and the damaged file's new name.
//
// Unlike RestoreFrom it cannot check that the backup is of the same register and holds every
// document of the journal — the damaged journal cannot say — so the cashier chooses the newest
// backup; the OFD's ledger and the damaged file kept aside tell what a backup lacks.
func ReplaceFromBackup(ctx context.Context, path, backup string) (info BackupInfo, damaged string, err error) {
	lock, err := lockJournal(path)
	if err != nil {
		return BackupInfo{}, "", err
	}
	defer lock.release()
	if info, err = Inspect(ctx, backup); err != nil {
		return BackupInfo{}, "", err
	}
	tmp := path + ".restoring"
	if err := copyFile(backup, tmp); err != nil {
		return BackupInfo{}, "", fmt.Errorf("storage: restore %s: %w", path, err)
	}
	defer os.Remove(tmp)
	damaged = fmt.Sprintf("%s.damaged-%s", path, time.Now().UTC().Format("20060102T150405"))
	for _, suffix := range []string{"", "-wal", "-shm"} {
		if err := os.Rename(path+suffix, damaged+suffix); err != nil && !os.IsNotExist(err) {
			return BackupInfo{}, "", fmt.Errorf("storage: restore %s: keep the damaged journal: %w", path, err)
		}
	}
	if err := os.Rename(tmp, path); err != nil {
		return BackupInfo{}, "", fmt.Errorf("storage: restore %s: %w", path, err)
	}
	info.Path = path
	return info, damaged, nil
}
