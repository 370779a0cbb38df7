package storage

import (
	"context"
	"crypto/hmac"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/ekassa-go/ekassa/kkm"
)

// HubItem is an item of the owner's hub catalogue (one catalogue for all shops) as a register
// pulls it: the hub's key of the item and its state.
type HubItem struct {
	Key  string
	Item kkm.Item
}

// ErrNoSettings refuses a hub pull into a journal whose register has no settings yet (not
// connected): the cursor has nowhere to be kept.
var ErrNoSettings = errors.New("storage: the register has no settings yet")

// CatalogueVersion returns the hub catalogue version the local catalogue holds (the settings'
// CatalogueVersion, 0 before the first pull). Settings that name a version over a catalogue
// holding no hub item at all (a journal restored on a new phone with the settings but not the
// items, which live outside the chain) give 0: the pull starts over rather than miss everything.
func (j *Journal) CatalogueVersion(ctx context.Context) (int64, error) {
	s, _, err := j.Settings(ctx)
	if err != nil || s.CatalogueVersion == 0 {
		return 0, err
	}
	var pulled bool
	if err := j.db.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM items WHERE hub_key IS NOT NULL)`).Scan(&pulled); err != nil {
		return 0, fmt.Errorf("storage: hub catalogue: %w", err)
	}
	if !pulled {
		return 0, nil
	}
	return s.CatalogueVersion, nil
}

// ApplyHubItems writes a page of the hub catalogue's changes, in the hub's version order, into
// the local catalogue and moves the settings' CatalogueVersion to version, all in one
// transaction: a pull that dies half-way leaves the catalogue and the cursor as they were, and is
// simply repeated (applying a change twice gives the same item, so a cursor set back by a
// settings save made meanwhile costs only a repeat).
//
// A hub item is the local item with its key; one pulled for the first time takes over the local
// item (made on this register) with its article code, or else one of its barcodes, so a shop
// that typed its goods before joining the hub keeps one item each. The hub's catalogue is the
// truth: a code or barcode it gives an item is taken from any other local item holding it (on
// the hub that item lost it in a change this page or a later one carries).
func (j *Journal) ApplyHubItems(ctx context.Context, items []HubItem, version int64) error {
	checked := make([]HubItem, len(items))
	for i, h := range items {
		it := h.Item
		if err := it.Validate(); err != nil {
			return &ItemRowError{Row: i, Err: err}
		}
		checked[i] = HubItem{Key: h.Key, Item: it}
	}
	err := j.inTx(ctx, func(tx *sql.Tx) error {
		var content, mac []byte
		err := tx.QueryRowContext(ctx, `SELECT content, mac FROM settings WHERE id = 1`).Scan(&content, &mac)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNoSettings
		}
		if err != nil {
			return fmt.Errorf("storage: hub catalogue: %w", err)
		}
		if mac != nil && !hmac.Equal(mac, j.seal.settingsMAC(content)) {
			// Sealing them anew with the cursor would hide a change made behind the app's back.
			return &ChainError{What: ChangedSettings, Reason: "the settings do not match their seal"}
		}
		var s kkm.Settings
		if err := json.Unmarshal(content, &s); err != nil {
			return fmt.Errorf("storage: hub catalogue: %w", err)
		}
		stmts := &txStatements{tx: tx, m: map[string]*sql.Stmt{}}
		defer stmts.close()
		for i := range checked {
			if err := applyHubItem(ctx, stmts, &checked[i]); err != nil {
				return &ItemRowError{Row: i, Err: err}
			}
		}
		if version > s.CatalogueVersion {
			s.CatalogueVersion = version
			return saveSettings(ctx, tx, j.seal, s)
		}
		return nil
	})
	if err != nil {
		return err
	}
	j.catalogue.reset() // codes may have moved between items: read the index again at the next search
	return nil
}

// applyHubItem writes one hub item over its local item (see ApplyHubItems).
func applyHubItem(ctx context.Context, q itemQuerier, h *HubItem) error {
	it := &h.Item
	err := q.QueryRowContext(ctx, `SELECT id FROM items WHERE hub_key = ?`, h.Key).Scan(&it.ID)
	if errors.Is(err, sql.ErrNoRows) {
		it.ID = 0
		if it.Code != "" {
			err = q.QueryRowContext(ctx, `SELECT id FROM items WHERE code = ? AND hub_key IS NULL`, it.Code).Scan(&it.ID)
		}
		for _, b := range it.Barcodes {
			if !errors.Is(err, sql.ErrNoRows) {
				break
			}
			err = q.QueryRowContext(ctx, `SELECT b.item_id FROM item_barcodes b JOIN items i ON i.id = b.item_id
				WHERE b.code = ? AND i.hub_key IS NULL`, b).Scan(&it.ID)
		}
		if errors.Is(err, sql.ErrNoRows) {
			it.ID, err = 0, nil
		}
	}
	if err != nil {
		return fmt.Errorf("storage: hub catalogue: %w", err)
	}
	// Take the item's codes from any other local item that still holds them.
	for _, b := range it.Barcodes {
		if _, err := q.ExecContext(ctx, `DELETE FROM item_barcodes WHERE code = ? AND item_id <> ?`, b, it.ID); err != nil {
			return fmt.Errorf("storage: hub catalogue: %w", err)
		}
	}
	if it.Code != "" {
		var other kkm.Item
		err := q.QueryRowContext(ctx, `SELECT id, name, ntin FROM items WHERE code = ? AND id <> ?`, it.Code, it.ID).
			Scan(&other.ID, &other.Name, &other.NTIN)
		if err == nil {
			if _, err := q.ExecContext(ctx, `UPDATE items SET code = '', search = ? WHERE id = ?`, searchText(other), other.ID); err != nil {
				return fmt.Errorf("storage: hub catalogue: %w", err)
			}
		} else if !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("storage: hub catalogue: %w", err)
		}
	}
	if err := saveItemTx(ctx, q, it); err != nil {
		return err
	}
	if _, err := q.ExecContext(ctx, `UPDATE items SET hub_key = ? WHERE id = ?`, h.Key, it.ID); err != nil {
		return fmt.Errorf("storage: hub catalogue: %w", err)
	}
	return nil
}
