package ui

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/ekassa-go/ekassa/i18n"
	"github.com/ekassa-go/ekassa/kkm"
	"github.com/ekassa-go/ekassa/pricelist"
	"github.com/ekassa-go/ekassa/pricelist/journalimport"
	"github.com/ekassa-go/ekassa/storage"
)

// journalPriceLists is the price lists' port over a real journal, as the app's adapter is, with
// a hook called at each progress report (the test cancels there).
type journalPriceLists struct {
	j          *storage.Journal
	onProgress func(float64)
	progress   []float64
}

func (p *journalPriceLists) Read(_ context.Context, r io.Reader) (pricelist.Table, error) {
	return pricelist.ReadAny(r)
}

func (p *journalPriceLists) Import(ctx context.Context, _ kkm.Operator, t pricelist.Table, m pricelist.Mapping, update bool,
	progress func(float64)) (pricelist.Result, []*pricelist.RowError, error) {
	return journalimport.Import(ctx, p.j, t, m, update, func(f float64) {
		p.progress = append(p.progress, f)
		progress(f)
		if p.onProgress != nil {
			p.onProgress(f)
		}
	})
}

func (p *journalPriceLists) Export(ctx context.Context, w io.Writer, format, lang string) (int, error) {
	n := 0
	items := func(y func(kkm.Item) error) error {
		return p.j.EachItem(ctx, func(it kkm.Item) error { n++; return y(it) })
	}
	if format == "xlsx" {
		return n, pricelist.WriteXLSX(w, lang, items)
	}
	return n, pricelist.WriteCSV(w, lang, items)
}

func (p *journalPriceLists) count(t *testing.T) int {
	n, _, err := p.j.CountItems(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func newPriceListHarness(t *testing.T, lang i18n.Lang) (*harness, *journalPriceLists) {
	h := newHarness(t, true, true, lang)
	j, err := storage.Open(context.Background(), filepath.Join(t.TempDir(), "journal.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { j.Close() })
	p := &journalPriceLists{j: j}
	h.u.ports.PriceLists = p
	h.unlock()
	h.openSettings()
	h.tap(h.T("pricelist.title"))
	if _, ok := h.u.current.(*priceListScreen); !ok {
		t.Fatalf("not the import screen: %T", h.u.current)
	}
	return h, p
}

// chooseFile hands the screen a file as the file dialog would.
func (h *harness) chooseFile(name string, data []byte) {
	h.u.current.(*priceListScreen).load(name, io.NopCloser(bytes.NewReader(data)))
	h.settle()
}

// A cashier imports a price list with bad rows: each is shown with its line and its error in the
// cashier's language and nothing is imported; the fixed file imports whole, with the counts.
func TestImportPriceListWithBadRows(t *testing.T) {
	for _, lang := range i18n.Langs() {
		t.Run(string(lang), func(t *testing.T) {
			h, p := newPriceListHarness(t, lang)
			bad := "\uFEFFНаименование;Штрихкод;Ед.;Цена;НДС\n" +
				"Қымыз 0,5 л;4006381333931;шт;850,00;16\n" +
				"Шай;4006381333932;шт;100;16\n" + // a misread barcode
				"Кофе;;шт;сто;16\n" + // no price
				"Нан;;шт;250;16\n"
			h.chooseFile("prices.csv", []byte(bad))
			h.see(h.T("pricelist.file", map[string]any{"Name": "prices.csv", "Rows": 4}),
				h.T("pricelist.summary", map[string]any{"Good": 2, "Bad": 2}),
				h.T("pricelist.row", map[string]any{"Line": 2, "Name": "Қымыз 0,5 л", "Price": h.money(85000)}))
			loc := h.u.loc
			for _, e := range []struct {
				line int
				err  error
			}{{3, &kkm.Error{Code: kkm.ErrBarcodeCheckDigit, Data: map[string]any{"Code": "4006381333932"}}},
				{4, &kkm.Error{Code: kkm.ErrMoneySyntax, Data: map[string]any{"Input": "сто"}}}} {
				h.see(h.T("pricelist.row.error", map[string]any{"Line": e.line, "Error": loc.Error(e.err)}))
			}
			if !h.button(h.T("pricelist.do_import")).Disabled() {
				t.Fatal("«Import» enabled with bad rows")
			}
			h.fits("the import screen with bad rows")
			if n := p.count(t); n != 0 {
				t.Fatalf("%d items imported from a file with bad rows", n)
			}

			// The price column unmapped: the screen asks for it.
			h.choose("4. "+"Цена", h.T("pricelist.col.none"))
			h.see(loc.Error(&kkm.Error{Code: pricelist.ErrColumns}))
			h.choose(h.T("pricelist.col.none"), "4. Цена")

			fixed := strings.Replace(strings.Replace(bad, "4006381333932", "4006381333948", 1), "сто", "1 200,50", 1)
			h.chooseFile("prices.csv", []byte(fixed))
			h.see(h.T("pricelist.summary", map[string]any{"Good": 4, "Bad": 0}))
			h.tap(h.T("pricelist.do_import"))
			h.see(h.T("pricelist.imported", map[string]any{"Added": 4, "Updated": 0}))
			if n := p.count(t); n != 4 {
				t.Fatalf("%d items imported, want 4", n)
			}
			if last := p.progress[len(p.progress)-1]; last != 1 {
				t.Errorf("progress ended at %v", last)
			}
			h.fits("the import screen after the import")

			// The same list again updates the four by their barcodes or adds them anew.
			h.chooseFile("prices.csv", []byte(strings.Replace(fixed, "850,00", "900,00", 1)))
			h.tap(h.T("pricelist.do_import"))
			h.see(h.T("pricelist.imported", map[string]any{"Added": 2, "Updated": 2}))
			it, _, found, err := p.j.ItemByBarcode(context.Background(), "4006381333931")
			if err != nil || !found || it.Price != 90000 {
				t.Fatalf("kymyz after the update: %+v %v %v", it, found, err)
			}
		})
	}
}

// Cancelling an import half-way leaves the catalogue as it was and says so.
func TestImportPriceListCancelled(t *testing.T) {
	h, p := newPriceListHarness(t, i18n.Russian)
	var sb strings.Builder
	sb.WriteString("Товар;Цена\n")
	for i := 0; i < 3*storage.ProgressEvery; i++ {
		fmt.Fprintf(&sb, "Тауар %d;%d\n", i, 100+i)
	}
	h.chooseFile("big.csv", []byte(sb.String()))
	p.onProgress = func(f float64) {
		if f > 0.5 {
			// The cashier taps «Отменить» under the progress bar while the import runs.
			if b := h.button(h.T("button.cancel")); !b.Disabled() {
				test.Tap(b)
			}
			p.onProgress = nil
		}
	}
	h.tap(h.T("pricelist.do_import"))
	h.see(h.T("pricelist.cancelled"))
	if n := p.count(t); n != 0 {
		t.Fatalf("%d items half-imported", n)
	}
}

// The export saves the catalogue in a file that imports back to the same catalogue.
func TestExportPriceList(t *testing.T) {
	h, _ := newPriceListHarness(t, i18n.Kazakh)
	h.chooseFile("prices.xlsx", []byte("Атауы;Бағасы;Таңдаулы\nҚымыз;850;иә\nНан;250;\n"))
	h.tap(h.T("pricelist.do_import"))
	for _, format := range []string{"csv", "xlsx"} {
		w := &closeBuffer{}
		h.u.current.(*priceListScreen).export(w, format)
		h.settle()
		h.see(h.T("pricelist.exported", map[string]any{"Count": 2}))
		if !w.closed {
			t.Fatal("the file was not closed")
		}
		tab, err := pricelist.ReadAny(&w.Buffer)
		if err != nil || len(tab.Rows) != 2 || tab.Header[0] != "Атауы" {
			t.Fatalf("%s export: %+v %v", format, tab, err)
		}
		items, bad, err := tab.Items(pricelist.GuessMapping(tab.Header))
		if err != nil || len(bad) != 0 || items[0].Name != "Қымыз" || !items[0].Favourite || items[1].Price != 25000 {
			t.Fatalf("%s export read back: %+v %v %v", format, items, bad, err)
		}
	}
}

type closeBuffer struct {
	bytes.Buffer
	closed bool
}

func (b *closeBuffer) Close() error { b.closed = true; return nil }

// The import screen with its mapping, preview and errors fits a 360-pixel phone in every
// language at the largest text size.
func TestPriceListFitsAPhoneAt130(t *testing.T) {
	for _, lang := range i18n.Langs() {
		t.Run(string(lang), func(t *testing.T) {
			h, _ := newPriceListHarness(t, lang)
			h.app.Preferences().SetFloat(PrefTextScale, 1.3)
			h.app.Settings().SetTheme(&Theme{Mode: ThemeLight, Scale: 1.3})
			h.chooseFile("Прайс-лист магазина «Әсем» на декабрь 2026 года.xlsx", []byte(
				"Наименование товара по НКТ;Штрихкод;Единица измерения товара;Цена, тг;Ставка НДС, %;Избранное\n"+
					"Сүт «Фудмастер» 2,5 % 1 л пастерленген;4006381333931;шт;999 999 999,99;16;иә\n"+
					"Шай;4006381333932;литр;сто;12;мүмкін\n"))
			h.fits("the import screen at 130 %")
			h.shot("50-catalogue-import-" + string(lang))
		})
	}
}
