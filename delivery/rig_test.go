package delivery_test

import (
	"context"
	"errors"
	"github.com/ekassa-go/ekassa/delivery"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"google.golang.org/protobuf/encoding/prototext"

	"github.com/ekassa-go/ekassa/kkm"
	"github.com/ekassa-go/ekassa/ofdclient"
	"github.com/ekassa-go/ekassa/ofdclient/ofdsim"
	"github.com/ekassa-go/ekassa/ofdclient/pb"
	"github.com/ekassa-go/ekassa/storage"
)

// The emulated register.
const (
	simID    = 123456
	simToken = 987654321
	simRNM   = "010101012345"
	simZNM   = "KTCD1117737127791"
	simIIN   = "960624350642"
)

// almaty is the register's zone in the tests: Kazakhstan's single time zone, UTC+5.
var almaty = time.FixedZone("ALMT", 5*3600)

// clock is a register clock the tests move by hand.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// netSwitch is an Exchanger in front of the real transport that can cut the network (every
// exchange fails before reaching the OFD), lose the next answers (the OFD processes the request
// but the register never hears back), and log every exchange decoded.
type netSwitch struct {
	inner ofdclient.Exchanger
	logf  func(format string, args ...any)

	mu       sync.Mutex
	cut      bool
	loseNext int
	sent     []sentRequest
}

// sentRequest is one exchange as the register made it.
type sentRequest struct {
	Header   ofdclient.Header
	Request  *pb.Request
	Answer   ofdclient.Header
	Response *pb.Response
	Err      error
}

var errCut = errors.New("test: network cut")

func (n *netSwitch) Exchange(ctx context.Context, addr string, h ofdclient.Header, req *pb.Request) (ofdclient.Header, *pb.Response, error) {
	n.mu.Lock()
	cut, lose := n.cut, n.loseNext > 0
	if lose {
		n.loseNext--
	}
	n.mu.Unlock()
	var rh ofdclient.Header
	var resp *pb.Response
	var err error
	if cut {
		err = &ofdclient.ExchangeError{Op: "dial", Addr: addr, Temporary: true, Err: errCut}
	} else {
		rh, resp, err = n.inner.Exchange(ctx, addr, h, req)
		if err == nil && lose {
			rh, resp, err = ofdclient.Header{}, nil, &ofdclient.ExchangeError{Op: "read", Addr: addr, Temporary: true, Err: errors.New("test: answer lost")}
		}
	}
	n.mu.Lock()
	n.sent = append(n.sent, sentRequest{Header: h, Request: req, Answer: rh, Response: resp, Err: err})
	n.mu.Unlock()
	if n.logf != nil {
		n.logf("→ %v ID=%d TOKEN=%d REQNUM=%d\n%s", req.GetCommand(), h.SystemID, h.Token, h.ReqNum, prototext.Format(req))
		if err != nil {
			n.logf("← error: %v", err)
		} else {
			n.logf("← TOKEN=%d REQNUM=%d\n%s", rh.Token, rh.ReqNum, prototext.Format(resp))
		}
	}
	return rh, resp, err
}

// Prepare forwards to the transport's (ofdclient.Preparer) while the network is up.
func (n *netSwitch) Prepare(addr string) {
	n.mu.Lock()
	cut := n.cut
	n.mu.Unlock()
	if p, ok := n.inner.(ofdclient.Preparer); ok && !cut {
		p.Prepare(addr)
	}
}

func (n *netSwitch) setCut(cut bool) { n.mu.Lock(); n.cut = cut; n.mu.Unlock() }
func (n *netSwitch) lose(k int)      { n.mu.Lock(); n.loseNext += k; n.mu.Unlock() }

// requests returns the exchanges so far.
func (n *netSwitch) requests() []sentRequest {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]sentRequest(nil), n.sent...)
}

// target is the OFD a rig talks to: the in-process emulator, or a real OFD named by OFD_ADDR,
// OFD_KKM_ID, OFD_TOKEN, OFD_RNM and OFD_ZNM.
type target struct {
	sim      *ofdsim.Server // nil for a real OFD
	addr     string
	systemID uint32
	token    uint32
}

// emulated reports whether the rig runs against the emulator (and may inspect it).
func (tg target) emulated() bool { return tg.sim != nil }

// newTarget starts an emulator, or names the real OFD from the environment.
func newTarget(t testing.TB, clk *clock, o rigOptions) target {
	t.Helper()
	if addr := os.Getenv("OFD_ADDR"); addr != "" {
		id, err1 := strconv.ParseUint(os.Getenv("OFD_KKM_ID"), 10, 32)
		token, err2 := strconv.ParseUint(os.Getenv("OFD_TOKEN"), 10, 32)
		if err := errors.Join(err1, err2); err != nil {
			t.Fatalf("OFD_KKM_ID and OFD_TOKEN must be numbers: %v", err)
		}
		return target{addr: addr, systemID: uint32(id), token: uint32(token)}
	}
	sim, err := ofdsim.New(ofdsim.Options{Clock: clk.Now, Seed: 7, IOTimeout: 5 * time.Second,
		ShiftLimit: o.shiftLimit, ShiftLimitOffline: o.shiftLimitOffline},
		ofdsim.RegisterConfig{
			ID: simID, Token: simToken, RNM: simRNM, ZNM: simZNM,
			Organisation: ofdsim.Organisation{Title: "ИП Әлімқұлова Гүлнұр", Address: "г. Астана, Ленина 33",
				AddressKZ: "Астана қ., Ленин к-сі 33", IINBIN: simIIN},
			TradingPoint: ofdsim.TradingPoint{Title: "Дүкен №1", Address: "г. Астана, Есіл ауданы"},
		})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	if err := sim.Start(ctx, "127.0.0.1:0"); err != nil {
		cancel()
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); sim.Close() })
	return target{sim: sim, addr: sim.Addr(), systemID: simID, token: simToken}
}

// rig is one register as the app runs it: a journal file, kkm's Register, and the Sender.
type rig struct {
	t       testing.TB
	ctx     context.Context
	tg      target
	clock   *clock
	net     *netSwitch
	journal *storage.Journal
	path    string
	reg     kkm.Register
	sender  *delivery.Sender
	cfg     delivery.Config
	op      kkm.Operator
}

// rigOptions tune a rig.
type rigOptions struct {
	verbose bool                                    // log every exchange decoded
	journal func(*storage.Journal) delivery.Journal // wraps the journal the Sender sees
	// The emulator's shift limit (0: 24 h) and whether it refuses offline catch-ups with 11.
	shiftLimit        time.Duration
	shiftLimitOffline bool
	// after, when set, gives the Sender its default pauses and waits them out with after (a
	// fake clock's) instead of the rig's short real ones.
	after func(d time.Duration) <-chan time.Time
	// idleCheck is the Sender's Config.IdleCheck (0: no idle checks, as the other tests run).
	idleCheck time.Duration
}

// newRig connects a fresh register (INFO), stores what the OFD said, and builds its Sender.
func newRig(t testing.TB, o rigOptions) *rig {
	t.Helper()
	clk := &clock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, almaty)}
	tg := newTarget(t, clk, o)
	r := &rig{t: t, ctx: context.Background(), tg: tg, clock: clk, op: kkm.Operator{Code: 1, Name: "Иванов И."}}
	r.net = &netSwitch{inner: &ofdclient.Transport{Timeout: 2 * time.Second}}
	if o.verbose {
		r.net.logf = t.Logf
	}
	r.path = filepath.Join(t.TempDir(), "journal.db")
	r.open(o)
	conn, err := ofdclient.Connect(r.ctx, r.net, ofdclient.ConnectParams{
		Address: tg.addr, SystemID: tg.systemID, Token: tg.token, Reqnum: r.nextReqnum(), Location: almaty,
	})
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	r.reg.Settings = kkm.Settings{
		SystemID: tg.systemID, SerialNumber: conn.Reg.ZNM, Token: conn.Token,
		VATPayer: true, DefaultVATRate: kkm.VAT16, ReceiptModifiersAllowed: true, BuyerIINBINAllowed: true,
		OfflineLimit: kkm.DefaultOfflineLimit, ShiftLimit: kkm.DefaultShiftLimit, OFDAddress: tg.addr,
		Reg: conn.Reg,
	}
	if err := r.journal.SaveSettings(r.ctx, r.reg.Settings); err != nil {
		t.Fatal(err)
	}
	l, err := r.journal.LinkState(r.ctx)
	if err != nil {
		t.Fatal(err)
	}
	l.Token = conn.Token
	if err := r.journal.SetLinkState(r.ctx, l); err != nil {
		t.Fatal(err)
	}
	r.newSender(o)
	return r
}

// open opens the journal file.
func (r *rig) open(rigOptions) {
	r.t.Helper()
	j, err := storage.Open(r.ctx, r.path)
	if err != nil {
		r.t.Fatal(err)
	}
	r.journal = j
	r.t.Cleanup(func() { j.Close() })
	st, err := j.State(r.ctx)
	if err != nil {
		r.t.Fatal(err)
	}
	r.reg.State = st
}

// rigPoint is the rig's trading point (Astana), whose position every request carries.
var rigPoint = kkm.GeoPosition{Latitude: 51_128_207, Longitude: 71_430_411}

// newSender builds the Sender on the rig's journal, as the app does at start.
func (r *rig) newSender(o rigOptions) {
	r.t.Helper()
	r.cfg = delivery.Config{
		Address:         r.tg.addr,
		Identity:        ofdclient.Identity{SystemID: r.tg.systemID, Reg: r.reg.Settings.Reg, Location: almaty, Point: &rigPoint},
		Exchanger:       r.net,
		TransactionTime: 50 * time.Millisecond,
		QuickRetries:    1,
		ExchangeTimeout: 2 * time.Second,
		RetryDelay:      time.Millisecond,
		OfflineRetry:    5 * time.Millisecond,
		MaxOfflineRetry: 20 * time.Millisecond,
		Jitter:          func(d time.Duration) time.Duration { return d },
		Now:             r.clock.Now,
	}
	if o.after != nil {
		r.cfg = delivery.Config{Address: r.cfg.Address, Identity: r.cfg.Identity, Exchanger: r.net,
			Now: r.clock.Now, After: o.after}
	}
	r.cfg.IdleCheck = o.idleCheck
	var j delivery.Journal = r.journal
	if o.journal != nil {
		j = o.journal(r.journal)
	}
	s, err := delivery.NewSender(j, r.cfg)
	if err != nil {
		r.t.Fatal(err)
	}
	r.sender = s
}

// restart simulates the app dying and starting again on the same journal file.
func (r *rig) restart(o rigOptions) {
	r.t.Helper()
	if err := r.journal.Close(); err != nil {
		r.t.Fatal(err)
	}
	r.open(o)
	r.newSender(o)
}

func (r *rig) nextReqnum() uint16 {
	r.t.Helper()
	n, err := r.journal.NextReqnum(r.ctx)
	if err != nil {
		r.t.Fatal(err)
	}
	return n
}

// offline says whether a new document is issued offline: as the app decides it, when documents
// wait in the outbox or the link is offline.
func (r *rig) offline() bool {
	r.t.Helper()
	st, err := r.journal.OutboxStats(r.ctx)
	if err != nil {
		r.t.Fatal(err)
	}
	return st.Waiting > 0 || r.sender.State().Mode == delivery.ModeOffline
}

// commit journals what kkm issued and tells the sender (Queued), exactly as the app does.
func (r *rig) commit(iss kkm.Issued, err error) []int64 {
	r.t.Helper()
	if err != nil {
		r.t.Fatalf("issue: %v", err)
	}
	seqs, err := r.journal.Commit(r.ctx, iss.Documents, iss.State)
	if err != nil {
		r.t.Fatalf("commit: %v", err)
	}
	r.reg.State = iss.State
	queued, oldest, through := 0, time.Time{}, int64(0)
	for i, d := range iss.Documents {
		if d.Kind.Fiscal() {
			if queued == 0 {
				oldest = d.Time
			}
			queued, through = queued+1, seqs[i]
		}
	}
	r.sender.Queued(queued, oldest, through)
	return seqs
}

// sale issues a receipt from a draft.
func (r *rig) receipt(d kkm.ReceiptDraft) int64 {
	r.t.Helper()
	r.clock.Advance(time.Minute)
	if st := r.sender.State(); st.OfflineLimitReached {
		r.t.Fatalf("issuing past the offline limit")
	}
	return r.commit(r.reg.IssueReceipt(d, r.op, r.clock.Now(), r.offline()))[0]
}

// bread is the sale of vectors/ticket_req: 2 × 290.00 at 16 % VAT, paid 1000.00 cash.
func bread() kkm.ReceiptDraft {
	return kkm.ReceiptDraft{
		Operation: kkm.OpSale,
		Lines:     []kkm.LineDraft{{Name: "Хлеб", Section: "1", Quantity: 2000, Unit: "796", Price: 29000, VATRate: kkm.VAT16}},
		Payments:  []kkm.Payment{{Type: kkm.PayCash, Sum: 100000}},
	}
}

// drain sends until the outbox is empty and fails the test otherwise.
func (r *rig) drain() int {
	r.t.Helper()
	n, err := r.sender.Drain(r.ctx)
	if err != nil {
		r.t.Fatalf("drain after %d documents: %v", n, err)
	}
	if w := r.sender.State().Waiting; w != 0 {
		r.t.Fatalf("drain left %d documents waiting", w)
	}
	r.sync()
	return n
}

// sync reloads the register state from the journal, as the app does when the sender set a
// refused document aside (it took the document out of the saved counters).
func (r *rig) sync() {
	r.t.Helper()
	st, err := r.journal.State(r.ctx)
	if err != nil {
		r.t.Fatal(err)
	}
	r.reg.State = st
}

// result returns the OFD's answer stored for document seq.
func (r *rig) result(seq int64) storage.FiscalResult {
	r.t.Helper()
	res, err := r.journal.FiscalResult(r.ctx, seq)
	if err != nil {
		r.t.Fatalf("fiscal result of %d: %v", seq, err)
	}
	return res
}

// ledger returns the emulator's ledger of the register.
func (r *rig) ledger() ofdsim.LedgerView {
	r.t.Helper()
	v, err := r.tg.sim.Ledger(r.tg.systemID)
	if err != nil {
		r.t.Fatal(err)
	}
	return v
}

// link returns the journal's link state.
func (r *rig) link() storage.LinkState {
	r.t.Helper()
	l, err := r.journal.LinkState(r.ctx)
	if err != nil {
		r.t.Fatal(err)
	}
	return l
}
