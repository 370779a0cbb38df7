package ofdclient

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
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
// known client does. The zero value is ready to use; a Transport is safe for concurrent use
// and holds no connection between exchanges.
type Transport struct {
	// Dialer opens connections; nil means a plain *net.Dialer.
	Dialer Dialer
	// Timeout bounds one exchange, dial included; zero or less means DefaultTimeout.
	Timeout time.Duration
	// FrameLimit is the largest answer frame accepted, header included; zero or less means
	// DefaultFrameLimit.
	FrameLimit int
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
	var t Transport
	return t.Exchange(ctx, addr, h, req)
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
	frame, sent, err := EncodeFrame(h, req)
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

	dialer := t.Dialer
	if dialer == nil {
		dialer = &net.Dialer{}
	}
	conn, err := dialer.DialContext(ctx, "tcp", addr)
	if err != nil {
		return interrupted("dial", err)
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
