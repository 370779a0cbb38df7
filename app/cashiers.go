package app

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"errors"

	"github.com/ekassa-go/ekassa/kkm"
	"github.com/ekassa-go/ekassa/storage"
	"github.com/ekassa-go/ekassa/ui"
)

// Cashier management for the administrator (ui.CashierAdmin). Every change is checked against
// the owner's permissions for kkm.ActionCashiers with the cashier who asks, as issuing checks
// returns and the Z report: the screens ask first, the runtime has the last word. The device
// always keeps an administrator, so no one can lock the owner out of the settings.

// AddCashier adds a cashier with a role, an operator code (0: the next free one) and a
// quick-access code no other cashier of this device has (the lock screen finds the cashier by
// the code alone).
func (rt *Runtime) AddCashier(ctx context.Context, by kkm.Operator, f ui.CashierForm) (kkm.Cashier, error) {
	if err := rt.allow(ctx, rt.Settings(), kkm.ActionCashiers, by); err != nil {
		return kkm.Cashier{}, err
	}
	if !validCode(f.Code) {
		return kkm.Cashier{}, ui.ErrCodeFormat
	}
	c := kkm.Cashier{Name: f.Name, Role: f.Role, OperatorCode: f.OperatorCode}
	if err := c.Validate(); err != nil {
		return kkm.Cashier{}, err
	}
	existing, err := rt.journal.Cashiers(ctx)
	if err != nil {
		return kkm.Cashier{}, err
	}
	next := uint32(1)
	for _, e := range existing {
		next = max(next, e.OperatorCode+1)
		if subtle.ConstantTimeCompare(hashCode(f.Code, e.CodeSalt), e.CodeHash) == 1 {
			return kkm.Cashier{}, ui.ErrCashierCodeTaken
		}
	}
	if c.OperatorCode == 0 {
		c.OperatorCode = next
	}
	c.CodeSalt = make([]byte, 16)
	if _, err := rand.Read(c.CodeSalt); err != nil {
		return kkm.Cashier{}, err
	}
	c.CodeHash = hashCode(f.Code, c.CodeSalt)
	return rt.journal.AddCashier(ctx, c)
}

// SetCashierRole gives a cashier another role; the last administrator keeps theirs.
func (rt *Runtime) SetCashierRole(ctx context.Context, by kkm.Operator, id int64, role kkm.Role) error {
	if !role.Valid() {
		return &kkm.Error{Code: kkm.ErrCashierRole, Data: map[string]any{"Role": int(role)}}
	}
	return rt.changeCashier(ctx, by, id, func(c kkm.Cashier, admins int) error {
		if c.Role == kkm.RoleAdministrator && role != kkm.RoleAdministrator && admins <= 1 {
			return ui.ErrLastAdministrator
		}
		c.Role = role
		return rt.journal.UpdateCashier(ctx, c)
	})
}

// RemoveCashier removes a cashier; the documents they issued keep their name and code. The last
// administrator cannot be removed, nor can cashiers remove themselves (they are at work).
func (rt *Runtime) RemoveCashier(ctx context.Context, by kkm.Operator, id int64) error {
	return rt.changeCashier(ctx, by, id, func(c kkm.Cashier, admins int) error {
		if c.OperatorCode == by.Code {
			return ui.ErrCashierSelf
		}
		if c.Role == kkm.RoleAdministrator && admins <= 1 {
			return ui.ErrLastAdministrator
		}
		return rt.journal.DeleteCashier(ctx, c.ID)
	})
}

// changeCashier checks the permission, reads cashier id and counts the administrators, and runs
// change under the runtime's lock, so that two changes cannot both take the last administrator.
func (rt *Runtime) changeCashier(ctx context.Context, by kkm.Operator, id int64, change func(c kkm.Cashier, admins int) error) error {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	if err := rt.allow(ctx, rt.reg.Settings, kkm.ActionCashiers, by); err != nil {
		return err
	}
	all, err := rt.journal.Cashiers(ctx)
	if err != nil {
		return err
	}
	admins := 0
	var found *kkm.Cashier
	for i, c := range all {
		if c.Role == kkm.RoleAdministrator {
			admins++
		}
		if c.ID == id {
			found = &all[i]
		}
	}
	if found == nil {
		return ui.ErrCashierNotFound
	}
	if err := change(*found, admins); err != nil {
		if errors.Is(err, storage.ErrNotFound) {
			return ui.ErrCashierNotFound
		}
		return err
	}
	return nil
}
