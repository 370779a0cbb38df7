package ofdclient

import (
	"errors"
	"fmt"
	"hash/crc32"
	"strconv"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/ekassa-go/ekassa/kkm"
	"github.com/ekassa-go/ekassa/ofdclient/pb"
)

// The fixed values of the requests this register builds.
const (
	// TaxTypeVAT is the wire's tax_type of VAT (НДС), the only tax a register in Kazakhstan sends.
	TaxTypeVAT uint32 = 100
	// TaxationGeneral is the wire's taxation_type of the general tax regime (RTS), sent with
	// every VAT entry of a receipt.
	TaxationGeneral uint32 = 101

	// discountName and markupName are the modifier names sent to the OFD (required since 2.0.1).
	discountName = "Скидка"
	markupName   = "Наценка"
)

// ErrDocument is wrapped by every error of request building: the document cannot be put on the
// wire as it is (a missing receipt or report, an amount or time with no wire form, a kind that is
// not sent to the OFD).
var ErrDocument = errors.New("ofdclient: document cannot be sent")

// Identity is who the register is to the OFD: the header's system ID and the registration that
// every fiscal request's service block carries (reg_info: RNM, ZNM, kkm_id, organisation).
type Identity struct {
	SystemID uint32      // the header's device ID (системный идентификатор)
	Reg      kkm.RegInfo // the registration the OFD returned at connection
	// Location is the zone whose wall clock the wire times are read in (the wire has no zone).
	// Nil keeps each time's own location, which is the phone's local time for documents the
	// app issues with time.Now.
	Location *time.Location
	// Version is the protocol version the register speaks (0: 2.0.3); it picks the request
	// mapping (ProtocolFor) and the frame header's VERSION.
	Version uint16
	// Protocol, when set, is the request mapping itself, in place of ProtocolFor(Version): a
	// mapping being written for a new version, or a test's.
	Protocol Protocol
	// Point is the trading point's position from the settings (nil: none set): the requests of
	// documents that recorded no position of their own carry it.
	Point *kkm.GeoPosition
	// CurrentPoint, when set, is asked for the trading point's position instead of Point, each time a
	// request is built: the app hands the sender its settings' current coordinates this way, so
	// that coordinates set after the sender started reach the documents that need them (those
	// journaled before positions were recorded). It must be safe to call from any goroutine and
	// must not wait on the app's locks.
	CurrentPoint func() (kkm.GeoPosition, bool)
}

// ProtocolVersion is the VERSION of the identity's frame headers (203 unless Version says
// otherwise; an unsupported Version is refused when a request is built).
func (id Identity) ProtocolVersion() uint16 {
	if p, err := id.protocol(); err == nil {
		return p.Version()
	}
	return id.Version
}

// protocol is the identity's request mapping.
func (id Identity) protocol() (Protocol, error) {
	if id.Protocol != nil {
		return id.Protocol, nil
	}
	return ProtocolFor(id.Version)
}

// IdentityFromSettings returns the identity stored in the register's settings.
func IdentityFromSettings(s kkm.Settings) Identity {
	reg := s.Reg
	if reg.ZNM == "" {
		reg.ZNM = s.SerialNumber
	}
	if reg.KKMID == "" && s.SystemID != 0 {
		reg.KKMID = strconv.FormatUint(uint64(s.SystemID), 10)
	}
	id := Identity{SystemID: s.SystemID, Reg: reg, Version: s.ProtocolVersion}
	if p, ok := s.TradingPointPosition(); ok {
		id.Point = &p
	}
	return id
}

// OfflinePeriod is the service block's offline_period: the register worked offline from Begin to
// End. Requests sent while catching up after an offline spell carry it (spec §5.2).
type OfflinePeriod struct {
	Begin, End time.Time
}

// wireTime converts t to the wire in the identity's location.
func (id Identity) wireTime(what string, t time.Time) (*pb.DateTime, error) {
	if t.IsZero() {
		return nil, fmt.Errorf("%w: %s is missing", ErrDocument, what)
	}
	if id.Location != nil {
		t = t.In(id.Location)
	}
	dt, err := DateTimeFromTime(t)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrDocument, what, err)
	}
	return dt, nil
}

// money converts an amount to the wire, naming it in the error.
func money(what string, m kkm.Money) (*pb.Money, error) {
	w, err := MoneyFromTiyn(int64(m))
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrDocument, what, err)
	}
	return w, nil
}

// regInfo is the service block's reg_info.
func (id Identity) regInfo() *pb.ServiceRequest_RegInfo {
	r := id.Reg
	kkmID := r.KKMID
	if kkmID == "" && id.SystemID != 0 {
		kkmID = strconv.FormatUint(uint64(id.SystemID), 10)
	}
	kr := &pb.KkmRegInfo{
		FnsKkmId:     proto.String(r.RNM),
		SerialNumber: proto.String(r.ZNM),
		KkmId:        proto.String(kkmID),
	}
	if r.PointOfPaymentNumber != "" {
		kr.PointOfPaymentNumber = proto.String(r.PointOfPaymentNumber)
	}
	org := &pb.OrgRegInfo{
		Title:   proto.String(r.OrgTitle),
		Address: proto.String(r.OrgAddress),
		Inn:     proto.String(r.OrgIINBIN),
	}
	if r.OrgAddressKZ != "" {
		org.AddressKz = proto.String(r.OrgAddressKZ)
	}
	if r.OrgOKED != "" {
		org.Okved = proto.String(r.OrgOKED)
	}
	return &pb.ServiceRequest_RegInfo{Kkm: kr, Org: org}
}

// Service builds the service block of a request: reg_info always, and offline_period when the
// register is catching up after an offline spell (off non-nil).
func (id Identity) Service(off *OfflinePeriod) (*pb.ServiceRequest, error) {
	s := &pb.ServiceRequest{RegInfo_: id.regInfo()}
	if off != nil {
		begin, err := id.wireTime("offline period begin", off.Begin)
		if err != nil {
			return nil, err
		}
		end, err := id.wireTime("offline period end", off.End)
		if err != nil {
			return nil, err
		}
		s.OfflinePeriod = &pb.ServiceRequest_OfflinePeriod{BeginTime: begin, EndTime: end}
	}
	return s, nil
}

// InfoRequest builds COMMAND_INFO, the first request of a register: it has no body and no
// service block (vectors/info_req).
func InfoRequest() *pb.Request {
	return &pb.Request{Command: pb.CommandTypeEnum_COMMAND_INFO.Enum()}
}

// SystemRequest builds COMMAND_SYSTEM, the service packet a register sends to probe the OFD
// while blocked by it (spec §5.4: with reg_info) or after an offline spell (with offline_period),
// in the identity's protocol version.
func (id Identity) SystemRequest(off *OfflinePeriod) (*pb.Request, error) {
	p, err := id.protocol()
	if err != nil {
		return nil, err
	}
	return p.SystemRequest(id, off)
}

// Request builds the request that sends doc to the OFD in the identity's protocol version (see
// Protocol; 2.0.3: TICKET for a receipt, MONEY_PLACEMENT for a cash in or out, CLOSE_SHIFT for a
// Z report, REPORT (X) for an X report), every one with the service block: reg_info, the
// position, and offline_period when off is set.
func (id Identity) Request(doc *kkm.Document, off *OfflinePeriod) (*pb.Request, error) {
	p, err := id.protocol()
	if err != nil {
		return nil, err
	}
	return p.Request(id, doc, off)
}

// operator converts the document's cashier.
func operator(o kkm.Operator) *pb.Operator {
	op := &pb.Operator{Code: proto.Uint32(o.Code)}
	if o.Name != "" {
		op.Name = proto.String(o.Name)
	}
	return op
}

// vatTaxes builds one VAT entry per taxed rate (tax_type 100, taxation_type 101, percent in
// thousandths, included in the sum) carrying kkm's VAT for the share as it is. Amounts at VATNone
// carry no entry.
func vatTaxes(shares []kkm.RateVAT) ([]*pb.TicketRequest_Tax, error) {
	var out []*pb.TicketRequest_Tax
	for _, sh := range shares {
		if !sh.Rate.Taxed() {
			continue
		}
		sum, err := money("VAT", sh.VAT)
		if err != nil {
			return nil, err
		}
		out = append(out, &pb.TicketRequest_Tax{
			TaxType:      proto.Uint32(TaxTypeVAT),
			TaxationType: proto.Uint32(TaxationGeneral),
			Percent:      proto.Uint32(sh.Rate.WirePercent()),
			Sum:          sum,
			IsInTotalSum: proto.Bool(true),
		})
	}
	return out, nil
}

// modifier builds a discount or markup of amount m carrying the given VAT per rate.
func modifier(kind kkm.ModifierKind, m kkm.Money, shares []kkm.RateVAT) (*pb.TicketRequest_Modifier, error) {
	sum, err := money("modifier", m)
	if err != nil {
		return nil, err
	}
	name := discountName
	if kind == kkm.Markup {
		name = markupName
	}
	taxes, err := vatTaxes(shares)
	if err != nil {
		return nil, err
	}
	return &pb.TicketRequest_Modifier{Name: proto.String(name), Sum: sum, Taxes: taxes}, nil
}

// Ticket builds the TicketRequest of a receipt document.
//
// Each line is a COMMODITY item: price, quantity in thousandths, sum = price × quantity (the
// line's Gross, before any modifier), the unit's measure_unit_code, the section, and one VAT
// tax (tax_type 100, taxation_type 101, percent in thousandths, is_in_total_sum). Cash payments
// carry amounts.taken and amounts.change, and the cash payment's sum is what stays in the
// drawer (taken − change). A return carries parent_ticket; an offline receipt its
// offline_ticket_number; printed_ticket is the document's text.
//
// # VAT: the wire carries exactly kkm's numbers
//
// The receipt kkm computed (and printed) has one VAT per line; the wire carries each commodity at
// its gross amount and each discount and markup with the VAT it moves. kkm gives those numbers
// (kkm.Receipt.ModifierVAT, where the rule and its telescoping identity are written down), so
// that per rate the wire's VAT adds up to the printed VAT to the tiyn; Ticket only maps them: an
// item modifier follows its commodity with the one tax entry of the line's rate, the receipt
// modifier has one entry per taxed rate that takes a share of it. Ticket refuses (ErrDocument) a
// receipt whose lines do not hold kkm's amounts (kkm.ErrReceiptInconsistent): the wire could not
// carry the printed VAT. The OFD emulator (ofdsim) checks the same identities and counts VAT per
// rate as the register's ZX counters do.
func (id Identity) Ticket(doc *kkm.Document) (*pb.TicketRequest, error) {
	r := doc.Receipt
	if r == nil {
		return nil, fmt.Errorf("%w: receipt document %d/%d has no receipt", ErrDocument, doc.ShiftNumber, doc.Number)
	}
	at, err := id.wireTime("receipt time", doc.Time)
	if err != nil {
		return nil, err
	}
	t := &pb.TicketRequest{
		Operation:     pb.OperationTypeEnum(r.Operation).Enum(),
		DateTime:      at,
		Operator:      operator(doc.Operator),
		Domain:        &pb.TicketRequest_Domain{Type: pb.DomainTypeEnum_DOMAIN_TRADING.Enum()},
		FrShiftNumber: proto.Uint32(doc.ShiftNumber),
	}
	if doc.Number != 0 {
		t.ShiftDocumentNumber = proto.Uint32(doc.Number)
	}
	vat, err := r.ModifierVAT()
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrDocument, err)
	}
	for i, l := range r.Lines {
		price, err := money(fmt.Sprintf("line %d price", i+1), l.Price)
		if err != nil {
			return nil, err
		}
		sum, err := money(fmt.Sprintf("line %d sum", i+1), l.Gross)
		if err != nil {
			return nil, err
		}
		if l.Quantity < 0 {
			return nil, fmt.Errorf("%w: line %d quantity %d is negative", ErrDocument, i+1, l.Quantity)
		}
		c := &pb.TicketRequest_Item_Commodity{
			Name:            proto.String(l.Name),
			SectionCode:     proto.String(l.Section),
			Quantity:        proto.Uint64(uint64(l.Quantity)),
			Price:           price,
			Sum:             sum,
			MeasureUnitCode: proto.String(l.Unit),
		}
		if l.NTIN != "" {
			c.Ntin = proto.String(l.NTIN) // field 15, since 2.0.3: the НКТ product code; absent when none
		}
		if l.Marked != "" {
			// field 14, since 2.0.3: one marking code per unit, as scanned, separators (GS) kept;
			// the deprecated single excise_stamp (8) is not sent
			if int64(len(l.Codes))*int64(kkm.QuantityOne) != int64(l.Quantity) {
				return nil, fmt.Errorf("%w: line %d is marked with %d codes for quantity %v", ErrDocument, i+1, len(l.Codes), l.Quantity)
			}
			c.ListExciseStamp = append([]string(nil), l.Codes...)
		}
		lv := vat.Lines[i]
		if c.Taxes, err = vatTaxes([]kkm.RateVAT{{Rate: l.VATRate, Sum: l.Gross, VAT: lv.Gross}}); err != nil {
			return nil, err
		}
		t.Items = append(t.Items, &pb.TicketRequest_Item{
			Type:      pb.TicketRequest_Item_ITEM_TYPE_COMMODITY.Enum(),
			Commodity: c,
		})
		if l.Discount > 0 {
			m, err := modifier(kkm.Discount, l.Discount, []kkm.RateVAT{{Rate: l.VATRate, Sum: l.Discount, VAT: lv.Discount}})
			if err != nil {
				return nil, err
			}
			t.Items = append(t.Items, &pb.TicketRequest_Item{Type: pb.TicketRequest_Item_ITEM_TYPE_DISCOUNT.Enum(), Discount: m})
		}
		if l.Markup > 0 {
			m, err := modifier(kkm.Markup, l.Markup, []kkm.RateVAT{{Rate: l.VATRate, Sum: l.Markup, VAT: lv.Markup}})
			if err != nil {
				return nil, err
			}
			t.Items = append(t.Items, &pb.TicketRequest_Item{Type: pb.TicketRequest_Item_ITEM_TYPE_MARKUP.Enum(), Markup: m})
		}
	}
	if len(t.Items) == 0 {
		return nil, fmt.Errorf("%w: receipt %d/%d has no lines", ErrDocument, doc.ShiftNumber, doc.Number)
	}
	for _, p := range r.Payments {
		applied := p.Sum
		if p.Type == kkm.PayCash {
			applied -= r.Change // the wire's cash payment is what stays in the drawer; taken and change go in amounts
		}
		sum, err := money("payment", applied)
		if err != nil {
			return nil, err
		}
		t.Payments = append(t.Payments, &pb.TicketRequest_Payment{Type: pb.PaymentTypeEnum(p.Type).Enum(), Sum: sum})
	}
	total, err := money("total", r.Total)
	if err != nil {
		return nil, err
	}
	t.Amounts = &pb.TicketRequest_Amounts{Total: total}
	if hasCash(r.Payments) {
		if t.Amounts.Taken, err = money("taken", r.Taken); err != nil {
			return nil, err
		}
		if t.Amounts.Change, err = money("change", r.Change); err != nil {
			return nil, err
		}
	}
	switch {
	case r.Discount > 0 && r.Markup > 0:
		return nil, fmt.Errorf("%w: receipt has both a discount and a markup", ErrDocument)
	case r.Discount > 0:
		if t.Amounts.Discount, err = modifier(kkm.Discount, r.Discount, vat.Modifier); err != nil {
			return nil, err
		}
	case r.Markup > 0:
		if t.Amounts.Markup, err = modifier(kkm.Markup, r.Markup, vat.Modifier); err != nil {
			return nil, err
		}
	}
	if r.BuyerIINBIN != "" {
		t.ExtensionOptions = &pb.TicketRequest_ExtensionOptions{CustomerIinOrBin: proto.String(r.BuyerIINBIN)}
	}
	if doc.Offline {
		t.OfflineTicketNumber = proto.Uint32(doc.OfflineNumber)
	}
	if doc.Text != "" {
		t.PrintedTicket = proto.String(doc.Text)
	}
	if p := r.Parent; p != nil {
		pt, err := id.wireTime("parent receipt time", p.Time)
		if err != nil {
			return nil, err
		}
		ptotal, err := money("parent total", p.Total)
		if err != nil {
			return nil, err
		}
		t.ParentTicket = &pb.TicketRequest_ParentTicket{
			ParentTicketNumber:    proto.String(p.Number),
			ParentTicketDataTime:  pt,
			KgdKkmId:              proto.String(p.RNM),
			ParentTicketTotal:     ptotal,
			ParentTicketIsOffline: proto.Bool(p.Offline),
		}
	} else if r.Operation == kkm.OpSaleReturn || r.Operation == kkm.OpPurchaseReturn {
		return nil, fmt.Errorf("%w: a return must name its parent receipt", ErrDocument)
	}
	return t, nil
}

// hasCash reports whether a receipt is (partly) paid in cash.
func hasCash(ps []kkm.Payment) bool {
	for _, p := range ps {
		if p.Type == kkm.PayCash {
			return true
		}
	}
	return false
}

// MoneyPlacement builds the MoneyPlacementRequest of a cash in or cash out document.
func (id Identity) MoneyPlacement(doc *kkm.Document) (*pb.MoneyPlacementRequest, error) {
	op := pb.MoneyPlacementEnum_MONEY_PLACEMENT_DEPOSIT
	switch doc.Kind {
	case kkm.KindCashIn:
	case kkm.KindCashOut:
		op = pb.MoneyPlacementEnum_MONEY_PLACEMENT_WITHDRAWAL
	default:
		return nil, fmt.Errorf("%w: %q is not a cash in or out", ErrDocument, doc.Kind)
	}
	at, err := id.wireTime("cash operation time", doc.Time)
	if err != nil {
		return nil, err
	}
	sum, err := money("cash", doc.Cash)
	if err != nil {
		return nil, err
	}
	return &pb.MoneyPlacementRequest{
		Datetime:      at,
		Operation:     op.Enum(),
		Sum:           sum,
		IsOffline:     proto.Bool(doc.Offline),
		FrShiftNumber: proto.Uint32(doc.ShiftNumber),
		Operator:      operator(doc.Operator),
	}, nil
}

// CloseShift builds the CloseShiftRequest of a Z report document: the close time, the shift's
// number, the register's own Z report, the cashier and whether it was closed offline. Auto
// cash-out is issued as its own cash-out document before the Z, so withdraw_money is false.
func (id Identity) CloseShift(doc *kkm.Document) (*pb.CloseShiftRequest, error) {
	if doc.Kind != kkm.KindZReport || doc.Report == nil {
		return nil, fmt.Errorf("%w: %q document %d/%d is not a Z report", ErrDocument, doc.Kind, doc.ShiftNumber, doc.Number)
	}
	closeAt := doc.Report.CloseTime
	if closeAt.IsZero() {
		closeAt = doc.Time
	}
	at, err := id.wireTime("close time", closeAt)
	if err != nil {
		return nil, err
	}
	z, err := id.ZXReport(doc.Report)
	if err != nil {
		return nil, err
	}
	return &pb.CloseShiftRequest{
		CloseTime:     at,
		IsOffline:     proto.Bool(doc.Offline),
		FrShiftNumber: proto.Uint32(doc.Report.ShiftNumber),
		WithdrawMoney: proto.Bool(false),
		ZReport:       z,
		Operator:      operator(doc.Operator),
	}, nil
}

// XReport builds the ReportRequest (REPORT_X) of an X report document with the register's own
// counters.
func (id Identity) XReport(doc *kkm.Document) (*pb.ReportRequest, error) {
	if doc.Report == nil {
		return nil, fmt.Errorf("%w: X report document has no report", ErrDocument)
	}
	at, err := id.wireTime("report time", doc.Time)
	if err != nil {
		return nil, err
	}
	zx, err := id.ZXReport(doc.Report)
	if err != nil {
		return nil, err
	}
	r := &pb.ReportRequest{
		Report:   pb.ReportTypeEnum_REPORT_X.Enum(),
		DateTime: at,
		ZxReport: zx,
	}
	if doc.Offline {
		r.IsOffline = proto.Bool(true)
	}
	return r, nil
}

// ZXReport converts the register's report counters to the wire's ZXReport, every repeated
// group in the order the protocol lists it (n = 4 per operation, n = 2 placements), with the
// checksum as [CODEC] computes it (CRC-32 of the report encoded with an empty checksum).
func (id Identity) ZXReport(r *kkm.Report) (*pb.ZXReport, error) {
	var errs []error
	m := func(what string, v kkm.Money) *pb.Money {
		w, err := money(what, v)
		if err != nil {
			errs = append(errs, err)
			return &pb.Money{Bills: proto.Uint64(0), Coins: proto.Uint32(0)}
		}
		return w
	}
	ops := func(what string, c *kkm.ByOperation) []*pb.ZXReport_Operation {
		out := make([]*pb.ZXReport_Operation, len(c))
		for i := range c {
			out[i] = &pb.ZXReport_Operation{
				Operation: pb.OperationTypeEnum(i).Enum(),
				Count:     proto.Uint32(c[i].Count),
				Sum:       m(what, c[i].Sum),
			}
		}
		return out
	}
	at := r.Time
	if at.IsZero() {
		at = r.CloseTime
	}
	dt, err := id.wireTime("report time", at)
	if err != nil {
		return nil, err
	}
	c := &r.ShiftCounters
	z := &pb.ZXReport{
		DateTime:    dt,
		ShiftNumber: proto.Uint32(r.ShiftNumber),
		Operations:  ops("operations", &c.Operations),
		Discounts:   ops("discounts", &c.Discounts),
		Markups:     ops("markups", &c.Markups),
		TotalResult: ops("total result", &c.TotalResult),
		CashSum:     m("cash in drawer", r.CashInDrawer),
	}
	for i := range c.Sections {
		s := &c.Sections[i]
		z.Sections = append(z.Sections, &pb.ZXReport_Section{
			SectionCode: proto.String(s.Section),
			Operations:  ops("section", &s.Operations),
		})
	}
	for _, t := range c.Taxes {
		wt := &pb.ZXReport_Tax{TaxType: proto.Uint32(TaxTypeVAT), Percent: proto.Uint32(t.Rate.WirePercent())}
		for op, to := range t.Operations {
			wt.Operations = append(wt.Operations, &pb.ZXReport_Tax_TaxOperation{
				Operation:          pb.OperationTypeEnum(op).Enum(),
				Turnover:           m("tax turnover", to.Turnover),
				Sum:                m("tax sum", to.VAT),
				TurnoverWithoutTax: m("turnover without tax", to.TurnoverWithoutVAT),
			})
		}
		z.Taxes = append(z.Taxes, wt)
	}
	for op := range c.Receipts {
		rc := &c.Receipts[op]
		to := &pb.ZXReport_TicketOperation{
			Operation:         pb.OperationTypeEnum(op).Enum(),
			TicketsTotalCount: proto.Uint32(rc.TotalCount),
			TicketsCount:      proto.Uint32(rc.Count),
			TicketsSum:        m("tickets sum", rc.Sum),
			OfflineCount:      proto.Uint32(rc.OfflineCount),
			DiscountSum:       m("discount sum", rc.DiscountSum),
			MarkupSum:         m("markup sum", rc.MarkupSum),
			ChangeSum:         m("change sum", rc.ChangeSum),
		}
		for _, p := range rc.Payments {
			sum := p.Sum
			if p.Type == kkm.PayCash {
				sum -= rc.ChangeSum // as in the receipts: the cash that stayed, change_sum apart
			}
			to.Payments = append(to.Payments, &pb.ZXReport_TicketOperation_Payment{
				Payment: pb.PaymentTypeEnum(p.Type).Enum(),
				Sum:     m("payment sum", sum),
				Count:   proto.Uint32(p.Count),
			})
		}
		z.TicketOperations = append(z.TicketOperations, to)
		z.StartShiftNonNullableSums = append(z.StartShiftNonNullableSums, &pb.ZXReport_NonNullableSum{
			Operation: pb.OperationTypeEnum(op).Enum(), Sum: m("start non-nullable sum", c.StartNonNullable[op]),
		})
		z.NonNullableSums = append(z.NonNullableSums, &pb.ZXReport_NonNullableSum{
			Operation: pb.OperationTypeEnum(op).Enum(), Sum: m("non-nullable sum", r.NonNullable[op]),
		})
	}
	for op := range c.Placements {
		pc := &c.Placements[op]
		z.MoneyPlacements = append(z.MoneyPlacements, &pb.ZXReport_MoneyPlacement{
			Operation:            pb.MoneyPlacementEnum(op).Enum(),
			OperationsTotalCount: proto.Uint32(pc.TotalCount),
			OperationsCount:      proto.Uint32(pc.Count),
			OperationsSum:        m("placement sum", pc.Sum),
			OfflineCount:         proto.Uint32(pc.OfflineCount),
		})
	}
	rev := r.Revenue
	z.Revenue = &pb.ZXReport_Revenue{Sum: m("revenue", absMoney(rev)), IsNegative: proto.Bool(rev < 0)}
	if !r.OpenTime.IsZero() {
		if z.OpenShiftTime, err = id.wireTime("shift open time", r.OpenTime); err != nil {
			return nil, err
		}
	}
	if !r.CloseTime.IsZero() {
		if z.CloseShiftTime, err = id.wireTime("shift close time", r.CloseTime); err != nil {
			return nil, err
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	sum, err := ZXChecksum(z)
	if err != nil {
		return nil, err
	}
	z.Checksum = proto.String(sum)
	return z, nil
}

// absMoney returns |m|.
func absMoney(m kkm.Money) kkm.Money {
	if m < 0 {
		return -m
	}
	return m
}

// ZXChecksum computes a ZX report's checksum as [CODEC] does: CRC-32 (IEEE) of the report
// encoded (deterministically) with an empty checksum, as 8 upper-case hex digits. The protocol
// does not define the algorithm (fact sheet §4.9).
func ZXChecksum(z *pb.ZXReport) (string, error) {
	c := proto.Clone(z).(*pb.ZXReport)
	c.Checksum = proto.String("")
	b, err := proto.MarshalOptions{Deterministic: true, AllowPartial: true}.Marshal(c)
	if err != nil {
		return "", fmt.Errorf("ofdclient: ZX report checksum: %w", err)
	}
	return fmt.Sprintf("%08X", crc32.ChecksumIEEE(b)), nil
}
