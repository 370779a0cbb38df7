package ofdsim

import (
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/ekassa-go/ekassa/ofdclient/pb"
)

// Every fiscal request must carry the register's position with its source (2.0.3): a receipt
// without it gets 15 (a mandatory TICKET parameter missing), the others 3; nothing is counted.
func TestFiscalRequestsNeedGeoPosition(t *testing.T) {
	noGeo := func(req *pb.Request) *pb.Request { req.Service = nil; return req }
	noSource := func(req *pb.Request) *pb.Request {
		req.Service.SecurityStats.GeoPosition.Source = nil
		return req
	}
	offGlobe := func(req *pb.Request) *pb.Request {
		req.Service.SecurityStats.GeoPosition.Latitude = proto.Int32(91_000_000)
		return req
	}
	cases := []struct {
		name string
		req  *pb.Request
		code uint32
	}{
		{"receipt without position", noGeo(cashSale()), 15},
		{"receipt without source", noSource(cashSale()), 15},
		{"receipt off the globe", offGlobe(cashSale()), 13},
		{"cash in without position", noGeo(moneyPlacement(pb.MoneyPlacementEnum_MONEY_PLACEMENT_DEPOSIT, 1000)), 3},
		{"X report without position", noGeo(reportReq(pb.ReportTypeEnum_REPORT_X)), 3},
		{"Z without position", noGeo(closeShift(nil)), 3},
	}
	s, _ := startSim(t)
	r := newReg(t, s)
	for _, c := range cases {
		resp := r.do(c.req)
		if code(resp) != c.code || !strings.Contains(resp.GetResult().GetResultText(), "geo_position") {
			t.Errorf("%s: code %d %q, want %d naming geo_position", c.name, code(resp), resp.GetResult().GetResultText(), c.code)
		}
	}
	v, err := s.Ledger(testID)
	if err != nil {
		t.Fatal(err)
	}
	if len(v.Receipts) != 0 || len(v.Placements) != 0 || len(v.Shifts) != 0 {
		t.Errorf("refused requests were counted: %d receipts, %d placements, %d shifts", len(v.Receipts), len(v.Placements), len(v.Shifts))
	}
	// With the position the same receipt is fiscalised; SYSTEM and INFO need none.
	if resp := r.do(cashSale()); code(resp) != 0 {
		t.Fatalf("receipt with its position: %d %q", code(resp), resp.GetResult().GetResultText())
	}
	if resp := r.do(&pb.Request{Command: pb.CommandTypeEnum_COMMAND_SYSTEM.Enum()}); code(resp) != 0 {
		t.Errorf("SYSTEM without position: %d", code(resp))
	}
}

// An emulator of an older OFD accepts requests without a position; the registration carries the
// trading point's coordinates (Astana unless configured).
func TestAllowMissingGeoAndTradingPointCoordinates(t *testing.T) {
	s, err := New(Options{AllowMissingGeo: true}, testRegister(testID, testToken, testRNM))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(t.Context(), "127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	r := newReg(t, s)
	req := cashSale()
	req.Service = nil
	if resp := r.do(req); code(resp) != 0 {
		t.Errorf("2.0.2-style receipt: %d %q", code(resp), resp.GetResult().GetResultText())
	}
	resp := r.do(infoReq())
	pos := resp.GetService().GetRegInfo().GetPos()
	if pos.GetLatitude() != defaultLatitude || pos.GetLongitude() != defaultLongitude {
		t.Errorf("trading point %d, %d, want Astana's %d, %d", pos.GetLatitude(), pos.GetLongitude(), defaultLatitude, defaultLongitude)
	}
}
