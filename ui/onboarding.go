package ui

import (
	"context"
	"errors"
	"io"
	"net/mail"
	"regexp"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/ekassa-go/ekassa/kkm"
)

// onboardingScreen is «Кабинет владельца» (issue 18 item 6): the E-kassa manual's steps 1–6 on the
// owner's hub. Until signed in it asks for the hub and an e-mail, then the code mailed to it (a
// demo hub hands the code back and the screen shows it); confirmed, the credential is kept as the
// owner mode keeps it, and the cabinet's three tabs follow: the organization (bound by choosing
// the ЭЦП's .p12 and typing its password: the phone signs the hub's challenge, the key stays on
// it), the trading points, and the registers with their status, asked anew every few seconds
// while shown. A registered register's system ID and token fill «Подключить кассу» on this phone
// or are shown, with a QR code, for another. Every refusal stands under the field it is about and
// keeps what was typed.
type onboardingScreen struct {
	u       *UI
	started bool // its background work is started (start)
	port    Onboarding
	cab     OwnerCabinet // nil until confirmed or resumed

	// The account form.
	address, email, code string
	certPEM              []byte
	certName             string
	codeSent             bool
	demoCode             string

	// The cabinet.
	tab       int
	org       CabinetOrganization
	loaded    bool // org, tps and regs are the hub's
	tps       []CabinetTradePoint
	regs      []CabinetRegister
	refreshed time.Time // when the registers were last asked of the OFD's cabinet

	// The binding form; the key file's bytes stay on the phone (the port signs with them).
	iinBin, orgName, legal, password string
	keyFile                          []byte
	keyName                          string

	errs  map[string]error // the refusals by field; "" is the form's own
	busy  bool
	every time.Duration // the registers' refresh while shown; 0: only on demand
	ticks int           // bumped per tick schedule, so that one ticker runs at a time
}

// The cabinet's tabs.
const (
	cabinetTabOrganization = iota
	cabinetTabTradePoints
	cabinetTabRegisters
)

var cabinetTabIDs = [...]string{"onboarding.tab.organization", "onboarding.tab.trade_points", "onboarding.tab.registers"}

// cabinetRefreshEvery is how often the registers' status is asked anew while the tab is shown.
const cabinetRefreshEvery = 5 * time.Second

// OpenOnboarding shows «Кабинет владельца» (the start page's «Я владелец», the owner mode's
// «Кабинет: организация и кассы»).
func (u *UI) OpenOnboarding(port Onboarding) {
	u.open(newOnboardingScreen(u, port, cabinetRefreshEvery))
}

func newOnboardingScreen(u *UI, port Onboarding, every time.Duration) *onboardingScreen {
	return &onboardingScreen{u: u, port: port, every: every, errs: map[string]error{}, busy: true}
}

// start asks the hub for the owner's cabinet in the background once the screen is shown (starter).
func (s *onboardingScreen) start() {
	if s.started {
		return
	}
	s.started = true
	u, port := s.u, s.port
	u.background(func(ctx context.Context) func() {
		cab, err := port.Resume(ctx)
		return func() {
			s.busy = false
			if cab != nil {
				s.cab = cab
				s.load()
				return
			}
			s.errs[""] = err
			s.refresh()
		}
	})
}

// refresh draws the screen again when it is still the one shown.
func (s *onboardingScreen) refresh() {
	if s.u.current == s {
		s.u.render()
	}
}

// fail puts err under the field it is about and draws the screen.
func (s *onboardingScreen) fail(err error) {
	s.errs[onboardingField(err)] = err
	s.refresh()
}

// onboardingField is the field a refusal is about ("" for the form as a whole).
func onboardingField(err error) string {
	var r Refusal
	if errors.As(err, &r) {
		switch r {
		case ErrOwnerAddress:
			return "address"
		case ErrOwnerCert:
			return "cert"
		case ErrCabinetEmail:
			return "email"
		case ErrCabinetCodeFormat, ErrCabinetCodeWrong, ErrCabinetCodeAttempts:
			return "code"
		case ErrCabinetKeyFile, ErrCabinetKeyKind, ErrCabinetCertExpired, ErrCabinetCertTrust, ErrCabinetSignature:
			return "key"
		case ErrCabinetKeyPassword:
			return "password"
		case ErrCabinetCertOrg:
			return "iinbin"
		case ErrCabinetSerialTaken:
			return "serial"
		case ErrCabinetYear:
			return "year"
		}
	}
	var k *kkm.Error
	if errors.As(err, &k) {
		return "iinbin"
	}
	return ""
}

// field is a labelled input with its refusal under it.
func (s *onboardingScreen) field(labelID string, input fyne.CanvasObject, key string) fyne.CanvasObject {
	return fieldWithError(s.u, labelID, input, s.errs[key])
}

// fieldWithError is a labelled input with err, translated, under it.
func fieldWithError(u *UI, labelID string, input fyne.CanvasObject, err error) fyne.CanvasObject {
	return container.NewVBox(widget.NewLabel(u.loc.T(labelID)), input, errorText(u.loc.Error(err)))
}

func (s *onboardingScreen) view() fyne.CanvasObject {
	u, l := s.u, s.u.loc
	head := u.header(l.T("onboarding.title"), true)
	if s.cab == nil {
		if s.codeSent {
			return s.codeView(head)
		}
		return s.accountView(head)
	}
	tabs := make([]string, len(cabinetTabIDs))
	for i, id := range cabinetTabIDs {
		tabs[i] = l.T(id)
	}
	body := container.NewVBox(segmented(tabs, s.tab, func(i int) {
		s.tab, s.errs = i, map[string]error{}
		u.render()
		s.tick()
	}))
	if s.busy {
		body.Add(widget.NewProgressBarInfinite())
	}
	body.Add(errorText(l.Error(s.errs[""])))
	if !s.loaded {
		return twoPass(page(head, body))
	}
	switch s.tab {
	case cabinetTabOrganization:
		return s.organizationView(head, body)
	case cabinetTabTradePoints:
		return s.tradePointsView(head, body)
	}
	return s.registersView(head, body)
}

// accountView is step 1: the hub and the e-mail.
func (s *onboardingScreen) accountView(head fyne.CanvasObject) fyne.CanvasObject {
	l := s.u.loc
	cert := l.T("owner.cert.none")
	if s.certName != "" {
		cert = s.certName
	}
	email := entry(&s.email, "name@example.kz")
	body := container.NewVBox(wrapped(l.T("onboarding.intro")),
		s.field("owner.address", entry(&s.address, "https://…"), "address"),
		s.field("owner.cert", container.NewVBox(wrapped(cert),
			widget.NewButtonWithIcon(l.T("owner.cert.choose"), theme.FolderOpenIcon(), s.chooseCert)), "cert"),
		s.field("onboarding.email", email, "email"),
		errorText(l.Error(s.errs[""])))
	send := primary(l.T("onboarding.send_code"), s.signUp)
	if s.busy {
		send.Disable()
		body.Add(widget.NewProgressBarInfinite())
	}
	return twoPass(page(head, body, send))
}

// codeView is step 1's code.
func (s *onboardingScreen) codeView(head fyne.CanvasObject) fyne.CanvasObject {
	u, l := s.u, s.u.loc
	body := container.NewVBox(wrapped(l.T("onboarding.code.sent", map[string]any{"Email": s.email})))
	if s.demoCode != "" {
		body.Add(bold(l.T("onboarding.code.demo", map[string]any{"Code": s.demoCode})))
	}
	body.Add(s.field("onboarding.code", wholeEntry(&s.code, "000000"), "code"))
	body.Add(errorText(l.Error(s.errs[""])))
	confirm := primary(l.T("onboarding.confirm"), s.confirm)
	again := widget.NewButton(l.T("onboarding.code.again"), s.signUp)
	other := widget.NewButton(l.T("onboarding.code.other_email"), func() {
		s.codeSent, s.code, s.demoCode, s.errs = false, "", "", map[string]error{}
		u.render()
	})
	if s.busy {
		confirm.Disable()
		again.Disable()
		body.Add(widget.NewProgressBarInfinite())
	}
	return twoPass(page(head, body, confirm, again, other))
}

// chooseCert asks for the hub's certificate, as the owner's sign-in does.
func (s *onboardingScreen) chooseCert() {
	s.u.chooseFile(func(name string, r io.ReadCloser) {
		pem, err := readHubCert(r)
		s.errs["cert"] = err
		if err == nil {
			s.certPEM, s.certName = pem, name
		}
		s.refresh()
	})
}

// hubAddress checks the hub's address typed.
func (s *onboardingScreen) hubAddress() (HubAddress, bool) {
	address := strings.TrimSpace(s.address)
	if !strings.HasPrefix(address, "https://") || len(address) <= len("https://") {
		s.errs["address"] = ErrOwnerAddress
		return HubAddress{}, false
	}
	return HubAddress{Address: address, CertPEM: s.certPEM}, true
}

// signUp asks for a code.
func (s *onboardingScreen) signUp() {
	s.errs = map[string]error{}
	at, ok := s.hubAddress()
	email := strings.TrimSpace(s.email)
	if a, err := mail.ParseAddress(email); err != nil || a.Address != email {
		s.errs["email"] = ErrCabinetEmail
		ok = false
	}
	if !ok {
		s.u.render()
		return
	}
	s.busy = true
	s.u.render()
	s.u.background(func(ctx context.Context) func() {
		code, err := s.port.SignUp(ctx, at, email)
		return func() {
			s.busy = false
			if err != nil {
				s.fail(err)
				return
			}
			s.codeSent, s.demoCode, s.code = true, code, ""
			s.refresh()
		}
	})
}

// sixDigits is a confirmation code's shape.
var sixDigits = regexp.MustCompile(`^[0-9]{6}$`)

// confirm checks the code; the cabinet opens.
func (s *onboardingScreen) confirm() {
	s.errs = map[string]error{}
	code := strings.ReplaceAll(strings.TrimSpace(s.code), " ", "")
	at, ok := s.hubAddress()
	if !sixDigits.MatchString(code) {
		s.errs["code"] = ErrCabinetCodeFormat
		ok = false
	}
	if !ok {
		s.u.render()
		return
	}
	email := strings.TrimSpace(s.email)
	s.busy = true
	s.u.render()
	s.u.background(func(ctx context.Context) func() {
		cab, err := s.port.Confirm(ctx, at, email, code)
		return func() {
			s.busy = false
			if err != nil {
				s.fail(err)
				return
			}
			s.cab, s.code, s.demoCode = cab, "", ""
			s.load()
		}
	})
}

// load reads the organization, its trading points and registers.
func (s *onboardingScreen) load() {
	cab := s.cab
	s.busy = true
	s.refresh()
	s.u.background(func(ctx context.Context) func() {
		org, err := cab.Organization(ctx)
		var regs []CabinetRegister
		if err == nil {
			regs, err = cab.Registers(ctx)
		}
		return func() {
			s.busy = false
			if err != nil {
				s.fail(err)
				return
			}
			s.org, s.tps, s.regs, s.loaded = org, org.TradePoints, regs, true
			if org.Bound() && s.tab == cabinetTabOrganization && len(s.tps) > 0 {
				s.tab = cabinetTabRegisters // a returning owner comes for the registers
			}
			if s.iinBin == "" {
				s.iinBin = org.IINBIN
			}
			s.refresh()
			s.tick()
		}
	})
}

// organizationView is step 2: the organization bound by its ЭЦП, with its legal address.
func (s *onboardingScreen) organizationView(head fyne.CanvasObject, body *fyne.Container) fyne.CanvasObject {
	u, l := s.u, s.u.loc
	o := s.org
	body.Add(wrapped(l.T("onboarding.org.account", map[string]any{"Email": o.Email})))
	if o.Bound() {
		body.Add(bold(l.T("onboarding.org.bound")))
		body.Add(field(l.T("reg.org"), wrapped(o.Name)))
		body.Add(field(l.T("reg.iin_bin"), widget.NewLabel(o.IINBIN)))
		body.Add(field(l.T("onboarding.org.legal"), wrapped(o.LegalAddress)))
		return twoPass(page(head, body, widget.NewButton(l.T("onboarding.tab.trade_points"), func() {
			s.tab = cabinetTabTradePoints
			u.render()
		})))
	}
	body.Add(wrapped(l.T("onboarding.org.intro")))
	body.Add(s.field("reg.iin_bin", wholeEntry(&s.iinBin, "000000000000"), "iinbin"))
	body.Add(s.field("onboarding.org.name", entry(&s.orgName, l.T("onboarding.org.name.hint")), "name"))
	body.Add(s.field("onboarding.org.legal", entry(&s.legal, l.T("onboarding.org.legal.hint")), "legal"))
	key := l.T("onboarding.key.none")
	if s.keyName != "" {
		key = s.keyName
	}
	body.Add(s.field("onboarding.key", container.NewVBox(wrapped(key),
		widget.NewButtonWithIcon(l.T("onboarding.key.choose"), theme.FolderOpenIcon(), s.chooseKey)), "key"))
	pw := widget.NewPasswordEntry()
	bind(pw, &s.password, l.T("onboarding.key.password.hint"))
	body.Add(s.field("onboarding.key.password", pw, "password"))
	body.Add(wrapped(l.T("onboarding.key.stays")))
	b := primary(l.T("onboarding.bind"), s.bind)
	if s.busy {
		b.Disable()
	}
	return twoPass(page(head, body, b))
}

// maxKeyFile bounds the ЭЦП file read (NCA RK's .p12 files are a few kilobytes).
const maxKeyFile = 1 << 20

// chooseKey asks for the ЭЦП's key file and keeps its bytes on the phone.
func (s *onboardingScreen) chooseKey() {
	s.u.chooseFile(func(name string, r io.ReadCloser) {
		b, err := io.ReadAll(io.LimitReader(r, maxKeyFile+1))
		r.Close()
		if err != nil || len(b) == 0 || len(b) > maxKeyFile {
			s.errs["key"] = ErrCabinetKeyFile
		} else {
			s.keyFile, s.keyName, s.errs["key"] = b, name, nil
		}
		s.refresh()
	})
}

// bind checks the form and binds; a refusal keeps the form as typed (the password too).
func (s *onboardingScreen) bind() {
	s.errs = map[string]error{}
	iinBin := strings.ReplaceAll(strings.TrimSpace(s.iinBin), " ", "")
	if err := kkm.ValidateIINBIN(iinBin); err != nil {
		s.errs["iinbin"] = err
	}
	if strings.TrimSpace(s.orgName) == "" {
		s.errs["name"] = ErrCabinetRequired
	}
	if strings.TrimSpace(s.legal) == "" {
		s.errs["legal"] = ErrCabinetRequired
	}
	if len(s.keyFile) == 0 {
		s.errs["key"] = ErrCabinetKeyFile
	}
	if s.password == "" {
		s.errs["password"] = ErrCabinetRequired
	}
	if len(s.errs) > 0 {
		s.u.render()
		return
	}
	b := CabinetBind{IINBIN: iinBin, Name: strings.TrimSpace(s.orgName), LegalAddress: strings.TrimSpace(s.legal),
		KeyFile: s.keyFile, Password: s.password}
	cab := s.cab
	s.busy = true
	s.u.render()
	s.u.background(func(ctx context.Context) func() {
		_, err := cab.Bind(ctx, b)
		return func() {
			s.busy = false
			if err != nil {
				s.fail(err)
				return
			}
			s.password, s.keyFile = "", nil // bound: the phone keeps no copy of the key
			s.tab = cabinetTabTradePoints
			s.load()
		}
	})
}

// tradePointsView is step 4's trading points: the list and «Добавить торговую точку».
func (s *onboardingScreen) tradePointsView(head fyne.CanvasObject, body *fyne.Container) fyne.CanvasObject {
	u, l := s.u, s.u.loc
	if !s.org.Bound() {
		body.Add(wrapped(l.T("err.onboarding.not_bound")))
		return twoPass(page(head, body))
	}
	if len(s.tps) == 0 {
		body.Add(wrapped(l.T("onboarding.tp.none")))
	}
	for _, tp := range s.tps {
		body.Add(widget.NewSeparator())
		body.Add(bold(tp.Name))
		body.Add(wrapped(tradePointAddress(tp)))
	}
	add := primary(l.T("onboarding.tp.add"), func() { u.open(newTradePointScreen(s)) })
	return twoPass(page(head, body, add))
}

// tradePointAddress is a trading point's address in one line.
func tradePointAddress(tp CabinetTradePoint) string {
	parts := []string{tp.Region, tp.Locality, strings.TrimSpace(tp.Street + " " + tp.House)}
	if tp.Apartment != "" {
		parts = append(parts, tp.Apartment)
	}
	return strings.Join(parts, ", ")
}

// registersView is steps 5–6: the registers applied for and where each stands.
func (s *onboardingScreen) registersView(head fyne.CanvasObject, body *fyne.Container) fyne.CanvasObject {
	u, l := s.u, s.u.loc
	if !s.org.Bound() {
		body.Add(wrapped(l.T("err.onboarding.not_bound")))
		return twoPass(page(head, body))
	}
	if len(s.regs) == 0 {
		body.Add(wrapped(l.T("onboarding.reg.none")))
	}
	for _, r := range s.regs {
		body.Add(widget.NewSeparator())
		body.Add(bold(r.Name + " · " + r.Serial))
		body.Add(wrapped(l.T("onboarding.reg.line", map[string]any{"Model": r.Model, "Year": r.Year, "Point": r.TradePoint})))
		st := wrapped(l.T("onboarding.status." + r.Status))
		if r.Status == CabinetError {
			st.Importance = widget.DangerImportance
			st.SetText(l.T("onboarding.status.error.reason", map[string]any{"Reason": r.Error}))
		}
		body.Add(st)
		if r.Status == CabinetRegistered {
			r := r
			if !u.status.Registered && u.ports.Connector != nil {
				body.Add(primary(l.T("onboarding.reg.connect_here"), func() { s.connectHere(r) }))
			}
			body.Add(widget.NewButtonWithIcon(l.T("onboarding.reg.show"), theme.VisibilityIcon(),
				func() { u.open(&tokenScreen{u: u, reg: r}) }))
		}
	}
	if !s.refreshed.IsZero() {
		body.Add(wrapped(l.T("onboarding.reg.refreshed", map[string]any{"At": s.refreshed.Format("15:04:05")})))
	}
	refresh := widget.NewButtonWithIcon(l.T("onboarding.reg.refresh"), theme.ViewRefreshIcon(), s.refreshRegisters)
	add := primary(l.T("onboarding.reg.add"), func() { u.open(newApplyScreen(s)) })
	if s.busy {
		refresh.Disable()
	}
	if len(s.tps) == 0 {
		add.Disable()
		body.Add(wrapped(l.T("onboarding.reg.need_tp")))
	}
	return twoPass(page(head, body, refresh, add))
}

// pending reports whether a register's application is still on its way.
func pending(r CabinetRegister) bool {
	return r.Status == CabinetSent || r.Status == CabinetAwaitingKGD
}

// refreshRegisters asks the OFD's cabinet anew for every application still on its way, then
// reads the list.
func (s *onboardingScreen) refreshRegisters() {
	if s.cab == nil || s.busy {
		return
	}
	cab, regs := s.cab, s.regs
	s.busy = true
	s.refresh()
	s.u.background(func(ctx context.Context) func() {
		var err error
		for _, r := range regs {
			if pending(r) {
				if _, err = cab.Refresh(ctx, r.ID); err != nil {
					break
				}
			}
		}
		var fresh []CabinetRegister
		if err == nil {
			fresh, err = cab.Registers(ctx)
		}
		return func() {
			s.busy = false
			s.errs[""] = err
			if err == nil {
				s.regs, s.refreshed = fresh, time.Now()
			}
			s.refresh()
		}
	})
}

// tick refreshes the registers every s.every while their tab is shown and one of them is on its
// way; it stops by itself once the screen, or the tab, is left.
func (s *onboardingScreen) tick() {
	if s.every <= 0 || s.tab != cabinetTabRegisters {
		return
	}
	s.ticks++
	mine := s.ticks
	var next func()
	next = func() {
		time.AfterFunc(s.every, func() {
			fyne.Do(func() {
				if s.ticks != mine || s.u.current != s || s.tab != cabinetTabRegisters {
					return
				}
				for _, r := range s.regs {
					if pending(r) {
						s.refreshRegisters()
						break
					}
				}
				next()
			})
		})
	}
	next()
}

// connectHere opens «Подключить кассу» filled with the register's OFD, system ID and token.
func (s *onboardingScreen) connectHere(r CabinetRegister) {
	c := newConnectScreen(s.u)
	c.ofd = len(KnownOFDs()) // the address the OFD's cabinet gave, typed
	c.address, c.systemID, c.token = r.OFDAddress, formatUint(r.SystemID), formatUint(r.Token)
	s.u.open(c)
}

// chooseFile asks for a file through the Ports' ChooseFile, else Fyne's file dialog, and hands
// its name and content to set.
func (u *UI) chooseFile(set func(name string, r io.ReadCloser)) {
	done := func(r fyne.URIReadCloser, err error) {
		if err != nil || r == nil {
			return
		}
		set(r.URI().Name(), r)
	}
	if u.ports.ChooseFile != nil {
		u.ports.ChooseFile(done)
		return
	}
	d := dialog.NewFileOpen(done, u.win)
	d.SetConfirmText(u.loc.T("owner.cert.choose"))
	d.SetDismissText(u.loc.T("button.cancel"))
	d.Show()
}
