package ui

import (
	"context"
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/ekassa-go/ekassa/kkm"
)

// Printer prints on the receipt printer of the settings (kkm.Settings.Printer). The app
// implements it over package escpos; the screens never dial a printer themselves.
type Printer interface {
	// Print prints documents, one slip each, drawn at the paper's width, on the printer of the
	// settings. No printer set is ErrPrinterNotSet; a printer that does not take the job is a
	// *PrinterUnreachableError.
	Print(ctx context.Context, docs []IssuedDocument) error
	// PrintText prints monospace text as one slip on printer p as typed (the test print, before
	// it is saved), with the same errors as Print.
	PrintText(ctx context.Context, p kkm.Printer, text string) error
}

// The paper widths a printer may have, in mm (kkm's).
const (
	Paper58mm = kkm.Paper58mm
	Paper80mm = kkm.Paper80mm
)

// The refusals of printing.
const (
	ErrPrinterNotSet  Refusal = "err.printer.not_set" // no printer address in the settings
	ErrPrinterAddress Refusal = "err.printer.address" // not host or host:port (kkm.ErrSettingsPrinterAddress)
)

// errPrinterUnreachable is the message ID of a print job that did not reach the printer.
const errPrinterUnreachable = "err.printer.unreachable"

// PrinterUnreachableError is a print job the printer at Address did not take: off, in another
// network, or not a printer. It wraps the cause.
type PrinterUnreachableError struct {
	Address string
	Err     error
}

// Error describes the failure for logs.
func (e *PrinterUnreachableError) Error() string {
	return fmt.Sprintf("ui: printer %s unreachable: %v", e.Address, e.Err)
}

// Unwrap returns the cause.
func (e *PrinterUnreachableError) Unwrap() error { return e.Err }

// MessageID is the key of the text.
func (e *PrinterUnreachableError) MessageID() string { return errPrinterUnreachable }

// TemplateData names the printer: {{.Address}}.
func (e *PrinterUnreachableError) TemplateData() map[string]any {
	return map[string]any{"Address": e.Address}
}

// checkPrinterAddress accepts a host name or IP address with an optional port (kkm's rule for the
// settings, checked here as it is typed).
func checkPrinterAddress(addr string) error {
	if err := (kkm.Printer{Address: addr}).Validate(); err != nil {
		return ErrPrinterAddress
	}
	return nil
}

// printerButton opens the printer's settings; the settings screen shows it.
func (u *UI) printerButton() fyne.CanvasObject {
	return widget.NewButtonWithIcon(u.loc.T("printer.title"), theme.DocumentPrintIcon(), func() {
		u.open(newPrinterScreen(u))
	})
}

// printerScreen chooses the network receipt printer: its address, its paper, and a test print.
type printerScreen struct {
	u      *UI
	addr   string
	paper  int
	err    error
	notice string
	busy   bool
}

func newPrinterScreen(u *UI) *printerScreen {
	c := u.ports.Settings.Settings().Printer
	return &printerScreen{u: u, addr: c.Address, paper: c.PaperWidth()}
}

func (s *printerScreen) view() fyne.CanvasObject {
	u, l := s.u, s.u.loc
	papers := []int{Paper58mm, Paper80mm}
	chosen := 0
	if s.paper == Paper80mm {
		chosen = 1
	}
	paper := segmented([]string{l.T("printer.paper.58"), l.T("printer.paper.80")}, chosen, func(i int) {
		s.paper = papers[i]
		u.render()
	})
	notice := wrapped(s.notice)
	if s.notice == "" {
		notice.Hide()
	}
	test := widget.NewButtonWithIcon(l.T("printer.test"), theme.DocumentPrintIcon(), s.testPrint)
	save := primary(l.T("settings.save"), s.save)
	if s.busy {
		test.Disable()
		save.Disable()
	}
	return page(u.header(l.T("printer.title"), true),
		container.NewVBox(
			wrapped(l.T("printer.intro")),
			field(l.T("printer.address"), entry(&s.addr, l.T("printer.address.hint"))),
			field(l.T("printer.paper"), paper),
			errorText(l.Error(s.err)),
			notice,
		),
		test, save)
}

// config is the printer as typed, checked.
func (s *printerScreen) config() (kkm.Printer, error) {
	c := kkm.Printer{Address: strings.TrimSpace(s.addr), Paper: s.paper}
	if c.Address == "" {
		return c, nil
	}
	return c, checkPrinterAddress(c.Address)
}

// save keeps the printer as typed in the register's settings; an empty address removes the
// printer. The register checks the cashier's right to change the settings again.
func (s *printerScreen) save() {
	u := s.u
	c, err := s.config()
	s.err, s.notice = err, ""
	if err != nil {
		u.render()
		return
	}
	by := u.cashier.Operator()
	s.busy = true
	u.render()
	u.background(func(ctx context.Context) func() {
		set := u.ports.Settings.Settings()
		set.Printer = c
		err := u.ports.Settings.SaveSettings(ctx, by, set)
		return func() {
			s.busy = false
			s.err = err
			if err == nil {
				s.addr = c.Address
				s.notice = u.loc.T("printer.saved")
			}
			if u.current == s {
				u.render()
			}
		}
	})
}

// testPrint prints a test slip on the printer as typed: the paper's width, every Kazakh letter.
func (s *printerScreen) testPrint() {
	u, l := s.u, s.u.loc
	c, err := s.config()
	s.err, s.notice = err, ""
	if err == nil && (c.Address == "" || u.ports.Printer == nil) {
		s.err = ErrPrinterNotSet
	}
	if s.err != nil {
		u.render()
		return
	}
	text := strings.Join([]string{
		l.T("printer.test.title"),
		l.T("printer.test.paper", map[string]any{"Paper": c.PaperWidth(), "Count": c.Columns()}),
		strings.Repeat("-", c.Columns()),
		l.T("printer.test.letters"),
		dateTime(l, time.Now()),
	}, "\n")
	s.busy = true
	s.notice = l.T("printer.printing")
	u.render()
	u.background(func(ctx context.Context) func() {
		err := u.ports.Printer.PrintText(ctx, c, text)
		return func() {
			s.busy = false
			s.err, s.notice = err, ""
			if err == nil {
				s.notice = u.loc.T("printer.printed")
			}
			if u.current == s {
				u.render()
			}
		}
	})
}
