package ui

import (
	"context"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/ekassa-go/ekassa/i18n"
	"github.com/ekassa-go/ekassa/kkm"
)

// fakePorts is every port over the fake register, the settings through set (the fake itself, or
// strictRegister with the runtime's checks).
func fakePorts(p Profiles, c Connector, reg *fakeRegister, set SettingsStore) Ports {
	return Ports{Profiles: p, Connector: c, Status: reg, Settings: set, Issuer: reg, Journal: reg,
		Access: reg, Recovery: reg, JournalCare: reg, Cashiers: reg, Printer: reg}
}

// harness is a UI in a headless phone-sized window with fake ports.
type harness struct {
	t        *testing.T
	u        *UI
	w        fyne.Window
	app      fyne.App
	profiles *fakeProfiles
	reg      *fakeRegister
	queue    []func() // background work not yet run
}

// newHarness builds the UI. With a profile the cashier «Айгуль» has code 1234.
func newHarness(t *testing.T, withProfile, registered bool, lang i18n.Lang) *harness {
	t.Helper()
	a := test.NewTempApp(t)
	p := &fakeProfiles{}
	if withProfile {
		if _, err := p.CreateCashier(context.Background(), NewCashier{Name: "Айгуль", Code: "1234"}); err != nil {
			t.Fatal(err)
		}
	}
	reg := newFakeRegister(registered)
	reg.profiles = p // the Cashiers port's cashiers (fake_admin_test.go)
	u := New(a, fakePorts(p, fakeConnector{reg: reg}, reg, reg), i18n.MustBundle(), lang)
	h := &harness{t: t, u: u, app: a, profiles: p, reg: reg}
	// Background work waits in a queue until the test settles it, on the test's goroutine: the
	// test driver runs fyne.Do at once on the caller's goroutine, so a real goroutine would race
	// with the tap that started it.
	u.spawn = func(f func()) { h.queue = append(h.queue, f) }
	h.w = test.NewWindow(nil)
	h.w.Resize(fyne.NewSize(360, 640))
	u.Show(h.w)
	t.Cleanup(func() { h.settle(); u.Close(); h.w.Close() })
	return h
}

// settle runs the background work queued so far, and the work it queues in turn.
func (h *harness) settle() {
	for len(h.queue) > 0 {
		f := h.queue[0]
		h.queue = h.queue[1:]
		f()
	}
	h.u.settle()
	// Every screen fits a 360×640 phone: a wider minimum would have grown the window.
	if w := h.w.Canvas().Size().Width; w > 360 {
		h.t.Errorf("%T is %v wide, more than a phone", h.u.current, w)
		h.w.Resize(fyne.NewSize(360, 640))
	}
}

// unlock types the code of «Айгуль» on the lock screen.
func (h *harness) unlock() {
	h.t.Helper()
	h.typeInto(h.u.loc.T("lock.code.hint"), 0, "1234")
	h.tap(h.u.loc.T("lock.enter"))
	if _, ok := h.u.current.(*lockScreen); ok {
		h.t.Fatalf("still locked: %s", h.text())
	}
}

// visible walks what is shown: the window's content and its overlays (dialogs, menus).
func (h *harness) visible() []fyne.CanvasObject {
	var out []fyne.CanvasObject
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		if o == nil || !o.Visible() {
			return
		}
		out = append(out, o)
		switch v := o.(type) {
		case *fyne.Container:
			for _, c := range v.Objects {
				walk(c)
			}
		case fyne.Widget:
			for _, c := range test.WidgetRenderer(v).Objects() {
				walk(c)
			}
		}
	}
	walk(h.w.Canvas().Content())
	for _, o := range h.w.Canvas().Overlays().List() {
		walk(o)
	}
	return out
}

// text is everything written on the screen, one piece a line.
func (h *harness) text() string {
	var b strings.Builder
	for _, o := range h.visible() {
		switch v := o.(type) {
		case *widget.Label:
			b.WriteString(v.Text + "\n")
		case *msgLabel:
			b.WriteString(v.Text + "\n")
		case *widget.Button:
			b.WriteString(v.Text + "\n")
		case *widget.Entry:
			b.WriteString(v.Text + "\n")
		case *numberEntry:
			b.WriteString(v.Text + "\n")
		case *padEntry:
			b.WriteString(v.Text + "\n")
		case *scanEntry:
			b.WriteString(v.Text + "\n")
		case *widget.Select:
			b.WriteString(v.Selected + "\n")
		case *widget.Check:
			b.WriteString(v.Text + "\n")
		case *canvas.Text:
			b.WriteString(v.Text + "\n")
		}
	}
	return strings.ReplaceAll(b.String(), "\u00a0", " ")
}

// see fails unless every piece is on the screen (no-break spaces read as spaces).
func (h *harness) see(pieces ...string) {
	h.t.Helper()
	txt := h.text()
	for _, p := range pieces {
		if !strings.Contains(txt, strings.ReplaceAll(p, "\u00a0", " ")) {
			h.t.Fatalf("%q not on the screen:\n%s", p, txt)
		}
	}
}

// notSee fails if a piece is on the screen.
func (h *harness) notSee(p string) {
	h.t.Helper()
	if txt := h.text(); strings.Contains(txt, strings.ReplaceAll(p, "\u00a0", " ")) {
		h.t.Fatalf("%q on the screen:\n%s", p, txt)
	}
}

// button finds the last visible button with this text (dialogs lie above the screen).
func (h *harness) button(text string) *widget.Button {
	h.t.Helper()
	var found *widget.Button
	for _, o := range h.visible() {
		if b, ok := o.(*widget.Button); ok && b.Text == text {
			found = b
		}
		if b, ok := o.(*wrapButton); ok && b.Text == text { // buttons whose text wraps
			found = b.button
		}
	}
	if found == nil {
		h.t.Fatalf("no button %q on the screen:\n%s", text, h.text())
	}
	return found
}

// tap taps a button and waits for the work it starts.
func (h *harness) tap(text string) {
	h.t.Helper()
	b := h.button(text)
	if b.Disabled() {
		h.t.Fatalf("button %q is disabled", text)
	}
	test.Tap(b)
	h.settle()
}

// tapPrefix taps the first button whose text starts with prefix.
func (h *harness) tapPrefix(prefix string) {
	h.t.Helper()
	for _, o := range h.visible() {
		if b, ok := o.(*widget.Button); ok && strings.HasPrefix(b.Text, prefix) {
			test.Tap(b)
			h.settle()
			return
		}
		if b, ok := o.(*wrapButton); ok && strings.HasPrefix(b.Text, prefix) { // buttons whose text wraps
			test.Tap(b.button)
			h.settle()
			return
		}
	}
	h.t.Fatalf("no button starting %q:\n%s", prefix, h.text())
}

// tapIcon taps the i-th visible button showing icon and no text.
func (h *harness) tapIcon(icon fyne.Resource, i int) {
	h.t.Helper()
	n := 0
	for _, o := range h.visible() {
		if b, ok := o.(*widget.Button); ok && b.Text == "" && b.Icon != nil && b.Icon.Name() == icon.Name() {
			if n == i {
				test.Tap(b)
				h.settle()
				return
			}
			n++
		}
	}
	h.t.Fatalf("no button %d with icon %s", i, icon.Name())
}

// tapCheck taps the check box with this text.
func (h *harness) tapCheck(text string) {
	h.t.Helper()
	for _, o := range h.visible() {
		if c, ok := o.(*widget.Check); ok && c.Text == text {
			test.Tap(c)
			h.settle()
			return
		}
		if c, ok := o.(*wrapCheck); ok && c.Text == text { // check boxes whose text wraps
			test.Tap(c)
			h.settle()
			return
		}
	}
	h.t.Fatalf("no check box %q:\n%s", text, h.text())
}

// keys taps keypad keys, one character each.
func (h *harness) keys(s string) {
	h.t.Helper()
	for _, r := range s {
		h.tap(string(r))
	}
}

// entries finds the visible entries with this placeholder.
func (h *harness) entries(placeholder string) []*widget.Entry {
	var out []*widget.Entry
	for _, o := range h.visible() {
		if e, ok := o.(*widget.Entry); ok && e.PlaceHolder == placeholder {
			out = append(out, e)
		}
		if e, ok := o.(*numberEntry); ok && e.PlaceHolder == placeholder { // whole numbers
			out = append(out, &e.Entry)
		}
		if e, ok := o.(*padEntry); ok && e.PlaceHolder == placeholder { // the item's quantity and price
			out = append(out, &e.Entry)
		}
		if e, ok := o.(*scanEntry); ok && e.PlaceHolder == placeholder { // the catalogue's search
			out = append(out, &e.Entry)
		}
	}
	return out
}

// typeInto types into the i-th entry with this placeholder, after clearing it.
func (h *harness) typeInto(placeholder string, i int, s string) {
	h.t.Helper()
	es := h.entries(placeholder)
	if len(es) <= i {
		h.t.Fatalf("no entry %d with placeholder %q:\n%s", i, placeholder, h.text())
	}
	es[i].SetText("")
	h.w.Canvas().Focus(es[i])
	test.Type(es[i], s)
	h.settle()
}

// submit presses Enter in the i-th entry with this placeholder.
func (h *harness) submit(placeholder string, i int) {
	h.t.Helper()
	e := h.entries(placeholder)[i]
	e.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	h.settle()
}

// choose picks an option of the visible select now showing current.
func (h *harness) choose(current, option string) {
	h.t.Helper()
	for _, o := range h.visible() {
		if s, ok := o.(*widget.Select); ok && s.Selected == current {
			s.SetSelected(option)
			h.settle()
			return
		}
	}
	h.t.Fatalf("no select showing %q:\n%s", current, h.text())
}

// tab selects a tab of the register screen.
func (h *harness) tab(title string) {
	h.t.Helper()
	for _, o := range h.visible() {
		if tabs, ok := o.(*container.AppTabs); ok {
			for _, it := range tabs.Items {
				if it.Text == title {
					tabs.Select(it)
					return
				}
			}
		}
	}
	h.t.Fatalf("no tab %q", title)
}

// T is the Russian text of a message, for readable tests in the tests' language.
func (h *harness) T(id string, data ...map[string]any) string { return h.u.loc.T(id, data...) }

// money formats an amount as the screen does.
func (h *harness) money(m kkm.Money) string { return money(h.u.loc, m) }

// shot writes the screen to docs/screenshots/<name>.png when EKASSA_SCREENSHOTS is set.
func (h *harness) shot(name string) {
	h.t.Helper()
	dir := os.Getenv("EKASSA_SCREENSHOTS")
	if dir == "" {
		return
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		h.t.Fatal(err)
	}
	f, err := os.Create(filepath.Join(dir, name+".png"))
	if err != nil {
		h.t.Fatal(err)
	}
	defer f.Close()
	if err := png.Encode(f, h.w.Canvas().Capture()); err != nil {
		h.t.Fatal(err)
	}
}
