package storage

import (
	"context"
	"testing"
	"time"

	"github.com/ekassa-go/ekassa/kkm"
)

// TestUnitsOut: a unit sold in the shift is out until a return of the shift takes it back; units
// of other shifts, of other receipts and serials with characters JSON escapes are told apart.
func TestUnitsOut(t *testing.T) {
	ctx := context.Background()
	j := openTemp(t)
	const (
		beer1 = "0104870216760007" + "21" + "q<&>i11" + kkm.GS + "93" + "U3g5"
		beer2 = "0104870216760007" + "21" + "qKkdi12" + kkm.GS + "93" + "U3g6"
		pack  = "04780101164394" + "TF&csaN" + "NW1kK0tL"
	)
	reg := kkm.Register{Settings: kkm.Settings{VATPayer: true, DefaultVATRate: kkm.VAT16, ShiftLimit: 24 * time.Hour}}
	op := kkm.Operator{Code: 1, Name: "Сәуле"}
	at := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	issue := func(d kkm.ReceiptDraft) kkm.Document {
		t.Helper()
		iss, err := reg.IssueReceipt(d, op, at, false)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := j.Commit(ctx, iss.Documents, iss.State); err != nil {
			t.Fatal(err)
		}
		reg.State = iss.State
		at = at.Add(time.Minute)
		return iss.Documents[0]
	}
	line := func(codes ...string) kkm.LineDraft {
		return kkm.LineDraft{Name: "Сыра", Quantity: kkm.Quantity(len(codes)) * kkm.QuantityOne, Price: 65000,
			Marked: kkm.MarkedBeer, Codes: codes}
	}
	sale := issue(kkm.ReceiptDraft{Operation: kkm.OpSale, Lines: []kkm.LineDraft{line(beer1, beer2),
		{Name: "Темекі", Quantity: kkm.QuantityOne, Price: 95000, Marked: kkm.MarkedTobacco, Codes: []string{pack}}},
		Payments: []kkm.Payment{{Type: kkm.PayCash, Sum: 225000}}})
	ids := []string{kkm.MarkingID(beer1), kkm.MarkingID(beer2), kkm.MarkingID(pack),
		kkm.MarkingID("0104870216760007" + "21" + "other99" + kkm.GS + "93" + "U3g5")}
	out, err := j.UnitsOut(ctx, 1, ids)
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != 3 || out[ids[0]] != sale.Number || out[ids[1]] != sale.Number || out[ids[2]] != sale.Number {
		t.Fatalf("out after the sale: %v", out)
	}
	issue(kkm.ReceiptDraft{Operation: kkm.OpSaleReturn, Lines: []kkm.LineDraft{line(beer1)},
		Payments: []kkm.Payment{{Type: kkm.PayCash, Sum: 65000}},
		Parent:   &kkm.ParentReceipt{Number: "1", Time: sale.Time, RNM: "1", Total: sale.Receipt.Total}})
	out, err = j.UnitsOut(ctx, 1, ids)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := out[ids[0]]; ok || len(out) != 2 {
		t.Fatalf("out after the return of the first beer: %v", out)
	}
	if out, err = j.UnitsOut(ctx, 2, ids); err != nil || len(out) != 0 {
		t.Fatalf("another shift: %v %v", out, err)
	}
}
