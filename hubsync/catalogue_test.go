package hubsync

import (
	"context"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/ekassa-go/ekassa/hub"
	"github.com/ekassa-go/ekassa/internal/pgtest"
	"github.com/ekassa-go/ekassa/kkm"
	"github.com/ekassa-go/ekassa/pricelist"
	"github.com/ekassa-go/ekassa/storage"
)

// shop is an organization at the hub: its owner's client and one register's.
type shop struct {
	owner, register *hub.Client
}

func newShop(t *testing.T, store *hub.Store, srv *httptest.Server, name, serial string) shop {
	t.Helper()
	ctx := context.Background()
	org, ownerSecret, err := store.CreateOrganization(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	_, regSecret, err := store.AddRegister(ctx, org.ID, serial, "Till", name+" 1")
	if err != nil {
		t.Fatal(err)
	}
	return shop{owner: &hub.Client{BaseURL: srv.URL, Secret: ownerSecret, HTTP: srv.Client()},
		register: &hub.Client{BaseURL: srv.URL, Secret: regSecret, HTTP: srv.Client()}}
}

// ownerPriceList is the owner's price list, as the owner imports it into the hub.
const ownerPriceList = "Код;Наименование;Штрихкод;Ед.;Цена;НДС;Избранное\n" +
	"K1;Қымыз 0,5 л;4006381333931;шт;850;16;иә\n" +
	"K2;Алма;;кг;890;без НДС;\n" +
	"K3;Нан;96385074;шт;250;16;иә\n"

func putPriceList(t *testing.T, owner *hub.Client, list string) []hub.CatalogueItem {
	t.Helper()
	tab, err := pricelist.Read(strings.NewReader(list))
	if err != nil {
		t.Fatal(err)
	}
	items, bad, err := tab.Items(pricelist.GuessMapping(tab.Header))
	if err != nil || len(bad) != 0 {
		t.Fatalf("price list: %v %v", bad, err)
	}
	put := make([]hub.CatalogueItem, len(items))
	for i, it := range items {
		put[i] = hub.CatalogueItem{Item: it}
	}
	out, err := owner.PutCatalogue(context.Background(), put)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func localItem(t *testing.T, j *storage.Journal, barcode string) kkm.Item {
	t.Helper()
	it, _, found, err := j.ItemByBarcode(context.Background(), barcode)
	if err != nil || !found {
		t.Fatalf("no local item with %s: %v", barcode, err)
	}
	return it
}

// The owner's catalogue reaches the register through its version cursor, changes come down as
// changes, another organization's register sees none of it, and with the hub stopped the register
// still finds and sells its goods from its own copy.
func TestCatalogueFromTheHub(t *testing.T) {
	ctx := context.Background()
	c := pgtest.Start(t)
	store, err := hub.Open(ctx, c.DSN)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(store.Close)
	srv := httptest.NewTLSServer(hub.NewServer(store, nil).Handler())
	t.Cleanup(srv.Close)
	a := newShop(t, store, srv, "Әсем", "KTCD0001")
	b := newShop(t, store, srv, "Береке", "KTCD0002")

	put := putPriceList(t, a.owner, ownerPriceList)
	for i, ci := range put {
		if ci.Version != int64(i+1) {
			t.Fatalf("item %d at version %d, want %d", i, ci.Version, i+1)
		}
	}
	// A register may read its catalogue, never write it.
	if _, err := a.register.PutCatalogue(ctx, []hub.CatalogueItem{{Item: put[0].Item}}); !errors.Is(err, hub.ErrForbidden) {
		t.Fatalf("a register wrote the catalogue: %v", err)
	}

	j := journal(t, 5, 1) // a register with its own history and settings
	p := NewPuller(a.register, j, Config{Batch: 2})
	if n, err := p.Sync(ctx); err != nil || n != 3 {
		t.Fatalf("first pull: %d, %v", n, err)
	}
	if v, _ := j.CatalogueVersion(ctx); v != 3 || p.Status().Version != 3 {
		t.Fatalf("cursor %d, status %+v", v, p.Status())
	}
	if it := localItem(t, j, "4006381333931"); it.Name != "Қымыз 0,5 л" || it.Price != 85000 || !it.Favourite {
		t.Fatalf("kymyz: %+v", it)
	}

	// The owner changes a price and moves a barcode from bread to apples, in two changes.
	bread, apples := put[2], put[1]
	bread.Item.Barcodes, bread.Item.Price = nil, 270_00
	apples.Item.Barcodes = []string{"96385074"}
	if _, err := a.owner.PutCatalogue(ctx, []hub.CatalogueItem{bread}); err != nil {
		t.Fatal(err)
	}
	// Giving bread kymyz's barcode (an item named by its key) is refused, with a new tea in the
	// same call: nothing of it is kept.
	taken := bread
	taken.Item.Barcodes = []string{"4006381333931"}
	tea := hub.CatalogueItem{Item: kkm.Item{Name: "Шай", Unit: kkm.UnitPiece, Price: 900_00, Code: "K4"}}
	if _, err := a.owner.PutCatalogue(ctx, []hub.CatalogueItem{tea, taken}); !errors.Is(err, hub.ErrCatalogueTaken) {
		t.Fatalf("a taken barcode: %v", err)
	}
	// An item the register's rules refuse is refused by the hub.
	var re *hub.RemoteError
	if _, err := a.owner.PutCatalogue(ctx, []hub.CatalogueItem{{Item: kkm.Item{Name: "", Unit: kkm.UnitPiece, Price: 1}}}); !errors.As(err, &re) || re.Status != 400 {
		t.Fatalf("an item without a name: %v", err)
	}
	again, err := a.owner.PutCatalogue(ctx, []hub.CatalogueItem{apples, put[0]}) // kymyz unchanged
	if err != nil || again[0].Version != 5 || again[1].Version != 1 {
		t.Fatalf("apples and unchanged kymyz: %+v %v", again, err)
	}
	if n, err := p.Sync(ctx); err != nil || n != 2 {
		t.Fatalf("second pull: %d, %v", n, err)
	}
	if it := localItem(t, j, "96385074"); it.Name != "Алма" {
		t.Fatalf("the moved barcode is on %+v", it)
	}
	found, err := j.SearchItems(ctx, storage.ItemQuery{Text: "нан"})
	if err != nil || len(found) != 1 || found[0].Price != 270_00 || len(found[0].Barcodes) != 0 {
		t.Fatalf("bread: %+v %v", found, err)
	}
	if n, err := p.Sync(ctx); err != nil || n != 0 {
		t.Fatalf("a pull with nothing new: %d, %v", n, err)
	}
	// A journal whose settings name a version but which holds none of the hub's items (restored
	// on a new phone: the catalogue is outside the chain) pulls the whole catalogue again.
	fresh := journal(t, 3, 4)
	// Only a pull moves the cursor (a settings save keeps it): an empty page at version 5 does.
	if err := fresh.ApplyHubItems(ctx, nil, 5); err != nil {
		t.Fatal(err)
	}
	if n, err := NewPuller(a.register, fresh, Config{}).Sync(ctx); err != nil || n != 3 {
		t.Fatalf("a restored journal pulled %d items: %v", n, err)
	}

	// The crossing: the other organization's register and owner see nothing of it.
	jb := journal(t, 5, 2)
	if n, err := NewPuller(b.register, jb, Config{}).Sync(ctx); err != nil || n != 0 {
		t.Fatalf("another organization's register pulled %d items: %v", n, err)
	}
	if ch, err := b.owner.CatalogueChanges(ctx, 0, 0); err != nil || len(ch.Items) != 0 {
		t.Fatalf("another organization's owner read %+v, %v", ch, err)
	}
	putPriceList(t, b.owner, "Товар;Цена;Штрихкод\nСүт;540;4006381333931\n") // the same barcode, its own catalogue
	if ch, err := a.register.CatalogueChanges(ctx, 5, 0); err != nil || len(ch.Items) != 0 {
		t.Fatalf("organization B's change reached A: %+v, %v", ch, err)
	}

	// The hub stops: the pull fails, and the register sells from its own catalogue.
	srv.Close()
	if _, err := p.Sync(ctx); err == nil {
		t.Fatal("a pull from a stopped hub succeeded")
	}
	kymyz := localItem(t, j, "4006381333931")
	set, _, err := j.Settings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	st, err := j.State(ctx)
	if err != nil {
		t.Fatal(err)
	}
	reg := kkm.Register{Settings: set, State: st}
	d := kkm.ReceiptDraft{Operation: kkm.OpSale, Lines: []kkm.LineDraft{kymyz.Line(2 * kkm.QuantityOne)},
		Payments: []kkm.Payment{{Type: kkm.PayCash, Sum: 2000_00}}}
	iss, err := reg.IssueReceipt(d, kkm.Operator{Name: "Әлия", Code: 1}, st.LastDocumentTime.Add(time.Minute), true)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := j.Commit(ctx, iss.Documents, iss.State); err != nil {
		t.Fatal(err)
	}
	rc := iss.Documents[len(iss.Documents)-1].Receipt
	if rc == nil || rc.Total != 1700_00 || rc.Lines[0].Name != "Қымыз 0,5 л" {
		t.Fatalf("the sale from the catalogue: %+v", rc)
	}
}

// A register that typed its goods before joining the hub keeps one item each: the hub's item
// takes over the local one with its code.
func TestCataloguePullAdoptsLocalItems(t *testing.T) {
	ctx := context.Background()
	j := journal(t, 3, 3)
	local, err := j.SaveItem(ctx, kkm.Item{Name: "Қымыз", Code: "K1", Unit: kkm.UnitPiece, Price: 800_00})
	if err != nil {
		t.Fatal(err)
	}
	other, err := j.SaveItem(ctx, kkm.Item{Name: "Ескі", Unit: kkm.UnitPiece, Price: 100_00, Barcodes: []string{"96385074"}})
	if err != nil {
		t.Fatal(err)
	}
	src := &fixedCatalogue{items: []hub.CatalogueItem{
		{Version: 1, Item: kkm.Item{Name: "Қымыз 0,5 л", Code: "K1", Unit: kkm.UnitPiece, Price: 850_00}},
		{Version: 2, Item: kkm.Item{Name: "Нан", Code: "K3", Unit: kkm.UnitPiece, Price: 250_00, Barcodes: []string{"96385074"}}},
	}}
	src.items[0].Key[0], src.items[1].Key[0] = 1, 2
	if n, err := NewPuller(src, j, Config{}).Sync(ctx); err != nil || n != 2 {
		t.Fatalf("pull: %d %v", n, err)
	}
	it, err := j.Item(ctx, local.ID)
	if err != nil || it.Name != "Қымыз 0,5 л" || it.Price != 850_00 {
		t.Fatalf("the local kymyz: %+v %v", it, err)
	}
	if n, _, _ := j.CountItems(ctx); n != 2 {
		t.Fatalf("%d items, want 2 (kymyz taken over, bread adopting the old barcode's item)", n)
	}
	if it := localItem(t, j, "96385074"); it.Name != "Нан" || it.ID != other.ID {
		t.Fatalf("the barcode's item: %+v", it)
	}
}

// fixedCatalogue is a hub that answers with its items after a version.
type fixedCatalogue struct{ items []hub.CatalogueItem }

func (f *fixedCatalogue) CatalogueChanges(_ context.Context, after int64, limit int) (hub.CatalogueChanges, error) {
	ch := hub.CatalogueChanges{Version: after}
	for _, ci := range f.items {
		if ci.Version > after && (limit == 0 || len(ch.Items) < limit) {
			ch.Items = append(ch.Items, ci)
			ch.Version = ci.Version
		}
	}
	ch.More = limit > 0 && len(ch.Items) == limit
	return ch, nil
}
