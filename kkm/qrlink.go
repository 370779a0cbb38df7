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

// CheckSite is the site where a buyer checks this register's receipts: the one the registration
// names, else Kazakhtelecom's (its test site for its test server).
func (s Settings) CheckSite() string {
	if s.Reg.OFDCheckURL != "" {
		return strings.TrimRight(s.Reg.OFDCheckURL, "/")
	}
	if s.OFDAddress == kazakhtelecomTestAddress {
		return KazakhtelecomTestCheckSite
	}
	return KazakhtelecomCheckSite
}

// QRLink builds a receipt's check link in Kazakhtelecom's format,
//
//	<site>?i=<fiscal sign>&f=<RNM>&s=<total with two decimals>&t=<yyyyMMddTHHmmss>
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
