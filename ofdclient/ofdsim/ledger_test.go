package ofdsim

import (
	"bytes"
	"regexp"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/ekassa-go/ekassa/ofdclient/pb"
)

func TestTicketIsFiscalised(t *testing.T) {
	s, _ := startSim(t)
	r := newReg(t, s)
	resp := r.do(cashSale())
	if code(resp) != 0 {
		t.Fatalf("code %d: %s", code(resp), resp.GetResult().GetResultText())
	}
	sign := resp.GetTicket().GetTicketNumber()
	if !regexp.MustCompile(`^[1-9][0-9]{9}$`).MatchString(sign) {
		t.Errorf("fiscal sign %q is not 10 digits", sign)
	}
	wantQR := "http://consumer.oofd.kz?i=" + sign + "&f=" + testRNM + "&s=580.00&t=20260301T123456"
	if got := string(resp.GetTicket().GetQrCode()); got != wantQR {
		t.Errorf("qr_code %q, want %q", got, wantQR)
	}
	if r.token == testToken || r.token < 1<<31 {
		t.Errorf("token after a receipt is %d: want a new one above 2^31", r.token)
	}
	v, err := s.Ledger(testID)
	if err != nil {
		t.Fatal(err)
	}
	if len(v.Receipts) != 1 || v.Receipts[0].FiscalSign != sign || v.Receipts[0].Total != 58000 ||
		v.Receipts[0].Token != testToken || v.Receipts[0].ReqNum != 1 {
		t.Errorf("ledger receipts %+v", v.Receipts)
	}
	if v.Token != r.token {
		t.Errorf("ledger token %d, answer token %d", v.Token, r.token)
	}
	if v.Cash != 58000 {
		t.Errorf("cash in the drawer %d, want 58000", v.Cash)
	}
	if e := v.Exchange(testToken, 1); e.Processed != 1 || e.Replayed != 0 {
		t.Errorf("exchange stats %+v", e)
	}
	// A second receipt gets another fiscal sign.
	resp2 := r.do(cashSale())
	if code(resp2) != 0 || resp2.GetTicket().GetTicketNumber() == sign {
		t.Errorf("second receipt: code %d sign %q", code(resp2), resp2.GetTicket().GetTicketNumber())
	}
}

// TestTokenRules walks the ledger rules of the fact sheet §4.1 in one register's life.
func TestTokenRules(t *testing.T) {
	s, _ := startSim(t)
	addr := s.Addr()
	sale := cashSale()

	h1, first, raw1 := send(t, addr, testID, testToken, 1, sale)
	if code(first) != 0 {
		t.Fatalf("first receipt: %d %s", code(first), first.GetResult().GetResultText())
	}
	t1 := h1.Token

	steps := []struct {
		name     string
		id       uint32
		token    uint32
		reqNum   uint16
		req      *pb.Request
		wantCode uint32
		wantTok  uint32 // 0: not checked
	}{
		{"replay of the last document", testID, testToken, 1, sale, 0, t1},
		{"same token and REQNUM, another command", testID, testToken, 1, moneyPlacement(pb.MoneyPlacementEnum_MONEY_PLACEMENT_DEPOSIT, 100), 9, testToken},
		{"new token with the previous REQNUM", testID, t1, 1, sale, 8, t1},
		{"stale token with a new REQNUM", testID, testToken, 2, sale, 2, testToken},
		{"a token never issued", testID, 42, 2, sale, 2, 42},
		{"INFO with the current token does not rotate", testID, t1, 2, infoReq(), 0, t1},
		{"INFO with a stale token", testID, testToken, 3, infoReq(), 2, 0},
		{"SYSTEM with the current token", testID, t1, 3, &pb.Request{Command: pb.CommandTypeEnum_COMMAND_SYSTEM.Enum()}, 0, t1},
		{"REPORT is answered without a token check", testID, 42, 4, reportReq(pb.ReportTypeEnum_REPORT_X), 0, 42},
		{"unknown register", 999, t1, 5, infoReq(), 1, 0},
		{"unsupported command", testID, t1, 6, &pb.Request{Command: pb.CommandTypeEnum_COMMAND_NOMENCLATURE.Enum()}, 5, 0},
	}
	for _, st := range steps {
		h, resp, raw := send(t, addr, st.id, st.token, st.reqNum, st.req)
		if code(resp) != st.wantCode {
			t.Errorf("%s: code %d (%s), want %d", st.name, code(resp), resp.GetResult().GetResultText(), st.wantCode)
		}
		if st.wantTok != 0 && h.Token != st.wantTok {
			t.Errorf("%s: answer token %d, want %d", st.name, h.Token, st.wantTok)
		}
		if st.name == "replay of the last document" && !bytes.Equal(raw, raw1) {
			t.Errorf("replay answer differs from the first answer")
		}
	}

	v, _ := s.Ledger(testID)
	if len(v.Receipts) != 1 {
		t.Errorf("%d receipts in the ledger, want 1 (the replay must not count)", len(v.Receipts))
	}
	if e := v.Exchange(testToken, 1); e.Processed != 1 || e.Replayed != 1 || e.Refused != 1 {
		t.Errorf("stats of (first token, 1): %+v, want processed 1, replayed 1, refused 1", e)
	}
	if v.Token != t1 {
		t.Errorf("token %d after refusals, want %d", v.Token, t1)
	}

	// The next document with the current token and a new REQNUM is accepted.
	h, resp, _ := send(t, addr, testID, t1, 7, sale)
	if code(resp) != 0 || h.Token == t1 {
		t.Fatalf("next receipt: code %d token %d", code(resp), h.Token)
	}
	// Only the last document replays: the first one's retry is now a stale token.
	if _, resp, _ := send(t, addr, testID, testToken, 1, sale); code(resp) != 2 {
		t.Errorf("retry of an older document: code %d, want 2", code(resp))
	}
}

func TestSetTokenResetsTheChain(t *testing.T) {
	s, _ := startSim(t)
	h, resp, _ := send(t, s.Addr(), testID, testToken, 1, cashSale())
	if code(resp) != 0 {
		t.Fatal(code(resp))
	}
	const reset = 0xF0000001
	if err := s.SetToken(testID, reset); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Token(testID); got != reset {
		t.Errorf("Token = %d, want %d", got, reset)
	}
	cases := []struct {
		name   string
		token  uint32
		reqNum uint16
		want   uint32
	}{
		{"the token issued before the reset", h.Token, 2, 2},
		{"a retry of the last document before the reset", testToken, 1, 2},
		{"the reset token", reset, 2, 0},
	}
	for _, c := range cases {
		if _, resp, _ := send(t, s.Addr(), testID, c.token, c.reqNum, cashSale()); code(resp) != c.want {
			t.Errorf("%s: code %d, want %d", c.name, code(resp), c.want)
		}
	}
	if err := s.SetToken(7, 1); err == nil {
		t.Error("SetToken of an unknown register succeeded")
	}
}

func TestEachRegisterKeepsItsOwnLedger(t *testing.T) {
	s, _ := startSim(t, testRegister(testID, testToken, testRNM), testRegister(200773, 26264070, "281948271821"))
	a := newReg(t, s)
	b := &reg{t: t, addr: s.Addr(), id: 200773, token: 26264070}
	for range 2 {
		if c := code(a.do(cashSale())); c != 0 {
			t.Fatal(c)
		}
	}
	if c := code(b.do(cashSale())); c != 0 {
		t.Fatal(c)
	}
	va, _ := s.Ledger(testID)
	vb, _ := s.Ledger(200773)
	if len(va.Receipts) != 2 || len(vb.Receipts) != 1 {
		t.Errorf("receipts: %d and %d, want 2 and 1", len(va.Receipts), len(vb.Receipts))
	}
	if !strings.Contains(vb.Receipts[0].QRCode, "&f=281948271821&") {
		t.Errorf("QR of register B %q does not carry its RNM", vb.Receipts[0].QRCode)
	}
	if _, err := s.Ledger(1); err == nil {
		t.Error("Ledger of an unknown register succeeded")
	}
}

func TestInfo(t *testing.T) {
	s, _ := startSim(t)
	r := newReg(t, s)
	resp := r.do(infoReq())
	if code(resp) != 0 {
		t.Fatal(code(resp))
	}
	if resp.GetReport().GetReport() != pb.ReportTypeEnum_REPORT_Z || resp.GetReport().GetZxReport().GetShiftNumber() != 0 {
		t.Errorf("INFO before any shift: %v", resp.GetReport())
	}
	ri := resp.GetService().GetRegInfo()
	if ri.GetKkm().GetFnsKkmId() != testRNM || ri.GetKkm().GetKkmId() != "123456" || ri.GetKkm().GetSerialNumber() == "" ||
		ri.GetOrg().GetInn() != testIIN || ri.GetOrg().GetTitle() != "ИП Әлімқұлова" || ri.GetPos().GetTitle() != "Дүкен №1" {
		t.Errorf("reg_info %v", ri)
	}
	if len(resp.GetService().GetTicketAds()) != 0 {
		t.Errorf("ticket_ads on a register not blocked: %v", resp.GetService().GetTicketAds())
	}
	if c := code(r.do(cashSale())); c != 0 {
		t.Fatal(c)
	}
	resp = r.do(infoReq())
	x := resp.GetReport().GetZxReport()
	if resp.GetReport().GetReport() != pb.ReportTypeEnum_REPORT_X || x.GetShiftNumber() != 1 ||
		tiyn(x.GetTicketOperations()[pb.OperationTypeEnum_OPERATION_SELL].GetTicketsSum()) != 58000 {
		t.Errorf("INFO with an open shift: %v", resp.GetReport())
	}
	if resp.GetService().GetLastDocumentInfo().GetFrShiftNumber() != 1 {
		t.Errorf("last_document_info %v", resp.GetService().GetLastDocumentInfo())
	}
}

func TestBlock(t *testing.T) {
	s, _ := startSim(t)
	r := newReg(t, s)
	const text = "Касса заблокирована: обратитесь в ОФД"
	if err := s.Block(testID, text); err != nil {
		t.Fatal(err)
	}
	adText := func(resp *pb.Response) string {
		for _, ad := range resp.GetService().GetTicketAds() {
			if ad.GetInfo().GetType() == pb.TicketAdTypeEnum_TICKET_AD_INFO {
				return ad.GetText()
			}
		}
		return ""
	}
	cases := []struct {
		name string
		req  *pb.Request
		want uint32
	}{
		{"INFO", infoReq(), 0},
		{"SYSTEM", &pb.Request{Command: pb.CommandTypeEnum_COMMAND_SYSTEM.Enum()}, 15},
		{"TICKET", cashSale(), 15},
		{"REPORT", reportReq(pb.ReportTypeEnum_REPORT_X), 15},
	}
	before := r.token
	for _, c := range cases {
		resp := r.do(c.req)
		if code(resp) != c.want || adText(resp) != text {
			t.Errorf("%s while blocked: code %d, info text %q", c.name, code(resp), adText(resp))
		}
	}
	if r.token != before {
		t.Error("token rotated while blocked")
	}
	if err := s.Unblock(testID); err != nil {
		t.Fatal(err)
	}
	if resp := r.do(cashSale()); code(resp) != 0 || adText(resp) != "" {
		t.Errorf("after unblock: code %d, text %q", code(resp), adText(resp))
	}
}

func TestRequestLacksRequiredField(t *testing.T) {
	s, _ := startSim(t)
	req := cashSale()
	req.Ticket.Amounts = nil // required
	b, err := proto.MarshalOptions{AllowPartial: true}.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	frame := append(mustHeader(headerFor(len(b), testToken, 1)), b...)
	f, err := roundTrip(s.Addr(), frame)
	if err != nil {
		t.Fatal(err)
	}
	resp := new(pb.Response)
	if err := proto.Unmarshal(f.Payload, resp); err != nil {
		t.Fatal(err)
	}
	if code(resp) != 3 || !strings.Contains(resp.GetResult().GetResultText(), "amounts") {
		t.Errorf("code %d %q, want 3 naming amounts", code(resp), resp.GetResult().GetResultText())
	}
}
