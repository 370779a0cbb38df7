package ui

import (
	"io"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
)

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
