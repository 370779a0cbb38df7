package ui

import (
	"context"
	"slices"
	"strings"
	"sync"

	"github.com/ekassa-go/ekassa/kkm"
)

// fakeCatalogue keeps items in memory with the journal's rules that the screens meet: kkm's
// validation, a barcode or code on one item only (refused naming the other), the owner's
// permission asked of access for every change, and search over name, code, NTIN and barcode.
type fakeCatalogue struct {
	mu     sync.Mutex
	items  []kkm.Item
	access Access
}

func (c *fakeCatalogue) Search(_ context.Context, text string, archived bool, limit int) ([]kkm.Item, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	q := kkm.FoldForSearch(text)
	var out []kkm.Item
	for _, it := range c.items {
		if it.Archived != archived {
			continue
		}
		hit := strings.Contains(kkm.FoldForSearch(it.Name), q) || strings.Contains(kkm.FoldForSearch(it.Code), q) ||
			strings.Contains(it.NTIN, q)
		for _, b := range it.Barcodes {
			hit = hit || q != "" && strings.HasPrefix(kkm.DisplayBarcode(b), q)
		}
		if hit {
			out = append(out, it)
		}
	}
	slices.SortStableFunc(out, func(a, b kkm.Item) int {
		if a.Favourite != b.Favourite && q == "" {
			if a.Favourite {
				return -1
			}
			return 1
		}
		return strings.Compare(a.Name, b.Name)
	})
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

func (c *fakeCatalogue) Favourites(_ context.Context, limit int) ([]kkm.Item, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []kkm.Item
	for _, it := range c.items {
		if it.Favourite && !it.Archived && len(out) < limit {
			out = append(out, it)
		}
	}
	return out, nil
}

func (c *fakeCatalogue) ItemByBarcode(_ context.Context, raw string) (kkm.Item, bool, error) {
	b, err := kkm.ReadBarcode(raw)
	if err != nil {
		return kkm.Item{}, false, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, it := range c.items {
		if slices.Contains(it.Barcodes, b.Key) {
			return it, true, nil
		}
	}
	return kkm.Item{}, false, nil
}

func (c *fakeCatalogue) ItemByCode(_ context.Context, code string) (kkm.Item, bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, it := range c.items {
		if it.Code != "" && it.Code == code {
			return it, true, nil
		}
	}
	return kkm.Item{}, false, nil
}

func (c *fakeCatalogue) SaveItem(ctx context.Context, by kkm.Operator, it kkm.Item) (kkm.Item, error) {
	if c.access != nil {
		if err := c.access.Allow(ctx, by, kkm.ActionCatalogue); err != nil {
			return kkm.Item{}, err
		}
	}
	if err := it.Validate(); err != nil {
		return kkm.Item{}, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, o := range c.items {
		if o.ID == it.ID {
			continue
		}
		if it.Code != "" && o.Code == it.Code {
			return kkm.Item{}, &kkm.Error{Code: kkm.ErrItemCodeTaken, Data: map[string]any{"Code": it.Code, "Name": o.Name}}
		}
		for _, b := range it.Barcodes {
			if slices.Contains(o.Barcodes, b) {
				return kkm.Item{}, &kkm.Error{Code: kkm.ErrBarcodeTaken, Data: map[string]any{"Code": kkm.DisplayBarcode(b), "Name": o.Name}}
			}
		}
	}
	if it.ID == 0 {
		it.ID = int64(len(c.items) + 1)
		c.items = append(c.items, it)
		return it, nil
	}
	for i := range c.items {
		if c.items[i].ID == it.ID {
			c.items[i] = it
			return it, nil
		}
	}
	return kkm.Item{}, &kkm.Error{Code: kkm.ErrItemNotFound}
}

func (c *fakeCatalogue) SetArchived(ctx context.Context, by kkm.Operator, id int64, archived bool) error {
	if c.access != nil {
		if err := c.access.Allow(ctx, by, kkm.ActionCatalogue); err != nil {
			return err
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for i := range c.items {
		if c.items[i].ID == id {
			c.items[i].Archived = archived
			return nil
		}
	}
	return &kkm.Error{Code: kkm.ErrItemNotFound}
}

// item returns the stored item with this name.
func (c *fakeCatalogue) item(name string) (kkm.Item, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, it := range c.items {
		if it.Name == name {
			return it, true
		}
	}
	return kkm.Item{}, false
}

// ean13 completes 12 digits with their GS1 check digit.
func ean13(first12 string) string {
	sum := 0
	for i, r := range first12 {
		d := int(r - '0')
		if i%2 == 1 {
			d *= 3
		}
		sum += d
	}
	return first12 + string(rune('0'+(10-sum%10)%10))
}
