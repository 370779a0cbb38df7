package ofdsim

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/ekassa-go/ekassa/kkm"
	"github.com/ekassa-go/ekassa/ofdclient"
	"github.com/ekassa-go/ekassa/ofdclient/pb"
)

// These tests run receipts with discounts and markups end to end: kkm computes (and would print)
// them, ofdclient puts them on the wire, the emulator checks and counts them. The VAT per rate
// must be one number all the way (design.md §3.9).

// vatReg is the register of the end-to-end tests: a VAT payer at 16 % allowing receipt
// modifiers, registered as the emulator's test register.
func vatReg() (kkm.Register, ofdclient.Identity) {
	reg := kkm.RegInfo{RNM: testRNM, ZNM: "KTCD1117737127791", KKMID: "123456",
		OrgTitle: "ИП Әлімқұлова", OrgIINBIN: testIIN, OrgAddress: "г. Астана, Ленина 33"}
	r := kkm.Register{Settings: kkm.Settings{SystemID: testID, VATPayer: true, DefaultVATRate: kkm.VAT16,
		ReceiptModifiersAllowed: true, Reg: reg}}
	return r, ofdclient.Identity{SystemID: testID, Reg: reg, Location: time.UTC,
		Point: &kkm.GeoPosition{Latitude: 43_238_949, Longitude: 76_889_709}}
}

func pct(kind kkm.ModifierKind, basisPoints int64) *kkm.Modifier {
	return &kkm.Modifier{Kind: kind, Percent: basisPoints}
}

func amt(kind kkm.ModifierKind, tiyn kkm.Money) *kkm.Modifier {
	return &kkm.Modifier{Kind: kind, Amount: tiyn}
}

// modifiedReceipts are sales whose VAT per rate depends on how modifiers are taxed: receipt
// modifiers spread over lines at different rates, item modifiers, and awkward amounts whose
// roundings do not add up when each part is rounded on its own.
var modifiedReceipts = []struct {
	name  string
	draft kkm.ReceiptDraft
}{
	{"16 % and 5 % with a receipt discount", kkm.ReceiptDraft{
		Lines: []kkm.LineDraft{
			{Name: "Нан", Quantity: 1000, Price: 33333, VATRate: kkm.VAT16},
			{Name: "Дәрі", Quantity: 2000, Price: 17777, VATRate: kkm.VAT5},
		},
		Modifier: pct(kkm.Discount, 700),
	}},
	{"16 % and 5 % with a receipt markup", kkm.ReceiptDraft{
		Lines: []kkm.LineDraft{
			{Name: "Нан", Quantity: 3000, Price: 9999, VATRate: kkm.VAT16},
			{Name: "Дәрі", Quantity: 1000, Price: 20001, VATRate: kkm.VAT5},
		},
		Modifier: amt(kkm.Markup, 1234),
	}},
	{"333,33 × 3 with 10 % off, an item markup and a receipt markup", kkm.ReceiptDraft{
		Lines: []kkm.LineDraft{
			{Name: "Шай", Quantity: 3000, Price: 33333, VATRate: kkm.VAT16, Modifier: pct(kkm.Discount, 1000)},
			{Name: "Витамин", Quantity: 1000, Price: 12345, VATRate: kkm.VAT5, Modifier: amt(kkm.Markup, 99)},
			{Name: "Кітап", Quantity: 1000, Price: 5000, VATRate: kkm.VATNone},
		},
		Modifier: pct(kkm.Markup, 300),
	}},
	{"every rate, item discounts and a receipt discount", kkm.ReceiptDraft{
		Lines: []kkm.LineDraft{
			{Name: "Ет", Quantity: 1375, Unit: "166", Price: 19999, VATRate: kkm.VAT16, Modifier: pct(kkm.Discount, 333)},
			{Name: "Газет", Quantity: 3000, Price: 4999, VATRate: kkm.VAT10, Modifier: amt(kkm.Discount, 7)},
			{Name: "Дәрі", Quantity: 1000, Price: 1001, VATRate: kkm.VAT5},
			{Name: "Экспорт", Quantity: 1000, Price: 2500, VATRate: kkm.VAT0},
			{Name: "Қызмет", Quantity: 1000, Price: 1234, VATRate: kkm.VATNone},
		},
		Modifier: amt(kkm.Discount, 1111),
	}},
	{"many small lines at two rates with a one-tiyn-per-line spread", kkm.ReceiptDraft{
		Lines: []kkm.LineDraft{
			{Name: "А", Quantity: 1000, Price: 101, VATRate: kkm.VAT16},
			{Name: "Б", Quantity: 1000, Price: 103, VATRate: kkm.VAT16},
			{Name: "В", Quantity: 1000, Price: 107, VATRate: kkm.VAT16},
			{Name: "Г", Quantity: 1000, Price: 109, VATRate: kkm.VAT5},
			{Name: "Д", Quantity: 1000, Price: 113, VATRate: kkm.VAT5},
			{Name: "Е", Quantity: 1000, Price: 127, VATRate: kkm.VAT16},
		},
		Modifier: amt(kkm.Discount, 23),
	}},
	{"item discount whose own VAT is not the VAT it takes off", kkm.ReceiptDraft{
		Lines: []kkm.LineDraft{
			{Name: "Сыр", Quantity: 1000, Price: 19999, VATRate: kkm.VAT16, Modifier: pct(kkm.Discount, 333)},
		},
	}},
}

// totalOf computes the total of a sale draft (its payments aside).
func totalOf(t *testing.T, d kkm.ReceiptDraft, s kkm.Settings) kkm.Money {
	t.Helper()
	d.Operation = kkm.OpSale
	d.Payments = []kkm.Payment{{Type: kkm.PayCash, Sum: kkm.MaxMoney}}
	rc, err := kkm.ComputeReceipt(d, s)
	if err != nil {
		t.Fatal(err)
	}
	return rc.Total
}

// wireVAT is a request's net VAT and turnover per percent: commodities less discounts plus
// markups (item and receipt level). Turnovers of receipt-level modifiers are not on the wire,
// so only the VAT is summed for them.
func wireVAT(tk *pb.TicketRequest) map[uint32]int64 {
	out := map[uint32]int64{}
	add := func(taxes []*pb.TicketRequest_Tax, sign int64) {
		for _, tx := range taxes {
			out[tx.GetPercent()] += sign * tiyn(tx.GetSum())
		}
	}
	for _, it := range tk.GetItems() {
		add(it.GetCommodity().GetTaxes(), 1)
		add(it.GetDiscount().GetTaxes(), -1)
		add(it.GetMarkup().GetTaxes(), 1)
	}
	add(tk.GetAmounts().GetDiscount().GetTaxes(), -1)
	add(tk.GetAmounts().GetMarkup().GetTaxes(), 1)
	return out
}

// printedVAT is a receipt's VAT per wire percent, as kkm computed and prints it.
func printedVAT(r *kkm.Receipt) map[uint32]int64 {
	out := map[uint32]int64{}
	for _, t := range r.Taxes {
		out[t.Rate.WirePercent()] = int64(t.VAT)
	}
	return out
}

func sameVAT(a, b map[uint32]int64) bool {
	if len(a) != len(b) {
		return false
	}
	for p, v := range a {
		if w, ok := b[p]; !ok || w != v {
			return false
		}
	}
	return true
}

// TestModifiedReceiptsEndToEnd sends each receipt, issued by kkm and built by ofdclient, to the
// emulator, which must accept it, and checks that the wire's VAT per rate is the printed one.
func TestModifiedReceiptsEndToEnd(t *testing.T) {
	op := kkm.Operator{Code: 1, Name: "Сәуле"}
	for _, c := range modifiedReceipts {
		t.Run(c.name, func(t *testing.T) {
			s, _ := startSim(t)
			r := newReg(t, s)
			reg, id := vatReg()
			d := c.draft
			d.Operation = kkm.OpSale
			d.Payments = []kkm.Payment{{Type: kkm.PayCard, Sum: totalOf(t, d, reg.Settings)}}
			iss, err := reg.IssueReceipt(d, op, saleTime, false)
			if err != nil {
				t.Fatal(err)
			}
			doc := iss.Documents[0]
			req, err := id.Request(&doc, nil)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := wireVAT(req.GetTicket()), printedVAT(doc.Receipt); !sameVAT(got, want) {
				t.Errorf("wire VAT per percent %v, printed %v", got, want)
			}
			if resp := r.do(req); code(resp) != 0 {
				t.Fatalf("code %d %q", code(resp), resp.GetResult().GetResultText())
			}
			v, _ := s.Ledger(testID)
			x := v.X
			for _, tx := range x.GetTaxes() {
				var want kkm.TaxSum
				for _, ts := range doc.Receipt.Taxes {
					if ts.Rate.WirePercent() == tx.GetPercent() {
						want = ts
					}
				}
				got := tx.GetOperations()[pb.OperationTypeEnum_OPERATION_SELL]
				if tiyn(got.GetSum()) != int64(want.VAT) || tiyn(got.GetTurnover()) != int64(want.Turnover) {
					t.Errorf("the OFD counts %d/1000 %%: turnover %d VAT %d; the receipt has turnover %d VAT %d",
						tx.GetPercent(), tiyn(got.GetTurnover()), tiyn(got.GetSum()), want.Turnover, want.VAT)
				}
			}
			if len(x.GetTaxes()) != len(doc.Receipt.Taxes) {
				t.Errorf("the OFD counts %d rates, the receipt has %d", len(x.GetTaxes()), len(doc.Receipt.Taxes))
			}
		})
	}
}

// TestShiftOfModifiedReceiptsCloses issues a shift of such receipts, a return of one of them, a
// cash in and an auto cash-out, sends every document and closes the shift with the register's
// own Z, which the emulator must accept (its counters agree with the register's), then compares
// the tax counters explicitly.
func TestShiftOfModifiedReceiptsCloses(t *testing.T) {
	s, _ := startSim(t)
	r := newReg(t, s)
	reg, id := vatReg()
	reg.Settings.AutoCashOut = true
	op := kkm.Operator{Code: 1, Name: "Сәуле"}
	at := saleTime
	send := func(iss kkm.Issued, err error) []*pb.Response {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		reg.State = iss.State
		var out []*pb.Response
		for i := range iss.Documents {
			doc := iss.Documents[i]
			req, err := id.Request(&doc, nil)
			if err != nil {
				t.Fatal(err)
			}
			resp := r.do(req)
			if code(resp) != 0 {
				t.Fatalf("%s %d: code %d %q", doc.Kind, doc.Number, code(resp), resp.GetResult().GetResultText())
			}
			out = append(out, resp)
		}
		at = at.Add(time.Minute)
		return out
	}
	var first kkm.Document
	var firstSign string
	for i, c := range modifiedReceipts {
		d := c.draft
		d.Operation = kkm.OpSale
		// Alternate cash with change and a mixed card and cash payment.
		total := totalOf(t, d, reg.Settings)
		d.Payments = []kkm.Payment{{Type: kkm.PayCash, Sum: total + 1000}}
		if i%2 == 1 {
			d.Payments = []kkm.Payment{{Type: kkm.PayCard, Sum: total / 2}, {Type: kkm.PayCash, Sum: total - total/2}}
		}
		iss, err := reg.IssueReceipt(d, op, at, false)
		resp := send(iss, err)
		if i == 0 {
			first, firstSign = iss.Documents[0], resp[0].GetTicket().GetTicketNumber()
		}
	}
	ret := modifiedReceipts[0].draft
	ret.Operation = kkm.OpSaleReturn
	ret.Parent = &kkm.ParentReceipt{Number: firstSign, Time: first.Time, RNM: testRNM, Total: first.Receipt.Total}
	ret.Payments = []kkm.Payment{{Type: kkm.PayCard, Sum: first.Receipt.Total}}
	send(reg.IssueReceipt(ret, op, at, false))
	send(reg.CashIn(500000, op, at, false))

	want := reg.State.Counters.Taxes
	resps := send(reg.CloseShift(op, at, false))
	z := resps[len(resps)-1].GetReport().GetZxReport()
	if z.GetShiftNumber() != 1 || z.GetCloseShiftTime() == nil {
		t.Fatalf("no Z of shift 1: %v", z)
	}
	if len(z.GetTaxes()) != len(want) {
		t.Fatalf("the OFD's Z has %d rates, the register's %d", len(z.GetTaxes()), len(want))
	}
	for i, tx := range z.GetTaxes() {
		w := want[i]
		if tx.GetPercent() != w.Rate.WirePercent() {
			t.Fatalf("rate %d: OFD %d/1000 %%, register %v", i, tx.GetPercent(), w.Rate)
		}
		for o, to := range tx.GetOperations() {
			if tiyn(to.GetTurnover()) != int64(w.Operations[o].Turnover) || tiyn(to.GetSum()) != int64(w.Operations[o].VAT) ||
				tiyn(to.GetTurnoverWithoutTax()) != int64(w.Operations[o].TurnoverWithoutVAT) {
				t.Errorf("%v %s: OFD turnover %d VAT %d without %d; register %+v", w.Rate, to.GetOperation(),
					tiyn(to.GetTurnover()), tiyn(to.GetSum()), tiyn(to.GetTurnoverWithoutTax()), w.Operations[o])
			}
		}
	}
	for _, tx := range z.GetTaxes() {
		if got := tx.GetOperations()[pb.OperationTypeEnum_OPERATION_SELL_RETURN]; tx.GetPercent() == 16000 && tiyn(got.GetSum()) == 0 {
			t.Error("the return's VAT at 16 % is not counted")
		}
	}
}

// TestRandomModifiedReceipts issues a shift of random receipts (1–6 lines at random rates,
// prices and quantities, random item and receipt modifiers, some returned), sends them all and
// closes the shift: the emulator must accept every receipt, its X must count per rate exactly
// the register's turnover and VAT, and the register's Z must close the shift.
func TestRandomModifiedReceipts(t *testing.T) {
	s, _ := startSim(t)
	r := newReg(t, s)
	reg, id := vatReg()
	op := kkm.Operator{Code: 1, Name: "Сәуле"}
	rng := rand.New(rand.NewPCG(1, 2026))
	rates := []kkm.VATRate{kkm.VAT16, kkm.VAT16, kkm.VAT5, kkm.VAT10, kkm.VAT0, kkm.VATNone}
	modifier := func(base kkm.Money) *kkm.Modifier {
		kind := kkm.Discount
		if rng.IntN(3) == 0 {
			kind = kkm.Markup
		}
		if rng.IntN(2) == 0 {
			return pct(kind, 1+rng.Int64N(5000))
		}
		return amt(kind, kkm.Money(1+rng.Int64N(int64(base)-1)))
	}
	at := saleTime
	sendDoc := func(doc kkm.Document) *pb.Response {
		t.Helper()
		req, err := id.Request(&doc, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := wireVAT(req.GetTicket()), printedVAT(doc.Receipt); doc.Receipt != nil && !sameVAT(got, want) {
			t.Fatalf("document %d: wire VAT per percent %v, printed %v", doc.Number, got, want)
		}
		resp := r.do(req)
		if code(resp) != 0 {
			t.Fatalf("document %d (%+v): code %d %q", doc.Number, doc.Receipt, code(resp), resp.GetResult().GetResultText())
		}
		return resp
	}
	n := 150
	if testing.Short() {
		n = 40
	}
	for i := 0; i < n; i++ {
		d := kkm.ReceiptDraft{Operation: kkm.OpSale}
		for j := rng.IntN(6); j >= 0; j-- {
			l := kkm.LineDraft{Name: "Тауар", Quantity: kkm.Quantity(1000 * (1 + rng.IntN(5))), Price: kkm.Money(2 + rng.Int64N(100000)),
				VATRate: rates[rng.IntN(len(rates))]}
			if rng.IntN(3) == 0 {
				l.Modifier = modifier(l.Price)
			}
			d.Lines = append(d.Lines, l)
		}
		if rng.IntN(2) == 0 {
			d.Modifier = modifier(totalOf(t, d, reg.Settings))
		}
		total := totalOf(t, d, reg.Settings)
		d.Payments = []kkm.Payment{{Type: kkm.PayCard, Sum: total}}
		iss, err := reg.IssueReceipt(d, op, at, false)
		if err != nil {
			t.Fatal(err)
		}
		reg.State = iss.State
		sale := iss.Documents[0]
		resp := sendDoc(sale)
		if rng.IntN(5) == 0 {
			ret := d
			ret.Operation = kkm.OpSaleReturn
			ret.Parent = &kkm.ParentReceipt{Number: resp.GetTicket().GetTicketNumber(), Time: sale.Time, RNM: testRNM, Total: sale.Receipt.Total}
			if iss, err = reg.IssueReceipt(ret, op, at, false); err != nil {
				t.Fatal(err)
			}
			reg.State = iss.State
			sendDoc(iss.Documents[0])
		}
		at = at.Add(time.Second)
	}

	v, _ := s.Ledger(testID)
	want := reg.State.Counters.Taxes
	if len(v.X.GetTaxes()) != len(want) {
		t.Fatalf("the OFD counts %d rates, the register %d", len(v.X.GetTaxes()), len(want))
	}
	for i, tx := range v.X.GetTaxes() {
		w := want[i]
		for o, to := range tx.GetOperations() {
			if tx.GetPercent() != w.Rate.WirePercent() || tiyn(to.GetTurnover()) != int64(w.Operations[o].Turnover) ||
				tiyn(to.GetSum()) != int64(w.Operations[o].VAT) {
				t.Errorf("%d/1000 %% %s: OFD turnover %d VAT %d; register %v %+v", tx.GetPercent(), to.GetOperation(),
					tiyn(to.GetTurnover()), tiyn(to.GetSum()), w.Rate, w.Operations[o])
			}
		}
	}
	iss, err := reg.CloseShift(op, at, false)
	if err != nil {
		t.Fatal(err)
	}
	z := iss.Documents[len(iss.Documents)-1]
	req, err := id.Request(&z, nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp := r.do(req); code(resp) != 0 {
		t.Fatalf("Z: code %d %q", code(resp), resp.GetResult().GetResultText())
	}
}
