//go:build unix

package pricelist_test

import (
	"syscall"
	"testing"
	"time"
)

// cpuTime is the process's CPU time so far, user and system; a benchmark that cannot read it
// fails rather than report a CPU time of 0.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatalf("the process's CPU time: %v", err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
