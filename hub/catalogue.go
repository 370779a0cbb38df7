package hub

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/ekassa-go/ekassa/kkm"
)

// One catalogue for all shops: the organization's items live at the hub, the owner changes them
// (PutCatalogue, owner's credential), and every register of the organization pulls the changes
// after its own version cursor (CatalogueChanges, register's credential) into its local catalogue,
// which it sells from whether the hub is reachable or not (hubsync.Puller). An item is never
// deleted, only archived (kkm.Item.Archived), so a change is always a newer state of one item and
// a register applying the changes in version order reaches the hub's catalogue.

// CatalogueItem is one item of an organization's catalogue as the hub holds it.
type CatalogueItem struct {
	// Key names the item across the organization's registers; zero in a PutCatalogue asks the
	// hub to match the item by its article code, then its barcodes, or to make it new.
	Key uuid.UUID `json:"key"`
	// Version is the organization's catalogue version of the item's last change (set by the hub).
	Version int64 `json:"version"`
	// Item is the item; its ID is each register's own and is not kept.
	Item kkm.Item `json:"item"`
}

// CatalogueChanges is a page of changes after a version: the items changed, in version order,
// and the version to ask after next (the last item's, or the cursor asked when none changed).
type CatalogueChanges struct {
	Items   []CatalogueItem `json:"items"`
	Version int64           `json:"version"`
	More    bool            `json:"more"` // the page was full: ask again after Version
}

// Limits of the catalogue's calls.
const (
	MaxCataloguePut  = 50_000 // items in one PutCatalogue
	MaxCataloguePage = 5_000  // items in one page of changes
)

// ErrCatalogueTaken refuses a change that gives an item another item's article code or barcode.
var ErrCatalogueTaken = errors.New("hub: the code or barcode is another item's")

// CatalogueError names the item of a PutCatalogue that was refused (its index in the call) and
// why: a *kkm.Error of the item's check, ErrCatalogueTaken, or ErrMalformed.
type CatalogueError struct {
	Index int
	Err   error
}

func (e *CatalogueError) Error() string {
	return fmt.Sprintf("hub: catalogue item %d: %v", e.Index, e.Err)
}

// Unwrap gives the cause.
func (e *CatalogueError) Unwrap() error { return e.Err }

// PutCatalogue saves items into the organization's catalogue in one transaction, all or none,
// each checked as a register checks it (kkm.Item.Validate) and with an article code and barcodes
// no other item of the organization has. Each changed item gets the next version of the
// organization's catalogue; an item sent unchanged keeps its version. It returns the items as
// saved, with their keys and versions.
func (s *Store) PutCatalogue(ctx context.Context, orgID int64, items []CatalogueItem) ([]CatalogueItem, error) {
	if len(items) > MaxCataloguePut {
		return nil, &CatalogueError{Index: MaxCataloguePut, Err: ErrMalformed}
	}
	out := make([]CatalogueItem, len(items))
	for i, ci := range items {
		it := ci.Item
		if err := it.Validate(); err != nil {
			return nil, &CatalogueError{Index: i, Err: err}
		}
		it.ID = 0
		out[i] = CatalogueItem{Key: ci.Key, Item: it}
	}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		// The organization's version row, locked until commit: one writer of its catalogue at a time.
		if _, err := tx.Exec(ctx, `INSERT INTO catalogue_versions (organization_id, version) VALUES ($1, 0)
			ON CONFLICT DO NOTHING`, orgID); err != nil {
			return err
		}
		var version int64
		if err := tx.QueryRow(ctx, `SELECT version FROM catalogue_versions WHERE organization_id = $1 FOR UPDATE`,
			orgID).Scan(&version); err != nil {
			return err
		}
		for i := range out {
			changed, err := putItem(ctx, tx, orgID, &out[i], version+1)
			if err != nil {
				return &CatalogueError{Index: i, Err: err}
			}
			if changed {
				version++
			}
		}
		_, err := tx.Exec(ctx, `UPDATE catalogue_versions SET version = $2 WHERE organization_id = $1`, orgID, version)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// putItem writes one checked item at version next unless it is unchanged; a zero key is matched
// by code, then barcodes, or made new.
func putItem(ctx context.Context, tx pgx.Tx, orgID int64, ci *CatalogueItem, next int64) (changed bool, err error) {
	it := ci.Item
	if ci.Key == uuid.Nil {
		err := pgx.ErrNoRows
		if it.Code != "" {
			err = tx.QueryRow(ctx, `SELECT key FROM catalogue_items WHERE organization_id = $1 AND code = $2`,
				orgID, it.Code).Scan(&ci.Key)
		}
		for _, b := range it.Barcodes {
			if !errors.Is(err, pgx.ErrNoRows) {
				break
			}
			err = tx.QueryRow(ctx, `SELECT key FROM catalogue_barcodes WHERE organization_id = $1 AND code = $2`,
				orgID, b).Scan(&ci.Key)
		}
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			ci.Key = uuid.New()
		case err != nil:
			return false, err
		}
	}
	content, err := json.Marshal(it)
	if err != nil {
		return false, err
	}
	var old []byte
	var oldVersion int64
	err = tx.QueryRow(ctx, `SELECT content, version FROM catalogue_items WHERE organization_id = $1 AND key = $2`,
		orgID, ci.Key).Scan(&old, &oldVersion)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
	case err != nil:
		return false, err
	default:
		var was kkm.Item
		if json.Unmarshal(old, &was) == nil && sameItem(was, it) {
			ci.Version = oldVersion
			return false, nil
		}
	}
	if it.Code != "" {
		var other []byte
		err := tx.QueryRow(ctx, `SELECT content FROM catalogue_items WHERE organization_id = $1 AND code = $2 AND key <> $3`,
			orgID, it.Code, ci.Key).Scan(&other)
		if err == nil {
			return false, fmt.Errorf("%w: code %s", ErrCatalogueTaken, it.Code)
		} else if !errors.Is(err, pgx.ErrNoRows) {
			return false, err
		}
	}
	if _, err := tx.Exec(ctx, `INSERT INTO catalogue_items (organization_id, key, version, code, content)
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT (organization_id, key) DO UPDATE
		SET version = excluded.version, code = excluded.code, content = excluded.content, changed_at = now()`,
		orgID, ci.Key, next, it.Code, content); err != nil {
		return false, err
	}
	if _, err := tx.Exec(ctx, `DELETE FROM catalogue_barcodes WHERE organization_id = $1 AND key = $2`, orgID, ci.Key); err != nil {
		return false, err
	}
	for _, b := range it.Barcodes {
		var other uuid.UUID
		err := tx.QueryRow(ctx, `INSERT INTO catalogue_barcodes (organization_id, code, key) VALUES ($1, $2, $3)
			ON CONFLICT (organization_id, code) DO UPDATE SET code = catalogue_barcodes.code RETURNING key`,
			orgID, b, ci.Key).Scan(&other)
		if err != nil {
			return false, err
		}
		if other != ci.Key {
			return false, fmt.Errorf("%w: barcode %s", ErrCatalogueTaken, kkm.DisplayBarcode(b))
		}
	}
	ci.Version = next
	return true, nil
}

// sameItem reports whether two checked items are the same in everything a register keeps.
func sameItem(a, b kkm.Item) bool {
	a.ID, b.ID = 0, 0
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}

// CatalogueChanges returns the organization's items changed after version, oldest change first,
// at most limit (MaxCataloguePage when 0 or more).
func (s *Store) CatalogueChanges(ctx context.Context, orgID, after int64, limit int) (CatalogueChanges, error) {
	if limit <= 0 || limit > MaxCataloguePage {
		limit = MaxCataloguePage
	}
	rows, err := s.pool.Query(ctx, `SELECT key, version, content FROM catalogue_items
		WHERE organization_id = $1 AND version > $2 ORDER BY version LIMIT $3`, orgID, after, limit)
	if err != nil {
		return CatalogueChanges{}, err
	}
	defer rows.Close()
	ch := CatalogueChanges{Version: after, Items: []CatalogueItem{}}
	for rows.Next() {
		var ci CatalogueItem
		var content []byte
		if err := rows.Scan(&ci.Key, &ci.Version, &content); err != nil {
			return CatalogueChanges{}, err
		}
		if err := json.Unmarshal(content, &ci.Item); err != nil {
			return CatalogueChanges{}, fmt.Errorf("hub: catalogue item %s: %w", ci.Key, err)
		}
		ch.Items = append(ch.Items, ci)
		ch.Version = ci.Version
	}
	if err := rows.Err(); err != nil {
		return CatalogueChanges{}, err
	}
	ch.More = len(ch.Items) == limit
	return ch, nil
}

// asMember lets any credential of an organization through, its owner's or one of its registers':
// what it reads is its own organization's (Principal.OrganizationID), never another's.
func (s *Server) asMember(h handler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if p, ok := s.authenticate(w, r); ok {
			h(w, r, p)
		}
	}
}

func (s *Server) putCatalogue(w http.ResponseWriter, r *http.Request, p Principal) {
	var items []CatalogueItem
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxPushBytes*4))
	if err := dec.Decode(&items); err != nil {
		s.fail(w, http.StatusBadRequest, errors.Join(ErrMalformed, err))
		return
	}
	out, err := s.store.PutCatalogue(r.Context(), p.OrganizationID, items)
	if err != nil {
		s.fail(w, statusOf(err), err)
		return
	}
	s.reply(w, out)
}

func (s *Server) catalogueChanges(w http.ResponseWriter, r *http.Request, p Principal) {
	q := r.URL.Query()
	after, err := strconv.ParseInt(q.Get("after"), 10, 64)
	if err != nil && q.Get("after") != "" || after < 0 {
		s.fail(w, http.StatusBadRequest, ErrMalformed)
		return
	}
	limit, _ := strconv.Atoi(q.Get("limit"))
	ch, err := s.store.CatalogueChanges(r.Context(), p.OrganizationID, after, limit)
	if err != nil {
		s.fail(w, statusOf(err), err)
		return
	}
	s.reply(w, ch)
}

// PutCatalogue saves items into the organization's catalogue (owner's credential) and returns
// them with their keys and versions.
func (c *Client) PutCatalogue(ctx context.Context, items []CatalogueItem) ([]CatalogueItem, error) {
	var out []CatalogueItem
	err := c.call(ctx, http.MethodPut, "/v1/catalogue", items, &out)
	return out, err
}

// CatalogueChanges reads the organization's catalogue changes after version, at most limit (0:
// the hub's most).
func (c *Client) CatalogueChanges(ctx context.Context, after int64, limit int) (CatalogueChanges, error) {
	var ch CatalogueChanges
	v := url.Values{"after": {strconv.FormatInt(after, 10)}}
	if limit > 0 {
		v.Set("limit", strconv.Itoa(limit))
	}
	err := c.call(ctx, http.MethodGet, "/v1/catalogue?"+v.Encode(), nil, &ch)
	return ch, err
}
