package ofdclient

import (
	"fmt"
	"time"

	"github.com/ekassa-go/ekassa/ofdclient/pb"
	"github.com/ekassa-go/ekassa/storage"
)

// The OFD's result codes the register acts on (fact sheet §3.1, spec §2.4). The wire carries
// them as a plain uint32.
const (
	ResultOK                  uint32 = 0
	ResultUnknownID           uint32 = 1
	ResultInvalidToken        uint32 = 2
	ResultProtocolError       uint32 = 3
	ResultUnknownCommand      uint32 = 4
	ResultUnsupportedCommand  uint32 = 5
	ResultInvalidRequestNum   uint32 = 8
	ResultInvalidRetry        uint32 = 9
	ResultShiftExpired        uint32 = 11
	ResultIncorrectData       uint32 = 13
	ResultNotEnoughCash       uint32 = 14
	ResultBlocked             uint32 = 15
	ResultSameTaxpayer        uint32 = 17
	ResultServiceUnavailable  uint32 = 254
	ResultUnknownError        uint32 = 255
	ResultDocumentUnsendable  uint32 = 1000 // local: the document at the head of the queue cannot be encoded
	ResultProtocolViolation   uint32 = 1001 // local: the OFD's answer broke the protocol (kept for a block's record)
	ResultDocumentUnreadable  uint32 = 1002 // local: the document at the head of the queue cannot be read from the journal
	resultLocalCodesThreshold uint32 = 1000
)

// ResultError is a refusal by the OFD: an answer whose result code is not 0, or a local reason
// the register stopped sending (codes from 1000, which never travel on the wire). It is what the
// UI shows when the register is blocked, through MessageID and TemplateData.
type ResultError struct {
	Command pb.CommandTypeEnum // the command that was refused
	Code    uint32             // the OFD's result code (or a local code from 1000)
	Text    string             // the OFD's result_text
	Info    string             // the OFD's TICKET_AD_INFO text that came with a server block (code 15)
	Err     error              // the cause of a local code, if any
}

// Error describes the refusal in English for logs.
func (e *ResultError) Error() string {
	s := fmt.Sprintf("ofdclient: OFD refused %v with code %d", e.Command, e.Code)
	if e.Text != "" {
		s += ": " + e.Text
	}
	if e.Info != "" {
		s += " (" + e.Info + ")"
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the cause of a local refusal.
func (e *ResultError) Unwrap() error { return e.Err }

// Temporary reports whether the code asks for a retry (254, 255) rather than a stop.
func (e *ResultError) Temporary() bool {
	return e.Code == ResultServiceUnavailable || e.Code == ResultUnknownError
}

// MessageID returns the stable ID of the message the UI shows for this code.
func (e *ResultError) MessageID() string {
	switch e.Code {
	case ResultUnknownID:
		return "err.ofd.unknown_id"
	case ResultInvalidToken:
		return "err.ofd.invalid_token"
	case ResultProtocolError, ResultUnknownCommand, ResultUnsupportedCommand:
		return "err.ofd.protocol_error"
	case ResultInvalidRequestNum, ResultInvalidRetry:
		return "err.ofd.request_number"
	case ResultShiftExpired:
		// Not "24 hours": an OFD may limit a shift to less (Webkassa 12 h, fact sheet §6.2).
		return "err.ofd.shift_limit"
	case ResultIncorrectData:
		return "err.ofd.incorrect_data"
	case ResultNotEnoughCash:
		return "err.ofd.not_enough_cash"
	case ResultBlocked:
		return "err.ofd.blocked"
	case ResultSameTaxpayer:
		return "err.ofd.same_taxpayer_and_customer"
	case ResultServiceUnavailable, ResultUnknownError:
		return "err.ofd.unavailable"
	case ResultDocumentUnsendable:
		return "err.ofd.document_unsendable"
	case ResultDocumentUnreadable:
		return "err.ofd.document_unreadable"
	case ResultProtocolViolation:
		return "err.ofd.protocol_violation"
	}
	return "err.ofd.refused"
}

// TemplateData returns the message's parameters: Code, Text (the OFD's result text) and Info
// (the OFD's info text of a server block).
func (e *ResultError) TemplateData() map[string]any {
	return map[string]any{"Code": e.Code, "Text": e.Text, "Info": e.Info}
}

// UnreachableError is a failed exchange with the OFD: no connection, a timeout, a reset, or an
// answer that could not be read. The register retries, then works offline.
type UnreachableError struct {
	Addr string // the OFD's address
	Err  error  // the transport's error
}

// Error describes the failure for logs.
func (e *UnreachableError) Error() string {
	return fmt.Sprintf("ofdclient: OFD %s unreachable: %v", e.Addr, e.Err)
}

// Unwrap returns the transport's error.
func (e *UnreachableError) Unwrap() error { return e.Err }

// MessageID returns "err.ofd.unreachable".
func (e *UnreachableError) MessageID() string { return "err.ofd.unreachable" }

// TemplateData returns the address as Addr.
func (e *UnreachableError) TemplateData() map[string]any { return map[string]any{"Addr": e.Addr} }

// MessageIDs lists every message ID this package's errors and states can carry, so the i18n
// bundle can be checked for completeness.
func MessageIDs() []string {
	return []string{
		"err.ofd.unknown_id", "err.ofd.invalid_token", "err.ofd.protocol_error", "err.ofd.request_number",
		"err.ofd.shift_expired", "err.ofd.incorrect_data", "err.ofd.not_enough_cash", "err.ofd.blocked",
		"err.ofd.same_taxpayer_and_customer", "err.ofd.unavailable", "err.ofd.document_unsendable",
		"err.ofd.document_unreadable", "err.ofd.protocol_violation", "err.ofd.refused", "err.ofd.unreachable", "err.ofd.clock_behind",
		"err.ofd.not_connected", "err.ofd.nothing_to_set_aside", "err.ofd.shift_limit",
		"state.ofd.online", "state.ofd.offline", "state.ofd.blocked", "state.ofd.paused",
	}
}

// Mode is where the OFD link stands.
type Mode uint8

// The link's modes (spec §5): normal, autonomous, and blocked until a person acts (or, for a
// server block, until the OFD lifts it).
const (
	ModeOnline Mode = iota
	ModeOffline
	ModeBlocked
)

// String names the mode for logs.
func (m Mode) String() string {
	switch m {
	case ModeOnline:
		return "online"
	case ModeOffline:
		return "offline"
	case ModeBlocked:
		return "blocked"
	}
	return fmt.Sprintf("Mode(%d)", uint8(m))
}

// State is a snapshot of the OFD link for the UI: online or offline since when, blocked and
// why, the documents waiting and the time left before the offline limit.
type State struct {
	Mode Mode
	// Paused is set while the sender is paused (Pause); the queue is kept, nothing is sent.
	Paused bool
	// OfflineSince is the first failed send of the current offline spell (zero when online).
	OfflineSince time.Time
	// Block is why the register is blocked (nil unless Mode is ModeBlocked). For code 2 the way
	// out is a new token (ChangeToken); for 15 the sender probes the OFD until it lifts the
	// block; for the others a person fixes the cause and calls Retry.
	Block *ResultError
	// Waiting is the number of documents in the outbox; OldestWaiting when the oldest of them
	// was queued (zero when none waits).
	Waiting       int
	OldestWaiting time.Time
	// OfflineLeft is how long the register may still issue documents before the offline limit
	// (the whole limit when nothing waits); OfflineLimitReached is set once it is used up: new
	// documents are refused (kkm.CheckOfflineLimit) until the queue drains.
	OfflineLeft         time.Duration
	OfflineLimitReached bool
	// OnlyZ is set when the OFD answered that the shift is open too long (code 11): the register
	// allows nothing but the Z report until a Z report is accepted.
	OnlyZ bool
	// Refusals counts the documents set aside since the sender started (each left the
	// counters: the app reloads the register state when it changes); Refused is the last one,
	// with its Refusal (nil when none).
	Refusals int
	Refused  *storage.Entry
	// LastError is the last failed exchange (nil after a success).
	LastError error
	// LastAnswer is when the OFD last answered a document.
	LastAnswer time.Time
}

// MessageID returns the message ID of the link's state: "state.ofd.online", "state.ofd.offline",
// "state.ofd.blocked" or "state.ofd.paused".
func (s State) MessageID() string {
	switch {
	case s.Mode == ModeBlocked:
		return "state.ofd.blocked"
	case s.Paused:
		return "state.ofd.paused"
	case s.Mode == ModeOffline:
		return "state.ofd.offline"
	}
	return "state.ofd.online"
}

// TemplateData returns the state message's parameters: Waiting (also as Count, which chooses
// the message's plural form), Since (offline since), Hours and Minutes left before the offline
// limit.
func (s State) TemplateData() map[string]any {
	return map[string]any{
		"Waiting": s.Waiting,
		"Count":   s.Waiting,
		"Since":   s.OfflineSince,
		"Hours":   int64(s.OfflineLeft / time.Hour),
		"Minutes": int64(s.OfflineLeft % time.Hour / time.Minute),
	}
}

// ErrNotConnected is returned by requests that need the OFD (an X report from the OFD) while
// the link is offline or blocked.
var ErrNotConnected = notConnected{}

// notConnected is the type of ErrNotConnected, so it carries a message ID.
type notConnected struct{}

func (notConnected) Error() string     { return "ofdclient: the OFD link is offline or blocked" }
func (notConnected) MessageID() string { return "err.ofd.not_connected" }
