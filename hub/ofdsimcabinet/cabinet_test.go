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
	"software.sslmate.com/src/go-pkcs12"
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

func mustParse(t *testing.T, der []byte) *x509.Certificate {
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
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
	o := &hub.Onboarding{Store: store, Mail: mail, Cabinet: &Cabinet{Server: sim}}

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

	// Step 2: the organization bound by its ЭЦП.
	key, cert := selfSigned(t, "870412300416")
	ch, err := o.Challenge(ctx, org.ID)
	if err != nil {
		t.Fatal(err)
	}
	otherKey, _ := selfSigned(t, "870412300416")
	if _, err := o.Bind(ctx, org.ID, cert, sign(t, otherKey, ch), "ИП Ахметов", "Алматы, Абай 10"); !errors.Is(err, hub.ErrSignature) {
		t.Fatalf("a signature by another key = %v", err)
	}
	if _, err := o.Bind(ctx, org.ID, cert, sign(t, key, ch), "ИП Ахметов", "Алматы, Абай 10"); !errors.Is(err, hub.ErrSignature) {
		t.Fatalf("a spent challenge = %v", err)
	}
	// The owner's side opens the .p12 with its password and signs; a wrong password opens nothing.
	p12, err := pkcs12.Modern.Encode(key, mustParse(t, cert), nil, "qwerty")
	if err != nil {
		t.Fatal(err)
	}
	ch, _ = o.Challenge(ctx, org.ID)
	if _, _, err := hub.SignChallenge(p12, "wrong", ch); !errors.Is(err, hub.ErrKeyPassword) {
		t.Fatalf("a wrong key password = %v", err)
	}
	certDER, sig, err := hub.SignChallenge(p12, "qwerty", ch)
	if err != nil {
		t.Fatal(err)
	}
	iin, err := o.Bind(ctx, org.ID, certDER, sig, "ИП Ахметов", "Алматы, Абай 10")
	if err != nil || iin != "870412300416" {
		t.Fatalf("Bind = %q, %v", iin, err)
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
	if err != nil || a.Status != hub.StatusSent || regSecret == "" || reg.Shop != tp.Name {
		t.Fatalf("ApplyRegister = %+v %+v, %v", reg, a, err)
	}

	// Step 6: followed until registered.
	if a, err = o.Refresh(ctx, org.ID, reg.ID); err != nil || a.Status != hub.StatusAwaitingKGD {
		t.Fatalf("first Refresh = %+v, %v", a, err)
	}
	if a, err = o.Refresh(ctx, org.ID, reg.ID); err != nil || a.Status != hub.StatusRegistered || a.SystemID == 0 || a.Token == 0 {
		t.Fatalf("second Refresh = %+v, %v", a, err)
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
