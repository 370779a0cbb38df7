package app

import (
	"context"
	"fmt"
	"io"

	"github.com/ekassa-go/ekassa/kkm"
	"github.com/ekassa-go/ekassa/pricelist"
	"github.com/ekassa-go/ekassa/pricelist/journalimport"
	"github.com/ekassa-go/ekassa/storage"
	"github.com/ekassa-go/ekassa/ui"
)

// priceLists adapts package pricelist and the journal's catalogue to the screens' port,
// ui.PriceLists. An import asks the owner's permission (kkm.ActionCatalogue) first, as every
// change of the catalogue does (catalogue.go).
type priceLists struct {
	journal *storage.Journal
	access  interface {
		Allow(ctx context.Context, by kkm.Operator, a kkm.Action) error
	}
}

// newPriceLists returns the price lists' port over the journal, with the runtime's permissions.
func newPriceLists(j *storage.Journal, rt *Runtime) ui.PriceLists {
	return priceLists{journal: j, access: rt}
}

// Read reads a CSV or XLSX price list.
func (p priceLists) Read(_ context.Context, r io.Reader) (pricelist.Table, error) {
	return pricelist.ReadAny(r)
}

// Import imports the table when the cashier by may change the catalogue.
func (p priceLists) Import(ctx context.Context, by kkm.Operator, t pricelist.Table, m pricelist.Mapping, update bool,
	progress func(float64)) (pricelist.Result, []*pricelist.RowError, error) {
	if err := p.access.Allow(ctx, by, kkm.ActionCatalogue); err != nil {
		return pricelist.Result{}, nil, err
	}
	return journalimport.Import(ctx, p.journal, t, m, update, progress)
}

// Export writes the whole catalogue, archived items included (a copy re-imports to the same
// catalogue), and counts the items.
func (p priceLists) Export(ctx context.Context, w io.Writer, format, lang string) (int, error) {
	n := 0
	items := func(yield func(kkm.Item) error) error {
		return p.journal.EachItem(ctx, func(it kkm.Item) error { n++; return yield(it) })
	}
	var err error
	switch format {
	case "csv":
		err = pricelist.WriteCSV(w, lang, items)
	case "xlsx":
		err = pricelist.WriteXLSX(w, lang, items)
	default:
		err = fmt.Errorf("app: no price list format %q", format)
	}
	return n, err
}
