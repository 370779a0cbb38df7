package kkm

import (
	"errors"
	"math/bits"
	"sort"
	"strings"
)

// Defaults for lines that leave a detail out.
const (
	// SimpleLineName names the lines of a simple-mode receipt, where the cashier types only amounts
	// (the protocol requires a name). It is bilingual, as receipts are printed in Kazakh and Russian.
	SimpleLineName = "Тауар / Товар"
	// DefaultSection is the section code of lines that name none.
	DefaultSection = "1"
)

// Returning reports whether the operation is one of the two returns.
func (o Operation) Returning() bool { return o == OpSaleReturn || o == OpPurchaseReturn }

// Valid reports whether o is one of the four receipt operations.
func (o Operation) Valid() bool { return o >= OpPurchase && o <= OpSaleReturn }

// PaysOut reports whether the register pays money out on this operation (a purchase or a sale
// return) rather than taking it in (a sale or a purchase return). Pay-out receipts give no change.
func (o Operation) PaysOut() bool { return o == OpPurchase || o == OpSaleReturn }

// Valid reports whether t is a payment type the register accepts (cash, card, mobile).
func (t PaymentType) Valid() bool { return t == PayCash || t == PayCard || t == PayMobile }

// PaymentTypes returns the accepted payment types in the order receipts list them.
func PaymentTypes() []PaymentType { return []PaymentType{PayCash, PayCard, PayMobile} }

// SimpleDraft builds a simple-mode draft («Простой режим ККМ»): one line per amount, each one
// piece of the settings' free-price item (Settings.SimpleItem, SimpleLineName when unnamed) in
// DefaultSection at the default VAT rate.
func SimpleDraft(op Operation, amounts []Money, payments []Payment) ReceiptDraft {
	d := ReceiptDraft{Operation: op, Simple: true, Payments: payments}
	for _, a := range amounts {
		d.Lines = append(d.Lines, LineDraft{Price: a, Quantity: QuantityOne})
	}
	return d
}

// ComputeReceipt validates what the cashier typed against the settings and computes the receipt:
// line sums, item and receipt modifiers, total, VAT per line and per rate, payments, taken and
// change. It is pure. Every refusal is an *Error with one of the Err… codes; the rules, in order:
//
//   - the operation is one of the four (ErrReceiptOperation); a return names its original with
//     number, time, RNM and total (ErrReturnParentMissing, ErrReturnParentIncomplete), a sale or
//     purchase names none (ErrReturnParentUnexpected);
//   - at least one line (ErrReceiptEmpty); in extended mode every line has a name
//     (ErrLineNameEmpty), a known unit (ErrLineUnitUnknown), a positive quantity
//     (ErrQuantityZero, ErrQuantityNegative, ErrQuantityOverflow) that is whole unless the unit
//     allows fractions (ErrQuantityFraction), a positive price (ErrLinePriceZero, ErrMoneyOverflow);
//   - a line's НКТ product code (NTIN, optional) is empty or digits only, at most MaxNTINLength
//     of them (ErrLineNTIN);
//   - a marked line (Marked, a known group: ErrMarkedGroup) is in whole units (ErrMarkedFraction)
//     and carries one valid marking code per unit (ParseMarkingCode's errors with the Line,
//     ErrMarkingCount), all of one GTIN (ErrMarkingGTINMixed); a line not marked carries none
//     (ErrMarkingUnmarked); a unit appears once in the receipt (ErrMarkingDuplicate);
//   - VAT rates exist (ErrVATRateInvalid); a seller who is not a VAT payer sells without VAT
//     (ErrVATNotPayer);
//   - item modifiers only in extended mode (ErrLineModifierSimple); a receipt modifier only when
//     the setting allows it (ErrModifierNotAllowed); a modifier is a discount or markup of an
//     amount or a percent (ErrModifierInvalid); a discount is less than what it reduces
//     (ErrDiscountTooLarge);
//   - amounts stay within the limits of limits.go: a price and each payment within MaxMoney
//     (ErrMoneyOverflow), a line's price × quantity and its sum after a markup (ErrLineOverflow),
//     the gross, subtotal, modifiers and total (ErrReceiptOverflow); a sale or purchase total within the
//     maximum-sum setting (ErrReceiptMaxSum; returns are bounded by their original instead);
//   - payments: at least one (ErrPaymentsMissing), known types (ErrPaymentType), one per type
//     (ErrPaymentDuplicate), positive (ErrPaymentZero), card and mobile together at most the total
//     (ErrNonCashExceedsTotal), all together at least the total (ErrPaymentsShort); the excess is
//     change from the cash, and pay-out receipts give none (ErrChangeNotAllowed);
//   - a buyer IIN/BIN only when the setting allows it (ErrBuyerIINBINNotAllowed), in extended mode
//     (ErrBuyerIINBINSimpleMode), valid (ValidateIINBIN's errors) and not the seller's
//     (ErrBuyerIINBINIsSeller).
//
// A receipt-level discount or markup is spread over the lines in proportion to their sums after
// item modifiers, by the largest-remainder method so that the parts add up to it exactly; each
// line's VAT is then taken on what is actually paid for it.
func ComputeReceipt(d ReceiptDraft, s Settings) (Receipt, error) {
	r, err := ReceiptTotal(d, s)
	if err != nil {
		return Receipt{}, err
	}
	return finishReceipt(r, d, s)
}

// ReceiptTotal is the first half of ComputeReceipt: it checks the operation, the lines and the
// modifier and computes the line sums, the total and the VAT, leaving the payments and the buyer
// out (d.Payments and d.BuyerIINBIN are not looked at). The screens show a running total with it
// as the cashier types: the same checked arithmetic and the same refusals as the receipt, so a
// total on screen is never one the receipt would not have.
func ReceiptTotal(d ReceiptDraft, s Settings) (Receipt, error) {
	if !d.Operation.Valid() {
		return Receipt{}, newError(ErrReceiptOperation, "Operation", int(d.Operation))
	}
	if err := checkParent(d.Operation, d.Parent); err != nil {
		return Receipt{}, err
	}
	if len(d.Lines) == 0 {
		return Receipt{}, newError(ErrReceiptEmpty)
	}
	if err := checkLineCount(len(d.Lines)); err != nil {
		return Receipt{}, err
	}
	r := Receipt{Operation: d.Operation, Simple: d.Simple, Lines: make([]Line, 0, len(d.Lines))}
	if d.Parent != nil {
		p := *d.Parent
		r.Parent = &p
	}
	for i, ld := range d.Lines {
		if ld.From != 0 && !d.Operation.Returning() {
			return Receipt{}, newError(ErrReturnFromNotReturn, "Line", i+1)
		}
		l, err := computeLine(i+1, ld, d.Simple, s)
		if err != nil {
			return Receipt{}, err
		}
		r.Lines = append(r.Lines, l)
		r.Gross += l.Gross
		r.Subtotal += l.Sum
		if r.Gross > MaxMoney || r.Subtotal > MaxMoney {
			return Receipt{}, newError(ErrReceiptOverflow, "Max", MaxMoney)
		}
	}
	if err := checkUnitsOnce(r.Lines); err != nil {
		return Receipt{}, err
	}
	r.Total = r.Subtotal
	if d.Modifier != nil {
		if !s.ReceiptModifiersAllowed {
			return Receipt{}, newError(ErrModifierNotAllowed)
		}
		m := *d.Modifier
		if r.Subtotal <= 0 {
			return Receipt{}, newError(ErrModifierInvalid) // nothing to spread it over
		}
		amount, err := modifierAmount(m, r.Subtotal)
		if err != nil {
			return Receipt{}, err
		}
		r.Modifier = &m
		weights := make([]Money, len(r.Lines))
		for i := range r.Lines {
			weights[i] = r.Lines[i].Sum
		}
		shares := spread(amount, weights)
		for i := range r.Lines {
			l := &r.Lines[i]
			if m.Kind == Discount {
				l.ReceiptDiscount = shares[i]
				l.Sum -= shares[i]
			} else {
				l.ReceiptMarkup = shares[i]
				l.Sum += shares[i]
			}
		}
		if m.Kind == Discount {
			r.Discount = amount
			r.Total -= amount
		} else {
			r.Markup = amount
			r.Total += amount
			if r.Total > MaxMoney {
				return Receipt{}, newError(ErrReceiptOverflow, "Max", MaxMoney)
			}
		}
	}
	if s.MaxReceiptSum > 0 && !d.Operation.Returning() && r.Total > s.MaxReceiptSum {
		return Receipt{}, newError(ErrReceiptMaxSum, "Total", r.Total, "Max", s.MaxReceiptSum)
	}
	for i := range r.Lines {
		l := &r.Lines[i]
		l.VAT = VATIncluded(l.Sum, l.VATRate)
		if !l.VATRate.Taxed() {
			continue
		}
		j := sort.Search(len(r.Taxes), func(k int) bool { return r.Taxes[k].Rate >= l.VATRate })
		if j == len(r.Taxes) || r.Taxes[j].Rate != l.VATRate {
			r.Taxes = append(r.Taxes, TaxSum{})
			copy(r.Taxes[j+1:], r.Taxes[j:])
			r.Taxes[j] = TaxSum{Rate: l.VATRate}
		}
		r.Taxes[j].Turnover += l.Sum
		r.Taxes[j].VAT += l.VAT
		r.VAT += l.VAT
	}
	return r, nil
}

// finishReceipt is the second half of ComputeReceipt: the payments and the buyer of r, whose
// amounts ReceiptTotal computed from d.
func finishReceipt(r Receipt, d ReceiptDraft, s Settings) (Receipt, error) {
	if err := computePayments(&r, d.Payments); err != nil {
		return Receipt{}, err
	}
	if d.BuyerIINBIN != "" {
		switch {
		case !s.BuyerIINBINAllowed:
			return Receipt{}, newError(ErrBuyerIINBINNotAllowed)
		case d.Simple:
			return Receipt{}, newError(ErrBuyerIINBINSimpleMode)
		}
		if err := ValidateIINBIN(d.BuyerIINBIN); err != nil {
			return Receipt{}, err
		}
		if d.BuyerIINBIN == s.Reg.OrgIINBIN {
			return Receipt{}, newError(ErrBuyerIINBINIsSeller, "Input", d.BuyerIINBIN)
		}
		r.BuyerIINBIN = d.BuyerIINBIN
	}
	return r, nil
}

// checkParent checks that returns, and only returns, name a complete original.
func checkParent(op Operation, p *ParentReceipt) error {
	if !op.Returning() {
		if p != nil {
			return newError(ErrReturnParentUnexpected)
		}
		return nil
	}
	if p == nil {
		return newError(ErrReturnParentMissing)
	}
	if strings.TrimSpace(p.Number) == "" || p.Time.IsZero() || strings.TrimSpace(p.RNM) == "" || p.Total <= 0 {
		return newError(ErrReturnParentIncomplete)
	}
	return nil
}

// computeLine validates one line (n counts from 1) and computes it up to its item modifier.
func computeLine(n int, ld LineDraft, simple bool, s Settings) (Line, error) {
	l := Line{
		Name:     strings.TrimSpace(ld.Name),
		Section:  strings.TrimSpace(ld.Section),
		Quantity: ld.Quantity,
		Unit:     ld.Unit,
		Price:    ld.Price,
		NTIN:     strings.TrimSpace(ld.NTIN),
		From:     ld.From,
	}
	if l.Name == "" {
		if !simple {
			return Line{}, newError(ErrLineNameEmpty, "Line", n)
		}
		// Simple mode's amount is a piece of the owner's free-price item (Settings.SimpleItem).
		l.Name = s.SimpleItem.LineName()
		if l.NTIN == "" {
			l.NTIN = strings.TrimSpace(s.SimpleItem.NTIN)
		}
	}
	if err := ValidateItemName(l.Name); err != nil {
		return Line{}, err
	}
	if ValidateNTIN(l.NTIN) != nil {
		return Line{}, newError(ErrLineNTIN, "Line", n, "Max", MaxNTINLength)
	}
	if l.Section == "" {
		l.Section = DefaultSection
	}
	if err := checkSection(n, l.Section); err != nil {
		return Line{}, err
	}
	if l.Unit == "" {
		l.Unit = UnitPiece
	}
	unit, ok := UnitByCode(l.Unit)
	if !ok {
		return Line{}, newError(ErrLineUnitUnknown, "Line", n, "Unit", l.Unit)
	}
	if simple && l.Quantity == 0 {
		l.Quantity = QuantityOne
	}
	switch {
	case l.Quantity == 0:
		return Line{}, newError(ErrQuantityZero, "Line", n)
	case l.Quantity < 0:
		return Line{}, newError(ErrQuantityNegative, "Line", n)
	case l.Quantity > MaxQuantity:
		return Line{}, newError(ErrQuantityOverflow, "Line", n, "Max", MaxQuantity)
	case !unit.Fractional && !l.Quantity.Whole():
		return Line{}, newError(ErrQuantityFraction, "Line", n, "Unit", unit.NameRU, "Quantity", l.Quantity)
	}
	if err := markLine(n, ld, &l); err != nil {
		return Line{}, err
	}
	switch {
	case l.Price <= 0:
		return Line{}, newError(ErrLinePriceZero, "Line", n)
	case l.Price > MaxMoney:
		return Line{}, newError(ErrMoneyOverflow, "Line", n, "Max", MaxMoney)
	}
	switch {
	case !ld.VATRate.Valid():
		return Line{}, newError(ErrVATRateInvalid, "Line", n, "Rate", int(ld.VATRate))
	case !s.VATPayer:
		if ld.VATRate != VATDefault && ld.VATRate != VATNone {
			return Line{}, newError(ErrVATNotPayer, "Line", n)
		}
		l.VATRate = VATNone
	case ld.VATRate == VATDefault:
		if !s.DefaultVATRate.Valid() || s.DefaultVATRate == VATDefault {
			return Line{}, newError(ErrVATRateInvalid, "Line", n, "Rate", int(s.DefaultVATRate))
		}
		l.VATRate = s.DefaultVATRate
	default:
		l.VATRate = ld.VATRate
	}
	gross, err := MulQuantity(l.Price, l.Quantity)
	if err != nil {
		return Line{}, newError(ErrLineOverflow, "Line", n, "Max", MaxMoney)
	}
	if gross < MinLine && ld.From == 0 { // a returned part of a line refunds its share, whatever its price × quantity
		return Line{}, newError(ErrLineZero, "Line", n, "Min", MinLine)
	}
	l.Gross, l.Sum = gross, gross
	if ld.Modifier != nil {
		if simple {
			return Line{}, newError(ErrLineModifierSimple, "Line", n)
		}
		m := *ld.Modifier
		amount, err := modifierAmount(m, gross)
		if err != nil && ld.From > 0 && m.Kind == Discount && m.Amount == gross && errors.Is(err, ErrDiscountTooLarge) {
			// A returned unit paid nothing (a line paid less than a tiyn a unit): its line
			// refunds nothing (ComputeReturn).
			amount, err = gross, nil
		}
		if err != nil {
			if e, ok := err.(*Error); ok {
				if e.Data == nil {
					e.Data = map[string]any{}
				}
				e.Data["Line"] = n
			}
			return Line{}, err
		}
		l.Modifier = &m
		if m.Kind == Discount {
			l.Discount = amount
			l.Sum -= amount
		} else {
			l.Markup = amount
			l.Sum += amount
			if l.Sum > MaxMoney {
				return Line{}, newError(ErrLineOverflow, "Line", n, "Max", MaxMoney)
			}
		}
	}
	return l, nil
}

// modifierAmount validates m and returns the amount it takes off or adds to base.
func modifierAmount(m Modifier, base Money) (Money, error) {
	if (m.Kind != Discount && m.Kind != Markup) || m.Amount < 0 || m.Percent < 0 ||
		(m.Amount == 0) == (m.Percent == 0) {
		return 0, newError(ErrModifierInvalid)
	}
	amount := m.Amount
	if m.Percent != 0 {
		var err error
		if amount, err = base.Percent(m.Percent); err != nil {
			return 0, err
		}
		if amount == 0 {
			return 0, newError(ErrModifierInvalid)
		}
	}
	if amount > MaxMoney {
		return 0, newError(ErrReceiptOverflow, "Max", MaxMoney)
	}
	if m.Kind == Discount && amount >= base {
		return 0, newError(ErrDiscountTooLarge, "Discount", amount, "Sum", base)
	}
	return amount, nil
}

// spread divides amount over weights in proportion, by the largest-remainder method: each part is
// amount × weight / Σ weights rounded down, and the tiyns left over go one each to the parts with
// the largest remainders (the earlier line on a tie). The parts add up to amount exactly. The
// weights are non-negative with a positive sum no larger than MaxMoney, and amount ≤ MaxMoney.
func spread(amount Money, weights []Money) []Money {
	var total uint64
	for _, w := range weights {
		total += uint64(w)
	}
	parts := make([]Money, len(weights))
	rems := make([]uint64, len(weights))
	var given Money
	for i, w := range weights {
		hi, lo := bits.Mul64(uint64(amount), uint64(w))
		q, r := bits.Div64(hi, lo, total) // hi < total as amount × w / total ≤ amount < 2^64
		parts[i], rems[i] = Money(q), r
		given += Money(q)
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

// computePayments validates the payments against r.Total and fills r's Payments, Taken and Change.
func computePayments(r *Receipt, payments []Payment) error {
	if len(payments) == 0 {
		return newError(ErrPaymentsMissing)
	}
	var byType [5]Money
	var seen [5]bool
	for _, p := range payments {
		switch {
		case !p.Type.Valid():
			return newError(ErrPaymentType, "Type", int(p.Type))
		case seen[p.Type]:
			return newError(ErrPaymentDuplicate, "Type", int(p.Type))
		case p.Sum <= 0:
			return newError(ErrPaymentZero, "Type", int(p.Type))
		case p.Sum > MaxMoney:
			return newError(ErrMoneyOverflow, "Input", p.Sum, "Max", MaxMoney)
		}
		seen[p.Type] = true
		byType[p.Type] = p.Sum
	}
	cash := byType[PayCash]
	nonCash := byType[PayCard] + byType[PayMobile]
	if nonCash > r.Total {
		return newError(ErrNonCashExceedsTotal, "Total", r.Total, "NonCash", nonCash)
	}
	if paid := cash + nonCash; paid < r.Total {
		return newError(ErrPaymentsShort, "Total", r.Total, "Paid", paid)
	}
	change := cash + nonCash - r.Total
	if change > 0 && r.Operation.PaysOut() {
		return newError(ErrChangeNotAllowed, "Change", change)
	}
	for _, t := range PaymentTypes() {
		if seen[t] {
			r.Payments = append(r.Payments, Payment{Type: t, Sum: byType[t]})
		}
	}
	r.Taken, r.Change = cash, change
	return nil
}
