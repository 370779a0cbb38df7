package kkm

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"
)

var (
	cashierOp = Operator{Code: 1, Name: "Әлия Қасымова"}
	t0        = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
)

func newRegister() Register { return Register{Settings: payerSettings()} }

// must fails the test on err and returns the issued result.
func must(t *testing.T) func(Issued, error) Issued {
	return func(iss Issued, err error) Issued {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return iss
	}
}

func sale(total Money) ReceiptDraft {
	return ReceiptDraft{Operation: OpSale, Lines: []LineDraft{item("Нан", 1000, total)}, Payments: cash(total)}
}

func TestShiftLifecycle(t *testing.T) {
	reg := newRegister()
	if _, err := reg.XReport(cashierOp, t0); !errorsIs(err, ErrShiftNotOpen) {
		t.Fatalf("X before any shift: %v", err)
	}
	if _, err := reg.CloseShift(cashierOp, t0, false); !errorsIs(err, ErrShiftNotOpen) {
		t.Fatalf("Z before any shift: %v", err)
	}
	iss := must(t)(reg.CashIn(50000, cashierOp, t0, false))
	d := iss.Documents[0]
	if d.Kind != KindCashIn || d.ShiftNumber != 1 || d.Number != 1 || d.Total() != 50000 {
		t.Fatalf("first document %+v", d)
	}
	reg.State = iss.State
	if !reg.State.ShiftOpen || !reg.State.ShiftOpenedAt.Equal(t0) || reg.State.CashInDrawer != 50000 {
		t.Fatalf("state after cash in %+v", reg.State)
	}
	iss = must(t)(reg.IssueReceipt(sale(10000), cashierOp, t0.Add(time.Minute), false))
	reg.State = iss.State
	if d := iss.Documents[0]; d.Number != 2 || d.Receipt.Total != 10000 || d.Total() != 10000 {
		t.Fatalf("receipt %+v", d)
	}
	x, err := reg.XReport(cashierOp, t0.Add(2*time.Minute))
	if err != nil || x.Number != 0 || x.Report.TotalResult[OpSale] != (Counter{1, 10000}) || x.Total() != 0 {
		t.Fatalf("X %+v %v", x, err)
	}
	iss = must(t)(reg.CloseShift(cashierOp, t0.Add(time.Hour), false))
	if len(iss.Documents) != 1 {
		t.Fatalf("Z without auto cash-out issued %d documents", len(iss.Documents))
	}
	z := iss.Documents[0]
	if z.Kind != KindZReport || z.Number != 3 || z.ShiftNumber != 1 || !z.Report.CloseTime.Equal(t0.Add(time.Hour)) ||
		z.Report.CashInDrawer != 60000 || z.Report.Revenue != 10000 {
		t.Fatalf("Z %+v", z)
	}
	reg.State = iss.State
	if reg.State.ShiftOpen {
		t.Fatal("shift still open after Z")
	}
	iss = must(t)(reg.IssueReceipt(sale(500), cashierOp, t0.Add(2*time.Hour), false))
	if d := iss.Documents[0]; d.ShiftNumber != 2 || d.Number != 1 {
		t.Fatalf("first document after Z: shift %d number %d", d.ShiftNumber, d.Number)
	}
	c := iss.State.Counters
	if c.Receipts[OpSale].TotalCount != 2 || c.Receipts[OpSale].Count != 1 || c.Placements[PlacementCashIn].TotalCount != 1 ||
		c.Placements[PlacementCashIn].Count != 0 || c.StartNonNullable[OpSale] != 10000 || iss.State.NonNullable[OpSale] != 10500 {
		t.Fatalf("counters of shift 2 %+v", c)
	}
}

func errorsIs(err error, c Code) bool {
	e, ok := err.(*Error)
	return ok && e.Code == c
}

func TestCloseShiftAutoCashOut(t *testing.T) {
	reg := newRegister()
	reg.Settings.AutoCashOut = true
	reg.State = must(t)(reg.IssueReceipt(sale(12345), cashierOp, t0, false)).State
	iss := must(t)(reg.CloseShift(cashierOp, t0.Add(time.Hour), true))
	if len(iss.Documents) != 2 {
		t.Fatalf("%d documents", len(iss.Documents))
	}
	out, z := iss.Documents[0], iss.Documents[1]
	if out.Kind != KindCashOut || out.Cash != 12345 || out.Number != 2 || !out.Offline || out.OfflineNumber != 1 {
		t.Fatalf("auto cash-out %+v", out)
	}
	if z.Kind != KindZReport || z.Number != 3 || z.OfflineNumber != 2 || z.Report.CashInDrawer != 0 ||
		z.Report.Placements[PlacementCashOut] != (PlacementCounters{TotalCount: 1, Count: 1, Sum: 12345, OfflineCount: 1}) {
		t.Fatalf("Z %+v", z.Report)
	}
	// Nothing in the drawer: no cash out.
	reg.State = iss.State
	reg.State = must(t)(reg.IssueReceipt(ReceiptDraft{Operation: OpSale, Lines: []LineDraft{item("A", 1000, 100)},
		Payments: []Payment{{Type: PayCard, Sum: 100}}}, cashierOp, t0.Add(2*time.Hour), false)).State
	if iss := must(t)(reg.CloseShift(cashierOp, t0.Add(3*time.Hour), false)); len(iss.Documents) != 1 {
		t.Fatalf("cash out of an empty drawer: %+v", iss.Documents)
	}
}

func TestRegisterRules(t *testing.T) {
	reg := newRegister()
	reg.State = must(t)(reg.CashIn(10000, cashierOp, t0, false)).State
	ret := ReceiptDraft{Operation: OpSaleReturn, Lines: []LineDraft{item("Нан", 1000, 20000)}, Payments: cash(20000), Parent: parent()}
	tests := []struct {
		name string
		do   func(r Register) error
		code Code
	}{
		{"clock backwards receipt", func(r Register) error {
			_, err := r.IssueReceipt(sale(100), cashierOp, t0.Add(-time.Second), false)
			return err
		}, ErrClockBackwards},
		{"clock backwards X", func(r Register) error { _, err := r.XReport(cashierOp, t0.Add(-time.Second)); return err }, ErrClockBackwards},
		{"clock backwards Z", func(r Register) error { _, err := r.CloseShift(cashierOp, t0.Add(-time.Second), false); return err }, ErrClockBackwards},
		{"same second is fine", func(r Register) error { _, err := r.CashIn(1, cashierOp, t0, false); return err }, ""},
		{"shift expired receipt", func(r Register) error {
			_, err := r.IssueReceipt(sale(100), cashierOp, t0.Add(24*time.Hour), false)
			return err
		}, ErrShiftExpired},
		{"shift expired cash in", func(r Register) error { _, err := r.CashIn(1, cashierOp, t0.Add(25*time.Hour), false); return err }, ErrShiftExpired},
		{"shift expired Z allowed", func(r Register) error { _, err := r.CloseShift(cashierOp, t0.Add(30*time.Hour), false); return err }, ""},
		{"shift expired X allowed", func(r Register) error { _, err := r.XReport(cashierOp, t0.Add(30*time.Hour)); return err }, ""},
		{"cash in zero", func(r Register) error { _, err := r.CashIn(0, cashierOp, t0, false); return err }, ErrCashAmountZero},
		{"cash in overflow", func(r Register) error { _, err := r.CashIn(MaxMoney+1, cashierOp, t0, false); return err }, ErrMoneyOverflow},
		{"cash out too much", func(r Register) error { _, err := r.CashOut(10001, cashierOp, t0, false); return err }, ErrCashInsufficient},
		{"cash out all", func(r Register) error { _, err := r.CashOut(10000, cashierOp, t0, false); return err }, ""},
		{"cash return above drawer", func(r Register) error { _, err := r.IssueReceipt(ret, cashierOp, t0, false); return err }, ErrCashInsufficient},
		{"card return above drawer", func(r Register) error {
			d := ret
			d.Payments = []Payment{{Type: PayCard, Sum: 20000}}
			_, err := r.IssueReceipt(d, cashierOp, t0, false)
			return err
		}, ""},
		{"bad draft", func(r Register) error {
			_, err := r.IssueReceipt(ReceiptDraft{Operation: OpSale}, cashierOp, t0, false)
			return err
		}, ErrReceiptEmpty},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before, _ := json.Marshal(reg.State)
			err := tt.do(reg)
			wantCode(t, err, tt.code)
			after, _ := json.Marshal(reg.State)
			if string(before) != string(after) {
				t.Fatal("the register's state changed")
			}
		})
	}
}

func TestCounterOverflowLeavesStateUnchanged(t *testing.T) {
	reg := newRegister()
	reg.State = must(t)(reg.IssueReceipt(sale(100), cashierOp, t0, false)).State
	reg.State.NonNullable[OpSale] = 1<<63 - 50
	before, _ := json.Marshal(reg.State)
	_, err := reg.IssueReceipt(sale(100), cashierOp, t0, false)
	wantCode(t, err, ErrCounterOverflow)
	if after, _ := json.Marshal(reg.State); string(after) != string(before) {
		t.Fatal("state changed")
	}
}

func TestShiftTimeLeft(t *testing.T) {
	reg := newRegister()
	if got := reg.ShiftTimeLeft(t0); got != 24*time.Hour {
		t.Fatalf("no shift: %v", got)
	}
	reg.State = must(t)(reg.CashIn(1, cashierOp, t0, false)).State
	tests := []struct {
		at   time.Duration
		want time.Duration
	}{
		{0, 24 * time.Hour},
		{90 * time.Minute, 22*time.Hour + 30*time.Minute},
		{24 * time.Hour, 0},
		{48 * time.Hour, 0},
	}
	for _, tt := range tests {
		if got := reg.ShiftTimeLeft(t0.Add(tt.at)); got != tt.want {
			t.Errorf("at +%v: %v left, want %v", tt.at, got, tt.want)
		}
		if expired := reg.ShiftExpired(t0.Add(tt.at)); expired != (tt.want == 0) {
			t.Errorf("at +%v: expired = %v", tt.at, expired)
		}
	}
	reg.Settings.ShiftLimit = 12 * time.Hour
	if got := reg.ShiftTimeLeft(t0.Add(time.Hour)); got != 11*time.Hour {
		t.Errorf("12-hour limit: %v", got)
	}
}

func TestOfflineNumbers(t *testing.T) {
	reg := newRegister()
	seen := map[uint32]bool{}
	now := t0
	for i := 0; i < 30; i++ {
		offline := i%3 != 0
		var iss Issued
		var err error
		switch i % 5 {
		case 4:
			iss, err = reg.CloseShift(cashierOp, now, offline)
		case 2:
			iss, err = reg.CashIn(100, cashierOp, now, offline)
		default:
			iss, err = reg.IssueReceipt(sale(100), cashierOp, now, offline)
		}
		must(t)(iss, err)
		for _, d := range iss.Documents {
			if d.Offline != offline || (d.OfflineNumber != 0) != offline || seen[d.OfflineNumber] && offline {
				t.Fatalf("document %d: offline %v number %d", i, d.Offline, d.OfflineNumber)
			}
			seen[d.OfflineNumber] = true
		}
		reg.State = iss.State
		now = now.Add(time.Minute)
	}
}

func TestCheckOfflineLimit(t *testing.T) {
	tests := []struct {
		name   string
		oldest time.Time
		now    time.Time
		code   Code
		left   time.Duration
	}{
		{"empty outbox", time.Time{}, t0, "", 72 * time.Hour},
		{"fresh", t0, t0.Add(time.Hour), "", 71 * time.Hour},
		{"just before", t0, t0.Add(72*time.Hour - time.Second), "", time.Second},
		{"at the limit", t0, t0.Add(72 * time.Hour), ErrOfflineLimit, 0},
		{"past", t0, t0.Add(100 * time.Hour), ErrOfflineLimit, 0},
	}
	for _, tt := range tests {
		wantCode(t, CheckOfflineLimit(tt.oldest, tt.now, DefaultOfflineLimit), tt.code)
		if got := OfflineTimeLeft(tt.oldest, tt.now, DefaultOfflineLimit); got != tt.left {
			t.Errorf("%s: left %v, want %v", tt.name, got, tt.left)
		}
	}
	err := CheckOfflineLimit(t0, t0.Add(80*time.Hour), DefaultOfflineLimit).(*Error)
	if err.TemplateData()["Hours"] != int64(72) {
		t.Errorf("template data %v", err.TemplateData())
	}
}

func TestStateJSONRoundTrip(t *testing.T) {
	reg := newRegister()
	reg.State = must(t)(reg.IssueReceipt(ReceiptDraft{Operation: OpSale,
		Lines:    []LineDraft{item("A", 1000, 1000), {Name: "B", Section: "2", Quantity: 1000, Price: 500, VATRate: VAT5}},
		Payments: []Payment{{Type: PayCash, Sum: 1000}, {Type: PayCard, Sum: 500}}}, cashierOp, t0, true)).State
	b, err := json.Marshal(reg.State)
	if err != nil {
		t.Fatal(err)
	}
	var back State
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, reg.State) {
		t.Fatalf("round trip differs:\n%+v\n%+v", back, reg.State)
	}
}

func TestCloneSharesNothing(t *testing.T) {
	reg := newRegister()
	reg.State = must(t)(reg.IssueReceipt(sale(100), cashierOp, t0, false)).State
	c := reg.State.Clone()
	c.Counters.Sections[0].Operations[OpSale].Count = 99
	c.Counters.Taxes[0].Operations[OpSale].VAT = 99
	c.Counters.Receipts[OpSale].Payments[0].Sum = 99
	if reg.State.Counters.Sections[0].Operations[OpSale].Count == 99 || reg.State.Counters.Taxes[0].Operations[OpSale].VAT == 99 ||
		reg.State.Counters.Receipts[OpSale].Payments[0].Sum == 99 {
		t.Fatal("clone shares slices")
	}
}

func TestReportRevenueWire(t *testing.T) {
	for _, tt := range []struct {
		rev  Money
		sum  Money
		negs bool
	}{{500, 500, false}, {0, 0, false}, {-700, 700, true}} {
		r := Report{Revenue: tt.rev}
		if s, n := r.RevenueWire(); s != tt.sum || n != tt.negs {
			t.Errorf("revenue %d: %d %v", tt.rev, s, n)
		}
	}
}
