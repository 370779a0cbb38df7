package app

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/ekassa-go/ekassa/kkm"
	"github.com/ekassa-go/ekassa/storage"
	"github.com/ekassa-go/ekassa/ui"
)

// The start page's «Восстановить из резервной копии» on a new phone, through the Runtime methods
// the screens call: the first start has made a profile on a fresh journal, no register is
// connected; the restore tells the subscribers the register is connected (the UI opens it), and
// the cashiers are the backup's afterwards (the UI locks): the first start's code no longer opens
// the app, the old phone's does, and that cashier may change the settings and issue.
// TestBackupAndRestoreOnANewPhone covers the restore itself and the refusal of another register.
func TestRestoreFromTheStartPage(t *testing.T) {
	old := newRig(t)
	old.sell(10000)
	old.waitDrained()
	path := filepath.Join(t.TempDir(), "ekassa-backup.db")
	if _, err := old.rt.Backup(old.ctx, old.by, path, testPassword); err != nil {
		t.Fatal(err)
	}

	j, err := storage.Open(old.ctx, filepath.Join(t.TempDir(), JournalFile))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { j.Close() })
	rt, err := NewRuntime(old.ctx, j, Options{Sender: old.rt.senderCfg})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rt.Close() })
	if rt.Ports().JournalCare == nil { // the start page finds its restore through this port
		t.Fatal("no JournalCare port")
	}

	// The first start on the new phone.
	first, err := rt.CreateCashier(old.ctx, ui.NewCashier{Name: "Новый телефон", Code: "2468"})
	if err != nil {
		t.Fatal(err)
	}
	if has, err := rt.HasProfile(old.ctx); err != nil || !has {
		t.Fatalf("profile: %v, %v", has, err)
	}
	if st := rt.Status(); st.Registered {
		t.Fatalf("a fresh journal is registered: %+v", st)
	}
	seen := make(chan ui.Status, 16)
	cancel := rt.Subscribe(func(st ui.Status) { seen <- st })
	defer cancel()

	if n, err := rt.Restore(old.ctx, first.Operator(), path, testPassword); err != nil || n != 1 {
		t.Fatalf("restore: %d, %v", n, err)
	}
	deadline := time.After(5 * time.Second)
	for registered := false; !registered; {
		select {
		case st := <-seen:
			registered = st.Registered
		case <-deadline:
			t.Fatal("no subscriber was told the register is connected")
		}
	}
	if got, want := rt.Settings().SerialNumber, old.rt.Settings().SerialNumber; got != want || got == "" {
		t.Fatalf("serial number %q, want %q", got, want)
	}
	if has, err := rt.HasProfile(old.ctx); err != nil || !has {
		t.Fatalf("profile after the restore: %v, %v", has, err)
	}
	if _, err := rt.CheckCode(old.ctx, "2468"); err == nil {
		t.Fatal("the first start's code still opens the app")
	}
	c, err := rt.CheckCode(old.ctx, DemoCode)
	if err != nil {
		t.Fatalf("the backup's cashier: %v", err)
	}
	if err := rt.Allow(old.ctx, c.Operator(), kkm.ActionSettings); err != nil {
		t.Fatalf("the backup's administrator may not change the settings: %v", err)
	}
	is, err := rt.IssueReceipt(old.ctx, c.Operator(), kkm.SimpleDraft(kkm.OpSale, []kkm.Money{5000}, []kkm.Payment{{Type: kkm.PayCash, Sum: 5000}}))
	if err != nil || is.Last().Seq != 2 {
		t.Fatalf("the first sale after the restore: %+v, %v", is, err)
	}
}
