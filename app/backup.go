package app

import (
	"context"
	"fmt"

	"github.com/ekassa-go/ekassa/kkm"
	"github.com/ekassa-go/ekassa/storage"
)

// Backup, restore and the integrity check of the journal, for the settings screen. They return
// plain values and translatable errors (each error has a MessageID), so a ui port can name them
// without importing storage:
//
//	Backup(ctx, by, path, password) (documents int64, err error)
//	Restore(ctx, by, path, password) (documents int64, err error)
//	CheckIntegrity(ctx) (checked int64, err error)

// Backup writes a verified copy of the journal, encrypted with password (storage.Backup: age,
// scrypt), to path (a file the cashier can then share) while the register keeps working, and
// returns how many documents it holds. Only an administrator (by) may.
func (rt *Runtime) Backup(ctx context.Context, by kkm.Operator, path, password string) (int64, error) {
	if err := rt.allow(ctx, rt.Settings(), kkm.ActionBackup, by); err != nil {
		return 0, err
	}
	info, err := rt.journal.Backup(ctx, path, password)
	if err != nil {
		return 0, err
	}
	return info.Documents, nil
}

// Restore replaces the journal with the backup at path: on a new phone (no register connected
// yet, no documents), or to recover this register's journal. It refuses, changing nothing, a
// journal of another register (storage.ErrBackupOtherRegister, "err.backup.other_register"), one
// that lacks documents this journal holds (storage.ErrBackupOlder), one whose hash chain is broken
// (storage.ErrChainBroken) and a file that is not a journal (storage.ErrBackupUnreadable).
//
// The sender stops for the restore and starts again on the restored register, which then sends
// whatever the backup still had queued. The cashiers are the backup's too: the screens should lock
// and ask for a quick-access code afterwards. It returns how many documents the journal holds.
func (rt *Runtime) Restore(ctx context.Context, by kkm.Operator, path, password string) (int64, error) {
	return rt.replaceJournal(ctx, by, func() (storage.BackupInfo, error) {
		return rt.journal.RestoreFrom(ctx, path, password)
	})
}

// replaceJournal replaces the journal's content by restore (a backup's, the hub's) with the
// sender stopped, and takes the restored register, settings and state as the runtime's.
func (rt *Runtime) replaceJournal(ctx context.Context, by kkm.Operator, restore func() (storage.BackupInfo, error)) (int64, error) {
	if err := rt.allowRestore(ctx, by); err != nil {
		return 0, err
	}
	// A verification reading the journal while its content is replaced would see half of each;
	// it starts again on what the journal holds afterwards.
	rt.cancelVerify()
	defer rt.verifyInBackground()
	rt.mu.Lock()
	defer rt.mu.Unlock()
	wasRunning := rt.sender != nil
	rt.stopSenderLocked()
	info, rerr := restore()
	if rerr != nil {
		if wasRunning {
			if err := rt.startSender(); err != nil {
				return 0, fmt.Errorf("%w (and the sender did not restart: %v)", rerr, err)
			}
		}
		return 0, rerr
	}
	settings, registered, err := rt.journal.Settings(ctx)
	if err != nil {
		return 0, err
	}
	if !registered {
		settings = kkm.DefaultSettings()
	}
	state, err := rt.journal.State(ctx)
	if err != nil {
		return 0, err
	}
	rt.reg = kkm.Register{Settings: settings, State: state}
	rt.setPoint(settings)
	rt.registered = registered && settings.SystemID != 0
	rt.integrity = nil // the restored journal was verified whole
	rt.clock.reset()
	if rt.registered {
		if err := rt.startSender(); err != nil {
			return 0, err
		}
	}
	rt.changed()
	return info.Documents, nil
}

// CheckIntegrity verifies the whole journal's seal (storage.VerifyAll: every document, every OFD
// answer, the outbox, the state, settings and cashiers) and returns how many documents it
// checked. A change is a *storage.ChainError ("err.journal.changed.<what>") saying what changed,
// and stops issuing; a check that holds again (the file was put back) lets issuing go on.
func (rt *Runtime) CheckIntegrity(ctx context.Context) (int64, error) {
	res, err := rt.journal.VerifyAll(ctx)
	switch {
	case err == nil:
		rt.setIntegrity(nil)
	case isChange(err):
		rt.setIntegrity(err)
	}
	return res.Checked, err
}
