package storage

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/ekassa-go/ekassa/kkm"
)

func saveItem(t testing.TB, j *Journal, it kkm.Item) kkm.Item {
	t.Helper()
	saved, err := j.SaveItem(context.Background(), it)
	if err != nil {
		t.Fatalf("SaveItem(%s): %v", it.Name, err)
	}
	return saved
}

func names(items []kkm.Item) []string {
	var n []string
	for _, it := range items {
		n = append(n, it.Name)
	}
	return n
}

func TestCatalogueSaveAndFind(t *testing.T) {
	ctx := context.Background()
	j := openTemp(t)
	kumys := saveItem(t, j, kkm.Item{Name: "Қымыз 0,5 л", NTIN: "0200000012345", Code: "K-1", Unit: kkm.UnitPiece,
		Price: 85000, VATRate: kkm.VAT16, Barcodes: []string{"4006381333931", "96385074"}, Favourite: true})
	if kumys.ID == 0 {
		t.Fatal("no ID")
	}
	got, err := j.Item(ctx, kumys.ID)
	if err != nil || got.Name != "Қымыз 0,5 л" || got.Price != 85000 || got.VATRate != kkm.VAT16 ||
		len(got.Barcodes) != 2 || !got.Favourite || got.Code != "K-1" {
		t.Fatalf("Item = %+v, %v", got, err)
	}
	beer := saveItem(t, j, kkm.Item{Name: "Сыра «Шымкент»", Unit: kkm.UnitPiece, Price: 65000,
		Marked: kkm.MarkedBeer, Barcodes: []string{"036000291452"}})
	saveItem(t, j, kkm.Item{Name: "Алма", Unit: "166", Price: 89000, Code: "PLU-3"})

	for _, tc := range []struct{ raw, want string }{
		{"4006381333931", "Қымыз 0,5 л"},
		{"96385074\r\n", "Қымыз 0,5 л"},
		{"0036000291452", "Сыра «Шымкент»"},                                                // the UPC-A as EAN-13
		{"0100036000291452" + "21" + "qKkdi+S" + kkm.GS + "93" + "U3g5", "Сыра «Шымкент»"}, // its DataMatrix
	} {
		it, _, found, err := j.ItemByBarcode(ctx, tc.raw)
		if err != nil || !found || it.Name != tc.want {
			t.Errorf("ItemByBarcode(%q) = %s, %v, %v; want %s", tc.raw, it.Name, found, err, tc.want)
		}
	}
	if _, b, found, err := j.ItemByBarcode(ctx, "5901234123457"); err != nil || found || b.Key != "05901234123457" {
		t.Errorf("unknown barcode: found %v, key %s, %v", found, b.Key, err)
	}
	if _, _, _, err := j.ItemByBarcode(ctx, "5901234123458"); !errors.Is(err, kkm.ErrBarcodeCheckDigit) {
		t.Errorf("misread barcode: %v", err)
	}
	if it, ok, err := j.ItemByCode(ctx, "PLU-3"); err != nil || !ok || it.Name != "Алма" {
		t.Errorf("ItemByCode = %v %v %v", it.Name, ok, err)
	}

	for _, tc := range []struct {
		q    string
		want []string
	}{
		{"ҚЫМ", []string{"Қымыз 0,5 л"}},
		{"қымыз 0,5", []string{"Қымыз 0,5 л"}},
		{"шымкент", []string{"Сыра «Шымкент»"}},
		{"плу-3", nil}, // Cyrillic П is not Latin P
		{"plu-3", []string{"Алма"}},
		{"00001234", []string{"Қымыз 0,5 л"}}, // part of the NTIN
		{"400638", []string{"Қымыз 0,5 л"}},   // the first digits of its EAN-13
		{"0360002", []string{"Сыра «Шымкент»"}},
		{"", []string{"Қымыз 0,5 л", "Алма", "Сыра «Шымкент»"}}, // the favourite first
		{"жоқ", nil},
	} {
		items, err := j.SearchItems(ctx, ItemQuery{Text: tc.q})
		if err != nil || len(items) != len(tc.want) {
			t.Errorf("SearchItems(%q) = %v, %v; want %v", tc.q, names(items), err, tc.want)
			continue
		}
		for i := range items {
			if items[i].Name != tc.want[i] {
				t.Errorf("SearchItems(%q) = %v, want %v", tc.q, names(items), tc.want)
			}
		}
	}
	if fav, err := j.Favourites(ctx, 0); err != nil || len(fav) != 1 || fav[0].ID != kumys.ID || len(fav[0].Barcodes) != 2 {
		t.Errorf("Favourites = %+v, %v", fav, err)
	}

	// Archived: out of search and favourites, its codes kept and still found by a scan.
	if err := j.SetItemArchived(ctx, kumys.ID, true); err != nil {
		t.Fatal(err)
	}
	if items, _ := j.SearchItems(ctx, ItemQuery{Text: "қымыз"}); len(items) != 0 {
		t.Errorf("an archived item is found: %v", names(items))
	}
	if items, _ := j.SearchItems(ctx, ItemQuery{Text: "қымыз", Archived: true}); len(items) != 1 {
		t.Errorf("the archive search: %v", names(items))
	}
	if fav, _ := j.Favourites(ctx, 0); len(fav) != 0 {
		t.Errorf("an archived favourite: %v", names(fav))
	}
	if it, _, found, _ := j.ItemByBarcode(ctx, "4006381333931"); !found || !it.Archived {
		t.Errorf("archived item by barcode: %+v %v", it, found)
	}
	if n, a, err := j.CountItems(ctx); err != nil || n != 2 || a != 1 {
		t.Errorf("CountItems = %d, %d, %v", n, a, err)
	}
	if err := j.SetItemArchived(ctx, 999, true); !errors.Is(err, kkm.ErrItemNotFound) {
		t.Errorf("archive of no item: %v", err)
	}
	_ = beer
}

func TestCatalogueRefusesAndChangesNothing(t *testing.T) {
	ctx := context.Background()
	j := openTemp(t)
	kumys := saveItem(t, j, kkm.Item{Name: "Қымыз", Code: "K-1", Unit: kkm.UnitPiece, Price: 85000, Barcodes: []string{"4006381333931"}})
	for _, tc := range []struct {
		name string
		it   kkm.Item
		err  kkm.Code
	}{
		{"barcode of another item", kkm.Item{Name: "Шұбат", Unit: kkm.UnitPiece, Price: 1, Barcodes: []string{"96385074", "04006381333931"}}, kkm.ErrBarcodeTaken},
		{"code of another item", kkm.Item{Name: "Шұбат", Code: "K-1", Unit: kkm.UnitPiece, Price: 1}, kkm.ErrItemCodeTaken},
		{"invalid", kkm.Item{Name: "Шұбат", Unit: kkm.UnitPiece}, kkm.ErrItemPrice},
		{"no such item", kkm.Item{ID: 42, Name: "Шұбат", Unit: kkm.UnitPiece, Price: 1}, kkm.ErrItemNotFound},
	} {
		_, err := j.SaveItem(ctx, tc.it)
		var ke *kkm.Error
		if !errors.Is(err, tc.err) || !errors.As(err, &ke) {
			t.Errorf("%s: %v, want %s", tc.name, err, tc.err)
		}
		if tc.err == kkm.ErrBarcodeTaken && (ke.Data["Name"] != "Қымыз" || ke.Data["Code"] != "4006381333931") {
			t.Errorf("%s: data %v", tc.name, ke.Data)
		}
		if n, _, _ := j.CountItems(ctx); n != 1 {
			t.Fatalf("%s: %d items after a refusal", tc.name, n)
		}
		if _, _, found, _ := j.ItemByBarcode(ctx, "96385074"); found {
			t.Fatalf("%s: half an item written", tc.name)
		}
	}
	if j.Fault() != nil {
		t.Fatalf("a refusal latched a fault: %v", j.Fault())
	}
	// Its own barcode and code stay its own on an edit.
	kumys.Price = 90000
	if _, err := j.SaveItem(ctx, kumys); err != nil {
		t.Fatalf("edit: %v", err)
	}
}

// A price or name changed after a sale leaves the receipt as issued: its lines are copies.
func TestCataloguePriceChangeLeavesIssuedReceipt(t *testing.T) {
	ctx := context.Background()
	j := openTemp(t)
	d := newDesk(t, j)
	milk := saveItem(t, j, kkm.Item{Name: "Сүт 1 л", Unit: kkm.UnitPiece, Price: 54000, VATRate: kkm.VAT16, Barcodes: []string{"4006381333931"}})
	dr := kkm.ReceiptDraft{Operation: kkm.OpSale, Lines: []kkm.LineDraft{milk.Line(2000)},
		Payments: []kkm.Payment{{Type: kkm.PayCash, Sum: 108000}}}
	seq := d.commit(d.reg.IssueReceipt(dr, d.op, d.tick(), false))[0]

	milk.Price, milk.Name = 61000, "Сүт 1 л (жаңа)"
	if _, err := j.SaveItem(ctx, milk); err != nil {
		t.Fatal(err)
	}
	e, err := j.Document(ctx, seq)
	if err != nil {
		t.Fatal(err)
	}
	l := e.Document.Receipt.Lines[0]
	if l.Name != "Сүт 1 л" || l.Price != 54000 || e.Document.Receipt.Total != 108000 {
		t.Fatalf("the issued receipt changed: %+v, total %v", l, e.Document.Receipt.Total)
	}
	if it, _ := j.Item(ctx, milk.ID); it.Price != 61000 {
		t.Fatalf("the item kept the old price: %v", it.Price)
	}
	if res, err := j.Verify(ctx, 1); err != nil || res.Checked != 1 {
		t.Fatalf("chain after a catalogue change: %+v %v", res, err)
	}
}

func TestImportItemsAllOrNothing(t *testing.T) {
	ctx := context.Background()
	j := openTemp(t)
	items := []kkm.Item{
		{Name: "Нан", Unit: kkm.UnitPiece, Price: 25000, Barcodes: []string{"4006381333931"}},
		{Name: "Сүт", Unit: kkm.UnitPiece, Price: 54000, Barcodes: []string{"96385074"}},
		{Name: "Айран", Unit: kkm.UnitPiece, Price: 40000, Barcodes: []string{"04006381333931"}}, // the bread's
	}
	_, err := j.ImportItems(ctx, items)
	var re *ItemRowError
	if !errors.As(err, &re) || re.Row != 2 || !errors.Is(err, kkm.ErrBarcodeTaken) {
		t.Fatalf("ImportItems = %v, want row 2 refused for its barcode", err)
	}
	if n, _, _ := j.CountItems(ctx); n != 0 {
		t.Fatalf("%d items imported by a refused import", n)
	}
	items[2].Barcodes = nil
	items[1].Price = 0
	if _, err := j.ImportItems(ctx, items); !errors.As(err, &re) || re.Row != 1 || !errors.Is(err, kkm.ErrItemPrice) {
		t.Fatalf("ImportItems = %v, want row 1 refused for its price", err)
	}
	items[1].Price = 54000
	out, err := j.ImportItems(ctx, items)
	if err != nil || len(out) != 3 || out[2].ID == 0 || items[2].ID != 0 {
		t.Fatalf("ImportItems = %+v, %v", out, err)
	}
	if n, _, _ := j.CountItems(ctx); n != 3 {
		t.Fatalf("%d items", n)
	}
}

// The in-memory name index follows every write made after it was read.
func TestCatalogueSearchFollowsEdits(t *testing.T) {
	ctx := context.Background()
	j := openTemp(t)
	tea := saveItem(t, j, kkm.Item{Name: "Шай қара", Unit: kkm.UnitPiece, Price: 129000})
	if items, _ := j.SearchItems(ctx, ItemQuery{Text: "шай"}); len(items) != 1 {
		t.Fatalf("before: %v", names(items))
	}
	tea.Name = "Кофе"
	saveItem(t, j, tea)
	saveItem(t, j, kkm.Item{Name: "Шай көк", Unit: kkm.UnitPiece, Price: 99000, Favourite: true})
	saveItem(t, j, kkm.Item{Name: "Ақ шай", Unit: kkm.UnitPiece, Price: 99000})
	items, _ := j.SearchItems(ctx, ItemQuery{Text: "ШАЙ"})
	if len(items) != 2 || items[0].Name != "Шай көк" || items[1].Name != "Ақ шай" {
		t.Fatalf("after edits: %v", names(items))
	}
	if items, _ := j.SearchItems(ctx, ItemQuery{Text: "кофе"}); len(items) != 1 || items[0].ID != tea.ID {
		t.Fatalf("renamed: %v", names(items))
	}
	var many []kkm.Item
	for i := 0; i < 100; i++ {
		many = append(many, kkm.Item{Name: fmt.Sprintf("Шай №%d", i), Unit: kkm.UnitPiece, Price: 100})
	}
	if _, err := j.ImportItems(ctx, many); err != nil {
		t.Fatal(err)
	}
	if items, _ := j.SearchItems(ctx, ItemQuery{Text: "шай №9", Limit: 100}); len(items) != 11 {
		t.Fatalf("after an import: %d found", len(items))
	}
}

// The hub catalogue's cursor belongs to the puller: a settings form opened before a pull and
// saved after it (SaveSettings), or a reconnection (SaveConnection), keeps the version the pull
// reached instead of writing its own older one back (seen in session 3: the next pull started
// over from the form's value).
func TestSavingSettingsKeepsTheCatalogueCursor(t *testing.T) {
	ctx := context.Background()
	j := openTemp(t)
	d := newDesk(t, j)
	if err := j.SaveSettings(ctx, d.reg.Settings); err != nil {
		t.Fatal(err)
	}
	form, _, err := j.Settings(ctx) // the form is opened: version 0
	if err != nil {
		t.Fatal(err)
	}
	pulled := []HubItem{{Key: "h-1", Item: kkm.Item{Name: "Нан", Unit: kkm.UnitPiece, Price: 25000, Code: "1"}}}
	if err := j.ApplyHubItems(ctx, pulled, 7); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		save func(kkm.Settings) error
	}{
		{"the settings form", func(s kkm.Settings) error { return j.SaveSettings(ctx, s) }},
		{"a reconnection", func(s kkm.Settings) error { _, err := j.SaveConnection(ctx, s, nil, nil); return err }},
	} {
		for _, stale := range []int64{0, 3, 9} { // older, or a value the puller never reached
			s := form
			s.CatalogueVersion = stale
			s.AutoLockAfter += time.Minute // what the cashier changed is saved
			if err := tc.save(s); err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			got, _, err := j.Settings(ctx)
			if err != nil || got.CatalogueVersion != 7 || got.AutoLockAfter != s.AutoLockAfter {
				t.Fatalf("%s with version %d: stored version %d, auto-lock %v (%v); want 7, %v",
					tc.name, stale, got.CatalogueVersion, got.AutoLockAfter, err, s.AutoLockAfter)
			}
			if v, err := j.CatalogueVersion(ctx); err != nil || v != 7 {
				t.Fatalf("%s: the puller goes on from %d (%v), want 7", tc.name, v, err)
			}
		}
	}
	// The puller still moves it on.
	if err := j.ApplyHubItems(ctx, nil, 8); err != nil {
		t.Fatal(err)
	}
	if v, _ := j.CatalogueVersion(ctx); v != 8 {
		t.Fatalf("after the next pull: %d, want 8", v)
	}
}
