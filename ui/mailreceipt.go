package ui

import (
	"context"
	"net/mail"
	"strings"

	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/ekassa-go/ekassa/receipt"
)

// ReceiptMailer sends a receipt to its buyer by e-mail through the owner's hub, whose mailer
// does it (issue 18.7: the register's owner gives the buyer the receipt on request). A register
// with no hub has no mailer: WhatsApp, Telegram, the link and the files need no server.
type ReceiptMailer interface {
	// Ready reports whether the register is joined to a hub that takes receipts to mail now.
	Ready() bool
	// Send mails the receipt's text and its check link to the address to.
	Send(ctx context.Context, to, text, link string) error
}

// Message IDs of the e-mail's failures.
const (
	errMailAddress = "err.share.mail_address" // {{.Input}} is not an e-mail address
	errMailSend    = "err.share.mail_send"    // the hub did not take the receipt
)

// mailButton is the share dialog's «На e-mail покупателя», or nil when the register has no hub to
// mail through. act closes the share dialog before its action.
func (s *documentScreen) mailButton(d IssuedDocument, act func(func()) func()) *widget.Button {
	m := s.u.ports.ReceiptMail
	if m == nil || !m.Ready() || d.Document.Receipt == nil {
		return nil
	}
	return widget.NewButtonWithIcon(s.u.loc.T("share.mail"), theme.MailSendIcon(), act(func() { s.askMail(d) }))
}

// askMail asks the buyer's address and mails the receipt there; an address that is not one is
// refused by name and nothing is sent.
func (s *documentScreen) askMail(d IssuedDocument) {
	u, l := s.u, s.u.loc
	to := widget.NewEntry()
	to.SetPlaceHolder("buyer@example.kz")
	to.SetText(s.mailTo)
	send := func() {
		addr := strings.TrimSpace(to.Text)
		s.mailTo = addr
		if a, err := mail.ParseAddress(addr); err != nil || a.Address != addr {
			s.err, s.notice = &uiError{id: errMailAddress, data: map[string]any{"Input": addr}, cause: err}, ""
			u.render()
			return
		}
		set := u.ports.Settings.Settings()
		text := receipt.ShareText(d.Document, set, fiscalMark(d), shareColumns)
		link := checkLink(d, set)
		s.err, s.notice = nil, l.T("share.mail.sending", map[string]any{"To": addr})
		u.render()
		u.background(func(ctx context.Context) func() {
			err := u.ports.ReceiptMail.Send(ctx, addr, text, link)
			return func() {
				if err != nil {
					s.err, s.notice = &uiError{id: errMailSend, cause: err}, ""
				} else {
					s.err, s.notice = nil, l.T("share.mail.sent", map[string]any{"To": addr})
				}
				u.render()
			}
		})
	}
	to.OnSubmitted = func(string) { send() }
	u.dialogBox(l.T("share.mail.title"), to,
		dialogButton{text: l.T("share.mail.send"), main: true, enter: true, tapped: send},
		dialogButton{text: l.T("button.cancel")})
	u.win.Canvas().Focus(to)
}
