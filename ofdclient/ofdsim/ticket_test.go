package ofdsim

import (
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/ekassa-go/ekassa/ofdclient/pb"
)

func TestVAT(t *testing.T) {
	cases := []struct {
		gross   int64
		percent uint32
		want    int64
	}{
		{58000, 16000, 8000},
		{100, 16000, 14}, // 13.79 → 14
		{29, 16000, 4},   // 4.0 → 4
		{1050, 5000, 50},
		{110, 10000, 10},
		{999, 0, 0},
		{7, 16000, 1}, // 0.9655 → 1
		{3, 16000, 0}, // 0.4138 → 0
	}
	for _, c := range cases {
		if got := vat(c.gross, c.percent); got != c.want {
			t.Errorf("vat(%d, %d) = %d, want %d", c.gross, c.percent, got, c.want)
		}
	}
}

// TestTicketValidation sends receipts that are wrong in one way each and expects the code and a
// result text that says what is wrong.
func TestTicketValidation(t *testing.T) {
	cases := []struct {
		name     string
		mutate   func(tk *pb.TicketRequest)
		wantCode uint32
		wantText string
	}{
		{"total differs from the items", func(tk *pb.TicketRequest) {
			tk.Amounts.Total = money(57000)
			tk.Payments[0].Sum = money(57000)
			tk.Amounts.Change = money(43000)
		}, 13, "items come to 580.00"},
		{"wrong VAT", func(tk *pb.TicketRequest) {
			tk.Items[0].Commodity.Taxes[0].Sum = money(6214)
		}, 13, "VAT at 16000/1000 % of 580.00 is 80.00"},
		{"sum is not price × quantity", func(tk *pb.TicketRequest) {
			tk.Items[0].Commodity.Quantity = proto.Uint64(3000)
		}, 13, "is not price"},
		{"payments do not cover the total", func(tk *pb.TicketRequest) {
			tk.Payments[0].Sum = money(50000)
		}, 13, "payments come to 500.00"},
		{"taken less change is not the cash payment", func(tk *pb.TicketRequest) {
			tk.Amounts.Change = money(40000)
		}, 13, "cash taken 1000.00 less change 400.00"},
		{"change without cash", func(tk *pb.TicketRequest) {
			tk.Payments[0].Type = pb.PaymentTypeEnum_PAYMENT_CARD.Enum()
		}, 13, "change of 420.00 without a cash payment"},
		{"cash without taken and change", func(tk *pb.TicketRequest) {
			tk.Amounts.Taken, tk.Amounts.Change = nil, nil
		}, 13, "needs amounts.taken"},
		{"two payments of one type", func(tk *pb.TicketRequest) {
			tk.Payments = append(tk.Payments, &pb.TicketRequest_Payment{Type: pb.PaymentTypeEnum_PAYMENT_CASH.Enum(), Sum: money(0)})
		}, 13, "two payments"},
		{"coins over 99", func(tk *pb.TicketRequest) {
			tk.Amounts.Total = &pb.Money{Bills: proto.Uint64(579), Coins: proto.Uint32(100)}
		}, 13, "coins"},
		{"taxes per item and per receipt", func(tk *pb.TicketRequest) {
			tk.Taxes = []*pb.TicketRequest_Tax{{TaxType: proto.Uint32(100), Percent: proto.Uint32(16000), Sum: money(8000), IsInTotalSum: proto.Bool(true)}}
		}, 13, "both per item and for the whole receipt"},
		{"no items", func(tk *pb.TicketRequest) { tk.Items = nil }, 13, "at least one item"},
		{"return without a parent", func(tk *pb.TicketRequest) {
			tk.Operation = pb.OperationTypeEnum_OPERATION_SELL_RETURN.Enum()
		}, 13, "needs parent_ticket"},
		{"the buyer is the seller", func(tk *pb.TicketRequest) {
			tk.ExtensionOptions = &pb.TicketRequest_ExtensionOptions{CustomerIinOrBin: proto.String(testIIN)}
		}, 17, "is the seller's"},
		{"buyer IIN/BIN not 12 digits", func(tk *pb.TicketRequest) {
			tk.ExtensionOptions = &pb.TicketRequest_ExtensionOptions{CustomerIinOrBin: proto.String("12345")}
		}, 13, "not 12 digits"},
		{"invalid date", func(tk *pb.TicketRequest) { tk.DateTime.Date.Month = proto.Uint32(13) }, 13, "not a valid date"},
		{"receipt discount without its VAT", func(tk *pb.TicketRequest) {
			discount(tk, 6000)
		}, 13, "amounts.discount: VAT at 16000/1000 % is 8.28 (what it changes the VAT of its lines by), not 0.00"},
		{"receipt discount taxed at a rate no line has", func(tk *pb.TicketRequest) {
			discount(tk, 6000, vatTax(16000, 828), vatTax(5000, 0))
		}, 13, "a tax at 5000/1000 %, but no line it applies to is taxed at that rate"},
		{"mixed-rate receipt discount with the VAT of the whole discount at each rate", func(tk *pb.TicketRequest) {
			mixedRates(tk)
			tk.Amounts.Discount.Taxes = []*pb.TicketRequest_Tax{vatTax(16000, 665), vatTax(5000, 230)}
		}, 13, "amounts.discount: VAT at 5000/1000 % is 1.18 (what it changes the VAT of its lines by), not 2.30"},
		{"mixed-rate receipt discount a tiyn off at one rate", func(tk *pb.TicketRequest) {
			mixedRates(tk)
			tk.Amounts.Discount.Taxes[1].Sum = money(117)
		}, 13, "amounts.discount: VAT at 5000/1000 % is 1.18"},
		{"item discount with the VAT of its own amount", func(tk *pb.TicketRequest) {
			itemDiscount(tk, 92) // VAT(6.66), but VAT(199.99) − VAT(193.33) = 27.58 − 26.67 = 0.91
		}, 13, "item 2 discount: VAT at 16000/1000 % is 0.91"},
		{"item discount before any commodity", func(tk *pb.TicketRequest) {
			itemDiscount(tk, 91)
			tk.Items[0], tk.Items[1] = tk.Items[1], tk.Items[0]
		}, 13, "item 1 discount: an item discount or markup must follow the commodity"},
		{"item discount larger than its line", func(tk *pb.TicketRequest) {
			tk.Items = append(tk.Items, &pb.TicketRequest_Item{Type: pb.TicketRequest_Item_ITEM_TYPE_DISCOUNT.Enum(),
				Discount: &pb.TicketRequest_Modifier{Name: proto.String("Скидка"), Sum: money(58001)}})
		}, 13, "takes the line below zero"},
		{"receipt discount over a storno line", func(tk *pb.TicketRequest) {
			st := commodity("Хлеб", 29000, 1000).Commodity
			tk.Items = append(tk.Items, &pb.TicketRequest_Item{Type: pb.TicketRequest_Item_ITEM_TYPE_STORNO_COMMODITY.Enum(),
				StornoCommodity: &pb.TicketRequest_Item_StornoCommodity{Name: st.Name, SectionCode: st.SectionCode,
					Quantity: st.Quantity, Price: st.Price, Sum: st.Sum, Taxes: st.Taxes}})
			discount(tk, 1000)
		}, 13, "cannot be spread over a receipt with storno items"},
		{"fr_shift_number 0 lets the OFD number the shift", func(tk *pb.TicketRequest) { tk.FrShiftNumber = proto.Uint32(0) }, 0, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, _ := startSim(t)
			r := newReg(t, s)
			req := cashSale()
			c.mutate(req.Ticket)
			resp := r.do(req)
			if code(resp) != c.wantCode || !strings.Contains(resp.GetResult().GetResultText(), c.wantText) {
				t.Errorf("code %d %q, want %d containing %q", code(resp), resp.GetResult().GetResultText(), c.wantCode, c.wantText)
			}
			v, _ := s.Ledger(testID)
			if c.wantCode != 0 {
				if len(v.Receipts) != 0 || r.token != testToken {
					t.Errorf("a refused receipt changed the ledger: %d receipts, token %d", len(v.Receipts), r.token)
				}
			}
		})
	}
}

func TestValidReceiptShapes(t *testing.T) {
	cases := []struct {
		name   string
		mutate func(tk *pb.TicketRequest)
	}{
		{"mixed payment with a receipt discount", func(tk *pb.TicketRequest) {
			tk.Amounts = &pb.TicketRequest_Amounts{Total: money(52000), Taken: money(20000), Change: money(0),
				Discount: &pb.TicketRequest_Modifier{Name: proto.String("Скидка"), Sum: money(6000),
					Taxes: []*pb.TicketRequest_Tax{vatTax(16000, 8000-7172)}}}
			tk.Payments = []*pb.TicketRequest_Payment{
				{Type: pb.PaymentTypeEnum_PAYMENT_CASH.Enum(), Sum: money(20000)},
				{Type: pb.PaymentTypeEnum_PAYMENT_CARD.Enum(), Sum: money(32000)},
			}
		}},
		{"item markup", func(tk *pb.TicketRequest) {
			tk.Items = append(tk.Items, &pb.TicketRequest_Item{Type: pb.TicketRequest_Item_ITEM_TYPE_MARKUP.Enum(),
				Markup: &pb.TicketRequest_Modifier{Name: proto.String("Наценка"), Sum: money(1000),
					Taxes: []*pb.TicketRequest_Tax{vatTax(16000, 8138-8000)}}}) // VAT(590.00) − VAT(580.00)
			tk.Amounts.Total, tk.Payments[0].Sum, tk.Amounts.Change = money(59000), money(59000), money(41000)
		}},
		{"weighed goods rounded half up", func(tk *pb.TicketRequest) {
			it := commodity("Ет", 333, 1500) // 4.995 → 5.00
			it.Commodity.Sum = money(500)
			it.Commodity.Taxes[0].Sum = money(vat(500, 16000))
			tk.Items = []*pb.TicketRequest_Item{it}
			tk.Amounts = &pb.TicketRequest_Amounts{Total: money(500), Taken: money(500), Change: money(0)}
			tk.Payments[0].Sum = money(500)
		}},
		{"mixed-rate receipt discount", mixedRates},
		{"mixed-rate receipt markup", func(tk *pb.TicketRequest) {
			mixedRates(tk)
			// 48.22 spread as 23.33 and 24.89 again: VAT(356.66) − VAT(333.33), VAT(380.43) − VAT(355.54).
			tk.Amounts.Markup, tk.Amounts.Discount = tk.Amounts.Discount, nil
			tk.Amounts.Markup.Name = proto.String("Наценка")
			tk.Amounts.Markup.Taxes = []*pb.TicketRequest_Tax{vatTax(16000, vat(35666, 16000)-4598), vatTax(5000, vat(38043, 5000)-1693)}
			total := int64(33333 + 35554 + 4822)
			tk.Amounts.Total, tk.Amounts.Taken, tk.Payments[0].Sum = money(total), money(total), money(total)
		}},
		{"item discount and markup", func(tk *pb.TicketRequest) {
			itemDiscount(tk, 91)
			// 193.33 + 1.00 = 194.33: VAT 26.80 − 26.67.
			tk.Items = append(tk.Items, &pb.TicketRequest_Item{Type: pb.TicketRequest_Item_ITEM_TYPE_MARKUP.Enum(),
				Markup: &pb.TicketRequest_Modifier{Name: proto.String("Наценка"), Sum: money(100), Taxes: []*pb.TicketRequest_Tax{vatTax(16000, 2680-2667)}}})
			tk.Amounts.Total, tk.Amounts.Taken, tk.Payments[0].Sum = money(19433), money(19433), money(19433)
		}},
		{"a discount of a tiyn moves no VAT and may leave its tax out", func(tk *pb.TicketRequest) {
			discount(tk, 1) // VAT(580.00) = VAT(579.99) = 80.00
		}},
		{"offline receipt", func(tk *pb.TicketRequest) { tk.OfflineTicketNumber = proto.Uint32(1001) }},
		{"buyer IIN", func(tk *pb.TicketRequest) {
			tk.ExtensionOptions = &pb.TicketRequest_ExtensionOptions{CustomerIinOrBin: proto.String("880101300123")}
		}},
		{"no VAT payer", func(tk *pb.TicketRequest) { tk.Items[0].Commodity.Taxes = nil }},
		{"an НКТ product code (ntin)", func(tk *pb.TicketRequest) { tk.Items[0].Commodity.Ntin = proto.String("4870001234567") }},
		{"receipt-level VAT", func(tk *pb.TicketRequest) {
			tk.Items[0].Commodity.Taxes = nil
			tk.Taxes = []*pb.TicketRequest_Tax{{TaxType: proto.Uint32(100), Percent: proto.Uint32(16000), Sum: money(8000), IsInTotalSum: proto.Bool(true)}}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, _ := startSim(t)
			req := cashSale()
			c.mutate(req.Ticket)
			if resp := newReg(t, s).do(req); code(resp) != 0 {
				t.Errorf("code %d %q, want 0", code(resp), resp.GetResult().GetResultText())
			}
		})
	}
}

// TestLedgerKeepsNTIN: the ledger's copy of an accepted receipt carries the commodity's НКТ code
// (field 15) as the register sent it.
func TestLedgerKeepsNTIN(t *testing.T) {
	s, _ := startSim(t)
	req := cashSale()
	req.Ticket.Items[0].Commodity.Ntin = proto.String("02900001234567890123")
	if resp := newReg(t, s).do(req); code(resp) != 0 {
		t.Fatalf("code %d %q, want 0", code(resp), resp.GetResult().GetResultText())
	}
	led, err := s.Ledger(testID)
	if err != nil {
		t.Fatal(err)
	}
	if len(led.Receipts) != 1 {
		t.Fatalf("%d receipts in the ledger", len(led.Receipts))
	}
	if got := led.Receipts[0].Request.GetItems()[0].GetCommodity().GetNtin(); got != "02900001234567890123" {
		t.Errorf("the ledger's receipt has ntin %q", got)
	}
}

func TestReturns(t *testing.T) {
	s, _ := startSim(t)
	r := newReg(t, s)
	sale := r.do(cashSale())
	sign := sale.GetTicket().GetTicketNumber()
	steps := []struct {
		name     string
		req      *pb.Request
		wantCode uint32
		wantText string
	}{
		{"unknown parent", returnOf("1111111111", 58000, 10000, false), 13, "not known"},
		{"wrong parent total", returnOf(sign, 50000, 10000, false), 13, "parent_ticket_total 500.00"},
		{"part return in cash", returnOf(sign, 58000, 30000, true), 0, ""},
		{"over-return", returnOf(sign, 58000, 30000, false), 13, "exceeds what is left to return"},
		{"the rest", returnOf(sign, 58000, 28000, false), 0, ""},
		{"nothing is left", returnOf(sign, 58000, 100, false), 13, "left to return"},
	}
	wrongTime := returnOf(sign, 58000, 100, false)
	wrongTime.Ticket.ParentTicket.ParentTicketDataTime = dt(saleTime.Add(time.Minute))
	steps = append(steps[:2], append([]struct {
		name     string
		req      *pb.Request
		wantCode uint32
		wantText string
	}{{"wrong parent time", wrongTime, 13, "parent_ticket_data_time"}}, steps[2:]...)...)
	for _, st := range steps {
		resp := r.do(st.req)
		if code(resp) != st.wantCode || !strings.Contains(resp.GetResult().GetResultText(), st.wantText) {
			t.Errorf("%s: code %d %q, want %d containing %q", st.name, code(resp), resp.GetResult().GetResultText(), st.wantCode, st.wantText)
		}
	}
	v, _ := s.Ledger(testID)
	if len(v.Receipts) != 3 || v.Receipts[0].Returned != 58000 || v.Receipts[1].ParentSign != sign {
		t.Errorf("ledger after returns: %+v", v.Receipts)
	}
	if v.Cash != 58000-30000 {
		t.Errorf("cash %d, want %d", v.Cash, 58000-30000)
	}
}

func TestReturnOfAnOfflineReceipt(t *testing.T) {
	s, _ := startSim(t)
	r := newReg(t, s)
	sale := cashSale()
	sale.Ticket.OfflineTicketNumber = proto.Uint32(1001)
	if c := code(r.do(sale)); c != 0 {
		t.Fatal(c)
	}
	ret := returnOf("1001", 58000, 58000, false)
	ret.Ticket.ParentTicket.ParentTicketIsOffline = proto.Bool(true)
	if resp := r.do(ret); code(resp) != 0 {
		t.Errorf("return naming the offline number: code %d %q", code(resp), resp.GetResult().GetResultText())
	}
}

func TestShiftOlderThan24Hours(t *testing.T) {
	s, clock := startSim(t)
	r := newReg(t, s)
	if c := code(r.do(cashSale())); c != 0 {
		t.Fatal(c)
	}
	clock.advance(24*time.Hour + time.Second)

	offline := cashSale()
	offline.Service.OfflinePeriod = &pb.ServiceRequest_OfflinePeriod{
		BeginTime: dt(saleTime), EndTime: dt(saleTime.Add(25 * time.Hour))}
	cases := []struct {
		name string
		req  *pb.Request
		want uint32
	}{
		{"online receipt", cashSale(), 11},
		{"online cash in", moneyPlacement(pb.MoneyPlacementEnum_MONEY_PLACEMENT_DEPOSIT, 100), 11},
		{"offline catch-up receipt", offline, 0},
		{"X report", reportReq(pb.ReportTypeEnum_REPORT_X), 0},
		{"Z report", closeShift(nil), 0},
		{"receipt in the next shift", cashSale(), 0},
	}
	for _, c := range cases {
		if resp := r.do(c.req); code(resp) != c.want {
			t.Errorf("%s: code %d %q, want %d", c.name, code(resp), resp.GetResult().GetResultText(), c.want)
		}
	}
}

// A shorter shift limit (Webkassa's 12 h): documents get 11 past it; with ShiftLimitOffline the
// offline catch-up documents too, as some OFDs do; the Z is always taken.
func TestShorterShiftLimit(t *testing.T) {
	for _, strict := range []bool{false, true} {
		s, clock := startSimWith(t, Options{ShiftLimit: 12 * time.Hour, ShiftLimitOffline: strict})
		r := newReg(t, s)
		if c := code(r.do(cashSale())); c != 0 {
			t.Fatal(c)
		}
		clock.advance(11 * time.Hour)
		if c := code(r.do(cashSale())); c != 0 {
			t.Fatalf("strict %v: a receipt within 12 h got %d", strict, c)
		}
		clock.advance(time.Hour + time.Second)
		offline := cashSale()
		offline.Service.OfflinePeriod = &pb.ServiceRequest_OfflinePeriod{
			BeginTime: dt(saleTime), EndTime: dt(saleTime.Add(13 * time.Hour))}
		catchUp := uint32(0)
		if strict {
			catchUp = 11
		}
		for _, c := range []struct {
			name string
			req  *pb.Request
			want uint32
		}{
			{"online receipt", cashSale(), 11},
			{"offline catch-up receipt", offline, catchUp},
			{"Z report", closeShift(nil), 0},
			{"receipt in the next shift", cashSale(), 0},
		} {
			if resp := r.do(c.req); code(resp) != c.want {
				t.Errorf("strict %v, %s: code %d %q, want %d", strict, c.name, code(resp), resp.GetResult().GetResultText(), c.want)
			}
		}
	}
}

// discount gives the receipt a receipt-level discount with the given taxes, paid in cash exactly.
func discount(tk *pb.TicketRequest, sum int64, taxes ...*pb.TicketRequest_Tax) {
	total := tiyn(tk.Amounts.Total) - sum
	tk.Amounts = &pb.TicketRequest_Amounts{Total: money(total), Taken: money(total), Change: money(0),
		Discount: &pb.TicketRequest_Modifier{Name: proto.String("Скидка"), Sum: money(sum), Taxes: taxes}}
	tk.Payments[0].Sum = money(total)
}

// mixedRates makes the receipt 333.33 at 16 % and 2 × 177.77 at 5 % with a 7 % receipt discount
// of 48.22, spread as 23.33 and 24.89 (the larger remainder takes the tiyn left over), which
// takes VAT(333.33) − VAT(310.00) = 45.98 − 42.76 = 3.22 and VAT(355.54) − VAT(330.65) =
// 16.93 − 15.75 = 1.18 off. The whole discount's VAT would be 6.65 and 2.30.
func mixedRates(tk *pb.TicketRequest) {
	med := commodity("Дәрі", 17777, 2000)
	med.Commodity.Taxes[0] = vatTax(5000, vat(35554, 5000))
	tk.Items = []*pb.TicketRequest_Item{commodity("Нан", 33333, 1000), med}
	tk.Amounts.Total = money(33333 + 35554)
	discount(tk, 4822, vatTax(16000, 4598-4276), vatTax(5000, 1693-1575))
}

// itemDiscount makes the receipt one 199.99 line at 16 % with an item discount of 6.66 carrying
// tax VAT tiyn.
func itemDiscount(tk *pb.TicketRequest, tax int64) {
	tk.Items = []*pb.TicketRequest_Item{commodity("Сыр", 19999, 1000), {Type: pb.TicketRequest_Item_ITEM_TYPE_DISCOUNT.Enum(),
		Discount: &pb.TicketRequest_Modifier{Name: proto.String("Скидка"), Sum: money(666), Taxes: []*pb.TicketRequest_Tax{vatTax(16000, tax)}}}}
	tk.Amounts = &pb.TicketRequest_Amounts{Total: money(19333), Taken: money(19333), Change: money(0)}
	tk.Payments[0].Sum = money(19333)
}
