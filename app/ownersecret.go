package app

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
)

// The owner's hub credential is not kept in the app's preferences (a plain file that desktop and
// phone backups copy as it is) but in a file of its own beside the journal, 0600, encrypted with
// AES-256-GCM under a key derived from the journal's seal key (storage.Journal.DeriveKey). The
// phone has no OS keyring the app can reach through Fyne, so this is the next best: a copy of
// the preferences, or of the file without the journal's key file, does not reveal it. A journal
// restored onto a new phone has another key: the owner signs in again there.

// ownerCredentialFile is the file's name in the data folder.
const ownerCredentialFile = "owner.credential"

// secretFile keeps one secret sealed in a file.
type secretFile struct {
	path string
	key  []byte // 32 bytes
}

// Load returns the secret, "" when none is kept; a file that does not open (another journal's
// key, a changed byte) is an error.
func (f secretFile) Load() (string, error) {
	b, err := os.ReadFile(f.path)
	if errors.Is(err, os.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	aead, err := f.aead()
	if err != nil {
		return "", err
	}
	if len(b) < aead.NonceSize() {
		return "", fmt.Errorf("%s: too short", f.path)
	}
	plain, err := aead.Open(nil, b[:aead.NonceSize()], b[aead.NonceSize():], f.label())
	if err != nil {
		return "", fmt.Errorf("%s does not open with this journal's key: %w", f.path, err)
	}
	return string(plain), nil
}

// Save seals secret into the file (written whole, then renamed into place).
func (f secretFile) Save(secret string) error {
	aead, err := f.aead()
	if err != nil {
		return err
	}
	nonce := make([]byte, aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(f.path), ".owner-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(aead.Seal(nonce, nonce, []byte(secret), f.label())); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), f.path)
}

// Remove forgets the secret.
func (f secretFile) Remove() error {
	if err := os.Remove(f.path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return nil
}

// label binds the sealed secret to its file's name, so that one file copied over another does
// not open (the owner's file was sealed with its name before other secrets were kept too).
func (f secretFile) label() []byte { return []byte(filepath.Base(f.path)) }

func (f secretFile) aead() (cipher.AEAD, error) {
	block, err := aes.NewCipher(f.key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// registerSecrets keeps, one sealed file each in the data folder, the hub credentials of the
// registers the owner applied for from this phone (cabinet.Apply), by serial number.
type registerSecrets struct {
	dir string
	key []byte // 32 bytes (storage.Journal.DeriveKey)
}

// registerSerial is what a serial number may be to name a file.
var registerSerial = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

func (r registerSecrets) file(serial string) (secretFile, error) {
	if !registerSerial.MatchString(serial) {
		return secretFile{}, fmt.Errorf("app: %q is not a serial number to keep a credential under", serial)
	}
	return secretFile{path: filepath.Join(r.dir, "hub-register-"+serial+".credential"), key: r.key}, nil
}

// Save keeps the credential of the register with this serial.
func (r registerSecrets) Save(serial, secret string) error {
	f, err := r.file(serial)
	if err != nil {
		return err
	}
	return f.Save(secret)
}

// Load is the credential kept for the register with this serial, "" when none.
func (r registerSecrets) Load(serial string) (string, error) {
	if r.dir == "" {
		return "", nil
	}
	f, err := r.file(serial)
	if err != nil {
		return "", err
	}
	return f.Load()
}
