// Package ui is the register's Fyne interface, phone first: one type per screen, each built from
// the small interfaces of ports.go (profiles, the OFD connection, the register) and the i18n
// bundle, never from the journal or the protocol directly.
//
// Every user-facing string comes from package i18n; the language can be switched while the app
// runs and the visible screen is rebuilt in it. Work that may wait (the journal, the OFD) runs off
// the UI goroutine and reports back through fyne.Do, so a slow OFD never stops the cashier typing.
package ui
