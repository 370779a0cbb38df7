package delivery

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/ekassa-go/ekassa/kkm"
	"github.com/ekassa-go/ekassa/ofdclient"
	"github.com/ekassa-go/ekassa/ofdclient/pb"
	"github.com/ekassa-go/ekassa/storage"
)

// Journal is what the Sender needs of the register's journal (*storage.Journal): the outbox,
// read oldest first, the requests of its entries, and the OFD link's persistent state. The
// journal is the source of truth: every REQNUM is taken in the journal's own transaction
// (AssignNextRequest, CompleteAndAssignNext, ReassignRefusedRequest, NextReqnum), and the link
// state is changed field by field (UpdateLinkState), so the Sender keeps no copy that could go
// stale. The token is changed through Sender.ChangeToken.
type Journal interface {
	NextOutbox(ctx context.Context) (storage.OutboxEntry, error)
	OutboxStats(ctx context.Context) (storage.OutboxStats, error)
	AssignNextRequest(ctx context.Context, seq int64, token uint32, offlineBegin time.Time) (storage.Request, error)
	ReassignRefusedRequest(ctx context.Context, seq int64, refused storage.Request, token uint32, offlineBegin time.Time) (storage.Request, error)
	CompleteAndAssignNext(ctx context.Context, seq int64, result storage.FiscalResult, newToken uint32, offlineBegin time.Time) (*storage.OutboxEntry, error)
	RefuseHead(ctx context.Context, seq int64, refused storage.Request, r storage.Refusal) (storage.Entry, error)
	LinkState(ctx context.Context) (storage.LinkState, error)
	UpdateLinkState(ctx context.Context, fn func(*storage.LinkState)) (storage.LinkState, error)
	NextReqnum(ctx context.Context) (uint16, error)
}

// Config configures a Sender. Address, Identity and Exchanger are required; the zero values of
// the rest are the defaults given.
type Config struct {
	Address   string              // the OFD's host:port
	Identity  ofdclient.Identity  // system ID and registration (reg_info)
	Exchanger ofdclient.Exchanger // the transport; *ofdclient.Transport in the app

	// OfflineLimit is how long the register may work offline (default kkm.DefaultOfflineLimit).
	OfflineLimit time.Duration
	// TransactionTime is the spec's «общее время на обработку транзакции»: how long one
	// document is retried before the register goes offline (default 5 s, the spec's minimum).
	TransactionTime time.Duration
	// QuickRetries caps the retries within TransactionTime (default 3): the register also goes
	// offline after that many failed attempts, whichever comes first.
	QuickRetries int
	// ExchangeTimeout bounds one exchange (default TransactionTime).
	ExchangeTimeout time.Duration
	// RetryDelay is the first pause between quick retries, doubled after each (default 500 ms).
	RetryDelay time.Duration
	// OfflineRetry is the spec's «интервал задержки между попытками восстановления связи»:
	// the first pause between attempts while offline, and between probes of a server block,
	// doubled after each failure up to MaxOfflineRetry (defaults 60 s and 5 min). Wake cuts a
	// pause short.
	OfflineRetry    time.Duration
	MaxOfflineRetry time.Duration
	// Jitter spreads a pause so registers do not retry in step; the default picks uniformly in
	// [d/2, d]. Tests pass the identity.
	Jitter func(d time.Duration) time.Duration
	// Now is the register's clock (default time.Now): offline periods, answer times and the
	// offline limit.
	Now func() time.Time
	// After waits for a pause of Run (default: a real timer); tests pass a fake clock's, which
	// moves Now on by d, so that the default pauses can be tested without sleeping.
	After func(d time.Duration) <-chan time.Time
	// IdleCheck is how often Run asks the OFD whether the link works while nothing waits to be
	// sent (a COMMAND_SYSTEM, fact sheet §4.6.3), so that a break is seen before the next
	// document is issued. 0 (the default): never; the app sets IdleLinkCheck.
	IdleCheck time.Duration
	// Logf, when set, gets a line for every exchange and decision.
	Logf func(format string, args ...any)
}

// IdleLinkCheck is the app's IdleCheck. With nothing waiting, a link that broke is found only by
// asking: without it the first receipt after the break was issued online and went offline only
// when its own send failed, without its offline number or local check link. A minute is the
// spec's own default pause between attempts to restore the link (OfflineRetry's 60 s); a probe is
// one small exchange, about 1 500 a day on a register left open, which a phone's data plan and
// battery bear; more often would gain a cashier little, since the app also checks at once when it
// comes back to the foreground (CheckSoon), the likeliest moment for a changed network.
const IdleLinkCheck = time.Minute

// withDefaults fills the zero fields.
func (c Config) withDefaults() Config {
	if c.OfflineLimit <= 0 {
		c.OfflineLimit = kkm.DefaultOfflineLimit
	}
	if c.TransactionTime <= 0 {
		c.TransactionTime = 5 * time.Second
	}
	if c.QuickRetries <= 0 {
		c.QuickRetries = 3
	}
	if c.ExchangeTimeout <= 0 {
		c.ExchangeTimeout = c.TransactionTime
	}
	if c.RetryDelay <= 0 {
		c.RetryDelay = 500 * time.Millisecond
	}
	if c.OfflineRetry <= 0 {
		c.OfflineRetry = time.Minute
	}
	if c.MaxOfflineRetry < c.OfflineRetry {
		c.MaxOfflineRetry = max(5*time.Minute, c.OfflineRetry)
	}
	if c.Jitter == nil {
		c.Jitter = func(d time.Duration) time.Duration {
			if d <= 1 {
				return d
			}
			return d/2 + rand.N(d/2+1)
		}
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.After == nil {
		c.After = time.After
	}
	if c.Logf == nil {
		c.Logf = func(string, ...any) {}
	}
	return c
}

// idle is the pause that waits for Wake (or the context) only.
const idle time.Duration = -1

// Sender drains the journal's outbox to the OFD, strictly oldest first, one document at a
// time, and keeps the invariants of design.md §3:
//
//   - the (TOKEN, REQNUM) of a document's request is committed (AssignNextRequest) before it
//     leaves and sent unchanged on every retry, also after a crash, so the OFD replays its
//     answer instead of counting the document twice;
//   - the answer (fiscal sign, QR link, the answer header's new token) is committed in one
//     transaction, which also commits the request of the next waiting document
//     (CompleteAndAssignNext): while the queue drains, each document costs one commit;
//   - only a refusal (a result code that says the OFD did not count the document) gives the
//     document a new request (ReassignRefusedRequest), when the register sends it again: after
//     a new token for code 2 or 1 (ChangeToken), after Retry, or after the OFD lifts a server
//     block; so a resend is never a replay of the refused (TOKEN, REQNUM);
//   - temporary failures (no connection, timeout, reset, an unreadable answer, codes 254 and
//     255) are retried for TransactionTime, then the register is offline from the first failed
//     send until the queue drains, and every request sent meanwhile carries offline_period;
//     a document that cannot be sent at all (its request cannot be built, the exchange fails
//     for a reason that is not temporary such as an encoding error, or its stored content
//     cannot be read) blocks with a local code instead (ofdclient.ResultDocumentUnsendable,
//     ofdclient.ResultDocumentUnreadable) until Retry, never retried for ever nor sent around, and a
//     cancelled context just ends the attempt;
//   - code 2 blocks until a new token is entered (ChangeToken); 15 blocks with the OFD's info
//     text and probes with COMMAND_SYSTEM until the OFD answers OK; every other code blocks
//     with its reason until Retry, or, where it refuses the document for its content
//     (SetAsideAllowed), until a person sets the document aside (SetAside);
//   - code 11 (the shift is open too long) is not an offline condition (fact sheet §4.6.4) and
//     no resend would be taken: the document is set aside at once, the register allows only
//     the Z report, and the journal learns the OFD's shift limit.
//
// A document set aside (storage.Journal.RefuseHead) stays in the journal marked refused, leaves
// the counters and the queue in one transaction, and the queue moves on (design.md §3
// invariant 11); the cashier may issue a corrected one.
//
// Run drives it; Wake, Pause, Resume, Retry and ChangeToken steer it from other goroutines;
// State and Subscribe show it.
type Sender struct {
	cfg  Config
	j    Journal
	wake chan struct{}

	exMu sync.Mutex // serialises exchanges with the OFD (REQNUM order) and link-state writes

	mu        sync.Mutex           // guards the fields below
	link      storage.LinkState    // as last read or written; its LastReqnum is not used
	head      *storage.OutboxEntry // the next entry as the last commit assigned it, for the next step only
	loaded    bool
	paused    bool
	onlyZ     bool
	waiting   int
	oldest    time.Time
	lastErr   error
	lastOK    time.Time
	failSince time.Time      // the first failed attempt of the current document (zero: none)
	failures  int            // failed attempts of the current document
	probes    int            // failed probes of a server block or attempts while offline
	idleDown  bool           // CheckLink found no link with nothing waiting: probe until it answers
	checkAt   time.Time      // when the next idle check of the link is due (Config.IdleCheck; zero: none planned)
	refusals  int            // documents set aside since the sender was made
	refused   *storage.Entry // the last of them
	statsDue  bool           // the outbox changed behind the sender's back (Wake): count it again
	queued    uint64         // bumped by Queued: a count read before a bump may miss documents
	counted   int64          // the newest outbox seq counted in waiting (Queued, refreshStats)
	stepGen   uint64         // queued when the current step began (steps are serialised by exMu)
	sent      int            // documents the OFD accepted since the sender was made
	subs      map[int]func(State)
	nextSub   int
	outcomes  map[int]func(Outcome) // SubscribeOutcomes; numbered by nextSub too
}

// NewSender returns a Sender for the journal. Call Run to start it.
func NewSender(j Journal, cfg Config) (*Sender, error) {
	if j == nil || cfg.Exchanger == nil || cfg.Address == "" {
		return nil, errors.New("delivery: a sender needs a journal, an exchanger and the OFD's address")
	}
	return &Sender{
		cfg:      cfg.withDefaults(),
		j:        j,
		wake:     make(chan struct{}, 1),
		statsDue: true,
		subs:     map[int]func(State){},
		outcomes: map[int]func(Outcome){},
	}, nil
}

// Wake makes the sender look at the outbox now: the app calls it after committing a document.
// It never blocks.
func (s *Sender) Wake() {
	s.mu.Lock()
	s.statsDue = true
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// CheckSoon makes the next idle check of the link due now (Config.IdleCheck; the app calls it when
// it comes back to the foreground) and wakes the sender: the check runs in Run's next step,
// between sends, never beside one nor twice at a time. With documents waiting the send is the check.
func (s *Sender) CheckSoon() {
	if s.cfg.IdleCheck <= 0 {
		s.Wake()
		return
	}
	s.mu.Lock()
	s.checkAt = s.cfg.Now()
	s.mu.Unlock()
	s.Wake()
}

// Queued tells the sender that the app has just committed n documents to the outbox, the
// oldest of them queued at oldest, and wakes it. Its State counts them at once, so the status
// line needs no count of its own; the sender still counts the journal's outbox again on its
// next step, and a count or an empty queue it read before this call does not overwrite it.
// It never blocks.
//
// through is the seq of the newest of them: a count the sender read after their commit (the
// journal's count says up to which seq it counted, storage.OutboxStats.Newest) has them already,
// and they are not counted twice.
func (s *Sender) Queued(n int, oldest time.Time, through int64) {
	s.mu.Lock()
	if through > s.counted {
		if s.waiting == 0 {
			s.oldest = oldest
		}
		s.waiting += n
		s.counted = through
		s.queued++
		s.statsDue = true
	}
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Pause stops sending after the exchange in flight; the queue is kept. Resume continues.
func (s *Sender) Pause() {
	s.mu.Lock()
	s.paused = true
	s.mu.Unlock()
	s.notify()
}

// Resume continues after Pause.
func (s *Sender) Resume() {
	s.mu.Lock()
	s.paused = false
	s.mu.Unlock()
	s.notify()
	s.Wake()
}

// Retry leaves a block (after a person fixed its cause) and sends the waiting document again
// at once; out of an offline pause it tries at once too.
func (s *Sender) Retry(ctx context.Context) error {
	if err := s.retry(ctx); err != nil {
		return err
	}
	// The subscribers hear of it after exMu is released, as from Run: one that asks the
	// sender for more (Refresh, XReport) must not find it locked by its own caller.
	s.notify()
	s.Wake()
	return nil
}

// retry is Retry's work under exMu.
func (s *Sender) retry(ctx context.Context) error {
	s.exMu.Lock()
	defer s.exMu.Unlock()
	if err := s.load(ctx); err != nil {
		return err
	}
	s.mu.Lock()
	l := s.link
	s.head = nil
	s.mu.Unlock()
	if l.BlockedCode != 0 {
		if refusedByOFD(l.BlockedCode) {
			// The head document was refused: it goes out again as a new request.
			if err := s.renewRefused(ctx, l.Token, l.OfflineSince); err != nil {
				return err
			}
		}
		if err := s.updateLink(ctx, func(l *storage.LinkState) { l.BlockedCode, l.InfoText = 0, "" }); err != nil {
			return err
		}
	}
	s.mu.Lock()
	s.probes = 0
	s.mu.Unlock()
	return nil
}

// ChangeToken checks a new token with COMMAND_INFO and, when the OFD accepts it, stores it as
// the link's token and leaves a block on the token (code 2) or the ID (code 1): the manual's
// «Смена токена». The document the OFD refused with that code is then sent as a new request:
// the new token and the journal's next REQNUM. Without such a block, a document whose request
// was already committed keeps it (its answer may have been lost after the OFD counted it), and
// goes out with its stored token. A refusal is a *ofdclient.ResultError, no answer an *ofdclient.UnreachableError;
// the stored token is unchanged then.
func (s *Sender) ChangeToken(ctx context.Context, token uint32) (*ofdclient.Connection, error) {
	c, err := s.changeToken(ctx, token)
	if err != nil {
		return nil, err
	}
	s.notify() // after exMu is released, as in Retry
	s.Wake()
	return c, nil
}

// changeToken is ChangeToken's work under exMu.
func (s *Sender) changeToken(ctx context.Context, token uint32) (*ofdclient.Connection, error) {
	s.exMu.Lock()
	defer s.exMu.Unlock()
	if err := s.load(ctx); err != nil {
		return nil, err
	}
	reqnum, err := s.nextReqnum(ctx)
	if err != nil {
		return nil, err
	}
	c, err := ofdclient.Connect(ctx, s.cfg.Exchanger, ofdclient.ConnectParams{
		Address: s.cfg.Address, SystemID: s.cfg.Identity.SystemID, Token: token, Reqnum: reqnum,
		Location: s.cfg.Identity.Location,
	})
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	l := s.link
	s.head = nil
	s.mu.Unlock()
	tokenBlock := l.BlockedCode == ofdclient.ResultInvalidToken || l.BlockedCode == ofdclient.ResultUnknownID
	if tokenBlock {
		if err := s.renewRefused(ctx, token, l.OfflineSince); err != nil {
			return nil, err
		}
	}
	if err := s.updateLink(ctx, func(l *storage.LinkState) {
		l.Token = token
		if l.BlockedCode == ofdclient.ResultInvalidToken || l.BlockedCode == ofdclient.ResultUnknownID {
			l.BlockedCode, l.InfoText = 0, ""
		}
	}); err != nil {
		return nil, err
	}
	s.cfg.Logf("ofd: new token %s accepted", ofdclient.TokenTag(token))
	return c, nil
}

// SetAsideAllowed reports whether a block with this code is the OFD's refusal of the waiting
// document for its content, so that a person may set the document aside (SetAside): the OFD
// answered, did not count it, and would refuse it again as it stands. Not the register-wide
// blocks with their own way out (1 and 2: a token, 15: the OFD lifts it), not 8 and 9 (a
// request-number clash, after which the OFD may have counted the document: Retry sends it
// again as a new request), nor the temporary codes or the local ones (from 1000: the OFD never
// answered about the document).
func SetAsideAllowed(code uint32) bool {
	switch code {
	case ofdclient.ResultUnknownID, ofdclient.ResultInvalidToken, ofdclient.ResultBlocked, ofdclient.ResultInvalidRequestNum, ofdclient.ResultInvalidRetry:
		return false
	}
	return refusedByOFD(code)
}

// SetAside is the way out of a block on a document the OFD refused for its content
// (SetAsideAllowed): the waiting document is marked refused in the journal with the OFD's code
// and text, leaves the counters and the queue (storage.Journal.RefuseHead, one transaction that
// also ends the block), and the documents behind it are sent. A Z report cannot be set aside
// (the journal has closed its shift): the way out there is Retry. It returns the document set
// aside, with its Refusal.
func (s *Sender) SetAside(ctx context.Context) (storage.Entry, error) {
	e, err := s.setAsideHead(ctx)
	if err != nil {
		return storage.Entry{}, err
	}
	s.notify() // after exMu is released, as in Retry
	s.Wake()
	return e, nil
}

// ErrNothingToSetAside is SetAside's refusal when the register is not blocked on a document the
// OFD refused for its content.
var ErrNothingToSetAside = errNothingToSetAside{}

type errNothingToSetAside struct{}

func (errNothingToSetAside) Error() string     { return "delivery: no refused document to set aside" }
func (errNothingToSetAside) MessageID() string { return "err.ofd.nothing_to_set_aside" }

// setAsideHead is SetAside's work under exMu.
func (s *Sender) setAsideHead(ctx context.Context) (storage.Entry, error) {
	s.exMu.Lock()
	defer s.exMu.Unlock()
	if err := s.load(ctx); err != nil {
		return storage.Entry{}, err
	}
	s.mu.Lock()
	l := s.link
	s.head = nil
	s.mu.Unlock()
	if !SetAsideAllowed(l.BlockedCode) {
		return storage.Entry{}, ErrNothingToSetAside
	}
	e, err := s.j.NextOutbox(ctx)
	if err != nil {
		return storage.Entry{}, fmt.Errorf("delivery: sender: %w", err)
	}
	if e.Request == nil || e.Document.Kind == kkm.KindZReport {
		return storage.Entry{}, ErrNothingToSetAside
	}
	why := &ofdclient.ResultError{Code: l.BlockedCode, Text: l.InfoText}
	if err := s.setAside(ctx, e.Seq, *e.Request, why); err != nil {
		return storage.Entry{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return *s.refused, nil
}

// setAside records the OFD's refusal of the head document seq, sent as req, for good
// (storage.Journal.RefuseHead, which also ends a block on it), and reads the link again.
// Called with exMu held.
func (s *Sender) setAside(ctx context.Context, seq int64, req storage.Request, why *ofdclient.ResultError) error {
	e, err := s.j.RefuseHead(ctx, seq, req, storage.Refusal{Code: why.Code, Text: why.Text, At: s.cfg.Now()})
	if err != nil {
		return fmt.Errorf("delivery: sender: %w", err)
	}
	l, err := s.j.LinkState(ctx)
	if err != nil {
		return fmt.Errorf("delivery: sender: %w", err)
	}
	s.mu.Lock()
	s.link = l
	s.refusals++
	s.refused = &e
	s.lastErr = why
	s.failSince, s.failures = time.Time{}, 0
	s.statsDue = true
	s.mu.Unlock()
	// The document left the queue: count it now, as the sender may go idle after this (the
	// State is the status line's only count); on a failure the next step counts it.
	if err := s.refreshStats(ctx); err != nil {
		s.cfg.Logf("ofd: journal: %v", err)
	}
	s.cfg.Logf("ofd: document %d (%s %d of shift %d) refused with code %d and set aside: %s",
		seq, e.Document.Kind, e.Document.Number, e.Document.ShiftNumber, why.Code, why.Text)
	s.publish(Outcome{Seq: seq, Kind: e.Document.Kind, Refusal: why})
	return nil
}

// XReport asks the OFD for its X report of the open shift, sending the register's own counters
// (doc is an X report document). X reports are not queued: while the link is offline or
// blocked, or documents are waiting, it returns ErrNotConnected and the app shows its own X.
func (s *Sender) XReport(ctx context.Context, doc *kkm.Document) (*pb.ZXReport, error) {
	s.exMu.Lock()
	defer s.exMu.Unlock()
	if err := s.load(ctx); err != nil {
		return nil, err
	}
	if err := s.refreshStats(ctx); err != nil { // the journal's count, not a cached one
		return nil, err
	}
	s.mu.Lock()
	l, waiting := s.link, s.waiting
	s.mu.Unlock()
	if l.BlockedCode != 0 || !l.OfflineSince.IsZero() || waiting > 0 {
		return nil, ErrNotConnected
	}
	req, err := s.cfg.Identity.Request(doc, nil)
	if err != nil {
		return nil, err
	}
	reqnum, err := s.nextReqnum(ctx)
	if err != nil {
		return nil, err
	}
	_, resp, err := s.exchange(ctx, ofdclient.Header{Version: s.cfg.Identity.ProtocolVersion(), SystemID: s.cfg.Identity.SystemID, Token: l.Token, ReqNum: reqnum}, req)
	if err != nil {
		return nil, err
	}
	if code := resp.GetResult().GetResultCode(); code != ofdclient.ResultOK {
		return nil, &ofdclient.ResultError{Command: req.GetCommand(), Code: code, Text: resp.GetResult().GetResultText(), Info: ofdclient.AdInfo(resp)}
	}
	return resp.GetReport().GetZxReport(), nil
}

// Refresh counts the outbox again and tells the subscribers. Run does it by itself after
// Wake; a caller that needs the count at once (the app before issuing, to apply the offline
// limit) calls Refresh.
func (s *Sender) Refresh(ctx context.Context) error {
	s.exMu.Lock()
	s.mu.Lock()
	s.head = nil
	s.mu.Unlock()
	err := s.load(ctx)
	if err == nil {
		err = s.refreshStats(ctx)
	}
	s.exMu.Unlock()
	if err != nil {
		return err
	}
	s.notify()
	return nil
}

// State returns a snapshot of the link for the UI.
func (s *Sender) State() State {
	now := s.cfg.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	st := State{
		Paused:        s.paused,
		OfflineSince:  s.link.OfflineSince,
		Waiting:       s.waiting,
		OldestWaiting: s.oldest,
		OnlyZ:         s.onlyZ,
		Refusals:      s.refusals,
		Refused:       s.refused,
		LastError:     s.lastErr,
		LastAnswer:    s.lastOK,
	}
	if s.waiting == 0 {
		st.OldestWaiting = time.Time{}
	}
	st.OfflineLeft = kkm.OfflineTimeLeft(st.OldestWaiting, now, s.cfg.OfflineLimit)
	st.OfflineLimitReached = kkm.CheckOfflineLimit(st.OldestWaiting, now, s.cfg.OfflineLimit) != nil
	switch {
	case s.link.BlockedCode != 0:
		st.Mode = ModeBlocked
		st.Block = &ofdclient.ResultError{Code: s.link.BlockedCode, Info: s.link.InfoText}
		if s.link.BlockedCode != ofdclient.ResultBlocked {
			st.Block.Text, st.Block.Info = s.link.InfoText, ""
		}
	case !s.link.OfflineSince.IsZero():
		st.Mode = ModeOffline
	}
	return st
}

// Subscribe calls fn with the new state after every change, from the goroutine that made it
// (Run's, mostly): fn must return quickly, and a Fyne UI hands the state to fyne.Do. The
// returned function ends the subscription.
func (s *Sender) Subscribe(fn func(State)) (unsubscribe func()) {
	return subscribe(s, s.subs, fn)
}

// SubscribeOutcomes calls fn with the outcome of every document the sender completes (the OFD
// accepted it, or it was set aside with its refusal), after the journal has committed it, from
// the goroutine that completed it: fn must return quickly. It is the one way the OFD's answer
// comes back to the app, so nobody has to poll the journal for it. The returned function ends
// the subscription.
func (s *Sender) SubscribeOutcomes(fn func(Outcome)) (unsubscribe func()) {
	return subscribe(s, s.outcomes, fn)
}

// subscribe adds fn to subs (one of the sender's subscriber maps, guarded by mu) under the next
// subscription number and returns the function that removes it.
func subscribe[F any](s *Sender, subs map[int]F, fn F) (unsubscribe func()) {
	s.mu.Lock()
	id := s.nextSub
	s.nextSub++
	subs[id] = fn
	s.mu.Unlock()
	return func() {
		s.mu.Lock()
		delete(subs, id)
		s.mu.Unlock()
	}
}

// publish hands a completed document's outcome to the outcome subscribers. Called after the
// journal's commit, never with mu held.
func (s *Sender) publish(o Outcome) {
	s.mu.Lock()
	fns := make([]func(Outcome), 0, len(s.outcomes))
	for _, fn := range s.outcomes {
		fns = append(fns, fn)
	}
	s.mu.Unlock()
	for _, fn := range fns {
		fn(o)
	}
}

// notify calls the subscribers with the current state.
func (s *Sender) notify() {
	st := s.State()
	s.mu.Lock()
	fns := make([]func(State), 0, len(s.subs))
	for _, fn := range s.subs {
		fns = append(fns, fn)
	}
	s.mu.Unlock()
	for _, fn := range fns {
		fn(st)
	}
}

// Run sends the outbox until ctx ends, and returns ctx's error then, or an error of the
// journal that made it impossible to start.
func (s *Sender) Run(ctx context.Context) error {
	s.exMu.Lock()
	err := s.load(ctx)
	s.exMu.Unlock()
	if err != nil {
		return err
	}
	s.notify()
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		d := s.step(ctx)
		s.notify()
		if d == 0 {
			continue
		}
		var fire <-chan time.Time
		if d > 0 {
			fire = s.cfg.After(d)
		}
		select {
		case <-ctx.Done():
		case <-s.wake:
		case <-fire:
		}
	}
}

// Drain sends until the outbox is empty, the link is blocked, or a send fails: one pass of
// Run without its pauses. It returns the number of documents the OFD accepted, and the reason
// it stopped early (a *ofdclient.ResultError for a block, the exchange's error for a failure, ctx's
// error when ctx ended).
func (s *Sender) Drain(ctx context.Context) (int, error) {
	s.exMu.Lock()
	err := s.load(ctx)
	s.exMu.Unlock()
	if err != nil {
		return 0, err
	}
	s.mu.Lock()
	start := s.sent
	s.mu.Unlock()
	count := func() int {
		s.mu.Lock()
		defer s.mu.Unlock()
		return s.sent - start
	}
	for ctx.Err() == nil {
		s.mu.Lock()
		block := s.link.BlockedCode
		s.mu.Unlock()
		if block != 0 {
			return count(), s.State().Block
		}
		if d := s.step(ctx); d == 0 {
			continue
		}
		if err := ctx.Err(); err != nil {
			return count(), err
		}
		s.mu.Lock()
		lastErr := s.lastErr
		s.mu.Unlock()
		if lastErr != nil {
			return count(), lastErr
		}
		if st := s.State(); st.Block != nil {
			return count(), st.Block
		}
		return count(), nil
	}
	return count(), ctx.Err()
}

// load reads the link state once. Called with exMu held.
// Load reads the OFD link's stored state (a block and its text, an offline spell) and the
// outbox's count from the journal, so that State tells them from the start: a register blocked
// before a restart is blocked at once after it, before Run has looked. Run loads it too when it
// has not been.
func (s *Sender) Load(ctx context.Context) error {
	s.exMu.Lock()
	defer s.exMu.Unlock()
	return s.load(ctx)
}

func (s *Sender) load(ctx context.Context) error {
	s.mu.Lock()
	loaded := s.loaded
	s.mu.Unlock()
	if loaded {
		return nil
	}
	l, err := s.j.LinkState(ctx)
	if err != nil {
		return fmt.Errorf("delivery: sender: %w", err)
	}
	s.mu.Lock()
	s.link, s.loaded = l, true
	s.mu.Unlock()
	// The queue as the journal holds it, so the first State after a start already counts the
	// documents waiting (the status line reads nothing else).
	return s.refreshStats(ctx)
}

// updateLink changes the stored link state with fn, in one journal transaction, and keeps what
// was stored. fn changes only the fields the caller decides (the token, the offline spell, a
// block), so nothing another writer stored meanwhile is overwritten. Called with exMu held.
func (s *Sender) updateLink(ctx context.Context, fn func(*storage.LinkState)) error {
	l, err := s.j.UpdateLinkState(ctx, fn)
	if err != nil {
		return fmt.Errorf("delivery: sender: %w", err)
	}
	s.mu.Lock()
	s.link = l
	s.mu.Unlock()
	return nil
}

// refusedByOFD reports whether a block's code is the OFD's refusal of the head document: an
// answer that says the document was not counted. Local codes (from 1000) are not: the document
// was never sent, or the OFD accepted it and broke the protocol in its answer.
func refusedByOFD(code uint32) bool {
	return code != ofdclient.ResultOK && !ofdclient.LocalCode(code) &&
		code != ofdclient.ResultServiceUnavailable && code != ofdclient.ResultUnknownError
}

// renewRefused gives the head document, which the OFD refused, a new request (token, the
// journal's next REQNUM, offlineBegin), so its next send is not a replay of the refused one.
// A head without a request has nothing to renew. Called with exMu held.
func (s *Sender) renewRefused(ctx context.Context, token uint32, offlineBegin time.Time) error {
	e, err := s.j.NextOutbox(ctx)
	if errors.Is(err, storage.ErrNotFound) {
		return nil
	}
	// An unreadable document still has its entry and request: renew it, and let the next
	// step block on its content.
	if err != nil && !errors.Is(err, storage.ErrUndecodable) {
		return fmt.Errorf("delivery: sender: %w", err)
	}
	if e.Request == nil {
		return nil
	}
	return s.renew(ctx, e.Seq, *e.Request, token, offlineBegin)
}

// renew replaces the refused request of document seq with a new one. Called with exMu held.
func (s *Sender) renew(ctx context.Context, seq int64, refused storage.Request, token uint32, offlineBegin time.Time) error {
	req, err := s.j.ReassignRefusedRequest(ctx, seq, refused, token, offlineBegin)
	if err != nil {
		return fmt.Errorf("delivery: sender: %w", err)
	}
	s.cfg.Logf("ofd: document %d refused as (%s, reqnum %d): sent next as (%s, reqnum %d)",
		seq, ofdclient.TokenTag(refused.Token), refused.Reqnum, ofdclient.TokenTag(req.Token), req.Reqnum)
	return nil
}

// nextReqnum takes the next REQNUM for a request that carries no document. Called with exMu.
func (s *Sender) nextReqnum(ctx context.Context) (uint16, error) {
	n, err := s.j.NextReqnum(ctx)
	if err != nil {
		return 0, fmt.Errorf("delivery: sender: %w", err)
	}
	s.mu.Lock()
	s.link.LastReqnum = n
	s.mu.Unlock()
	return n, nil
}

// refreshStats counts the outbox again. Called with exMu held.
func (s *Sender) refreshStats(ctx context.Context) error {
	s.mu.Lock()
	gen := s.queued
	s.mu.Unlock()
	st, err := s.j.OutboxStats(ctx)
	if err != nil {
		return fmt.Errorf("delivery: sender: %w", err)
	}
	s.mu.Lock()
	if s.queued == gen { // else documents were queued meanwhile: keep Queued's count, count again
		s.waiting, s.oldest, s.statsDue = st.Waiting, st.OldestQueued, false
		s.counted = max(s.counted, st.Newest)
	}
	s.mu.Unlock()
	return nil
}

// exchange runs one exchange with the exchange timeout. A failure is one of three: ctx's own
// error when ctx ended (the caller stops; the register is not offline for it); the
// *ofdclient.ExchangeError itself when it is not temporary (the request cannot be sent as it stands, an
// encoding error say: retrying would not help); otherwise an *ofdclient.UnreachableError (no connection,
// a timeout, a reset, an unreadable answer, or a failure of an ofdclient.Exchanger that does not say),
// which is retried and then taken for offline.
func (s *Sender) exchange(ctx context.Context, h ofdclient.Header, req *pb.Request) (ofdclient.Header, *pb.Response, error) {
	xctx, cancel := context.WithTimeout(ctx, s.cfg.ExchangeTimeout)
	defer cancel()
	rh, resp, err := s.cfg.Exchanger.Exchange(xctx, s.cfg.Address, h, req)
	if err != nil {
		if cerr := ctx.Err(); cerr != nil {
			return rh, nil, cerr
		}
		if xe := (*ofdclient.ExchangeError)(nil); errors.As(err, &xe) && !xe.Temporary {
			return rh, nil, err
		}
		return rh, nil, &ofdclient.UnreachableError{Addr: s.cfg.Address, Err: err}
	}
	if resp.GetCommand() != req.GetCommand() {
		return rh, nil, &ofdclient.UnreachableError{Addr: s.cfg.Address,
			Err: fmt.Errorf("answer to %v is %v", req.GetCommand(), resp.GetCommand())}
	}
	return rh, resp, nil
}

// step does one unit of work and returns how long to pause before the next (0: go on at once,
// idle: until Wake).
func (s *Sender) step(ctx context.Context) time.Duration {
	s.exMu.Lock()
	defer s.exMu.Unlock()
	s.mu.Lock()
	paused, statsDue, l, head := s.paused, s.statsDue, s.link, s.head
	s.head = nil
	s.stepGen = s.queued
	s.mu.Unlock()
	if statsDue {
		if err := s.refreshStats(ctx); err != nil {
			return s.localFailure(err)
		}
	}
	if paused {
		return idle
	}
	switch l.BlockedCode {
	case 0:
	case ofdclient.ResultBlocked:
		return s.probe(ctx, l)
	default:
		return idle
	}
	if head != nil {
		// The commit that stored the last answer read the next entry and committed its
		// request: no need to read it again. Only the sender changes a waiting entry.
		return s.send(ctx, l, *head)
	}
	e, err := s.j.NextOutbox(ctx)
	if errors.Is(err, storage.ErrNotFound) {
		return s.drained(ctx, l)
	}
	if errors.Is(err, storage.ErrUndecodable) {
		// The oldest document's stored content cannot be read: no retry will read it, and the
		// documents behind it must not go around it. A person must look (Retry once the
		// journal is repaired). The count is read again: the last answer's commit may have
		// taken this document for the end of the queue.
		if err := s.refreshStats(ctx); err != nil {
			s.mu.Lock()
			s.waiting, s.oldest = max(s.waiting, 1), e.QueuedAt
			s.mu.Unlock()
		}
		return s.block(ctx, &ofdclient.ResultError{Code: ofdclient.ResultDocumentUnreadable, Err: err, Text: err.Error()}) // names the document
	}
	if err != nil {
		return s.localFailure(err)
	}
	return s.send(ctx, l, e)
}

// localFailure records a journal failure and pauses before trying again.
func (s *Sender) localFailure(err error) time.Duration {
	s.cfg.Logf("ofd: journal: %v", err)
	s.mu.Lock()
	s.lastErr = err
	s.mu.Unlock()
	return s.cfg.Jitter(s.cfg.RetryDelay)
}

// drained handles an empty outbox: the offline spell (if any) ends.
func (s *Sender) drained(ctx context.Context, l storage.LinkState) time.Duration {
	s.mu.Lock()
	if s.queued != s.stepGen {
		// The app queued documents after this step read the outbox: it is not empty.
		s.mu.Unlock()
		return 0
	}
	s.waiting, s.oldest = 0, time.Time{}
	if s.idleDown {
		// Offline with nothing to send (CheckLink): the spell ends when the OFD answers a probe;
		// then the idle checks go on from there.
		s.mu.Unlock()
		if d := s.idleProbe(ctx, l); d != idle {
			return d
		}
		s.mu.Lock()
		s.checkAt = time.Time{}
		s.mu.Unlock()
		return s.idleCheck(ctx, l)
	}
	s.lastErr, s.failSince, s.failures, s.probes = nil, time.Time{}, 0, 0
	s.mu.Unlock()
	if !l.OfflineSince.IsZero() {
		if err := s.updateLink(ctx, func(l *storage.LinkState) { l.OfflineSince = time.Time{} }); err != nil {
			return s.localFailure(err)
		}
		s.cfg.Logf("ofd: queue drained, online again")
		l.OfflineSince = time.Time{}
	}
	return s.idleCheck(ctx, l)
}

// idleCheck asks the OFD whether the link works when the idle check is due (Config.IdleCheck)
// and says how long to wait until the next one. It runs inside a step, under exMu, with nothing
// waiting: never beside a send, never two at once. A check that finds no link begins the offline
// spell (idleProbe), and the sender probes on at the offline pauses until the OFD answers.
func (s *Sender) idleCheck(ctx context.Context, l storage.LinkState) time.Duration {
	every := s.cfg.IdleCheck
	if every <= 0 {
		return idle
	}
	now := s.cfg.Now()
	s.mu.Lock()
	due := s.checkAt
	if due.IsZero() {
		s.checkAt = now.Add(every)
	}
	s.mu.Unlock()
	if due.IsZero() {
		return every
	}
	if now.Before(due) {
		return due.Sub(now)
	}
	s.mu.Lock()
	s.checkAt = now.Add(every)
	s.mu.Unlock()
	if d := s.idleProbe(ctx, l); d != idle {
		return d // no link: the offline pauses
	}
	return every
}

// send sends the outbox's oldest document once and handles the answer.
func (s *Sender) send(ctx context.Context, l storage.LinkState, e storage.OutboxEntry) time.Duration {
	now := s.cfg.Now()
	s.mu.Lock()
	s.oldest = e.QueuedAt
	s.checkAt = time.Time{} // a send is a check: the next idle one is planned when the queue drains
	if s.waiting < 1 {
		s.waiting = 1
	}
	s.mu.Unlock()

	var req storage.Request
	if e.Request != nil {
		req = *e.Request
	} else {
		// The first send: the request is committed before it leaves, with the journal's
		// next REQNUM.
		var err error
		req, err = s.j.AssignNextRequest(ctx, e.Seq, l.Token, l.OfflineSince)
		if err != nil {
			return s.localFailure(err)
		}
	}
	// Every attempt sends the stored request as it is: a retry is the same (TOKEN, REQNUM).
	// Only a refusal changes it (renew), never a failed exchange.
	token := req.Token

	var off *ofdclient.OfflinePeriod
	switch {
	case !l.OfflineSince.IsZero():
		off = &ofdclient.OfflinePeriod{Begin: l.OfflineSince, End: now}
	case !req.OfflineBegin.IsZero():
		off = &ofdclient.OfflinePeriod{Begin: req.OfflineBegin, End: now}
	}
	wreq, err := s.cfg.Identity.Request(&e.Document, off)
	if err != nil {
		return s.block(ctx, &ofdclient.ResultError{Code: ofdclient.ResultDocumentUnsendable, Err: err,
			Text: fmt.Sprintf("document %d: %v", e.Seq, err)})
	}
	h := ofdclient.Header{Version: s.cfg.Identity.ProtocolVersion(), SystemID: s.cfg.Identity.SystemID, Token: token, ReqNum: req.Reqnum}
	rh, resp, err := s.exchange(ctx, h, wreq)
	if ctx.Err() != nil {
		return idle
	}
	if err != nil {
		s.cfg.Logf("ofd: document %d (%s, reqnum %d): %v", e.Seq, tokenTag(token), req.Reqnum, err)
		if xe := (*ofdclient.ExchangeError)(nil); errors.As(err, &xe) && !xe.Temporary {
			// Not the network: the request cannot be sent as it stands. Retrying for ever
			// or going offline would hide it; a person must look.
			code := ofdclient.ResultProtocolViolation
			if xe.Op == "encode" {
				code = ofdclient.ResultDocumentUnsendable
			}
			return s.block(ctx, &ofdclient.ResultError{Command: wreq.GetCommand(), Code: code, Err: err,
				Text: fmt.Sprintf("document %d: %v", e.Seq, err)})
		}
		return s.failed(ctx, now, err)
	}
	code := resp.GetResult().GetResultCode()
	s.cfg.Logf("ofd: document %d (%v, %s, reqnum %d): code %d", e.Seq, wreq.GetCommand(), tokenTag(token), req.Reqnum, code)
	switch code {
	case ofdclient.ResultOK:
		return s.accepted(ctx, e, rh, resp, now)
	case ofdclient.ResultServiceUnavailable, ofdclient.ResultUnknownError:
		return s.failed(ctx, now, &ofdclient.ResultError{Command: wreq.GetCommand(), Code: code, Text: resp.GetResult().GetResultText()})
	case ofdclient.ResultShiftExpired:
		if e.Document.Kind != kkm.KindZReport {
			// The OFD takes nothing but the Z in this shift and will refuse this document
			// again however it is sent (a code other than 0, 254 or 255 is not an offline
			// condition, §4.6.4): it is set aside at once, so the Z behind it can leave, and
			// the register allows only the Z (the journal learns the OFD's limit with it).
			why := &ofdclient.ResultError{Command: wreq.GetCommand(), Code: code, Text: resp.GetResult().GetResultText()}
			if err := s.setAside(ctx, e.Seq, req, why); err != nil {
				return s.localFailure(err)
			}
			s.mu.Lock()
			s.onlyZ = true
			s.mu.Unlock()
			return 0
		}
	}
	return s.block(ctx, &ofdclient.ResultError{Command: wreq.GetCommand(), Code: code,
		Text: resp.GetResult().GetResultText(), Info: ofdclient.AdInfo(resp)})
}

// accepted stores the OFD's answer to the head document.
func (s *Sender) accepted(ctx context.Context, e storage.OutboxEntry, rh ofdclient.Header, resp *pb.Response, now time.Time) time.Duration {
	res := storage.FiscalResult{At: now}
	if t := resp.GetTicket(); t != nil {
		res.Sign, res.QRLink = t.GetTicketNumber(), string(t.GetQrCode())
	}
	if e.Document.Kind == kkm.KindReceipt && res.Sign == "" {
		// The OFD counted the receipt (and may have rotated the token) but gave no fiscal
		// sign: a broken answer. Retrying the same request replays it, so block for a person.
		return s.block(ctx, &ofdclient.ResultError{Command: resp.GetCommand(), Code: ofdclient.ResultProtocolViolation,
			Text: fmt.Sprintf("document %d: the OFD accepted the receipt without a fiscal sign", e.Seq)})
	}
	// One commit: the answer, the new token, and the next document's request, which carries
	// the new token (and the offline spell's begin, while it lasts).
	s.mu.Lock()
	offlineSince, more := s.link.OfflineSince, s.waiting > 1
	s.mu.Unlock()
	if p, ok := s.cfg.Exchanger.(ofdclient.Preparer); ok && more {
		// The next request can leave only after this commit (it carries the new token), but
		// its connection can be opened during the commit's fsync.
		p.Prepare(s.cfg.Address)
	}
	next, err := s.j.CompleteAndAssignNext(ctx, e.Seq, res, rh.Token, offlineSince)
	if err != nil {
		return s.localFailure(err)
	}
	s.mu.Lock()
	s.link.Token = rh.Token
	s.head = next
	s.failSince, s.failures, s.probes = time.Time{}, 0, 0
	s.lastErr, s.lastOK = nil, now
	s.idleDown = false // the OFD answered: the link is back
	s.sent++
	switch {
	case next == nil && s.queued != s.stepGen:
		// The app queued documents while this one was out: they are not in next.
		s.waiting, s.statsDue = max(s.waiting-1, 1), true
	case next == nil:
		s.waiting, s.oldest = 0, time.Time{}
	default:
		s.waiting, s.oldest = max(s.waiting-1, 1), next.QueuedAt
	}
	if e.Document.Kind == kkm.KindZReport {
		s.onlyZ = false
	}
	s.mu.Unlock()
	s.publish(Outcome{Seq: e.Seq, Kind: e.Document.Kind, Fiscal: res})
	return 0
}

// CheckLink asks the OFD once whether the link works while nothing waits to be sent, with a
// COMMAND_SYSTEM (the spec has a register probe so after a break while idle, §4.6.3). When the
// OFD does not answer, the offline spell begins now: the next document is issued offline with its
// own number and locally built check link, and the status line says offline at once, instead of
// the first document after the break being issued online and left without either. Run then
// probes while idle until the OFD answers, which ends the spell. With documents waiting, paused
// or blocked it only wakes the sender: sending the oldest document is the check. The demo's
// network switch calls it; an app may call it whenever it has reason to doubt the link.
func (s *Sender) CheckLink(ctx context.Context) {
	s.exMu.Lock()
	s.mu.Lock()
	l, busy := s.link, s.waiting > 0 || s.paused || s.link.BlockedCode != 0 || !s.loaded
	s.mu.Unlock()
	if busy {
		s.exMu.Unlock()
		s.Wake()
		return
	}
	s.idleProbe(ctx, l)
	s.exMu.Unlock()
	s.notify()
}

// idleProbe sends COMMAND_SYSTEM with nothing waiting (with offline_period while a spell lasts):
// no answer begins or continues the offline spell, an answer of any kind ends it (the link
// works; what the OFD thinks of a document is for the document's own send to find out).
// Service commands do not rotate the token.
func (s *Sender) idleProbe(ctx context.Context, l storage.LinkState) time.Duration {
	now := s.cfg.Now()
	var off *ofdclient.OfflinePeriod
	if !l.OfflineSince.IsZero() {
		off = &ofdclient.OfflinePeriod{Begin: l.OfflineSince, End: now}
	}
	req, err := s.cfg.Identity.SystemRequest(off)
	if err != nil {
		return s.localFailure(err)
	}
	reqnum, err := s.nextReqnum(ctx)
	if err != nil {
		return s.localFailure(err)
	}
	_, _, err = s.exchange(ctx, ofdclient.Header{Version: s.cfg.Identity.ProtocolVersion(), SystemID: s.cfg.Identity.SystemID, Token: l.Token, ReqNum: reqnum}, req)
	if ctx.Err() != nil {
		return idle
	}
	if err != nil {
		s.mu.Lock()
		s.idleDown, s.lastErr = true, err
		s.mu.Unlock()
		if l.OfflineSince.IsZero() {
			if err := s.updateLink(ctx, func(l *storage.LinkState) {
				if l.OfflineSince.IsZero() {
					l.OfflineSince = now
				}
			}); err != nil {
				return s.localFailure(err)
			}
			s.cfg.Logf("ofd: offline since %s (no answer while idle)", now.Format(time.DateTime))
		}
		return s.offlinePause()
	}
	s.mu.Lock()
	s.idleDown, s.lastErr, s.probes = false, nil, 0
	s.mu.Unlock()
	if !l.OfflineSince.IsZero() {
		if err := s.updateLink(ctx, func(l *storage.LinkState) { l.OfflineSince = time.Time{} }); err != nil {
			return s.localFailure(err)
		}
		s.cfg.Logf("ofd: the OFD answers, online again")
	}
	return idle
}

// failed handles a temporary failure of the head document: quick retries within the
// transaction time, then offline from the first failed attempt, with growing pauses.
func (s *Sender) failed(ctx context.Context, now time.Time, cause error) time.Duration {
	s.mu.Lock()
	if s.failSince.IsZero() {
		s.failSince = now
	}
	s.failures++
	s.lastErr = cause
	failSince, failures := s.failSince, s.failures
	l := s.link
	s.mu.Unlock()
	if l.OfflineSince.IsZero() {
		if now.Sub(failSince) < s.cfg.TransactionTime && failures <= s.cfg.QuickRetries {
			return s.cfg.Jitter(s.cfg.RetryDelay << min(failures-1, 16))
		}
		if err := s.updateLink(ctx, func(l *storage.LinkState) {
			if l.OfflineSince.IsZero() {
				l.OfflineSince = failSince
			}
		}); err != nil {
			return s.localFailure(err)
		}
		s.cfg.Logf("ofd: offline since %s", failSince.Format(time.DateTime))
	}
	return s.offlinePause()
}

// offlinePause returns the next pause between attempts while offline or server-blocked.
func (s *Sender) offlinePause() time.Duration {
	s.mu.Lock()
	n := s.probes
	s.probes++
	s.mu.Unlock()
	d := s.cfg.OfflineRetry << min(n, 16)
	if d > s.cfg.MaxOfflineRetry || d <= 0 {
		d = s.cfg.MaxOfflineRetry
	}
	return s.cfg.Jitter(d)
}

// block stops sending for the reason given and persists it.
func (s *Sender) block(ctx context.Context, why *ofdclient.ResultError) time.Duration {
	s.mu.Lock()
	s.lastErr = why
	s.failSince, s.failures = time.Time{}, 0
	s.mu.Unlock()
	info := why.Info
	if why.Code != ofdclient.ResultBlocked {
		info = why.Text
	}
	if err := s.updateLink(ctx, func(l *storage.LinkState) { l.BlockedCode, l.InfoText = why.Code, info }); err != nil {
		return s.localFailure(err)
	}
	s.cfg.Logf("ofd: blocked: %v", why)
	if why.Code == ofdclient.ResultBlocked {
		return s.offlinePause()
	}
	return idle
}

// probe sends COMMAND_SYSTEM with reg_info while the OFD blocks the register (spec §5.4) and
// leaves the block when it answers OK.
func (s *Sender) probe(ctx context.Context, l storage.LinkState) time.Duration {
	now := s.cfg.Now()
	var off *ofdclient.OfflinePeriod
	if !l.OfflineSince.IsZero() {
		off = &ofdclient.OfflinePeriod{Begin: l.OfflineSince, End: now}
	}
	req, err := s.cfg.Identity.SystemRequest(off)
	if err != nil {
		return s.block(ctx, &ofdclient.ResultError{Code: ofdclient.ResultDocumentUnsendable, Err: err, Text: err.Error()})
	}
	reqnum, err := s.nextReqnum(ctx)
	if err != nil {
		return s.localFailure(err)
	}
	_, resp, err := s.exchange(ctx, ofdclient.Header{Version: s.cfg.Identity.ProtocolVersion(), SystemID: s.cfg.Identity.SystemID, Token: l.Token, ReqNum: reqnum}, req)
	if ctx.Err() != nil {
		return idle
	}
	if err != nil {
		s.mu.Lock()
		s.lastErr = err
		s.mu.Unlock()
		return s.offlinePause()
	}
	switch code := resp.GetResult().GetResultCode(); code {
	case ofdclient.ResultOK:
		s.mu.Lock()
		l = s.link
		s.probes = 0
		s.lastErr = nil
		s.mu.Unlock()
		// The OFD refused the head document with 15: it goes out again as a new request.
		if err := s.renewRefused(ctx, l.Token, l.OfflineSince); err != nil {
			return s.localFailure(err)
		}
		if err := s.updateLink(ctx, func(l *storage.LinkState) { l.BlockedCode, l.InfoText = 0, "" }); err != nil {
			return s.localFailure(err)
		}
		s.cfg.Logf("ofd: the OFD lifted its block")
		return 0
	case ofdclient.ResultBlocked, ofdclient.ResultServiceUnavailable, ofdclient.ResultUnknownError:
		if info := ofdclient.AdInfo(resp); code == ofdclient.ResultBlocked && info != "" && info != l.InfoText {
			if err := s.updateLink(ctx, func(l *storage.LinkState) { l.InfoText = info }); err != nil {
				return s.localFailure(err)
			}
		}
		return s.offlinePause()
	default:
		return s.block(ctx, &ofdclient.ResultError{Command: req.GetCommand(), Code: code,
			Text: resp.GetResult().GetResultText(), Info: ofdclient.AdInfo(resp)})
	}
}

// tokenTag prints as ofdclient.TokenTag, computed only when a log line is formatted: the
// sender logs every exchange, and a register that does not log should not pay an HMAC per
// document for it.
type tokenTag uint32

func (t tokenTag) String() string { return ofdclient.TokenTag(uint32(t)) }
