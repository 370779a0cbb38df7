package kkm

import (
	"testing"
	"time"
)

const sellerBIN = "990120400003"

// payerSettings returns the settings of a VAT payer at 16 % with every option on.
func payerSettings() Settings {
	s := DefaultSettings()
	s.VATPayer = true
	s.DefaultVATRate = VAT16
	s.VATCertificateSeries, s.VATCertificateNumber = "60001", "1234567"
	s.ReceiptModifiersAllowed = true
	s.BuyerIINBINAllowed = true
	s.Reg.OrgIINBIN = sellerBIN
	s.Reg.RNM = "620300144467"
	return s
}

func cash(m Money) []Payment { return []Payment{{Type: PayCash, Sum: m}} }

func item(name string, q Quantity, price Money) LineDraft {
	return LineDraft{Name: name, Quantity: q, Price: price}
}

func parent() *ParentReceipt {
	return &ParentReceipt{Number: "3937088095", Time: time.Date(2026, 1, 5, 10, 0, 0, 0, time.UTC), RNM: "620300144467", Total: 100000}
}

func TestComputeReceiptVAT(t *testing.T) {
	s := payerSettings()
	r, err := ComputeReceipt(ReceiptDraft{
		Operation: OpSale,
		Lines: []LineDraft{
			item("Хлеб", 1000, 58000),                                   // 580,00 at 16 %: VAT 80,00
			{Name: "Дәрі", Quantity: 2000, Price: 10500, VATRate: VAT5}, // 210,00 at 5 %: 10,00
			{Name: "Газета", Quantity: 1000, Price: 11000, VATRate: VAT10},
			{Name: "Экспорт", Quantity: 1000, Price: 5000, VATRate: VAT0},
			{Name: "Без НДС", Quantity: 1000, Price: 3333, VATRate: VATNone},
		},
		Payments: cash(100000),
	}, s)
	if err != nil {
		t.Fatal(err)
	}
	wantVAT := []Money{8000, 1000, 1000, 0, 0}
	for i, l := range r.Lines {
		if l.VAT != wantVAT[i] {
			t.Errorf("line %d VAT = %d, want %d", i, l.VAT, wantVAT[i])
		}
	}
	if r.Total != 58000+21000+11000+5000+3333 {
		t.Errorf("total = %d", r.Total)
	}
	wantTaxes := []TaxSum{{VAT0, 5000, 0}, {VAT5, 21000, 1000}, {VAT10, 11000, 1000}, {VAT16, 58000, 8000}}
	if len(r.Taxes) != len(wantTaxes) {
		t.Fatalf("taxes = %+v", r.Taxes)
	}
	for i := range wantTaxes {
		if r.Taxes[i] != wantTaxes[i] {
			t.Errorf("tax %d = %+v, want %+v", i, r.Taxes[i], wantTaxes[i])
		}
	}
	if r.VAT != 10000 || r.Taken != 100000 || r.Change != 100000-r.Total {
		t.Errorf("VAT %d taken %d change %d", r.VAT, r.Taken, r.Change)
	}
}

func TestVATIncluded(t *testing.T) {
	tests := []struct {
		sum  Money
		rate VATRate
		want Money
	}{
		{58000, VAT16, 8000},
		{100, VAT16, 14}, // 13,79… → 14
		{1, VAT16, 0},    // 0,138 → 0
		{4, VAT16, 1},    // 0,5517 → 1
		{105, VAT5, 5},
		{110, VAT10, 10},
		{1000, VAT0, 0},
		{1000, VATNone, 0},
		{29, VAT16, 4},                    // 4,0 exactly
		{MaxMoney, VAT16, 13793103448276}, // …275,72
	}
	for _, tt := range tests {
		if got := VATIncluded(tt.sum, tt.rate); got != tt.want {
			t.Errorf("VATIncluded(%d, %s) = %d, want %d", tt.sum, tt.rate, got, tt.want)
		}
	}
}

func TestComputeReceiptModifiers(t *testing.T) {
	s := payerSettings()
	// Item discount 10 % of 1 000,00, item markup 50,00 on 200,00, then a receipt discount of 100,01
	// spread over 900,00 and 250,00 and 333,33.
	d := ReceiptDraft{
		Operation: OpSale,
		Lines: []LineDraft{
			{Name: "A", Quantity: 1000, Price: 100000, Modifier: &Modifier{Kind: Discount, Percent: 1000}},
			{Name: "B", Quantity: 1000, Price: 20000, Modifier: &Modifier{Kind: Markup, Amount: 5000}},
			{Name: "C", Quantity: 1000, Price: 33333},
		},
		Modifier: &Modifier{Kind: Discount, Amount: 10001},
		Payments: []Payment{{Type: PayCard, Sum: 100000}, {Type: PayCash, Sum: 100000}},
	}
	r, err := ComputeReceipt(d, s)
	if err != nil {
		t.Fatal(err)
	}
	if r.Gross != 153333 || r.Subtotal != 148333 || r.Discount != 10001 || r.Total != 138332 {
		t.Fatalf("gross %d subtotal %d discount %d total %d", r.Gross, r.Subtotal, r.Discount, r.Total)
	}
	var shares, sum, vat Money
	for _, l := range r.Lines {
		shares += l.ReceiptDiscount
		sum += l.Sum
		vat += l.VAT
		if l.VAT != VATIncluded(l.Sum, l.VATRate) {
			t.Errorf("line %s VAT %d not of its sum %d", l.Name, l.VAT, l.Sum)
		}
	}
	if shares != 10001 || sum != r.Total || vat != r.VAT {
		t.Errorf("shares %d sum %d vat %d/%d", shares, sum, vat, r.VAT)
	}
	// 10001 × 90000/148333 = 6068.1…, × 25000/148333 = 1685.5…, × 33333/148333 = 2247.3…:
	// floors 6068+1685+2247 = 10000, the last tiyn goes to the largest remainder (B).
	want := []Money{6068, 1686, 2247}
	for i, l := range r.Lines {
		if l.ReceiptDiscount != want[i] {
			t.Errorf("line %s share %d, want %d", l.Name, l.ReceiptDiscount, want[i])
		}
	}
	if r.Change != 200000-138332 || r.Taken != 100000 {
		t.Errorf("taken %d change %d", r.Taken, r.Change)
	}
	if r.Payments[0].Type != PayCash || r.Payments[1].Type != PayCard {
		t.Errorf("payments not in order: %+v", r.Payments)
	}
}

func TestComputeReceiptMarkupPercent(t *testing.T) {
	r, err := ComputeReceipt(ReceiptDraft{
		Operation: OpSale,
		Lines:     []LineDraft{item("A", 1000, 1000), item("B", 1000, 2000)},
		Modifier:  &Modifier{Kind: Markup, Percent: 1000},
		Payments:  []Payment{{Type: PayMobile, Sum: 3300}},
	}, payerSettings())
	if err != nil {
		t.Fatal(err)
	}
	if r.Markup != 300 || r.Total != 3300 || r.Lines[0].ReceiptMarkup != 100 || r.Lines[1].ReceiptMarkup != 200 {
		t.Fatalf("%+v", r)
	}
}

func TestSimpleDraft(t *testing.T) {
	s := DefaultSettings() // not a VAT payer
	r, err := ComputeReceipt(SimpleDraft(OpSale, []Money{50000, 25050}, cash(80000)), s)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Lines) != 2 || r.Total != 75050 || r.Change != 4950 || !r.Simple {
		t.Fatalf("%+v", r)
	}
	for _, l := range r.Lines {
		if l.Name != SimpleLineName || l.Unit != UnitPiece || l.Quantity != QuantityOne ||
			l.Section != DefaultSection || l.VATRate != VATNone || l.VAT != 0 {
			t.Errorf("simple line %+v", l)
		}
	}
	if len(r.Taxes) != 0 || r.VAT != 0 {
		t.Errorf("non-payer has taxes %+v", r.Taxes)
	}
}

func TestComputeReceiptRules(t *testing.T) {
	base := func() ReceiptDraft {
		return ReceiptDraft{Operation: OpSale, Lines: []LineDraft{item("A", 1000, 10000)}, Payments: cash(10000)}
	}
	noMods := payerSettings()
	noMods.ReceiptModifiersAllowed = false
	noBuyer := payerSettings()
	noBuyer.BuyerIINBINAllowed = false
	maxSum := payerSettings()
	maxSum.MaxReceiptSum = 5000
	nonPayer := DefaultSettings()
	tests := []struct {
		name string
		s    Settings
		edit func(d *ReceiptDraft)
		code Code
	}{
		{"ok", payerSettings(), func(d *ReceiptDraft) {}, ""},
		{"operation", payerSettings(), func(d *ReceiptDraft) { d.Operation = 7 }, ErrReceiptOperation},
		{"empty", payerSettings(), func(d *ReceiptDraft) { d.Lines = nil }, ErrReceiptEmpty},
		{"no name", payerSettings(), func(d *ReceiptDraft) { d.Lines[0].Name = "  " }, ErrLineNameEmpty},
		{"zero quantity", payerSettings(), func(d *ReceiptDraft) { d.Lines[0].Quantity = 0 }, ErrQuantityZero},
		{"negative quantity", payerSettings(), func(d *ReceiptDraft) { d.Lines[0].Quantity = -1 }, ErrQuantityNegative},
		{"huge quantity", payerSettings(), func(d *ReceiptDraft) { d.Lines[0].Quantity = MaxQuantity + 1 }, ErrQuantityOverflow},
		{"half a piece", payerSettings(), func(d *ReceiptDraft) { d.Lines[0].Quantity = 1500 }, ErrQuantityFraction},
		{"half a kilo", payerSettings(), func(d *ReceiptDraft) {
			d.Lines[0].Quantity, d.Lines[0].Unit, d.Payments = 500, "166", cash(5000)
		}, ""},
		{"unknown unit", payerSettings(), func(d *ReceiptDraft) { d.Lines[0].Unit = "999999" }, ErrLineUnitUnknown},
		{"zero price", payerSettings(), func(d *ReceiptDraft) { d.Lines[0].Price = 0 }, ErrLinePriceZero},
		{"negative price", payerSettings(), func(d *ReceiptDraft) { d.Lines[0].Price = -100 }, ErrLinePriceZero},
		{"price overflow", payerSettings(), func(d *ReceiptDraft) { d.Lines[0].Price = MaxMoney + 1 }, ErrMoneyOverflow},
		{"line overflow", payerSettings(), func(d *ReceiptDraft) { d.Lines[0].Price, d.Lines[0].Quantity = MaxMoney, 2000 }, ErrLineOverflow},
		{"receipt overflow", payerSettings(), func(d *ReceiptDraft) {
			d.Lines = []LineDraft{item("A", 1000, MaxMoney), item("B", 1000, 1)}
		}, ErrReceiptOverflow},
		{"bad VAT rate", payerSettings(), func(d *ReceiptDraft) { d.Lines[0].VATRate = 42 }, ErrVATRateInvalid},
		{"VAT for non-payer", nonPayer, func(d *ReceiptDraft) { d.Lines[0].VATRate = VAT16 }, ErrVATNotPayer},
		{"item modifier simple", payerSettings(), func(d *ReceiptDraft) {
			d.Simple = true
			d.Lines[0].Modifier = &Modifier{Kind: Discount, Amount: 100}
		}, ErrLineModifierSimple},
		{"modifier both", payerSettings(), func(d *ReceiptDraft) {
			d.Lines[0].Modifier = &Modifier{Kind: Discount, Amount: 100, Percent: 100}
		}, ErrModifierInvalid},
		{"modifier neither", payerSettings(), func(d *ReceiptDraft) { d.Modifier = &Modifier{Kind: Markup} }, ErrModifierInvalid},
		{"modifier kind", payerSettings(), func(d *ReceiptDraft) { d.Modifier = &Modifier{Amount: 5} }, ErrModifierInvalid},
		{"modifier negative", payerSettings(), func(d *ReceiptDraft) { d.Modifier = &Modifier{Kind: Discount, Amount: -5} }, ErrModifierInvalid},
		{"modifier rounds to nothing", payerSettings(), func(d *ReceiptDraft) {
			d.Lines[0].Price, d.Payments = 100, cash(100)
			d.Modifier = &Modifier{Kind: Discount, Percent: 1} // 0,01 % of 1,00
		}, ErrModifierInvalid},
		{"receipt modifier off", noMods, func(d *ReceiptDraft) { d.Modifier = &Modifier{Kind: Discount, Amount: 100} }, ErrModifierNotAllowed},
		{"discount = total", payerSettings(), func(d *ReceiptDraft) { d.Modifier = &Modifier{Kind: Discount, Amount: 10000} }, ErrDiscountTooLarge},
		{"discount 100 %", payerSettings(), func(d *ReceiptDraft) { d.Modifier = &Modifier{Kind: Discount, Percent: 10000} }, ErrDiscountTooLarge},
		{"item discount = line", payerSettings(), func(d *ReceiptDraft) {
			d.Lines[0].Modifier = &Modifier{Kind: Discount, Amount: 10000}
		}, ErrDiscountTooLarge},
		{"discount ok", payerSettings(), func(d *ReceiptDraft) {
			d.Modifier = &Modifier{Kind: Discount, Amount: 9999}
			d.Payments = cash(1)
		}, ""},
		{"max sum", maxSum, func(d *ReceiptDraft) {}, ErrReceiptMaxSum},
		{"max sum not on returns", maxSum, func(d *ReceiptDraft) {
			d.Operation = OpSaleReturn
			d.Parent = parent()
		}, ""},
		{"no payments", payerSettings(), func(d *ReceiptDraft) { d.Payments = nil }, ErrPaymentsMissing},
		{"payment type", payerSettings(), func(d *ReceiptDraft) { d.Payments = []Payment{{Type: 2, Sum: 10000}} }, ErrPaymentType},
		{"payment twice", payerSettings(), func(d *ReceiptDraft) {
			d.Payments = []Payment{{Type: PayCard, Sum: 5000}, {Type: PayCard, Sum: 5000}}
		}, ErrPaymentDuplicate},
		{"payment zero", payerSettings(), func(d *ReceiptDraft) { d.Payments = []Payment{{Type: PayCard, Sum: 10000}, {Type: PayCash}} }, ErrPaymentZero},
		{"payment overflow", payerSettings(), func(d *ReceiptDraft) { d.Payments = cash(MaxMoney + 1) }, ErrMoneyOverflow},
		{"short", payerSettings(), func(d *ReceiptDraft) { d.Payments = cash(9999) }, ErrPaymentsShort},
		{"mixed short", payerSettings(), func(d *ReceiptDraft) {
			d.Payments = []Payment{{Type: PayCard, Sum: 5000}, {Type: PayCash, Sum: 4999}}
		}, ErrPaymentsShort},
		{"card overshoot", payerSettings(), func(d *ReceiptDraft) { d.Payments = []Payment{{Type: PayCard, Sum: 10001}} }, ErrNonCashExceedsTotal},
		{"card+mobile overshoot", payerSettings(), func(d *ReceiptDraft) {
			d.Payments = []Payment{{Type: PayCard, Sum: 5000}, {Type: PayMobile, Sum: 5001}}
		}, ErrNonCashExceedsTotal},
		{"mixed with change", payerSettings(), func(d *ReceiptDraft) {
			d.Payments = []Payment{{Type: PayCard, Sum: 5000}, {Type: PayCash, Sum: 10000}}
		}, ""},
		{"change on a return", payerSettings(), func(d *ReceiptDraft) {
			d.Operation, d.Parent, d.Payments = OpSaleReturn, parent(), cash(20000)
		}, ErrChangeNotAllowed},
		{"change on a purchase", payerSettings(), func(d *ReceiptDraft) { d.Operation, d.Payments = OpPurchase, cash(20000) }, ErrChangeNotAllowed},
		{"change on a purchase return", payerSettings(), func(d *ReceiptDraft) {
			d.Operation, d.Parent, d.Payments = OpPurchaseReturn, parent(), cash(20000)
		}, ""},
		{"buyer ok", payerSettings(), func(d *ReceiptDraft) { d.BuyerIINBIN = "870412300416" }, ""},
		{"buyer off", noBuyer, func(d *ReceiptDraft) { d.BuyerIINBIN = "870412300416" }, ErrBuyerIINBINNotAllowed},
		{"buyer simple", payerSettings(), func(d *ReceiptDraft) { d.Simple, d.BuyerIINBIN = true, "870412300416" }, ErrBuyerIINBINSimpleMode},
		{"buyer length", payerSettings(), func(d *ReceiptDraft) { d.BuyerIINBIN = "87041230041" }, ErrIINBINLength},
		{"buyer digits", payerSettings(), func(d *ReceiptDraft) { d.BuyerIINBIN = "87041230041x" }, ErrIINBINDigits},
		{"buyer check digit", payerSettings(), func(d *ReceiptDraft) { d.BuyerIINBIN = "870412300415" }, ErrIINBINCheckDigit},
		{"buyer is seller", payerSettings(), func(d *ReceiptDraft) { d.BuyerIINBIN = sellerBIN }, ErrBuyerIINBINIsSeller},
		{"return without parent", payerSettings(), func(d *ReceiptDraft) { d.Operation = OpSaleReturn }, ErrReturnParentMissing},
		{"return parent incomplete", payerSettings(), func(d *ReceiptDraft) {
			d.Operation, d.Parent = OpPurchaseReturn, parent()
			d.Parent.RNM = ""
		}, ErrReturnParentIncomplete},
		{"sale with parent", payerSettings(), func(d *ReceiptDraft) { d.Parent = parent() }, ErrReturnParentUnexpected},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := base()
			tt.edit(&d)
			_, err := ComputeReceipt(d, tt.s)
			wantCode(t, err, tt.code)
		})
	}
}

func TestSpread(t *testing.T) {
	tests := []struct {
		amount  Money
		weights []Money
		want    []Money
	}{
		{100, []Money{1, 1, 1}, []Money{34, 33, 33}},
		{1, []Money{5, 5}, []Money{1, 0}},
		{10, []Money{0, 10}, []Money{0, 10}},
		{7, []Money{100}, []Money{7}},
		{MaxMoney - 1, []Money{MaxMoney / 2, MaxMoney/2 + 1}, []Money{MaxMoney / 2, MaxMoney / 2}}, // remainders ,5 and ,49…
	}
	for _, tt := range tests {
		got := spread(tt.amount, tt.weights)
		for i := range got {
			if got[i] != tt.want[i] {
				t.Errorf("spread(%d, %v) = %v, want %v", tt.amount, tt.weights, got, tt.want)
				break
			}
		}
	}
}
