package storage

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/ekassa-go/ekassa/internal/benchdisk"
	"github.com/ekassa-go/ekassa/kkm"
)

// reportPercentiles reports the p50 and p99 of per-operation durations in microseconds; with
// nothing timed it fails rather than report no figure.
func reportPercentiles(b *testing.B, d []time.Duration) {
	if len(d) == 0 {
		b.Fatal("no operation timed: no p50/p99 to report")
	}
	slices.Sort(d)
	at := func(p float64) float64 {
		i := int(p * float64(len(d)-1))
		return float64(d[i]) / float64(time.Microsecond)
	}
	b.ReportMetric(at(0.50), "p50-µs")
	b.ReportMetric(at(0.99), "p99-µs")
}

// reportWALPages reports the WAL pages (frames) a commit writes: the median of eleven more
// commits after the timed loop, each counted from the growth of walUsed, the bytes of WAL in use
// (a 4 KiB page and its 24-byte header a frame), so a background fold or a b-tree split in one of
// them is left out. A commit's cost beyond the fsync follows its page count (each page is two
// writes to the WAL before the fsync), and unlike a time the count does not vary with the
// machine's load. The WAL is read from the file, not with a checkpoint behind the journal's
// back, which the journal's identity check (identity.go) would take for another program's write.
func reportWALPages(b *testing.B, walUsed func() int64, commit func()) {
	counts := make([]int, 11)
	for i := range counts {
		before := walUsed()
		commit()
		counts[i] = int((walUsed() - before) / (4096 + walFrameHeaderSize))
	}
	slices.Sort(counts)
	b.ReportMetric(float64(counts[len(counts)/2]), "wal-pages/op")
}

// BenchmarkBareDurableInsert is the floor a document commit is measured against: one 600-byte row
// per transaction into a real file with the journal's own pragmas (WAL, synchronous=FULL).
func BenchmarkBareDurableInsert(b *testing.B) {
	bare := benchdisk.New(b, DSN)
	insert := bare.Insert
	durations := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		insert()
		durations = append(durations, time.Since(start))
	}
	b.StopTimer()
	reportPercentiles(b, durations)
	// Never checkpointed: its WAL file only grows, and its size is what is in use.
	reportWALPages(b, func() int64 { return walSize(b, bare.Path()+"-wal") }, insert)
}

// BenchmarkIssueReceipt issues a five-item cash sale through kkm (validate, compute, counters) and
// commits it with its state and outbox entry: what a cashier waits for after pressing «Оплатить».
func BenchmarkIssueReceipt(b *testing.B) {
	j := openTemp(b)
	d := newDesk(b, j)
	ctx := context.Background()
	draft := fiveItems(kkm.OpSale)
	issue := func() {
		d.now = d.now.Add(time.Millisecond) // the shift must not pass 24 h however large b.N is
		iss, err := d.reg.IssueReceipt(draft, d.op, d.now, false)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := j.Commit(ctx, iss.Documents, iss.State); err != nil {
			b.Fatal(err)
		}
		d.reg.State = iss.State
	}
	durations := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		issue()
		durations = append(durations, time.Since(start))
	}
	b.StopTimer()
	reportPercentiles(b, durations)
	reportWALPages(b, func() int64 { return walMark(j) }, issue)
}

// BenchmarkLoadState loads the register state from journals of different sizes: the cost is one
// row's, the same for 10 documents as for 20 000.
func BenchmarkLoadState(b *testing.B) {
	for _, n := range []int{10, 20_000} {
		b.Run(fmt.Sprintf("documents=%d", n), func(b *testing.B) {
			j := openTemp(b)
			d := newDesk(b, j)
			iss, err := d.reg.IssueReceipt(fiveItems(kkm.OpSale), d.op, d.tick(), false)
			if err != nil {
				b.Fatal(err)
			}
			docs := make([]kkm.Document, n)
			for i := range docs {
				docs[i] = iss.Documents[0]
				docs[i].Number = uint32(i + 1)
			}
			if _, err := j.Commit(context.Background(), docs, iss.State); err != nil {
				b.Fatal(err)
			}
			ctx := context.Background()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := j.State(ctx); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkOutboxStats reads the queue's length and age with a large journal and a short queue.
func BenchmarkOutboxStats(b *testing.B) {
	j := openTemp(b)
	d := newDesk(b, j)
	ctx := context.Background()
	iss, err := d.reg.IssueReceipt(fiveItems(kkm.OpSale), d.op, d.tick(), false)
	if err != nil {
		b.Fatal(err)
	}
	docs := make([]kkm.Document, 20_000)
	for i := range docs {
		docs[i] = iss.Documents[0]
	}
	if _, err := j.Commit(ctx, docs, iss.State); err != nil {
		b.Fatal(err)
	}
	if _, err := j.db.ExecContext(ctx, `UPDATE outbox SET done_at = 1 WHERE seq <= 19990`); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if st, err := j.OutboxStats(ctx); err != nil || st.Waiting != 10 {
			b.Fatalf("OutboxStats = %+v, %v", st, err)
		}
	}
}

// BenchmarkCommitOverBareInsert measures a receipt's commit against the bare durable insert in one
// run: every iteration issues and commits a five-item receipt (as BenchmarkIssueReceipt) and makes
// one bare insert (as BenchmarkBareDurableInsert), in alternating order, so both meet the same load
// and the same disk. It reports each side's p50 and mean and their ratios, so a ratio quoted in
// docs/benchmarks.md is this benchmark's output and not arithmetic over two runs.
//
// synchronous=FULL is the app's setting. synchronous=OFF takes the fsync out of both sides (for
// measuring only; the app never runs so): the receipt's figure there is the work a commit does
// beyond its fsync (CPU, statements, WAL pages written to the page cache).
func BenchmarkCommitOverBareInsert(b *testing.B) {
	for _, mode := range []string{"FULL", "OFF"} {
		b.Run("synchronous="+mode, func(b *testing.B) {
			defer func(old string) { synchronous = old }(synchronous)
			synchronous = mode
			ctx := context.Background()
			j := openTemp(b)
			d := newDesk(b, j)
			draft := fiveItems(kkm.OpSale)
			var mode2 string
			if err := j.db.QueryRowContext(ctx, `PRAGMA synchronous`).Scan(&mode2); err != nil {
				b.Fatal(err)
			}
			if want := map[string]string{"FULL": "2", "OFF": "0"}[mode]; mode2 != want {
				b.Fatalf("journal's synchronous = %s, want %s (%s)", mode2, want, mode)
			}
			issue := func() {
				d.now = d.now.Add(time.Millisecond)
				iss, err := d.reg.IssueReceipt(draft, d.op, d.now, false)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := j.Commit(ctx, iss.Documents, iss.State); err != nil {
					b.Fatal(err)
				}
				d.reg.State = iss.State
			}
			insert := benchdisk.New(b, DSN).Insert
			var receipts, bares, receiptsCPU, baresCPU []time.Duration
			_, withCPU := processCPU()
			timed := func(f func(), into, cpu *[]time.Duration) {
				c0, _ := processCPU()
				start := time.Now()
				f()
				*into = append(*into, time.Since(start))
				if withCPU {
					c1, _ := processCPU()
					*cpu = append(*cpu, c1-c0)
				}
			}
			for i := 0; b.Loop(); i++ {
				if i%2 == 0 {
					timed(issue, &receipts, &receiptsCPU)
					timed(insert, &bares, &baresCPU)
				} else {
					timed(insert, &bares, &baresCPU)
					timed(issue, &receipts, &receiptsCPU)
				}
			}
			if len(receipts) == 0 || len(bares) == 0 {
				b.Fatal("no operation measured")
			}
			rp50, rmean := p50AndMean(receipts)
			bp50, bmean := p50AndMean(bares)
			if bp50 <= 0 || bmean <= 0 {
				b.Fatalf("bare insert measured as %v p50, %v mean", bp50, bmean)
			}
			b.ReportMetric(rp50, "receipt-p50-µs")
			b.ReportMetric(rmean, "receipt-mean-µs")
			b.ReportMetric(bp50, "bare-p50-µs")
			b.ReportMetric(bmean, "bare-mean-µs")
			b.ReportMetric(rp50/bp50, "ratio-p50")
			b.ReportMetric(rmean/bmean, "ratio-mean")
			// What the receipt's commit costs beyond a bare insert's, p50 against p50: with the
			// fsync taken out (OFF), the work it does beyond the fsync (issue 16.1: under 100 µs).
			b.ReportMetric(rp50-bp50, "beyond-bare-p50-µs")
			// The process's CPU time per operation (getrusage, beside the wall time a loaded
			// machine stretches with waiting): the mean, since the clock behind it counts in
			// scheduler ticks on some kernels and a p50 of ticks says little.
			if withCPU {
				_, rc := p50AndMean(receiptsCPU)
				_, bc := p50AndMean(baresCPU)
				if rc <= 0 || bc <= 0 {
					b.Fatalf("CPU time measured as %v and %v µs", rc, bc)
				}
				b.ReportMetric(rc, "receipt-cpu-mean-µs")
				b.ReportMetric(bc, "bare-cpu-mean-µs")
			}
		})
	}
}

// p50AndMean returns the median and the mean of d in microseconds.
func p50AndMean(d []time.Duration) (p50, mean float64) {
	s := slices.Clone(d)
	slices.Sort(s)
	var sum time.Duration
	for _, x := range s {
		sum += x
	}
	return float64(s[(len(s)-1)/2]) / float64(time.Microsecond), float64(sum) / float64(len(s)) / float64(time.Microsecond)
}

// BenchmarkForcedFold folds foldForce five-item sales at once, as a journal written without a
// pause does (analytics_fold.go): fold-ms is the whole fold, hold-ms the longest it held the
// writes (a sale that comes meanwhile waits that long; BackgroundWork). Each fold's sales are
// committed untimed, with the background fold held off, in a shift of their own.
func BenchmarkForcedFold(b *testing.B) {
	j := openTemp(b)
	j.folding.Store(true) // the fold below is the only one
	d := newDesk(b, j)
	ctx := context.Background()
	var folds []time.Duration
	for b.Loop() {
		b.StopTimer()
		for range foldForce {
			d.now = d.now.Add(time.Second)
			d.sale(false)
		}
		d.commit(d.reg.CloseShift(d.op, d.tick(), false))
		b.StartTimer()
		start := time.Now()
		if err := j.foldAnalytics(ctx); err != nil {
			b.Fatal(err)
		}
		folds = append(folds, time.Since(start))
	}
	if len(folds) == 0 {
		b.Fatal("no fold timed")
	}
	slices.Sort(folds)
	b.ReportMetric(float64(folds[len(folds)/2])/1e6, "fold-ms")
	b.ReportMetric(float64(j.BackgroundWork().LongestFoldHold)/1e6, "hold-ms")
}
