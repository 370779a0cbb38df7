package kkm

import (
	"net"
	"strconv"
	"strings"
)

// The paper widths a receipt printer may have, in mm.
const (
	Paper58mm = 58
	Paper80mm = 80
)

// Printer is the network receipt printer (ESC/POS over TCP) the documents print on, kept in the
// register's settings beside the others: one place for what the owner sets, saved with the
// journal and restored with its backup. The app dials it; the register only keeps it.
type Printer struct {
	// Address is host or host:port of the printer (port 9100 by default); empty: no printer.
	Address string `json:"address,omitempty"`
	// Paper is the paper's width in mm, Paper58mm or Paper80mm (0 reads as 58 mm).
	Paper int `json:"paper,omitempty"`
}

// PaperWidth is the paper's width in mm: Paper80mm, or Paper58mm for anything else.
func (p Printer) PaperWidth() int {
	if p.Paper == Paper80mm {
		return Paper80mm
	}
	return Paper58mm
}

// Columns is the width of the receipt's text on this paper: one 12-dot cell per column fills the
// paper's printable dots.
func (p Printer) Columns() int {
	if p.PaperWidth() == Paper80mm {
		return ReceiptColumns80mm
	}
	return ReceiptColumns58mm
}

// Validate checks the printer as the settings take it: no address, or a host name or IP address
// with an optional port 1–65535 (ErrSettingsPrinterAddress); a paper of 0, 58 or 80 mm
// (ErrSettingsPrinterPaper).
func (p Printer) Validate() error {
	if p.Paper != 0 && p.Paper != Paper58mm && p.Paper != Paper80mm {
		return newError(ErrSettingsPrinterPaper)
	}
	if p.Address == "" {
		return nil
	}
	host := p.Address
	if h, port, err := net.SplitHostPort(p.Address); err == nil {
		n, perr := strconv.Atoi(port)
		if perr != nil || n < 1 || n > 65535 {
			return newError(ErrSettingsPrinterAddress)
		}
		host = h
	}
	if net.ParseIP(host) == nil && !hostName(host) {
		return newError(ErrSettingsPrinterAddress)
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
