package kkm

import (
	"errors"
	"math/rand/v2"
	"testing"
)

// returnGen draws receipts with discounts, markups and mixed payments, and ways to return them,
// from a seeded math/rand (the way rapid or gopter would, replayable by seed).
type returnGen struct {
	rng *rand.Rand
	s   Settings
}

// original draws a computed sale or purchase: 1–6 lines (pieces or kilograms, cheap or dear),
// item and receipt discounts and markups, paid in cash with change, by card, mobile or a mix.
func (g returnGen) original() Receipt {
	rng := g.rng
	for {
		d := ReceiptDraft{Operation: OpSale}
		if rng.IntN(5) == 0 {
			d.Operation = OpPurchase
		}
		names := []string{"Нан", "Сүт", "Ет", "Шай", "Қант"}
		rates := []VATRate{VAT16, VAT16, VAT5, VAT10, VAT0}
		for j := rng.IntN(6); j >= 0; j-- {
			l := LineDraft{Name: names[rng.IntN(len(names))], VATRate: rates[rng.IntN(len(rates))]}
			l.Price = Money(1 + rng.Int64N(50000))
			if rng.IntN(4) == 0 {
				l.Price = Money(1 + rng.Int64N(9)) // a few tiyn: units paid nothing after a discount
			}
			l.Quantity = Quantity(1000 * (1 + rng.IntN(7)))
			if rng.IntN(3) == 0 {
				l.Unit, l.Quantity = "166", Quantity(1+rng.IntN(5000))
			}
			switch rng.IntN(4) {
			case 0:
				l.Modifier = &Modifier{Kind: Discount, Percent: 1 + rng.Int64N(9900)}
			case 1:
				l.Modifier = &Modifier{Kind: Markup, Amount: Money(1 + rng.Int64N(3000))}
			}
			d.Lines = append(d.Lines, l)
		}
		switch rng.IntN(3) {
		case 0:
			d.Modifier = &Modifier{Kind: Discount, Percent: 1 + rng.Int64N(9000)}
		case 1:
			d.Modifier = &Modifier{Kind: Markup, Amount: Money(1 + rng.Int64N(5000))}
		}
		t, err := ReceiptTotal(d, g.s)
		if err != nil {
			continue // a discount larger than its line, say: draw again
		}
		total := t.Total
		switch rng.IntN(4) {
		case 0:
			d.Payments = []Payment{{Type: PayCash, Sum: total}}
			if !d.Operation.PaysOut() {
				d.Payments[0].Sum += Money(rng.Int64N(100000)) // with change
			}
		case 1:
			d.Payments = []Payment{{Type: PayCard, Sum: total}}
		default:
			card := Money(rng.Int64N(int64(total) + 1))
			mobile := Money(rng.Int64N(int64(total-card) + 1))
			cash := total - card - mobile
			if !d.Operation.PaysOut() && rng.IntN(2) == 0 {
				cash += Money(rng.Int64N(5000))
			}
			for _, p := range []Payment{{PayCash, cash}, {PayCard, card}, {PayMobile, mobile}} {
				if p.Sum > 0 {
					d.Payments = append(d.Payments, p)
				}
			}
		}
		r, err := ComputeReceipt(d, g.s)
		if err != nil {
			continue
		}
		return r
	}
}

// TestReturnsPayBackWhatWasPaid is the property of returns.go: returning everything of a receipt
// with discounts and markups, in any order of lines and in any parts, refunds exactly what was
// paid — in total, per line and per payment type (cash net of change) — and every return on the
// way is the one ComputeReturn builds, which ValidateReturn accepts.
func TestReturnsPayBackWhatWasPaid(t *testing.T) {
	n := 3000
	if testing.Short() {
		n = 500
	}
	g := returnGen{rng: rand.New(rand.NewPCG(12, 3)), s: payerSettings()}
	zeroParts := 0
	for iter := 0; iter < n; iter++ {
		orig := g.original()
		par := parent()
		par.Total = orig.Total
		var returns []Receipt
		pending := make([]Quantity, len(orig.Lines)) // units chosen but not yet returned (a part refunding nothing)
		left := make([]Quantity, len(orig.Lines))
		for i, l := range orig.Lines {
			left[i] = l.Quantity
		}
		remaining := func() bool {
			for i := range left {
				if left[i] > 0 {
					return true
				}
			}
			return false
		}
		for remaining() {
			// A part: some units of one to all lines with units left, in random order.
			req := ReturnRequest{Quantities: append([]Quantity(nil), pending...)}
			for _, i := range g.rng.Perm(len(left)) {
				if left[i] == 0 || (g.rng.IntN(2) == 0 && anyPositive(req.Quantities)) {
					continue
				}
				q := left[i]
				if g.rng.IntN(2) == 0 {
					if orig.Lines[i].Unit == "166" {
						q = Quantity(1 + g.rng.Int64N(int64(left[i])))
					} else {
						q = QuantityOne * Quantity(1+g.rng.Int64N(int64(left[i]/QuantityOne)))
					}
				}
				req.Quantities[i] += q
				left[i] -= q
			}
			st := ReturnStateOf(orig, returns)
			d, err := ComputeReturn(st, *par, req)
			if errors.Is(err, ErrReturnNothingToRefund) {
				zeroParts++
				copy(pending, req.Quantities) // the cashier returns them with the next part
				continue
			}
			if err != nil {
				t.Fatalf("receipt %d: ComputeReturn(%v): %v\noriginal %+v", iter, req.Quantities, err, orig)
			}
			ret, err := ComputeReceipt(d, g.s)
			if err != nil {
				t.Fatalf("receipt %d: the return draft does not compute: %v\n%+v", iter, err, d)
			}
			if err := ValidateReturn(orig, returns, ret); err != nil {
				t.Fatalf("receipt %d: ValidateReturn refuses ComputeReturn's return: %v", iter, err)
			}
			returns = append(returns, ret)
			clear(pending)
		}
		st := ReturnStateOf(orig, returns)
		if anyPositive(pending) {
			// What is left refunds nothing: everything paid is back already.
			if st.Left != 0 {
				t.Fatalf("receipt %d: units that refund nothing are left, but %v of the total is not refunded", iter, st.Left)
			}
		}
		var refunded Money
		for _, r := range returns {
			refunded += r.Total
		}
		if refunded != orig.Total || st.Left != 0 {
			t.Fatalf("receipt %d: refunded %v of %v (left %v)", iter, refunded, orig.Total, st.Left)
		}
		for i, l := range st.Lines {
			if l.Refunded != l.Line.Sum {
				t.Fatalf("receipt %d line %d: refunded %v, paid %v", iter, i+1, l.Refunded, l.Line.Sum)
			}
		}
		if st.Refunded != st.Paid {
			t.Fatalf("receipt %d: refunded per payment type %v, paid %v (payments %+v, change %v)", iter,
				st.Refunded, st.Paid, orig.Payments, orig.Change)
		}
	}
	if zeroParts == 0 {
		t.Error("no part refunded nothing: the generator misses units paid less than a tiyn")
	}
	t.Logf("%d receipts returned in parts; %d parts refunded nothing and went with the next", n, zeroParts)
}

func anyPositive(qs []Quantity) bool {
	for _, q := range qs {
		if q > 0 {
			return true
		}
	}
	return false
}

// TestSimpleReturnsPayBackWhatWasPaid: a simple-mode receipt with a receipt discount, returned by
// amounts in random parts, refunds its total and each payment type what it paid.
func TestSimpleReturnsPayBackWhatWasPaid(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	s := payerSettings()
	for iter := 0; iter < 1000; iter++ {
		var amounts []Money
		for j := rng.IntN(4); j >= 0; j-- {
			amounts = append(amounts, Money(1+rng.Int64N(100000)))
		}
		d := SimpleDraft(OpSale, amounts, nil)
		if rng.IntN(2) == 0 {
			d.Modifier = &Modifier{Kind: Discount, Percent: 1 + rng.Int64N(5000)}
		}
		tot, err := ReceiptTotal(d, s)
		if err != nil {
			continue
		}
		card := Money(rng.Int64N(int64(tot.Total) + 1))
		d.Payments = []Payment{{Type: PayCard, Sum: card}, {Type: PayCash, Sum: tot.Total - card + Money(rng.Int64N(1000))}}
		if d.Payments[1].Sum == 0 {
			d.Payments = d.Payments[:1]
		}
		if card == 0 {
			d.Payments = d.Payments[1:]
		}
		orig, err := ComputeReceipt(d, s)
		if err != nil {
			t.Fatal(err)
		}
		par := parent()
		par.Total = orig.Total
		var returns []Receipt
		for {
			st := ReturnStateOf(orig, returns)
			if st.Left == 0 {
				break
			}
			a := st.Left
			if rng.IntN(2) == 0 {
				a = Money(1 + rng.Int64N(int64(st.Left)))
			}
			rd, err := ComputeReturn(st, *par, ReturnRequest{Amounts: []Money{a}})
			if err != nil {
				t.Fatal(err)
			}
			ret, err := ComputeReceipt(rd, s)
			if err != nil {
				t.Fatal(err)
			}
			if err := ValidateReturn(orig, returns, ret); err != nil {
				t.Fatal(err)
			}
			returns = append(returns, ret)
		}
		if st := ReturnStateOf(orig, returns); st.Refunded != st.Paid {
			t.Fatalf("receipt %d: refunded per type %v, paid %v", iter, st.Refunded, st.Paid)
		}
	}
}

// TestReturnOfADiscountedReceipt is the issue's case: two items with a receipt discount; each
// returned on its own refunds its share, and the second is still returnable after the first.
func TestReturnOfADiscountedReceipt(t *testing.T) {
	s := payerSettings()
	orig, err := ComputeReceipt(ReceiptDraft{Operation: OpSale, Lines: []LineDraft{item("Нан", 1000, 30000), item("Сүт", 2000, 35000)},
		Modifier: &Modifier{Kind: Discount, Amount: 10000}, Payments: []Payment{{Type: PayCard, Sum: 60000}, {Type: PayCash, Sum: 50000}}}, s)
	if err != nil {
		t.Fatal(err)
	}
	// 300 + 700 = 1000,00 less 100,00: Нан pays 270,00, Сүт 630,00; card 600,00, cash 300,00 (+200 change).
	if orig.Lines[0].Sum != 27000 || orig.Lines[1].Sum != 63000 || orig.Change != 20000 {
		t.Fatalf("original %+v", orig)
	}
	par := parent()
	par.Total = orig.Total
	var returns []Receipt
	issue := func(req ReturnRequest, total Money, pays ...Payment) {
		t.Helper()
		d, err := ComputeReturn(ReturnStateOf(orig, returns), *par, req)
		if err != nil {
			t.Fatal(err)
		}
		r, err := ComputeReceipt(d, s)
		if err != nil {
			t.Fatal(err)
		}
		if err := ValidateReturn(orig, returns, r); err != nil {
			t.Fatal(err)
		}
		if r.Total != total || len(r.Payments) != len(pays) {
			t.Fatalf("return of %v: total %v payments %+v; want %v %+v", req.Quantities, r.Total, r.Payments, total, pays)
		}
		for i := range pays {
			if r.Payments[i] != pays[i] {
				t.Fatalf("return of %v: payments %+v, want %+v", req.Quantities, r.Payments, pays)
			}
		}
		returns = append(returns, r)
	}
	// One Сүт: 315,00, split 2:1 as paid (card 600 : cash 300): 105,00 cash, 210,00 card.
	issue(ReturnRequest{Quantities: []Quantity{0, 1000}}, 31500, Payment{PayCash, 10500}, Payment{PayCard, 21000})
	// Нан, all cash at the buyer's request.
	cashOnly := PayCash
	issue(ReturnRequest{Quantities: []Quantity{1000}, RefundAs: &cashOnly}, 27000, Payment{PayCash, 27000})
	// The last Сүт: 315,00, what is left of each type: card 390,00 left would exceed; card 600−210 = 390,
	// cash 300−105−270 < 0 → 0: all of it to the card.
	issue(ReturnRequest{Quantities: []Quantity{0, 1000}}, 31500, Payment{PayCard, 31500})
	if st := ReturnStateOf(orig, returns); st.Left != 0 {
		t.Fatalf("left %v after returning everything", st.Left)
	}
	// A hand-made return at the full price is refused: it is not what was paid.
	d := ReceiptDraft{Operation: OpSaleReturn, Parent: par, Lines: []LineDraft{item("Нан", 1000, 30000)}, Payments: cash(30000)}
	r, err := ComputeReceipt(d, s)
	if err != nil {
		t.Fatal(err)
	}
	wantCode(t, ValidateReturn(orig, nil, r), ErrReturnRefundMismatch)
}
