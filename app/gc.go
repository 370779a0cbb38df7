package app

import (
	"os"
	"runtime/debug"
)

// The garbage collector's setting for the register (tuneGC): a GC cycle every time the heap grows
// by gcPercent of what is live, at most gcMemoryLimit of Go memory in all.
const (
	gcPercent     = 400
	gcMemoryLimit = 128 << 20
)

// tuneGC makes the garbage collector run less often than Go's default (GOGC=100) under a soft
// limit on the process's Go memory. A sale allocates little that lives (the register's live
// heap is some tens of MB with the demo's OFD), so at the default a cycle came every few dozen
// sales and its marking took CPU from the sale it fell on: in BenchmarkReceiptToFiscalSign at
// GOGC=400 the CPU p99 of a sale fell from ~9.4 to ~7.2 ms and the share of sales working over
// three times the mean from ~1.1 % to ~0.55 % (docs/benchmarks.md, measured under load). The limit keeps memory where the phone goal
// wants it (< 150 MB resident): near it the collector runs as often as it must. GOGC or
// GOMEMLIMIT in the environment win, for measuring.
func tuneGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(gcMemoryLimit)
	}
}
