package kkm

import "time"

// A document the OFD refused for its content is never counted by the OFD. Design.md §3
// invariant 11: it stays in the journal, marked refused, but leaves the counters, so that the X
// and Z reports are the OFD's own. The journal takes it out in the same transaction that marks it
// refused (storage.Journal.RefuseHead), with the functions here, which run the very code that
// counted it (applyReceipt, applyPlacement) backwards.

// WithoutRefused returns the state after d, a document issued earlier, was refused by the OFD:
//
//   - when d belongs to the state's shift (open, or the last closed one), its counters are taken
//     out of the shift's counters;
//   - its total leaves the non-nullable sums (and the start sums of a later shift), and a receipt
//     or cash operation leaves the counts since registration;
//   - its cash leaves the drawer when inDrawer is set, that is unless an auto cash-out issued
//     after d has emptied the drawer since (that cash-out is amended instead, AmendAfterRefused).
//
// The state's Refusals count goes up by one. Z reports cannot be refused (the shift is closed in
// the journal); for them, and for X reports, the state is returned unchanged but for the count.
func (s State) WithoutRefused(d Document, inDrawer bool) (State, error) {
	out := s.Clone()
	t := s.Clone()
	a := adder{neg: true}
	switch d.Kind {
	case KindReceipt:
		if d.Receipt == nil { // nothing was counted
			out.Refusals++
			return out, nil
		}
		if err := t.receiptEffect(d.Receipt, d.Offline, a); err != nil {
			return s, err
		}
		op := d.Receipt.Operation
		out.NonNullable = t.NonNullable
		if d.ShiftNumber < s.ShiftNumber {
			out.Counters.StartNonNullable[op] -= d.Receipt.Total
		}
	case KindCashIn, KindCashOut:
		if err := t.placementEffect(d.Kind, d.Cash, d.Offline, a); err != nil {
			return s, err
		}
	default:
		out.Refusals++
		return out, nil
	}
	if d.ShiftNumber == s.ShiftNumber {
		out.Counters = t.Counters
		out.Counters.prune()
	} else {
		// Another shift's document: only the counts since registration are this shift's too.
		for i := range out.Counters.Receipts {
			out.Counters.Receipts[i].TotalCount = t.Counters.Receipts[i].TotalCount
		}
		for i := range out.Counters.Placements {
			out.Counters.Placements[i].TotalCount = t.Counters.Placements[i].TotalCount
		}
	}
	if inDrawer {
		out.CashInDrawer = t.CashInDrawer
	}
	out.Refusals++
	return out, nil
}

// CashEffect returns how much d moved the cash in the drawer: positive for cash taken in (a sale,
// a purchase return, a cash in), negative for cash paid out; 0 for reports.
func (d Document) CashEffect() Money {
	switch d.Kind {
	case KindReceipt:
		if d.Receipt == nil {
			return 0
		}
		cash := d.Receipt.Taken - d.Receipt.Change
		if d.Receipt.Operation.PaysOut() {
			return -cash
		}
		return cash
	case KindCashIn:
		return d.Cash
	case KindCashOut:
		return -d.Cash
	}
	return 0
}

// AmendAfterRefused returns later, a document issued after refused and still waiting for the
// OFD, as it must now be sent so that the OFD's counters agree with it:
//
//   - a Z report loses refused from its counters (refused's shift) or only from its non-nullable
//     sums and counts since registration (a later shift), and from its cash in the drawer when
//     inDrawer (no auto cash-out between them emptied the drawer);
//   - the auto cash-out of a Z (autoCashOut set) withdraws what the OFD holds: its amount less
//     refused's cash effect, never below zero.
//
// Anything else is returned unchanged, with changed false. The journal keeps later as issued (the
// hash chain covers it) and sends the amended copy.
func AmendAfterRefused(later, refused Document, inDrawer, autoCashOut bool) (Document, bool, error) {
	switch {
	case later.Kind == KindZReport && later.Report != nil:
		r := *later.Report
		st := State{ShiftNumber: r.ShiftNumber, Counters: r.ShiftCounters.clone(), NonNullable: r.NonNullable,
			CashInDrawer: r.CashInDrawer}
		st, err := st.WithoutRefused(refused, inDrawer)
		if err != nil {
			return later, false, err
		}
		r.ShiftCounters, r.NonNullable, r.CashInDrawer = st.Counters, st.NonNullable, st.CashInDrawer
		tr := &r.TotalResult
		r.Revenue = tr[OpSale].Sum - tr[OpSaleReturn].Sum - tr[OpPurchase].Sum + tr[OpPurchaseReturn].Sum
		later.Report = &r
		return later, true, nil
	case later.Kind == KindCashOut && autoCashOut:
		cash := later.Cash - refused.CashEffect()
		if cash < 0 {
			cash = 0
		}
		changed := cash != later.Cash
		later.Cash = cash
		return later, changed, nil
	}
	return later, false, nil
}

// AmendForAutoCashOut returns z, a Z report whose own auto cash-out was amended to withdraw
// less (AmendAfterRefused) by less, with its cash-out counter withdrawing as much: the OFD
// compares it with the cash-outs it took.
func AmendForAutoCashOut(z Document, less Money) Document {
	if z.Kind != KindZReport || z.Report == nil || less == 0 {
		return z
	}
	r := *z.Report
	r.ShiftCounters = r.ShiftCounters.clone()
	r.Placements[PlacementCashOut].Sum -= less
	z.Report = &r
	return z
}

// LearnShiftLimit returns the state after the OFD refused a document with code 11 (the shift is
// open too long) at now: the OFD's own limit shows itself as at most the shift's age then, which
// the state keeps (OFDShiftLimit, the smallest seen) so that the register warns before it and
// allows only the Z report after it, as before the 24 hours. The age is taken down to the whole
// hour (to the minute below an hour); a refusal for a shift other than the open one, or one that
// teaches nothing, leaves the state unchanged.
func (s State) LearnShiftLimit(shift uint32, now time.Time) State {
	if !s.ShiftOpen || shift != s.ShiftNumber {
		return s
	}
	age := now.Sub(s.ShiftOpenedAt)
	switch {
	case age >= time.Hour:
		age = age.Truncate(time.Hour)
	case age >= time.Minute:
		age = age.Truncate(time.Minute)
	default:
		return s
	}
	if age >= DefaultShiftLimit || (s.OFDShiftLimit > 0 && age >= s.OFDShiftLimit) {
		return s
	}
	s.OFDShiftLimit = age
	return s
}

// prune drops the section and VAT-rate entries a refusal left empty: the OFD never saw them.
func (c *ShiftCounters) prune() {
	sections := c.Sections[:0]
	for _, sc := range c.Sections {
		if sc.Operations != (ByOperation{}) {
			sections = append(sections, sc)
		}
	}
	c.Sections = sections
	taxes := c.Taxes[:0]
	for _, tc := range c.Taxes {
		if tc.Operations != ([4]TaxTurnover{}) {
			taxes = append(taxes, tc)
		}
	}
	c.Taxes = taxes
}

// DraftOf returns the draft a computed receipt was issued from: its lines, modifiers, payments,
// buyer and original as typed. ComputeReceipt of it gives the receipt again; the cashier issues a
// receipt the OFD refused again from it (in the new shift, after code 11), after a preview.
func DraftOf(r Receipt) ReceiptDraft {
	d := ReceiptDraft{Operation: r.Operation, Simple: r.Simple, BuyerIINBIN: r.BuyerIINBIN,
		Payments: append([]Payment(nil), r.Payments...)}
	if r.Modifier != nil {
		m := *r.Modifier
		d.Modifier = &m
	}
	if r.Parent != nil {
		p := *r.Parent
		d.Parent = &p
	}
	for _, l := range r.Lines {
		ld := LineDraft{Name: l.Name, Section: l.Section, Quantity: l.Quantity, Unit: l.Unit, Price: l.Price,
			VATRate: l.VATRate, NTIN: l.NTIN, Marked: l.Marked, Codes: append([]string(nil), l.Codes...), From: l.From}
		if l.Modifier != nil {
			m := *l.Modifier
			ld.Modifier = &m
		}
		d.Lines = append(d.Lines, ld)
	}
	return d
}
