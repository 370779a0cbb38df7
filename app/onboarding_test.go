package app

import (
	"bytes"
	"context"
	"io"
	"net/http/httptest"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/ekassa-go/ekassa/delivery"
	"github.com/ekassa-go/ekassa/hub"
	"github.com/ekassa-go/ekassa/hub/ofdsimcabinet"
	"github.com/ekassa-go/ekassa/i18n"
	"github.com/ekassa-go/ekassa/internal/pgtest"
	"github.com/ekassa-go/ekassa/kkm"
	"github.com/ekassa-go/ekassa/ofdclient"
	"github.com/ekassa-go/ekassa/ofdclient/ofdsim"
	storage2 "github.com/ekassa-go/ekassa/storage"
	"github.com/ekassa-go/ekassa/ui"
)

// TestOnboardingScreensOnARealHub (issue 18 item 6): a new phone with no register walks the
// owner's cabinet from the start page's «Я владелец» against a real hub (a throwaway PostgreSQL)
// whose OFD cabinet is the emulator's, the screens driven by taps and typing: the account by
// e-mail with the code the demo hub shows (a wrong one refused first), the organization bound by
// a generated RSA .p12 under a CA the hub trusts (a wrong password and an unknown issuer refused
// first, under the key's fields), a trading point, a register applied for and followed to
// «registered», «Подключить эту кассу» filled from it and connected, and a sale accepted by the
// emulator. The owner's credential is kept as the owner mode's sign-in: it resumes afterwards.
func TestOnboardingScreensOnARealHub(t *testing.T) {
	ctx := context.Background()
	c := pgtest.Start(t)
	store, err := hub.Open(ctx, c.DSN)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	sim, err := ofdsim.New(ofdsim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := sim.Start(ctx, "127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	ca, err := hub.NewDemoCA()
	if err != nil {
		t.Fatal(err)
	}
	srv := hub.NewServer(store, nil)
	srv.Onboarding = &hub.Onboarding{Store: store, Mail: &hub.MemoryMailer{}, Cabinet: &ofdsimcabinet.Cabinet{Server: sim},
		Trust: ca.Trust(), ShowCode: true, OFDAddress: sim.Addr()}
	ts := httptest.NewTLSServer(srv.Handler())
	defer ts.Close()

	// The ЭЦП files on the phone: the owner's, and one of an issuer the hub does not know.
	now := time.Now()
	ecp := hub.DemoECP{IINBIN: "870412300416", Name: "АХМЕТОВ АЙДАР", NotBefore: now.Add(-time.Hour),
		NotAfter: now.AddDate(1, 0, 0), Password: "qwerty"}
	good, err := ca.Issue(ecp)
	if err != nil {
		t.Fatal(err)
	}
	stranger, err := hub.NewDemoCA()
	if err != nil {
		t.Fatal(err)
	}
	unknown, err := stranger.Issue(ecp)
	if err != nil {
		t.Fatal(err)
	}

	// A new phone: a journal with a cashier and no register.
	j, err := storage2.Open(ctx, filepath.Join(t.TempDir(), JournalFile))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { j.Close() })
	rt, err := NewRuntime(ctx, j, Options{FiscalWait: 5 * time.Second, Exchanger: &ofdclient.Transport{Timeout: 2 * time.Second},
		Sender: delivery.Config{TransactionTime: 300 * time.Millisecond, RetryDelay: 10 * time.Millisecond,
			OfflineRetry: 20 * time.Millisecond, MaxOfflineRetry: 50 * time.Millisecond,
			Jitter: func(d time.Duration) time.Duration { return d }}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rt.Close() })
	cashier, err := rt.CreateCashier(ctx, ui.NewCashier{Name: "Айгуль", Code: "2468"})
	if err != nil {
		t.Fatal(err)
	}

	a, thread := newThreadApp(t)
	owner := ownerMode{prefs: a.Preferences(), secret: secretFile{path: filepath.Join(t.TempDir(), ownerCredentialFile),
		key: bytes.Repeat([]byte{5}, 32)}}
	// The register applied for here keeps its hub credential on this phone (cabinet.Apply).
	registers := registerSecrets{dir: t.TempDir(), key: bytes.Repeat([]byte{7}, 32)}
	ports := rt.Ports()
	ports.Owner, ports.Onboarding = owner, onboarding{owner: owner, registers: registers}
	var next []byte // the file the next choice hands over
	var nextName string
	ports.ChooseFile = func(done func(fyne.URIReadCloser, error)) {
		done(&chosenFile{Reader: bytes.NewReader(next), uri: storage.NewFileURI("/sdcard/Download/" + nextName)}, nil)
	}
	bundle := i18n.MustBundle()
	l := bundle.Localizer(i18n.Russian)
	u := ui.New(a, ports, bundle, i18n.Russian)
	w := test.NewWindow(nil)
	w.Resize(fyne.NewSize(360, 640))
	u.Show(w)
	t.Cleanup(func() { u.Settle(); u.Close(); w.Close() })
	d := &driver{t: t, w: w, u: u, ui: thread}

	d.typeInto(l.T("lock.code.hint"), "2468")
	d.tap(l.T("lock.enter"))
	d.tap(l.T("onboarding.start"))

	// Step 1: the account, the hub's certificate chosen as a file.
	d.typeInto("https://…", ts.URL)
	next, nextName = pemOf(ts), "hub.crt"
	d.tap(l.T("owner.cert.choose"))
	d.typeInto("name@example.kz", "owner@shop.kz")
	d.tap(l.T("onboarding.send_code"))
	shown := regexp.MustCompile(`\b\d{6}\b`).FindString(d.label(l.T("onboarding.code.demo", map[string]any{"Code": ""})))
	if shown == "" {
		t.Fatalf("no code shown:\n%s", d.text())
	}
	wrong := "000000"
	if shown == wrong {
		wrong = "111111"
	}
	d.typeInto("000000", wrong)
	d.tap(l.T("onboarding.confirm"))
	d.see(l.T("err.onboarding.code_wrong"))
	d.typeInto("000000", shown)
	d.tap(l.T("onboarding.confirm"))

	// Step 2: the organization bound by its ЭЦП.
	d.see(l.T("onboarding.org.intro"))
	d.typeInto("000000000000", "870412300416")
	d.typeInto(l.T("onboarding.org.name.hint"), "ИП Ахметов")
	d.typeInto(l.T("onboarding.org.legal.hint"), "Алматы, пр. Абая 10")
	next, nextName = unknown, "stranger.p12"
	d.tap(l.T("onboarding.key.choose"))
	d.typeInto(l.T("onboarding.key.password.hint"), "qwerty")
	d.tap(l.T("onboarding.bind"))
	d.see(l.T("err.onboarding.cert_untrusted"))
	next, nextName = good, "AUTH_RSA256.p12"
	d.tap(l.T("onboarding.key.choose"))
	d.typeInto(l.T("onboarding.key.password.hint"), "qwert")
	d.tap(l.T("onboarding.bind"))
	d.see(l.T("err.onboarding.key_password"), "ИП Ахметов", "Алматы, пр. Абая 10", "AUTH_RSA256.p12")
	d.typeInto(l.T("onboarding.key.password.hint"), "qwerty")
	d.tap(l.T("onboarding.bind"))
	if d.seen(l.T("onboarding.key.password.hint")) {
		t.Fatalf("still binding:\n%s", d.text())
	}

	// Step 4: a trading point.
	d.tap(l.T("onboarding.tp.add"))
	d.typeIntoNth("", 0, "Бакалея")
	d.choose("", l.T("region.almaty_city"))
	d.typeIntoNth("", 1, "Алматы")
	d.typeIntoNth("", 2, "пр. Абая")
	d.typeIntoNth("", 3, "10")
	d.tap(l.T("onboarding.add"))
	d.see("Бакалея")

	// Step 5: the register applied for; step 6: followed to «registered».
	d.tap(l.T("onboarding.tab.registers"))
	d.tap(l.T("onboarding.reg.add"))
	d.typeInto(l.T("onboarding.reg.name.hint"), "Касса 1")
	d.typeInto(l.T("onboarding.reg.serial.hint"), "EKS0000042")
	d.choose("", l.T("onboarding.tariff.base"))
	d.tap(l.T("onboarding.reg.apply"))
	d.see("Касса 1 · EKS0000042", l.T("onboarding.status.sent"), "E-kassa, "+strconv.Itoa(now.Year())+" · Бакалея")
	d.tap(l.T("onboarding.reg.refresh"))
	d.see(l.T("onboarding.status.awaiting_kgd"))
	d.tap(l.T("onboarding.reg.refresh"))
	d.see(l.T("onboarding.status.registered"))

	// «Подключить эту кассу»: the connect screen filled from the cabinet, connected.
	d.tap(l.T("onboarding.reg.connect_here"))
	d.see(sim.Addr())
	d.tap(l.T("connect.connect"))
	d.see(l.T("connect.done"), "EKS0000042", "870412300416")
	if s := rt.Settings(); s.OFDAddress != sim.Addr() || s.Reg.ZNM != "EKS0000042" || !rt.Status().Registered {
		t.Fatalf("connected as %+v", s)
	}
	d.tap(l.T("connect.open"))

	// A sale, accepted by the emulator.
	is, err := rt.IssueReceipt(ctx, cashier.Operator(), kkm.SimpleDraft(kkm.OpSale, []kkm.Money{1500_00},
		[]kkm.Payment{{Type: kkm.PayCash, Sum: 1500_00}}))
	if err != nil {
		t.Fatal(err)
	}
	if doc := is.Last(); doc.FiscalSign == "" || doc.Document.Offline {
		t.Fatalf("the sale was not accepted by the emulator: %+v", doc)
	}
	// The owner mode is signed in with the credential the confirmation gave.
	h, err := owner.Resume(ctx)
	if err != nil || h == nil {
		t.Fatalf("the owner mode after the onboarding: %v, %v", h, err)
	}
	// The connected phone pushes its journal to the owner's hub with the credential the cabinet
	// kept, with no -hub (ownersHubPush, as the app starts it; started here after the screens, as
	// the headless driver runs the push's screen updates beside the taps): the owner sees the sale.
	// TestHubPushWaitsForTheConnection shows the same push started before the connection.
	stopPush, _ := ownersHubPush(ctx, j, rt, a.Preferences(), registers, nil, t.Logf)
	t.Cleanup(stopPush)
	deadline := time.Now().Add(30 * time.Second)
	for {
		regs, err := h.Registers(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(regs) == 1 && regs[0].Serial == "EKS0000042" && regs[0].Pushed >= is.Last().Seq {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the hub holds %+v; the sale is seq %d", regs, is.Last().Seq)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// chosenFile is a file the phone's file chooser hands over.
type chosenFile struct {
	io.Reader
	uri fyne.URI
}

func (f *chosenFile) URI() fyne.URI { return f.uri }
func (f *chosenFile) Close() error  { return nil }

// driver taps and types in a headless window of the real screens.
type driver struct {
	t  *testing.T
	w  fyne.Window
	u  *ui.UI
	ui *uiThread // its taps, typing and reads run on it, one at a time with the app's callbacks
}

// visible walks what is shown, overlays included.
func (d *driver) visible() (out []fyne.CanvasObject) {
	d.ui.run(func() { out = d.walk() })
	return out
}

func (d *driver) walk() []fyne.CanvasObject {
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
	walk(d.w.Canvas().Content())
	for _, o := range d.w.Canvas().Overlays().List() {
		walk(o)
	}
	return out
}

// text is every label, button and entry shown, a line each.
func (d *driver) text() (text string) {
	d.ui.run(func() { text = d.readText() })
	return text
}

func (d *driver) readText() string {
	var b strings.Builder
	for _, o := range d.visible() {
		switch v := o.(type) {
		case *widget.Label:
			b.WriteString(v.Text + "\n")
		case *widget.Button:
			b.WriteString(v.Text + "\n")
		case *widget.Select:
			b.WriteString(v.Selected + "\n")
		default:
			if s, ok := field(o, "Text"); ok {
				b.WriteString(s + "\n")
			}
		}
	}
	return b.String()
}

// field reads a string field of a widget that embeds widget.Entry (the screens' own entries) or of
// a label (one with an Importance: Fyne's, or the ui's message label).
func field(o fyne.CanvasObject, name string) (string, bool) {
	v := reflect.ValueOf(o)
	if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
		return "", false
	}
	_, entry := v.Elem().Type().FieldByName("Entry")
	_, label := v.Elem().Type().FieldByName("Importance") // a label: Fyne's, or the ui's message label
	if !entry && !label && v.Elem().Type() != reflect.TypeOf(widget.Entry{}) {
		return "", false
	}
	f := v.Elem().FieldByName(name)
	if !f.IsValid() || f.Kind() != reflect.String {
		return "", false
	}
	return f.String(), true
}

func (d *driver) seen(piece string) bool { return strings.Contains(d.text(), piece) }

func (d *driver) see(pieces ...string) {
	d.t.Helper()
	for _, p := range pieces {
		if !d.seen(p) {
			d.t.Fatalf("%q not on the screen:\n%s", p, d.text())
		}
	}
}

// label returns the first label starting with prefix (a Fyne label or a message label, whose
// text field is read as text does).
func (d *driver) label(prefix string) string {
	for _, o := range d.visible() {
		if _, button := o.(*widget.Button); button {
			continue
		}
		if s, ok := field(o, "Text"); ok && strings.HasPrefix(s, strings.TrimSpace(prefix)) {
			return s
		}
	}
	return ""
}

func (d *driver) tap(text string) {
	d.t.Helper()
	var found *widget.Button
	for _, o := range d.visible() {
		if b, ok := o.(*widget.Button); ok && b.Text == text {
			found = b
		}
	}
	if found == nil || found.Disabled() {
		d.t.Fatalf("no button %q to tap:\n%s", text, d.text())
	}
	d.ui.run(func() { test.Tap(found) })
	d.u.Settle()
}

// entries are the entries shown with this placeholder, as something to type into.
func (d *driver) entries(placeholder string) []fyne.Focusable {
	var out []fyne.Focusable
	for _, o := range d.visible() {
		if ph, ok := field(o, "PlaceHolder"); ok && ph == placeholder {
			if f, ok := o.(fyne.Focusable); ok {
				out = append(out, f)
			}
		}
	}
	return out
}

func (d *driver) typeInto(placeholder, s string) { d.t.Helper(); d.typeIntoNth(placeholder, 0, s) }

// typeIntoNth clears the i-th entry with the placeholder and types s into it.
func (d *driver) typeIntoNth(placeholder string, i int, s string) {
	d.t.Helper()
	es := d.entries(placeholder)
	if len(es) <= i {
		d.t.Fatalf("no entry %d with placeholder %q:\n%s", i, placeholder, d.text())
	}
	e := es[i]
	d.ui.run(func() {
		e.(interface{ SetText(string) }).SetText("")
		d.w.Canvas().Focus(e)
		test.Type(e, s)
	})
	d.u.Settle()
}

// choose picks an option of the first select showing current.
func (d *driver) choose(current, option string) {
	d.t.Helper()
	for _, o := range d.visible() {
		if s, ok := o.(*widget.Select); ok && s.Selected == current {
			d.ui.run(func() { s.SetSelected(option) })
			d.u.Settle()
			return
		}
	}
	d.t.Fatalf("no select showing %q:\n%s", current, d.text())
}
