package app

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ekassa-go/ekassa/ofdclient/ofdsim"
	"github.com/ekassa-go/ekassa/storage"
)

// TestAwaitFiscalOnOutcome: a receipt issued online comes back with its fiscal sign from the
// sender's outcome, and awaitFiscal reads the journal once for it (the answer that may have
// come before it subscribed), never in a loop, even when the OFD is slow to answer.
func TestAwaitFiscalOnOutcome(t *testing.T) {
	r := newRig(t)
	r.waitDrained()
	var reads atomic.Int64
	read := r.rt.fiscalResult
	r.rt.fiscalResult = func(ctx context.Context, seq int64) (storage.FiscalResult, error) {
		reads.Add(1)
		return read(ctx, seq)
	}
	for _, slow := range []bool{false, true} {
		reads.Store(0)
		if slow {
			// The answer comes well after the first read: only the outcome can bring it.
			r.demo.Server.Inject(ofdsim.Fault{Kind: ofdsim.FaultDelay, Delay: 200 * time.Millisecond}, 1)
		}
		d := r.sell(1000)
		if !d.Answered || d.FiscalSign == "" || d.QRLink == "" {
			t.Fatalf("slow %v: the receipt came back unanswered: %+v", slow, d)
		}
		stored, err := r.j.FiscalResult(r.ctx, d.Seq)
		if err != nil {
			t.Fatal(err)
		}
		if d.FiscalSign != stored.Sign || d.QRLink != stored.QRLink {
			t.Errorf("slow %v: shown sign %q link %q, the journal holds %q %q", slow, d.FiscalSign, d.QRLink, stored.Sign, stored.QRLink)
		}
		if n := reads.Load(); n != 1 {
			t.Errorf("slow %v: awaitFiscal read the journal %d times for one document, want 1", slow, n)
		}
	}
}
