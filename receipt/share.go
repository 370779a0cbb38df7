package receipt

import (
	"net/url"
	"strings"
)

// Messenger is an app a receipt's check link is sent through from the phone, with no server of
// ours in between: the link opens the messenger with the message written, the cashier picks the
// buyer's chat and sends.
type Messenger string

// The messengers Kazakh buyers use.
const (
	WhatsApp Messenger = "whatsapp"
	Telegram Messenger = "telegram"
)

// ShareURL returns the address that opens the messenger with a message carrying the receipt's
// check link and a short text before it (the register's name and total, say). It returns "" when
// there is no link to send: an offline receipt's locally built link is sent all the same, since the
// OFD answers it once the receipt is fiscalised.
func ShareURL(m Messenger, text, link string) string {
	link = strings.TrimSpace(link)
	if link == "" {
		return ""
	}
	switch m {
	case WhatsApp:
		// wa.me takes the whole message as text; the link in it becomes tappable.
		msg := link
		if text != "" {
			msg = text + "\n" + link
		}
		return "https://wa.me/?text=" + url.QueryEscape(msg)
	case Telegram:
		q := url.Values{"url": {link}}
		if text != "" {
			q.Set("text", text)
		}
		return "https://t.me/share/url?" + q.Encode()
	}
	return ""
}
