package storage

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/ekassa-go/ekassa/internal/benchdisk"
	"github.com/ekassa-go/ekassa/kkm"
)

// BenchmarkAnswerCommitOverBareInsert measures the one durable write a drained backlog pays per
// document (CompleteAndAssignNext: the answer, the new token and the next document's request;
// a record of the answer log, applied to SQLite 256 at a time, answerlog.go; issue 16 item 2)
// beside a bare durable insert, alternating in one run like BenchmarkCommitOverBareInsert, with
// synchronous=FULL (the app's) and OFF (measuring only). OFF takes the fsync out of SQLite's
// commits (the bare insert's and the fold's), not out of the answer log, which syncs itself: its
// OFF ratio says what the log's sync costs beside SQLite's work without one. The backlog is of
// offline five-item receipts with their printed text.
func BenchmarkAnswerCommitOverBareInsert(b *testing.B) {
	for _, mode := range []string{"FULL", "OFF"} {
		b.Run("synchronous="+mode, func(b *testing.B) {
			defer func(old string) { synchronous = old }(synchronous)
			synchronous = mode
			ctx := context.Background()
			j := openTemp(b)
			d := newDesk(b, j)
			d.reg.Settings.ShiftLimit = 10000 * time.Hour
			var token uint32 = 1000
			var seq int64
			// queue commits a backlog of offline receipts and assigns the head its request.
			queue := func() {
				for i := 0; i < 1000; i++ {
					iss, err := d.reg.IssueReceipt(fiveItems(kkm.OpSale), d.op, d.tick(), true)
					d.commit(d.reg.Finish(iss, nil), err)
				}
				head, err := j.NextOutbox(ctx)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := j.AssignNextRequest(ctx, head.Seq, token, time.Time{}); err != nil {
					b.Fatal(err)
				}
				seq = head.Seq
			}
			queue()
			refilled := false
			answer := func() {
				token++
				next, err := j.CompleteAndAssignNext(ctx, seq, FiscalResult{Sign: fmt.Sprint(1_000_000 + seq),
					QRLink: "http://consumer.oofd.kz?i=1&f=2&s=3.00&t=20260302T090000", At: d.now}, token, time.Time{})
				if err != nil {
					b.Fatal(err)
				}
				if next == nil {
					b.StopTimer()
					queue()
					b.StartTimer()
					refilled = true // this answer's time holds the refill: not a sample
					return
				}
				if next.Document.Receipt == nil || next.Request == nil || next.Request.Token != token {
					b.Fatalf("the next entry came back as %+v", next)
				}
				seq = next.Seq
			}
			insert := benchdisk.New(b, DSN).Insert
			var answers, bares, answersCPU, baresCPU []time.Duration
			_, withCPU := processCPU()
			timed := func(f func(), into, cpu *[]time.Duration) {
				c0, _ := processCPU()
				start := time.Now()
				f()
				if d := time.Since(start); !refilled {
					*into = append(*into, d)
					if withCPU {
						c1, _ := processCPU()
						*cpu = append(*cpu, c1-c0)
					}
				}
				refilled = false
			}
			for i := 0; b.Loop(); i++ {
				if i%2 == 0 {
					timed(answer, &answers, &answersCPU)
					timed(insert, &bares, &baresCPU)
				} else {
					timed(insert, &bares, &baresCPU)
					timed(answer, &answers, &answersCPU)
				}
			}
			ap50, amean := p50AndMean(answers)
			bp50, bmean := p50AndMean(bares)
			if bp50 <= 0 || bmean <= 0 {
				b.Fatalf("bare insert measured as %v p50, %v mean", bp50, bmean)
			}
			b.ReportMetric(ap50, "answer-p50-µs")
			b.ReportMetric(amean, "answer-mean-µs")
			b.ReportMetric(bp50, "bare-p50-µs")
			b.ReportMetric(bmean, "bare-mean-µs")
			b.ReportMetric(ap50/bp50, "ratio-p50")
			b.ReportMetric(ap50-bp50, "beyond-bare-p50-µs")
			b.ReportMetric(amean/bmean, "ratio-mean")
			// The process's CPU time per operation (getrusage), as in BenchmarkCommitOverBareInsert.
			if withCPU {
				_, ac := p50AndMean(answersCPU)
				_, bc := p50AndMean(baresCPU)
				if ac <= 0 || bc <= 0 {
					b.Fatalf("CPU time measured as %v and %v µs", ac, bc)
				}
				b.ReportMetric(ac, "answer-cpu-mean-µs")
				b.ReportMetric(bc, "bare-cpu-mean-µs")
			}
		})
	}
}
