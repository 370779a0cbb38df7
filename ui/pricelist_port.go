package ui

import (
	"context"
	"io"

	"github.com/ekassa-go/ekassa/kkm"
	"github.com/ekassa-go/ekassa/pricelist"
)

// PriceLists brings a price list into the catalogue and takes the catalogue out as one
// (app/pricelist.go, over package pricelist and the journal). Ports.PriceLists may be nil: then
// the settings have no «Импорт и экспорт товаров». Importing is a change of the catalogue, for
// the roles the owner allows (kkm.ActionCatalogue), which the implementation checks with by.
type PriceLists interface {
	// Read reads a price list, CSV or XLSX (told from its first bytes), into its table.
	Read(ctx context.Context, r io.Reader) (pricelist.Table, error)
	// Import writes the table's rows under m in one transaction (journalimport.Import, in app): bad rows are
	// returned and nothing is written; with update an item of the same code or barcode is
	// replaced. progress is called with the fraction done from the importing goroutine.
	Import(ctx context.Context, by kkm.Operator, t pricelist.Table, m pricelist.Mapping, update bool,
		progress func(float64)) (pricelist.Result, []*pricelist.RowError, error)
	// Export writes the whole catalogue to w as format ("csv" or "xlsx") with the header in lang,
	// and returns how many items it wrote.
	Export(ctx context.Context, w io.Writer, format, lang string) (int, error)
}
