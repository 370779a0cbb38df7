package pricelist_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ekassa-go/ekassa/i18n"
	"github.com/ekassa-go/ekassa/kkm"
	"github.com/ekassa-go/ekassa/pricelist"
	"github.com/ekassa-go/ekassa/storage"
)

const semicolonList = "\uFEFFНаименование;Штрихкод;Ед.;Цена;НДС;Код\r\n" +
	"Қымыз 0,5 л;4006381333931;шт;850,00;16;K-1\r\n" +
	"Алма;;кг;890;без НДС;00123\r\n" +
	"\r\n" +
	"Сыра «Шымкент»;036000291452 96385074;бөтелке;650;16%;\r\n" +
	";4006381333931;шт;100;16;\r\n" + // no name
	"Шай;4006381333932;шт;100;16;\r\n" + // misread barcode
	"Кофе;;шт;сто;16;\r\n" + // no price
	"Айран;;ящик;300;16;\r\n" + // unknown unit
	"Сүт;;шт;300;12;\r\n" // an old VAT rate

func TestReadAndMap(t *testing.T) {
	tab, err := pricelist.Read(strings.NewReader(semicolonList))
	if err != nil || tab.Delimiter != ';' || len(tab.Rows) != 8 || tab.Header[0] != "Наименование" {
		t.Fatalf("Read = %+v, %v", tab, err)
	}
	m := pricelist.GuessMapping(tab.Header)
	want := pricelist.Mapping{0, -1, 5, 1, 2, 3, 4, -1, -1, -1}
	if m != want {
		t.Fatalf("GuessMapping = %v, want %v", m, want)
	}
	items, bad, err := tab.Items(m)
	if err != nil || len(items) != 3 {
		t.Fatalf("Items = %+v, %v", items, err)
	}
	if it := items[1]; it.Name != "Алма" || it.Unit != "166" || it.Price != 89000 || it.VATRate != kkm.VATNone || it.Code != "00123" {
		t.Errorf("apples: %+v", it)
	}
	if it := items[2]; it.Unit != "868" || len(it.Barcodes) != 2 || it.VATRate != kkm.VAT16 {
		t.Errorf("beer: %+v", it)
	}
	wantBad := []struct {
		line int
		code kkm.Code
	}{{6, kkm.ErrItemNameEmpty}, {7, kkm.ErrBarcodeCheckDigit}, {8, kkm.ErrMoneySyntax}, {9, kkm.ErrLineUnitUnknown}, {10, pricelist.ErrVAT}}
	if len(bad) != len(wantBad) {
		t.Fatalf("bad rows: %v", bad)
	}
	ru := i18n.MustBundle().Localizer(i18n.Russian)
	for i, w := range wantBad {
		if bad[i].Line != w.line || !errors.Is(bad[i], w.code) {
			t.Errorf("bad row %d: line %d %v, want line %d %s", i, bad[i].Line, bad[i].Err, w.line, w.code)
		}
		if msg := ru.Error(bad[i].Err); msg == "" || strings.HasPrefix(msg, "err.") {
			t.Errorf("line %d: untranslated %q", w.line, msg)
		}
	}
}

func TestReadCommaAndQuotes(t *testing.T) {
	list := "name,price,barcodes,unit\n\"Milk, 1 l\",\"540,50\",\"4006381333931,96385074\",pcs\n"
	tab, err := pricelist.Read(strings.NewReader(list))
	if err != nil || tab.Delimiter != ',' {
		t.Fatalf("Read = %+v, %v", tab, err)
	}
	m := pricelist.GuessMapping(tab.Header)
	m[pricelist.ColUnit] = -1 // «pcs» is not a unit the register knows: the cashier leaves it unmapped
	items, bad, err := tab.Items(m)
	if err != nil || len(bad) != 0 || len(items) != 1 || items[0].Name != "Milk, 1 l" || items[0].Price != 54050 || len(items[0].Barcodes) != 2 {
		t.Fatalf("Items = %+v, %v, %v", items, bad, err)
	}
}

func TestRefusedWhole(t *testing.T) {
	if _, err := pricelist.Read(strings.NewReader("Цена;Товар\n\xff\xfe;x\n")); !errors.Is(err, pricelist.ErrEncoding) {
		t.Errorf("not UTF-8: %v", err)
	}
	if _, err := pricelist.Read(strings.NewReader("\uFEFF")); !errors.Is(err, pricelist.ErrEmpty) {
		t.Errorf("empty: %v", err)
	}
	if _, err := pricelist.Read(strings.NewReader("a;b\n\"x;1\n")); !errors.Is(err, pricelist.ErrSyntax) {
		t.Errorf("broken quotes: %v", err)
	}
	tab, _ := pricelist.Read(strings.NewReader("Товар;Сумма\nНан;100\n"))
	if _, _, err := tab.Items(pricelist.GuessMapping(tab.Header)); !errors.Is(err, pricelist.ErrColumns) {
		t.Errorf("no price column: %v", err)
	}
}

// Two rows of a price list giving one barcode to two items are refused in the preview, the
// second naming the first's line and item; and items that clash in the journal anyway (there two
// rows, one barcode, past the preview) are imported not at all.
func TestImportIsOneTransaction(t *testing.T) {
	ctx := context.Background()
	j, err := storage.Open(ctx, filepath.Join(t.TempDir(), "journal.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	tab, _ := pricelist.Read(strings.NewReader("Товар;Цена;Штрихкод\nНан;250;4006381333931\nСүт;540;96385074\nАйран;400;04006381333931\n"))
	items, bad, err := tab.Items(pricelist.GuessMapping(tab.Header))
	var dup *kkm.Error
	if err != nil || len(items) != 2 || len(bad) != 1 || bad[0].Line != 4 || !errors.As(bad[0].Err, &dup) ||
		dup.Code != pricelist.ErrDuplicateBarcode || dup.Data["Line"] != 2 || dup.Data["Name"] != "Нан" {
		t.Fatalf("preview: %v %v %v", items, bad, err)
	}
	items = append(items, kkm.Item{Name: "Айран", Unit: kkm.UnitPiece, Price: 40000, Barcodes: []string{"04006381333931"}})
	if _, err := j.ImportItems(ctx, items); !errors.Is(err, kkm.ErrBarcodeTaken) {
		t.Fatalf("ImportItems = %v", err)
	}
	if n, _, _ := j.CountItems(ctx); n != 0 {
		t.Fatalf("%d items half-imported", n)
	}
	if _, err := j.ImportItems(ctx, items[:2]); err != nil {
		t.Fatal(err)
	}
	if n, _, _ := j.CountItems(ctx); n != 2 {
		t.Fatalf("%d items", n)
	}
}

func TestMessagesTranslated(t *testing.T) {
	b := i18n.MustBundle()
	for _, lang := range i18n.Langs() {
		l := b.Localizer(lang)
		for _, id := range pricelist.MessageIDs() {
			if !l.Has(id) {
				t.Errorf("%s: %s not translated", lang.Name(), id)
			}
		}
	}
}

// FuzzRead: any file is read or refused with a typed error, and its rows map without a panic.
func FuzzRead(f *testing.F) {
	f.Add(semicolonList)
	f.Add("name,price\n\"a,b\",1\n")
	f.Add("\uFEFF")
	f.Fuzz(func(t *testing.T, data string) {
		tab, err := pricelist.Read(strings.NewReader(data))
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

// BenchmarkReadAndMap reads and checks a price list of 50 000 rows (the preview's work before the
// journal's import); it reports the seconds per list.
func BenchmarkReadAndMap(b *testing.B) {
	var sb strings.Builder
	sb.WriteString("\uFEFFНаименование;Код;Ед.;Цена;НДС\n")
	for i := 0; i < 50_000; i++ {
		fmt.Fprintf(&sb, "Тауар «Әсем» №%d;A%05d;шт;%d,50;16\n", i, i, 100+i%5000)
	}
	data := sb.String()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		tab, err := pricelist.Read(strings.NewReader(data))
		if err != nil {
			b.Fatal(err)
		}
		items, bad, err := tab.Items(pricelist.GuessMapping(tab.Header))
		if err != nil || len(bad) != 0 || len(items) != 50_000 {
			b.Fatalf("%d items, %d bad, %v", len(items), len(bad), err)
		}
	}
	b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/list")
}
