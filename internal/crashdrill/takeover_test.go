package crashdrill

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/ekassa-go/ekassa/app"
	"github.com/ekassa-go/ekassa/kkm"
	"github.com/ekassa-go/ekassa/ofdclient"
	"github.com/ekassa-go/ekassa/storage"
	"github.com/ekassa-go/ekassa/ui"
)

// device is one phone running the register: its own journal and Runtime.
type device struct {
	rt *app.Runtime
	j  *storage.Journal
	by kkm.Operator
}

func newDevice(t *testing.T, name string) *device {
	t.Helper()
	ctx := context.Background()
	j, err := storage.Open(ctx, filepath.Join(t.TempDir(), app.JournalFile))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { j.Close() })
	rt, err := app.NewRuntime(ctx, j, runtimeOptions())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rt.Close() })
	c, err := rt.CreateCashier(ctx, ui.NewCashier{Name: name, Code: cashierCode})
	if err != nil {
		t.Fatal(err)
	}
	return &device{rt: rt, j: j, by: c.Operator()}
}

func (d *device) sell(t *testing.T, amount kkm.Money) (ui.Issued, error) {
	t.Helper()
	return d.rt.IssueReceipt(context.Background(), d.by,
		kkm.SimpleDraft(kkm.OpSale, []kkm.Money{amount}, []kkm.Payment{{Type: kkm.PayCard, Sum: amount}}))
}

// TestTakeoverByAnotherDevice: the owner resets the token in the OFD cabinet and connects the
// register on a second phone, which sells. The first phone's next document is refused by the
// OFD with "invalid token" (code 2): it stops at once, its status says BlockToken (the token
// change is the way out), issuing is refused with err.ofd.invalid_token, and what it issued stays
// in its journal, queued, not counted by the OFD.
func TestTakeoverByAnotherDevice(t *testing.T) {
	ctx := context.Background()
	demo, err := app.StartDemo(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer demo.Server.Close()
	id := demo.Connect.SystemID

	first := newDevice(t, "Бірінші телефон")
	if _, err := first.rt.Connect(ctx, demo.Connect); err != nil {
		t.Fatal(err)
	}
	if is, err := first.sell(t, 10000); err != nil || is.Last().FiscalSign == "" {
		t.Fatalf("first phone, first sale: %+v, %v", is, err)
	}

	// The owner resets the token in the cabinet and connects the second phone with it.
	const cabinetToken = 3_000_000_777
	if err := demo.Server.SetToken(id, cabinetToken); err != nil {
		t.Fatal(err)
	}
	second := newDevice(t, "Екінші телефон")
	req := demo.Connect
	req.Token = cabinetToken
	if _, err := second.rt.Connect(ctx, req); err != nil {
		t.Fatal(err)
	}
	if is, err := second.sell(t, 20000); err != nil || is.Last().FiscalSign == "" {
		t.Fatalf("second phone's sale: %+v, %v", is, err)
	}

	// The first phone sells again: the OFD refuses its token.
	lost, err := first.sell(t, 30000)
	if err != nil {
		t.Fatalf("the sale is in the journal before the OFD answers: %v", err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for first.rt.Status().Block != ui.BlockToken && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	st := first.rt.Status()
	if st.Block != ui.BlockToken || st.Online || st.Waiting != 1 {
		t.Fatalf("first phone after the takeover: %+v, want BlockToken with the sale waiting", st)
	}
	_, err = first.rt.CashIn(ctx, first.by, 100)
	var re *ofdclient.ResultError
	if !errors.As(err, &re) || re.Code != 2 || re.MessageID() != "err.ofd.invalid_token" {
		t.Fatalf("issuing on the first phone after the takeover: %v", err)
	}
	if e, err := first.j.Document(ctx, lost.Last().Seq); err != nil || e.Document.Total() != 30000 {
		t.Fatalf("the refused sale is not kept in the first phone's journal: %+v, %v", e, err)
	}
	if st := second.rt.Status(); st.Block != ui.BlockNone || !st.Online {
		t.Fatalf("second phone: %+v", st)
	}
	led, err := demo.Server.Ledger(id)
	if err != nil {
		t.Fatal(err)
	}
	if len(led.Receipts) != 2 || led.Receipts[1].Total != 20000 {
		t.Fatalf("the OFD holds %d receipts, want the two accepted ones", len(led.Receipts))
	}
}
