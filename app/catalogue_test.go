package app

import (
	"errors"
	"testing"

	"github.com/ekassa-go/ekassa/kkm"
	"github.com/ekassa-go/ekassa/ui"
)

// The catalogue's port over the journal: a senior cashier (the default permission) creates,
// edits and archives; a cashier may find and scan but changes nothing, refused with the role's
// message even when no screen asked first; the owner may hand the catalogue down to cashiers.
func TestCatalogueAdapterAsksThePermission(t *testing.T) {
	r := newRig(t)
	cashier, err := r.rt.AddCashier(r.ctx, r.by, ui.CashierForm{Name: "Ержан", Role: kkm.RoleCashier, Code: "5555"})
	if err != nil {
		t.Fatal(err)
	}
	senior, err := r.rt.AddCashier(r.ctx, r.by, ui.CashierForm{Name: "Сәуле", Role: kkm.RoleSeniorCashier, Code: "6666"})
	if err != nil {
		t.Fatal(err)
	}
	cat := newCatalogue(r.j, r.rt)
	bread := kkm.Item{Name: "Тандыр нан", Barcodes: []string{"4870001234560"}, Unit: kkm.UnitPiece, Price: 25000, Code: "771"}
	before, _, _ := r.j.CountItems(r.ctx) // the demo's catalogue
	if _, err := cat.SaveItem(r.ctx, cashier.Operator(), bread); !errors.Is(err, kkm.ErrForbidden) {
		t.Fatalf("a cashier saved an item: %v", err)
	}
	if n, _, _ := r.j.CountItems(r.ctx); n != before {
		t.Fatalf("%d items after a refusal, %d before", n, before)
	}
	saved, err := cat.SaveItem(r.ctx, senior.Operator(), bread)
	if err != nil {
		t.Fatal(err)
	}
	// Reading is everyone's.
	if it, found, err := cat.ItemByBarcode(r.ctx, bread.Barcodes[0]); err != nil || !found || it.ID != saved.ID {
		t.Fatalf("by barcode: %+v %v %v", it, found, err)
	}
	if it, found, err := cat.ItemByCode(r.ctx, "771"); err != nil || !found || it.ID != saved.ID {
		t.Fatalf("by code: %+v %v %v", it, found, err)
	}
	if found, err := cat.Search(r.ctx, "ТАНДЫР", false, 10); err != nil || len(found) != 1 {
		t.Fatalf("search: %v %v", found, err)
	}
	if err := cat.SetArchived(r.ctx, cashier.Operator(), saved.ID, true); !errors.Is(err, kkm.ErrForbidden) {
		t.Fatalf("a cashier archived: %v", err)
	}
	if err := cat.SetArchived(r.ctx, senior.Operator(), saved.ID, true); err != nil {
		t.Fatal(err)
	}
	if found, _ := cat.Search(r.ctx, "тандыр", false, 10); len(found) != 0 {
		t.Fatalf("an archived item is on sale: %v", found)
	}

	// The owner lets every cashier change the catalogue.
	s := r.rt.Settings()
	s.Permissions = kkm.Permissions{kkm.ActionCatalogue: kkm.RoleCashier}
	if err := r.rt.SaveSettings(r.ctx, r.by, s); err != nil {
		t.Fatal(err)
	}
	if err := cat.SetArchived(r.ctx, cashier.Operator(), saved.ID, false); err != nil {
		t.Fatalf("the owner's permission did not let the cashier: %v", err)
	}
}

// The demo register comes with a small catalogue a new user can sell from at once: every item
// valid, favourites for the grid, scannable barcodes and a weighed item on the scale's code.
func TestDemoCatalogue(t *testing.T) {
	r := newRig(t) // a demo register (prepareDemo)
	cat := newCatalogue(r.j, r.rt)
	favs, err := cat.Favourites(r.ctx, 60)
	if err != nil || len(favs) < 4 {
		t.Fatalf("%d favourites, %v", len(favs), err)
	}
	for _, it := range demoItems() {
		for _, b := range it.Barcodes {
			if got, found, err := cat.ItemByBarcode(r.ctx, b); err != nil || !found || got.Name != it.Name {
				t.Errorf("%s: %+v %v %v", b, got, found, err)
			}
		}
	}
	label, ok, err := kkm.DefaultScaleFormat.ReadScaleLabel("2000123012506")
	if err != nil || !ok {
		t.Fatalf("label: %v %v", ok, err)
	}
	if it, found, err := cat.ItemByCode(r.ctx, label.Code); err != nil || !found || it.Unit != "166" {
		t.Fatalf("the scale's item: %+v %v %v", it, found, err)
	}
}
