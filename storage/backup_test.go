package storage

import (
	"bytes"
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
	info, err := j.Backup(ctx, path, testPassword)
	<-done
	if err != nil {
		t.Fatal(err)
	}
	if info.Documents < 30 || info.SystemID != 777 || info.RNM != "010100777001" || info.ZNM != "SWK00000001" || info.Size == 0 {
		t.Fatalf("backup info %+v", info)
	}
	if again, err := Inspect(ctx, path, testPassword); err != nil || again.Documents != info.Documents {
		t.Fatalf("inspect the backup: %+v, %v", again, err)
	}

	phone := openTemp(t)
	got, err := phone.RestoreFrom(ctx, path, testPassword)
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
	if _, err := j.RestoreFrom(ctx, path, testPassword); err != nil && !errors.Is(err, ErrBackupOlder) {
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
		j.scryptWork = testWorkFactor
		defer j.Close()
		registered(t, j, id, rnm, "SWK1")
		newDesk(t, j).fill(docs)
		if tamper {
			if _, err := j.db.Exec(`UPDATE documents SET total = total + 1 WHERE seq = 2`); err != nil {
				t.Fatal(err)
			}
		}
		p := filepath.Join(dir, name+".db")
		if _, err := j.Backup(ctx, p, testPassword); err != nil && !tamper {
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
	own, err := j.Backup(ctx, filepath.Join(dir, "own.db"), testPassword)
	if err != nil {
		t.Fatal(err)
	}
	d.fill(3)
	junk := filepath.Join(dir, "junk.db")
	os.WriteFile(junk, []byte("this is not a journal at all, just text"), 0o600)

	// The register's own newer backup, one byte of it flipped: age's authentication fails.
	newer := filepath.Join(dir, "newer.db")
	if _, err := j.Backup(ctx, newer, testPassword); err != nil {
		t.Fatal(err)
	}
	flipped := filepath.Join(dir, "flipped.db")
	b, err := os.ReadFile(newer)
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)-100] ^= 0x01
	if err := os.WriteFile(flipped, b, 0o600); err != nil {
		t.Fatal(err)
	}

	cases := []struct {
		name     string
		path     string
		password string
		want     ErrorCode
	}{
		{"another register", backupOf("other", 888, "010100888001", 20, false), testPassword, ErrBackupOtherRegister},
		{"same ID, another RNM", backupOf("rnm", 777, "010100999001", 20, false), testPassword, ErrBackupOtherRegister},
		{"older than the journal", own.Path, testPassword, ErrBackupOlder},
		{"same register, another history", backupOf("fork", 777, "010100777001", 20, false), testPassword, ErrBackupOlder},
		{"tampered", backupOf("tampered", 777, "010100777001", 20, true), testPassword, ErrChainBroken},
		{"wrong password", newer, "not the password", ErrBackupWrongPassword},
		{"no password", newer, "", ErrBackupWrongPassword},
		{"a byte flipped", flipped, testPassword, ErrBackupUnreadable},
		{"not a journal", junk, testPassword, ErrBackupUnreadable},
		{"missing", filepath.Join(dir, "nowhere.db"), testPassword, ErrBackupUnreadable},
	}
	before, err := j.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		_, err := j.RestoreFrom(ctx, c.path, c.password)
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
	if _, err := openTemp(t).RestoreFrom(ctx, filepath.Join(dir, "other.db"), testPassword); err != nil {
		t.Errorf("restore on a new phone: %v", err)
	}
	// And the right password on the register's own newer backup.
	if got, err := j.RestoreFrom(ctx, newer, testPassword); err != nil || got.Documents != 8 {
		t.Errorf("restore the newer backup: %+v, %v", got, err)
	}
}

// A backup is encrypted (no journal bytes, no register number in it), readable by the owner only
// (0600), refuses a short password, and on a new phone brings its seal key along: the restored
// journal verifies under it, the key file is replaced and the adoption is recorded.
func TestBackupIsEncryptedAndCarriesItsKey(t *testing.T) {
	ctx := context.Background()
	j := openTemp(t)
	registered(t, j, 777, "010100777001", "SWK00000001")
	newDesk(t, j).fill(4)
	path := filepath.Join(t.TempDir(), "backup.ekassa")
	if _, err := j.Backup(ctx, path, "short"); !errors.Is(err, ErrBackupPasswordShort) {
		t.Fatalf("a 5-character password: %v", err)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a refused backup left a file: %v", err)
	}
	if _, err := j.Backup(ctx, path, testPassword); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("backup mode %v, %v; want 0600", fi.Mode().Perm(), err)
	}
	b, _ := os.ReadFile(path)
	if bytes.Contains(b, sqliteMagic) || bytes.Contains(b, []byte("010100777001")) || !bytes.HasPrefix(b, []byte(ageMagic)) {
		t.Fatal("the backup is not encrypted")
	}
	phone := openTemp(t)
	oldKey := phone.seal.key
	if _, err := phone.RestoreFrom(ctx, path, testPassword); err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(phone.seal.key, oldKey) || !bytes.Equal(phone.seal.key, j.seal.key) {
		t.Fatal("the new phone did not take the backup's key")
	}
	onDisk, err := os.ReadFile(KeyFile(phone.Path()))
	if err != nil || !bytes.Equal(onDisk, j.seal.key) {
		t.Fatalf("key file after the restore: %v", err)
	}
	ev, err := phone.Events(ctx)
	if err != nil || len(ev) != 1 || ev[0].Kind != "adopt-key" {
		t.Fatalf("events %+v, %v", ev, err)
	}
	if _, err := phone.VerifyAll(ctx); err != nil {
		t.Fatal(err)
	}
}
