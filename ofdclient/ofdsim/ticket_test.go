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
		{"offline receipt", func(tk *pb.TicketRequest) { tk.OfflineTicketNumber = proto.Uint32(1001) }},
		{"buyer IIN", func(tk *pb.TicketRequest) {
			tk.ExtensionOptions = &pb.TicketRequest_ExtensionOptions{CustomerIinOrBin: proto.String("880101300123")}
		}},
		{"no VAT payer", func(tk *pb.TicketRequest) { tk.Items[0].Commodity.Taxes = nil }},
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
	offline.Service = &pb.ServiceRequest{OfflinePeriod: &pb.ServiceRequest_OfflinePeriod{
		BeginTime: dt(saleTime), EndTime: dt(saleTime.Add(25 * time.Hour))}}
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
