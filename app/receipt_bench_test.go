package app

import (
	"context"
	"fmt"
	"path/filepath"
	"runtime/metrics"
	"slices"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/ekassa-go/ekassa/delivery"
	"github.com/ekassa-go/ekassa/internal/benchdisk"
	"github.com/ekassa-go/ekassa/kkm"
	"github.com/ekassa-go/ekassa/storage"
)

// BenchmarkReceiptToFiscalSign is a sale from the cashier's «Сформировать» to its fiscal sign,
// through what the sale screen calls (Runtime.IssueReceipt, the ui port) in a demo register as
// the app starts it (the OFD emulator on loopback, the app's own sender settings): the checks,
// kkm's issue, the journal's commit, the sender woken, the request, the emulator's answer, the
// answer's commit, and the answer's event back to the waiting call (awaitFiscal). A sale that
// comes back without its sign fails the benchmark.
//
// Beside the wall p50/p99 it reports what the slow ones are made of: the process's CPU time a
// sale (p99 and mean; far below the wall p99 means the slow sales waited for a core, not
// worked), the hop from the sender's outcome to the call's return (hop-p99-µs), and the shares
// of the slowest 1 % that ran across a garbage collection (gc-in-slowest-%), across the start
// of a journal fold, one of its steps, or a checkpoint (fold-or-checkpoint-in-slowest-%: forced
// by a count, since back-to-back sales leave no pause for them) and that waited three times
// longer than the process worked (waited-in-slowest-%: a core or the disk, not this code), and
// the longest a checkpoint and a fold step held the writes (checkpoint-hold-max-µs,
// fold-hold-max-µs). The collector is set as the app sets it (tuneGC); GOGC=100 in the
// environment measures Go's default.
//
// A sale cannot be quicker than its two durable writes (the receipt before it is sent, the
// answer before it is shown), so the same run times pairs of bare durable inserts on the same
// disk (benchdisk, 250 pairs before the sales and 250 after, back to back) and reports their
// p50/p99 and the sale's over them: on a disk whose fsync stalls, the pair's own p99 shows how
// much of the sale's p99 is the disk's.
func BenchmarkReceiptToFiscalSign(b *testing.B) {
	tuneGC() // as app.Main does
	ctx := context.Background()
	demo, err := StartDemo(ctx)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { demo.Server.Close() })
	j, err := storage.Open(ctx, filepath.Join(b.TempDir(), JournalFile))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { j.Close() })
	rt, err := NewRuntime(ctx, j, Options{Demo: demo.Server})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { rt.Close() })
	if err := prepareDemo(ctx, rt, demo, "Демо кассир"); err != nil {
		b.Fatal(err)
	}
	c, err := rt.CheckCode(ctx, DemoCode)
	if err != nil {
		b.Fatal(err)
	}
	by := c.Operator()
	// When the sender's outcome of each sale came (the answer committed), for the hop.
	var outcomeAt atomic.Int64
	rt.mu.Lock()
	sender := rt.sender
	rt.mu.Unlock()
	unsubscribe := sender.SubscribeOutcomes(func(delivery.Outcome) { outcomeAt.Store(time.Now().UnixNano()) })
	b.Cleanup(unsubscribe)
	draft := func(i int) kkm.ReceiptDraft {
		amounts := []kkm.Money{kkm.Money(10000 + (i*7919)%900000), 45000, 12500, 3000, kkm.Money(5000 + (i*104729)%50000)}
		var sum kkm.Money
		for _, a := range amounts {
			sum += a
		}
		return kkm.SimpleDraft(kkm.OpSale, amounts, []kkm.Payment{{Type: kkm.PayCash, Sum: sum}})
	}
	type sale struct {
		n              int
		wall, cpu, hop time.Duration
		gc             bool
		background     bool // a fold started or wrote a step, or a checkpoint started, during it
	}
	sales := make([]sale, 0, b.N)
	bare := benchdisk.New(b, storage.DSN)
	var twoBare []time.Duration
	pairs := func(n int) {
		for range n {
			twoBare = append(twoBare, bare.Run(2))
		}
	}
	pairs(250)
	gcs := []metrics.Sample{{Name: "/gc/cycles/total:gc-cycles"}}
	i := 0
	for b.Loop() {
		i++
		metrics.Read(gcs)
		gc0 := gcs[0].Value.Uint64()
		bg0 := j.BackgroundWork()
		cpu0 := cpuNow(b)
		start := time.Now()
		is, err := rt.IssueReceipt(ctx, by, draft(i))
		end := time.Now()
		if err != nil {
			b.Fatalf("sale %d: %v", i, err)
		}
		if d := is.Last(); !d.Answered || d.FiscalSign == "" {
			b.Fatalf("sale %d came back without its fiscal sign: %+v", i, d)
		}
		metrics.Read(gcs)
		sales = append(sales, sale{n: i, wall: end.Sub(start), cpu: cpuNow(b) - cpu0,
			hop: end.Sub(time.Unix(0, outcomeAt.Load())), gc: gcs[0].Value.Uint64() != gc0,
			background: j.BackgroundWork() != bg0})
		if i%2000 == 0 { // a shift of realistic size: the Z report untimed
			b.StopTimer()
			if _, err := rt.CloseShift(ctx, by); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
		}
	}
	if len(sales) == 0 {
		b.Fatal("no sale was timed")
	}
	pairs(250)
	pct := func(xs []time.Duration, q float64) float64 {
		s := slices.Clone(xs)
		slices.Sort(s)
		return float64(s[min(len(s)-1, int(q*float64(len(s))))].Nanoseconds()) / 1e3
	}
	var walls, cpus, hops []time.Duration
	var cpuSum time.Duration
	for _, s := range sales {
		walls, cpus, hops = append(walls, s.wall), append(cpus, s.cpu), append(hops, s.hop)
		cpuSum += s.cpu
	}
	b.ReportMetric(pct(walls, 0.50), "p50-µs")
	b.ReportMetric(pct(walls, 0.99), "p99-µs")
	b.ReportMetric(pct(cpus, 0.99), "cpu-p99-µs")
	b.ReportMetric(float64(cpuSum.Nanoseconds())/1e3/float64(len(sales)), "cpu-µs/op")
	b.ReportMetric(pct(hops, 0.99), "hop-p99-µs")
	// The longest the journal's background work held the writes (a sale meeting it waits as long).
	bw := j.BackgroundWork()
	b.ReportMetric(float64(bw.LongestCheckpointHold.Microseconds()), "checkpoint-hold-max-µs")
	b.ReportMetric(float64(bw.LongestFoldHold.Microseconds()), "fold-hold-max-µs")
	b.ReportMetric(pct(twoBare, 0.50), "two-bare-p50-µs")
	b.ReportMetric(pct(twoBare, 0.99), "two-bare-p99-µs")
	b.ReportMetric(pct(walls, 0.50)/pct(twoBare, 0.50), "p50-over-two-bare")
	b.ReportMetric(pct(walls, 0.99)/pct(twoBare, 0.99), "p99-over-two-bare")
	slices.SortFunc(sales, func(a, b sale) int { return int(b.wall - a.wall) })
	slow := sales[:max(1, len(sales)/100)]
	withGC, withBackground, waited := 0, 0, 0
	for _, s := range slow {
		if s.gc {
			withGC++
		}
		if s.background {
			withBackground++
		}
		if s.wall > 3*s.cpu {
			waited++
		}
	}
	b.ReportMetric(100*float64(withGC)/float64(len(slow)), "gc-in-slowest-%")
	b.ReportMetric(100*float64(withBackground)/float64(len(slow)), "fold-or-checkpoint-in-slowest-%")
	b.ReportMetric(100*float64(waited)/float64(len(slow)), "waited-in-slowest-%")
	heavy := 0 // sales during which the process worked more than three times the mean
	for _, s := range sales {
		if s.cpu > 3*cpuSum/time.Duration(len(sales)) {
			heavy++
		}
	}
	b.ReportMetric(100*float64(heavy)/float64(len(sales)), "cpu-heavy-%")
	if testing.Verbose() {
		for _, s := range slow {
			fmt.Printf("slow sale %d: wall %v cpu %v hop %v gc %v fold or checkpoint %v\n", s.n, s.wall, s.cpu, s.hop, s.gc, s.background)
		}
	}
}

// cpuNow is the process's user and system CPU time so far.
func cpuNow(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
