package ui

import (
	"context"
	"errors"
	"net"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/ekassa-go/ekassa/escpos"
	"github.com/ekassa-go/ekassa/kkm"
	"github.com/ekassa-go/ekassa/receipt"
)

// The keys under which the receipt printer is kept in the app's preferences. The printer belongs
// to the device, not to the register: the register's settings (kkm.Settings) do not carry it.
const (
	PrefPrinterAddress = "printer.address" // host or host:port of a network printer (port 9100 by default)
	PrefPrinterPaper   = "printer.paper"   // the paper's width in mm: 58 or 80
)

// The paper widths a printer may have, in mm.
const (
	Paper58mm = 58
	Paper80mm = 80
)

// printTimeout bounds one print job: a printer that does not take it by then is unreachable.
const printTimeout = 10 * time.Second

// The refusals of printing.
const (
	ErrPrinterNotSet  Refusal = "err.printer.not_set" // no printer address in the settings
	ErrPrinterAddress Refusal = "err.printer.address" // not host or host:port
)

// errPrinterUnreachable is the message ID of a print job that did not reach the printer.
const errPrinterUnreachable = "err.printer.unreachable"

// printerConfig is the receipt printer as chosen in the settings.
type printerConfig struct {
	Addr  string // host or host:port; empty: no printer
	Paper int    // Paper58mm or Paper80mm
}

// loadPrinter reads the printer from the preferences.
func loadPrinter(p fyne.Preferences) printerConfig {
	c := printerConfig{Addr: strings.TrimSpace(p.String(PrefPrinterAddress)), Paper: p.IntWithFallback(PrefPrinterPaper, Paper58mm)}
	if c.Paper != Paper80mm {
		c.Paper = Paper58mm
	}
	return c
}

// save keeps the printer in the preferences.
func (c printerConfig) save(p fyne.Preferences) {
	p.SetString(PrefPrinterAddress, c.Addr)
	p.SetInt(PrefPrinterPaper, c.Paper)
}

// columns is the width of the text on this paper: one 12-dot cell per column fills the paper's
// printable dots.
func (c printerConfig) columns() int {
	if c.Paper == Paper80mm {
		return kkm.ReceiptColumns80mm
	}
	return kkm.ReceiptColumns58mm
}

// printer is the ESC/POS printer to send to.
func (c printerConfig) printer() escpos.Printer {
	dots := escpos.Dots58mm
	if c.Paper == Paper80mm {
		dots = escpos.Dots80mm
	}
	return escpos.Printer{Addr: c.Addr, Dots: dots, Dither: escpos.Threshold, Timeout: printTimeout}
}

// checkPrinterAddress accepts a host name or IP address with an optional port.
func checkPrinterAddress(addr string) error {
	host := addr
	if h, port, err := net.SplitHostPort(addr); err == nil {
		n, perr := strconv.Atoi(port)
		if perr != nil || n < 1 || n > 65535 {
			return ErrPrinterAddress
		}
		host = h
	}
	if net.ParseIP(host) == nil && !hostName(host) {
		return ErrPrinterAddress
	}
	return nil
}

// hostName reports whether s is a host name (RFC 1123): dot-separated labels of 1–63 ASCII
// letters, digits and hyphens, not starting or ending with a hyphen, at most 253 characters, the
// last label not all digits (that would be a mistyped IP address or just a number). Emoji,
// control characters or a pasted page of text are not a printer's address.
func hostName(s string) bool {
	if s == "" || len(s) > 253 {
		return false
	}
	labels := strings.Split(strings.TrimSuffix(s, "."), ".")
	for _, l := range labels {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for i := 0; i < len(l); i++ {
			c := l[i]
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
				return false
			}
		}
	}
	return strings.Trim(labels[len(labels)-1], "0123456789") != ""
}

// printDocuments prints documents one job (one slip) each, drawn at the paper's width.
func printDocuments(ctx context.Context, c printerConfig, set kkm.Settings, docs []IssuedDocument) error {
	r, err := receiptRenderer()
	if err != nil {
		return err
	}
	for _, d := range docs {
		img, err := r.Render(d.Document, set, fiscalMark(d), receipt.Options{Columns: c.columns()})
		if err != nil {
			return err
		}
		if err := send(ctx, c, func(p escpos.Printer) error { return p.Print(ctx, img) }); err != nil {
			return err
		}
	}
	return nil
}

// printText prints monospace text as one slip.
func printText(ctx context.Context, c printerConfig, text string) error {
	r, err := receiptRenderer()
	if err != nil {
		return err
	}
	img, err := r.RenderText(text, "", receipt.Options{Columns: c.columns()})
	if err != nil {
		return err
	}
	return send(ctx, c, func(p escpos.Printer) error { return p.Print(ctx, img) })
}

// send runs a print job on the printer, turning its failure into the cashier's terms.
func send(ctx context.Context, c printerConfig, job func(escpos.Printer) error) error {
	if c.Addr == "" {
		return ErrPrinterNotSet
	}
	err := job(c.printer())
	if err == nil {
		return nil
	}
	if errors.Is(err, escpos.ErrNoAddress) {
		return ErrPrinterNotSet
	}
	return &uiError{id: errPrinterUnreachable, data: map[string]any{"Address": c.Addr}, cause: err}
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
	c := loadPrinter(u.app.Preferences())
	return &printerScreen{u: u, addr: c.Addr, paper: c.Paper}
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
func (s *printerScreen) config() (printerConfig, error) {
	c := printerConfig{Addr: strings.TrimSpace(s.addr), Paper: s.paper}
	if c.Addr == "" {
		return c, nil
	}
	return c, checkPrinterAddress(c.Addr)
}

// save keeps the printer as typed; an empty address removes the printer.
func (s *printerScreen) save() {
	u := s.u
	c, err := s.config()
	s.err, s.notice = err, ""
	if err == nil {
		c.save(u.app.Preferences())
		s.addr = c.Addr
		s.notice = u.loc.T("printer.saved")
	}
	u.render()
}

// testPrint prints a test slip on the printer as typed: the paper's width, every Kazakh letter.
func (s *printerScreen) testPrint() {
	u, l := s.u, s.u.loc
	c, err := s.config()
	s.err, s.notice = err, ""
	if err == nil && c.Addr == "" {
		s.err = ErrPrinterNotSet
	}
	if s.err != nil {
		u.render()
		return
	}
	text := strings.Join([]string{
		l.T("printer.test.title"),
		l.T("printer.test.paper", map[string]any{"Paper": c.Paper, "Count": c.columns()}),
		strings.Repeat("-", c.columns()),
		l.T("printer.test.letters"),
		dateTime(l, time.Now()),
	}, "\n")
	s.busy = true
	s.notice = l.T("printer.printing")
	u.render()
	u.background(func(ctx context.Context) func() {
		err := printText(ctx, c, text)
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
