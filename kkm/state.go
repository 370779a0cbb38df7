package kkm

import "time"

// State is the register's persistent state: where the numbering stands and every counter the
// reports need. The journal saves it whole, as JSON, in the same transaction as each document that
// changes it; the JSON tags are stable.
//
// A State is only ever changed by the Register's issuing methods, which return a new State and
// leave the old one untouched.
type State struct {
	ShiftNumber       uint32    `json:"shift_number"`        // the open shift, or the last closed one (0 before the first)
	ShiftOpen         bool      `json:"shift_open"`          // a shift is open (it opens with its first document)
	ShiftOpenedAt     time.Time `json:"shift_opened_at"`     // time of the open shift's first document
	DocumentNumber    uint32    `json:"document_number"`     // the last number issued in the shift (0: none yet)
	LastDocumentTime  time.Time `json:"last_document_time"`  // no document may be dated before it
	LastOfflineNumber uint32    `json:"last_offline_number"` // the last offline number issued (never reset)
	CashInDrawer      Money     `json:"cash_in_drawer"`      // cash in the drawer; carries over from shift to shift
	NonNullable       [4]Money  `json:"non_nullable"`        // receipt totals since registration, per operation

	Counters ShiftCounters `json:"counters"` // the open (or last closed) shift's ZX counters
}
