package ofdclient

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"sync"
	"time"

	"github.com/ekassa-go/ekassa/ofdclient/pb"
)

// DefaultTimeout bounds one exchange, from dialling to the last byte of the answer, when the
// Transport does not set its own Timeout. The context's deadline applies too when earlier.
const DefaultTimeout = 10 * time.Second

// Dialer opens a connection to the OFD. *net.Dialer is one; tests and fault injection plug
// in their own.
type Dialer interface {
	DialContext(ctx context.Context, network, address string) (net.Conn, error)
}

// Transport makes protocol exchanges with an OFD: one TCP connection per request, as every
// known client does and the emulator expects (it answers once and closes). The zero value is
// ready to use; a Transport is safe for concurrent use and must not be copied after first use.
//
// Between exchanges it holds at most one connection, dialled ahead by Prepare for the next
// exchange only: a caller that knows its next request is coming (the sender draining a backlog,
// committing the last answer meanwhile) lets the TCP handshake overlap its own work. Nothing is
// written on a prepared connection before the exchange that takes it, and it carries only that
// one exchange. TCP_NODELAY is Go's default for TCP, and a request goes out in one write.
type Transport struct {
	// Dialer opens connections; nil means a plain *net.Dialer.
	Dialer Dialer
	// Timeout bounds one exchange, dial included; zero or less means DefaultTimeout.
	Timeout time.Duration
	// FrameLimit is the largest answer frame accepted, header included; zero or less means
	// DefaultFrameLimit.
	FrameLimit int

	mu    sync.Mutex
	spare *spareConn // dialled by Prepare for the next exchange; nil when none
}

// frameBuffers keeps request frames' buffers between exchanges (a backlog sends thousands).
var frameBuffers = sync.Pool{New: func() any { return new([]byte) }}

// SpareMaxAge is how long a connection Prepare dialled waits for its exchange: after that it is
// closed unused (an OFD may drop an idle connection, and a stale one would only cost a retry).
const SpareMaxAge = 500 * time.Millisecond

// spareConn is a connection being dialled, or dialled, ahead of the next exchange.
type spareConn struct {
	addr  string
	ready chan struct{} // closed when the dial is done
	conn  net.Conn      // set before ready closes; nil when the dial failed
	at    time.Time     // when the dial finished
	taken bool          // guarded by Transport.mu: an exchange or the expiry has it
}

// Preparer is an Exchanger that can open the connection of its next exchange ahead of it
// (Transport.Prepare). Callers that wrap a Transport may forward it.
type Preparer interface {
	Prepare(addr string)
}

// Prepare starts dialling addr in the background for the next Exchange to that address, and
// returns at once. It does nothing while a connection is already prepared or being dialled. A
// connection not taken within SpareMaxAge is closed; a failed dial is simply not used (the
// exchange dials as it would have).
func (t *Transport) Prepare(addr string) {
	t.mu.Lock()
	if t.spare != nil {
		t.mu.Unlock()
		return
	}
	sp := &spareConn{addr: addr, ready: make(chan struct{})}
	t.spare = sp
	t.mu.Unlock()
	timeout := t.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		conn, err := t.dialer().DialContext(ctx, "tcp", addr)
		cancel()
		if err == nil {
			sp.conn = conn
		}
		sp.at = time.Now()
		close(sp.ready)
		time.AfterFunc(SpareMaxAge, func() { t.expire(sp) })
	}()
}

// expire closes sp if no exchange took it.
func (t *Transport) expire(sp *spareConn) {
	t.mu.Lock()
	if sp.taken {
		t.mu.Unlock()
		return
	}
	sp.taken = true
	if t.spare == sp {
		t.spare = nil
	}
	t.mu.Unlock()
	if sp.conn != nil {
		sp.conn.Close()
	}
}

// takeSpare returns the prepared connection to addr, waiting for its dial to finish (bounded by
// ctx), or nil when there is none usable: none prepared, prepared for another address, its dial
// failed, or it is older than SpareMaxAge. A spare it does not use is closed.
func (t *Transport) takeSpare(ctx context.Context, addr string) net.Conn {
	t.mu.Lock()
	sp := t.spare
	if sp == nil || sp.taken {
		t.mu.Unlock()
		return nil
	}
	sp.taken = true
	t.spare = nil
	t.mu.Unlock()
	select {
	case <-sp.ready:
	case <-ctx.Done():
		go func() { // the dial ends on its own timeout; its connection is not used
			<-sp.ready
			if sp.conn != nil {
				sp.conn.Close()
			}
		}()
		return nil
	}
	if sp.conn == nil {
		return nil
	}
	if sp.addr != addr || time.Since(sp.at) > SpareMaxAge {
		sp.conn.Close()
		return nil
	}
	return sp.conn
}

// dialer returns the Dialer to use.
func (t *Transport) dialer() Dialer {
	if t.Dialer == nil {
		return &net.Dialer{}
	}
	return t.Dialer
}

// ErrMismatch: the answer does not belong to the request (another system ID, REQNUM or
// command). It is treated as a garbled answer: temporary.
var ErrMismatch = errors.New("ofdclient: answer does not match the request")

// ExchangeError is a failed exchange. Temporary says whether the failure is of the kind the
// protocol says to retry (with the same TOKEN and REQNUM) and then go offline after: the OFD
// could not be reached, the connection was reset, closed or timed out, or the answer was
// garbage, truncated, oversized or somebody else's. A request that cannot be encoded or a
// cancelled context is not temporary. A result code other than 0 is not an ExchangeError at
// all: the exchange succeeded and the caller reads the code.
type ExchangeError struct {
	// Op is the step that failed: "encode", "dial", "write", "read", "decode" or "match".
	Op string
	// Addr is the OFD's address.
	Addr string
	// Temporary reports whether retrying, and then going offline, is the answer.
	Temporary bool
	// Err is the cause: a *FrameError, a network error, a context error, ErrMismatch.
	Err error
}

// Error implements error.
func (e *ExchangeError) Error() string {
	return fmt.Sprintf("ofdclient: exchange with %s: %s: %v", e.Addr, e.Op, e.Err)
}

// Unwrap returns the cause.
func (e *ExchangeError) Unwrap() error { return e.Err }

// IsTemporary reports whether err, or an error it wraps, is an *ExchangeError marked
// temporary: a failure to retry with the same TOKEN and REQNUM, and to go offline after.
func IsTemporary(err error) bool {
	var e *ExchangeError
	return errors.As(err, &e) && e.Temporary
}

// Exchange makes one exchange with a zero Transport; see Transport.Exchange.
func Exchange(ctx context.Context, addr string, h Header, req *pb.Request) (Header, *pb.Response, error) {
	return new(Transport).Exchange(ctx, addr, h, req)
}

// Exchange sends req to the OFD at addr (host:port) with header h and returns the answer's
// header and body: it connects, writes the frame, reads the answer's header and body, and
// closes. h.SystemID, h.Token and h.ReqNum must be set by the caller (the REQNUM and TOKEN
// of a retry are the same as the first attempt's); AppCode, Size and a zero Version are
// filled in. The answer must carry the same system ID and REQNUM and the same command;
// its header's Token is the token to use next.
//
// The exchange ends at the Transport's Timeout or the context's deadline, whichever is
// first; cancelling the context closes the connection at once. Every error is an
// *ExchangeError; see IsTemporary. A timeout wraps context.DeadlineExceeded, a
// cancellation context.Canceled.
func (t *Transport) Exchange(ctx context.Context, addr string, h Header, req *pb.Request) (Header, *pb.Response, error) {
	fail := func(op string, temporary bool, err error) (Header, *pb.Response, error) {
		return Header{}, nil, &ExchangeError{Op: op, Addr: addr, Temporary: temporary, Err: err}
	}
	buf := frameBuffers.Get().(*[]byte)
	frame, sent, err := AppendEncodedFrame((*buf)[:0], h, req)
	defer func() { // the frame is written before Exchange returns, and not kept
		*buf = frame[:0]
		frameBuffers.Put(buf)
	}()
	if err != nil {
		return fail("encode", false, err)
	}
	if err := ctx.Err(); err != nil {
		return fail("dial", !errors.Is(err, context.Canceled), err)
	}

	timeout := t.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	// interrupted says why a step failed: when the context is done, its error (a
	// cancellation is the caller's choice, not temporary; a deadline is a timeout, temporary)
	// together with the step's own error. The connection's deadline is the context's, and may
	// fire a moment before the context's timer: that is the same timeout.
	interrupted := func(op string, err error) (Header, *pb.Response, error) {
		cerr := ctx.Err()
		if cerr == nil && errors.Is(err, os.ErrDeadlineExceeded) {
			cerr = context.DeadlineExceeded
		}
		if cerr != nil {
			return fail(op, !errors.Is(cerr, context.Canceled), fmt.Errorf("%w: %w", cerr, err))
		}
		return fail(op, true, err)
	}

	conn := t.takeSpare(ctx, addr)
	if conn == nil {
		var err error
		if conn, err = t.dialer().DialContext(ctx, "tcp", addr); err != nil {
			return interrupted("dial", err)
		}
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	if deadline, ok := ctx.Deadline(); ok {
		if err := conn.SetDeadline(deadline); err != nil {
			return interrupted("dial", err)
		}
	}

	if _, err := conn.Write(frame); err != nil {
		return interrupted("write", err)
	}
	answer, err := ReadFrame(conn, t.FrameLimit)
	if err != nil {
		return interrupted("read", err)
	}
	resp, err := DecodeResponse(answer.Payload)
	if err != nil {
		return fail("decode", true, err)
	}
	switch got := answer.Header; {
	case got.SystemID != sent.SystemID:
		return fail("match", true, fmt.Errorf("%w: system ID %d, sent %d", ErrMismatch, got.SystemID, sent.SystemID))
	case got.ReqNum != sent.ReqNum:
		return fail("match", true, fmt.Errorf("%w: REQNUM %d, sent %d", ErrMismatch, got.ReqNum, sent.ReqNum))
	case resp.GetCommand() != req.GetCommand():
		return fail("match", true, fmt.Errorf("%w: command %v, sent %v", ErrMismatch, resp.GetCommand(), req.GetCommand()))
	}
	return answer.Header, resp, nil
}
