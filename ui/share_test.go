package ui

import (
	"net/url"
	"strings"
	"testing"

	"github.com/ekassa-go/ekassa/i18n"
)

// TestReceiptToTheBuyersMessenger: «Поделиться» offers WhatsApp and Telegram; each opens the
// messenger with the receipt's check link whole and its total once, in the cashier's language.
func TestReceiptToTheBuyersMessenger(t *testing.T) {
	h := newHarness(t, true, true, i18n.Russian)
	h.unlock()
	h.sale("1500")
	doc := h.u.current.(*documentScreen).docs[0]
	var opened []*url.URL
	h.u.openURL = func(u *url.URL) error { opened = append(opened, u); return nil }

	h.tap("Поделиться")
	h.tap("Отправить в WhatsApp")
	h.see("Мессенджер открыт: выберите чат покупателя")
	h.tap("Поделиться")
	h.tap("Отправить в Telegram")
	if len(opened) != 2 {
		t.Fatalf("opened %d addresses, want 2", len(opened))
	}
	wa, tg := opened[0], opened[1]
	text := strings.ReplaceAll(wa.Query().Get("text"), "\u00a0", " ")
	if wa.Host != "wa.me" || text != "Чек на 1 500,00 ₸\n"+doc.QRLink {
		t.Errorf("WhatsApp opened %v (text %q)", wa, text)
	}
	if tg.Host != "t.me" || tg.Query().Get("url") != doc.QRLink || strings.Count(tg.Query().Get("text"), "₸") != 1 {
		t.Errorf("Telegram opened %v, want the link %q and the total once", tg, doc.QRLink)
	}
	for _, c := range []struct {
		lang i18n.Lang
		want string
	}{{i18n.Kazakh, "1 500,00 ₸ сомасына чек"}, {i18n.English, "Receipt for 1,500.00 ₸"}} {
		l := h.u.bundle.Localizer(c.lang)
		got := strings.ReplaceAll(l.T("share.message", map[string]any{"Total": money(l, 150000)}), "\u00a0", " ")
		if got != c.want {
			t.Errorf("%s: %q, want %q", c.lang, got, c.want)
		}
	}
}
