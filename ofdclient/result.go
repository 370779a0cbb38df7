package ofdclient

import (
	"fmt"

	"github.com/ekassa-go/ekassa/ofdclient/pb"
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

// MessageIDs lists every message ID this package's errors can carry (the sender's states and
// errors are listed by delivery.MessageIDs), so the i18n bundle can be checked for completeness.
func MessageIDs() []string {
	return []string{
		"err.ofd.unknown_id", "err.ofd.invalid_token", "err.ofd.protocol_error", "err.ofd.request_number",
		"err.ofd.shift_expired", "err.ofd.incorrect_data", "err.ofd.not_enough_cash", "err.ofd.blocked",
		"err.ofd.same_taxpayer_and_customer", "err.ofd.unavailable", "err.ofd.document_unsendable",
		"err.ofd.document_unreadable", "err.ofd.protocol_violation", "err.ofd.refused", "err.ofd.unreachable", "err.ofd.clock_behind",
		"err.ofd.shift_limit",
	}
}

// LocalCode reports whether a result code is the register's own (from 1000): a reason it
// stopped sending that never travelled on the wire.
func LocalCode(code uint32) bool { return code >= resultLocalCodesThreshold }
