package pricelist_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/ekassa-go/ekassa/kkm"
	"github.com/ekassa-go/ekassa/pricelist"
	"github.com/ekassa-go/ekassa/pricelist/journalimport"
	"github.com/ekassa-go/ekassa/storage"
)

// Three price lists as shops in Kazakhstan keep them (testdata/, made by TestWritePriceLists with
// PRICELIST_WRITE=1), each a few thousand goods, unlike the tests' small lists:
//
//   - 1c-export-cp1251.csv: a 1С export in Windows-1251, titles above the header
//     «Наименование;Штрихкод;Цена;Ед.», prices «1 250,50», names quoted with ';' and quotes
//     inside, weighed goods in кг, units «уп» and «шт.», one item listed twice, empty lines, and
//     the total line «Итого: … позиций» under it;
//   - shop-kk-utf8.csv: a shop's own list in UTF-8 with a BOM and ',' between fields, Kazakh
//     headers in another order «Штрихкод,Атауы,Өлшем бірлігі,Бағасы,ҚҚС,Коды,Таңдаулы», Kazakh
//     names, quoted prices «"1 250,50"», weighed goods with their scale codes, favourites, VAT
//     «16%» and «ҚҚС-сыз», and «Барлығы» at the end;
//   - supplier-title-formula.xlsx: a supplier's workbook with its title and date rows above the
//     header, the price a formula over the purchase price and the mark-up (its value saved as
//     Excel saves it), barcodes stored as numbers and as text, and a sum row «Итого».

// fixtureSizes are the goods of each list (the rows the import keeps).
var fixtureSizes = map[string]int{"1c-export-cp1251.csv": 2400, "shop-kk-utf8.csv": 2500, "supplier-title-formula.xlsx": 3000}

// withCheckDigit completes 12 digits with their check digit.
func withCheckDigit(d12 string) string {
	sum := 0
	for i, c := range d12 {
		n := int(c - '0')
		if i%2 == 1 {
			n *= 3
		}
		sum += n
	}
	return d12 + string(rune('0'+(10-sum%10)%10))
}

var (
	ruGoods = []string{"Молоко", "Кефир", "Сметана", "Творог", "Масло сливочное", "Сыр", "Хлеб", "Батон", "Печенье", "Конфеты",
		"Чай", "Кофе", "Сахар", "Соль", "Мука", "Рис", "Гречка", "Макароны", "Масло подсолнечное", "Сок",
		"Вода минеральная", "Лимонад", "Колбаса", "Сосиски", "Пельмени", "Шоколад", "Вафли", "Йогурт", "Майонез", "Кетчуп"}
	ruBrands = []string{"Адал", "Food Master", "Фудмастер", "Эмиль", "Рахат", "Баян Сулу", "Цесна", "Беркут", "Алтын Дан", "Арасан"} // Windows-1251 has no ә: 1С writes Дан
	kkGoods  = []string{"Сүт", "Айран", "Қаймақ", "Ірімшік", "Сары май", "Нан", "Бауырсақ", "Құрт", "Қымыз", "Шұбат",
		"Шай", "Қант", "Тұз", "Ұн", "Күріш", "Жұмыртқа", "Шырын", "Минералды су", "Шұжық", "Тәтті",
		"Печенье", "Кәмпит", "Қарақат джемі", "Өрік", "Мейіз", "Жаңғақ", "Балық консервісі", "Ет тұшпарасы", "Жеміс-жидек шайы", "Ақ ірімшік"}
	kkBrands = []string{"Сары-Арқа", "Шымкент", "Алатау", "Ақтөбе", "Қостанай", "Жетісу", "Ертіс", "Балқаш", "Тараз", "Көкшетау"}
	weighed  = []string{"Алма «Апорт»", "Картоп", "Пияз", "Сәбіз", "Қызанақ", "Қияр", "Банан", "Апельсин", "Қой еті", "Сиыр еті"}
	ruWeigh  = []string{"Яблоки Апорт", "Картофель", "Лук репчатый", "Морковь", "Помидоры", "Огурцы", "Бананы", "Апельсины", "Баранина", "Говядина"}
)

// money writes tiyn as a Russian spreadsheet shows it: «1 250,50».
func moneyText(tiyn int64) string {
	t, c := tiyn/100, tiyn%100
	s := fmt.Sprint(t)
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteRune(' ')
		}
		b.WriteRune(r)
	}
	return fmt.Sprintf("%s,%02d", b.String(), c)
}

func toCP1251(t *testing.T, s string) []byte {
	var out []byte
	for _, r := range s {
		switch {
		case r < 0x80:
			out = append(out, byte(r))
		case r >= 'А' && r <= 'я':
			out = append(out, byte(0xC0+r-'А'))
		case r == 'Ё':
			out = append(out, 0xA8)
		case r == 'ё':
			out = append(out, 0xB8)
		case r == '«':
			out = append(out, 0xAB)
		case r == '»':
			out = append(out, 0xBB)
		case r == '№':
			out = append(out, 0xB9)
		default:
			t.Fatalf("%q has no Windows-1251 byte", r)
		}
	}
	return out
}

// oneCExport is the 1С list: 2 400 goods (a tenth weighed), one listed twice.
func oneCExport(t *testing.T) []byte {
	var b strings.Builder
	b.WriteString("Прайс-лист ТОО «Береке» (г. Караганда) на 03.12.2026;;;\r\n")
	b.WriteString("Цены указаны в тенге, с НДС;;;\r\n;;;\r\n")
	b.WriteString("Наименование;Штрихкод;Цена;Ед.\r\n")
	n := fixtureSizes["1c-export-cp1251.csv"]
	for i := range n {
		if i%10 == 9 {
			w := ruWeigh[(i/10)%len(ruWeigh)]
			fmt.Fprintf(&b, "%s, сорт %d;;%s;кг\r\n", w, i/100+1, moneyText(int64(39000+i*7)))
			continue
		}
		// Each name once, as in a real list: the goods, the maker and a pack size of their own.
		name := fmt.Sprintf("%s %s %d г", ruGoods[i%len(ruGoods)], ruBrands[(i/len(ruGoods))%len(ruBrands)], 100+i/300*50)
		if i%37 == 0 {
			name = fmt.Sprintf("\"%s; вкус \"\"Вишня\"\", %d шт\"", strings.TrimSuffix(name, " г"), i%5+2) // ';' and quotes inside
		}
		unit := []string{"шт", "шт.", "уп", "бут."}[i%4]
		price := int64(15000 + i*137%250000)
		fmt.Fprintf(&b, "%s;%s;%s;%s\r\n", name, withCheckDigit(fmt.Sprintf("4870%08d", 100000+i)), moneyText(price), unit)
		if i == 1000 {
			fmt.Fprintf(&b, "%s;%s;%s;%s\r\n", name, withCheckDigit(fmt.Sprintf("4870%08d", 100000+i)), moneyText(price), unit) // listed twice
		}
		if i%500 == 250 {
			b.WriteString(";;;\r\n") // an empty line between groups
		}
	}
	fmt.Fprintf(&b, "Итого: %d позиций;;;\r\n", n)
	return toCP1251(t, b.String())
}

// kazakhShop is the shop's own list: 2 500 goods, every twentieth weighed with a scale code.
func kazakhShop() []byte {
	var b strings.Builder
	b.WriteString("\uFEFFШтрихкод,Атауы,Өлшем бірлігі,Бағасы,ҚҚС,Коды,Таңдаулы\n")
	n := fixtureSizes["shop-kk-utf8.csv"]
	for i := range n {
		fav := ""
		if i%250 == 0 {
			fav = "иә"
		}
		vat := "16%"
		if i%3 == 0 {
			vat = "ҚҚС-сыз"
		}
		if i%20 == 19 {
			fmt.Fprintf(&b, ",%s,кг,\"%s\",%s,%05d,%s\n", weighed[(i/20)%len(weighed)]+fmt.Sprintf(" №%d", i/200+1),
				moneyText(int64(45000+i*11)), vat, 200+i/20, fav)
			continue
		}
		sizes := []string{"0,2 л", "0,33 л", "0,5 л", "0,75 л", "1 л", "1,5 л", "2 л", "3 л", "5 л"}
		name := fmt.Sprintf("%s «%s» %s", kkGoods[i%len(kkGoods)], kkBrands[(i/len(kkGoods))%len(kkBrands)], sizes[i/300])
		fmt.Fprintf(&b, "%s,\"%s\",дана,\"%s\",%s,,%s\n", withCheckDigit(fmt.Sprintf("4870%08d", 500000+i)), name, moneyText(int64(20000+i*211%900000)), vat, fav)
		if i%400 == 7 {
			b.WriteString("\n,,,,,,\n")
		}
	}
	fmt.Fprintf(&b, "Барлығы: %d тауар,,,,,,\n", n)
	return []byte(b.String())
}

// supplierWorkbook is the supplier's XLSX: 3 000 goods under a title.
func supplierWorkbook(t *testing.T) []byte {
	f := excelize.NewFile()
	defer f.Close()
	sh := f.GetSheetName(0)
	set := func(cell string, v any) {
		if err := f.SetCellValue(sh, cell, v); err != nil {
			t.Fatal(err)
		}
	}
	set("A1", "Прайс-лист поставщика ТОО «Алтын Дән»")
	set("A2", "на 01.12.2026, цены в тенге")
	for i, h := range []string{"Код", "Наименование", "Ед. изм.", "Цена закупки", "Наценка", "Цена", "Штрихкод"} {
		set(fmt.Sprintf("%c4", 'A'+i), h)
	}
	n := fixtureSizes["supplier-title-formula.xlsx"]
	for i := range n {
		r := 5 + i
		cost := int64(10000 + i*97%400000) // tiyn
		price := cost * 125 / 100
		set(fmt.Sprintf("A%d", r), fmt.Sprintf("АД-%05d", i+1))
		set(fmt.Sprintf("B%d", r), fmt.Sprintf("%s %s, %d г × %d шт", ruGoods[(i+7)%len(ruGoods)], kkBrands[i%len(kkBrands)], 50+i/30*10, i%3+1))
		set(fmt.Sprintf("C%d", r), "шт")
		set(fmt.Sprintf("D%d", r), float64(cost)/100)
		set(fmt.Sprintf("E%d", r), 0.25)
		// The price is a formula; its value is saved beside it, as Excel saves a workbook.
		if err := f.SetCellFloat(sh, fmt.Sprintf("F%d", r), float64(price)/100, -1, 64); err != nil {
			t.Fatal(err)
		}
		if err := f.SetCellFormula(sh, fmt.Sprintf("F%d", r), fmt.Sprintf("ROUND(D%d*(1+E%d),2)", r, r)); err != nil {
			t.Fatal(err)
		}
		code := withCheckDigit(fmt.Sprintf("4607%08d", 700000+i))
		if i%2 == 0 {
			var v int64
			fmt.Sscan(code, &v)
			set(fmt.Sprintf("G%d", r), v) // a barcode typed into a number cell
		} else {
			set(fmt.Sprintf("G%d", r), code)
		}
	}
	set(fmt.Sprintf("B%d", 5+n), "Итого")
	if err := f.SetCellFormula(sh, fmt.Sprintf("F%d", 5+n), fmt.Sprintf("SUM(F5:F%d)", 4+n)); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestWritePriceLists writes the fixtures again (PRICELIST_WRITE=1 go test -run TestWritePriceLists).
func TestWritePriceLists(t *testing.T) {
	if os.Getenv("PRICELIST_WRITE") == "" {
		t.Skip("set PRICELIST_WRITE=1 to write testdata/ again")
	}
	for name, data := range map[string][]byte{
		"1c-export-cp1251.csv":        oneCExport(t),
		"shop-kk-utf8.csv":            kazakhShop(),
		"supplier-title-formula.xlsx": supplierWorkbook(t),
	} {
		if err := os.WriteFile(filepath.Join("testdata", name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// Each list is read as a cashier imports it: the header found under its titles, the columns
// guessed, every row good, the total line and the repeated row left out, and the whole list in
// the journal in one import; then a few of its goods are found as the sale screen finds them.
func TestRealPriceLists(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		file  string
		check func(t *testing.T, items []kkm.Item)
		find  map[string]string // a search or a barcode: the item's name
	}{
		{file: "1c-export-cp1251.csv", check: func(t *testing.T, items []kkm.Item) {
			quoted, weighedN, packs := 0, 0, 0
			for _, it := range items {
				if strings.Contains(it.Name, "; вкус \"Вишня\"") {
					quoted++
				}
				if it.Unit == "166" {
					weighedN++
				}
				if it.Unit == "778" {
					packs++
				}
			}
			// As oneCExport made them: every tenth row weighed, the rest quoted every 37th, «уп» every 4th.
			var wantQ, wantW, wantP int
			for i := range fixtureSizes["1c-export-cp1251.csv"] {
				switch {
				case i%10 == 9:
					wantW++
				default:
					if i%37 == 0 {
						wantQ++
					}
					if i%4 == 2 {
						wantP++
					}
				}
			}
			if quoted != wantQ || weighedN != wantW || packs != wantP {
				t.Errorf("quoted names %d, weighed %d, packs %d; want %d, %d, %d", quoted, weighedN, packs, wantQ, wantW, wantP)
			}
			if it := items[0]; it.Name != "Молоко Адал 100; вкус \"Вишня\", 2 шт" || it.Price != 15000 || it.Unit != kkm.UnitPiece {
				t.Errorf("the first row: %+v", it)
			}
			if it := items[1]; it.Name != "Кефир Адал 100 г" || it.Price != 15137 || it.Unit != kkm.UnitPiece {
				t.Errorf("the second row: %+v", it)
			}
		}, find: map[string]string{withCheckDigit("487000100001"): "Кефир Адал 100 г", "говядина": "Говядина, сорт 1"}},
		{file: "shop-kk-utf8.csv", check: func(t *testing.T, items []kkm.Item) {
			favs, none, scale := 0, 0, 0
			for _, it := range items {
				if it.Favourite {
					favs++
				}
				if it.VATRate == kkm.VATNone {
					none++
				}
				if it.Unit == "166" && len(it.Code) == 5 {
					scale++
				}
			}
			var wantF, wantN, wantS int // as kazakhShop made them
			for i := range fixtureSizes["shop-kk-utf8.csv"] {
				if i%250 == 0 {
					wantF++
				}
				if i%3 == 0 {
					wantN++
				}
				if i%20 == 19 {
					wantS++
				}
			}
			if favs != wantF || none != wantN || scale != wantS {
				t.Errorf("favourites %d, without VAT %d, weighed with a scale code %d; want %d, %d, %d", favs, none, scale, wantF, wantN, wantS)
			}
		}, find: map[string]string{"сары-арқа": "Сүт «Сары-Арқа» 0,2 л", "00200": "Алма «Апорт» №1"}},
		{file: "supplier-title-formula.xlsx", check: func(t *testing.T, items []kkm.Item) {
			if it := items[0]; it.Code != "АД-00001" || it.Price != 12500 || len(it.Barcodes) != 1 {
				t.Errorf("the first row: %+v", it)
			}
			if it := items[1]; it.Price != (10000+97)*125/100 {
				t.Errorf("the formula's price: %+v", it)
			}
		}, find: map[string]string{withCheckDigit("460700700000"): "Батон Сары-Арқа, 50 г × 1 шт", "АД-02999": ""}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			tab, err := pricelist.ReadAny(bytes.NewReader(data))
			if err != nil {
				t.Fatal(err)
			}
			m := pricelist.GuessMapping(tab.Header)
			if m[pricelist.ColName] < 0 || m[pricelist.ColPrice] < 0 || m[pricelist.ColBarcodes] < 0 {
				t.Fatalf("header %q mapped %v", tab.Header, m)
			}
			items, bad, err := tab.Items(m)
			if err != nil || len(bad) > 0 {
				t.Fatalf("%d bad rows (first %v), %v", len(bad), bad, err)
			}
			if len(items) != fixtureSizes[tc.file] {
				t.Fatalf("%d items, want %d", len(items), fixtureSizes[tc.file])
			}
			tc.check(t, items)
			j := openJournal(t)
			res, bad, err := journalimport.Import(ctx, j, tab, m, false, nil)
			if err != nil || len(bad) > 0 || res.Added != fixtureSizes[tc.file] {
				t.Fatalf("import: %+v, %v, %v", res, bad, err)
			}
			for q, want := range tc.find {
				var got string
				if it, _, found, err := j.ItemByBarcode(ctx, q); err == nil && found {
					got = it.Name
				} else if fs, err := j.SearchItems(ctx, storageQuery(q)); err == nil && len(fs) > 0 {
					got = fs[0].Name
				}
				if want != "" && got != want || want == "" && got == "" {
					t.Errorf("%q finds %q, want %q", q, got, want)
				}
			}
		})
	}
}

func storageQuery(q string) storage.ItemQuery { return storage.ItemQuery{Text: q} }

// The reader's cases one by one: Windows-1251 read, another encoding refused by name, titles
// above the header skipped, a total line dropped only at the end, a list with no recognisable
// header mapped by hand from its first row, the units accounting programs write.
func TestReadOddLists(t *testing.T) {
	cp := toCP1251(t, "Прайс на 03.12;;\r\nНаименование;Цена;Ед.\r\nЁлочная игрушка;1 250,50;уп\r\nИтоговый набор;100;шт.\r\nИтого:;1 350,50;\r\n")
	tab, err := pricelist.Read(bytes.NewReader(cp))
	if err != nil || len(tab.Rows) != 2 || tab.Rows[0][0] != "Ёлочная игрушка" || tab.Lines[0] != 3 || tab.Rows[1][0] != "Итоговый набор" {
		t.Fatalf("Windows-1251 with a title and a total: %+v, %v", tab, err)
	}
	items, bad, err := tab.Items(pricelist.GuessMapping(tab.Header))
	if err != nil || len(bad) > 0 || items[0].Price != 125050 || items[0].Unit != "778" || items[1].Unit != kkm.UnitPiece {
		t.Fatalf("items %+v, %v, %v", items, bad, err)
	}
	// Latin-1 (or any other single-byte encoding whose letters are not Cyrillic) is refused.
	if _, err := pricelist.Read(bytes.NewReader([]byte("Name;Price\nCaf\xe9 cr\xe8me;100\n"))); !errors.Is(err, pricelist.ErrEncoding) {
		t.Fatalf("Latin-1: %v", err)
	}
	// No row names the columns: the first is the header, and the cashier maps it by hand.
	tab, err = pricelist.Read(strings.NewReader("Артикул;Описание;Стоимость\n1;Нан;100\n"))
	if err != nil || tab.Header[1] != "Описание" || len(tab.Rows) != 1 {
		t.Fatalf("no known header: %+v, %v", tab, err)
	}
	// A total line inside the list is an item's row like any other, refused or kept on its merits.
	tab, _ = pricelist.Read(strings.NewReader("Товар;Цена\nИтого за смену;10\nНан;100\n"))
	if len(tab.Rows) != 2 {
		t.Fatalf("a total-looking row in the middle was dropped: %+v", tab.Rows)
	}
}

// Every name in the fixtures is one item's: the search shows no two goods a cashier cannot tell
// apart (seen in the walk when the generator repeated names at other prices).
func TestFixtureNamesOnce(t *testing.T) {
	for file := range fixtureSizes {
		data, err := os.ReadFile(filepath.Join("testdata", file))
		if err != nil {
			t.Fatal(err)
		}
		tab, err := pricelist.ReadAny(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		items, _, _ := tab.Items(pricelist.GuessMapping(tab.Header))
		seen := map[string]bool{}
		for _, it := range items {
			if seen[it.Name] {
				t.Errorf("%s: %q twice", file, it.Name)
				break
			}
			seen[it.Name] = true
		}
	}
}
