package hub

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/ekassa-go/ekassa/kkm"
)

// A register's own catalogue changes go up. When the owner lets registers edit the catalogue
// (CatalogueSettings.RegistersEdit, off by default), an item created or edited on a register is
// sent to the hub (hubsync, from the register's pending changes, beside the pull) with the hub
// version its copy was based on. The rule of a conflict is the hub's version:
//
//   - a change based on the version the hub still holds of the item is taken, and becomes the
//     item's next version, which every register then pulls;
//   - a change based on an older version (the owner, or another register, changed the item since)
//     is superseded: the hub's newer state stands, and the register is answered with it and takes
//     it at once, so its own edit is dropped;
//   - a new item whose article code or a barcode is already an item's at the hub is that item, and
//     a change of it (based on no version) is superseded the same way;
//   - a change the register's rules accept but the catalogue cannot hold (a barcode of another item
//     of the organization) is refused: the register keeps its item to itself.
//
// So whatever order the owner's edit, the register's edit, the push and the pull happen in, the
// register ends with the hub's state.

// RegisterItem is one change made on a register: the hub's key of the item (zero for an item new
// on the register), the hub version the register's copy was based on (0 for a new one) and the item.
type RegisterItem struct {
	Key  uuid.UUID `json:"key"`
	Base int64     `json:"base"`
	Item kkm.Item  `json:"item"`
}

// The outcomes of a register's change.
const (
	ItemTaken      = "taken"      // the change is the item's new version
	ItemSuperseded = "superseded" // the hub holds a newer change: Item is the hub's state
	ItemRefused    = "refused"    // the catalogue cannot hold it (Reason)
)

// RegisterItemResult answers one RegisterItem: the outcome and the item as the hub holds it now
// (its key and version; for a refused one, the item as sent).
type RegisterItemResult struct {
	Outcome string        `json:"outcome"`
	Item    CatalogueItem `json:"item"`
	Reason  string        `json:"reason,omitempty"`
}

// CatalogueSettings are the owner's rules of the organization's catalogue.
type CatalogueSettings struct {
	RegistersEdit bool `json:"registers_edit"` // registers may send their own changes
}

// ErrRegistersMayNotEdit refuses a register's changes while the owner does not allow them.
var ErrRegistersMayNotEdit = fmt.Errorf("%w: the owner does not let registers change the catalogue", ErrForbidden)

// CatalogueSettings reads the organization's catalogue rules.
func (s *Store) CatalogueSettings(ctx context.Context, orgID int64) (CatalogueSettings, error) {
	var cs CatalogueSettings
	err := s.pool.QueryRow(ctx, `SELECT registers_edit_catalogue FROM organizations WHERE id = $1`, orgID).Scan(&cs.RegistersEdit)
	return cs, err
}

// SetCatalogueSettings changes the organization's catalogue rules.
func (s *Store) SetCatalogueSettings(ctx context.Context, orgID int64, cs CatalogueSettings) error {
	_, err := s.pool.Exec(ctx, `UPDATE organizations SET registers_edit_catalogue = $2 WHERE id = $1`, orgID, cs.RegistersEdit)
	return err
}

// PutRegisterItems takes a register's own changes by the rule above, in one transaction with the
// owner's changes' lock (the organization's version row), and answers each.
func (s *Store) PutRegisterItems(ctx context.Context, orgID int64, items []RegisterItem) ([]RegisterItemResult, error) {
	if len(items) > MaxCataloguePage {
		return nil, &CatalogueError{Index: MaxCataloguePage, Err: ErrMalformed}
	}
	checked := make([]kkm.Item, len(items))
	for i, ri := range items {
		it := ri.Item
		if err := it.Validate(); err != nil { // it, as the register's rules read it (barcodes as keys)
			return nil, &CatalogueError{Index: i, Err: err}
		}
		it.ID = 0
		checked[i] = it
	}
	out := make([]RegisterItemResult, len(items))
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var allowed bool
		if err := tx.QueryRow(ctx, `SELECT registers_edit_catalogue FROM organizations WHERE id = $1`, orgID).Scan(&allowed); err != nil {
			return err
		}
		if !allowed {
			return ErrRegistersMayNotEdit
		}
		if _, err := tx.Exec(ctx, `INSERT INTO catalogue_versions (organization_id, version) VALUES ($1, 0)
			ON CONFLICT DO NOTHING`, orgID); err != nil {
			return err
		}
		var version int64
		if err := tx.QueryRow(ctx, `SELECT version FROM catalogue_versions WHERE organization_id = $1 FOR UPDATE`,
			orgID).Scan(&version); err != nil {
			return err
		}
		for i, ri := range items {
			it := checked[i]
			ci := CatalogueItem{Key: ri.Key, Item: it}
			held, found, err := heldItem(ctx, tx, orgID, ci)
			if err != nil {
				return err
			}
			if found && held.Version != ri.Base {
				out[i] = RegisterItemResult{Outcome: ItemSuperseded, Item: held}
				continue
			}
			if found {
				ci.Key = held.Key
			}
			// A savepoint: a refused item leaves nothing of itself behind.
			sp, err := tx.Begin(ctx)
			if err != nil {
				return err
			}
			changed, err := putItem(ctx, sp, orgID, &ci, version+1)
			if errors.Is(err, ErrCatalogueTaken) {
				if err := sp.Rollback(ctx); err != nil {
					return err
				}
				out[i] = RegisterItemResult{Outcome: ItemRefused, Item: CatalogueItem{Key: ri.Key, Version: ri.Base, Item: it}, Reason: err.Error()}
				continue
			}
			if err != nil {
				return &CatalogueError{Index: i, Err: err}
			}
			if err := sp.Commit(ctx); err != nil {
				return err
			}
			if changed {
				version++
			}
			out[i] = RegisterItemResult{Outcome: ItemTaken, Item: ci}
		}
		_, err := tx.Exec(ctx, `UPDATE catalogue_versions SET version = $2 WHERE organization_id = $1`, orgID, version)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// heldItem finds the hub's item a register's change is of: by its key, or for a new one by its
// article code, then its barcodes.
func heldItem(ctx context.Context, tx pgx.Tx, orgID int64, ci CatalogueItem) (CatalogueItem, bool, error) {
	key := ci.Key
	err := pgx.ErrNoRows
	if key == uuid.Nil {
		if ci.Item.Code != "" {
			err = tx.QueryRow(ctx, `SELECT key FROM catalogue_items WHERE organization_id = $1 AND code = $2`,
				orgID, ci.Item.Code).Scan(&key)
		}
		for _, b := range ci.Item.Barcodes {
			if !errors.Is(err, pgx.ErrNoRows) {
				break
			}
			err = tx.QueryRow(ctx, `SELECT key FROM catalogue_barcodes WHERE organization_id = $1 AND code = $2`,
				orgID, b).Scan(&key)
		}
		if errors.Is(err, pgx.ErrNoRows) {
			return CatalogueItem{}, false, nil
		}
		if err != nil {
			return CatalogueItem{}, false, err
		}
	}
	held := CatalogueItem{Key: key}
	var content []byte
	err = tx.QueryRow(ctx, `SELECT version, content FROM catalogue_items WHERE organization_id = $1 AND key = $2`,
		orgID, key).Scan(&held.Version, &content)
	if errors.Is(err, pgx.ErrNoRows) {
		return CatalogueItem{}, false, nil
	}
	if err != nil {
		return CatalogueItem{}, false, err
	}
	if err := json.Unmarshal(content, &held.Item); err != nil {
		return CatalogueItem{}, false, fmt.Errorf("hub: catalogue item %s: %w", key, err)
	}
	return held, true, nil
}

func (s *Server) putRegisterItems(w http.ResponseWriter, r *http.Request, p Principal) {
	var items []RegisterItem
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxPushBytes))
	if err := dec.Decode(&items); err != nil {
		s.fail(w, http.StatusBadRequest, errors.Join(ErrMalformed, err))
		return
	}
	out, err := s.store.PutRegisterItems(r.Context(), p.OrganizationID, items)
	if err != nil {
		s.fail(w, statusOf(err), err)
		return
	}
	s.reply(w, out)
}

func (s *Server) catalogueSettings(w http.ResponseWriter, r *http.Request, p Principal) {
	cs, err := s.store.CatalogueSettings(r.Context(), p.OrganizationID)
	if err != nil {
		s.fail(w, statusOf(err), err)
		return
	}
	s.reply(w, cs)
}

func (s *Server) putCatalogueSettings(w http.ResponseWriter, r *http.Request, p Principal) {
	var cs CatalogueSettings
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<10)).Decode(&cs); err != nil {
		s.fail(w, http.StatusBadRequest, errors.Join(ErrMalformed, err))
		return
	}
	if err := s.store.SetCatalogueSettings(r.Context(), p.OrganizationID, cs); err != nil {
		s.fail(w, statusOf(err), err)
		return
	}
	s.reply(w, cs)
}

// PutRegisterItems sends the calling register's own catalogue changes (a register's credential).
func (c *Client) PutRegisterItems(ctx context.Context, items []RegisterItem) ([]RegisterItemResult, error) {
	var out []RegisterItemResult
	err := c.call(ctx, http.MethodPost, "/v1/catalogue/register", items, &out)
	return out, err
}

// CatalogueSettings reads the organization's catalogue rules (owner's credential).
func (c *Client) CatalogueSettings(ctx context.Context) (CatalogueSettings, error) {
	var cs CatalogueSettings
	err := c.call(ctx, http.MethodGet, "/v1/catalogue/settings", nil, &cs)
	return cs, err
}

// SetCatalogueSettings changes the organization's catalogue rules (owner's credential).
func (c *Client) SetCatalogueSettings(ctx context.Context, cs CatalogueSettings) error {
	var out CatalogueSettings
	return c.call(ctx, http.MethodPut, "/v1/catalogue/settings", cs, &out)
}
