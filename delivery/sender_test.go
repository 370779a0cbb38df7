package delivery_test

import (
	"context"
	"errors"
	"github.com/ekassa-go/ekassa/delivery"
	"sync"
	"testing"
	"time"

	"github.com/ekassa-go/ekassa/kkm"
	"github.com/ekassa-go/ekassa/ofdclient"
	"github.com/ekassa-go/ekassa/ofdclient/ofdsim"
	"github.com/ekassa-go/ekassa/ofdclient/pb"
	"github.com/ekassa-go/ekassa/storage"
)

// crashingJournal loses the next CompleteAndAssignNext, as a process killed between receiving
// the OFD's answer and committing it would.
type crashingJournal struct {
	delivery.Journal
	crash bool
}

var errKilled = errors.New("test: process killed")

func (c *crashingJournal) CompleteAndAssignNext(ctx context.Context, seq int64, r storage.FiscalResult, token uint32, offlineBegin time.Time) (*storage.OutboxEntry, error) {
	if c.crash {
		c.crash = false
		return nil, errKilled
	}
	return c.Journal.CompleteAndAssignNext(ctx, seq, r, token, offlineBegin)
}

// emulatorOnly skips a test that needs the emulator's fault injection and inspection.
func emulatorOnly(t *testing.T, r *rig) {
	t.Helper()
	if !r.tg.emulated() {
		t.Skip("needs the emulator")
	}
}

// TestCrashBetweenSendAndStore: the app dies after the OFD counted the receipt but before the
// answer was committed; a fresh Sender on the same journal file sends the same TOKEN and REQNUM,
// the OFD replays, and holds the receipt once.
func TestCrashBetweenSendAndStore(t *testing.T) {
	cj := &crashingJournal{crash: true}
	r := newRig(t, rigOptions{journal: func(j *storage.Journal) delivery.Journal { cj.Journal = j; return cj }})
	emulatorOnly(t, r)
	seq := r.receipt(bread())
	if _, err := r.sender.Drain(r.ctx); !errors.Is(err, errKilled) {
		t.Fatalf("drain: %v, want the simulated kill", err)
	}
	r.restart(rigOptions{})
	r.drain()
	reqs := r.net.requests()
	a, b := reqs[len(reqs)-2], reqs[len(reqs)-1]
	if a.Header != b.Header {
		t.Fatalf("after the restart the request went out as %+v, first as %+v", b.Header, a.Header)
	}
	v := r.ledger()
	if len(v.Receipts) != 1 {
		t.Fatalf("the OFD holds %d receipts, want 1", len(v.Receipts))
	}
	ex := v.Exchange(a.Header.Token, a.Header.ReqNum)
	if ex.Processed != 1 || ex.Replayed != 1 {
		t.Errorf("processed %d, replayed %d; want 1 and 1", ex.Processed, ex.Replayed)
	}
	if got := r.result(seq).Sign; got != v.Receipts[0].FiscalSign {
		t.Errorf("stored fiscal sign %q, the OFD's %q", got, v.Receipts[0].FiscalSign)
	}
	if r.link().Token != v.Token {
		t.Errorf("journal token %d, the OFD expects %d", r.link().Token, v.Token)
	}
}

// TestTransientFaults: every temporary failure is retried with the same TOKEN and REQNUM until
// the receipt is fiscalised once.
func TestTransientFaults(t *testing.T) {
	cases := []struct {
		name  string
		fault ofdsim.Fault
		times int
	}{
		{"254 then OK", ofdsim.Fault{Kind: ofdsim.FaultResult, Code: 254, Text: "busy"}, 1},
		{"255 twice", ofdsim.Fault{Kind: ofdsim.FaultResult, Code: 255}, 2},
		{"lost answer", ofdsim.Fault{Kind: ofdsim.FaultDropAfter}, 1},
		{"refused connection", ofdsim.Fault{Kind: ofdsim.FaultRefuse}, 1},
		{"garbage answer", ofdsim.Fault{Kind: ofdsim.FaultGarbage}, 1},
		{"truncated answer", ofdsim.Fault{Kind: ofdsim.FaultTruncated}, 1},
		{"oversize answer", ofdsim.Fault{Kind: ofdsim.FaultOversize}, 1},
		{"timeout", ofdsim.Fault{Kind: ofdsim.FaultDelay, Delay: 300 * time.Millisecond}, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t, rigOptions{})
			emulatorOnly(t, r)
			r.cfg.ExchangeTimeout = 100 * time.Millisecond
			r.newSender(rigOptions{})
			seq := r.receipt(bread())
			r.tg.sim.Inject(tc.fault, tc.times)
			var last error
			for i := 0; i <= tc.times; i++ {
				if _, last = r.sender.Drain(r.ctx); last == nil {
					break
				}
				var re *ofdclient.ResultError
				var ue *ofdclient.UnreachableError
				if !errors.As(last, &re) && !errors.As(last, &ue) {
					t.Fatalf("attempt %d: %v is neither a refusal nor unreachable", i+1, last)
				}
			}
			if last != nil {
				t.Fatalf("not sent after %d faults: %v", tc.times, last)
			}
			time.Sleep(350 * time.Millisecond) // let a delayed answer's connection finish
			v := r.ledger()
			if len(v.Receipts) != 1 || r.result(seq).Sign != v.Receipts[0].FiscalSign {
				t.Fatalf("the OFD holds %d receipts; stored %+v", len(v.Receipts), r.result(seq))
			}
			first := r.net.requests()[1].Header
			for _, q := range r.net.requests()[1:] {
				if q.Header != first {
					t.Errorf("a retry went out as %+v, the first as %+v", q.Header, first)
				}
			}
		})
	}
}

// TestInvalidTokenBlocksUntilNewToken: code 2 stops the queue until the cashier enters the token
// the OFD cabinet gave; then the waiting receipt goes out with it and is fiscalised.
func TestInvalidTokenBlocksUntilNewToken(t *testing.T) {
	r := newRig(t, rigOptions{})
	emulatorOnly(t, r)
	const fresh = 4000000123
	if err := r.tg.sim.SetToken(simID, fresh); err != nil {
		t.Fatal(err)
	}
	seq := r.receipt(bread())
	_, err := r.sender.Drain(r.ctx)
	var re *ofdclient.ResultError
	if !errors.As(err, &re) || re.Code != 2 || re.MessageID() != "err.ofd.invalid_token" {
		t.Fatalf("drain: %v, want code 2", err)
	}
	st := r.sender.State()
	if st.Mode != delivery.ModeBlocked || st.Block.Code != 2 || st.Waiting != 1 {
		t.Fatalf("state %+v", st)
	}
	if _, err := r.sender.Drain(r.ctx); err == nil {
		t.Fatal("a blocked sender sent")
	}
	if _, err := r.sender.ChangeToken(r.ctx, 12345); !isCode(err, 2) {
		t.Fatalf("a wrong new token: %v, want code 2", err)
	}
	if _, err := r.sender.ChangeToken(r.ctx, fresh); err != nil {
		t.Fatal(err)
	}
	r.drain()
	if r.result(seq).Sign == "" || r.sender.State().Mode != delivery.ModeOnline {
		t.Fatalf("not fiscalised after the new token: %+v", r.sender.State())
	}
	// The resend is a new request: the new token and a REQNUM after the INFO that checked it,
	// not the refused request's REQNUM with another token (which an OFD answers with code 8).
	hs := ticketHeaders(r)
	refused, resent := hs[len(hs)-2], hs[len(hs)-1]
	if resent.Token != fresh || resent.ReqNum == refused.ReqNum || resent.ReqNum != r.link().LastReqnum {
		t.Errorf("resent as TOKEN %d REQNUM %d (refused: TOKEN %d REQNUM %d; the journal's last REQNUM %d)",
			resent.Token, resent.ReqNum, refused.Token, refused.ReqNum, r.link().LastReqnum)
	}
}

func isCode(err error, code uint32) bool {
	var re *ofdclient.ResultError
	return errors.As(err, &re) && re.Code == code
}

// TestServerBlock: code 15 blocks with the OFD's info text; the sender probes with SYSTEM and
// carries on when the OFD lifts the block.
func TestServerBlock(t *testing.T) {
	r := newRig(t, rigOptions{})
	emulatorOnly(t, r)
	const text = "Касса заблокирована: обратитесь в ОФД"
	if err := r.tg.sim.Block(simID, text); err != nil {
		t.Fatal(err)
	}
	seq := r.receipt(bread())
	if _, err := r.sender.Drain(r.ctx); !isCode(err, 15) {
		t.Fatalf("drain: %v, want code 15", err)
	}
	st := r.sender.State()
	if st.Mode != delivery.ModeBlocked || st.Block.Info != text || st.Block.MessageID() != "err.ofd.blocked" {
		t.Fatalf("state %+v, want blocked with the OFD's text", st)
	}
	ctx, cancel := context.WithCancel(r.ctx)
	defer cancel()
	changes := make(chan delivery.State, 64)
	defer r.sender.Subscribe(func(s delivery.State) {
		select {
		case changes <- s:
		default:
		}
	})()
	done := make(chan error, 1)
	go func() { done <- r.sender.Run(ctx) }()
	time.Sleep(30 * time.Millisecond) // a few probes, all refused
	if r.sender.State().Mode != delivery.ModeBlocked {
		t.Fatal("left the block while the OFD still blocks")
	}
	if err := r.tg.sim.Unblock(simID); err != nil {
		t.Fatal(err)
	}
	deadline := time.After(5 * time.Second)
	for st := r.sender.State(); st.Mode != delivery.ModeOnline || st.Waiting != 0; st = r.sender.State() {
		select {
		case <-changes:
		case <-deadline:
			t.Fatalf("still %+v after the OFD lifted the block", st)
		}
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("Run: %v", err)
	}
	if r.result(seq).Sign == "" {
		t.Fatal("the receipt was not sent after the block")
	}
	system := 0
	for _, q := range r.net.requests() {
		if q.Request.GetCommand().String() == "COMMAND_SYSTEM" && q.Request.GetService().GetRegInfo_() != nil {
			system++
		}
	}
	if system == 0 {
		t.Error("no COMMAND_SYSTEM probe with reg_info")
	}
}

// TestOfflineLimit: a clock carried past 72 hours offline refuses new documents (the app's
// kkm.CheckOfflineLimit with the outbox's oldest); once the queue drains the register works again.
func TestOfflineLimit(t *testing.T) {
	r := newRig(t, rigOptions{})
	r.reg.Settings.ShiftLimit = 96 * time.Hour // one shift spans the whole spell
	r.net.setCut(true)
	r.receipt(bread())
	for i := 0; r.sender.State().Mode != delivery.ModeOffline; i++ {
		if _, err := r.sender.Drain(r.ctx); err == nil || i > 5 {
			t.Fatalf("not offline: %v", err)
		}
	}
	r.clock.Advance(71 * time.Hour)
	r.receipt(bread()) // still within the limit
	if err := r.sender.Refresh(r.ctx); err != nil {
		t.Fatal(err)
	}
	if st := r.sender.State(); st.OfflineLimitReached || st.OfflineLeft > time.Hour || st.Waiting != 2 {
		t.Fatalf("at 71 h: %+v", st)
	}
	r.clock.Advance(2 * time.Hour)
	st := r.sender.State()
	if !st.OfflineLimitReached || st.OfflineLeft != 0 {
		t.Fatalf("at 73 h: %+v, want the limit reached", st)
	}
	stats, err := r.journal.OutboxStats(r.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := kkm.CheckOfflineLimit(stats.OldestQueued, r.clock.Now(), kkm.DefaultOfflineLimit); !errors.Is(err, kkm.ErrOfflineLimit) {
		t.Fatalf("kkm lets the register issue past the limit: %v", err)
	}
	r.net.setCut(false)
	if n := r.drain(); n != 2 {
		t.Fatalf("drained %d, want 2", n)
	}
	st = r.sender.State()
	if st.OfflineLimitReached || st.Mode != delivery.ModeOnline || st.OfflineLeft != kkm.DefaultOfflineLimit {
		t.Fatalf("after draining: %+v", st)
	}
	r.receipt(bread())
	r.drain()
}

// TestShiftExpiredAllowsOnlyZ: code 11 is not an offline condition: the refused receipt is set
// aside at once (marked refused, out of the counters and the queue), the register allows only
// the Z, which the OFD accepts with its own counters, and the flag clears with it.
func TestShiftExpiredAllowsOnlyZ(t *testing.T) {
	r := newRig(t, rigOptions{})
	emulatorOnly(t, r)
	r.receipt(bread())
	r.drain()
	r.tg.sim.InjectResult(11, "shift too long", 1)
	refused := r.receipt(bread())
	if n := r.drain(); n != 0 {
		t.Fatalf("the OFD accepted %d documents", n)
	}
	st := r.sender.State()
	if !st.OnlyZ || st.Mode != delivery.ModeOnline || st.Refused == nil || st.Refused.Seq != refused ||
		st.Refused.Refusal.Code != 11 || st.Refusals != 1 {
		t.Fatalf("state %+v, want only Z, online, receipt %d set aside", st, refused)
	}
	r.clock.Advance(time.Minute)
	r.commit(r.reg.CloseShift(r.op, r.clock.Now(), r.offline()))
	r.drain()
	if st := r.sender.State(); st.OnlyZ || st.Mode != delivery.ModeOnline {
		t.Fatalf("after the Z: %+v", st)
	}
	if v := r.ledger(); len(v.Receipts) != 1 || len(v.Shifts) != 1 {
		t.Fatalf("the OFD holds %d receipts, %d closed shifts", len(v.Receipts), len(v.Shifts))
	}
}

// TestRefusalBlocksUntilRetry: a refusal such as 14 (not enough cash) keeps the document unsent
// and the register blocked with the reason until a person retries.
func TestRefusalBlocksUntilRetry(t *testing.T) {
	r := newRig(t, rigOptions{})
	emulatorOnly(t, r)
	r.tg.sim.InjectResult(14, "not enough cash", 1)
	seq := r.receipt(bread())
	if _, err := r.sender.Drain(r.ctx); !isCode(err, 14) {
		t.Fatalf("drain: %v, want 14", err)
	}
	st := r.sender.State()
	if st.Mode != delivery.ModeBlocked || st.Block.MessageID() != "err.ofd.not_enough_cash" || st.Waiting != 1 {
		t.Fatalf("state %+v", st)
	}
	if _, err := r.journal.FiscalResult(r.ctx, seq); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("the refused document has a result: %v", err)
	}
	if err := r.sender.Retry(r.ctx); err != nil {
		t.Fatal(err)
	}
	r.drain()
	if r.result(seq).Sign == "" {
		t.Fatal("not sent after Retry")
	}
}

// ticketHeaders returns the headers of the TICKET requests sent so far, in order.
func ticketHeaders(r *rig) []ofdclient.Header {
	var hs []ofdclient.Header
	for _, q := range r.net.requests() {
		if q.Request.GetCommand() == pb.CommandTypeEnum_COMMAND_TICKET {
			hs = append(hs, q.Header)
		}
	}
	return hs
}

// TestResendAfterRefusalIsANewRequest: a document the OFD refused (14 here) is sent again, after
// Retry, as a new request: the same token, the journal's next REQNUM, never a replay of the
// refused (TOKEN, REQNUM). The block and the refused request are in the journal, so this holds
// across a restart between the refusal and Retry.
func TestResendAfterRefusalIsANewRequest(t *testing.T) {
	r := newRig(t, rigOptions{})
	emulatorOnly(t, r)
	r.tg.sim.InjectResult(14, "not enough cash", 1)
	seq := r.receipt(bread())
	if _, err := r.sender.Drain(r.ctx); !isCode(err, 14) {
		t.Fatalf("drain: %v, want 14", err)
	}
	r.restart(rigOptions{})
	if err := r.sender.Retry(r.ctx); err != nil {
		t.Fatal(err)
	}
	r.drain()
	hs := ticketHeaders(r)
	if len(hs) != 2 {
		t.Fatalf("%d TICKET requests, want the refused one and its resend", len(hs))
	}
	if hs[1].Token != hs[0].Token || hs[1].ReqNum != hs[0].ReqNum+1 {
		t.Errorf("resent as TOKEN %d REQNUM %d after TOKEN %d REQNUM %d was refused; want the same token and the next REQNUM",
			hs[1].Token, hs[1].ReqNum, hs[0].Token, hs[0].ReqNum)
	}
	v := r.ledger()
	if len(v.Receipts) != 1 || r.result(seq).Sign != v.Receipts[0].FiscalSign {
		t.Fatalf("the OFD holds %d receipts", len(v.Receipts))
	}
	if ex := v.Exchange(hs[0].Token, hs[0].ReqNum); ex.Processed != 0 || ex.Replayed != 0 {
		t.Errorf("the refused request was processed %d and replayed %d times", ex.Processed, ex.Replayed)
	}
}

// countingJournal counts the journal calls the Sender makes.
type countingJournal struct {
	delivery.Journal
	mu                                  sync.Mutex
	next, assign, complete, link, renew int
}

func (c *countingJournal) add(n *int) { c.mu.Lock(); *n++; c.mu.Unlock() }

func (c *countingJournal) NextOutbox(ctx context.Context) (storage.OutboxEntry, error) {
	c.add(&c.next)
	return c.Journal.NextOutbox(ctx)
}

func (c *countingJournal) AssignNextRequest(ctx context.Context, seq int64, token uint32, begin time.Time) (storage.Request, error) {
	c.add(&c.assign)
	return c.Journal.AssignNextRequest(ctx, seq, token, begin)
}

func (c *countingJournal) CompleteAndAssignNext(ctx context.Context, seq int64, r storage.FiscalResult, token uint32, begin time.Time) (*storage.OutboxEntry, error) {
	c.add(&c.complete)
	return c.Journal.CompleteAndAssignNext(ctx, seq, r, token, begin)
}

func (c *countingJournal) UpdateLinkState(ctx context.Context, fn func(*storage.LinkState)) (storage.LinkState, error) {
	c.add(&c.link)
	return c.Journal.UpdateLinkState(ctx, fn)
}

func (c *countingJournal) ReassignRefusedRequest(ctx context.Context, seq int64, refused storage.Request, token uint32, begin time.Time) (storage.Request, error) {
	c.add(&c.renew)
	return c.Journal.ReassignRefusedRequest(ctx, seq, refused, token, begin)
}

// TestDrainCommitsOncePerDocument: catching up an offline backlog costs one journal commit per
// document (the answer and the next request together), plus the first request and the end of
// the offline spell; and every document goes out with the token of the answer before it and the
// next REQNUM, with offline_period.
func TestDrainCommitsOncePerDocument(t *testing.T) {
	cj := &countingJournal{}
	r := newRig(t, rigOptions{journal: func(j *storage.Journal) delivery.Journal { cj.Journal = j; return cj }})
	r.net.setCut(true)
	r.receipt(bread())
	for i := 0; r.sender.State().Mode != delivery.ModeOffline; i++ {
		if _, err := r.sender.Drain(r.ctx); err == nil || i > 5 {
			t.Fatalf("not offline: %v", err)
		}
	}
	const backlog = 20
	for n := 1; n < backlog; n++ {
		r.receipt(bread())
	}
	r.net.setCut(false)
	before := len(r.net.requests())
	cj.mu.Lock()
	cj.next, cj.assign, cj.complete, cj.link, cj.renew = 0, 0, 0, 0, 0
	cj.mu.Unlock()
	if n := r.drain(); n != backlog {
		t.Fatalf("drained %d, want %d", n, backlog)
	}
	cj.mu.Lock()
	commits := cj.assign + cj.complete + cj.link + cj.renew
	t.Logf("journal calls: %d NextOutbox, %d AssignNextRequest, %d CompleteAndAssignNext, %d UpdateLinkState",
		cj.next, cj.assign, cj.complete, cj.link)
	if cj.complete != backlog || commits > backlog+2 || cj.next > 2 {
		t.Errorf("%d commits (%d assign, %d complete, %d link, %d renew) and %d reads for %d documents; want %d commits at most and 2 reads",
			commits, cj.assign, cj.complete, cj.link, cj.renew, cj.next, backlog, backlog+2)
	}
	cj.mu.Unlock()
	reqs := r.net.requests()[before:]
	for i := 1; i < len(reqs); i++ {
		if reqs[i].Header.Token != reqs[i-1].Answer.Token || reqs[i].Header.ReqNum != reqs[i-1].Header.ReqNum+1 {
			t.Fatalf("request %d: TOKEN %d REQNUM %d after an answer with TOKEN %d to REQNUM %d",
				i, reqs[i].Header.Token, reqs[i].Header.ReqNum, reqs[i-1].Answer.Token, reqs[i-1].Header.ReqNum)
		}
		if reqs[i].Request.GetService().GetOfflinePeriod() == nil {
			t.Fatalf("request %d has no offline_period", i)
		}
	}
	if st := r.sender.State(); st.Mode != delivery.ModeOnline || st.Waiting != 0 {
		t.Errorf("after the drain: %+v", st)
	}
}

// TestReqnumTakenElsewhereIsNotReused: a REQNUM taken outside the sender (the app's connect
// sends INFO with the journal's next REQNUM) is never sent again by the sender, and the
// sender's own link writes do not turn the journal's REQNUM back.
func TestReqnumTakenElsewhereIsNotReused(t *testing.T) {
	r := newRig(t, rigOptions{})
	r.receipt(bread())
	r.drain()
	taken := r.nextReqnum()
	r.net.setCut(true) // the sender writes the offline spell into the link
	r.receipt(bread())
	for i := 0; r.sender.State().Mode != delivery.ModeOffline; i++ {
		if _, err := r.sender.Drain(r.ctx); err == nil || i > 5 {
			t.Fatalf("not offline: %v", err)
		}
	}
	if got := r.link().LastReqnum; got != taken+1 {
		t.Fatalf("the journal's LastReqnum is %d, want %d", got, taken+1)
	}
	r.net.setCut(false)
	r.drain()
	hs := ticketHeaders(r)
	if last := hs[len(hs)-1]; last.ReqNum != taken+1 {
		t.Errorf("the receipt went out with REQNUM %d; %d was taken by another request, want %d", last.ReqNum, taken, taken+1)
	}
}

// failingExchanger fails every exchange with err, after waiting for the context when wait.
type failingExchanger struct {
	err  error
	wait bool
	n    int
}

func (f *failingExchanger) Exchange(ctx context.Context, addr string, h ofdclient.Header, req *pb.Request) (ofdclient.Header, *pb.Response, error) {
	f.n++
	if f.wait {
		<-ctx.Done()
		return ofdclient.Header{}, nil, &ofdclient.ExchangeError{Op: "dial", Addr: addr, Err: ctx.Err()}
	}
	return ofdclient.Header{}, nil, f.err
}

// TestExchangeFailureKinds: a request that cannot be encoded blocks the register with a local
// reason (it is neither retried for ever nor taken for offline), and a cancelled context ends
// the attempt without counting it as a failure.
func TestExchangeFailureKinds(t *testing.T) {
	r := newRig(t, rigOptions{})
	seq := r.receipt(bread())

	encode := &failingExchanger{err: &ofdclient.ExchangeError{Op: "encode", Addr: r.tg.addr, Err: errors.New("proto: required field not set")}}
	cfg := r.cfg
	cfg.Exchanger = encode
	s, err := delivery.NewSender(r.journal, cfg)
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.Drain(r.ctx)
	var re *ofdclient.ResultError
	if !errors.As(err, &re) || re.Code != ofdclient.ResultDocumentUnsendable || re.MessageID() != "err.ofd.document_unsendable" {
		t.Fatalf("drain: %v, want the local code %d", err, ofdclient.ResultDocumentUnsendable)
	}
	if st := s.State(); st.Mode != delivery.ModeBlocked || !st.OfflineSince.IsZero() || encode.n != 1 {
		t.Fatalf("after an encoding failure: %+v after %d exchanges; want blocked, not offline, one attempt", st, encode.n)
	}
	if l := r.link(); l.BlockedCode != ofdclient.ResultDocumentUnsendable {
		t.Fatalf("the block is not in the journal: %+v", l)
	}
	// A person looked; the sender goes on, with the request the journal keeps (a local block
	// is no refusal by the OFD).
	if err := s.Retry(r.ctx); err != nil {
		t.Fatal(err)
	}
	stored, err := r.journal.NextOutbox(r.ctx)
	if err != nil || stored.Request == nil {
		t.Fatalf("no stored request: %v", err)
	}

	hang := &failingExchanger{wait: true}
	cfg.Exchanger = hang
	if s, err = delivery.NewSender(r.journal, cfg); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(r.ctx, 50*time.Millisecond)
	defer cancel()
	if _, err := s.Drain(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("drain with an ending context: %v", err)
	}
	if st := s.State(); st.Mode != delivery.ModeOnline || st.LastError != nil {
		t.Errorf("after the context ended: %+v; want online with no failure counted", st)
	}
	doc, _ := r.journal.Document(r.ctx, seq)
	cancelled, stop := context.WithCancel(r.ctx)
	stop()
	x, _ := r.reg.XReport(r.op, doc.Document.Time.Add(time.Minute))
	r.drain() // the real sender: the queue must be empty for an X from the OFD
	if _, err := s.XReport(cancelled, &x); !errors.Is(err, context.Canceled) {
		t.Errorf("XReport with a cancelled context: %v, want context.Canceled (not unreachable)", err)
	}
	if e := r.net.requests(); e[len(e)-1].Header.ReqNum != stored.Request.Reqnum {
		t.Errorf("sent as REQNUM %d after a local block, stored %d", e[len(e)-1].Header.ReqNum, stored.Request.Reqnum)
	}
}

// TestSubscribersMayCallBack: the subscribers of Retry's and ChangeToken's changes are called
// after the sender's exchange lock is released, as Run calls them, so a subscriber may ask the
// sender for more (Refresh takes that lock) instead of deadlocking its caller.
func TestSubscribersMayCallBack(t *testing.T) {
	r := newRig(t, rigOptions{})
	emulatorOnly(t, r)
	r.tg.sim.InjectResult(14, "not enough cash", 1)
	seq := r.receipt(bread())
	if _, err := r.sender.Drain(r.ctx); !isCode(err, 14) {
		t.Fatalf("drain: %v, want 14", err)
	}
	calls, inside := 0, false
	unsubscribe := r.sender.Subscribe(func(delivery.State) {
		if inside { // Refresh notifies too: answer the outer call only
			return
		}
		inside = true
		defer func() { inside = false }()
		calls++
		if err := r.sender.Refresh(r.ctx); err != nil {
			t.Errorf("refresh from a subscriber: %v", err)
		}
	})
	defer unsubscribe()
	done := make(chan error, 1)
	go func() {
		if err := r.sender.Retry(r.ctx); err != nil {
			done <- err
			return
		}
		_, err := r.sender.ChangeToken(r.ctx, r.link().Token)
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Retry or ChangeToken deadlocked with a subscriber that calls Refresh")
	}
	if calls < 2 {
		t.Errorf("subscribers called %d times, want one for Retry and one for ChangeToken (at least)", calls)
	}
	r.drain()
	if r.result(seq).Sign == "" {
		t.Fatal("not sent after Retry")
	}
}

// TestQueuedAfterACountThatHadThem: the sender counts the outbox after a document's commit and
// before the app tells it of the document (Queued): the count has it already, and Queued does not
// count it a second time (the status line showed one document too many until the next count).
func TestQueuedAfterACountThatHadThem(t *testing.T) {
	r := newRig(t, rigOptions{})
	r.net.setCut(true)
	iss, err := r.reg.IssueReceipt(bread(), r.op, r.clock.Now(), true)
	if err != nil {
		t.Fatal(err)
	}
	seqs, err := r.journal.Commit(r.ctx, iss.Documents, iss.State)
	if err != nil {
		t.Fatal(err)
	}
	r.reg.State = iss.State
	r.sender.Wake()       // the outbox changed: the next step counts it
	r.sender.Drain(r.ctx) // the count, then a send the cut network fails
	r.sender.Queued(1, iss.Documents[0].Time, seqs[0])
	if w := r.sender.State().Waiting; w != 1 {
		t.Fatalf("%d documents waiting, want 1", w)
	}
	// A document the count has not seen is counted.
	next := r.commit(r.reg.IssueReceipt(bread(), r.op, r.clock.Now(), true))
	if w := r.sender.State().Waiting; w != 2 || next[0] != seqs[0]+1 {
		t.Fatalf("%d documents waiting after the next, want 2", w)
	}
}
