package ofdsimcabinet

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"math/big"
	"regexp"
	"testing"
	"time"

	"github.com/ekassa-go/ekassa/hub"
	"github.com/ekassa-go/ekassa/internal/pgtest"
	"github.com/ekassa-go/ekassa/ofdclient"
	"github.com/ekassa-go/ekassa/ofdclient/ofdsim"
)

// selfSigned makes an ЭЦП-shaped RSA certificate of an individual entrepreneur with the IIN.
func selfSigned(t *testing.T, iin string) (*rsa.PrivateKey, []byte) {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := x509.Certificate{SerialNumber: big.NewInt(1),
		Subject:   pkix.Name{CommonName: "АХМЕТОВ АЙДАР", SerialNumber: "IIN" + iin, Country: []string{"KZ"}},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, &tmpl, &tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return key, der
}

// demoCA is a CA standing in for NCA RK.
func demoCA(t *testing.T) *hub.DemoCA {
	t.Helper()
	ca, err := hub.NewDemoCA()
	if err != nil {
		t.Fatal(err)
	}
	return ca
}

// signed issues an ЭЦП under ca (valid for a year unless e says) and signs the challenge with it.
func signed(t *testing.T, ca *hub.DemoCA, e hub.DemoECP, challenge []byte) hub.BindRequest {
	t.Helper()
	if e.NotAfter.IsZero() {
		e.NotBefore, e.NotAfter = time.Now().Add(-time.Hour), time.Now().AddDate(1, 0, 0)
	}
	e.Password = "pw"
	p12, err := ca.Issue(e)
	if err != nil {
		t.Fatal(err)
	}
	r, err := hub.SignChallenge(p12, "pw", challenge)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// bindOf is r with the organization's name and legal address.
func bindOf(r hub.BindRequest) hub.BindRequest {
	r.Name, r.LegalAddress = "ИП Ахметов", "Алматы, Абай 10"
	return r
}

func sign(t *testing.T, key *rsa.PrivateKey, challenge []byte) []byte {
	d := sha256.Sum256(challenge)
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, d[:])
	if err != nil {
		t.Fatal(err)
	}
	return sig
}

// TestOnboardingInDemo walks the manual's steps 1–6 against the emulator: an account confirmed by
// the code from the mail, the organization bound by a signed challenge, a trading point, a register
// applied for and followed to «registered», and its system ID and token connecting a register to
// the emulator as «Подключить кассу» does.
func TestOnboardingInDemo(t *testing.T) {
	ctx := context.Background()
	c := pgtest.Start(t)
	store, err := hub.Open(ctx, c.DSN)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	sim, err := ofdsim.New(ofdsim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := sim.Start(ctx, "127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	mail := &hub.MemoryMailer{}
	o := &hub.Onboarding{Store: store, Mail: mail, Cabinet: &Cabinet{Server: sim}, OFDAddress: sim.Addr()}

	// Step 1: the account.
	if err := o.SignUp(ctx, "not an address"); !errors.Is(err, hub.ErrMalformed) {
		t.Fatalf("SignUp of a non-address = %v", err)
	}
	const email = "owner@shop.kz"
	if err := o.SignUp(ctx, email); err != nil {
		t.Fatal(err)
	}
	code := regexp.MustCompile(`\d{6}`).FindString(mail.Last(email))
	if code == "" {
		t.Fatalf("no code in the mail: %q", mail.Last(email))
	}
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	if _, _, err := o.Confirm(ctx, email, wrong); !errors.Is(err, hub.ErrCodeWrong) {
		t.Fatalf("a wrong code = %v", err)
	}
	org, ownerSecret, err := o.Confirm(ctx, email, code)
	if err != nil || ownerSecret == "" {
		t.Fatalf("Confirm = %v", err)
	}
	if _, _, err := o.Confirm(ctx, email, code); !errors.Is(err, hub.ErrCodeWrong) {
		t.Fatalf("a code used twice = %v", err)
	}
	if p, err := store.Authenticate(ctx, ownerSecret); err != nil || !p.Owner || p.OrganizationID != org.ID {
		t.Fatalf("the owner's credential = %+v, %v", p, err)
	}

	// A trading point before the ЭЦП binds nothing.
	tp := hub.TradePoint{Name: "Дүкен №1", Region: "Алматы", Locality: "Алматы", Street: "Абай даңғылы", House: "10"}
	if _, err := o.AddTradePoint(ctx, org.ID, tp); !errors.Is(err, hub.ErrNotBound) {
		t.Fatalf("a trading point before binding = %v", err)
	}

	// Step 2: the organization bound by its ЭЦП, issued under a CA the hub trusts (NCA RK's
	// stand-in). A self-signed certificate, one of an unknown issuer and an expired one bind
	// nothing, whatever they sign.
	ca := demoCA(t)
	o.Trust = ca.Trust()
	ch, err := o.Challenge(ctx, org.ID)
	if err != nil {
		t.Fatal(err)
	}
	key, cert := selfSigned(t, "870412300416")
	if _, err := o.Bind(ctx, org.ID, hub.BindRequest{Certificate: cert, Signature: sign(t, key, ch),
		Name: "ИП Ахметов", LegalAddress: "Алматы, Абай 10"}); !errors.Is(err, hub.ErrCertUntrusted) {
		t.Fatalf("a self-signed certificate = %v, want ErrCertUntrusted", err)
	}
	unknown := signed(t, demoCA(t), hub.DemoECP{IINBIN: "870412300416", Name: "АХМЕТОВ"}, ch)
	if _, err := o.Bind(ctx, org.ID, bindOf(unknown)); !errors.Is(err, hub.ErrCertUntrusted) {
		t.Fatalf("a certificate of an unknown issuer = %v, want ErrCertUntrusted", err)
	}
	expired := signed(t, ca, hub.DemoECP{IINBIN: "870412300416", Name: "АХМЕТОВ",
		NotBefore: time.Now().AddDate(-2, 0, 0), NotAfter: time.Now().AddDate(-1, 0, 0)}, ch)
	if _, err := o.Bind(ctx, org.ID, bindOf(expired)); !errors.Is(err, hub.ErrCertExpired) {
		t.Fatalf("an expired certificate = %v, want ErrCertExpired", err)
	}
	// The owner's side opens the .p12 with its password and signs; a wrong password opens nothing.
	p12, err := ca.Issue(hub.DemoECP{IINBIN: "870412300416", Name: "АХМЕТОВ АЙДАР",
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().AddDate(1, 0, 0), Password: "qwerty"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := hub.SignChallenge(p12, "wrong", ch); !errors.Is(err, hub.ErrKeyPassword) {
		t.Fatalf("a wrong key password = %v", err)
	}
	good, err := hub.SignChallenge(p12, "qwerty", ch)
	if err != nil {
		t.Fatal(err)
	}
	if len(good.Chain) != 1 {
		t.Fatalf("the key file's chain has %d certificates, want the intermediate", len(good.Chain))
	}
	mismatch := bindOf(good)
	mismatch.IINBIN = "000740001307" // the BIN typed is not the certificate's
	if _, err := o.Bind(ctx, org.ID, mismatch); !errors.Is(err, hub.ErrCertOrganization) {
		t.Fatalf("a certificate of another IIN/BIN than typed = %v, want ErrCertOrganization", err)
	}
	forged := bindOf(good)
	forged.Signature = signed(t, ca, hub.DemoECP{IINBIN: "870412300416", Name: "АХМЕТОВ"}, ch).Signature
	if _, err := o.Bind(ctx, org.ID, forged); !errors.Is(err, hub.ErrSignature) {
		t.Fatalf("a signature by another key = %v", err)
	}
	if _, err := o.Bind(ctx, org.ID, bindOf(good)); !errors.Is(err, hub.ErrSignature) {
		t.Fatalf("a spent challenge = %v", err)
	}
	if info, err := o.Organization(ctx, org.ID); err != nil || info.IINBIN != "" || info.Email != email {
		t.Fatalf("the organization before binding = %+v, %v", info, err)
	}
	ch, _ = o.Challenge(ctx, org.ID)
	if good, err = hub.SignChallenge(p12, "qwerty", ch); err != nil {
		t.Fatal(err)
	}
	typed := bindOf(good)
	typed.IINBIN = "870412300416"
	iin, err := o.Bind(ctx, org.ID, typed)
	if err != nil || iin != "870412300416" {
		t.Fatalf("Bind = %q, %v", iin, err)
	}
	if info, err := o.Organization(ctx, org.ID); err != nil || info.IINBIN != iin || info.Name != "ИП Ахметов" ||
		info.LegalAddress != "Алматы, Абай 10" {
		t.Fatalf("the organization bound = %+v, %v", info, err)
	}
	// Bound, it stays the same IIN/BIN's: another person's key cannot take it over.
	ch, _ = o.Challenge(ctx, org.ID)
	takeover := signed(t, ca, hub.DemoECP{IINBIN: "000740001307", Company: true, Name: "ТОО"}, ch)
	if _, err := o.Bind(ctx, org.ID, bindOf(takeover)); !errors.Is(err, hub.ErrCertOrganization) {
		t.Fatalf("another IIN/BIN over a bound organization = %v, want ErrCertOrganization", err)
	}

	// Step 3: a trading point; step 4–5: a register applied for.
	tp, err = o.AddTradePoint(ctx, org.ID, tp)
	if err != nil {
		t.Fatal(err)
	}
	app := hub.RegisterApplication{Name: "Касса 1", Model: "E-kassa", Serial: "EKS0000001", Year: 2026,
		TradePointID: tp.ID, Tariff: "base", Connection: "mobile"}
	bad := app
	bad.Year = 1990
	if _, _, _, err := o.ApplyRegister(ctx, org.ID, bad); !errors.Is(err, hub.ErrMalformed) {
		t.Fatalf("a register of 1990 = %v", err)
	}
	reg, regSecret, a, err := o.ApplyRegister(ctx, org.ID, app)
	if err != nil || a.Status != hub.StatusSent || regSecret == "" || reg.Shop != tp.Name || a.TradePoint != tp.Name ||
		a.Serial != app.Serial || a.Name != app.Name {
		t.Fatalf("ApplyRegister = %+v %+v, %v", reg, a, err)
	}
	if _, _, _, err := o.ApplyRegister(ctx, org.ID, app); !errors.Is(err, hub.ErrSerialTaken) {
		t.Fatalf("a serial applied for twice = %v, want ErrSerialTaken", err)
	}
	if tps, err := o.TradePoints(ctx, org.ID); err != nil || len(tps) != 1 || tps[0] != tp {
		t.Fatalf("TradePoints = %+v, %v", tps, err)
	}
	if apps, err := o.Applications(ctx, org.ID); err != nil || len(apps) != 1 || apps[0].Serial != app.Serial ||
		apps[0].TradePoint != tp.Name || apps[0].Status != hub.StatusSent || apps[0].Model != "E-kassa" {
		t.Fatalf("Applications = %+v, %v", apps, err)
	}

	// Step 6: followed until registered.
	if a, err = o.Refresh(ctx, org.ID, reg.ID); err != nil || a.Status != hub.StatusAwaitingKGD {
		t.Fatalf("first Refresh = %+v, %v", a, err)
	}
	if a, err = o.Refresh(ctx, org.ID, reg.ID); err != nil || a.Status != hub.StatusRegistered || a.SystemID == 0 || a.Token == 0 {
		t.Fatalf("second Refresh = %+v, %v", a, err)
	}
	if a.OFDAddress != sim.Addr() {
		t.Fatalf("the OFD's address given with the token = %q, want %q", a.OFDAddress, sim.Addr())
	}
	if apps, err := o.Applications(ctx, org.ID); err != nil || apps[0].Status != hub.StatusRegistered ||
		apps[0].SystemID != a.SystemID || apps[0].Token != a.Token {
		t.Fatalf("Applications once registered = %+v, %v", apps, err)
	}
	if again, err := o.Refresh(ctx, org.ID, reg.ID); err != nil || again != a {
		t.Fatalf("a Refresh after registration = %+v, %v; want %+v", again, err, a)
	}
	// Another organization cannot look at it.
	other, _, _ := store.CreateOrganization(ctx, "Other")
	if _, err := o.Refresh(ctx, other.ID, reg.ID); !errors.Is(err, hub.ErrForbidden) {
		t.Fatalf("another organization's Refresh = %v", err)
	}

	// «Подключить кассу» with what the hub handed over.
	conn, err := ofdclient.Connect(ctx, &ofdclient.Transport{Timeout: 2 * time.Second},
		ofdclient.ConnectParams{Address: sim.Addr(), SystemID: a.SystemID, Token: a.Token, Reqnum: 1})
	if err != nil {
		t.Fatalf("connecting with the onboarding's system ID and token: %v", err)
	}
	if conn.Reg.ZNM != app.Serial {
		t.Fatalf("the OFD knows the register as %q, want %q", conn.Reg.ZNM, app.Serial)
	}
}
