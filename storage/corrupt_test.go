package storage

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/ekassa-go/ekassa/kkm"
)

// sampleJournal writes a closed journal of n documents (the WAL checkpointed into the file and
// gone) and returns its path and its tables' and indexes' root pages.
func sampleJournal(t *testing.T, n int) (string, map[string]int64) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "journal.db")
	j, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	newDesk(t, j).fill(n)
	roots := map[string]int64{}
	rows, err := j.db.Query(`SELECT name, rootpage FROM sqlite_master WHERE rootpage > 1`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var name string
		var root int64
		if err := rows.Scan(&name, &root); err != nil {
			t.Fatal(err)
		}
		roots[name] = root
	}
	rows.Close()
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	return path, roots
}

// flipBit flips one bit of the file at offset.
func flipBit(t *testing.T, path string, offset int64, bit byte) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b := make([]byte, 1)
	if _, err := f.ReadAt(b, offset); err != nil {
		t.Fatal(err)
	}
	b[0] ^= bit
	if _, err := f.WriteAt(b, offset); err != nil {
		t.Fatal(err)
	}
}

// pageOffset is where page n's b-tree header starts (page 1 carries the 100-byte file header).
func pageOffset(n int64) int64 {
	const pageSize = 4096
	if n == 1 {
		return 100
	}
	return (n - 1) * pageSize
}

// TestOpenRefusesADamagedJournal flips one bit in a copy of a journal — in the page header of
// every table's and index's root page (its type, its cell count), in the file header — and opens
// it: every copy is refused with ErrJournalCorrupt and its message, so no document is ever
// accepted on it.
func TestOpenRefusesADamagedJournal(t *testing.T) {
	orig, roots := sampleJournal(t, 60)
	type flip struct {
		name   string
		offset int64
		bit    byte
	}
	flips := []flip{
		{"file header: magic", 3, 0x01},
		{"file header: page size", 16, 0x10},
		{"page 1 header: type", pageOffset(1), 0x01},
	}
	for name, root := range roots {
		flips = append(flips,
			flip{name + " root: page type", pageOffset(root), 0x01},
			flip{name + " root: cell count", pageOffset(root) + 3, 0x40})
	}
	for _, f := range flips {
		t.Run(f.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "journal.db")
			if err := copyFile(orig, path); err != nil {
				t.Fatal(err)
			}
			flipBit(t, path, f.offset, f.bit)
			j, err := Open(context.Background(), path)
			if err == nil {
				j.Close()
				t.Fatal("a damaged journal opened")
			}
			var fe *FaultError
			if !errors.As(err, &fe) || !errors.Is(err, ErrJournalCorrupt) || fe.MessageID() != "err.journal.corrupt" {
				t.Fatalf("Open: %v, want ErrJournalCorrupt", err)
			}
		})
	}
}

// TestDamageFoundAtWork: the journal passed its check, then a page under it is damaged; the next
// Commit meets the damage and is refused with ErrJournalCorrupt, the fault is latched (so is the
// one after, and the sender's writes), and the history says the same instead of an unexpected
// error.
func TestDamageFoundAtWork(t *testing.T) {
	path, roots := sampleJournal(t, 30)
	ctx := context.Background()
	j, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	d := newDesk(t, j)
	if d.reg.State, err = j.State(ctx); err != nil {
		t.Fatal(err)
	}
	d.now = d.reg.State.LastDocumentTime
	if err := j.WaitChecked(ctx); err != nil {
		t.Fatal(err)
	}
	// The check at open read every page into its connection's cache: drop the pool's caches,
	// as time does, so the damage is read from the file.
	j.db.SetMaxIdleConns(0)
	j.db.SetMaxIdleConns(2)
	flipBit(t, path, pageOffset(roots["documents"]), 0x01)

	iss, err := d.reg.IssueReceipt(fiveItems(kkm.OpSale), d.op, d.tick(), false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := j.Commit(ctx, iss.Documents, iss.State); !errors.Is(err, ErrJournalCorrupt) {
		t.Fatalf("Commit on a damaged page: %v, want ErrJournalCorrupt", err)
	}
	if !errors.Is(j.Fault(), ErrJournalCorrupt) {
		t.Fatalf("Fault() = %v", j.Fault())
	}
	if _, err := j.Commit(ctx, iss.Documents, iss.State); !errors.Is(err, ErrJournalCorrupt) {
		t.Errorf("the next Commit: %v, want the latched fault", err)
	}
	if _, err := j.AssignNextRequest(ctx, 1, 5, d.now); !errors.Is(err, ErrJournalCorrupt) {
		t.Errorf("a sender's write: %v, want the latched fault", err)
	}
	if _, err := j.History(ctx, HistoryQuery{}, Page{}); err != nil && !errors.Is(err, ErrJournalCorrupt) {
		t.Errorf("History on the damaged journal: %v, want ErrJournalCorrupt or an answer", err)
	}
}

// TestDiskFullAtWork simulates a full disk with SQLite's own page limit: the Commit that needs a
// page more is refused with ErrDiskFull (translated), the fault is latched, and the journal still
// reads its documents and writes a backup elsewhere.
func TestDiskFullAtWork(t *testing.T) {
	ctx := context.Background()
	j := openTemp(t)
	d := newDesk(t, j)
	d.fill(5)
	// One pooled connection besides the held one, so the page limit applies to every write.
	j.db.SetMaxOpenConns(2)
	j.db.SetMaxIdleConns(2)
	var pages int64
	if err := j.db.QueryRow(`PRAGMA page_count`).Scan(&pages); err != nil {
		t.Fatal(err)
	}
	if _, err := j.db.Exec(`PRAGMA max_page_count = ` + itoa(pages)); err != nil {
		t.Fatal(err)
	}
	// and on the held connection, where the write transactions run
	if _, err := j.hold.ExecContext(ctx, `PRAGMA max_page_count = `+itoa(pages)); err != nil {
		t.Fatal(err)
	}
	var err error
	for i := 0; i < 200 && err == nil; i++ {
		var iss kkm.Issued
		iss, err = d.reg.IssueReceipt(fiveItems(kkm.OpSale), d.op, d.tick(), false)
		if err != nil {
			t.Fatal(err)
		}
		if _, err = j.Commit(ctx, iss.Documents, iss.State); err == nil {
			d.reg.State = iss.State
		}
	}
	var fe *FaultError
	if !errors.As(err, &fe) || fe.Code != ErrDiskFull || fe.MessageID() != "err.journal.disk_full" {
		t.Fatalf("Commit on a full disk: %v, want ErrDiskFull", err)
	}
	n := d.reg.State.DocumentNumber
	if _, err := j.Document(ctx, int64(n)); err != nil {
		t.Errorf("the last document on a full disk: %v", err)
	}
	info, err := j.Backup(ctx, filepath.Join(t.TempDir(), "backup.db"), testPassword)
	if err != nil || info.Documents != int64(n) {
		t.Errorf("backup on a full disk: %+v, %v; want %d documents", info, err, n)
	}
}

// TestFullDiskStartsReadOnly fills a small tmpfs (root only: it mounts one; skipped elsewhere)
// under a journal: the next Commit is refused with ErrDiskFull; opened again on the full disk, the
// journal comes up read-only with ErrDiskFull latched, its documents readable and a backup
// written elsewhere; with space freed it opens for work again.
func TestFullDiskStartsReadOnly(t *testing.T) {
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs here (%v: %s); TestDiskFullAtWork simulates the full disk", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", dir).Run() })
	ctx := context.Background()
	path := filepath.Join(dir, "journal.db")
	j, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { j.Close() }) // before the unmount
	d := newDesk(t, j)
	d.fill(10)
	fill := filepath.Join(dir, "fill")
	fillUp(t, fill)
	for i := 0; i < 500 && err == nil; i++ {
		iss, ierr := d.reg.IssueReceipt(fiveItems(kkm.OpSale), d.op, d.tick(), false)
		if ierr != nil {
			t.Fatal(ierr)
		}
		if _, err = j.Commit(ctx, iss.Documents, iss.State); err == nil {
			d.reg.State = iss.State
		}
	}
	if !errors.Is(err, ErrDiskFull) && !errors.Is(err, ErrJournalIO) {
		t.Fatalf("Commit on a full tmpfs: %v, want ErrDiskFull", err)
	}
	n := int64(d.reg.State.DocumentNumber)
	j.Close()
	fillUp(t, fill) // what the closed WAL freed

	ro, err := Open(ctx, path)
	if err != nil {
		t.Fatalf("Open on a full disk: %v, want the read-only journal", err)
	}
	if !errors.Is(ro.Fault(), ErrDiskFull) {
		t.Errorf("Fault() on a full disk = %v, want ErrDiskFull", ro.Fault())
	}
	if e, err := ro.Document(ctx, n); err != nil || e.Seq != n {
		t.Errorf("the last document, read-only: %+v, %v", e.Seq, err)
	}
	iss, _ := d.reg.IssueReceipt(fiveItems(kkm.OpSale), d.op, d.tick(), false)
	if _, err := ro.Commit(ctx, iss.Documents, iss.State); !errors.Is(err, ErrDiskFull) {
		t.Errorf("Commit on the read-only journal: %v, want ErrDiskFull", err)
	}
	info, err := ro.Backup(ctx, filepath.Join(t.TempDir(), "backup.db"), testPassword)
	if err != nil || info.Documents != n {
		t.Errorf("backup from the read-only journal: %+v, %v; want %d documents", info, err, n)
	}
	ro.Close()
	os.Remove(fill)
	again, err := Open(ctx, path)
	if err != nil {
		t.Fatalf("Open with space again: %v", err)
	}
	if again.Fault() != nil {
		t.Errorf("with space again, the journal still has a fault: %v", again.Fault())
	}
	if err := again.Close(); err != nil { // the WAL checkpointed and gone, and its index with it
		t.Fatal(err)
	}
	if _, err := os.Stat(path + "-shm"); !os.IsNotExist(err) {
		t.Fatalf("the WAL index is still there after a clean close: %v", err)
	}

	// Full again: now SQLite cannot even make the WAL index; the fallback opens read-only.
	fillUp(t, fill)
	ro, err = Open(ctx, path)
	if err != nil {
		t.Fatalf("Open on a full disk without a WAL index: %v, want the read-only journal", err)
	}
	defer ro.Close()
	if !errors.Is(ro.Fault(), ErrDiskFull) {
		t.Errorf("Fault() = %v, want ErrDiskFull", ro.Fault())
	}
	if ro.db.Stats().MaxOpenConnections != 1 {
		t.Errorf("the journal did not open through the read-only fallback")
	}
	if e, err := ro.Document(ctx, n); err != nil || e.Seq != n {
		t.Errorf("the last document, read-only: %+v, %v", e.Seq, err)
	}
	if _, err := ro.Commit(ctx, iss.Documents, iss.State); !errors.Is(err, ErrDiskFull) {
		t.Errorf("Commit on the read-only journal: %v, want ErrDiskFull", err)
	}
	if info, err := ro.Backup(ctx, filepath.Join(t.TempDir(), "backup2.db"), testPassword); err != nil || info.Documents != n {
		t.Errorf("backup from the read-only journal: %+v, %v; want %d documents", info, err, n)
	}
}

// fillUp appends to the file at path until the disk is full.
func fillUp(t *testing.T, path string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	big := make([]byte, 4096)
	for {
		if _, err := f.Write(big); err != nil {
			return
		}
	}
}

func itoa(n int64) string {
	return string(appendInt(nil, n))
}

func appendInt(b []byte, n int64) []byte {
	if n >= 10 {
		b = appendInt(b, n/10)
	}
	return append(b, byte('0'+n%10))
}

// TestReplaceDamagedJournalFromBackup: a journal refused at Open for damage is replaced by a
// verified backup, the damaged file kept aside; a broken backup is refused and changes nothing;
// the journal opens and works afterwards.
func TestReplaceDamagedJournalFromBackup(t *testing.T) {
	ctx := context.Background()
	path, roots := sampleJournal(t, 12)
	j, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	backup := filepath.Join(t.TempDir(), "backup.db")
	if _, err := j.Backup(ctx, backup, testPassword); err != nil {
		t.Fatal(err)
	}
	j.Close()
	flipBit(t, path, pageOffset(roots["documents"]), 0x01)
	if _, err := Open(ctx, path); !errors.Is(err, ErrJournalCorrupt) {
		t.Fatalf("Open of the damaged journal: %v", err)
	}

	notAJournal := filepath.Join(t.TempDir(), "photo.jpg")
	mustDo(t, os.WriteFile(notAJournal, []byte("not a journal"), 0o600))
	if _, _, err := ReplaceFromBackup(ctx, path, notAJournal, testPassword); !errors.Is(err, ErrBackupUnreadable) {
		t.Errorf("a file that is not a backup: %v, want ErrBackupUnreadable", err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("the refused restore moved the journal: %v", err)
	}

	info, damaged, err := ReplaceFromBackup(ctx, path, backup, testPassword)
	if err != nil || info.Documents != 12 {
		t.Fatalf("ReplaceFromBackup: %+v, %v", info, err)
	}
	if _, err := os.Stat(damaged); err != nil {
		t.Errorf("the damaged journal is not kept: %v", err)
	}
	j, err = Open(ctx, path)
	if err != nil {
		t.Fatalf("Open after the restore: %v", err)
	}
	defer j.Close()
	d := newDesk(t, j)
	if d.reg.State, err = j.State(ctx); err != nil {
		t.Fatal(err)
	}
	d.now = d.reg.State.LastDocumentTime
	if seq := d.sale(false); seq != 13 {
		t.Errorf("the next sale got seq %d, want 13", seq)
	}
}

// TestCheckGoesOnInTheBackground: a journal too big to check within the start's budget (here the
// budget is nothing) opens at once; the whole file's check goes on, finds the damage in an index
// of the history, latches ErrJournalCorrupt, and the next Commit is refused.
func TestCheckGoesOnInTheBackground(t *testing.T) {
	path, roots := sampleJournal(t, 40)
	flipBit(t, path, pageOffset(roots["keys_time"]), 0x01)
	was := startCheckBudget
	startCheckBudget = 0
	t.Cleanup(func() { startCheckBudget = was })
	ctx := context.Background()
	j, err := Open(ctx, path)
	if err != nil {
		t.Fatalf("Open with no time to check: %v", err)
	}
	defer j.Close()
	if err := j.WaitChecked(ctx); !errors.Is(err, ErrJournalCorrupt) {
		t.Fatalf("the background check: %v, want ErrJournalCorrupt", err)
	}
	d := newDesk(t, j)
	if d.reg.State, err = j.State(ctx); err != nil {
		t.Fatal(err)
	}
	d.now = d.reg.State.LastDocumentTime
	iss, err := d.reg.IssueReceipt(fiveItems(kkm.OpSale), d.op, d.tick(), false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := j.Commit(ctx, iss.Documents, iss.State); !errors.Is(err, ErrJournalCorrupt) {
		t.Errorf("Commit after the check failed: %v, want ErrJournalCorrupt", err)
	}
}
