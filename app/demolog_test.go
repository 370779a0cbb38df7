package app

import (
	"testing"

	"github.com/ekassa-go/ekassa/kkm"
)

// TestDemoEmulatorKeepsAShortLog: the demo's emulator keeps its last demoLogLimit exchanges, not
// the emulator's default 10 000 — nothing in the app reads them, and kept they grew the app's
// heap all day — and its ledger goes on answering and checking as before.
func TestDemoEmulatorKeepsAShortLog(t *testing.T) {
	r := newRig(t)
	for i := range demoLogLimit + 5 {
		sum := kkm.Money(10_000 + 100*i)
		is, err := r.rt.IssueReceipt(r.ctx, r.by, kkm.SimpleDraft(kkm.OpSale, []kkm.Money{sum},
			[]kkm.Payment{{Type: kkm.PayCash, Sum: sum}}))
		if err != nil {
			t.Fatalf("sale %d: %v", i, err)
		}
		if d := is.Last(); !d.Answered || d.FiscalSign == "" {
			t.Fatalf("sale %d came back without its fiscal sign", i)
		}
	}
	if n := len(r.demo.Server.Log()); n != demoLogLimit {
		t.Errorf("the demo's emulator keeps %d exchanges, want the last %d", n, demoLogLimit)
	}
	ledger, err := r.demo.Server.Ledger(demoSystemID)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(ledger.Receipts); n != demoLogLimit+5 {
		t.Errorf("the ledger holds %d receipts, want %d", n, demoLogLimit+5)
	}
}
