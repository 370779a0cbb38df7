package ui

import (
	"context"
	"os"
	"strings"
	"time"

	"github.com/ekassa-go/ekassa/kkm"
)

// The fake register's administration ports (Access, Recovery, JournalCare, Cashiers): the owner's
// permissions by the cashiers of fakeProfiles, the ways out of blocks, a journal "backup" that is
// a line of text, and cashier management with the runtime's rules (the last administrator stays,
// no two cashiers share a code).

var (
	_ Access       = (*fakeRegister)(nil)
	_ Recovery     = (*fakeRegister)(nil)
	_ JournalCare  = (*fakeRegister)(nil)
	_ CashierAdmin = (*fakeRegister)(nil)
	_ Printer      = (*fakeRegister)(nil)
)

// fakeClockJump is the runtime's refusal when the device's clock jumped.
type fakeClockJump struct{}

func (fakeClockJump) Error() string     { return "fake: the clock jumped" }
func (fakeClockJump) MessageID() string { return errClockJumped }
func (fakeClockJump) TemplateData() map[string]any {
	return map[string]any{"Minutes": 90, "Ahead": true, "Now": "02.03.2026 10:30", "Expected": "02.03.2026 09:00"}
}

// fakeRefusal is a refusal with a message ID of another package.
type fakeRefusal string

func (f fakeRefusal) Error() string     { return string(f) }
func (f fakeRefusal) MessageID() string { return string(f) }

func (r *fakeRegister) roleOf(by kkm.Operator) kkm.Role {
	if r.profiles == nil {
		return kkm.RoleAdministrator
	}
	r.profiles.mu.Lock()
	defer r.profiles.mu.Unlock()
	for _, c := range r.profiles.cashiers {
		if c.OperatorCode == by.Code {
			return c.Role
		}
	}
	return kkm.RoleCashier
}

func (r *fakeRegister) Allow(_ context.Context, by kkm.Operator, a kkm.Action) error {
	return r.Settings().Allow(a, r.roleOf(by))
}

func (r *fakeRegister) Retry(context.Context) error {
	r.mu.Lock()
	r.retried++
	if r.block == BlockProtocol {
		r.block = BlockNone
	}
	r.mu.Unlock()
	r.notify()
	return nil
}

// SetAside marks the refused document refused, as the runtime's journal does, and ends the
// block.
func (r *fakeRegister) SetAside(context.Context) error {
	r.mu.Lock()
	if r.block != BlockRefused || r.refused == nil {
		r.mu.Unlock()
		return Refusal("err.ofd.nothing_to_set_aside")
	}
	r.setAside++
	for i := range r.docs {
		if r.docs[i].Seq == r.refused.Seq {
			r.docs[i].Refused = r.refused.Reason
		}
	}
	seq, reason := r.refused.Seq, r.refused.Reason
	r.block, r.refused = BlockNone, nil
	r.mu.Unlock()
	r.notify()
	r.publish(Answer{Seq: seq, Refused: reason}) // set aside: the sender's outcome with its refusal
	return nil
}

// CorrectClock moves the fake's forward-only mark back to its clock, as the runtime does with the
// OFD's time.
func (r *fakeRegister) CorrectClock(_ context.Context, by kkm.Operator) (kkm.ClockCorrection, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	st, err := r.reg.State.CorrectClock(r.now, by, 2*time.Minute)
	if err != nil {
		return kkm.ClockCorrection{}, err
	}
	r.reg.State = st
	r.corrected++
	return *st.LastClockCorrection, nil
}

func (r *fakeRegister) ConfirmClock() {
	r.mu.Lock()
	r.confirmed++
	r.clockJumped = false
	r.mu.Unlock()
}

const fakeJournalMark = "fake journal of "

func (r *fakeRegister) Backup(_ context.Context, _ kkm.Operator, path, password string) (int64, error) {
	r.mu.Lock()
	n := int64(len(r.docs))
	content := fakeJournalMark + password + "\n" + r.reg.Settings.SerialNumber
	r.mu.Unlock()
	return n, os.WriteFile(path, []byte(content), 0o600)
}

func (r *fakeRegister) Restore(_ context.Context, _ kkm.Operator, path, password string) (int64, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	if !strings.HasPrefix(string(b), fakeJournalMark) {
		return 0, fakeRefusal("err.backup.unreadable")
	}
	if !strings.HasPrefix(string(b), fakeJournalMark+password+"\n") {
		return 0, fakeRefusal("err.backup.wrong_password")
	}
	r.mu.Lock()
	r.restored = string(b)
	n := int64(len(r.docs))
	r.mu.Unlock()
	r.notify()
	return n, nil
}

func (r *fakeRegister) CheckIntegrity(context.Context) (int64, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.tampered {
		return 0, fakeRefusal("err.journal.tampered")
	}
	return int64(len(r.docs)), nil
}

func (r *fakeRegister) Cashiers(context.Context) ([]kkm.Cashier, error) {
	p := r.profiles
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]kkm.Cashier(nil), p.cashiers...), nil
}

func (r *fakeRegister) AddCashier(ctx context.Context, by kkm.Operator, f CashierForm) (kkm.Cashier, error) {
	if err := r.Allow(ctx, by, kkm.ActionCashiers); err != nil {
		return kkm.Cashier{}, err
	}
	c := kkm.Cashier{Name: f.Name, Role: f.Role, OperatorCode: f.OperatorCode}
	if err := c.Validate(); err != nil {
		return kkm.Cashier{}, err
	}
	p := r.profiles
	p.mu.Lock()
	defer p.mu.Unlock()
	next := uint32(1)
	for i, e := range p.cashiers {
		next = max(next, e.OperatorCode+1)
		if p.codes[i] == f.Code {
			return kkm.Cashier{}, ErrCashierCodeTaken
		}
		if e.OperatorCode == f.OperatorCode {
			return kkm.Cashier{}, fakeRefusal("err.journal.duplicate_operator_code")
		}
	}
	if c.OperatorCode == 0 {
		c.OperatorCode = next
	}
	c.ID = int64(len(p.cashiers) + 100)
	p.cashiers = append(p.cashiers, c)
	p.codes = append(p.codes, f.Code)
	return c, nil
}

// change applies f to cashier id under the rules of the runtime.
func (r *fakeRegister) change(ctx context.Context, by kkm.Operator, id int64, f func(i, admins int) error) error {
	if err := r.Allow(ctx, by, kkm.ActionCashiers); err != nil {
		return err
	}
	p := r.profiles
	p.mu.Lock()
	defer p.mu.Unlock()
	admins, found := 0, -1
	for i, c := range p.cashiers {
		if c.Role == kkm.RoleAdministrator {
			admins++
		}
		if c.ID == id {
			found = i
		}
	}
	if found < 0 {
		return ErrCashierNotFound
	}
	return f(found, admins)
}

func (r *fakeRegister) SetCashierRole(ctx context.Context, by kkm.Operator, id int64, role kkm.Role) error {
	return r.change(ctx, by, id, func(i, admins int) error {
		c := &r.profiles.cashiers[i]
		if c.Role == kkm.RoleAdministrator && role != kkm.RoleAdministrator && admins <= 1 {
			return ErrLastAdministrator
		}
		c.Role = role
		return nil
	})
}

func (r *fakeRegister) RemoveCashier(ctx context.Context, by kkm.Operator, id int64) error {
	return r.change(ctx, by, id, func(i, admins int) error {
		p := r.profiles
		c := p.cashiers[i]
		if c.OperatorCode == by.Code {
			return ErrCashierSelf
		}
		if c.Role == kkm.RoleAdministrator && admins <= 1 {
			return ErrLastAdministrator
		}
		p.cashiers = append(p.cashiers[:i], p.cashiers[i+1:]...)
		p.codes = append(p.codes[:i], p.codes[i+1:]...)
		return nil
	})
}

// setClock sets the fake's clock-jump refusal.
func (r *fakeRegister) setClockJumped(on bool) {
	r.mu.Lock()
	r.clockJumped = on
	r.mu.Unlock()
}
