package app

import (
	"context"
	"errors"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"

	"github.com/ekassa-go/ekassa/escpos"
	"github.com/ekassa-go/ekassa/kkm"
	"github.com/ekassa-go/ekassa/receipt"
	"github.com/ekassa-go/ekassa/ui"
)

// printTimeout bounds one print job: a printer that does not take it by then is unreachable.
const printTimeout = 10 * time.Second

// printer is the screens' printer port (ui.Printer) over a network ESC/POS printer: it draws each
// document with package receipt at the paper's width and sends the raster with package escpos.
// The printer is the one in the register's settings (kkm.Settings.Printer).
type printer struct {
	settings func() kkm.Settings
}

// newPrinter returns the printer port reading the printer from settings.
func newPrinter(settings func() kkm.Settings) ui.Printer { return printer{settings: settings} }

// receiptRenderer draws what prints, in Fyne's monospace font (DejaVu Sans Mono, every Kazakh
// letter), handed to package receipt here so that it needs no GUI toolkit. Made once: reading the
// font is the costly part, and a Renderer is safe for concurrent use.
var receiptRenderer = sync.OnceValues(func() (*receipt.Renderer, error) {
	return receipt.NewRenderer(theme.DefaultTextMonospaceFont().Content())
})

// Print prints documents one job (one slip) each, drawn at the paper's width.
func (p printer) Print(ctx context.Context, docs []ui.IssuedDocument) error {
	set := p.settings()
	c := set.Printer
	if c.Address == "" {
		return ui.ErrPrinterNotSet
	}
	r, err := receiptRenderer()
	if err != nil {
		return err
	}
	for _, d := range docs {
		img, err := r.Render(d.Document, set, d.FiscalMark(), receipt.Options{Columns: c.Columns()})
		if err != nil {
			return err
		}
		if err := send(ctx, c, func(e escpos.Printer) error { return e.Print(ctx, img) }); err != nil {
			return err
		}
	}
	return nil
}

// PrintText prints monospace text as one slip on printer c.
func (p printer) PrintText(ctx context.Context, c kkm.Printer, text string) error {
	if c.Address == "" {
		return ui.ErrPrinterNotSet
	}
	if err := c.Validate(); err != nil {
		return err
	}
	r, err := receiptRenderer()
	if err != nil {
		return err
	}
	img, err := r.RenderText(text, "", receipt.Options{Columns: c.Columns()})
	if err != nil {
		return err
	}
	return send(ctx, c, func(e escpos.Printer) error { return e.Print(ctx, img) })
}

// send runs a print job on the printer, turning its failure into the cashier's terms.
func send(ctx context.Context, c kkm.Printer, job func(escpos.Printer) error) error {
	dots := escpos.Dots58mm
	if c.PaperWidth() == kkm.Paper80mm {
		dots = escpos.Dots80mm
	}
	err := job(escpos.Printer{Addr: c.Address, Dots: dots, Dither: escpos.Threshold, Timeout: printTimeout})
	if err == nil {
		return nil
	}
	if errors.Is(err, escpos.ErrNoAddress) {
		return ui.ErrPrinterNotSet
	}
	return &ui.PrinterUnreachableError{Address: c.Address, Err: err}
}

// The keys under which builds before the printer moved into the register's settings kept it in
// the app's preferences.
const (
	prefPrinterAddress = "printer.address"
	prefPrinterPaper   = "printer.paper"
)

// migratePrinter moves a printer kept in the app's preferences by an earlier build into the
// register's settings, once: when the settings have no printer and the preferences one, it is
// saved there (no cashier's permission asked: it is the owner's own earlier choice) and the
// preferences forget it, so that a printer later removed in the settings does not come back.
func migratePrinter(ctx context.Context, rt *Runtime, prefs fyne.Preferences) error {
	addr := strings.TrimSpace(prefs.String(prefPrinterAddress))
	if addr == "" {
		return nil
	}
	c := kkm.Printer{Address: addr, Paper: prefs.IntWithFallback(prefPrinterPaper, kkm.Paper58mm)}
	c.Paper = c.PaperWidth()
	if err := rt.adoptPrinter(ctx, c); err != nil {
		return err
	}
	prefs.RemoveValue(prefPrinterAddress)
	prefs.RemoveValue(prefPrinterPaper)
	return nil
}

// adoptPrinter saves c as the register's printer when the settings have none (migratePrinter).
func (rt *Runtime) adoptPrinter(ctx context.Context, c kkm.Printer) error {
	if err := c.Validate(); err != nil {
		return nil // an address no build accepts: nothing worth keeping
	}
	rt.mu.Lock()
	defer rt.mu.Unlock()
	s := rt.reg.Settings
	if s.Printer.Address != "" {
		return nil
	}
	s.Printer = c
	if err := rt.journal.SaveSettings(ctx, s); err != nil {
		return err
	}
	rt.reg.Settings = s
	return nil
}
