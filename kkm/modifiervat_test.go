package kkm

import (
	"errors"
	"math/rand/v2"
	"testing"
)

// TestModifierVATAddsUpToThePrintedVAT: for random receipts (every rate, item discounts and
// markups, receipt discounts and markups), the VAT the wire carries per rate — commodities less
// discounts plus markups — is the printed VAT of that rate exactly, every part is ≥ 0, and the
// receipt modifier's amounts per rate add up to the modifier.
func TestModifierVATAddsUpToThePrintedVAT(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 3))
	checked := 0
	for n := 0; n < 3000; n++ {
		r, err := ComputeReceipt(randomDraft(rng, OpSale, 0), payerSettings())
		if err != nil {
			continue
		}
		checked++
		v, err := r.ModifierVAT()
		if err != nil {
			t.Fatalf("receipt %+v: %v", r, err)
		}
		if len(v.Lines) != len(r.Lines) {
			t.Fatalf("%d line VATs for %d lines", len(v.Lines), len(r.Lines))
		}
		wire := map[VATRate]Money{}
		for i, l := range r.Lines {
			lv := v.Lines[i]
			if lv.Gross < 0 || lv.Discount < 0 || lv.Markup < 0 {
				t.Fatalf("line %d: negative VAT %+v", i+1, lv)
			}
			if (l.Discount == 0 && lv.Discount != 0) || (l.Markup == 0 && lv.Markup != 0) {
				t.Fatalf("line %d: VAT %+v for a modifier it does not have", i+1, lv)
			}
			wire[l.VATRate] += lv.Gross - lv.Discount + lv.Markup
		}
		var shares Money
		for _, m := range v.Modifier {
			if m.VAT < 0 || m.Sum <= 0 {
				t.Fatalf("receipt modifier share %+v", m)
			}
			shares += m.Sum
			if r.Discount > 0 {
				wire[m.Rate] -= m.VAT
			} else {
				wire[m.Rate] += m.VAT
			}
		}
		if shares != r.Discount+r.Markup {
			t.Fatalf("receipt modifier shares %v, modifier %v + %v", shares, r.Discount, r.Markup)
		}
		printed := map[VATRate]Money{}
		for _, tx := range r.Taxes {
			printed[tx.Rate] = tx.VAT
		}
		for rate, vat := range wire {
			if !rate.Taxed() {
				if vat != 0 {
					t.Fatalf("untaxed rate %v carries VAT %v", rate, vat)
				}
				continue
			}
			if vat != printed[rate] {
				t.Fatalf("rate %v: the wire carries %v, the receipt prints %v\n%+v", rate, vat, printed[rate], r)
			}
		}
	}
	if checked < 1000 {
		t.Fatalf("only %d receipts checked", checked)
	}
}

// TestModifierVATWorkedExample: 333,33 × 3 less 10 %, 123,45 plus 0,99 at 5 %, 50,00 without VAT,
// and a 3 % receipt markup (the figures ofdclient's TestTicketVAT sends).
func TestModifierVATWorkedExample(t *testing.T) {
	r, err := ComputeReceipt(ReceiptDraft{Operation: OpSale, Lines: []LineDraft{
		{Name: "Шай", Quantity: 3000, Price: 33333, VATRate: VAT16, Modifier: &Modifier{Kind: Discount, Percent: 1000}},
		{Name: "Витамин", Quantity: 1000, Price: 12345, VATRate: VAT5, Modifier: &Modifier{Kind: Markup, Amount: 99}},
		{Name: "Кітап", Quantity: 1000, Price: 5000, VATRate: VATNone},
	}, Modifier: &Modifier{Kind: Markup, Percent: 300}, Payments: []Payment{{Type: PayCard, Sum: 110666}}},
		Settings{VATPayer: true, DefaultVATRate: VAT16, ReceiptModifiersAllowed: true})
	if err != nil {
		t.Fatal(err)
	}
	v, err := r.ModifierVAT()
	if err != nil {
		t.Fatal(err)
	}
	wantLines := []LineVAT{{Gross: 13793, Discount: 1379}, {Gross: 588, Markup: 5}, {}}
	for i, w := range wantLines {
		if v.Lines[i] != w {
			t.Errorf("line %d: %+v, want %+v", i+1, v.Lines[i], w)
		}
	}
	want := []RateVAT{{Rate: VAT16, Sum: 2700, VAT: 372}, {Rate: VAT5, Sum: 373, VAT: 17}, {Rate: VATNone, Sum: 150, VAT: 0}}
	if len(v.Modifier) != len(want) {
		t.Fatalf("receipt modifier %+v, want %+v", v.Modifier, want)
	}
	for i := range want {
		if v.Modifier[i] != want[i] {
			t.Errorf("receipt modifier share %d: %+v, want %+v", i, v.Modifier[i], want[i])
		}
	}
}

// TestModifierVATRefusesInconsistentLines: a line whose VAT is not the VAT of its sum, or whose sum
// does not follow from its modifiers, is refused with ErrReceiptInconsistent.
func TestModifierVATRefusesInconsistentLines(t *testing.T) {
	base, err := ComputeReceipt(ReceiptDraft{Operation: OpSale, Lines: []LineDraft{
		{Name: "Нан", Quantity: 1000, Price: 33333, VATRate: VAT16, Modifier: &Modifier{Kind: Discount, Amount: 333}},
		{Name: "Дәрі", Quantity: 2000, Price: 17777, VATRate: VAT5},
	}, Modifier: &Modifier{Kind: Discount, Amount: 1000}, Payments: []Payment{{Type: PayCard, Sum: 67554}}},
		Settings{VATPayer: true, DefaultVATRate: VAT16, ReceiptModifiersAllowed: true})
	if err != nil {
		t.Fatal(err)
	}
	for name, mutate := range map[string]func(l []Line){
		"a line's VAT a tiyn off":         func(l []Line) { l[1].VAT++ },
		"a sum without its receipt share": func(l []Line) { l[0].ReceiptDiscount = 0 },
		"a sum without its item discount": func(l []Line) { l[0].Discount = 0 },
		"a discount larger than the line": func(l []Line) { l[0].Discount, l[0].Sum = l[0].Gross+1, l[0].Sum-l[0].Gross-1+l[0].Discount },
	} {
		r := base
		r.Lines = append([]Line(nil), base.Lines...)
		mutate(r.Lines)
		if _, err := r.ModifierVAT(); !errors.Is(err, ErrReceiptInconsistent) {
			t.Errorf("%s: %v, want ErrReceiptInconsistent", name, err)
		}
	}
}
