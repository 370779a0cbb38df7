// Package i18n holds every user-facing string of the register in Kazakh, Russian and English,
// and turns message IDs and typed errors into text in the cashier's language.
//
// Messages live in embedded JSON files under locales/, one file per area and language
// (locales/<area>.<lang>.json), so that screens and the domain's errors can be translated
// separately.
//
// Counts go through go-i18n's plural forms, never phrased around: a message that counts
// something is a JSON object with the CLDR forms of its language ("one", "few", "many", "other"
// in Russian; "one", "other" in Kazakh and English), and the count is its {{.Count}} parameter,
// which also chooses the form — in T, N and Error alike, so a typed error or state that counts
// only has to name its count Count. Kazakh and Russian are complete; English too. A message missing in the chosen
// language falls back to Russian, then to the message ID itself, so a gap is visible but never
// blanks a screen; the tests keep the three languages in step.
//
// It imports nothing of the project and no Fyne: every layer may use it.
package i18n

import (
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strings"

	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

// Lang is one of the interface languages.
type Lang string

// The interface languages. Kazakh is the state language and comes first.
const (
	Kazakh  Lang = "kk"
	Russian Lang = "ru"
	English Lang = "en"
)

// Langs lists the interface languages in the order a language picker shows them.
func Langs() []Lang { return []Lang{Kazakh, Russian, English} }

// ParseLang returns the language for a tag such as "kk", "ru-KZ" or "en", and ok=false for any
// other tag.
func ParseLang(tag string) (Lang, bool) {
	base, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(tag)), "-")
	base, _, _ = strings.Cut(base, "_")
	for _, l := range Langs() {
		if string(l) == base {
			return l, true
		}
	}
	return "", false
}

// Name is the language's own name, for the language picker.
func (l Lang) Name() string {
	switch l {
	case Kazakh:
		return "Қазақша"
	case Russian:
		return "Русский"
	case English:
		return "English"
	}
	return string(l)
}

//go:embed locales/*.json
var locales embed.FS

// Bundle holds the messages of every language. It is safe for concurrent use once built.
type Bundle struct {
	b      *goi18n.Bundle
	plural map[string]bool // the IDs defined with plural forms
}

// NewBundle loads the embedded message files.
func NewBundle() (*Bundle, error) {
	b := goi18n.NewBundle(language.Russian)
	files, err := fs.Glob(locales, "locales/*.json")
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		if _, err := b.LoadMessageFileFS(locales, f); err != nil {
			return nil, fmt.Errorf("i18n: %s: %w", f, err)
		}
	}
	plural := map[string]bool{}
	for _, l := range Langs() {
		forms, err := PluralForms(l)
		if err != nil {
			return nil, err
		}
		for id := range forms {
			plural[id] = true
		}
	}
	return &Bundle{b: b, plural: plural}, nil
}

// MustBundle is NewBundle for program start and tests: the files are embedded, so an error is a
// build defect, not a run-time condition.
func MustBundle() *Bundle {
	b, err := NewBundle()
	if err != nil {
		panic(err)
	}
	return b
}

// MessageIDs lists the IDs defined in the message files of a language, sorted. Tests use it to
// keep the languages in step.
func MessageIDs(l Lang) ([]string, error) {
	files, err := fs.Glob(locales, "locales/*."+string(l)+".json")
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, f := range files {
		raw, err := locales.ReadFile(f)
		if err != nil {
			return nil, err
		}
		var m map[string]json.RawMessage
		if err := json.Unmarshal(raw, &m); err != nil {
			return nil, fmt.Errorf("i18n: %s: %w", f, err)
		}
		for id := range m {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	return ids, nil
}

// Localizer translates into one language.
type Localizer struct {
	lang   Lang
	loc    *goi18n.Localizer
	plural map[string]bool
}

// Localizer returns a translator into l, falling back to Russian.
func (b *Bundle) Localizer(l Lang) *Localizer {
	return &Localizer{lang: l, loc: goi18n.NewLocalizer(b.b, string(l), string(Russian)), plural: b.plural}
}

// Lang is the language this localizer translates into.
func (l *Localizer) Lang() Lang { return l.lang }

// Has reports whether id has a text in this language or its fallback.
func (l *Localizer) Has(id string) bool {
	_, err := l.loc.Localize(&goi18n.LocalizeConfig{MessageID: id})
	return err == nil
}

// T returns the text of message id with its {{.Name}} placeholders filled from data. A missing
// message gives the ID itself, so the gap shows instead of an empty label. When data has a
// whole-number Count, it chooses the message's plural form (see the package comment).
func (l *Localizer) T(id string, data ...map[string]any) string {
	cfg := &goi18n.LocalizeConfig{MessageID: id}
	if len(data) > 0 {
		cfg.TemplateData = l.numbers(data[0])
		// Only a message with plural forms takes the count: go-i18n refuses a count for one
		// without them.
		if n, ok := pluralCount(data[0]["Count"]); ok && l.plural[id] {
			cfg.PluralCount = n
		}
	}
	s, err := l.loc.Localize(cfg)
	if err != nil {
		return id
	}
	return s
}

// LocalNumber is a number a message's parameter carries in the Kazakh and Russian style, a
// no-break space between thousands and a decimal comma ("499 999 500,00"): kkm's Money and
// Quantity. T shows it in the style of the language (Number), as the screen does.
type LocalNumber interface {
	LocalNumber() string
}

// Number writes a number given in the Kazakh and Russian style ("499 999 500,00") in the style of
// this language: English groups thousands with a comma and has a decimal point
// ("499,999,500.00"). The screen's amounts and quantities and the messages' go through it alike.
func (l *Localizer) Number(s string) string {
	if l.lang == English {
		return strings.NewReplacer(",", ".", "\u00a0", ",").Replace(s)
	}
	return s
}

// numbers is data with every LocalNumber written in the language's style (a copy when any is).
func (l *Localizer) numbers(data map[string]any) map[string]any {
	var out map[string]any
	for k, v := range data {
		n, ok := v.(LocalNumber)
		if !ok {
			continue
		}
		if out == nil {
			out = make(map[string]any, len(data))
			for k2, v2 := range data {
				out[k2] = v2
			}
		}
		out[k] = l.Number(n.LocalNumber())
	}
	if out == nil {
		return data
	}
	return out
}

// N returns the plural form of message id for count, which is also passed to the template as
// {{.Count}}.
func (l *Localizer) N(id string, count int, data ...map[string]any) string {
	td := map[string]any{"Count": count}
	if len(data) > 0 {
		for k, v := range data[0] {
			td[k] = v
		}
	}
	cfg := &goi18n.LocalizeConfig{MessageID: id, TemplateData: l.numbers(td)}
	if l.plural[id] {
		cfg.PluralCount = count
	}
	s, err := l.loc.Localize(cfg)
	if err != nil {
		return id
	}
	return s
}

// pluralCount is v as a plural count, when it is a whole number.
func pluralCount(v any) (int64, bool) {
	switch n := v.(type) {
	case int:
		return int64(n), true
	case int8:
		return int64(n), true
	case int16:
		return int64(n), true
	case int32:
		return int64(n), true
	case int64:
		return n, true
	case uint:
		return int64(n), true
	case uint8:
		return int64(n), true
	case uint16:
		return int64(n), true
	case uint32:
		return int64(n), true
	case uint64:
		return int64(n), true
	}
	return 0, false
}

// PluralForms lists, for each message of language l defined with plural forms, the forms it
// defines ("one", "few", …). Tests use it to check that every counting message has the forms
// its language needs.
func PluralForms(l Lang) (map[string][]string, error) {
	files, err := fs.Glob(locales, "locales/*."+string(l)+".json")
	if err != nil {
		return nil, err
	}
	out := map[string][]string{}
	for _, f := range files {
		raw, err := locales.ReadFile(f)
		if err != nil {
			return nil, err
		}
		var m map[string]json.RawMessage
		if err := json.Unmarshal(raw, &m); err != nil {
			return nil, fmt.Errorf("i18n: %s: %w", f, err)
		}
		for id, v := range m {
			var forms map[string]json.RawMessage
			if json.Unmarshal(v, &forms) != nil {
				continue // a plain string
			}
			for form := range forms {
				out[id] = append(out[id], form)
			}
			sort.Strings(out[id])
		}
	}
	return out, nil
}

// Translatable is an error (or any value) that carries a message ID and its parameters. The
// domain's errors implement it; see Error.
type Translatable interface {
	MessageID() string
}

// templated is a Translatable with parameters.
type templated interface {
	TemplateData() map[string]any
}

// Error returns the cashier-facing text of err: the translation of the first error in its chain
// that carries a message ID, or a generic message (never Go's internal text) when none does.
func (l *Localizer) Error(err error) string {
	if err == nil {
		return ""
	}
	var t Translatable
	if !errors.As(err, &t) {
		return l.T("err.unexpected")
	}
	var data map[string]any
	if td, ok := t.(templated); ok {
		data = td.TemplateData()
	}
	if !l.Has(t.MessageID()) {
		return l.T("err.unexpected")
	}
	return l.T(t.MessageID(), data)
}
