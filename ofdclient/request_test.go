package ofdclient

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/ekassa-go/ekassa/kkm"
	"github.com/ekassa-go/ekassa/ofdclient/pb"
)

// testIdentity is the register of the spec vectors (ID 123456).
var testIdentity = Identity{SystemID: 123456, Reg: kkm.RegInfo{
	RNM: "010101012345", ZNM: "KTCD1117737127791", KKMID: "123456",
	OrgTitle: "ИП Әлімқұлова", OrgIINBIN: "960624350642", OrgAddress: "г. Астана, Ленина 33",
}, Point: &kkm.GeoPosition{Latitude: 51_128_207, Longitude: 71_430_411}}

// issueVectorSale issues, with kkm, the sale of vectors/ticket_req.txt.
func issueVectorSale(t *testing.T) kkm.Document {
	t.Helper()
	reg := kkm.Register{Settings: kkm.Settings{VATPayer: true, DefaultVATRate: kkm.VAT16}}
	iss, err := reg.IssueReceipt(kkm.ReceiptDraft{
		Operation: kkm.OpSale,
		Lines:     []kkm.LineDraft{{Name: "Хлеб", Section: "1", Quantity: 2000, Unit: "796", Price: 29000, VATRate: kkm.VAT16}},
		Payments:  []kkm.Payment{{Type: kkm.PayCash, Sum: 100000}},
	}, kkm.Operator{Code: 1, Name: "Иванов И."}, time.Date(2026, 3, 1, 12, 34, 56, 0, time.UTC), false)
	if err != nil {
		t.Fatal(err)
	}
	return iss.Documents[0]
}

func vectorPayload(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "vectors", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestRequestMatchesVectors encodes documents issued by kkm and compares the bytes with the
// payloads protoc made from the spec's text vectors. The vectors carry no service block and no
// shift_document_number, so those are left out of the comparison.
func TestRequestMatchesVectors(t *testing.T) {
	sale := issueVectorSale(t)
	cases := []struct {
		name  string
		build func() (*pb.Request, error)
	}{
		{"ticket_req.bin", func() (*pb.Request, error) {
			req, err := testIdentity.Request(&sale, nil)
			if err == nil {
				req.Service, req.Ticket.ShiftDocumentNumber = nil, nil
			}
			return req, err
		}},
		{"info_req.bin", func() (*pb.Request, error) { return InfoRequest(), nil }},
		{"system_req.bin", func() (*pb.Request, error) {
			req, err := testIdentity.SystemRequest(&OfflinePeriod{
				Begin: time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC), End: time.Date(2026, 3, 1, 12, 30, 15, 0, time.UTC)})
			if err == nil {
				req.Service.RegInfo_ = nil
			}
			return req, err
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req, err := tc.build()
			if err != nil {
				t.Fatal(err)
			}
			got, err := proto.MarshalOptions{Deterministic: true}.Marshal(req)
			if err != nil {
				t.Fatal(err)
			}
			if want := vectorPayload(t, tc.name); !bytes.Equal(got, want) {
				t.Fatalf("encoding differs from the vector\n got %x\nwant %x", got, want)
			}
		})
	}
}

// TestRequestKinds checks the fields each kind of document puts on the wire.
func TestRequestKinds(t *testing.T) {
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	op := kkm.Operator{Code: 7, Name: "Сәуле"}
	reg := kkm.Register{Settings: kkm.Settings{VATPayer: true, DefaultVATRate: kkm.VAT16, ReceiptModifiersAllowed: true, BuyerIINBINAllowed: true}}
	must := func(iss kkm.Issued, err error) kkm.Issued {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		reg.State = iss.State
		return iss
	}
	mixed := must(reg.IssueReceipt(kkm.ReceiptDraft{
		Operation: kkm.OpSale,
		Lines: []kkm.LineDraft{
			{Name: "Сүт", Section: "1", Quantity: 1000, Unit: "796", Price: 45000, VATRate: kkm.VAT16,
				Modifier: &kkm.Modifier{Kind: kkm.Markup, Amount: 1000}, NTIN: "4870001234567"},
			{Name: "Кітап", Section: "2", Quantity: 1000, Unit: "796", Price: 20000, VATRate: kkm.VATNone},
		},
		Modifier:    &kkm.Modifier{Kind: kkm.Discount, Amount: 5000},
		Payments:    []kkm.Payment{{Type: kkm.PayCard, Sum: 61000}},
		BuyerIINBIN: "870412300169",
	}, op, at, true)).Documents[0]
	cashIn := must(reg.CashIn(100000, op, at.Add(time.Minute), false)).Documents[0]
	cashOut := must(reg.CashOut(50000, op, at.Add(2*time.Minute), true)).Documents[0]
	xDoc, err := reg.XReport(op, at.Add(3*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	z := must(reg.CloseShift(op, at.Add(4*time.Minute), true)).Documents[0]
	off := &OfflinePeriod{Begin: at.Add(-time.Hour), End: at.Add(5 * time.Minute)}

	cases := []struct {
		name  string
		doc   kkm.Document
		cmd   pb.CommandTypeEnum
		check func(t *testing.T, r *pb.Request)
	}{
		{"offline receipt with markup, discount, card, buyer", mixed, pb.CommandTypeEnum_COMMAND_TICKET, func(t *testing.T, r *pb.Request) {
			tk := r.GetTicket()
			if tk.GetOfflineTicketNumber() != mixed.OfflineNumber || mixed.OfflineNumber == 0 {
				t.Errorf("offline_ticket_number %d, document's %d", tk.GetOfflineTicketNumber(), mixed.OfflineNumber)
			}
			if len(tk.GetItems()) != 3 || tk.GetItems()[1].GetType() != pb.TicketRequest_Item_ITEM_TYPE_MARKUP {
				t.Errorf("items %v: want commodity, markup, commodity", tk.GetItems())
			}
			if len(tk.GetItems()[2].GetCommodity().GetTaxes()) != 0 {
				t.Error("a line without VAT carries a tax")
			}
			// The НКТ code goes as commodity field 15 (ntin); a line without one sends no field.
			if c := tk.GetItems()[0].GetCommodity(); c.Ntin == nil || c.GetNtin() != "4870001234567" || c.Barcode != nil {
				t.Errorf("commodity ntin %v barcode %v, want ntin 4870001234567 and no barcode", c.Ntin, c.Barcode)
			}
			if c := tk.GetItems()[2].GetCommodity(); c.Ntin != nil {
				t.Errorf("a line without a code sends ntin %q", c.GetNtin())
			}
			// On the wire: tag 15, length-delimited (15<<3 | 2 = 0x7a), 13 bytes.
			wire, err := proto.MarshalOptions{Deterministic: true}.Marshal(tk.GetItems()[0].GetCommodity())
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Contains(wire, append([]byte{0x7a, 13}, "4870001234567"...)) {
				t.Errorf("commodity %x lacks field 15 with the code", wire)
			}
			if tk.GetAmounts().GetDiscount().GetSum().GetBills() != 50 || tk.GetAmounts().GetTaken() != nil {
				t.Errorf("amounts %v: want the discount and no taken/change without cash", tk.GetAmounts())
			}
			if tk.GetExtensionOptions().GetCustomerIinOrBin() != "870412300169" {
				t.Error("no buyer IIN/BIN")
			}
		}},
		{"cash in", cashIn, pb.CommandTypeEnum_COMMAND_MONEY_PLACEMENT, func(t *testing.T, r *pb.Request) {
			mp := r.GetMoneyPlacement()
			if mp.GetOperation() != pb.MoneyPlacementEnum_MONEY_PLACEMENT_DEPOSIT || mp.GetSum().GetBills() != 1000 || mp.GetIsOffline() || mp.GetOperator().GetCode() != 7 {
				t.Errorf("%v", mp)
			}
		}},
		{"offline cash out", cashOut, pb.CommandTypeEnum_COMMAND_MONEY_PLACEMENT, func(t *testing.T, r *pb.Request) {
			mp := r.GetMoneyPlacement()
			if mp.GetOperation() != pb.MoneyPlacementEnum_MONEY_PLACEMENT_WITHDRAWAL || !mp.GetIsOffline() || mp.GetFrShiftNumber() != 1 {
				t.Errorf("%v", mp)
			}
		}},
		{"X report", xDoc, pb.CommandTypeEnum_COMMAND_REPORT, func(t *testing.T, r *pb.Request) {
			if r.GetReport().GetReport() != pb.ReportTypeEnum_REPORT_X || len(r.GetReport().GetZxReport().GetOperations()) != 4 {
				t.Errorf("%v", r.GetReport())
			}
		}},
		{"offline Z", z, pb.CommandTypeEnum_COMMAND_CLOSE_SHIFT, func(t *testing.T, r *pb.Request) {
			cs := r.GetCloseShift()
			zr := cs.GetZReport()
			if !cs.GetIsOffline() || cs.GetFrShiftNumber() != 1 || zr.GetCloseShiftTime() == nil ||
				len(zr.GetMoneyPlacements()) != 2 || len(zr.GetTicketOperations()) != 4 || zr.GetChecksum() == "" {
				t.Errorf("%v", cs)
			}
			back, err := ReportFromZX(zr, time.UTC)
			if err != nil {
				t.Fatal(err)
			}
			if back.CashInDrawer != z.Report.CashInDrawer || back.Revenue != z.Report.Revenue ||
				back.Receipts[kkm.OpSale].Payments[1] != z.Report.Receipts[kkm.OpSale].Payments[1] {
				t.Errorf("the Z does not decode back: %+v", back)
			}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r, err := testIdentity.Request(&tc.doc, off)
			if err != nil {
				t.Fatal(err)
			}
			if r.GetCommand() != tc.cmd {
				t.Fatalf("command %v, want %v", r.GetCommand(), tc.cmd)
			}
			if r.GetService().GetRegInfo_().GetKkm().GetFnsKkmId() != "010101012345" || r.GetService().GetOfflinePeriod() == nil {
				t.Errorf("service block %v", r.GetService())
			}
			if _, err := proto.Marshal(r); err != nil {
				t.Fatalf("a required field is missing: %v", err)
			}
			tc.check(t, r)
		})
	}
}

// TestRequestRefusesBadDocuments: documents that cannot go on the wire are errors, not panics.
func TestRequestRefusesBadDocuments(t *testing.T) {
	sale := issueVectorSale(t)
	noParent := sale
	rc := *sale.Receipt
	rc.Operation = kkm.OpSaleReturn
	noParent.Receipt = &rc
	cases := []struct {
		name string
		doc  kkm.Document
	}{
		{"receipt without receipt", kkm.Document{Kind: kkm.KindReceipt, Time: sale.Time}},
		{"return without parent", noParent},
		{"negative cash", kkm.Document{Kind: kkm.KindCashIn, Time: sale.Time, Cash: -1}},
		{"Z without report", kkm.Document{Kind: kkm.KindZReport, Time: sale.Time}},
		{"no time", kkm.Document{Kind: kkm.KindCashIn, Cash: 100}},
		{"unknown kind", kkm.Document{Kind: "coupon", Time: sale.Time}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := testIdentity.Request(&tc.doc, nil); !errors.Is(err, ErrDocument) {
				t.Fatalf("err %v, want ErrDocument", err)
			}
		})
	}
}

// TestTicketVAT checks the VAT each item and receipt modifier carries (worked out by hand from
// VAT(x) = round(x × r / (100 + r)), half up) and that per rate the commodities' VAT less the
// discounts' plus the markups' is the receipt's printed VAT (kkm's Receipt.Taxes), exactly.
func TestTicketVAT(t *testing.T) {
	settings := kkm.Settings{VATPayer: true, DefaultVATRate: kkm.VAT16, ReceiptModifiersAllowed: true}
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	type taxes map[uint32]int64 // VAT by wire percent
	cases := []struct {
		name string
		d    kkm.ReceiptDraft
		// the taxes of each item in order, then of the receipt modifier (nil when none)
		items   []taxes
		receipt taxes
		printed taxes
	}{
		{
			// 7 % of 688.87 = 48.22, spread 23.33 / 24.89: VAT(333.33) − VAT(310.00) = 45.98 − 42.76
			// and VAT(355.54) − VAT(330.65) = 16.93 − 15.75, not the whole discount's 6.65 and 2.30.
			name: "16 % and 5 % with a receipt discount",
			d: kkm.ReceiptDraft{Lines: []kkm.LineDraft{
				{Name: "Нан", Quantity: 1000, Price: 33333, VATRate: kkm.VAT16},
				{Name: "Дәрі", Quantity: 2000, Price: 17777, VATRate: kkm.VAT5},
			}, Modifier: &kkm.Modifier{Kind: kkm.Discount, Percent: 700}},
			items:   []taxes{{16000: 4598}, {5000: 1693}},
			receipt: taxes{16000: 322, 5000: 118},
			printed: taxes{16000: 4276, 5000: 1575},
		},
		{
			// 3.33 % of 199.99 = 6.66: VAT(199.99) − VAT(193.33) = 27.58 − 26.67 = 0.91, where VAT(6.66) is 0.92.
			name: "item discount whose own VAT differs",
			d: kkm.ReceiptDraft{Lines: []kkm.LineDraft{
				{Name: "Сыр", Quantity: 1000, Price: 19999, VATRate: kkm.VAT16, Modifier: &kkm.Modifier{Kind: kkm.Discount, Percent: 333}},
			}},
			items:   []taxes{{16000: 2758}, {16000: 91}},
			printed: taxes{16000: 2667},
		},
		{
			// 333.33 × 3 = 999.99 less 10 % (100.00); 123.45 plus 0.99; 50.00 without VAT; a 3 %
			// receipt markup of 32.23 spread 27.00 / 3.73 / 1.50.
			name: "333,33 × 3 with 10 % off, an item markup and a receipt markup",
			d: kkm.ReceiptDraft{Lines: []kkm.LineDraft{
				{Name: "Шай", Quantity: 3000, Price: 33333, VATRate: kkm.VAT16, Modifier: &kkm.Modifier{Kind: kkm.Discount, Percent: 1000}},
				{Name: "Витамин", Quantity: 1000, Price: 12345, VATRate: kkm.VAT5, Modifier: &kkm.Modifier{Kind: kkm.Markup, Amount: 99}},
				{Name: "Кітап", Quantity: 1000, Price: 5000, VATRate: kkm.VATNone},
			}, Modifier: &kkm.Modifier{Kind: kkm.Markup, Percent: 300}},
			items:   []taxes{{16000: 13793}, {16000: 1379}, {5000: 588}, {5000: 5}, {}},
			receipt: taxes{16000: 372, 5000: 17},
			printed: taxes{16000: 12786, 5000: 610},
		},
	}
	of := func(list []*pb.TicketRequest_Tax) taxes {
		out := taxes{}
		for _, tx := range list {
			out[tx.GetPercent()] = int64(tx.GetSum().GetBills())*100 + int64(tx.GetSum().GetCoins())
		}
		return out
	}
	same := func(a, b taxes) bool {
		if len(a) != len(b) {
			return false
		}
		for k, v := range a {
			if w, ok := b[k]; !ok || w != v {
				return false
			}
		}
		return true
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d := tc.d
			d.Operation = kkm.OpSale
			d.Payments = []kkm.Payment{{Type: kkm.PayCash, Sum: 1_000_000}}
			rc, err := kkm.ComputeReceipt(d, settings)
			if err != nil {
				t.Fatal(err)
			}
			printed := taxes{}
			for _, ts := range rc.Taxes {
				printed[ts.Rate.WirePercent()] = int64(ts.VAT)
			}
			if !same(printed, tc.printed) {
				t.Fatalf("kkm prints %v, the case expects %v", printed, tc.printed)
			}
			tk, err := testIdentity.Ticket(&kkm.Document{Kind: kkm.KindReceipt, ShiftNumber: 1, Number: 1, Time: at, Receipt: &rc})
			if err != nil {
				t.Fatal(err)
			}
			if len(tk.GetItems()) != len(tc.items) {
				t.Fatalf("%d items, want %d", len(tk.GetItems()), len(tc.items))
			}
			net := taxes{}
			for i, it := range tk.GetItems() {
				var got taxes
				sign := int64(1)
				switch it.GetType() {
				case pb.TicketRequest_Item_ITEM_TYPE_COMMODITY:
					got = of(it.GetCommodity().GetTaxes())
				case pb.TicketRequest_Item_ITEM_TYPE_DISCOUNT:
					got, sign = of(it.GetDiscount().GetTaxes()), -1
				case pb.TicketRequest_Item_ITEM_TYPE_MARKUP:
					got = of(it.GetMarkup().GetTaxes())
				}
				if !same(got, tc.items[i]) {
					t.Errorf("item %d (%v) taxes %v, want %v", i+1, it.GetType(), got, tc.items[i])
				}
				for p, v := range got {
					net[p] += sign * v
				}
			}
			var rm *pb.TicketRequest_Modifier
			sign := int64(1)
			if rm = tk.GetAmounts().GetMarkup(); rm == nil {
				rm, sign = tk.GetAmounts().GetDiscount(), -1
			}
			got := of(rm.GetTaxes())
			if (rm != nil || tc.receipt != nil) && !same(got, tc.receipt) {
				t.Errorf("receipt modifier taxes %v, want %v", got, tc.receipt)
			}
			for p, v := range got {
				net[p] += sign * v
			}
			if !same(net, printed) {
				t.Errorf("the wire's VAT per rate %v, printed %v", net, printed)
			}
		})
	}
}

// TestTicketRefusesInconsistentLines: a receipt whose line VAT is not the VAT of its sum, or
// whose sum does not follow from its modifiers, cannot be sent with the printed VAT.
func TestTicketRefusesInconsistentLines(t *testing.T) {
	settings := kkm.Settings{VATPayer: true, DefaultVATRate: kkm.VAT16, ReceiptModifiersAllowed: true}
	d := kkm.ReceiptDraft{Operation: kkm.OpSale, Lines: []kkm.LineDraft{
		{Name: "Нан", Quantity: 1000, Price: 33333, VATRate: kkm.VAT16, Modifier: &kkm.Modifier{Kind: kkm.Discount, Amount: 333}},
		{Name: "Дәрі", Quantity: 2000, Price: 17777, VATRate: kkm.VAT5},
	}, Modifier: &kkm.Modifier{Kind: kkm.Discount, Amount: 1000}, Payments: []kkm.Payment{{Type: kkm.PayCard, Sum: 67554}}}
	cases := []struct {
		name   string
		mutate func(r *kkm.Receipt)
		ok     bool
	}{
		{"as computed", func(*kkm.Receipt) {}, true},
		{"a line's VAT a tiyn off", func(r *kkm.Receipt) { r.Lines[1].VAT++ }, false},
		{"a line's sum without its receipt share", func(r *kkm.Receipt) { r.Lines[0].ReceiptDiscount = 0 }, false},
		{"a line's sum without its item discount", func(r *kkm.Receipt) { r.Lines[0].Discount = 0 }, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rc, err := kkm.ComputeReceipt(d, settings)
			if err != nil {
				t.Fatal(err)
			}
			tc.mutate(&rc)
			_, err = testIdentity.Ticket(&kkm.Document{Kind: kkm.KindReceipt, ShiftNumber: 1, Number: 1,
				Time: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC), Receipt: &rc})
			if tc.ok != (err == nil) || (err != nil && !errors.Is(err, ErrDocument)) {
				t.Errorf("error %v, want ok = %v", err, tc.ok)
			}
		})
	}
}

// Simple mode's lines go to the OFD as the owner's free-price item (kkm.Settings.SimpleItem, issue
// 14.3): its name and NTIN on every commodity.
func TestSimpleItemInTheRequest(t *testing.T) {
	s := kkm.DefaultSettings()
	s.SimpleItem = kkm.SimpleItem{Name: "Азық-түлік / Продукты", NTIN: "02900001234"}
	rc, err := kkm.ComputeReceipt(kkm.SimpleDraft(kkm.OpSale, []kkm.Money{15000, 2000}, []kkm.Payment{{Type: kkm.PayCash, Sum: 17000}}), s)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	tk, err := testIdentity.Ticket(&kkm.Document{Kind: kkm.KindReceipt, ShiftNumber: 1, Number: 1, Time: at, Receipt: &rc})
	if err != nil {
		t.Fatal(err)
	}
	if len(tk.GetItems()) != 2 {
		t.Fatalf("%d items", len(tk.GetItems()))
	}
	for i, it := range tk.GetItems() {
		if c := it.GetCommodity(); c.GetName() != "Азық-түлік / Продукты" || c.GetNtin() != "02900001234" {
			t.Errorf("item %d: %q %q", i+1, c.GetName(), c.GetNtin())
		}
	}
}
