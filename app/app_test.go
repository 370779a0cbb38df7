package app

import (
	"testing"

	"github.com/ekassa-go/ekassa/i18n"
)

func TestParseFlags(t *testing.T) {
	c, err := parseFlags([]string{"-demo", "-lang", "kk", "-data", "/tmp/x", "-v"})
	if err != nil || !c.demo || c.lang != "kk" || c.dataDir != "/tmp/x" || !c.verbose {
		t.Fatalf("flags %+v, %v", c, err)
	}
	if _, err := parseFlags([]string{"-lang", "de"}); err == nil {
		t.Fatal("an unknown language accepted")
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
