package ofdsim

import (
	"fmt"
	"time"

	"github.com/ekassa-go/ekassa/ofdclient/pb"
)

// vat is the VAT included in a gross amount at a rate in thousandths of a percent:
// round(gross × rate / (100 + rate)), half up, to the tiyn (design.md §3.9).
func vat(gross int64, percent uint32) int64 {
	num := gross * int64(percent)
	den := int64(100_000) + int64(percent)
	return (2*num + den) / (2 * den)
}

// taxLines checks the taxes of one line (an item, a modifier or the whole receipt) against its
// gross amount and adds sign×(turnover, tax) per rate to into. Only VAT (tax type 100) exists.
func taxLines(what string, taxes []*pb.TicketRequest_Tax, gross, sign int64, into map[uint32]taxCount) *refusal {
	seen := map[uint32]bool{}
	for _, tx := range taxes {
		if tx.GetTaxType() != vatTaxType {
			return refuse(codeIncorrectData, "%s: tax_type %d, only 100 (VAT) exists", what, tx.GetTaxType())
		}
		p := tx.GetPercent()
		if seen[p] {
			return refuse(codeIncorrectData, "%s: two taxes at %d/1000 %%", what, p)
		}
		seen[p] = true
		if p > 100_000 {
			return refuse(codeIncorrectData, "%s: VAT rate %d/1000 %% is over 100 %%", what, p)
		}
		if err := checkMoney(what+" tax sum", tx.GetSum()); err != nil {
			return refuse(codeIncorrectData, "%v", err)
		}
		want := vat(gross, p)
		if !tx.GetIsInTotalSum() {
			want = (2*gross*int64(p) + 100_000) / 200_000
		}
		if got := tiyn(tx.GetSum()); got != want {
			return refuse(codeIncorrectData, "%s: VAT at %d/1000 %% of %s is %s, not %s", what, p,
				formatTiyn(gross), formatTiyn(want), formatTiyn(got))
		}
		c := into[p]
		c.turnover += sign * gross
		c.sum += sign * want
		into[p] = c
	}
	return nil
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

// modifier checks a discount or markup and returns its sum.
func modifier(what string, m *pb.TicketRequest_Modifier, sign int64, taxes map[uint32]taxCount) (int64, *refusal) {
	if m == nil {
		return 0, refuse(codeIncorrectData, "%s is missing", what)
	}
	if err := checkMoney(what+" sum", m.GetSum()); err != nil {
		return 0, refuse(codeIncorrectData, "%v", err)
	}
	sum := tiyn(m.GetSum())
	if r := taxLines(what, m.GetTaxes(), sum, sign, taxes); r != nil {
		return 0, r
	}
	return sum, nil
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
			if r == nil {
				r = taxLines(what, c.GetTaxes(), sum, 1, f.taxes)
			}
			if r != nil {
				return nil, docTime, nil, r
			}
			itemTaxes = itemTaxes || len(c.GetTaxes()) > 0
			f.commodities += sum
			f.sections[c.GetSectionCode()] += sum
		case pb.TicketRequest_Item_ITEM_TYPE_STORNO_COMMODITY:
			c := it.GetStornoCommodity()
			if c == nil {
				return nil, docTime, nil, refuse(codeIncorrectData, "%s: ITEM_TYPE_STORNO_COMMODITY without a storno_commodity", what)
			}
			sum, r := lineSum(what, c.GetPrice(), c.GetSum(), c.GetQuantity())
			if r == nil {
				r = taxLines(what, c.GetTaxes(), sum, -1, f.taxes)
			}
			if r != nil {
				return nil, docTime, nil, r
			}
			itemTaxes = itemTaxes || len(c.GetTaxes()) > 0
			f.commodities -= sum
			f.sections[c.GetSectionCode()] -= sum
		case pb.TicketRequest_Item_ITEM_TYPE_DISCOUNT:
			var sum int64
			sum, r = modifier(what+" discount", it.GetDiscount(), -1, f.taxes)
			f.discount += sum
		case pb.TicketRequest_Item_ITEM_TYPE_STORNO_DISCOUNT:
			var sum int64
			sum, r = modifier(what+" storno_discount", it.GetStornoDiscount(), 1, f.taxes)
			f.discount -= sum
		case pb.TicketRequest_Item_ITEM_TYPE_MARKUP:
			var sum int64
			sum, r = modifier(what+" markup", it.GetMarkup(), 1, f.taxes)
			f.markup += sum
		case pb.TicketRequest_Item_ITEM_TYPE_STORNO_MARKUP:
			var sum int64
			sum, r = modifier(what+" storno_markup", it.GetStornoMarkup(), -1, f.taxes)
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
		sum, r := modifier("amounts.discount", a.GetDiscount(), -1, f.taxes)
		if r != nil {
			return nil, docTime, nil, r
		}
		f.discount += sum
	}
	if a.Markup != nil {
		sum, r := modifier("amounts.markup", a.GetMarkup(), 1, f.taxes)
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
		if r := taxLines("receipt", t.GetTaxes(), f.total, 1, f.taxes); r != nil {
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
