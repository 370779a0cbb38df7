package kkm

import (
	"errors"
	"fmt"
)

// The VAT each modifier carries (issue 17 item 3). The protocol sends a receipt as commodities at
// their gross amounts followed by the discounts and markups that take them to what is paid, each
// with its own VAT per rate. The register prints one VAT per line, VAT(Sum) (VATIncluded), so the
// modifiers must carry exactly the VAT that takes VAT(Gross) to VAT(Sum): each one the difference
// of the one formula along the way,
//
//	commodity                  sum = Gross                 VAT = VAT(Gross)
//	its discount (item)        sum = Discount              VAT = VAT(Gross) − VAT(Gross − Discount)
//	its markup (item)          sum = Markup                VAT = VAT(Net) − VAT(Gross − Discount)
//	the receipt's discount     sum = Σ ReceiptDiscount     VAT = Σ_lines at r [VAT(Net) − VAT(Sum)]
//	the receipt's markup       sum = Σ ReceiptMarkup       VAT = Σ_lines at r [VAT(Sum) − VAT(Net)]
//
// where Net = Gross − Discount + Markup is the line after its own modifier and Sum = Net −
// ReceiptDiscount + ReceiptMarkup what is paid for it. Per rate they telescope to the printed VAT,
//
//	Σ commodity VAT − Σ discount VAT + Σ markup VAT = Σ_lines at r VAT(Sum) = Receipt.Taxes[r].VAT
//
// to the tiyn, and every VAT is ≥ 0 since VAT(x) does not decrease with x. This is a register
// rule, so it lives here; the request builder (ofdclient) only maps these numbers onto the wire.

// ErrReceiptInconsistent is returned by Receipt.ModifierVAT for a receipt whose lines do not hold
// the amounts ComputeReceipt gives them (a sum that does not follow from its modifiers, a VAT that
// is not the VAT of its sum): such a receipt could not carry its printed VAT. It is not a cashier's
// mistake but a damaged or hand-made document, so it carries no message ID.
var ErrReceiptInconsistent = errors.New("receipt amounts are inconsistent")

// RateVAT is an amount and the VAT carried with it at one VAT rate.
type RateVAT struct {
	Rate VATRate
	Sum  Money // the amount at the rate
	VAT  Money // the VAT carried with it
}

// LineVAT is the VAT of one line as the protocol carries it: its commodity at the gross amount,
// and its own discount or markup.
type LineVAT struct {
	Gross    Money // VAT(Gross): the commodity's
	Discount Money // VAT(Gross) − VAT(Gross − Discount): its discount's (0 without one)
	Markup   Money // VAT(Net) − VAT(Gross − Discount): its markup's (0 without one)
}

// ReceiptVAT is a receipt's VAT as the protocol carries it (see above).
type ReceiptVAT struct {
	Lines []LineVAT // per line of the receipt, in its order
	// Modifier is the receipt-level discount's or markup's amount and VAT per rate, one entry
	// per rate that takes a share of it, in the order the lines first name the rate; empty
	// without a receipt modifier. Untaxed rates are listed too (with VAT 0): what to send for
	// them is the wire's business.
	Modifier []RateVAT
}

// ModifierVAT returns the VAT of each commodity and modifier of r as the protocol carries it
// (see above). It refuses, with ErrReceiptInconsistent, a receipt whose line amounts do not
// follow from each other or whose line VAT is not VATIncluded of its sum.
func (r Receipt) ModifierVAT() (ReceiptVAT, error) {
	out := ReceiptVAT{Lines: make([]LineVAT, len(r.Lines))}
	for i, l := range r.Lines {
		afterDiscount := l.Gross - l.Discount
		net := afterDiscount + l.Markup
		if paid := net - l.ReceiptDiscount + l.ReceiptMarkup; paid != l.Sum || afterDiscount < 0 || l.Sum < 0 {
			return ReceiptVAT{}, fmt.Errorf("%w: line %d sum %v is not gross %v − %v + %v − %v + %v", ErrReceiptInconsistent,
				i+1, l.Sum, l.Gross, l.Discount, l.Markup, l.ReceiptDiscount, l.ReceiptMarkup)
		}
		if want := VATIncluded(l.Sum, l.VATRate); l.VAT != want {
			return ReceiptVAT{}, fmt.Errorf("%w: line %d VAT %v is not the VAT %v included in its sum %v", ErrReceiptInconsistent,
				i+1, l.VAT, want, l.Sum)
		}
		gross := VATIncluded(l.Gross, l.VATRate)
		out.Lines[i] = LineVAT{Gross: gross}
		if l.Discount > 0 {
			out.Lines[i].Discount = vatStep(l.Gross, afterDiscount, l.VATRate)
		}
		if l.Markup > 0 {
			out.Lines[i].Markup = vatStep(afterDiscount, net, l.VATRate)
		}
		if share := l.ReceiptDiscount + l.ReceiptMarkup; share != 0 {
			out.Modifier = addRateVAT(out.Modifier, l.VATRate, share, vatStep(net, l.Sum, l.VATRate))
		}
	}
	return out, nil
}

// vatStep is the VAT a modifier moves when it takes a line from the amount from to the amount to
// at rate: |VAT(from) − VAT(to)|.
func vatStep(from, to Money, rate VATRate) Money {
	d := VATIncluded(from, rate) - VATIncluded(to, rate)
	if d < 0 {
		return -d
	}
	return d
}

// addRateVAT adds an amount and its VAT at rate, one entry per rate in first-seen order.
func addRateVAT(list []RateVAT, rate VATRate, sum, vat Money) []RateVAT {
	for i := range list {
		if list[i].Rate == rate {
			list[i].Sum += sum
			list[i].VAT += vat
			return list
		}
	}
	return append(list, RateVAT{Rate: rate, Sum: sum, VAT: vat})
}
