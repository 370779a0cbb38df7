package hubsync

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/ekassa-go/ekassa/hub"
	"github.com/ekassa-go/ekassa/storage"
)

// SafeReader is the hub's side of a restore (*hub.Client with the register's credential).
type SafeReader interface {
	Safe(ctx context.Context, after int64) (hub.Safe, error)
}

// ErrSafeChanged: the hub's copy changed while it was read (the old phone still pushing); try
// again once it stops.
var ErrSafeChanged = errors.New("hubsync: the hub's copy of the register changed while it was read")

// Restore makes the empty journal j the register's journal as the hub holds it (a new phone):
// it reads the hub's safe page by page with the register's credential, which also opens the
// sealed snapshot, and hands it to storage's RestoreFromHub, which verifies it whole before the
// journal takes it. The pages must all belong to one snapshot (ErrSafeChanged otherwise), and
// each document's UUID must be the one this register's serial number gives it.
func Restore(ctx context.Context, j *storage.Journal, h SafeReader, credential string) (storage.BackupInfo, error) {
	var safe storage.HubSafe
	var head int64
	for after := int64(0); ; {
		page, err := h.Safe(ctx, after)
		if err != nil {
			return storage.BackupInfo{}, fmt.Errorf("hubsync: reading the register's safe: %w", err)
		}
		if after == 0 {
			head, safe.Serial, safe.Sealed = page.HeadSeq, page.Serial, page.Sealed
		} else if page.HeadSeq != head || page.Serial != safe.Serial {
			return storage.BackupInfo{}, ErrSafeChanged
		}
		for _, d := range page.Documents {
			if d.UUID != DocumentUUID(safe.Serial, d.Seq) {
				return storage.BackupInfo{}, fmt.Errorf("hubsync: document %d at the hub is not register %s's", d.Seq, safe.Serial)
			}
			safe.Documents = append(safe.Documents, storage.ChainRow{Seq: d.Seq, Kind: d.Kind, ShiftNumber: d.ShiftNumber,
				Number: d.Number, IssuedAt: d.IssuedAt, Total: d.Total, Offline: d.Offline, ParentSeq: d.ParentSeq,
				Content: d.Content, PrevHash: d.PrevHash, Hash: d.Hash})
		}
		for _, a := range page.Answers {
			var sa storage.SafeAnswer
			if err := json.Unmarshal(a.Data, &sa); err != nil || sa.Seq != a.Seq {
				return storage.BackupInfo{}, fmt.Errorf("hubsync: the hub's answer to document %d is unreadable: %v", a.Seq, err)
			}
			safe.Answers = append(safe.Answers, sa)
		}
		if len(page.Documents) == 0 || page.Documents[len(page.Documents)-1].Seq >= head {
			break
		}
		after = page.Documents[len(page.Documents)-1].Seq
	}
	return j.RestoreFromHub(ctx, safe, credential)
}
