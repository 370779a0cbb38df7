package kkm

import (
	"errors"
	"fmt"
)

// Action is something the owner may reserve for some roles («кто может делать возвраты, закрывать
// смену, менять настройки и токен»).
type Action string

// The actions a role may be refused. Sales, purchases, cash in/out and X reports are every
// cashier's work and are never restricted.
const (
	ActionReturn      Action = "return"       // sale and purchase returns
	ActionCloseShift  Action = "close_shift"  // the Z report
	ActionSettings    Action = "settings"     // changing the settings
	ActionChangeToken Action = "change_token" // «Смена токена»
	ActionCashiers    Action = "cashiers"     // adding and removing cashiers
	ActionCatalogue   Action = "catalogue"    // creating, editing and archiving the catalogue's items
)

// The actions kept to the administrator whatever the permissions say: they change who may do
// what (the permissions themselves) or replace the whole journal, so no setting can hand them down.
const (
	ActionPermissions Action = "permissions" // changing the permissions in the settings
	ActionBackup      Action = "backup"      // writing a backup of the journal
	ActionRestore     Action = "restore"     // replacing the journal with a backup
)

// AdministratorActions lists the actions only an administrator may do (see ActionPermissions).
func AdministratorActions() []Action {
	return []Action{ActionPermissions, ActionBackup, ActionRestore}
}

// ErrForbidden is matched (errors.Is) by every *RoleError: the cashier's role does not allow it.
var ErrForbidden = errors.New("kkm: not allowed for this cashier's role")

// Actions lists the restrictable actions in the order the settings show them.
func Actions() []Action {
	return []Action{ActionReturn, ActionCloseShift, ActionSettings, ActionChangeToken, ActionCashiers, ActionCatalogue}
}

// Permissions gives, for each action, the least role that may do it (roles are ordered: cashier <
// senior cashier < administrator). An action it does not name falls back to DefaultPermissions.
type Permissions map[Action]Role

// DefaultPermissions leaves the day's work (returns, the Z report) to every cashier and keeps the
// register's configuration (settings, token, cashiers) to the administrator.
func DefaultPermissions() Permissions {
	return Permissions{
		ActionReturn:      RoleCashier,
		ActionCloseShift:  RoleCashier,
		ActionSettings:    RoleAdministrator,
		ActionChangeToken: RoleAdministrator,
		ActionCashiers:    RoleAdministrator,
		ActionCatalogue:   RoleSeniorCashier,
	}
}

// Least returns the least role that may do a; an administrator's action needs an administrator
// whatever p says.
func (p Permissions) Least(a Action) Role {
	for _, f := range AdministratorActions() {
		if a == f {
			return RoleAdministrator
		}
	}
	if r, ok := p[a]; ok {
		return r
	}
	return DefaultPermissions()[a]
}

// validate refuses an unknown action or role, so a settings import cannot lock everyone out.
func (p Permissions) validate() error {
	for a, r := range p {
		known := false
		for _, k := range Actions() {
			known = known || a == k
		}
		if !known || !r.Valid() {
			return newError(ErrSettingsPermissions, "Action", string(a))
		}
	}
	return nil
}

// Allow says whether a cashier of role r may do a under these settings; the refusal is a
// *RoleError naming the action.
func (s Settings) Allow(a Action, r Role) error {
	if least := s.Permissions.Least(a); r < least {
		return &RoleError{Action: a, Role: r, Least: least}
	}
	return nil
}

// RoleError refuses an action to a cashier whose role is below the one the owner chose for it.
type RoleError struct {
	Action Action
	Role   Role // the cashier's role
	Least  Role // the least role allowed
}

// Error describes the refusal for logs.
func (e *RoleError) Error() string {
	return fmt.Sprintf("kkm: %s needs role %d, the cashier has %d", e.Action, e.Least, e.Role)
}

// Is makes every RoleError match ErrForbidden.
func (e *RoleError) Is(target error) bool { return target == ErrForbidden }

// MessageID is "err.role.<action>", one text per action.
func (e *RoleError) MessageID() string { return "err.role." + string(e.Action) }

// roleMessageIDs lists the message IDs of RoleError.
func roleMessageIDs() []string {
	var ids []string
	for _, a := range append(Actions(), AdministratorActions()...) {
		ids = append(ids, (&RoleError{Action: a}).MessageID())
	}
	return ids
}
