package ofdsim

import (
	"fmt"
	"time"

	"github.com/ekassa-go/ekassa/ofdclient/pb"
	"google.golang.org/protobuf/proto"
)

// vatTaxType is the wire's tax_type of VAT (TaxTypeEnum 100).
const vatTaxType = 100

// Organisation is the taxpayer a register is registered to.
type Organisation struct {
	Title     string // organisation name, or the full name of an individual entrepreneur
	Address   string // legal address
	AddressKZ string // legal address in Kazakh
	IINBIN    string // the seller's IIN/BIN, 12 digits
	OKED      string // main activity code
}

// TradingPoint is where the register is used.
type TradingPoint struct {
	Title     string
	Address   string
	AddressKZ string
	// Latitude and Longitude are its coordinates in micro-degrees (PosRegInfo, since 2.0.3);
	// zero gives Astana's.
	Latitude, Longitude uint32
}

// RegisterConfig is a register as the OFD cabinet sets it up.
type RegisterConfig struct {
	ID    uint32 // system ID, the header's device ID
	Token uint32 // the token issued in the cabinet; the ledger starts from it
	RNM   string // registration number (РНМ), 12 digits: the QR link's f=
	ZNM   string // serial number (ЗНМ)

	Organisation Organisation
	TradingPoint TradingPoint

	// Cash is the cash in the drawer when the ledger starts, in tiyn.
	Cash int64
}

// exchangeKey names one request of a register by the TOKEN and REQNUM in its header.
type exchangeKey struct {
	token  uint32
	reqNum uint16
}

// lastDocument is the last document command the ledger accepted: the one a retry may replay.
type lastDocument struct {
	key      exchangeKey
	command  pb.CommandTypeEnum
	answer   []byte   // the whole answer frame, replayed byte for byte
	bodyHash [32]byte // SHA-256 of the request payload, to flag a retry whose body changed
}

// ledger is one register's account at the OFD. It is guarded by the server's mutex.
type ledger struct {
	cfg     RegisterConfig
	token   uint32
	last    *lastDocument
	blocked bool
	info    string // the TICKET_AD_INFO text of a server block

	exchanges  map[exchangeKey]*ExchangeStats
	receipts   []*receipt
	bySign     map[string]*receipt
	placements []MoneyPlacement
	shifts     []*Shift // closed shifts, oldest first

	cash            int64
	nonNullable     [4]int64
	ticketsTotal    [4]uint32
	placementsTotal [2]uint32
	lastShiftNumber uint32
	open            *shift
	lastZ           *pb.ZXReport
	lastDocNumber   uint64 // printed_document_number of the last document that carried one
}

func newLedger(cfg RegisterConfig) *ledger {
	return &ledger{
		cfg:       cfg,
		token:     cfg.Token,
		exchanges: map[exchangeKey]*ExchangeStats{},
		bySign:    map[string]*receipt{},
		cash:      cfg.Cash,
	}
}

// receipt is an accepted receipt with what the ledger needs to check returns against it.
type receipt struct {
	Receipt         // Request is nil: the ledger keeps request instead
	returned int64  // the totals of the returns naming it
	request  []byte // the TicketRequest as sent (ticket decodes it)
}

// The ledger keeps each receipt's request as its wire bytes, not as the decoded message: a
// message is a tree of pointers the garbage collector walks at every cycle, and the demo keeps
// its emulator in the app all day (12 KB of such a tree a sale, the most of the app's live heap
// after a few thousand sales). The requests are read again only for a marked return and for
// inspection (tests).

// marshalTicket is t's wire bytes; nil when it cannot be encoded (it was just decoded).
func marshalTicket(t *pb.TicketRequest) []byte {
	b, err := proto.Marshal(t)
	if err != nil {
		return nil
	}
	return b
}

// ticket is the receipt's request, decoded; nil when there is none.
func (r *receipt) ticket() *pb.TicketRequest {
	if r.request == nil {
		return nil
	}
	t := &pb.TicketRequest{}
	if err := proto.Unmarshal(r.request, t); err != nil {
		return nil
	}
	return t
}

// state is what a ZX report needs from the ledger beyond the shift.
func (l *ledger) state() zxState {
	return zxState{cash: l.cash, nonNullable: l.nonNullable, ticketsTotal: l.ticketsTotal, placementsTot: l.placementsTotal}
}

// shiftFor returns the open shift, opening it with the first document when none is open. frShift
// is the register's fr_shift_number (0 when absent). It answers "" or a reason to refuse.
func (l *ledger) shiftFor(frShift uint32, now, docTime time.Time) (*shift, string) {
	if l.open != nil {
		if frShift != 0 && frShift != l.open.number {
			return nil, fmt.Sprintf("fr_shift_number %d, but shift %d is open", frShift, l.open.number)
		}
		return l.open, ""
	}
	number := l.lastShiftNumber + 1
	if frShift != 0 {
		if frShift <= l.lastShiftNumber {
			return nil, fmt.Sprintf("fr_shift_number %d, but shift %d is already closed", frShift, l.lastShiftNumber)
		}
		number = frShift
	}
	return newShift(number, now, docTime, l.nonNullable), ""
}

// openShift makes sh the open shift if it is not yet.
func (l *ledger) openShift(sh *shift) {
	l.open = sh
}

// currentX is the X report of the open shift, or of an empty next shift when none is open.
func (l *ledger) currentX(at time.Time) *pb.ZXReport {
	sh := l.open
	if sh == nil {
		sh = newShift(l.lastShiftNumber+1, time.Time{}, time.Time{}, l.nonNullable)
	}
	return sh.report(at, l.state(), nil)
}

// lastZReport is the last Z, or an empty Z with shift number 0 when no shift was closed yet.
func (l *ledger) lastZReport(at time.Time) *pb.ZXReport {
	if l.lastZ != nil {
		return l.lastZ
	}
	return emptyZ(at)
}

// stats returns the exchange statistics of a TOKEN and REQNUM, creating them.
func (l *ledger) stats(key exchangeKey, cmd pb.CommandTypeEnum) *ExchangeStats {
	s := l.exchanges[key]
	if s == nil {
		s = &ExchangeStats{Token: key.token, ReqNum: key.reqNum, Command: cmd}
		l.exchanges[key] = s
	}
	return s
}
