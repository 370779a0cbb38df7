package ofdclient

import (
	"testing"
	"time"

	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"

	"github.com/ekassa-go/ekassa/kkm"
	"github.com/ekassa-go/ekassa/ofdclient/pb"
)

// Real-shaped marking codes (see kkm/marking_test.go): beer with 93, shoes with 91/92.
const (
	reqBeer1 = "0104870216760007" + "21" + "qKkdi11" + kkm.GS + "93" + "U3g5"
	reqBeer2 = "0104870216760007" + "21" + "qKkdi12" + kkm.GS + "93" + "U3g6"
	reqShoes = "0104690257528523" + "21" + "G+mgsHw<DiLN_" + kkm.GS + "91" + "EE05" + kkm.GS +
		"92" + "sOe6fy7lPT8lLffZ5WdQ7Rp8PXLDwEGD1Wv4oY71o4FV"
)

// TestRequestMarkedCodes checks that a marked line's codes go as commodity list_excise_stamp
// (field 14 of TicketRequest.Item.Commodity, fact sheet §3.3), one per unit, in order, with their
// group separators, and that the deprecated excise_stamp (8) stays empty; a line not marked sends
// none. The wire is read back with protowire, not the generated code, so the field number is
// checked independently of pb. A return of marked units carries the codes it returns.
func TestRequestMarkedCodes(t *testing.T) {
	reg := kkm.Register{Settings: kkm.Settings{VATPayer: true, DefaultVATRate: kkm.VAT16}}
	op := kkm.Operator{Code: 1, Name: "Сәуле"}
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	iss, err := reg.IssueReceipt(kkm.ReceiptDraft{
		Operation: kkm.OpSale,
		Lines: []kkm.LineDraft{
			// the first beer as a keyboard-wedge scanner sends it: ]d2 first, the GS lost
			{Name: "Сыра", Quantity: 2000, Price: 65000, Marked: kkm.MarkedBeer, Codes: []string{"]d20104870216760007" + "21qKkdi1193U3g5", reqBeer2}},
			{Name: "Нан", Quantity: 1000, Price: 20000},
			{Name: "Етік", Quantity: 1000, Price: 2890000, Marked: kkm.MarkedShoes, Codes: []string{reqShoes}},
		},
		Payments: []kkm.Payment{{Type: kkm.PayCash, Sum: 3100000}},
	}, op, at, false)
	if err != nil {
		t.Fatal(err)
	}
	sale := iss.Documents[0]
	req, err := testIdentity.Request(&sale, nil)
	if err != nil {
		t.Fatal(err)
	}
	items := req.GetTicket().GetItems()
	want := [][]string{{reqBeer1, reqBeer2}, nil, {reqShoes}}
	if len(items) != len(want) {
		t.Fatalf("%d items, want %d commodities", len(items), len(want))
	}
	for i, it := range items {
		c := it.GetCommodity()
		if c.ExciseStamp != nil {
			t.Errorf("item %d sends the deprecated excise_stamp %q", i+1, c.GetExciseStamp())
		}
		wire, err := proto.MarshalOptions{Deterministic: true}.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		got := field14(t, wire)
		if len(got) != len(want[i]) {
			t.Fatalf("item %d: field 14 %q, want %q", i+1, got, want[i])
		}
		for j := range got {
			if got[j] != want[i][j] {
				t.Errorf("item %d code %d on the wire %q, want %q (GS kept)", i+1, j+1, got[j], want[i][j])
			}
		}
	}

	// A return of one beer carries the code of the unit that comes back.
	reg.State = iss.State
	ret, err := reg.IssueReceipt(kkm.ReceiptDraft{
		Operation: kkm.OpSaleReturn,
		Parent:    &kkm.ParentReceipt{Number: "3937088150", Time: at, RNM: testIdentity.Reg.RNM, Total: sale.Receipt.Total},
		Lines:     []kkm.LineDraft{{Name: "Сыра", Quantity: 1000, Price: 65000, Marked: kkm.MarkedBeer, Codes: []string{reqBeer2}}},
		Payments:  []kkm.Payment{{Type: kkm.PayCash, Sum: 65000}},
	}, op, at.Add(time.Minute), false)
	if err != nil {
		t.Fatal(err)
	}
	rreq, err := testIdentity.Request(&ret.Documents[0], nil)
	if err != nil {
		t.Fatal(err)
	}
	if rreq.GetTicket().GetOperation() != pb.OperationTypeEnum_OPERATION_SELL_RETURN {
		t.Fatalf("operation %v", rreq.GetTicket().GetOperation())
	}
	if got := rreq.GetTicket().GetItems()[0].GetCommodity().GetListExciseStamp(); len(got) != 1 || got[0] != reqBeer2 {
		t.Errorf("the return sends %q, want the returned unit's code", got)
	}

	// A document whose marked line lost a code is not built (it would be refused by the OFD).
	broken := sale
	broken.Receipt.Lines = append([]kkm.Line(nil), sale.Receipt.Lines...)
	broken.Receipt.Lines[0].Codes = broken.Receipt.Lines[0].Codes[:1]
	if _, err := testIdentity.Request(&broken, nil); err == nil {
		t.Error("a marked line with fewer codes than units was built")
	}
}

// field14 returns the values of field 14 (length-delimited) of an encoded commodity.
func field14(t *testing.T, b []byte) []string {
	t.Helper()
	var out []string
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			t.Fatalf("bad tag in %x", b)
		}
		b = b[n:]
		n = protowire.ConsumeFieldValue(num, typ, b)
		if n < 0 {
			t.Fatalf("bad value in %x", b)
		}
		if num == 14 {
			if typ != protowire.BytesType {
				t.Fatalf("field 14 has wire type %d", typ)
			}
			v, _ := protowire.ConsumeBytes(b)
			out = append(out, string(v))
		}
		b = b[n:]
	}
	return out
}
