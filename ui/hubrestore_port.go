package ui

import (
	"context"

	"github.com/ekassa-go/ekassa/kkm"
)

// HubRestore restores a new phone's register from the owner's hub (issue 18 item 5): the
// register's documents, state, OFD link and unsent documents, read with the register's hub
// credential (the hub keeps the register's seal key sealed with it). It returns how many
// documents the journal then holds. It refuses, changing nothing, a journal that is not empty
// (err.hubrestore.not_empty), a credential the hub does not know (ErrOwnerRefused) or that does
// not open the register's snapshot (err.hubrestore.credential), a register that never pushed its
// safe (ErrHubRestoreNoSafe), and a copy whose seal does not hold (err.journal.tampered).
type HubRestore interface {
	RestoreFromHub(ctx context.Context, by kkm.Operator, address string, certPEM []byte, credential string) (int64, error)
}

// The restore's own refusals.
const (
	ErrHubRestoreNoSafe  Refusal = "err.hubrestore.no_safe" // the register never pushed its safe to this hub
	ErrHubRestoreChanged Refusal = "err.hubrestore.changed" // the hub's copy changed while it was read
)
