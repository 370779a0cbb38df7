package kkm

import (
	"math/rand/v2"
	"reflect"
	"sort"
	"testing"
	"time"
)

// randomDraft returns a random extended-mode draft for op, paid in a random way that covers it.
func randomDraft(rng *rand.Rand, op Operation, drawer Money) ReceiptDraft {
	d := ReceiptDraft{Operation: op}
	if op.Returning() {
		d.Parent = parent()
	}
	rates := []VATRate{VATDefault, VATNone, VAT0, VAT5, VAT10, VAT16}
	sections := []string{"1", "2", "10"}
	for n := 1 + rng.IntN(5); n > 0; n-- {
		l := LineDraft{
			Name:    "Тауар",
			Section: sections[rng.IntN(len(sections))],
			Price:   Money(1 + rng.IntN(200000)),
			VATRate: rates[rng.IntN(len(rates))],
		}
		if rng.IntN(2) == 0 {
			l.Unit, l.Quantity = "166", Quantity(1+rng.IntN(5000))
		} else {
			l.Quantity = Quantity(1000 * (1 + rng.IntN(4)))
		}
		switch rng.IntN(6) {
		case 0:
			l.Modifier = &Modifier{Kind: Discount, Percent: int64(1 + rng.IntN(5000))}
		case 1:
			l.Modifier = &Modifier{Kind: Markup, Amount: Money(1 + rng.IntN(1000))}
		}
		d.Lines = append(d.Lines, l)
	}
	switch rng.IntN(5) {
	case 0:
		d.Modifier = &Modifier{Kind: Discount, Amount: Money(1 + rng.IntN(500))}
	case 1:
		d.Modifier = &Modifier{Kind: Markup, Percent: int64(1 + rng.IntN(2000))}
	}
	probe := d
	probe.Operation, probe.Parent, probe.Payments = OpSale, nil, cash(MaxMoney)
	r, err := ComputeReceipt(probe, payerSettings())
	if err != nil {
		return d // an invalid draw; the register will refuse it
	}
	total := r.Total
	card := Money(rng.Int64N(int64(total) + 1))
	mobile := Money(rng.Int64N(int64(total-card) + 1))
	rest := total - card - mobile
	if op.PaysOut() && rest > drawer {
		card, rest = card+rest, 0
	}
	if !op.PaysOut() && rng.IntN(2) == 0 {
		rest += Money(rng.IntN(100000)) // change
	}
	for _, p := range []Payment{{PayCash, rest}, {PayCard, card}, {PayMobile, mobile}} {
		if p.Sum > 0 {
			d.Payments = append(d.Payments, p)
		}
	}
	return d
}

// checkReconciles asserts the receipt's totals reconcile to the tiyn.
func checkReconciles(t *testing.T, r *Receipt) {
	t.Helper()
	var gross, itemDisc, itemMark, sum, vat, shares, paid Money
	for _, l := range r.Lines {
		gross += l.Gross
		itemDisc += l.Discount
		itemMark += l.Markup
		sum += l.Sum
		vat += l.VAT
		shares += l.ReceiptDiscount + l.ReceiptMarkup
		if l.VAT != VATIncluded(l.Sum, l.VATRate) || l.Sum != l.Gross-l.Discount+l.Markup-l.ReceiptDiscount+l.ReceiptMarkup {
			t.Fatalf("line does not reconcile: %+v", l)
		}
	}
	var taxVAT, taxTurnover, taxedSum Money
	for _, tx := range r.Taxes {
		taxVAT += tx.VAT
		taxTurnover += tx.Turnover
	}
	for _, l := range r.Lines {
		if l.VATRate.Taxed() {
			taxedSum += l.Sum
		}
	}
	for _, p := range r.Payments {
		paid += p.Sum
	}
	switch {
	case gross != r.Gross || gross-itemDisc+itemMark != r.Subtotal:
		t.Fatalf("subtotal: gross %d disc %d markup %d subtotal %d", gross, itemDisc, itemMark, r.Subtotal)
	case r.Subtotal-r.Discount+r.Markup != r.Total || sum != r.Total || shares != r.Discount+r.Markup:
		t.Fatalf("total: subtotal %d − %d + %d, lines %d, shares %d, total %d", r.Subtotal, r.Discount, r.Markup, sum, shares, r.Total)
	case paid-r.Change != r.Total || r.Change > r.Taken:
		t.Fatalf("payments %d − change %d ≠ total %d", paid, r.Change, r.Total)
	case vat != r.VAT || taxVAT != r.VAT || taxTurnover != taxedSum:
		t.Fatalf("VAT: lines %d, rates %d, receipt %d", vat, taxVAT, r.VAT)
	}
}

// recount rebuilds the report of the last shift from every document ever issued, without the
// register's counters: the reference the kept counters must equal.
func recount(docs []Document, reg Register, now time.Time) Report {
	rep := Report{ShiftNumber: reg.State.ShiftNumber, Time: now}
	sections := map[string]*SectionCounters{}
	taxes := map[VATRate]*TaxCounters{}
	for i := range rep.Receipts {
		for _, pt := range PaymentTypes() {
			rep.Receipts[i].Payments = append(rep.Receipts[i].Payments, PaymentCounter{Type: pt})
		}
	}
	for _, d := range docs {
		cur := d.ShiftNumber == rep.ShiftNumber
		if cur && (rep.OpenTime.IsZero() || d.Time.Before(rep.OpenTime)) {
			rep.OpenTime = d.Time
		}
		switch d.Kind {
		case KindCashIn, KindCashOut:
			i, sign := PlacementCashIn, Money(1)
			if d.Kind == KindCashOut {
				i, sign = PlacementCashOut, -1
			}
			rep.CashInDrawer += sign * d.Cash
			rep.Placements[i].TotalCount++
			if cur {
				rep.Placements[i].Count++
				rep.Placements[i].Sum += d.Cash
				if d.Offline {
					rep.Placements[i].OfflineCount++
				}
			}
		case KindReceipt:
			r := d.Receipt
			op := r.Operation
			if op.PaysOut() {
				rep.CashInDrawer -= r.Taken - r.Change
			} else {
				rep.CashInDrawer += r.Taken - r.Change
			}
			rep.NonNullable[op] += r.Total
			rep.Receipts[op].TotalCount++
			if !cur {
				rep.StartNonNullable[op] += r.Total
				continue
			}
			rc := &rep.Receipts[op]
			rc.Count++
			rc.Sum += r.Total
			rc.ChangeSum += r.Change
			if d.Offline {
				rc.OfflineCount++
			}
			for _, p := range r.Payments {
				for k := range rc.Payments {
					if rc.Payments[k].Type == p.Type {
						rc.Payments[k].Count++
						rc.Payments[k].Sum += p.Sum
					}
				}
			}
			rep.Operations[op].Count++
			rep.TotalResult[op].Count++
			rep.TotalResult[op].Sum += r.Total
			if r.Discount > 0 {
				rep.Discounts[op].Count++
				rep.Discounts[op].Sum += r.Discount
			}
			if r.Markup > 0 {
				rep.Markups[op].Count++
				rep.Markups[op].Sum += r.Markup
			}
			for _, l := range r.Lines {
				rep.Operations[op].Sum += l.Gross
				if l.Discount > 0 {
					rep.Discounts[op].Count++
					rep.Discounts[op].Sum += l.Discount
				}
				if l.Markup > 0 {
					rep.Markups[op].Count++
					rep.Markups[op].Sum += l.Markup
				}
				if sections[l.Section] == nil {
					sections[l.Section] = &SectionCounters{Section: l.Section}
				}
				sections[l.Section].Operations[op].Count++
				sections[l.Section].Operations[op].Sum += l.Gross
				if l.VATRate.Taxed() {
					if taxes[l.VATRate] == nil {
						taxes[l.VATRate] = &TaxCounters{Rate: l.VATRate}
					}
					tt := &taxes[l.VATRate].Operations[op]
					tt.Turnover += l.Sum
					tt.VAT += l.VAT
					tt.TurnoverWithoutVAT += l.Sum - l.VAT
				}
			}
			rc.DiscountSum = rep.Discounts[op].Sum
			rc.MarkupSum = rep.Markups[op].Sum
		}
	}
	for _, s := range sections {
		rep.Sections = append(rep.Sections, *s)
	}
	sort.Slice(rep.Sections, func(i, j int) bool { return rep.Sections[i].Section < rep.Sections[j].Section })
	for _, tx := range taxes {
		rep.Taxes = append(rep.Taxes, *tx)
	}
	sort.Slice(rep.Taxes, func(i, j int) bool { return rep.Taxes[i].Rate < rep.Taxes[j].Rate })
	tr := rep.TotalResult
	rep.Revenue = tr[OpSale].Sum - tr[OpSaleReturn].Sum - tr[OpPurchase].Sum + tr[OpPurchaseReturn].Sum
	return rep
}

// TestCountersEqualRecount issues many random documents over several shifts and checks, after
// each, that every receipt reconciles, that the X report from the kept counters equals a recount
// over all documents, and that each Z report equals the recount at its close.
func TestCountersEqualRecount(t *testing.T) {
	rng := rand.New(rand.NewPCG(2026, 1))
	reg := newRegister()
	reg.Settings.AutoCashOut = true
	var docs []Document
	now := t0
	issued, refused := 0, 0
	for step := 0; step < 3000; step++ {
		now = now.Add(time.Duration(1+rng.IntN(120)) * time.Second)
		offline := rng.IntN(4) == 0
		var iss Issued
		var err error
		switch k := rng.IntN(100); {
		case k < 2:
			iss, err = reg.CloseShift(cashierOp, now, offline)
		case k < 6:
			iss, err = reg.CashIn(Money(1+rng.IntN(500000)), cashierOp, now, offline)
		case k < 9:
			iss, err = reg.CashOut(Money(1+rng.IntN(300000)), cashierOp, now, offline)
		default:
			op := []Operation{OpSale, OpSale, OpSale, OpSaleReturn, OpPurchase, OpPurchaseReturn}[rng.IntN(6)]
			iss, err = reg.IssueReceipt(randomDraft(rng, op, reg.State.CashInDrawer), cashierOp, now, offline)
		}
		if err != nil {
			if _, typed := err.(*Error); !typed {
				t.Fatalf("untyped error %v", err)
			}
			refused++
			continue
		}
		issued++
		for _, d := range iss.Documents {
			if d.Receipt != nil {
				checkReconciles(t, d.Receipt)
			}
			docs = append(docs, d)
			if d.Kind == KindZReport {
				want := recount(docs, reg, now)
				want.CloseTime = now
				if !reflect.DeepEqual(*d.Report, want) {
					t.Fatalf("step %d: Z report differs from the recount:\n got %+v\nwant %+v", step, *d.Report, want)
				}
			}
		}
		reg.State = iss.State
		if reg.State.CashInDrawer < 0 {
			t.Fatalf("step %d: negative cash %d", step, reg.State.CashInDrawer)
		}
		if !reg.State.ShiftOpen {
			continue
		}
		x, err := reg.XReport(cashierOp, now)
		if err != nil {
			t.Fatal(err)
		}
		if want := recount(docs, reg, now); !reflect.DeepEqual(*x.Report, want) {
			t.Fatalf("step %d: X report differs from the recount:\n got %+v\nwant %+v", step, *x.Report, want)
		}
	}
	if issued < 2000 || reg.State.ShiftNumber < 20 {
		t.Fatalf("too few documents: %d issued, %d refused, %d shifts", issued, refused, reg.State.ShiftNumber)
	}
}
