package ui

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/theme"

	"github.com/ekassa-go/ekassa/i18n"
	"github.com/ekassa-go/ekassa/kkm"
)

// sell issues a cash sale of amount straight through the fake register, as if sold earlier.
func (h *harness) sell(amount kkm.Money) IssuedDocument {
	h.t.Helper()
	is, err := h.reg.IssueReceipt(context.Background(), kkm.Operator{Code: 1, Name: "Айгуль"},
		kkm.SimpleDraft(kkm.OpSale, []kkm.Money{amount}, []kkm.Payment{{Type: kkm.PayCash, Sum: amount}}))
	if err != nil {
		h.t.Fatal(err)
	}
	return is.Last()
}

// closeShift closes the shift straight through the fake register.
func (h *harness) closeShift() {
	h.t.Helper()
	if _, err := h.reg.CloseShift(context.Background(), kkm.Operator{Code: 1, Name: "Айгуль"}); err != nil {
		h.t.Fatal(err)
	}
}

// openHistory unlocks the app and opens «История отчётов и чеков» from the reports screen.
func (h *harness) openHistory() *historyScreen {
	h.t.Helper()
	h.unlock()
	h.tap("Смена и отчёты")
	h.tap("История отчётов и чеков")
	s, ok := h.u.current.(*historyScreen)
	if !ok {
		h.t.Fatalf("not the history: %T", h.u.current)
	}
	return s
}

// listed lists the titles of the documents the history shows, in order.
func (h *harness) listed() []string {
	var out []string
	for _, o := range h.visible() {
		if b, ok := o.(*wrapButton); ok && strings.Contains(b.Text, "№") || ok && strings.Contains(b.Text, "отчёт, смена") {
			out = append(out, b.Text)
		}
	}
	return out
}

// The shift filter finds the documents of one shift, and the kind menu tells sales from returns.
func TestHistoryByShiftAndKind(t *testing.T) {
	h := newHarness(t, true, true, i18n.Russian)
	a := h.sell(10000)
	h.sell(20000)
	h.closeShift()
	h.sell(30000)
	h.openHistory()
	h.see("Продажа №1, смена 1", "Продажа №2, смена 1", "Z-отчёт, смена 1", "Продажа №1, смена 2")

	h.typeInto(h.T("history.shift.hint"), 0, "2")
	h.tap("Найти")
	if got := h.listed(); len(got) != 1 || got[0] != "Продажа №1, смена 2" {
		t.Fatalf("shift 2: %q", got)
	}
	h.typeInto(h.T("history.shift.hint"), 0, "1")
	h.submit(h.T("history.shift.hint"), 0) // Enter searches too
	if got := h.listed(); len(got) != 3 || got[0] != "Z-отчёт, смена 1" {
		t.Fatalf("shift 1: %q", got)
	}

	// A return of the first sale in shift 2; «Возврат продажи» finds only it.
	h.typeInto(h.T("history.shift.hint"), 0, "")
	ret := kkm.SimpleDraft(kkm.OpSaleReturn, []kkm.Money{10000}, []kkm.Payment{{Type: kkm.PayCash, Sum: 10000}})
	ret.Parent = &kkm.ParentReceipt{Number: a.FiscalSign, Time: a.Document.Time, RNM: fakeRegInfo().RNM, Total: 10000}
	if _, err := h.reg.IssueReceipt(context.Background(), kkm.Operator{Code: 1}, ret); err != nil {
		t.Fatal(err)
	}
	h.choose("Все", "Возврат продажи")
	h.tap("Найти")
	if got := h.listed(); len(got) != 1 || !strings.HasPrefix(got[0], "Возврат продажи") {
		t.Fatalf("sale returns: %q", got)
	}
	if f := h.reg.historyAsked[len(h.reg.historyAsked)-1]; f.Operation != HistorySaleReturn || f.Kind != "" {
		t.Fatalf("asked %+v", f)
	}
	h.choose("Возврат продажи", "Z-отчёт (закрыть смену)")
	h.tap("Найти")
	if got := h.listed(); len(got) != 1 || got[0] != "Z-отчёт, смена 1" {
		t.Fatalf("Z reports: %q", got)
	}
	h.typeInto(h.T("history.shift.hint"), 0, "x")
	h.tap("Найти")
	h.see("Номер смены — это число.")
}

// A receipt is found by its fiscal sign or its number, and opening it shows the document.
func TestHistoryByNumberOpensTheDocument(t *testing.T) {
	h := newHarness(t, true, true, i18n.Russian)
	h.sell(10000)
	b := h.sell(25050)
	h.sell(30000)
	h.openHistory()

	h.typeInto(h.T("history.number.hint"), 0, b.FiscalSign)
	h.tap("Найти")
	if got := h.listed(); len(got) != 1 || got[0] != "Продажа №2, смена 1" {
		t.Fatalf("by fiscal sign %s: %q", b.FiscalSign, got)
	}
	h.see(h.money(25050))
	h.typeInto(h.T("history.number.hint"), 0, "3")
	h.tap("Найти")
	if got := h.listed(); len(got) != 1 || got[0] != "Продажа №3, смена 1" {
		t.Fatalf("by number 3: %q", got)
	}

	h.typeInto(h.T("history.number.hint"), 0, b.FiscalSign)
	h.tap("Найти")
	h.tap("Продажа №2, смена 1")
	d, ok := h.u.current.(*documentScreen)
	if !ok || len(d.docs) != 1 || d.docs[0].Seq != b.Seq {
		t.Fatalf("opened %T", h.u.current)
	}
	h.see("Продажа №2, смена 1", b.FiscalSign)
}

// Amount (exact, or a range), state and period filters reach the register as asked.
func TestHistoryAmountStateAndPeriod(t *testing.T) {
	h := newHarness(t, true, true, i18n.Russian)
	h.sell(10000)
	h.sell(25050)
	h.reg.advance(48 * time.Hour)
	h.closeShift()
	h.reg.SetNetworkCut(true)
	h.sell(10000) // waiting for the OFD
	h.openHistory()

	h.typeInto(h.T("history.amount.from.hint"), 0, "100")
	h.tap("Найти")
	if got := h.listed(); len(got) != 2 || got[0] != "Продажа №1, смена 2" || got[1] != "Продажа №1, смена 1" {
		t.Fatalf("exactly 100: %q", got)
	}
	h.typeInto(h.T("history.amount.to.hint"), 0, "300")
	h.tap("Найти")
	if got := h.listed(); len(got) != 3 {
		t.Fatalf("100…300: %q", got)
	}
	if f := h.reg.historyAsked[len(h.reg.historyAsked)-1]; f.AmountFrom != 10000 || f.AmountTo != 30000 {
		t.Fatalf("asked %+v", f)
	}
	h.typeInto(h.T("history.amount.to.hint"), 0, "1,234")
	h.tap("Найти")
	h.see(h.u.loc.Error(kkm.ErrMoneyTooManyDecimals))
	h.typeInto(h.T("history.amount.to.hint"), 0, "")
	h.typeInto(h.T("history.amount.from.hint"), 0, "")

	h.choose("Любое", "Ждут ответа ОФД")
	h.tap("Найти")
	if got := h.listed(); len(got) != 1 || got[0] != "Продажа №1, смена 2" {
		t.Fatalf("waiting: %q", got)
	}
	h.choose("Ждут ответа ОФД", "Приняты ОФД")
	h.tap("Найти")
	if got := h.listed(); len(got) != 3 {
		t.Fatalf("fiscalised: %q", got)
	}
	h.choose("Приняты ОФД", "Любое")

	h.typeInto("дд.мм.гггг", 0, "02.03.2026")
	h.typeInto("дд.мм.гггг", 1, "02.03.2026")
	h.tap("Найти")
	if got := h.listed(); len(got) != 2 || got[1] != "Продажа №1, смена 1" {
		t.Fatalf("2 March: %q", got)
	}
	f := h.reg.historyAsked[len(h.reg.historyAsked)-1]
	if want := time.Date(2026, 3, 2, 0, 0, 0, 0, time.Local); !f.From.Equal(want) || !f.To.Equal(want.AddDate(0, 0, 1)) {
		t.Fatalf("asked %+v", f)
	}
	h.typeInto("дд.мм.гггг", 1, "3 марта")
	h.tap("Найти")
	h.see("Введите дату как дд.мм.гггг.")
}

// «Показать ещё» asks for the page after the last document shown (the cursor), adds it to the
// list in place, and disappears at the end of the journal.
func TestHistoryPagesWithTheCursor(t *testing.T) {
	h := newHarness(t, true, true, i18n.Russian)
	var sold []IssuedDocument
	for i := range 45 {
		sold = append(sold, h.sell(kkm.Money(100*(i+1))))
	}
	s := h.openHistory()
	if got := h.listed(); len(got) != historyPage || got[0] != "Продажа №45, смена 1" {
		t.Fatalf("first page: %d, %q", len(got), got[0])
	}
	list := s.list
	h.tap("Показать ещё")
	if got := h.listed(); len(got) != 2*historyPage || got[historyPage] != "Продажа №25, смена 1" {
		t.Fatalf("two pages: %d", len(got))
	}
	if s.list != list || h.u.current != s {
		t.Fatal("the list was rebuilt instead of extended")
	}
	f := h.reg.historyAsked[len(h.reg.historyAsked)-1]
	if f.Before != sold[45-historyPage].Seq || f.Limit != historyPage {
		t.Fatalf("the second page asked %+v, want Before %d", f, sold[45-historyPage].Seq)
	}
	h.tap("Показать ещё")
	got := h.listed()
	if len(got) != 45 || got[44] != "Продажа №1, смена 1" {
		t.Fatalf("three pages: %d", len(got))
	}
	for i := range got {
		if want := fmt.Sprintf("Продажа №%d, смена 1", 45-i); got[i] != want {
			t.Fatalf("entry %d is %q, want %q", i, got[i], want)
		}
	}
	h.notSee("Показать ещё") // the end of the journal

	// A new search starts from the first page again.
	h.typeInto(h.T("history.amount.from.hint"), 0, "45")
	h.tap("Найти")
	if got := h.listed(); len(got) != 1 || got[0] != "Продажа №45, смена 1" {
		t.Fatalf("amount 45: %q", got)
	}
	if f := h.reg.historyAsked[len(h.reg.historyAsked)-1]; f.Before != 0 {
		t.Fatalf("a new search asked %+v", f)
	}
	h.typeInto(h.T("history.amount.from.hint"), 0, "45,50")
	h.tap("Найти")
	h.see("Ничего не найдено")
	h.notSee("Продажа №")
}

// The reports screen opens the analytics when the app has them, and has no button otherwise.
func TestReportsOpenAnalytics(t *testing.T) {
	h := newHarness(t, true, true, i18n.Russian)
	h.unlock()
	h.tap("Смена и отчёты")
	h.notSee("Аналитика")
	h.tapIcon(theme.NavigateBackIcon(), 0)

	fa := &fakeAnalytics{}
	h.u.ports.Analytics = fa
	h.tap("Смена и отчёты")
	h.tap("Аналитика")
	if _, ok := h.u.current.(*analyticsScreen); !ok {
		t.Fatalf("not the analytics: %T", h.u.current)
	}
	if len(fa.asked) != 1 {
		t.Fatalf("asked %d times", len(fa.asked))
	}
	h.see(h.T("analytics.revenue"))
	h.tapIcon(theme.NavigateBackIcon(), 0)
	if _, ok := h.u.current.(*reportsScreen); !ok {
		t.Fatalf("back to %T", h.u.current)
	}
}

// The history opens at the top of its form, «Номер смены» in view, though its first page is
// loaded with it; «Найти» then scrolls to the result under the form (walker S4 W8: at 360×640
// the page loaded with the screen scrolled the shift field out of sight).
func TestHistoryOpensAtItsFirstFilter(t *testing.T) {
	for _, lang := range []i18n.Lang{i18n.Kazakh, i18n.Russian, i18n.English} {
		t.Run(string(lang), func(t *testing.T) {
			h := newHarness(t, true, true, lang)
			for i := 0; i < 3; i++ {
				h.sell(10000)
			}
			h.unlock()
			h.tap(h.T("register.reports"))
			h.tap(h.T("reports.history"))
			s, ok := h.u.current.(*historyScreen)
			if !ok {
				t.Fatalf("not the history: %T", h.u.current)
			}
			if len(s.docs) != 3 {
				t.Fatalf("the first page: %d documents", len(s.docs))
			}
			if y := s.scroll.Offset.Y; y != 0 {
				t.Fatalf("opened scrolled %v down: the shift filter is out of sight", y)
			}
			h.tap(h.T("history.search"))
			s = h.u.current.(*historyScreen)
			if y := s.scroll.Offset.Y; y == 0 {
				t.Fatal("«Найти» did not scroll to its result under the form")
			}
		})
	}
}
