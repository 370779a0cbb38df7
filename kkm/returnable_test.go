package kkm

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

// TestParentOf: a return names its original by the fiscal sign once the OFD answered, else by the
// offline number it was printed with; an online receipt still waiting has no name yet.
func TestParentOf(t *testing.T) {
	at := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	receipt := &Receipt{Operation: OpSale, Total: 125000}
	cases := []struct {
		name string
		doc  Document
		sign string
		want ParentReceipt
		err  Code
	}{
		{"online, answered", Document{Kind: KindReceipt, Time: at, Receipt: receipt}, "3937088095",
			ParentReceipt{Number: "3937088095", Time: at, RNM: "620300144467", Total: 125000}, ""},
		{"offline, not yet answered", Document{Kind: KindReceipt, Time: at, Receipt: receipt, Offline: true, OfflineNumber: 17}, "",
			ParentReceipt{Number: "17", Time: at, RNM: "620300144467", Total: 125000, Offline: true}, ""},
		{"offline, answered later", Document{Kind: KindReceipt, Time: at, Receipt: receipt, Offline: true, OfflineNumber: 17}, "3937088096",
			ParentReceipt{Number: "3937088096", Time: at, RNM: "620300144467", Total: 125000, Offline: true}, ""},
		{"online, waiting", Document{Kind: KindReceipt, Time: at, Receipt: receipt}, "", ParentReceipt{}, ErrReturnOriginalPending},
	}
	for _, tc := range cases {
		got, err := ParentOf(tc.doc, tc.sign, "620300144467")
		if tc.err != "" {
			if !errors.Is(err, tc.err) {
				t.Errorf("%s: %v, want %s", tc.name, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("%s: %+v, %v; want %+v", tc.name, got, err, tc.want)
		}
	}
}

// TestReturnStateCodesLeft: a marked line offers the codes of its units no return took back, in
// the original's order, a code counting by its unit however the return scanned it.
func TestReturnStateCodesLeft(t *testing.T) {
	u1, u2, u3 := beerUnit("11"), beerUnit("12"), beerUnit("13")
	orig := Receipt{Operation: OpSale, Lines: []Line{
		{Name: "Сыра", Quantity: 3000, Price: 65000, Marked: MarkedBeer, Codes: []string{u1, u2, u3}, Sum: 195000},
		{Name: "Нан", Quantity: 1000, Price: 25000, Sum: 25000},
	}, Total: 220000}
	// the second unit came back scanned as a keyboard-mode scanner sends it: ]d2 first, GS lost
	scanned := "]d2" + strings.ReplaceAll(u2, GS, "")
	if MarkingID(scanned) != MarkingID(u2) {
		t.Fatalf("the scanner's form of a code is another unit: %q", scanned)
	}
	ret := Receipt{Operation: OpSaleReturn, Lines: []Line{{Name: "Сыра", Quantity: 1000, Price: 65000, Marked: MarkedBeer,
		Codes: []string{scanned}, From: 1, Sum: 65000}}, Total: 65000}
	cases := []struct {
		name     string
		returned []Receipt
		want     [][]string
	}{
		{"no return yet", nil, [][]string{{u1, u2, u3}, nil}},
		{"the second unit back", []Receipt{ret}, [][]string{{u1, u3}, nil}},
	}
	for _, tc := range cases {
		st := ReturnStateOf(orig, tc.returned)
		for i, l := range st.Lines {
			if !reflect.DeepEqual(l.Codes, tc.want[i]) {
				t.Errorf("%s: line %d offers %q, want %q", tc.name, i+1, l.Codes, tc.want[i])
			}
		}
	}
}

// TestIssueReturnChecksWhatItIssues: IssueReturn issues the return ComputeReturn built, as
// IssueReceipt would, and refuses one that does not refund its share, returns more than is left
// or is not a return, changing nothing.
func TestIssueReturnChecksWhatItIssues(t *testing.T) {
	reg := newRegister()
	sale, err := reg.IssueReceipt(ReceiptDraft{Operation: OpSale, Lines: []LineDraft{
		item("Шай", 3000, 33333), item("Нан", 1000, 25000),
	}, Modifier: &Modifier{Kind: Discount, Amount: 999}, Payments: cash(130000)}, cashierOp, t0, false)
	if err != nil {
		t.Fatal(err)
	}
	reg.State = sale.State
	orig := *sale.Documents[0].Receipt
	parent := ParentReceipt{Number: "3937088095", Time: t0, RNM: reg.Settings.Reg.RNM, Total: orig.Total}
	st := ReturnStateOf(orig, nil)
	draft, err := ComputeReturn(st, parent, ReturnRequest{Quantities: []Quantity{2000}})
	if err != nil {
		t.Fatal(err)
	}
	now := t0.Add(time.Hour)
	got, err := reg.IssueReturn(draft, orig, nil, cashierOp, now, false)
	if err != nil {
		t.Fatal(err)
	}
	want, err := reg.IssueReceipt(draft, cashierOp, now, false)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("IssueReturn issued\n%+v\nIssueReceipt\n%+v", got, want)
	}

	overpaid := draft
	overpaid.Lines = append([]LineDraft(nil), draft.Lines...)
	overpaid.Lines[0].Modifier = nil // refunds the full price, not what was paid after the discount
	tooMany, err := ComputeReturn(st, parent, ReturnRequest{Quantities: []Quantity{0, 1000}})
	if err != nil {
		t.Fatal(err)
	}
	tooMany.Lines[0].Quantity, tooMany.Lines[0].Modifier = 2000, nil // two loaves of the one sold
	for _, d := range []*ReceiptDraft{&overpaid, &tooMany} {
		probe := *d
		probe.Operation, probe.Parent, probe.Payments = OpSale, nil, cash(MaxMoney)
		probe.Lines = append([]LineDraft(nil), d.Lines...)
		for i := range probe.Lines {
			probe.Lines[i].From = 0 // a sale names no original line
		}
		r, err := ComputeReceipt(probe, reg.Settings)
		if err != nil {
			t.Fatal(err)
		}
		d.Payments = []Payment{{Type: PayCard, Sum: r.Total}} // refunded in full, so only the return's rule refuses it
	}
	sale2 := draft
	sale2.Operation, sale2.Parent = OpSale, nil
	for _, tc := range []struct {
		name     string
		d        ReceiptDraft
		returned []Receipt
		err      Code
	}{
		{"a refund beyond its share", overpaid, nil, ErrReturnRefundMismatch},
		{"more units than were sold", tooMany, nil, ErrReturnItemExceedsOrig},
		{"the same units again", draft, []Receipt{*got.Documents[0].Receipt}, ErrReturnExceedsOriginal},
		{"not a return", sale2, nil, ErrReturnOperationMismatch},
	} {
		if _, err := reg.IssueReturn(tc.d, orig, tc.returned, cashierOp, now, false); !errors.Is(err, tc.err) {
			t.Errorf("%s: %v, want %s", tc.name, err, tc.err)
		}
	}
}
