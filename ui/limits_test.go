package ui

import (
	"strings"
	"testing"

	"github.com/ekassa-go/ekassa/i18n"
	"github.com/ekassa-go/ekassa/kkm"
)

// The item form of extended mode names a limit of kkm's table as the cashier types, before
// «Добавить»: a price past kkm.MaxMoney, a quantity past kkm.MaxQuantity, a line whose price ×
// quantity is past kkm.MaxMoney; the message goes when the cause is fixed, and «Добавить» refuses
// the line while it stands.
func TestItemFormShowsTheLimitAsTyped(t *testing.T) {
	for _, lang := range i18n.Langs() {
		t.Run(string(lang), func(t *testing.T) {
			h := unlocked(t, lang)
			h.tab(h.T("register.tab.extended"))
			h.tap(h.T("sale.add_item"))
			h.typeInto(h.T("item.name.hint"), 0, "Алтын")
			limitShown := func(what string, max string) {
				t.Helper()
				max = h.u.loc.Number(max) // as the screen writes numbers in this language
				errs := h.shownErrors()
				if len(errs) == 0 || !strings.Contains(strings.ReplaceAll(errs[0], "\u00a0", " "), strings.ReplaceAll(max, "\u00a0", " ")) {
					t.Fatalf("%s: shown %q, want the limit %s named", what, errs, max)
				}
				h.translatedError(what, errs[0], lang)
			}
			h.typeInto(h.T("sale.amount.hint"), 0, "1000000000000")
			limitShown("price", kkm.MaxMoney.String())
			h.typeInto(h.T("sale.amount.hint"), 0, "1000000")
			if errs := h.shownErrors(); len(errs) != 0 {
				t.Fatalf("the message stayed after its cause went: %q", errs)
			}
			h.typeInto(h.T("item.quantity.hint"), 0, "1000001")
			limitShown("quantity", kkm.MaxQuantity.String())
			h.typeInto(h.T("item.quantity.hint"), 0, "1000000")
			limitShown("price × quantity", kkm.MaxMoney.String())
			h.tap(h.T("item.add"))
			if _, ok := h.u.current.(*itemScreen); !ok {
				t.Fatalf("a line past the limit was added (now on %T)", h.u.current)
			}
		})
	}
}
