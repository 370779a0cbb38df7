package app

import (
	"testing"

	"github.com/ekassa-go/ekassa/kkm"
	"github.com/ekassa-go/ekassa/ui"
)

// A sale with an item discount and a receipt discount, paid by card and in cash with change, is
// returned in three parts built from Returnable's state with kkm.ComputeReturn, as the return
// screen does: the register issues each, the OFD (the demo emulator over loopback) accepts each,
// and together they give back exactly the sale's total — every unit, to the last tiyn — and each
// payment type what it paid; nothing is left to return, and the Z closes the shift.
func TestReturnsPayBackWhatWasPaidEndToEnd(t *testing.T) {
	r := newRig(t)
	s := r.rt.Settings()
	s.ReceiptModifiersAllowed = true
	if err := r.rt.SaveSettings(r.ctx, r.by, s); err != nil {
		t.Fatal(err)
	}
	sale := kkm.ReceiptDraft{Operation: kkm.OpSale,
		Lines: []kkm.LineDraft{
			{Name: "Нан", Quantity: 3 * kkm.QuantityOne, Unit: kkm.UnitPiece, Price: 33333, Modifier: &kkm.Modifier{Kind: kkm.Discount, Percent: 700}},
			{Name: "Ет", Quantity: 1375, Unit: "166", Price: 419999},
		},
		Modifier: &kkm.Modifier{Kind: kkm.Discount, Amount: 12345},
		Payments: []kkm.Payment{{Type: kkm.PayCard, Sum: 300000}, {Type: kkm.PayCash, Sum: 500000}}}
	is, err := r.rt.IssueReceipt(r.ctx, r.by, sale)
	if err != nil {
		t.Fatal(err)
	}
	orig := *is.Last().Document.Receipt
	r.waitDrained()

	parts := [][]kkm.Quantity{{kkm.QuantityOne, 0}, {0, 375}, {2 * kkm.QuantityOne, 1000}}
	var refunded kkm.Money
	byType := map[kkm.PaymentType]kkm.Money{}
	for _, q := range parts {
		ret, err := r.rt.Returnable(r.ctx, is.Last().Seq)
		if err != nil {
			t.Fatal(err)
		}
		d, err := kkm.ComputeReturn(ret.State, ret.Parent, kkm.ReturnRequest{Quantities: q})
		if err != nil {
			t.Fatal(err)
		}
		back, err := r.rt.IssueReceipt(r.ctx, r.by, d)
		if err != nil {
			t.Fatalf("return of %v: %v", q, err)
		}
		rc := back.Last().Document.Receipt
		refunded += rc.Total
		for _, p := range rc.Payments {
			byType[p.Type] += p.Sum
		}
		r.waitDrained()
	}
	left, err := r.rt.Returnable(r.ctx, is.Last().Seq)
	if err != nil {
		t.Fatal(err)
	}
	cashPaid := orig.Taken - orig.Change
	if refunded != orig.Total || left.Left != 0 || byType[kkm.PayCard] != 300000 || byType[kkm.PayCash] != cashPaid {
		t.Fatalf("refunded %v of %v (left %v), per type %v; paid card 3 000,00 cash %v", refunded, orig.Total, left.Left, byType, cashPaid)
	}
	for _, l := range left.Lines {
		if l.Left != 0 {
			t.Fatalf("left to return: %+v", left.Lines)
		}
	}
	led, _ := r.demo.Server.Ledger(demoSystemID)
	if len(led.Receipts) != 4 || led.Receipts[0].Returned != int64(orig.Total) {
		t.Fatalf("the OFD holds %d receipts, %v returned of %v", len(led.Receipts), led.Receipts[0].Returned, orig.Total)
	}
	if _, err := r.rt.CloseShift(r.ctx, r.by); err != nil {
		t.Fatal(err)
	}
	r.waitDrained()
	if st := r.rt.Status(); st.Block != ui.BlockNone || st.ShiftOpen {
		t.Fatalf("blocked after the Z: %+v", st)
	}
}
