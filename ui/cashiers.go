package ui

import (
	"context"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/ekassa-go/ekassa/kkm"
)

// cashiersScreen is «Кассиры», the administrator's list of the device's cashiers: each with
// their role (changed in place) and operator code, removed after a confirmation, and
// «Добавить кассира». It opens only for those the owner allows (kkm.ActionCashiers).
type cashiersScreen struct {
	u        *UI
	cashiers []kkm.Cashier
	err      error
	notice   string
	busy     bool
}

func newCashiersScreen(u *UI) *cashiersScreen {
	s := &cashiersScreen{u: u}
	s.load()
	return s
}

// openCashiers opens «Кассиры» when the cashier at work may manage cashiers.
func (u *UI) openCashiers() {
	u.allowThen(kkm.ActionCashiers, func() { u.open(newCashiersScreen(u)) })
}

// load reads the cashiers.
func (s *cashiersScreen) load() {
	u, cashierAdmin := s.u, s.u.ports.Cashiers
	if cashierAdmin == nil {
		return
	}
	s.busy = true
	u.background(func(ctx context.Context) func() {
		cs, err := cashierAdmin.Cashiers(ctx)
		return func() {
			s.busy = false
			s.cashiers = cs
			if err != nil {
				s.err = err
			}
			if u.current == s {
				u.render()
			}
		}
	})
}

func (s *cashiersScreen) view() fyne.CanvasObject {
	u, l := s.u, s.u.loc
	body := container.NewVBox()
	for _, c := range s.cashiers {
		body.Add(s.row(c))
		body.Add(widget.NewSeparator())
	}
	notice := wrapped(s.notice)
	if s.notice == "" {
		notice.Hide()
	}
	body.Add(notice)
	body.Add(errorText(l.Error(s.err)))
	add := primary(l.T("cashiers.add"), func() { u.open(newCashierFormScreen(u, s)) })
	if s.busy {
		add.Disable()
	}
	return page(u.header(l.T("cashiers.title"), true), body, add)
}

// row is one cashier: the name, the role menu and the operator code, and the remove button (not
// on the cashier's own row: no one removes themselves while at work).
func (s *cashiersScreen) row(c kkm.Cashier) fyne.CanvasObject {
	u, l := s.u, s.u.loc
	name := bold(c.Name)
	name.Wrapping = fyne.TextWrapWord // a long name wraps at words, never cut
	role := roleSelect(l, c.Role, func(r kkm.Role) {
		if r != c.Role {
			s.setRole(c, r)
		}
	})
	if s.busy {
		role.Disable()
	}
	code := widget.NewLabel(l.T("cashiers.operator_code.short", map[string]any{"Code": c.OperatorCode}))
	var remove fyne.CanvasObject
	if c.OperatorCode != u.cashier.OperatorCode {
		b := widget.NewButtonWithIcon("", theme.DeleteIcon(), func() { s.remove(c) })
		if s.busy {
			b.Disable()
		}
		remove = b
	}
	return container.NewVBox(name, container.NewBorder(nil, nil, nil, remove, container.NewGridWithColumns(2, role, code)))
}

// setRole gives a cashier another role; the administrator's own role follows at once.
func (s *cashiersScreen) setRole(c kkm.Cashier, r kkm.Role) {
	u, cashierAdmin := s.u, s.u.ports.Cashiers
	by := u.cashier.Operator()
	s.busy, s.err, s.notice = true, nil, ""
	u.background(func(ctx context.Context) func() {
		err := cashierAdmin.SetCashierRole(ctx, by, c.ID, r)
		return func() {
			s.busy = false
			s.err = err
			if err == nil {
				s.notice = u.loc.T("cashiers.role_changed", map[string]any{"Name": c.Name, "Role": roleName(u.loc, r)})
				if c.OperatorCode == u.cashier.OperatorCode {
					u.cashier.Role = r
				}
			}
			s.load()
			u.render()
		}
	})
}

// remove asks to confirm and removes a cashier.
func (s *cashiersScreen) remove(c kkm.Cashier) {
	u, cashierAdmin := s.u, s.u.ports.Cashiers
	by := u.cashier.Operator()
	u.confirmText("cashiers.remove", u.loc.T("cashiers.remove.confirm", map[string]any{"Name": c.Name}), "cashiers.remove", func() {
		s.busy, s.err, s.notice = true, nil, ""
		u.background(func(ctx context.Context) func() {
			err := cashierAdmin.RemoveCashier(ctx, by, c.ID)
			return func() {
				s.busy = false
				s.err = err
				if err == nil {
					s.notice = u.loc.T("cashiers.removed", map[string]any{"Name": c.Name})
				}
				s.load()
				u.render()
			}
		})
	})
}

// cashierFormScreen is «Новый кассир»: the name, the role, the operator code the OFD will know
// them by (the next free one when left empty) and the quick-access code typed twice.
type cashierFormScreen struct {
	u        *UI
	list     *cashiersScreen
	name     string
	role     kkm.Role
	operator string
	code     string
	again    string
	err      error
	busy     bool
}

func newCashierFormScreen(u *UI, list *cashiersScreen) *cashierFormScreen {
	return &cashierFormScreen{u: u, list: list, role: kkm.RoleCashier}
}

func (s *cashierFormScreen) view() fyne.CanvasObject {
	u, l := s.u, s.u.loc
	body := container.NewVBox(
		field(l.T("profile.name"), entry(&s.name, l.T("profile.name.hint"))),
		field(l.T("cashiers.role"), roleSelect(l, s.role, func(r kkm.Role) { s.role = r })),
		field(l.T("cashiers.operator_code"), entry(&s.operator, l.T("cashiers.operator_code.hint"))),
		field(l.T("profile.code"), secret(&s.code, l.T("profile.code.hint"))),
		field(l.T("profile.code_again"), secret(&s.again, l.T("profile.code_again.hint"))),
		wrapped(l.T("cashiers.code.note")),
		errorText(l.Error(s.err)),
	)
	save := primary(l.T("cashiers.add.save"), s.save)
	if s.busy {
		save.Disable()
	}
	return page(u.header(l.T("cashiers.add"), true), body, save)
}

// save checks the form and adds the cashier; the list shows them after.
func (s *cashierFormScreen) save() {
	u, cashierAdmin := s.u, s.u.ports.Cashiers
	f := CashierForm{Name: strings.TrimSpace(s.name), Role: s.role, Code: s.code}
	s.err = nil
	if t := strings.TrimSpace(s.operator); t != "" {
		n, ok := parseUint32(t)
		if !ok || n == 0 {
			s.err = ErrOperatorCode
		}
		f.OperatorCode = n
	}
	switch {
	case s.err != nil:
	case !validCode(s.code):
		s.err = ErrCodeFormat
	case s.code != s.again:
		s.err = ErrCodeMismatch
	}
	if s.err != nil {
		u.render()
		return
	}
	by := u.cashier.Operator()
	s.busy = true
	u.render()
	u.background(func(ctx context.Context) func() {
		c, err := cashierAdmin.AddCashier(ctx, by, f)
		return func() {
			s.busy = false
			s.err = err
			if err != nil {
				u.render()
				return
			}
			s.list.notice = u.loc.T("cashiers.added", map[string]any{"Name": c.Name})
			s.list.err = nil
			s.list.load()
			u.back()
		}
	})
}
