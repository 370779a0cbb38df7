package ui

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"

	"github.com/ekassa-go/ekassa/i18n"
)

// The IDs the app translates for Fyne are the ones the pinned Fyne translates: read from Fyne's
// own English file in the module cache.
func TestFyneMessageIDsAreFynes(t *testing.T) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "fyne.io/fyne/v2").Output()
	if err != nil {
		t.Skipf("cannot find Fyne's module: %v", err)
	}
	raw, err := os.ReadFile(filepath.Join(strings.TrimSpace(string(out)), "lang", "translations", "base.en.json"))
	if err != nil {
		t.Skipf("Fyne's translations: %v", err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for id := range m {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	ours := slices.Sorted(slices.Values(fyneMessageIDs))
	if !slices.Equal(ids, ours) {
		t.Errorf("Fyne translates %q\nthe app gives %q", ids, ours)
	}
}

// Fyne's own strings follow the app's language picker, Kazakh included, whatever the system's
// language: the text field's menu (tapped with the secondary button) and the calendar's day names.
func TestFyneStringsFollowTheApp(t *testing.T) {
	h := newHarness(t, true, true, i18n.Kazakh)
	menu := func(hint string, want ...string) {
		t.Helper()
		field := h.entries(hint)
		if len(field) == 0 {
			t.Fatalf("no field %q:\n%s", hint, h.text())
		}
		test.TapSecondary(field[0])
		h.see(want...)
		for _, o := range h.w.Canvas().Overlays().List() {
			h.w.Canvas().Overlays().Remove(o)
		}
	}
	menu(h.T("lock.code.hint"), "Қою", "Барлығын таңдау") // a concealed field: paste and select only
	if got := lang.L("Cut"); got != "Қию" {
		t.Errorf("kk: Fyne's Cut is %q", got)
	}
	if got := lang.X("thursday", "Thursday"); got != "Бейсенбі" {
		t.Errorf("kk: Fyne's Thursday is %q", got)
	}

	h.unlock()
	h.tapIcon(theme.SettingsIcon(), 0)
	h.tap(i18n.Russian.Name())
	menu(h.T("settings.register_name.hint"), "Вырезать", "Копировать", "Вставить", "Выбрать всё")
	if got := lang.L("Paste"); got != "Вставить" {
		t.Errorf("ru: Fyne's Paste is %q", got)
	}
	// Fyne 2.7's own Russian file swaps Tuesday and Thursday; the app's does not.
	if got := lang.X("thursday", "Thursday"); got != "Четверг" {
		t.Errorf("ru: Fyne's Thursday is %q", got)
	}
	h.tap(i18n.English.Name())
	if got := lang.L("Copy"); got != "Copy" {
		t.Errorf("en: Fyne's Copy is %q", got)
	}
	h.tap(i18n.Kazakh.Name())
	if got := lang.L("Select all"); got != "Барлығын таңдау" {
		t.Errorf("kk again: Fyne's Select all is %q", got)
	}
	menu(h.T("settings.register_name.hint"), "Қию", "Көшіру", "Қою", "Барлығын таңдау")
}
