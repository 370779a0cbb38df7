package ui

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/ekassa-go/ekassa/i18n"
	"github.com/ekassa-go/ekassa/kkm"
)

// settingsScreen is «Настройки»: every setting of the manual, the language, and «Смена токена»
// checked with the OFD. The cashier's own things (language, appearance, printer, lock) are
// everyone's; the register's settings with the owner's permissions and the auto-lock, the token
// and the journal's backup are for the roles the owner allows, asked when the screen opens.
type settingsScreen struct {
	u         *UI
	tokenOnly bool // opened from a token block: the token comes first
	set       kkm.Settings
	maxSum    string
	lat, lon  string // the trading point's coordinates as typed, decimal degrees
	token     string
	err       error
	tokenErr  error
	notice    string
	busy      bool
	pointErr  error // the coordinates' refusal, under them

	// What a save scrolls into view (reveal): its refusal, or the notice that it was saved.
	scroll                   *container.Scroll
	errL, noticeL, pointErrL *msgLabel

	checked bool                 // the permissions below have been asked
	denied  map[kkm.Action]error // the refusals of the actions the cashier may not do
	journal *journalCare         // «Журнал кассы»
}

func newSettingsScreen(u *UI, tokenOnly bool) *settingsScreen {
	s := &settingsScreen{u: u, tokenOnly: tokenOnly, set: u.ports.Settings.Settings()}
	if s.set.MaxReceiptSum > 0 {
		s.maxSum = s.set.MaxReceiptSum.String()
	}
	if p := s.set.TradingPoint; p != nil {
		s.lat, s.lon = kkm.FormatCoordinate(p.Latitude), kkm.FormatCoordinate(p.Longitude)
	}
	// The permissions are edited here: a copy, not the register's map.
	perms := kkm.Permissions{}
	for _, a := range kkm.Actions() {
		perms[a] = s.set.Permissions.Least(a)
	}
	s.set.Permissions = perms
	s.journal = &journalCare{u: u, files: dialogFiles{win: u.win, loc: u.loc}}
	s.checkAccess()
	return s
}

// checkAccess asks which of the screen's restricted parts the cashier may use.
func (s *settingsScreen) checkAccess() {
	u, access := s.u, s.u.ports.Access
	if access == nil {
		s.checked = true
		return
	}
	by := u.cashier.Operator()
	u.background(func(ctx context.Context) func() {
		denied := map[kkm.Action]error{}
		for _, a := range []kkm.Action{kkm.ActionSettings, kkm.ActionChangeToken} {
			if err := access.Allow(ctx, by, a); err != nil {
				denied[a] = err
			}
		}
		return func() {
			s.checked, s.denied = true, denied
			if u.current == s {
				u.render()
			}
		}
	})
}

// may reports whether the cashier may do a here (known once the permissions are asked).
func (s *settingsScreen) may(a kkm.Action) bool { return s.checked && s.denied[a] == nil }

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
	token := wholeEntry(&s.token, l.T("settings.token.hint"))
	change := widget.NewButton(l.T("settings.token.change"), s.changeToken)
	if s.busy {
		change.Disable()
	}
	tokenBox := container.NewVBox(bold(l.T("settings.token.title")), wrapped(l.T("settings.token.intro")),
		field(l.T("connect.token"), token), change, errorText(l.Error(s.tokenErr)))
	if !s.may(kkm.ActionChangeToken) {
		tokenBox = container.NewVBox(bold(l.T("settings.token.title")), errorText(l.Error(s.denied[kkm.ActionChangeToken])))
	}
	if s.tokenOnly {
		return page(u.header(l.T("settings.token.title"), true), tokenBox)
	}

	info := container.NewVBox(
		wrapped(l.T("connect.system_id")+": "+fmt.Sprint(s.set.SystemID)),
		wrapped(l.T("reg.znm")+": "+s.set.SerialNumber),
		wrapped(l.T("reg.rnm")+": "+s.set.Reg.RNM),
		wrapped(u.tokenLine(s.set.Token)),
	)
	// The register's OFD, as its receipts name it, and where buyers check them.
	if t := s.set.OFDTitle(); t != "" {
		info.Add(wrapped(l.T("settings.ofd", map[string]any{"OFD": t})))
	}
	site := strings.TrimPrefix(strings.TrimPrefix(s.set.CheckSite(), "https://"), "http://")
	info.Add(wrapped(l.T("connect.check_site", map[string]any{"Site": strings.TrimRight(site, "/")})))
	body := container.NewVBox(
		field(l.T("settings.language"), segmented(names, chosen, func(i int) { u.SetLang(langs[i]) })),
		u.appearanceSection(), // theme and text size (theme_settings.go)
		info,
	)
	owner := container.NewVBox(
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
		owner.Add(field(l.T("settings.vat_number"), entry(&s.set.VATCertificateNumber, "")))
	}
	owner.Add(s.simpleItemView())
	owner.Add(s.tradingPointView())
	owner.Add(s.accessView())
	owner.Add(s.scaleView())
	if s.may(kkm.ActionSettings) {
		body.Add(owner)
	} else if s.checked {
		body.Add(errorText(l.Error(s.denied[kkm.ActionSettings])))
	}
	s.errL = errorText(l.Error(s.err))
	body.Add(s.errL)
	s.noticeL = nil
	if s.notice != "" {
		s.noticeL = wrapped(s.notice)
		body.Add(s.noticeL)
	}
	body.Add(widget.NewSeparator())
	body.Add(tokenBox)
	body.Add(widget.NewSeparator())
	if u.ports.Cashiers != nil {
		body.Add(widget.NewButtonWithIcon(l.T("cashiers.title"), theme.AccountIcon(), u.openCashiers))
	}
	if u.ports.JournalCare != nil {
		body.Add(s.journal.view(s.may(kkm.ActionSettings)))
	}
	if u.ports.Cashiers != nil || u.ports.JournalCare != nil {
		body.Add(widget.NewSeparator())
	}
	if u.ports.PriceLists != nil {
		body.Add(widget.NewButtonWithIcon(u.loc.T("pricelist.title"), theme.UploadIcon(), u.OpenPriceLists))
	}
	if u.ports.Owner != nil && u.cashier.Role == kkm.RoleAdministrator {
		body.Add(widget.NewButtonWithIcon(l.T("owner.title"), theme.HomeIcon(), func() { u.OpenOwner(u.ports.Owner) }))
	}
	body.Add(u.printerButton())
	body.Add(widget.NewButton(l.T("settings.lock"), u.Lock))
	if u.status.Demo && u.ports.DemoReset != nil { // the demo is kept between runs; this starts it over
		body.Add(widget.NewButton(l.T("demo.reset"), func() {
			u.confirm("demo.reset", "demo.reset.text", "demo.reset.ok", u.ports.DemoReset)
		}))
	}
	save := primary(l.T("settings.save"), s.save)
	if s.busy {
		save.Disable()
	}
	if !s.may(kkm.ActionSettings) {
		save.Hide()
	}
	// Drawn anew (a save, a box ticked), the page stays where the owner was in it: a long page
	// that jumps to its top loses the field being edited (walker F1).
	prev := s.scroll
	var pg fyne.CanvasObject
	pg, s.scroll = scrolledPage(u.header(l.T("register.settings"), true), body, save)
	if prev != nil {
		s.scroll.Offset = prev.Offset
	}
	return pg
}

// simpleItemView is the free-price item simple mode's lines carry (issue 14.3): its name as in
// the НКТ and its NTIN, both optional.
func (s *settingsScreen) simpleItemView() fyne.CanvasObject {
	l := s.u.loc
	title := bold(l.T("settings.simple_item"))
	title.Wrapping = fyne.TextWrapWord
	return container.NewVBox(
		title,
		wrapped(l.T("settings.simple_item.intro")),
		field(l.T("settings.simple_item.name"), entry(&s.set.SimpleItem.Name, l.T("settings.simple_item.hint"))),
		container.NewVBox(wrapped(l.T("item.ntin")),
			wholeEntry(&s.set.SimpleItem.NTIN, l.T("item.ntin.hint", map[string]any{"Max": kkm.MaxNTINLength}))),
	)
}

// tradingPointView is the trading point's coordinates: what every document sends the OFD as the
// register's position when the phone gives none (protocol 2.0.3, security_stats.geo_position).
func (s *settingsScreen) tradingPointView() fyne.CanvasObject {
	l := s.u.loc
	title := bold(l.T("settings.geo.title"))
	title.Wrapping = fyne.TextWrapWord           // long in Kazakh at the largest text size
	s.pointErrL = errorText(l.Error(s.pointErr)) // next to the coordinates it is about (walker F1)
	return container.NewVBox(
		title,
		wrapped(l.T("settings.geo.hint")),
		field(l.T("settings.geo.latitude"), entry(&s.lat, "43.238949")),
		field(l.T("settings.geo.longitude"), entry(&s.lon, "76.889709")),
		s.pointErrL,
	)
}

// tradingPoint reads the typed coordinates: none when both are empty, else both, each decimal
// degrees, together a point in Kazakhstan.
func (s *settingsScreen) tradingPoint() (*kkm.GeoPosition, error) {
	lat, lon := strings.TrimSpace(s.lat), strings.TrimSpace(s.lon)
	if lat == "" && lon == "" {
		return nil, nil
	}
	p := kkm.GeoPosition{Source: kkm.GeoSourceTradingPoint}
	var err error
	if p.Latitude, err = kkm.ParseCoordinate(lat); err != nil {
		return nil, err
	}
	if p.Longitude, err = kkm.ParseCoordinate(lon); err != nil {
		return nil, err
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	return &p, nil
}

// accessView is the owner's permissions (the least role for each restricted action) and the
// auto-lock's idle time.
func (s *settingsScreen) accessView() fyne.CanvasObject {
	l := s.u.loc
	box := container.NewVBox(bold(l.T("settings.permissions")), wrapped(l.T("settings.permissions.intro")))
	for _, a := range kkm.Actions() {
		box.Add(field(l.T(permissionIDs()[a]), roleSelect(l, s.set.Permissions.Least(a), func(r kkm.Role) {
			s.set.Permissions[a] = r
		})))
	}
	choices := autoLockChoices()
	if cur := s.set.AutoLockAfter; !slices.Contains(choices, cur) {
		choices = append(choices, cur) // an idle time set elsewhere (an import) stays choosable
	}
	names := make([]string, len(choices))
	for i, d := range choices {
		names[i] = autoLockName(l, d)
	}
	idle := widget.NewSelect(names, nil)
	idle.SetSelectedIndex(slices.Index(choices, s.set.AutoLockAfter))
	idle.OnChanged = func(string) {
		if i := idle.SelectedIndex(); i >= 0 {
			s.set.AutoLockAfter = choices[i]
		}
	}
	box.Add(field(l.T("settings.autolock"), idle))
	return box
}

// save validates and saves the settings.
func (s *settingsScreen) save() {
	u := s.u
	set := s.set
	s.err, s.pointErr, s.notice = nil, nil, ""
	set.MaxReceiptSum = 0
	if t := strings.TrimSpace(s.maxSum); t != "" {
		m, err := kkm.ParseMoney(t)
		if err != nil {
			s.err = err
			u.render()
			reveal(s.scroll, s.errL)
			return
		}
		set.MaxReceiptSum = m
	}
	point, err := s.tradingPoint()
	if err != nil {
		s.pointErr = err
		u.render()
		reveal(s.scroll, s.pointErrL)
		return
	}
	set.TradingPoint = point
	if err := set.ScaleLabels.Validate(); err != nil { // a prefix in two layouts: said before saving
		s.err = err
		u.render()
		reveal(s.scroll, s.errL)
		return
	}
	set.SimpleItem.Name, set.SimpleItem.NTIN = strings.TrimSpace(set.SimpleItem.Name), strings.TrimSpace(set.SimpleItem.NTIN)
	if set.VATPayer && !set.DefaultVATRate.Taxed() {
		set.DefaultVATRate = kkm.VAT16
	}
	if !set.VATPayer {
		set.DefaultVATRate = kkm.VATNone
	}
	s.busy = true
	u.render()
	by := u.cashier.Operator()
	u.background(func(ctx context.Context) func() {
		err := u.ports.Settings.SaveSettings(ctx, by, set)
		st := u.ports.Status.Status()
		return func() {
			s.busy = false
			s.err = err
			if err == nil {
				s.set = set
				s.notice = u.loc.T("settings.saved")
			}
			u.setStatus(st)
			u.render()
			// The screen is drawn anew from its top: what the save did is scrolled into view.
			if u.current == s {
				reveal(s.scroll, s.errL, s.noticeL)
			}
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
	by := u.cashier.Operator()
	u.background(func(ctx context.Context) func() {
		err := u.ports.Settings.ChangeToken(ctx, by, tok)
		st := u.ports.Status.Status()
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
