package storage

import "fmt"

// ErrorCode is a kind of journal failure with a stable message ID, so the UI can translate it.
// Its values are constants: compare with errors.Is, which also sees through the detailed error
// types below (VersionError, ChainError) and any wrapping.
type ErrorCode string

// The journal's failures. Each value is its own message ID.
const (
	// ErrNotFound: the document, cashier or outbox entry asked for is not in the journal.
	ErrNotFound ErrorCode = "err.journal.not_found"
	// ErrJournalTooNew: the journal file was written by a newer version of the app.
	ErrJournalTooNew ErrorCode = "err.journal.too_new"
	// ErrChainBroken: a document row was edited, inserted or deleted behind the app's back.
	ErrChainBroken ErrorCode = "err.journal.tampered"
	// ErrDuplicateOperatorCode: another cashier already has this operator code.
	ErrDuplicateOperatorCode ErrorCode = "err.journal.duplicate_operator_code"
	// ErrOutboxOrder: the sender tried to send or complete an entry that is not the oldest
	// waiting one, or one that is already done.
	ErrOutboxOrder ErrorCode = "err.journal.outbox_order"
	// ErrNoDocuments: Commit was called with nothing to write.
	ErrNoDocuments ErrorCode = "err.journal.no_documents"
	// ErrBadPath: the journal path cannot be opened as given (it contains '?').
	ErrBadPath ErrorCode = "err.journal.bad_path"
	// ErrUndecodable: a stored document's content cannot be decoded (the file was damaged or
	// changed behind the app's back). Retrying the read does not help.
	ErrUndecodable ErrorCode = "err.journal.undecodable"
	// ErrStateChanged: Commit was given a state computed before the OFD's latest refusal was
	// taken out of the journal's (RefuseHead); the caller reloads the state and issues again.
	ErrStateChanged ErrorCode = "err.journal.state_changed"
)

// Error returns an English description; the UI translates MessageID instead.
func (c ErrorCode) Error() string {
	switch c {
	case ErrNotFound:
		return "storage: not found in the journal"
	case ErrJournalTooNew:
		return "storage: the journal was written by a newer version of the app"
	case ErrChainBroken:
		return "storage: the journal's hash chain is broken (a document row was changed)"
	case ErrDuplicateOperatorCode:
		return "storage: another cashier already has this operator code"
	case ErrOutboxOrder:
		return "storage: outbox entry is not the oldest waiting one"
	case ErrNoDocuments:
		return "storage: nothing to commit"
	case ErrBadPath:
		return "storage: the journal path must not contain '?'"
	case ErrUndecodable:
		return "storage: a stored document cannot be decoded"
	case ErrStateChanged:
		return "storage: the register state changed since it was read (a refused document left the counters)"
	}
	return "storage: " + string(c)
}

// MessageID returns the stable ID of the message the UI shows for this failure.
func (c ErrorCode) MessageID() string { return string(c) }

// VersionError reports a journal whose schema version is newer than this app knows.
// It matches ErrJournalTooNew with errors.Is.
type VersionError struct {
	Found     int // the journal's schema version
	Supported int // the newest version this app can read
}

// Error says which versions clash and what to do.
func (e *VersionError) Error() string {
	return fmt.Sprintf("storage: journal schema version %d is newer than this app supports (%d); update the app",
		e.Found, e.Supported)
}

// MessageID returns ErrJournalTooNew's message ID.
func (e *VersionError) MessageID() string { return ErrJournalTooNew.MessageID() }

// Unwrap makes errors.Is(err, ErrJournalTooNew) true.
func (e *VersionError) Unwrap() error { return ErrJournalTooNew }

// ChainError names the first document row at which the hash chain does not hold.
// It matches ErrChainBroken with errors.Is.
//
// What says which fiscal fact changed (ChangedDocument when empty; see seal.go), Seq names the
// document (or the cashier's ID for ChangedCashier), and Code, when set, is ErrKeyMissing or
// ErrKeyMismatch: the seal's key itself is wrong, so nothing could be checked.
type ChainError struct {
	Seq    int64     // the first bad row's sequence number (for a deleted row: the missing one)
	Reason string    // what is wrong there, in English, for logs
	What   string    // ChangedDocument (or ""), ChangedState, ChangedSettings, ChangedCashier, ChangedFiscal, ChangedOutbox
	Code   ErrorCode // ErrKeyMissing or ErrKeyMismatch, else empty
}

// Error names the row and what is wrong there.
func (e *ChainError) Error() string {
	what := e.What
	if what == "" {
		what = ChangedDocument
	}
	if e.Code != "" {
		return fmt.Sprintf("storage: journal seal: %s: %s", e.Code.Error(), e.Reason)
	}
	return fmt.Sprintf("storage: journal changed behind the app: %s %d: %s", what, e.Seq, e.Reason)
}

// MessageID is "err.journal.changed.<what>", or the key's code.
func (e *ChainError) MessageID() string {
	if e.Code != "" {
		return string(e.Code)
	}
	if e.What == "" {
		return "err.journal.changed." + ChangedDocument
	}
	return "err.journal.changed." + e.What
}

// TemplateData gives the message the document's number (Seq).
func (e *ChainError) TemplateData() map[string]any { return map[string]any{"Seq": e.Seq} }

// Unwrap makes errors.Is(err, ErrChainBroken) true, and errors.Is(err, e.Code) when set.
func (e *ChainError) Unwrap() []error {
	if e.Code != "" {
		return []error{ErrChainBroken, e.Code}
	}
	return []error{ErrChainBroken}
}

// notFound wraps ErrNotFound with what was looked for.
func notFound(what string) error { return fmt.Errorf("%w: %s", ErrNotFound, what) }
