package hub

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/ekassa-go/ekassa/kkm"
)

// Owners writing the catalogue at once get one version per change, 1, 2, 3, … without a gap or a
// repeat, and a register pulling meanwhile from its cursor misses none of them.
func TestCatalogueVersionsUnderConcurrentWrites(t *testing.T) {
	ctx := context.Background()
	s, _ := openStore(t)
	org, _, err := s.CreateOrganization(ctx, "Әсем")
	if err != nil {
		t.Fatal(err)
	}
	const writers, each = 4, 25
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < each; i++ {
				it := kkm.Item{Name: fmt.Sprintf("Тауар %d-%d", w, i), Code: fmt.Sprintf("W%d-%d", w, i), Unit: kkm.UnitPiece, Price: 100}
				if _, err := s.PutCatalogue(ctx, org.ID, []CatalogueItem{{Item: it}}); err != nil {
					errs <- err
					return
				}
			}
		}(w)
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	seen := map[int64]string{}
	var cursor int64
	// pull takes the next page of 7 changes at most and says how many it took.
	pull := func() int {
		ch, err := s.CatalogueChanges(ctx, org.ID, cursor, 7)
		if err != nil {
			t.Fatal(err)
		}
		for _, ci := range ch.Items {
			if ci.Version != cursor+1 {
				t.Fatalf("after %d came version %d", cursor, ci.Version)
			}
			seen[ci.Version] = ci.Item.Code
			cursor = ci.Version
		}
		return len(ch.Items)
	}
	for running := true; running; {
		select {
		case <-done:
			running = false
		default:
		}
		pull()
	}
	// The writers are done; the register catches up a page at a time, as its puller does (the
	// writers may have been more than a page or two ahead when they finished).
	for pull() > 0 {
	}
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if len(seen) != writers*each || cursor != writers*each {
		t.Fatalf("pulled %d changes up to %d, want %d", len(seen), cursor, writers*each)
	}
}

// The organization's catalogue is its own: another organization's changes, codes and barcodes
// never meet it.
func TestCatalogueIsPerOrganization(t *testing.T) {
	ctx := context.Background()
	s, _ := openStore(t)
	a, _, _ := s.CreateOrganization(ctx, "A")
	b, _, _ := s.CreateOrganization(ctx, "B")
	it := kkm.Item{Name: "Нан", Code: "K1", Unit: kkm.UnitPiece, Price: 250_00, Barcodes: []string{"4006381333931"}}
	if _, err := s.PutCatalogue(ctx, a.ID, []CatalogueItem{{Item: it}}); err != nil {
		t.Fatal(err)
	}
	got, err := s.PutCatalogue(ctx, b.ID, []CatalogueItem{{Item: it}})
	if err != nil || got[0].Version != 1 {
		t.Fatalf("B's own bread: %+v %v", got, err)
	}
	for _, org := range []int64{a.ID, b.ID} {
		ch, err := s.CatalogueChanges(ctx, org, 0, 0)
		if err != nil || len(ch.Items) != 1 || ch.Version != 1 {
			t.Fatalf("organization %d: %+v %v", org, ch, err)
		}
	}
}
