package delivery_test

import (
	"testing"

	"github.com/ekassa-go/ekassa/delivery"
	pb "github.com/ekassa-go/ekassa/ofdclient/pb"
)

// A real (not demo) link that breaks while nothing waits is found by the idle check, not by the
// next receipt's failed send: on the app's own pauses (a fake clock), with the emulator gone
// unreachable, the sender's periodic COMMAND_SYSTEM (fact sheet §4.6.3) finds no answer within
// IdleLinkCheck of the break and begins the offline spell; the next receipt is issued offline with
// its offline number; back, it goes out once and the checks go on. Then CheckSoon (the app back
// in the foreground) checks at once, without waiting out the minute.
func TestIdleCheckFindsABreak(t *testing.T) {
	clk := &fakeAfter{}
	r := newRig(t, rigOptions{after: clk.After, idleCheck: delivery.IdleLinkCheck})
	clk.clk = r.clock
	emulatorOnly(t, r)
	first := r.receipt(bread())
	runUntil(t, r, func(st delivery.State) bool { return st.Waiting == 0 && !st.LastAnswer.IsZero() })
	fiscalisedOnce(t, r, first)

	r.net.setCut(true)
	cut := r.clock.Now()
	runUntil(t, r, func(st delivery.State) bool { return st.Mode == delivery.ModeOffline })
	st := r.sender.State()
	if st.Waiting != 0 || st.OfflineSince.IsZero() || st.OfflineSince.Sub(cut) > delivery.IdleLinkCheck {
		t.Fatalf("the break seen at %v (cut at %v, checks every %v): %+v", st.OfflineSince, cut, delivery.IdleLinkCheck, st)
	}
	reqs := r.net.requests()
	if last := reqs[len(reqs)-1]; last.Request.GetCommand() != pb.CommandTypeEnum_COMMAND_SYSTEM || last.Err == nil {
		t.Fatalf("the break was found by %v (%v), want a failed COMMAND_SYSTEM", last.Request.GetCommand(), last.Err)
	}
	second := r.receipt(bread())
	if e, err := r.journal.Document(r.ctx, second); err != nil || !e.Document.Offline || e.Document.OfflineNumber == 0 {
		t.Fatalf("the first receipt after the break: %+v, %v", e.Document, err)
	}

	r.net.setCut(false)
	runUntil(t, r, func(st delivery.State) bool { return st.Waiting == 0 && st.Mode == delivery.ModeOnline })
	fiscalisedOnce(t, r, first, second)
	checks := func() int {
		n := 0
		for _, q := range r.net.requests() {
			if q.Request.GetCommand() == pb.CommandTypeEnum_COMMAND_SYSTEM {
				n++
			}
		}
		return n
	}
	// Online and idle: the checks go on, one a minute of the register's clock.
	before, at := checks(), r.clock.Now()
	runUntil(t, r, func(delivery.State) bool { return checks() >= before+3 })
	if spent := r.clock.Now().Sub(at); spent < 2*delivery.IdleLinkCheck {
		t.Errorf("3 checks in %v: more often than every %v", spent, delivery.IdleLinkCheck)
	}

	// Back in the foreground: the check is made at once, before the minute is out.
	r.net.setCut(true)
	at = r.clock.Now()
	r.sender.CheckSoon()
	runUntil(t, r, func(st delivery.State) bool { return st.Mode == delivery.ModeOffline })
	if st := r.sender.State(); st.OfflineSince.Sub(at) >= delivery.IdleLinkCheck {
		t.Errorf("CheckSoon found the break at %v, cut at %v: it waited out the minute", st.OfflineSince, at)
	}
}
