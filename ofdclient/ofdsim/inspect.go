package ofdsim

import (
	"cmp"
	"slices"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/ekassa-go/ekassa/ofdclient/pb"
)

// Receipt is a receipt the emulator fiscalised.
type Receipt struct {
	FiscalSign    string // the ticket_number answered, 10 digits
	QRCode        string // the receipt-check link answered as qr_code
	Operation     pb.OperationTypeEnum
	Total         int64     // tiyn
	Time          time.Time // the register's date_time of the receipt (zone-less, kept in UTC)
	ShiftNumber   uint32
	OfflineNumber uint32 // offline_ticket_number, 0 for a receipt issued online
	ParentSign    string // for a return: the parent_ticket_number it named
	Returned      int64  // tiyn returned so far by returns naming this receipt
	Token         uint32 // the TOKEN of the request
	ReqNum        uint16 // the REQNUM of the request
	Request       *pb.TicketRequest
}

// MoneyPlacement is a cash in or cash out the emulator accepted.
type MoneyPlacement struct {
	Operation   pb.MoneyPlacementEnum
	Sum         int64 // tiyn
	Time        time.Time
	ShiftNumber uint32
	Offline     bool
	Auto        bool // the auto cash-out of a Z with withdraw_money
	Token       uint32
	ReqNum      uint16
}

// Shift is a shift as the ledger saw it.
type Shift struct {
	Number    uint32
	OpenedAt  time.Time // the emulator's clock at its first document
	Open      bool
	Documents int          // receipts and cash operations counted in it
	Z         *pb.ZXReport // the ledger's Z report, for a closed shift
}

// ExchangeStats counts how the ledger handled the document requests carrying one TOKEN and REQNUM.
type ExchangeStats struct {
	Token     uint32
	ReqNum    uint16
	Command   pb.CommandTypeEnum
	Processed int // times it was counted (at most once for an accepted document)
	Replayed  int // times the stored answer was sent again
	Refused   int // times it was answered with an error code
}

// LedgerView is a snapshot of one register's ledger. It shares nothing with the emulator.
type LedgerView struct {
	ID          uint32
	Token       uint32 // the token the next document must carry
	Blocked     bool
	Receipts    []Receipt
	Placements  []MoneyPlacement
	Shifts      []Shift         // closed shifts oldest first, then the open one
	Exchanges   []ExchangeStats // by REQNUM, then token
	Cash        int64           // tiyn in the drawer
	X           *pb.ZXReport    // the ledger's current X report (of an empty next shift when none is open)
	LastZ       *pb.ZXReport    // nil before the first Z
	ShiftNumber uint32          // the open shift's number, or the last closed one's
}

// Exchange returns the statistics of a TOKEN and REQNUM, zero when the ledger never saw them.
func (v LedgerView) Exchange(token uint32, reqNum uint16) ExchangeStats {
	for _, e := range v.Exchanges {
		if e.Token == token && e.ReqNum == reqNum {
			return e
		}
	}
	return ExchangeStats{Token: token, ReqNum: reqNum}
}

// LogEntry is one connection as the emulator saw it: what arrived and what was answered.
type LogEntry struct {
	Time     time.Time
	Remote   string
	ID       uint32 // header fields of the request (zero when no header could be read)
	Token    uint32
	ReqNum   uint16
	Version  uint16
	Request  *pb.Request // nil when the body could not be decoded
	ReadErr  string      // why the request could not be read, if it could not
	Response *pb.Response
	// AnswerToken is the TOKEN of the answer's header.
	AnswerToken uint32
	Result      uint32
	Replayed    bool
	// ReplayDiffers is set on a replay whose body differs from the request first accepted.
	ReplayDiffers bool
	Fault         *Fault // the injected fault, if one applied
}

// snapshot copies the ledger for inspection.
func (l *ledger) snapshot(at time.Time) LedgerView {
	v := LedgerView{
		ID:          l.cfg.ID,
		Token:       l.token,
		Blocked:     l.blocked,
		Cash:        l.cash,
		X:           l.currentX(at),
		ShiftNumber: l.lastShiftNumber,
	}
	for _, r := range l.receipts {
		c := r.Receipt
		c.Returned = r.returned
		c.Request = r.ticket()
		v.Receipts = append(v.Receipts, c)
	}
	v.Placements = append(v.Placements, l.placements...)
	for _, s := range l.shifts {
		c := *s
		c.Z = proto.Clone(s.Z).(*pb.ZXReport)
		v.Shifts = append(v.Shifts, c)
	}
	if l.open != nil {
		v.Shifts = append(v.Shifts, Shift{Number: l.open.number, OpenedAt: l.open.openedAt, Open: true, Documents: l.open.documents})
		v.ShiftNumber = l.open.number
	}
	for _, e := range l.exchanges {
		v.Exchanges = append(v.Exchanges, *e)
	}
	slices.SortFunc(v.Exchanges, func(a, b ExchangeStats) int {
		return cmp.Or(cmp.Compare(a.ReqNum, b.ReqNum), cmp.Compare(a.Token, b.Token))
	})
	if l.lastZ != nil {
		v.LastZ = proto.Clone(l.lastZ).(*pb.ZXReport)
	}
	return v
}
