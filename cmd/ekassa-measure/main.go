// Command ekassa-measure takes the phone-side measurements recorded in docs/benchmarks.md
// ("On the phone"):
//
//	ekassa-measure day   [-n 2000]                 memory after a day of sales through app.Runtime
//	ekassa-measure start [-bin bin/ekassa] [-runs 5] [-trace] [-data journal.db]
//	                                               cold start to the first drawn frame (needs $DISPLAY)
//
// day issues n documents (sales in cash and by card, a cash in every 100, an X report at the end)
// through the same app.Runtime the UI drives, against the demo OFD emulator on loopback, in a
// fresh journal, and prints the resident memory from /proc/self/status with the issue latency.
//
// start runs the app binary with -demo, and from the exec on watches the X server (xdotool,
// ImageMagick's import) until the app's window exists and shows more than a blank background:
// the time to the first frame, as a user would see it, to the ~20 ms the polling allows.
//
// A tool: nothing imports it.
package main

import (
	"bufio"
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/ekassa-go/ekassa/app"
	"github.com/ekassa-go/ekassa/kkm"
	"github.com/ekassa-go/ekassa/storage"
	"github.com/ekassa-go/ekassa/ui"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: ekassa-measure day|start [flags]")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "day":
		err = day(os.Args[2:])
	case "start":
		err = start(os.Args[2:])
	default:
		err = fmt.Errorf("unknown measurement %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "ekassa-measure:", err)
		os.Exit(1)
	}
}

// procStatus reads a "VmRSS"-like line of /proc/self/status, in kB.
func procStatus(key string) string {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return "?"
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), key+":"); ok {
			return strings.TrimSpace(v)
		}
	}
	return "?"
}

func day(args []string) error {
	fs := flag.NewFlagSet("day", flag.ExitOnError)
	n := fs.Int("n", 2000, "documents to issue")
	_ = fs.Parse(args)
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "ekassa-measure-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	fmt.Printf("start: VmRSS %s\n", procStatus("VmRSS"))
	demo, err := app.StartDemo(ctx)
	if err != nil {
		return err
	}
	defer demo.Server.Close()
	j, err := storage.Open(ctx, filepath.Join(dir, app.JournalFile))
	if err != nil {
		return err
	}
	defer j.Close()
	rt, err := app.NewRuntime(ctx, j, app.Options{Demo: demo.Server})
	if err != nil {
		return err
	}
	defer rt.Close()
	c, err := rt.CreateCashier(ctx, ui.NewCashier{Name: "Айгуль", Code: app.DemoCode})
	if err != nil {
		return err
	}
	if _, err := rt.Connect(ctx, demo.Connect); err != nil {
		return err
	}
	by := c.Operator()
	fmt.Printf("ready: VmRSS %s\n", procStatus("VmRSS"))
	lat := make([]time.Duration, 0, *n)
	t0 := time.Now()
	for i := 0; i < *n; i++ {
		t := time.Now()
		switch {
		case i%100 == 99:
			_, err = rt.CashIn(ctx, by, 500000)
		default:
			pay := kkm.PayCash
			if i%3 == 0 {
				pay = kkm.PayCard
			}
			amounts := []kkm.Money{kkm.Money(10000 + (i*7919)%900000), kkm.Money(5000 + (i*104729)%50000)}
			sum := amounts[0] + amounts[1]
			_, err = rt.IssueReceipt(ctx, by, kkm.SimpleDraft(kkm.OpSale, amounts, []kkm.Payment{{Type: pay, Sum: sum}}))
		}
		if err != nil {
			return fmt.Errorf("document %d: %w", i+1, err)
		}
		lat = append(lat, time.Since(t))
	}
	if _, err := rt.XReport(ctx, by); err != nil {
		return err
	}
	took := time.Since(t0)
	st := rt.Status()
	slices.Sort(lat)
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fmt.Printf("issued %d documents in %v (waiting %d): p50 %v p99 %v\n", *n, took.Round(time.Millisecond),
		st.Waiting, lat[len(lat)/2].Round(time.Microsecond), lat[len(lat)*99/100].Round(time.Microsecond))
	fmt.Printf("after the day: VmRSS %s, VmHWM %s, Go heap in use %.1f MB, Go runtime total %.1f MB\n",
		procStatus("VmRSS"), procStatus("VmHWM"), float64(ms.HeapInuse)/1e6, float64(ms.Sys)/1e6)
	runtime.GC()
	fmt.Printf("after GC: VmRSS %s\n", procStatus("VmRSS"))
	if fi, err := os.Stat(filepath.Join(dir, app.JournalFile)); err == nil {
		fmt.Printf("journal: %.1f MB\n", float64(fi.Size())/1e6)
	}
	return nil
}

func start(args []string) error {
	fs := flag.NewFlagSet("start", flag.ExitOnError)
	bin := fs.String("bin", "bin/ekassa", "the app binary")
	runs := fs.Int("runs", 5, "cold starts to time")
	trace := fs.Bool("trace", false, "also print the app's own steps before the first frame (app.StartTraceEnv), median and p90 of each")
	data := fs.String("data", "", "start on a copy of this journal (its .key beside it) instead of -demo's empty one; the copy is made once, before the runs")
	_ = fs.Parse(args)
	if os.Getenv("DISPLAY") == "" {
		return fmt.Errorf("start needs an X display (e.g. Xvfb :98 & DISPLAY=:98)")
	}
	appArgs := []string{"-demo", "-lang", "ru"}
	if *data != "" {
		// The journal is written at its open (the WAL, a migration), so never the original; one
		// copy for all runs keeps every run's journal the same size.
		dir, err := os.MkdirTemp("", "ekassa-start-data-*")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		for _, suffix := range []string{"", ".key"} {
			if err := copyFile(*data+suffix, filepath.Join(dir, app.JournalFile+suffix)); err != nil {
				return err
			}
		}
		appArgs = []string{"-data", dir, "-lang", "ru"}
	}
	var times, readies []time.Duration
	steps := map[string][]time.Duration{}
	var order []string
	for r := 0; r < *runs; r++ {
		home, err := os.MkdirTemp("", "ekassa-start-*")
		if err != nil {
			return err
		}
		// The run before's window gone first: an old window would count as this run's frame.
		if err := noWindow(5 * time.Second); err != nil {
			return err
		}
		cmd := exec.Command(*bin, appArgs...)
		cmd.Env = append(os.Environ(), "HOME="+home, "XDG_CONFIG_HOME="+home, app.ReadyMarkEnv+"=1")
		stderr, err := cmd.StderrPipe()
		if err != nil {
			return err
		}
		t0 := time.Now()
		if *trace {
			cmd.Env = append(cmd.Env, app.StartTraceEnv+"=1", app.StartT0Env+"="+strconv.FormatInt(t0.UnixNano(), 10))
		}
		if err := cmd.Start(); err != nil {
			return err
		}
		// The app says when the register's first screen is in its window (app.ReadyMark), and
		// with -trace the time of each step of its start.
		readyAt := make(chan time.Duration, 1)
		traced := make(chan map[string]time.Duration, 1)
		var tail strings.Builder // the app's last words, for a run that fails
		var tailMu sync.Mutex
		go func() {
			got := map[string]time.Duration{}
			sc := bufio.NewScanner(stderr)
			for sc.Scan() {
				line := sc.Text()
				tailMu.Lock()
				if tail.Len() < 4096 {
					tail.WriteString(line + "\n")
				}
				tailMu.Unlock()
				if strings.Contains(line, app.ReadyMark) {
					readyAt <- time.Since(t0)
				}
				if rest, ok := strings.CutPrefix(line, app.TraceLinePrefix); ok {
					if name, ms, ok := strings.Cut(rest, " "); ok {
						if v, err := strconv.ParseFloat(ms, 64); err == nil {
							got[name] = time.Duration(v * float64(time.Millisecond))
						}
					}
				}
			}
			close(readyAt)
			traced <- got
		}()
		d, err := firstFrame(t0, 30*time.Second)
		var rd time.Duration
		if err == nil {
			var ok bool
			select {
			case rd, ok = <-readyAt:
				if !ok {
					err = fmt.Errorf("the app ended without saying it was ready")
				}
			case <-time.After(30 * time.Second):
				err = fmt.Errorf("the register was not ready within 30 s")
			}
		}
		exited := cmd.ProcessState == nil && cmd.Process.Signal(syscall.Signal(0)) != nil
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		got := <-traced
		os.RemoveAll(home)
		if err != nil {
			tailMu.Lock()
			defer tailMu.Unlock()
			return fmt.Errorf("run %d: %w (the app had exited: %v); its standard error:\n%s", r+1, err, exited, tail.String())
		}
		fmt.Printf("run %d: first frame after %v, register ready after %v\n", r+1, d.Round(time.Millisecond), rd.Round(time.Millisecond))
		times = append(times, d)
		readies = append(readies, rd)
		if *trace {
			if len(got) == 0 {
				return fmt.Errorf("run %d: -trace, but the app wrote no step (%s not read by this binary?)", r+1, app.StartTraceEnv)
			}
			for name, at := range got {
				if _, ok := steps[name]; !ok {
					order = append(order, name)
				}
				steps[name] = append(steps[name], at)
			}
		}
	}
	if *trace {
		// The steps in the order of their medians: the window's thread and the register's
		// goroutine interleave.
		slices.SortFunc(order, func(a, b string) int { return int(median(steps[a]) - median(steps[b])) })
		fmt.Printf("%-20s %9s %9s %5s   (from the exec; ms)\n", "step", "median", "p90", "runs")
		for _, name := range order {
			fmt.Printf("%-20s %9.1f %9.1f %5d\n", name, ms(median(steps[name])), ms(pct(steps[name], 90)), len(steps[name]))
		}
	}
	for _, m := range []struct {
		what string
		ds   []time.Duration
	}{{"cold start to first frame", times}, {"cold start to the register's first screen", readies}} {
		slices.Sort(m.ds)
		fmt.Printf("%s: median %v, p90 %v (min %v, max %v, %d runs)\n", m.what,
			median(m.ds).Round(time.Millisecond), pct(m.ds, 90).Round(time.Millisecond), m.ds[0].Round(time.Millisecond),
			m.ds[len(m.ds)-1].Round(time.Millisecond), len(m.ds))
	}
	return nil
}

// median is the middle of ds (the upper of the two middles of an even count).
func median(ds []time.Duration) time.Duration { return pct(ds, 50) }

// pct is the p-th percentile of ds, nearest rank.
func pct(ds []time.Duration, p int) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	i := (len(s)*p + 99) / 100 // nearest rank: ceil(p/100 × n), 1-based
	if p == 50 {
		i = len(s)/2 + 1
	}
	return s[min(max(i-1, 0), len(s)-1)]
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// copyFile copies src to dst (0600: a journal and its key are the owner's only).
func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// noWindow waits until no window of the app is on the X server.
func noWindow(limit time.Duration) error {
	for t0 := time.Now(); time.Since(t0) < limit; time.Sleep(20 * time.Millisecond) {
		out, _ := exec.Command("xdotool", "search", "--name", "kassa|касса").Output()
		if len(bytes.TrimSpace(out)) == 0 {
			return nil
		}
	}
	return fmt.Errorf("a window of the app is still open after %v (another app on this display?)", limit)
}

// firstFrame waits for the app's window and for it to show more than one colour. On a timeout it
// says what it last saw, so a run that failed can be told from an app that hung.
func firstFrame(t0 time.Time, limit time.Duration) (time.Duration, error) {
	last := "no window"
	for time.Since(t0) < limit {
		// The opening frame's title is ui.AppTitle; the register's is its translated name.
		out, _ := exec.Command("xdotool", "search", "--name", "kassa|касса").Output()
		// Every window found (the run before's is gone, noWindow): a run that looked only at the
		// first id once waited 30 s on one that was going away.
		for _, id := range strings.Fields(string(out)) {
			// The number of distinct colours in the window: a blank (not yet drawn) window has one.
			img, err := exec.Command("import", "-silent", "-window", id, "-format", "%k", "info:").CombinedOutput()
			colours := string(bytes.TrimSpace(img))
			if err == nil && colours != "" && colours != "1" {
				return time.Since(t0), nil
			}
			last = fmt.Sprintf("window %s: %q %v", id, colours, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	return 0, fmt.Errorf("no frame within %v (last seen: %s)", limit, last)
}
