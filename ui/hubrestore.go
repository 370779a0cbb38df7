package ui

import (
	"context"
	"io"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
)

// hubRestoreScreen is the start page's «Восстановить из хаба» (issue 18 item 5): a new phone
// takes the register's journal from the owner's hub. It asks for the hub's address, its
// certificate (a self-signed hub's, optional) and the register's hub credential, the one the
// lost phone pushed with: it opens the register's sealed seal key and OFD link, which the hub
// cannot read, so an owner's credential cannot stand in for it. On success the register opens
// behind the lock, since the cashiers are the restored register's.
type hubRestoreScreen struct {
	u          *UI
	address    string
	credential string
	certPEM    []byte
	certName   string
	err        error
	busy       bool
}

func newHubRestoreScreen(u *UI) *hubRestoreScreen { return &hubRestoreScreen{u: u} }

func (s *hubRestoreScreen) view() fyne.CanvasObject {
	u, l := s.u, s.u.loc
	body := container.NewVBox(wrapped(l.T("hubrestore.intro")))
	var msg *msgLabel
	for _, f := range u.hubFields(&s.address, s.certName, s.setCert, &s.credential, "hubrestore.credential", "hubrestore.credential.hint", func() {
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
	restore := primary(l.T("hubrestore.go"), s.restore)
	if s.busy {
		restore.Disable()
		body.Add(widget.NewProgressBarInfinite())
	}
	return page(u.header(l.T("hubrestore.title"), true), body, restore)
}

// setCert keeps the certificate read from r (closing it) under the file's name.
func (s *hubRestoreScreen) setCert(name string, r io.ReadCloser) {
	pem, err := readHubCert(r)
	s.err = err
	if err == nil {
		s.certPEM, s.certName = pem, name
	}
	s.u.render()
}

// restore checks the form and restores; a refusal stays on the page with what was typed.
func (s *hubRestoreScreen) restore() {
	u := s.u
	address := strings.TrimSpace(s.address)
	switch {
	case !validHubAddress(address):
		s.err = ErrOwnerAddress
	case strings.TrimSpace(s.credential) == "":
		s.err = ErrOwnerCredential
	default:
		s.err = nil
	}
	if s.err != nil {
		u.render()
		return
	}
	s.busy = true
	u.render()
	by, cert, credential := u.cashier.Operator(), s.certPEM, strings.TrimSpace(s.credential)
	u.background(func(ctx context.Context) func() {
		n, err := u.ports.HubRestore.RestoreFromHub(ctx, by, address, cert, credential)
		st := u.ports.Status.Status()
		return func() {
			s.busy, s.err = false, err
			u.setStatus(st)
			if err != nil {
				if u.current == s {
					u.render()
				}
				return
			}
			s.credential = ""
			u.reg = nil // the register screen of the journal before
			u.home()
			u.Lock()
			// The start page comes after the first cashier's profile (profile.go), and the
			// restore brings the old phone's cashiers instead (W16): say so, or the new code is
			// tried at the lock and refused without a word why.
			u.inform("hubrestore.title", u.loc.T("hubrestore.done", map[string]any{"Count": n})+"\n\n"+u.loc.T("hubfix.restore.cashiers"))
		}
	})
}
