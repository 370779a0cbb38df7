package ofdsim

import (
	"cmp"
	"fmt"
	"maps"
	"slices"

	"github.com/ekassa-go/ekassa/ofdclient/pb"
)

// A register's Z report is compared with the ledger's counter by counter; the first that differs
// is named in the answer's result text. Counters a register may leave out (entries of an
// operation it never did) count as zero; optional counters it does not send are not compared.
// Receipts-since-registration counts are not compared: the emulator may not have seen a
// register's whole life. Non-nullable sums are compared by their change over the shift.

// zxIndex gives a ZX report's entries by operation, section and rate.
type zxIndex struct {
	z        *pb.ZXReport
	tickets  map[pb.OperationTypeEnum]*pb.ZXReport_TicketOperation
	total    map[pb.OperationTypeEnum]*pb.ZXReport_Operation
	ops      map[pb.OperationTypeEnum]*pb.ZXReport_Operation
	disc     map[pb.OperationTypeEnum]*pb.ZXReport_Operation
	mark     map[pb.OperationTypeEnum]*pb.ZXReport_Operation
	places   map[pb.MoneyPlacementEnum]*pb.ZXReport_MoneyPlacement
	taxes    map[uint32]map[pb.OperationTypeEnum]*pb.ZXReport_Tax_TaxOperation
	sections map[string]map[pb.OperationTypeEnum]*pb.ZXReport_Operation
	nn       map[pb.OperationTypeEnum]int64
	startNN  map[pb.OperationTypeEnum]int64
}

func byOp(list []*pb.ZXReport_Operation) map[pb.OperationTypeEnum]*pb.ZXReport_Operation {
	m := map[pb.OperationTypeEnum]*pb.ZXReport_Operation{}
	for _, o := range list {
		m[o.GetOperation()] = o
	}
	return m
}

func nnByOp(list []*pb.ZXReport_NonNullableSum) map[pb.OperationTypeEnum]int64 {
	m := map[pb.OperationTypeEnum]int64{}
	for _, n := range list {
		m[n.GetOperation()] = tiyn(n.GetSum())
	}
	return m
}

func index(z *pb.ZXReport) *zxIndex {
	x := &zxIndex{
		z:        z,
		tickets:  map[pb.OperationTypeEnum]*pb.ZXReport_TicketOperation{},
		total:    byOp(z.GetTotalResult()),
		ops:      byOp(z.GetOperations()),
		disc:     byOp(z.GetDiscounts()),
		mark:     byOp(z.GetMarkups()),
		places:   map[pb.MoneyPlacementEnum]*pb.ZXReport_MoneyPlacement{},
		taxes:    map[uint32]map[pb.OperationTypeEnum]*pb.ZXReport_Tax_TaxOperation{},
		sections: map[string]map[pb.OperationTypeEnum]*pb.ZXReport_Operation{},
		nn:       nnByOp(z.GetNonNullableSums()),
		startNN:  nnByOp(z.GetStartShiftNonNullableSums()),
	}
	for _, t := range z.GetTicketOperations() {
		x.tickets[t.GetOperation()] = t
	}
	for _, p := range z.GetMoneyPlacements() {
		x.places[p.GetOperation()] = p
	}
	for _, t := range z.GetTaxes() {
		m := x.taxes[t.GetPercent()]
		if m == nil {
			m = map[pb.OperationTypeEnum]*pb.ZXReport_Tax_TaxOperation{}
			x.taxes[t.GetPercent()] = m
		}
		for _, o := range t.GetOperations() {
			m[o.GetOperation()] = o
		}
	}
	for _, s := range z.GetSections() {
		x.sections[s.GetSectionCode()] = byOp(s.GetOperations())
	}
	return x
}

// compareZ names the first counter in which the register's report differs from the ledger's,
// or returns "" when they agree. With withdraw set (an auto cash-out at close) the cash in the
// drawer and the cash-out counters are not compared, since a register may count the auto
// cash-out either way.
func compareZ(reg, own *pb.ZXReport, withdraw bool) string {
	r, o := index(reg), index(own)
	var diff string
	num := func(name string, rv, ov uint32) bool {
		if rv != ov {
			diff = fmt.Sprintf("%s: register %d, OFD %d", name, rv, ov)
		}
		return diff != ""
	}
	sum := func(name string, rv, ov int64) bool {
		if rv != ov {
			diff = fmt.Sprintf("%s: register %s, OFD %s", name, formatTiyn(rv), formatTiyn(ov))
		}
		return diff != ""
	}
	if num("shift_number", reg.GetShiftNumber(), own.GetShiftNumber()) {
		return diff
	}
	for op := range 4 {
		e := pb.OperationTypeEnum(op)
		rt, ot := r.tickets[e], o.tickets[e]
		name := "ticket_operations[" + e.String() + "]"
		if num(name+".tickets_count", rt.GetTicketsCount(), ot.GetTicketsCount()) ||
			sum(name+".tickets_sum", tiyn(rt.GetTicketsSum()), tiyn(ot.GetTicketsSum())) {
			return diff
		}
		rp, op := map[pb.PaymentTypeEnum]int64{}, map[pb.PaymentTypeEnum]int64{}
		for _, p := range rt.GetPayments() {
			rp[p.GetPayment()] = tiyn(p.GetSum())
		}
		for _, p := range ot.GetPayments() {
			op[p.GetPayment()] = tiyn(p.GetSum())
		}
		for _, typ := range []pb.PaymentTypeEnum{pb.PaymentTypeEnum_PAYMENT_CASH, pb.PaymentTypeEnum_PAYMENT_CARD,
			pb.PaymentTypeEnum_PAYMENT_CREDIT, pb.PaymentTypeEnum_PAYMENT_TARE, pb.PaymentTypeEnum_PAYMENT_MOBILE} {
			if sum(name+".payments["+typ.String()+"].sum", rp[typ], op[typ]) {
				return diff
			}
		}
		if rt.OfflineCount != nil && num(name+".offline_count", rt.GetOfflineCount(), ot.GetOfflineCount()) {
			return diff
		}
		if rt.DiscountSum != nil && sum(name+".discount_sum", tiyn(rt.GetDiscountSum()), tiyn(ot.GetDiscountSum())) {
			return diff
		}
		if rt.MarkupSum != nil && sum(name+".markup_sum", tiyn(rt.GetMarkupSum()), tiyn(ot.GetMarkupSum())) {
			return diff
		}
		if rt.ChangeSum != nil && sum(name+".change_sum", tiyn(rt.GetChangeSum()), tiyn(ot.GetChangeSum())) {
			return diff
		}
		ops := []struct {
			name   string
			rv, ov *pb.ZXReport_Operation
		}{
			{"total_result", r.total[e], o.total[e]},
			{"operations", r.ops[e], o.ops[e]},
			{"discounts", r.disc[e], o.disc[e]},
			{"markups", r.mark[e], o.mark[e]},
		}
		for _, c := range ops {
			if sum(c.name+"["+e.String()+"].sum", tiyn(c.rv.GetSum()), tiyn(c.ov.GetSum())) {
				return diff
			}
		}
		if len(r.nn) > 0 && len(r.startNN) > 0 &&
			sum("non_nullable_sums["+e.String()+"] − start_shift_non_nullable_sums", r.nn[e]-r.startNN[e], o.nn[e]-o.startNN[e]) {
			return diff
		}
	}
	for op := range 2 {
		e := pb.MoneyPlacementEnum(op)
		if withdraw && e == pb.MoneyPlacementEnum_MONEY_PLACEMENT_WITHDRAWAL {
			continue
		}
		rp, opl := r.places[e], o.places[e]
		name := "money_placements[" + e.String() + "]"
		if num(name+".operations_count", rp.GetOperationsCount(), opl.GetOperationsCount()) ||
			sum(name+".operations_sum", tiyn(rp.GetOperationsSum()), tiyn(opl.GetOperationsSum())) {
			return diff
		}
	}
	percents := map[uint32]bool{}
	for p := range r.taxes {
		percents[p] = true
	}
	for p := range o.taxes {
		percents[p] = true
	}
	for _, p := range sortedKeys(percents) {
		for op := range 4 {
			e := pb.OperationTypeEnum(op)
			rt, ot := r.taxes[p][e], o.taxes[p][e]
			name := fmt.Sprintf("taxes[%d][%s]", p, e)
			if sum(name+".turnover", tiyn(rt.GetTurnover()), tiyn(ot.GetTurnover())) ||
				sum(name+".sum", tiyn(rt.GetSum()), tiyn(ot.GetSum())) {
				return diff
			}
		}
	}
	codes := map[string]bool{}
	for c := range r.sections {
		codes[c] = true
	}
	for c := range o.sections {
		codes[c] = true
	}
	for _, c := range sortedKeys(codes) {
		for op := range 4 {
			e := pb.OperationTypeEnum(op)
			if sum(fmt.Sprintf("sections[%q][%s].sum", c, e), tiyn(r.sections[c][e].GetSum()), tiyn(o.sections[c][e].GetSum())) {
				return diff
			}
		}
	}
	if !withdraw && sum("cash_sum", tiyn(reg.GetCashSum()), tiyn(own.GetCashSum())) {
		return diff
	}
	signed := func(rv *pb.ZXReport_Revenue) int64 {
		if rv.GetIsNegative() {
			return -tiyn(rv.GetSum())
		}
		return tiyn(rv.GetSum())
	}
	if sum("revenue", signed(reg.GetRevenue()), signed(own.GetRevenue())) {
		return diff
	}
	return ""
}

// sortedKeys returns a set's members in order, so comparisons name differences deterministically.
func sortedKeys[K cmp.Ordered](m map[K]bool) []K {
	return slices.Sorted(maps.Keys(m))
}
