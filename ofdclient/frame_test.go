package ofdclient

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"

	"github.com/ekassa-go/ekassa/ofdclient/pb"
)

// readVector returns a file of testdata/vectors (copied from the project's spec/vectors).
func readVector(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "vectors", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestHeaderBytes(t *testing.T) {
	tests := []struct {
		name string
		h    Header
		hex  []byte
	}{
		{
			name: "real INFO answer of the Kazakhtelecom test OFD",
			h:    Header{AppCode: AppCode, Version: Version202, Size: 568, SystemID: 200773, Token: 26264070, ReqNum: 1},
			hex:  []byte{0xa2, 0x81, 0xca, 0x00, 0x38, 0x02, 0x00, 0x00, 0x45, 0x10, 0x03, 0x00, 0x06, 0xc2, 0x90, 0x01, 0x01, 0x00},
		},
		{
			name: "maximum values",
			h:    Header{AppCode: AppCode, Version: 0xffff, Size: 0xffffffff, SystemID: 0xffffffff, Token: 0xffffffff, ReqNum: 0xffff},
			hex:  []byte{0xa2, 0x81, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff},
		},
		{
			name: "token above 2^31",
			h:    Header{AppCode: AppCode, Version: Version203, Size: HeaderSize, SystemID: 1, Token: 2704817126, ReqNum: 65535},
			hex:  []byte{0xa2, 0x81, 0xcb, 0x00, 0x12, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0xe6, 0x3b, 0x38, 0xa1, 0xff, 0xff},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.h.MarshalBinary()
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, tt.hex) {
				t.Errorf("MarshalBinary = % x, want % x", got, tt.hex)
			}
			h, err := ParseHeader(tt.hex)
			if err != nil {
				t.Fatal(err)
			}
			if h != tt.h {
				t.Errorf("ParseHeader = %+v, want %+v", h, tt.h)
			}
		})
	}
}

func TestReadFrameVectors(t *testing.T) {
	tests := []struct {
		file    string
		payload string // the .bin or .payload file with the same bytes
		want    Header
	}{
		{"info_req.frame", "info_req.bin", Header{AppCode, Version203, 20, 123456, 987654321, 1}},
		{"system_req.frame", "system_req.bin", Header{AppCode, Version203, 62, 123456, 987654321, 2}},
		{"ticket_req.frame", "ticket_req.bin", Header{AppCode, Version203, 164, 123456, 987654321, 3}},
		{"ticket_resp.frame", "ticket_resp.bin", Header{AppCode, Version203, 122, 123456, 1122334455, 3}},
		{"real_info_resp_202.frame", "real_info_resp_202.payload", Header{AppCode, Version202, 568, 200773, 26264070, 1}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			raw := readVector(t, tt.file)
			r := bytes.NewReader(raw)
			f, err := ReadFrame(r, 0)
			if err != nil {
				t.Fatal(err)
			}
			if f.Header != tt.want {
				t.Errorf("header = %+v, want %+v", f.Header, tt.want)
			}
			if want := readVector(t, tt.payload); !bytes.Equal(f.Payload, want) {
				t.Errorf("payload differs from %s", tt.payload)
			}
			if r.Len() != 0 {
				t.Errorf("%d bytes left unread", r.Len())
			}
		})
	}
}

func TestDecodeRealInfoResponse202(t *testing.T) {
	f, err := ReadFrame(bytes.NewReader(readVector(t, "real_info_resp_202.frame")), 0)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := DecodeResponse(f.Payload)
	if err != nil {
		t.Fatal(err)
	}
	if resp.GetCommand() != pb.CommandTypeEnum_COMMAND_INFO || resp.GetResult().GetResultCode() != 0 {
		t.Errorf("command %v result %d, want COMMAND_INFO 0", resp.GetCommand(), resp.GetResult().GetResultCode())
	}
	zx := resp.GetReport().GetZxReport()
	if resp.GetReport().GetReport() != pb.ReportTypeEnum_REPORT_Z || zx.GetShiftNumber() != 1 {
		t.Errorf("report %v shift %d, want REPORT_Z shift 1", resp.GetReport().GetReport(), zx.GetShiftNumber())
	}
	when, err := TimeFromDateTime(zx.GetDateTime(), time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2023, 11, 20, 14, 7, 8, 0, time.UTC); !when.Equal(want) {
		t.Errorf("report date_time = %v, want %v", when, want)
	}
	if cash, err := TiynFromMoney(zx.GetCashSum()); err != nil || cash != 0 {
		t.Errorf("cash_sum = %d, %v; want 0", cash, err)
	}
	if rev := zx.GetRevenue(); rev.IsNegative == nil || rev.GetIsNegative() || rev.GetSum() == nil {
		t.Errorf("revenue = %v, want sum 0, is_negative false present", rev)
	}

	svc := resp.GetService()
	if ads := svc.GetTicketAds(); len(ads) != 1 || ads[0].GetInfo().GetType() != pb.TicketAdTypeEnum_TICKET_AD_OFD ||
		ads[0].GetInfo().GetVersion() != 588 || !bytes.HasPrefix([]byte(ads[0].GetText()), []byte("Фиск. чек № NULL")) {
		t.Errorf("ticket_ads = %v", ads)
	}
	reg := svc.GetRegInfo()
	checks := []struct{ field, got, want string }{
		{"kkm.fns_kkm_id (RNM)", reg.GetKkm().GetFnsKkmId(), "281948271821"},
		{"kkm.serial_number (ZNM)", reg.GetKkm().GetSerialNumber(), "KTCD1117737127791"},
		{"kkm.kkm_id", reg.GetKkm().GetKkmId(), "200773"},
		{"pos.title", reg.GetPos().GetTitle(), "TT serial"},
		{"org.title", reg.GetOrg().GetTitle(), "ИП МИЧКА ПАВЕЛ АНДРЕЕВИЧ"},
		{"org.address", reg.GetOrg().GetAddress(), "г. Астана, Ленина 33"},
		{"org.inn", reg.GetOrg().GetInn(), "960624350642"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.field, c.got, c.want)
		}
	}
	if reg.GetKkm().GetKkmId() != "200773" || f.Header.SystemID != 200773 {
		t.Errorf("header system ID %d does not match kkm_id %q", f.Header.SystemID, reg.GetKkm().GetKkmId())
	}
	// tenantId arrives as varint field 6 (2.0.2 numbering); in 2.0.3 field 6 is the string
	// address_kz, so the value must be kept as an unknown field, not fail or land in address_kz.
	org := reg.GetOrg()
	if org.AddressKz != nil || org.TenantId != nil {
		t.Errorf("address_kz = %v, tenantId = %v; want both unset", org.AddressKz, org.TenantId)
	}
	unknown := org.ProtoReflect().GetUnknown()
	if want := protowire.AppendVarint(protowire.AppendTag(nil, 6, protowire.VarintType), 1); !bytes.Equal(unknown, want) {
		t.Errorf("org unknown fields = % x, want % x (field 6 = 1)", unknown, want)
	}
	if aux := svc.GetAuxiliary(); len(aux) != 1 || aux[0].GetKey() != "validation_policy" || aux[0].GetValue() != "65535" {
		t.Errorf("auxiliary = %v", aux)
	}
	// Nothing is lost: encoding the decoded answer gives the captured bytes back.
	again, err := proto.MarshalOptions{Deterministic: true}.Marshal(resp)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(again, f.Payload) {
		t.Errorf("re-encoded payload differs from the capture")
	}
}

func TestDecodeTicketResponse(t *testing.T) {
	f, err := ReadFrame(bytes.NewReader(readVector(t, "ticket_resp.frame")), 0)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := DecodeResponse(f.Payload)
	if err != nil {
		t.Fatal(err)
	}
	if resp.GetCommand() != pb.CommandTypeEnum_COMMAND_TICKET {
		t.Errorf("command = %v", resp.GetCommand())
	}
	if code, text := resp.GetResult().GetResultCode(), resp.GetResult().GetResultText(); code != 0 || text != "OK" {
		t.Errorf("result = %d %q, want 0 OK", code, text)
	}
	if got := resp.GetTicket().GetTicketNumber(); got != "1234567890" {
		t.Errorf("ticket_number = %q", got)
	}
	if got, want := string(resp.GetTicket().GetQrCode()), "http://consumer.oofd.kz?i=1234567890&f=010101012345&s=580.00&t=20260301T123456"; got != want {
		t.Errorf("qr_code = %q, want %q", got, want)
	}
	if f.Header.Token != 1122334455 {
		t.Errorf("new token = %d, want 1122334455", f.Header.Token)
	}
}

// mustMoney is MoneyFromTiyn for amounts known to be valid.
func mustMoney(t testing.TB, tiyn int64) *pb.Money {
	t.Helper()
	m, err := MoneyFromTiyn(tiyn)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// mustDateTime is DateTimeFromTime for moments known to be valid.
func mustDateTime(t testing.TB, tm time.Time) *pb.DateTime {
	t.Helper()
	dt, err := DateTimeFromTime(tm)
	if err != nil {
		t.Fatal(err)
	}
	return dt
}

// vectorRequests builds, in Go, the content of info_req.txt, system_req.txt and ticket_req.txt.
func vectorRequests(t testing.TB) map[string]*pb.Request {
	t.Helper()
	local := time.FixedZone("Asia/Almaty", 5*3600)
	saleTime := time.Date(2026, 3, 1, 12, 34, 56, 0, local)
	return map[string]*pb.Request{
		"info_req": {Command: pb.CommandTypeEnum_COMMAND_INFO.Enum()},
		"system_req": {
			Command: pb.CommandTypeEnum_COMMAND_SYSTEM.Enum(),
			Service: &pb.ServiceRequest{OfflinePeriod: &pb.ServiceRequest_OfflinePeriod{
				BeginTime: mustDateTime(t, time.Date(2026, 3, 1, 10, 0, 0, 0, local)),
				EndTime:   mustDateTime(t, time.Date(2026, 3, 1, 12, 30, 15, 0, local)),
			}},
		},
		"ticket_req": {
			Command: pb.CommandTypeEnum_COMMAND_TICKET.Enum(),
			Ticket: &pb.TicketRequest{
				Operation: pb.OperationTypeEnum_OPERATION_SELL.Enum(),
				DateTime:  mustDateTime(t, saleTime),
				Operator:  &pb.Operator{Code: ptr[uint32](1), Name: ptr("Иванов И.")},
				Domain:    &pb.TicketRequest_Domain{Type: pb.DomainTypeEnum_DOMAIN_TRADING.Enum()},
				Items: []*pb.TicketRequest_Item{{
					Type: pb.TicketRequest_Item_ITEM_TYPE_COMMODITY.Enum(),
					Commodity: &pb.TicketRequest_Item_Commodity{
						Name:        ptr("Хлеб"),
						SectionCode: ptr("1"),
						Quantity:    ptr[uint64](2000),
						Price:       mustMoney(t, 290_00),
						Sum:         mustMoney(t, 580_00),
						Taxes: []*pb.TicketRequest_Tax{{
							TaxType:      ptr[uint32](100),
							TaxationType: ptr[uint32](101),
							Percent:      ptr[uint32](16000),
							Sum:          mustMoney(t, 80_00),
							IsInTotalSum: ptr(true),
						}},
						MeasureUnitCode: ptr("796"),
					},
				}},
				Payments: []*pb.TicketRequest_Payment{{
					Type: pb.PaymentTypeEnum_PAYMENT_CASH.Enum(),
					Sum:  mustMoney(t, 580_00),
				}},
				Amounts: &pb.TicketRequest_Amounts{
					Total:  mustMoney(t, 580_00),
					Taken:  mustMoney(t, 1000_00),
					Change: mustMoney(t, 420_00),
				},
				FrShiftNumber: ptr[uint32](1),
			},
		},
	}
}

// TestEncodeMatchesVectors proves that the client's own encoding of the vectors' content gives
// frames byte-identical to the ones made independently with protoc.
func TestEncodeMatchesVectors(t *testing.T) {
	reqs := vectorRequests(t)
	tests := []struct {
		name   string
		reqNum uint16
	}{
		{"info_req", 1},
		{"system_req", 2},
		{"ticket_req", 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := Header{SystemID: 123456, Token: 987654321, ReqNum: tt.reqNum}
			got, sent, err := EncodeFrame(h, reqs[tt.name])
			if err != nil {
				t.Fatal(err)
			}
			if want := readVector(t, tt.name+".frame"); !bytes.Equal(got, want) {
				t.Errorf("frame\n got % x\nwant % x", got, want)
			}
			if sent.Size != uint32(len(got)) || sent.AppCode != AppCode || sent.Version != Version203 {
				t.Errorf("header as sent = %+v", sent)
			}
			// And the decoder reads back what was encoded.
			back, err := DecodeRequest(got[HeaderSize:])
			if err != nil {
				t.Fatal(err)
			}
			if !proto.Equal(back, reqs[tt.name]) {
				t.Errorf("decoded request differs:\n%v\n%v", back, reqs[tt.name])
			}
		})
	}
}

func TestEncodeTicketResponseMatchesVector(t *testing.T) {
	resp := &pb.Response{
		Command: pb.CommandTypeEnum_COMMAND_TICKET.Enum(),
		Result:  &pb.Result{ResultCode: ptr[uint32](0), ResultText: ptr("OK")},
		Ticket: &pb.TicketResponse{
			TicketNumber: ptr("1234567890"),
			QrCode:       []byte("http://consumer.oofd.kz?i=1234567890&f=010101012345&s=580.00&t=20260301T123456"),
		},
	}
	got, _, err := EncodeFrame(Header{SystemID: 123456, Token: 1122334455, ReqNum: 3}, resp)
	if err != nil {
		t.Fatal(err)
	}
	if want := readVector(t, "ticket_resp.frame"); !bytes.Equal(got, want) {
		t.Errorf("frame\n got % x\nwant % x", got, want)
	}
}

func TestEncodeFrameRefusesMissingRequiredField(t *testing.T) {
	tests := []struct {
		name string
		msg  proto.Message
	}{
		{"request without command", &pb.Request{}},
		{"ticket without amounts", &pb.Request{
			Command: pb.CommandTypeEnum_COMMAND_TICKET.Enum(),
			Ticket: &pb.TicketRequest{
				Operation: pb.OperationTypeEnum_OPERATION_SELL.Enum(),
				DateTime:  mustDateTime(t, time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)),
				Operator:  &pb.Operator{Code: ptr[uint32](1)},
			},
		}},
		{"money without coins", &pb.Request{
			Command: pb.CommandTypeEnum_COMMAND_MONEY_PLACEMENT.Enum(),
			MoneyPlacement: &pb.MoneyPlacementRequest{
				Datetime:  mustDateTime(t, time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)),
				Operation: pb.MoneyPlacementEnum_MONEY_PLACEMENT_DEPOSIT.Enum(),
				Sum:       &pb.Money{Bills: ptr[uint64](5)},
			},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := EncodeFrame(Header{}, tt.msg)
			if !errors.Is(err, ErrPayload) {
				t.Fatalf("err = %v, want ErrPayload", err)
			}
		})
	}
}

// errReader fails every read with its error.
type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }

func TestReadFrameErrors(t *testing.T) {
	info := readVector(t, "info_req.frame") // 20 bytes: a 2-byte payload
	withSize := func(size uint32) []byte {
		b, _ := Header{AppCode: AppCode, Version: Version203, Size: size, SystemID: 7, Token: 8, ReqNum: 9}.MarshalBinary()
		return b
	}
	errDisk := errors.New("disk on fire")
	tests := []struct {
		name  string
		r     io.Reader
		limit int
		kind  error // nil: not a FrameError
		cause error
	}{
		{"empty stream", bytes.NewReader(nil), 0, ErrShortFrame, io.EOF},
		{"half a header", bytes.NewReader(info[:9]), 0, ErrShortFrame, io.ErrUnexpectedEOF},
		{"header without payload", bytes.NewReader(info[:HeaderSize]), 0, ErrShortFrame, io.EOF},
		{"truncated payload", bytes.NewReader(info[:HeaderSize+1]), 0, ErrShortFrame, io.ErrUnexpectedEOF},
		{"wrong app code", bytes.NewReader(append([]byte{0x81, 0xa2}, info[2:]...)), 0, ErrAppCode, nil},
		{"HTTP answer", bytes.NewReader([]byte("HTTP/1.1 400 Bad Request\r\n\r\n")), 0, ErrAppCode, nil},
		{"SIZE 0", bytes.NewReader(withSize(0)), 0, ErrFrameSize, nil},
		{"SIZE 17", bytes.NewReader(withSize(17)), 0, ErrFrameSize, nil},
		{"SIZE 4 GiB", bytes.NewReader(withSize(0xffffffff)), 0, ErrFrameTooLarge, nil},
		{"over the default limit", bytes.NewReader(withSize(DefaultFrameLimit + 1)), 0, ErrFrameTooLarge, nil},
		{"over a given limit", bytes.NewReader(info), 19, ErrFrameTooLarge, nil},
		{"reader error", errReader{errDisk}, 0, nil, errDisk},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadFrame(tt.r, tt.limit)
			if err == nil {
				t.Fatal("no error")
			}
			var fe *FrameError
			if isFrameErr := errors.As(err, &fe); isFrameErr != (tt.kind != nil) {
				t.Fatalf("err = %v (%T), FrameError %v, want %v", err, err, isFrameErr, tt.kind != nil)
			}
			if tt.kind != nil && !errors.Is(err, tt.kind) {
				t.Errorf("err = %v, want kind %v", err, tt.kind)
			}
			if tt.cause != nil && !errors.Is(err, tt.cause) {
				t.Errorf("err = %v, want cause %v", err, tt.cause)
			}
		})
	}
}

func TestReadFrameLimitBoundary(t *testing.T) {
	info := readVector(t, "info_req.frame")
	f, err := ReadFrame(bytes.NewReader(info), len(info))
	if err != nil {
		t.Fatalf("a frame exactly at the limit: %v", err)
	}
	if f.Header.Size != uint32(len(info)) {
		t.Errorf("size = %d", f.Header.Size)
	}
	empty, _, err := AppendFrame(nil, Header{SystemID: 1}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if f, err := ReadFrame(bytes.NewReader(empty), 0); err != nil || len(f.Payload) != 0 {
		t.Errorf("a header-only frame: %v, payload %d bytes", err, len(f.Payload))
	}
}

func TestWriteFrameRoundTrip(t *testing.T) {
	payloads := [][]byte{nil, {0x08, 0x05}, bytes.Repeat([]byte{0x42}, 70000)}
	for _, p := range payloads {
		var buf bytes.Buffer
		in := Header{Version: Version202, SystemID: 200773, Token: 4000000001, ReqNum: 65535}
		sent, err := WriteFrame(&buf, in, p)
		if err != nil {
			t.Fatal(err)
		}
		want := Header{AppCode: AppCode, Version: Version202, Size: uint32(HeaderSize + len(p)), SystemID: 200773, Token: 4000000001, ReqNum: 65535}
		if sent != want {
			t.Errorf("header as written = %+v, want %+v", sent, want)
		}
		f, err := ReadFrame(&buf, 0)
		if err != nil {
			t.Fatal(err)
		}
		if f.Header != want || !bytes.Equal(f.Payload, p) {
			t.Errorf("read back %+v with %d bytes, want %+v with %d", f.Header, len(f.Payload), want, len(p))
		}
	}
}

func TestDecodeErrors(t *testing.T) {
	noResult, _ := proto.Marshal(&pb.Response{Command: pb.CommandTypeEnum_COMMAND_SYSTEM.Enum()})
	tests := []struct {
		name    string
		payload []byte
		decode  func([]byte) error
	}{
		{"garbage response", []byte{0xff, 0xff, 0xff}, decodeResponseErr},
		{"empty response", nil, decodeResponseErr},
		{"response without result", noResult, decodeResponseErr},
		{"truncated response", readVector(t, "ticket_resp.bin")[:50], decodeResponseErr},
		{"garbage request", []byte{0x0a, 0x10, 0x01}, decodeRequestErr},
		{"empty request", nil, decodeRequestErr},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.decode(tt.payload)
			var fe *FrameError
			if !errors.As(err, &fe) || !errors.Is(err, ErrPayload) {
				t.Fatalf("err = %v, want a FrameError of kind ErrPayload", err)
			}
		})
	}
}

func decodeResponseErr(b []byte) error { _, err := DecodeResponse(b); return err }
func decodeRequestErr(b []byte) error  { _, err := DecodeRequest(b); return err }

// FuzzReadFrame feeds arbitrary bytes to ReadFrame: it must return a frame or a typed error,
// never panic, and a frame it returns must encode back to the bytes it was read from.
func FuzzReadFrame(f *testing.F) {
	for _, name := range []string{"info_req.frame", "system_req.frame", "ticket_req.frame", "ticket_resp.frame", "real_info_resp_202.frame"} {
		f.Add(readVector(f, name))
	}
	f.Add([]byte{})
	f.Add([]byte{0xa2, 0x81, 0xcb, 0x00, 0x11, 0x00, 0x00, 0x00})
	f.Add([]byte{0xa2, 0x81, 0xcb, 0x00, 0xff, 0xff, 0xff, 0x7f, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		const limit = 4096
		fr, err := ReadFrame(bytes.NewReader(data), limit)
		if err != nil {
			var fe *FrameError
			if !errors.As(err, &fe) {
				t.Fatalf("untyped error %T: %v", err, err)
			}
			return
		}
		if fr.Header.Size > limit || int(fr.Header.Size) != HeaderSize+len(fr.Payload) {
			t.Fatalf("header %+v with %d payload bytes", fr.Header, len(fr.Payload))
		}
		again, err := fr.Header.AppendBinary(nil)
		if err != nil {
			t.Fatal(err)
		}
		again = append(again, fr.Payload...)
		if !bytes.Equal(again, data[:fr.Header.Size]) {
			t.Fatalf("re-encoded frame % x differs from input % x", again, data[:fr.Header.Size])
		}
	})
}

// FuzzDecodeResponse feeds arbitrary payloads to DecodeResponse: a decoded response must
// survive an encode/decode round trip unchanged; anything else is a FrameError.
func FuzzDecodeResponse(f *testing.F) {
	for _, name := range []string{"ticket_resp.bin", "real_info_resp_202.payload", "info_req.bin", "system_req.bin", "ticket_req.bin"} {
		f.Add(readVector(f, name))
	}
	f.Add([]byte{0x08, 0x00, 0x12, 0x02, 0x08, 0x00})
	f.Fuzz(func(t *testing.T, payload []byte) {
		resp, err := DecodeResponse(payload)
		if err != nil {
			if !errors.Is(err, ErrPayload) {
				t.Fatalf("untyped error %T: %v", err, err)
			}
			return
		}
		b, err := proto.MarshalOptions{AllowPartial: true, Deterministic: true}.Marshal(resp)
		if err != nil {
			t.Fatalf("re-encoding a decoded response: %v", err)
		}
		back, err := DecodeResponse(b)
		if err != nil {
			t.Fatalf("decoding a re-encoded response: %v", err)
		}
		if !proto.Equal(resp, back) {
			t.Fatalf("round trip changed the response:\n%v\n%v", resp, back)
		}
	})
}

// FuzzDecodeRequest feeds arbitrary payloads to DecodeRequest, as an OFD (the emulator)
// receives them: a decoded request must survive an encode/decode round trip unchanged;
// anything else is a FrameError.
func FuzzDecodeRequest(f *testing.F) {
	for _, name := range []string{"info_req.bin", "system_req.bin", "ticket_req.bin", "ticket_resp.bin"} {
		f.Add(readVector(f, name))
	}
	f.Add([]byte{0x08, 0x64})
	f.Fuzz(func(t *testing.T, payload []byte) {
		req, err := DecodeRequest(payload)
		if err != nil {
			if !errors.Is(err, ErrPayload) {
				t.Fatalf("untyped error %T: %v", err, err)
			}
			return
		}
		b, err := proto.MarshalOptions{AllowPartial: true, Deterministic: true}.Marshal(req)
		if err != nil {
			t.Fatalf("re-encoding a decoded request: %v", err)
		}
		back, err := DecodeRequest(b)
		if err != nil {
			t.Fatalf("decoding a re-encoded request: %v", err)
		}
		if !proto.Equal(req, back) {
			t.Fatalf("round trip changed the request:\n%v\n%v", req, back)
		}
	})
}
