package kkm

import (
	"encoding/json"
	"testing"
)

// TestLimitsAtTheEdge issues documents at each limit of the table and one step past it: the
// limit itself is accepted, one tiyn, one thousandth or one count more is refused with the code
// that names it, and a refused document changes nothing.
func TestLimitsAtTheEdge(t *testing.T) {
	base := newRegister()
	base.State = must(t)(base.CashIn(10000, cashierOp, t0, false)).State
	withDrawer := func(cash Money) Register {
		r := base
		r.State = base.State.Clone()
		r.State.CashInDrawer = cash
		return r
	}
	line := func(price Money, q Quantity) ReceiptDraft {
		return ReceiptDraft{Operation: OpSale, Lines: []LineDraft{{Name: "x", Quantity: q, Price: price}},
			Payments: []Payment{{Type: PayCard, Sum: 1}}}
	}
	paid := func(d ReceiptDraft) ReceiptDraft {
		rc, err := ComputeReceipt(ReceiptDraft{Operation: d.Operation, Lines: d.Lines, Payments: []Payment{{Type: PayCash, Sum: MaxMoney}}}, payerSettings())
		if err != nil {
			return d
		}
		d.Payments = []Payment{{Type: PayCard, Sum: rc.Total}}
		return d
	}
	tests := []struct {
		name string
		reg  Register
		do   func(r Register) error
		code Code
	}{
		{"price at the limit", base, func(r Register) error {
			_, err := r.IssueReceipt(paid(line(MaxMoney, QuantityOne)), cashierOp, t0, false)
			return err
		}, ""},
		{"price past the limit", base, func(r Register) error {
			_, err := r.IssueReceipt(paid(line(MaxMoney+1, QuantityOne)), cashierOp, t0, false)
			return err
		}, ErrMoneyOverflow},
		{"quantity at the limit", base, func(r Register) error {
			_, err := r.IssueReceipt(paid(line(1, MaxQuantity)), cashierOp, t0, false)
			return err
		}, ""},
		{"quantity past the limit", base, func(r Register) error {
			_, err := r.IssueReceipt(paid(line(1, MaxQuantity+1)), cashierOp, t0, false)
			return err
		}, ErrQuantityOverflow},
		{"price × quantity past the limit", base, func(r Register) error {
			_, err := r.IssueReceipt(paid(line(MaxMoney/2+1, 2*QuantityOne)), cashierOp, t0, false)
			return err
		}, ErrLineOverflow},
		{"two lines past the total", base, func(r Register) error {
			d := line(MaxMoney, QuantityOne)
			d.Lines = append(d.Lines, LineDraft{Name: "y", Quantity: QuantityOne, Price: 1})
			d.Payments = []Payment{{Type: PayCard, Sum: MaxMoney}}
			_, err := r.IssueReceipt(d, cashierOp, t0, false)
			return err
		}, ErrReceiptOverflow},
		{"payment past the limit", base, func(r Register) error {
			d := line(100, QuantityOne)
			d.Payments = []Payment{{Type: PayCash, Sum: MaxMoney + 1}}
			_, err := r.IssueReceipt(d, cashierOp, t0, false)
			return err
		}, ErrMoneyOverflow},
		{"cash sale filling the drawer", withDrawer(MaxDrawer - 100), func(r Register) error {
			d := line(100, QuantityOne)
			d.Payments = []Payment{{Type: PayCash, Sum: 100}}
			_, err := r.IssueReceipt(d, cashierOp, t0, false)
			return err
		}, ""},
		{"cash sale past the drawer", withDrawer(MaxDrawer - 99), func(r Register) error {
			d := line(100, QuantityOne)
			d.Payments = []Payment{{Type: PayCash, Sum: 100}}
			_, err := r.IssueReceipt(d, cashierOp, t0, false)
			return err
		}, ErrDrawerLimit},
		{"change does not count into the drawer", withDrawer(MaxDrawer - 100), func(r Register) error {
			d := line(100, QuantityOne)
			d.Payments = []Payment{{Type: PayCash, Sum: 5000}}
			_, err := r.IssueReceipt(d, cashierOp, t0, false)
			return err
		}, ""},
		{"card sale with a full drawer", withDrawer(MaxDrawer), func(r Register) error {
			_, err := r.IssueReceipt(paid(line(100, QuantityOne)), cashierOp, t0, false)
			return err
		}, ""},
		{"cash in past the drawer", withDrawer(MaxDrawer - 1), func(r Register) error {
			_, err := r.CashIn(2, cashierOp, t0, false)
			return err
		}, ErrDrawerLimit},
		{"cash in at the amount limit", withDrawer(0), func(r Register) error {
			_, err := r.CashIn(MaxMoney, cashierOp, t0, false)
			return err
		}, ""},
		{"cash out of a drawer above the limit", withDrawer(MaxDrawer + 5), func(r Register) error {
			_, err := r.CashOut(1, cashierOp, t0, false)
			return err
		}, ""},
		{"count past the protocol's uint32", func() Register {
			r := withDrawer(0)
			r.State.Counters.Receipts[OpSale].TotalCount = MaxCount
			return r
		}(), func(r Register) error {
			_, err := r.IssueReceipt(paid(line(100, QuantityOne)), cashierOp, t0, false)
			return err
		}, ErrCounterOverflow},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before, _ := json.Marshal(tt.reg.State)
			err := tt.do(tt.reg)
			wantCode(t, err, tt.code)
			if after, _ := json.Marshal(tt.reg.State); string(after) != string(before) {
				t.Fatal("the register's state changed")
			}
		})
	}
}

// TestLimitErrorsNameTheLimit: every refusal at a limit carries the limit, for the message.
func TestLimitErrorsNameTheLimit(t *testing.T) {
	for _, in := range []string{"1 000 000 000 000", "9999999999999"} {
		_, err := ParseMoney(in)
		e, ok := err.(*Error)
		if !ok || e.Code != ErrMoneyOverflow || e.Data["Max"] != MaxMoney {
			t.Errorf("ParseMoney(%q) = %v, want ErrMoneyOverflow with Max", in, err)
		}
	}
	_, err := ParseQuantity("1 000 001")
	if e, ok := err.(*Error); !ok || e.Data["Max"] != MaxQuantity {
		t.Errorf("ParseQuantity past the limit = %v, want Max", err)
	}
	_, err = MulQuantity(MaxMoney, 2000)
	if e, ok := err.(*Error); !ok || e.Code != ErrLineOverflow || e.Data["Max"] != MaxMoney {
		t.Errorf("MulQuantity past the limit = %v, want ErrLineOverflow with Max", err)
	}
}
