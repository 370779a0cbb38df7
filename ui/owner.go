package ui

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/ekassa-go/ekassa/i18n"
	"github.com/ekassa-go/ekassa/kkm"
)

// ownerScreen is «Режим владельца»: signed in to the owner's hub, it shows every register of
// every shop with its live state, the documents across registers for a period, the figures by
// shop, register, cashier or hour beside the previous period, and the hub's CSV export. Until
// signed in it asks for the hub's address, its certificate and the owner's credential, once.
type ownerScreen struct {
	u       *UI
	started bool // its background work is started (start)
	mode    OwnerMode
	now     func() time.Time

	hub     OwnerHub // nil until signed in
	resumed bool     // the kept sign-in was asked for

	// The sign-in form. The credential is cleared once used: the port keeps it, the screen not.
	address, credential string
	certPEM             []byte
	certName            string

	tab       int // ownerTabs
	regs      []OwnerRegister
	rng       AnalyticsRange
	from, to  string
	register  int64 // the documents' register, 0 for all
	docs      []OwnerDocument
	by        OwnerGrouping
	figs      []OwnerFigures
	err       error
	busy      bool
	exported  string
	loadedTab int // the tab whose data is shown; -1 none
}

// kazakhstanTime is Kazakhstan's one time zone, UTC+5 since 2024-03-01 (the hub's kz).
var kazakhstanTime = time.FixedZone("UTC+5", 5*3600)

// joinDot joins the parts that are there with « · », so that an empty one leaves no «·» behind.
func joinDot(parts ...string) string {
	return strings.Join(slices.DeleteFunc(parts, func(p string) bool { return strings.TrimSpace(p) == "" }), " · ")
}

// shopName is a register's shop, or «(без торговой точки)» for a register added without one.
func shopName(l *i18n.Localizer, shop string) string {
	if strings.TrimSpace(shop) == "" {
		return l.T("hubfix.no_shop")
	}
	return shop
}

// The owner screen's tabs.
const (
	ownerTabRegisters = iota
	ownerTabDocuments
	ownerTabFigures
)

var ownerTabIDs = [...]string{"owner.tab.registers", "owner.tab.documents", "owner.tab.figures"}

// OpenOwner shows the owner mode (the settings screen's «Режим владельца» for an administrator).
func (u *UI) OpenOwner(mode OwnerMode) { u.open(newOwnerScreen(u, mode, time.Now)) }

func newOwnerScreen(u *UI, mode OwnerMode, now func() time.Time) *ownerScreen {
	// One time for the owner everywhere (W13): Kazakhstan's, as the receipts print it and as the
	// hub's hour figures and CSV count it, whatever zone the owner's phone is set to; the period's
	// days are Kazakhstan's days too.
	s := &ownerScreen{u: u, mode: mode, now: func() time.Time { return now().In(kazakhstanTime) }, by: OwnerByShop, loadedTab: -1}
	s.busy = true
	return s
}

// start signs the owner in to the hub in the background once the screen is shown (starter).
func (s *ownerScreen) start() {
	if s.started {
		return
	}
	s.started = true
	u, mode := s.u, s.mode
	u.background(func(ctx context.Context) func() {
		h, err := mode.Resume(ctx)
		return func() {
			s.busy, s.resumed, s.err = false, true, err
			if h != nil {
				s.hub = h
				s.load()
				return
			}
			s.refresh()
		}
	})
}

// refresh draws the screen again when it is still the one shown.
func (s *ownerScreen) refresh() {
	if s.u.current == s {
		s.u.render()
	}
}

// signIn checks the form against the hub and keeps it.
func (s *ownerScreen) signIn() {
	address := strings.TrimSpace(s.address)
	if !validHubAddress(address) {
		s.err = ErrOwnerAddress
		s.u.render()
		return
	}
	if strings.TrimSpace(s.credential) == "" {
		s.err = ErrOwnerCredential
		s.u.render()
		return
	}
	login := OwnerLogin{Address: address, CertPEM: s.certPEM, Credential: strings.TrimSpace(s.credential)}
	s.busy, s.err = true, nil
	s.u.render()
	s.u.background(func(ctx context.Context) func() {
		h, err := s.mode.SignIn(ctx, login)
		return func() {
			s.busy, s.err = false, err
			if err == nil {
				s.hub, s.credential = h, ""
				s.load()
				return
			}
			s.refresh()
		}
	})
}

// signOut forgets the kept sign-in and returns to the form.
func (s *ownerScreen) signOut() {
	s.u.confirm("owner.sign_out", "owner.sign_out.confirm", "owner.sign_out", func() {
		s.u.background(func(ctx context.Context) func() {
			err := s.mode.SignOut(ctx)
			return func() {
				s.err = err
				if err == nil {
					s.hub, s.regs, s.docs, s.figs, s.loadedTab = nil, nil, nil, nil, -1
				}
				s.refresh()
			}
		})
	})
}

// period returns the chosen period, or the typed one (as the analytics screen reads it).
func (s *ownerScreen) period() (from, to time.Time, err error) {
	return chosenPeriod(s.u.loc, s.rng, s.from, s.to, s.now())
}

// load asks the hub for what the chosen tab shows, off the UI goroutine. The registers are
// always asked too, for the documents' register names and the register filter.
func (s *ownerScreen) load() {
	u, h, tab := s.u, s.hub, s.tab
	from, to, err := s.period()
	if err != nil && tab != ownerTabRegisters {
		s.err = err
		u.render()
		return
	}
	q := OwnerDocumentQuery{From: from, To: to, RegisterID: s.register, Limit: ownerDocumentLimit}
	by := s.by
	s.busy, s.err = true, nil
	u.render()
	u.background(func(ctx context.Context) func() {
		regs, err := h.Registers(ctx)
		var docs []OwnerDocument
		var figs []OwnerFigures
		if err == nil {
			switch tab {
			case ownerTabDocuments:
				docs, err = h.Documents(ctx, q)
			case ownerTabFigures:
				figs, err = h.Analytics(ctx, from, to, by)
			}
		}
		return func() {
			s.busy, s.err = false, err
			if err == nil {
				s.regs, s.docs, s.figs, s.loadedTab = regs, docs, figs, tab
			}
			s.refresh()
		}
	})
}

// ownerDocumentLimit is how many documents the screen asks for at a time (the hub's most).
const ownerDocumentLimit = 500

func (s *ownerScreen) view() fyne.CanvasObject {
	u, l := s.u, s.u.loc
	if s.hub == nil {
		return page(u.header(l.T("owner.title"), true), s.signInForm())
	}
	tabs := make([]string, len(ownerTabIDs))
	for i, id := range ownerTabIDs {
		tabs[i] = l.T(id)
	}
	body := container.NewVBox(segmented(tabs, s.tab, func(i int) {
		s.tab = i
		s.load()
	}))
	if s.tab != ownerTabRegisters {
		body.Add(s.periodPick())
	}
	body.Add(errorText(l.Error(s.err)))
	if s.busy {
		body.Add(widget.NewProgressBarInfinite())
	}
	if s.loadedTab == s.tab {
		switch s.tab {
		case ownerTabRegisters:
			s.registersView(body)
		case ownerTabDocuments:
			s.documentsView(body)
		case ownerTabFigures:
			s.figuresView(body)
		}
	}
	body.Add(widget.NewSeparator())
	if oc, ok := s.hub.(OwnerCatalogue); ok {
		body.Add(widget.NewButtonWithIcon(l.T("hubowner.catalogue.open"), theme.ListIcon(), func() { u.openOwnerCatalogue(oc) }))
	}
	body.Add(widget.NewButtonWithIcon(l.T("owner.export"), theme.DocumentSaveIcon(), s.saveDialog))
	if s.exported != "" {
		body.Add(wrapped(s.exported))
	}
	if u.ports.Onboarding != nil { // the organization, trading points and registers (onboarding.go)
		body.Add(widget.NewButtonWithIcon(l.T("onboarding.open"), theme.AccountIcon(), func() { u.OpenOnboarding(u.ports.Onboarding) }))
	}
	body.Add(widget.NewButton(l.T("owner.sign_out"), s.signOut))
	return page(u.header(l.T("owner.title"), true), body)
}

// signInForm asks for the hub's address, its certificate (optional) and the credential.
func (s *ownerScreen) signInForm() fyne.CanvasObject {
	l := s.u.loc
	body := container.NewVBox(wrapped(l.T("owner.intro")))
	if !s.resumed {
		body.Add(widget.NewProgressBarInfinite())
		return body
	}
	var msg *msgLabel
	for _, f := range s.u.hubFields(&s.address, s.certName, s.setCert, &s.credential, "owner.credential", "owner.credential.hint", func() {
		// In place: a rebuild would take the focus from the field being typed in.
		if s.err != nil && hubFormError(s.err, s.address, s.credential) == nil {
			s.err = nil
			msg.Hide()
		}
	}) {
		body.Add(f)
	}
	msg = errorText(l.Error(s.err))
	body.Add(msg)
	sign := primary(l.T("owner.sign_in"), s.signIn)
	if s.busy {
		sign.Disable()
		body.Add(widget.NewProgressBarInfinite())
	}
	body.Add(sign)
	if s.u.ports.Onboarding != nil { // no account yet: the manual's registration (onboarding.go)
		body.Add(widget.NewButton(s.u.loc.T("onboarding.signup"), func() { s.u.OpenOnboarding(s.u.ports.Onboarding) }))
	}
	return body
}

// setCert keeps the certificate read from r (closing it) under the file's name.
func (s *ownerScreen) setCert(name string, r io.ReadCloser) {
	pem, err := readHubCert(r)
	s.err = err
	if err == nil {
		s.certPEM, s.certName = pem, name
	}
	s.u.render()
}

// periodPick is the period's choice, with the typed dates for a custom one.
func (s *ownerScreen) periodPick() fyne.CanvasObject {
	l := s.u.loc
	pick := rangeSelect(l, s.rng, func(r AnalyticsRange) {
		s.rng = r
		if s.rng != RangeCustom {
			s.load()
		} else {
			s.u.render()
		}
	})
	box := container.NewVBox(field(l.T("analytics.period"), pick))
	if s.rng == RangeCustom {
		hint := dateLayout(l)
		box.Add(container.NewGridWithColumns(2,
			field(l.T("history.from"), entry(&s.from, hint)),
			field(l.T("history.to"), entry(&s.to, hint))))
		box.Add(widget.NewButton(l.T("analytics.show"), s.load))
	}
	return box
}

// registersView lists every register, shop by shop, with its live state.
func (s *ownerScreen) registersView(body *fyne.Container) {
	l := s.u.loc
	if len(s.regs) == 0 {
		body.Add(wrapped(l.T("owner.registers.none")))
		return
	}
	now := s.now()
	shop := "\x00"
	for _, r := range s.regs {
		if r.Shop != shop {
			shop = r.Shop
			body.Add(widget.NewSeparator())
			body.Add(bold(shopName(l, shop)))
		}
		name := r.Name
		if name == "" {
			name = r.Serial
		}
		body.Add(bold(joinDot(name, r.Serial)))
		for _, line := range s.registerLines(r, now) {
			body.Add(wrapped(line))
		}
	}
}

// registerLines says a register's state in short lines.
func (s *ownerScreen) registerLines(r OwnerRegister, now time.Time) []string {
	l := s.u.loc
	loc := now.Location()
	if !r.HasState {
		if r.PushedAt.IsZero() {
			return []string{l.T("owner.state.never")}
		}
		return []string{l.T("owner.state.pushed", map[string]any{"At": dateTime(l, r.PushedAt.In(loc)), "Count": r.Pushed})}
	}
	var out []string
	if r.ShiftOpen {
		left := r.ShiftEndsAt.Sub(now)
		if left < 0 {
			left = 0
		}
		out = append(out, l.T("owner.state.shift_open", map[string]any{"Number": r.ShiftNumber,
			"Hours": int(left / time.Hour), "Minutes": int(left % time.Hour / time.Minute)}))
	} else {
		out = append(out, l.T("owner.state.shift_closed"))
	}
	out = append(out, l.T("owner.state.waiting", map[string]any{"Count": r.Waiting}))
	if !r.OfflineSince.IsZero() {
		out = append(out, l.T("owner.state.offline", map[string]any{"Since": dateTime(l, r.OfflineSince.In(loc))}))
	}
	if r.Block != BlockNone {
		why := string(r.Block)
		if id := "owner.block." + string(r.Block); l.Has(id) {
			why = l.T(id)
		}
		out = append(out, l.T("owner.state.block", map[string]any{"Why": why}))
	}
	out = append(out, l.T("owner.state.as_of", map[string]any{"At": dateTime(l, r.StateAt.In(loc))}))
	return out
}

// documentsView is the register filter and the documents found.
func (s *ownerScreen) documentsView(body *fyne.Container) {
	l := s.u.loc
	names := []string{l.T("owner.documents.all")}
	ids := []int64{0}
	byID := map[int64]OwnerRegister{}
	chosen := 0
	for _, r := range s.regs {
		byID[r.ID] = r
		names = append(names, joinDot(r.Name, shopName(l, r.Shop)))
		ids = append(ids, r.ID)
		if r.ID == s.register {
			chosen = len(ids) - 1
		}
	}
	pick := widget.NewSelect(names, nil)
	pick.SetSelectedIndex(chosen)
	pick.OnChanged = func(string) {
		s.register = ids[pick.SelectedIndex()]
		s.load()
	}
	body.Add(field(l.T("owner.documents.register"), pick))
	if len(s.docs) == 0 {
		body.Add(wrapped(l.T("owner.documents.none")))
		return
	}
	var sum kkm.Money
	loc := s.now().Location()
	for _, d := range s.docs {
		kind := d.Kind
		if id := "owner.kind." + d.Kind; l.Has(id) {
			kind = l.T(id)
		}
		r := byID[d.RegisterID]
		title := fmt.Sprintf("%s № %d", kind, d.Number)
		line := joinDot(dateTime(l, d.IssuedAt.In(loc)), r.Name, shopName(l, r.Shop))
		if d.Kind == "receipt" {
			sum += d.Total
		}
		if d.Offline {
			line = joinDot(line, l.T("owner.documents.offline"))
		}
		body.Add(container.NewBorder(nil, nil, nil, widget.NewLabel(money(l, d.Total)), wrapped(title)))
		body.Add(wrapped(line))
	}
	body.Add(bold(l.T("owner.documents.count", map[string]any{"Count": len(s.docs)})))
	if len(s.docs) >= ownerDocumentLimit {
		body.Add(wrapped(l.T("owner.documents.limit", map[string]any{"Count": ownerDocumentLimit})))
	}
}

// figuresView is the grouping's choice and its bar chart beside the previous period.
func (s *ownerScreen) figuresView(body *fyne.Container) {
	l := s.u.loc
	groups := OwnerGroupings()
	names := make([]string, len(groups))
	chosen := 0
	for i, g := range groups {
		names[i] = l.T("owner.by." + string(g))
		if g == s.by {
			chosen = i
		}
	}
	pick := widget.NewSelect(names, nil)
	pick.SetSelectedIndex(chosen)
	pick.OnChanged = func(string) {
		s.by = groups[pick.SelectedIndex()]
		s.load()
	}
	body.Add(field(l.T("owner.by"), pick))
	var top kkm.Money
	var total, prev kkm.Money
	var receipts, prevReceipts int64
	for _, f := range s.figs {
		top = max(top, f.Revenue, f.PrevRevenue)
		total, prev = total+f.Revenue, prev+f.PrevRevenue
		receipts, prevReceipts = receipts+f.Receipts, prevReceipts+f.PrevReceipts
	}
	if top <= 0 {
		body.Add(wrapped(l.T("analytics.empty")))
		return
	}
	body.Add(container.NewGridWithColumns(2, widget.NewLabel(l.T("analytics.revenue")),
		wrapped(money(l, total)+change(int64(total), int64(prev)))))
	body.Add(container.NewGridWithColumns(2, widget.NewLabel(l.T("owner.receipts")),
		wrapped(fmt.Sprint(receipts)+change(receipts, prevReceipts))))
	body.Add(wrapped(l.T("owner.previous", map[string]any{"Revenue": money(l, prev), "Receipts": prevReceipts})))
	for _, f := range s.figs {
		label := f.Label
		if label == "" {
			label = f.Key
		}
		if s.by == OwnerByHour {
			label = f.Key + ":00"
		}
		if s.by == OwnerByShop {
			label = shopName(l, f.Label)
		}
		name := widget.NewLabel(label)
		name.Wrapping = fyne.TextWrapWord
		bars := container.NewVBox(bar(f.Revenue, top, theme.Color(theme.ColorNamePrimary)), bar(f.PrevRevenue, top, barPrevious))
		value := money(l, f.Revenue) + change(int64(f.Revenue), int64(f.PrevRevenue))
		body.Add(container.NewGridWithColumns(2, name, container.NewVBox(bars, wrapped(value))))
	}
}

// saveDialog asks where to save the hub's CSV of the period, then writes it.
func (s *ownerScreen) saveDialog() {
	from, to, err := s.period()
	if err != nil {
		s.err = err
		s.u.render()
		return
	}
	saveCSVDialog(s.u, "hub", from, to, func(w fyne.URIWriteCloser) { s.export(w) })
}

// export writes the hub's CSV of the chosen period to w off the UI goroutine and closes w.
func (s *ownerScreen) export(w io.WriteCloser) {
	u, h := s.u, s.hub
	from, to, err := s.period()
	if err != nil {
		w.Close()
		s.err = err
		u.render()
		return
	}
	s.busy = true
	u.render()
	u.background(func(ctx context.Context) func() {
		err := h.ExportCSV(ctx, w, from, to)
		if cerr := w.Close(); err == nil {
			err = cerr
		}
		return func() {
			s.busy = false
			if err != nil {
				s.exported = u.loc.Error(err)
			} else {
				s.exported = u.loc.T("analytics.exported")
			}
			s.refresh()
		}
	})
}
