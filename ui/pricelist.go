package ui

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/ekassa-go/ekassa/pricelist"
)

// priceListScreen is «Импорт и экспорт товаров»: a price list chosen as a file (CSV or XLSX), its
// columns mapped to the item's fields (guessed from the header, changeable with selects), a
// preview of the first rows and every bad row's error in the cashier's language, and
// «Импортировать» with a progress bar and a cancel. Nothing is imported while a row is bad, and
// an import refused or cancelled leaves the catalogue as it was (one transaction). Below, the
// catalogue's export as CSV or XLSX.
type priceListScreen struct {
	u    *UI
	port PriceLists

	name    string           // the file's name
	table   *pricelist.Table // nil until a file is read
	mapping pricelist.Mapping
	update  bool

	// The preview of the table under the mapping, computed off the UI goroutine.
	good    int
	bad     []*pricelist.RowError
	preview []previewRow
	mapErr  error

	busy     bool                // reading or checking
	progress *widget.ProgressBar // while importing
	cancel   context.CancelFunc  // while importing
	err      error
	notice   string // what the last import or export did
}

// previewRow is one of the first rows as it will be imported, or its error.
type previewRow struct {
	line  int
	name  string
	price string
	err   error
}

// The preview's bounds: the first rows shown, and the bad rows listed with their errors.
const (
	previewRows     = 5
	previewMaxError = 50
)

// OpenPriceLists shows «Импорт и экспорт товаров» (from the settings, or the catalogue's screen).
func (u *UI) OpenPriceLists() {
	if u.ports.PriceLists != nil {
		u.open(&priceListScreen{u: u, port: u.ports.PriceLists, update: true})
	}
}

func (s *priceListScreen) refresh() {
	if s.u.current == s {
		s.u.render()
	}
}

// choose asks for the price list's file.
func (s *priceListScreen) choose() {
	l := s.u.loc
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil || r == nil {
			return
		}
		s.load(r.URI().Name(), r)
	}, s.u.win)
	d.SetFilter(storage.NewExtensionFileFilter([]string{".csv", ".xlsx", ".txt"}))
	d.SetConfirmText(l.T("pricelist.choose"))
	titleFileDialog(d, l, false)
	d.SetDismissText(l.T("button.cancel"))
	d.Show()
}

// load reads the price list from r (closing it) off the UI goroutine and maps its columns by
// their header.
func (s *priceListScreen) load(name string, r io.ReadCloser) {
	s.busy, s.err, s.notice, s.table = true, nil, "", nil
	s.u.render()
	port := s.port
	s.u.background(func(ctx context.Context) func() {
		t, err := port.Read(ctx, r)
		r.Close()
		return func() {
			s.busy, s.err = false, err
			if err != nil {
				s.refresh()
				return
			}
			s.name, s.table, s.mapping = name, &t, pricelist.GuessMapping(t.Header)
			s.check()
		}
	})
}

// check previews the table under the mapping off the UI goroutine (50 000 rows take a moment).
func (s *priceListScreen) check() {
	t, m := s.table, s.mapping
	s.busy = true
	s.refresh()
	s.u.background(func(context.Context) func() {
		items, bad, err := t.Items(m)
		var rows []previewRow
		if err == nil {
			// The first rows in the file's order, good or bad.
			gi, bi := 0, 0
			for i := 0; i < len(t.Rows) && len(rows) < previewRows; i++ {
				line := t.Lines[i]
				if bi < len(bad) && bad[bi].Line == line {
					rows = append(rows, previewRow{line: line, err: bad[bi].Err})
					bi++
					continue
				}
				it := items[gi]
				gi++
				rows = append(rows, previewRow{line: line, name: it.Name, price: money(s.u.loc, it.Price)})
			}
		}
		return func() {
			if s.table != t || s.mapping != m {
				return // the file or the mapping changed meanwhile: that check follows
			}
			s.busy, s.mapErr, s.good, s.bad, s.preview = false, err, len(items), bad, rows
			s.refresh()
		}
	})
}

// importNow imports the checked table, with a progress bar and a way to cancel.
func (s *priceListScreen) importNow() {
	u := s.u
	t, m, update, by := *s.table, s.mapping, s.update, u.cashier.Operator()
	ctx, cancel := context.WithCancel(context.Background())
	bar := widget.NewProgressBar()
	s.progress, s.cancel, s.err, s.notice = bar, cancel, nil, ""
	u.render()
	u.background(func(context.Context) func() {
		res, bad, err := s.port.Import(ctx, by, t, m, update, func(f float64) {
			fyne.Do(func() { bar.SetValue(f) }) // on Fyne's thread
		})
		cancelled := ctx.Err() != nil
		cancel()
		return func() {
			s.progress, s.cancel = nil, nil
			switch {
			case cancelled && (err != nil || len(bad) > 0):
				s.notice = u.loc.T("pricelist.cancelled")
			case err != nil:
				s.err = err
			case len(bad) > 0:
				s.bad, s.good = bad, len(t.Rows)-len(bad) // refused by the journal: a code taken
			default:
				s.notice = u.loc.T("pricelist.imported", map[string]any{"Added": res.Added, "Updated": res.Updated})
				s.table, s.bad, s.preview = nil, nil, nil
			}
			s.refresh()
		}
	})
}

// export saves the catalogue as format to w off the UI goroutine.
func (s *priceListScreen) export(w io.WriteCloser, format string) {
	u := s.u
	lang := string(u.loc.Lang())
	s.busy, s.err, s.notice = true, nil, ""
	u.render()
	u.background(func(ctx context.Context) func() {
		n, err := s.port.Export(ctx, w, format, lang)
		if cerr := w.Close(); err == nil {
			err = cerr
		}
		return func() {
			s.busy, s.err = false, err
			if err == nil {
				s.notice = u.loc.T("pricelist.exported", map[string]any{"Count": n})
			}
			s.refresh()
		}
	})
}

func (s *priceListScreen) saveDialog(format string) {
	saveFileDialog(s.u, fmt.Sprintf("catalogue_%s.%s", time.Now().Format("2006-01-02"), format),
		func(w fyne.URIWriteCloser) { s.export(w, format) })
}

// columnIDs name the item's fields the columns fill, in pricelist.Column's order.
var columnIDs = [pricelist.Columns]string{
	"pricelist.col.name", "pricelist.col.ntin", "pricelist.col.code", "pricelist.col.barcodes",
	"pricelist.col.unit", "pricelist.col.price", "pricelist.col.vat", "pricelist.col.marked",
	"pricelist.col.favourite", "pricelist.col.archived",
}

func (s *priceListScreen) view() fyne.CanvasObject {
	u, l := s.u, s.u.loc
	body := container.NewVBox(boldWrapped(l.T("pricelist.import")), wrapped(l.T("pricelist.intro")))
	importing := s.progress != nil
	chooseBtn := widget.NewButtonWithIcon(l.T("pricelist.choose"), theme.FolderOpenIcon(), s.choose)
	if importing || s.busy {
		chooseBtn.Disable()
	}
	body.Add(chooseBtn)
	var actions []fyne.CanvasObject
	if s.table != nil {
		body.Add(wrapped(l.T("pricelist.file", map[string]any{"Name": s.name, "Rows": len(s.table.Rows)})))
		body.Add(boldWrapped(l.T("pricelist.mapping")))
		body.Add(s.mappingView(importing))
		body.Add(errorText(l.Error(s.mapErr)))
		if !s.busy && s.mapErr == nil {
			s.previewView(body)
		}
		// A check's own text never wraps: the words lie beside it in a wrapped label.
		upd := widget.NewCheck("", func(on bool) { s.update = on })
		upd.SetChecked(s.update)
		if importing {
			upd.Disable()
		}
		body.Add(container.NewBorder(nil, nil, upd, nil, wrapped(l.T("pricelist.update"))))
		do := primary(l.T("pricelist.do_import"), s.importNow)
		if importing || s.busy || s.mapErr != nil || len(s.bad) > 0 || s.good == 0 {
			do.Disable()
		}
		actions = append(actions, do)
	}
	if s.busy {
		body.Add(widget.NewProgressBarInfinite())
	}
	if importing {
		actions = append([]fyne.CanvasObject{wrapped(l.T("pricelist.importing")), s.progress,
			widget.NewButton(l.T("button.cancel"), func() { s.cancel() })}, actions...)
	}
	body.Add(errorText(l.Error(s.err)))
	if s.notice != "" {
		body.Add(wrapped(s.notice))
	}
	body.Add(widget.NewSeparator())
	body.Add(boldWrapped(l.T("pricelist.export")))
	csvBtn := widget.NewButtonWithIcon(l.T("pricelist.export.csv"), theme.DocumentSaveIcon(), func() { s.saveDialog("csv") })
	xlsxBtn := widget.NewButtonWithIcon(l.T("pricelist.export.xlsx"), theme.DocumentSaveIcon(), func() { s.saveDialog("xlsx") })
	if importing || s.busy {
		csvBtn.Disable()
		xlsxBtn.Disable()
	}
	body.Add(csvBtn)
	body.Add(xlsxBtn)
	return page(u.header(l.T("pricelist.title"), !importing), body, actions...)
}

// mappingView is a select per item field, offering the file's columns by number and header.
func (s *priceListScreen) mappingView(importing bool) fyne.CanvasObject {
	l := s.u.loc
	none := l.T("pricelist.col.none")
	options := []string{none}
	for i, h := range s.table.Header {
		options = append(options, strconv.Itoa(i+1)+". "+clipText(h, 24))
	}
	box := container.NewVBox()
	for c := pricelist.Column(0); c < pricelist.Columns; c++ {
		sel := widget.NewSelect(options, nil)
		sel.SetSelectedIndex(s.mapping[c] + 1)
		sel.OnChanged = func(string) {
			s.mapping[c] = sel.SelectedIndex() - 1
			s.check()
		}
		if importing {
			sel.Disable()
		}
		box.Add(field(l.T(columnIDs[c]), sel))
	}
	return box
}

// previewView adds the first rows, the counts and every bad row's error (the first
// previewMaxError of them).
func (s *priceListScreen) previewView(body *fyne.Container) {
	l := s.u.loc
	body.Add(boldWrapped(l.T("pricelist.preview")))
	for _, r := range s.preview {
		if r.err != nil {
			body.Add(errorText(l.T("pricelist.row.error", map[string]any{"Line": r.line, "Error": l.Error(r.err)})))
			continue
		}
		body.Add(wrapped(l.T("pricelist.row", map[string]any{"Line": r.line, "Name": r.name, "Price": r.price})))
	}
	body.Add(boldWrapped(l.T("pricelist.summary", map[string]any{"Good": s.good, "Bad": len(s.bad)})))
	if len(s.bad) == 0 {
		return
	}
	body.Add(wrapped(l.T("pricelist.fix")))
	for i, b := range s.bad {
		if i == previewMaxError {
			body.Add(wrapped(l.T("pricelist.more_errors", map[string]any{"Count": len(s.bad) - i})))
			break
		}
		body.Add(errorText(l.T("pricelist.row.error", map[string]any{"Line": b.Line, "Error": l.Error(b.Err)})))
	}
}

// clipText shortens s to n characters with an ellipsis.
func clipText(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// boldWrapped is a bold label that wraps its words (a title long in Kazakh at 130 %).
func boldWrapped(text string) *widget.Label {
	b := bold(text)
	b.Wrapping = fyne.TextWrapWord
	return b
}
