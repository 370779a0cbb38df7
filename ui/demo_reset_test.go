package ui

import (
	"testing"

	"github.com/ekassa-go/ekassa/i18n"
)

// The demo's settings start it over after a confirmation (the app then closes, and its next start
// is a new demo); «Отменить» does nothing, and a real register has no such button.
func TestDemoResetInSettings(t *testing.T) {
	h := newHarness(t, true, true, i18n.Russian)
	resets := 0
	h.u.ports.DemoReset = func() { resets++ }
	h.unlock()
	h.openSettings()
	h.scrollToBottom()
	h.notSee("Начать демо заново")
	h.goBack()

	h.reg.demo = true
	h.u.status = h.reg.Status()
	h.openSettings()
	h.scrollToBottom()
	h.tap("Начать демо заново")
	h.see("Все чеки и смены демо-кассы будут удалены.")
	h.tap("Отменить")
	if resets != 0 {
		t.Fatal("cancelled, and the demo was started over")
	}
	h.tap("Начать демо заново")
	h.tap("Удалить и закрыть")
	if resets != 1 {
		t.Fatalf("%d resets after the confirmation, want 1", resets)
	}
	for _, lang := range i18n.Langs() {
		h.u.SetLang(lang)
		h.scrollToBottom()
		h.tap(h.T("demo.reset"))
		h.fits("the demo's reset question, " + string(lang))
		h.closeDialogs()
	}
}
