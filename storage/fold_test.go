package storage

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/ekassa-go/ekassa/kkm"
)

// watermarks reads the fold's two watermarks and the number of key rows.
func watermarks(t *testing.T, j *Journal) (folded, keyed, keys int64) {
	t.Helper()
	if err := j.db.QueryRow(`SELECT folded_seq, keyed_seq, (SELECT COUNT(*) FROM document_keys) FROM analytics_rollup
		WHERE id = 1`).Scan(&folded, &keyed, &keys); err != nil {
		t.Fatal(err)
	}
	return folded, keyed, keys
}

// quietDesk opens a journal on which no pause comes and no fold starts in the background (the
// test runs them), and a desk on it.
func quietDesk(t *testing.T) (*Journal, *desk) {
	t.Helper()
	old := setPause(time.Hour)
	t.Cleanup(func() { setPause(old) })
	j := openTemp(t)
	j.folding.Store(true)
	return j, newDesk(t, j)
}

// foldSteps is told of each fold step between its read and its write (foldStepHook), without
// waiting for a reader.
func foldSteps(t *testing.T) <-chan struct{} {
	stepped := make(chan struct{}, 1)
	foldStepHook = func() {
		select {
		case stepped <- struct{}{}:
		default:
		}
	}
	t.Cleanup(func() { foldStepHook = nil })
	return stepped
}

// TestFoldStepsBesideTheWrites: a fold goes in steps of foldStep documents, each read while the
// writes go on; sales committed between a step's read and its write are not counted by it and
// stop neither it nor the sales, and the fold ends at the last document there was when it began.
// The next fold takes the rest, and the aggregates are what the migration's SQL makes of every
// document.
func TestFoldStepsBesideTheWrites(t *testing.T) {
	ctx := context.Background()
	j, d := quietDesk(t)
	d.fill(2*foldStep + 10)
	target := d.sale(false)

	steps := 0
	foldStepHook = func() {
		steps++
		d.sale(false) // a cashier's sale between the step's read and its write
		d.simpleSale(12_300, false)
	}
	defer func() { foldStepHook = nil }()
	if err := j.foldAnalytics(ctx); err != nil {
		t.Fatal(err)
	}
	foldStepHook = nil
	if want := int(target+foldStep-1) / foldStep; steps != want {
		t.Errorf("%d steps for %d documents, want %d", steps, target, want)
	}
	if folded, keyed, keys := watermarks(t, j); folded != target || keyed != target || keys != target {
		t.Fatalf("after the fold: folded %d, keyed %d, %d key rows; want all %d (the sales made during it wait)",
			folded, keyed, keys, target)
	}
	if hold := j.BackgroundWork().LongestFoldHold; hold <= 0 {
		t.Errorf("the fold's hold of the writes was not measured: %v", hold)
	}

	last := d.sale(false)
	if err := j.foldAnalytics(ctx); err != nil {
		t.Fatal(err)
	}
	if folded, keyed, keys := watermarks(t, j); folded != last || keyed != last || keys != last {
		t.Fatalf("after the second fold: folded %d, keyed %d, %d key rows; want all %d", folded, keyed, keys, last)
	}
	folded := aggregateRows(t, j)
	if filled := refilledAggregates(t, j); !reflect.DeepEqual(folded, filled) {
		t.Errorf("the folded aggregates differ from the migration's recount:\n%v\nwant\n%v", folded, filled)
	}
	if _, err := j.VerifyAll(ctx); err != nil {
		t.Errorf("VerifyAll: %v", err)
	}
}

// TestFoldStepOverARestore: a backup of the journal restored between a step's read and its
// write brings its own watermarks (the backup's copy was folded when it closed); the step finds
// them moved and adds nothing, so no receipt is counted twice, and the fold ends at the restored
// journal's last document.
func TestFoldStepOverARestore(t *testing.T) {
	ctx := context.Background()
	j, d := quietDesk(t)
	registered(t, j, 777, "010100777001", "SWK00000001")
	d.fill(foldStep + 40)
	backup := filepath.Join(t.TempDir(), "backup.ekb")
	info, err := j.Backup(ctx, backup, testPassword)
	if err != nil {
		t.Fatal(err)
	}

	restored := false
	foldStepHook = func() {
		if restored {
			return
		}
		restored = true
		if _, err := j.RestoreFrom(ctx, backup, testPassword); err != nil {
			t.Fatalf("RestoreFrom: %v", err)
		}
	}
	defer func() { foldStepHook = nil }()
	if err := j.foldAnalytics(ctx); err != nil {
		t.Fatal(err)
	}
	if !restored {
		t.Fatal("the fold took no step")
	}
	n := int64(info.Documents)
	if folded, keyed, keys := watermarks(t, j); folded != n || keyed != n || keys != n {
		t.Fatalf("after the fold over the restore: folded %d, keyed %d, %d key rows; want all %d", folded, keyed, keys, n)
	}
	folded := aggregateRows(t, j)
	if filled := refilledAggregates(t, j); !reflect.DeepEqual(folded, filled) {
		t.Errorf("receipts counted twice over the restore:\n%v\nwant\n%v", folded, filled)
	}
}

// keyRows reads document_keys, and the same columns computed from the documents
// (keysOfDocumentsSQL), a line a row.
func keyRows(t *testing.T, j *Journal) (stored, computed []string) {
	t.Helper()
	read := func(q string) []string {
		rows, err := j.db.QueryContext(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		keys, err := scanKeys(rows)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, k := range keys {
			out = append(out, fmt.Sprintf("%+v", k))
		}
		return out
	}
	return read(`SELECT seq, shift_number, kind, operation, number, offline_number, total, issued_at, offline
			FROM document_keys ORDER BY seq`),
		read(keysOfDocumentsSQL + ` ORDER BY seq`)
}

// TestFoldFromCommittedDocuments: the fold takes the documents this journal committed from memory
// (fold_memory.go) and reads only those it did not commit itself (here: those committed before
// the record was dropped, as by a restart); either way the aggregates are the migration's
// recount and the search keys are the documents' own — offline receipts, returns with lines,
// cash in and out, a Z report among them.
func TestFoldFromCommittedDocuments(t *testing.T) {
	ctx := context.Background()
	j, d := quietDesk(t)
	d.fill(300)
	j.committed.drop(-1) // as after a restart: these are read from SQLite
	d.fill(2 * foldStep) // the steps past the first two take these from memory
	sale := d.sale(true)
	dr := fiveItems(kkm.OpSaleReturn)
	dr.Payments = []kkm.Payment{{Type: kkm.PayCard, Sum: 513_500}} // a return gives no change
	dr.Parent = &kkm.ParentReceipt{Number: "1", Time: d.now, RNM: "010100777001", Total: 10_000_000, Offline: true}
	d.commit(d.reg.IssueReceipt(dr, d.op, d.tick(), true))
	d.commit(d.reg.CloseShift(d.op, d.tick(), false))
	last := d.sale(false)

	if err := j.foldAnalytics(ctx); err != nil {
		t.Fatal(err)
	}
	if got := j.recalled.Load(); got == 0 {
		t.Fatal("no fold step took the committed documents from memory")
	}
	if folded, keyed, keys := watermarks(t, j); folded != last || keyed != last || keys != last {
		t.Fatalf("folded %d, keyed %d, %d key rows; want all %d", folded, keyed, keys, last)
	}
	if j.committed.last() != 0 {
		t.Errorf("the record still holds documents up to %d after the fold", j.committed.last())
	}
	stored, computed := keyRows(t, j)
	if !reflect.DeepEqual(stored, computed) {
		t.Errorf("the search keys differ from the documents':\n%v\nwant\n%v", stored, computed)
	}
	folded := aggregateRows(t, j)
	if filled := refilledAggregates(t, j); !reflect.DeepEqual(folded, filled) {
		t.Errorf("the aggregates differ from the recount:\n%v\nwant\n%v", folded, filled)
	}
	if sale == 0 {
		t.Fatal("no offline sale")
	}
}

// TestAReadDoesNotWaitForAPacedFold: a fold in the background leaves the fold between its steps,
// so a read that folds (Analytics) folds the rest at once instead of waiting out the paced fold's
// gaps, and the paced fold then finds nothing left.
func TestAReadDoesNotWaitForAPacedFold(t *testing.T) {
	ctx := context.Background()
	j, d := quietDesk(t)
	d.fill(3 * foldStep)
	last := d.sale(false)

	stepped := foldSteps(t)
	paced, cancel := context.WithCancel(ctx)
	defer cancel()
	background := make(chan error, 1)
	go func() { background <- j.foldPaced(paced, time.Hour) }() // a gap no read may wait for
	<-stepped

	read := make(chan error, 1)
	go func() { read <- j.foldAnalytics(ctx) }()
	select {
	case err := <-read:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the read's fold waited for the paced fold's gap")
	}
	if folded, keyed, keys := watermarks(t, j); folded != last || keyed != last || keys != last {
		t.Fatalf("after the read's fold: folded %d, keyed %d, %d key rows; want all %d", folded, keyed, keys, last)
	}
	cancel()
	if err := <-background; err != nil && !errors.Is(err, context.Canceled) {
		t.Fatalf("the paced fold: %v", err)
	}
	folded := aggregateRows(t, j)
	if filled := refilledAggregates(t, j); !reflect.DeepEqual(folded, filled) {
		t.Errorf("the aggregates differ from the recount after the two folds:\n%v\nwant\n%v", folded, filled)
	}
}

// TestClosedDuringAPacedFold: a journal closed while a background fold waits between its steps
// folds the rest as it closes, and the paced fold, waking on a closed journal, does nothing.
func TestClosedDuringAPacedFold(t *testing.T) {
	defer setPause(setPause(time.Hour))
	ctx := context.Background()
	j, err := Open(ctx, filepath.Join(t.TempDir(), "journal.db"))
	if err != nil {
		t.Fatal(err)
	}
	j.folding.Store(true)
	d := newDesk(t, j)
	d.fill(3 * foldStep)

	stepped := foldSteps(t)
	background := make(chan error, 1)
	go func() { background <- j.foldPaced(ctx, 50*time.Millisecond) }()
	<-stepped
	if err := j.Close(); err != nil {
		t.Fatalf("Close during a paced fold: %v", err)
	}
	if err := <-background; err != nil {
		t.Errorf("the paced fold after Close: %v", err)
	}
	if j.Fault() != nil {
		t.Errorf("a fault latched: %v", j.Fault())
	}
}
