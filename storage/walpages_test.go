package storage

import (
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"os"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/ekassa-go/ekassa/kkm"
)

// The WAL pages a write transaction adds (issue 16, item 1): every page a transaction changes is
// one frame appended to the WAL (two pwrite calls here, the frame's header and its page) before
// the commit's single fsync, so beyond the fsync a commit costs about what its pages cost. Unlike
// a time, the count does not move with the machine's load; these tests hold it to a budget and
// name the pages, so an index or a statement that adds a page to every receipt is seen at once.

// walFrames returns the database pages of the frames the WAL at walPath holds between byte
// offsets from and to (the frames one transaction wrote, when they are the WAL's use before and
// after it: walMark, since the file is written over in place once the WAL starts again).
func walFrames(t testing.TB, walPath string, from, to int64, pageSize int64) []uint32 {
	t.Helper()
	buf, err := os.ReadFile(walPath)
	if err != nil {
		t.Fatal(err)
	}
	from, to = max(from, walHeaderSize), min(to, int64(len(buf)))
	var pages []uint32
	for off := from; off+walFrameHeaderSize+pageSize <= to; off += walFrameHeaderSize + pageSize {
		pages = append(pages, binary.BigEndian.Uint32(buf[off:]))
	}
	return pages
}

// walSize is the WAL file's size (0 when there is none).
func walSize(t testing.TB, walPath string) int64 {
	t.Helper()
	fi, err := os.Stat(walPath)
	if os.IsNotExist(err) {
		return 0
	}
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}

// pageNames names the journal's pages by the table or index that holds them (SQLite's dbstat).
func pageNames(t testing.TB, j *Journal) map[uint32]string {
	t.Helper()
	rows, err := j.db.QueryContext(context.Background(), `SELECT name, pageno FROM dbstat`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	m := map[uint32]string{}
	for rows.Next() {
		var name string
		var page uint32
		if err := rows.Scan(&name, &page); err != nil {
			t.Fatal(err)
		}
		m[page] = name
	}
	return m
}

// commitPages runs write once and returns the names of the pages it wrote to the WAL, sorted
// (page 1, the file's header, when the file grew; a name twice when a b-tree split).
func commitPages(t testing.TB, j *Journal, write func()) []string {
	t.Helper()
	before := walMark(j)
	write()
	after := walMark(j)
	names := pageNames(t, j)
	var out []string
	for _, p := range walFrames(t, j.path+"-wal", before, after, j.id.pageSize) {
		out = append(out, names[p])
	}
	sort.Strings(out)
	return out
}

// medianPages runs write n times (n odd) and returns the median number of WAL frames of one run
// and the names of that run's pages: the occasional b-tree split, a file that grows (page 1) or
// a background fold landing in between is left out.
func medianPages(t testing.TB, j *Journal, n int, write func()) (int, []string) {
	t.Helper()
	runs := make([][]string, n)
	for i := range runs {
		runs[i] = commitPages(t, j, write)
	}
	slices.SortFunc(runs, func(a, b []string) int { return len(a) - len(b) })
	m := runs[n/2]
	return len(m), m
}

// TestReceiptCommitWALPages holds a five-line receipt's commit (online, the register with a
// token: the request assigned in the same transaction) and the OFD answer's commit while a
// backlog drains (CompleteAndAssignNext) to their page budgets, on a journal of a few hundred
// documents with the analytics folded.
func TestReceiptCommitWALPages(t *testing.T) {
	j := openTemp(t)
	d := newDesk(t, j)
	ctx := context.Background()
	for i := 0; i < 300; i++ {
		d.sale(true)
	}
	if err := j.foldAnalytics(ctx); err != nil {
		t.Fatal(err)
	}
	if err := j.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	// The drain: the backlog's answers, each with the next document's request.
	head, err := j.NextOutbox(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := j.AssignNextRequest(ctx, head.Seq, 77, d.now); err != nil {
		t.Fatal(err)
	}
	seq := head.Seq
	answer := func() {
		next, err := j.CompleteAndAssignNext(ctx, seq, FiscalResult{Sign: "FS" + time.Now().Format("150405.000000"), QRLink: "https://ofd/q", At: d.now},
			78, d.now)
		if err != nil || next == nil {
			t.Fatalf("CompleteAndAssignNext(%d) = %v, %v", seq, next, err)
		}
		seq = next.Seq
	}
	n, pages := medianPages(t, j, 9, answer)
	t.Logf("answer's commit: %d pages %v", n, pages)
	if max := 4; n > max {
		t.Errorf("the answer's commit writes %d WAL pages %v, budget %d", n, pages, max)
	}
	// Drain the rest and go online: the next receipt is sent at once, its request assigned in
	// its own Commit.
	for {
		next, err := j.CompleteAndAssignNext(ctx, seq, FiscalResult{QRLink: "https://ofd/q", At: d.now}, 79, d.now)
		if err != nil {
			t.Fatal(err)
		}
		if next == nil {
			break
		}
		seq = next.Seq
	}
	if err := j.SetLinkState(ctx, LinkState{Token: 79, LastReqnum: 400}); err != nil {
		t.Fatal(err)
	}
	var runs [][]string
	for i := 0; i < 9; i++ {
		// Only the receipt's own commit is counted; its answer is stored after it.
		iss, err := d.reg.IssueReceipt(fiveItems(kkm.OpSale), d.op, d.tick(), false)
		if err != nil {
			t.Fatal(err)
		}
		var seqs []int64
		runs = append(runs, commitPages(t, j, func() {
			if seqs, err = j.Commit(ctx, iss.Documents, iss.State); err != nil {
				t.Fatal(err)
			}
		}))
		d.reg.State = iss.State
		if err := j.CompleteOutbox(ctx, seqs[0], FiscalResult{QRLink: "https://ofd/q", At: d.now}, 79); err != nil {
			t.Fatal(err)
		}
	}
	slices.SortFunc(runs, func(a, b []string) int { return len(a) - len(b) })
	commit := runs[len(runs)/2]
	t.Logf("receipt's commit: %d pages %v", len(commit), commit)
	if max := 3; len(commit) > max { // the chain row, the document, its outbox entry (keys.go)
		t.Errorf("a receipt's commit writes %d WAL pages %v, budget %d", len(commit), commit, max)
	}
}

// The outbox's waiting entries are read from the watermark on the outbox's primary key, never by
// a scan of the outbox (migration 14 dropped the partial index outbox_waiting).
func TestOutboxWaitingPlans(t *testing.T) {
	j := openTemp(t)
	newDesk(t, j).fill(5)
	for _, c := range []struct {
		name, query string
		args        []any
	}{
		{"waiting", waitingBareSQL, []any{2}},
		{"the next with content", waitingFirstSQL, []any{1}},
		{"the answered and the next with content", waitingPairSQL, []any{1}},
		{"Commit's head", commitHeadSQL, nil},
		{"stats", `SELECT COUNT(*), (SELECT queued_at FROM outbox WHERE ` + waitingWhere + ` ORDER BY seq LIMIT 1)
			FROM outbox WHERE ` + waitingWhere, nil},
	} {
		plan := explain(t, j, c.query, c.args...)
		if strings.Contains(plan, "SCAN outbox") || strings.Contains(plan, "SCAN o") ||
			!strings.Contains(plan, "INTEGER PRIMARY KEY (rowid>?") {
			t.Errorf("%s: the outbox is not read from the watermark on its primary key:\n%s", c.name, plan)
		}
	}
}

// Property: whatever the order of receipts (online and offline), answers one at a time and
// answers with the next request, the watermark never passes a waiting entry, and what the sender
// reads from it (NextOutbox, OutboxStats) is what a scan of the whole outbox finds.
func TestOutboxWatermarkAgainstScan(t *testing.T) {
	j := openTemp(t)
	d := newDesk(t, j)
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(16, 13))
	if err := j.SetLinkState(ctx, LinkState{Token: 5}); err != nil {
		t.Fatal(err)
	}
	answer := FiscalResult{QRLink: "https://ofd/q"}
	for step := 0; step < 400; step++ {
		switch r := rng.IntN(10); {
		case r < 4:
			d.sale(rng.IntN(2) == 0)
		case r < 5:
			d.commit(d.reg.CashIn(10_000, d.op, d.tick(), rng.IntN(2) == 0))
		default:
			head, err := j.NextOutbox(ctx)
			if errors.Is(err, ErrNotFound) {
				continue
			}
			if err != nil {
				t.Fatal(err)
			}
			answer.At = d.now
			if r < 8 {
				if _, err := j.AssignNextRequest(ctx, head.Seq, 5, time.Time{}); err != nil {
					t.Fatal(err)
				}
				if _, err := j.CompleteAndAssignNext(ctx, head.Seq, answer, 5, time.Time{}); err != nil {
					t.Fatal(err)
				}
			} else if err := j.CompleteOutbox(ctx, head.Seq, answer, 5); err != nil {
				t.Fatal(err)
			}
		}
		var mark, below, waiting int64
		var oldest sql.NullInt64
		if err := j.db.QueryRowContext(ctx, `SELECT outbox_done_seq,
				(SELECT COUNT(*) FROM outbox WHERE seq <= outbox_done_seq AND done_at IS NULL),
				(SELECT COUNT(*) FROM outbox WHERE done_at IS NULL),
				(SELECT MIN(seq) FROM outbox WHERE done_at IS NULL)
			FROM chain WHERE id = 1`).Scan(&mark, &below, &waiting, &oldest); err != nil {
			t.Fatal(err)
		}
		if below != 0 {
			t.Fatalf("step %d: %d waiting entries at or below the watermark %d", step, below, mark)
		}
		st, err := j.OutboxStats(ctx)
		if err != nil || int64(st.Waiting) != waiting {
			t.Fatalf("step %d: OutboxStats = %+v, %v; the scan finds %d waiting", step, st, err, waiting)
		}
		head, err := j.NextOutbox(ctx)
		switch {
		case !oldest.Valid && !errors.Is(err, ErrNotFound):
			t.Fatalf("step %d: NextOutbox = %d, %v on an empty outbox", step, head.Seq, err)
		case oldest.Valid && (err != nil || head.Seq != oldest.Int64):
			t.Fatalf("step %d: NextOutbox = %d, %v; the scan's oldest is %d", step, head.Seq, err, oldest.Int64)
		case oldest.Valid && mark != oldest.Int64-1:
			// Answered strictly in order, the watermark is right below the oldest waiting.
			t.Fatalf("step %d: watermark %d, oldest waiting %d", step, mark, oldest.Int64)
		}
	}
	if _, err := j.VerifyAll(ctx); err != nil {
		t.Fatal(err)
	}
}
