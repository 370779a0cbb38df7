package app

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"sync"
	"time"
)

// StartTraceEnv, when set, makes the app write the time of each step of its start to standard
// error, one "ekassa-trace: <step> <ms>" line a step (TraceLinePrefix): how `ekassa-measure start
// -trace` shows where the milliseconds before the first frame go (docs/benchmarks.md). The times
// count from StartT0Env — the exec as the measuring tool saw it, in Unix nanoseconds — so the
// process's own loading and package initialisation are in the first step; without it they count
// from Main.
const (
	StartTraceEnv   = "EKASSA_TRACE_START"
	StartT0Env      = "EKASSA_T0"
	TraceLinePrefix = "ekassa-trace: "
)

// startTrace writes the start's steps when StartTraceEnv is set; a zero one writes nothing, so
// the steps cost a branch when nobody measures.
type startTrace struct {
	on   bool
	out  io.Writer
	t0   time.Time
	mu   sync.Mutex
	seen map[string]bool
}

func newStartTrace() *startTrace {
	t := &startTrace{on: os.Getenv(StartTraceEnv) != "", out: os.Stderr, t0: time.Now(), seen: map[string]bool{}}
	if ns, err := strconv.ParseInt(os.Getenv(StartT0Env), 10, 64); err == nil && ns > 0 {
		t.t0 = time.Unix(0, ns)
	}
	return t
}

// step writes the step's time since t0, once per step name (a step reached again, such as a
// later frame, is not the start's).
func (t *startTrace) step(name string) {
	if t == nil || !t.on {
		return
	}
	d := time.Since(t.t0)
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.seen[name] {
		return
	}
	t.seen[name] = true
	fmt.Fprintf(t.out, "%s%s %.1f\n", TraceLinePrefix, name, float64(d.Microseconds())/1000)
}
