package ui

import (
	"context"
	"fmt"
	"sort"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/ekassa-go/ekassa/i18n"
	"github.com/ekassa-go/ekassa/kkm"
)

// answeredCatalogue answers every search at once with the same 50 items of a 50 000-item
// catalogue's names, so that a benchmark measures the screen's own work per keystroke; the
// journal's search is storage's BenchmarkCatalogueSearch.
type answeredCatalogue struct {
	fakeCatalogue
	found []kkm.Item
}

func (c *answeredCatalogue) Search(context.Context, string, bool, int) ([]kkm.Item, error) {
	return c.found, nil
}

// BenchmarkSaleSearchKeystroke types names into the sale screen's search field, one key at a
// time, on a 360 × 640 window: each key asks the catalogue and shows its 50 results in the list
// (rows reused, heights measured). It reports the screen's latency per keystroke (p50, p99, max
// in ms).
func BenchmarkSaleSearchKeystroke(b *testing.B) {
	a := test.NewTempApp(b)
	p := &fakeProfiles{}
	if _, err := p.CreateCashier(context.Background(), NewCashier{Name: "Айгуль", Code: "1234"}); err != nil {
		b.Fatal(err)
	}
	reg := newFakeRegister(true)
	reg.profiles = p
	cat := &answeredCatalogue{}
	for i := 0; i < searchLimit; i++ {
		cat.found = append(cat.found, kkm.Item{ID: int64(i + 1), Unit: kkm.UnitPiece, Price: kkm.Money(10000 + i*100),
			Name: fmt.Sprintf("Қымыз «Сары-Арқа» пастерленген %d г №%d", 100+i, 40000+i), Code: fmt.Sprintf("A%05d", i),
			Barcodes: []string{fmt.Sprintf("0487000%07d", i)}})
	}
	ports := fakePorts(p, fakeConnector{reg: reg}, reg, reg)
	ports.Catalogue = cat
	u := New(a, ports, i18n.MustBundle(), i18n.Kazakh)
	u.spawn = func(f func()) { f() }
	w := test.NewWindow(nil)
	w.Resize(fyne.NewSize(360, 640))
	u.Show(w)
	defer func() { u.Close(); w.Close() }()
	c, err := p.CheckCode(context.Background(), "1234")
	if err != nil {
		b.Fatal(err)
	}
	u.unlock(c, nil)
	u.reg.tab = tabExtended
	u.render()
	field := u.reg.extended.catalogue().searchField
	keys := []rune("қымыз сары-арқа 500")
	var lat []time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		k := i % (len(keys) + 1)
		t0 := time.Now()
		if k == len(keys) {
			field.SetText("") // the next customer: the field emptied
		} else {
			field.Entry.TypedRune(keys[k])
		}
		lat = append(lat, time.Since(t0))
	}
	b.StopTimer()
	if got := len(u.reg.extended.catalogue().results.items); got != searchLimit {
		b.Fatalf("%d results shown", got)
	}
	sort.Slice(lat, func(x, y int) bool { return lat[x] < lat[y] })
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	b.ReportMetric(ms(lat[len(lat)/2]), "p50-ms")
	b.ReportMetric(ms(lat[len(lat)*99/100]), "p99-ms")
	b.ReportMetric(ms(lat[len(lat)-1]), "max-ms")
}
