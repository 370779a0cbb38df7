package app

import (
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/ekassa-go/ekassa/i18n"
	"github.com/ekassa-go/ekassa/ui"
)

func TestParseFlags(t *testing.T) {
	c, err := parseFlags([]string{"-demo", "-lang", "kk", "-data", "/tmp/x", "-v"})
	if err != nil || !c.demo || c.lang != "kk" || c.dataDir != "/tmp/x" || !c.verbose {
		t.Fatalf("flags %+v, %v", c, err)
	}
	if _, err := parseFlags([]string{"-lang", "de"}); err == nil {
		t.Fatal("an unknown language accepted")
	}
	// A new phone's restore from the hub names the hub.
	if _, err := parseFlags([]string{"-restore-from-hub"}); err == nil {
		t.Fatal("-restore-from-hub accepted without -hub")
	}
	c, err = parseFlags([]string{"-restore-from-hub", "-hub", "https://127.0.0.1:8443", "-hub-ca", "hub.crt"})
	if err != nil || !c.restoreFromHub || c.hub.url != "https://127.0.0.1:8443" || c.hub.caFile != "hub.crt" {
		t.Fatalf("flags %+v, %v", c, err)
	}
}

// The demo cashier's name is app text too: it is on every demo receipt, in the cashier's language.
func TestDemoCashierNameTranslated(t *testing.T) {
	b := i18n.MustBundle()
	for _, l := range i18n.Langs() {
		if loc := b.Localizer(l); !loc.Has("demo.cashier") || loc.T("demo.cashier") == "demo.cashier" {
			t.Errorf("%s: the demo cashier has no name", l)
		}
	}
}

// -lang is honoured on a fresh data folder even when the app's preferences remember another
// language from an earlier folder; on a folder in use the cashier's own choice stays.
func TestStartLangFreshFolder(t *testing.T) {
	a := test.NewTempApp(t)
	t.Setenv("LANG", "")
	a.Preferences().SetString(ui.PrefLanguage, "kk") // chosen in an earlier folder
	if got := startLang(a, "en", true); got != i18n.English {
		t.Errorf("fresh folder with -lang en: %s", got)
	}
	if got := a.Preferences().String(ui.PrefLanguage); got != "en" {
		t.Errorf("the flag's language is not kept as the choice: %q", got)
	}
	a.Preferences().SetString(ui.PrefLanguage, "ru") // the cashier switched to Russian since
	if got := startLang(a, "en", false); got != i18n.Russian {
		t.Errorf("folder in use: %s, want the cashier's choice", got)
	}
	a.Preferences().SetString(ui.PrefLanguage, "")
	if got := startLang(a, "en", false); got != i18n.English {
		t.Errorf("no choice yet: %s, want the flag's", got)
	}
	if got := startLang(a, "", true); got != i18n.Kazakh {
		t.Errorf("no flag, no choice, no LANG: %s, want Kazakh", got)
	}
}
