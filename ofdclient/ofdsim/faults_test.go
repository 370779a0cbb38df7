package ofdsim

import (
	"errors"
	"net"
	"testing"
	"time"

	"github.com/ekassa-go/ekassa/ofdclient"
	"github.com/ekassa-go/ekassa/ofdclient/pb"
)

// TestFaultsAfterProcessing: the ledger counts the receipt, the register never gets a good
// answer, and the retry with the same TOKEN and REQNUM is replayed, not counted again.
func TestFaultsAfterProcessing(t *testing.T) {
	cases := []struct {
		fault   Fault
		wantErr error // nil: any read error
	}{
		{Fault{Kind: FaultDropAfter}, ofdclient.ErrShortFrame},
		{Fault{Kind: FaultGarbage}, ofdclient.ErrAppCode},
		{Fault{Kind: FaultTruncated}, ofdclient.ErrShortFrame},
		{Fault{Kind: FaultOversize}, ofdclient.ErrFrameTooLarge},
	}
	for _, c := range cases {
		t.Run(c.fault.String(), func(t *testing.T) {
			s, _ := startSim(t)
			s.Inject(c.fault, 1)
			frame, _, err := ofdclient.EncodeFrame(ofdclient.Header{SystemID: testID, Token: testToken, ReqNum: 1}, cashSale())
			if err != nil {
				t.Fatal(err)
			}
			if _, err := roundTrip(s.Addr(), frame); !errors.Is(err, c.wantErr) {
				t.Fatalf("read error %v, want %v", err, c.wantErr)
			}
			v, _ := s.Ledger(testID)
			if len(v.Receipts) != 1 {
				t.Fatalf("%d receipts after the fault, want 1", len(v.Receipts))
			}
			h, resp, _ := send(t, s.Addr(), testID, testToken, 1, cashSale())
			if code(resp) != 0 || resp.GetTicket().GetTicketNumber() != v.Receipts[0].FiscalSign || h.Token != v.Token {
				t.Errorf("retry: code %d sign %q token %d; ledger sign %q token %d", code(resp),
					resp.GetTicket().GetTicketNumber(), h.Token, v.Receipts[0].FiscalSign, v.Token)
			}
			v, _ = s.Ledger(testID)
			if e := v.Exchange(testToken, 1); len(v.Receipts) != 1 || e.Processed != 1 || e.Replayed != 1 {
				t.Errorf("after the retry: %d receipts, stats %+v", len(v.Receipts), e)
			}
			log := s.Log()
			if len(log) != 2 || log[0].Fault == nil || log[0].Fault.Kind != c.fault.Kind || !log[1].Replayed {
				t.Errorf("request log %+v", log)
			}
		})
	}
}

func TestFaultsBeforeProcessing(t *testing.T) {
	cases := []struct {
		name  string
		fault Fault
	}{
		{"refuse", Fault{Kind: FaultRefuse}},
		{"drop before", Fault{Kind: FaultDropBefore}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, _ := startSim(t)
			s.Inject(c.fault, 1)
			frame, _, _ := ofdclient.EncodeFrame(ofdclient.Header{SystemID: testID, Token: testToken, ReqNum: 1}, cashSale())
			if _, err := roundTrip(s.Addr(), frame); err == nil {
				t.Fatal("an answer came through the fault")
			}
			if v, _ := s.Ledger(testID); len(v.Receipts) != 0 || v.Token != testToken {
				t.Errorf("the ledger changed: %d receipts, token %d", len(v.Receipts), v.Token)
			}
			if _, resp, _ := send(t, s.Addr(), testID, testToken, 1, cashSale()); code(resp) != 0 {
				t.Errorf("retry: code %d", code(resp))
			}
			if v, _ := s.Ledger(testID); v.Exchange(testToken, 1).Replayed != 0 {
				t.Error("the retry of a request never processed was replayed")
			}
		})
	}
}

func TestInjectResult(t *testing.T) {
	s, _ := startSim(t)
	r := newReg(t, s)
	s.InjectResult(254, "maintenance", 2)
	if s.PendingFaults() != 2 {
		t.Errorf("pending %d, want 2", s.PendingFaults())
	}
	want := []uint32{254, 254, 0}
	for i, w := range want {
		resp := send1(t, s, r.token, 1)
		if code(resp) != w {
			t.Errorf("request %d: code %d, want %d", i+1, code(resp), w)
		}
	}
	s.InjectResult(255, "", 5)
	s.ClearFaults()
	if s.PendingFaults() != 0 {
		t.Error("ClearFaults left faults")
	}
}

// send1 sends the sale with the given token and REQNUM and returns the answer.
func send1(t *testing.T, s *Server, token uint32, reqNum uint16) *pb.Response {
	t.Helper()
	_, resp, _ := send(t, s.Addr(), testID, token, reqNum, cashSale())
	return resp
}

func TestDelayedAnswer(t *testing.T) {
	s, _ := startSim(t)
	s.Inject(Fault{Kind: FaultDelay, Delay: time.Minute}, 1)
	frame, _, _ := ofdclient.EncodeFrame(ofdclient.Header{SystemID: testID, Token: testToken, ReqNum: 1}, cashSale())
	conn, err := net.Dial("tcp", s.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.Write(frame)
	conn.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
	var ne net.Error
	if _, err := ofdclient.ReadFrame(conn, 0); !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("read error %v, want a timeout while the answer is delayed", err)
	}
	// The request was counted although the register gave up waiting; its retry is replayed.
	if resp := send1(t, s, testToken, 1); code(resp) != 0 {
		t.Fatal(code(resp))
	}
	if v, _ := s.Ledger(testID); len(v.Receipts) != 1 || v.Exchange(testToken, 1).Replayed != 1 {
		t.Errorf("after the delayed request and its retry: %d receipts, %+v", len(v.Receipts), v.Exchange(testToken, 1))
	}
}

func TestNetworkCut(t *testing.T) {
	s, _ := startSim(t)
	addr := s.Addr()
	if err := s.SetNetworkCut(true); err != nil {
		t.Fatal(err)
	}
	if !s.NetworkCut() {
		t.Error("NetworkCut = false after cutting")
	}
	if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		c.Close()
		t.Fatal("a connection got through the cut")
	}
	if err := s.SetNetworkCut(false); err != nil {
		t.Fatal(err)
	}
	if s.Addr() != addr {
		t.Errorf("address changed from %s to %s", addr, s.Addr())
	}
	if resp := send1(t, s, testToken, 1); code(resp) != 0 {
		t.Errorf("after the network came back: code %d", code(resp))
	}
}

// TestBadRequestFrames: what a broken client sends gets its connection closed or code 3, and
// the emulator goes on serving.
func TestBadRequestFrames(t *testing.T) {
	s, _ := startSim(t)
	big := mustHeader(headerFor(10<<20, testToken, 1))
	cases := []struct {
		name     string
		frame    []byte
		wantCode int // -1: the connection is closed without an answer
	}{
		{"garbage", []byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n"), -1},
		{"oversize header", big, -1},
		{"truncated payload", append(mustHeader(headerFor(100, testToken, 1)), 0x08, 0x01), -1},
		{"size below the header", append([]byte{0xA2, 0x81, 0xCB, 0x00, 0x05, 0, 0, 0}, make([]byte, 10)...), -1},
		{"undecodable body", append(mustHeader(headerFor(3, testToken, 1)), 0xFF, 0xFF, 0xFF), 3},
		{"no command", append(mustHeader(headerFor(2, testToken, 1)), 0x10, 0x01), 3},
	}
	for _, c := range cases {
		f, err := roundTrip(s.Addr(), c.frame)
		switch {
		case c.wantCode < 0 && err == nil:
			t.Errorf("%s: answered %x, want the connection closed", c.name, f.Payload)
		case c.wantCode >= 0 && err != nil:
			t.Errorf("%s: %v, want code %d", c.name, err, c.wantCode)
		case c.wantCode >= 0:
			resp, err := ofdclient.DecodeResponse(f.Payload)
			if err != nil || code(resp) != uint32(c.wantCode) {
				t.Errorf("%s: answer %v (%v), want code %d", c.name, resp, err, c.wantCode)
			}
		}
	}
	if resp := send1(t, s, testToken, 1); code(resp) != 0 {
		t.Errorf("a good request after the bad ones: code %d", code(resp))
	}
	if n := len(s.Log()); n != len(cases)+1 {
		t.Errorf("request log has %d entries, want %d", n, len(cases)+1)
	}
}

func TestCloseStopsServing(t *testing.T) {
	s, _ := startSim(t)
	addr := s.Addr()
	s.Inject(Fault{Kind: FaultDelay, Delay: time.Hour}, 1)
	frame, _, _ := ofdclient.EncodeFrame(ofdclient.Header{SystemID: testID, Token: testToken, ReqNum: 1}, cashSale())
	done := make(chan error, 1)
	go func() {
		_, err := roundTrip(addr, frame)
		done <- err
	}()
	for len(s.Log()) == 0 {
		time.Sleep(time.Millisecond)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err == nil {
		t.Error("the delayed exchange got an answer after Close")
	}
	if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		c.Close()
		t.Error("connected after Close")
	}
	if err := s.SetNetworkCut(true); !errors.Is(err, ErrServerClosed) {
		t.Errorf("SetNetworkCut after Close: %v", err)
	}
}
