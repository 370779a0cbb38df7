package ofdsim

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/ekassa-go/ekassa/kkm"
)

// The register's limits are the protocol's (kkm/limits.go): whatever kkm accepts, an OFD must
// accept. These tests generate documents the way a property-testing library (rapid, gopter)
// would, from a seeded math/rand so a failure replays, biased towards the edges of kkm's table:
// prices, quantities, payments and cash operations at, one below and far below each limit, sums
// of lines that reach the total's limit, a drawer kept near its limit. Each draft kkm accepts is
// issued, built into its request by ofdclient and sent to the emulator over loopback, which must
// answer 0; every shift closes with the register's own Z, which the emulator must accept too.
// Returns of the accepted receipts (kkm.ComputeReturn, with their discounts' shares) go too.
// The emulator's checks are its own (ofdsim/ticket.go, wire.go), written apart from kkm's.

// limitGen draws values near kkm's limits.
type limitGen struct{ rng *rand.Rand }

// money draws an amount up to max: at the edge (max, max−1, max−small), a round or random part
// of it, or a everyday price.
func (g limitGen) money(max kkm.Money) kkm.Money {
	switch g.rng.IntN(8) {
	case 0:
		return max
	case 1:
		return max - kkm.Money(1+g.rng.Int64N(100))
	case 2:
		return max / kkm.Money(1+g.rng.Int64N(10))
	case 3:
		return kkm.Money(1 + g.rng.Int64N(int64(max)))
	case 4:
		return kkm.Money(1 + g.rng.Int64N(100))
	default:
		return kkm.Money(100 + g.rng.Int64N(10_000_000))
	}
}

// quantity draws a quantity: whole units mostly, some at the limit, some fractional.
func (g limitGen) quantity(fractional bool) kkm.Quantity {
	var q kkm.Quantity
	switch g.rng.IntN(6) {
	case 0:
		q = kkm.MaxQuantity
	case 1:
		q = kkm.MaxQuantity - kkm.Quantity(g.rng.Int64N(5000))
	case 2:
		q = kkm.Quantity(1 + g.rng.Int64N(int64(kkm.MaxQuantity)))
	default:
		q = kkm.Quantity(1 + g.rng.Int64N(20_000))
	}
	if !fractional {
		q = max(q/kkm.QuantityOne*kkm.QuantityOne, kkm.QuantityOne)
	}
	return q
}

// draft draws a sale or purchase: 1–5 lines near the limits, item and receipt modifiers, and a
// payment mix (cash with change, card, mobile) that covers its total when it can be computed.
func (g limitGen) draft(s kkm.Settings) kkm.ReceiptDraft {
	rng := g.rng
	d := kkm.ReceiptDraft{Operation: kkm.OpSale}
	if rng.IntN(6) == 0 {
		d.Operation = kkm.OpPurchase
	}
	rates := []kkm.VATRate{kkm.VATDefault, kkm.VAT16, kkm.VAT5, kkm.VAT10, kkm.VAT0, kkm.VATNone}
	if !s.VATPayer {
		rates = []kkm.VATRate{kkm.VATDefault}
	}
	for j := rng.IntN(5); j >= 0; j-- {
		unit, fractional := kkm.UnitPiece, false
		if rng.IntN(4) == 0 {
			unit, fractional = "166", true
		}
		l := kkm.LineDraft{Name: "Тауар", Unit: unit, Quantity: g.quantity(fractional), VATRate: rates[rng.IntN(len(rates))]}
		// A price that keeps price × quantity within the limit half of the time.
		l.Price = g.money(kkm.MaxMoney)
		if rng.IntN(2) == 0 {
			if most := kkm.Money(int64(kkm.MaxMoney) * 1000 / int64(l.Quantity)); most >= 1 {
				l.Price = 1 + g.money(most)%most
			}
		}
		if rng.IntN(3) == 0 {
			l.Modifier = g.modifier()
		}
		d.Lines = append(d.Lines, l)
	}
	if s.ReceiptModifiersAllowed && rng.IntN(3) == 0 {
		d.Modifier = g.modifier()
	}
	probe := d
	probe.Payments = []kkm.Payment{{Type: kkm.PayCard, Sum: kkm.MaxMoney}}
	total := kkm.Money(1)
	if rc, err := kkm.ComputeReceipt(probe, s); err == nil {
		total = rc.Total
	} else if e, ok := err.(*kkm.Error); ok && e.Code == kkm.ErrNonCashExceedsTotal {
		total = e.Data["Total"].(kkm.Money)
	}
	switch rng.IntN(5) {
	case 0: // cash, maybe with change up to the payment's limit
		taken := total
		if !d.Operation.PaysOut() && rng.IntN(2) == 0 {
			taken = total + g.money(kkm.MaxMoney)%(kkm.MaxMoney-total+1)
		}
		d.Payments = []kkm.Payment{{Type: kkm.PayCash, Sum: taken}}
	case 1:
		d.Payments = []kkm.Payment{{Type: kkm.PayCard, Sum: total}}
	case 2:
		d.Payments = []kkm.Payment{{Type: kkm.PayMobile, Sum: total}}
	default: // a mix of all three
		card := kkm.Money(rng.Int64N(int64(total) + 1))
		mobile := kkm.Money(rng.Int64N(int64(total-card) + 1))
		d.Payments = []kkm.Payment{{Type: kkm.PayCard, Sum: card}, {Type: kkm.PayMobile, Sum: mobile},
			{Type: kkm.PayCash, Sum: total - card - mobile}}
		ps := d.Payments[:0]
		for _, p := range d.Payments {
			if p.Sum > 0 {
				ps = append(ps, p)
			}
		}
		d.Payments = ps
	}
	return d
}

// modifier draws a discount or markup: a percent up to 100 %, or an amount near the limits.
func (g limitGen) modifier() *kkm.Modifier {
	kind := kkm.Discount
	if g.rng.IntN(2) == 0 {
		kind = kkm.Markup
	}
	if g.rng.IntN(2) == 0 {
		return &kkm.Modifier{Kind: kind, Percent: 1 + g.rng.Int64N(10000)}
	}
	return &kkm.Modifier{Kind: kind, Amount: g.money(kkm.MaxMoney)}
}

// TestAcceptedDocumentsAreAcceptedByTheOFD is the property of kkm/limits.go: every document kkm
// accepts, however near its limits, the emulator accepts.
func TestAcceptedDocumentsAreAcceptedByTheOFD(t *testing.T) {
	n := 3000
	if testing.Short() {
		n = 600
	}
	for _, payer := range []bool{true, false} {
		name := "VAT payer"
		if !payer {
			name = "not a VAT payer"
		}
		t.Run(name, func(t *testing.T) {
			s, _ := startSim(t)
			r := newReg(t, s)
			reg, id := vatReg()
			if !payer {
				reg.Settings.VATPayer, reg.Settings.DefaultVATRate = false, kkm.VATNone
			}
			g := limitGen{rand.New(rand.NewPCG(2026, map[bool]uint64{true: 1, false: 2}[payer]))}
			op := kkm.Operator{Code: 1, Name: "Сәуле"}
			at := saleTime
			accepted, atLimit := map[string]int{}, 0
			// The receipts accepted so far, with the returns made of them, to return from.
			type original struct {
				receipt kkm.Receipt
				parent  kkm.ParentReceipt
				returns []kkm.Receipt
			}
			var originals []*original
			issue := func(what string, iss kkm.Issued, err error) {
				t.Helper()
				if err != nil {
					return // kkm refused it: nothing to send
				}
				reg.State = iss.State
				for i := range iss.Documents {
					doc := iss.Documents[i]
					req, err := id.Request(&doc, nil)
					if err != nil {
						t.Fatalf("%s accepted by kkm but not built: %v (%+v)", what, err, doc)
					}
					resp := r.do(req)
					if code(resp) != 0 {
						t.Fatalf("%s accepted by kkm, refused by the OFD: code %d %q\n%+v", what, code(resp),
							resp.GetResult().GetResultText(), doc.Receipt)
					}
					accepted[what]++
					if rc := doc.Receipt; rc != nil && !rc.Operation.Returning() {
						originals = append(originals, &original{receipt: *rc, parent: kkm.ParentReceipt{
							Number: resp.GetTicket().GetTicketNumber(), Time: doc.Time, RNM: testRNM, Total: rc.Total}})
					}
				}
				at = at.Add(time.Second)
			}
			// giveBack returns part or all of an accepted receipt, as ComputeReturn builds it.
			giveBack := func() {
				if len(originals) == 0 {
					return
				}
				o := originals[g.rng.IntN(len(originals))]
				st := kkm.ReturnStateOf(o.receipt, o.returns)
				req := kkm.ReturnRequest{}
				for _, l := range st.Lines {
					q := l.Left()
					if g.rng.IntN(2) == 0 && q > kkm.QuantityOne {
						q = kkm.QuantityOne
					}
					req.Quantities = append(req.Quantities, q)
				}
				if o.receipt.Simple {
					req.Amounts = []kkm.Money{st.Left}
				}
				d, err := kkm.ComputeReturn(st, o.parent, req)
				if err != nil {
					return
				}
				iss, err := reg.IssueReceipt(d, op, at, false)
				if err == nil {
					if err := kkm.ValidateReturn(o.receipt, o.returns, *iss.Documents[0].Receipt); err != nil {
						t.Fatalf("ComputeReturn's return refused by ValidateReturn: %v", err)
					}
					o.returns = append(o.returns, *iss.Documents[0].Receipt)
				}
				issue("return", iss, err)
			}
			for i := 0; i < n; i++ {
				switch k := g.rng.IntN(20); {
				case k == 0:
					iss, err := reg.CashIn(g.money(kkm.MaxMoney), op, at, false)
					issue("cash in", iss, err)
				case k == 1:
					iss, err := reg.CashOut(g.money(max(reg.State.CashInDrawer, 1)), op, at, false)
					issue("cash out", iss, err)
				case k == 2 && i%7 == 0:
					iss, err := reg.CloseShift(op, at, false)
					issue("Z", iss, err)
				case k == 3 || k == 4:
					giveBack()
				default:
					d := g.draft(reg.Settings)
					iss, err := reg.IssueReceipt(d, op, at, false)
					if err == nil && iss.Documents[0].Receipt.Total > kkm.MaxMoney/2 {
						atLimit++
					}
					issue("receipt", iss, err)
				}
			}
			iss, err := reg.CloseShift(op, at, false)
			issue("Z", iss, err)
			if accepted["receipt"] < n/5 || accepted["cash in"] == 0 || accepted["cash out"] == 0 || accepted["Z"] < 2 || accepted["return"] < n/50 || atLimit < n/50 {
				t.Fatalf("too few documents tried the OFD (%v, %d receipts above half the limit): the generator misses the limits", accepted, atLimit)
			}
			t.Logf("accepted by both: %v, %d receipts above half the limit", accepted, atLimit)
		})
	}
}

// TestPastTheLimitsTheOFDRefusesToo checks the other side of the table on the emulator's own
// rules: an amount a tenge past kkm.MaxMoney and a quantity a thousandth past kkm.MaxQuantity are
// refused (its limits, 10^12 tenge and 10^6 units, are where kkm's end), so kkm is not needlessly
// stricter than the OFD it was measured against.
func TestPastTheLimitsTheOFDRefusesToo(t *testing.T) {
	if err := checkMoney("price", money(int64(kkm.MaxMoney))); err != nil {
		t.Fatalf("the emulator refuses kkm.MaxMoney: %v", err)
	}
	if err := checkMoney("price", money(int64(kkm.MaxMoney)+101)); err == nil {
		t.Errorf("the emulator accepts %d tiyn: kkm.MaxMoney could be higher", int64(kkm.MaxMoney)+101)
	}
	if _, r := lineSum("item", money(1), money(int64(kkm.MaxQuantity)/1000), uint64(kkm.MaxQuantity)); r != nil {
		t.Fatalf("the emulator refuses kkm.MaxQuantity: %s", r.text)
	}
	if _, r := lineSum("item", money(1), money(int64(kkm.MaxQuantity)/1000+1), uint64(kkm.MaxQuantity)+1); r == nil {
		t.Errorf("the emulator accepts a quantity past kkm.MaxQuantity: it could be higher")
	}
}
