package ofdclient

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/ekassa-go/ekassa/kkm"
	"github.com/ekassa-go/ekassa/ofdclient/pb"
)

// Exchanger sends one request to the OFD at addr and returns its answer: the header (with the
// possibly rotated token) and the decoded response. A result code other than 0 is not an error
// of Exchange. *Transport is the real one; tests wrap it to lose answers.
type Exchanger interface {
	Exchange(ctx context.Context, addr string, h Header, req *pb.Request) (Header, *pb.Response, error)
}

// ConnectParams is what the cashier types to connect a register (the manual's «Подключение»):
// the OFD's address, the system ID and the token from the OFD's cabinet. Reqnum is the REQNUM
// the INFO request carries (1 for a new register; the journal's next one otherwise).
type ConnectParams struct {
	Address  string
	SystemID uint32
	Token    uint32
	Reqnum   uint16
	// Location is the zone of the OFD's wall-clock times (nil: UTC readings, compared as such).
	Location *time.Location
}

// Connection is what the OFD told a register at COMMAND_INFO: its registration (to store in
// kkm.Settings.Reg) and the OFD's view of the shift (to reconcile the local shift).
type Connection struct {
	Reg   kkm.RegInfo
	Shift OFDShift
	// Token is the token of the answer's header; INFO does not rotate it, so it equals the one
	// sent, and it is the token the register keeps.
	Token uint32
	// Info is the OFD's info text (TICKET_AD_INFO), if it sent one.
	Info string
	// Point is the trading point's position as the OFD registered it (PosRegInfo latitude and
	// longitude, since 2.0.3, read as micro-degrees like every position: see kkm.GeoPosition),
	// nil when the answer has none or none that lies in Kazakhstan.
	Point *kkm.GeoPosition
	// Response is the whole decoded answer, for logs and the conformance suite.
	Response *pb.Response
}

// OFDShift is the shift as the OFD sees it: the X report of an open shift, or the last Z report
// (shift number 0 before the first).
type OFDShift struct {
	Open   bool       // the OFD answered with an X report: a shift is open there
	Report kkm.Report // the report's counters, numbers and times
}

// Connect sends COMMAND_INFO with the given ID and token and returns the registration and the
// OFD's view of the shift. The errors a cashier can meet are typed: a *ResultError with code 1
// (unknown system ID), 2 (wrong token) or 15 (blocked, with the OFD's info text), and an
// *UnreachableError when there is no network or no answer.
func Connect(ctx context.Context, ex Exchanger, p ConnectParams) (*Connection, error) {
	h := Header{SystemID: p.SystemID, Token: p.Token, ReqNum: p.Reqnum}
	rh, resp, err := ex.Exchange(ctx, p.Address, h, InfoRequest())
	if err != nil {
		return nil, &UnreachableError{Addr: p.Address, Err: err}
	}
	return connection(p, rh, resp)
}

// connection interprets an INFO answer.
func connection(p ConnectParams, rh Header, resp *pb.Response) (*Connection, error) {
	info := AdInfo(resp)
	if code := resp.GetResult().GetResultCode(); code != ResultOK {
		return nil, &ResultError{Command: pb.CommandTypeEnum_COMMAND_INFO, Code: code,
			Text: resp.GetResult().GetResultText(), Info: info}
	}
	if resp.GetCommand() != pb.CommandTypeEnum_COMMAND_INFO {
		return nil, &ResultError{Command: pb.CommandTypeEnum_COMMAND_INFO, Code: ResultProtocolViolation,
			Err: fmt.Errorf("answer to INFO is %v", resp.GetCommand())}
	}
	c := &Connection{Token: rh.Token, Info: info, Response: resp}
	ri := resp.GetService().GetRegInfo()
	c.Reg = kkm.RegInfo{
		OrgTitle:             ri.GetOrg().GetTitle(),
		OrgIINBIN:            ri.GetOrg().GetInn(),
		OrgAddress:           ri.GetOrg().GetAddress(),
		OrgAddressKZ:         ri.GetOrg().GetAddressKz(),
		OrgOKED:              ri.GetOrg().GetOkved(),
		PointTitle:           ri.GetPos().GetTitle(),
		PointAddress:         ri.GetPos().GetAddress(),
		PointAddressKZ:       ri.GetPos().GetAddressKz(),
		RNM:                  ri.GetKkm().GetFnsKkmId(),
		ZNM:                  ri.GetKkm().GetSerialNumber(),
		KKMID:                ri.GetKkm().GetKkmId(),
		PointOfPaymentNumber: ri.GetKkm().GetPointOfPaymentNumber(),
	}
	if c.Reg.KKMID == "" {
		c.Reg.KKMID = strconv.FormatUint(uint64(p.SystemID), 10)
	}
	if pos := ri.GetPos(); pos.GetLatitude() <= math.MaxInt32 && pos.GetLongitude() <= math.MaxInt32 {
		pt := kkm.GeoPosition{Latitude: int32(pos.GetLatitude()), Longitude: int32(pos.GetLongitude()),
			Source: kkm.GeoSourceTradingPoint}
		if pt.Validate() == nil { // a unit other than micro-degrees lands outside Kazakhstan
			c.Point = &pt
		}
	}
	if rep := resp.GetReport(); rep != nil && rep.GetZxReport() != nil {
		r, err := ReportFromZX(rep.GetZxReport(), p.Location)
		if err != nil {
			return nil, &ResultError{Command: pb.CommandTypeEnum_COMMAND_INFO, Code: ResultProtocolViolation, Err: err}
		}
		c.Shift = OFDShift{Open: rep.GetReport() == pb.ReportTypeEnum_REPORT_X, Report: r}
	}
	return c, nil
}

// AdInfo returns the OFD's TICKET_AD_INFO text from an answer ("" when it sent none).
func AdInfo(resp *pb.Response) string {
	for _, ad := range resp.GetService().GetTicketAds() {
		if ad.GetInfo().GetType() == pb.TicketAdTypeEnum_TICKET_AD_INFO {
			return ad.GetText()
		}
	}
	return ""
}

// ReportFromZX converts a ZX report from the OFD into the register's report counters (the
// reverse of Identity.ZXReport). Times are read as wall-clock readings in loc (nil: UTC).
func ReportFromZX(z *pb.ZXReport, loc *time.Location) (kkm.Report, error) {
	var r kkm.Report
	var errs []error
	m := func(what string, w *pb.Money) kkm.Money {
		if w == nil {
			return 0
		}
		v, err := TiynFromMoney(w)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", what, err))
		}
		return kkm.Money(v)
	}
	opIndex := func(op pb.OperationTypeEnum) (int, bool) {
		i := int(op)
		return i, i >= 0 && i < 4
	}
	ops := func(what string, list []*pb.ZXReport_Operation, into *kkm.ByOperation) {
		for _, o := range list {
			if i, ok := opIndex(o.GetOperation()); ok {
				into[i] = kkm.Counter{Count: o.GetCount(), Sum: m(what, o.GetSum())}
			}
		}
	}
	var err error
	if r.Time, err = TimeFromDateTime(z.GetDateTime(), loc); err != nil {
		return r, fmt.Errorf("ZX report time: %w", err)
	}
	if z.GetOpenShiftTime() != nil {
		if r.OpenTime, err = TimeFromDateTime(z.GetOpenShiftTime(), loc); err != nil {
			return r, fmt.Errorf("ZX open shift time: %w", err)
		}
	}
	if z.GetCloseShiftTime() != nil {
		if r.CloseTime, err = TimeFromDateTime(z.GetCloseShiftTime(), loc); err != nil {
			return r, fmt.Errorf("ZX close shift time: %w", err)
		}
	}
	r.ShiftNumber = z.GetShiftNumber()
	c := &r.ShiftCounters
	ops("operations", z.GetOperations(), &c.Operations)
	ops("discounts", z.GetDiscounts(), &c.Discounts)
	ops("markups", z.GetMarkups(), &c.Markups)
	ops("total result", z.GetTotalResult(), &c.TotalResult)
	for _, s := range z.GetSections() {
		sc := kkm.SectionCounters{Section: s.GetSectionCode()}
		ops("section", s.GetOperations(), &sc.Operations)
		c.Sections = append(c.Sections, sc)
	}
	for _, t := range z.GetTaxes() {
		rate, ok := rateFromWire(t.GetPercent())
		if !ok {
			errs = append(errs, fmt.Errorf("ZX tax percent %d is not a VAT rate of Kazakhstan", t.GetPercent()))
			continue
		}
		tc := kkm.TaxCounters{Rate: rate}
		for _, o := range t.GetOperations() {
			if i, ok := opIndex(o.GetOperation()); ok {
				tc.Operations[i] = kkm.TaxTurnover{
					Turnover:           m("tax turnover", o.GetTurnover()),
					VAT:                m("tax sum", o.GetSum()),
					TurnoverWithoutVAT: m("turnover without tax", o.GetTurnoverWithoutTax()),
				}
			}
		}
		c.Taxes = append(c.Taxes, tc)
	}
	for _, to := range z.GetTicketOperations() {
		i, ok := opIndex(to.GetOperation())
		if !ok {
			continue
		}
		rc := kkm.ReceiptCounters{
			TotalCount:   to.GetTicketsTotalCount(),
			Count:        to.GetTicketsCount(),
			Sum:          m("tickets sum", to.GetTicketsSum()),
			OfflineCount: to.GetOfflineCount(),
			DiscountSum:  m("discount sum", to.GetDiscountSum()),
			MarkupSum:    m("markup sum", to.GetMarkupSum()),
			ChangeSum:    m("change sum", to.GetChangeSum()),
		}
		for _, p := range to.GetPayments() {
			pc := kkm.PaymentCounter{Type: kkm.PaymentType(p.GetPayment()), Count: p.GetCount(), Sum: m("payment sum", p.GetSum())}
			if pc.Type == kkm.PayCash {
				pc.Sum += rc.ChangeSum // the register counts cash taken, change included
			}
			rc.Payments = append(rc.Payments, pc)
		}
		c.Receipts[i] = rc
	}
	for _, mp := range z.GetMoneyPlacements() {
		i := int(mp.GetOperation())
		if i < 0 || i > 1 {
			continue
		}
		c.Placements[i] = kkm.PlacementCounters{
			TotalCount:   mp.GetOperationsTotalCount(),
			Count:        mp.GetOperationsCount(),
			Sum:          m("placement sum", mp.GetOperationsSum()),
			OfflineCount: mp.GetOfflineCount(),
		}
	}
	for _, nn := range z.GetStartShiftNonNullableSums() {
		if i, ok := opIndex(nn.GetOperation()); ok {
			c.StartNonNullable[i] = m("start non-nullable sum", nn.GetSum())
		}
	}
	for _, nn := range z.GetNonNullableSums() {
		if i, ok := opIndex(nn.GetOperation()); ok {
			r.NonNullable[i] = m("non-nullable sum", nn.GetSum())
		}
	}
	r.CashInDrawer = m("cash sum", z.GetCashSum())
	r.Revenue = m("revenue", z.GetRevenue().GetSum())
	if z.GetRevenue().GetIsNegative() {
		r.Revenue = -r.Revenue
	}
	return r, errors.Join(errs...)
}

// rateFromWire maps a wire percent (thousandths) to a VAT rate.
func rateFromWire(p uint32) (kkm.VATRate, bool) {
	for _, r := range kkm.VATRates() {
		if r.Taxed() && r.WirePercent() == p {
			return r, true
		}
	}
	return 0, false
}

// Reconciliation is what to do with the local shift after connecting (see Reconcile).
type Reconciliation uint8

// The outcomes of Reconcile.
const (
	// ReconcileContinue: the local shift is the OFD's, or ahead of it (documents still queued).
	ReconcileContinue Reconciliation = iota + 1
	// ReconcileAdopt: the OFD is ahead (the register worked on another phone): take its shift
	// number and counters (the State Reconcile returns).
	ReconcileAdopt
)

// ClockError refuses a reconciliation because the local clock is behind the OFD's times: a
// document dated before the OFD's last one would break «time only moves forward».
type ClockError struct {
	Local time.Time // the register's clock
	OFD   time.Time // the latest time in the OFD's report
}

// Error describes the refusal for logs.
func (e *ClockError) Error() string {
	return fmt.Sprintf("ofdclient: the register's clock (%s) is behind the OFD's last report (%s)",
		e.Local.Format(time.DateTime), e.OFD.Format(time.DateTime))
}

// MessageID returns "err.ofd.clock_behind".
func (e *ClockError) MessageID() string { return "err.ofd.clock_behind" }

// TemplateData returns Local and OFD.
func (e *ClockError) TemplateData() map[string]any {
	return map[string]any{"Local": e.Local, "OFD": e.OFD}
}

// Reconcile compares the local shift with the OFD's view of it when a register connects (or
// reconnects on a new phone) and says what to do:
//
//   - a *ClockError when now is before any time in the OFD's report (fix the clock first);
//   - ReconcileContinue when the local state is the OFD's or ahead of it: the same shift number
//     and open/closed, a higher local number, or documents still waiting to be sent (waiting >
//     0: the OFD has not seen them yet);
//   - ReconcileAdopt with the new state otherwise: the OFD's shift number, whether it is open,
//     its counters, cash in the drawer and non-nullable sums; the local offline numbering is kept.
//
// It is pure: the caller commits the returned state.
func Reconcile(local kkm.State, ofd OFDShift, waiting int, now time.Time) (Reconciliation, kkm.State, error) {
	r := ofd.Report
	latest := r.Time
	for _, t := range []time.Time{r.OpenTime, r.CloseTime} {
		if t.After(latest) {
			latest = t
		}
	}
	if now.Before(wall(latest, now.Location())) {
		return 0, local, &ClockError{Local: now, OFD: latest}
	}
	if waiting > 0 || local.ShiftNumber > r.ShiftNumber ||
		(local.ShiftNumber == r.ShiftNumber && local.ShiftOpen == ofd.Open) {
		return ReconcileContinue, local, nil
	}
	s := local
	s.ShiftNumber = r.ShiftNumber
	s.ShiftOpen = ofd.Open
	s.CashInDrawer = r.CashInDrawer
	s.NonNullable = r.NonNullable
	s.Counters = r.ShiftCounters
	if latest.After(s.LastDocumentTime) {
		s.LastDocumentTime = latest
	}
	s.ShiftOpenedAt, s.DocumentNumber = time.Time{}, 0
	if ofd.Open {
		s.ShiftOpenedAt = r.OpenTime
		for _, rc := range r.Receipts {
			s.DocumentNumber += rc.Count
		}
		for _, pc := range r.Placements {
			s.DocumentNumber += pc.Count
		}
	}
	return ReconcileAdopt, s, nil
}

// wall reads t's wall clock as a time in loc, so a zone-less OFD time compares with the local
// clock.
func wall(t time.Time, loc *time.Location) time.Time {
	if t.IsZero() {
		return t
	}
	return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), 0, loc)
}
