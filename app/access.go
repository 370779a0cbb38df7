package app

import (
	"context"
	"errors"

	"github.com/ekassa-go/ekassa/kkm"
	"github.com/ekassa-go/ekassa/storage"
	"github.com/ekassa-go/ekassa/ui"
)

// Access in the runtime (issue 15, item 6). The screens hide what a cashier may not do, but the
// runtime has the last word on every action: each port method that changes the register names
// the cashier who acts, and the cashier is looked up in this register's journal by operator
// code. An operator code that no cashier of this register has is refused outright (it used to
// pass with the least role), so a caller cannot issue in the name of someone who does not work
// here, nor borrow a name: the document carries the journal's name for the code.
//
// What each action needs:
//
//	issuing (sale, purchase, cash in/out, X)   any cashier of this register
//	return, Z report, settings, token, cashiers the owner's permissions (kkm.Settings.Permissions)
//	changing the permissions, backup, restore   an administrator, whatever the permissions say
//	                                            (kkm.AdministratorActions)
//	restore on a device with no cashier yet     anyone: it is a new phone, and the backup's
//	                                            password is the proof
//
// A refusal is a *kkm.RoleError (errors.Is(err, kkm.ErrForbidden), message "err.role.<action>")
// or ErrUnknownOperator; both are translated.

// ErrUnknownOperator refuses an operator code that belongs to no cashier of this register.
const ErrUnknownOperator = ui.Refusal("err.access.unknown_operator")

// ErrProfileExists refuses a second "first" profile: once a device has cashiers, only an
// administrator adds more (AddCashier).
const ErrProfileExists = ui.Refusal("err.access.profile_exists")

// AccessMessageIDs lists the message IDs of access refusals, for the translation test.
func AccessMessageIDs() []string {
	return []string{string(ErrUnknownOperator), string(ErrProfileExists)}
}

// cashierOf returns the cashier of this register whose operator code by carries.
func (rt *Runtime) cashierOf(ctx context.Context, by kkm.Operator) (kkm.Cashier, error) {
	c, err := rt.journal.CashierByOperatorCode(ctx, by.Code)
	if errors.Is(err, storage.ErrNotFound) {
		return kkm.Cashier{}, ErrUnknownOperator
	}
	return c, err
}

// allow looks up the cashier by operator code and checks a against the permissions of s.
func (rt *Runtime) allow(ctx context.Context, s kkm.Settings, a kkm.Action, by kkm.Operator) error {
	c, err := rt.cashierOf(ctx, by)
	if err != nil {
		return err
	}
	return s.Allow(a, c.Role)
}

// permissionsChanged reports whether next gives any action another least role than cur.
func permissionsChanged(cur, next kkm.Permissions) bool {
	for _, a := range kkm.Actions() {
		if cur.Least(a) != next.Least(a) {
			return true
		}
	}
	return false
}

// allowRestore lets anyone restore onto a device with no cashier (a new phone) and otherwise
// only an administrator.
func (rt *Runtime) allowRestore(ctx context.Context, by kkm.Operator) error {
	cs, err := rt.journal.Cashiers(ctx)
	if err != nil {
		return err
	}
	if len(cs) == 0 {
		return nil
	}
	return rt.allow(ctx, rt.Settings(), kkm.ActionRestore, by)
}

// clonePermissions copies p, so that settings handed out or taken in share no map with the
// runtime's: an edit of the caller's copy must not change the permissions unchecked.
func clonePermissions(p kkm.Permissions) kkm.Permissions {
	if p == nil {
		return nil
	}
	out := make(kkm.Permissions, len(p))
	for a, r := range p {
		out[a] = r
	}
	return out
}
