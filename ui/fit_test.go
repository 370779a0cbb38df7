package ui

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/ekassa-go/ekassa/i18n"
	"github.com/ekassa-go/ekassa/kkm"
)

// What "fits a phone" means, checked on the laid-out object tree of the window and its overlays
// (dialogs, menus), each object at its absolute position:
//
//  1. Nothing reaches past the window's left or right edge. Below the bottom only inside a
//     scroll (the screens scroll vertically); a dialog or a fixed bar never does.
//  2. No widget is laid out narrower than its minimum width: a squeezed button or field has its
//     text cut.
//  3. No label's text is cut: a label that does not wrap has room for its whole text on one line
//     (an ellipsis or an overflowing line is a cut); a label that wraps breaks only between words —
//     every whitespace-separated word of its text is whole on one of the lines drawn (unless the
//     word is wider than the whole line, as a file's path can be). Text is
//     measured in the theme in force where it is drawn (the receipt's paper has its own).
//  4. An empty field has room for its whole hint. (What is typed into a one-line field scrolls
//     inside it, as a field does; that is not checked.)
//
// fitSlack is the rounding the layout may leave.
const fitSlack = 0.5

// misfits lists what on the window breaks those rules, one line each.
func (h *harness) misfits() []string {
	c := h.w.Canvas()
	size := c.Size()
	var out []string
	var walk func(o fyne.CanvasObject, at fyne.Position, scrolled bool, th fyne.Theme)
	walk = func(o fyne.CanvasObject, at fyne.Position, scrolled bool, th fyne.Theme) {
		if o == nil || !o.Visible() {
			return
		}
		pos := at.Add(o.Position())
		sz := o.Size()
		name := describe(o)
		if sz.Width > 0 && sz.Height > 0 && !isShadow(o) {
			if pos.X < -fitSlack || pos.X+sz.Width > size.Width+fitSlack {
				out = append(out, fmt.Sprintf("%s spans x %.0f…%.0f, the window is %.0f wide", name, pos.X, pos.X+sz.Width, size.Width))
			}
			if !scrolled && (pos.Y < -fitSlack || pos.Y+sz.Height > size.Height+fitSlack) {
				out = append(out, fmt.Sprintf("%s spans y %.0f…%.0f, the window is %.0f high", name, pos.Y, pos.Y+sz.Height, size.Height))
			}
		}
		if tabs, ok := o.(*container.AppTabs); ok && sz.Width > 0 {
			if overflow(tabs) {
				out = append(out, fmt.Sprintf("tabs %q hide a tab behind «…»: a cashier must see every tab", tabTitles(tabs)))
			}
		}
		switch v := o.(type) {
		case *widget.Label:
			if msg := labelCut(v, th); msg != "" {
				out = append(out, msg)
			}
			if messageIDs[v.Text] {
				out = append(out, fmt.Sprintf("label %q shows a message ID, not its text", v.Text))
			}
		case *msgLabel:
			if msg := msgCut(v, th); msg != "" {
				out = append(out, msg)
			}
			if messageIDs[v.Text] {
				out = append(out, fmt.Sprintf("label %q shows a message ID, not its text", v.Text))
			}
		case *widget.Entry:
			if msg := hintCut(v, th); msg != "" {
				out = append(out, msg)
			}
			return
		case *scanEntry: // the catalogue's search
			if msg := hintCut(&v.Entry, th); msg != "" {
				out = append(out, msg)
			}
			return
		case *numberEntry:
			if msg := hintCut(&v.Entry, th); msg != "" {
				out = append(out, msg)
			}
			return
		case fyne.Widget:
			if _, ok := o.(*widget.RichText); !ok && sz.Width > 0 && sz.Width+fitSlack < o.MinSize().Width {
				out = append(out, fmt.Sprintf("%s is %.0f wide, less than its least %.0f", name, sz.Width, o.MinSize().Width))
			}
		}
		switch v := o.(type) {
		case *container.Scroll:
			if v.Direction == container.ScrollHorizontalOnly || v.Direction == container.ScrollBoth {
				if v.Content != nil && v.Content.Size().Width > v.Size().Width+fitSlack {
					out = append(out, fmt.Sprintf("%s scrolls sideways", name))
				}
			}
			walk(v.Content, pos, true, th)
		case *container.ThemeOverride:
			for _, ch := range test.WidgetRenderer(v).Objects() {
				walk(ch, pos, scrolled, v.Theme)
			}
		case *fyne.Container:
			for _, ch := range v.Objects {
				walk(ch, pos, scrolled, th)
			}
		case fyne.Widget:
			for _, ch := range test.WidgetRenderer(v).Objects() {
				walk(ch, pos, scrolled, th)
			}
		}
	}
	th := fyne.CurrentApp().Settings().Theme()
	walk(c.Content(), fyne.NewPos(0, 0), false, th)
	for _, o := range c.Overlays().List() {
		walk(o, fyne.NewPos(0, 0), false, th)
	}
	return out
}

// messageIDs are the IDs of every message: a label showing one shows a gap in the texts.
var messageIDs = func() map[string]bool {
	ids, _ := i18n.MessageIDs(i18n.Russian)
	set := map[string]bool{}
	for _, id := range ids {
		set[id] = true
	}
	return set
}()

// overflow reports whether tabs show their «…» button: a tab that did not fit the bar is hidden
// behind it (walker S6: the extended mode went there in Kazakh at 130 %, and when chosen from it
// the only tab still seen named the other mode).
func overflow(tabs *container.AppTabs) bool {
	more := theme.MoreHorizontalIcon().Name()
	found := false
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		if o == nil || !o.Visible() || found {
			return
		}
		switch v := o.(type) {
		case *widget.Button:
			found = v.Text == "" && v.Icon != nil && v.Icon.Name() == more
		case *fyne.Container:
			for _, ch := range v.Objects {
				walk(ch)
			}
		case fyne.Widget:
			for _, ch := range test.WidgetRenderer(v).Objects() {
				walk(ch)
			}
		}
	}
	// The tab bar only: a tab's own content may have a «…» button of its own.
	for _, o := range test.WidgetRenderer(tabs).Objects() {
		if slices.ContainsFunc(tabs.Items, func(it *container.TabItem) bool { return it.Content == o }) {
			continue
		}
		walk(o)
	}
	return found
}

// tabTitles are the titles of the tabs, for a failure message.
func tabTitles(tabs *container.AppTabs) []string {
	var out []string
	for _, it := range tabs.Items {
		out = append(out, it.Text)
	}
	return out
}

// isShadow reports whether o is a gradient, which Fyne draws only as the shadow around a dialog,
// a menu or a button: outside the box it shades, by design.
func isShadow(o fyne.CanvasObject) bool {
	switch o.(type) {
	case *canvas.LinearGradient, *canvas.RadialGradient:
		return true
	}
	return false
}

// describe names an object for a failure message: its type and its text, if any.
func describe(o fyne.CanvasObject) string {
	switch v := o.(type) {
	case *widget.Label:
		return fmt.Sprintf("label %q", v.Text)
	case *msgLabel:
		return fmt.Sprintf("message %q", v.Text)
	case *widget.Button:
		return fmt.Sprintf("button %q", v.Text)
	case *widget.Check:
		return fmt.Sprintf("check box %q", v.Text)
	case *widget.Select:
		return fmt.Sprintf("select %q", v.Selected)
	case *widget.Entry:
		return fmt.Sprintf("entry %q", v.PlaceHolder)
	case *canvas.Text:
		return fmt.Sprintf("text %q", v.Text)
	}
	return fmt.Sprintf("%T", o)
}

// drawnLines is the text a label draws, one string per line, as its renderer lays it out.
func drawnLines(l *widget.Label) []string {
	var lines []string
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		switch v := o.(type) {
		case *canvas.Text:
			if v.Visible() {
				lines = append(lines, v.Text)
			}
		case fyne.Widget:
			for _, ch := range test.WidgetRenderer(v).Objects() {
				walk(ch)
			}
		case *fyne.Container:
			for _, ch := range v.Objects {
				walk(ch)
			}
		}
	}
	for _, ch := range test.WidgetRenderer(l).Objects() {
		walk(ch)
	}
	return lines
}

// hintCut says how an empty field's hint is cut, or "" when it fits (rule 4).
func hintCut(e *widget.Entry, th fyne.Theme) string {
	if e.Text != "" || e.PlaceHolder == "" || e.Size().Width == 0 || e.MultiLine {
		return ""
	}
	need := fyne.MeasureText(e.PlaceHolder, th.Size(theme.SizeNameText), e.TextStyle).Width +
		2*th.Size(theme.SizeNameInnerPadding) + 2*th.Size(theme.SizeNameInputBorder)
	if e.ActionItem != nil {
		need += e.ActionItem.MinSize().Width + th.Size(theme.SizeNamePadding)
	}
	if need > e.Size().Width+fitSlack {
		return fmt.Sprintf("the hint %q of a field is cut: it needs %.0f, the field is %.0f wide", e.PlaceHolder, need, e.Size().Width)
	}
	return ""
}

// labelCut says how a label's text is cut, or "" when it is shown whole (rule 3).
func labelCut(l *widget.Label, th fyne.Theme) string {
	text := strings.TrimSpace(l.Text)
	if text == "" || l.Size().Width == 0 {
		return ""
	}
	lines := drawnLines(l)
	if l.Wrapping == fyne.TextWrapOff {
		// One line: it must have room for the whole text.
		style := l.TextStyle
		size := th.Size(theme.SizeNameText)
		if l.SizeName != "" {
			size = th.Size(l.SizeName)
		}
		var need float32
		for _, part := range strings.Split(text, "\n") {
			need = max(need, fyne.MeasureText(part, size, style).Width+2*th.Size(theme.SizeNameInnerPadding))
		}
		if need > l.Size().Width+fitSlack || slices.ContainsFunc(lines, func(s string) bool { return strings.HasSuffix(s, "…") && !strings.HasSuffix(text, "…") }) {
			return fmt.Sprintf("label %q is cut: it needs %.0f, it has %.0f", l.Text, need, l.Size().Width)
		}
		return ""
	}
	return wrapCut(l.Text, lines, l.Size().Width-2*th.Size(theme.SizeNameInnerPadding), func(s string) float32 {
		return fyne.MeasureText(s, th.Size(theme.SizeNameText), l.TextStyle).Width
	})
}

// msgCut says how a message label's text is cut, or "" when it is shown whole (rule 3): every
// line within the label, every word whole on one line.
func msgCut(l *msgLabel, th fyne.Theme) string {
	if strings.TrimSpace(l.Text) == "" || l.Size().Width == 0 {
		return ""
	}
	var lines []string
	room := l.Size().Width - 2*th.Size(theme.SizeNameInnerPadding)
	measure := func(s string) float32 { return fyne.MeasureText(s, th.Size(theme.SizeNameText), l.TextStyle).Width }
	for _, o := range test.WidgetRenderer(l).Objects() {
		t := o.(*canvas.Text)
		lines = append(lines, t.Text)
		if w := measure(t.Text); w > room+fitSlack {
			return fmt.Sprintf("message %q draws the line %q %.0f wide in %.0f", l.Text, t.Text, w, room)
		}
	}
	if l.MaxLines > 0 && len(lines) > 0 && strings.HasSuffix(lines[len(lines)-1], "…") {
		// Cut on purpose after its last line (a favourite's name on its tile): the words drawn
		// before the «…» must be whole, the last one drawn may be cut short by it.
		if len(lines) < min(l.MaxLines, 2) {
			return fmt.Sprintf("label %q cut to %d line(s) %q of the %d it may show", l.Text, len(lines), lines, l.MaxLines)
		}
		last := strings.TrimSuffix(lines[len(lines)-1], "…")
		drawn := breakWords(strings.Join(append(lines[:len(lines)-1:len(lines)-1], last), "\n"))
		words := breakWords(l.Text)
		for i, w := range drawn {
			if i >= len(words) || (w != words[i] && i < len(drawn)-1) || !strings.HasPrefix(words[i], w) {
				return fmt.Sprintf("label %q breaks the word %q: drawn as %q", l.Text, w, lines)
			}
		}
		return ""
	}
	return wrapCut(l.Text, lines, room, measure)
}

// wrapCut says how a wrapped text is broken where it must not be, or "" when every word is whole
// on one of the lines drawn. A word is what lies between ordinary spaces and line ends: a
// no-break space (U+00A0, U+202F) joins, so «6 000,00 ₸» is one word that a line must never split
// (Fyne's own word wrap breaks at it, walker F10). A word wider than the whole room (a file's
// path) can only be broken: that is allowed.
func wrapCut(text string, lines []string, room float32, measure func(string) float32) string {
	var drawn []string
	for _, line := range lines {
		drawn = append(drawn, breakWords(line)...)
	}
	words := breakWords(text)
	if slices.Equal(drawn, words) {
		return ""
	}
	for _, w := range words {
		if !slices.Contains(drawn, w) && measure(w) <= room {
			return fmt.Sprintf("label %q breaks the word %q: drawn as %q", text, w, lines)
		}
	}
	return ""
}

// breakWords splits text at the ordinary spaces and line ends only (not at a no-break space), the
// space before the tenge sign excepted (the texts write «{{.Sum}} ₸»: the sign belongs to the amount).
func breakWords(text string) []string {
	text = strings.ReplaceAll(text, " "+kkm.CurrencySign, "\u00a0"+kkm.CurrencySign) // never a line starting with «₸»
	return strings.FieldsFunc(text, func(r rune) bool { return r == ' ' || r == '\n' || r == '\t' || r == '\r' })
}

// fits fails the test with what does not fit on the window, naming where it was.
func (h *harness) fits(where string) {
	h.t.Helper()
	if bad := h.misfits(); len(bad) > 0 {
		h.t.Errorf("%s: %d things do not fit a %v window:\n  %s", where, len(bad), h.w.Canvas().Size(), strings.Join(bad, "\n  "))
	}
}

// closeDialogs removes the dialogs and menus shown.
func (h *harness) closeDialogs() {
	for _, o := range h.w.Canvas().Overlays().List() {
		h.w.Canvas().Overlays().Remove(o)
	}
}

// longestMessages are the n longest texts among the messages whose ID starts with prefix, in the
// harness's language: the worst cases for a dialog.
func (h *harness) longestMessages(prefix string, n int) []string {
	ids, err := i18n.MessageIDs(h.u.Lang())
	if err != nil {
		h.t.Fatal(err)
	}
	// Amounts as the app writes them: digit groups joined by no-break spaces (i18n's Number).
	num := func(m kkm.Money) string { return h.u.loc.Number(m.String()) }
	data := map[string]any{"Name": "Әлия Қасымова", "Max": num(99999999999), "Total": num(123456789), "Cash": num(123456789),
		"Left": "23 ч 59 мин", "Count": 1234, "Number": 12345, "Shift": 123, "Code": 13, "Text": "ОФД: документ отклонён",
		"Minutes": 90, "Hours": 72, "Seconds": 30, "Sum": num(123456789), "Line": 3, "Now": "02.03.2026 10:30",
		"Expected": "02.03.2026 09:00", "Addr": "ofd.example.kz:7777", "Address": "ofd.example.kz:7777",
		"File": "/storage/emulated/0/Documents/ekassa-journal-2026-03-02T10-30.db", "Document": "Продажа №12, смена 3",
		"Reason": "ОФД: неверный формат", "Action": "Z", "Amount": num(123400), "Card": num(100000), "Change": num(0),
		"From": "01.03.2026", "To": "02.03.2026", "Have": 3, "Want": 5, "Index": 2, "Info": "ОФД", "Input": "31.02.2026",
		"KB": 640, "MaxKB": 512, "Latitude": "43.238949", "Longitude": "76.889709", "Lines": 10000, "Min": 1,
		"NonCash": num(100000), "OFD": "АО «Казахтелеком»", "Operation": "Продажа", "Paid": num(100000), "Pay": num(100000),
		"Percent": 16, "Price": num(100000), "Quantity": "1,5", "Rate": "16%", "Role": "Кассир", "Site": "consumer.oofd.kz",
		"Token": 12345678, "Unit": "кг", "Year": 2026, "PrevFrom": "01.02.2026", "PrevTo": "28.02.2026", "Paper": 58}
	var texts []string
	for _, id := range ids {
		if strings.HasPrefix(id, prefix) {
			texts = append(texts, h.T(id, data))
		}
	}
	slices.SortFunc(texts, func(a, b string) int { return len(b) - len(a) })
	return texts[:min(n, len(texts))]
}

// Every screen and dialog fits a 360×640 phone at 100 % and 130 % text in Kazakh, Russian and
// English (see misfits for what that means); the screenshots of docs/screenshots are written from
// here when EKASSA_SCREENSHOTS is set.
func TestEveryScreenAndDialogFitsAPhone(t *testing.T) {
	for _, scale := range []float32{1, 1.3} {
		for _, l := range i18n.Langs() {
			t.Run(fmt.Sprintf("%s-%.0f", l, scale*100), func(t *testing.T) {
				phoneFits(t, l, scale)
			})
		}
	}
}

func phoneFits(t *testing.T, l i18n.Lang, scale float32) {
	h := newHarness(t, true, true, l)
	h.u.ports.Catalogue = fitCatalogue() // the catalogue's search and favourites on the register (catalogue_fit_test.go)
	h.app.Preferences().SetFloat(PrefTextScale, float64(scale))
	h.app.Settings().SetTheme(&Theme{Mode: ThemeLight, Scale: scale})
	h.reg.reg.Settings.VATPayer = true
	h.reg.reg.Settings.DefaultVATRate = kkm.VAT16
	h.w.Resize(phone) // a register in real use: in demo mode the DEMO mark and switch share the shift's line

	// The screenshots: a chosen few, at 100 %, in each language.
	shot := func(name string) {
		if scale == 1 && slices.Contains([]string{"register", "receipt", "cash-in-document", "history", "settings",
			"offline", "z-confirmation", "error", "calendar"}, name) {
			h.shot(fmt.Sprintf("40-phone-%s-%s", name, l))
		}
	}
	h.fits("the lock screen")
	shot("lock")
	h.unlock()
	h.fits("the register")
	shot("register")

	op := kkm.Operator{Name: "Әлия Қасымова"}
	sale, err := h.reg.IssueReceipt(context.Background(), op,
		kkm.SimpleDraft(kkm.OpSale, []kkm.Money{123456789}, []kkm.Payment{{Type: kkm.PayCash, Sum: 123456789}}))
	if err != nil {
		t.Fatal(err)
	}
	cashIn, err := h.reg.CashIn(context.Background(), op, 5000000)
	if err != nil {
		t.Fatal(err)
	}
	reg := h.u.current.(*registerScreen)
	reg.extended.lines = []kkm.LineDraft{{Name: "Нан «Бородинский» қара бидай ұны, кесілген", Quantity: 2500, Unit: "166",
		Price: 123456, NTIN: "02900001234567890123", Modifier: &kkm.Modifier{Kind: kkm.Discount, Percent: 1250}}}
	reg.extended.pay = payMixed
	screens := []struct {
		name string
		s    screen
	}{
		{"first-start", newFirstStartScreen(h.u)},
		{"start", newStartScreen(h.u)},
		{"serial", newSerialScreen(h.u)},
		{"connect", newConnectScreen(h.u)},
		{"item", newItemScreen(h.u, reg.extended, 0)},
		{"cash-in", newCashScreen(h.u, kkm.KindCashIn)},
		{"cash-out", newCashScreen(h.u, kkm.KindCashOut)},
		{"reports", newReportsScreen(h.u)},
		{"history", newHistoryScreen(h.u)},
		{"return", newReturnScreen(h.u)},
		{"settings", newSettingsScreen(h.u, false)},
		{"settings-token", newSettingsScreen(h.u, true)},
		{"receipt", newDocumentScreen(h.u, sale)},
		{"cash-in-document", newDocumentScreen(h.u, cashIn)},
		{"catalogue", newCatalogueScreen(h.u)},
		{"catalogue-item", newItemEditScreen(h.u, fitCatalogue().items[0], nil)},
		{"catalogue-new-item", newItemEditScreen(h.u, kkm.Item{Unit: kkm.UnitPiece}, nil)},
	}
	for _, sc := range screens {
		h.u.open(sc.s)
		h.settle()
		h.fits(sc.name)
		shot(sc.name)
		h.u.back()
		h.settle()
	}
	reg.tab = tabExtended
	h.u.render()
	h.settle()
	h.fits("the register, extended mode")
	shot("register-extended")
	h.catalogueFits(shot)

	// The status line in every block: readable, nothing cut.
	for _, b := range Blocks() {
		if b == BlockNone {
			continue
		}
		h.reg.setBlock(b)
		h.settle()
		h.fits("the status line, block " + string(b))
	}
	h.reg.setBlock(BlockNone)
	if err := h.reg.SetNetworkCut(true); err != nil {
		t.Fatal(err)
	}
	if _, err := h.reg.CashIn(context.Background(), op, 100); err != nil {
		t.Fatal(err)
	}
	h.settle()
	h.fits("the status line, offline")
	shot("offline")
	// In demo mode the DEMO mark and the network switch are on the status line too (walker S5:
	// beside them the shift's time left was cut), at a shift number of four digits.
	h.reg.mu.Lock()
	number := h.reg.reg.State.ShiftNumber
	h.reg.reg.State.ShiftNumber = 1234
	h.reg.mu.Unlock()
	h.setDemo(true)
	h.fits("the status line in demo mode, offline")
	if err := h.reg.SetNetworkCut(false); err != nil {
		t.Fatal(err)
	}
	h.settle()
	h.fits("the status line in demo mode, online")
	h.reg.mu.Lock()
	h.reg.reg.State.ShiftNumber = number
	h.reg.mu.Unlock()
	h.setDemo(false)

	// The dialogs.
	dialogs := []struct {
		name string
		show func()
	}{
		{"the Z report's confirmation", h.u.closeShift},
		{"the X report's confirmation", func() { h.u.confirm("reports.x", "reports.x.confirm", "button.confirm", func() {}) }},
		{"the restore's confirmation", func() {
			h.u.confirm("journal.restore", "journal.restore.confirm", "journal.restore.go", func() {})
		}},
		{"a cashier's removal", func() {
			h.u.confirmText("cashiers.remove", h.T("cashiers.remove.confirm", map[string]any{"Name": "Әлия Қасымова"}),
				"cashiers.remove", func() {})
		}},
		{"the clock's question", func() { h.u.issueFailed(fakeClockJump{}, func() {}) }},
		{"the restore's result", func() {
			h.u.inform("journal.restore", h.T("journal.restore.done", map[string]any{"Count": 12345}))
		}},
	}
	for i, text := range h.longestMessages("err.", 4) {
		dialogs = append(dialogs, struct {
			name string
			show func()
		}{fmt.Sprintf("error dialog %d", i+1), func() { h.u.inform("dialog.error", text) }})
	}
	for _, d := range dialogs {
		d.show()
		h.settle()
		h.fits(d.name)
		switch d.name {
		case "the Z report's confirmation":
			shot("z-confirmation")
		case "error dialog 1":
			shot("error")
		}
		h.closeDialogs()
	}
	// The history's calendar.
	h.u.open(newHistoryScreen(h.u))
	h.settle()
	h.tapIcon(theme.CalendarIcon(), 0)
	h.fits("the calendar")
	shot("calendar")
	h.closeDialogs()
	h.u.back()
	h.settle()

	// The history with a document of every kind it lists, numbered as a busy register's, the
	// refused one marked (walker S8: a Kazakh return's title widened the window to 377 px).
	h.everyKind(sale.Last())
	h.u.open(newHistoryScreen(h.u))
	h.settle()
	h.tap(h.T("history.search"))
	h.fits("the history of every kind of document")
	h.u.back()
	h.settle()

	doc := newDocumentScreen(h.u, sale)
	h.u.open(doc)
	h.settle()
	doc.share()
	h.settle()
	h.fits("the share dialog")
	h.closeDialogs()
	doc.showQR(0)
	h.settle()
	h.fits("the QR code dialog")
	h.closeDialogs()
}

// everyKind adds to the fake journal a document of every kind the history lists — sale, purchase,
// both returns, cash in and out, X and Z report, a receipt the OFD refused — with the longest
// numbers a busy register reaches, copied from sale.
func (h *harness) everyKind(sale IssuedDocument) {
	h.t.Helper()
	op := kkm.Operator{Name: "Әлия Қасымова"}
	if _, err := h.reg.CashOut(context.Background(), op, 100); err != nil {
		h.t.Fatal(err)
	}
	if _, err := h.reg.XReport(context.Background(), op); err != nil {
		h.t.Fatal(err)
	}
	h.closeShift()
	h.reg.mu.Lock()
	defer h.reg.mu.Unlock()
	receipt := func(o kkm.Operation, refused error) {
		d := sale
		r := *sale.Document.Receipt
		r.Operation = o
		d.Document.Receipt = &r
		d.Document.Number, d.Document.ShiftNumber = 99999, 9999
		d.Seq = int64(len(h.reg.docs) + 1)
		d.Refused = refused
		h.reg.docs = append(h.reg.docs, d)
	}
	for _, o := range []kkm.Operation{kkm.OpSale, kkm.OpPurchase, kkm.OpSaleReturn, kkm.OpPurchaseReturn} {
		receipt(o, nil)
	}
	receipt(kkm.OpPurchaseReturn, ofdRefusal{"ОФД: неверный формат"})
	for i := range h.reg.docs {
		h.reg.docs[i].Document.ShiftNumber = 9999
		if h.reg.docs[i].Document.Number > 0 {
			h.reg.docs[i].Document.Number = 99999
		}
	}
}
