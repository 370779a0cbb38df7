package hub

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
)

// HashSize is the length of a chain hash (SHA-256 in the register's journal).
const HashSize = 32

// Document is one journal document as a register pushes it: the columns the hub indexes, the
// register's own JSON content, and the document's link in the register's hash chain.
type Document struct {
	UUID        uuid.UUID       `json:"uuid"` // the idempotency key
	Seq         int64           `json:"seq"`  // 1, 2, 3, … in the register's journal, without gaps
	Kind        string          `json:"kind"` // receipt, cash_in, cash_out, x_report, z_report
	ShiftNumber uint32          `json:"shift_number"`
	Number      uint32          `json:"number"` // within the shift
	IssuedAt    time.Time       `json:"issued_at"`
	Total       int64           `json:"total"` // tiyn
	Offline     bool            `json:"offline"`
	ParentSeq   int64           `json:"parent_seq,omitempty"` // a return's original in the register's journal
	Content     json.RawMessage `json:"content"`
	PrevHash    []byte          `json:"prev_hash"`
	Hash        []byte          `json:"hash"`
	// RegisterID names the register in an owner's read across registers (Store.Documents); a
	// push leaves it out, the pushing register's credential says whose document it is.
	RegisterID int64 `json:"register_id,omitempty"`
}

// PushRequest is a batch of a register's documents, in its order, and the register's state as it
// pushes (nil from a register that does not say).
type PushRequest struct {
	Documents []Document     `json:"documents"`
	State     *RegisterState `json:"state,omitempty"`
}

// RegisterState is a register's live state for the owner: its shift, its OFD queue, its block.
type RegisterState struct {
	At           time.Time `json:"at"` // when the register read it
	ShiftOpen    bool      `json:"shift_open"`
	ShiftNumber  uint32    `json:"shift_number"`
	ShiftEndsAt  time.Time `json:"shift_ends_at,omitzero"` // when the open shift reaches its limit
	Waiting      int       `json:"waiting"`                // documents waiting for the OFD
	OfflineSince time.Time `json:"offline_since,omitzero"` // zero while online
	Block        string    `json:"block,omitempty"`        // why the register refuses documents, if it does
}

// Cursor is where the hub's copy of a register's chain ends: the register pushes from Seq+1.
type Cursor struct {
	Seq  int64  `json:"seq"`
	Hash []byte `json:"hash"`
	// Answered is the last seq whose OFD answer the hub's safe holds: the register pushes answers
	// from after it (Store.Cursor and PutSafe set it; a document push's result does not).
	Answered int64 `json:"answered,omitempty"`
}

// PushResult is the hub's answer to a push: how many documents were new, how many it already held
// (a repeated push), and the cursor after the push.
type PushResult struct {
	Stored    int    `json:"stored"`
	Duplicate int    `json:"duplicate"`
	Cursor    Cursor `json:"cursor"`
}

// Errors of a push. Each leaves the hub's copy as it was.
var (
	// ErrGap: a document's seq is not the next after the hub's head (documents are missing).
	ErrGap = errors.New("hub: a gap in the register's chain: documents are missing before this one")
	// ErrFork: a document's prev_hash is not the hash the hub holds before it, or another document
	// is already held at its seq or under its UUID: the register's journal was rewritten or restored
	// from an older copy.
	ErrFork = errors.New("hub: a fork in the register's chain: the hub holds another document at this place")
	// ErrMalformed: a document is missing a field or has one out of range.
	ErrMalformed = errors.New("hub: a malformed document")
	// ErrForbidden: the credential does not allow this action, or does not exist.
	ErrForbidden = errors.New("hub: not allowed")
	// ErrSerialTaken: a register with this serial number (ЗНМ) is already registered at the hub.
	ErrSerialTaken = errors.New("hub: the serial number is already registered")
)

// ChainError says which document broke the chain and how.
type ChainError struct {
	Seq  int64 // the offending document's seq
	Want int64 // the seq the hub expected next
	Err  error // ErrGap, ErrFork or ErrMalformed
	Why  string
}

func (e *ChainError) Error() string {
	return fmt.Sprintf("%v: seq %d (next expected %d): %s", e.Err, e.Seq, e.Want, e.Why)
}

func (e *ChainError) Unwrap() error { return e.Err }

// validate checks what the hub can check of a document alone.
func (d Document) validate() string {
	switch {
	case d.UUID == uuid.Nil:
		return "no uuid"
	case d.Seq <= 0:
		return "seq must be positive"
	case d.Kind == "" || len(d.Kind) > 32:
		return "kind must be 1–32 characters"
	case d.IssuedAt.IsZero():
		return "no issue time"
	case len(d.PrevHash) != HashSize || len(d.Hash) != HashSize:
		return "hashes must be 32 bytes"
	case !json.Valid(d.Content) || len(d.Content) == 0:
		return "content must be JSON"
	}
	return ""
}
