package kkm

import (
	"math/rand/v2"
	"reflect"
	"testing"
	"time"
)

// sameCounters compares two reports' counters, taking an empty list for a missing one and
// leaving out the open time (a refused first document opened the register's shift, not the
// OFD's).
func sameCounters(t *testing.T, what string, got, want Report) {
	t.Helper()
	norm := func(r Report) Report {
		r.OpenTime = time.Time{}
		if len(r.Sections) == 0 {
			r.Sections = nil
		}
		if len(r.Taxes) == 0 {
			r.Taxes = nil
		}
		return r
	}
	if g, w := norm(got), norm(want); !reflect.DeepEqual(g, w) {
		t.Fatalf("%s:\n got %+v\nwant %+v", what, g, w)
	}
}

// TestWithoutRefusedEqualsRecount issues random documents over several shifts, refuses one of
// them (a receipt of any operation, or a cash in or out) and checks that the state without it,
// and every Z report issued after it as amended for the OFD, equal a recount of the documents
// without the refused one: the counters the OFD holds, which it compares at the Z.
func TestWithoutRefusedEqualsRecount(t *testing.T) {
	rng := rand.New(rand.NewPCG(2026, 11))
	for trial := 0; trial < 300; trial++ {
		reg := newRegister()
		reg.State.CashInDrawer = 0
		var docs []Document
		now := t0
		for step := 0; step < 40; step++ {
			now = now.Add(time.Duration(1+rng.IntN(600)) * time.Second)
			offline := rng.IntN(4) == 0
			var iss Issued
			var err error
			switch k := rng.IntN(100); {
			case k < 8:
				iss, err = reg.CloseShift(cashierOp, now, offline)
			case k < 18:
				iss, err = reg.CashIn(Money(1+rng.IntN(500000)), cashierOp, now, offline)
			case k < 24:
				iss, err = reg.CashOut(Money(1+rng.IntN(300000)), cashierOp, now, offline)
			default:
				op := []Operation{OpSale, OpSale, OpSale, OpSaleReturn, OpPurchase, OpPurchaseReturn}[rng.IntN(6)]
				iss, err = reg.IssueReceipt(randomDraft(rng, op, reg.State.CashInDrawer), cashierOp, now, offline)
			}
			if err != nil {
				continue
			}
			docs = append(docs, iss.Documents...)
			reg.State = iss.State
		}
		var candidates []int
		for i, d := range docs {
			if d.Kind != KindZReport {
				candidates = append(candidates, i)
			}
		}
		if len(candidates) == 0 {
			continue
		}
		k := candidates[rng.IntN(len(candidates))]
		refused := docs[k]
		kept := append(append([]Document(nil), docs[:k]...), docs[k+1:]...)

		st, err := reg.State.WithoutRefused(refused, true)
		if err != nil {
			t.Fatal(err)
		}
		if st.Refusals != reg.State.Refusals+1 {
			t.Fatalf("trial %d: refusals %d", trial, st.Refusals)
		}
		want := recount(kept, reg, now)
		got := Register{Settings: reg.Settings, State: st}.State.report(now)
		sameCounters(t, "state after the refusal", got, want)

		// Every Z report after the refused document, as sent to the OFD.
		for i := k + 1; i < len(docs); i++ {
			if docs[i].Kind != KindZReport {
				continue
			}
			z, changed, err := AmendAfterRefused(docs[i], refused, true, false)
			if err != nil || !changed {
				t.Fatalf("trial %d: Z %d not amended: %v", trial, docs[i].ShiftNumber, err)
			}
			at := Register{State: State{ShiftNumber: docs[i].ShiftNumber}}
			prefix := kept[:i-1]
			want := recount(prefix, at, docs[i].Time)
			want.CloseTime = docs[i].Time
			sameCounters(t, "amended Z", *z.Report, want)
		}
	}
}

// TestAmendAutoCashOut: with auto cash-out on, a sale refused before the Z leaves the drawer
// the OFD holds; the auto cash-out withdraws that, and the Z's drawer stays empty.
func TestAmendAutoCashOut(t *testing.T) {
	must := must(t)
	reg := newRegister()
	reg.Settings.AutoCashOut = true
	iss := must(reg.CashIn(50000, cashierOp, t0, false))
	reg.State = iss.State
	sale := must(reg.IssueReceipt(ReceiptDraft{Operation: OpSale, Lines: []LineDraft{item("Нан", 1000, 30000)},
		Payments: cash(40000)}, cashierOp, t0.Add(time.Minute), false))
	reg.State = sale.State
	z := must(reg.CloseShift(cashierOp, t0.Add(time.Hour), false))
	if len(z.Documents) != 2 || z.Documents[0].Cash != 80000 {
		t.Fatalf("auto cash-out: %+v", z.Documents)
	}
	refused := sale.Documents[0]
	out, changed, err := AmendAfterRefused(z.Documents[0], refused, true, true)
	if err != nil || !changed || out.Cash != 50000 {
		t.Fatalf("amended cash-out %d (changed %v, %v), want 500.00", out.Cash, changed, err)
	}
	zr, _, err := AmendAfterRefused(z.Documents[1], refused, false, false)
	if err != nil {
		t.Fatal(err)
	}
	r := zr.Report
	if r.CashInDrawer != 0 || r.Receipts[OpSale].Count != 0 || r.NonNullable[OpSale] != 0 || r.Revenue != 0 || len(r.Sections) != 0 {
		t.Fatalf("amended Z: %+v", r)
	}
	zr = AmendForAutoCashOut(zr, 80000-50000)
	if zr.Report.Placements[PlacementCashOut].Sum != 50000 || z.Documents[1].Report.Placements[PlacementCashOut].Sum != 80000 {
		t.Fatalf("Z's cash-out counter %d (issued %d)", zr.Report.Placements[PlacementCashOut].Sum, z.Documents[1].Report.Placements[PlacementCashOut].Sum)
	}
	// The state after the Z: the drawer stays empty (the cash-out took what the OFD holds).
	st, err := z.State.WithoutRefused(refused, false)
	if err != nil {
		t.Fatal(err)
	}
	if st.CashInDrawer != 0 || st.NonNullable[OpSale] != 0 || st.Counters.Receipts[OpSale].Count != 0 {
		t.Fatalf("state: %+v", st)
	}
	// A return that paid cash out, refused: the auto cash-out withdraws more; a cash-out can
	// never go below zero.
	ret := Document{Kind: KindReceipt, Receipt: &Receipt{Operation: OpSaleReturn, Taken: 7000, Total: 7000}}
	if out, _, _ := AmendAfterRefused(Document{Kind: KindCashOut, Cash: 100}, ret, false, true); out.Cash != 7100 {
		t.Fatalf("cash-out after a refused return: %d", out.Cash)
	}
	if out, _, _ := AmendAfterRefused(Document{Kind: KindCashOut, Cash: 100}, refused, false, true); out.Cash != 0 {
		t.Fatalf("cash-out below zero: %d", out.Cash)
	}
	if _, changed, _ := AmendAfterRefused(sale.Documents[0], refused, true, false); changed {
		t.Fatal("a receipt was amended")
	}
}

// TestLearnShiftLimit: code 11 teaches the OFD's limit, down to the hour, never above 24 h nor
// above one learned before; the register then warns and allows only the Z before 24 h.
func TestLearnShiftLimit(t *testing.T) {
	open := State{ShiftNumber: 3, ShiftOpen: true, ShiftOpenedAt: t0}
	for _, c := range []struct {
		name  string
		s     State
		shift uint32
		at    time.Duration
		want  time.Duration
	}{
		{"Webkassa 12 h", open, 3, 12*time.Hour + 40*time.Second, 12 * time.Hour},
		{"one hour", open, 3, time.Hour + 5*time.Minute, time.Hour},
		{"minutes", open, 3, 45*time.Minute + 10*time.Second, 45 * time.Minute},
		{"seconds teach nothing", open, 3, 30 * time.Second, 0},
		{"24 h is the default", open, 3, 25 * time.Hour, 0},
		{"another shift", open, 2, 12 * time.Hour, 0},
		{"no shift open", State{ShiftNumber: 3, ShiftOpenedAt: t0}, 3, 12 * time.Hour, 0},
		{"the smallest stays", State{ShiftNumber: 3, ShiftOpen: true, ShiftOpenedAt: t0, OFDShiftLimit: 8 * time.Hour}, 3, 12 * time.Hour, 8 * time.Hour},
		{"a smaller one replaces", State{ShiftNumber: 3, ShiftOpen: true, ShiftOpenedAt: t0, OFDShiftLimit: 12 * time.Hour}, 3, 6*time.Hour + time.Minute, 6 * time.Hour},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := c.s.LearnShiftLimit(c.shift, t0.Add(c.at)).OFDShiftLimit; got != c.want {
				t.Fatalf("learned %v, want %v", got, c.want)
			}
		})
	}
	reg := Register{Settings: DefaultSettings(), State: open.LearnShiftLimit(3, t0.Add(12*time.Hour+time.Minute))}
	if reg.ShiftLimit() != 12*time.Hour || reg.ShiftTimeLeft(t0.Add(11*time.Hour)) != time.Hour {
		t.Fatalf("limit %v, left %v", reg.ShiftLimit(), reg.ShiftTimeLeft(t0.Add(11*time.Hour)))
	}
	if err := reg.CanIssue(t0.Add(12 * time.Hour)); err == nil {
		t.Fatal("a receipt past the OFD's limit was allowed")
	}
	if _, err := reg.CloseShift(cashierOp, t0.Add(12*time.Hour), false); err != nil {
		t.Fatalf("Z past the OFD's limit: %v", err)
	}
}

// DraftOf gives back the draft a receipt was computed from: computing it again gives the same
// receipt, for random receipts of every operation with item and receipt modifiers and mixed
// payments, and for simple-mode receipts.
func TestDraftOfRecomputes(t *testing.T) {
	rng := rand.New(rand.NewPCG(2026, 12))
	s := payerSettings()
	n := 0
	for i := 0; i < 2000; i++ {
		op := []Operation{OpSale, OpSaleReturn, OpPurchase, OpPurchaseReturn}[rng.IntN(4)]
		d := randomDraft(rng, op, MaxMoney)
		if rng.IntN(5) == 0 {
			d = SimpleDraft(op, []Money{Money(1 + rng.IntN(100000)), Money(1 + rng.IntN(5000))}, nil)
			d.Payments = []Payment{{Type: PayCard, Sum: d.Lines[0].Price + d.Lines[1].Price}}
			if op.Returning() {
				d.Parent = parent()
			}
		}
		r, err := ComputeReceipt(d, s)
		if err != nil {
			continue
		}
		n++
		again, err := ComputeReceipt(DraftOf(r), s)
		if err != nil {
			t.Fatalf("draft %d: %v", i, err)
		}
		if !reflect.DeepEqual(again, r) {
			t.Fatalf("draft %d computes another receipt:\n got %+v\nwant %+v", i, again, r)
		}
	}
	if n < 1000 {
		t.Fatalf("only %d receipts computed", n)
	}
}
