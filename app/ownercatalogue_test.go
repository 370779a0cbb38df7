package app

import (
	"bytes"
	"context"
	"net/http/httptest"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/ekassa-go/ekassa/hub"
	"github.com/ekassa-go/ekassa/hubsync"
	"github.com/ekassa-go/ekassa/i18n"
	"github.com/ekassa-go/ekassa/internal/pgtest"
	"github.com/ekassa-go/ekassa/kkm"
	"github.com/ekassa-go/ekassa/pricelist"
	"github.com/ekassa-go/ekassa/ui"
)

// walk visits o and everything drawn inside it.
func walk(o fyne.CanvasObject, f func(fyne.CanvasObject)) {
	if o == nil {
		return
	}
	f(o)
	switch x := o.(type) {
	case *fyne.Container:
		for _, c := range x.Objects {
			walk(c, f)
		}
	case fyne.Widget:
		for _, c := range test.WidgetRenderer(x).Objects() {
			walk(c, f)
		}
	}
}

// screen drives the app's screens in a headless phone-sized window.
type screen struct {
	t  *testing.T
	u  *ui.UI
	w  fyne.Window
	ui *uiThread // its taps, typing and reads run on it, one at a time with the app's callbacks
}

func (s screen) settle() {
	s.u.Settle()
	s.ui.run(func() { s.w.Canvas().Content().Refresh() })
}

// walk visits what the window shows, on the UI thread.
func (s screen) walk(visit func(fyne.CanvasObject)) {
	s.ui.run(func() { walk(s.w.Canvas().Content(), visit) })
}

// tap taps the button labelled text.
func (s screen) tap(text string) {
	s.t.Helper()
	var found *widget.Button
	s.walk(func(o fyne.CanvasObject) {
		if b, ok := o.(*widget.Button); ok && b.Text == text && found == nil {
			found = b
		}
	})
	if found == nil {
		s.t.Fatalf("no button %q on the screen", text)
	}
	s.ui.run(func() { test.Tap(found) })
	s.settle()
}

// field returns the entry showing text, or with the placeholder hint when text is "".
func (s screen) field(text, hint string) fyne.Focusable {
	s.t.Helper()
	var found fyne.Focusable
	s.walk(func(o fyne.CanvasObject) {
		f, ok := o.(fyne.Focusable)
		if !ok || found != nil {
			return
		}
		v := reflect.ValueOf(o)
		if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
			return
		}
		tv, pv := v.Elem().FieldByName("Text"), v.Elem().FieldByName("PlaceHolder")
		if !tv.IsValid() || !pv.IsValid() || tv.Kind() != reflect.String {
			return
		}
		if (text != "" && tv.String() == text) || (text == "" && hint != "" && pv.String() == hint) {
			found = f
		}
	})
	if found == nil {
		s.t.Fatalf("no field showing %q (hint %q)", text, hint)
	}
	return found
}

// typeInto replaces what the field shows with text, as typed.
func (s screen) typeInto(f fyne.Focusable, text string) {
	s.ui.run(func() {
		if e, ok := f.(interface{ SetText(string) }); ok {
			e.SetText("")
		}
		test.Type(f, text)
	})
	s.settle()
}

// selectFirst selects the list's first row, as a tap on it.
func (s screen) selectFirst() {
	l := s.list()
	s.ui.run(func() { l.Select(0) })
	s.settle()
}

// list is the first list on the screen.
func (s screen) list() *widget.List {
	s.t.Helper()
	var found *widget.List
	s.walk(func(o fyne.CanvasObject) {
		if l, ok := o.(*widget.List); ok && found == nil {
			found = l
		}
	})
	if found == nil {
		s.t.Fatal("no list on the screen")
	}
	return found
}

// TestOwnerCatalogueScreenOverTheHub: the owner mode's catalogue over a real hub (PostgreSQL, TLS),
// on the register's own catalogue screens in a headless phone-sized window. The register sold
// kymyz at 850 ₸ from the hub's catalogue; the owner finds kymyz, changes its price to 900 ₸ and
// saves; creates tea; archives bread; lets the registers edit the catalogue. The register's
// puller gets each change: it sells at the new price, tea is there, bread is not on sale; the
// receipt issued before keeps 850 ₸. A price list imported over the hub port updates by code.
func TestOwnerCatalogueScreenOverTheHub(t *testing.T) {
	ctx := context.Background()
	c := pgtest.Start(t)
	store, err := hub.Open(ctx, c.DSN)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	r := newRig(t)
	org, ownerSecret, _ := store.CreateOrganization(ctx, "Shop")
	_, regSecret, err := store.AddRegister(ctx, org.ID, r.rt.Settings().SerialNumber, "Till", "Shop 1")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewTLSServer(hub.NewServer(store, nil).Handler())
	defer srv.Close()
	owner := &hub.Client{BaseURL: srv.URL, Secret: ownerSecret, HTTP: srv.Client()}
	kymyz := kkm.Item{Name: "Қымыз 0,5 л", Code: "K1", Unit: kkm.UnitPiece, Price: 850_00, VATRate: kkm.VATDefault,
		Barcodes: []string{"4006381333931"}}
	bread := kkm.Item{Name: "Нан", Code: "K3", Unit: kkm.UnitPiece, Price: 250_00, VATRate: kkm.VATDefault}
	if _, err := owner.PutCatalogue(ctx, []hub.CatalogueItem{{Item: kymyz}, {Item: bread}}); err != nil {
		t.Fatal(err)
	}
	pull := hubsync.NewPuller(&hub.Client{BaseURL: srv.URL, Secret: regSecret, HTTP: srv.Client()}, r.j, hubsync.Config{})
	if _, err := pull.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	local, found, err := r.j.ItemByCode(ctx, "K1")
	if err != nil || !found {
		t.Fatalf("the register has no kymyz: %v", err)
	}
	sale := func(it kkm.Item) ui.IssuedDocument {
		t.Helper()
		is, err := r.rt.IssueReceipt(ctx, r.by, kkm.ReceiptDraft{Operation: kkm.OpSale, Lines: []kkm.LineDraft{it.Line(kkm.QuantityOne)},
			Payments: []kkm.Payment{{Type: kkm.PayCash, Sum: it.Price}}})
		if err != nil {
			t.Fatal(err)
		}
		return is.Last()
	}
	before := sale(local)

	// The owner signs in on the phone (the app keeps the login) and opens the hub's catalogue.
	a, thread := newThreadApp(t)
	mode := newOwnerMode(a.Preferences(), secretFile{path: filepath.Join(t.TempDir(), ownerCredentialFile), key: bytes.Repeat([]byte{9}, 32)})
	if _, err := mode.SignIn(ctx, ui.OwnerLogin{Address: srv.URL, CertPEM: pemOf(srv), Credential: ownerSecret}); err != nil {
		t.Fatal(err)
	}
	ports := r.rt.Ports()
	ports.Owner = mode
	ports.Access = nil // the owner mode is the administrator's; the permissions are the runtime's own tests'
	bundle := i18n.MustBundle()
	u := ui.New(a, ports, bundle, i18n.Russian)
	w := test.NewWindow(nil)
	w.Resize(fyne.NewSize(360, 640))
	u.Show(w)
	defer func() { u.Settle(); u.Close(); w.Close() }()
	s := screen{t: t, u: u, w: w, ui: thread}
	l := bundle.Localizer(i18n.Russian)
	u.OpenOwner(mode)
	s.settle()
	s.tap(l.T("hubowner.catalogue.open"))
	s.typeInto(s.field("", l.T("catsell.search.hint")), "қымыз")
	if n := s.list().Length(); n != 1 {
		t.Fatalf("the owner's search for kymyz found %d items", n)
	}
	s.selectFirst()
	s.typeInto(s.field("850,00", ""), "900")
	s.tap(l.T("item.save"))

	// A new item.
	s.tap(l.T("catsell.new"))
	s.typeInto(s.field("", l.T("item.name.hint")), "Шай")
	s.typeInto(s.field("", l.T("catsell.code.hint")), "K4")
	s.typeInto(s.field("", l.T("sale.amount.hint")), "1200")
	s.tap(l.T("item.save"))

	// Bread archived.
	s.typeInto(s.field("қымыз", ""), "нан")
	if n := s.list().Length(); n != 1 {
		t.Fatalf("the owner's search for bread found %d items", n)
	}
	s.selectFirst()
	s.tap(l.T("catsell.archive"))

	// The registers may edit.
	var regs *widget.Check // the screen's one check: its text is a label beside it, which wraps
	s.walk(func(o fyne.CanvasObject) {
		if c, ok := o.(*widget.Check); ok && regs == nil {
			regs = c
		}
	})
	var shown string
	s.ui.run(func() { shown = textOf(w.Canvas().Content()) })
	if !strings.Contains(shown, l.T("hubowner.catalogue.registers_edit")) {
		t.Fatal("the registers' rule is not on the screen")
	}
	if regs == nil || regs.Checked {
		t.Fatalf("the registers' rule: %+v", regs)
	}
	s.ui.run(func() { test.Tap(regs) })
	s.settle()
	if cs, err := owner.CatalogueSettings(ctx); err != nil || !cs.RegistersEdit {
		t.Fatalf("the registers' rule at the hub: %+v %v", cs, err)
	}

	// The hub has every change; the register pulls them.
	if _, err := pull.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	now, _, _ := r.j.ItemByCode(ctx, "K1")
	tea, teaFound, _ := r.j.ItemByCode(ctx, "K4")
	breadNow, _, _ := r.j.ItemByCode(ctx, "K3")
	if now.Price != 900_00 || !teaFound || tea.Name != "Шай" || tea.Price != 1200_00 || !breadNow.Archived {
		t.Fatalf("the register after the owner's changes: kymyz %v, tea %+v (%v), bread archived %v", now.Price, tea, teaFound, breadNow.Archived)
	}
	after := sale(now)
	old, err := r.j.Document(ctx, before.Seq)
	if err != nil {
		t.Fatal(err)
	}
	if got := old.Document.Receipt.Lines[0].Price; got != 850_00 || after.Document.Receipt.Lines[0].Price != 900_00 {
		t.Fatalf("the receipt before the change holds %v, the one after %v", got, after.Document.Receipt.Lines[0].Price)
	}

	// A price list into the hub's catalogue over the owner's port: kymyz updated by its code, salt new.
	oc := mustOwnerCatalogue(t, mode)
	tab, err := pricelist.Read(strings.NewReader("Код;Наименование;Ед.;Цена\nK1;Қымыз 0,5 л;шт;950\nK5;Тұз;шт;90\n"))
	if err != nil {
		t.Fatal(err)
	}
	res, bad, err := oc.PriceLists().Import(ctx, r.by, tab, pricelist.GuessMapping(tab.Header), true, nil)
	if err != nil || len(bad) != 0 || res.Added != 1 || res.Updated != 1 {
		t.Fatalf("import: %+v %v %v", res, bad, err)
	}
	if _, err := pull.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if it, _, _ := r.j.ItemByCode(ctx, "K1"); it.Price != 950_00 {
		t.Fatalf("kymyz after the price list: %v", it.Price)
	}
}

func mustOwnerCatalogue(t *testing.T, mode ui.OwnerMode) ui.OwnerCatalogue {
	t.Helper()
	h, err := mode.Resume(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	oc, ok := h.(ui.OwnerCatalogue)
	if !ok {
		t.Fatal("the owner's hub offers no catalogue")
	}
	return oc
}

// textOf is every label's text inside o.
func textOf(o fyne.CanvasObject) string {
	var b strings.Builder
	walk(o, func(o fyne.CanvasObject) {
		switch x := o.(type) {
		case *widget.Label:
			b.WriteString(x.Text + "\n")
		case *widget.RichText:
			b.WriteString(x.String() + "\n")
		case *widget.Button:
		default:
			// The ui's message label (a wrapped check box's text, a message): a label with an
			// Importance, read as the onboarding's driver reads it.
			if s, ok := field(o, "Text"); ok {
				b.WriteString(s + "\n")
			}
		}
	})
	return b.String()
}
