package storage

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/ekassa-go/ekassa/kkm"
)

// benchCatalogueSize is the catalogue the issue measures search on.
const benchCatalogueSize = 50_000

var (
	benchCatalogueOnce sync.Once
	benchCatalogue     *Journal
	benchCatalogueErr  error
)

// gtin13 makes a valid EAN-13 from a 12-digit body.
func gtin13(body int64) string {
	s := fmt.Sprintf("%012d", body)
	sum := 0
	for i := 0; i < 12; i++ {
		d := int(s[i] - '0')
		if i%2 == 1 {
			d *= 3
		}
		sum += d
	}
	return s + string(rune('0'+(10-sum%10)%10))
}

// catalogueOf50k is a journal with 50 000 items named from Kazakh and Russian words, each with an
// EAN-13, an NTIN and an article code, a few hundred favourites; built once per benchmark run.
func catalogueOf50k(b *testing.B) *Journal {
	benchCatalogueOnce.Do(func() {
		dir, err := os.MkdirTemp("", "ekassa-catalogue-bench")
		if err != nil {
			benchCatalogueErr = err
			return
		}
		j, err := Open(context.Background(), filepath.Join(dir, "journal.db"))
		if err != nil {
			benchCatalogueErr = err
			return
		}
		items := benchItems()
		if _, err := j.ImportItems(context.Background(), items); err != nil {
			benchCatalogueErr = err
			return
		}
		benchCatalogue = j
	})
	if benchCatalogueErr != nil {
		b.Fatal(benchCatalogueErr)
	}
	return benchCatalogue
}

// benchItems is the 50 000 items of the benchmarks.
func benchItems() []kkm.Item {
	kinds := []string{"Сүт", "Қымыз", "Шұбат", "Айран", "Нан", "Ірімшік", "Шай", "Кофе", "Сок", "Вода",
		"Печенье", "Шоколад", "Конфеты", "Макароны", "Күріш", "Ұн", "Қант", "Тұз", "Май", "Сыр",
		"Колбаса", "Ет", "Балық", "Жұмыртқа", "Алма", "Банан", "Картоп", "Пияз", "Сабын", "Шампунь"}
	brands := []string{"Өнім", "Food Master", "Рахат", "Баян Сулу", "Highland", "Әсем", "Игілік", "Dala",
		"Қазақстан", "Emil", "Tassay", "Moloko", "Ағаш", "Ақ бидай", "Global", "Нұр", "Береке", "Altyn"}
	items := make([]kkm.Item, benchCatalogueSize)
	for i := range items {
		items[i] = kkm.Item{
			Name:      fmt.Sprintf("%s %s %d г №%d", kinds[i%len(kinds)], brands[(i/len(kinds))%len(brands)], 100+i%900, i),
			NTIN:      fmt.Sprintf("02%011d", i),
			Code:      fmt.Sprintf("A%05d", i),
			Unit:      kkm.UnitPiece,
			Price:     kkm.Money(10000 + i%5000*100),
			VATRate:   kkm.VAT16,
			Barcodes:  []string{gtin13(487000000000 + int64(i))},
			Favourite: i%200 == 0,
		}
	}
	return items
}

// keystrokes turns what a cashier types into the query after each key.
func keystrokes(words ...string) []string {
	var qs []string
	for _, w := range words {
		r := []rune(w)
		for i := 1; i <= len(r); i++ {
			qs = append(qs, string(r[:i]))
		}
	}
	return qs
}

// BenchmarkCatalogueSearch types names (Kazakh and Russian, in any case, found and not), a
// barcode, an NTIN and an article code into the search of a 50 000-item catalogue, one query per
// keystroke as the sale screen asks, first 20 results with their barcodes; it reports the
// latency per keystroke (p50, p99, max in ms).
func BenchmarkCatalogueSearch(b *testing.B) { benchCatalogueSearch(b, 20) }

// BenchmarkCatalogueSearchSaleScreen is the same with the 50 results the sale screen and the
// catalogue's screen ask for (ui's searchLimit).
func BenchmarkCatalogueSearchSaleScreen(b *testing.B) { benchCatalogueSearch(b, 50) }

func benchCatalogueSearch(b *testing.B, limit int) {
	j := catalogueOf50k(b)
	ctx := context.Background()
	queries := keystrokes("қымыз әсем", "ШҰБАТ", "шоколад рахат 5", "жоқ тауар", "Food master",
		gtin13(487000012345), "0200001234", "A0421", "№49999")
	var lat []time.Duration
	cpu0, cpuOK := processCPU()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		q := queries[i%len(queries)]
		t0 := time.Now()
		if _, err := j.SearchItems(ctx, ItemQuery{Text: q, Limit: limit}); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(t0))
	}
	b.StopTimer()
	cpu1, _ := processCPU()
	sort.Slice(lat, func(a, c int) bool { return lat[a] < lat[c] })
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	if cpuOK {
		// The CPU a keystroke's search takes, which a loaded machine does not stretch as it does
		// the wall time of the percentiles (waiting for a core).
		b.ReportMetric(ms(cpu1-cpu0)/float64(b.N), "cpu-ms/op")
	}
	b.ReportMetric(ms(lat[len(lat)/2]), "p50-ms")
	b.ReportMetric(ms(lat[len(lat)*99/100]), "p99-ms")
	b.ReportMetric(ms(lat[len(lat)-1]), "max-ms")
}

// BenchmarkImportItems imports a price list of 50 000 items into an empty journal in one
// transaction (storage.ImportItems, validation included); it reports the seconds per import.
func BenchmarkImportItems(b *testing.B) {
	items := benchItems()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		j := openTemp(b)
		b.StartTimer()
		t0 := time.Now()
		if _, err := j.ImportItems(context.Background(), items); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(time.Since(t0).Seconds(), "s/import")
	}
}
