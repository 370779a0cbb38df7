package ofdsim

import (
	"fmt"
	"math/bits"
	"sort"
	"time"

	"github.com/ekassa-go/ekassa/ofdclient/pb"
)

// How the emulator checks VAT (design.md §3.9: the printed VAT and the wire VAT are the same
// number, and every total reconciles to the tiyn).
//
// VAT is included in prices: VAT(x) = round(x × r / (100 + r)), half up (vat). The emulator
// rebuilds the receipt's lines from its items: a line is a COMMODITY (or STORNO_COMMODITY) and
// the DISCOUNT, MARKUP, STORNO_DISCOUNT and STORNO_MARKUP items that follow it, which change the
// line's amount one after the other (a discount lowers it, a markup raises it, their storno
// undoes them). Then, per rate r of the line (the percents of its commodity's taxes):
//
//   - a commodity's tax is VAT(sum) exactly;
//   - an item modifier that takes the line from amount a to amount b carries |VAT(a) − VAT(b)|
//     exactly, so the commodity's VAT less the discounts' plus the markups' is the VAT of what
//     the line comes to after its own modifiers (its net);
//   - a receipt-level amounts.discount / amounts.markup is spread over the lines in proportion to
//     their nets by the largest-remainder method (each line ⌊amount × net / Σ nets⌋, the tiyns
//     left over one each to the largest remainders, the earlier line on a tie), which is how the
//     register spreads it (kkm.ComputeReceipt), and its tax at r must be exactly
//     Σ over the lines at r of |VAT(net) − VAT(net ∓ share)|.
//
// So per rate the receipt's net VAT (commodities − discounts + markups) is Σ VAT(what is paid
// for each line), the VAT the register printed, and that is what the ZX tax counters count; the
// turnover counted is what is paid at that rate. The protocol carries no per-rate share of a
// receipt-level modifier, and a looser rule (the tax within one tiyn per line of
// VAT(share at r)) would still need the shares: so the emulator holds a register to the exact
// spread, the strictest rule it can check, and names the expected amount when it refuses.
// A missing tax entry counts as 0 (accepted where the VAT moved is 0); an entry at a rate none
// of the lines has is refused. A receipt-level modifier cannot be spread over storno lines, so a
// receipt with both is refused. Receipt-level taxes (TicketRequest.taxes, the whole receipt at
// one rate) are checked against the total: its lines carry no taxes, so its modifiers may carry none.

// vat is the VAT included in a gross amount at a rate in thousandths of a percent:
// round(gross × rate / (100 + rate)), half up, to the tiyn (design.md §3.9).
func vat(gross int64, percent uint32) int64 {
	num := gross * int64(percent)
	den := int64(100_000) + int64(percent)
	return (2*num + den) / (2 * den)
}

// taxOf is the tax on amount at percent: the VAT included in it, or (when the tax is not
// included in the sum) round(amount × percent / 100 000) added on top.
func taxOf(amount int64, percent uint32, included bool) int64 {
	if !included {
		return (2*amount*int64(percent) + 100_000) / 200_000
	}
	return vat(amount, percent)
}

// lineTax is one tax of a line: its percent and whether it is included in the sum.
type lineTax struct {
	percent  uint32
	included bool
}

// saleLine is a receipt line as the emulator rebuilds it: a commodity (sign +1) or storno
// commodity (sign −1), its taxes, and its amount after the item modifiers seen so far.
type saleLine struct {
	sign  int64
	taxes []lineTax
	net   int64
}

// checkTaxEntries checks the common form of a list of taxes (VAT only, one per percent, at most
// 100 %, valid money) and returns the amounts by percent.
func checkTaxEntries(what string, taxes []*pb.TicketRequest_Tax) (map[uint32]int64, *refusal) {
	got := map[uint32]int64{}
	for _, tx := range taxes {
		if tx.GetTaxType() != vatTaxType {
			return nil, refuse(codeIncorrectData, "%s: tax_type %d, only 100 (VAT) exists", what, tx.GetTaxType())
		}
		p := tx.GetPercent()
		if _, dup := got[p]; dup {
			return nil, refuse(codeIncorrectData, "%s: two taxes at %d/1000 %%", what, p)
		}
		if p > 100_000 {
			return nil, refuse(codeIncorrectData, "%s: VAT rate %d/1000 %% is over 100 %%", what, p)
		}
		if err := checkMoney(what+" tax sum", tx.GetSum()); err != nil {
			return nil, refuse(codeIncorrectData, "%v", err)
		}
		got[p] = tiyn(tx.GetSum())
	}
	return got, nil
}

// taxLines checks the taxes of a commodity (or of the whole receipt) against its gross amount,
// VAT(gross) exactly, and adds sign×(turnover, tax) per rate to into. It returns the line's taxes.
func taxLines(what string, taxes []*pb.TicketRequest_Tax, gross, sign int64, into map[uint32]taxCount) ([]lineTax, *refusal) {
	if _, r := checkTaxEntries(what, taxes); r != nil {
		return nil, r
	}
	var out []lineTax
	for _, tx := range taxes {
		p := tx.GetPercent()
		want := taxOf(gross, p, tx.GetIsInTotalSum())
		if got := tiyn(tx.GetSum()); got != want {
			return nil, refuse(codeIncorrectData, "%s: VAT at %d/1000 %% of %s is %s, not %s", what, p,
				formatTiyn(gross), formatTiyn(want), formatTiyn(got))
		}
		c := into[p]
		c.turnover += sign * gross
		c.sum += sign * want
		into[p] = c
		out = append(out, lineTax{p, tx.GetIsInTotalSum()})
	}
	return out, nil
}

// modifierTaxes checks a modifier's taxes against the VAT it moves per percent (want, over the
// percents its lines have) and adds dir×(turnover, tax) per percent to into; turnover is the
// modifier's share at each percent. A missing entry counts as 0.
func modifierTaxes(what string, taxes []*pb.TicketRequest_Tax, want, turnover map[uint32]int64, dir int64, into map[uint32]taxCount) *refusal {
	got, r := checkTaxEntries(what, taxes)
	if r != nil {
		return r
	}
	for p := range got {
		if _, ok := want[p]; !ok {
			return refuse(codeIncorrectData, "%s: a tax at %d/1000 %%, but no line it applies to is taxed at that rate", what, p)
		}
	}
	for _, p := range sortedKeys(setOf(want)) {
		if got[p] != want[p] {
			return refuse(codeIncorrectData, "%s: VAT at %d/1000 %% is %s (what it changes the VAT of its lines by), not %s",
				what, p, formatTiyn(want[p]), formatTiyn(got[p]))
		}
		c := into[p]
		c.turnover += dir * turnover[p]
		c.sum += dir * want[p]
		into[p] = c
	}
	return nil
}

// setOf returns the keys of m as a set.
func setOf(m map[uint32]int64) map[uint32]bool {
	s := make(map[uint32]bool, len(m))
	for k := range m {
		s[k] = true
	}
	return s
}

// lineSum checks a commodity line: a quantity above zero and a sum of price × quantity, rounded
// either way to the tiyn.
func lineSum(what string, price, sum *pb.Money, quantity uint64) (int64, *refusal) {
	if err := checkMoney(what+" price", price); err != nil {
		return 0, refuse(codeIncorrectData, "%v", err)
	}
	if err := checkMoney(what+" sum", sum); err != nil {
		return 0, refuse(codeIncorrectData, "%v", err)
	}
	if quantity == 0 || quantity > 1_000_000_000 {
		return 0, refuse(codeIncorrectData, "%s: quantity %d thousandths is out of range", what, quantity)
	}
	p, s := tiyn(price), tiyn(sum)
	floor := p * int64(quantity) / 1000
	if s != floor && s != floor+1 {
		return 0, refuse(codeIncorrectData, "%s: sum %s is not price %s × quantity %d.%03d", what,
			formatTiyn(s), formatTiyn(p), quantity/1000, quantity%1000)
	}
	return s, nil
}

// modifierSum checks that a discount or markup is there with a valid sum, and returns the sum.
func modifierSum(what string, m *pb.TicketRequest_Modifier) (int64, *refusal) {
	if m == nil {
		return 0, refuse(codeIncorrectData, "%s is missing", what)
	}
	if err := checkMoney(what+" sum", m.GetSum()); err != nil {
		return 0, refuse(codeIncorrectData, "%v", err)
	}
	return tiyn(m.GetSum()), nil
}

// itemModifier checks an item discount or markup (dir −1 lowers the line, +1 raises it) against
// the line it follows, moves the line's amount and counts its taxes. It returns the modifier's sum.
func itemModifier(what string, m *pb.TicketRequest_Modifier, dir int64, line *saleLine, taxes map[uint32]taxCount) (int64, *refusal) {
	sum, r := modifierSum(what, m)
	if r != nil {
		return 0, r
	}
	if line == nil {
		return 0, refuse(codeIncorrectData, "%s: an item discount or markup must follow the commodity it applies to", what)
	}
	to := line.net + dir*sum
	if to < 0 {
		return 0, refuse(codeIncorrectData, "%s: %s takes the line below zero (it comes to %s)", what, formatTiyn(sum), formatTiyn(line.net))
	}
	want, turnover := map[uint32]int64{}, map[uint32]int64{}
	for _, lt := range line.taxes {
		want[lt.percent] = absDiff(taxOf(line.net, lt.percent, lt.included), taxOf(to, lt.percent, lt.included))
		turnover[lt.percent] = sum
	}
	if r := modifierTaxes(what, m.GetTaxes(), want, turnover, line.sign*dir, taxes); r != nil {
		return 0, r
	}
	line.net = to
	return sum, nil
}

// receiptModifier checks amounts.discount (dir −1) or amounts.markup (+1): it spreads the sum over
// the lines by their nets and checks its taxes per rate against the VAT the shares move. It
// returns the modifier's sum.
func receiptModifier(what string, m *pb.TicketRequest_Modifier, dir int64, lines []saleLine, taxes map[uint32]taxCount) (int64, *refusal) {
	sum, r := modifierSum(what, m)
	if r != nil {
		return 0, r
	}
	var base int64
	for _, l := range lines {
		if l.sign < 0 {
			return 0, refuse(codeIncorrectData, "%s cannot be spread over a receipt with storno items", what)
		}
		base += l.net
	}
	switch {
	case sum > 0 && base <= 0:
		return 0, refuse(codeIncorrectData, "%s: the lines come to %s, nothing to spread it over", what, formatTiyn(base))
	case dir < 0 && sum > base:
		return 0, refuse(codeIncorrectData, "%s of %s is more than the lines come to (%s)", what, formatTiyn(sum), formatTiyn(base))
	}
	weights := make([]int64, len(lines))
	for i, l := range lines {
		weights[i] = l.net
	}
	shares := spread(sum, weights)
	want, turnover := map[uint32]int64{}, map[uint32]int64{}
	for i, l := range lines {
		to := l.net + dir*shares[i]
		for _, lt := range l.taxes {
			want[lt.percent] += absDiff(taxOf(l.net, lt.percent, lt.included), taxOf(to, lt.percent, lt.included))
			turnover[lt.percent] += shares[i]
		}
	}
	if r := modifierTaxes(what, m.GetTaxes(), want, turnover, dir, taxes); r != nil {
		return 0, r
	}
	return sum, nil
}

// spread divides amount over non-negative weights with a positive sum in proportion, by the
// largest-remainder method: each part ⌊amount × weight / Σ weights⌋, the tiyns left over one each
// to the parts with the largest remainders, the earlier on a tie. The parts add up to amount.
// It repeats kkm's spread on purpose: the emulator checks the register independently (see the
// package doc).
func spread(amount int64, weights []int64) []int64 {
	var total uint64
	for _, w := range weights {
		total += uint64(w)
	}
	parts := make([]int64, len(weights))
	if total == 0 || amount <= 0 {
		return parts
	}
	rems := make([]uint64, len(weights))
	var given int64
	for i, w := range weights {
		hi, lo := bits.Mul64(uint64(amount), uint64(w))
		q, r := bits.Div64(hi, lo, total) // hi < total: amount × w / total ≤ amount
		parts[i], rems[i] = int64(q), r
		given += int64(q)
	}
	order := make([]int, len(weights))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return rems[order[a]] > rems[order[b]] })
	for k := 0; given < amount; k++ {
		parts[order[k%len(order)]]++
		given++
	}
	return parts
}

// absDiff returns |a − b|.
func absDiff(a, b int64) int64 {
	if a < b {
		return b - a
	}
	return a - b
}

// isReturn reports whether an operation is a return, which must name its parent receipt.
func isReturn(op pb.OperationTypeEnum) bool {
	return op == pb.OperationTypeEnum_OPERATION_SELL_RETURN || op == pb.OperationTypeEnum_OPERATION_BUY_RETURN
}

// checkTicket validates a receipt and computes what it adds to the counters. It changes nothing.
func (s *Server) checkTicket(l *ledger, t *pb.TicketRequest) (*figures, time.Time, *receipt, *refusal) {
	docTime, err := wallTime("ticket.date_time", t.GetDateTime())
	if err != nil {
		return nil, docTime, nil, refuse(codeIncorrectData, "%v", err)
	}
	op := t.GetOperation()
	if op < 0 || op > 3 {
		return nil, docTime, nil, refuse(codeIncorrectData, "unknown operation %d", op)
	}
	if len(t.GetItems()) == 0 {
		return nil, docTime, nil, refuse(codeIncorrectData, "a receipt needs at least one item")
	}
	f := &figures{
		op:       op,
		sections: map[string]int64{},
		taxes:    map[uint32]taxCount{},
		payments: map[pb.PaymentTypeEnum]int64{},
	}
	itemTaxes := false
	var lines []saleLine
	var line *saleLine         // the line the next item modifier applies to
	units := map[string]bool{} // the marked units of the receipt (marking.go)
	for i, it := range t.GetItems() {
		what := fmt.Sprintf("item %d", i+1)
		var r *refusal
		switch it.GetType() {
		case pb.TicketRequest_Item_ITEM_TYPE_COMMODITY:
			c := it.GetCommodity()
			if c == nil {
				return nil, docTime, nil, refuse(codeIncorrectData, "%s: ITEM_TYPE_COMMODITY without a commodity", what)
			}
			if c.GetName() == "" && c.Code == nil {
				return nil, docTime, nil, refuse(codeIncorrectData, "%s: a commodity needs a name or a code", what)
			}
			sum, r := lineSum(what, c.GetPrice(), c.GetSum(), c.GetQuantity())
			var lt []lineTax
			if r == nil {
				r = checkStamps(what, c.GetQuantity(), c.GetListExciseStamp(), units)
			}
			if r == nil {
				lt, r = taxLines(what, c.GetTaxes(), sum, 1, f.taxes)
			}
			if r != nil {
				return nil, docTime, nil, r
			}
			itemTaxes = itemTaxes || len(c.GetTaxes()) > 0
			f.commodities += sum
			f.sections[c.GetSectionCode()] += sum
			lines = append(lines, saleLine{sign: 1, taxes: lt, net: sum})
			line = &lines[len(lines)-1]
		case pb.TicketRequest_Item_ITEM_TYPE_STORNO_COMMODITY:
			c := it.GetStornoCommodity()
			if c == nil {
				return nil, docTime, nil, refuse(codeIncorrectData, "%s: ITEM_TYPE_STORNO_COMMODITY without a storno_commodity", what)
			}
			sum, r := lineSum(what, c.GetPrice(), c.GetSum(), c.GetQuantity())
			var lt []lineTax
			if r == nil {
				r = checkStamps(what, c.GetQuantity(), c.GetListExciseStamp(), units)
			}
			if r == nil {
				lt, r = taxLines(what, c.GetTaxes(), sum, -1, f.taxes)
			}
			if r != nil {
				return nil, docTime, nil, r
			}
			itemTaxes = itemTaxes || len(c.GetTaxes()) > 0
			f.commodities -= sum
			f.sections[c.GetSectionCode()] -= sum
			lines = append(lines, saleLine{sign: -1, taxes: lt, net: sum})
			line = &lines[len(lines)-1]
		case pb.TicketRequest_Item_ITEM_TYPE_DISCOUNT:
			var sum int64
			sum, r = itemModifier(what+" discount", it.GetDiscount(), -1, line, f.taxes)
			f.discount += sum
		case pb.TicketRequest_Item_ITEM_TYPE_STORNO_DISCOUNT:
			var sum int64
			sum, r = itemModifier(what+" storno_discount", it.GetStornoDiscount(), 1, line, f.taxes)
			f.discount -= sum
		case pb.TicketRequest_Item_ITEM_TYPE_MARKUP:
			var sum int64
			sum, r = itemModifier(what+" markup", it.GetMarkup(), 1, line, f.taxes)
			f.markup += sum
		case pb.TicketRequest_Item_ITEM_TYPE_STORNO_MARKUP:
			var sum int64
			sum, r = itemModifier(what+" storno_markup", it.GetStornoMarkup(), -1, line, f.taxes)
			f.markup -= sum
		default:
			r = refuse(codeIncorrectData, "%s: unknown item type %d", what, it.GetType())
		}
		if r != nil {
			return nil, docTime, nil, r
		}
	}

	a := t.GetAmounts()
	if a == nil {
		return nil, docTime, nil, refuse(codeIncorrectData, "amounts are missing")
	}
	if a.Discount != nil && a.Markup != nil {
		return nil, docTime, nil, refuse(codeIncorrectData, "amounts carry both a discount and a markup")
	}
	if a.Discount != nil {
		sum, r := receiptModifier("amounts.discount", a.GetDiscount(), -1, lines, f.taxes)
		if r != nil {
			return nil, docTime, nil, r
		}
		f.discount += sum
	}
	if a.Markup != nil {
		sum, r := receiptModifier("amounts.markup", a.GetMarkup(), 1, lines, f.taxes)
		if r != nil {
			return nil, docTime, nil, r
		}
		f.markup += sum
	}
	if err := checkMoney("amounts.total", a.GetTotal()); err != nil {
		return nil, docTime, nil, refuse(codeIncorrectData, "%v", err)
	}
	f.total = tiyn(a.GetTotal())
	if want := f.commodities - f.discount + f.markup; want != f.total {
		return nil, docTime, nil, refuse(codeIncorrectData,
			"amounts.total is %s, but the items come to %s (commodities %s, discounts %s, markups %s)",
			formatTiyn(f.total), formatTiyn(want), formatTiyn(f.commodities), formatTiyn(f.discount), formatTiyn(f.markup))
	}

	if len(t.GetTaxes()) > 0 {
		if itemTaxes {
			return nil, docTime, nil, refuse(codeIncorrectData, "taxes are given both per item and for the whole receipt")
		}
		if len(t.GetTaxes()) > 1 {
			return nil, docTime, nil, refuse(codeIncorrectData, "receipt-level taxes must be of one rate; give several rates per item")
		}
		if _, r := taxLines("receipt", t.GetTaxes(), f.total, 1, f.taxes); r != nil {
			return nil, docTime, nil, r
		}
	}

	if r := checkPayments(t, f); r != nil {
		return nil, docTime, nil, r
	}

	if iin := t.GetExtensionOptions().GetCustomerIinOrBin(); iin != "" {
		if !twelveDigits(iin) {
			return nil, docTime, nil, refuse(codeIncorrectData, "customer_iin_or_bin %q is not 12 digits", iin)
		}
		if iin == l.cfg.Organisation.IINBIN {
			return nil, docTime, nil, refuse(codeSameTaxpayer, "the buyer's IIN/BIN %s is the seller's", iin)
		}
	}

	var parent *receipt
	pt := t.GetParentTicket()
	switch {
	case isReturn(op) && pt == nil:
		return nil, docTime, nil, refuse(codeIncorrectData, "%s needs parent_ticket", op)
	case !isReturn(op) && pt != nil:
		return nil, docTime, nil, refuse(codeIncorrectData, "%s cannot carry parent_ticket", op)
	case pt != nil:
		var r *refusal
		if parent, r = s.checkParent(op, pt, f.total); r != nil {
			return nil, docTime, nil, r
		}
		if r = s.checkReturnedStamps(t, parent); r != nil {
			return nil, docTime, nil, r
		}
	}
	return f, docTime, parent, nil
}

// checkPayments checks that the payments cover the total exactly, and the cash taken and change.
func checkPayments(t *pb.TicketRequest, f *figures) *refusal {
	var paid int64
	for i, p := range t.GetPayments() {
		if err := checkMoney(fmt.Sprintf("payment %d sum", i+1), p.GetSum()); err != nil {
			return refuse(codeIncorrectData, "%v", err)
		}
		if _, dup := f.payments[p.GetType()]; dup {
			return refuse(codeIncorrectData, "two payments of type %s", p.GetType())
		}
		f.payments[p.GetType()] = tiyn(p.GetSum())
		paid += tiyn(p.GetSum())
	}
	if paid != f.total {
		return refuse(codeIncorrectData, "payments come to %s, the total is %s", formatTiyn(paid), formatTiyn(f.total))
	}
	a := t.GetAmounts()
	cash, hasCash := f.payments[pb.PaymentTypeEnum_PAYMENT_CASH]
	f.cash = cash
	for _, m := range []struct {
		what string
		v    *pb.Money
	}{{"amounts.taken", a.GetTaken()}, {"amounts.change", a.GetChange()}} {
		if m.v != nil {
			if err := checkMoney(m.what, m.v); err != nil {
				return refuse(codeIncorrectData, "%v", err)
			}
		}
	}
	change := tiyn(a.GetChange())
	if !hasCash {
		if change != 0 {
			return refuse(codeIncorrectData, "change of %s without a cash payment", formatTiyn(change))
		}
		return nil
	}
	if a.Taken == nil || a.Change == nil {
		return refuse(codeIncorrectData, "a cash payment needs amounts.taken and amounts.change")
	}
	taken := tiyn(a.GetTaken())
	if taken-change != cash {
		return refuse(codeIncorrectData, "cash taken %s less change %s is %s, but the cash payment is %s",
			formatTiyn(taken), formatTiyn(change), formatTiyn(taken-change), formatTiyn(cash))
	}
	f.change = change
	return nil
}

// checkParent finds the receipt a return names, in the ledger of the register with its RNM, by
// fiscal sign or (for an offline original) by offline number, and checks the return against it.
func (s *Server) checkParent(op pb.OperationTypeEnum, pt *pb.TicketRequest_ParentTicket, total int64) (*receipt, *refusal) {
	num, rnm := pt.GetParentTicketNumber(), pt.GetKgdKkmId()
	var parent *receipt
	for _, l := range s.ledgers {
		if l.cfg.RNM != rnm {
			continue
		}
		if r := l.bySign[num]; r != nil {
			parent = r
			break
		}
		if pt.GetParentTicketIsOffline() {
			for i := len(l.receipts) - 1; i >= 0; i-- {
				r := l.receipts[i]
				if r.OfflineNumber != 0 && fmt.Sprint(r.OfflineNumber) == num {
					parent = r
					break
				}
			}
		}
		if parent != nil {
			break
		}
	}
	if parent == nil {
		return nil, refuse(codeIncorrectData, "parent receipt %s of register %s is not known to the OFD", num, rnm)
	}
	want := pb.OperationTypeEnum_OPERATION_SELL
	if op == pb.OperationTypeEnum_OPERATION_BUY_RETURN {
		want = pb.OperationTypeEnum_OPERATION_BUY
	}
	if parent.Operation != want {
		return nil, refuse(codeIncorrectData, "%s names receipt %s, which is a %s", op, num, parent.Operation)
	}
	if got := tiyn(pt.GetParentTicketTotal()); got != parent.Total {
		return nil, refuse(codeIncorrectData, "parent_ticket_total %s, but receipt %s is of %s", formatTiyn(got), num, formatTiyn(parent.Total))
	}
	pTime, err := wallTime("parent_ticket_data_time", pt.GetParentTicketDataTime())
	if err != nil {
		return nil, refuse(codeIncorrectData, "%v", err)
	}
	if !pTime.Equal(parent.Time) {
		return nil, refuse(codeIncorrectData, "parent_ticket_data_time %s, but receipt %s was issued at %s", pTime.Format("2006-01-02 15:04:05"),
			num, parent.Time.Format("2006-01-02 15:04:05"))
	}
	if left := parent.Total - parent.returned; total > left {
		return nil, refuse(codeIncorrectData, "a return of %s exceeds what is left to return of receipt %s (%s)", formatTiyn(total), num, formatTiyn(left))
	}
	return parent, nil
}

// twelveDigits reports whether s is an IIN/BIN's 12 digits.
func twelveDigits(s string) bool {
	if len(s) != 12 {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
