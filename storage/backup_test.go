package storage

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/ekassa-go/ekassa/kkm"
)

// registered saves the settings of register id with the given RNM and serial number.
func registered(t *testing.T, j *Journal, id uint32, rnm, znm string) {
	t.Helper()
	s := kkm.DefaultSettings()
	s.SystemID, s.SerialNumber = id, znm
	s.Reg.RNM, s.Reg.ZNM = rnm, znm
	if err := j.SaveSettings(context.Background(), s); err != nil {
		t.Fatal(err)
	}
}

// TestBackupWhileWorkingAndRestoreOnANewPhone: a backup taken between commits is consistent
// and verified; restored into a fresh journal (a new phone) it holds the same documents, state and
// chain, and the register carries on from it.
func TestBackupWhileWorkingAndRestoreOnANewPhone(t *testing.T) {
	ctx := context.Background()
	j := openTemp(t)
	registered(t, j, 777, "010100777001", "SWK00000001")
	d := newDesk(t, j)
	d.fill(30)
	path := filepath.Join(t.TempDir(), "backup.db")
	// Documents committed while the backup runs are either in it or not, never half.
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range 10 {
			d.sale(false)
		}
	}()
	info, err := j.Backup(ctx, path)
	<-done
	if err != nil {
		t.Fatal(err)
	}
	if info.Documents < 30 || info.SystemID != 777 || info.RNM != "010100777001" || info.ZNM != "SWK00000001" || info.Size == 0 {
		t.Fatalf("backup info %+v", info)
	}
	if again, err := Inspect(ctx, path); err != nil || again.Documents != info.Documents {
		t.Fatalf("inspect the backup: %+v, %v", again, err)
	}

	phone := openTemp(t)
	got, err := phone.RestoreFrom(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if got.Documents != info.Documents || got.SystemID != 777 {
		t.Fatalf("restored %+v, backup %+v", got, info)
	}
	if res, err := phone.Verify(ctx, 1); err != nil || res.Last != info.Documents {
		t.Fatalf("restored chain: %+v, %v", res, err)
	}
	// The restored state is the backup's: the register carries on from it.
	st, err := phone.State(ctx)
	if err != nil {
		t.Fatal(err)
	}
	nd := newDesk(t, phone)
	nd.reg.State, nd.now = st, st.LastDocumentTime
	if seq := nd.sale(false); seq != info.Documents+1 {
		t.Fatalf("the next document on the new phone is %d, want %d", seq, info.Documents+1)
	}
	if _, err := phone.Verify(ctx, 1); err != nil {
		t.Fatal(err)
	}
	// And the same backup again on the old phone, which went on: refused, it is older.
	if _, err := j.RestoreFrom(ctx, path); err != nil && !errors.Is(err, ErrBackupOlder) {
		t.Fatalf("restore an older backup: %v", err)
	} else if err == nil && info.Documents != 40 {
		t.Fatal("an older backup replaced a journal with more documents")
	}
}

// TestRestoreRefuses: another register's journal, a backup with fewer documents, a diverging
// one, a tampered one and a file that is no journal are all refused, and the journal is
// unchanged.
func TestRestoreRefuses(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	backupOf := func(name string, id uint32, rnm string, docs int, tamper bool) string {
		j, err := Open(ctx, filepath.Join(dir, name+".src.db"))
		if err != nil {
			t.Fatal(err)
		}
		defer j.Close()
		registered(t, j, id, rnm, "SWK1")
		newDesk(t, j).fill(docs)
		if tamper {
			if _, err := j.db.Exec(`UPDATE documents SET total = total + 1 WHERE seq = 2`); err != nil {
				t.Fatal(err)
			}
		}
		p := filepath.Join(dir, name+".db")
		if _, err := j.Backup(ctx, p); err != nil && !tamper {
			t.Fatal(err)
		} else if tamper {
			if err == nil || !errors.Is(err, ErrChainBroken) {
				t.Fatalf("backup of a tampered journal: %v", err)
			}
			// Copy the tampered file as it is: someone hands it over.
			j.Checkpoint(ctx)
			if err := copyFile(filepath.Join(dir, name+".src.db"), p); err != nil {
				t.Fatal(err)
			}
		}
		return p
	}
	j := openTemp(t)
	registered(t, j, 777, "010100777001", "SWK1")
	d := newDesk(t, j)
	d.fill(5)
	own, err := j.Backup(ctx, filepath.Join(dir, "own.db"))
	if err != nil {
		t.Fatal(err)
	}
	d.fill(3)
	junk := filepath.Join(dir, "junk.db")
	os.WriteFile(junk, []byte("this is not a journal at all, just text"), 0o600)

	cases := []struct {
		name string
		path string
		want ErrorCode
	}{
		{"another register", backupOf("other", 888, "010100888001", 20, false), ErrBackupOtherRegister},
		{"same ID, another RNM", backupOf("rnm", 777, "010100999001", 20, false), ErrBackupOtherRegister},
		{"older than the journal", own.Path, ErrBackupOlder},
		{"same register, another history", backupOf("fork", 777, "010100777001", 20, false), ErrBackupOlder},
		{"tampered", backupOf("tampered", 777, "010100777001", 20, true), ErrChainBroken},
		{"not a journal", junk, ErrBackupUnreadable},
		{"missing", filepath.Join(dir, "nowhere.db"), ErrBackupUnreadable},
	}
	before, err := j.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		_, err := j.RestoreFrom(ctx, c.path)
		var be *BackupError
		if !errors.Is(err, c.want) || !errors.As(err, &be) || be.MessageID() != string(c.want) {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
		after, err := j.Info(ctx)
		if err != nil || after.Documents != before.Documents || string(after.HeadHash) != string(before.HeadHash) {
			t.Fatalf("%s: the journal changed: %+v, %v", c.name, after, err)
		}
	}
	// A new phone (no register, no documents) takes any verified backup.
	if _, err := openTemp(t).RestoreFrom(ctx, filepath.Join(dir, "other.db")); err != nil {
		t.Errorf("restore on a new phone: %v", err)
	}
}
