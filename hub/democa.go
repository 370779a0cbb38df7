package hub

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"time"

	"software.sslmate.com/src/go-pkcs12"
)

// DemoCA stands in for NCA RK in demo mode and tests: a root and an intermediate that issue
// ЭЦП-shaped RSA key files (PKCS #12), so that Bind's chain check runs as it does against NCA
// RK's roots. A hub trusts it only when told to (make hub writes its root into the data folder).
type DemoCA struct {
	Root, Intermediate *x509.Certificate
	interKey           *rsa.PrivateKey
}

// NewDemoCA makes a root valid for ten years and an intermediate under it.
func NewDemoCA() (*DemoCA, error) {
	rootKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	now := time.Now()
	root, err := issue(&x509.Certificate{Subject: pkix.Name{CommonName: "E-kassa demo root CA (not NCA RK)", Country: []string{"KZ"}},
		NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(10, 0, 0), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign}, nil, rootKey, &rootKey.PublicKey)
	if err != nil {
		return nil, err
	}
	interKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	inter, err := issue(&x509.Certificate{Subject: pkix.Name{CommonName: "E-kassa demo RSA CA (not NCA RK)", Country: []string{"KZ"}},
		NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(10, 0, 0), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign}, root, rootKey, &interKey.PublicKey)
	if err != nil {
		return nil, err
	}
	return &DemoCA{Root: root, Intermediate: inter, interKey: interKey}, nil
}

// issue signs tmpl with key as parent's (tmpl's own when parent is nil).
func issue(tmpl, parent *x509.Certificate, key *rsa.PrivateKey, pub *rsa.PublicKey) (*x509.Certificate, error) {
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 96))
	if err != nil {
		return nil, err
	}
	tmpl.SerialNumber = serial
	if parent == nil {
		parent = tmpl
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, pub, key)
	if err != nil {
		return nil, err
	}
	return x509.ParseCertificate(der)
}

// Trust trusts the CA's root, with its intermediate.
func (ca *DemoCA) Trust() *Trust { return NewTrust(ca.Root, ca.Intermediate) }

// RootPEM is the root's certificate in PEM, for a hub's roots file (LoadTrust).
func (ca *DemoCA) RootPEM() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.Root.Raw})
}

// DemoECP describes an ЭЦП the demo CA issues.
type DemoECP struct {
	IINBIN    string // the subject's IIN (a person's key) or, with Company, the BIN
	Company   bool
	Name      string // the subject's common name
	NotBefore time.Time
	NotAfter  time.Time
	Password  string
}

// Issue makes an RSA key and its certificate as NCA RK shapes them (serialNumber "IIN…", or
// organizationalUnit "BIN…" for a company) and returns the PKCS #12 file with the intermediate,
// under the password.
func (ca *DemoCA) Issue(e DemoECP) ([]byte, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	subj := pkix.Name{CommonName: e.Name, SerialNumber: "IIN" + e.IINBIN, Country: []string{"KZ"}}
	if e.Company {
		subj.SerialNumber, subj.OrganizationalUnit = "", []string{"BIN" + e.IINBIN}
	}
	cert, err := issue(&x509.Certificate{Subject: subj, NotBefore: e.NotBefore, NotAfter: e.NotAfter,
		KeyUsage: x509.KeyUsageDigitalSignature}, ca.Intermediate, ca.interKey, &key.PublicKey)
	if err != nil {
		return nil, err
	}
	return pkcs12.Modern.Encode(key, cert, []*x509.Certificate{ca.Intermediate}, e.Password)
}
