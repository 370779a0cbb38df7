// Command ekassa-hub is the owner's hub: registers push their journals to it, owners read across
// their shops. See package hub.
//
//	ekassa-hub local [-data hub-data] [-listen 127.0.0.1:8443] [-ofd 127.0.0.1:7777]
//	    a PostgreSQL cluster of the machine's own in data/pg and the hub beside it, with a
//	    self-signed certificate, and onboarding in demo mode: an OFD emulator on -ofd stands in
//	    for the OFD's cabinet, confirmation codes are printed (and shown in the app) instead of
//	    mailed, and an ЭЦП must chain to -roots (NCA RK's certificates) or, without it, to a demo
//	    CA whose demo ЭЦП is written beside; prints where to point a register (what `make hub` runs)
//	ekassa-hub serve -db DSN -listen ADDR -cert FILE -key FILE
//	ekassa-hub org -db DSN -name NAME                       → the owner's credential
//	ekassa-hub register -db DSN -org ID -serial ZNM -name N -shop S → the register's credential
//
// It imports the hub (and internal/pglocal for a local cluster), never the register's journal or
// screens.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/ekassa-go/ekassa/hub"
	"github.com/ekassa-go/ekassa/hub/ofdsimcabinet"
	"github.com/ekassa-go/ekassa/internal/pglocal"
	"github.com/ekassa-go/ekassa/ofdclient/ofdsim"
)

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var err error
	switch os.Args[1] {
	case "local":
		err = local(ctx, os.Args[2:])
	case "serve":
		err = serve(ctx, os.Args[2:])
	case "org":
		err = org(ctx, os.Args[2:])
	case "register":
		err = register(ctx, os.Args[2:])
	default:
		usage()
	}
	if err != nil && !errors.Is(err, context.Canceled) {
		fmt.Fprintln(os.Stderr, "ekassa-hub:", err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: ekassa-hub local|serve|org|register [flags]; -h after one for its flags")
	os.Exit(2)
}

func local(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("local", flag.ExitOnError)
	data := fs.String("data", "hub-data", "folder for the PostgreSQL cluster, the certificate and the credentials")
	listen := fs.String("listen", "127.0.0.1:8443", "address of the hub's HTTPS API")
	ofdAddr := fs.String("ofd", "127.0.0.1:7777", "address of the demo OFD emulator the onboarding registers registers with")
	roots := fs.String("roots", "", "file or folder of the certificates an ЭЦП must chain to (NCA RK's RSA root and intermediate);\n"+
		"empty: demo mode's own CA, written with a demo ЭЦП into the data folder")
	fs.Parse(args)
	abs, err := filepath.Abs(*data)
	if err != nil {
		return err
	}
	cluster, err := pglocal.Start(filepath.Join(abs, "pg"), pglocal.Options{Durable: true})
	if err != nil {
		return err
	}
	defer cluster.Stop(false)
	dsn, err := cluster.CreateDatabase("ekassa_hub")
	if err != nil {
		return err
	}
	store, err := hub.Open(ctx, dsn)
	if err != nil {
		return err
	}
	defer store.Close()
	cert, key := filepath.Join(abs, "hub.crt"), filepath.Join(abs, "hub.key")
	if _, err := os.Stat(cert); err != nil {
		if err := hub.WriteSelfSignedCert(cert, key, []string{"localhost", "127.0.0.1"}); err != nil {
			return err
		}
	}
	fmt.Printf("PostgreSQL: %s\nhub:        https://%s (certificate %s)\n", dsn, *listen, cert)
	fmt.Printf("add an organization:  go run ./cmd/ekassa-hub org -db '%s' -name 'My shop'\n", dsn)
	fmt.Printf("add a register:       go run ./cmd/ekassa-hub register -db '%s' -org 1 -serial <ZNM> -name 'Till 1'\n", dsn)
	sim, err := ofdsim.New(ofdsim.Options{})
	if err != nil {
		return err
	}
	if err := sim.Start(ctx, *ofdAddr); err != nil {
		return err
	}
	defer sim.Close()
	fmt.Printf("demo OFD:   %s (registers applied for through the hub's onboarding connect here)\n", sim.Addr())
	rootsPath := *roots
	if rootsPath == "" {
		if rootsPath, err = demoECP(abs); err != nil {
			return err
		}
	}
	trust, err := hub.LoadTrust(rootsPath)
	if err != nil {
		return err
	}
	fmt.Println("point a register at the hub's address with the register's credential; Ctrl-C stops both")
	srv := hub.NewServer(store, log.Default())
	srv.Onboarding = &hub.Onboarding{Store: store, Mail: printMailer{}, Cabinet: &ofdsimcabinet.Cabinet{Server: sim},
		Trust: trust, ShowCode: true, OFDAddress: sim.Addr()}
	srv.Mail = printMailer{}
	return srv.ListenAndServeTLS(ctx, *listen, cert, key)
}

// demoECP writes demo mode's CA (its root, what the hub trusts instead of NCA RK's) and an ЭЦП it
// issued, for the onboarding's «Привязать» in the app, into the data folder once, and prints
// where they are. It returns the roots file.
func demoECP(data string) (string, error) {
	rootsFile, p12File := filepath.Join(data, "demo-ca.pem"), filepath.Join(data, "demo-ecp.p12")
	if _, err := os.Stat(p12File); err != nil {
		ca, err := hub.NewDemoCA()
		if err != nil {
			return "", err
		}
		now := time.Now()
		p12, err := ca.Issue(hub.DemoECP{IINBIN: demoIIN, Name: "ДЕМО ИП", NotBefore: now.Add(-time.Hour),
			NotAfter: now.AddDate(1, 0, 0), Password: demoECPPassword})
		if err != nil {
			return "", err
		}
		if err := os.WriteFile(rootsFile, ca.RootPEM(), 0o644); err != nil {
			return "", err
		}
		if err := os.WriteFile(p12File, p12, 0o600); err != nil {
			return "", err
		}
	}
	fmt.Printf("demo ЭЦП:   %s (password %s, IIN %s), issued by the demo CA %s (not NCA RK)\n",
		p12File, demoECPPassword, demoIIN, rootsFile)
	return rootsFile, nil
}

// The demo ЭЦП's IIN and password.
const (
	demoIIN         = "870412300416"
	demoECPPassword = "demo1234"
)

// printMailer shows mail on standard output: demo mode's confirmation codes.
type printMailer struct{}

func (printMailer) Send(_ context.Context, to, subject, body string) error {
	fmt.Printf("mail to %s: %s\n%s\n", to, subject, body)
	return nil
}

func serve(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("serve", flag.ExitOnError)
	dsn := fs.String("db", "", "PostgreSQL connection string")
	listen := fs.String("listen", ":8443", "address of the hub's HTTPS API")
	cert := fs.String("cert", "", "TLS certificate (PEM)")
	key := fs.String("key", "", "TLS key (PEM)")
	smtpAddr := fs.String("smtp", "", "host:port of the SMTP server that mails receipts to buyers (STARTTLS; its password in $"+smtpPasswordEnv+")")
	smtpFrom := fs.String("smtp-from", "", "the address receipts are mailed from")
	smtpUser := fs.String("smtp-user", "", "the SMTP user (the -smtp-from address when empty)")
	fs.Parse(args)
	if *dsn == "" || *cert == "" || *key == "" {
		return errors.New("serve needs -db, -cert and -key")
	}
	if (*smtpAddr == "") != (*smtpFrom == "") {
		return errors.New("serve: -smtp and -smtp-from go together")
	}
	store, err := hub.Open(ctx, *dsn)
	if err != nil {
		return err
	}
	defer store.Close()
	srv := hub.NewServer(store, log.Default())
	// Receipts to the buyer's e-mail (the registers' «На e-mail покупателя») once an SMTP server
	// is given; without one the hub takes none and the register says so.
	if *smtpAddr != "" {
		user := *smtpUser
		if user == "" {
			user = *smtpFrom
		}
		srv.Mail = hub.SMTPMailer{Addr: *smtpAddr, From: *smtpFrom, User: user, Password: os.Getenv(smtpPasswordEnv)}
	}
	// No onboarding here until a real OFD cabinet implements hub.OFDCabinet (docs/hub.md).
	return srv.ListenAndServeTLS(ctx, *listen, *cert, *key)
}

// smtpPasswordEnv names the environment variable with the SMTP password, kept off the command
// line (ps) and the logs.
const smtpPasswordEnv = "EKASSA_HUB_SMTP_PASSWORD"

func org(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("org", flag.ExitOnError)
	dsn := fs.String("db", "", "PostgreSQL connection string")
	name := fs.String("name", "", "the organization's name")
	fs.Parse(args)
	store, err := hub.Open(ctx, *dsn)
	if err != nil {
		return err
	}
	defer store.Close()
	o, secret, err := store.CreateOrganization(ctx, *name)
	if err != nil {
		return err
	}
	fmt.Printf("organization %d %q\nowner credential (shown once): %s\n", o.ID, o.Name, secret)
	return nil
}

func register(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("register", flag.ExitOnError)
	dsn := fs.String("db", "", "PostgreSQL connection string")
	orgID := fs.Int64("org", 0, "the organization's number")
	serial := fs.String("serial", "", "the register's serial number (ЗНМ)")
	name := fs.String("name", "", "the register's name")
	shop := fs.String("shop", "", "the trading point the register works in")
	fs.Parse(args)
	store, err := hub.Open(ctx, *dsn)
	if err != nil {
		return err
	}
	defer store.Close()
	r, secret, err := store.AddRegister(ctx, *orgID, *serial, *name, *shop)
	if err != nil {
		return err
	}
	fmt.Printf("register %d %s %q\nregister credential (shown once): %s\n", r.ID, r.Serial, r.Name, secret)
	return nil
}
