package ui

import (
	"context"
	"fmt"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/ekassa-go/ekassa/i18n"
	"github.com/ekassa-go/ekassa/kkm"
)

// The tests drive the status line themselves (the fake register's notify). The real clock's
// refresh tick, in the middle of a test slowed by a loaded machine, rebuilt the status line on
// its own goroutine (the test driver runs fyne.Do at once, on the caller's) while the test read
// it: the phone-fit test once found a block's message laid out unwrapped, 1 200 px wide.
func init() { statusRefresh = 24 * time.Hour }

// shownInView fails unless the label with this text is shown and lies inside the window and the
// visible part of the scroll it is in: what a refusal says is seen without scrolling by hand.
func (h *harness) shownInView(what, text string) {
	h.t.Helper()
	var found fyne.CanvasObject
	var in *container.Scroll
	var walk func(o fyne.CanvasObject, scroll *container.Scroll)
	walk = func(o fyne.CanvasObject, scroll *container.Scroll) {
		if o == nil || !o.Visible() || found != nil {
			return
		}
		switch v := o.(type) {
		case *widget.Label, *msgLabel:
			if s, _, _ := labelText(v); s == text {
				found, in = v, scroll
				return
			}
		case *container.Scroll:
			walk(v.Content, v)
			return
		}
		switch v := o.(type) {
		case *fyne.Container:
			for _, c := range v.Objects {
				walk(c, scroll)
			}
		case fyne.Widget:
			for _, c := range test.WidgetRenderer(v).Objects() {
				walk(c, scroll)
			}
		}
	}
	walk(h.w.Canvas().Content(), nil)
	if found == nil {
		h.t.Fatalf("%s: %q not shown:\n%s", what, text, h.text())
	}
	h.within(what, found, in)
}

// The walker's S1 and F1: a refusal shown far down a form is scrolled into view on a 360×640
// phone at 130 % text, so that «Далее», «Подключить» or «Сохранить» never seems to do nothing —
// the extended sale's cash check, a return larger than the receipt, the first start's connection
// with no address, the settings' save (its refusal and its «saved» notice).
func TestRefusalScrolledIntoView(t *testing.T) {
	for _, lang := range i18n.Langs() {
		what := func(s string) string { return fmt.Sprintf("%s: %s", lang, s) }

		t.Run(string(lang)+"/sale", func(t *testing.T) {
			h := newHarness(t, true, true, lang)
			h.unlock()
			h.scaled(1.3)
			h.tab(h.T("register.tab.extended"))
			for range 4 {
				h.addItem("Нан", "1", "1000")
			}
			h.typeInto(h.T("sale.amount.hint"), 1, "100") // the cash taken: less than the total
			h.u.reg.extended.scroll.ScrollToTop()
			h.tap(h.T("sale.next"))
			errs := h.shownErrorsKeep()
			if len(errs) == 0 {
				t.Fatalf("too little cash not refused:\n%s", h.text())
			}
			h.shownInView(what("the cash check"), errs[0])
		})

		t.Run(string(lang)+"/return", func(t *testing.T) {
			h := newHarness(t, true, true, lang)
			h.unlock()
			h.scaled(1.3)
			is, err := h.reg.IssueReceipt(context.Background(), kkm.Operator{Code: 1, Name: "Айгуль"},
				kkm.SimpleDraft(kkm.OpSale, []kkm.Money{250000}, []kkm.Payment{{Type: kkm.PayCard, Sum: 250000}}))
			if err != nil {
				t.Fatal(err)
			}
			h.choose(h.T("op.sale"), h.T("op.return"))
			h.tapPrefix(documentTitle(h.u.loc, is.Last().Document))
			h.keys("2600")
			h.tap(h.T("sale.next"))
			errs := h.shownErrorsKeep()
			if len(errs) == 0 {
				t.Fatalf("a return larger than the receipt not refused:\n%s", h.text())
			}
			h.shownInView(what("the return's refusal"), errs[0])
		})

		t.Run(string(lang)+"/connect", func(t *testing.T) {
			h := newHarness(t, false, false, lang)
			h.scaled(1.3)
			s := newConnectScreen(h.u)
			for i, o := range KnownOFDs() {
				if o.Address == "" {
					s.ofd = i // an OFD that gives its address in its cabinet, left empty
					break
				}
			}
			h.u.open(s)
			h.settle()
			h.tap(h.T("connect.connect"))
			h.shownInView(what("the connection's refusal"), h.u.loc.Error(kkm.ErrSettingsOFDAddress))
		})

		t.Run(string(lang)+"/settings", func(t *testing.T) {
			h := newHarness(t, true, true, lang)
			h.unlock()
			h.scaled(1.3)
			h.u.open(newSettingsScreen(h.u, false))
			h.settle()
			h.typeInto("43.238949", 0, "43.25")
			h.typeInto("76.889709", 0, "200")
			h.tap(h.T("settings.save"))
			errs := h.shownErrorsKeep()
			if len(errs) == 0 {
				t.Fatalf("longitude 200 not refused:\n%s", h.text())
			}
			h.shownInView(what("the settings' refusal"), errs[0])
			h.typeInto("76.889709", 0, "76.9")
			h.tap(h.T("settings.save"))
			h.noErrors()
			h.shownInView(what("the settings' notice"), h.T("settings.saved"))

			// Drawn anew while saving (or for a box ticked), the page keeps its place.
			s := h.u.current.(*settingsScreen)
			s.scroll.ScrollToOffset(fyne.NewPos(0, 300))
			h.u.render()
			if y := s.scroll.Offset.Y; y != 300 {
				t.Errorf("%s: the settings drawn anew at %v, not where they were (300)", lang, y)
			}
		})
	}
}
