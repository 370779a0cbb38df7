package ofdsim

import (
	"fmt"
	"hash/crc32"
	"sort"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/ekassa-go/ekassa/ofdclient/pb"
)

// The emulator's ZX counters are its own: computed from the documents it accepted, never taken
// from what a register says. Their definitions, per shift:
//
//   - operations[op]: receipts of the operation and the sum of their commodity lines (storno
//     lines subtracted), before discounts and markups;
//   - discounts[op], markups[op]: receipts with a discount (markup) and the sum of all discounts
//     (markups) of the operation, item-level and receipt-level, net of storno;
//   - total_result[op] and ticket_operations[op].tickets_sum: receipts and the sum of their totals;
//   - sections: commodity sums per section code and operation;
//   - taxes: per rate and operation, the taxed turnover, the tax, and the turnover without tax.
//     The turnover is what is paid at that rate: commodity sums less discounts plus markups, the
//     item ones of the lines at the rate and the receipt-level ones by the lines' shares (see
//     ticket.go); the tax is commodity VAT less discount VAT plus markup VAT, which the checks
//     make exactly Σ VAT(what is paid for each line), the register's own per-line VAT. With
//     receipt-level taxes the turnover is the receipt's total and the tax its VAT;
//   - ticket_operations[op].payments: per payment type, the amount applied and how many receipts used it;
//   - money_placements: cash in and cash out, count and sum (an auto cash-out at shift close is
//     not counted in the shift it closes);
//   - cash_sum: the cash in the drawer: cash sales and purchase returns add, purchases and sale
//     returns take away, cash in adds, cash out takes away. The drawer carries over from one shift
//     to the next unless the Z withdraws it.
//   - revenue: sales − sale returns − purchases + purchase returns (their totals);
//   - non_nullable_sums: per operation, the totals since the register's ledger was created.

// opCount is a count and a sum in tiyn.
type opCount struct {
	count uint32
	sum   int64
}

// payCount is the amount applied by one payment type and how many receipts used it.
type payCount struct {
	sum   int64
	count uint32
}

// ticketCounters are the per-operation receipt counters of a shift.
type ticketCounters struct {
	count    uint32
	sum      int64
	payments map[pb.PaymentTypeEnum]*payCount
	offline  uint32
	discount int64
	markup   int64
	change   int64
}

// taxCount is the turnover and tax of one rate and operation.
type taxCount struct {
	turnover int64
	sum      int64
}

// placementCounters are the per-direction cash in / cash out counters of a shift.
type placementCounters struct {
	count   uint32
	sum     int64
	offline uint32
}

// shift is the ledger's view of one shift: opened by its first document, closed by CLOSE_SHIFT.
type shift struct {
	number   uint32
	openedAt time.Time // the emulator's clock when the first document arrived (the 24 h rule)
	openTime time.Time // the register's time of the first document (open_shift_time)

	operations [4]opCount
	discounts  [4]opCount
	markups    [4]opCount
	totals     [4]opCount
	sections   map[string]*[4]opCount
	taxes      map[uint32]*[4]taxCount
	tickets    [4]ticketCounters
	placements [2]placementCounters

	startNonNullable [4]int64
	documents        int
}

func newShift(number uint32, openedAt, openTime time.Time, nonNullable [4]int64) *shift {
	sh := &shift{
		number:           number,
		openedAt:         openedAt,
		openTime:         openTime,
		sections:         map[string]*[4]opCount{},
		taxes:            map[uint32]*[4]taxCount{},
		startNonNullable: nonNullable,
	}
	for i := range sh.tickets {
		sh.tickets[i].payments = map[pb.PaymentTypeEnum]*payCount{}
	}
	return sh
}

// figures is what one validated receipt adds to the counters.
type figures struct {
	op          pb.OperationTypeEnum
	commodities int64 // commodity lines less storno lines
	discount    int64 // all discounts less storno discounts
	markup      int64 // all markups less storno markups
	total       int64
	sections    map[string]int64
	taxes       map[uint32]taxCount
	payments    map[pb.PaymentTypeEnum]int64
	cash        int64 // the cash payment (amount applied)
	change      int64
	offline     bool
}

// cashSign is +1 for operations that bring cash into the drawer and −1 for those that pay it out.
func cashSign(op pb.OperationTypeEnum) int64 {
	switch op {
	case pb.OperationTypeEnum_OPERATION_SELL, pb.OperationTypeEnum_OPERATION_BUY_RETURN:
		return 1
	}
	return -1
}

// revenueSign is +1 for sales and purchase returns, −1 for sale returns and purchases.
func revenueSign(op pb.OperationTypeEnum) int64 { return cashSign(op) }

// addReceipt counts a receipt in the shift.
func (sh *shift) addReceipt(f *figures) {
	op := int(f.op)
	sh.documents++
	sh.operations[op].count++
	sh.operations[op].sum += f.commodities
	if f.discount != 0 {
		sh.discounts[op].count++
		sh.discounts[op].sum += f.discount
	}
	if f.markup != 0 {
		sh.markups[op].count++
		sh.markups[op].sum += f.markup
	}
	sh.totals[op].count++
	sh.totals[op].sum += f.total
	for code, sum := range f.sections {
		s := sh.sections[code]
		if s == nil {
			s = &[4]opCount{}
			sh.sections[code] = s
		}
		s[op].count++
		s[op].sum += sum
	}
	for percent, tc := range f.taxes {
		t := sh.taxes[percent]
		if t == nil {
			t = &[4]taxCount{}
			sh.taxes[percent] = t
		}
		t[op].turnover += tc.turnover
		t[op].sum += tc.sum
	}
	tk := &sh.tickets[op]
	tk.count++
	tk.sum += f.total
	for typ, sum := range f.payments {
		p := tk.payments[typ]
		if p == nil {
			p = &payCount{}
			tk.payments[typ] = p
		}
		p.sum += sum
		p.count++
	}
	if f.offline {
		tk.offline++
	}
	tk.discount += f.discount
	tk.markup += f.markup
	tk.change += f.change
}

// revenue is the shift's sales less sale returns less purchases plus purchase returns.
func (sh *shift) revenue() int64 {
	var r int64
	for op := range sh.tickets {
		r += revenueSign(pb.OperationTypeEnum(op)) * sh.tickets[op].sum
	}
	return r
}

// zxState is what a ZX report needs from the ledger beyond the shift itself.
type zxState struct {
	cash          int64
	nonNullable   [4]int64
	ticketsTotal  [4]uint32
	placementsTot [2]uint32
}

// report builds the shift's ZX report at the given register time. closeTime is set for a Z.
func (sh *shift) report(at time.Time, st zxState, closeTime *time.Time) *pb.ZXReport {
	ops := func(c *[4]opCount) []*pb.ZXReport_Operation {
		out := make([]*pb.ZXReport_Operation, 4)
		for i := range c {
			out[i] = &pb.ZXReport_Operation{
				Operation: pb.OperationTypeEnum(i).Enum(),
				Count:     proto.Uint32(c[i].count),
				Sum:       wireMoney(c[i].sum),
			}
		}
		return out
	}
	z := &pb.ZXReport{
		DateTime:    wireTime(at),
		ShiftNumber: proto.Uint32(sh.number),
		Operations:  ops(&sh.operations),
		Discounts:   ops(&sh.discounts),
		Markups:     ops(&sh.markups),
		TotalResult: ops(&sh.totals),
		CashSum:     wireMoney(st.cash),
	}
	codes := make([]string, 0, len(sh.sections))
	for code := range sh.sections {
		codes = append(codes, code)
	}
	sort.Strings(codes)
	for _, code := range codes {
		z.Sections = append(z.Sections, &pb.ZXReport_Section{SectionCode: proto.String(code), Operations: ops(sh.sections[code])})
	}
	percents := make([]uint32, 0, len(sh.taxes))
	for p := range sh.taxes {
		percents = append(percents, p)
	}
	sort.Slice(percents, func(i, j int) bool { return percents[i] < percents[j] })
	for _, p := range percents {
		t := &pb.ZXReport_Tax{TaxType: proto.Uint32(vatTaxType), Percent: proto.Uint32(p)}
		for op, tc := range sh.taxes[p] {
			t.Operations = append(t.Operations, &pb.ZXReport_Tax_TaxOperation{
				Operation:          pb.OperationTypeEnum(op).Enum(),
				Turnover:           wireMoney(tc.turnover),
				Sum:                wireMoney(tc.sum),
				TurnoverWithoutTax: wireMoney(tc.turnover - tc.sum),
			})
		}
		z.Taxes = append(z.Taxes, t)
	}
	for op := range sh.tickets {
		tk := &sh.tickets[op]
		to := &pb.ZXReport_TicketOperation{
			Operation:         pb.OperationTypeEnum(op).Enum(),
			TicketsTotalCount: proto.Uint32(st.ticketsTotal[op]),
			TicketsCount:      proto.Uint32(tk.count),
			TicketsSum:        wireMoney(tk.sum),
			OfflineCount:      proto.Uint32(tk.offline),
			DiscountSum:       wireMoney(tk.discount),
			MarkupSum:         wireMoney(tk.markup),
			ChangeSum:         wireMoney(tk.change),
		}
		types := make([]pb.PaymentTypeEnum, 0, len(tk.payments))
		for typ := range tk.payments {
			types = append(types, typ)
		}
		sort.Slice(types, func(i, j int) bool { return types[i] < types[j] })
		for _, typ := range types {
			p := tk.payments[typ]
			to.Payments = append(to.Payments, &pb.ZXReport_TicketOperation_Payment{
				Payment: typ.Enum(), Sum: wireMoney(p.sum), Count: proto.Uint32(p.count),
			})
		}
		z.TicketOperations = append(z.TicketOperations, to)
		z.StartShiftNonNullableSums = append(z.StartShiftNonNullableSums, &pb.ZXReport_NonNullableSum{
			Operation: pb.OperationTypeEnum(op).Enum(), Sum: wireMoney(sh.startNonNullable[op]),
		})
		z.NonNullableSums = append(z.NonNullableSums, &pb.ZXReport_NonNullableSum{
			Operation: pb.OperationTypeEnum(op).Enum(), Sum: wireMoney(st.nonNullable[op]),
		})
	}
	for op := range sh.placements {
		pc := sh.placements[op]
		z.MoneyPlacements = append(z.MoneyPlacements, &pb.ZXReport_MoneyPlacement{
			Operation:            pb.MoneyPlacementEnum(op).Enum(),
			OperationsTotalCount: proto.Uint32(st.placementsTot[op]),
			OperationsCount:      proto.Uint32(pc.count),
			OperationsSum:        wireMoney(pc.sum),
			OfflineCount:         proto.Uint32(pc.offline),
		})
	}
	rev := sh.revenue()
	z.Revenue = &pb.ZXReport_Revenue{Sum: wireMoney(rev), IsNegative: proto.Bool(rev < 0)}
	if !sh.openTime.IsZero() {
		z.OpenShiftTime = wireTime(sh.openTime)
	}
	if closeTime != nil {
		z.CloseShiftTime = wireTime(*closeTime)
	}
	z.Checksum = proto.String(Checksum(z))
	return z
}

// emptyZ is the Z report the emulator answers before any shift was closed: shift number 0.
func emptyZ(at time.Time) *pb.ZXReport {
	z := &pb.ZXReport{
		DateTime:    wireTime(at),
		ShiftNumber: proto.Uint32(0),
		CashSum:     wireMoney(0),
		Revenue:     &pb.ZXReport_Revenue{Sum: wireMoney(0), IsNegative: proto.Bool(false)},
	}
	z.Checksum = proto.String(Checksum(z))
	return z
}

// Checksum is the ZX report checksum as [CODEC] computes it: CRC-32 (IEEE) of the report encoded
// with an empty checksum, as 8 upper-case hex digits. The protocol does not define the algorithm
// (fact sheet §4.9) and the emulator does not check the one a register sends.
func Checksum(z *pb.ZXReport) string {
	c := proto.Clone(z).(*pb.ZXReport)
	c.Checksum = proto.String("")
	b, err := proto.MarshalOptions{Deterministic: true, AllowPartial: true}.Marshal(c)
	if err != nil {
		return ""
	}
	return fmt.Sprintf("%08X", crc32.ChecksumIEEE(b))
}
