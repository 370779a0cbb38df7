package app

import (
	"context"

	"github.com/ekassa-go/ekassa/kkm"
	"github.com/ekassa-go/ekassa/storage"
	"github.com/ekassa-go/ekassa/ui"
)

// catalogue adapts the journal's catalogue (storage) to the screens' port, ui.Catalogue. Its
// changes ask the owner's permission (kkm.ActionCatalogue) of the cashier at work, as the
// runtime does for every restricted action, so a screen that forgot to ask still cannot write.
type catalogue struct {
	journal *storage.Journal
	access  interface {
		Allow(ctx context.Context, by kkm.Operator, a kkm.Action) error
	}
	// changed, when set, wakes the hub's catalogue sync after a change: the change goes up to the
	// owner's hub at once (it is in the journal already; the sync never holds the screen).
	changed func()
}

// newCatalogue returns the catalogue's port over the journal, with the runtime's permissions.
func newCatalogue(j *storage.Journal, rt *Runtime) ui.Catalogue {
	return catalogue{journal: j, access: rt}
}

// Search finds items as the cashier types (storage.Journal.SearchItems).
func (c catalogue) Search(ctx context.Context, text string, archived bool, limit int) ([]kkm.Item, error) {
	return c.journal.SearchItems(ctx, storage.ItemQuery{Text: text, Archived: archived, Limit: limit})
}

// Favourites lists the favourites on sale.
func (c catalogue) Favourites(ctx context.Context, limit int) ([]kkm.Item, error) {
	return c.journal.Favourites(ctx, limit)
}

// ItemByBarcode finds the item of a scan.
func (c catalogue) ItemByBarcode(ctx context.Context, raw string) (kkm.Item, bool, error) {
	it, _, found, err := c.journal.ItemByBarcode(ctx, raw)
	return it, found, err
}

// ItemByCode finds the item of an article (scale) code.
func (c catalogue) ItemByCode(ctx context.Context, code string) (kkm.Item, bool, error) {
	return c.journal.ItemByCode(ctx, code)
}

// SaveItem saves an item when the cashier by may change the catalogue.
func (c catalogue) SaveItem(ctx context.Context, by kkm.Operator, it kkm.Item) (kkm.Item, error) {
	if err := c.access.Allow(ctx, by, kkm.ActionCatalogue); err != nil {
		return kkm.Item{}, err
	}
	saved, err := c.journal.SaveItem(ctx, it)
	if err == nil && c.changed != nil {
		c.changed()
	}
	return saved, err
}

// SetArchived archives an item or brings it back when the cashier by may change the catalogue.
func (c catalogue) SetArchived(ctx context.Context, by kkm.Operator, id int64, archived bool) error {
	if err := c.access.Allow(ctx, by, kkm.ActionCatalogue); err != nil {
		return err
	}
	err := c.journal.SetItemArchived(ctx, id, archived)
	if err == nil && c.changed != nil {
		c.changed()
	}
	return err
}
