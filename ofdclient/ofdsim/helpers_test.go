package ofdsim

import (
	"context"
	"net"
	"sync"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/ekassa-go/ekassa/ofdclient"
	"github.com/ekassa-go/ekassa/ofdclient/pb"
)

const (
	testID    = 123456
	testToken = 987654321
	testRNM   = "010101012345"
	testIIN   = "960624350642"
)

// testClock is a clock tests move by hand.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func testRegister(id, token uint32, rnm string) RegisterConfig {
	return RegisterConfig{
		ID: id, Token: token, RNM: rnm, ZNM: "KTCD1117737127791",
		Organisation: Organisation{Title: "ИП Әлімқұлова", Address: "г. Астана, Ленина 33", IINBIN: testIIN},
		TradingPoint: TradingPoint{Title: "Дүкен №1", Address: "г. Астана, Есіл ауданы"},
	}
}

// startSim starts an emulator on loopback with one register (testID) and a hand-moved clock.
func startSim(t testing.TB, regs ...RegisterConfig) (*Server, *testClock) {
	t.Helper()
	return startSimWith(t, Options{}, regs...)
}

// startSimWith is startSim with options (the clock, seed and timeout are the test's).
func startSimWith(t testing.TB, opts Options, regs ...RegisterConfig) (*Server, *testClock) {
	t.Helper()
	clock := &testClock{t: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	if len(regs) == 0 {
		regs = []RegisterConfig{testRegister(testID, testToken, testRNM)}
	}
	opts.Clock, opts.Seed, opts.IOTimeout = clock.now, 1, 5*time.Second
	s, err := New(opts, regs...)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	if err := s.Start(ctx, "127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		s.Close()
	})
	return s, clock
}

// roundTrip sends one frame and reads one frame, as a register does: connect, write, read, close.
func roundTrip(addr string, frame []byte) (ofdclient.Frame, error) {
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return ofdclient.Frame{}, err
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := conn.Write(frame); err != nil {
		return ofdclient.Frame{}, err
	}
	// The request is whole: half-close, so a server waiting for more of a short frame sees the end.
	conn.(*net.TCPConn).CloseWrite()
	return ofdclient.ReadFrame(conn, 0)
}

// send encodes req with the header fields, exchanges it and decodes the answer.
func send(t testing.TB, addr string, id, token uint32, reqNum uint16, req *pb.Request) (ofdclient.Header, *pb.Response, []byte) {
	t.Helper()
	frame, _, err := ofdclient.EncodeFrame(ofdclient.Header{SystemID: id, Token: token, ReqNum: reqNum}, req)
	if err != nil {
		t.Fatalf("encoding: %v", err)
	}
	f, err := roundTrip(addr, frame)
	if err != nil {
		t.Fatalf("exchange: %v", err)
	}
	resp, err := ofdclient.DecodeResponse(f.Payload)
	if err != nil {
		t.Fatalf("decoding the answer: %v", err)
	}
	if f.Header.ReqNum != reqNum || f.Header.SystemID != id {
		t.Fatalf("answer header %+v does not echo ID %d and REQNUM %d", f.Header, id, reqNum)
	}
	if resp.GetCommand() != req.GetCommand() {
		t.Fatalf("answer command %s to %s", resp.GetCommand(), req.GetCommand())
	}
	return f.Header, resp, append(mustHeader(f.Header), f.Payload...)
}

func mustHeader(h ofdclient.Header) []byte {
	b, err := h.MarshalBinary()
	if err != nil {
		panic(err)
	}
	return b
}

// reg is a minimal register for tests: it keeps the token and REQNUM as a real one must.
type reg struct {
	t      testing.TB
	addr   string
	id     uint32
	token  uint32
	reqNum uint16
}

func newReg(t testing.TB, s *Server) *reg {
	return &reg{t: t, addr: s.Addr(), id: testID, token: testToken}
}

// do sends req with the next REQNUM and keeps the answer's token.
func (r *reg) do(req *pb.Request) *pb.Response {
	r.t.Helper()
	r.reqNum++
	h, resp, _ := send(r.t, r.addr, r.id, r.token, r.reqNum, req)
	r.token = h.Token
	return resp
}

func code(resp *pb.Response) uint32 { return resp.GetResult().GetResultCode() }

func money(t int64) *pb.Money { return wireMoney(t) }

func dt(t time.Time) *pb.DateTime { return wireTime(t) }

var saleTime = time.Date(2026, 3, 1, 12, 34, 56, 0, time.UTC)

// commodity is a commodity line with 16 % VAT included.
func commodity(name string, priceTiyn int64, qty uint64) *pb.TicketRequest_Item {
	sum := priceTiyn * int64(qty) / 1000
	return &pb.TicketRequest_Item{
		Type: pb.TicketRequest_Item_ITEM_TYPE_COMMODITY.Enum(),
		Commodity: &pb.TicketRequest_Item_Commodity{
			Name: proto.String(name), SectionCode: proto.String("1"), Quantity: proto.Uint64(qty),
			Price: money(priceTiyn), Sum: money(sum), MeasureUnitCode: proto.String("796"),
			Taxes: []*pb.TicketRequest_Tax{{TaxType: proto.Uint32(100), TaxationType: proto.Uint32(101),
				Percent: proto.Uint32(16000), Sum: money(vat(sum, 16000)), IsInTotalSum: proto.Bool(true)}},
		},
	}
}

// vatTax is a tax entry of VAT at percent thousandths of a percent, included in the sum.
func vatTax(percent uint32, sum int64) *pb.TicketRequest_Tax {
	return &pb.TicketRequest_Tax{TaxType: proto.Uint32(100), TaxationType: proto.Uint32(101),
		Percent: proto.Uint32(percent), Sum: money(sum), IsInTotalSum: proto.Bool(true)}
}

// geoService is the service block of a fiscal request: the register's position (Almaty, by GPS).
func geoService() *pb.ServiceRequest {
	return &pb.ServiceRequest{SecurityStats: &pb.ServiceRequest_SecurityStats{
		GeoPosition: &pb.ServiceRequest_SecurityStats_GeoPosition{
			Latitude: proto.Int32(43_238_949), Longitude: proto.Int32(76_889_709), Source: proto.String("GPS")}}}
}

// cashSale is the fact sheet's vector receipt: 2 × 290.00 = 580.00, cash 1000.00, change 420.00.
func cashSale() *pb.Request {
	return &pb.Request{
		Command: pb.CommandTypeEnum_COMMAND_TICKET.Enum(),
		Service: geoService(),
		Ticket: &pb.TicketRequest{
			Operation: pb.OperationTypeEnum_OPERATION_SELL.Enum(),
			DateTime:  dt(saleTime),
			Operator:  &pb.Operator{Code: proto.Uint32(1), Name: proto.String("Иванов И.")},
			Domain:    &pb.TicketRequest_Domain{Type: pb.DomainTypeEnum_DOMAIN_TRADING.Enum()},
			Items:     []*pb.TicketRequest_Item{commodity("Хлеб", 29000, 2000)},
			Payments:  []*pb.TicketRequest_Payment{{Type: pb.PaymentTypeEnum_PAYMENT_CASH.Enum(), Sum: money(58000)}},
			Amounts:   &pb.TicketRequest_Amounts{Total: money(58000), Taken: money(100000), Change: money(42000)},
		},
	}
}

// returnOf is a sale return of amount tiyn naming the receipt with the given fiscal sign.
func returnOf(sign string, parentTotal, amount int64, cash bool) *pb.Request {
	req := cashSale()
	tk := req.Ticket
	tk.Operation = pb.OperationTypeEnum_OPERATION_SELL_RETURN.Enum()
	tk.Items = []*pb.TicketRequest_Item{commodity("Хлеб", amount, 1000)}
	tk.Amounts = &pb.TicketRequest_Amounts{Total: money(amount)}
	tk.Payments = []*pb.TicketRequest_Payment{{Type: pb.PaymentTypeEnum_PAYMENT_CARD.Enum(), Sum: money(amount)}}
	if cash {
		tk.Payments[0].Type = pb.PaymentTypeEnum_PAYMENT_CASH.Enum()
		tk.Amounts.Taken, tk.Amounts.Change = money(amount), money(0)
	}
	tk.ParentTicket = &pb.TicketRequest_ParentTicket{
		ParentTicketNumber: proto.String(sign), ParentTicketDataTime: dt(saleTime), KgdKkmId: proto.String(testRNM),
		ParentTicketTotal: money(parentTotal), ParentTicketIsOffline: proto.Bool(false),
	}
	return req
}

func moneyPlacement(op pb.MoneyPlacementEnum, sum int64) *pb.Request {
	return &pb.Request{
		Command: pb.CommandTypeEnum_COMMAND_MONEY_PLACEMENT.Enum(),
		Service: geoService(),
		MoneyPlacement: &pb.MoneyPlacementRequest{
			Datetime: dt(saleTime), Operation: op.Enum(), Sum: money(sum),
			Operator: &pb.Operator{Code: proto.Uint32(1)},
		},
	}
}

func infoReq() *pb.Request { return &pb.Request{Command: pb.CommandTypeEnum_COMMAND_INFO.Enum()} }

func reportReq(typ pb.ReportTypeEnum) *pb.Request {
	return &pb.Request{Command: pb.CommandTypeEnum_COMMAND_REPORT.Enum(), Service: geoService(),
		Report: &pb.ReportRequest{Report: typ.Enum(), DateTime: dt(saleTime)}}
}

func closeShift(z *pb.ZXReport) *pb.Request {
	return &pb.Request{Command: pb.CommandTypeEnum_COMMAND_CLOSE_SHIFT.Enum(), Service: geoService(),
		CloseShift: &pb.CloseShiftRequest{CloseTime: dt(saleTime.Add(time.Hour)), ZReport: z,
			Operator: &pb.Operator{Code: proto.Uint32(1)}}}
}

// headerFor is a request header for a payload of n bytes to the test register.
func headerFor(n int, token uint32, reqNum uint16) ofdclient.Header {
	return ofdclient.Header{AppCode: ofdclient.AppCode, Version: ofdclient.Version203, Size: uint32(ofdclient.HeaderSize + n),
		SystemID: testID, Token: token, ReqNum: reqNum}
}
