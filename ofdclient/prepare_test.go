package ofdclient

import (
	"context"
	"errors"
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/ekassa-go/ekassa/ofdclient/pb"
)

// countingStub is an OFD stub that counts its connections: accepted, served (one request read
// and answered) and closed by the register without a byte.
type countingStub struct {
	addr     string
	mu       sync.Mutex
	accepted int
	served   int
	unused   int
	events   chan string // "accepted", "served", "unused"
}

func startCountingStub(t *testing.T) *countingStub {
	cs := &countingStub{events: make(chan string, 64)}
	note := func(what string, n *int) {
		cs.mu.Lock()
		*n++
		cs.mu.Unlock()
		cs.events <- what
	}
	stub := startStub(t, func(conn net.Conn, _ <-chan struct{}) {
		note("accepted", &cs.accepted)
		h, req, err := readRequest(conn)
		if errors.Is(err, io.EOF) {
			note("unused", &cs.unused)
			return
		}
		if err != nil {
			t.Error(err)
			return
		}
		conn.Write(answer(t, h, 7, okResponse(req.GetCommand(), 0)))
		note("served", &cs.served)
		// one exchange per connection: a second request on it would never be answered
		if _, _, err := readRequest(conn); !errors.Is(err, io.EOF) {
			t.Errorf("a second request on one connection: %v", err)
		}
	})
	cs.addr = stub.addr
	return cs
}

// wait waits for the stub's next event and checks it.
func (cs *countingStub) wait(t *testing.T, want string) {
	t.Helper()
	select {
	case got := <-cs.events:
		if got != want {
			t.Fatalf("the stub saw %q, want %q", got, want)
		}
	case <-time.After(10 * time.Second): // a hang, not a speed: nothing here takes this long
		t.Fatalf("the stub never saw %q", want)
	}
}

func (cs *countingStub) counts() (accepted, served, unused int) {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	return cs.accepted, cs.served, cs.unused
}

var systemRequest = &pb.Request{Command: pb.CommandTypeEnum_COMMAND_SYSTEM.Enum()}

// TestPrepareDialsTheNextExchangesConnection: a prepared connection is open before the exchange
// and carries exactly that exchange; the next exchange without Prepare dials its own.
func TestPrepareDialsTheNextExchangesConnection(t *testing.T) {
	cs := startCountingStub(t)
	tr := &Transport{}
	tr.Prepare(cs.addr)
	tr.Prepare(cs.addr) // already preparing: no second connection
	cs.wait(t, "accepted")
	if _, _, err := tr.Exchange(context.Background(), cs.addr, testHeader, systemRequest); err != nil {
		t.Fatal(err)
	}
	cs.wait(t, "served")
	if a, s, u := cs.counts(); a != 1 || s != 1 || u != 0 {
		t.Fatalf("after a prepared exchange: %d accepted, %d served, %d unused; want 1, 1, 0", a, s, u)
	}
	if _, _, err := tr.Exchange(context.Background(), cs.addr, testHeader, systemRequest); err != nil {
		t.Fatal(err)
	}
	cs.wait(t, "accepted")
	cs.wait(t, "served")
	if a, s, u := cs.counts(); a != 2 || s != 2 || u != 0 {
		t.Fatalf("after a second exchange: %d accepted, %d served, %d unused; want 2, 2, 0", a, s, u)
	}
}

// TestPreparedConnectionNotUsedElsewhere: a connection prepared for one address is closed
// unused when the exchange goes to another, and one nobody takes is closed after SpareMaxAge.
func TestPreparedConnectionNotUsedElsewhere(t *testing.T) {
	a, b := startCountingStub(t), startCountingStub(t)
	tr := &Transport{}
	tr.Prepare(a.addr)
	a.wait(t, "accepted")
	if _, _, err := tr.Exchange(context.Background(), b.addr, testHeader, systemRequest); err != nil {
		t.Fatal(err)
	}
	a.wait(t, "unused")
	b.wait(t, "accepted")
	b.wait(t, "served")

	tr.Prepare(a.addr)
	a.wait(t, "accepted")
	a.wait(t, "unused") // SpareMaxAge later
	if _, _, err := tr.Exchange(context.Background(), a.addr, testHeader, systemRequest); err != nil {
		t.Fatal(err)
	}
	a.wait(t, "accepted")
	a.wait(t, "served")
	if acc, s, u := a.counts(); acc != 3 || s != 1 || u != 2 {
		t.Fatalf("a: %d accepted, %d served, %d unused; want 3, 1, 2", acc, s, u)
	}
}

// TestPrepareFailedDialIsNotUsed: when the prepared dial fails, the exchange dials as it would
// have, and succeeds.
func TestPrepareFailedDialIsNotUsed(t *testing.T) {
	cs := startCountingStub(t)
	var mu sync.Mutex
	dials := 0
	tr := &Transport{Dialer: dialerFunc(func(ctx context.Context, network, addr string) (net.Conn, error) {
		mu.Lock()
		dials++
		first := dials == 1
		mu.Unlock()
		if first {
			return nil, errors.New("test: no route")
		}
		return (&net.Dialer{}).DialContext(ctx, network, addr)
	})}
	tr.Prepare(cs.addr)
	if _, _, err := tr.Exchange(context.Background(), cs.addr, testHeader, systemRequest); err != nil {
		t.Fatal(err)
	}
	cs.wait(t, "accepted")
	cs.wait(t, "served")
	mu.Lock()
	defer mu.Unlock()
	if dials != 2 {
		t.Fatalf("%d dials, want the failed prepared one and the exchange's own", dials)
	}
}

// TestPreparedConnectionClosedByTheOFD: an OFD that drops the prepared connection before the
// request makes that exchange fail as a temporary error (the sender retries the same TOKEN and
// REQNUM, as after any reset); the retry dials afresh and is answered.
func TestPreparedConnectionClosedByTheOFD(t *testing.T) {
	dropped := make(chan struct{})
	var mu sync.Mutex
	conns := 0
	stub := startStub(t, func(conn net.Conn, _ <-chan struct{}) {
		mu.Lock()
		conns++
		first := conns == 1
		mu.Unlock()
		if first {
			conn.Close()
			close(dropped)
			return
		}
		h, req, err := readRequest(conn)
		if err != nil {
			t.Error(err)
			return
		}
		conn.Write(answer(t, h, 7, okResponse(req.GetCommand(), 0)))
	})
	tr := &Transport{}
	tr.Prepare(stub.addr)
	<-dropped
	_, _, err := tr.Exchange(context.Background(), stub.addr, testHeader, systemRequest)
	if err == nil || !IsTemporary(err) {
		t.Fatalf("an exchange on a dropped prepared connection: %v, want a temporary error", err)
	}
	h, _, err := tr.Exchange(context.Background(), stub.addr, testHeader, systemRequest)
	if err != nil || h.Token != 7 {
		t.Fatalf("the retry: %v, token %d", err, h.Token)
	}
}
