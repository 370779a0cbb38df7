// Package ui is the register's Fyne interface, phone first: one type per screen, each built from
// the small ports of ports.go (one per job: the status line, settings, issuing, the journal's
// reading and the OFD's answers, access, recovery, journal care, cashiers, the printer, the
// catalogue, …; none above six methods, never type-asserted into another) and the i18n bundle,
// never from the journal or the protocol directly.
//
// Every user-facing string comes from package i18n; the language can be switched while the app
// runs and the visible screen is rebuilt in it. Work that may wait (the journal, the OFD) runs off
// the UI goroutine and reports back through fyne.Do, so a slow OFD never stops the cashier typing.
//
// It must not import escpos, storage, delivery, ofdclient or app (internal/archtest): it dials no
// printer, reads no SQL and speaks no protocol; the app implements the ports.
package ui
