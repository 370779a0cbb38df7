package ofdclient

import (
	"fmt"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/ekassa-go/ekassa/kkm"
)

// MaxRequestFrame is the largest request frame, header included, the register sends: the frame
// limit of this package (DefaultFrameLimit, 1 MiB), which its emulator applies to requests as
// well. The protocol names no limit, and an OFD that closes the connection on a larger frame
// looks to the register like a network failure: the document would be retried for ever and hold
// the whole queue behind it. So a document whose request is larger is refused before it is
// written (CheckSendable).
const MaxRequestFrame = DefaultFrameLimit

// offlineMargin is what a request may grow by between issuing and sending: the offline_period
// of a catch-up (two DateTimes, ~40 bytes) and offline flags. The measure adds it so that a
// document that fits when issued online still fits when it is sent after an offline spell.
const offlineMargin = 64

// RequestTooLargeError refuses a document whose request would exceed MaxRequestFrame.
type RequestTooLargeError struct {
	Size  int // bytes of the frame the document would travel in
	Max   int // MaxRequestFrame
	Lines int // the receipt's lines, 0 for other documents
}

// Error describes the refusal for logs.
func (e *RequestTooLargeError) Error() string {
	return fmt.Sprintf("ofdclient: the document's request would be %d bytes, more than the %d a frame may hold", e.Size, e.Max)
}

// MessageID returns "err.ofd.request_too_large".
func (e *RequestTooLargeError) MessageID() string { return "err.ofd.request_too_large" }

// TemplateData gives the sizes in kilobytes (KB, MaxKB) and the receipt's line count (Lines).
func (e *RequestTooLargeError) TemplateData() map[string]any {
	return map[string]any{"KB": (e.Size + 1023) / 1024, "MaxKB": e.Max / 1024, "Lines": e.Lines}
}

// CheckSendable builds the request a fiscal document will travel in, as it would go after an
// offline spell, and refuses the document when the request cannot be built (its error, wrapping
// ErrDocument: a missing position, an amount with no wire form) or its frame would exceed
// MaxRequestFrame (*RequestTooLargeError). The app calls it before the document is written, so
// that nothing enters the journal that can never be sent.
func (id Identity) CheckSendable(doc *kkm.Document) error {
	if !doc.Kind.Fiscal() {
		return nil
	}
	t := doc.Time
	if t.IsZero() {
		t = time.Now()
	}
	off := &OfflinePeriod{Begin: t, End: t}
	req, err := id.Request(doc, off)
	if err != nil {
		return err
	}
	size := HeaderSize + proto.Size(req) + offlineMargin
	if size > MaxRequestFrame {
		e := &RequestTooLargeError{Size: size, Max: MaxRequestFrame}
		if doc.Receipt != nil {
			e.Lines = len(doc.Receipt.Lines)
		}
		return e
	}
	return nil
}
