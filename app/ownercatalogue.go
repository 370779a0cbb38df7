package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"

	"github.com/google/uuid"

	"github.com/ekassa-go/ekassa/hub"
	"github.com/ekassa-go/ekassa/kkm"
	"github.com/ekassa-go/ekassa/pricelist"
	"github.com/ekassa-go/ekassa/ui"
)

// hubCatalogue is the organization's catalogue at the hub as the owner edits it in the app: the
// register's own catalogue screens (ui.Catalogue) and price-list import (ui.PriceLists) over the
// hub's PUT /v1/catalogue. It keeps a copy of the hub's items, brought up to date from its version
// cursor before every read (GET /v1/catalogue?after=), so a search is a scan of a few thousand
// items in memory and sees the registers' own changes too. The screens name items by an ID; the
// hub by a key: the copy gives each key a number of its own, stable while the app runs.
type hubCatalogue struct {
	c *hub.Client

	mu      sync.Mutex
	version int64
	items   []hub.CatalogueItem // by ID - 1
	ids     map[uuid.UUID]int64
}

func newHubCatalogue(c *hub.Client) *hubCatalogue {
	return &hubCatalogue{c: c, ids: map[uuid.UUID]int64{}}
}

// refresh brings the copy up to the hub's catalogue.
func (h *hubCatalogue) refresh(ctx context.Context) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	for {
		ch, err := h.c.CatalogueChanges(ctx, h.version, 0)
		if err != nil {
			return ownerError(err)
		}
		h.keep(ch.Items)
		if ch.Version > h.version {
			h.version = ch.Version
		}
		if !ch.More {
			return nil
		}
	}
}

// keep puts the hub's items into the copy (h.mu held), each under its ID.
func (h *hubCatalogue) keep(items []hub.CatalogueItem) []kkm.Item {
	out := make([]kkm.Item, len(items))
	for i, ci := range items {
		id, ok := h.ids[ci.Key]
		if !ok {
			h.items = append(h.items, ci)
			id = int64(len(h.items))
			h.ids[ci.Key] = id
		} else if ci.Version >= h.items[id-1].Version {
			h.items[id-1] = ci
		}
		ci.Item.ID = id
		h.items[id-1].Item.ID = id
		out[i] = ci.Item
	}
	return out
}

// matching returns the items that pass keep, in the copy's order (h.mu not held).
func (h *hubCatalogue) matching(ctx context.Context, keep func(kkm.Item) bool) ([]kkm.Item, error) {
	if err := h.refresh(ctx); err != nil {
		return nil, err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []kkm.Item
	for _, ci := range h.items {
		if keep(ci.Item) {
			out = append(out, ci.Item)
		}
	}
	return out, nil
}

// Search finds the items whose name, code, NTIN or barcode holds text, as the register's search
// does (folded for case and Kazakh letters); an empty text lists the favourites first.
func (h *hubCatalogue) Search(ctx context.Context, text string, archived bool, limit int) ([]kkm.Item, error) {
	q := kkm.FoldForSearch(strings.TrimSpace(text))
	digits := strings.TrimLeft(strings.TrimSpace(text), "0")
	items, err := h.matching(ctx, func(it kkm.Item) bool {
		if it.Archived != archived {
			return false
		}
		if q == "" || strings.Contains(kkm.FoldForSearch(it.Name), q) || strings.Contains(kkm.FoldForSearch(it.Code), q) ||
			(it.NTIN != "" && strings.Contains(it.NTIN, strings.TrimSpace(text))) {
			return true
		}
		for _, b := range it.Barcodes {
			if digits != "" && strings.Contains(strings.TrimLeft(b, "0"), digits) {
				return true
			}
		}
		return false
	})
	if err != nil {
		return nil, err
	}
	slices.SortStableFunc(items, func(a, b kkm.Item) int {
		if q == "" && a.Favourite != b.Favourite {
			if a.Favourite {
				return -1
			}
			return 1
		}
		return strings.Compare(kkm.FoldForSearch(a.Name), kkm.FoldForSearch(b.Name))
	})
	if limit > 0 && len(items) > limit {
		items = items[:limit]
	}
	return items, nil
}

// Favourites lists the favourites on sale, by name.
func (h *hubCatalogue) Favourites(ctx context.Context, limit int) ([]kkm.Item, error) {
	items, err := h.Search(ctx, "", false, 0)
	if err != nil {
		return nil, err
	}
	var out []kkm.Item
	for _, it := range items {
		if it.Favourite && (limit <= 0 || len(out) < limit) {
			out = append(out, it)
		}
	}
	return out, nil
}

// ItemByBarcode finds the item of a scan.
func (h *hubCatalogue) ItemByBarcode(ctx context.Context, raw string) (kkm.Item, bool, error) {
	b, err := kkm.ReadBarcode(raw)
	if err != nil {
		return kkm.Item{}, false, err
	}
	items, err := h.matching(ctx, func(it kkm.Item) bool { return slices.Contains(it.Barcodes, b.Key) })
	if err != nil || len(items) == 0 {
		return kkm.Item{}, false, err
	}
	return items[0], true, nil
}

// ItemByCode finds the item of an article code.
func (h *hubCatalogue) ItemByCode(ctx context.Context, code string) (kkm.Item, bool, error) {
	items, err := h.matching(ctx, func(it kkm.Item) bool { return code != "" && it.Code == code })
	if err != nil || len(items) == 0 {
		return kkm.Item{}, false, err
	}
	return items[0], true, nil
}

// SaveItem checks the item as a register does, refuses a code or barcode of another item naming it
// (as the register's catalogue does), and puts it into the hub's catalogue.
func (h *hubCatalogue) SaveItem(ctx context.Context, _ kkm.Operator, it kkm.Item) (kkm.Item, error) {
	if err := it.Validate(); err != nil {
		return kkm.Item{}, err
	}
	if err := h.refresh(ctx); err != nil {
		return kkm.Item{}, err
	}
	h.mu.Lock()
	key := uuid.Nil
	if it.ID > 0 && int(it.ID) <= len(h.items) {
		key = h.items[it.ID-1].Key
	}
	for _, other := range h.items {
		if other.Key == key {
			continue
		}
		if it.Code != "" && other.Item.Code == it.Code {
			h.mu.Unlock()
			return kkm.Item{}, &kkm.Error{Code: kkm.ErrItemCodeTaken, Data: map[string]any{"Code": it.Code, "Name": other.Item.Name}}
		}
		for _, b := range it.Barcodes {
			if slices.Contains(other.Item.Barcodes, b) {
				h.mu.Unlock()
				return kkm.Item{}, &kkm.Error{Code: kkm.ErrBarcodeTaken, Data: map[string]any{"Code": kkm.DisplayBarcode(b), "Name": other.Item.Name}}
			}
		}
	}
	h.mu.Unlock()
	put, err := h.put(ctx, []hub.CatalogueItem{{Key: key, Item: it}})
	if err != nil {
		return kkm.Item{}, err
	}
	return put[0], nil
}

// put puts items into the hub's catalogue and keeps them as saved.
func (h *hubCatalogue) put(ctx context.Context, items []hub.CatalogueItem) ([]kkm.Item, error) {
	saved, err := h.c.PutCatalogue(ctx, items)
	var ce *hub.CatalogueError
	if errors.As(err, &ce) {
		return nil, ce.Err
	}
	if err != nil {
		return nil, ownerError(err)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.keep(saved), nil
}

// SetArchived archives an item at the hub, or brings it back.
func (h *hubCatalogue) SetArchived(ctx context.Context, by kkm.Operator, id int64, archived bool) error {
	if err := h.refresh(ctx); err != nil {
		return err
	}
	h.mu.Lock()
	if id <= 0 || int(id) > len(h.items) {
		h.mu.Unlock()
		return &kkm.Error{Code: kkm.ErrItemNotFound}
	}
	ci := h.items[id-1]
	h.mu.Unlock()
	ci.Item.Archived = archived
	_, err := h.put(ctx, []hub.CatalogueItem{ci})
	return err
}

// RegistersEdit says whether the owner lets the registers change the catalogue.
func (h *hubCatalogue) RegistersEdit(ctx context.Context) (bool, error) {
	cs, err := h.c.CatalogueSettings(ctx)
	return cs.RegistersEdit, ownerError(err)
}

// SetRegistersEdit lets the registers change the catalogue, or stops them.
func (h *hubCatalogue) SetRegistersEdit(ctx context.Context, on bool) error {
	return ownerError(h.c.SetCatalogueSettings(ctx, hub.CatalogueSettings{RegistersEdit: on}))
}

// Read reads a CSV or XLSX price list (ui.PriceLists).
func (h *hubCatalogue) Read(_ context.Context, r io.Reader) (pricelist.Table, error) {
	return pricelist.ReadAny(r)
}

// Import puts a price list's items into the hub's catalogue in one call, all or none: bad rows are
// returned and nothing is put. An item of the same code or barcode is updated whether or not update
// is asked (the hub matches items so, and a price list imported again must not make them twice).
func (h *hubCatalogue) Import(ctx context.Context, _ kkm.Operator, t pricelist.Table, m pricelist.Mapping, _ bool,
	progress func(float64)) (pricelist.Result, []*pricelist.RowError, error) {
	items, bad, err := t.Items(m)
	if err != nil || len(bad) > 0 {
		return pricelist.Result{}, bad, err
	}
	if len(items) > hub.MaxCataloguePut {
		return pricelist.Result{}, nil, fmt.Errorf("%w: at most %d items at once", ui.ErrOwnerHub, hub.MaxCataloguePut)
	}
	if err := h.refresh(ctx); err != nil {
		return pricelist.Result{}, nil, err
	}
	put := make([]hub.CatalogueItem, len(items))
	for i, it := range items {
		put[i] = hub.CatalogueItem{Item: it}
	}
	h.mu.Lock()
	known := len(h.items)
	h.mu.Unlock()
	saved, err := h.put(ctx, put)
	if err != nil {
		return pricelist.Result{}, nil, err
	}
	if progress != nil {
		progress(1)
	}
	var res pricelist.Result
	for _, it := range saved {
		if int(it.ID) > known {
			res.Added++
		} else {
			res.Updated++
		}
	}
	return res, nil, nil
}

// Export writes the hub's whole catalogue, archived items included, as a price list.
func (h *hubCatalogue) Export(ctx context.Context, w io.Writer, format, lang string) (int, error) {
	items, err := h.matching(ctx, func(kkm.Item) bool { return true })
	if err != nil {
		return 0, err
	}
	source := func(yield func(kkm.Item) error) error {
		for _, it := range items {
			if err := yield(it); err != nil {
				return err
			}
		}
		return nil
	}
	switch format {
	case "csv":
		err = pricelist.WriteCSV(w, lang, source)
	case "xlsx":
		err = pricelist.WriteXLSX(w, lang, source)
	default:
		err = fmt.Errorf("app: no price list format %q", format)
	}
	return len(items), err
}

// The owner hub's catalogue (ui.OwnerCatalogue).
func (h ownerHub) Catalogue() ui.Catalogue                         { return h.cat }
func (h ownerHub) PriceLists() ui.PriceLists                       { return h.cat }
func (h ownerHub) RegistersEdit(ctx context.Context) (bool, error) { return h.cat.RegistersEdit(ctx) }
func (h ownerHub) SetRegistersEdit(ctx context.Context, on bool) error {
	return h.cat.SetRegistersEdit(ctx, on)
}
