package ui

import (
	"context"
	"io"
	"time"

	"github.com/ekassa-go/ekassa/kkm"
)

// OwnerMode signs the owner in to the hub (package hub) that the registers of every shop push
// their journals to. The app keeps the hub's address, its certificate and the owner's credential
// once signed in, so the owner types them once; the credential is never shown or logged.
type OwnerMode interface {
	// Resume returns the hub of the kept sign-in, or nil when there is none.
	Resume(ctx context.Context) (OwnerHub, error)
	// SignIn checks the login against the hub (it reads the owner's registers) and keeps it.
	SignIn(ctx context.Context, login OwnerLogin) (OwnerHub, error)
	// SignOut forgets the kept login.
	SignOut(ctx context.Context) error
}

// OwnerLogin is what the owner enters once.
type OwnerLogin struct {
	Address    string // https://host:port
	CertPEM    []byte // the hub's self-signed certificate; empty when the system's roots trust it
	Credential string // the owner's credential printed by «ekassa-hub org»
}

// OwnerHub is the owner's reads across registers and shops.
type OwnerHub interface {
	// Registers lists every register with its live state as of its last push.
	Registers(ctx context.Context) ([]OwnerRegister, error)
	// Documents lists the documents of [From, To), of one register or all, oldest first.
	Documents(ctx context.Context, q OwnerDocumentQuery) ([]OwnerDocument, error)
	// Analytics returns the figures of [from, to) grouped by, beside the period before.
	Analytics(ctx context.Context, from, to time.Time, by OwnerGrouping) ([]OwnerFigures, error)
	// ExportCSV writes the documents of [from, to) as the hub's CSV to w.
	ExportCSV(ctx context.Context, w io.Writer, from, to time.Time) error
}

// OwnerCatalogue is the organization's catalogue at the hub (one for all shops), which an OwnerHub
// may offer: the owner finds, creates, edits and archives its items on the register's own
// catalogue screens over Catalogue, imports a price list into it over PriceLists, and lets the
// registers change it or not (a register's change is then decided by the hub's version).
type OwnerCatalogue interface {
	Catalogue() Catalogue
	PriceLists() PriceLists
	RegistersEdit(ctx context.Context) (bool, error)
	SetRegistersEdit(ctx context.Context, on bool) error
}

// OwnerRegister is one register as the hub holds it.
type OwnerRegister struct {
	ID       int64
	Serial   string
	Name     string
	Shop     string
	Pushed   int64     // documents the hub holds (its cursor)
	PushedAt time.Time // zero before the first push
	HasState bool      // whether a push carried the live state below
	// The live state as of StateAt.
	StateAt      time.Time
	ShiftOpen    bool
	ShiftNumber  uint32
	ShiftEndsAt  time.Time // zero while no shift is open
	Waiting      int       // documents waiting for the OFD
	OfflineSince time.Time // zero while online
	Block        Block     // why the register refuses documents, or BlockNone
}

// OwnerDocumentQuery selects documents; RegisterID 0 means every register.
type OwnerDocumentQuery struct {
	From, To   time.Time
	RegisterID int64
	Limit      int
}

// OwnerDocument is one document of a register as pushed.
type OwnerDocument struct {
	RegisterID  int64
	Seq         int64
	Kind        string // receipt, cash_in, cash_out, x_report, z_report
	ShiftNumber uint32
	Number      uint32
	IssuedAt    time.Time
	Total       kkm.Money
	Offline     bool
}

// OwnerGrouping is what the owner's figures are grouped by.
type OwnerGrouping string

// The groupings, as the hub names them.
const (
	OwnerByShop     OwnerGrouping = "shop"
	OwnerByRegister OwnerGrouping = "register"
	OwnerByCashier  OwnerGrouping = "cashier"
	OwnerByHour     OwnerGrouping = "hour"
)

// OwnerGroupings lists the groupings in the order the screen offers them.
func OwnerGroupings() []OwnerGrouping {
	return []OwnerGrouping{OwnerByShop, OwnerByRegister, OwnerByCashier, OwnerByHour}
}

// OwnerFigures are one group's receipts and revenue beside the previous period's.
type OwnerFigures struct {
	Key, Label             string
	Receipts, PrevReceipts int64
	Revenue, PrevRevenue   kkm.Money
}

// The owner mode's refusals. The app returns the last three for the hub's answers.
const (
	ErrOwnerAddress     Refusal = "err.owner.address"     // not an https:// address
	ErrOwnerCredential  Refusal = "err.owner.credential"  // no credential typed
	ErrOwnerCert        Refusal = "err.owner.cert"        // the file holds no PEM certificate
	ErrOwnerRefused     Refusal = "err.owner.refused"     // the hub does not know the credential, or it is not an owner's
	ErrOwnerUnreachable Refusal = "err.owner.unreachable" // the hub cannot be reached, or its certificate is not trusted
	ErrOwnerHub         Refusal = "err.owner.hub"         // the hub answered with an error
)
