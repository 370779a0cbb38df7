package ui

import (
	"context"
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/ekassa-go/ekassa/i18n"
	"github.com/ekassa-go/ekassa/kkm"
)

// settingsScreen is «Настройки»: every setting of the manual, the language, and «Смена токена»
// checked with the OFD.
type settingsScreen struct {
	u         *UI
	tokenOnly bool // opened from a token block: the token comes first
	set       kkm.Settings
	maxSum    string
	token     string
	err       error
	tokenErr  error
	notice    string
	busy      bool
}

func newSettingsScreen(u *UI, tokenOnly bool) *settingsScreen {
	s := &settingsScreen{u: u, tokenOnly: tokenOnly, set: u.ports.Register.Settings()}
	if s.set.MaxReceiptSum > 0 {
		s.maxSum = s.set.MaxReceiptSum.String()
	}
	return s
}

func (s *settingsScreen) view() fyne.CanvasObject {
	u, l := s.u, s.u.loc
	langs := i18n.Langs()
	names := make([]string, len(langs))
	chosen := 0
	for i, lg := range langs {
		names[i] = lg.Name()
		if lg == l.Lang() {
			chosen = i
		}
	}
	token := entry(&s.token, l.T("settings.token.hint"))
	change := widget.NewButton(l.T("settings.token.change"), s.changeToken)
	if s.busy {
		change.Disable()
	}
	tokenBox := container.NewVBox(bold(l.T("settings.token.title")), wrapped(l.T("settings.token.intro")),
		field(l.T("connect.token"), token), change, errorText(l.Error(s.tokenErr)))
	if s.tokenOnly {
		return page(u.header(l.T("settings.token.title"), true), tokenBox)
	}

	info := container.NewVBox(
		wrapped(l.T("connect.system_id")+": "+fmt.Sprint(s.set.SystemID)),
		wrapped(l.T("reg.znm")+": "+s.set.SerialNumber),
		wrapped(l.T("reg.rnm")+": "+s.set.Reg.RNM),
	)
	body := container.NewVBox(
		field(l.T("settings.language"), segmented(names, chosen, func(i int) { u.SetLang(langs[i]) })),
		u.appearanceSection(), // theme and text size (theme_settings.go)
		info,
		field(l.T("settings.register_name"), entry(&s.set.RegisterName, l.T("settings.register_name.hint"))),
		check(&s.set.AutoCashOut, l.T("settings.auto_cash_out"), nil),
		check(&s.set.ReceiptModifiersAllowed, l.T("settings.modifiers"), nil),
		check(&s.set.BuyerIINBINAllowed, l.T("settings.buyer_iin_bin"), nil),
		field(l.T("settings.max_sum"), entry(&s.maxSum, l.T("settings.max_sum.hint"))),
		check(&s.set.VATPayer, l.T("settings.vat_payer"), func() {
			if s.set.VATPayer && !s.set.DefaultVATRate.Taxed() {
				s.set.DefaultVATRate = kkm.VAT16
			}
			u.render()
		}),
	)
	if s.set.VATPayer {
		rates := []kkm.VATRate{kkm.VAT16, kkm.VAT10, kkm.VAT5, kkm.VAT0}
		labels := make([]string, len(rates))
		for i, r := range rates {
			labels[i] = vatName(l, r)
		}
		rate := widget.NewSelect(labels, nil)
		for i, r := range rates {
			if r == s.set.DefaultVATRate {
				rate.SetSelectedIndex(i)
			}
		}
		rate.OnChanged = func(string) { s.set.DefaultVATRate = rates[rate.SelectedIndex()] }
		body.Add(field(l.T("settings.vat_rate"), rate))
		body.Add(field(l.T("settings.vat_series"), entry(&s.set.VATCertificateSeries, "")))
		body.Add(field(l.T("settings.vat_number"), entry(&s.set.VATCertificateNumber, "")))
	}
	body.Add(errorText(l.Error(s.err)))
	if s.notice != "" {
		body.Add(widget.NewLabel(s.notice))
	}
	body.Add(widget.NewSeparator())
	body.Add(tokenBox)
	body.Add(widget.NewSeparator())
	body.Add(u.printerButton())
	body.Add(widget.NewButton(l.T("settings.lock"), u.Lock))
	save := primary(l.T("settings.save"), s.save)
	if s.busy {
		save.Disable()
	}
	return page(u.header(l.T("register.settings"), true), body, save)
}

// save validates and saves the settings.
func (s *settingsScreen) save() {
	u := s.u
	set := s.set
	s.err, s.notice = nil, ""
	set.MaxReceiptSum = 0
	if t := strings.TrimSpace(s.maxSum); t != "" {
		m, err := kkm.ParseMoney(t)
		if err != nil {
			s.err = err
			u.render()
			return
		}
		set.MaxReceiptSum = m
	}
	if set.VATPayer && !set.DefaultVATRate.Taxed() {
		set.DefaultVATRate = kkm.VAT16
	}
	if !set.VATPayer {
		set.DefaultVATRate = kkm.VATNone
	}
	s.busy = true
	u.render()
	u.background(func(ctx context.Context) func() {
		err := u.ports.Register.SaveSettings(ctx, set)
		st := u.ports.Register.Status()
		return func() {
			s.busy = false
			s.err = err
			if err == nil {
				s.set = set
				s.notice = u.loc.T("settings.saved")
			}
			u.setStatus(st)
			u.render()
		}
	})
}

// changeToken checks the new token with the OFD and saves it.
func (s *settingsScreen) changeToken() {
	u := s.u
	tok, ok := parseUint32(s.token)
	s.tokenErr, s.notice = nil, ""
	if !ok {
		s.tokenErr = ErrToken
		u.render()
		return
	}
	s.busy = true
	u.render()
	u.background(func(ctx context.Context) func() {
		err := u.ports.Register.ChangeToken(ctx, tok)
		st := u.ports.Register.Status()
		return func() {
			s.busy = false
			s.tokenErr = err
			u.setStatus(st)
			if err != nil {
				u.render()
				return
			}
			s.token = ""
			s.set.Token = tok
			u.home()
		}
	})
}
