package app

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/ekassa-go/ekassa/delivery"
	"github.com/ekassa-go/ekassa/kkm"
)

// The device's clock against the OFD's (issue 15, item 4; docs/fault-matrix.md, «Clocks»).
//
// The OFD's answer to COMMAND_INFO carries its time (ofdclient.Sender.OFDTime). The runtime asks
// when the sender starts, when the app comes back to the foreground, and every OFDClockEvery
// while it runs, always off the issuing path (a sale never waits for it). It keeps the answer as
// a reference: the OFD's time and the monotonic clock at that moment, so "the OFD's time now" is
// the reference plus the real time passed since, whatever the wall clock does meanwhile. Then:
//
//   - a gap beyond ClockWarnGap either way shows on the status line (ui.Status.ClockGap);
//   - a device clock ahead of the OFD's by more than ClockAheadLimit refuses every document
//     (ClockAheadError): nothing is dated in the future; fixing the clock lifts it at once;
//   - after documents were already dated in the future (the app was closed or offline while the
//     clock was wrong), CorrectClock is the lawful way back (kkm.State.CorrectClock).
//
// With no answer yet (offline since the start) there is nothing to compare with: the monotonic
// guard (clockguard.go) and kkm's forward-only rule still hold.

// The clock limits against the OFD.
const (
	// ClockWarnGap is the gap the status line warns about: beyond NTP's and a phone's drift.
	ClockWarnGap = 2 * time.Minute
	// ClockAheadLimit is how far ahead of the OFD the register may date a document.
	ClockAheadLimit = 5 * time.Minute
	// OFDClockEvery is how often a running register asks the OFD's time.
	OFDClockEvery = 15 * time.Minute
)

// ErrClockAheadOfOFD is the message ID of ClockAheadError.
const ErrClockAheadOfOFD = "err.clock.ahead_of_ofd"

// ClockAheadError refuses a document because the device's clock is ahead of the OFD's.
type ClockAheadError struct {
	Ahead time.Duration // device minus OFD
	OFD   time.Time     // the OFD's time now
}

// Error describes the refusal for logs.
func (e *ClockAheadError) Error() string {
	return fmt.Sprintf("app: the clock is %v ahead of the OFD's (%s)", e.Ahead.Round(time.Second), e.OFD.Format(time.DateTime))
}

// MessageID returns ErrClockAheadOfOFD.
func (e *ClockAheadError) MessageID() string { return ErrClockAheadOfOFD }

// TemplateData gives Minutes (rounded up) and OFD (dd.mm.yyyy hh:mm).
func (e *ClockAheadError) TemplateData() map[string]any {
	return map[string]any{"Minutes": minutesUp(e.Ahead), "OFD": e.OFD.Format("02.01.2006 15:04")}
}

// ClockRefusal is a clock correction refused, with its message ID and parameters.
type ClockRefusal struct {
	ID   string
	Data map[string]any
}

// Error returns the message ID.
func (e *ClockRefusal) Error() string { return "app: " + e.ID }

// MessageID returns the message ID.
func (e *ClockRefusal) MessageID() string { return e.ID }

// TemplateData returns the parameters.
func (e *ClockRefusal) TemplateData() map[string]any { return e.Data }

// The clock correction's refusals and texts.
const (
	errClockUnconfirmed = "err.clock.correct.unconfirmed"
	errClockDisagree    = "err.clock.correct.disagree"
)

// ClockMessageIDs lists this file's message IDs, for the translation test.
func ClockMessageIDs() []string {
	return []string{ErrClockAheadOfOFD, errClockUnconfirmed, errClockDisagree, string(kkm.ErrClockNothingToCorrect),
		"clock.correct", "clock.correct.done", "status.clock_gap"}
}

func minutesUp(d time.Duration) int64 {
	if d < 0 {
		d = -d
	}
	return int64((d + time.Minute - 1) / time.Minute)
}

// ofdClock is the last reference read from the OFD.
type ofdClock struct {
	mu    sync.Mutex
	known bool
	ofd   time.Time // the OFD's time at the reference
	mono  time.Time // the monotonic clock at the reference
}

// set records the OFD's time t as read at mono.
func (c *ofdClock) set(t, mono time.Time) {
	c.mu.Lock()
	c.known, c.ofd, c.mono = true, t, mono
	c.mu.Unlock()
}

// now returns the OFD's time at mono, and false without a reference.
func (c *ofdClock) now(mono time.Time) (time.Time, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.known {
		return time.Time{}, false
	}
	return c.ofd.Add(mono.Sub(c.mono)), true
}

// clockGap returns the device's wall clock minus the OFD's, and false without a reference.
func (rt *Runtime) clockGap(wall time.Time) (time.Duration, time.Time, bool) {
	ofdNow, ok := rt.ofdTime.now(rt.clock.readMono())
	if !ok {
		return 0, time.Time{}, false
	}
	return wall.Sub(ofdNow), ofdNow.In(wall.Location()), true
}

// checkAhead refuses a document dated too far ahead of the OFD's time.
func (rt *Runtime) checkAhead(wall time.Time) error {
	gap, ofdNow, ok := rt.clockGap(wall)
	if ok && gap > ClockAheadLimit {
		return &ClockAheadError{Ahead: gap, OFD: ofdNow}
	}
	return nil
}

// AskOFDTime reads the OFD's time now and keeps it as the reference; it waits for the OFD (call
// it off the issuing path). It returns the OFD's time.
func (rt *Runtime) AskOFDTime(ctx context.Context) (time.Time, error) {
	rt.mu.Lock()
	s := rt.sender
	rt.mu.Unlock()
	if s == nil {
		return time.Time{}, errNotRegistered
	}
	before := rt.clock.readMono()
	t, err := s.OFDTime(ctx)
	if err != nil {
		return time.Time{}, err
	}
	after := rt.clock.readMono()
	// The OFD read its clock somewhere in the exchange: take the middle.
	rt.ofdTime.set(t, before.Add(after.Sub(before)/2))
	rt.changed()
	return t, nil
}

// askOFDTimeSoon wakes the watcher to ask the OFD's time (the sender started, the app came back).
func (rt *Runtime) askOFDTimeSoon() {
	if rt.clockWake == nil {
		return
	}
	select {
	case rt.clockWake <- struct{}{}:
	default:
	}
}

// watchOFDClock asks the OFD's time at once and every OFDClockEvery until stop; a failure (offline,
// a queue waiting) is tried again at the next tick.
func (rt *Runtime) watchOFDClock(stop <-chan struct{}, wake <-chan struct{}) {
	base, cancelAll := context.WithCancel(context.Background())
	defer cancelAll()
	go func() {
		<-stop
		cancelAll() // Close does not wait for a slow OFD
	}()
	ask := func() {
		ctx, cancel := context.WithTimeout(base, 30*time.Second)
		defer cancel()
		if _, err := rt.AskOFDTime(ctx); err != nil && !errors.Is(err, delivery.ErrNotConnected) && !errors.Is(err, errNotRegistered) {
			rt.logf("ofd time: %v", err)
		}
	}
	ask()
	t := time.NewTicker(OFDClockEvery)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
			ask()
		case <-wake:
			ask()
		}
	}
}

// CorrectClock is the lawful way back after documents were dated in the future (kkm's
// clockcorrection.go): an administrator's action (kkm.ActionSettings). It reads the OFD's time
// now (online, nothing waiting: every future-dated document is with the OFD first), requires the
// device's clock to agree with it (within ClockWarnGap), moves the forward-only mark back to the
// OFD's time and records the correction in the sealed state and the journal's events. A shift
// opened in the wrong future then allows only its Z. It returns the correction.
func (rt *Runtime) CorrectClock(ctx context.Context, by kkm.Operator) (kkm.ClockCorrection, error) {
	if err := rt.allow(ctx, rt.Settings(), kkm.ActionSettings, by); err != nil {
		return kkm.ClockCorrection{}, err
	}
	c, err := rt.cashierOf(ctx, by)
	if err != nil {
		return kkm.ClockCorrection{}, err
	}
	if _, err := rt.AskOFDTime(ctx); err != nil {
		return kkm.ClockCorrection{}, &ClockRefusal{ID: errClockUnconfirmed}
	}
	rt.mu.Lock()
	defer rt.mu.Unlock()
	if rt.integrity != nil {
		return kkm.ClockCorrection{}, rt.integrity
	}
	wall := rt.now()
	gap, ofdNow, ok := rt.clockGap(wall)
	if !ok {
		return kkm.ClockCorrection{}, &ClockRefusal{ID: errClockUnconfirmed}
	}
	if gap > ClockWarnGap || gap < -ClockWarnGap {
		return kkm.ClockCorrection{}, &ClockRefusal{ID: errClockDisagree, Data: map[string]any{"Minutes": minutesUp(gap)}}
	}
	// The mark goes to the earlier of the two clocks, so the next document (dated by the device)
	// is never before it.
	mark := ofdNow
	if wall.Before(mark) {
		mark = wall
	}
	st, err := rt.reg.State.CorrectClock(mark, c.Operator(), ClockWarnGap)
	if err != nil {
		return kkm.ClockCorrection{}, err
	}
	cc := *st.LastClockCorrection
	detail := fmt.Sprintf("forward-only mark moved back from %s to the OFD's time %s by operator %d (%s)",
		cc.WrongLast.Format(time.RFC3339), cc.OFDTime.Format(time.RFC3339), cc.By.Code, cc.By.Name)
	if err := rt.journal.SaveStateWithEvent(ctx, st, "clock-correction", detail); err != nil {
		return kkm.ClockCorrection{}, err
	}
	rt.reg.State = st
	rt.clock.reset()
	rt.changed()
	return cc, nil
}
