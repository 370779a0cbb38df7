package delivery_test

import (
	"github.com/ekassa-go/ekassa/delivery"
	"slices"
	"testing"
	"time"
)

// reportLatency reports the p50 and p99 of the samples in microseconds.
func reportLatency(b *testing.B, samples []time.Duration) {
	if len(samples) == 0 {
		b.Fatal("no operation timed: no p50/p99 to report")
	}
	slices.Sort(samples)
	at := func(q float64) float64 {
		i := int(q * float64(len(samples)-1))
		return float64(samples[i].Nanoseconds()) / 1e3
	}
	b.ReportMetric(at(0.50), "p50-µs")
	b.ReportMetric(at(0.99), "p99-µs")
}

// BenchmarkReceiptEndToEnd issues a receipt as the app does and waits for its fiscal sign:
// kkm issue, journal commit, request with committed (TOKEN, REQNUM), the emulator's answer over
// loopback, and the answer's commit.
func BenchmarkReceiptEndToEnd(b *testing.B) {
	r := newRig(b, rigOptions{})
	samples := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		r.clock.Advance(time.Second)
		r.commit(r.reg.IssueReceipt(bread(), r.op, r.clock.Now(), false))
		if n, err := r.sender.Drain(r.ctx); err != nil || n != 1 {
			b.Fatalf("drain: %d, %v", n, err)
		}
		samples = append(samples, time.Since(start))
		if r.reg.State.Counters.Receipts[2].Count >= 5000 { // keep the shift's counters realistic
			b.StopTimer()
			r.clock.Advance(time.Minute)
			r.commit(r.reg.CloseShift(r.op, r.clock.Now(), false))
			if _, err := r.sender.Drain(r.ctx); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
		}
	}
	b.StopTimer()
	reportLatency(b, samples)
}

// BenchmarkDrainOfflineBacklog drains a backlog of 10 000 offline receipts after the network
// returns, and reports documents per second.
func BenchmarkDrainOfflineBacklog(b *testing.B) {
	const backlog = 10000
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		r := newRig(b, rigOptions{})
		r.reg.Settings.ShiftLimit = 96 * time.Hour
		r.net.setCut(true)
		r.receipt(bread())
		for r.sender.State().Mode != delivery.ModeOffline {
			r.sender.Drain(r.ctx)
		}
		for n := 1; n < backlog; n++ {
			r.clock.Advance(time.Second)
			r.commit(r.reg.IssueReceipt(bread(), r.op, r.clock.Now(), true))
		}
		r.net.setCut(false)
		b.StartTimer()
		start := time.Now()
		n, err := r.sender.Drain(r.ctx)
		elapsed := time.Since(start)
		if err != nil || n != backlog {
			b.Fatalf("drained %d of %d: %v", n, backlog, err)
		}
		b.ReportMetric(float64(backlog)/elapsed.Seconds(), "docs/s")
	}
}
