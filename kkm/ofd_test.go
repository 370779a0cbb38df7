package kkm

import (
	"strings"
	"testing"
	"time"
)

// Every OFD's offline check link has its real format (fact sheet §6.4), a trailing "/" kept.
func TestOfflineCheckLinkPerOFD(t *testing.T) {
	at := time.Date(2026, 3, 1, 12, 34, 56, 0, time.UTC)
	want := map[string]string{
		"kazakhtelecom":      "http://consumer.oofd.kz?i=1001&f=010101012345&s=580.00&t=20260301T123456",
		"kazakhtelecom_test": "http://dev.consumer.oofd.kz?i=1001&f=010101012345&s=580.00&t=20260301T123456",
		"transtelecom":       "https://ofd1.kz/t/?i=1001&f=010101012345&s=580.00&t=20260301T123456",
		"beeline":            "https://ofd.beeline.kz/t/?i=1001&f=010101012345&s=580.00&t=20260301T123456",
		"kofd":               "http://consumer.kofd.kz?i=1001&f=010101012345&s=580.00&t=20260301T123456",
	}
	if len(OFDs()) != len(want) {
		t.Fatalf("%d OFDs, the test knows %d", len(OFDs()), len(want))
	}
	for _, o := range OFDs() {
		t.Run(o.ID, func(t *testing.T) {
			s := DefaultSettings()
			s.OFDAddress = o.Address
			if o.Address == "" {
				s.OFDAddress = "10.0.0.1:7777" // typed from the cabinet
			}
			s.Reg = o.Register(RegInfo{RNM: "010101012345"})
			doc := Document{Kind: KindReceipt, Time: at, Offline: true, OfflineNumber: 1001,
				Receipt: &Receipt{Operation: OpSale, Total: 58000}}
			if got := CheckLink(doc, s, FiscalMark{}); got != want[o.ID] {
				t.Errorf("offline link %s\nwant         %s", got, want[o.ID])
			}
			if s.OFDTitle() != o.Title || s.OFD().ID != o.ID {
				t.Errorf("title %q, OFD %q: want %q of %s", s.OFDTitle(), s.OFD().ID, o.Title, o.ID)
			}
			// The receipt names the OFD and its site (Order 626 para 56 item 12).
			text := ReceiptText(doc, s, FiscalMark{}, ReceiptColumns42)
			site := strings.TrimRight(strings.TrimPrefix(strings.TrimPrefix(o.CheckBase, "https://"), "http://"), "/")
			if !strings.Contains(text, o.Title) || !strings.Contains(text, site) {
				t.Errorf("receipt lacks %q or %q:\n%s", o.Title, site, text)
			}
		})
	}
}

// A register connected before the OFD was recorded is Kazakhtelecom's by its address; one with
// an unknown check site prints no OFD name it cannot know, and keeps that site's links.
func TestOFDOfOlderAndUnknownRegistrations(t *testing.T) {
	s := DefaultSettings()
	s.OFDAddress = "xml.oofd.kz:7777"
	if s.OFD().ID != "kazakhtelecom" || s.OFDTitle() != KazakhtelecomOFDTitle || s.CheckSite() != KazakhtelecomCheckSite {
		t.Errorf("old registration: %+v %q %q", s.OFD(), s.OFDTitle(), s.CheckSite())
	}
	s.Reg.OFDCheckURL = "https://check.example.kz/r/"
	if s.OFDTitle() != "" || s.CheckSite() != "https://check.example.kz/r/" {
		t.Errorf("unknown OFD: title %q site %q", s.OFDTitle(), s.CheckSite())
	}
	if o, ok := OFDOfCheckBase("HTTPS://ofd1.kz/t"); !ok || o.ID != "transtelecom" {
		t.Errorf("check base without its slash: %+v %v", o, ok)
	}
	// What the registration names wins over the table.
	r := OFD{Title: "X", CheckBase: "http://x"}.Register(RegInfo{OFDTitle: "Own", OFDCheckURL: "http://own"})
	if r.OFDTitle != "Own" || r.OFDCheckURL != "http://own" {
		t.Errorf("Register overwrote the OFD's own: %+v", r)
	}
}

func TestOFDByAddress(t *testing.T) {
	if o, ok := OFDByAddress(" XML.oofd.kz:7777 "); !ok || o.ID != "kazakhtelecom" {
		t.Errorf("by address: %+v %v", o, ok)
	}
	if _, ok := OFDByAddress(""); ok {
		t.Error("an empty address matched an OFD without a published one")
	}
	if _, ok := OFDByID("nope"); ok {
		t.Error("unknown ID found")
	}
}
