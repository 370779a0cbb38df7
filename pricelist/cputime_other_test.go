//go:build !unix

package pricelist_test

import (
	"testing"
	"time"
)

// cpuTime is not read where getrusage is missing: the benchmark that asks for it fails rather
// than report a CPU time of 0.
func cpuTime(b *testing.B) time.Duration {
	b.Fatal("the process's CPU time is not readable on this system")
	return 0
}
