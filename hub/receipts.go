package hub

import (
	"context"
	"fmt"
	"net/http"
	"net/mail"
	"net/url"
)

// ReceiptMail is a receipt a register sends to its buyer through the hub's mailer: the
// organization's duty to give the buyer the receipt on request, for a buyer who asks for e-mail.
type ReceiptMail struct {
	To   string `json:"to"`
	Text string `json:"text"` // the receipt as printed
	Link string `json:"link"` // its check link
}

// maxReceiptText bounds a mailed receipt's text (a receipt of 1 000 lines fits).
const maxReceiptText = 256 << 10

func (m ReceiptMail) validate() error {
	if a, err := mail.ParseAddress(m.To); err != nil || a.Address != m.To {
		return fmt.Errorf("%w: %q is not an e-mail address", ErrMalformed, m.To)
	}
	if m.Text == "" || len(m.Text) > maxReceiptText {
		return fmt.Errorf("%w: the receipt's text is empty or too long", ErrMalformed)
	}
	if u, err := url.Parse(m.Link); m.Link != "" && (err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "") {
		return fmt.Errorf("%w: the check link is not a web address", ErrMalformed)
	}
	return nil
}

// EmailReceipt sends a receipt to its buyer.
func (c *Client) EmailReceipt(ctx context.Context, m ReceiptMail) error {
	var out struct{}
	return c.call(ctx, http.MethodPost, "/v1/receipts/email", m, &out)
}

func (s *Server) emailReceipt(w http.ResponseWriter, r *http.Request, p Principal) {
	var m ReceiptMail
	if !s.decodeLimit(w, r, &m, maxReceiptText+4096) {
		return
	}
	if err := m.validate(); err != nil {
		s.fail(w, statusOf(err), err)
		return
	}
	body := m.Text
	if m.Link != "" {
		body += "\n\n" + m.Link
	}
	if err := s.Mail.Send(r.Context(), m.To, "Чек / Чек / Receipt", body); err != nil {
		s.fail(w, http.StatusInternalServerError, fmt.Errorf("hub: mailing a receipt: %w", err))
		return
	}
	s.reply(w, struct{}{})
}
