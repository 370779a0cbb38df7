package app

import (
	"errors"
	"strings"
	"testing"

	"github.com/ekassa-go/ekassa/kkm"
)

// Real-shaped marking codes: beer (01, 21 of 7, GS, 93) and shoes (01, 21 of 13, GS, 91, GS, 92).
const (
	appBeer1 = "0104870216760007" + "21" + "qKkdi11" + kkm.GS + "93" + "U3g5"
	appBeer2 = "0104870216760007" + "21" + "qKkdi12" + kkm.GS + "93" + "U3g6"
	appShoes = "0104690257528523" + "21" + "G+mgsHw<DiLN_" + kkm.GS + "91" + "EE05" + kkm.GS +
		"92" + "sOe6fy7lPT8lLffZ5WdQ7Rp8PXLDwEGD1Wv4oY71o4FV"
)

// Marked goods end to end, through the journal and the sender to the emulator over loopback: a
// sale of marked goods without a code per unit is refused before anything is written; with them
// it is fiscalised, the journal keeps the codes (as scanned, normalised, GS kept) and the OFD's
// ledger has them as list_excise_stamp (the emulator checks one code per unit); a return names
// the units that come back, Returnable then offers only the others, and a return of a unit the
// original did not sell, or of one already returned, is refused.
func TestMarkedGoodsEndToEnd(t *testing.T) {
	r := newRig(t)
	beer := kkm.LineDraft{Name: "Сыра", Quantity: 2000, Price: 65000, Marked: kkm.MarkedBeer,
		// the first as a keyboard-wedge scanner sends it: ]d2 first, the GS lost
		Codes: []string{"]d2" + strings.ReplaceAll(appBeer1, kkm.GS, ""), appBeer2}}
	shoes := kkm.LineDraft{Name: "Етік", Quantity: 1000, Price: 2890000, Marked: kkm.MarkedShoes, Codes: []string{appShoes}}
	pay := []kkm.Payment{{Type: kkm.PayCash, Sum: 3100000}}

	short := beer
	short.Codes = beer.Codes[:1]
	if _, err := r.rt.IssueReceipt(r.ctx, r.by, kkm.ReceiptDraft{Operation: kkm.OpSale,
		Lines: []kkm.LineDraft{short, shoes}, Payments: pay}); !errors.Is(err, kkm.ErrMarkingCount) {
		t.Fatalf("a beer without its code: %v, want %s", err, kkm.ErrMarkingCount)
	}
	if st := r.rt.Status(); st.Waiting != 0 {
		t.Fatalf("the refused sale left %d documents waiting", st.Waiting)
	}

	is, err := r.rt.IssueReceipt(r.ctx, r.by, kkm.ReceiptDraft{Operation: kkm.OpSale,
		Lines: []kkm.LineDraft{beer, shoes}, Payments: pay})
	if err != nil {
		t.Fatal(err)
	}
	orig := is.Last()
	if orig.FiscalSign == "" {
		t.Fatal("sale not fiscalised")
	}
	r.waitDrained()
	stored, err := r.j.Document(r.ctx, orig.Seq)
	if err != nil {
		t.Fatal(err)
	}
	lines := stored.Document.Receipt.Lines
	if strings.Join(lines[0].Codes, "|") != appBeer1+"|"+appBeer2 || lines[0].Marked != kkm.MarkedBeer ||
		len(lines[1].Codes) != 1 || lines[1].Codes[0] != appShoes {
		t.Fatalf("the journal keeps %q %q / %q %q", lines[0].Marked, lines[0].Codes, lines[1].Marked, lines[1].Codes)
	}
	led, err := r.demo.Server.Ledger(demoSystemID)
	if err != nil {
		t.Fatal(err)
	}
	items := led.Receipts[len(led.Receipts)-1].Request.GetItems()
	if got := items[0].GetCommodity().GetListExciseStamp(); strings.Join(got, "|") != appBeer1+"|"+appBeer2 {
		t.Errorf("the OFD received beer codes %q", got)
	}
	if got := items[1].GetCommodity().GetListExciseStamp(); len(got) != 1 || got[0] != appShoes {
		t.Errorf("the OFD received shoes codes %q", got)
	}

	ret, err := r.rt.Returnable(r.ctx, orig.Seq)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(ret.Lines[0].Codes, "|") != appBeer1+"|"+appBeer2 || len(ret.Lines[1].Codes) != 1 {
		t.Fatalf("returnable codes %q / %q", ret.Lines[0].Codes, ret.Lines[1].Codes)
	}
	back := func(code string) error {
		one := beer
		one.Quantity, one.Codes = kkm.QuantityOne, []string{code}
		_, err := r.rt.IssueReceipt(r.ctx, r.by, kkm.ReceiptDraft{Operation: kkm.OpSaleReturn, Lines: []kkm.LineDraft{one},
			Payments: []kkm.Payment{{Type: kkm.PayCash, Sum: 65000}}, Parent: &ret.Parent})
		return err
	}
	notSold := "0104870216760007" + "21" + "qKkdi99" + kkm.GS + "93" + "U3g5"
	if err := back(notSold); !errors.Is(err, kkm.ErrReturnMarkingNotIn) {
		t.Fatalf("a unit not sold came back: %v", err)
	}
	if err := back(appBeer2); err != nil {
		t.Fatalf("return of the second beer: %v", err)
	}
	r.waitDrained()
	led, err = r.demo.Server.Ledger(demoSystemID)
	if err != nil {
		t.Fatal(err)
	}
	last := led.Receipts[len(led.Receipts)-1]
	if got := last.Request.GetItems()[0].GetCommodity().GetListExciseStamp(); last.ParentSign != orig.FiscalSign || len(got) != 1 || got[0] != appBeer2 {
		t.Errorf("the OFD's return names %q with codes %q", last.ParentSign, got)
	}
	if err := back(appBeer2); !errors.Is(err, kkm.ErrReturnMarkingTwice) {
		t.Fatalf("the same unit returned twice: %v", err)
	}
	left, err := r.rt.Returnable(r.ctx, orig.Seq)
	if err != nil {
		t.Fatal(err)
	}
	if l := left.Lines[0]; l.Left != kkm.QuantityOne || len(l.Codes) != 1 || l.Codes[0] != appBeer1 {
		t.Errorf("left of the beer: %v with codes %q", l.Left, l.Codes)
	}

	// In the same shift the first beer, sold and not returned, cannot be sold again; the second,
	// returned, can.
	again := func(code string) error {
		one := beer
		one.Quantity, one.Codes = kkm.QuantityOne, []string{code}
		_, err := r.rt.IssueReceipt(r.ctx, r.by, kkm.ReceiptDraft{Operation: kkm.OpSale, Lines: []kkm.LineDraft{one},
			Payments: []kkm.Payment{{Type: kkm.PayCash, Sum: 65000}}})
		return err
	}
	err = again(strings.ReplaceAll(appBeer1, kkm.GS, ""))
	var ke *kkm.Error
	if !errors.As(err, &ke) || ke.Code != kkm.ErrMarkingSold || ke.Data["Number"] != orig.Document.Number {
		t.Fatalf("the sold beer sold again: %v, want %s naming receipt %d", err, kkm.ErrMarkingSold, orig.Document.Number)
	}
	if err := again(appBeer2); err != nil {
		t.Fatalf("the returned beer sold again: %v", err)
	}
}
