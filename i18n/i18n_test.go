package i18n

import (
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strconv"
	"strings"
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

// The plural forms each language needs (CLDR): Russian tells 1, 21 (one) from 2–4, 22–24 (few)
// from 5–20, 25–30 (many); Kazakh and English tell one from the rest.
var neededForms = map[Lang][]string{
	Russian: {"few", "many", "one", "other"},
	Kazakh:  {"one", "other"},
	English: {"one", "other"},
}

// Every message that counts has the plural forms its language needs, in every language.
func TestPluralFormsPerLanguage(t *testing.T) {
	ru, err := PluralForms(Russian)
	if err != nil {
		t.Fatal(err)
	}
	if len(ru) == 0 {
		t.Fatal("no message counts through plural forms")
	}
	for _, l := range Langs() {
		forms, err := PluralForms(l)
		if err != nil {
			t.Fatal(err)
		}
		for id := range ru {
			if _, ok := forms[id]; !ok {
				t.Errorf("%s: %q counts in Russian but has no plural forms", l, id)
			}
		}
		for id, have := range forms {
			if !slices.Equal(have, neededForms[l]) {
				t.Errorf("%s: %q has forms %v, want %v", l, id, have, neededForms[l])
			}
			if _, ok := ru[id]; !ok {
				t.Errorf("%s: %q has plural forms, Russian has none", l, id)
			}
		}
	}
}

type countedErr struct{ n int }

func (e countedErr) Error() string                { return "counted" }
func (e countedErr) MessageID() string            { return "journal.verify.done" }
func (e countedErr) TemplateData() map[string]any { return map[string]any{"Count": e.n} }

// Counts read right for 1, 2, 5, 21 and 11 in every language, whether the count comes through T,
// N or a typed value's TemplateData.
func TestCountsThroughPluralForms(t *testing.T) {
	b := MustBundle()
	cases := []struct {
		lang Lang
		n    int
		want string
	}{
		{Russian, 1, "Резервная копия сохранена: 1 документ."},
		{Russian, 2, "Резервная копия сохранена: 2 документа."},
		{Russian, 5, "Резервная копия сохранена: 5 документов."},
		{Russian, 21, "Резервная копия сохранена: 21 документ."},
		{Russian, 11, "Резервная копия сохранена: 11 документов."},
		{Russian, 24, "Резервная копия сохранена: 24 документа."},
		{English, 1, "Backup saved: 1 document."},
		{English, 2, "Backup saved: 2 documents."},
		{English, 5, "Backup saved: 5 documents."},
		{English, 21, "Backup saved: 21 documents."},
		{English, 11, "Backup saved: 11 documents."},
		{Kazakh, 1, "Сақтық көшірме сақталды: 1 құжат."},
		{Kazakh, 2, "Сақтық көшірме сақталды: 2 құжат."},
		{Kazakh, 5, "Сақтық көшірме сақталды: 5 құжат."},
		{Kazakh, 21, "Сақтық көшірме сақталды: 21 құжат."},
		{Kazakh, 11, "Сақтық көшірме сақталды: 11 құжат."},
	}
	for _, c := range cases {
		l := b.Localizer(c.lang)
		if got := l.T("journal.backup.done", map[string]any{"Count": c.n}); got != c.want {
			t.Errorf("%s T(%d) = %q, want %q", c.lang, c.n, got, c.want)
		}
		if got := l.T("journal.backup.done", map[string]any{"Count": int64(c.n)}); got != c.want {
			t.Errorf("%s T(int64 %d) = %q, want %q", c.lang, c.n, got, c.want)
		}
		if got := l.N("journal.backup.done", c.n); got != c.want {
			t.Errorf("%s N(%d) = %q, want %q", c.lang, c.n, got, c.want)
		}
	}
	ru := b.Localizer(Russian)
	for n, want := range map[int]string{1: "Журнал цел: проверен 1 документ.", 3: "Журнал цел: проверено 3 документа.",
		12: "Журнал цел: проверено 12 документов.", 101: "Журнал цел: проверен 101 документ."} {
		if got := ru.Error(countedErr{n}); got != want {
			t.Errorf("Error(%d) = %q, want %q", n, got, want)
		}
	}
	// A Count given to a message without plural forms is only a parameter.
	if got := ru.T("app.name", map[string]any{"Count": 5}); got != "Е-касса" {
		t.Errorf("a message without plural forms given a Count: %q", got)
	}
	if got := ru.N("app.name", 5); got != "Е-касса" {
		t.Errorf("N of a message without plural forms: %q", got)
	}
	// Every counting message, in every language, reads without a template gap for each count.
	for _, l := range Langs() {
		forms, _ := PluralForms(l)
		loc := b.Localizer(l)
		for id := range forms {
			for _, n := range []int{0, 1, 2, 5, 11, 21} {
				got := loc.T(id, map[string]any{"Count": n, "Paper": 58, "Left": "1 h", "Hours": 1, "Minutes": 2})
				if got == id || strings.Contains(got, "no value") || !strings.Contains(got, strconv.Itoa(n)) {
					t.Errorf("%s %s(%d) = %q", l, id, n, got)
				}
			}
		}
	}
}

// The terms the native readers' review settled (shared/review/texts.md) stay settled in every
// area file, whoever adds one: the screen uses the receipt's words.
func TestReviewedTermsStay(t *testing.T) {
	banned := map[Lang][]string{
		Russian: {"отчет", "Отчет", "Темная", "платеж"},           // ё, as the receipt prints ОТЧЁТ
		Kazakh:  {"Енгізу №", "БАРЛЫҒЫ", "ТНН", "ЗНН", "батырма"}, // САЛУ, ЖИЫНЫ, БКМ ТН / ЗН, түйме
	}
	for l, words := range banned {
		files, err := fs.Glob(locales, "locales/*."+string(l)+".json")
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			raw, err := locales.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range words {
				if strings.Contains(string(raw), w) {
					t.Errorf("%s: %q, which the review replaced", f, w)
				}
			}
		}
	}
}
