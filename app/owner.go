package app

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"fyne.io/fyne/v2"

	"github.com/ekassa-go/ekassa/hub"
	"github.com/ekassa-go/ekassa/kkm"
	"github.com/ekassa-go/ekassa/ui"
)

// The app's preferences that keep the owner's sign-in to the hub: its address and certificate.
// They live in the app's private storage, not in a register's journal: the owner's view belongs to
// the phone, whichever register it works as. The credential is kept sealed apart (secretStore,
// ownersecret.go), never in the preferences, and never logged or shown; prefOwnerCredential is
// where an earlier build kept it in plain, moved out at the next Resume.
const (
	prefOwnerAddress    = "owner.hub.address"
	prefOwnerCert       = "owner.hub.cert" // PEM
	prefOwnerCredential = "owner.hub.credential"
)

// secretStore keeps the owner's credential (secretFile).
type secretStore interface {
	Load() (string, error)
	Save(secret string) error
	Remove() error
}

// ownerMode is the owner mode's port (ui.OwnerMode) over hub.Client, keeping the sign-in in prefs
// and the credential in secret.
type ownerMode struct {
	prefs  fyne.Preferences
	secret secretStore
}

func newOwnerMode(prefs fyne.Preferences, secret secretStore) ui.OwnerMode {
	return ownerMode{prefs: prefs, secret: secret}
}

func (m ownerMode) Resume(ctx context.Context) (ui.OwnerHub, error) {
	if old := m.prefs.String(prefOwnerCredential); old != "" { // an earlier build's plain copy
		if err := m.secret.Save(old); err != nil {
			return nil, err
		}
		m.prefs.RemoveValue(prefOwnerCredential)
	}
	credential, err := m.secret.Load()
	if err != nil {
		return nil, nil // sealed under another journal's key (a restored phone): sign in again
	}
	login := ui.OwnerLogin{Address: m.prefs.String(prefOwnerAddress), CertPEM: []byte(m.prefs.String(prefOwnerCert)),
		Credential: credential}
	if login.Address == "" || login.Credential == "" {
		return nil, nil
	}
	return ownerClient(login)
}

// SignIn keeps the login only once the hub has accepted it for an owner's read.
func (m ownerMode) SignIn(ctx context.Context, login ui.OwnerLogin) (ui.OwnerHub, error) {
	h, err := ownerClient(login)
	if err != nil {
		return nil, err
	}
	if _, err := h.Registers(ctx); err != nil {
		return nil, err
	}
	if err := m.secret.Save(login.Credential); err != nil {
		return nil, err
	}
	m.prefs.SetString(prefOwnerAddress, login.Address)
	m.prefs.SetString(prefOwnerCert, string(login.CertPEM))
	return h, nil
}

func (m ownerMode) SignOut(context.Context) error {
	m.prefs.RemoveValue(prefOwnerAddress)
	m.prefs.RemoveValue(prefOwnerCert)
	m.prefs.RemoveValue(prefOwnerCredential)
	return m.secret.Remove()
}

// ownerClient is the hub's client for a login, trusting its certificate when one is given.
func ownerClient(login ui.OwnerLogin) (ownerHub, error) {
	conf := &tls.Config{MinVersion: tls.VersionTLS12}
	if len(login.CertPEM) > 0 {
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(login.CertPEM) {
			return ownerHub{}, ui.ErrOwnerCert
		}
		conf.RootCAs = pool
	}
	hc := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{TLSClientConfig: conf}}
	c := &hub.Client{BaseURL: login.Address, Secret: login.Credential, HTTP: hc}
	return ownerHub{c: c, cat: newHubCatalogue(c)}, nil
}

// ownerHub is ui.OwnerHub over hub.Client, and ui.OwnerCatalogue over its copy of the hub's
// catalogue (ownercatalogue.go).
type ownerHub struct {
	c   *hub.Client
	cat *hubCatalogue
}

func (h ownerHub) Registers(ctx context.Context) ([]ui.OwnerRegister, error) {
	regs, err := h.c.Registers(ctx)
	if err != nil {
		return nil, ownerError(err)
	}
	out := make([]ui.OwnerRegister, len(regs))
	for i, r := range regs {
		o := ui.OwnerRegister{ID: r.ID, Serial: r.Serial, Name: r.Name, Shop: r.Shop, Pushed: r.Cursor.Seq, PushedAt: r.PushedAt}
		if st := r.State; st != nil {
			o.HasState, o.StateAt, o.ShiftOpen, o.ShiftNumber = true, st.At, st.ShiftOpen, st.ShiftNumber
			o.ShiftEndsAt, o.Waiting, o.OfflineSince, o.Block = st.ShiftEndsAt, st.Waiting, st.OfflineSince, ui.Block(st.Block)
		}
		out[i] = o
	}
	return out, nil
}

func (h ownerHub) Documents(ctx context.Context, q ui.OwnerDocumentQuery) ([]ui.OwnerDocument, error) {
	docs, err := h.c.Documents(ctx, hub.DocumentQuery{From: q.From, To: q.To, RegisterID: q.RegisterID, Limit: q.Limit})
	if err != nil {
		return nil, ownerError(err)
	}
	out := make([]ui.OwnerDocument, len(docs))
	for i, d := range docs {
		out[i] = ui.OwnerDocument{RegisterID: d.RegisterID, Seq: d.Seq, Kind: d.Kind, ShiftNumber: d.ShiftNumber,
			Number: d.Number, IssuedAt: d.IssuedAt, Total: kkm.Money(d.Total), Offline: d.Offline}
	}
	return out, nil
}

func (h ownerHub) Analytics(ctx context.Context, from, to time.Time, by ui.OwnerGrouping) ([]ui.OwnerFigures, error) {
	figs, err := h.c.Analytics(ctx, from, to, hub.Grouping(by))
	if err != nil {
		return nil, ownerError(err)
	}
	out := make([]ui.OwnerFigures, len(figs))
	for i, f := range figs {
		out[i] = ui.OwnerFigures{Key: f.Key, Label: f.Label, Receipts: f.Receipts, PrevReceipts: f.PrevReceipts,
			Revenue: kkm.Money(f.Revenue), PrevRevenue: kkm.Money(f.PrevRevenue)}
	}
	return out, nil
}

func (h ownerHub) ExportCSV(ctx context.Context, w io.Writer, from, to time.Time) error {
	return ownerError(h.c.ExportCSV(ctx, w, from, to))
}

// ownerError gives the hub's answer as the owner mode's refusal, with the cause in its text.
// The hub's client never puts the credential into an error.
func ownerError(err error) error {
	if err == nil {
		return nil
	}
	var re *hub.RemoteError
	switch {
	case errors.As(err, &re) && (re.Status == http.StatusUnauthorized || re.Status == http.StatusForbidden):
		return fmt.Errorf("%w: %v", ui.ErrOwnerRefused, err)
	case errors.As(err, &re):
		return fmt.Errorf("%w: %v", ui.ErrOwnerHub, err)
	}
	return fmt.Errorf("%w: %v", ui.ErrOwnerUnreachable, err)
}
