package ui

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"

	"github.com/ekassa-go/ekassa/i18n"
	"github.com/ekassa-go/ekassa/kkm"
)

// The catalogue as a cashier works with it (issue 14.2, 14.6): scans, favourites, the search, a
// price changed after a sale, a scale label and the owner's permission, on a headless phone.

var (
	eanBread = ean13("487000123456") // «Нан»
	eanMilk  = ean13("487000765432") // «Сүт 3,2% 1 л»
	eanNew   = ean13("460123450001") // not in the catalogue
)

// catalogueHarness is the register unlocked as «Айгуль» (an administrator) with a catalogue.
func catalogueHarness(t *testing.T, lang i18n.Lang) (*harness, *fakeCatalogue) {
	t.Helper()
	h := newHarness(t, true, true, lang)
	cat := &fakeCatalogue{access: h.reg, items: []kkm.Item{
		{ID: 1, Name: "Нан", Barcodes: []string{"0" + eanBread}, Unit: kkm.UnitPiece, Price: 25000, Favourite: true},
		{ID: 2, Name: "Сүт 3,2% 1 л", NTIN: "0290000123456", Barcodes: []string{"0" + eanMilk}, Unit: kkm.UnitPiece, Price: 58000, Favourite: true},
		{ID: 3, Name: "Қымыз «Сары-Арқа» 0,5 л", Code: "771", Unit: kkm.UnitPiece, Price: 120000},
		{ID: 4, Name: "Алма «Апорт»", Code: "00123", Unit: "166", Price: 90000, Favourite: true},
	}}
	h.u.ports.Catalogue = cat
	h.unlock()
	return h, cat
}

// scanOnRegister types code on the register screen with no field focused at a scanner's pace
// (5 ms a key), then Enter.
func (h *harness) scanOnRegister(code string) {
	h.t.Helper()
	if h.u.reg == nil {
		h.t.Fatal("no register screen")
	}
	h.u.reg.extended.catalogue().now = stepClock(5 * time.Millisecond)
	h.typeKeys(code)
	h.key(fyne.KeyReturn)
}

// lines is the extended form's receipt as «name × thousandths @ tiyn» lines.
func (h *harness) lines() []string {
	var out []string
	for _, ln := range h.u.reg.extended.lines {
		out = append(out, fmt.Sprintf("%s × %d @ %d", ln.Name, int64(ln.Quantity), int64(ln.Price)))
	}
	return out
}

func (h *harness) wantLines(want ...string) {
	h.t.Helper()
	if got := h.lines(); strings.Join(got, "\n") != strings.Join(want, "\n") {
		h.t.Fatalf("the receipt's lines are\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// issueSale forms the receipt on the extended form, paid in cash, and returns it as issued.
func (h *harness) issueSale() kkm.Receipt {
	h.t.Helper()
	before := len(h.reg.receipts())
	h.tap(h.T("sale.next"))
	h.tap(h.T("preview.issue"))
	rs := h.reg.receipts()
	if len(rs) != before+1 {
		h.t.Fatalf("no receipt issued:\n%s", h.text())
	}
	return rs[len(rs)-1]
}

// Three scans, one of a barcode the catalogue does not know: the known ones go on the receipt
// (a second scan of the bread adds one to its line), the unknown one offers «Тауар жасау», the
// item is created with the scanned code already on it, and is sold at once.
func TestScanThreeItemsOneUnknown(t *testing.T) {
	h, cat := catalogueHarness(t, i18n.Russian)
	h.scanOnRegister(eanBread)
	h.scanOnRegister(eanMilk)
	h.scanOnRegister(eanBread)
	h.wantLines("Нан × 2000 @ 25000", "Сүт 3,2% 1 л × 1000 @ 58000")
	if h.u.reg.tab != tabExtended {
		t.Fatal("a scan does not show the extended form")
	}

	h.scanOnRegister(eanNew)
	h.see(h.T("catsell.unknown.offer", map[string]any{"Code": eanNew}))
	h.tap(h.T("catsell.unknown.create"))
	edit, ok := h.u.current.(*itemEditScreen)
	if !ok {
		t.Fatalf("not on the item's screen but %T", h.u.current)
	}
	h.see(eanNew) // the scanned code is the new item's barcode already
	h.typeInto(h.T("item.name.hint"), 0, "Шоколад «Қазақстан» 100 г")
	h.typeInto(h.T("sale.amount.hint"), 0, "650")
	h.tap(h.T("item.save"))
	if _, ok := h.u.current.(*registerScreen); !ok {
		t.Fatalf("after saving: %T\n%s", h.u.current, h.text())
	}
	made, ok := cat.item("Шоколад «Қазақстан» 100 г")
	if !ok || len(made.Barcodes) != 1 || kkm.DisplayBarcode(made.Barcodes[0]) != eanNew || made.Price != 65000 {
		t.Fatalf("the new item is %+v (found %v)", made, ok)
	}
	_ = edit
	h.wantLines("Нан × 2000 @ 25000", "Сүт 3,2% 1 л × 1000 @ 58000", "Шоколад «Қазақстан» 100 г × 1000 @ 65000")

	r := h.issueSale()
	if len(r.Lines) != 3 || r.Total != 2*25000+58000+65000 || r.Lines[1].NTIN != "0290000123456" {
		t.Fatalf("the receipt: %d lines, total %v, NTIN %q", len(r.Lines), r.Total, r.Lines[1].NTIN)
	}
}

// Keys at a person's pace are typing, not a scan: nothing is looked up, and on the simple tab the
// keypad has them as before. A scan on the simple tab leaves the keypad as it was.
func TestScanToldFromTypingOnTheSimpleTab(t *testing.T) {
	h, _ := catalogueHarness(t, i18n.Russian)
	h.u.reg.extended.catalogue().now = stepClock(150 * time.Millisecond)
	h.typeKeys("1500")
	h.key(fyne.KeyReturn)
	if got := h.u.reg.simple.in.total(); got != 150000 {
		t.Fatalf("the keypad shows %v after typing 1500 and Enter", got)
	}
	if len(h.u.reg.extended.lines) != 0 {
		t.Fatal("typing was taken for a scan")
	}
	h.u.reg.simple.in.press("+")
	h.u.reg.simple.in.press("7")
	h.scanOnRegister(eanBread)
	if got := h.u.reg.simple.in.amounts(); len(got) != 2 || got[0] != 150000 || got[1] != 700 {
		t.Fatalf("the scan changed the keypad: %v", got)
	}
	h.wantLines("Нан × 1000 @ 25000")
}

// A scan while the cursor is in the search field sells the item and leaves the field as it was.
func TestScanIntoTheFocusedSearchField(t *testing.T) {
	h, _ := catalogueHarness(t, i18n.Kazakh)
	h.tab(h.T("register.tab.extended"))
	h.u.reg.tab = tabExtended
	h.u.render()
	h.settle()
	c := h.u.reg.extended.catalogue()
	c.scanEntryNow = stepClock(4 * time.Millisecond)
	field := c.searchField
	h.w.Canvas().Focus(field)
	test.Type(field, "]E0"+eanMilk)
	field.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	h.settle()
	h.wantLines("Сүт 3,2% 1 л × 1000 @ 58000")
	if c.query != "" {
		t.Fatalf("the scan stayed in the search field: %q", c.query)
	}
}

// The favourites are large buttons: one tap, one piece; a second tap, one more; an item sold by
// weight asks its quantity on the keypad first.
func TestSellFromFavourites(t *testing.T) {
	h, _ := catalogueHarness(t, i18n.Kazakh)
	h.tab(h.T("register.tab.extended"))
	h.u.reg.tab = tabExtended
	h.u.render()
	h.settle()
	h.tapIcon(theme.GridIcon(), 0)
	h.tapTile("Нан")
	h.tapTile("Нан")
	h.tapTile("Сүт 3,2% 1 л")
	h.tapTile("Алма «Апорт»")
	h.see(h.T("catsell.quantity.hint", map[string]any{"Unit": unitName(h.u.loc, "166")}))
	h.typeInto(h.T("catsell.quantity.hint", map[string]any{"Unit": unitName(h.u.loc, "166")}), 0, "1,5")
	h.tap(h.T("item.add"))
	h.wantLines("Нан × 2000 @ 25000", "Сүт 3,2% 1 л × 1000 @ 58000", "Алма «Апорт» × 1500 @ 90000")
	r := h.issueSale()
	if r.Total != 2*25000+58000+135000 {
		t.Fatalf("total %v", r.Total)
	}
}

// tapTile taps the favourite with this name.
func (h *harness) tapTile(name string) {
	h.t.Helper()
	for _, o := range h.visible() {
		if t, ok := o.(*favouriteTile); ok && t.name.Text == name {
			test.Tap(t.button)
			h.settle()
			return
		}
	}
	h.t.Fatalf("no favourite %q:\n%s", name, h.text())
}

// A price changed in the catalogue sells at the new price from then on and leaves the receipt
// already issued as it was.
func TestEditPriceLeavesAnOlderReceipt(t *testing.T) {
	h, cat := catalogueHarness(t, i18n.Russian)
	h.scanOnRegister(eanBread)
	first := h.issueSale()
	h.tap(h.T("button.done")) // back to the register

	h.choose(h.T("op.sale"), h.T("catsell.title"))
	if _, ok := h.u.current.(*catalogueScreen); !ok {
		t.Fatalf("the menu opened %T", h.u.current)
	}
	h.typeInto(h.T("catsell.search.hint"), 0, "нан")
	h.tapRow("Нан")
	h.typeInto(h.T("sale.amount.hint"), 0, "275,50")
	h.tap(h.T("item.save"))
	if it, _ := cat.item("Нан"); it.Price != 27550 {
		t.Fatalf("the price saved is %v", it.Price)
	}
	h.u.back()
	h.settle()
	h.scanOnRegister(eanBread)
	h.wantLines("Нан × 1000 @ 27550")
	second := h.issueSale()
	if first.Lines[0].Price != 25000 || first.Total != 25000 || h.reg.receipts()[0].Lines[0].Price != 25000 {
		t.Fatalf("the older receipt changed: %+v", first.Lines[0])
	}
	if second.Lines[0].Price != 27550 {
		t.Fatalf("the new receipt sold at %v", second.Lines[0].Price)
	}
}

// tapRow taps the row of a list that shows this name.
func (h *harness) tapRow(name string) {
	h.t.Helper()
	var x *itemList
	switch s := h.u.current.(type) {
	case *catalogueScreen:
		x = s.list
	case *registerScreen:
		x = s.extended.catalogue().results
	default:
		h.t.Fatalf("no list on %T", h.u.current)
	}
	for i, it := range x.items {
		if it.Name == name {
			x.list.Select(i)
			h.settle()
			return
		}
	}
	h.t.Fatalf("no row %q among %d", name, len(x.items))
}

// A scale label (prefix 20, code 00123, 1,250 kg) sells the weighed apples at their price.
func TestScaleLabelSold(t *testing.T) {
	h, _ := catalogueHarness(t, i18n.Russian)
	h.scanOnRegister(ean13("200012301250"))
	h.wantLines("Алма «Апорт» × 1250 @ 90000")
	// A label whose check digit is wrong sells nothing and says so.
	bad := ean13("200012301250")
	bad = bad[:12] + string(rune('0'+(int(bad[12]-'0')+1)%10))
	h.scanOnRegister(bad)
	h.see(h.u.loc.Error(&kkm.Error{Code: kkm.ErrBarcodeCheckDigit, Data: map[string]any{"Code": bad}}))
	h.wantLines("Алма «Апорт» × 1250 @ 90000")
	r := h.issueSale()
	if r.Total != 112500 {
		t.Fatalf("total %v", r.Total)
	}
}

// The search finds a Kazakh name typed in any case, and a result tapped goes on the receipt.
func TestSearchWithAKazakhName(t *testing.T) {
	h, _ := catalogueHarness(t, i18n.Kazakh)
	h.tab(h.T("register.tab.extended"))
	h.u.reg.tab = tabExtended
	h.u.render()
	h.settle()
	h.typeInto(h.T("catsell.search.hint"), 0, "ҚЫМ")
	h.see("Қымыз «Сары-Арқа» 0,5 л")
	h.notSee("Сүт 3,2% 1 л")
	h.tapRow("Қымыз «Сары-Арқа» 0,5 л")
	h.wantLines("Қымыз «Сары-Арқа» 0,5 л × 1000 @ 120000")
	// By its code, and Enter takes the first found.
	h.typeInto(h.T("catsell.search.hint"), 0, "771")
	h.submit(h.T("catsell.search.hint"), 0)
	h.wantLines("Қымыз «Сары-Арқа» 0,5 л × 2000 @ 120000")
	h.typeInto(h.T("catsell.search.hint"), 0, "жоқ тауар")
	h.see(h.T("catsell.none"))
}

// A cashier the owner keeps from the catalogue may look and sell, but opening an item is refused
// with the reason, and an unknown barcode says whom to ask instead of offering to create it.
func TestCataloguePermissionRefusedForACashier(t *testing.T) {
	h := newHarness(t, true, true, i18n.Russian)
	if _, err := h.reg.AddCashier(t.Context(), kkm.Operator{Code: 1}, CashierForm{Name: "Ержан", Role: kkm.RoleCashier, Code: "5678"}); err != nil {
		t.Fatal(err)
	}
	cat := &fakeCatalogue{access: h.reg, items: []kkm.Item{
		{ID: 1, Name: "Нан", Barcodes: []string{"0" + eanBread}, Unit: kkm.UnitPiece, Price: 25000}}}
	h.u.ports.Catalogue = cat
	h.typeInto(h.T("lock.code.hint"), 0, "5678")
	h.tap(h.T("lock.enter"))
	refusal := h.u.loc.Error(kkm.Settings{}.Allow(kkm.ActionCatalogue, kkm.RoleCashier))

	h.choose(h.T("op.sale"), h.T("catsell.title"))
	h.see("Нан")
	h.tapRow("Нан")
	h.see(refusal)
	if _, ok := h.u.current.(*catalogueScreen); !ok {
		t.Fatalf("the item's screen opened: %T", h.u.current)
	}
	h.closeDialogs()
	h.tap(h.T("catsell.new"))
	h.see(refusal)
	h.closeDialogs()
	h.u.back()
	h.settle()

	h.scanOnRegister(eanBread) // selling is every cashier's
	h.wantLines("Нан × 1000 @ 25000")
	h.scanOnRegister(eanNew)
	h.see(h.T("err.catsell.unknown", map[string]any{"Code": eanNew}))
	h.notSee(h.T("catsell.unknown.create"))
	// The catalogue refuses a change by this cashier even when a screen did not ask.
	if _, err := cat.SaveItem(context.Background(), h.u.cashier.Operator(), kkm.Item{Name: "Х", Unit: kkm.UnitPiece, Price: 1}); err == nil {
		t.Fatal("the catalogue saved an item for a cashier without the permission")
	}
}

// The item's screen: barcodes added one by one, each read as a scan (a wrong check digit refused
// in the cashier's language and not added), a barcode of another item refused naming it, the item
// archived and brought back.
func TestItemScreenBarcodesAndArchive(t *testing.T) {
	h, cat := catalogueHarness(t, i18n.Kazakh)
	h.choose(h.T("op.sale"), h.T("catsell.title"))
	h.tap(h.T("catsell.new"))
	h.typeInto(h.T("item.name.hint"), 0, "Ірімшік")
	h.typeInto(h.T("sale.amount.hint"), 0, "1200")
	bad := eanNew[:12] + string(rune('0'+(int(eanNew[12]-'0')+1)%10))
	h.typeInto(h.T("catsell.barcode.hint"), 0, bad)
	h.submit(h.T("catsell.barcode.hint"), 0)
	h.see(h.u.loc.Error(&kkm.Error{Code: kkm.ErrBarcodeCheckDigit, Data: map[string]any{"Code": bad}}))
	h.typeInto(h.T("catsell.barcode.hint"), 0, eanNew)
	h.submit(h.T("catsell.barcode.hint"), 0)
	h.typeInto(h.T("catsell.barcode.hint"), 0, "ABC-123")
	h.submit(h.T("catsell.barcode.hint"), 0)
	h.see(eanNew, "ABC-123")
	// A scanner with no field focused adds a barcode too.
	edit := h.u.current.(*itemEditScreen)
	edit.now = stepClock(5 * time.Millisecond)
	h.typeKeys(eanBread)
	h.key(fyne.KeyReturn)
	h.see(eanBread)
	h.tap(h.T("item.save"))
	h.see(h.T("err.barcode.taken", map[string]any{"Code": eanBread, "Name": "Нан"}))
	h.tapIcon(deleteIcon(), 2)
	h.tap(h.T("item.save"))
	it, ok := cat.item("Ірімшік")
	if !ok || len(it.Barcodes) != 2 || it.Price != 120000 {
		t.Fatalf("saved %+v", it)
	}

	h.typeInto(h.T("catsell.search.hint"), 0, "ірім")
	h.tapRow("Ірімшік")
	h.tap(h.T("catsell.archive"))
	if it, _ := cat.item("Ірімшік"); !it.Archived {
		t.Fatal("not archived")
	}
	h.u.back()
	h.settle()
	h.scanOnRegister(eanNew)
	h.see(h.T("err.catsell.archived", map[string]any{"Name": "Ірімшік"}))
	if len(h.u.reg.extended.lines) != 0 {
		t.Fatal("an archived item was sold")
	}
}

// deleteIcon is the removal's icon, as the item's screen shows it by each barcode.
func deleteIcon() fyne.Resource { return theme.DeleteIcon() }

// The owner names simple mode's free-price item in the settings (issue 14.3): the preview and
// the issued receipt carry its name and NTIN instead of «Тауар / Товар».
func TestSimpleModeLineNameFromTheSettings(t *testing.T) {
	h := newHarness(t, true, true, i18n.Kazakh)
	h.unlock()
	h.tapIcon(theme.SettingsIcon(), 0)
	h.typeInto(h.T("settings.simple_item.hint"), 0, "  Азық-түлік тауарлары ")
	h.typeInto(h.T("item.ntin.hint", map[string]any{"Max": kkm.MaxNTINLength}), 0, "02900001234")
	h.tap(h.T("settings.save"))
	if got := h.reg.Settings().SimpleItem; got.Name != "Азық-түлік тауарлары" || got.NTIN != "02900001234" {
		t.Fatalf("saved %+v", got)
	}
	h.u.back()
	h.settle()
	h.keys("150")
	h.tap(h.T("sale.next"))
	h.see("Азық-түлік тауарлары")
	h.notSee(kkm.SimpleLineName)
	h.tap(h.T("preview.issue"))
	rs := h.reg.receipts()
	if len(rs) != 1 || rs[0].Lines[0].Name != "Азық-түлік тауарлары" || rs[0].Lines[0].NTIN != "02900001234" {
		t.Fatalf("the receipt: %+v", rs)
	}
}

// The search row moves from the top of the receipt's form to the top of the results as the first
// key is typed: the field keeps the focus, so the next keys still go into it.
func TestSearchKeepsTheFocusAsTheResultsShow(t *testing.T) {
	h, _ := catalogueHarness(t, i18n.Kazakh)
	h.u.reg.tab = tabExtended
	h.u.render()
	h.settle()
	c := h.u.reg.extended.catalogue()
	c.scanEntryNow = stepClock(200 * time.Millisecond) // a person's pace
	h.w.Canvas().Focus(c.searchField)
	for _, r := range "қым" { // as the driver does: each key to the object focused now
		h.w.Canvas().Focused().TypedRune(r)
		h.settle()
	}
	if c.query != "қым" || h.w.Canvas().Focused() != c.searchField {
		t.Fatalf("typed %q, focused %T", c.query, h.w.Canvas().Focused())
	}
	h.see("Қымыз «Сары-Арқа» 0,5 л")
}
