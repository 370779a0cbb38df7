package receipt

import (
	"net/url"
	"testing"
)

func TestShareURL(t *testing.T) {
	const link = "http://consumer.oofd.kz?i=3937088095&f=620300144467&s=11022.00&t=20231109T203226"
	cases := []struct {
		m          Messenger
		text, link string
		host, path string
		want       map[string]string
	}{
		{WhatsApp, "Дүкен: 11 022,00 ₸", link, "wa.me", "/", map[string]string{"text": "Дүкен: 11 022,00 ₸\n" + link}},
		{WhatsApp, "", link, "wa.me", "/", map[string]string{"text": link}},
		{Telegram, "Чек 11 022,00 ₸", link, "t.me", "/share/url", map[string]string{"url": link, "text": "Чек 11 022,00 ₸"}},
		{Telegram, "", link, "t.me", "/share/url", map[string]string{"url": link}},
	}
	for _, c := range cases {
		got := ShareURL(c.m, c.text, c.link)
		u, err := url.Parse(got)
		if err != nil || u.Scheme != "https" || u.Host != c.host || u.Path != c.path {
			t.Fatalf("%s: %q (%v)", c.m, got, err)
		}
		q := u.Query()
		if len(q) != len(c.want) {
			t.Errorf("%s: query %v, want %v", c.m, q, c.want)
		}
		for k, v := range c.want {
			if q.Get(k) != v {
				t.Errorf("%s: %s = %q, want %q (the link must come back whole, & and = included)", c.m, k, q.Get(k), v)
			}
		}
	}
	for _, m := range []Messenger{WhatsApp, Telegram, "sms"} {
		if got := ShareURL(m, "x", " "); got != "" {
			t.Errorf("%s without a link = %q", m, got)
		}
	}
	if got := ShareURL("sms", "x", link); got != "" {
		t.Errorf("an unknown messenger = %q", got)
	}
}
