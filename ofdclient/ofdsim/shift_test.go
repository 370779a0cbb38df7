package ofdsim

import (
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/ekassa-go/ekassa/ofdclient/pb"
)

func TestMoneyPlacement(t *testing.T) {
	s, _ := startSim(t)
	r := newReg(t, s)
	steps := []struct {
		name     string
		op       pb.MoneyPlacementEnum
		sum      int64
		wantCode uint32
		wantCash int64
	}{
		{"cash out of an empty drawer", pb.MoneyPlacementEnum_MONEY_PLACEMENT_WITHDRAWAL, 100, 14, 0},
		{"cash in", pb.MoneyPlacementEnum_MONEY_PLACEMENT_DEPOSIT, 100000, 0, 100000},
		{"cash out", pb.MoneyPlacementEnum_MONEY_PLACEMENT_WITHDRAWAL, 40000, 0, 60000},
		{"cash out of more than the drawer holds", pb.MoneyPlacementEnum_MONEY_PLACEMENT_WITHDRAWAL, 60001, 14, 60000},
		{"zero cash in", pb.MoneyPlacementEnum_MONEY_PLACEMENT_DEPOSIT, 0, 13, 60000},
	}
	for _, st := range steps {
		before := r.token
		resp := r.do(moneyPlacement(st.op, st.sum))
		if code(resp) != st.wantCode {
			t.Errorf("%s: code %d %q, want %d", st.name, code(resp), resp.GetResult().GetResultText(), st.wantCode)
		}
		if rotated := r.token != before; rotated != (st.wantCode == 0) {
			t.Errorf("%s: token rotated = %v", st.name, rotated)
		}
		if v, _ := s.Ledger(testID); v.Cash != st.wantCash {
			t.Errorf("%s: cash %d, want %d", st.name, v.Cash, st.wantCash)
		}
	}
	v, _ := s.Ledger(testID)
	if len(v.Placements) != 2 {
		t.Errorf("%d placements, want 2", len(v.Placements))
	}
	mp := v.X.GetMoneyPlacements()
	if mp[0].GetOperationsCount() != 1 || tiyn(mp[0].GetOperationsSum()) != 100000 ||
		mp[1].GetOperationsCount() != 1 || tiyn(mp[1].GetOperationsSum()) != 40000 {
		t.Errorf("X money placements %v", mp)
	}
	// A sale return in cash is an outgoing operation too.
	sale := r.do(cashSale())
	ret := returnOf(sale.GetTicket().GetTicketNumber(), 58000, 58000, true)
	if c := code(r.do(moneyPlacement(pb.MoneyPlacementEnum_MONEY_PLACEMENT_WITHDRAWAL, 60000+58000))); c != 0 {
		t.Fatal(c)
	}
	if resp := r.do(ret); code(resp) != 14 {
		t.Errorf("cash return from an empty drawer: code %d, want 14", code(resp))
	}
}

// shiftDay runs a small shift: two sales, one with a discount and a card part, a return, a cash
// in and a cash out. It returns the X report the OFD answers.
func shiftDay(t *testing.T, r *reg) *pb.ZXReport {
	t.Helper()
	sale := r.do(cashSale())
	mixed := cashSale()
	mixed.Ticket.Amounts = &pb.TicketRequest_Amounts{Total: money(52000), Taken: money(20000), Change: money(0),
		Discount: &pb.TicketRequest_Modifier{Name: proto.String("Скидка"), Sum: money(6000),
			Taxes: []*pb.TicketRequest_Tax{vatTax(16000, 8000-7172)}}} // VAT(580.00) − VAT(520.00)
	mixed.Ticket.Payments = []*pb.TicketRequest_Payment{
		{Type: pb.PaymentTypeEnum_PAYMENT_CASH.Enum(), Sum: money(20000)},
		{Type: pb.PaymentTypeEnum_PAYMENT_CARD.Enum(), Sum: money(32000)},
	}
	for _, req := range []*pb.Request{
		mixed,
		returnOf(sale.GetTicket().GetTicketNumber(), 58000, 29000, true),
		moneyPlacement(pb.MoneyPlacementEnum_MONEY_PLACEMENT_DEPOSIT, 500000),
		moneyPlacement(pb.MoneyPlacementEnum_MONEY_PLACEMENT_WITHDRAWAL, 100000),
	} {
		if resp := r.do(req); code(resp) != 0 {
			t.Fatalf("%s: code %d %q", req.GetCommand(), code(resp), resp.GetResult().GetResultText())
		}
	}
	x := r.do(reportReq(pb.ReportTypeEnum_REPORT_X))
	if code(x) != 0 || x.GetReport().GetReport() != pb.ReportTypeEnum_REPORT_X {
		t.Fatalf("X report: %v", x)
	}
	return x.GetReport().GetZxReport()
}

func TestCounters(t *testing.T) {
	s, _ := startSim(t)
	x := shiftDay(t, newReg(t, s))
	sell, ret := x.GetTicketOperations()[2], x.GetTicketOperations()[3]
	checks := []struct {
		name      string
		got, want int64
	}{
		{"shift number", int64(x.GetShiftNumber()), 1},
		{"sales count", int64(sell.GetTicketsCount()), 2},
		{"sales sum", tiyn(sell.GetTicketsSum()), 58000 + 52000},
		{"sales cash", tiyn(sell.GetPayments()[0].GetSum()), 58000 + 20000},
		{"sales card", tiyn(sell.GetPayments()[1].GetSum()), 32000},
		{"sales discount", tiyn(sell.GetDiscountSum()), 6000},
		{"sales change", tiyn(sell.GetChangeSum()), 42000},
		{"returns sum", tiyn(ret.GetTicketsSum()), 29000},
		{"operations before discounts", tiyn(x.GetOperations()[2].GetSum()), 58000 + 58000},
		{"discounts", tiyn(x.GetDiscounts()[2].GetSum()), 6000},
		{"VAT of sales", tiyn(x.GetTaxes()[0].GetOperations()[2].GetSum()), 8000 + 7172},
		{"turnover of sales", tiyn(x.GetTaxes()[0].GetOperations()[2].GetTurnover()), 58000 + 52000},
		{"VAT of sale returns", tiyn(x.GetTaxes()[0].GetOperations()[3].GetSum()), vat(29000, 16000)},
		{"cash in the drawer", tiyn(x.GetCashSum()), 58000 + 20000 - 29000 + 500000 - 100000},
		{"revenue", tiyn(x.GetRevenue().GetSum()), 58000 + 52000 - 29000},
		{"non-nullable sales", tiyn(x.GetNonNullableSums()[2].GetSum()), 110000},
		{"section 1 sales", tiyn(x.GetSections()[0].GetOperations()[2].GetSum()), 116000},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %d, want %d", c.name, c.got, c.want)
		}
	}
	if x.GetChecksum() != Checksum(x) {
		t.Errorf("checksum %q, want %q", x.GetChecksum(), Checksum(x))
	}
}

func TestCloseShift(t *testing.T) {
	mutations := []struct {
		name     string
		mutate   func(z *pb.ZXReport)
		wantText string
	}{
		{"sales sum", func(z *pb.ZXReport) { z.TicketOperations[2].TicketsSum = money(1) }, "ticket_operations[OPERATION_SELL].tickets_sum: register 0.01, OFD 1100.00"},
		{"shift number", func(z *pb.ZXReport) { z.ShiftNumber = proto.Uint32(2) }, "shift_number"},
		{"card payments", func(z *pb.ZXReport) { z.TicketOperations[2].Payments[1].Sum = money(0) }, "payments[PAYMENT_CARD]"},
		{"cash in", func(z *pb.ZXReport) { z.MoneyPlacements[0].OperationsCount = proto.Uint32(3) }, "money_placements[MONEY_PLACEMENT_DEPOSIT].operations_count"},
		{"VAT", func(z *pb.ZXReport) { z.Taxes[0].Operations[2].Sum = money(1) }, "taxes[16000][OPERATION_SELL].sum"},
		{"cash", func(z *pb.ZXReport) { z.CashSum = money(0) }, "cash_sum"},
	}
	for _, m := range mutations {
		t.Run("mismatch in "+m.name, func(t *testing.T) {
			s, _ := startSim(t)
			r := newReg(t, s)
			z := shiftDay(t, r)
			m.mutate(z)
			resp := r.do(closeShift(z))
			if code(resp) != 13 || !strings.Contains(resp.GetResult().GetResultText(), m.wantText) {
				t.Errorf("code %d %q, want 13 naming %q", code(resp), resp.GetResult().GetResultText(), m.wantText)
			}
			if v, _ := s.Ledger(testID); v.LastZ != nil {
				t.Error("a refused Z closed the shift")
			}
		})
	}

	t.Run("agreeing counters close the shift", func(t *testing.T) {
		s, _ := startSim(t)
		r := newReg(t, s)
		z := shiftDay(t, r)
		z.CloseShiftTime = dt(saleTime)
		before := r.token
		resp := r.do(closeShift(z))
		if code(resp) != 0 || resp.GetReport().GetReport() != pb.ReportTypeEnum_REPORT_Z ||
			resp.GetReport().GetZxReport().GetShiftNumber() != 1 || resp.GetReport().GetZxReport().GetCloseShiftTime() == nil {
			t.Fatalf("close: code %d %q report %v", code(resp), resp.GetResult().GetResultText(), resp.GetReport())
		}
		if r.token == before {
			t.Error("CLOSE_SHIFT did not rotate the token")
		}
		info := r.do(infoReq())
		if info.GetReport().GetReport() != pb.ReportTypeEnum_REPORT_Z || info.GetReport().GetZxReport().GetShiftNumber() != 1 {
			t.Errorf("INFO after Z: %v", info.GetReport())
		}
		lastZ := r.do(reportReq(pb.ReportTypeEnum_REPORT_Z))
		if !proto.Equal(lastZ.GetReport().GetZxReport(), resp.GetReport().GetZxReport()) {
			t.Error("REPORT_Z is not the Z the close answered")
		}
		// The next shift is 2, a document for shift 1 is refused, and the drawer carried over.
		late := cashSale()
		late.Ticket.FrShiftNumber = proto.Uint32(1)
		if resp := r.do(late); code(resp) != 13 {
			t.Errorf("receipt for the closed shift: code %d", code(resp))
		}
		if c := code(r.do(cashSale())); c != 0 {
			t.Fatal(c)
		}
		v, _ := s.Ledger(testID)
		if v.ShiftNumber != 2 || len(v.Shifts) != 2 || !v.Shifts[1].Open || v.Shifts[0].Z == nil {
			t.Errorf("shifts %+v", v.Shifts)
		}
		if want := tiyn(z.GetCashSum()) + 58000; v.Cash != want {
			t.Errorf("cash %d, want %d carried over", v.Cash, want)
		}
	})

	t.Run("auto cash-out", func(t *testing.T) {
		s, _ := startSim(t)
		r := newReg(t, s)
		z := shiftDay(t, r)
		req := closeShift(z)
		req.CloseShift.WithdrawMoney = proto.Bool(true)
		if resp := r.do(req); code(resp) != 0 {
			t.Fatalf("close with withdraw_money: %d %q", code(resp), resp.GetResult().GetResultText())
		}
		v, _ := s.Ledger(testID)
		last := v.Placements[len(v.Placements)-1]
		if v.Cash != 0 || !last.Auto || last.Sum != tiyn(z.GetCashSum()) {
			t.Errorf("after auto cash-out: cash %d, last placement %+v", v.Cash, last)
		}
	})
}
