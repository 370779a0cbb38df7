package ui

import (
	"errors"
	"io"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// hubFields are the fields that reach the owner's hub: its address (into *address), the
// certificate to trust (certName shown, another chosen through setCert) and a credential (into
// *credential, hidden) labelled by the message IDs credKey and hintKey. The owner's sign-in and
// the restore from the hub on a new phone ask for the same. changed is called after every keystroke
// in the address or the credential, so that a form takes its error away as the field is corrected
// (hubFormError), not only at the next tap of its button.
func (u *UI) hubFields(address *string, certName string, setCert func(string, io.ReadCloser), credential *string, credKey, hintKey string, changed func()) []fyne.CanvasObject {
	l := u.loc
	cert := l.T("owner.cert.none")
	if certName != "" {
		cert = certName
	}
	cred := widget.NewPasswordEntry()
	bind(cred, credential, l.T(hintKey))
	addr := entry(address, "https://…")
	for _, e := range []*widget.Entry{addr, cred} {
		write := e.OnChanged
		e.OnChanged = func(s string) { write(s); changed() }
	}
	return []fyne.CanvasObject{
		field(l.T("owner.address"), addr),
		field(l.T("owner.cert"), container.NewVBox(wrapped(cert),
			widget.NewButtonWithIcon(l.T("owner.cert.choose"), theme.FolderOpenIcon(), func() { u.chooseHubCert(setCert) }))),
		field(l.T(credKey), cred),
	}
}

// validHubAddress is an https:// address with something after the scheme.
func validHubAddress(address string) bool {
	address = strings.TrimSpace(address)
	return strings.HasPrefix(address, "https://") && len(address) > len("https://")
}

// hubFormError is the error of a hub form (the owner's sign-in, the restore from the hub)
// checked again as it is typed: the address's or the credential's error goes once that field is
// right; any other error (a refusal of the hub, a certificate) stays until the next try.
func hubFormError(err error, address, credential string) error {
	switch {
	case errors.Is(err, ErrOwnerAddress) && validHubAddress(address):
		return nil
	case errors.Is(err, ErrOwnerCredential) && strings.TrimSpace(credential) != "":
		return nil
	}
	return err
}

// chooseHubCert asks for the file of the hub's certificate (a hub with a self-signed one) and
// hands its name and content to set, which reads it with readHubCert. The owner's sign-in and the
// restore from the hub on a new phone ask the same way.
func (u *UI) chooseHubCert(set func(name string, r io.ReadCloser)) {
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil || r == nil {
			return
		}
		set(r.URI().Name(), r)
	}, u.win)
	d.SetConfirmText(u.loc.T("owner.cert.choose"))
	titleFileDialog(d, u.loc, false)
	d.SetDismissText(u.loc.T("button.cancel"))
	d.Show()
}

// readHubCert reads a PEM certificate of at most 1 MiB from r and closes it; anything else is
// ErrOwnerCert.
func readHubCert(r io.ReadCloser) ([]byte, error) {
	pem, err := io.ReadAll(io.LimitReader(r, 1<<20))
	r.Close()
	if err == nil && !strings.Contains(string(pem), "-----BEGIN CERTIFICATE-----") {
		err = ErrOwnerCert
	}
	return pem, err
}
