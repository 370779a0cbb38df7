package ui

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"

	"github.com/ekassa-go/ekassa/i18n"
	"github.com/ekassa-go/ekassa/kkm"
)

// keyPositions are the absolute positions and sizes of the visible buttons with these texts,
// as the cashier's finger finds them.
func (h *harness) keyPositions(texts ...string) map[string]keyRect {
	h.t.Helper()
	d := fyne.CurrentApp().Driver()
	out := map[string]keyRect{}
	for _, t := range texts {
		b := h.button(t)
		out[t] = keyRect{d.AbsolutePositionForObject(b), b.Size()}
	}
	return out
}

// keyRect is where a key is on the screen.
type keyRect struct {
	Pos  fyne.Position
	Size fyne.Size
}

// sameKeys fails when a key moved or changed size between two moments.
func sameKeys(t *testing.T, what string, before, after map[string]keyRect) {
	t.Helper()
	for k, b := range before {
		if a := after[k]; a != b {
			t.Errorf("%s: key %q moved from %v to %v", what, k, b, a)
		}
	}
}

// scaled makes the harness use the text size scale (1.3 = 130 %).
func (h *harness) scaled(scale float32) {
	h.app.Preferences().SetFloat(PrefTextScale, float64(scale))
	h.app.Settings().SetTheme(&Theme{Mode: ThemeLight, Scale: scale})
	h.u.render()
	h.settle()
}

// The walker's S0 on the lock screen: the wrong-code message appears and the first digit of the
// retry hides it; neither may move the PIN pad under the finger typing the code.
func TestLockKeysStayPut(t *testing.T) {
	for _, lang := range i18n.Langs() {
		for _, scale := range []float32{1, 1.3} {
			h := newHarness(t, true, true, lang)
			h.scaled(scale)
			keys := []string{"1", "5", "9", "0", h.T("keypad.clear")}
			clean := h.keyPositions(keys...)
			h.keys("1111")
			h.tap(h.T("lock.enter"))
			if len(h.shownErrorsKeep()) == 0 {
				t.Fatalf("%s %v: no error for a wrong code", lang, scale)
			}
			sameKeys(t, string(lang)+" with the error", clean, h.keyPositions(keys...))
			h.u.current.(*lockScreen).until = time.Time{}
			h.u.render()
			h.settle()
			h.keys("1")
			h.noErrors()
			sameKeys(t, string(lang)+" after the first digit of the retry", clean, h.keyPositions(keys...))
		}
	}
}

// The walker's S0 on the sale keypad: an empty receipt's message and the 13-digit limit appearing
// and going never move or shrink a key.
func TestSaleKeypadKeysStayPut(t *testing.T) {
	for _, lang := range i18n.Langs() {
		for _, scale := range []float32{1, 1.3} {
			h := newHarness(t, true, true, lang)
			h.unlock()
			h.scaled(scale)
			keys := []string{"7", "1", "0", h.T("keypad.clear"), h.T("keypad.enter")}
			clean := h.keyPositions(keys...)
			what := func(s string) string { return fmt.Sprintf("%s %.0f%% %s", lang, scale*100, s) }

			h.tap(h.T("sale.next")) // nothing typed: «no position in the receipt»
			if len(h.shownErrorsKeep()) == 0 {
				t.Fatalf("%s: no error", what("empty receipt"))
			}
			sameKeys(t, what("empty receipt"), clean, h.keyPositions(keys...))
			h.keys("1")
			sameKeys(t, what("after a digit"), clean, h.keyPositions(keys...))
			h.tap(h.T("keypad.clear"))

			h.keys("9999999999999") // the 13th digit is refused with the limit in the message
			if len(h.shownErrorsKeep()) == 0 {
				t.Fatalf("%s: no error", what("13 digits"))
			}
			sameKeys(t, what("13 digits"), clean, h.keyPositions(keys...))
			h.tap(h.T("keypad.clear"))
			sameKeys(t, what("cleared"), clean, h.keyPositions(keys...))

			// The link drops and comes back by itself, not when the cashier chooses: the
			// network's row of the status line says so without moving a key (walker S0, the
			// offline banner took a second line at kk 130 %).
			h.setDemo(true)
			clean = h.keyPositions(keys...)
			h.tapCheck(h.T("status.network_cut"))
			sameKeys(t, what("link cut"), clean, h.keyPositions(keys...))
			if _, err := h.reg.CashIn(context.Background(), kkm.Operator{Name: "Айгуль"}, 100); err != nil {
				t.Fatal(err)
			}
			h.reg.notify()
			h.settle()
			h.see(h.u.loc.T("status.offline", map[string]any{"Count": 1, "Left": duration(h.u.loc, h.reg.Status().OfflineLeft)}))
			sameKeys(t, what("offline, a document waiting"), clean, h.keyPositions(keys...))
			h.tapCheck(h.T("status.network_cut"))
			h.see(h.T("status.online"))
			sameKeys(t, what("back online"), clean, h.keyPositions(keys...))
		}
	}
}

// The clock's warning on the status line (the device's clock away from the OFD's) appearing and
// going moves no key of the sale's keypad: it takes the network's row, which keeps its room
// (it had a row of its own, and the keys moved down when it came). It costs the keypad no room
// either: it takes no more lines than the longest offline text the row keeps room for (a longer
// one cut the keypad's last row on a 360×640 phone). kk, ru, en at 100 and 130 %.
func TestClockGapMovesNoKey(t *testing.T) {
	for _, lang := range i18n.Langs() {
		for _, scale := range []float32{1, 1.3} {
			h := newHarness(t, true, true, lang)
			h.unlock()
			h.scaled(scale)
			keys := []string{"7", "1", "0", h.T("keypad.clear"), h.T("keypad.enter")}
			what := func(s string) string { return fmt.Sprintf("%s %.0f%% %s", lang, scale*100, s) }
			var row *msgLabel
			for _, o := range h.visible() {
				if l, ok := o.(*msgLabel); ok && l.Text == h.T("status.online") {
					row = l
				}
			}
			if row == nil || row.Size().Width == 0 {
				t.Fatalf("%s: no network row:\n%s", what(""), h.text())
			}
			size := theme.TextSize() * scale
			lines := func(s string) int {
				return len(wrapLines(s, row.Size().Width-4, func(s string) float32 { return fyne.MeasureText(s, size, fyne.TextStyle{}).Width }))
			}
			samples := offlineSamples(h.u.loc, h.reg.Status())
			most := 0
			for _, s := range samples[:len(samples)-1] {
				most = max(most, lines(s))
			}
			if clock := samples[len(samples)-1]; lines(clock) > most {
				t.Errorf("%s: the clock's warning %q takes %d lines, the offline texts at most %d", what(""), clock, lines(clock), most)
			}
			for _, demo := range []bool{false, true} {
				h.setDemo(demo)
				clean := h.keyPositions(keys...)
				for _, gap := range []time.Duration{17 * time.Minute, -3 * 24 * time.Hour} {
					h.reg.mu.Lock()
					h.reg.clockGap = gap
					h.reg.mu.Unlock()
					h.reg.notify()
					h.settle()
					h.see(clockGapText(h.u.loc, gap))
					sameKeys(t, what(fmt.Sprintf("demo %v, the clock %v away", demo, gap)), clean, h.keyPositions(keys...))
				}
				h.reg.mu.Lock()
				h.reg.clockGap = 0
				h.reg.mu.Unlock()
				h.reg.notify()
				h.settle()
				h.notSee(clockGapText(h.u.loc, 17*time.Minute))
				sameKeys(t, what("the clock right again"), clean, h.keyPositions(keys...))
			}
		}
	}
}

// setDemo puts the register into demo mode (the DEMO mark and the network switch on the status
// line) or out of it.
func (h *harness) setDemo(on bool) {
	h.reg.mu.Lock()
	h.reg.demo = on
	h.reg.mu.Unlock()
	h.reg.notify()
	h.settle()
}

// The walker's S3: a date refused as no day of the calendar (31.02) stays refused no longer than
// the text it is about: clearing the field takes the message away.
func TestHistoryDateErrorGoesWithTheDate(t *testing.T) {
	h := newHarness(t, true, true, i18n.Russian)
	h.sell(10000)
	h.openHistory()
	hint := strings.NewReplacer("02", h.T("history.dd"), "01", h.T("history.mm"), "2006", h.T("history.yyyy")).Replace(dateLayout(h.u.loc))
	h.typeInto(hint, 0, "31.02.2026")
	h.tap(h.T("history.search"))
	if len(h.shownErrorsKeep()) == 0 {
		t.Fatalf("31.02.2026 not refused:\n%s", h.text())
	}
	h.typeInto(hint, 0, "")
	h.noErrors()
}

// The walker's S4: «Найти» scrolls its result, below the whole form, into view on a phone.
func TestHistoryResultInView(t *testing.T) {
	h := newHarness(t, true, true, i18n.Russian)
	h.sell(10000)
	s := h.openHistory()
	h.tap(h.T("history.search"))
	got := h.listed()
	if len(got) == 0 {
		t.Fatalf("nothing found:\n%s", h.text())
	}
	for _, o := range h.visible() {
		if b, ok := o.(*wrapButton); ok && b.Text == got[0] {
			h.within("the first document found", b, s.scroll)
			return
		}
	}
}

// The walker's F6: a form drawn anew by a choice far down it stays where the cashier scrolled it
// — the sale's «Смешанная» and the settings' «Плательщик НДС» — instead of jumping to its top;
// at 130 % text on a 360×640 phone, in kk, ru and en.
func TestFormKeepsItsPlaceWhenDrawnAnew(t *testing.T) {
	for _, lang := range i18n.Langs() {
		h := newHarness(t, true, true, lang)
		h.unlock()
		h.scaled(1.3)
		h.tab(h.T("register.tab.extended"))
		for range 4 {
			h.addItem("Нан", "1", "1000")
		}
		bottom := func(s *container.Scroll) fyne.Position {
			return fyne.NewPos(0, s.Content.MinSize().Height-s.Size().Height)
		}
		sale := h.u.reg.extended
		want := bottom(sale.scroll)
		if want.Y <= 0 {
			t.Fatalf("%s: the sale's form does not scroll at 130 %%", lang)
		}
		sale.scroll.ScrollToOffset(want)
		h.tap(h.T("pay.mixed"))
		if got := sale.scroll.Offset; got.Y < want.Y-1 {
			t.Errorf("%s: «%s» moved the sale's form from %v to %v", lang, h.T("pay.mixed"), want, got)
		}

		h.u.open(newSettingsScreen(h.u, false))
		h.settle()
		set := h.u.current.(*settingsScreen)
		want = fyne.NewPos(0, min(bottom(set.scroll).Y, 400))
		set.scroll.ScrollToOffset(want)
		h.tapCheck(h.T("settings.vat_payer"))
		if got := h.u.current.(*settingsScreen).scroll.Offset; got.Y < want.Y-1 {
			t.Errorf("%s: «%s» moved the settings from %v to %v", lang, h.T("settings.vat_payer"), want, got)
		}
	}
}
