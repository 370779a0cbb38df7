package delivery

import (
	"fmt"
	"time"

	"github.com/ekassa-go/ekassa/kkm"
	"github.com/ekassa-go/ekassa/ofdclient"
	"github.com/ekassa-go/ekassa/storage"
)

// MessageIDs lists every message ID the sender's states and errors can carry, with those of
// the OFD's refusals it passes on (ofdclient.MessageIDs), so the i18n bundle can be checked for
// completeness.
func MessageIDs() []string {
	return append(ofdclient.MessageIDs(),
		"err.ofd.not_connected", "err.ofd.nothing_to_set_aside",
		"state.ofd.online", "state.ofd.offline", "state.ofd.blocked", "state.ofd.paused",
	)
}

// Outcome is what became of one document the sender completed: the OFD accepted it (Fiscal,
// with its fiscal sign and check link for a receipt) or it was set aside (Refusal). It is
// published once the journal holds it (Sender.SubscribeOutcomes).
type Outcome struct {
	Seq     int64                  // the document's place in the journal
	Kind    kkm.DocumentKind       // what the document is
	Fiscal  storage.FiscalResult   // the OFD's answer (zero when refused)
	Refusal *ofdclient.ResultError // why the document was set aside (nil when accepted)
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
	Block *ofdclient.ResultError
	// Waiting is the number of documents in the outbox (the app's Queued counts new ones at
	// once; the sender counts the journal's outbox again after it); OldestWaiting when the oldest of them
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

func (notConnected) Error() string     { return "delivery: the OFD link is offline or blocked" }
func (notConnected) MessageID() string { return "err.ofd.not_connected" }
