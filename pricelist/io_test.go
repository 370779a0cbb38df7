package pricelist_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/ekassa-go/ekassa/i18n"
	"github.com/ekassa-go/ekassa/kkm"
	"github.com/ekassa-go/ekassa/pricelist"
	"github.com/ekassa-go/ekassa/pricelist/journalimport"
	"github.com/ekassa-go/ekassa/storage"
)

func openJournal(t testing.TB) *storage.Journal {
	t.Helper()
	j, err := storage.Open(context.Background(), filepath.Join(t.TempDir(), "journal.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { j.Close() })
	return j
}

// workbook builds an XLSX of rows (nil: an empty row) as a shop's spreadsheet would hold them.
func workbook(t testing.TB, rows [][]any) []byte {
	t.Helper()
	f := excelize.NewFile()
	for i, r := range rows {
		if r == nil {
			continue
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("Sheet1", cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	var b bytes.Buffer
	if err := f.Write(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestReadXLSX(t *testing.T) {
	data := workbook(t, [][]any{
		nil, // a title row left empty above the header
		{"Атауы", "Штрихкод", "Өлшем бірлігі", "Бағасы", "ҚҚС", "Таңдаулы"},
		{"Қымыз 0,5 л", "4006381333931", "дана", 850.5, 16, "иә"},
		{"Алма", 4006381333931.0 + 1, "кг", 890.49999999999994, "ҚҚС-сыз", ""}, // a barcode typed as a number, a noisy float
		nil,
		{"Шай", "", "дана", "жүз", 16, "жоқ"},
		{"Нан", "", "дана", 250, 16, "мүмкін"},
	})
	tab, err := pricelist.ReadAny(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if len(tab.Rows) != 4 || !reflect.DeepEqual(tab.Lines, []int{3, 4, 6, 7}) || tab.Header[0] != "Атауы" {
		t.Fatalf("table: %+v", tab)
	}
	m := pricelist.GuessMapping(tab.Header)
	items, bad, err := tab.Items(m)
	if err != nil || len(items) != 1 || len(bad) != 3 {
		t.Fatalf("Items = %+v, %v, %v", items, bad, err)
	}
	if it := items[0]; it.Price != 85050 || it.VATRate != kkm.VAT16 || !it.Favourite || it.Unit != kkm.UnitPiece {
		t.Errorf("kymyz: %+v", it)
	}
	// 4006381333932 has a wrong check digit: the number was read as the 13 digits typed.
	wantBad := []struct {
		line int
		code kkm.Code
	}{{4, kkm.ErrBarcodeCheckDigit}, {6, kkm.ErrMoneySyntax}, {7, pricelist.ErrFlag}}
	kk := i18n.MustBundle().Localizer(i18n.Kazakh)
	for i, w := range wantBad {
		if bad[i].Line != w.line || !errors.Is(bad[i], w.code) {
			t.Errorf("bad row %d: line %d %v, want line %d %s", i, bad[i].Line, bad[i].Err, w.line, w.code)
		}
		if msg := kk.Error(bad[i].Err); msg == "" || strings.HasPrefix(msg, "err.") {
			t.Errorf("line %d: untranslated %q", w.line, msg)
		}
	}
}

func TestReadXLSXRefused(t *testing.T) {
	if _, err := pricelist.ReadAny(strings.NewReader("PK\x03\x04 not really a zip")); !errors.Is(err, pricelist.ErrXLSX) {
		t.Errorf("broken workbook: %v", err)
	}
	if _, err := pricelist.ReadAny(bytes.NewReader(workbook(t, nil))); !errors.Is(err, pricelist.ErrEmpty) {
		t.Errorf("empty workbook: %v", err)
	}
}

// catalogue is a catalogue with every unit, VAT rate and marked group, several barcodes, names
// that need quoting, favourites and archived items.
func catalogue() []kkm.Item {
	var items []kkm.Item
	barcodes := []string{"4006381333931", "96385074", "036000291452", "04006381333948", "ABC-128/x", "4600000000008"}
	for i, u := range kkm.Units() {
		it := kkm.Item{Name: fmt.Sprintf("Тауар «%s»; \"№%d\", ә ғ қ ң ө ұ ү һ і", u.NameKK, i), Unit: u.Code,
			Price: kkm.Money(1 + i*123457), VATRate: kkm.VATRates()[i%len(kkm.VATRates())], Code: fmt.Sprintf("A-%03d", i),
			Favourite: i%3 == 0, Archived: i%5 == 4}
		if i < len(barcodes) {
			it.Barcodes = []string{barcodes[i]}
		}
		if i%4 == 1 {
			it.VATRate = kkm.VATDefault
		}
		if !u.Fractional {
			it.Marked = kkm.MarkedGroups()[i%len(kkm.MarkedGroups())]
		}
		if i == 0 {
			it.NTIN, it.Barcodes = "0200000000017", []string{ean13(1), ean13(2)}
		}
		items = append(items, it)
	}
	items = append(items, kkm.Item{Name: "Самый дорогой", Unit: kkm.UnitService, Price: kkm.MaxMoney, VATRate: kkm.VAT16})
	return items
}

func TestExportRoundTrip(t *testing.T) {
	ctx := context.Background()
	src := openJournal(t)
	if _, err := src.ImportItems(ctx, catalogue()); err != nil {
		t.Fatal(err)
	}
	var want []kkm.Item // as the journal gives them back
	if err := src.EachItem(ctx, func(it kkm.Item) error { want = append(want, it); return nil }); err != nil {
		t.Fatal(err)
	}
	for _, lang := range []string{"kk", "ru", "en"} {
		for _, format := range []string{"csv", "xlsx"} {
			t.Run(lang+"/"+format, func(t *testing.T) {
				var b bytes.Buffer
				write := pricelist.WriteCSV
				if format == "xlsx" {
					write = pricelist.WriteXLSX
				}
				if err := write(&b, lang, func(y func(kkm.Item) error) error { return src.EachItem(ctx, y) }); err != nil {
					t.Fatal(err)
				}
				if format == "csv" && !bytes.HasPrefix(b.Bytes(), []byte("\uFEFF")) {
					t.Error("no byte-order mark")
				}
				tab, err := pricelist.ReadAny(&b)
				if err != nil {
					t.Fatal(err)
				}
				m := pricelist.GuessMapping(tab.Header)
				for c, i := range m {
					if i != c {
						t.Fatalf("header %q mapped %v", tab.Header, m)
					}
				}
				dst := openJournal(t)
				r, bad, err := journalimport.Import(ctx, dst, tab, m, false, nil)
				if err != nil || len(bad) != 0 || r.Added != len(want) {
					t.Fatalf("Import = %+v, %v, %v", r, bad, err)
				}
				var got []kkm.Item
				if err := dst.EachItem(ctx, func(it kkm.Item) error { got = append(got, it); return nil }); err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(got, want) {
					for i := range want {
						if i < len(got) && !reflect.DeepEqual(got[i], want[i]) {
							t.Errorf("item %d:\n got %+v\nwant %+v", i, got[i], want[i])
						}
					}
					t.Fatalf("%d items back, %d out", len(got), len(want))
				}
			})
		}
	}
}

// An import reports its progress up to 1, and one cancelled half-way leaves nothing.
func TestImportProgressAndCancel(t *testing.T) {
	ctx := context.Background()
	var sb strings.Builder
	sb.WriteString("Товар;Цена\n")
	for i := 0; i < 3*storage.ProgressEvery; i++ {
		fmt.Fprintf(&sb, "Тауар %d;%d\n", i, 100+i)
	}
	tab, err := pricelist.Read(strings.NewReader(sb.String()))
	if err != nil {
		t.Fatal(err)
	}
	m := pricelist.GuessMapping(tab.Header)
	j := openJournal(t)

	cctx, cancel := context.WithCancel(ctx)
	var seen []float64
	_, _, err = journalimport.Import(cctx, j, tab, m, false, func(f float64) {
		seen = append(seen, f)
		if f > 0.5 {
			cancel()
		}
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled import: %v (progress %v)", err, seen)
	}
	if n, _, _ := j.CountItems(ctx); n != 0 {
		t.Fatalf("%d items half-imported", n)
	}
	seen = nil
	r, bad, err := journalimport.Import(ctx, j, tab, m, false, func(f float64) { seen = append(seen, f) })
	if err != nil || len(bad) != 0 || r.Added != len(tab.Rows) {
		t.Fatalf("Import = %+v %v %v", r, bad, err)
	}
	for i := 1; i < len(seen); i++ {
		if seen[i] < seen[i-1] {
			t.Fatalf("progress went back: %v", seen)
		}
	}
	if len(seen) < 4 || seen[0] != 0 || seen[len(seen)-1] != 1 {
		t.Fatalf("progress %v", seen)
	}
}

// A shop's next price list updates the items it names by code or barcode; without update it is
// refused whole; two rows naming one item are refused.
func TestImportUpdates(t *testing.T) {
	ctx := context.Background()
	j := openJournal(t)
	read := func(s string) pricelist.Table {
		tab, err := pricelist.Read(strings.NewReader(s))
		if err != nil {
			t.Fatal(err)
		}
		return tab
	}
	first := read("Код;Товар;Цена;Штрихкод\nK1;Нан;250;4006381333931\nK2;Сүт;540;\n;Айран;400;96385074\n")
	if r, bad, err := journalimport.Import(ctx, j, first, pricelist.GuessMapping(first.Header), false, nil); err != nil || bad != nil || r.Added != 3 {
		t.Fatalf("first: %+v %v %v", r, bad, err)
	}
	next := read("Код;Товар;Цена;Штрихкод\nK1;Нан ақ;270;4006381333931\n;Айран 1 л;420;96385074\nK3;Шай;900;\n")
	m := pricelist.GuessMapping(next.Header)
	if _, bad, err := journalimport.Import(ctx, j, next, m, false, nil); err != nil || len(bad) != 1 || bad[0].Line != 2 || !errors.Is(bad[0], kkm.ErrItemCodeTaken) {
		t.Fatalf("without update: %v %v", bad, err)
	}
	r, bad, err := journalimport.Import(ctx, j, next, m, true, nil)
	if err != nil || bad != nil || r.Added != 1 || r.Updated != 2 {
		t.Fatalf("update: %+v %v %v", r, bad, err)
	}
	if n, _, _ := j.CountItems(ctx); n != 4 {
		t.Fatalf("%d items", n)
	}
	it, _, _, err := j.ItemByBarcode(ctx, "96385074")
	if err != nil || it.Name != "Айран 1 л" || it.Price != 42000 {
		t.Fatalf("ayran: %+v %v", it, err)
	}
	twice := read("Код;Товар;Цена;Штрихкод\nK1;Нан;1;\n;Нан;2;4006381333931\n")
	if _, bad, err := journalimport.Import(ctx, j, twice, pricelist.GuessMapping(twice.Header), true, nil); err != nil || len(bad) != 1 || bad[0].Line != 3 {
		t.Fatalf("two rows, one item: %v %v", bad, err)
	}
}

// FuzzReadAny: any bytes, a workbook's included, are read or refused with a typed error.
func FuzzReadAny(f *testing.F) {
	f.Add(workbook(f, [][]any{{"Товар", "Цена"}, {"Нан", 250}}))
	f.Add([]byte(semicolonList))
	f.Add([]byte("PK\x03\x04"))
	f.Fuzz(func(t *testing.T, data []byte) {
		tab, err := pricelist.ReadAny(bytes.NewReader(data))
		if err != nil {
			var ke *kkm.Error
			if !errors.As(err, &ke) {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		m := pricelist.GuessMapping(tab.Header)
		m[pricelist.ColName], m[pricelist.ColPrice] = 0, len(tab.Header)-1
		items, bad, err := tab.Items(m)
		if err != nil || len(items)+len(bad) != len(tab.Rows) {
			t.Fatalf("%d rows gave %d items and %d errors, %v", len(tab.Rows), len(items), len(bad), err)
		}
	})
}

// BenchmarkImportXLSX imports a workbook of 50 000 items into an empty journal: read, map, check
// and write in one transaction, as the import screen does. It reports the seconds per list, and
// the process's CPU seconds per list (user and system), which a machine shared with other work
// does not inflate the way it does the wall clock.
func BenchmarkImportXLSX(b *testing.B) {
	ctx := context.Background()
	rows := [][]any{{"Наименование", "Код", "Штрихкод", "Ед.", "Цена", "НДС"}}
	for i := 0; i < 50_000; i++ {
		rows = append(rows, []any{fmt.Sprintf("Тауар «Әсем» №%d", i), fmt.Sprintf("A%05d", i), ean13(i), "шт", float64(100+i%5000) + 0.5, 16})
	}
	data := workbook(b, rows)
	b.ResetTimer()
	var cpu time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		j := openJournal(b)
		before := cpuTime(b)
		b.StartTimer()
		tab, err := pricelist.ReadAny(bytes.NewReader(data))
		if err != nil {
			b.Fatal(err)
		}
		r, bad, err := journalimport.Import(ctx, j, tab, pricelist.GuessMapping(tab.Header), false, nil)
		if err != nil || len(bad) != 0 || r.Added != 50_000 {
			b.Fatalf("%+v, %d bad (%v), %v", r, len(bad), bad, err)
		}
		b.StopTimer()
		cpu += cpuTime(b) - before
		b.StartTimer()
	}
	if cpu <= 0 {
		b.Fatalf("CPU time measured as %v", cpu)
	}
	b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/list")
	b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-s/list")
}

// ean13 is a valid EAN-13 for n, in the 460 (Russia) range.
func ean13(n int) string {
	s := fmt.Sprintf("460%09d", n)
	sum := 0
	for i, c := range s {
		d := int(c - '0')
		if i%2 == 1 {
			d *= 3
		}
		sum += d
	}
	return s + string(rune('0'+(10-sum%10)%10))
}
