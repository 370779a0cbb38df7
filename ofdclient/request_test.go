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
}}

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
				Modifier: &kkm.Modifier{Kind: kkm.Markup, Amount: 1000}},
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
