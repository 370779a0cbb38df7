package app

import (
	"context"
	"errors"
	"fmt"
	"github.com/ekassa-go/ekassa/delivery"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ekassa-go/ekassa/kkm"
	"github.com/ekassa-go/ekassa/ofdclient"
	"github.com/ekassa-go/ekassa/ofdclient/ofdsim"
	"github.com/ekassa-go/ekassa/storage"
	"github.com/ekassa-go/ekassa/ui"
)

// Runtime is the running register: the journal, the register's settings and state, and the OFD
// sender. It is what the screens drive, through the small ports of package ui (Runtime.Ports: the
// status line, settings, issuing, the journal's reading, access, recovery, journal care and
// cashiers are all implemented here); the cashier who acts is named on each call.
//
// Issuing follows design.md §3: the register's pure methods compute the document and the new
// state, the journal commits both with the outbox entry in one transaction, and only then the
// in-memory state moves on and the sender is woken. One document is issued at a time.
type Runtime struct {
	journal    *storage.Journal
	ofd        ofdclient.Exchanger
	now        func() time.Time
	fiscalWait time.Duration
	// fiscalResult reads a document's stored answer (the journal's FiscalResult); awaitFiscal
	// reads it once per document, and tests count the reads.
	fiscalResult func(ctx context.Context, seq int64) (storage.FiscalResult, error)
	senderCfg    delivery.Config // the sender's tuning; address and identity come from the settings
	logf         func(format string, args ...any)

	// demo is the embedded emulator in demo mode, nil otherwise.
	demo *ofdsim.Server

	codes *codeGuard
	clock clockGuard                      // refuses documents when the wall clock jumped (clockguard.go)
	geo   GeoSource                       // the device's position, nil when the platform gives none (geo.go)
	point atomic.Pointer[kkm.GeoPosition] // the settings' trading point, for the sender (geo.go)

	// the OFD's clock (clockofd.go): the last reference, and the watcher that refreshes it
	ofdTime   ofdClock
	clockStop chan struct{}
	clockWake chan struct{}
	clockDone chan struct{}

	// the background verification of the whole journal (integrity.go)
	verifyMu   sync.Mutex
	stopVerify context.CancelFunc
	verifyDone chan struct{}

	mu        sync.Mutex // serialises issuing and guards the fields below
	integrity error      // a change found in the journal: issuing stops (integrity.go)
	reg       kkm.Register
	// refusals is the sender's count of documents set aside when reg.State was last read: the
	// sender takes each out of the journal's state, so a new count means reading it again.
	refusals   int
	registered bool
	sender     *delivery.Sender
	stopSender context.CancelFunc
	senderDone chan struct{}

	subMu   sync.Mutex
	subs    map[int]func(ui.Status)
	nextSub int
	// answerSubs are SubscribeAnswers' subscribers (answers.go), numbered by nextSub too.
	answerSubs map[int]func(ui.Answer)
	// kick wakes the notifier goroutine, which calls the subscribers; changes coalesce, and no
	// one calls a subscriber while holding mu (the sender's callbacks come from its goroutine).
	kick     chan struct{}
	stopKick chan struct{}
	// kickDone is closed when the notifier has returned: Close waits for it, so no status
	// reaches a screen after the runtime is closed (a test's app is gone by then).
	kickDone  chan struct{}
	closeOnce sync.Once
}

// Options tune a Runtime; the zero value is usable.
type Options struct {
	// Now is the register's clock (time.Now by default).
	Now func() time.Time
	// Exchanger is the OFD transport (a plain ofdclient.Transport by default).
	Exchanger ofdclient.Exchanger
	// FiscalWait is how long issuing waits for the OFD's answer before it shows the document as
	// waiting (default 3 s). The document is in the journal either way.
	FiscalWait time.Duration
	// Sender tunes the OFD sender (retry delays, transaction time); Address, Identity, Exchanger,
	// OfflineLimit and Now are filled in from the settings and the options above.
	Sender delivery.Config
	// Logf gets a line for every OFD exchange and decision (silent by default).
	Logf func(format string, args ...any)
	// Demo is the embedded emulator of demo mode.
	Demo *ofdsim.Server
	// Geo is the device's position where the platform gives one (nil: none, as on the desktop);
	// without it documents carry the trading point's coordinates from the settings.
	Geo GeoSource
	// NoBackgroundVerify skips the whole journal's verification after start (tools that open a
	// journal briefly); the tip is checked all the same.
	NoBackgroundVerify bool
}

// NewRuntime loads the register from the journal and, when it is connected to an OFD, starts the
// sender. Nothing here scans the journal: settings, state and link are single rows.
func NewRuntime(ctx context.Context, j *storage.Journal, opts Options) (*Runtime, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Exchanger == nil {
		opts.Exchanger = &ofdclient.Transport{}
	}
	if opts.FiscalWait <= 0 {
		opts.FiscalWait = 3 * time.Second
	}
	if opts.Logf == nil {
		opts.Logf = func(string, ...any) {}
	}
	settings, registered, err := j.Settings(ctx)
	if err != nil {
		return nil, err
	}
	if !registered {
		settings = kkm.DefaultSettings()
	}
	state, err := j.State(ctx)
	if err != nil {
		return nil, err
	}
	rt := &Runtime{
		journal:    j,
		ofd:        opts.Exchanger,
		now:        opts.Now,
		fiscalWait: opts.FiscalWait,
		senderCfg:  opts.Sender,
		logf:       opts.Logf,
		demo:       opts.Demo,
		geo:        opts.Geo,
		codes:      newPersistentCodeGuard(opts.Now, CodeWaitFile(j.Path())),
		reg:        kkm.Register{Settings: settings, State: state},
		registered: registered && settings.SystemID != 0,
		subs:       map[int]func(ui.Status){},
		kick:       make(chan struct{}, 1),
		stopKick:   make(chan struct{}),
		kickDone:   make(chan struct{}),
	}
	rt.fiscalResult = j.FiscalResult
	rt.setPoint(settings)
	// The seal of what the next sale builds on, before it (integrity.go); a change stops
	// issuing, it does not stop the app.
	if err := j.VerifyTip(ctx); err != nil {
		if !isChange(err) {
			return nil, err
		}
		rt.integrity = err
	}
	if rt.registered {
		if err := rt.startSender(); err != nil {
			return nil, err
		}
	}
	go rt.notifier()
	rt.clockStop, rt.clockWake, rt.clockDone = make(chan struct{}), make(chan struct{}, 1), make(chan struct{})
	go func() {
		defer close(rt.clockDone)
		rt.watchOFDClock(rt.clockStop, rt.clockWake)
	}()
	if !opts.NoBackgroundVerify {
		rt.verifyInBackground()
	}
	return rt, nil
}

// Close stops the sender and checkpoints the journal; the journal itself is the caller's.
func (rt *Runtime) Close() error {
	rt.closeOnce.Do(func() {
		close(rt.stopKick)
		close(rt.clockStop)
	})
	<-rt.clockDone
	<-rt.kickDone
	rt.cancelVerify()
	rt.mu.Lock()
	rt.stopSenderLocked()
	rt.mu.Unlock()
	return rt.journal.Checkpoint(context.Background())
}

// Pause stops sending (the app goes to the background) and checkpoints the journal.
func (rt *Runtime) Pause(ctx context.Context) error {
	rt.mu.Lock()
	if rt.sender != nil {
		rt.sender.Pause()
	}
	rt.mu.Unlock()
	return rt.journal.Checkpoint(ctx)
}

// Resume continues sending after Pause and catches up at once.
func (rt *Runtime) Resume() {
	rt.ConfirmClock() // the monotonic clock may have stood still while the phone slept
	rt.askOFDTimeSoon()
	rt.mu.Lock()
	defer rt.mu.Unlock()
	if rt.sender != nil {
		rt.sender.Resume()
		rt.sender.CheckSoon() // back from the background: the network may have changed meanwhile
	}
}

// startSender starts the OFD sender for the current settings. Callers hold mu (or own rt alone).
func (rt *Runtime) startSender() error {
	cfg := rt.senderCfg
	cfg.Address = rt.reg.Settings.OFDAddress
	cfg.Identity = ofdclient.IdentityFromSettings(rt.reg.Settings)
	cfg.Identity.CurrentPoint = rt.currentPoint // coordinates saved later reach waiting documents
	cfg.Exchanger = rt.ofd
	cfg.OfflineLimit = rt.reg.Settings.OfflineLimit
	cfg.Now = rt.now
	if cfg.IdleCheck == 0 {
		// With nothing waiting, a real link that broke is seen by this check before the next
		// receipt, which is then issued offline with its own number (issue 12). Negative: none.
		cfg.IdleCheck = delivery.IdleLinkCheck
	}
	if cfg.Logf == nil {
		cfg.Logf = rt.logf
	}
	s, err := delivery.NewSender(rt.journal, cfg)
	if err != nil {
		return err
	}
	// The stored block (or offline spell) before the first status and the first issue: a
	// register blocked before a restart must not issue in the moment before Run looks.
	if err := s.Load(context.Background()); err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := s.Run(ctx); !errors.Is(err, context.Canceled) { // Run returns only with an error
			rt.logf("ofd sender stopped: %v", err)
		}
	}()
	s.Subscribe(func(delivery.State) { rt.changed() })
	s.SubscribeOutcomes(rt.publishAnswer)
	rt.sender, rt.stopSender, rt.senderDone = s, cancel, done
	rt.askOFDTimeSoon()
	return nil
}

func (rt *Runtime) stopSenderLocked() {
	if rt.sender == nil {
		return
	}
	rt.stopSender()
	<-rt.senderDone
	rt.sender, rt.stopSender, rt.senderDone = nil, nil, nil
}

// Status is the register's state for the status line.
func (rt *Runtime) Status() ui.Status {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	return rt.statusLocked()
}

func (rt *Runtime) statusLocked() ui.Status {
	rt.syncStateLocked(context.Background())
	now := rt.now()
	st := ui.Status{
		Registered:   rt.registered,
		RegisterName: rt.reg.Settings.RegisterName,
		Demo:         rt.demo != nil,
		ShiftOpen:    rt.reg.State.ShiftOpen,
		ShiftNumber:  rt.reg.State.ShiftNumber,
		CashInDrawer: rt.reg.State.CashInDrawer,
	}
	if rt.demo != nil {
		st.NetworkCut = rt.demo.NetworkCut()
	}
	if st.ShiftOpen {
		st.ShiftLeft = rt.reg.ShiftTimeLeft(now)
	}
	st.ShiftLimit = rt.reg.ShiftLimit()
	// A journal that failed (gone, damaged, full) blocks before anything the OFD says; so does a
	// journal changed behind the app (integrity.go), with its change as the fault.
	if st.Fault = rt.journal.Fault(); st.Fault != nil {
		st.Block = ui.BlockJournal
	} else if rt.integrity != nil {
		st.Fault, st.Block = rt.integrity, ui.BlockJournal
	}
	if gap, _, ok := rt.clockGap(now); ok && (gap > ClockWarnGap || gap < -ClockWarnGap) {
		st.ClockGap = gap
	}
	if rt.sender == nil {
		return st
	}
	// The queue as the sender keeps it: it counts what the app queues (Queued) at once and
	// the journal's outbox on every step, so there is one source of "documents waiting".
	link := rt.sender.State()
	st.Waiting = link.Waiting
	st.OfflineLeft = link.OfflineLeft
	st.Online = link.Mode == delivery.ModeOnline && st.Waiting == 0
	st.OfflineSince = link.OfflineSince
	st.OnlyZ = link.OnlyZ || rt.reg.ShiftExpired(now)
	switch {
	case st.Block == ui.BlockJournal:
	case link.Mode == delivery.ModeBlocked && link.Block != nil:
		st.Block = blockOf(link.Block.Code)
		st.BlockText = link.Block.Info
		if st.BlockText == "" {
			st.BlockText = link.Block.Text
		}
		if delivery.SetAsideAllowed(link.Block.Code) {
			// Name the refused document; a Z cannot be set aside, so it stays a protocol block.
			if head, err := rt.journal.NextOutbox(context.Background()); err == nil && head.Document.Kind != kkm.KindZReport {
				st.Block = ui.BlockRefused
				st.Refused = &ui.RefusedDocument{Seq: head.Seq, Document: head.Document, Reason: link.Block}
			}
		}
	case link.OfflineLimitReached:
		st.Block = ui.BlockOfflineLimit
	case st.OnlyZ:
		st.Block = ui.BlockShiftExpired
		// The receipt the OFD refused with code 11 in this shift, if that is why: the journal's
		// last refusal, so it is named after a restart too.
		if r, err := rt.journal.LastRefusal(context.Background()); err == nil && r.Refusal.Code == ofdclient.ResultShiftExpired &&
			r.Document.ShiftNumber == rt.reg.State.ShiftNumber && rt.reg.State.ShiftOpen {
			st.Refused = &ui.RefusedDocument{Seq: r.Seq, Document: r.Document, SetAside: true,
				Reason: &ofdclient.ResultError{Code: r.Refusal.Code, Text: r.Refusal.Text}}
		}
	}
	return st
}

// syncStateLocked reads the register state again when the sender has set a document aside
// since it was last read: the journal took the document out of the counters (design.md §3,
// invariant 11), and the next Commit must start from that state. Called with mu held.
func (rt *Runtime) syncStateLocked(ctx context.Context) {
	if rt.sender == nil {
		return
	}
	n := rt.sender.State().Refusals
	if n == rt.refusals {
		return
	}
	if err := rt.reloadStateLocked(ctx); err != nil {
		rt.logf("reload the register state: %v", err)
		return
	}
	rt.refusals = n
}

// reloadStateLocked reads the register state from the journal. Called with mu held.
func (rt *Runtime) reloadStateLocked(ctx context.Context) error {
	st, err := rt.journal.State(ctx)
	if err != nil {
		return err
	}
	rt.reg.State = st
	return nil
}

// blockOf names the block of an OFD result code (design.md §3.6).
func blockOf(code uint32) ui.Block {
	switch code {
	case 2:
		return ui.BlockToken
	case 1:
		return ui.BlockUnknownRegister
	case 15:
		return ui.BlockServer
	}
	return ui.BlockProtocol
}

// Subscribe calls f after every change of the status, from any goroutine.
func (rt *Runtime) Subscribe(f func(ui.Status)) (cancel func()) {
	rt.subMu.Lock()
	defer rt.subMu.Unlock()
	id := rt.nextSub
	rt.nextSub++
	rt.subs[id] = f
	return func() {
		rt.subMu.Lock()
		delete(rt.subs, id)
		rt.subMu.Unlock()
	}
}

// changed tells the subscribers, soon and from another goroutine, that the status changed.
func (rt *Runtime) changed() {
	select {
	case rt.kick <- struct{}{}:
	default:
	}
}

func (rt *Runtime) notifier() {
	defer close(rt.kickDone)
	for {
		select {
		case <-rt.stopKick:
			return
		case <-rt.kick:
			rt.notify()
		}
	}
}

func (rt *Runtime) notify() {
	st := rt.Status()
	rt.subMu.Lock()
	fs := make([]func(ui.Status), 0, len(rt.subs))
	for _, f := range rt.subs {
		fs = append(fs, f)
	}
	rt.subMu.Unlock()
	for _, f := range fs {
		f(st)
	}
}

// Settings returns the register's settings, with Token the OFD link's current token: that is the
// live one (the OFD rotates it, «Смена токена» replaces it), while the settings' stored copy is
// only the token the register was last connected with (see kkm.Settings.Token).
func (rt *Runtime) Settings() kkm.Settings {
	rt.mu.Lock()
	s := rt.reg.Settings
	s.Permissions = clonePermissions(s.Permissions) // the caller's to edit, not the runtime's
	rt.mu.Unlock()
	if l, err := rt.journal.LinkState(context.Background()); err == nil && l.Token != 0 {
		s.Token = l.Token
	}
	return s
}

// SaveSettings validates the settings the owner edited and saves them, when by may change the
// settings (kkm.ActionSettings) and, if the permissions change, is an administrator
// (kkm.ActionPermissions). The registration, the system ID and the token are not the owner's to
// edit here: they come from the OFD (connecting, «Смена токена»), so the stored ones are kept.
func (rt *Runtime) SaveSettings(ctx context.Context, by kkm.Operator, s kkm.Settings) error {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	cur := rt.reg.Settings
	s.Permissions = clonePermissions(s.Permissions) // kept by the runtime, not shared with the caller
	if err := rt.allow(ctx, cur, kkm.ActionSettings, by); err != nil {
		return err
	}
	if permissionsChanged(cur.Permissions, s.Permissions) {
		if err := rt.allow(ctx, cur, kkm.ActionPermissions, by); err != nil {
			return err
		}
	}
	s.SystemID, s.Token, s.Reg, s.SerialNumber, s.OFDAddress = cur.SystemID, cur.Token, cur.Reg, cur.SerialNumber, cur.OFDAddress
	if err := s.Validate(); err != nil {
		return err
	}
	if err := rt.journal.SaveSettings(ctx, s); err != nil {
		return err
	}
	rt.reg.Settings = s
	rt.setPoint(s)
	rt.changed()
	return nil
}

// ChangeToken checks a new token with the OFD («Смена токена») and saves it; it lifts a block
// for an invalid token. The sender stores the token in the OFD link, in one journal transaction
// with lifting the block; the settings are not written: their Token is not the live token (see
// kkm.Settings.Token), and a second write would only be a second transaction to get out of step.
func (rt *Runtime) ChangeToken(ctx context.Context, by kkm.Operator, token uint32) error {
	if err := rt.allow(ctx, rt.Settings(), kkm.ActionChangeToken, by); err != nil {
		return err
	}
	// The check with the OFD runs without the runtime's lock, so the status line and the screens
	// stay live for the seconds a slow OFD may take.
	rt.mu.Lock()
	sender := rt.sender
	rt.mu.Unlock()
	if sender == nil {
		return errNotRegistered
	}
	if _, err := sender.ChangeToken(ctx, token); err != nil {
		return err
	}
	rt.changed()
	return nil
}

// Retry leaves a block whose cause a person has fixed (a protocol error, a refused document) and
// sends the waiting document again; for an invalid token the way out is ChangeToken.
func (rt *Runtime) Retry(ctx context.Context) error {
	rt.mu.Lock()
	s := rt.sender
	rt.mu.Unlock()
	if s == nil {
		return errNotRegistered
	}
	if err := s.Retry(ctx); err != nil {
		return err
	}
	rt.changed()
	return nil
}

// SetAside is the way out of a block on a document the OFD refused for its content: the
// document is marked refused in the journal, leaves the shift's counters and the queue in one
// transaction, and the register goes on; the cashier then issues a corrected one.
func (rt *Runtime) SetAside(ctx context.Context) error {
	rt.mu.Lock()
	s := rt.sender
	rt.mu.Unlock()
	if s == nil {
		return errNotRegistered
	}
	if _, err := s.SetAside(ctx); err != nil {
		return err
	}
	rt.mu.Lock()
	rt.syncStateLocked(ctx)
	rt.mu.Unlock()
	rt.changed()
	return nil
}

// Preview computes a receipt without issuing it.
func (rt *Runtime) Preview(d kkm.ReceiptDraft) (kkm.Receipt, error) {
	return kkm.ComputeReceipt(d, rt.Settings())
}

// issueFunc issues documents on a copy of the register (kkm's pure methods).
type issueFunc func(reg kkm.Register, op kkm.Operator, now time.Time, offline bool) (kkm.Issued, error)

// IssueReceipt issues a sale, purchase or return. A return is checked against its original and
// the returns already made of it, in the journal, under the same lock as the issue itself.
func (rt *Runtime) IssueReceipt(ctx context.Context, by kkm.Operator, d kkm.ReceiptDraft) (ui.Issued, error) {
	return rt.issue(ctx, by, false, func(reg kkm.Register, op kkm.Operator, now time.Time, offline bool) (kkm.Issued, error) {
		if !d.Operation.Returning() {
			if err := rt.checkUnitsUnsold(ctx, d, reg.State); err != nil {
				return kkm.Issued{}, err
			}
			return reg.IssueReceipt(d, op, now, offline)
		}
		if err := rt.allow(ctx, reg.Settings, kkm.ActionReturn, op); err != nil {
			return kkm.Issued{}, err
		}
		orig, returned, err := rt.returnOriginal(ctx, d)
		if err != nil {
			return kkm.Issued{}, err
		}
		// kkm computes the return once, checks it against the original and the returns made of
		// it (kkm.ValidateReturn, ComputeReturn's rule), and issues it.
		return reg.IssueReturn(d, orig, returned, op, now, offline)
	})
}

// returnOriginal reads from the journal the original a return names and the returns already
// made of it, oldest first.
func (rt *Runtime) returnOriginal(ctx context.Context, d kkm.ReceiptDraft) (kkm.Receipt, []kkm.Receipt, error) {
	if d.Parent == nil {
		return kkm.Receipt{}, nil, kkm.ErrReturnParentMissing
	}
	orig, err := rt.findOriginal(ctx, d.Parent.Number)
	if err != nil {
		return kkm.Receipt{}, nil, err
	}
	returned, err := rt.journal.Returned(ctx, *d.Parent)
	if err != nil {
		return kkm.Receipt{}, nil, err
	}
	return *orig.Document.Receipt, returned.Receipts, nil
}

// CashIn records cash put into the drawer.
func (rt *Runtime) CashIn(ctx context.Context, by kkm.Operator, amount kkm.Money) (ui.Issued, error) {
	return rt.issue(ctx, by, false, func(reg kkm.Register, op kkm.Operator, now time.Time, offline bool) (kkm.Issued, error) {
		return reg.CashIn(amount, op, now, offline)
	})
}

// CashOut records cash taken from the drawer.
func (rt *Runtime) CashOut(ctx context.Context, by kkm.Operator, amount kkm.Money) (ui.Issued, error) {
	return rt.issue(ctx, by, false, func(reg kkm.Register, op kkm.Operator, now time.Time, offline bool) (kkm.Issued, error) {
		return reg.CashOut(amount, op, now, offline)
	})
}

// CloseShift closes the shift with a Z report (after the auto cash-out when it is on).
func (rt *Runtime) CloseShift(ctx context.Context, by kkm.Operator) (ui.Issued, error) {
	return rt.issue(ctx, by, true, func(reg kkm.Register, op kkm.Operator, now time.Time, offline bool) (kkm.Issued, error) {
		if err := rt.allow(ctx, reg.Settings, kkm.ActionCloseShift, op); err != nil {
			return kkm.Issued{}, err
		}
		return reg.CloseShift(op, now, offline)
	})
}

// Allow says whether the cashier may do a restricted action (returns, the Z report, settings,
// the token, cashiers) under the owner's permissions; the screens ask before they open, and the
// issuing methods check again.
func (rt *Runtime) Allow(ctx context.Context, by kkm.Operator, a kkm.Action) error {
	return rt.allow(ctx, rt.Settings(), a, by)
}

// XReport records the X report of the open shift in the journal (it is not fiscal and does not
// queue) and, when the OFD is reachable, sends it with COMMAND_REPORT as the protocol asks.
func (rt *Runtime) XReport(ctx context.Context, by kkm.Operator) (ui.Issued, error) {
	c, err := rt.cashierOf(ctx, by)
	if err != nil {
		return nil, err
	}
	by = c.Operator()
	rt.mu.Lock()
	if !rt.registered {
		rt.mu.Unlock()
		return nil, errNotRegistered
	}
	rt.syncStateLocked(ctx)
	if rt.integrity != nil {
		err := rt.integrity
		rt.mu.Unlock()
		return nil, err
	}
	now := rt.now()
	doc, err := rt.reg.XReport(by, now)
	if err != nil {
		rt.mu.Unlock()
		return nil, err
	}
	var at *kkm.GeoPosition
	if pos, err := rt.position(); err == nil {
		at = &pos // COMMAND_REPORT carries it too; without one the X stays local
	}
	doc = rt.reg.Finish(kkm.Issued{Documents: []kkm.Document{doc}}, at).Documents[0]
	seqs, err := rt.journal.Commit(ctx, []kkm.Document{doc}, rt.reg.State)
	sender := rt.sender
	rt.mu.Unlock()
	if err != nil {
		return nil, err
	}
	if sender != nil && sender.State().Mode == delivery.ModeOnline {
		if _, err := sender.XReport(ctx, &doc); err != nil {
			rt.logf("X report to the OFD: %v", err)
		}
	}
	return ui.Issued{{Seq: seqs[0], Document: doc}}, nil
}

// issue runs one issuing operation: refuse when the link forbids it, compute on a copy, commit,
// move the state on, wake the sender, and wait a little for the OFD's answer.
func (rt *Runtime) issue(ctx context.Context, by kkm.Operator, closesShift bool, f issueFunc) (ui.Issued, error) {
	// Only a cashier of this register issues, under the name the journal has for the code.
	c, err := rt.cashierOf(ctx, by)
	if err != nil {
		return nil, err
	}
	by = c.Operator()
	rt.mu.Lock()
	if !rt.registered || rt.sender == nil {
		rt.mu.Unlock()
		return nil, errNotRegistered
	}
	// No document on a journal that failed (design.md §3.10): its fault says why; nor on one
	// changed behind the app (integrity.go): the change says what.
	err = rt.journal.Fault()
	if err == nil {
		err = rt.integrity
	}
	if err != nil {
		rt.mu.Unlock()
		return nil, err
	}
	now := rt.now()
	if err := rt.clock.check(now); err != nil {
		rt.mu.Unlock()
		return nil, err
	}
	rt.syncStateLocked(ctx)
	if err := rt.checkAhead(now); err != nil {
		// The clock is wrong against the OFD: once it is set right, that is no jump to refuse.
		rt.clock.reset()
		rt.mu.Unlock()
		return nil, err
	}
	link := rt.sender.State()
	// The queue as the journal holds it, not as the sender last saw it: a document committed a
	// moment ago is waiting even if the sender has not looked yet.
	queue, err := rt.journal.OutboxStats(ctx)
	if err != nil {
		rt.mu.Unlock()
		return nil, err
	}
	if err := rt.refusal(link, queue, now, closesShift); err != nil {
		rt.mu.Unlock()
		return nil, err
	}
	// Every fiscal request carries where the register is (2.0.3): without a position the OFD
	// would refuse the document, so it is not issued.
	pos, err := rt.position()
	if err != nil {
		rt.mu.Unlock()
		return nil, err
	}
	// Strict order: while anything waits, or the OFD is unreachable, a new document is issued
	// offline and joins the end of the queue.
	offline := link.Mode != delivery.ModeOnline || queue.Waiting > 0
	iss, err := f(rt.reg, by, now, offline)
	if err != nil {
		rt.mu.Unlock()
		return nil, err
	}
	// kkm completes the documents: the receipt as printed travels with it (printed_ticket) and
	// stays in the journal, and so does its position; an offline receipt has its check link.
	// A document whose request could never be sent (too large for a frame) is refused here,
	// before anything is written.
	identity := ofdclient.IdentityFromSettings(rt.reg.Settings)
	finish := func(iss kkm.Issued) (kkm.Issued, error) {
		iss = rt.reg.Finish(iss, &pos)
		for i := range iss.Documents {
			if err := identity.CheckSendable(&iss.Documents[i]); err != nil {
				return kkm.Issued{}, err
			}
		}
		return iss, nil
	}
	if iss, err = finish(iss); err != nil {
		rt.mu.Unlock()
		return nil, err
	}
	seqs, err := rt.journal.Commit(ctx, iss.Documents, iss.State)
	if errors.Is(err, storage.ErrStateChanged) {
		// The sender set a refused document aside between the state's read and the commit:
		// issue again from the journal's state (the counters without it).
		if err = rt.reloadStateLocked(ctx); err == nil {
			if iss, err = f(rt.reg, by, now, offline); err == nil {
				if iss, err = finish(iss); err == nil {
					seqs, err = rt.journal.Commit(ctx, iss.Documents, iss.State)
				}
			}
		}
	}
	if err != nil {
		rt.mu.Unlock()
		if rt.journal.Fault() != nil {
			rt.changed() // the journal failed just now: the status line blocks at once
		}
		return nil, err
	}
	rt.reg.State = iss.State
	sender := rt.sender
	rt.mu.Unlock()

	// The sender counts the new documents at once (the status line shows them from its state)
	// and wakes.
	queued, oldest, through := 0, time.Time{}, int64(0)
	for i, d := range iss.Documents {
		if d.Kind.Fiscal() {
			if queued == 0 {
				oldest = d.Time
			}
			queued, through = queued+1, seqs[i]
		}
	}
	sender.Queued(queued, oldest, through)
	out := make(ui.Issued, len(seqs))
	for i, seq := range seqs {
		out[i] = ui.IssuedDocument{Seq: seq, Document: iss.Documents[i], QRLink: iss.CheckLinks[i]}
	}
	if !offline {
		rt.awaitFiscal(ctx, sender, out)
	}
	rt.changed()
	return out, nil
}

// refusal says why the register may not issue now, or nil.
func (rt *Runtime) refusal(link delivery.State, queue storage.OutboxStats, now time.Time, closesShift bool) error {
	if link.Mode == delivery.ModeBlocked && link.Block != nil {
		return link.Block
	}
	if queue.Waiting > 0 {
		if err := kkm.CheckOfflineLimit(queue.OldestQueued, now, rt.reg.Settings.OfflineLimit); err != nil {
			return err
		}
	}
	if link.OnlyZ && !closesShift {
		return kkm.ErrShiftExpired
	}
	return nil
}

// awaitFiscal waits up to fiscalWait for the OFD's answers to the documents just issued online,
// and fills in their fiscal signs and links. What has not arrived by then shows as waiting.
// The answers come back as the sender's outcomes (delivery.Sender.SubscribeOutcomes): the
// journal is read once per document, after subscribing, only for an answer that came before
// the subscription; nothing polls.
func (rt *Runtime) awaitFiscal(ctx context.Context, sender *delivery.Sender, docs ui.Issued) {
	outcomes := make(chan delivery.Outcome, len(docs))
	changed := make(chan struct{}, 1)
	wanted := make(map[int64]int, len(docs))
	for i := range docs {
		if docs[i].Document.Kind != kkm.KindXReport {
			wanted[docs[i].Seq] = i
		}
	}
	unsubscribe := sender.SubscribeOutcomes(func(o delivery.Outcome) {
		if _, ok := wanted[o.Seq]; ok {
			outcomes <- o // buffered for every wanted document, each completed once
		}
	})
	defer unsubscribe()
	unsubscribeState := sender.Subscribe(func(delivery.State) {
		select {
		case changed <- struct{}{}:
		default:
		}
	})
	defer unsubscribeState()
	answered := func(i int, r storage.FiscalResult) {
		docs[i].Answered = true
		docs[i].FiscalSign, docs[i].QRLink = r.Sign, r.QRLink
		if docs[i].Document.Kind != kkm.KindReceipt {
			docs[i].QRLink = ""
		}
	}
	pending := make(map[int64]bool, len(wanted))
	for seq, i := range wanted {
		if docs[i].Answered {
			continue
		}
		// An answer that came before the subscription is only in the journal.
		if r, err := rt.fiscalResult(ctx, docs[i].Seq); err == nil && !r.At.IsZero() {
			answered(i, r)
			continue
		}
		pending[seq] = true
	}
	deadline := time.NewTimer(rt.fiscalWait)
	defer deadline.Stop()
	for len(pending) > 0 {
		// Blocked or offline: the answer will not come within the wait, so the cashier sees the
		// document as waiting at once instead of after the whole wait.
		if sender.State().Mode != delivery.ModeOnline {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-deadline.C:
			return
		case <-changed:
		case o := <-outcomes:
			if pending[o.Seq] {
				delete(pending, o.Seq) // a refused document is done too: it will not be fiscalised
				if o.Refusal == nil {
					answered(wanted[o.Seq], o.Fiscal)
				}
			}
		}
	}
}

// issuedOf turns a journal entry into what the screens show.
func (rt *Runtime) issuedOf(e storage.Entry) ui.IssuedDocument {
	out := ui.IssuedDocument{Seq: e.Seq, Document: e.Document}
	if e.Fiscal != nil {
		// The journal keeps every answer, with or without a fiscal sign: a stored answer is
		// what makes a cash in/out or a Z report accepted.
		out.Answered = true
		out.FiscalSign = e.Fiscal.Sign
		if e.Document.Kind == kkm.KindReceipt {
			out.QRLink = e.Fiscal.QRLink
		}
	}
	if e.Refusal != nil {
		out.Refused = &ofdclient.ResultError{Code: e.Refusal.Code, Text: e.Refusal.Text}
		return out // no check link: the OFD never registered it
	}
	if out.QRLink == "" && e.Document.Kind == kkm.KindReceipt && e.Document.Offline {
		out.QRLink = kkm.CheckLink(e.Document, rt.Settings(), kkm.FiscalMark{}) // built as Finish built it
	}
	return out
}

// errNotRegistered refuses documents before a register is connected.
var errNotRegistered = ui.Refusal("err.register.not_connected")

// SetNetworkCut cuts or restores the demo emulator's network.
func (rt *Runtime) SetNetworkCut(cut bool) error {
	if rt.demo == nil {
		return ui.Refusal("err.demo.only")
	}
	if err := rt.demo.SetNetworkCut(cut); err != nil {
		return fmt.Errorf("app: demo network: %w", err)
	}
	rt.mu.Lock()
	sender := rt.sender
	rt.mu.Unlock()
	if sender != nil {
		// The register learns of the change as a real one would, by asking the OFD (an idle
		// probe, or the queue's next send): offline shows at once and the next document is issued
		// offline, with its own number and check link (walker S9, S10).
		ctx, cancel := context.WithTimeout(context.Background(), demoLinkCheck)
		sender.CheckLink(ctx)
		cancel()
	}
	rt.changed()
	return nil
}

// demoLinkCheck bounds the demo switch's check of the link (the emulator refuses a connection at
// once while cut; this only guards a stuck loopback).
const demoLinkCheck = 10 * time.Second
