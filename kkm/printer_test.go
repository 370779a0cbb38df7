package kkm

import (
	"errors"
	"testing"
)

// The printers the settings take: an address a host name or IP with an optional port, a paper
// of 58 or 80 mm (0 reads as 58); Settings.Validate refuses the rest with the printer's codes.
func TestPrinterValidate(t *testing.T) {
	for addr, ok := range map[string]bool{
		"": true, "192.168.1.50": true, "192.168.1.50:9100": true, "printer.local": true, "[fe80::1]:9100": true,
		"fe80::1": true, "printer:port": false, "host:0": false, "host:70000": false, ":9100": false,
		"a b": false, "http://x": false, "1234": false, "-printer": false, "ә.kz": false,
	} {
		err := Printer{Address: addr}.Validate()
		if (err == nil) != ok || err != nil && !errors.Is(err, ErrSettingsPrinterAddress) {
			t.Errorf("%q: %v", addr, err)
		}
	}
	for _, c := range []struct {
		paper, width, columns int
		ok                    bool
	}{{0, Paper58mm, ReceiptColumns58mm, true}, {58, Paper58mm, ReceiptColumns58mm, true},
		{80, Paper80mm, ReceiptColumns80mm, true}, {72, Paper58mm, ReceiptColumns58mm, false}} {
		p := Printer{Address: "10.0.0.2", Paper: c.paper}
		if err := p.Validate(); (err == nil) != c.ok || err != nil && !errors.Is(err, ErrSettingsPrinterPaper) {
			t.Errorf("paper %d: %v", c.paper, err)
		}
		if p.PaperWidth() != c.width || p.Columns() != c.columns {
			t.Errorf("paper %d: %d mm, %d columns", c.paper, p.PaperWidth(), p.Columns())
		}
	}
	s := DefaultSettings()
	s.Printer = Printer{Address: "printer:port"}
	if err := s.Validate(); !errors.Is(err, ErrSettingsPrinterAddress) {
		t.Errorf("settings with a bad printer: %v", err)
	}
}
