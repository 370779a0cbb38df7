package app

import (
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestStartTrace: with the trace asked for, each step is written once, in milliseconds from the
// exec time the measuring tool passed; without it nothing is written.
func TestStartTrace(t *testing.T) {
	t.Setenv(StartTraceEnv, "1")
	t.Setenv(StartT0Env, strconv.FormatInt(time.Now().Add(-250*time.Millisecond).UnixNano(), 10))
	tr := newStartTrace()
	var out strings.Builder
	tr.out = &out
	tr.step("main")
	tr.step("window")
	tr.step("main") // a step reached again is not the start's
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], TraceLinePrefix+"main ") || !strings.HasPrefix(lines[1], TraceLinePrefix+"window ") {
		t.Fatalf("trace = %q, want one main and one window line", out.String())
	}
	ms, err := strconv.ParseFloat(strings.Fields(lines[0])[2], 64)
	if err != nil || ms < 250 || ms > 60_000 {
		t.Fatalf("main at %q ms, want at least the 250 ms since the exec", strings.Fields(lines[0])[2])
	}

	t.Setenv(StartTraceEnv, "")
	off := newStartTrace()
	var none strings.Builder
	off.out = &none
	off.step("main")
	if none.Len() != 0 {
		t.Fatalf("the trace wrote %q without %s", none.String(), StartTraceEnv)
	}
}
