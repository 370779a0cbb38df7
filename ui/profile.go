package ui

import (
	"context"
	"errors"
	"net/mail"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/ekassa-go/ekassa/i18n"
	"github.com/ekassa-go/ekassa/kkm"
)

// firstStartScreen is the first start: the language, then the cashier's profile with the
// quick-access code entered twice.
type firstStartScreen struct {
	u       *UI
	profile bool // the language is chosen: show the profile form
	name    string
	email   string
	code    string
	again   string
	err     error
	busy    bool
}

func newFirstStartScreen(u *UI) *firstStartScreen { return &firstStartScreen{u: u} }

func (s *firstStartScreen) view() fyne.CanvasObject {
	u, l := s.u, s.u.loc
	if !s.profile {
		langs := i18n.Langs()
		names := make([]string, len(langs))
		chosen := 0
		for i, lg := range langs {
			names[i] = lg.Name()
			if lg == l.Lang() {
				chosen = i
			}
		}
		title := widget.NewLabelWithStyle(l.T("app.name"), fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
		body := container.NewVBox(title, wrapped(l.T("first.welcome")), widget.NewLabel(l.T("first.language")),
			segmented(names, chosen, func(i int) { u.SetLang(langs[i]) }))
		return page(nil, body, primary(l.T("first.register"), func() { s.profile = true; u.render() }))
	}
	body := container.NewVBox(
		field(l.T("profile.name"), entry(&s.name, l.T("profile.name.hint"))),
		field(l.T("profile.email"), entry(&s.email, l.T("profile.email.hint"))),
		field(l.T("profile.code"), secret(&s.code, l.T("profile.code.hint"))),
		field(l.T("profile.code_again"), secret(&s.again, l.T("profile.code_again.hint"))),
		wrapped(l.T("profile.code.note")),
		errorText(l.Error(s.err)),
	)
	back := widget.NewButton(l.T("button.back"), func() { s.profile = false; u.render() })
	save := primary(l.T("profile.continue"), s.create)
	if s.busy {
		save.Disable()
	}
	return page(u.header(l.T("profile.title"), false), body, save, back)
}

// validCode reports whether a quick-access code is 4–6 digits.
func validCode(c string) bool {
	if len(c) < 4 || len(c) > 6 {
		return false
	}
	for _, r := range c {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// create checks the form and creates the cashier.
func (s *firstStartScreen) create() {
	u := s.u
	p := NewCashier{Name: strings.TrimSpace(s.name), Email: strings.TrimSpace(s.email), Code: s.code}
	s.err = nil
	switch {
	case p.Name == "":
		s.err = kkm.ErrCashierName
	case p.Email != "" && !validEmail(p.Email):
		s.err = ErrEmailFormat
	case !validCode(p.Code):
		s.err = ErrCodeFormat
	case p.Code != s.again:
		s.err = ErrCodeMismatch
	}
	if s.err != nil {
		u.render()
		return
	}
	s.busy = true
	u.render()
	u.background(func(ctx context.Context) func() {
		c, err := u.ports.Profiles.CreateCashier(ctx, p)
		return func() {
			s.busy = false
			if err != nil {
				s.err = err
				u.render()
				return
			}
			s.code, s.again = "", ""
			u.unlock(c, nil)
		}
	})
}

// validEmail reports whether s is a bare e-mail address.
func validEmail(s string) bool {
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s && strings.Contains(s[strings.LastIndex(s, "@"):], ".")
}

// lockScreen asks for the quick-access code on every start and every return from the
// background. After wrong codes it makes the cashier wait, longer each time.
type lockScreen struct {
	u     *UI
	back  screen // where the app was when it locked
	code  string
	err   error
	until time.Time // no try before this moment
	busy  bool
	entry *numberEntry // the code's field as last shown
}

// field is the code's field, focused as the screen shows (focuser).
func (s *lockScreen) field() fyne.Focusable {
	if s.entry == nil {
		return nil
	}
	return s.entry
}

func newLockScreen(u *UI, back screen) *lockScreen { return &lockScreen{u: u, back: back} }

func (s *lockScreen) view() fyne.CanvasObject {
	u, l := s.u, s.u.loc
	code := secret(&s.code, l.T("lock.code.hint"))
	enter := primary(l.T("lock.enter"), s.check)
	code.OnSubmitted = func(string) { s.check() }
	s.entry = code
	if s.busy || time.Now().Before(s.until) {
		enter.Disable()
	}
	langs := i18n.Langs()
	names := make([]string, len(langs))
	chosen := 0
	for i, lg := range langs {
		names[i] = lg.Name()
		if lg == l.Lang() {
			chosen = i
		}
	}
	title := widget.NewLabelWithStyle(l.T("app.name"), fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	errLabel := errorText(l.Error(s.err))
	// The code is typed on the PIN pad (a phone, where the mobile simulation gives a field no
	// hardware key at all) or on the keyboard into the field.
	pad := u.pinPad(func() string { return s.code }, func(c string) {
		code.SetText(c) // through the binding into s.code
		errLabel.Hide() // the next try is under way: the last error is stale
	})
	// The error takes a place of its own, kept when it is hidden: the first digit of the retry
	// hides it, and the PIN pad must not jump up under the finger typing the next digits.
	body := container.NewVBox(title, widget.NewLabel(l.T("lock.prompt")), code, messageSlot(errLabel, 2), s.demoHint(), pad)
	return page(segmented(names, chosen, func(i int) { u.SetLang(langs[i]) }), body, enter)
}

// check sends the code to the profiles.
func (s *lockScreen) check() {
	u := s.u
	if s.busy || time.Now().Before(s.until) {
		return
	}
	code := s.code
	s.busy = true
	u.render()
	u.background(func(ctx context.Context) func() {
		c, err := u.ports.Profiles.CheckCode(ctx, code)
		return func() {
			s.busy = false
			s.code = ""
			if err == nil {
				s.err = nil
				u.unlock(c, s.back)
				return
			}
			s.err = err
			var wc *WrongCodeError
			if errors.As(err, &wc) && wc.Wait > 0 {
				s.until = time.Now().Add(wc.Wait)
				time.AfterFunc(wc.Wait, func() {
					fyne.Do(func() {
						if u.current == s {
							u.render()
						}
					})
				})
			}
			u.render()
		}
	})
}
