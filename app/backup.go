package app

import (
	"context"
	"fmt"

	"github.com/ekassa-go/ekassa/kkm"
)

// Backup, restore and the integrity check of the journal, for the settings screen. They return
// plain values and translatable errors (each error has a MessageID), so a ui port can name them
// without importing storage:
//
//	Backup(ctx, path) (documents int64, err error)
//	Restore(ctx, path) (documents int64, err error)
//	CheckIntegrity(ctx) (checked int64, err error)

// Backup writes a verified copy of the journal to path (a file the cashier can then share) while
// the register keeps working, and returns how many documents it holds.
func (rt *Runtime) Backup(ctx context.Context, path string) (int64, error) {
	info, err := rt.journal.Backup(ctx, path)
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
func (rt *Runtime) Restore(ctx context.Context, path string) (int64, error) {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	wasRunning := rt.sender != nil
	rt.stopSenderLocked()
	info, rerr := rt.journal.RestoreFrom(ctx, path)
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
	rt.clock.reset()
	if rt.registered {
		if err := rt.startSender(); err != nil {
			return 0, err
		}
	}
	rt.changed()
	return info.Documents, nil
}

// CheckIntegrity verifies the journal's whole hash chain (design.md §3; the cheap check from the
// last verified point runs at start) and returns how many documents it checked. A broken chain is
// a *storage.ChainError ("err.journal.tampered") naming the first bad document.
func (rt *Runtime) CheckIntegrity(ctx context.Context) (int64, error) {
	res, err := rt.journal.Verify(ctx, 1)
	return res.Checked, err
}
