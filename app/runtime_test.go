package app

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ekassa-go/ekassa/kkm"
	"github.com/ekassa-go/ekassa/ofdclient"
	"github.com/ekassa-go/ekassa/storage"
	"github.com/ekassa-go/ekassa/ui"
)

// rig is a demo register on a real journal file and the embedded emulator over loopback, with
// the sender's pauses cut to milliseconds so offline spells end quickly.
type rig struct {
	t    *testing.T
	ctx  context.Context
	demo *Demo
	j    *storage.Journal
	rt   *Runtime
	by   kkm.Operator
}

// newRig builds a Runtime on a fresh journal, connected to a demo emulator, with a fast sender
// and the demo cashier (see newRigWith).
func newRig(t *testing.T) *rig { return newRigWith(t, Options{}) }

func (r *rig) sell(amounts ...kkm.Money) ui.IssuedDocument {
	r.t.Helper()
	var total kkm.Money
	for _, a := range amounts {
		total += a
	}
	is, err := r.rt.IssueReceipt(r.ctx, r.by, kkm.SimpleDraft(kkm.OpSale, amounts, []kkm.Payment{{Type: kkm.PayCash, Sum: total}}))
	if err != nil {
		r.t.Fatalf("sale: %v", err)
	}
	return is.Last()
}

// waitDrained waits until the OFD has answered every document.
func (r *rig) waitDrained() {
	r.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if st := r.rt.Status(); st.Waiting == 0 && st.Online {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	r.t.Fatalf("outbox not drained: %+v", r.rt.Status())
}

func TestDemoRegisterIsConnected(t *testing.T) {
	r := newRig(t)
	st := r.rt.Status()
	if !st.Registered || !st.Demo || !st.Online || st.Waiting != 0 {
		t.Fatalf("demo status %+v", st)
	}
	s := r.rt.Settings()
	if s.Reg.RNM != demoRNM || s.Reg.OrgIINBIN != demoIINBIN || s.SystemID != demoSystemID {
		t.Fatalf("registration not stored: %+v", s.Reg)
	}
}

// An online sale comes back fiscalised: the OFD's fiscal sign and QR link, the emulator holds it
// once, and the shift is open.
func TestOnlineSaleIsFiscalised(t *testing.T) {
	r := newRig(t)
	doc := r.sell(123450)
	if doc.FiscalSign == "" || !strings.Contains(doc.QRLink, "i="+doc.FiscalSign) {
		t.Fatalf("online sale not fiscalised in time: %+v", doc)
	}
	if doc.Document.Offline {
		t.Fatal("online sale marked offline")
	}
	// The printed text travels with the receipt (printed_ticket) and names the register.
	if !strings.Contains(doc.Document.Text, demoRNM) || !strings.Contains(doc.Document.Text, demoIINBIN) {
		t.Fatalf("receipt text lacks the register's details:\n%s", doc.Document.Text)
	}
	led, err := r.demo.Server.Ledger(demoSystemID)
	if err != nil {
		t.Fatal(err)
	}
	if len(led.Receipts) != 1 || led.Receipts[0].FiscalSign != doc.FiscalSign {
		t.Fatalf("emulator ledger %+v", led.Receipts)
	}
	if st := r.rt.Status(); !st.ShiftOpen || st.ShiftNumber != 1 || st.CashInDrawer != 123450 {
		t.Fatalf("status after sale %+v", st)
	}
}

// With the network cut, the status line says offline at once (the register probes the OFD, as
// after a break while idle), and sales are issued at once as offline documents with their own
// numbers and locally built QR links, the first one after the cut too (walker S9, S10); when it
// is back they go out in order and each is held once.
func TestOfflineSpellAndCatchUp(t *testing.T) {
	r := newRig(t)
	if err := r.rt.SetNetworkCut(true); err != nil {
		t.Fatal(err)
	}
	if st := r.rt.Status(); st.Online || st.OfflineSince.IsZero() || st.Waiting != 0 {
		t.Fatalf("status right after the cut, before any document: %+v", st)
	}
	first := r.sell(10000)
	if first.FiscalSign != "" {
		t.Fatal("fiscal sign without a network")
	}
	var offline []ui.IssuedDocument
	offline = append(offline, first)
	for i := 0; i < 3; i++ {
		d := r.sell(kkm.Money(20000 + i))
		if !d.Document.Offline || d.Document.OfflineNumber == 0 {
			t.Fatalf("sale %d during the cut not offline: %+v", i, d.Document)
		}
		want := kkm.QRLink(kkm.KazakhtelecomCheckSite, itoa(d.Document.OfflineNumber), demoRNM, d.Document.Total(), d.Document.Time)
		if d.QRLink != want {
			t.Fatalf("offline QR link %q, want %q", d.QRLink, want)
		}
		offline = append(offline, d)
	}
	for i, d := range offline {
		if !d.Document.Offline || d.Document.OfflineNumber == 0 {
			t.Fatalf("sale %d after the cut not offline: %+v", i, d.Document)
		}
		want := kkm.QRLink(kkm.KazakhtelecomCheckSite, itoa(d.Document.OfflineNumber), demoRNM, d.Document.Total(), d.Document.Time)
		if d.QRLink != want {
			t.Fatalf("offline QR link %q, want %q", d.QRLink, want)
		}
	}
	st := r.rt.Status()
	if st.Online || st.Waiting != 4 || st.OfflineSince.IsZero() || st.OfflineLeft <= 0 {
		t.Fatalf("status during the cut %+v", st)
	}
	if err := r.rt.SetNetworkCut(false); err != nil {
		t.Fatal(err)
	}
	r.waitDrained()
	led, err := r.demo.Server.Ledger(demoSystemID)
	if err != nil {
		t.Fatal(err)
	}
	if len(led.Receipts) != 4 {
		t.Fatalf("emulator holds %d receipts, want 4", len(led.Receipts))
	}
	for i, rc := range led.Receipts {
		if rc.OfflineNumber != offline[i].Document.OfflineNumber {
			t.Errorf("receipt %d arrived out of order: offline number %d, want %d", i+1, rc.OfflineNumber, offline[i].Document.OfflineNumber)
		}
	}
}

func itoa(n uint32) string { return strconv.FormatUint(uint64(n), 10) }

// A return names its original, is checked against what is left of it, and the OFD accepts it.
func TestReturnAgainstItsOriginal(t *testing.T) {
	r := newRig(t)
	orig := r.sell(50000)
	ret, err := r.rt.Returnable(r.ctx, orig.Seq)
	if err != nil {
		t.Fatal(err)
	}
	if ret.Left != 50000 || ret.Parent.Number != orig.FiscalSign || ret.Parent.RNM != demoRNM {
		t.Fatalf("returnable %+v", ret)
	}
	draft := kkm.SimpleDraft(kkm.OpSaleReturn, []kkm.Money{30000}, []kkm.Payment{{Type: kkm.PayCash, Sum: 30000}})
	draft.Parent = &ret.Parent
	is, err := r.rt.IssueReceipt(r.ctx, r.by, draft)
	if err != nil {
		t.Fatal(err)
	}
	if is.Last().FiscalSign == "" {
		t.Fatal("return not fiscalised")
	}
	// 200 more than is left: refused, nothing written.
	over := kkm.SimpleDraft(kkm.OpSaleReturn, []kkm.Money{20100}, []kkm.Payment{{Type: kkm.PayCash, Sum: 20100}})
	over.Parent = &ret.Parent
	before := r.rt.Status()
	if _, err := r.rt.IssueReceipt(r.ctx, r.by, over); !errors.Is(err, kkm.ErrReturnExceedsOriginal) {
		t.Fatalf("over-return: %v", err)
	}
	if after := r.rt.Status(); after.CashInDrawer != before.CashInDrawer {
		t.Fatal("refused return changed the drawer")
	}
	left, err := r.rt.Returnable(r.ctx, orig.Seq)
	if err != nil || left.Left != 20000 {
		t.Fatalf("left after the return: %+v, %v", left.Left, err)
	}
}

// Cash in and out, X and a Z with auto cash-out: the emulator's own counters agree with the
// register's Z (it answers 13 otherwise), and the next sale opens shift 2.
func TestShiftCycle(t *testing.T) {
	r := newRig(t)
	s := r.rt.Settings()
	s.AutoCashOut = true
	if err := r.rt.SaveSettings(r.ctx, r.by, s); err != nil {
		t.Fatal(err)
	}
	if _, err := r.rt.CashIn(r.ctx, r.by, 100000); err != nil {
		t.Fatal(err)
	}
	r.sell(25000, 5050)
	if _, err := r.rt.CashOut(r.ctx, r.by, 1e9); !errors.Is(err, kkm.ErrCashInsufficient) {
		t.Fatalf("cash out above the drawer: %v", err)
	}
	if _, err := r.rt.CashOut(r.ctx, r.by, 20000); err != nil {
		t.Fatal(err)
	}
	x, err := r.rt.XReport(r.ctx, r.by)
	if err != nil || x.Last().Document.Report == nil {
		t.Fatalf("X: %v", err)
	}
	z, err := r.rt.CloseShift(r.ctx, r.by)
	if err != nil {
		t.Fatal(err)
	}
	if len(z) != 2 || z[0].Document.Kind != kkm.KindCashOut || z[0].Document.Cash != 110050 || z.Last().Document.Kind != kkm.KindZReport {
		t.Fatalf("Z with auto cash-out: %+v", z)
	}
	r.waitDrained()
	if st := r.rt.Status(); st.Block != ui.BlockNone || st.ShiftOpen || st.CashInDrawer != 0 {
		t.Fatalf("after Z: %+v", st)
	}
	led, _ := r.demo.Server.Ledger(demoSystemID)
	if led.LastZ == nil || led.LastZ.GetShiftNumber() != 1 {
		t.Fatalf("the OFD did not close shift 1: %+v", led.LastZ)
	}
	if d := r.sell(100); d.Document.ShiftNumber != 2 {
		t.Fatalf("next sale in shift %d, want 2", d.Document.ShiftNumber)
	}
}

// A blocked register refuses documents with the block's own message, and the token change
// lifts an invalid-token block.
func TestInvalidTokenBlocksUntilChanged(t *testing.T) {
	r := newRig(t)
	if err := r.demo.Server.SetToken(demoSystemID, 4000000123); err != nil {
		t.Fatal(err)
	}
	r.sell(1000) // refused by the OFD with code 2: the register blocks
	deadline := time.Now().Add(5 * time.Second)
	for r.rt.Status().Block != ui.BlockToken && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if st := r.rt.Status(); st.Block != ui.BlockToken {
		t.Fatalf("status %+v, want a token block", st)
	}
	_, err := r.rt.CashIn(r.ctx, r.by, 100)
	var re *ofdclient.ResultError
	if !errors.As(err, &re) || re.Code != 2 {
		t.Fatalf("issuing while blocked: %v", err)
	}
	if err := r.rt.ChangeToken(r.ctx, r.by, 4000000123); err != nil {
		t.Fatal(err)
	}
	r.waitDrained()
	led, _ := r.demo.Server.Ledger(demoSystemID)
	if len(led.Receipts) != 1 {
		t.Fatalf("after the token change the OFD holds %d receipts, want 1", len(led.Receipts))
	}
	// The live token is the link's, which the OFD has rotated since: the settings screen is
	// shown that one, not a copy saved beside it in a second transaction.
	if got := r.rt.Settings().Token; got != led.Token {
		t.Errorf("Settings().Token = %d, want the token the OFD expects next, %d", got, led.Token)
	}
}

func TestHistoryAndSearch(t *testing.T) {
	r := newRig(t)
	a := r.sell(100)
	r.sell(200)
	if _, err := r.rt.CashIn(r.ctx, r.by, 300); err != nil {
		t.Fatal(err)
	}
	page, err := r.rt.History(r.ctx, ui.HistoryFilter{Limit: 2})
	if err != nil || len(page.Documents) != 2 || !page.More || page.Documents[0].Document.Kind != kkm.KindCashIn {
		t.Fatalf("first page: %+v %v", page, err)
	}
	next, err := r.rt.History(r.ctx, ui.HistoryFilter{Limit: 2, Before: page.Documents[1].Seq})
	if err != nil || len(next.Documents) != 1 || next.More || next.Documents[0].Seq != a.Seq {
		t.Fatalf("second page: %+v %v", next, err)
	}
	receipts, err := r.rt.History(r.ctx, ui.HistoryFilter{Kind: kkm.KindReceipt, Shift: 1})
	if err != nil || len(receipts.Documents) != 2 {
		t.Fatalf("receipts of shift 1: %+v %v", receipts, err)
	}
	found, err := r.rt.FindReceipt(r.ctx, a.FiscalSign)
	if err != nil || found.Seq != a.Seq {
		t.Fatalf("find by fiscal sign: %+v %v", found, err)
	}
	if _, err := r.rt.FindReceipt(r.ctx, "no-such"); !errors.Is(err, ui.ErrNotFound) {
		t.Fatalf("find nothing: %v", err)
	}
}

func TestQuickAccessCodeWait(t *testing.T) {
	now := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	g := newCodeGuard(func() time.Time { return now })
	var last *ui.WrongCodeError
	for i := 1; i <= 5; i++ {
		if err := g.check(); err != nil {
			t.Fatalf("try %d refused before checking: %v", i, err)
		}
		errors.As(g.failed(), &last)
		want := time.Duration(0)
		if i == 4 {
			want = 30 * time.Second
		} else if i == 5 {
			want = 60 * time.Second
		}
		if last.Wait != want {
			t.Fatalf("wrong code %d: wait %v, want %v", i, last.Wait, want)
		}
		now = now.Add(last.Wait)
	}
	if err := g.check(); err != nil {
		t.Fatalf("after the wait: %v", err)
	}
	errors.As(g.failed(), &last)
	now = now.Add(time.Second)
	var early *ui.WrongCodeError
	if err := g.check(); !errors.As(err, &early) || !early.TooEarly {
		t.Fatalf("a try during the wait: %v", err)
	}
	now = now.Add(time.Hour)
	g.succeeded()
	if err := g.check(); err != nil {
		t.Fatal(err)
	}
}

func TestProfilesKeepOnlyASlowHash(t *testing.T) {
	r := newRig(t)
	cs, err := r.rt.Cashiers(r.ctx)
	if err != nil || len(cs) != 1 {
		t.Fatal(cs, err)
	}
	c := cs[0]
	if c.Role != kkm.RoleAdministrator || len(c.CodeSalt) != 16 || len(c.CodeHash) != 32 || strings.Contains(string(c.CodeHash), DemoCode) {
		t.Fatalf("stored cashier %+v", c)
	}
	second, err := r.rt.AddCashier(r.ctx, r.by, ui.CashierForm{Name: "Айгүл", Role: kkm.RoleCashier, Code: "2468"})
	if err != nil || second.OperatorCode != 2 || second.Role != kkm.RoleCashier {
		t.Fatalf("second cashier %+v %v", second, err)
	}
	if got, err := r.rt.CheckCode(r.ctx, "2468"); err != nil || got.ID != second.ID {
		t.Fatalf("second cashier's code: %+v %v", got, err)
	}
	if _, err := r.rt.CreateCashier(r.ctx, ui.NewCashier{Name: "x", Code: "12a4"}); !errors.Is(err, ui.ErrCodeFormat) {
		t.Fatalf("bad code: %v", err)
	}
}

// Connecting gives each failure its own message: unknown system ID, bad token, no network.
func TestConnectErrors(t *testing.T) {
	r := newRig(t)
	cases := []struct {
		name string
		req  ui.ConnectRequest
		want error
	}{
		{"unknown ID", ui.ConnectRequest{OFDAddress: r.demo.Connect.OFDAddress, SystemID: 1, Token: 1}, ui.ErrConnectUnknownID},
		{"bad token", ui.ConnectRequest{OFDAddress: r.demo.Connect.OFDAddress, SystemID: demoSystemID, Token: 1}, ui.ErrConnectBadToken},
		{"no network", ui.ConnectRequest{OFDAddress: "127.0.0.1:1", SystemID: demoSystemID, Token: 1}, ui.ErrConnectNoNetwork},
	}
	for _, c := range cases {
		if _, err := r.rt.Connect(r.ctx, c.req); !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
	}
	// A failed connect leaves the connected register as it was.
	if st := r.rt.Status(); !st.Registered || r.rt.Settings().SystemID != demoSystemID {
		t.Fatalf("after failed connects: %+v", st)
	}
}

// The owner reserves returns and the Z report for senior cashiers: a cashier is refused with the
// action's own message and nothing is written; the administrator may.
func TestRolesLimitReturnsAndZ(t *testing.T) {
	r := newRig(t)
	s := r.rt.Settings()
	s.Permissions = kkm.Permissions{kkm.ActionReturn: kkm.RoleSeniorCashier, kkm.ActionCloseShift: kkm.RoleSeniorCashier}
	if err := r.rt.SaveSettings(r.ctx, r.by, s); err != nil {
		t.Fatal(err)
	}
	cashier, err := r.rt.AddCashier(r.ctx, r.by, ui.CashierForm{Name: "Ержан", Role: kkm.RoleCashier, Code: "5555"})
	if err != nil {
		t.Fatal(err)
	}
	orig := r.sell(1000)
	ret, err := r.rt.Returnable(r.ctx, orig.Seq)
	if err != nil {
		t.Fatal(err)
	}
	draft := kkm.SimpleDraft(kkm.OpSaleReturn, []kkm.Money{1000}, []kkm.Payment{{Type: kkm.PayCash, Sum: 1000}})
	draft.Parent = &ret.Parent
	var re *kkm.RoleError
	if _, err := r.rt.IssueReceipt(r.ctx, cashier.Operator(), draft); !errors.As(err, &re) || re.MessageID() != "err.role.return" {
		t.Fatalf("cashier's return: %v", err)
	}
	if _, err := r.rt.CloseShift(r.ctx, cashier.Operator()); !errors.As(err, &re) || re.Action != kkm.ActionCloseShift {
		t.Fatalf("cashier's Z: %v", err)
	}
	if err := r.rt.Allow(r.ctx, cashier.Operator(), kkm.ActionSettings); err == nil {
		t.Fatal("a cashier may change settings by default")
	}
	if st := r.rt.Status(); !st.ShiftOpen || st.CashInDrawer != 1000 {
		t.Fatalf("a refused action changed the register: %+v", st)
	}
	// The demo cashier is the device's first, its administrator.
	if _, err := r.rt.IssueReceipt(r.ctx, r.by, draft); err != nil {
		t.Fatalf("administrator's return: %v", err)
	}
	if _, err := r.rt.CloseShift(r.ctx, r.by); err != nil {
		t.Fatalf("administrator's Z: %v", err)
	}
}

// A refusal of the document's data (13) blocks the register naming the document, with the OFD's
// text; once the cause is gone, Retry sends the waiting document again and the register is back
// online (setting it aside is the other way out: refused_test.go).
func TestRetryAfterProtocolBlock(t *testing.T) {
	r := newRig(t)
	r.demo.Server.InjectResult(13, "test: refused once", 1)
	r.sell(700)
	deadline := time.Now().Add(5 * time.Second)
	for r.rt.Status().Block != ui.BlockRefused && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if st := r.rt.Status(); st.Block != ui.BlockRefused || st.Waiting != 1 {
		t.Fatalf("after code 13: %+v", st)
	}
	if err := r.rt.Retry(r.ctx); err != nil {
		t.Fatal(err)
	}
	r.waitDrained()
	led, _ := r.demo.Server.Ledger(demoSystemID)
	if len(led.Receipts) != 1 {
		t.Fatalf("the OFD holds %d receipts, want 1", len(led.Receipts))
	}
}

// An item sold on two lines and returned once is returned from the first line only: what is left
// to return adds up to what was sold minus what came back.
func TestReturnableSplitsAnItemOverItsLines(t *testing.T) {
	r := newRig(t)
	line := kkm.LineDraft{Name: "Нан", Quantity: 2 * kkm.QuantityOne, Unit: kkm.UnitPiece, Price: 15000}
	sale := kkm.ReceiptDraft{Operation: kkm.OpSale, Lines: []kkm.LineDraft{line, line},
		Payments: []kkm.Payment{{Type: kkm.PayCash, Sum: 60000}}}
	is, err := r.rt.IssueReceipt(r.ctx, r.by, sale)
	if err != nil {
		t.Fatal(err)
	}
	ret, err := r.rt.Returnable(r.ctx, is.Last().Seq)
	if err != nil {
		t.Fatal(err)
	}
	back := kkm.ReceiptDraft{Operation: kkm.OpSaleReturn, Parent: &ret.Parent,
		Lines:    []kkm.LineDraft{{Name: "Нан", Quantity: 3 * kkm.QuantityOne, Unit: kkm.UnitPiece, Price: 15000}},
		Payments: []kkm.Payment{{Type: kkm.PayCash, Sum: 45000}}}
	if _, err := r.rt.IssueReceipt(r.ctx, r.by, back); err != nil {
		t.Fatal(err)
	}
	left, err := r.rt.Returnable(r.ctx, is.Last().Seq)
	if err != nil {
		t.Fatal(err)
	}
	if len(left.Lines) != 2 || left.Lines[0].Left != 0 || left.Lines[1].Left != kkm.QuantityOne || left.Left != 15000 {
		t.Fatalf("left to return: %+v, total %v", left.Lines, left.Left)
	}
}

// The demo's network switch with nothing waiting: cut, the status line says offline at once;
// restored, online at once (the idle probe answered), and the next sale is online and fiscalised.
func TestNetworkSwitchWithNothingWaiting(t *testing.T) {
	r := newRig(t)
	if err := r.rt.SetNetworkCut(true); err != nil {
		t.Fatal(err)
	}
	if st := r.rt.Status(); st.Online {
		t.Fatalf("online with the network cut: %+v", st)
	}
	if err := r.rt.SetNetworkCut(false); err != nil {
		t.Fatal(err)
	}
	if st := r.rt.Status(); !st.Online || !st.OfflineSince.IsZero() {
		t.Fatalf("still offline with the network back and nothing waiting: %+v", st)
	}
	if d := r.sell(5000); d.Document.Offline || d.FiscalSign == "" {
		t.Fatalf("the sale after the network came back: %+v", d.Document)
	}
}
