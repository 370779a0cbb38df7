package ui

import (
	"context"
	"net"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/ekassa-go/ekassa/kkm"
)

// startScreen is the start page of a device without a register: «Новая касса», «Подключить
// кассу» and, on a new phone, «Восстановить из резервной копии» (issue 7, item 7). That is the
// settings' restore flow (journalCare in admin.go): confirm, choose the file, Restore; then the
// register opens behind the lock, since the cashiers are the backup's now. A backup of another
// register is refused with the journal's own message, and the page stays.
type startScreen struct {
	u       *UI
	journal *journalCare // the restore; nil without a JournalCare port
}

func newStartScreen(u *UI) *startScreen {
	s := &startScreen{u: u}
	if u.ports.JournalCare != nil {
		s.journal = &journalCare{u: u, files: dialogFiles{win: u.win, loc: u.loc}}
	}
	return s
}

func (s *startScreen) view() fyne.CanvasObject {
	u, l := s.u, s.u.loc
	body := container.NewVBox(
		widget.NewLabelWithStyle(l.T("app.name"), fyne.TextAlignCenter, fyne.TextStyle{Bold: true}),
		wrapped(l.T("start.intro")),
	)
	actions := []fyne.CanvasObject{
		widget.NewButton(l.T("start.new"), func() { u.open(newSerialScreen(u)) }),
		primary(l.T("start.connect"), func() { u.open(newConnectScreen(u)) }),
	}
	if j := s.journal; j != nil {
		if j.busy {
			body.Add(widget.NewProgressBarInfinite())
			actions = append(actions, disabled(widget.NewButtonWithIcon(l.T("start.restore"), theme.UploadIcon(), nil)))
		} else {
			// «Восстановить» with the full text above it when the full one is wider than the phone.
			actions = append(actions, u.fitButton(l.T("start.restore"), l.T("journal.restore"), theme.UploadIcon(), j.restore))
		}
		body.Add(errorText(l.Error(j.err)))
	}
	if u.ports.HubRestore != nil {
		actions = append(actions, widget.NewButtonWithIcon(l.T("hubrestore.start"), theme.DownloadIcon(),
			func() { u.open(newHubRestoreScreen(u)) }))
	}
	if u.ports.Onboarding != nil { // «Я владелец»: the account, organization and registers (onboarding.go)
		actions = append(actions, widget.NewButtonWithIcon(l.T("onboarding.start"), theme.AccountIcon(),
			func() { u.OpenOnboarding(u.ports.Onboarding) }))
	}
	actions = append(actions, widget.NewButton(l.T("start.lock"), u.Lock))
	return twoPass(page(u.header(l.T("start.title"), false), body, actions...))
}

// serialScreen is «Новая касса»: a freshly generated serial number to register in the OFD's
// cabinet, with a copy button.
type serialScreen struct {
	u      *UI
	serial string
	err    error
	copied bool
}

func newSerialScreen(u *UI) *serialScreen {
	s := &serialScreen{u: u}
	s.serial, s.err = u.ports.Connector.NewSerialNumber()
	return s
}

func (s *serialScreen) view() fyne.CanvasObject {
	u, l := s.u, s.u.loc
	number := widget.NewLabelWithStyle(s.serial, fyne.TextAlignCenter, fyne.TextStyle{Monospace: true})
	number.Selectable = true
	cp := widget.NewButtonWithIcon(l.T("serial.copy"), theme.ContentCopyIcon(), func() {
		u.app.Clipboard().SetContent(s.serial)
		s.copied = true
		u.render()
	})
	body := container.NewVBox(wrapped(l.T("serial.intro")), widget.NewLabel(l.T("serial.label")), number,
		errorText(l.Error(s.err)))
	if s.copied {
		body.Add(widget.NewLabel(l.T("serial.copied")))
	}
	return page(u.header(l.T("serial.title"), true), body, cp,
		widget.NewButton(l.T("start.connect"), func() { u.replace(newConnectScreen(u)) }))
}

// connectScreen is «Подключить кассу»: the OFD, the system ID and the token; the OFD's answer
// shows the registration, and the register opens.
type connectScreen struct {
	u        *UI
	ofd      int    // index into KnownOFDs, or len(KnownOFDs) for an address typed
	address  string // the typed address
	systemID string
	token    string
	err      error
	scroll   *container.Scroll // the page's, to scroll a refusal into view
	errL     *msgLabel         // the refusal, at the foot of the form
	busy     bool
	info     *kkm.RegInfo // the registration, once connected
}

func newConnectScreen(u *UI) *connectScreen { return &connectScreen{u: u} }

func (s *connectScreen) view() fyne.CanvasObject {
	u, l := s.u, s.u.loc
	if s.info != nil {
		return s.infoView()
	}
	ofds := KnownOFDs()
	names := make([]string, 0, len(ofds)+1)
	for _, o := range ofds {
		names = append(names, l.T(o.NameID))
	}
	names = append(names, l.T("connect.ofd.other"))
	ofd := widget.NewSelect(names, nil)
	ofd.SetSelectedIndex(s.ofd)
	ofd.OnChanged = func(string) {
		if i := ofd.SelectedIndex(); i != s.ofd {
			s.ofd = i
			u.render()
		}
	}
	body := container.NewVBox(wrapped(l.T("connect.intro")), field(l.T("connect.ofd"), ofd))
	switch {
	case s.ofd >= len(ofds):
		body.Add(field(l.T("connect.address"), entry(&s.address, l.T("connect.address.hint"))))
	case ofds[s.ofd].Address == "":
		// The OFD gives its address in the cabinet with the system ID and token.
		body.Add(field(l.T("connect.address"), entry(&s.address, l.T("connect.address.cabinet"))))
		body.Add(wrapped(l.T("connect.check_site", map[string]any{"Site": ofds[s.ofd].CheckSite})))
	default:
		body.Add(widget.NewLabel(ofds[s.ofd].Address))
		body.Add(wrapped(l.T("connect.check_site", map[string]any{"Site": ofds[s.ofd].CheckSite})))
	}
	id := wholeEntry(&s.systemID, l.T("connect.system_id.hint")) // the phone's numeric keyboard
	tok := wholeEntry(&s.token, l.T("connect.token.hint"))
	body.Add(field(l.T("connect.system_id"), id))
	body.Add(field(l.T("connect.token"), tok))
	s.errL = errorText(l.Error(s.err))
	body.Add(s.errL)
	connect := primary(l.T("connect.connect"), s.connect)
	if s.busy {
		connect.Disable()
		body.Add(widget.NewProgressBarInfinite())
	}
	var pg fyne.CanvasObject
	pg, s.scroll = scrolledPage(u.header(l.T("connect.title"), true), body, connect)
	return pg
}

// parseUint32 parses a number a cashier typed, spaces allowed.
func parseUint32(s string) (uint32, bool) {
	v, err := strconv.ParseUint(strings.ReplaceAll(strings.TrimSpace(s), " ", ""), 10, 32)
	return uint32(v), err == nil
}

// connect asks the OFD for the registration.
func (s *connectScreen) connect() {
	u := s.u
	req := ConnectRequest{}
	ofds := KnownOFDs()
	if s.ofd < len(ofds) {
		req.OFDID, req.OFDAddress = ofds[s.ofd].ID, ofds[s.ofd].Address
	}
	if req.OFDAddress == "" {
		req.OFDAddress = strings.TrimSpace(s.address)
	}
	var ok bool
	s.err = nil
	if host, _, err := net.SplitHostPort(req.OFDAddress); err != nil || host == "" {
		s.err = kkm.ErrSettingsOFDAddress // typed (or left empty) for an OFD that does not publish it
	} else if req.SystemID, ok = parseUint32(s.systemID); !ok {
		s.err = ErrSystemID
	} else if req.Token, ok = parseUint32(s.token); !ok {
		s.err = ErrToken
	}
	if s.err != nil {
		u.render()
		reveal(s.scroll, s.errL) // at the foot of the form, below the fold on a phone (walker S1)
		return
	}
	s.busy = true
	u.render()
	u.background(func(ctx context.Context) func() {
		info, err := u.ports.Connector.Connect(ctx, req)
		st := u.ports.Status.Status()
		return func() {
			s.busy = false
			if err != nil {
				s.err = err
				u.render()
				if u.current == s {
					reveal(s.scroll, s.errL)
				}
				return
			}
			s.info = &info
			u.status = st
			u.render()
		}
	})
}

// infoView shows the registration the OFD returned and opens the register.
func (s *connectScreen) infoView() fyne.CanvasObject {
	u, l := s.u, s.u.loc
	in := s.info
	form := widget.NewForm(
		widget.NewFormItem(l.T("reg.org"), wrapped(in.OrgTitle)),
		widget.NewFormItem(l.T("reg.iin_bin"), widget.NewLabel(in.OrgIINBIN)),
		widget.NewFormItem(l.T("reg.point"), wrapped(in.PointTitle)),
		widget.NewFormItem(l.T("reg.address"), wrapped(in.PointAddress)),
		widget.NewFormItem(l.T("reg.rnm"), widget.NewLabel(in.RNM)),
		widget.NewFormItem(l.T("reg.znm"), widget.NewLabel(in.ZNM)),
	)
	body := container.NewVBox(bold(l.T("connect.done")), form)
	return page(u.header(l.T("connect.title"), false), body, primary(l.T("connect.open"), func() {
		u.reg = nil
		u.home()
	}))
}
