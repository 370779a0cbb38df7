package hub

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"errors"
	"fmt"

	"software.sslmate.com/src/go-pkcs12"
)

// ErrKeyPassword: the ЭЦП file's password is wrong, or the file is not a PKCS #12 key store.
var ErrKeyPassword = errors.New("hub: the key file cannot be opened with this password")

// SignChallenge opens an ЭЦП key store (PKCS #12, the .p12 file NCA RK issues, with its password)
// and signs the hub's challenge with its RSA key, as Bind expects. It runs on the owner's side:
// the key never leaves it, only the certificate, the intermediates the file carries and the
// signature go to the hub, in the BindRequest returned (the caller adds the organization's
// IIN/BIN, name and legal address).
func SignChallenge(p12 []byte, password string, challenge []byte) (BindRequest, error) {
	key, cert, cas, err := pkcs12.DecodeChain(p12, password)
	if err != nil {
		return BindRequest{}, fmt.Errorf("%w (%v)", ErrKeyPassword, err)
	}
	rsaKey, ok := key.(*rsa.PrivateKey)
	if !ok {
		return BindRequest{}, fmt.Errorf("%w: only RSA keys are read (GOST keys are not)", ErrMalformed)
	}
	d := sha256.Sum256(challenge)
	sig, err := rsa.SignPKCS1v15(rand.Reader, rsaKey, crypto.SHA256, d[:])
	if err != nil {
		return BindRequest{}, err
	}
	r := BindRequest{Certificate: cert.Raw, Signature: sig}
	for _, c := range cas {
		r.Chain = append(r.Chain, c.Raw)
	}
	return r, nil
}
