package delivery_test

import (
	"context"
	"errors"
	"fmt"
	"github.com/ekassa-go/ekassa/delivery"
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/ekassa-go/ekassa/ofdclient"
	"github.com/ekassa-go/ekassa/ofdclient/ofdsim"
	"github.com/ekassa-go/ekassa/ofdclient/pb"
	"github.com/ekassa-go/ekassa/storage"
)

// The fault matrix (docs/fault-matrix.md): every result code of the protocol and every way the
// network can fail, each against the register's Sender and the emulator, each ending with the
// same proof that nothing was lost and nothing counted twice (fiscalisedOnce).

// fiscalisedOnce checks the end state after a fault: the outbox is empty, every document in
// seqs has the OFD's answer, the emulator holds exactly these receipts, each once, with the fiscal
// signs the journal stored, no TOKEN/REQNUM was processed twice, and the journal's token is the
// one the emulator expects next.
func fiscalisedOnce(t *testing.T, r *rig, seqs ...int64) {
	t.Helper()
	st, err := r.journal.OutboxStats(r.ctx)
	if err != nil || st.Waiting != 0 {
		t.Fatalf("outbox %+v, %v; want drained", st, err)
	}
	v := r.ledger()
	if len(v.Receipts) != len(seqs) {
		t.Fatalf("the OFD holds %d receipts, the journal %d", len(v.Receipts), len(seqs))
	}
	for i, seq := range seqs {
		if got, want := r.result(seq).Sign, v.Receipts[i].FiscalSign; got != want {
			t.Errorf("document %d: stored fiscal sign %q, the OFD's %q (in order)", seq, got, want)
		}
	}
	for _, ex := range v.Exchanges {
		if ex.Processed > 1 {
			t.Errorf("TOKEN %d REQNUM %d processed %d times", ex.Token, ex.ReqNum, ex.Processed)
		}
	}
	if r.link().Token != v.Token {
		t.Errorf("journal token %d, the OFD expects %d", r.link().Token, v.Token)
	}
	if st := r.sender.State(); st.Mode != delivery.ModeOnline || st.Waiting != 0 {
		t.Errorf("end state %+v, want online with nothing waiting", st)
	}
}

// sameHeader checks that every TICKET request went out with the first one's TOKEN and REQNUM:
// retries reuse them, so the OFD can replay instead of counting twice.
func sameHeader(t *testing.T, r *rig) {
	t.Helper()
	var first *ofdclient.Header
	for _, q := range r.net.requests() {
		if q.Request.GetCommand() != pb.CommandTypeEnum_COMMAND_TICKET {
			continue
		}
		if first == nil {
			h := q.Header
			first = &h
			continue
		}
		if q.Header != *first {
			t.Errorf("a retry went out as %+v, the first as %+v", q.Header, *first)
		}
	}
}

// runUntilDrained runs the sender (with its pauses and probes) until the outbox is empty and
// the link online, or fails after a while.
func runUntilDrained(t *testing.T, r *rig) {
	t.Helper()
	ctx, cancel := context.WithCancel(r.ctx)
	done := make(chan error, 1)
	go func() { done <- r.sender.Run(ctx) }()
	defer func() { cancel(); <-done }()
	deadline := time.Now().Add(5 * time.Second)
	for {
		st := r.sender.State()
		if st.Mode == delivery.ModeOnline && st.Waiting == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("not drained: %+v", st)
		}
		r.sender.Wake()
		time.Sleep(5 * time.Millisecond)
	}
}

// TestFaultMatrixResultCodes answers one receipt with each result code of the protocol (fact
// sheet §3.1) and checks the state the register reaches, that nothing is counted while it is
// there, and that after the way out the receipt is fiscalised exactly once. Code 11 sets the
// document aside at once instead (refused_test.go).
func TestFaultMatrixResultCodes(t *testing.T) {
	type want struct {
		mode      delivery.Mode
		messageID string
		onlyZ     bool
	}
	blocked := func(id string) want { return want{mode: delivery.ModeBlocked, messageID: id} }
	cases := []struct {
		code uint32
		want want
	}{
		{1, blocked("err.ofd.unknown_id")},
		{2, blocked("err.ofd.invalid_token")},
		{3, blocked("err.ofd.protocol_error")},
		{4, blocked("err.ofd.protocol_error")},
		{5, blocked("err.ofd.protocol_error")},
		{6, blocked("err.ofd.refused")},
		{7, blocked("err.ofd.refused")},
		{8, blocked("err.ofd.request_number")},
		{9, blocked("err.ofd.request_number")},
		{10, blocked("err.ofd.refused")},
		{12, blocked("err.ofd.refused")},
		{13, blocked("err.ofd.incorrect_data")},
		{14, blocked("err.ofd.not_enough_cash")},
		{15, blocked("err.ofd.blocked")},
		{16, blocked("err.ofd.refused")},
		{17, blocked("err.ofd.same_taxpayer_and_customer")},
		{18, blocked("err.ofd.refused")},
		{254, want{mode: delivery.ModeOnline, messageID: "err.ofd.unavailable"}},
		{255, want{mode: delivery.ModeOnline, messageID: "err.ofd.unavailable"}},
	}
	for _, tc := range cases {
		t.Run(codeName(tc.code), func(t *testing.T) {
			t.Parallel()
			r := newRig(t, rigOptions{})
			emulatorOnly(t, r)
			r.tg.sim.InjectResult(tc.code, "injected", 1)
			seq := r.receipt(bread())
			_, err := r.sender.Drain(r.ctx)
			var re *ofdclient.ResultError
			if !errors.As(err, &re) || re.Code != tc.code || re.MessageID() != tc.want.messageID {
				t.Fatalf("drain: %v, want code %d (%s)", err, tc.code, tc.want.messageID)
			}
			st := r.sender.State()
			if st.Mode != tc.want.mode || st.OnlyZ != tc.want.onlyZ || st.Waiting != 1 {
				t.Fatalf("state %+v, want mode %v, only Z %v, 1 waiting", st, tc.want.mode, tc.want.onlyZ)
			}
			if tc.want.mode == delivery.ModeBlocked {
				if st.Block == nil || st.Block.Code != tc.code || st.Block.MessageID() != tc.want.messageID {
					t.Fatalf("block %+v", st.Block)
				}
				if _, err := r.sender.Drain(r.ctx); err == nil {
					t.Fatal("a blocked sender sent")
				}
				if link := r.link(); link.BlockedCode != tc.code {
					t.Fatalf("the block is not in the journal: %+v", link)
				}
			}
			if re.Temporary() != (tc.code >= 254) {
				t.Errorf("Temporary() = %v", re.Temporary())
			}
			if _, err := r.journal.FiscalResult(r.ctx, seq); !errors.Is(err, storage.ErrNotFound) {
				t.Fatalf("a refused document has an answer: %v", err)
			}
			if n := len(r.ledger().Receipts); n != 0 {
				t.Fatalf("the OFD counted a refused receipt: %d", n)
			}
			// The way out.
			switch tc.code {
			case 2:
				if _, err := r.sender.ChangeToken(r.ctx, r.ledger().Token); err != nil {
					t.Fatal(err)
				}
				r.drain()
			case 15:
				runUntilDrained(t, r) // probes with SYSTEM; the emulator is not blocked: it lifts
			case 254, 255:
				r.drain()
			default:
				if err := r.sender.Retry(r.ctx); err != nil {
					t.Fatal(err)
				}
				r.drain()
			}
			fiscalisedOnce(t, r, seq)
			if tc.want.mode == delivery.ModeOnline {
				// A temporary refusal is retried as the same request. A refused document (the
				// OFD did not count it) goes again as a new request after the way out.
				sameHeader(t, r)
			}
		})
	}
}

func codeName(code uint32) string { return fmt.Sprintf("code %d", code) }

// detour is an Exchanger that sends the next n exchanges to another address (a black hole, a
// trickling proxy) and the rest to the OFD.
type detour struct {
	inner ofdclient.Exchanger
	mu    sync.Mutex
	addr  string
	n     int
}

func (d *detour) Exchange(ctx context.Context, addr string, h ofdclient.Header, req *pb.Request) (ofdclient.Header, *pb.Response, error) {
	d.mu.Lock()
	if d.n > 0 {
		d.n--
		addr = d.addr
	}
	d.mu.Unlock()
	return d.inner.Exchange(ctx, addr, h, req)
}

// listen serves every connection on a loopback port with handle, until the test ends.
func listen(t *testing.T, handle func(net.Conn)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	t.Cleanup(func() { ln.Close(); wg.Wait() })
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				handle(c)
			}()
		}
	}()
	return ln.Addr().String()
}

// blackHole accepts and reads, and never answers: a timeout before the OFD saw the request.
func blackHole(t *testing.T) string {
	return listen(t, func(c net.Conn) {
		c.SetDeadline(time.Now().Add(5 * time.Second))
		io.Copy(io.Discard, c)
	})
}

// trickle forwards the request to the OFD and its answer back one byte every perByte.
func trickle(t *testing.T, ofd string, perByte time.Duration) string {
	return listen(t, func(c net.Conn) {
		c.SetDeadline(time.Now().Add(5 * time.Second))
		up, err := net.Dial("tcp", ofd)
		if err != nil {
			return
		}
		defer up.Close()
		// The request: exactly one frame.
		req, err := ofdclient.ReadFrame(c, 0)
		if err != nil {
			return
		}
		if _, err := ofdclient.WriteFrame(up, req.Header, req.Payload); err != nil {
			return
		}
		answer, _ := io.ReadAll(up)
		if tc, ok := c.(*net.TCPConn); ok {
			tc.SetNoDelay(true)
		}
		for _, b := range answer {
			time.Sleep(perByte)
			if _, err := c.Write([]byte{b}); err != nil {
				return
			}
		}
	})
}

// TestFaultMatrixNetwork: each way the network or the OFD's answer can fail. Each case issues
// a receipt, applies the fault to its first exchange(s), checks the state the register is in,
// lets the fault pass, and proves the receipt fiscalised once with the same TOKEN and REQNUM on
// every retry (a replay where the OFD had processed it).
func TestFaultMatrixNetwork(t *testing.T) {
	type setup func(t *testing.T, r *rig)
	inject := func(f ofdsim.Fault) setup {
		return func(t *testing.T, r *rig) { r.tg.sim.Inject(f, 1) }
	}
	via := func(addr func(t *testing.T, r *rig) string) setup {
		return func(t *testing.T, r *rig) {
			r.net.inner = &detour{inner: r.net.inner, addr: addr(t, r), n: 1}
		}
	}
	cases := []struct {
		name      string
		setup     setup
		processed bool // the OFD counted it before the fault: the retry must be a replay
	}{
		{"connection refused", func(t *testing.T, r *rig) {
			ln, _ := net.Listen("tcp", "127.0.0.1:0")
			addr := ln.Addr().String()
			ln.Close() // nothing listens there: a refused connection
			via(func(*testing.T, *rig) string { return addr })(t, r)
		}, false},
		{"reset on connect", inject(ofdsim.Fault{Kind: ofdsim.FaultRefuse}), false},
		{"closed before processing", inject(ofdsim.Fault{Kind: ofdsim.FaultDropBefore}), false},
		{"timeout before processing", via(func(t *testing.T, _ *rig) string { return blackHole(t) }), false},
		{"closed after processing", inject(ofdsim.Fault{Kind: ofdsim.FaultDropAfter}), true},
		{"timeout after processing", inject(ofdsim.Fault{Kind: ofdsim.FaultDelay, Delay: 400 * time.Millisecond}), true},
		{"garbage answer", inject(ofdsim.Fault{Kind: ofdsim.FaultGarbage}), true},
		{"truncated answer", inject(ofdsim.Fault{Kind: ofdsim.FaultTruncated}), true},
		{"oversize answer", inject(ofdsim.Fault{Kind: ofdsim.FaultOversize}), true},
		{"answer trickles in byte by byte, past the timeout", via(func(t *testing.T, r *rig) string {
			return trickle(t, r.tg.addr, 5*time.Millisecond)
		}), true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := newRig(t, rigOptions{})
			emulatorOnly(t, r)
			// newSender resets r.cfg, so the short timeout goes on a Sender of our own.
			r.cfg.ExchangeTimeout = 150 * time.Millisecond
			s, err := delivery.NewSender(r.journal, r.cfg)
			if err != nil {
				t.Fatal(err)
			}
			r.sender = s
			tc.setup(t, r)
			seq := r.receipt(bread())
			_, err = r.sender.Drain(r.ctx)
			var ue *ofdclient.UnreachableError
			if !errors.As(err, &ue) || !ofdclient.IsTemporary(err) || ue.MessageID() != "err.ofd.unreachable" {
				t.Fatalf("drain: %v, want a temporary *UnreachableError", err)
			}
			if st := r.sender.State(); st.Mode == delivery.ModeBlocked || st.Waiting != 1 {
				t.Fatalf("state %+v, want retrying (online or offline), not blocked, 1 waiting", st)
			}
			if got := len(r.ledger().Receipts); got != map[bool]int{false: 0, true: 1}[tc.processed] {
				t.Fatalf("the OFD holds %d receipts after the fault", got)
			}
			time.Sleep(450 * time.Millisecond) // let a delayed answer's connection end
			r.drain()
			fiscalisedOnce(t, r, seq)
			sameHeader(t, r)
			if tc.processed {
				v := r.ledger()
				if ex := v.Exchange(v.Receipts[0].Token, v.Receipts[0].ReqNum); ex.Processed != 1 || ex.Replayed < 1 {
					t.Errorf("exchange %+v, want processed once and replayed", ex)
				}
			}
		})
	}
}

// TestFaultMatrixTrickleWithinTimeout: an answer that trickles in byte by byte but ends within
// the exchange timeout is an answer: the receipt is fiscalised at the first attempt.
func TestFaultMatrixTrickleWithinTimeout(t *testing.T) {
	r := newRig(t, rigOptions{})
	emulatorOnly(t, r)
	r.net.inner = &detour{inner: r.net.inner, addr: trickle(t, r.tg.addr, time.Millisecond), n: 1}
	seq := r.receipt(bread())
	if n := r.drain(); n != 1 {
		t.Fatalf("drained %d", n)
	}
	fiscalisedOnce(t, r, seq)
	if n := len(r.net.requests()); n != 2 { // INFO at connect, then one TICKET
		t.Errorf("%d exchanges, want the receipt sent once", n)
	}
}

// TestFaultMatrixOfflineSpell: the OFD stays unreachable past the transaction time: the
// register goes offline, keeps issuing (offline numbers, offline_period), and when the OFD is
// back sends the queue in order, each once.
func TestFaultMatrixOfflineSpell(t *testing.T) {
	r := newRig(t, rigOptions{})
	emulatorOnly(t, r)
	if err := r.tg.sim.SetNetworkCut(true); err != nil { // the listener closes: refused
		t.Fatal(err)
	}
	first := r.receipt(bread())
	for i := 0; r.sender.State().Mode != delivery.ModeOffline; i++ {
		if _, err := r.sender.Drain(r.ctx); err == nil || i > 10 {
			t.Fatalf("not offline after %d attempts: %v", i, err)
		}
		r.clock.Advance(time.Second)
	}
	seqs := []int64{first}
	for range 3 {
		seqs = append(seqs, r.receipt(bread()))
	}
	for _, seq := range seqs[1:] {
		e, err := r.journal.Document(r.ctx, seq)
		if err != nil || !e.Document.Offline || e.Document.OfflineNumber == 0 {
			t.Fatalf("document %d issued while offline: %+v, %v", seq, e.Document, err)
		}
	}
	if err := r.tg.sim.SetNetworkCut(false); err != nil {
		t.Fatal(err)
	}
	if n := r.drain(); n != 4 {
		t.Fatalf("drained %d, want 4", n)
	}
	fiscalisedOnce(t, r, seqs...)
	for _, q := range r.net.requests() {
		if tk := q.Request.GetTicket(); tk != nil && q.Response != nil && tk.GetOfflineTicketNumber() != 0 &&
			q.Request.GetService().GetOfflinePeriod() == nil {
			t.Errorf("an offline receipt went out without offline_period: %+v", q.Header)
		}
	}
}
