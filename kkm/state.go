package kkm

import (
	"sort"
	"time"
)

// State is the register's persistent state: where the numbering stands and every counter the
// reports need. The journal saves it whole, as JSON, in the same transaction as each document that
// changes it; the JSON tags are stable.
//
// A State is only ever changed by the Register's issuing methods, which return a new State and
// leave the old one untouched.
type State struct {
	ShiftNumber       uint32    `json:"shift_number"`        // the open shift, or the last closed one (0 before the first)
	ShiftOpen         bool      `json:"shift_open"`          // a shift is open (it opens with its first document)
	ShiftOpenedAt     time.Time `json:"shift_opened_at"`     // time of the open shift's first document
	DocumentNumber    uint32    `json:"document_number"`     // the last number issued in the shift (0: none yet)
	LastDocumentTime  time.Time `json:"last_document_time"`  // no document may be dated before it
	LastOfflineNumber uint32    `json:"last_offline_number"` // the last offline number issued (never reset)
	CashInDrawer      Money     `json:"cash_in_drawer"`      // cash in the drawer; carries over from shift to shift
	NonNullable       [4]Money  `json:"non_nullable"`        // receipt totals since registration, per operation
	// Refusals counts the documents the OFD refused that were taken out of the counters
	// (WithoutRefused); the journal refuses to save a state that missed one (a stale copy).
	Refusals uint32 `json:"refusals,omitempty"`
	// OFDShiftLimit is the OFD's own shift limit where it showed itself shorter than the
	// settings' (code 11, LearnShiftLimit); 0 while unknown.
	OFDShiftLimit time.Duration `json:"ofd_shift_limit,omitempty"`

	Counters ShiftCounters `json:"counters"` // the open (or last closed) shift's ZX counters

	// LastClockCorrection is the last time the forward-only mark was moved back to the OFD's time
	// after a wrong future date (clockcorrection.go); nil when never.
	LastClockCorrection *ClockCorrection `json:"last_clock_correction,omitempty"`
}

// Clone returns a deep copy of the state, sharing no slice with s.
func (s State) Clone() State {
	s.Counters = s.Counters.clone()
	if s.LastClockCorrection != nil {
		c := *s.LastClockCorrection
		s.LastClockCorrection = &c
	}
	return s
}

// clone returns a deep copy of the counters.
func (c ShiftCounters) clone() ShiftCounters {
	c.Sections = append([]SectionCounters(nil), c.Sections...)
	c.Taxes = append([]TaxCounters(nil), c.Taxes...)
	for i := range c.Receipts {
		c.Receipts[i].Payments = append([]PaymentCounter(nil), c.Receipts[i].Payments...)
	}
	return c
}

// newShiftCounters returns the counters of a shift that opens after prev: zero, but for the counts
// since registration, which carry over, and the non-nullable sums at the start.
func newShiftCounters(prev ShiftCounters, nonNullable [4]Money) ShiftCounters {
	var c ShiftCounters
	for i := range c.Receipts {
		c.Receipts[i].TotalCount = prev.Receipts[i].TotalCount
		for _, t := range PaymentTypes() {
			c.Receipts[i].Payments = append(c.Receipts[i].Payments, PaymentCounter{Type: t})
		}
	}
	for i := range c.Placements {
		c.Placements[i].TotalCount = prev.Placements[i].TotalCount
	}
	c.StartNonNullable = nonNullable
	return c
}

// begin starts a fiscal document at now: it opens a shift if none is open, numbers the document,
// moves the last document time and gives an offline document its offline number.
func (s *State) begin(kind DocumentKind, op Operator, now time.Time, offline bool) Document {
	if !s.ShiftOpen {
		s.ShiftNumber++
		s.ShiftOpen = true
		s.ShiftOpenedAt = now
		s.DocumentNumber = 0
		s.Counters = newShiftCounters(s.Counters, s.NonNullable)
	}
	s.DocumentNumber++
	s.LastDocumentTime = now
	d := Document{Kind: kind, ShiftNumber: s.ShiftNumber, Number: s.DocumentNumber, Time: now, Operator: op, Offline: offline}
	if offline {
		s.LastOfflineNumber++
		d.OfflineNumber = s.LastOfflineNumber
	}
	return d
}

// adder adds amounts with an overflow check, remembering whether any overflowed.
//
// With neg set it subtracts instead: it takes a document the OFD refused back out of the
// counters (refused.go), by the same code that put it in, so the two cannot drift apart.
type adder struct{ overflow, neg bool }

func (a *adder) add(dst *Money, v Money) {
	if a.neg {
		v = -v
	}
	s, ok := addMoney(*dst, v)
	if !ok {
		a.overflow = true
		return
	}
	*dst = s
}

func (a *adder) count(dst *Counter, n uint32, v Money) {
	a.inc(&dst.Count, n)
	a.add(&dst.Sum, v)
}

// inc adds n to a count, which travels as a uint32 the protocol bounds by MaxCount (limits.go);
// with neg it subtracts n.
func (a *adder) inc(dst *uint32, n uint32) {
	if a.neg {
		*dst -= n
		return
	}
	if uint64(*dst)+uint64(n) > MaxCount {
		a.overflow = true
		return
	}
	*dst += n
}

// applyReceipt adds a receipt to the counters. On overflow it returns ErrCounterOverflow (a sum
// past int64 tiyn or a count past MaxCount), and when the drawer would hold more than MaxDrawer
// ErrDrawerLimit; either way it leaves s partly changed, and callers work on a clone.
func (s *State) applyReceipt(rc *Receipt, offline bool) error {
	return s.receiptEffect(rc, offline, adder{})
}

// receiptEffect adds a receipt to the counters with a (or takes it out, with a.neg: a refusal
// only gives back, so no limit applies to it).
func (s *State) receiptEffect(rc *Receipt, offline bool, a adder) error {
	op := rc.Operation
	c := &s.Counters
	var discounts, markups uint32
	discountSum, markupSum := rc.Discount, rc.Markup
	if rc.Discount > 0 {
		discounts++
	}
	if rc.Markup > 0 {
		markups++
	}
	for i := range rc.Lines {
		l := &rc.Lines[i]
		if l.Discount > 0 {
			discounts++
			discountSum += l.Discount
		}
		if l.Markup > 0 {
			markups++
			markupSum += l.Markup
		}
		sc := c.section(l.Section)
		a.count(&sc.Operations[op], 1, l.Gross)
		if l.VATRate.Taxed() {
			t := &c.tax(l.VATRate).Operations[op]
			a.add(&t.Turnover, l.Sum)
			a.add(&t.VAT, l.VAT)
			a.add(&t.TurnoverWithoutVAT, l.Sum-l.VAT)
		}
	}
	a.count(&c.Operations[op], 1, rc.Gross)
	if discounts > 0 {
		a.count(&c.Discounts[op], discounts, discountSum)
	}
	if markups > 0 {
		a.count(&c.Markups[op], markups, markupSum)
	}
	a.count(&c.TotalResult[op], 1, rc.Total)

	ro := &c.Receipts[op]
	a.inc(&ro.TotalCount, 1)
	a.inc(&ro.Count, 1)
	a.add(&ro.Sum, rc.Total)
	for _, p := range rc.Payments {
		pc := ro.payment(p.Type)
		a.inc(&pc.Count, 1)
		a.add(&pc.Sum, p.Sum)
	}
	if offline {
		a.inc(&ro.OfflineCount, 1)
	}
	a.add(&ro.DiscountSum, discountSum)
	a.add(&ro.MarkupSum, markupSum)
	a.add(&ro.ChangeSum, rc.Change)

	a.add(&s.NonNullable[op], rc.Total)
	cash := rc.Taken - rc.Change
	if op.PaysOut() {
		cash = -cash
	}
	drawer := s.CashInDrawer
	a.add(&s.CashInDrawer, cash)
	if a.overflow {
		return newError(ErrCounterOverflow)
	}
	if !a.neg && s.CashInDrawer > MaxDrawer && s.CashInDrawer > drawer {
		return newError(ErrDrawerLimit, "Max", MaxDrawer, "Cash", drawer)
	}
	return nil
}

// applyPlacement adds a cash in or out to the counters and the drawer.
func (s *State) applyPlacement(kind DocumentKind, amount Money, offline bool) error {
	return s.placementEffect(kind, amount, offline, adder{})
}

// placementEffect adds a cash in or out with a (or takes it out, with a.neg).
func (s *State) placementEffect(kind DocumentKind, amount Money, offline bool, a adder) error {
	i, sign := PlacementCashIn, Money(1)
	if kind == KindCashOut {
		i, sign = PlacementCashOut, -1
	}
	p := &s.Counters.Placements[i]
	a.inc(&p.TotalCount, 1)
	a.inc(&p.Count, 1)
	a.add(&p.Sum, amount)
	if offline {
		a.inc(&p.OfflineCount, 1)
	}
	drawer := s.CashInDrawer
	a.add(&s.CashInDrawer, sign*amount)
	if a.overflow {
		return newError(ErrCounterOverflow)
	}
	if !a.neg && s.CashInDrawer > MaxDrawer && s.CashInDrawer > drawer {
		return newError(ErrDrawerLimit, "Max", MaxDrawer, "Cash", drawer)
	}
	return nil
}

// section returns the counters of a section, adding them in code order if new.
func (c *ShiftCounters) section(code string) *SectionCounters {
	i := sort.Search(len(c.Sections), func(k int) bool { return c.Sections[k].Section >= code })
	if i == len(c.Sections) || c.Sections[i].Section != code {
		c.Sections = append(c.Sections, SectionCounters{})
		copy(c.Sections[i+1:], c.Sections[i:])
		c.Sections[i] = SectionCounters{Section: code}
	}
	return &c.Sections[i]
}

// tax returns the counters of a VAT rate, adding them in rate order if new.
func (c *ShiftCounters) tax(rate VATRate) *TaxCounters {
	i := sort.Search(len(c.Taxes), func(k int) bool { return c.Taxes[k].Rate >= rate })
	if i == len(c.Taxes) || c.Taxes[i].Rate != rate {
		c.Taxes = append(c.Taxes, TaxCounters{})
		copy(c.Taxes[i+1:], c.Taxes[i:])
		c.Taxes[i] = TaxCounters{Rate: rate}
	}
	return &c.Taxes[i]
}

// payment returns the counter of a payment type, adding it in type order if missing.
func (rc *ReceiptCounters) payment(t PaymentType) *PaymentCounter {
	i := sort.Search(len(rc.Payments), func(k int) bool { return rc.Payments[k].Type >= t })
	if i == len(rc.Payments) || rc.Payments[i].Type != t {
		rc.Payments = append(rc.Payments, PaymentCounter{})
		copy(rc.Payments[i+1:], rc.Payments[i:])
		rc.Payments[i] = PaymentCounter{Type: t}
	}
	return &rc.Payments[i]
}

// report builds the report of the shift as it stands at now.
func (s State) report(now time.Time) Report {
	c := s.Counters.clone()
	for i := range c.Receipts {
		for _, t := range PaymentTypes() {
			c.Receipts[i].payment(t)
		}
	}
	tr := &c.TotalResult
	return Report{
		ShiftNumber:   s.ShiftNumber,
		Time:          now,
		OpenTime:      s.ShiftOpenedAt,
		ShiftCounters: c,
		NonNullable:   s.NonNullable,
		CashInDrawer:  s.CashInDrawer,
		Revenue:       tr[OpSale].Sum - tr[OpSaleReturn].Sum - tr[OpPurchase].Sum + tr[OpPurchaseReturn].Sum,
	}
}
