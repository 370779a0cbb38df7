package ui

import (
	"testing"

	"github.com/ekassa-go/ekassa/i18n"
	"github.com/ekassa-go/ekassa/kkm"
)

// TestEveryPermissionHasALabel: each action kkm lets the owner restrict is named in the settings
// in every language (a new action once showed as a blank row under «Права доступа»).
func TestEveryPermissionHasALabel(t *testing.T) {
	b, err := i18n.NewBundle()
	if err != nil {
		t.Fatal(err)
	}
	ids := permissionIDs()
	for _, a := range kkm.Actions() {
		id, ok := ids[a]
		if !ok {
			t.Errorf("action %q has no label in the settings", a)
			continue
		}
		for _, lang := range i18n.Langs() {
			if got := b.Localizer(lang).T(id); got == "" || got == id {
				t.Errorf("%s: %s is not translated", lang, id)
			}
		}
	}
}
