package app

import (
	"testing"

	"github.com/ekassa-go/ekassa/kkm"
)

// An item's НКТ code goes from the draft through the journal to the OFD (commodity ntin), and a
// return is counted per item with its code: two lines alike but for the code are two items.
func TestNTINEndToEnd(t *testing.T) {
	r := newRig(t)
	const code = "4870001234567"
	tea := kkm.LineDraft{Name: "Шай", Quantity: 2000, Price: 100000, NTIN: code}
	plain := kkm.LineDraft{Name: "Шай", Quantity: 2000, Price: 100000}
	is, err := r.rt.IssueReceipt(r.ctx, r.by, kkm.ReceiptDraft{Operation: kkm.OpSale,
		Lines: []kkm.LineDraft{tea, plain}, Payments: []kkm.Payment{{Type: kkm.PayCash, Sum: 400000}}})
	if err != nil {
		t.Fatal(err)
	}
	orig := is.Last()
	if orig.FiscalSign == "" {
		t.Fatal("sale not fiscalised")
	}
	if got := orig.Document.Receipt.Lines[0].NTIN; got != code {
		t.Fatalf("journal line NTIN %q", got)
	}
	led, err := r.demo.Server.Ledger(demoSystemID)
	if err != nil {
		t.Fatal(err)
	}
	items := led.Receipts[0].Request.GetItems()
	if items[0].GetCommodity().GetNtin() != code || items[1].GetCommodity().Ntin != nil {
		t.Fatalf("the OFD received ntin %q and %v", items[0].GetCommodity().GetNtin(), items[1].GetCommodity().Ntin)
	}

	ret, err := r.rt.Returnable(r.ctx, orig.Seq)
	if err != nil {
		t.Fatal(err)
	}
	one := tea
	one.Quantity = kkm.QuantityOne
	d := kkm.ReceiptDraft{Operation: kkm.OpSaleReturn, Lines: []kkm.LineDraft{one},
		Payments: []kkm.Payment{{Type: kkm.PayCash, Sum: 100000}}, Parent: &ret.Parent}
	back, err := r.rt.IssueReceipt(r.ctx, r.by, d)
	if err != nil {
		t.Fatalf("return of the coded item: %v", err)
	}
	if back.Last().Document.Receipt.Lines[0].NTIN != code {
		t.Error("the return lost the code")
	}
	left, err := r.rt.Returnable(r.ctx, orig.Seq)
	if err != nil {
		t.Fatal(err)
	}
	if len(left.Lines) != 2 || left.Lines[0].Left != kkm.QuantityOne || left.Lines[1].Left != 2*kkm.QuantityOne {
		t.Fatalf("left per line %+v", left.Lines)
	}
	// Two more of the coded item: one is left of it, so it is refused, whatever the uncoded one.
	d.Lines[0].Quantity, d.Payments[0].Sum = 2*kkm.QuantityOne, 200000
	if _, err := r.rt.IssueReceipt(r.ctx, r.by, d); err == nil {
		t.Fatal("returned more of the coded item than is left")
	}
}
