// Package journalimport writes a checked price list (package pricelist's Table under a Mapping)
// into the journal's catalogue in one transaction. It is the one place where pricelist's table
// meets storage, so that the screens, which use pricelist's types, never link the journal: it
// must not be imported by ui (internal/archtest), only by app and tests.
package journalimport

import (
	"context"
	"errors"

	"github.com/ekassa-go/ekassa/pricelist"
	"github.com/ekassa-go/ekassa/storage"
)

// checkShare is the part of an import's progress the rows' check takes; writing takes the rest.
const checkShare = 0.1

// Import checks every row of t under m (pricelist.Table.Items) and, only when no row is bad, writes the
// items to the journal in one transaction (storage.Journal.ImportItemsWith): a list with bad rows
// returns them and writes nothing, a refusal or a cancelled ctx leaves the catalogue as it was.
// With update, an item whose article code or barcode the catalogue already has replaces it (a
// new price list of the same shop); without, such a row refuses the list. progress, when set,
// is called with the fraction done (0 to 1) from the importing goroutine; a screen hands it to
// its own thread.
func Import(ctx context.Context, j *storage.Journal, t pricelist.Table, m pricelist.Mapping, update bool, progress func(float64)) (pricelist.Result, []*pricelist.RowError, error) {
	report := func(f float64) {
		if progress != nil {
			progress(f)
		}
	}
	report(0)
	items, bad, err := t.Items(m)
	if err != nil || len(bad) > 0 {
		return pricelist.Result{}, bad, err
	}
	report(checkShare)
	out, updated, err := j.ImportItemsWith(ctx, items, storage.ImportOptions{
		Update: update,
		Progress: func(done, total int) {
			report(checkShare + (1-checkShare)*float64(done)/float64(max(total, 1)))
		},
	})
	if err != nil {
		var re *storage.ItemRowError
		if errors.As(err, &re) && re.Row < len(t.Lines) && ctx.Err() == nil {
			// The journal names the item's index among the good rows, which are all the rows here.
			return pricelist.Result{}, []*pricelist.RowError{{Line: t.Lines[re.Row], Err: re.Err}}, nil
		}
		return pricelist.Result{}, nil, err
	}
	report(1)
	return pricelist.Result{Added: len(out) - updated, Updated: updated}, nil, nil
}
