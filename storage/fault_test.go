package storage

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ekassa-go/ekassa/kkm"
)

// TestFileUnderTheApp deletes, renames or replaces the journal under a running Journal, or writes
// an older copy over its files in place (same inode: `cp old.db journal.db`). The next Commit is
// refused with ErrJournalGone and so is every one after it; the refusal names a recovery file that
// holds every document the process committed and the OFD's answer it stored; and a journal
// started again at the path (empty, the older copy, or what SQLite left of the mixture) gets them
// all back by restoring it.
func TestFileUnderTheApp(t *testing.T) {
	// older is a journal file (VACUUM INTO) of the first 2 documents; olderDB and olderWAL are
	// the journal's own two files as they were at 3 documents (the database file checkpointed
	// at 2, the third in the WAL).
	type copies struct {
		older             string
		olderDB, olderWAL []byte
	}
	overwrite := func(t *testing.T, path string, b []byte) {
		t.Helper()
		before, err := os.Stat(path)
		mustDo(t, err)
		mustDo(t, os.WriteFile(path, b, 0o600)) // O_TRUNC: the same file, written over
		after, err := os.Stat(path)
		mustDo(t, err)
		if !os.SameFile(before, after) {
			t.Fatalf("%s is another file after writing over it", path)
		}
	}
	cases := []struct {
		name string
		do   func(t *testing.T, path string, c copies)
	}{
		{"deleted", func(t *testing.T, path string, _ copies) { mustDo(t, os.Remove(path)) }},
		{"deleted with its WAL", func(t *testing.T, path string, _ copies) {
			for _, p := range []string{path, path + "-wal", path + "-shm"} {
				mustDo(t, os.Remove(p))
			}
		}},
		{"renamed", func(t *testing.T, path string, _ copies) { mustDo(t, os.Rename(path, path+".old")) }},
		{"replaced by an older copy", func(t *testing.T, path string, c copies) { mustDo(t, os.Rename(c.older, path)) }},
		{"its folder deleted", func(t *testing.T, path string, _ copies) { mustDo(t, os.RemoveAll(filepath.Dir(path))) }},
		{"an older copy written over it in place", func(t *testing.T, path string, c copies) {
			overwrite(t, path, c.olderDB)
		}},
		{"an older copy written over it in place with its WAL", func(t *testing.T, path string, c copies) {
			overwrite(t, path, c.olderDB)
			overwrite(t, path+"-wal", c.olderWAL)
		}},
		{"its WAL alone written over by an older one", func(t *testing.T, path string, c copies) {
			overwrite(t, path+"-wal", c.olderWAL)
		}},
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
			var cp copies
			cp.older = filepath.Join(t.TempDir(), "older.db")
			// An older copy of the journal file itself (a backup is encrypted, not a journal file).
			if _, err := j.db.ExecContext(ctx, `VACUUM INTO ?`, cp.older); err != nil {
				t.Fatal(err)
			}
			// And the journal's own files as cp would copy them: the database file checkpointed at
			// 2 documents, the third in the WAL.
			mustDo(t, j.Checkpoint(ctx))
			d.fill(1)
			cp.olderDB, err = os.ReadFile(path)
			mustDo(t, err)
			cp.olderWAL, err = os.ReadFile(path + "-wal")
			mustDo(t, err)
			d.fill(2)
			if _, err := j.AssignNextRequest(ctx, 1, 77, d.now); err != nil {
				t.Fatal(err)
			}
			if err := j.CompleteOutbox(ctx, 1, FiscalResult{Sign: "100200300", QRLink: "http://q", At: d.now}, 78); err != nil {
				t.Fatal(err)
			}
			// The database file moves on past both copies, and the WAL holds work after it.
			mustDo(t, j.Checkpoint(ctx))
			if _, err := j.AssignNextRequest(ctx, 2, 78, d.now); err != nil {
				t.Fatal(err)
			}
			want := d.reg.State.DocumentNumber
			if want != 5 {
				t.Fatalf("the desk issued %d documents, want 5", want)
			}

			c.do(t, path, cp)

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
			t.Logf("the fault: %v", fe)
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

// TestOverwrittenRecoveryCarriesForward proves the second way of the recovery file (recovery.go)
// on its own: an older copy of the database file is written over the journal in place after the
// app was started again, SQLite's view is not used, and the recovery file is the copy carried
// forward: the document between the copy and the start read back through its chain, the ones
// since the start from the process's own record, the OFD's answer and the requests. At Close the
// copy is put back as found, so the journal at the path opens and the recovery file restores
// into it. The process's own record, the last way out, holds every document since the start with
// hashes that chain.
func TestOverwrittenRecoveryCarriesForward(t *testing.T) {
	for _, keep := range []int{sessionKeep, 1} {
		t.Run(fmt.Sprintf("keep %d documents", keep), func(t *testing.T) {
			defer func(old int) { sessionKeep = old }(sessionKeep)
			sessionKeep = keep
			overwrittenCarriesForward(t, keep > 2)
		})
	}
}

// overwrittenCarriesForward is TestOverwrittenRecoveryCarriesForward with the session keeping
// every document (whole) or only the last (the others read back).
func overwrittenCarriesForward(t *testing.T, whole bool) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "journal.db")
	j, err := Open(ctx, path)
	mustDo(t, err)
	s := kkm.DefaultSettings()
	s.SystemID, s.Reg.RNM, s.SerialNumber = 123456, "010101012345", "KTCD1117737127791"
	mustDo(t, j.SaveSettings(ctx, s))
	d := newDesk(t, j)
	d.fill(2)
	mustDo(t, j.Checkpoint(ctx))
	olderDB, err := os.ReadFile(path) // 2 documents
	mustDo(t, err)
	d.fill(1)
	// The app starts again: the session begins at document 3.
	mustDo(t, j.Close())
	j, err = Open(ctx, path)
	mustDo(t, err)
	d.j = j
	d.fill(2)
	if _, err := j.AssignNextRequest(ctx, 1, 77, d.now); err != nil {
		t.Fatal(err)
	}
	mustDo(t, j.CompleteOutbox(ctx, 1, FiscalResult{Sign: "100200300", QRLink: "http://q", At: d.now}, 78))
	mustDo(t, j.Checkpoint(ctx))
	if _, err := j.AssignNextRequest(ctx, 2, 78, d.now); err != nil {
		t.Fatal(err)
	}
	session := filepath.Join(dir, "session.json")
	j.writeMu.Lock()
	mustDo(t, j.writeSession(session))
	j.writeMu.Unlock()

	mustDo(t, os.WriteFile(path, olderDB, 0o600)) // written over in place
	trustView = false
	defer func() { trustView = true }()
	iss, err := d.reg.IssueReceipt(fiveItems(kkm.OpSale), d.op, d.tick(), false)
	mustDo(t, err)
	_, err = j.Commit(ctx, iss.Documents, iss.State)
	var fe *FaultError
	if !errors.As(err, &fe) || !errors.Is(err, ErrJournalGone) || fe.Recovery == "" {
		t.Fatalf("Commit after the file was written over: %v, want ErrJournalGone with a recovery file", err)
	}
	if !strings.Contains(fe.Reason, "the copy found at the path (2 documents) with documents 3 to 5") {
		t.Errorf("the recovery is not the copy carried forward: %v", fe)
	}
	info, err := Inspect(ctx, fe.Recovery, "")
	if err != nil || info.Documents != 5 {
		t.Fatalf("the recovery file: %+v, %v; want the 5 documents committed", info, err)
	}
	mustDo(t, j.Close())

	// The copy is back at the path as found (2 documents); the recovery file restores into it.
	j2, err := Open(ctx, path)
	mustDo(t, err)
	defer j2.Close()
	if got, err := j2.Info(ctx); err != nil || got.Documents != 2 {
		t.Fatalf("the journal at the path after Close: %+v, %v; want the copy's 2 documents", got, err)
	}
	got, err := j2.RestoreFrom(ctx, fe.Recovery, "")
	if err != nil || got.Documents != 5 {
		t.Fatalf("restore of the recovery file: %+v, %v", got, err)
	}
	if r, err := j2.FiscalResult(ctx, 1); err != nil || r.Sign != "100200300" {
		t.Errorf("the OFD's answer after the restore: %+v, %v", r, err)
	}
	e, err := j2.NextOutbox(ctx)
	if err != nil || e.Seq != 2 || e.Request == nil || e.Request.Token != 78 {
		t.Errorf("the waiting document after the restore: %+v, %v; want 2 with its request (token 78)", e, err)
	}
	if st, err := j2.State(ctx); err != nil || st.DocumentNumber != 5 {
		t.Errorf("the state after the restore: %d documents, %v; want 5", st.DocumentNumber, err)
	}
	d.j = j2
	if seq := d.sale(false); seq != 6 {
		t.Errorf("the next sale after the restore got seq %d, want 6", seq)
	}

	if !whole {
		return
	}
	// The last way out: the session's own record.
	b, err := os.ReadFile(session)
	mustDo(t, err)
	var sf sessionFile
	mustDo(t, json.Unmarshal(b, &sf))
	if sf.OpenSeq != 3 || len(sf.Documents) != 2 || sf.Documents[0].Seq != 4 || sf.Documents[1].Seq != 5 ||
		!bytes.Equal(sf.Documents[1].Prev, sf.Documents[0].Hash) || sf.Answers[1].Sign != "100200300" {
		t.Errorf("the session record: open at %d, %d documents, answers %v", sf.OpenSeq, len(sf.Documents), sf.Answers)
	}
}

// TestCheckpointFindsAnOverwrite: an older copy written over the journal in place, and then a
// checkpoint (the app going to the background) before any write: the checkpoint finds it first,
// latches ErrJournalGone with the recovery file, and does not copy the WAL into the copy, which
// stays at the path as it was written.
func TestCheckpointFindsAnOverwrite(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "journal.db")
	j, err := Open(ctx, path)
	mustDo(t, err)
	defer j.Close()
	d := newDesk(t, j)
	d.fill(2)
	mustDo(t, j.Checkpoint(ctx))
	older, err := os.ReadFile(path)
	mustDo(t, err)
	d.fill(3)
	mustDo(t, j.Checkpoint(ctx))
	d.fill(1) // in the WAL
	mustDo(t, os.WriteFile(path, older, 0o600))
	mustDo(t, j.Checkpoint(ctx))
	var fe *FaultError
	if err := j.Fault(); !errors.As(err, &fe) || fe.Code != ErrJournalGone || fe.Recovery == "" {
		t.Fatalf("after the checkpoint: fault %v, want ErrJournalGone with a recovery file", err)
	}
	if now, err := os.ReadFile(path); err != nil || !bytes.Equal(now, older) {
		t.Errorf("the checkpoint wrote into the copy at the path (%v)", err)
	}
	if info, err := Inspect(ctx, fe.Recovery, ""); err != nil || info.Documents != 6 {
		t.Errorf("the recovery file: %+v, %v; want 6 documents", info, err)
	}
	iss, err := d.reg.IssueReceipt(fiveItems(kkm.OpSale), d.op, d.tick(), false)
	mustDo(t, err)
	if _, err := j.Commit(ctx, iss.Documents, iss.State); !errors.Is(err, ErrJournalGone) {
		t.Errorf("a Commit after the checkpoint found the change: %v, want ErrJournalGone", err)
	}
}
