package kkm

import (
	"fmt"
	"net/url"
	"strings"
	"time"
)

// The receipt-check sites of Kazakhtelecom's OFD (fact sheet §6.4): production, and the one of its
// test server.
const (
	KazakhtelecomCheckSite     = "http://consumer.oofd.kz"
	KazakhtelecomTestCheckSite = "http://dev.consumer.oofd.kz"
	kazakhtelecomTestAddress   = "37.150.215.187:7777"
)

// CheckSite is the receipt-check link base of this register's OFD, up to the query and exactly as
// the OFD writes it (a trailing "/" kept): the one the registration names, else its OFD's (see
// Settings.OFD; Kazakhtelecom's by default, its test site for its test server).
func (s Settings) CheckSite() string {
	if s.Reg.OFDCheckURL != "" {
		return strings.TrimSpace(s.Reg.OFDCheckURL)
	}
	return s.OFD().CheckBase
}

// OFDTitle is the OFD's name printed on this register's receipts: the registration's, else the
// name of the OFD its check site or address belongs to; empty for an OFD the register does not
// know by name.
func (s Settings) OFDTitle() string {
	if s.Reg.OFDTitle != "" {
		return s.Reg.OFDTitle
	}
	if s.Reg.OFDCheckURL != "" {
		o, _ := OFDOfCheckBase(s.Reg.OFDCheckURL)
		return o.Title
	}
	return s.OFD().Title
}

// QRLink builds a receipt's check link in the format the OFDs share (fact sheet §6.4),
//
//	<site>?i=<fiscal sign>&f=<RNM>&s=<total with two decimals>&t=<yyyyMMddTHHmmss>
//
// where site is the OFD's link base as it writes it: "http://consumer.oofd.kz" (Kazakhtelecom),
// "https://ofd1.kz/t/" (Transtelecom), "https://ofd.beeline.kz/t/" (Beeline),
// "http://consumer.kofd.kz" (KOFD). A trailing "/" is kept: "…/t/?i=", never "…/t?i=".
//
// which is what the receipt's QR code holds. Online the OFD's own link is used; this one is
// for receipts issued offline, where sign is the register's offline number. The time is the
// receipt's wall clock, as on the wire.
func QRLink(site, sign, rnm string, total Money, at time.Time) string {
	if total < 0 {
		total = -total
	}
	return fmt.Sprintf("%s?i=%s&f=%s&s=%d.%02d&t=%s", site, url.QueryEscape(sign), url.QueryEscape(rnm),
		total/100, total%100, at.Format("20060102T150405"))
}
