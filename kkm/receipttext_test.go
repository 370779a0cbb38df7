package kkm

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode"
)

// updateGolden rewrites the golden receipt texts: go test ./kkm -run Golden -update
var updateGolden = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// almaty is Kazakhstan's time (UTC+5, one zone since 2024), the register's local time in tests.
var almaty = time.FixedZone("Asia/Almaty", 5*3600)

// rtPayer returns the settings of a VAT payer (a company at 16 %) registered with Kazakhtelecom.
func rtPayer() Settings {
	s := DefaultSettings()
	s.VATPayer = true
	s.DefaultVATRate = VAT16
	s.VATCertificateSeries, s.VATCertificateNumber = "60001", "1234567"
	s.ReceiptModifiersAllowed = true
	s.BuyerIINBINAllowed = true
	s.SerialNumber = "EK-7Q4M-2X9P"
	s.Reg = RegInfo{
		OrgTitle:       "ТОО «Ақжол Сауда»",
		OrgIINBIN:      "150840023176",
		OrgAddress:     "г. Алматы, Медеуский р-н, ул. Кунаева, 21",
		OrgAddressKZ:   "Алматы қ., Медеу ауданы, Қонаев к-сі, 21",
		PointTitle:     "Дүкен «Ақжол» №2",
		PointAddress:   "г. Алматы, пр. Абая, 150, кв. 12",
		PointAddressKZ: "Алматы қ., Абай даңғылы, 150, 12-пәтер",
		RNM:            "620300144467",
		ZNM:            "EK-7Q4M-2X9P",
		OFDTitle:       "АО «Казахтелеком»",
	}
	return s
}

// rtNonPayer returns the settings of an individual entrepreneur who is not a VAT payer.
func rtNonPayer() Settings {
	s := DefaultSettings()
	s.SerialNumber = "EK-3HJK-8ZTW"
	s.BuyerIINBINAllowed = true
	s.Reg = RegInfo{
		OrgTitle:       "ИП Нұрланқызы Әлия",
		OrgIINBIN:      "870412300416",
		PointAddress:   "г. Шымкент, ул. Тауке хана, 5",
		PointAddressKZ: "Шымкент қ., Төле би к-сі, 5",
		RNM:            "010101012345",
		ZNM:            "EK-3HJK-8ZTW",
	}
	return s
}

// rtCase is one document to lay out.
type rtCase struct {
	name string
	doc  Document
	s    Settings
	mark FiscalMark
}

// rtMark returns the answer Kazakhtelecom's OFD gives a receipt: its fiscal sign and link.
func rtMark(sign string, doc Document, s Settings) FiscalMark {
	return FiscalMark{Sign: sign, QRLink: QRLink(KazakhtelecomCheckSite, sign, s.Reg.RNM, doc.Receipt.Total, doc.Time)}
}

// rtShift runs a VAT payer's shift and a non-payer's, returning every document to lay out.
func rtShift(t *testing.T) []rtCase {
	t.Helper()
	op := Operator{Code: 2, Name: "Әлия Қасымова"}
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, almaty)
	step := func(m int) time.Time { return at.Add(time.Duration(m) * time.Minute) }
	reg := Register{Settings: rtPayer()}
	var cases []rtCase
	issue := func(name string, iss Issued, err error) Document {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		reg.State = iss.State
		return iss.Documents[len(iss.Documents)-1]
	}
	receipt := func(name, sign string, m int, d ReceiptDraft, offline bool) Document {
		t.Helper()
		iss, err := reg.IssueReceipt(d, op, step(m), offline)
		doc := issue(name, iss, err)
		var mark FiscalMark
		if sign != "" {
			mark = rtMark(sign, doc, reg.Settings)
		}
		cases = append(cases, rtCase{name, doc, reg.Settings, mark})
		return doc
	}

	iss, err := reg.CashIn(5000000, op, step(0), false)
	cases = append(cases, rtCase{"cash_in", issue("cash_in", iss, err), reg.Settings, FiscalMark{}})

	receipt("sale_cash_change", "3937088095", 12, ReceiptDraft{
		Operation: OpSale,
		Lines: []LineDraft{
			{Name: "Нан «Бородинский» қара бидай ұны, кесілген, 400 г", Quantity: 2000, Price: 25000},
			{Name: "Сүт «Өмір» 3,2%, 1 л", Quantity: 1000, Unit: "868", Price: 61000},
			{Name: "Қант ұнтағы", Quantity: 1250, Unit: "166", Price: 52000},
		},
		Payments: []Payment{{Type: PayCash, Sum: 500000}},
	}, false)

	receipt("sale_card", "3937088096", 20, ReceiptDraft{
		Operation: OpSale,
		Lines:     []LineDraft{{Name: "Кофе «Jacobs Monarch» 95 г", Quantity: 1000, Price: 289900}},
		Payments:  []Payment{{Type: PayCard, Sum: 289900}},
	}, false)

	mixed := receipt("sale_mixed_discount", "3937088097", 31, ReceiptDraft{
		Operation: OpSale,
		Lines: []LineDraft{
			{Name: "Шай «Пиала» көк, 100 пакет", Quantity: 1000, Price: 149000,
				Modifier: &Modifier{Kind: Discount, Percent: 1000}},
			{Name: "Ірімшік «Әдемі», 200 г", Quantity: 3000, Price: 98050},
			{Name: "Дәрі «Парацетамол» 500 мг №10", Quantity: 1000, Price: 42000, VATRate: VAT5},
		},
		Modifier:    &Modifier{Kind: Discount, Amount: 5000},
		Payments:    []Payment{{Type: PayCash, Sum: 220000}, {Type: PayCard, Sum: 255250}},
		BuyerIINBIN: "870412300416",
	}, false)

	receipt("sale_return", "3937088101", 47, ReceiptDraft{
		Operation: OpSaleReturn,
		Lines:     []LineDraft{{Name: "Ірімшік «Әдемі», 200 г", Quantity: 1000, Price: 98050}},
		Payments:  []Payment{{Type: PayCard, Sum: 98050}},
		Parent: &ParentReceipt{Number: "3937088097", Time: mixed.Time, RNM: reg.Settings.Reg.RNM,
			Total: mixed.Receipt.Total},
	}, false)

	receipt("purchase", "3937088102", 55, ReceiptDraft{
		Operation: OpPurchase,
		Lines: []LineDraft{
			{Name: "Алма «Апорт», 1-сұрып", Quantity: 25500, Unit: "166", Price: 60000, VATRate: VATNone},
		},
		Payments: []Payment{{Type: PayCash, Sum: 1530000}},
	}, false)

	receipt("sale_vat_rates", "3937088103", 63, ReceiptDraft{
		Operation: OpSale,
		Lines: []LineDraft{
			{Name: "Хлеб", Quantity: 1000, Price: 58000},
			{Name: "Дәрі", Quantity: 2000, Price: 10500, VATRate: VAT5},
			{Name: "Газет «Егемен Қазақстан»", Quantity: 1000, Price: 11000, VATRate: VAT10},
			{Name: "Экспорттық тауар", Quantity: 1000, Price: 5000, VATRate: VAT0},
			{Name: "Қызмет: жеткізу", Quantity: 1000, Unit: UnitService, Price: 3333, VATRate: VATNone},
		},
		Modifier: &Modifier{Kind: Markup, Percent: 250},
		Payments: []Payment{{Type: PayMobile, Sum: 100791}},
	}, false)

	offline := receipt("sale_offline", "", 70, ReceiptDraft{
		Operation: OpSale,
		Lines:     []LineDraft{{Name: "Су «Тассай» газсыз, 1,5 л", Quantity: 4000, Unit: "868", Price: 32000}},
		Payments:  []Payment{{Type: PayCash, Sum: 130000}},
	}, true)
	cases = append(cases, rtCase{"sale_offline_fiscalised", offline, reg.Settings, FiscalMark{Sign: "3937088140",
		QRLink: QRLink(KazakhtelecomCheckSite, "3937088140", reg.Settings.Reg.RNM, offline.Receipt.Total, offline.Time)}})

	iss, err = reg.CashOut(1000000, op, step(80), false)
	cases = append(cases, rtCase{"cash_out", issue("cash_out", iss, err), reg.Settings, FiscalMark{}})

	x, err := reg.XReport(op, step(85))
	if err != nil {
		t.Fatal(err)
	}
	cases = append(cases, rtCase{"x_report", x, reg.Settings, FiscalMark{}})
	iss, err = reg.CloseShift(op, step(600), false)
	cases = append(cases, rtCase{"z_report", issue("z_report", iss, err), reg.Settings, FiscalMark{}})

	// An individual entrepreneur who is not a VAT payer: no VAT lines at all.
	reg = Register{Settings: rtNonPayer()}
	receipt("nonpayer_sale_card", "1734974179", 5, ReceiptDraft{
		Operation: OpSale,
		Lines: []LineDraft{
			{Name: "Қолдан тоқылған жүн шұлық, өлшемі 38–40", Quantity: 2000, Unit: "715", Price: 450000},
		},
		Payments: []Payment{{Type: PayCard, Sum: 900000}},
	}, false)
	receipt("nonpayer_simple_cash", "1734974180", 9,
		SimpleDraft(OpSale, []Money{150000, 35050}, []Payment{{Type: PayCash, Sum: 200000}}), false)
	receipt("nonpayer_purchase_return", "1734974181", 15, ReceiptDraft{
		Operation: OpPurchaseReturn,
		Lines:     []LineDraft{{Name: "Жүн иірімі", Quantity: 1500, Unit: "166", Price: 120000}},
		Payments:  []Payment{{Type: PayCash, Sum: 200000}},
		Parent: &ParentReceipt{Number: "1017", Time: at.Add(-26 * time.Hour), RNM: "010101012345",
			Total: 180000, Offline: true},
	}, false)
	return cases
}

// checkGolden compares got with the golden file, or rewrites it under -update.
func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *updateGolden {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the golden file (run with -update to accept):\n%s", name, got)
	}
}

func TestReceiptTextGolden(t *testing.T) {
	for _, c := range rtShift(t) {
		widths := []int{ReceiptColumns58mm, ReceiptColumns80mm}
		if c.name == "sale_cash_change" {
			widths = ReceiptColumns()
		}
		for _, w := range widths {
			t.Run(c.name+"_"+itoaTest(w), func(t *testing.T) {
				got := ReceiptText(c.doc, c.s, c.mark, w)
				checkLayout(t, got, w)
				checkGolden(t, "receipt_"+c.name+"_"+itoaTest(w)+".txt", got)
			})
		}
	}
}

// itoaTest formats a width for a file name.
func itoaTest(n int) string { return formatDecimal(int64(n), 0, false) }

// checkLayout checks what every laid-out document must satisfy: no line wider than the paper, no
// trailing spaces, no tab, and a final newline.
func checkLayout(t *testing.T, text string, w int) {
	t.Helper()
	if !strings.HasSuffix(text, "\n") {
		t.Error("text does not end with a newline")
	}
	for i, l := range strings.Split(strings.TrimSuffix(text, "\n"), "\n") {
		if TextWidth(l) > w {
			t.Errorf("line %d is %d columns wide, more than %d: %q", i+1, TextWidth(l), w, l)
		}
		if strings.TrimRight(l, " ") != l || strings.Contains(l, "\t") {
			t.Errorf("line %d has trailing space or a tab: %q", i+1, l)
		}
	}
}

// TestReceiptTextDetails checks that each receipt carries the para 56 details that apply to it,
// whatever the width.
func TestReceiptTextDetails(t *testing.T) {
	for _, c := range rtShift(t) {
		if c.doc.Kind != KindReceipt {
			continue
		}
		rc := c.doc.Receipt
		for _, w := range ReceiptColumns() {
			text := ReceiptText(c.doc, c.s, c.mark, w)
			flat := strings.Join(strings.Fields(text), " ")
			must := []string{
				c.s.Reg.OrgTitle,  // 1 taxpayer
				c.s.Reg.OrgIINBIN, // 3 IIN/BIN
				c.s.Reg.ZNM,       // 4 ZNM
				c.s.Reg.RNM,       // 5 RNM
				"Чек № " + itoaTest(int(c.doc.Number)), // 6 receipt number
				rc.Total.Format(),                        // 11 total
				"consumer.oofd.kz",                       // 12 check site
				c.doc.Time.Format(ReceiptDateTimeLayout), // 13 date and time
				c.doc.Operator.Name,
				upper(operationLabel(rc.Operation)).kk,
			}
			for _, l := range rc.Lines {
				must = append(must, l.Price.String(), l.Gross.String(), unitName(l.Unit)) // 9, 10
			}
			if c.mark.Sign != "" {
				must = append(must, c.mark.Sign) // 14 fiscal sign
			}
			if c.doc.Offline {
				must = append(must, "Автон", itoaTest(int(c.doc.OfflineNumber)))
			}
			if c.s.VATPayer {
				for _, tx := range rc.Taxes {
					must = append(must, "НДС "+itoaTest(int(tx.Rate.Percent()))+"%", tx.VAT.String()) // 15
				}
			} else if strings.Contains(text, "НДС") {
				t.Errorf("%s/%d: a non-payer's receipt mentions VAT:\n%s", c.name, w, text)
			}
			if rc.BuyerIINBIN != "" {
				must = append(must, rc.BuyerIINBIN)
			}
			if p := rc.Parent; p != nil {
				must = append(must, p.Number, p.Time.Format(ReceiptDateTimeLayout))
			}
			for _, m := range must {
				if !strings.Contains(flat, strings.Join(strings.Fields(m), " ")) {
					t.Errorf("%s/%d: %q missing from\n%s", c.name, w, m, text)
				}
			}
		}
	}
}

// TestReceiptTextAddressBothLanguages checks the address of use is printed in Kazakh and Russian.
func TestReceiptTextAddressBothLanguages(t *testing.T) {
	s := rtPayer()
	doc := Document{Kind: KindCashIn, ShiftNumber: 1, Number: 1, Time: time.Date(2026, 1, 1, 9, 0, 0, 0, almaty), Cash: 100}
	text := strings.Join(strings.Fields(ReceiptText(doc, s, FiscalMark{}, 48)), " ")
	for _, want := range []string{s.Reg.PointAddressKZ, s.Reg.PointAddress, "БСН / БИН 150840023176"} {
		if !strings.Contains(text, want) {
			t.Errorf("%q missing from %s", want, text)
		}
	}
}

func TestPrintedTicket(t *testing.T) {
	for _, c := range rtShift(t) {
		if c.name != "sale_card" && c.name != "sale_offline" {
			continue
		}
		got := PrintedTicket(c.doc, c.s)
		checkLayout(t, got, PrintedTicketColumns)
		checkGolden(t, "printed_ticket_"+c.name+".txt", got)
		if c.mark.Sign != "" && strings.Contains(got, c.mark.Sign) {
			t.Errorf("%s: the printed ticket carries the fiscal sign it is sent to obtain", c.name)
		}
		if strings.Contains(got, lblAwaiting.ru) {
			t.Errorf("%s: the printed ticket says the sign is awaited", c.name)
		}
	}
}

// TestCheckLinkGolden checks the QR link online (the OFD's own, as is) and offline (built locally
// in Kazakhtelecom's format from the offline number).
func TestCheckLinkGolden(t *testing.T) {
	var b strings.Builder
	for _, c := range rtShift(t) {
		b.WriteString(c.name + "\t" + CheckLink(c.doc, c.s, c.mark) + "\n")
	}
	checkGolden(t, "check_links.txt", b.String())

	s := rtPayer()
	at := time.Date(2026, 3, 2, 10, 10, 5, 0, almaty)
	doc := Document{Kind: KindReceipt, Time: at, Offline: true, OfflineNumber: 1001, Receipt: &Receipt{Total: 1280000}}
	tests := []struct {
		name string
		doc  Document
		s    Settings
		mark FiscalMark
		want string
	}{
		{"offline, built locally", doc, s, FiscalMark{},
			"http://consumer.oofd.kz?i=1001&f=620300144467&s=12800.00&t=20260302T101005"},
		{"the OFD's link, used as is", doc, s, FiscalMark{Sign: "5", QRLink: "https://ofd1.kz/t/?i=5&f=620300144467&s=12800.00&t=20260302T101005"},
			"https://ofd1.kz/t/?i=5&f=620300144467&s=12800.00&t=20260302T101005"},
		{"a sign without a link", Document{Kind: KindReceipt, Time: at, Receipt: &Receipt{Total: 5}}, s, FiscalMark{Sign: "77"},
			"http://consumer.oofd.kz?i=77&f=620300144467&s=0.05&t=20260302T101005"},
		{"online, awaiting the answer", Document{Kind: KindReceipt, Time: at, Receipt: &Receipt{Total: 5}}, s, FiscalMark{}, ""},
		{"cash in", Document{Kind: KindCashIn, Time: at, Cash: 5}, s, FiscalMark{}, ""},
	}
	for _, tt := range tests {
		if got := CheckLink(tt.doc, tt.s, tt.mark); got != tt.want {
			t.Errorf("%s: CheckLink = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestWrap(t *testing.T) {
	tests := []struct {
		text string
		w    int
		want []string
	}{
		{"Нан ақ", 10, []string{"Нан ақ"}},
		{"Қант ұнтағы және тұз", 10, []string{"Қант", "ұнтағы", "және тұз"}},
		{"Әәәәәәәәәәәә", 5, []string{"Әәәәә", "әәәәә", "әә"}},
		{"1\u00a0234,50 ₸", 6, []string{"1\u00a0234,", "50 ₸"}},
		{"", 5, []string{""}},
		{"漢字漢字", 5, []string{"漢字", "漢字"}},
	}
	for _, tt := range tests {
		got := wrap(tt.text, tt.w)
		if strings.Join(got, "|") != strings.Join(tt.want, "|") {
			t.Errorf("wrap(%q, %d) = %q, want %q", tt.text, tt.w, got, tt.want)
		}
	}
}

func TestTextWidth(t *testing.T) {
	tests := []struct {
		s    string
		want int
	}{
		{"әғқңөұүһі", 9},
		{"1\u00a0234,50\u00a0₸", 10},
		{"漢字", 4},
		{"е\u0301", 1}, // a combining acute accent takes no column
		{"№", 1},
		{"Ә҃ә", 2}, // a Cyrillic combining mark inside the fast path's range takes none
		{"a	b", 2}, // a control character takes none
	}
	for _, tt := range tests {
		if got := TextWidth(tt.s); got != tt.want {
			t.Errorf("TextWidth(%q) = %d, want %d", tt.s, got, tt.want)
		}
	}
	// The fast path for ASCII and Cyrillic gives what the Unicode tables give.
	for r := rune(0); r < 0x500; r++ {
		want := 1
		if r == '\u200b' || unicode.In(r, unicode.Mn, unicode.Me, unicode.Cc, unicode.Cf) {
			want = 0
		}
		if got := runeWidth(r); got != want {
			t.Errorf("runeWidth(%U) = %d, want %d", r, got, want)
		}
	}
}

func TestReceiptTextWidthClamped(t *testing.T) {
	c := rtShift(t)[1]
	if got, want := ReceiptText(c.doc, c.s, c.mark, 5), ReceiptText(c.doc, c.s, c.mark, MinReceiptColumns); got != want {
		t.Errorf("width 5 is not clamped to %d", MinReceiptColumns)
	}
}

// TestReceiptTextNTINGolden lays out a sale whose items carry НКТ product codes (para 56 item 8):
// the code goes under the item's name, labelled in both languages, and wraps under the label on
// narrow paper. It is a register of its own so that the shift of rtShift and its goldens stay as
// they are.
func TestReceiptTextNTINGolden(t *testing.T) {
	reg := Register{Settings: rtPayer()}
	op := Operator{Code: 2, Name: "Әлия Қасымова"}
	at := time.Date(2026, 3, 3, 10, 15, 0, 0, almaty)
	iss, err := reg.IssueReceipt(ReceiptDraft{
		Operation: OpSale,
		Lines: []LineDraft{
			{Name: "Шай «Пиала» көк, 100 пакет", Quantity: 1000, Price: 149000, NTIN: "4870001234567"},
			{Name: "Ірімшік «Әдемі» жұмсақ, майлылығы 45%, 200 г", Quantity: 2000, Price: 98050,
				NTIN: "02900001234567890123"},
			{Name: "Пакет", Quantity: 1000, Price: 5000},
		},
		Payments: []Payment{{Type: PayCash, Sum: 400000}},
	}, op, at, false)
	if err != nil {
		t.Fatal(err)
	}
	doc := iss.Documents[len(iss.Documents)-1]
	mark := rtMark("3937088150", doc, reg.Settings)
	for _, w := range ReceiptColumns() {
		t.Run(itoaTest(w), func(t *testing.T) {
			got := ReceiptText(doc, reg.Settings, mark, w)
			checkLayout(t, got, w)
			checkGolden(t, "receipt_sale_ntin_"+itoaTest(w)+".txt", got)
			flat := strings.Join(strings.Fields(got), " ")
			for _, want := range []string{"ҰТК / НКТ: 4870001234567", "02900001234567890123"} {
				if !strings.Contains(flat, want) {
					t.Errorf("%q missing from\n%s", want, got)
				}
			}
			if n := strings.Count(got, "ҰТК / НКТ:") + strings.Count(got, "ҰТК/НКТ:"); n != 2 {
				t.Errorf("%d code labels, want 2 (the bag has none):\n%s", n, got)
			}
		})
	}
	// The narrowest paper: the label, then the code under it, both within the columns.
	got := ReceiptText(doc, reg.Settings, mark, MinReceiptColumns)
	checkLayout(t, got, MinReceiptColumns)
	if !strings.Contains(got, "   02900001234567890123\n") {
		t.Errorf("the 20-digit code is not whole on a line of its own at %d columns:\n%s", MinReceiptColumns, got)
	}
}

// TestReceiptTextMarkedGolden lays out a sale with marked goods (para 56 item 8, the marking
// means): under a marked item's name, the label and each unit's identification, one a line,
// breaking between GTIN and serial where the paper is narrow; the unmarked bag prints as before.
// A register of its own, so that the other goldens stay as they are.
func TestReceiptTextMarkedGolden(t *testing.T) {
	reg := Register{Settings: rtPayer()}
	op := Operator{Code: 2, Name: "Әлия Қасымова"}
	at := time.Date(2026, 3, 3, 10, 20, 0, 0, almaty)
	iss, err := reg.IssueReceipt(ReceiptDraft{
		Operation: OpSale,
		Lines: []LineDraft{
			{Name: "Сыра «Тянь-Шань» 0,5 л", Quantity: 2000, Price: 65000, Marked: MarkedBeer,
				Codes: []string{beerUnit("11"), beerUnit("12")}},
			{Name: "Етік, 42 өлшем", Quantity: 1000, Price: 2890000, NTIN: "4870001234567", Marked: MarkedShoes,
				Codes: []string{codeShoes}},
			{Name: "Пакет", Quantity: 1000, Price: 5000},
		},
		Payments: []Payment{{Type: PayCash, Sum: 3100000}},
	}, op, at, false)
	if err != nil {
		t.Fatal(err)
	}
	doc := iss.Documents[len(iss.Documents)-1]
	mark := rtMark("3937088151", doc, reg.Settings)
	for _, w := range ReceiptColumns() {
		t.Run(itoaTest(w), func(t *testing.T) {
			got := ReceiptText(doc, reg.Settings, mark, w)
			checkLayout(t, got, w)
			checkGolden(t, "receipt_sale_marked_"+itoaTest(w)+".txt", got)
			flat := strings.Join(strings.Fields(got), " ")
			for _, want := range []string{"(01)04870216760007 (21)qKkdi11", "(01)04870216760007 (21)qKkdi12",
				"(01)04690257528523 (21)G+mgsHw<DiLN_"} {
				if !strings.Contains(flat, want) {
					t.Errorf("%q missing from\n%s", want, got)
				}
			}
			if n := strings.Count(got, "Код маркировки:") + strings.Count(got, "ТК / КМ:"); n != 2 {
				t.Errorf("%d marking labels, want 2 (the bag has none):\n%s", n, got)
			}
			if strings.Contains(got, GS) || strings.Contains(got, "EE05") {
				t.Errorf("a separator or the verification tail is printed:\n%s", got)
			}
		})
	}
}
