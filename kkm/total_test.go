package kkm

import (
	"errors"
	"testing"
)

// ReceiptTotal computes the total the receipt will have, before any payment is typed, and refuses
// what ComputeReceipt refuses about the lines and the modifier: the running total on screen is
// never one the receipt would not have (never negative, never wrapped).
func TestReceiptTotal(t *testing.T) {
	s := payerSettings()
	s.MaxReceiptSum = 0
	capped := payerSettings()
	capped.MaxReceiptSum = 50000
	lines := []LineDraft{item("Хлеб", 2000, 15000), {Name: "Сүт", Quantity: 1500, Unit: "166", Price: 40000}} // 300,00 + 600,00
	tests := []struct {
		name  string
		d     ReceiptDraft
		s     Settings
		total Money
		err   Code
	}{
		{"no payment yet", ReceiptDraft{Operation: OpSale, Lines: lines}, s, 90000, ""},
		{"buyer not looked at", ReceiptDraft{Operation: OpSale, Lines: lines, BuyerIINBIN: "1"}, s, 90000, ""},
		{"discount", ReceiptDraft{Operation: OpSale, Lines: lines, Modifier: &Modifier{Kind: Discount, Amount: 10000}}, s, 80000, ""},
		{"markup", ReceiptDraft{Operation: OpSale, Lines: lines, Modifier: &Modifier{Kind: Markup, Amount: 10000}}, s, 100000, ""},
		{"simple", SimpleDraft(OpPurchase, []Money{100, 250}, nil), s, 350, ""},
		{"empty", ReceiptDraft{Operation: OpSale}, s, 0, ErrReceiptEmpty},
		{"discount above the sum: never negative", ReceiptDraft{Operation: OpSale, Lines: lines,
			Modifier: &Modifier{Kind: Discount, Amount: 100000}}, s, 0, ErrDiscountTooLarge},
		{"999 999 × 99 999 999 999: never wrapped", ReceiptDraft{Operation: OpSale,
			Lines: []LineDraft{item("Алтын", 999999*QuantityOne, 9999999999900)}}, s, 0, ErrLineOverflow},
		{"lines past the largest amount", SimpleDraft(OpSale, []Money{MaxMoney, MaxMoney}, nil), s, 0, ErrReceiptOverflow},
		{"markup past the largest amount", ReceiptDraft{Operation: OpSale, Lines: []LineDraft{item("Алтын", QuantityOne, MaxMoney)},
			Modifier: &Modifier{Kind: Markup, Amount: 100}}, s, 0, ErrReceiptOverflow},
		{"the maximum-sum setting", ReceiptDraft{Operation: OpSale, Lines: lines}, capped, 0, ErrReceiptMaxSum},
	}
	for _, tt := range tests {
		r, err := ReceiptTotal(tt.d, tt.s)
		if tt.err != "" {
			var ke *Error
			if !errors.As(err, &ke) || ke.Code != tt.err {
				t.Errorf("%s: err %v, want %s", tt.name, err, tt.err)
			}
			continue
		}
		if err != nil || r.Total != tt.total {
			t.Errorf("%s: total %v, %v; want %v", tt.name, r.Total, err, tt.total)
		}
		// With the total paid in cash the whole receipt computes to the same total.
		tt.d.BuyerIINBIN = ""
		tt.d.Payments = cash(r.Total)
		if full, err := ComputeReceipt(tt.d, tt.s); err != nil || full.Total != r.Total {
			t.Errorf("%s: ComputeReceipt %v, %v; want %v", tt.name, full.Total, err, r.Total)
		}
	}
}
