package kkm

import (
	"errors"
	"testing"
)

// CheckPlacement refuses what the register refuses to issue, and only that: a screen checks the
// amount typed with it and the register's own cash in or out agrees with the screen.
func TestCheckPlacementAgreesWithTheRegister(t *testing.T) {
	base := newRegister()
	base.State = must(t)(base.CashIn(10000, cashierOp, t0, false)).State
	for _, c := range []struct {
		kind           DocumentKind
		amount, drawer Money
		code           Code
	}{
		{KindCashOut, 0, 500, ErrCashAmountZero},
		{KindCashOut, 500, 500, ""},
		{KindCashOut, 501, 500, ErrCashInsufficient},
		{KindCashOut, MaxMoney, MaxMoney - 1, ErrCashInsufficient},
		{KindCashOut, MaxMoney + 1, MaxMoney + 5, ErrMoneyOverflow},
		{KindCashIn, 1, 0, ""},
		{KindCashIn, MaxMoney, 0, ""},
		{KindCashIn, MaxMoney + 1, 0, ErrMoneyOverflow},
		{KindCashIn, 2, MaxDrawer - 1, ErrDrawerLimit},
		{KindCashIn, 1, MaxDrawer - 1, ""},
		{KindCashIn, 100, MaxDrawer, ErrDrawerLimit},
		{KindCashIn, -5, 0, ErrCashAmountZero},
	} {
		err := CheckPlacement(c.kind, c.amount, c.drawer)
		if c.code == "" && err != nil || c.code != "" && !errors.Is(err, c.code) {
			t.Errorf("%v %v with %v in the drawer: %v, want %q", c.kind, c.amount, c.drawer, err, c.code)
		}
		r := base
		r.State = base.State.Clone()
		r.State.CashInDrawer = c.drawer
		var issueErr error
		if c.kind == KindCashOut {
			_, issueErr = r.CashOut(c.amount, cashierOp, t0, false)
		} else {
			_, issueErr = r.CashIn(c.amount, cashierOp, t0, false)
		}
		if (err == nil) != (issueErr == nil) {
			t.Errorf("%v %v with %v: the check says %v, the register %v", c.kind, c.amount, c.drawer, err, issueErr)
		}
	}
	// The refusal of a cash out names the drawer's cash, the cash in's the limit and the drawer.
	var e *Error
	if !errors.As(CheckPlacement(KindCashOut, 700, 500), &e) || e.Data["Cash"] != Money(500) || e.Data["Amount"] != Money(700) {
		t.Errorf("cash out refusal data %+v", e)
	}
	if !errors.As(CheckPlacement(KindCashIn, 700, MaxDrawer-5), &e) || e.Data["Cash"] != MaxDrawer-5 || e.Data["Max"] != MaxDrawer {
		t.Errorf("cash in refusal data %+v", e)
	}
}
