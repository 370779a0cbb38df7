package app

import (
	"fmt"
	"sync"
	"time"
)

// DefaultClockTolerance is how far the wall clock may drift from the monotonic clock between two
// fiscal documents before the register refuses to date one: far above what NTP slewing or a
// phone's network time correction does in the course of a shift, far below a hand-set clock.
const DefaultClockTolerance = 2 * time.Minute

// ErrClockJumped is the message ID of ClockJumpError: the wall clock jumped against the
// monotonic clock (design.md §3.8). The fix is to set the clock right (or confirm it is right,
// ConfirmClock); the sale typed so far stays on screen.
const ErrClockJumped = "err.clock.jumped"

// ClockJumpError refuses a fiscal document because the device's wall clock moved by Jump more
// (or, when negative, less) than the time that really passed since the last check. kkm already
// refuses a time before the last document (err.clock.backwards); this catches a clock set back
// within a shift and a clock set ahead, which would date documents wrongly and later block the
// register.
type ClockJumpError struct {
	Jump     time.Duration // wall-clock change minus the real (monotonic) time that passed
	Wall     time.Time     // the wall clock now
	Expected time.Time     // what the wall clock should say, by the monotonic clock
}

// Error describes the jump for logs.
func (e *ClockJumpError) Error() string {
	return fmt.Sprintf("app: the clock jumped by %v against the monotonic clock (it says %s, expected about %s)",
		e.Jump.Round(time.Second), e.Wall.Format(time.DateTime), e.Expected.Format(time.DateTime))
}

// MessageID returns ErrClockJumped.
func (e *ClockJumpError) MessageID() string { return ErrClockJumped }

// TemplateData gives the message its parameters: Minutes (the jump's size, rounded up, always
// positive), Ahead (true when the clock jumped forward), Now and Expected (dd.mm.yyyy hh:mm).
func (e *ClockJumpError) TemplateData() map[string]any {
	j := e.Jump
	if j < 0 {
		j = -j
	}
	return map[string]any{
		"Minutes":  int64((j + time.Minute - 1) / time.Minute),
		"Ahead":    e.Jump > 0,
		"Now":      e.Wall.Format("02.01.2006 15:04"),
		"Expected": e.Expected.Format("02.01.2006 15:04"),
	}
}

// clockGuard notices a wall clock that jumped. At each check it compares how far the register's
// wall clock moved since the last accepted check with how far the monotonic clock moved (the
// monotonic clock cannot be set by hand); a difference beyond the tolerance is a jump. An accepted
// check re-anchors both; a refused one does not, so the refusal lasts until the clock is set back
// right or the cashier confirms it (reset).
//
// Limits, by the nature of monotonic clocks: they start anew with the process, so a jump made
// while the app was not running is only caught by kkm's "not before the last document" rule; and
// on Linux/Android the monotonic clock stops while the device sleeps, so the app re-anchors when
// it comes back to the foreground (Runtime.Resume calls ConfirmClock). A register clock without a
// monotonic reading (a test's fake clock built with time.Date) is trusted as it is.
//
// The zero value is ready: the first check anchors.
type clockGuard struct {
	// monoNow reads the monotonic clock (time.Now when nil). Tests pass their own.
	monoNow func() time.Time
	// tolerance is the largest drift accepted (DefaultClockTolerance when zero).
	tolerance time.Duration

	mu       sync.Mutex
	anchored bool
	wallRef  time.Time // the wall clock at the anchor, monotonic reading stripped
	monoRef  time.Time // the monotonic clock at the anchor
}

// check refuses with a *ClockJumpError when wall (the register's clock now) jumped since the last
// accepted check, and re-anchors otherwise.
func (g *clockGuard) check(wall time.Time) error {
	stripped := wall.Round(0)
	if wall == stripped && g.monoNow == nil {
		// Not a reading of the real clock (no monotonic part): nothing to compare it with.
		return nil
	}
	mono := g.readMono()
	g.mu.Lock()
	defer g.mu.Unlock()
	if !g.anchored {
		g.anchor(stripped, mono)
		return nil
	}
	passed := mono.Sub(g.monoRef)
	jump := stripped.Sub(g.wallRef) - passed
	tol := g.tolerance
	if tol <= 0 {
		tol = DefaultClockTolerance
	}
	if jump > tol || jump < -tol {
		return &ClockJumpError{Jump: jump, Wall: wall, Expected: g.wallRef.Add(passed).In(wall.Location())}
	}
	g.anchor(stripped, mono)
	return nil
}

// reset forgets the anchor: the next check accepts the clock as it is.
func (g *clockGuard) reset() {
	g.mu.Lock()
	g.anchored = false
	g.mu.Unlock()
}

func (g *clockGuard) anchor(wall, mono time.Time) {
	g.anchored, g.wallRef, g.monoRef = true, wall, mono
}

func (g *clockGuard) readMono() time.Time {
	if g.monoNow != nil {
		return g.monoNow()
	}
	return time.Now()
}

// ConfirmClock accepts the device's clock as it is now: the cashier checked it after a
// err.clock.jumped refusal (the phone's network time corrected a wrong clock), or the app came
// back from the background, where the monotonic clock may have stood still while the phone
// slept. kkm still refuses a time before the last document.
func (rt *Runtime) ConfirmClock() {
	rt.clock.reset()
}
