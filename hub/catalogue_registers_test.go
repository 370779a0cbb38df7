package hub

import (
	"context"
	"errors"
	"testing"

	"github.com/google/uuid"

	"github.com/ekassa-go/ekassa/kkm"
)

// TestRegisterItemsByTheHubsVersion: a register's change is refused while the owner does not allow
// registers to edit; once allowed, a change based on the version the hub holds is taken as the
// next version; one based on an older version (the owner changed the price since) is superseded by
// the owner's state; a new item with an article code the hub knows is that item and superseded;
// a change giving an item another's barcode is refused and leaves nothing behind; a bad item is refused whole.
func TestRegisterItemsByTheHubsVersion(t *testing.T) {
	ctx := context.Background()
	s, _ := openStore(t)
	org, _, _ := s.CreateOrganization(ctx, "Әсем")
	bread := kkm.Item{Name: "Нан", Code: "K1", Unit: kkm.UnitPiece, Price: 250_00, VATRate: kkm.VATDefault, Barcodes: []string{"4006381333931"}}
	milk := kkm.Item{Name: "Сүт", Code: "K2", Unit: kkm.UnitPiece, Price: 480_00, VATRate: kkm.VATDefault}
	put, err := s.PutCatalogue(ctx, org.ID, []CatalogueItem{{Item: bread}, {Item: milk}})
	if err != nil {
		t.Fatal(err)
	}
	breadKey, milkKey := put[0].Key, put[1].Key
	edit := milk
	edit.Price = 500_00
	if _, err := s.PutRegisterItems(ctx, org.ID, []RegisterItem{{Key: milkKey, Base: 2, Item: edit}}); !errors.Is(err, ErrForbidden) {
		t.Fatalf("a register's change while the owner does not allow it: %v", err)
	}
	if cs, err := s.CatalogueSettings(ctx, org.ID); err != nil || cs.RegistersEdit {
		t.Fatalf("settings before: %+v %v", cs, err)
	}
	if err := s.SetCatalogueSettings(ctx, org.ID, CatalogueSettings{RegistersEdit: true}); err != nil {
		t.Fatal(err)
	}
	// The owner raises bread's price (version 3); a register that had version 1 changes it too.
	ownerBread := bread
	ownerBread.Price = 270_00
	if _, err := s.PutCatalogue(ctx, org.ID, []CatalogueItem{{Key: breadKey, Item: ownerBread}}); err != nil {
		t.Fatal(err)
	}
	tillBread := bread
	tillBread.Price = 260_00
	newItem := kkm.Item{Name: "Шай", Code: "K3", Unit: kkm.UnitPiece, Price: 900_00, VATRate: kkm.VATDefault}
	sameCode := kkm.Item{Name: "Сүт 2,5%", Code: "K2", Unit: kkm.UnitPiece, Price: 10_00, VATRate: kkm.VATDefault}
	takenBarcode := edit // milk as just taken (version 4), given bread's barcode
	takenBarcode.Barcodes = []string{"4006381333931"}
	res, err := s.PutRegisterItems(ctx, org.ID, []RegisterItem{
		{Key: milkKey, Base: 2, Item: edit},       // based on the hub's version: taken
		{Key: breadKey, Base: 1, Item: tillBread}, // the owner changed it since: superseded
		{Item: newItem},  // new at the hub: taken
		{Item: sameCode}, // the hub's milk by its code: superseded
		{Key: milkKey, Base: 4, Item: takenBarcode}, // bread's barcode: refused
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		outcome string
		version int64
		price   kkm.Money
	}{{ItemTaken, 4, 500_00}, {ItemSuperseded, 3, 270_00}, {ItemTaken, 5, 900_00}, {ItemSuperseded, 4, 500_00}, {ItemRefused, 4, 500_00}}
	for i, w := range want {
		r := res[i]
		if r.Outcome != w.outcome || r.Item.Version != w.version || r.Item.Item.Price != w.price {
			t.Fatalf("change %d: %+v, want %s at version %d, price %d", i, r, w.outcome, w.version, w.price)
		}
	}
	if res[0].Item.Key != milkKey || res[3].Item.Key != milkKey || res[2].Item.Key == uuid.Nil || res[4].Reason == "" {
		t.Fatalf("keys and reasons: %+v", res)
	}
	// Every register pulls: bread as the owner set it, milk as the register did, the tea; milk without bread's barcode.
	ch, err := s.CatalogueChanges(ctx, org.ID, 0, 0)
	if err != nil || ch.Version != 5 || len(ch.Items) != 3 {
		t.Fatalf("changes: %+v %v", ch, err)
	}
	prices := map[string]kkm.Money{}
	for _, ci := range ch.Items {
		prices[ci.Item.Code] = ci.Item.Price
	}
	if prices["K1"] != 270_00 || prices["K2"] != 500_00 || prices["K3"] != 900_00 {
		t.Fatalf("the catalogue after: %v", prices)
	}
	bad := kkm.Item{Name: "", Unit: kkm.UnitPiece, Price: 1}
	if _, err := s.PutRegisterItems(ctx, org.ID, []RegisterItem{{Item: bad}}); !errors.As(err, new(*CatalogueError)) {
		t.Fatalf("an item the register's rules refuse: %v", err)
	}
}
