package storage

import (
	"context"
	"testing"
)

// BenchmarkCheckFile is what the file checks add to every Commit (and every other write
// transaction) beside SQLite's work: the path check (two stat calls, compared with the journal
// file and WAL the process opened), the identity check before (the database header, the chain's
// page and the WAL's header and last commit frame, read with pread and compared with the mark)
// and the new mark after. BenchmarkIssueReceipt's commit is the yardstick (docs/benchmarks.md);
// the chain row's stamp is one statement inside the transaction, counted there.
func BenchmarkCheckFile(b *testing.B) {
	j := openTemp(b)
	newDesk(b, j).fill(3)
	ctx := context.Background()
	b.Run("path", func(b *testing.B) {
		defer reportCPU(b)()
		for b.Loop() {
			if err := j.checkFile(ctx); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("path+identity", func(b *testing.B) {
		defer reportCPU(b)()
		for b.Loop() {
			if err := j.checkFile(ctx); err != nil {
				b.Fatal(err)
			}
			if err := j.checkIdentity(ctx); err != nil {
				b.Fatal(err)
			}
			if err := j.remark(); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// reportCPU reports the process's CPU time per operation of b's loop (getrusage), beside the wall
// time that a loaded machine stretches: call it before the loop and defer what it returns.
func reportCPU(b *testing.B) func() {
	c0, ok := processCPU()
	return func() {
		if !ok { // a CPU figure not read fails, it is not left out or reported as 0
			b.Fatal("the process's CPU time is not readable on this system")
		}
		if b.N == 0 {
			return
		}
		c1, _ := processCPU()
		if c1 <= c0 {
			b.Fatalf("CPU time measured as %v", c1-c0)
		}
		b.ReportMetric(float64(c1-c0)/float64(b.N)/1e3, "cpu-µs/op")
	}
}
