package kkm

import "strings"

// Role is a cashier's role; the values equal the protocol's UserRoleEnum.
type Role uint8

// The three roles of the protocol.
const (
	RoleCashier       Role = 1 // кассир (USER_ROLE_PAYMASTER)
	RoleSeniorCashier Role = 2 // старший кассир (USER_ROLE_CHIEF_PAYMASTER)
	RoleAdministrator Role = 3 // администратор (USER_ROLE_ADMINISTRATOR)
)

// Valid reports whether r is one of the three roles.
func (r Role) Valid() bool { return r >= RoleCashier && r <= RoleAdministrator }

// Cashier is a person who may work the register. The quick-access code itself is never kept: only
// its salted hash (the hashing is the storage's or app's business; kkm only carries the bytes).
type Cashier struct {
	ID           int64  `json:"id"`
	Name         string `json:"name"`
	Email        string `json:"email,omitempty"`
	OperatorCode uint32 `json:"operator_code"` // the code the OFD knows them by (Operator.code)
	Role         Role   `json:"role"`
	CodeHash     []byte `json:"code_hash,omitempty"`
	CodeSalt     []byte `json:"code_salt,omitempty"`
}

// Operator returns the cashier as the Operator recorded on the documents they issue.
func (c Cashier) Operator() Operator { return Operator{Code: c.OperatorCode, Name: c.Name} }

// Validate checks that the cashier has a name and a valid role.
func (c Cashier) Validate() error {
	if strings.TrimSpace(c.Name) == "" {
		return newError(ErrCashierName, "Max", MaxCashierNameLength)
	}
	if err := checkText(c.Name, MaxCashierNameLength, ErrCashierName); err != nil {
		return err
	}
	if !c.Role.Valid() {
		return newError(ErrCashierRole, "Role", int(c.Role))
	}
	return nil
}
