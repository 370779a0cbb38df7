package app

import (
	"errors"
	"testing"

	"github.com/ekassa-go/ekassa/kkm"
	"github.com/ekassa-go/ekassa/ui"
)

// The administrator adds cashiers with a role and an operator code, changes roles and removes
// them; a cashier may not; the last administrator stays one and no two cashiers share a code.
func TestCashierManagement(t *testing.T) {
	r := newRig(t) // the demo cashier is the device's first, its administrator
	admin := r.by

	senior, err := r.rt.AddCashier(r.ctx, admin, ui.CashierForm{Name: "Ержан", Role: kkm.RoleSeniorCashier, Code: "2468"})
	if err != nil || senior.Role != kkm.RoleSeniorCashier || senior.OperatorCode != 2 {
		t.Fatalf("added %+v, %v", senior, err)
	}
	if got, err := r.rt.CheckCode(r.ctx, "2468"); err != nil || got.ID != senior.ID {
		t.Fatalf("the new cashier's code: %+v %v", got, err)
	}
	cashier, err := r.rt.AddCashier(r.ctx, admin, ui.CashierForm{Name: "Әсел", Role: kkm.RoleCashier, OperatorCode: 40, Code: "13579"})
	if err != nil || cashier.OperatorCode != 40 {
		t.Fatalf("added %+v, %v", cashier, err)
	}
	for _, tc := range []struct {
		form ui.CashierForm
		want string
	}{
		{ui.CashierForm{Name: "Дубль", Role: kkm.RoleCashier, Code: "2468"}, string(ui.ErrCashierCodeTaken)},
		{ui.CashierForm{Name: "Дубль", Role: kkm.RoleCashier, Code: "24"}, string(ui.ErrCodeFormat)},
		{ui.CashierForm{Name: "", Role: kkm.RoleCashier, Code: "9999"}, string(kkm.ErrCashierName)},
		{ui.CashierForm{Name: "Дубль", Role: 7, Code: "9999"}, string(kkm.ErrCashierRole)},
		{ui.CashierForm{Name: "Дубль", Role: kkm.RoleCashier, OperatorCode: 40, Code: "9999"}, "err.journal.duplicate_operator_code"},
	} {
		_, err := r.rt.AddCashier(r.ctx, admin, tc.form)
		if id := messageID(err); id != tc.want {
			t.Errorf("%+v: %v (%s), want %s", tc.form, err, id, tc.want)
		}
	}

	// A plain cashier manages no one.
	var re *kkm.RoleError
	if _, err := r.rt.AddCashier(r.ctx, cashier.Operator(), ui.CashierForm{Name: "x", Role: kkm.RoleCashier, Code: "8888"}); !errors.As(err, &re) {
		t.Fatalf("a cashier added one: %v", err)
	}
	if err := r.rt.RemoveCashier(r.ctx, cashier.Operator(), senior.ID); !errors.As(err, &re) {
		t.Fatalf("a cashier removed one: %v", err)
	}

	// The only administrator can neither step down nor go.
	cs, _ := r.rt.Cashiers(r.ctx)
	var adminID int64
	for _, c := range cs {
		if c.OperatorCode == admin.Code {
			adminID = c.ID
		}
	}
	if err := r.rt.SetCashierRole(r.ctx, admin, adminID, kkm.RoleCashier); !errors.Is(err, ui.ErrLastAdministrator) {
		t.Fatalf("the last administrator stepped down: %v", err)
	}
	if err := r.rt.RemoveCashier(r.ctx, admin, adminID); !errors.Is(err, ui.ErrCashierSelf) {
		t.Fatalf("the administrator removed themselves: %v", err)
	}
	// With a second administrator, the first may step down, and the second may not remove the
	// last one left.
	if err := r.rt.SetCashierRole(r.ctx, admin, senior.ID, kkm.RoleAdministrator); err != nil {
		t.Fatal(err)
	}
	if err := r.rt.SetCashierRole(r.ctx, admin, adminID, kkm.RoleSeniorCashier); err != nil {
		t.Fatal(err)
	}
	if err := r.rt.RemoveCashier(r.ctx, senior.Operator(), adminID); err != nil {
		t.Fatal(err)
	}
	if err := r.rt.RemoveCashier(r.ctx, senior.Operator(), 9999); !errors.Is(err, ui.ErrCashierNotFound) {
		t.Fatalf("removed a cashier that is not: %v", err)
	}
	if err := r.rt.SetCashierRole(r.ctx, senior.Operator(), senior.ID, kkm.RoleCashier); !errors.Is(err, ui.ErrLastAdministrator) {
		t.Fatalf("the last administrator stepped down: %v", err)
	}
	cs, _ = r.rt.Cashiers(r.ctx)
	if len(cs) != 2 {
		t.Fatalf("cashiers left %+v", cs)
	}
	if err := r.rt.Allow(r.ctx, senior.Operator(), kkm.ActionCashiers); err != nil {
		t.Fatalf("the new administrator: %v", err)
	}
}

// messageID is the message ID an error carries, or its text.
func messageID(err error) string {
	var m interface{ MessageID() string }
	if errors.As(err, &m) {
		return m.MessageID()
	}
	if err == nil {
		return ""
	}
	return err.Error()
}
