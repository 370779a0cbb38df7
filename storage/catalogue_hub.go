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
	Key     string
	Version int64 // the hub's version of this state of the item
	Item    kkm.Item
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
		checked[i] = HubItem{Key: h.Key, Version: h.Version, Item: it}
	}
	err := j.inTx(ctx, func(tx *Tx) error {
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
	var base, changed int64
	err := q.QueryRowContext(ctx, `SELECT id, hub_version, hub_changed FROM items WHERE hub_key = ?`, h.Key).Scan(&it.ID, &base, &changed)
	if err == nil && changed > 0 && h.Version <= base {
		// A change made here on this very version waits to go up: it is newer than what came.
		return nil
	}
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
	// The hub's state is the item's now: any change made here before it is superseded.
	if _, err := q.ExecContext(ctx, `UPDATE items SET hub_key = ?, hub_version = ?, hub_changed = 0 WHERE id = ?`,
		h.Key, h.Version, it.ID); err != nil {
		return fmt.Errorf("storage: hub catalogue: %w", err)
	}
	return nil
}

// The register's own changes go up (hubsync, when the owner lets registers edit the hub's
// catalogue). SaveItem and SetItemArchived mark the item with a change number (items.hub_changed,
// journal migration 13) in their own transaction, so a change is never lost between the screen and
// the hub; PendingHubItems lists the marked items, oldest change first, each with the hub version
// its copy was based on; HubItemsSent writes the hub's answers back. The hub decides a conflict by
// its version (hub/catalogue_registers.go): a change based on the version it still holds is taken,
// one based on an older version is superseded by the hub's state, which the item takes here at
// once. A pull that brings a version newer than a marked item's base supersedes the mark too
// (applyHubItem); one that brings the very version the change was based on leaves the change.

// markHubChange marks item id as changed here, with a number above every mark held, so a change
// made while an earlier one is on its way up is told from it.
func markHubChange(ctx context.Context, tx *Tx, id int64) error {
	if _, err := tx.ExecContext(ctx, `UPDATE items SET hub_changed = (SELECT COALESCE(MAX(hub_changed), 0) + 1 FROM items)
		WHERE id = ?`, id); err != nil {
		return fmt.Errorf("storage: catalogue change: %w", err)
	}
	return nil
}

// PendingHubItem is a change made on this register and not yet answered by the hub.
type PendingHubItem struct {
	Key  string // the hub's key of the item, "" for an item the hub does not know yet
	Base int64  // the hub version the item's copy was based on (0 for a new one)
	Mark int64  // the change's number (items.hub_changed)
	Item kkm.Item
}

// PendingHubItems lists at most limit items changed here and not yet answered by the hub, oldest
// change first.
func (j *Journal) PendingHubItems(ctx context.Context, limit int) ([]PendingHubItem, error) {
	rows, err := j.db.QueryContext(ctx, `SELECT id, COALESCE(hub_key, ''), hub_version, hub_changed FROM items
		WHERE hub_changed > 0 ORDER BY hub_changed LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("storage: catalogue changes: %w", err)
	}
	var out []PendingHubItem
	for rows.Next() {
		var p PendingHubItem
		if err := rows.Scan(&p.Item.ID, &p.Key, &p.Base, &p.Mark); err != nil {
			rows.Close()
			return nil, fmt.Errorf("storage: catalogue changes: %w", err)
		}
		out = append(out, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("storage: catalogue changes: %w", err)
	}
	for i := range out {
		// The item as it is now: a change made since the mark was read goes up with the older mark
		// and stays marked (HubItemsSent), which costs only a second send.
		it, err := j.Item(ctx, out[i].Item.ID)
		if err != nil {
			return nil, err
		}
		out[i].Item = it
	}
	return out, nil
}

// The hub's answers to a change (hub.ItemTaken, ItemSuperseded, ItemRefused).
const (
	HubTaken      = "taken"
	HubSuperseded = "superseded"
	HubRefused    = "refused"
)

// HubItemSent is the hub's answer to a PendingHubItem: its outcome and the item as the hub holds
// it (its key and version, and for a superseded change the hub's state).
type HubItemSent struct {
	ID      int64 // the local item
	Mark    int64 // the change sent
	Outcome string
	Hub     HubItem
}

// HubItemsSent writes the hub's answers in one transaction: a taken change leaves the item as it
// is, now based on the hub's new version (and unmarked, unless it changed again since it was
// sent); a superseded one takes the hub's state over the item; a refused one is unmarked and the
// item stays as this register has it.
func (j *Journal) HubItemsSent(ctx context.Context, sent []HubItemSent) error {
	for i, s := range sent {
		if s.Outcome == HubSuperseded {
			it := s.Hub.Item
			if err := it.Validate(); err != nil {
				return &ItemRowError{Row: i, Err: err}
			}
			sent[i].Hub.Item = it
		}
	}
	err := j.inTx(ctx, func(tx *Tx) error {
		for i, s := range sent {
			var err error
			switch s.Outcome {
			case HubTaken:
				_, err = tx.ExecContext(ctx, `UPDATE items SET hub_key = ?, hub_version = ?,
					hub_changed = CASE WHEN hub_changed = ? THEN 0 ELSE hub_changed END WHERE id = ?`,
					s.Hub.Key, s.Hub.Version, s.Mark, s.ID)
			case HubSuperseded:
				// The hub's state goes over this very item: it names the hub's key unless another
				// local item already does (that one then takes the state).
				if _, err = tx.ExecContext(ctx, `UPDATE items SET hub_changed = 0,
					hub_key = CASE WHEN EXISTS (SELECT 1 FROM items WHERE hub_key = ? AND id <> ?) THEN hub_key ELSE ? END
					WHERE id = ?`, s.Hub.Key, s.ID, s.Hub.Key, s.ID); err == nil {
					h := s.Hub
					err = applyHubItem(ctx, tx, &h)
				}
			case HubRefused:
				_, err = tx.ExecContext(ctx, `UPDATE items SET hub_changed = 0 WHERE id = ? AND hub_changed = ?`, s.ID, s.Mark)
			default:
				err = fmt.Errorf("storage: the hub's answer %q to a catalogue change", s.Outcome)
			}
			if err != nil {
				return &ItemRowError{Row: i, Err: err}
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	j.catalogue.reset()
	return nil
}
