package delivery_test

import (
	"github.com/ekassa-go/ekassa/delivery"
	"os"
	"testing"
	"time"

	"github.com/ekassa-go/ekassa/ofdclient"
	"github.com/ekassa-go/ekassa/ofdclient/pb"
)

// TestConformanceShiftLimit is the conformance suite's day with an OFD whose shift limit is
// shorter than 24 hours (fact sheet §6.2): a receipt within the limit, one past it, which the OFD
// refuses with code 11 and the register sets aside at once (one request, marked refused, out of
// the counters), only the Z allowed, the Z accepted with the OFD's own counters, the limit learned.
// Against the emulator with 1 h and 12 h limits (refusing catch-up documents too) on the rig's
// clock. Against the OFD named by OFD_ADDR when OFD_SHIFT_LIMIT gives its limit (say 12h, or the
// few minutes a test OFD is set to): the suite then waits that long in real time, since the OFD
// keeps its own clock.
func TestConformanceShiftLimit(t *testing.T) {
	limits := []time.Duration{time.Hour, 12 * time.Hour}
	if os.Getenv("OFD_ADDR") != "" {
		d, err := time.ParseDuration(os.Getenv("OFD_SHIFT_LIMIT"))
		if err != nil || d <= 0 {
			t.Skip("OFD_SHIFT_LIMIT (the OFD's shift limit, e.g. 12h) is not set")
		}
		limits = []time.Duration{d}
	}
	for _, limit := range limits {
		t.Run(limit.String(), func(t *testing.T) {
			r := newRig(t, rigOptions{verbose: true, shiftLimit: limit, shiftLimitOffline: true})
			wait := func(d time.Duration) {
				r.clock.Advance(d)
				if !r.tg.emulated() {
					time.Sleep(d) // the OFD's clock is its own
				}
			}
			kept := r.receipt(bread())
			r.drain()
			wait(limit + time.Minute)
			late := r.receipt(bread())
			r.drain()
			st := r.sender.State()
			if !st.OnlyZ || st.Refused == nil || st.Refused.Seq != late || st.Mode != delivery.ModeOnline {
				t.Fatalf("after the limit: %+v; want the receipt set aside and only the Z", st)
			}
			refusedEntry(t, r, late, ofdclient.ResultShiftExpired)
			tickets := 0
			for _, q := range r.net.requests() {
				if q.Request.GetCommand() == pb.CommandTypeEnum_COMMAND_TICKET {
					tickets++
				}
			}
			if tickets != 2 {
				t.Fatalf("%d TICKET requests for two receipts", tickets)
			}
			if r.reg.State.OFDShiftLimit == 0 || r.reg.State.OFDShiftLimit > limit+time.Minute {
				t.Errorf("learned limit %v, the OFD's %v", r.reg.State.OFDShiftLimit, limit)
			}
			zAccepted(t, r)
			if r.tg.emulated() {
				fiscalisedOnce(t, r, kept)
			}
			r.receipt(bread()) // issued again in the new shift
			r.drain()
		})
	}
}
