package ofdsim

import (
	"strings"
	"testing"

	"github.com/ekassa-go/ekassa/ofdclient/pb"
)

// Real-shaped codes: beer (01, 21 of 7, GS, 93) and the AI-less tobacco pack code.
const (
	simBeer1   = "0104870216760007" + "21" + "qKkdi11" + "\x1d" + "93" + "U3g5"
	simBeer2   = "0104870216760007" + "21" + "qKkdi12" + "\x1d" + "93" + "U3g6"
	simBeer3   = "0104870216760007" + "21" + "qKkdi13" + "\x1d" + "93" + "U3g7"
	simTobacco = "04780101164394" + "TF&csaN" + "NW1kK0tL"
)

// TestMarkedCommodities: a commodity carrying marking codes carries one per whole unit, each
// shaped like a marking code, no unit twice in a receipt; the ledger keeps the codes as sent.
func TestMarkedCommodities(t *testing.T) {
	cases := []struct {
		name   string
		stamps []string
		qty    uint64
		ok     bool
		text   string
	}{
		{"two codes for two units", []string{simBeer1, simBeer2}, 2000, true, ""},
		{"the AI-less tobacco code", []string{simTobacco, simBeer1}, 2000, true, ""},
		{"one code for two units", []string{simBeer1}, 2000, false, "1 marking codes for quantity 2.000"},
		{"three codes for two units", []string{simBeer1, simBeer2, simBeer3}, 2000, false, "3 marking codes"},
		{"codes on a fraction", []string{simBeer1, simBeer2}, 1500, false, "one code per whole unit"},
		{"the same unit twice", []string{simBeer1, simBeer1[:25] + "\x1d93ZZZZ"}, 2000, false, "twice"},
		{"an EAN-13 as a code", []string{"4870001234560", simBeer1}, 2000, false, "is not a marking code"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, _ := startSim(t)
			req := cashSale()
			req.Ticket.Items[0].Commodity.Quantity = &c.qty
			sum := int64(29000) * int64(c.qty) / 1000
			req.Ticket.Items[0].Commodity.Sum = money(sum)
			req.Ticket.Items[0].Commodity.Taxes[0].Sum = money(vat(sum, 16000))
			req.Ticket.Payments[0].Sum, req.Ticket.Amounts.Total = money(sum), money(sum)
			req.Ticket.Amounts.Change = money(100000 - sum)
			req.Ticket.Items[0].Commodity.ListExciseStamp = c.stamps
			resp := newReg(t, s).do(req)
			if c.ok {
				if code(resp) != 0 {
					t.Fatalf("code %d %q, want 0", code(resp), resp.GetResult().GetResultText())
				}
				led, err := s.Ledger(testID)
				if err != nil {
					t.Fatal(err)
				}
				got := led.Receipts[0].Request.GetItems()[0].GetCommodity().GetListExciseStamp()
				if strings.Join(got, "|") != strings.Join(c.stamps, "|") {
					t.Errorf("the ledger keeps %q, want %q", got, c.stamps)
				}
				return
			}
			if code(resp) != codeIncorrectData || !strings.Contains(resp.GetResult().GetResultText(), c.text) {
				t.Errorf("code %d %q, want 13 with %q", code(resp), resp.GetResult().GetResultText(), c.text)
			}
		})
	}
}

// TestMarkedReturn: a return gives back only units its original sold, by their codes, each once.
func TestMarkedReturn(t *testing.T) {
	s, _ := startSim(t)
	r := newReg(t, s)
	sale := cashSale()
	sale.Ticket.Items[0].Commodity.ListExciseStamp = []string{simBeer1, simBeer2}
	resp := r.do(sale)
	if code(resp) != 0 {
		t.Fatalf("sale: code %d %q", code(resp), resp.GetResult().GetResultText())
	}
	sign := resp.GetTicket().GetTicketNumber()
	back := func(stamp string) *pb.Response {
		ret := returnOf(sign, 58000, 29000, true)
		ret.Ticket.Items[0].Commodity.ListExciseStamp = []string{stamp}
		return r.do(ret)
	}
	if resp := back(simBeer3); code(resp) != codeIncorrectData || !strings.Contains(resp.GetResult().GetResultText(), "did not sell") {
		t.Errorf("a unit not sold came back: code %d %q", code(resp), resp.GetResult().GetResultText())
	}
	if resp := back(simBeer2); code(resp) != 0 {
		t.Errorf("a sold unit's return refused: code %d %q", code(resp), resp.GetResult().GetResultText())
	}
	if resp := back(simBeer2); code(resp) != codeIncorrectData || !strings.Contains(resp.GetResult().GetResultText(), "already given back") {
		t.Errorf("the same unit came back twice: code %d %q", code(resp), resp.GetResult().GetResultText())
	}
	if resp := back(simBeer1); code(resp) != 0 {
		t.Errorf("the other unit's return refused: code %d %q", code(resp), resp.GetResult().GetResultText())
	}
}
