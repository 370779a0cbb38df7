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

// crashChildEnv names the journal file when the test binary runs as the crashing child.
const crashChildEnv = "EKASSA_STORAGE_CRASH_CHILD"

// TestCrashMidTransaction runs this test binary again as a child that commits three documents,
// then begins a fourth Commit's transaction, writes it (a document row, outbox row, chain head and
// state, plus enough bulk that SQLite spills pages into the WAL file), says "ready" and waits. The
// parent kills it with SIGKILL before the commit, reopens the file and finds exactly the three
// committed documents, their state, and an intact chain that the next Commit continues.
func TestCrashMidTransaction(t *testing.T) {
	if path := os.Getenv(crashChildEnv); path != "" {
		crashChild(path)
		return
	}
	path := filepath.Join(t.TempDir(), "journal.db")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestCrashMidTransaction$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashChildEnv+"="+path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var wantState kkm.State
	sc := bufio.NewScanner(out)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	ready := false
	for sc.Scan() {
		line := sc.Text()
		if s, ok := strings.CutPrefix(line, "state "); ok {
			if err := json.Unmarshal([]byte(s), &wantState); err != nil {
				t.Fatalf("child state: %v", err)
			}
		}
		if line == "ready" {
			ready = true
			break
		}
	}
	if !ready {
		cmd.Wait()
		t.Fatalf("child never got ready: %v", sc.Err())
	}
	if err := cmd.Process.Kill(); err != nil { // SIGKILL: no deferred code, no rollback
		t.Fatal(err)
	}
	cmd.Wait()
	// The uncommitted transaction did reach the disk: the WAL holds its pages.
	if fi, err := os.Stat(path + "-wal"); err != nil || fi.Size() < 4000*2000/2 {
		t.Fatalf("WAL after the kill: %v, %v; want the uncommitted bulk in it", fi, err)
	}

	j, err := Open(context.Background(), path)
	if err != nil {
		t.Fatalf("reopen after the crash: %v", err)
	}
	defer j.Close()
	var n int
	if err := j.db.QueryRow("SELECT COUNT(*) FROM documents").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 3 {
		t.Errorf("%d documents after the crash, want the 3 committed", n)
	}
	st, err := j.State(context.Background())
	if err != nil || !reflect.DeepEqual(st, wantState) {
		t.Errorf("state after the crash = %+v, %v\nwant the last committed %+v", st, err, wantState)
	}
	if res, err := j.Verify(context.Background(), 1); err != nil || res.Last != 3 {
		t.Errorf("Verify after the crash: %+v, %v", res, err)
	}
	if stats, _ := j.OutboxStats(context.Background()); stats.Waiting != 3 {
		t.Errorf("outbox holds %d, want 3", stats.Waiting)
	}
	d := newDesk(t, j)
	d.reg.State = st
	d.now = st.LastDocumentTime
	if seq := d.sale(false); seq != 4 {
		t.Errorf("the next Commit got seq %d, want 4", seq)
	}
	if _, err := j.Verify(context.Background(), 1); err != nil {
		t.Errorf("Verify after carrying on: %v", err)
	}
}

// crashChild is the child's side of TestCrashMidTransaction. It never returns normally: the
// parent kills it.
func crashChild(path string) {
	ctx := context.Background()
	j, err := Open(ctx, path)
	if err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		os.Exit(2)
	}
	d := newDesk(&testing.T{}, j)
	for i := 0; i < 3; i++ {
		iss, err := d.reg.IssueReceipt(fiveItems(kkm.OpSale), d.op, d.tick(), false)
		if err == nil {
			_, err = j.Commit(ctx, iss.Documents, iss.State)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "child:", err)
			os.Exit(2)
		}
		d.reg.State = iss.State
	}
	st, _ := json.Marshal(d.reg.State)
	fmt.Printf("state %s\n", st)

	// The fourth document, written the way Commit writes it, but never committed.
	iss, err := d.reg.IssueReceipt(fiveItems(kkm.OpSale), d.op, d.tick(), false)
	if err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		os.Exit(2)
	}
	tx, err := j.db.BeginTx(ctx, nil)
	if err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		os.Exit(2)
	}
	r, _ := documentRow(&iss.Documents[0])
	r.seq = 4
	newState, _ := json.Marshal(iss.State)
	steps := []struct {
		q    string
		args []any
	}{
		{`INSERT INTO documents (seq, kind, shift_number, number, issued_at, total, offline, content, prev_hash, hash)
			VALUES (?, ?, ?, ?, ?, ?, 0, ?, zeroblob(32), zeroblob(32))`,
			[]any{r.seq, r.kind, r.shiftNumber, r.number, r.issuedAt, r.total, r.content}},
		{`INSERT INTO outbox (seq, queued_at) VALUES (4, 0)`, nil},
		{`UPDATE chain SET head_seq = 4`, nil},
		{`UPDATE register_state SET content = ?`, []any{newState}},
		// Bulk beyond the page cache, so uncommitted pages reach the WAL file before the kill.
		{`CREATE TABLE bulk (b BLOB)`, nil},
		{`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 4000)
			INSERT INTO bulk SELECT randomblob(2000) FROM n`, nil},
	}
	for _, s := range steps {
		if _, err := tx.ExecContext(ctx, s.q, s.args...); err != nil {
			fmt.Fprintln(os.Stderr, "child:", err)
			os.Exit(2)
		}
	}
	fmt.Println("ready")
	time.Sleep(time.Minute)
	os.Exit(3)
}
