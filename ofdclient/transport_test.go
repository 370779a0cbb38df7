package ofdclient

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"os"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ekassa-go/ekassa/ofdclient/pb"
)

// ofdStub is a loopback TCP listener that hands every accepted connection to a handler.
type ofdStub struct {
	addr string
}

// startStub listens on 127.0.0.1 and serves each connection with handle until the test ends;
// the cleanup closes the listener and waits for the handlers to return. Handlers that wait
// must also watch done.
func startStub(t *testing.T, handle func(conn net.Conn, done <-chan struct{})) ofdStub {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer conn.Close()
				handle(conn, done)
			}()
		}
	}()
	t.Cleanup(func() {
		close(done)
		ln.Close()
		wg.Wait()
	})
	return ofdStub{addr: ln.Addr().String()}
}

// readRequest reads and decodes one request frame, as an OFD would.
func readRequest(conn net.Conn) (Header, *pb.Request, error) {
	f, err := ReadFrame(conn, 0)
	if err != nil {
		return Header{}, nil, err
	}
	req, err := DecodeRequest(f.Payload)
	return f.Header, req, err
}

// answer builds the frame of a response to a request header, with the given token.
func answer(t testing.TB, h Header, token uint32, resp *pb.Response) []byte {
	t.Helper()
	frame, _, err := EncodeFrame(Header{SystemID: h.SystemID, Token: token, ReqNum: h.ReqNum}, resp)
	if err != nil {
		t.Error(err)
	}
	return frame
}

// okResponse is a Response with the given command and result code.
func okResponse(cmd pb.CommandTypeEnum, code uint32) *pb.Response {
	return &pb.Response{Command: cmd.Enum(), Result: &pb.Result{ResultCode: ptr(code)}}
}

// testHeader is the header the tests send.
var testHeader = Header{SystemID: 123456, Token: 987654321, ReqNum: 3}

func TestExchangeTicket(t *testing.T) {
	want := readVector(t, "ticket_req.frame")
	stub := startStub(t, func(conn net.Conn, _ <-chan struct{}) {
		got := make([]byte, len(want))
		if _, err := io.ReadFull(conn, got); err != nil {
			t.Error(err)
			return
		}
		if !bytes.Equal(got, want) {
			t.Errorf("the OFD received % x, want % x", got, want)
		}
		conn.Write(readVector(t, "ticket_resp.frame"))
	})
	h, resp, err := Exchange(context.Background(), stub.addr, testHeader, vectorRequests(t)["ticket_req"])
	if err != nil {
		t.Fatal(err)
	}
	if h.Token != 1122334455 || h.ReqNum != 3 || h.SystemID != 123456 {
		t.Errorf("answer header = %+v", h)
	}
	if resp.GetTicket().GetTicketNumber() != "1234567890" {
		t.Errorf("fiscal sign = %q", resp.GetTicket().GetTicketNumber())
	}
}

func TestExchangeRealInfoAnswer202(t *testing.T) {
	stub := startStub(t, func(conn net.Conn, _ <-chan struct{}) {
		if _, _, err := readRequest(conn); err != nil {
			t.Error(err)
			return
		}
		conn.Write(readVector(t, "real_info_resp_202.frame"))
	})
	h := Header{SystemID: 200773, Token: 26264070, ReqNum: 1}
	got, resp, err := Exchange(context.Background(), stub.addr, h, &pb.Request{Command: pb.CommandTypeEnum_COMMAND_INFO.Enum()})
	if err != nil {
		t.Fatal(err)
	}
	if got.Version != Version202 || resp.GetService().GetRegInfo().GetKkm().GetFnsKkmId() != "281948271821" {
		t.Errorf("version %d, RNM %q", got.Version, resp.GetService().GetRegInfo().GetKkm().GetFnsKkmId())
	}
}

// TestExchangeResultCodeIsNotAnError: a refusal by the OFD is an answer, not a transport failure.
func TestExchangeResultCodeIsNotAnError(t *testing.T) {
	for _, code := range []uint32{1, 2, 11, 13, 15, 254, 255, 1000} {
		stub := startStub(t, func(conn net.Conn, _ <-chan struct{}) {
			h, req, err := readRequest(conn)
			if err != nil {
				t.Error(err)
				return
			}
			conn.Write(answer(t, h, h.Token, okResponse(req.GetCommand(), code)))
		})
		req := &pb.Request{Command: pb.CommandTypeEnum_COMMAND_SYSTEM.Enum()}
		_, resp, err := Exchange(context.Background(), stub.addr, testHeader, req)
		if err != nil {
			t.Fatalf("code %d: %v", code, err)
		}
		if got := resp.GetResult().GetResultCode(); got != code {
			t.Errorf("result code = %d, want %d", got, code)
		}
	}
}

func TestExchangeTrickleCompletes(t *testing.T) {
	stub := startStub(t, func(conn net.Conn, done <-chan struct{}) {
		h, req, err := readRequest(conn)
		if err != nil {
			t.Error(err)
			return
		}
		for _, b := range answer(t, h, 42, okResponse(req.GetCommand(), 0)) {
			select {
			case <-done:
				return
			case <-time.After(time.Millisecond):
			}
			if _, err := conn.Write([]byte{b}); err != nil {
				t.Error(err)
				return
			}
		}
	})
	h, resp, err := Exchange(context.Background(), stub.addr, testHeader, &pb.Request{Command: pb.CommandTypeEnum_COMMAND_INFO.Enum()})
	if err != nil {
		t.Fatal(err)
	}
	if h.Token != 42 || resp.GetCommand() != pb.CommandTypeEnum_COMMAND_INFO {
		t.Errorf("header %+v, command %v", h, resp.GetCommand())
	}
}

// TestExchangeFailures runs one exchange against an OFD that misbehaves in one way each time,
// and checks the error's class.
func TestExchangeFailures(t *testing.T) {
	type handler = func(t *testing.T, conn net.Conn, done <-chan struct{})
	stall := func(conn net.Conn, done <-chan struct{}) { <-done }
	tests := []struct {
		name      string
		handle    handler
		timeout   time.Duration
		temporary bool
		is        []error
		op        string
	}{
		{
			name: "garbage answer",
			handle: func(t *testing.T, conn net.Conn, _ <-chan struct{}) {
				readRequest(conn)
				conn.Write([]byte("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"))
			},
			temporary: true, is: []error{ErrAppCode}, op: "read",
		},
		{
			name: "oversize answer",
			handle: func(t *testing.T, conn net.Conn, _ <-chan struct{}) {
				h, _, _ := readRequest(conn)
				hdr, _ := Header{AppCode: AppCode, Version: Version203, Size: 64 << 20, SystemID: h.SystemID, Token: h.Token, ReqNum: h.ReqNum}.MarshalBinary()
				conn.Write(hdr)
			},
			temporary: true, is: []error{ErrFrameTooLarge}, op: "read",
		},
		{
			name: "SIZE smaller than the header",
			handle: func(t *testing.T, conn net.Conn, _ <-chan struct{}) {
				readRequest(conn)
				hdr, _ := Header{AppCode: AppCode, Version: Version203, Size: 3}.MarshalBinary()
				conn.Write(hdr)
			},
			temporary: true, is: []error{ErrFrameSize}, op: "read",
		},
		{
			name: "close before answer",
			handle: func(t *testing.T, conn net.Conn, _ <-chan struct{}) {
				readRequest(conn)
			},
			temporary: true, is: []error{ErrShortFrame, io.EOF}, op: "read",
		},
		{
			name: "reset before answer",
			handle: func(t *testing.T, conn net.Conn, _ <-chan struct{}) {
				readRequest(conn)
				conn.(*net.TCPConn).SetLinger(0)
			},
			temporary: true, is: []error{syscall.ECONNRESET}, op: "read",
		},
		{
			name: "truncated answer",
			handle: func(t *testing.T, conn net.Conn, _ <-chan struct{}) {
				h, req, _ := readRequest(conn)
				frame := answer(t, h, h.Token, okResponse(req.GetCommand(), 0))
				conn.Write(frame[:len(frame)-1])
			},
			temporary: true, is: []error{ErrShortFrame, io.ErrUnexpectedEOF}, op: "read",
		},
		{
			name: "undecodable body",
			handle: func(t *testing.T, conn net.Conn, _ <-chan struct{}) {
				h, _, _ := readRequest(conn)
				conn.Write(appendFrame(t, h, []byte{0xff, 0xff, 0xff, 0xff}))
			},
			temporary: true, is: []error{ErrPayload}, op: "decode",
		},
		{
			name: "answer with another REQNUM",
			handle: func(t *testing.T, conn net.Conn, _ <-chan struct{}) {
				h, req, _ := readRequest(conn)
				h.ReqNum++
				conn.Write(answer(t, h, h.Token, okResponse(req.GetCommand(), 0)))
			},
			temporary: true, is: []error{ErrMismatch}, op: "match",
		},
		{
			name: "answer with another system ID",
			handle: func(t *testing.T, conn net.Conn, _ <-chan struct{}) {
				h, req, _ := readRequest(conn)
				h.SystemID++
				conn.Write(answer(t, h, h.Token, okResponse(req.GetCommand(), 0)))
			},
			temporary: true, is: []error{ErrMismatch}, op: "match",
		},
		{
			name: "answer to another command",
			handle: func(t *testing.T, conn net.Conn, _ <-chan struct{}) {
				h, _, _ := readRequest(conn)
				conn.Write(answer(t, h, h.Token, okResponse(pb.CommandTypeEnum_COMMAND_SYSTEM, 0)))
			},
			temporary: true, is: []error{ErrMismatch}, op: "match",
		},
		{
			name: "trickle that stalls past the deadline",
			handle: func(t *testing.T, conn net.Conn, done <-chan struct{}) {
				h, req, _ := readRequest(conn)
				conn.Write(answer(t, h, h.Token, okResponse(req.GetCommand(), 0))[:10])
				stall(conn, done)
			},
			timeout: 50 * time.Millisecond, temporary: true, is: []error{context.DeadlineExceeded}, op: "read",
		},
		{
			name: "silence past the deadline",
			handle: func(t *testing.T, conn net.Conn, done <-chan struct{}) {
				stall(conn, done)
			},
			timeout: 50 * time.Millisecond, temporary: true, is: []error{context.DeadlineExceeded}, op: "read",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stub := startStub(t, func(conn net.Conn, done <-chan struct{}) { tt.handle(t, conn, done) })
			tr := &Transport{Timeout: tt.timeout}
			req := &pb.Request{Command: pb.CommandTypeEnum_COMMAND_TICKET.Enum(), Ticket: vectorRequests(t)["ticket_req"].Ticket}
			_, resp, err := tr.Exchange(context.Background(), stub.addr, testHeader, req)
			checkExchangeError(t, err, tt.op, tt.temporary, tt.is...)
			if resp != nil {
				t.Errorf("a response with an error: %v", resp)
			}
		})
	}
}

// appendFrame frames a raw payload as an answer to h.
func appendFrame(t testing.TB, h Header, payload []byte) []byte {
	t.Helper()
	b, _, err := AppendFrame(nil, h, payload)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// checkExchangeError checks that err is an *ExchangeError of the given step and class that
// wraps every one of is.
func checkExchangeError(t *testing.T, err error, op string, temporary bool, is ...error) {
	t.Helper()
	var ee *ExchangeError
	if !errors.As(err, &ee) {
		t.Fatalf("err = %v (%T), want an *ExchangeError", err, err)
	}
	if ee.Op != op {
		t.Errorf("op = %q, want %q (%v)", ee.Op, op, err)
	}
	if IsTemporary(err) != temporary {
		t.Errorf("IsTemporary = %v, want %v (%v)", IsTemporary(err), temporary, err)
	}
	for _, target := range is {
		if !errors.Is(err, target) {
			t.Errorf("err = %v, want it to wrap %v", err, target)
		}
	}
}

func TestExchangeRefused(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	_, _, err = Exchange(context.Background(), addr, testHeader, &pb.Request{Command: pb.CommandTypeEnum_COMMAND_SYSTEM.Enum()})
	checkExchangeError(t, err, "dial", true, syscall.ECONNREFUSED)
}

func TestExchangeCancellation(t *testing.T) {
	received := make(chan struct{})
	stub := startStub(t, func(conn net.Conn, done <-chan struct{}) {
		readRequest(conn)
		close(received)
		<-done
	})
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		<-received
		cancel()
	}()
	tr := &Transport{Timeout: time.Hour} // only the cancellation can end this exchange
	_, _, err := tr.Exchange(ctx, stub.addr, testHeader, &pb.Request{Command: pb.CommandTypeEnum_COMMAND_INFO.Enum()})
	checkExchangeError(t, err, "read", false, context.Canceled)
}

func TestExchangeContextDoneBeforehand(t *testing.T) {
	tr := &Transport{Dialer: dialerFunc(func(context.Context, string, string) (net.Conn, error) {
		t.Error("dialled with a done context")
		return nil, errors.New("unreachable")
	})}
	req := &pb.Request{Command: pb.CommandTypeEnum_COMMAND_INFO.Enum()}

	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	_, _, err := tr.Exchange(cancelled, "ofd.invalid:7777", testHeader, req)
	checkExchangeError(t, err, "dial", false, context.Canceled)

	expired, cancel2 := context.WithDeadline(context.Background(), time.Unix(0, 0))
	defer cancel2()
	_, _, err = tr.Exchange(expired, "ofd.invalid:7777", testHeader, req)
	checkExchangeError(t, err, "dial", true, context.DeadlineExceeded)
}

func TestExchangeInvalidRequestIsNotSent(t *testing.T) {
	tr := &Transport{Dialer: dialerFunc(func(context.Context, string, string) (net.Conn, error) {
		t.Error("dialled for a request that cannot be encoded")
		return nil, errors.New("unreachable")
	})}
	incomplete := &pb.Request{Command: pb.CommandTypeEnum_COMMAND_TICKET.Enum(), Ticket: &pb.TicketRequest{}}
	_, _, err := tr.Exchange(context.Background(), "ofd.invalid:7777", testHeader, incomplete)
	checkExchangeError(t, err, "encode", false, ErrPayload)
}

// dialerFunc adapts a function to Dialer.
type dialerFunc func(ctx context.Context, network, addr string) (net.Conn, error)

func (f dialerFunc) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	return f(ctx, network, addr)
}

// TestExchangeCustomDialer plugs an in-memory pipe in place of TCP, as fault injection does.
func TestExchangeCustomDialer(t *testing.T) {
	var wg sync.WaitGroup
	t.Cleanup(wg.Wait)
	var dialled []string
	tr := &Transport{Dialer: dialerFunc(func(_ context.Context, network, addr string) (net.Conn, error) {
		dialled = append(dialled, network+" "+addr)
		client, server := net.Pipe()
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer server.Close()
			h, req, err := readRequest(server)
			if err != nil {
				t.Error(err)
				return
			}
			server.Write(answer(t, h, 7, okResponse(req.GetCommand(), 0)))
		}()
		return client, nil
	})}
	h, _, err := tr.Exchange(context.Background(), "xml.oofd.kz:7777", testHeader, &pb.Request{Command: pb.CommandTypeEnum_COMMAND_SYSTEM.Enum()})
	if err != nil {
		t.Fatal(err)
	}
	if h.Token != 7 || len(dialled) != 1 || dialled[0] != "tcp xml.oofd.kz:7777" {
		t.Errorf("token %d, dialled %v", h.Token, dialled)
	}
}

func TestExchangeFrameLimit(t *testing.T) {
	stub := startStub(t, func(conn net.Conn, _ <-chan struct{}) {
		readRequest(conn)
		conn.Write(readVector(t, "real_info_resp_202.frame"))
	})
	tr := &Transport{FrameLimit: 512}
	h := Header{SystemID: 200773, Token: 26264070, ReqNum: 1}
	_, _, err := tr.Exchange(context.Background(), stub.addr, h, &pb.Request{Command: pb.CommandTypeEnum_COMMAND_INFO.Enum()})
	checkExchangeError(t, err, "read", true, ErrFrameTooLarge)
}

func TestIsTemporary(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"nil", nil, false},
		{"plain error", errors.New("x"), false},
		{"frame error alone", &FrameError{Kind: ErrShortFrame}, false},
		{"temporary exchange error", &ExchangeError{Op: "read", Temporary: true, Err: io.EOF}, true},
		{"permanent exchange error", &ExchangeError{Op: "encode", Err: ErrPayload}, false},
		{"wrapped temporary", errors.Join(errors.New("sending receipt 5"), &ExchangeError{Temporary: true, Err: os.ErrDeadlineExceeded}), true},
	}
	for _, tt := range tests {
		if got := IsTemporary(tt.err); got != tt.want {
			t.Errorf("%s: IsTemporary = %v, want %v", tt.name, got, tt.want)
		}
	}
}
