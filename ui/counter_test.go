package ui

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/ekassa-go/ekassa/i18n"
	"github.com/ekassa-go/ekassa/kkm"
)

// The counter's fast path per customer (issue 12, items 5 and 7): a fresh form after every
// document, change and totals as they are typed, errors next to their fields, the PIN pad, the
// item keypad and the calendar.

// chosen fails unless the button with this text is the highlighted one of its row.
func (h *harness) chosen(text string, want bool) {
	h.t.Helper()
	if got := h.button(text).Importance == widget.HighImportance; got != want {
		h.t.Errorf("«%s» highlighted: %v, want %v", text, got, want)
	}
}

// errorLabel is the danger label shown with this text, or nil.
func (h *harness) errorLabel(text string) *msgLabel {
	for _, o := range h.visible() {
		if l, ok := o.(*msgLabel); ok && l.Importance == widget.DangerImportance && l.Text == text {
			return l
		}
	}
	return nil
}

// labelText is the text and importance of a label of either kind (Fyne's or a message's).
func labelText(o fyne.CanvasObject) (text string, imp widget.Importance, ok bool) {
	switch l := o.(type) {
	case *widget.Label:
		return l.Text, l.Importance, true
	case *msgLabel:
		return l.Text, l.Importance, true
	}
	return "", 0, false
}

// noErrors fails when any error is shown.
func (h *harness) noErrors() {
	h.t.Helper()
	for _, o := range h.visible() {
		if text, imp, ok := labelText(o); ok && imp == widget.DangerImportance && text != "" {
			h.t.Fatalf("a stale error is still shown: %q", text)
		}
	}
}

// addItem adds an item on the extended tab through the item screen.
func (h *harness) addItem(name, qty, price string) {
	h.t.Helper()
	h.tap(h.T("sale.add_item"))
	h.typeInto(h.T("item.name.hint"), 0, name)
	h.typeInto(h.T("item.quantity.hint"), 0, qty)
	h.typeInto(h.T("sale.amount.hint"), 0, price)
	h.tap(h.T("item.add"))
}

// After every document the register is back to a sale, paid in cash, with a discount: a purchase
// by card, or a markup, chosen for one customer does not carry over to the next.
func TestFreshStartForEveryCustomer(t *testing.T) {
	h := newHarness(t, true, true, i18n.Russian)
	h.unlock()
	h.choose(h.T("op.sale"), h.T("op.purchase"))
	h.tap(h.T("pay.card"))
	h.keys("500")
	h.tap(h.T("sale.next"))
	h.see(h.T("preview.title", map[string]any{"Operation": h.T("op.purchase")}))
	h.tap(h.T("preview.issue"))
	h.see(h.T("op.purchase") + " №1")
	h.tap(h.T("button.done"))
	h.see(h.T("op.sale"), h.T("keypad.total", map[string]any{"Total": h.money(0)}))
	h.notSee(h.T("op.purchase"))
	h.chosen(h.T("pay.cash"), true)
	h.chosen(h.T("pay.card"), false)

	// The extended form: a markup and a mixed payment, then the next customer.
	h.tab(h.T("register.tab.extended"))
	h.addItem("Хлеб", "2", "150")
	h.tap(h.T("sale.markup"))
	h.typeInto(h.T("sale.amount.hint"), 0, "10")
	h.tap(h.T("pay.card"))
	h.see(h.T("sale.card_sum", map[string]any{"Sum": h.money(31000)}))
	h.tap(h.T("sale.next"))
	h.tap(h.T("preview.issue"))
	h.see(h.T("op.sale") + " №2")
	h.tap(h.T("button.done"))
	h.see(h.T("sale.no_items"), h.T("keypad.total", map[string]any{"Total": h.money(0)})) // no items: 0,00, not an error
	h.chosen(h.T("sale.discount"), true)
	h.chosen(h.T("sale.markup"), false)
	h.chosen(h.T("pay.cash"), true)
	if got := h.fieldText(h.T("sale.amount.hint"), 0); got != "" {
		t.Errorf("the modifier still holds %q", got)
	}
	// A cash in resets the choices too, and the keypad's form keeps what it had.
	h.tab(h.T("register.tab.simple"))
	h.tap(h.T("pay.card"))
	h.choose(h.T("op.sale"), h.T("op.cash_in"))
	h.keys("100")
	h.tap(h.T("cash.in"))
	h.tap(h.T("button.done"))
	h.chosen(h.T("pay.cash"), true)
	if rs := h.reg.receipts(); len(rs) != 2 || rs[0].Operation != kkm.OpPurchase || rs[1].Operation != kkm.OpSale ||
		rs[1].Markup != 1000 || rs[1].Payments[0].Type != kkm.PayCard {
		t.Errorf("issued %+v", rs)
	}
}

// The change shows as the cash taken is typed, key by key, with no Enter and no rebuild of the
// form (the entry typed into stays the same widget, focused).
func TestChangeShownAsTyped(t *testing.T) {
	h := newHarness(t, true, true, i18n.Russian)
	h.unlock()
	h.tab(h.T("register.tab.extended"))
	h.addItem("Чай", "1", "730")
	pe := h.padEntries(h.T("sale.amount.hint"))[1]
	e := &pe.Entry
	h.w.Canvas().Focus(pe)
	test.Type(e, "1")
	h.notSee("Сдача")
	test.Type(e, "000")
	h.see(h.T("sale.change", map[string]any{"Change": h.money(27000)}))
	if h.entries(h.T("sale.amount.hint"))[1] != e || !focusedIs(h, e) {
		t.Error("the form was rebuilt while typing")
	}
	test.Type(e, "0")
	h.see(h.T("sale.change", map[string]any{"Change": h.money(927000)}))
	e.SetText("500")
	h.notSee("Сдача")
	h.see(h.T("keypad.total", map[string]any{"Total": h.money(73000)}))
}

// A mixed payment: the card part is what the cash leaves; typed larger, it is refused next to the
// card field at once, «Далее» stays on the form with it scrolled into view, and the message goes
// as soon as the card part is right.
func TestMixedCardPartAtMostLeft(t *testing.T) {
	h := newHarness(t, true, true, i18n.Russian)
	h.unlock()
	h.tab(h.T("register.tab.extended"))
	h.addItem("Сыр", "1", "1000")
	h.tap(h.T("pay.mixed"))
	h.typeInto(h.T("sale.amount.hint"), 1, "700")
	if got := h.fieldText(h.T("sale.amount.hint"), 2); got != "300,00" {
		t.Errorf("card part %q, want 300,00", got)
	}
	h.typeInto(h.T("sale.amount.hint"), 2, "400")
	msg := h.u.loc.Error(&uiError{id: errCardExceedsLeft, data: map[string]any{"Left": h.money(30000), "Card": h.money(40000)}})
	if h.errorLabel(msg) == nil {
		t.Fatalf("no error %q at once:\n%s", msg, h.text())
	}
	h.tap(h.T("sale.next"))
	if _, ok := h.u.current.(*registerScreen); !ok {
		t.Fatalf("a card part above what is left went on to %T", h.u.current)
	}
	h.within("the card error", h.errorLabel(msg), h.u.reg.extended.scroll)
	// The cash typed again: the card part the cashier typed stays theirs, and is right now.
	h.typeInto(h.T("sale.amount.hint"), 1, "600")
	h.noErrors()
	if got := h.fieldText(h.T("sale.amount.hint"), 2); got != "400" {
		t.Errorf("the typed card part became %q", got)
	}
	h.tap(h.T("sale.next"))
	h.tap(h.T("preview.issue"))
	if r := h.reg.receipts()[0]; r.Payments[0].Sum != 60000 || r.Payments[1].Sum != 40000 || r.Change != 0 {
		t.Errorf("payments %+v change %v", r.Payments, r.Change)
	}
}

// A total on screen is never negative or wrapped: a line too large to compute is refused on the
// item screen as it is typed, a discount above the sum shows its error at once (the total shows
// no number), and the simple keypad says at once when its sum passes the largest amount.
func TestTotalNeverNegativeOrWrapped(t *testing.T) {
	for _, lang := range i18n.Langs() {
		h := newHarness(t, true, true, lang)
		h.unlock()
		h.tab(h.T("register.tab.extended"))
		h.tap(h.T("sale.add_item"))
		h.typeInto(h.T("item.name.hint"), 0, "Алтын")
		h.typeInto(h.T("item.quantity.hint"), 0, "999999")
		h.typeInto(h.T("sale.amount.hint"), 0, "99999999999")
		overflow := h.u.loc.Error(kkm.ErrReceiptOverflow)
		if h.errorLabel(overflow) == nil && len(h.shownErrorsKeep()) == 0 {
			t.Fatalf("%s: 999 999 × 99 999 999 999 shows no error as typed:\n%s", lang, h.text())
		}
		h.tap(h.T("item.add"))
		if _, ok := h.u.current.(*itemScreen); !ok {
			t.Fatalf("%s: the line was taken: %T", lang, h.u.current)
		}
		h.typeInto(h.T("sale.amount.hint"), 0, "100")
		h.noErrors() // the cause fixed, the message gone
		h.see(h.T("item.sum", map[string]any{"Sum": h.money(99999900 * 100)}))
		h.tap(h.T("item.add"))
		h.see(h.T("keypad.total", map[string]any{"Total": h.money(9999990000)}))

		h.typeInto(h.T("sale.amount.hint"), 0, "200000000") // a discount above the sum
		h.see(h.T("keypad.total", map[string]any{"Total": "—"}))
		if errs := h.shownErrorsKeep(); len(errs) == 0 {
			t.Fatalf("%s: a discount above the sum shows no error", lang)
		}
		if txt := h.text(); regexp.MustCompile(`-\s?\d`).MatchString(txt) {
			t.Errorf("%s: a negative amount on the screen:\n%s", lang, txt)
		}
		h.typeInto(h.T("sale.amount.hint"), 0, "100")
		h.noErrors()
		h.see(h.T("keypad.total", map[string]any{"Total": h.money(9999980000)}))

		h.tab(h.T("register.tab.simple"))
		h.u.render()
		h.keys("9999999999999")
		h.tap(h.T("keypad.plus"))
		h.keys("9999999999999")
		// The keypad refuses the key that would pass the largest amount, and says so at once.
		if errs := h.shownErrorsKeep(); len(errs) != 1 {
			t.Errorf("%s: two largest amounts on the keypad show %q, want one error", lang, errs)
		}
		if tot := h.u.reg.simple.in.total(); tot <= 0 || tot > kkm.MaxMoney {
			t.Errorf("%s: the keypad holds %v", lang, tot)
		}
		h.tap(h.T("keypad.clear"))
		h.noErrors()
	}
}

// shownErrorsKeep are the error labels shown, without closing any dialog.
func (h *harness) shownErrorsKeep() []string {
	var out []string
	for _, o := range h.visible() {
		if text, imp, ok := labelText(o); ok && imp == widget.DangerImportance && strings.TrimSpace(text) != "" {
			out = append(out, text)
		}
	}
	return out
}

// An error of «Далее» is shown under its own field and scrolled into view, however far down the
// form it is; fixing the field removes it as it is typed.
func TestErrorNextToItsFieldInView(t *testing.T) {
	h := newHarness(t, true, true, i18n.Russian)
	h.unlock()
	h.tab(h.T("register.tab.extended"))
	for _, n := range []string{"Хлеб", "Сүт", "Ірімшік", "Қымыз", "Шай"} {
		h.addItem(n, "1", "100")
	}
	h.typeInto(h.T("sale.buyer.hint"), 0, "123")
	s := h.u.reg.extended
	s.scroll.ScrollToTop()
	h.tap(h.T("sale.next"))
	msg := h.errorLabel(h.u.loc.Error(kkm.ValidateIINBIN("123")))
	if msg == nil {
		t.Fatalf("no IIN/BIN error:\n%s", h.text())
	}
	h.within("the IIN/BIN error", msg, h.u.reg.extended.scroll)
	if h.u.reg.extended.scroll.Offset.Y == 0 {
		t.Error("the form did not scroll to the error")
	}
	h.typeInto(h.T("sale.buyer.hint"), 0, "")
	h.noErrors()

	// On the item screen, the quantity's error sits under the quantity, not at the bottom.
	h.tap(h.T("sale.add_item"))
	h.typeInto(h.T("item.name.hint"), 0, "Нан")
	h.typeInto(h.T("item.quantity.hint"), 0, "1,5")
	h.typeInto(h.T("sale.amount.hint"), 0, "100")
	h.tap(h.T("item.add"))
	it := h.u.current.(*itemScreen)
	if it.errAt != atQuantity || !it.errs[atQuantity].Visible() || it.errs[atPrice].Visible() {
		t.Errorf("the fraction error is at %d", it.errAt)
	}
	h.typeInto(h.T("item.quantity.hint"), 0, "2")
	h.noErrors()
}

// Enter forms the receipt on the preview (the desktop keyboard); in a sale's field it opens the
// preview, as «Далее» does.
func TestEnterFormsOnPreview(t *testing.T) {
	if phoneBuild {
		t.Skip("a phone has no Enter key on the canvas")
	}
	h := newHarness(t, true, true, i18n.Russian)
	h.unlock()
	h.tab(h.T("register.tab.extended"))
	h.addItem("Хлеб", "1", "150")
	h.submit(h.T("sale.amount.hint"), 1)
	if _, ok := h.u.current.(*previewScreen); !ok {
		t.Fatalf("Enter in the cash field: %T", h.u.current)
	}
	h.w.Canvas().Unfocus()
	h.w.Canvas().OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyReturn})
	h.settle()
	h.see(h.T("op.sale") + " №1")
	if n := len(h.reg.receipts()); n != 1 {
		t.Fatalf("%d receipts", n)
	}
	// Enter again on the document screen issues nothing more.
	h.w.Canvas().OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyReturn})
	h.settle()
	if n := len(h.reg.receipts()); n != 1 {
		t.Fatalf("%d receipts after a second Enter", n)
	}
}

// The Z report is not the highlighted button of its screen, and its confirmation says what it
// will do: the shift's number, the Z sent to the OFD, no more receipts in it, the cash. Its
// highlighted button, the one Enter presses, is «Отмена» (walker F15): the Z, which cannot be
// undone, is made only by a tap on «Закрыть смену». In kk, ru and en.
func TestZReportConfirmation(t *testing.T) {
	for _, lang := range i18n.Langs() {
		t.Run(string(lang), func(t *testing.T) {
			h := newHarness(t, true, true, lang)
			h.unlock()
			h.keys("1500")
			h.tap(h.T("sale.next"))
			h.tap(h.T("preview.issue"))
			h.tap(h.T("button.done"))
			h.tap(h.T("register.reports"))
			if b := h.button(h.T("reports.z")); b.Importance == widget.HighImportance {
				t.Error("the Z report is the highlighted button")
			}
			h.tap(h.T("reports.z"))
			h.see(h.T("counter.z.confirm", map[string]any{"Shift": 1, "Cash": h.money(150000)}))
			// What it will do, in the words of the language: the shift, the Z, the OFD.
			want := map[i18n.Lang][]string{i18n.Kazakh: {"ауысым", "Z-есеп", "ФДО"}, i18n.Russian: {"смену", "Z-отчёт", "ОФД"},
				i18n.English: {"shift", "Z report", "OFD"}}[lang]
			h.see(want...)
			h.chosen(h.T("button.cancel"), true)
			h.chosen(h.T("counter.z.close"), false)
			h.w.Canvas().OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyReturn})
			h.settle()
			if got := h.reg.kinds(); got != "receipt" {
				t.Errorf("Enter on the Z confirmation issued %s", got)
			}
			if top := h.w.Canvas().Overlays().Top(); top != nil {
				t.Fatal("Enter left the Z confirmation open")
			}
			h.tap(h.T("reports.z"))
			h.tap(h.T("button.cancel"))
			if got := h.reg.kinds(); got != "receipt" {
				t.Errorf("cancelled Z issued %s", got)
			}
			h.tap(h.T("reports.z"))
			h.tap(h.T("counter.z.close"))
			h.see(h.T("doc.title.z_report", map[string]any{"Shift": 1}))
		})
	}
}

// The lock screen's PIN pad: the code typed with taps alone, ⌫ and C, a wrong code refused and
// the message gone at the next key.
func TestLockPINPad(t *testing.T) {
	h := newHarness(t, true, true, i18n.English)
	h.keys("12")
	h.tap(h.T("keypad.clear"))
	h.keys("9")
	h.tapIcon(theme.ContentUndoIcon(), 0)
	h.keys("1235")
	h.tap(h.T("lock.enter"))
	if _, ok := h.u.current.(*lockScreen); !ok {
		t.Fatalf("a wrong code let the cashier in: %T", h.u.current)
	}
	if len(h.shownErrorsKeep()) == 0 {
		t.Fatal("no error for a wrong code")
	}
	h.u.current.(*lockScreen).until = time.Time{} // the wait after a wrong code, not under test here
	h.u.render()
	h.keys("1")
	h.noErrors()
	h.keys("2345678") // no more than six digits
	if got := h.u.current.(*lockScreen).code; got != "123456" {
		t.Errorf("code %q", got)
	}
	for i := 0; i < 2; i++ {
		h.tapIcon(theme.ContentUndoIcon(), 0)
	}
	h.tap(h.T("lock.enter"))
	if _, ok := h.u.current.(*registerScreen); !ok {
		t.Fatalf("the PIN pad's 1234 did not unlock: %T\n%s", h.u.current, h.text())
	}
}

// The item's quantity and price on the on-screen keypad with the decimal separator.
func TestItemKeypad(t *testing.T) {
	for _, lang := range i18n.Langs() {
		h := newHarness(t, true, true, lang)
		h.unlock()
		h.tab(h.T("register.tab.extended"))
		h.tap(h.T("sale.add_item"))
		h.typeInto(h.T("item.name.hint"), 0, "Алма")
		h.choose(unitName(h.u.loc, kkm.UnitPiece), unitName(h.u.loc, "166"))
		sep := h.T("keypad.decimal")
		h.tap(h.T("item.quantity"))
		h.tap(h.T("keypad.clear"))
		h.keys("2")
		h.tap(sep)
		h.tap(sep) // a second separator is ignored
		h.keys("5")
		h.tap(h.T("item.price"))
		h.keys("1200")
		h.tap(sep)
		h.keys("5")
		h.tapIcon(theme.ContentUndoIcon(), 0)
		h.tapIcon(theme.ContentUndoIcon(), 0)
		if q, p := h.fieldText(h.T("item.quantity.hint"), 0), h.fieldText(h.T("sale.amount.hint"), 0); q != "2"+sep+"5" || p != "1200" {
			t.Fatalf("%s: quantity %q price %q", lang, q, p)
		}
		h.see(h.T("item.sum", map[string]any{"Sum": h.money(300000)}))
		h.tap(h.T("item.add"))
		if s := h.u.reg.extended; len(s.lines) != 1 || s.lines[0].Quantity != 2500 || s.lines[0].Price != 120000 {
			t.Errorf("%s: lines %+v", lang, s.lines)
		}
	}
}

// History dates: chosen on a calendar in the cashier's language (Kazakh month names, Monday
// first), or typed; 31.02 is refused as no such date, a wrong form as a wrong form.
func TestHistoryCalendar(t *testing.T) {
	for _, lang := range i18n.Langs() {
		h := newHarness(t, true, true, lang)
		h.unlock()
		h.tap(h.T("register.reports"))
		h.tap(h.T("reports.history"))
		h.tapIcon(theme.CalendarIcon(), 0)
		now := time.Now()
		month := func(m time.Time) string {
			return h.T("date.month."+strconv.Itoa(int(m.Month())), map[string]any{"Year": m.Year()})
		}
		h.see(h.T("date.pick"), month(now), h.T("date.weekday.1"), h.T("date.weekday.7"))
		h.tapIcon(theme.NavigateNextIcon(), 0)
		next := time.Date(now.Year(), now.Month()+1, 1, 0, 0, 0, 0, time.Local)
		h.see(month(next))
		h.tap("15")
		want := time.Date(next.Year(), next.Month(), 15, 0, 0, 0, 0, time.Local).Format(dateLayout(h.u.loc))
		if got := h.u.current.(*historyScreen).from; got != want {
			t.Errorf("%s: from %q, want %q", lang, got, want)
		}
		if h.w.Canvas().Overlays().Top() != nil {
			t.Errorf("%s: the calendar stayed open", lang)
		}
		bad := "31.02.2026"
		if lang == i18n.English {
			bad = "2026-02-31"
		}
		h.u.current.(*historyScreen).to = bad
		h.tap(h.T("history.search"))
		h.see(h.T("err.history.date_invalid", map[string]any{"Input": bad}))
		// Under the dates, in view on a phone: not below «Найти» at the foot of the filter.
		h.within(string(lang)+" the date's error", h.errorLabel(h.T("err.history.date_invalid", map[string]any{"Input": bad})), nil)
		h.u.current.(*historyScreen).to = "31/02"
		h.tap(h.T("history.search"))
		h.see(h.T("err.history.date_format"))
	}
}

// The owner's maximum sum of a receipt is shown on the simple keypad as soon as the amounts pass
// it, not only at «Далее»; a key back below it removes the message.
func TestSimpleMaxSumAtOnce(t *testing.T) {
	h := newHarness(t, true, true, i18n.Russian)
	h.reg.mu.Lock()
	h.reg.reg.Settings.MaxReceiptSum = 100000
	h.reg.mu.Unlock()
	h.unlock()
	h.keys("999")
	h.noErrors()
	h.keys("9")
	_, err := kkm.ReceiptTotal(kkm.SimpleDraft(kkm.OpSale, []kkm.Money{999900}, nil), h.reg.Settings())
	if err == nil || h.errorLabel(h.u.loc.Error(err)) == nil {
		t.Fatalf("no maximum-sum error at once (%v):\n%s", err, h.text())
	}
	h.tapIcon(theme.ContentUndoIcon(), 0)
	h.noErrors()
}

// On the cash screens a refusal (nothing to record) is in view on a phone, next to the keypad it
// is about, and goes at the next key.
func TestCashErrorInView(t *testing.T) {
	for _, lang := range i18n.Langs() {
		h := newHarness(t, true, true, lang)
		h.unlock()
		h.choose(h.T("op.sale"), h.T("op.cash_in"))
		h.tap(h.T("cash.in"))
		msg := h.errorLabel(h.u.loc.Error(kkm.ErrCashAmountZero))
		if msg == nil {
			t.Fatalf("%s: no error:\n%s", lang, h.text())
		}
		h.within(string(lang)+" the cash error", msg, nil)
		h.keys("5")
		h.noErrors()
	}
}

// On the return screen a refusal (nothing chosen to return) is in view on a phone, under the
// keypad or the quantities it is about, not below the refund choices.
func TestReturnErrorInView(t *testing.T) {
	for _, simple := range []bool{true, false} {
		h := newHarness(t, true, true, i18n.Russian)
		h.unlock()
		d := kkm.SimpleDraft(kkm.OpSale, []kkm.Money{200000}, []kkm.Payment{{Type: kkm.PayCash, Sum: 200000}})
		if !simple {
			d = kkm.ReceiptDraft{Operation: kkm.OpSale, Lines: []kkm.LineDraft{{Name: "Хлеб", Quantity: 2 * kkm.QuantityOne,
				Unit: kkm.UnitPiece, Price: 100000}}, Payments: []kkm.Payment{{Type: kkm.PayCash, Sum: 200000}}}
		}
		is, err := h.reg.IssueReceipt(context.Background(), kkm.Operator{Code: 1, Name: "Айгуль"}, d)
		if err != nil {
			t.Fatal(err)
		}
		h.choose(h.T("op.sale"), h.T("op.return"))
		h.tapPrefix(documentTitle(h.u.loc, is.Last().Document))
		h.tap(h.T("sale.next"))
		errs := h.shownErrorsKeep()
		if len(errs) == 0 {
			t.Fatalf("simple %v: no error:\n%s", simple, h.text())
		}
		h.within(fmt.Sprintf("simple %v: the return's error", simple), h.errorLabel(errs[0]), nil)
	}
}
