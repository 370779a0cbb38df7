package app

import (
	"errors"
	"path/filepath"
	"testing"

	"github.com/ekassa-go/ekassa/kkm"
	"github.com/ekassa-go/ekassa/storage"
	"github.com/ekassa-go/ekassa/ui"
)

// TestBackupAndRestoreOnANewPhone: a backup of a working register restored on a new phone
// carries on (same register, state, cashiers; the OFD accepts its next receipt), and a backup of
// another register is refused with err.backup.other_register, changing nothing.
func TestBackupAndRestoreOnANewPhone(t *testing.T) {
	old := newRig(t)
	old.sell(10000)
	old.sell(20000, 5000)
	if _, err := old.rt.CashIn(old.ctx, old.by, 7000); err != nil {
		t.Fatal(err)
	}
	old.waitDrained()
	n, err := old.rt.CheckIntegrity(old.ctx)
	if err != nil || n != 3 {
		t.Fatalf("integrity: %d, %v", n, err)
	}
	path := filepath.Join(t.TempDir(), "ekassa-backup.db")
	if n, err := old.rt.Backup(old.ctx, old.by, path, testPassword); err != nil || n != 3 {
		t.Fatalf("backup: %d, %v", n, err)
	}

	// The new phone: a fresh journal, nothing connected.
	phone, err := storage.Open(old.ctx, filepath.Join(t.TempDir(), JournalFile))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { phone.Close() })
	rt, err := NewRuntime(old.ctx, phone, Options{Sender: old.rt.senderCfg})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rt.Close() })
	if n, err := rt.Restore(old.ctx, kkm.Operator{}, path, testPassword); err != nil || n != 3 {
		t.Fatalf("restore: %d, %v", n, err)
	}
	st := rt.Status()
	if !st.Registered || st.CashInDrawer != old.rt.Status().CashInDrawer || st.ShiftNumber != 1 {
		t.Fatalf("restored status %+v", st)
	}
	c, err := rt.CheckCode(old.ctx, DemoCode)
	if err != nil {
		t.Fatalf("the restored cashier: %v", err)
	}
	is, err := rt.IssueReceipt(old.ctx, c.Operator(), kkm.SimpleDraft(kkm.OpSale, []kkm.Money{30000}, []kkm.Payment{{Type: kkm.PayCard, Sum: 30000}}))
	if err != nil || is.Last().Seq != 4 || is.Last().FiscalSign == "" {
		t.Fatalf("the first sale on the new phone: %+v, %v", is, err)
	}
	led, _ := old.demo.Server.Ledger(demoSystemID)
	if len(led.Receipts) != 3 {
		t.Fatalf("the OFD holds %d receipts, want 3", len(led.Receipts))
	}

	// Another register's backup (another demo register: another serial number).
	other := newRig(t)
	other.sell(99900)
	otherPath := filepath.Join(t.TempDir(), "other.db")
	if _, err := other.rt.Backup(other.ctx, other.by, otherPath, testPassword); err != nil {
		t.Fatal(err)
	}
	_, err = rt.Restore(old.ctx, c.Operator(), otherPath, testPassword)
	var tr interface{ MessageID() string }
	if !errors.Is(err, storage.ErrBackupOtherRegister) || !errors.As(err, &tr) || tr.MessageID() != "err.backup.other_register" {
		t.Fatalf("restore of another register: %v", err)
	}
	if n, err := rt.CheckIntegrity(old.ctx); err != nil || n != 4 {
		t.Fatalf("after the refused restore: %d, %v", n, err)
	}
	if st := rt.Status(); !st.Registered || st.Block != ui.BlockNone {
		t.Fatalf("after the refused restore: %+v", st)
	}
	if _, err := rt.CashIn(old.ctx, c.Operator(), 100); err != nil {
		t.Fatalf("issuing after the refused restore: %v", err)
	}
}
