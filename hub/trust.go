package hub

import (
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// Trust is what an ЭЦП certificate must chain to before it binds an organization: the roots of
// the authority that issues them (NCA RK's RSA root in a shop; demo mode's own CA in make hub)
// and the intermediates between (NCA RK's RSA intermediate). The hub cannot download NCA RK's
// certificates; its operator puts them in a file or folder (LoadTrust).
type Trust struct {
	roots, intermediates *x509.CertPool
	nroots               int
}

// NewTrust trusts the self-signed certificates among certs as roots and keeps the others as
// intermediates.
func NewTrust(certs ...*x509.Certificate) *Trust {
	t := &Trust{roots: x509.NewCertPool(), intermediates: x509.NewCertPool()}
	for _, c := range certs {
		if selfSigned(c) {
			t.roots.AddCert(c)
			t.nroots++
		} else {
			t.intermediates.AddCert(c)
		}
	}
	return t
}

// selfSigned reports whether c is its own issuer, signed by its own key: a root.
func selfSigned(c *x509.Certificate) bool {
	return c.CheckSignatureFrom(c) == nil && string(c.RawIssuer) == string(c.RawSubject)
}

// LoadTrust reads the certificates of a file, or of every file in a folder, each PEM (one or
// more CERTIFICATE blocks) or DER (.cer, .crt as NCA RK publishes them). It refuses a path with
// no root among its certificates.
func LoadTrust(path string) (*Trust, error) {
	files := []string{path}
	if st, err := os.Stat(path); err != nil {
		return nil, err
	} else if st.IsDir() {
		entries, err := os.ReadDir(path)
		if err != nil {
			return nil, err
		}
		files = files[:0]
		for _, e := range entries {
			if !e.IsDir() {
				files = append(files, filepath.Join(path, e.Name()))
			}
		}
	}
	var certs []*x509.Certificate
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		cs, err := parseCerts(b)
		if err != nil {
			return nil, fmt.Errorf("hub: trusted certificates %s: %w", f, err)
		}
		certs = append(certs, cs...)
	}
	t := NewTrust(certs...)
	if t.nroots == 0 {
		return nil, fmt.Errorf("hub: no root (self-signed) certificate in %s", path)
	}
	return t, nil
}

// parseCerts reads PEM CERTIFICATE blocks, or one DER certificate.
func parseCerts(b []byte) ([]*x509.Certificate, error) {
	var out []*x509.Certificate
	rest := b
	for {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		if block.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	if len(out) > 0 {
		return out, nil
	}
	c, err := x509.ParseCertificate(b)
	if err != nil {
		return nil, errors.New("neither PEM certificates nor a DER certificate")
	}
	return []*x509.Certificate{c}, nil
}

// verify checks that cert chains to one of t's roots at now, through t's intermediates or those
// given with it; a nil Trust trusts nothing.
func (t *Trust) verify(cert *x509.Certificate, chain [][]byte, now time.Time) error {
	if t == nil {
		return fmt.Errorf("%w: the hub has no trusted roots configured", ErrCertUntrusted)
	}
	inter := t.intermediates.Clone()
	for _, der := range chain {
		c, err := x509.ParseCertificate(der)
		if err != nil {
			return fmt.Errorf("%w: a certificate of the chain cannot be read: %v", ErrMalformed, err)
		}
		inter.AddCert(c)
	}
	_, err := cert.Verify(x509.VerifyOptions{Roots: t.roots, Intermediates: inter, CurrentTime: now,
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}})
	if err != nil {
		what := "its issuer is not trusted"
		if selfSigned(cert) {
			what = "it is self-signed"
		}
		return fmt.Errorf("%w: %s (%v)", ErrCertUntrusted, what, err)
	}
	return nil
}
