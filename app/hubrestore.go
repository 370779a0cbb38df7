package app

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/ekassa-go/ekassa/hub"
	"github.com/ekassa-go/ekassa/hubsync"
	"github.com/ekassa-go/ekassa/kkm"
	"github.com/ekassa-go/ekassa/storage"
	"github.com/ekassa-go/ekassa/ui"
)

// RestoreFromHub (ui.HubRestore) makes a new phone's empty journal the register's journal as
// the owner's hub holds it (hubsync.Restore), read with the register's hub credential, which
// also opens the register's sealed snapshot; certPEM is the hub's certificate for a self-signed
// hub (empty: the system's authorities). The sender stops for it and starts on the restored
// register, which then sends what it had not sent yet. It returns how many documents the
// journal holds. The hub's refusals come back as the owner mode's (ui.ErrOwnerRefused, …), the
// journal's as storage's (err.hubrestore.*, err.backup.other_register, err.journal.tampered).
func (rt *Runtime) RestoreFromHub(ctx context.Context, by kkm.Operator, address string, certPEM []byte, credential string) (int64, error) {
	credential = strings.TrimSpace(credential)
	if credential == "" {
		return 0, ui.ErrOwnerCredential
	}
	c, err := ownerClient(ui.OwnerLogin{Address: address, CertPEM: certPEM, Credential: credential})
	if err != nil {
		return 0, err
	}
	return rt.replaceJournal(ctx, by, func() (storage.BackupInfo, error) {
		info, err := hubsync.Restore(ctx, rt.journal, c.c, credential)
		return info, hubRestoreError(err)
	})
}

// hubRestoreError names the hub's refusals of a restore for the screen; the journal's own
// refusals (with their message IDs) pass as they are.
func hubRestoreError(err error) error {
	var re *hub.RemoteError
	switch {
	case err == nil:
		return nil
	case errors.Is(err, hub.ErrNoSafe):
		return fmt.Errorf("%w: %v", ui.ErrHubRestoreNoSafe, err)
	case errors.As(err, &re) && (re.Status == http.StatusUnauthorized || re.Status == http.StatusForbidden):
		return fmt.Errorf("%w: %v", ui.ErrOwnerRefused, err)
	case errors.As(err, &re):
		return fmt.Errorf("%w: %v", ui.ErrOwnerHub, err)
	}
	var me interface{ MessageID() string }
	if errors.As(err, &me) {
		return err
	}
	if errors.Is(err, hubsync.ErrSafeChanged) {
		return fmt.Errorf("%w: %v", ui.ErrHubRestoreChanged, err)
	}
	return fmt.Errorf("%w: %v", ui.ErrOwnerUnreachable, err)
}
