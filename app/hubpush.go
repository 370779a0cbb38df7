package app

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"os"
	"time"

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
// on the register goes up at once). A register that is not connected yet (no serial number) has
// nothing to push under.
func startHubPush(ctx context.Context, j *storage.Journal, rt *Runtime, cfg hubConfig, logf func(string, ...any)) (stop, wake func(), err error) {
	secret := os.Getenv(HubCredentialEnv)
	if secret == "" {
		return nil, nil, fmt.Errorf("the hub's credential is missing: set %s", HubCredentialEnv)
	}
	serial := rt.Settings().SerialNumber
	if serial == "" {
		return nil, nil, errors.New("the register is not connected yet: connect it, then start with -hub again")
	}
	hc, err := hubHTTPClient(cfg.caFile)
	if err != nil {
		return nil, nil, err
	}
	// The journal's safe goes with the documents, sealed with the register's credential, so that
	// a new phone can restore the register from the hub (restoreFromHub).
	client := &hub.Client{BaseURL: cfg.url, Secret: secret, HTTP: hc}
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
	return func() { unsubscribe(); cancel(); <-done; <-done }, pull.Wake, nil
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
	conf := &tls.Config{MinVersion: tls.VersionTLS12}
	if caFile != "" {
		pem, err := os.ReadFile(caFile)
		if err != nil {
			return nil, err
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("%s holds no PEM certificate", caFile)
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
