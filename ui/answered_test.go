package ui

import (
	"testing"

	"github.com/ekassa-go/ekassa/i18n"
)

// Cash in, cash out and the Z report are answered without a fiscal sign: once answered they
// say «Принят ОФД» on the document screen and in the history, never «Ожидает ответа ОФД»; the X
// report, which the OFD never sees, says neither.
func TestAnsweredWithoutSignShowsAccepted(t *testing.T) {
	h := newHarness(t, true, true, i18n.Russian)
	h.reg.reg.Settings.AutoCashOut = true
	h.unlock()
	accepted, waiting := h.T("doc.accepted"), h.T("doc.waiting")

	h.choose("Продажа", "Внесение")
	h.keys("5000")
	h.tap("Провести внесение")
	h.see("Внесение №1, смена 1", accepted)
	h.notSee(waiting)
	h.tap("Готово")

	h.choose("Продажа", "Изъятие")
	h.keys("1000")
	h.tap("Провести изъятие")
	h.see("Изъятие №2, смена 1", accepted)
	h.notSee(waiting)
	h.tap("Готово")

	h.tap("Смена и отчёты")
	h.tap("X-отчёт (промежуточные итоги)")
	h.tap("Подтвердить")
	h.see("X-отчёт, смена 1")
	h.notSee(accepted)
	h.notSee(waiting)
	h.tap("Готово")

	h.tap("Смена и отчёты")
	h.tap("Z-отчёт (закрыть смену)")
	h.tap(h.T("counter.z.close")) // the Z confirmation's button says what it does
	h.see("Изъятие №3, смена 1", "Z-отчёт, смена 1")
	if n := h.count(accepted); n != 2 {
		t.Errorf("the auto cash-out and the Z report: %q shown %d times, want 2", accepted, n)
	}
	h.notSee(waiting)
	h.tap("Готово")

	h.tap("Смена и отчёты")
	h.tap("История отчётов и чеков")
	h.see("Z-отчёт, смена 1", "Внесение №1, смена 1")
	h.notSee(waiting)
	h.tap("Z-отчёт, смена 1")
	h.see(accepted)
	h.notSee(waiting)
}

// A cash in issued offline says so (a document, not a receipt) and that it is not sent yet; when
// the OFD answers it turns to «Принят ОФД» in place, the paper keeps its offline number and no
// longer says it is not sent.
func TestOfflineCashInTurnsAccepted(t *testing.T) {
	h := newHarness(t, true, true, i18n.Russian)
	h.unlock()
	if err := h.reg.SetNetworkCut(true); err != nil {
		t.Fatal(err)
	}
	h.settle()
	h.choose("Продажа", "Внесение")
	h.keys("5000")
	h.tap("Провести внесение")
	h.see("Автономный режим, документ №1", "Документ ещё не передан в ОФД")
	h.notSee(h.T("doc.accepted"))
	if err := h.reg.SetNetworkCut(false); err != nil {
		t.Fatal(err)
	}
	h.settle()
	h.see(h.T("doc.accepted"), "Внесение №1, смена 1")
	h.notSee("Документ ещё не передан в ОФД")
	h.notSee(h.T("doc.waiting"))
}

// count is how many labels say exactly s.
func (h *harness) count(s string) int {
	n := 0
	for _, o := range h.visible() {
		if text, _, ok := labelText(o); ok && text == s {
			n++
		}
	}
	return n
}
