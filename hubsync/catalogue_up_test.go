package hubsync

import (
	"context"
	"errors"
	"net/http/httptest"
	"testing"

	"github.com/ekassa-go/ekassa/hub"
	"github.com/ekassa-go/ekassa/internal/pgtest"
	"github.com/ekassa-go/ekassa/kkm"
	"github.com/ekassa-go/ekassa/storage"
)

// pullOnly is the register's hub client without the upload: a pull that happens before the push.
type pullOnly struct{ CatalogueSource }

func pending(t *testing.T, j *storage.Journal) []storage.PendingHubItem {
	t.Helper()
	p, err := j.PendingHubItems(context.Background(), 100)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func hubPrice(t *testing.T, owner *hub.Client, code string) kkm.Money {
	t.Helper()
	ch, err := owner.CatalogueChanges(context.Background(), 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, ci := range ch.Items {
		if ci.Item.Code == code {
			return ci.Item.Price
		}
	}
	t.Fatalf("the hub has no item %s", code)
	return 0
}

// oldHub is a hub that does not know registers' changes (404), as one older than them answers.
type oldHub struct{ *hub.Client }

func (oldHub) PutRegisterItems(context.Context, []hub.RegisterItem) ([]hub.RegisterItemResult, error) {
	return nil, &hub.RemoteError{Status: 404}
}

// TestRegisterCatalogueEditsGoUp: two registers of one organization over a real hub (PostgreSQL,
// TLS). A change made on register A is kept in its journal and waits while the hub is out of reach
// and while the owner does not let registers edit; once allowed it goes up and register B pulls it;
// an item new on A reaches B. The conflict rule (the hub's version) in every order: the owner
// changes bread's price while A changes it offline, A pushes first → the owner's price on both;
// the owner changes apples while A changes them offline, A pulls first → the owner's price, A's
// change dropped and never sent; A's change taken and A changing the item again before it pulls
// its own version back → A's newer change stays and goes up. Another organization's register
// writes nothing into this catalogue.
func TestRegisterCatalogueEditsGoUp(t *testing.T) {
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
	other := newShop(t, store, srv, "Береке", "KTCD0009")
	orgs, err := a.owner.Registers(ctx)
	if err != nil || len(orgs) != 1 {
		t.Fatalf("registers: %+v %v", orgs, err)
	}
	var orgID int64
	if err := func() error {
		p, err := store.Authenticate(ctx, a.owner.Secret)
		orgID = p.OrganizationID
		return err
	}(); err != nil {
		t.Fatal(err)
	}
	_, secretB, err := store.AddRegister(ctx, orgID, "KTCD0002", "Till 2", "Әсем 2")
	if err != nil {
		t.Fatal(err)
	}
	regB := &hub.Client{BaseURL: srv.URL, Secret: secretB, HTTP: srv.Client()}
	putPriceList(t, a.owner, ownerPriceList) // K1 kymyz, K2 apples, K3 bread: versions 1–3

	jA, jB := journal(t, 3, 1), journal(t, 3, 2)
	pA, pB := NewPuller(a.register, jA, Config{Batch: 2}), NewPuller(regB, jB, Config{Batch: 2})
	for _, p := range []*Puller{pA, pB} {
		if _, err := p.Sync(ctx); err != nil {
			t.Fatal(err)
		}
	}

	// A cashier on A raises kymyz's price with the hub out of reach: saved at once, waiting.
	kymyz := localItem(t, jA, "4006381333931")
	kymyz.Price = 900_00
	if _, err := jA.SaveItem(ctx, kymyz); err != nil {
		t.Fatal(err)
	}
	down := NewPuller(&hub.Client{BaseURL: "https://127.0.0.1:1", Secret: "x"}, jA, Config{})
	if _, err := down.Sync(ctx); err == nil {
		t.Fatal("a sync with the hub out of reach succeeded")
	}
	if p := pending(t, jA); len(p) != 1 || p[0].Base != 1 || p[0].Item.Price != 900_00 {
		t.Fatalf("waiting after the hub was out of reach: %+v", p)
	}
	// The owner has not allowed registers to edit: refused, still waiting, the pull goes on.
	if _, err := pA.Sync(ctx); err != nil || !errors.Is(pA.Status().Up, hub.ErrForbidden) {
		t.Fatalf("a sync while registers may not edit: %v, %+v", err, pA.Status())
	}
	if len(pending(t, jA)) != 1 || hubPrice(t, a.owner, "K1") != 850_00 {
		t.Fatal("the change left the register while the owner did not allow it")
	}
	// A hub older than registers' changes: they wait, the pull goes on.
	if _, err := NewPuller(oldHub{a.register}, jA, Config{}).Sync(ctx); err != nil || len(pending(t, jA)) != 1 {
		t.Fatalf("a sync with a hub that does not know registers' changes: %v", err)
	}
	if err := a.owner.SetCatalogueSettings(ctx, hub.CatalogueSettings{RegistersEdit: true}); err != nil {
		t.Fatal(err)
	}
	if cs, err := a.register.CatalogueSettings(ctx); !errors.Is(err, hub.ErrForbidden) {
		t.Fatalf("a register read the owner's settings: %+v %v", cs, err)
	}
	// Another organization's register writes only its own organization's catalogue (not allowed there).
	if _, err := other.register.PutRegisterItems(ctx, []hub.RegisterItem{{Item: kymyz}}); !errors.Is(err, hub.ErrForbidden) {
		t.Fatalf("another organization's register: %v", err)
	}
	// Allowed: it goes up, with an item new on A.
	tea, err := jA.SaveItem(ctx, kkm.Item{Name: "Шай", Code: "K4", Unit: kkm.UnitPiece, Price: 900_00, VATRate: kkm.VATDefault})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pA.Sync(ctx); err != nil || pA.Status().Up != nil || pA.Status().Sent != 2 {
		t.Fatalf("a sync once allowed: %v, %+v", err, pA.Status())
	}
	if len(pending(t, jA)) != 0 || hubPrice(t, a.owner, "K1") != 900_00 || hubPrice(t, a.owner, "K4") != 900_00 {
		t.Fatal("A's changes did not reach the hub")
	}
	if _, err := pB.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if it := localItem(t, jB, "4006381333931"); it.Price != 900_00 {
		t.Fatalf("B's kymyz: %+v", it)
	}
	if it, found, err := jB.ItemByCode(ctx, "K4"); err != nil || !found || it.Name != "Шай" {
		t.Fatalf("B's tea: %+v %v %v", it, found, err)
	}
	if a, err := jA.Item(ctx, tea.ID); err != nil || a.Name != "Шай" {
		t.Fatalf("A's tea after its own pull: %+v %v", a, err)
	}

	// Bread: the owner sets 270, A (not yet pulled) sets 260 offline; A pushes first.
	ch, err := a.owner.CatalogueChanges(ctx, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	items := map[string]hub.CatalogueItem{}
	for _, ci := range ch.Items {
		items[ci.Item.Code] = ci
	}
	ownerBread := items["K3"]
	ownerBread.Item.Price = 270_00
	if _, err := a.owner.PutCatalogue(ctx, []hub.CatalogueItem{ownerBread}); err != nil {
		t.Fatal(err)
	}
	bread := localItem(t, jA, "96385074")
	bread.Price = 260_00
	if _, err := jA.SaveItem(ctx, bread); err != nil {
		t.Fatal(err)
	}
	if _, err := pA.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if got := localItem(t, jA, "96385074"); got.Price != 270_00 || hubPrice(t, a.owner, "K3") != 270_00 || len(pending(t, jA)) != 0 {
		t.Fatalf("bread after A pushed first: A %v, hub %v", got.Price, hubPrice(t, a.owner, "K3"))
	}

	// Apples: the owner sets 990, A sets 950 offline; A pulls before it pushes.
	ownerApples := items["K2"]
	ownerApples.Item.Price = 990_00
	if _, err := a.owner.PutCatalogue(ctx, []hub.CatalogueItem{ownerApples}); err != nil {
		t.Fatal(err)
	}
	apples, found, err := jA.ItemByCode(ctx, "K2")
	if err != nil || !found {
		t.Fatal(err)
	}
	apples.Price = 950_00
	if _, err := jA.SaveItem(ctx, apples); err != nil {
		t.Fatal(err)
	}
	if _, err := NewPuller(pullOnly{a.register}, jA, Config{}).Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if got, _, _ := jA.ItemByCode(ctx, "K2"); got.Price != 990_00 || len(pending(t, jA)) != 0 {
		t.Fatalf("apples after A pulled first: %v, waiting %+v", got.Price, pending(t, jA))
	}
	if _, err := pA.Sync(ctx); err != nil || hubPrice(t, a.owner, "K2") != 990_00 {
		t.Fatalf("apples at the hub: %v, %v", hubPrice(t, a.owner, "K2"), err)
	}

	// Tea: A's change is taken (up alone, no pull), A changes it again before pulling its own
	// version back: the pull keeps A's newer change, which then goes up.
	teaNow, _ := jA.Item(ctx, tea.ID)
	teaNow.Price = 950_00
	if _, err := jA.SaveItem(ctx, teaNow); err != nil {
		t.Fatal(err)
	}
	if n, up, err := pA.up(ctx); n != 1 || up != nil || err != nil {
		t.Fatalf("up: %d %v %v", n, up, err)
	}
	teaNow.Price = 990_00
	if _, err := jA.SaveItem(ctx, teaNow); err != nil {
		t.Fatal(err)
	}
	if _, err := NewPuller(pullOnly{a.register}, jA, Config{}).Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if got, _ := jA.Item(ctx, tea.ID); got.Price != 990_00 || len(pending(t, jA)) != 1 {
		t.Fatalf("tea after pulling A's own version: %v, waiting %+v", got.Price, pending(t, jA))
	}
	if _, err := pA.Sync(ctx); err != nil || hubPrice(t, a.owner, "K4") != 990_00 || len(pending(t, jA)) != 0 {
		t.Fatalf("tea at the hub: %v, %v", hubPrice(t, a.owner, "K4"), err)
	}
	if _, err := pB.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	for code, want := range map[string]kkm.Money{"K1": 900_00, "K2": 990_00, "K3": 270_00, "K4": 990_00} {
		if got, _, _ := jB.ItemByCode(ctx, code); got.Price != want {
			t.Errorf("B's %s: %v, want %v", code, got.Price, want)
		}
	}
}
