package storage

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ekassa-go/ekassa/kkm"
)

// The environment of the crashing child: the journal file and where in Commit to stop.
const (
	crashChildEnv = "EKASSA_STORAGE_CRASH_CHILD"
	crashPointEnv = "EKASSA_STORAGE_CRASH_POINT"
)

// TestCrashMidTransaction runs this test binary again as a child that commits three documents
// and then a fourth through the real Journal.Commit, stopped by the commit hook (hook.go) at one
// point of Commit's transaction, where it says "ready" and waits; the parent kills it there with
// SIGKILL. At "begin" (chain head read) and "written" (every row of the document, its outbox
// entry, the analytics, the chain head and the state written, plus enough bulk in the same
// transaction that SQLite spills its pages into the WAL file, not committed) the reopened journal
// holds exactly the three committed documents, their state and an intact chain that the next
// Commit continues; at "committed" (after the commit, before Commit returned) it holds the fourth
// too. So a Commit split into two transactions, or one that wrote anything before its
// transaction, would fail here.
func TestCrashMidTransaction(t *testing.T) {
	if path := os.Getenv(crashChildEnv); path != "" {
		crashChild(path, os.Getenv(crashPointEnv))
		return
	}
	for _, c := range []struct {
		point string
		want  int64 // documents after the kill
		bulk  bool  // the WAL holds the uncommitted transaction's pages
	}{
		{"begin", 3, false},
		{"written", 3, true},
		{"committed", 4, false},
	} {
		t.Run(c.point, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "journal.db")
			states := crashAt(t, path, c.point)
			if c.bulk {
				// The uncommitted transaction did reach the disk: the WAL holds its pages.
				if fi, err := os.Stat(path + "-wal"); err != nil || fi.Size() < 2000*2000/2 {
					t.Fatalf("WAL after the kill: %v, %v; want the uncommitted bulk in it", fi, err)
				}
			}
			j, err := Open(context.Background(), path)
			if err != nil {
				t.Fatalf("reopen after the crash: %v", err)
			}
			defer j.Close()
			var n int64
			if err := j.db.QueryRow("SELECT COUNT(*) FROM documents").Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n != c.want {
				t.Errorf("%d documents after the crash, want %d", n, c.want)
			}
			var bulk int
			j.db.QueryRow(`SELECT COUNT(*) FROM sqlite_master WHERE name = 'bulk'`).Scan(&bulk)
			if bulk != 0 {
				t.Error("the uncommitted transaction's table is in the journal")
			}
			wantState := states[c.want]
			st, err := j.State(context.Background())
			if err != nil || !reflect.DeepEqual(st, wantState) {
				t.Errorf("state after the crash = %+v, %v\nwant the last committed %+v", st, err, wantState)
			}
			if res, err := j.Verify(context.Background(), 1); err != nil || res.Last != c.want {
				t.Errorf("Verify after the crash: %+v, %v", res, err)
			}
			if stats, _ := j.OutboxStats(context.Background()); int64(stats.Waiting) != c.want {
				t.Errorf("outbox holds %d, want %d", stats.Waiting, c.want)
			}
			d := newDesk(t, j)
			d.reg.State = st
			d.now = st.LastDocumentTime
			if seq := d.sale(false); seq != c.want+1 {
				t.Errorf("the next Commit got seq %d, want %d", seq, c.want+1)
			}
			if _, err := j.Verify(context.Background(), 1); err != nil {
				t.Errorf("Verify after carrying on: %v", err)
			}
		})
	}
}

// crashAt runs the child, waits until it stands at point inside the fourth Commit, kills it, and
// returns the states it reported after each document (index = documents committed).
func crashAt(t *testing.T, path, point string) map[int64]kkm.State {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute) // a net: -race on a loaded machine is slow
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestCrashMidTransaction$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashChildEnv+"="+path, crashPointEnv+"="+point)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	states := map[int64]kkm.State{}
	sc := bufio.NewScanner(out)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	ready := false
	for sc.Scan() {
		line := sc.Text()
		var n int64
		if _, err := fmt.Sscanf(line, "state %d ", &n); err == nil {
			var st kkm.State
			if err := json.Unmarshal([]byte(line[strings.Index(line, "{"):]), &st); err != nil {
				t.Fatalf("child state: %v", err)
			}
			states[n] = st
		}
		if line == "ready "+point {
			ready = true
			break
		}
	}
	if !ready {
		cmd.Wait()
		t.Fatalf("child never stood at %q: %v", point, sc.Err())
	}
	if err := cmd.Process.Kill(); err != nil { // SIGKILL: no deferred code, no rollback
		t.Fatal(err)
	}
	cmd.Wait()
	return states
}

// crashChild is the child's side of TestCrashMidTransaction. It never returns normally: the
// parent kills it.
func crashChild(path, point string) {
	fail := func(err error) {
		fmt.Fprintln(os.Stderr, "child:", err)
		os.Exit(2)
	}
	ctx := context.Background()
	j, err := Open(ctx, path)
	if err != nil {
		fail(err)
	}
	d := newDesk(&testing.T{}, j)
	report := func(n int64, st kkm.State) {
		b, _ := json.Marshal(st)
		fmt.Printf("state %d %s\n", n, b)
	}
	report(0, d.reg.State)
	issue := func() kkm.Issued {
		iss, err := d.reg.IssueReceipt(fiveItems(kkm.OpSale), d.op, d.tick(), false)
		if err != nil {
			fail(err)
		}
		return iss
	}
	for i := int64(1); i <= 3; i++ {
		iss := issue()
		if _, err := j.Commit(ctx, iss.Documents, iss.State); err != nil {
			fail(err)
		}
		d.reg.State = iss.State
		report(i, iss.State)
	}

	// The fourth, through the real Commit, stopped at point.
	iss := issue()
	report(4, iss.State)
	commitHook = func(ctx context.Context, tx *Tx, at string) {
		if at != point {
			return
		}
		if at == "written" {
			// Bulk beyond the page cache in the same transaction, so uncommitted pages reach
			// the WAL file before the kill.
			for _, q := range []string{`CREATE TABLE bulk (b BLOB)`,
				`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)
					INSERT INTO bulk SELECT randomblob(2000) FROM n`} {
				if _, err := tx.ExecContext(ctx, q); err != nil {
					fail(err)
				}
			}
		}
		fmt.Println("ready " + at)
		time.Sleep(time.Minute)
		os.Exit(3)
	}
	j.Commit(ctx, iss.Documents, iss.State)
	fail(fmt.Errorf("Commit passed %q without stopping", point))
}
