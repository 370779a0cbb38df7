package storage

import (
	"context"
	"testing"
)

// BenchmarkCheckFile is what the file check adds to every Commit (and every other write
// transaction): two stat calls, compared with the journal file and WAL the process opened.
// BenchmarkIssueReceipt's commit is the yardstick (docs/benchmarks.md).
func BenchmarkCheckFile(b *testing.B) {
	j := openTemp(b)
	newDesk(b, j).fill(3)
	ctx := context.Background()
	b.ResetTimer()
	for b.Loop() {
		if err := j.checkFile(ctx); err != nil {
			b.Fatal(err)
		}
	}
}
