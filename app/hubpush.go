package app

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"

	"github.com/ekassa-go/ekassa/hub"
	"github.com/ekassa-go/ekassa/hubsync"
	"github.com/ekassa-go/ekassa/storage"
	"github.com/ekassa-go/ekassa/ui"
)

// HubCredentialEnv names the environment variable that carries the register's hub credential, so
// that it appears in no command line (ps) and no log.
const HubCredentialEnv = "EKASSA_HUB_CREDENTIAL"

// hubConfig is where the register pushes its journal: the hub's address, and the certificate to
// trust for it (a shop's own hub has a self-signed one; empty means the system's authorities).
type hubConfig struct {
	url    string
	caFile string
}

// startHubPush starts pushing the journal to the hub in the background, woken by every change of
// the runtime's status (each commit changes it), and pulling the owner's catalogue beside it, and
// returns the function that stops both and the one that wakes the catalogue's sync (a change made
// on the register goes up at once). The credential is the one in $EKASSA_HUB_CREDENTIAL.
//
// A register that is not connected yet has no serial number to push under: the push waits for
// the connection («Подключить кассу») and starts then, without a restart (walker S4 W10).
func startHubPush(ctx context.Context, j *storage.Journal, rt *Runtime, cfg hubConfig, mailer *hubMailer, logf func(string, ...any)) (stop, wake func(), err error) {
	secret := os.Getenv(HubCredentialEnv)
	if secret == "" {
		return nil, nil, fmt.Errorf("the hub's credential is missing: set %s", HubCredentialEnv)
	}
	hc, err := hubHTTPClient(cfg.caFile)
	if err != nil {
		return nil, nil, err
	}
	stop, wake = pushWhenConnected(ctx, j, rt, func() (string, *http.Client, error) { return cfg.url, hc, nil },
		func(string) (string, error) { return secret, nil }, mailer, logf)
	return stop, wake, nil
}

// ownersHubPush pushes the journal to the owner's hub without -hub: once the register is
// connected under a serial number the owner applied for from this phone's cabinet (its credential
// kept in registers), to the hub the owner mode is signed in to (its address and certificate in
// prefs). Until then it only waits, for a phone that never was onboarded as well.
func ownersHubPush(ctx context.Context, j *storage.Journal, rt *Runtime, prefs fyne.Preferences, registers registerSecrets,
	mailer *hubMailer, logf func(string, ...any)) (stop, wake func()) {
	target := func() (string, *http.Client, error) {
		addr := prefs.String(prefOwnerAddress)
		if addr == "" {
			return "", nil, nil
		}
		hc, err := hubHTTPClientPEM([]byte(prefs.String(prefOwnerCert)))
		return addr, hc, err
	}
	return pushWhenConnected(ctx, j, rt, target, registers.Load, mailer, logf)
}

// pushWhenConnected pushes the journal to the hub that target names as soon as the register has
// a serial number, secretFor has a credential for it and target an address ("" means none yet:
// the push waits for the next change of the register's status, such as the connection), and
// pulls the owner's catalogue beside it; from then on mailer (when not nil) mails receipts
// through that hub. stop ends both (or the wait); wake wakes the catalogue's sync once it runs.
func pushWhenConnected(ctx context.Context, j *storage.Journal, rt *Runtime, target func() (string, *http.Client, error),
	secretFor func(serial string) (string, error), mailer *hubMailer, logf func(string, ...any)) (stop, wake func()) {
	ctx, cancel := context.WithCancel(ctx)
	changed := make(chan struct{}, 1)
	unsubscribe := rt.Subscribe(func(ui.Status) {
		select {
		case changed <- struct{}{}:
		default:
		}
	})
	var (
		mu      sync.Mutex
		pushing *hubPush
	)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			if serial := rt.Settings().SerialNumber; serial != "" {
				secret, err := secretFor(serial)
				if err != nil && logf != nil {
					logf("hub push: %v", err)
				}
				url, hc, err := target()
				if err != nil && logf != nil {
					logf("hub push: %v", err)
				}
				if secret != "" && url != "" && hc != nil {
					client := &hub.Client{BaseURL: url, Secret: secret, HTTP: hc}
					p := startPush(ctx, j, rt, client, serial, secret, logf)
					if mailer != nil {
						mailer.client.Store(client)
					}
					mu.Lock()
					pushing = p
					mu.Unlock()
					return
				}
			}
			select {
			case <-ctx.Done():
				return
			case <-changed:
			}
		}
	}()
	stop = func() {
		unsubscribe()
		cancel()
		<-done
		mu.Lock()
		p := pushing
		mu.Unlock()
		if p != nil {
			p.stop()
		}
	}
	wake = func() {
		mu.Lock()
		p := pushing
		mu.Unlock()
		if p != nil {
			p.pull.Wake()
		}
	}
	return stop, wake
}

// hubPush is a running push of the journal and pull of the owner's catalogue.
type hubPush struct {
	pull *hubsync.Puller
	stop func()
}

// startPush starts pushing the journal of the register with this serial through client, and
// pulling the catalogue beside it.
func startPush(ctx context.Context, j *storage.Journal, rt *Runtime, client *hub.Client, serial, secret string,
	logf func(string, ...any)) *hubPush {
	// The journal's safe goes with the documents, sealed with the register's credential, so that
	// a new phone can restore the register from the hub (restoreFromHub).
	p := hubsync.New(j, client, serial,
		hubsync.Config{State: func() hub.RegisterState { return registerState(rt.Status(), time.Now()) },
			Safe: j, Passphrase: secret})
	// Beside the push, the owner's catalogue comes down into the journal's (one catalogue for all
	// shops); the sale screens read only the local copy.
	pull := hubsync.NewPuller(client, j, hubsync.Config{})
	ctx, cancel := context.WithCancel(ctx)
	unsubscribe := rt.Subscribe(func(ui.Status) { p.Wake() })
	done := make(chan struct{}, 2)
	go func() {
		defer func() { done <- struct{}{} }()
		p.Run(ctx)
		if err := p.Status().Err; err != nil && logf != nil {
			logf("hub push: %v", err)
		}
	}()
	go func() {
		defer func() { done <- struct{}{} }()
		pull.Run(ctx)
		if err := pull.Status().Err; err != nil && logf != nil {
			logf("hub catalogue: %v", err)
		}
	}()
	return &hubPush{pull: pull, stop: func() { unsubscribe(); cancel(); <-done; <-done }}
}

// restoreFromHub makes the empty journal j the register's journal as the hub holds it, read
// with the register's credential (a new phone): see hubsync.Restore.
func restoreFromHub(ctx context.Context, j *storage.Journal, cfg hubConfig, credential string) (storage.BackupInfo, error) {
	if credential == "" {
		return storage.BackupInfo{}, fmt.Errorf("the register's hub credential is missing: set %s", HubCredentialEnv)
	}
	hc, err := hubHTTPClient(cfg.caFile)
	if err != nil {
		return storage.BackupInfo{}, err
	}
	return hubsync.Restore(ctx, j, &hub.Client{BaseURL: cfg.url, Secret: credential, HTTP: hc}, credential)
}

// hubHTTPClient trusts caFile's certificates when given, and only TLS 1.2 or newer.
func hubHTTPClient(caFile string) (*http.Client, error) {
	if caFile == "" {
		return hubHTTPClientPEM(nil)
	}
	pem, err := os.ReadFile(caFile)
	if err != nil {
		return nil, err
	}
	hc, err := hubHTTPClientPEM(pem)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", caFile, err)
	}
	return hc, nil
}

// hubHTTPClientPEM trusts the PEM certificates when given (the system's authorities otherwise),
// and only TLS 1.2 or newer.
func hubHTTPClientPEM(pem []byte) (*http.Client, error) {
	conf := &tls.Config{MinVersion: tls.VersionTLS12}
	if len(pem) > 0 {
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, errors.New("no PEM certificate in the hub's certificate")
		}
		conf.RootCAs = pool
	}
	return &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{TLSClientConfig: conf}}, nil
}

// registerState is the runtime's status as the owner sees it at the hub, read at now.
func registerState(st ui.Status, now time.Time) hub.RegisterState {
	rs := hub.RegisterState{At: now, ShiftOpen: st.ShiftOpen, ShiftNumber: st.ShiftNumber, Waiting: st.Waiting,
		OfflineSince: st.OfflineSince, Block: string(st.Block)}
	if st.ShiftOpen {
		// To the minute, so that a push is not owed every second for the countdown alone.
		rs.ShiftEndsAt = now.Add(st.ShiftLeft).Truncate(time.Minute)
	}
	return rs
}

// hubMailer is ui.ReceiptMailer over the hub the register pushes to, once it does: the hub's
// mailer sends the receipt to the buyer (POST /v1/receipts/email, with the register's credential).
type hubMailer struct{ client atomic.Pointer[hub.Client] }

// Ready reports whether the register pushes to a hub.
func (m *hubMailer) Ready() bool { return m.client.Load() != nil }

// Send mails a receipt's text and check link to the buyer at to.
func (m *hubMailer) Send(ctx context.Context, to, text, link string) error {
	c := m.client.Load()
	if c == nil {
		return errors.New("app: the register pushes to no hub to mail through")
	}
	return c.EmailReceipt(ctx, hub.ReceiptMail{To: to, Text: text, Link: link})
}
