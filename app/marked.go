package app

import (
	"context"

	"github.com/ekassa-go/ekassa/kkm"
)

// checkUnitsUnsold refuses a sale that sells a marked unit the open shift has already sold and
// not taken back (kkm.ErrMarkingSold): the same pack scanned for a second buyer, or a code copied
// from an earlier receipt. Within one receipt kkm refuses it itself; across shifts the journal
// is not searched (storage.Journal.UnitsOut says why).
func (rt *Runtime) checkUnitsUnsold(ctx context.Context, d kkm.ReceiptDraft, st kkm.State) error {
	if d.Operation != kkm.OpSale || !st.ShiftOpen {
		return nil
	}
	var ids []string
	byID := map[string]kkm.MarkingCode{}
	for _, l := range d.Lines {
		for _, raw := range l.Codes {
			c, err := kkm.ParseMarkingCode(raw)
			if err != nil {
				return nil // kkm refuses it with its own reason
			}
			ids = append(ids, c.ID())
			byID[c.ID()] = c
		}
	}
	if len(ids) == 0 {
		return nil
	}
	out, err := rt.journal.UnitsOut(ctx, st.ShiftNumber, ids)
	if err != nil {
		return err
	}
	for _, id := range ids {
		if n, ok := out[id]; ok {
			return &kkm.Error{Code: kkm.ErrMarkingSold, Data: map[string]any{"Number": n, "Code": byID[id].Identification()}}
		}
	}
	return nil
}
