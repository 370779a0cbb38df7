package ui

import (
	"context"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/ekassa-go/ekassa/i18n"
	"github.com/ekassa-go/ekassa/kkm"
)

// fakeOwnerCatalogueHub is the fake hub with the organization's catalogue.
type fakeOwnerCatalogueHub struct {
	fakeOwnerHub
	cat    *fakeCatalogue
	prices PriceLists
	edit   bool
	rules  []bool
}

func (f *fakeOwnerCatalogueHub) Catalogue() Catalogue   { return f.cat }
func (f *fakeOwnerCatalogueHub) PriceLists() PriceLists { return f.prices }
func (f *fakeOwnerCatalogueHub) RegistersEdit(context.Context) (bool, error) {
	return f.edit, nil
}
func (f *fakeOwnerCatalogueHub) SetRegistersEdit(_ context.Context, on bool) error {
	f.edit = on
	f.rules = append(f.rules, on)
	return nil
}

// TestOwnerCatalogue: in each language the owner mode offers the hub's catalogue; it lists the
// organization's items on the register's own catalogue screen, with the registers' rule, whose
// check is sent to the hub; an item edited there is saved in the hub's catalogue, not the
// register's; every screen fits a 360-point phone.
func TestOwnerCatalogue(t *testing.T) {
	for _, lang := range i18n.Langs() {
		t.Run(string(lang), func(t *testing.T) {
			h := newHarness(t, true, true, lang)
			now := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
			local := &fakeCatalogue{items: []kkm.Item{{ID: 1, Name: "Жергілікті тауар", Unit: kkm.UnitPiece, Price: 100_00}}}
			h.u.ports.Catalogue = local
			oh := &fakeOwnerCatalogueHub{fakeOwnerHub: fakeOwnerHub{now: now}, cat: fitCatalogue()}
			login := OwnerLogin{Address: "https://hub.example", Credential: "owner-secret"}
			fo := &fakeOwner{hub: &oh.fakeOwnerHub, kept: &login}
			h.unlock()
			h.u.open(newOwnerScreen(h.u, ownerWith{fo, oh}, func() time.Time { return now }))
			h.settle()
			h.fits("owner registers with the catalogue")
			h.tap(h.T("hubowner.catalogue.open"))
			h.settle()
			h.see(h.T("hubowner.catalogue.title"), h.T("hubowner.catalogue.registers_edit"), "Қымыз «Сары-Арқа» 0,5 л")
			h.notSee("Жергілікті тауар")
			h.fits("the hub's catalogue")
			if lang == i18n.Kazakh {
				h.shot("owner-catalogue")
			}
			h.tapCheck(h.T("hubowner.catalogue.registers_edit"))
			if !oh.edit || len(oh.rules) != 1 {
				t.Fatalf("the registers' rule sent: %v", oh.rules)
			}
			h.tapRow("Қымыз «Сары-Арқа» 0,5 л")
			h.settle()
			h.fits("the hub's item")
			h.typeInto(h.T("catsell.code.hint"), 0, "772")
			h.tap(h.T("item.save"))
			h.settle()
			if it, _ := oh.cat.item("Қымыз «Сары-Арқа» 0,5 л"); it.Code != "772" {
				t.Fatalf("the hub's kymyz: %+v", it)
			}
			if len(local.items) != 1 || local.items[0].Code != "" {
				t.Fatalf("the register's own catalogue changed: %+v", local.items)
			}
			// Without a price lists' port there is no import; with one, the import screen opens over it.
			h.notSeeIcon(theme.UploadIcon())
			oh.prices = &journalPriceLists{}
			h.u.render()
			h.tapIcon(theme.UploadIcon(), 0)
			if p, ok := h.u.current.(*priceListScreen); !ok || p.port != oh.prices {
				t.Fatalf("the import opened %T", h.u.current)
			}
			h.fits("the import into the hub's catalogue")
		})
	}
}

// ownerWith is an owner mode whose hub is hub (the fake with a catalogue).
type ownerWith struct {
	*fakeOwner
	hub OwnerHub
}

func (o ownerWith) Resume(ctx context.Context) (OwnerHub, error) {
	if h, err := o.fakeOwner.Resume(ctx); h == nil || err != nil {
		return h, err
	}
	return o.hub, nil
}

// notSeeIcon fails when a button with only this icon is on the screen.
func (h *harness) notSeeIcon(icon fyne.Resource) {
	h.t.Helper()
	for _, o := range h.visible() {
		if b, ok := o.(*widget.Button); ok && b.Text == "" && b.Icon != nil && b.Icon.Name() == icon.Name() {
			h.t.Fatalf("a button with icon %s is on the screen", icon.Name())
		}
	}
}
