package storage

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ekassa-go/ekassa/kkm"
)

// TestFileUnderTheApp deletes, renames or replaces the journal under a running Journal. The next
// Commit is refused with ErrJournalGone and so is every one after it; the refusal names a recovery
// file that holds every document the process committed and the OFD's answer it stored; and a
// journal started again at the path (empty, or the older copy) gets them all back by restoring it.
func TestFileUnderTheApp(t *testing.T) {
	cases := []struct {
		name string
		do   func(t *testing.T, path, older string)
	}{
		{"deleted", func(t *testing.T, path, _ string) { mustDo(t, os.Remove(path)) }},
		{"deleted with its WAL", func(t *testing.T, path, _ string) {
			for _, p := range []string{path, path + "-wal", path + "-shm"} {
				mustDo(t, os.Remove(p))
			}
		}},
		{"renamed", func(t *testing.T, path, _ string) { mustDo(t, os.Rename(path, path+".old")) }},
		{"replaced by an older copy", func(t *testing.T, path, older string) { mustDo(t, os.Rename(older, path)) }},
		{"its folder deleted", func(t *testing.T, path, _ string) { mustDo(t, os.RemoveAll(filepath.Dir(path))) }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctx := context.Background()
			dir := filepath.Join(t.TempDir(), "data")
			mustDo(t, os.Mkdir(dir, 0o700))
			path := filepath.Join(dir, "journal.db")
			j, err := Open(ctx, path)
			if err != nil {
				t.Fatal(err)
			}
			defer j.Close()
			s := kkm.DefaultSettings()
			s.SystemID, s.Reg.RNM, s.SerialNumber = 123456, "010101012345", "KTCD1117737127791"
			mustDo(t, j.SaveSettings(ctx, s))
			d := newDesk(t, j)
			d.fill(2)
			older := filepath.Join(t.TempDir(), "older.db")
			// An older copy of the journal file itself (a backup is encrypted, not a journal file).
			if _, err := j.db.ExecContext(ctx, `VACUUM INTO ?`, older); err != nil {
				t.Fatal(err)
			}
			d.fill(3)
			if _, err := j.AssignNextRequest(ctx, 1, 77, d.now); err != nil {
				t.Fatal(err)
			}
			if err := j.CompleteOutbox(ctx, 1, FiscalResult{Sign: "100200300", QRLink: "http://q", At: d.now}, 78); err != nil {
				t.Fatal(err)
			}
			want := d.reg.State.DocumentNumber
			if want != 5 {
				t.Fatalf("the desk issued %d documents, want 5", want)
			}

			c.do(t, path, older)

			iss, err := d.reg.IssueReceipt(fiveItems(kkm.OpSale), d.op, d.tick(), false)
			if err != nil {
				t.Fatal(err)
			}
			_, err = j.Commit(ctx, iss.Documents, iss.State)
			var fe *FaultError
			if !errors.As(err, &fe) || !errors.Is(err, ErrJournalGone) {
				t.Fatalf("Commit after the file went: %v, want ErrJournalGone", err)
			}
			if fe.Recovery == "" || fe.MessageID() != "err.journal.file_gone.saved" {
				t.Fatalf("no recovery file: %v", err)
			}
			t.Cleanup(func() { os.Remove(fe.Recovery) })
			if c.name != "its folder deleted" && filepath.Dir(fe.Recovery) != dir {
				t.Errorf("recovery file %s is not next to the journal", fe.Recovery)
			}
			if j.Fault() == nil {
				t.Error("Fault() is nil after the refusal")
			}
			if _, err := j.Commit(ctx, iss.Documents, iss.State); !errors.Is(err, ErrJournalGone) {
				t.Errorf("the second Commit: %v, want the latched ErrJournalGone", err)
			}
			if _, err := j.AssignNextRequest(ctx, 2, 78, d.now); !errors.Is(err, ErrJournalGone) {
				t.Errorf("a sender's write: %v, want the latched ErrJournalGone", err)
			}
			info, err := Inspect(ctx, fe.Recovery, "") // a plain journal, its seal key beside it
			if err != nil || info.Documents != 5 {
				t.Fatalf("the recovery file: %+v, %v; want the 5 documents committed", info, err)
			}

			// The app starts again: on whatever is at the path now, and restores the recovery file.
			if err := j.Close(); err != nil && !strings.Contains(err.Error(), "no such file") {
				t.Logf("close: %v", err)
			}
			mustDo(t, os.MkdirAll(dir, 0o700))
			j2, err := Open(ctx, path)
			if err != nil {
				t.Fatal(err)
			}
			defer j2.Close()
			got, err := j2.RestoreFrom(ctx, fe.Recovery, "")
			if err != nil || got.Documents != 5 {
				t.Fatalf("restore of the recovery file: %+v, %v", got, err)
			}
			if r, err := j2.FiscalResult(ctx, 1); err != nil || r.Sign != "100200300" {
				t.Errorf("the OFD's answer after the restore: %+v, %v", r, err)
			}
			d.j = j2
			if seq := d.sale(false); seq != 6 {
				t.Errorf("the next sale after the restore got seq %d, want 6", seq)
			}
		})
	}
}

func mustDo(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
