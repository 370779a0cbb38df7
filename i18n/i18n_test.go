package i18n

import (
	"errors"
	"fmt"
	"slices"
	"testing"
)

// Every language defines exactly the same message IDs: a string added in one language and
// forgotten in another is caught here, not by a cashier.
func TestLanguagesInStep(t *testing.T) {
	ru, err := MessageIDs(Russian)
	if err != nil {
		t.Fatal(err)
	}
	if len(ru) == 0 {
		t.Fatal("no Russian messages")
	}
	for _, l := range []Lang{Kazakh, English} {
		ids, err := MessageIDs(l)
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range ru {
			if !slices.Contains(ids, id) {
				t.Errorf("%s: missing %q", l, id)
			}
		}
		for _, id := range ids {
			if !slices.Contains(ru, id) {
				t.Errorf("%s: %q is not in ru", l, id)
			}
		}
	}
}

func TestTranslateAndFallback(t *testing.T) {
	b := MustBundle()
	cases := []struct {
		lang Lang
		id   string
		want string
	}{
		{Kazakh, "app.name", "Е-касса"},
		{English, "app.name", "E-kassa"},
		{Russian, "no.such.message", "no.such.message"},
	}
	for _, c := range cases {
		if got := b.Localizer(c.lang).T(c.id); got != c.want {
			t.Errorf("%s %s = %q, want %q", c.lang, c.id, got, c.want)
		}
	}
}

type testErr struct{ id string }

func (e testErr) Error() string     { return "internal " + e.id }
func (e testErr) MessageID() string { return e.id }

func TestErrorText(t *testing.T) {
	l := MustBundle().Localizer(English)
	wrapped := fmt.Errorf("saving: %w", testErr{"app.name"})
	if got := l.Error(wrapped); got != "E-kassa" {
		t.Errorf("wrapped translatable = %q", got)
	}
	// An error without an ID, or with an ID nobody translated, never shows Go's text.
	for _, err := range []error{errors.New("disk I/O error"), testErr{"err.nobody.wrote.this"}} {
		if got, want := l.Error(err), l.T("err.unexpected"); got != want {
			t.Errorf("%v → %q, want the generic message", err, got)
		}
	}
	if l.Error(nil) != "" {
		t.Error("nil error has text")
	}
}

func TestParseLang(t *testing.T) {
	cases := map[string]Lang{"kk": Kazakh, "ru-KZ": Russian, "EN_us": English, " kk ": Kazakh}
	for in, want := range cases {
		if got, ok := ParseLang(in); !ok || got != want {
			t.Errorf("ParseLang(%q) = %q, %v", in, got, ok)
		}
	}
	if _, ok := ParseLang("de"); ok {
		t.Error("de accepted")
	}
}
