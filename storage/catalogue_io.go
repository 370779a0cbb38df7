package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/ekassa-go/ekassa/kkm"
)

// ImportOptions are how ImportItemsWith imports a price list.
type ImportOptions struct {
	// Update matches a new item (ID 0) to the catalogue's item with the same article code, or
	// else with one of its barcodes, as the catalogue was before the import, and replaces that
	// item instead of refusing the row as a taken code: a shop's next price list updates its
	// prices. Two rows matching one item are refused (the second names the first's item).
	Update bool
	// Progress, when set, is called with the rows written so far and the total, every
	// ProgressEvery rows and at the end, from the importing goroutine, inside the transaction:
	// it must be quick and must not touch the journal.
	Progress func(done, total int)
}

// ProgressEvery is how many rows an import writes between two Progress calls.
const ProgressEvery = 500

// ImportItemsWith is ImportItems with options; it returns the items as saved and how many of them
// replaced an existing item (ImportOptions.Update). A cancelled ctx stops it between two rows with
// ctx's error and the transaction rolled back: nothing of the list is in the catalogue.
func (j *Journal) ImportItemsWith(ctx context.Context, items []kkm.Item, o ImportOptions) ([]kkm.Item, int, error) {
	updated := 0
	out := make([]kkm.Item, len(items))
	copy(out, items)
	for i := range out {
		if err := out[i].Validate(); err != nil {
			return nil, 0, &ItemRowError{Row: i, Err: err}
		}
	}
	err := j.inTx(ctx, func(tx *Tx) error {
		stmts := &txStatements{tx: tx, m: map[string]*sql.Stmt{}}
		defer stmts.close()
		if o.Update {
			var err error
			if updated, err = matchExisting(ctx, stmts, out); err != nil {
				return err
			}
		}
		for i := range out {
			if i%ProgressEvery == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
				if o.Progress != nil && i > 0 {
					o.Progress(i, len(out))
				}
			}
			if err := saveItemTx(ctx, stmts, &out[i]); err != nil {
				return &ItemRowError{Row: i, Err: err}
			}
		}
		return ctx.Err()
	})
	if err != nil {
		return nil, 0, err
	}
	if o.Progress != nil {
		o.Progress(len(out), len(out))
	}
	j.catalogue.put(out...)
	return out, updated, nil
}

// matchExisting gives each new item the ID of the existing item it updates (see
// ImportOptions.Update), all looked up before anything is written, so a row never matches
// another row of the same list. It returns how many it matched.
func matchExisting(ctx context.Context, q itemQuerier, items []kkm.Item) (int, error) {
	taken := map[int64]int{} // existing item → the row that updates it
	for i := range items {
		it := &items[i]
		if it.ID != 0 {
			continue
		}
		var id int64
		var name string
		err := sql.ErrNoRows
		if it.Code != "" {
			err = q.QueryRowContext(ctx, `SELECT id, name FROM items WHERE code = ?`, it.Code).Scan(&id, &name)
		}
		for _, b := range it.Barcodes {
			if !errors.Is(err, sql.ErrNoRows) {
				break
			}
			err = q.QueryRowContext(ctx, `SELECT i.id, i.name FROM item_barcodes b JOIN items i ON i.id = b.item_id
				WHERE b.code = ?`, b).Scan(&id, &name)
		}
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return 0, fmt.Errorf("storage: import: %w", err)
		}
		if _, dup := taken[id]; dup {
			code := it.Code
			if code == "" && len(it.Barcodes) > 0 {
				code = kkm.DisplayBarcode(it.Barcodes[0])
			}
			return 0, &ItemRowError{Row: i, Err: &kkm.Error{Code: kkm.ErrItemCodeTaken, Data: map[string]any{"Code": code, "Name": name}}}
		}
		taken[id] = i
		it.ID = id
	}
	return len(taken), nil
}

// EachItem calls yield with every item of the catalogue, archived ones too, with its barcodes, in
// ID order, reading a page of pageSize at a time so an export of 50 000 items holds one page. An
// error of yield stops it and is returned.
func (j *Journal) EachItem(ctx context.Context, yield func(kkm.Item) error) error {
	const pageSize = 1000
	var after int64
	for {
		page, err := j.queryItems(ctx, `SELECT `+itemColumns+` FROM items WHERE id > ? ORDER BY id LIMIT ?`, after, pageSize)
		if err != nil {
			return err
		}
		if err := j.withBarcodes(ctx, page); err != nil {
			return err
		}
		for _, it := range page {
			if err := yield(it); err != nil {
				return err
			}
		}
		if len(page) < pageSize {
			return nil
		}
		after = page[len(page)-1].ID
	}
}
