package ui

import (
	"context"

	"github.com/ekassa-go/ekassa/kkm"
)

// Catalogue is the shop's goods (kkm.Item) as the sale screen and the catalogue's own screens use
// them: found as the cashier types, scanned, sold with one tap, created, edited and archived.
// Ports.Catalogue may be nil: then the sale screen is the free form it was and the menu has no
// «Каталог товаров». Reading is every cashier's; the changes are for the roles the owner allows
// (kkm.ActionCatalogue), which the implementation checks again with by.
type Catalogue interface {
	// Search finds the items whose name, article code, NTIN or barcode holds text, best first, at
	// most limit of them: those on sale, or with archived the archived ones. An empty text lists
	// the favourites first, then the others by name.
	Search(ctx context.Context, text string, archived bool, limit int) ([]kkm.Item, error)
	// Favourites lists the favourite items on sale, by name, for the one-tap grid.
	Favourites(ctx context.Context, limit int) ([]kkm.Item, error)
	// ItemByBarcode reads raw as a scan (kkm.ReadBarcode) and returns the item that carries it,
	// archived or not; found is false when none does. A code that is no barcode is the reading's
	// translatable error.
	ItemByBarcode(ctx context.Context, raw string) (it kkm.Item, found bool, err error)
	// ItemByCode returns the item with this article (PLU) code, archived or not: a scale label
	// names its item by it.
	ItemByCode(ctx context.Context, code string) (it kkm.Item, found bool, err error)
	// SaveItem validates and saves an item (a new one has ID 0) and returns it as saved; a
	// barcode or code of another item is refused naming that item.
	SaveItem(ctx context.Context, by kkm.Operator, it kkm.Item) (kkm.Item, error)
	// SetArchived archives an item (hidden from sale and search, its codes kept) or brings it back.
	SetArchived(ctx context.Context, by kkm.Operator, id int64, archived bool) error
}
