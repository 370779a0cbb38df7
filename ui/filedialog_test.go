package ui

import (
	"strings"
	"testing"
	"time"

	"github.com/ekassa-go/ekassa/i18n"
)

// A file dialog is titled in the cashier's words, not with Fyne's button text followed by its
// word for «File» («Файлды таңдау Файл», «Выбрать файл Файл», «Choose file File»: walker S4 W11).
func TestFileDialogTitledInTheAppsWords(t *testing.T) {
	for _, lang := range i18n.Langs() {
		t.Run(string(lang), func(t *testing.T) {
			h := newHarness(t, true, true, lang)
			now := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
			fo := &fakeOwner{hub: &fakeOwnerHub{now: now}}
			h.u.ports.Owner = fo
			h.unlock()
			h.u.open(newOwnerScreen(h.u, fo, func() time.Time { return now }))
			h.settle()
			h.tap(h.T("owner.cert.choose"))
			text := h.text()
			if bad := h.T("owner.cert.choose") + " " + h.T("fyne.File"); strings.Contains(text, bad) {
				t.Fatalf("the dialog is titled %q:\n%s", bad, text)
			}
			h.see(h.T("files.open.title"))
		})
	}
}
