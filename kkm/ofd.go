package kkm

import "strings"

// OFD is an operator of fiscal data (ОФД) a register can be registered with: the name printed on
// its receipts (Order 626, para 56 item 12), the address registers send to, and its receipt-check
// site, whose link format the register follows for a receipt issued offline (fact sheet §6.4).
type OFD struct {
	// ID is a stable key ("kazakhtelecom", "transtelecom", ...), also the suffix of the picker's
	// message ID "connect.ofd.<ID>".
	ID string
	// Title is the name printed on receipts.
	Title string
	// Address is host:port where registers send their requests; empty when the OFD does not
	// publish it (the owner types the one from the OFD's cabinet).
	Address string
	// CheckBase is the receipt-check link up to its query, exactly as the OFD writes it: a
	// trailing "/" is part of it ("https://ofd1.kz/t/" gives "https://ofd1.kz/t/?i=…").
	CheckBase string
}

// The OFDs a register can pick, the default first. Only Kazakhtelecom's addresses are published in
// the fact sheet's sources (§2.1); the other OFDs give theirs in the cabinet with the system ID and
// token. The check links are the ones §6.4 records from public code.
var ofds = [...]OFD{
	{ID: "kazakhtelecom", Title: KazakhtelecomOFDTitle, Address: "xml.oofd.kz:7777", CheckBase: KazakhtelecomCheckSite},
	{ID: "kazakhtelecom_test", Title: KazakhtelecomOFDTitle, Address: kazakhtelecomTestAddress, CheckBase: KazakhtelecomTestCheckSite},
	{ID: "transtelecom", Title: "АО «Транстелеком»", CheckBase: "https://ofd1.kz/t/"},
	{ID: "beeline", Title: "Beeline (ТОО «КаР-Тел»)", CheckBase: "https://ofd.beeline.kz/t/"},
	{ID: "kofd", Title: "KOFD", CheckBase: "http://consumer.kofd.kz"},
}

// OFDs returns the OFDs a register can pick, the default (Kazakhtelecom's production) first.
func OFDs() []OFD {
	out := make([]OFD, len(ofds))
	copy(out, ofds[:])
	return out
}

// OFDByID returns the OFD with the given ID.
func OFDByID(id string) (OFD, bool) {
	for _, o := range ofds {
		if o.ID == id {
			return o, true
		}
	}
	return OFD{}, false
}

// OFDByAddress returns the OFD whose published address is addr (case-insensitive host).
func OFDByAddress(addr string) (OFD, bool) {
	for _, o := range ofds {
		if o.Address != "" && strings.EqualFold(o.Address, strings.TrimSpace(addr)) {
			return o, true
		}
	}
	return OFD{}, false
}

// OFDOfCheckBase returns the OFD whose check link starts with base, ignoring the scheme and a
// trailing "/", so a registration that names its check site finds its OFD's name.
func OFDOfCheckBase(base string) (OFD, bool) {
	key := func(s string) string {
		return strings.TrimRight(siteName(strings.ToLower(strings.TrimSpace(s))), "/")
	}
	for _, o := range ofds {
		if key(o.CheckBase) == key(base) {
			return o, true
		}
	}
	return OFD{}, false
}

// Register applies the OFD to a registration: its name and check site, unless the registration
// already names them (an OFD that sends its own keeps them).
func (o OFD) Register(r RegInfo) RegInfo {
	if r.OFDTitle == "" {
		r.OFDTitle = o.Title
	}
	if r.OFDCheckURL == "" {
		r.OFDCheckURL = o.CheckBase
	}
	return r
}

// OFD returns the register's OFD: the one its registration's check site names, else the one at
// its address, else Kazakhtelecom's (the default, and what a register made before the choice
// existed was connected to).
func (s Settings) OFD() OFD {
	if s.Reg.OFDCheckURL != "" {
		if o, ok := OFDOfCheckBase(s.Reg.OFDCheckURL); ok {
			return o
		}
	}
	if o, ok := OFDByAddress(s.OFDAddress); ok {
		return o
	}
	return ofds[0]
}
