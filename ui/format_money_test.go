package ui

import (
	"strings"
	"testing"

	"github.com/ekassa-go/ekassa/i18n"
	"github.com/ekassa-go/ekassa/kkm"
)

// An amount in an error message is written as the screen writes amounts in that language: the
// QA walk saw «499 999 500,00» in an English message beside «499,999,500.00» on the screen.
func TestErrorMoneyAsTheScreenWritesIt(t *testing.T) {
	b := i18n.MustBundle()
	_, err := kkm.ReceiptTotal(kkm.SimpleDraft(kkm.OpSale, []kkm.Money{kkm.MaxMoney, kkm.MaxMoney}, nil), kkm.Settings{})
	if err == nil {
		t.Fatal("two maximum amounts summed without an error")
	}
	for _, c := range []struct {
		lang i18n.Lang
		want string
	}{
		{i18n.English, "999,999,999,999.99"},
		{i18n.Russian, "999\u00a0999\u00a0999\u00a0999,99"},
		{i18n.Kazakh, "999\u00a0999\u00a0999\u00a0999,99"},
	} {
		l := b.Localizer(c.lang)
		msg := l.Error(err)
		if !strings.Contains(msg, c.want) {
			t.Errorf("%s: %q does not carry %q", c.lang, msg, c.want)
		}
		if screen := money(l, kkm.MaxMoney); !strings.HasPrefix(screen, c.want) {
			t.Errorf("%s: the screen writes %q, the message %q", c.lang, screen, c.want)
		}
	}
}

// The units on screen are in the cashier's language: English shows no Russian «шт» (the printed
// receipt keeps its kk/ru names, kkm's receipt text).
func TestUnitNamesInTheScreenLanguage(t *testing.T) {
	b := i18n.MustBundle()
	en, ru, kk := b.Localizer(i18n.English), b.Localizer(i18n.Russian), b.Localizer(i18n.Kazakh)
	for _, un := range kkm.Units() {
		if got := unitName(ru, un.Code); got != un.NameRU {
			t.Errorf("ru %s: %q, want %q", un.Code, got, un.NameRU)
		}
		if got := unitName(kk, un.Code); got != un.NameKK {
			t.Errorf("kk %s: %q, want %q", un.Code, got, un.NameKK)
		}
		if got := unitName(en, un.Code); strings.ContainsAny(got, "абвгдежзийклмнопрстуфхцчшщъыьэюяәғқңөұүһі") {
			t.Errorf("en %s: %q is not English", un.Code, got)
		}
	}
	if got := unitName(en, kkm.UnitPiece); got != "pc" {
		t.Errorf("en piece: %q", got)
	}
}
