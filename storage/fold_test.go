package storage

import (
	"context"
	"path/filepath"
	"reflect"
	"testing"
	"time"
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

// TestFoldStepsBesideTheWrites: a fold goes in steps of foldStep documents, each read while the
// writes go on; sales committed between a step's read and its write are not counted by it and
// stop neither it nor the sales, and the fold ends at the last document there was when it began.
// The next fold takes the rest, and the aggregates are what the migration's SQL makes of every
// document.
func TestFoldStepsBesideTheWrites(t *testing.T) {
	defer setPause(setPause(time.Hour))
	ctx := context.Background()
	j := openTemp(t)
	j.folding.Store(true) // no background fold: the test runs them
	d := newDesk(t, j)
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
	defer setPause(setPause(time.Hour))
	ctx := context.Background()
	j := openTemp(t)
	j.folding.Store(true)
	registered(t, j, 777, "010100777001", "SWK00000001")
	d := newDesk(t, j)
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
