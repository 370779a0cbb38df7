package kkm

import (
	"testing"
	"time"
)

// shiftOf returns a register whose open shift holds n receipts over a few sections and rates.
func shiftOf(tb testing.TB, n int) Register {
	reg := newRegister()
	now := t0
	for i := 0; i < n; i++ {
		d := ReceiptDraft{Operation: OpSale, Lines: []LineDraft{
			{Name: "Нан", Section: string(rune('1' + i%5)), Quantity: 1000, Price: Money(10000 + i%977)},
			{Name: "Дәрі", Quantity: 2000, Price: 4500, VATRate: VAT5},
		}, Payments: []Payment{{Type: PayCard, Sum: Money(10000+i%977) + 9000}}}
		iss, err := reg.IssueReceipt(d, cashierOp, now, i%10 == 0)
		if err != nil {
			tb.Fatal(err)
		}
		reg.State = iss.State
		now = now.Add(500 * time.Millisecond)
	}
	return reg
}

// BenchmarkXReport builds an X report from the State of a shift of 100 000 receipts. The cost is
// that of copying the counters, the same as for a shift of 10 (compare the two sub-benchmarks).
func BenchmarkXReport(b *testing.B) {
	for _, n := range []int{10, 100_000} {
		reg := shiftOf(b, n)
		if got := reg.State.Counters.Receipts[OpSale].Count; got != uint32(n) {
			b.Fatalf("shift holds %d receipts", got)
		}
		now := reg.State.LastDocumentTime
		b.Run(map[int]string{10: "receipts=10", 100_000: "receipts=100000"}[n], func(b *testing.B) {
			for b.Loop() {
				if _, err := reg.XReport(cashierOp, now); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(n), "receipts")
		})
	}
}

// BenchmarkIssueReceipt validates, computes and counts a 5-item receipt (no journal: see the
// storage package's benchmark for the commit).
func BenchmarkIssueReceipt(b *testing.B) {
	reg := shiftOf(b, 100)
	d := ReceiptDraft{Operation: OpSale, Modifier: &Modifier{Kind: Discount, Percent: 500}, Payments: cash(10_000_000)}
	for i := 0; i < 5; i++ {
		d.Lines = append(d.Lines, LineDraft{Name: "Тауар", Section: "2", Quantity: 1500, Unit: "166", Price: 123456, VATRate: VAT16})
	}
	now := reg.State.LastDocumentTime
	for b.Loop() {
		if _, err := reg.IssueReceipt(d, cashierOp, now, false); err != nil {
			b.Fatal(err)
		}
	}
}
