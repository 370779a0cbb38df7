package app

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ekassa-go/ekassa/delivery"
	"github.com/ekassa-go/ekassa/kkm"
	"github.com/ekassa-go/ekassa/ofdclient"
	"github.com/ekassa-go/ekassa/ofdclient/ofdsim"
	"github.com/ekassa-go/ekassa/storage"
	"github.com/ekassa-go/ekassa/ui"
)

// demoChildEnv names the demo folder of the child process TestDemoKeepsItsRegisterAcrossAKill
// starts; the child sells into it and waits to be killed.
const demoChildEnv = "EKASSA_DEMO_CHILD"

// openDemoIn opens the demo in dir in the order startRegister does (demoFolder, the emulator
// from its state file, the journal, reconnectDemo, the runtime, prepareDemo when the journal is
// not yet connected), with the sender's pauses cut to milliseconds. It returns the rig (signed
// in as the demo cashier) and whether the demo was there already.
func openDemoIn(t *testing.T, dir string) (*rig, bool) {
	t.Helper()
	ctx := context.Background()
	dir, err := demoFolder(dir, "", false)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	demo, err := StartDemoIn(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { demo.Server.Close() })
	j, err := storage.Open(ctx, filepath.Join(dir, JournalFile))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { j.Close() })
	ready, err := reconnectDemo(ctx, j, demo)
	if err != nil {
		t.Fatal(err)
	}
	rt, err := NewRuntime(ctx, j, Options{
		Demo:       demo.Server,
		FiscalWait: 2 * time.Second,
		Exchanger:  &ofdclient.Transport{Timeout: time.Second},
		Sender: delivery.Config{
			TransactionTime: 300 * time.Millisecond,
			RetryDelay:      10 * time.Millisecond,
			OfflineRetry:    20 * time.Millisecond,
			MaxOfflineRetry: 50 * time.Millisecond,
			Jitter:          func(d time.Duration) time.Duration { return d },
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rt.Close() })
	if !ready {
		if err := prepareDemo(ctx, rt, demo, "Демо кассир"); err != nil {
			t.Fatal(err)
		}
	}
	c, err := rt.CheckCode(ctx, DemoCode)
	if err != nil {
		t.Fatal(err)
	}
	return &rig{t: t, ctx: ctx, demo: demo, j: j, rt: rt, by: c.Operator()}, ready
}

// TestDemoKeepsItsRegisterAcrossAKill: a demo, run as a child process, sells online, returns
// part of a sale, takes cash in, sells once more with its answer lost after the emulator wrote
// it (the kill between the emulator's write and its answer), then sells offline with the network
// cut, and is killed with SIGKILL. Started again from the same folder, the demo has the same
// register and shift; what waited goes out and is accepted (the lost answer replayed, counted
// once), a return of a receipt issued before the kill is accepted, and the Z is accepted: the
// emulator's own counters agree with the register's.
func TestDemoKeepsItsRegisterAcrossAKill(t *testing.T) {
	if dir := os.Getenv(demoChildEnv); dir != "" {
		demoChild(t, dir)
		return
	}
	dir := filepath.Join(t.TempDir(), "demo")
	cmd := exec.Command(os.Args[0], "-test.run=^TestDemoKeepsItsRegisterAcrossAKill$", "-test.count=1")
	cmd.Env = append(os.Environ(), demoChildEnv+"="+dir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var mark string
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		if line := sc.Text(); strings.HasPrefix(line, "DEMO-READY ") {
			mark = line
			break
		}
	}
	if err := cmd.Process.Kill(); err != nil { // SIGKILL: no Close, no checkpoint, no deferred code
		t.Fatal(err)
	}
	cmd.Wait()
	var offlineSeq, lostToken int64
	var lostReqNum int
	if _, err := fmt.Sscanf(mark, "DEMO-READY %d %d %d", &offlineSeq, &lostToken, &lostReqNum); err != nil {
		t.Fatalf("the child did not get ready: %q (%v)", mark, err)
	}

	r, again := openDemoIn(t, dir)
	if !again {
		t.Fatal("the restarted demo was prepared anew")
	}
	r.waitDrained()
	st := r.rt.Status()
	if !st.Registered || !st.ShiftOpen || st.ShiftNumber != 1 {
		t.Fatalf("after the restart: %+v", st)
	}
	led, err := r.demo.Server.Ledger(demoSystemID)
	if err != nil {
		t.Fatal(err)
	}
	// Online sale, its partial return, the sale whose answer was lost, two offline sales.
	if len(led.Receipts) != 5 || len(led.Placements) != 1 {
		t.Fatalf("the OFD holds %d receipts and %d cash operations, want 5 and 1", len(led.Receipts), len(led.Placements))
	}
	lost := led.Exchange(uint32(lostToken), uint16(lostReqNum))
	if lost.Processed != 1 || lost.Replayed < 1 {
		t.Errorf("the sale whose answer was lost: %+v, want processed once and replayed", lost)
	}
	for _, ex := range led.Exchanges {
		if ex.Processed > 1 {
			t.Errorf("an exchange counted twice: %+v", ex)
		}
	}
	offline := 0
	for _, rc := range led.Receipts {
		if rc.OfflineNumber != 0 {
			offline++
		}
	}
	if offline != 2 {
		t.Errorf("%d offline receipts at the OFD, want 2", offline)
	}

	// A return of the first offline sale, issued before the kill.
	ret, err := r.rt.Returnable(r.ctx, offlineSeq)
	if err != nil {
		t.Fatal(err)
	}
	d, err := kkm.ComputeReturn(ret.State, ret.Parent, kkm.ReturnRequest{Quantities: []kkm.Quantity{kkm.QuantityOne}})
	if err != nil {
		t.Fatal(err)
	}
	back, err := r.rt.IssueReceipt(r.ctx, r.by, d)
	if err != nil {
		t.Fatal(err)
	}
	r.waitDrained()
	if back.Last().FiscalSign == "" {
		t.Fatalf("the return after the restart was not fiscalised: %+v", back.Last())
	}
	if _, err := r.rt.CloseShift(r.ctx, r.by); err != nil {
		t.Fatal(err)
	}
	r.waitDrained()
	if st := r.rt.Status(); st.Block != ui.BlockNone || st.ShiftOpen {
		t.Fatalf("after the Z: %+v", st)
	}
	led, _ = r.demo.Server.Ledger(demoSystemID)
	if led.LastZ == nil || led.LastZ.GetShiftNumber() != 1 || len(led.Receipts) != 6 {
		t.Fatalf("the OFD's last Z %v, %d receipts", led.LastZ, len(led.Receipts))
	}
}

// demoChild is the child's part: it sells into the demo in dir, says DEMO-READY with the seq of
// the first offline sale and the TOKEN/REQNUM of the sale whose answer was lost, and waits.
func demoChild(t *testing.T, dir string) {
	r, again := openDemoIn(t, dir)
	if again {
		t.Fatal("a fresh folder opened as a demo used before")
	}
	sale := func(price kkm.Money) ui.IssuedDocument {
		is, err := r.rt.IssueReceipt(r.ctx, r.by, kkm.ReceiptDraft{Operation: kkm.OpSale,
			Lines:    []kkm.LineDraft{{Name: "Нан", Quantity: 2 * kkm.QuantityOne, Unit: kkm.UnitPiece, Price: price}},
			Payments: []kkm.Payment{{Type: kkm.PayCash, Sum: 2 * price}}})
		if err != nil {
			t.Fatalf("sale: %v", err)
		}
		return is.Last()
	}
	online := sale(25000)
	r.waitDrained()
	ret, err := r.rt.Returnable(r.ctx, online.Seq)
	if err != nil {
		t.Fatal(err)
	}
	d, err := kkm.ComputeReturn(ret.State, ret.Parent, kkm.ReturnRequest{Quantities: []kkm.Quantity{kkm.QuantityOne}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.rt.IssueReceipt(r.ctx, r.by, d); err != nil {
		t.Fatal(err)
	}
	if _, err := r.rt.CashIn(r.ctx, r.by, 500000); err != nil {
		t.Fatal(err)
	}
	r.waitDrained()
	// The emulator processes (and writes) what comes next but its answers are lost.
	token, err := r.demo.Server.Token(demoSystemID)
	if err != nil {
		t.Fatal(err)
	}
	r.demo.Server.Inject(ofdsim.Fault{Kind: ofdsim.FaultDropAfter}, 1_000_000)
	sale(31000)
	deadline := time.Now().Add(10 * time.Second)
	var lostReqNum uint16
	for lostReqNum == 0 && time.Now().Before(deadline) {
		led, _ := r.demo.Server.Ledger(demoSystemID)
		for _, ex := range led.Exchanges {
			if ex.Token == token && ex.Processed == 1 {
				lostReqNum = ex.ReqNum
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	if lostReqNum == 0 {
		t.Fatal("the emulator never processed the sale whose answer is lost")
	}
	if err := r.rt.SetNetworkCut(true); err != nil {
		t.Fatal(err)
	}
	first := sale(12000)
	sale(13000)
	if !first.Document.Offline {
		t.Fatalf("the sale with the network cut is not offline: %+v", first.Document)
	}
	fmt.Println("DEMO-READY", first.Seq, token, lostReqNum)
	os.Stdout.Sync()
	select {} // killed here
}

// TestDemoFolder: the demo's folder is -data or the app storage's demo folder; a folder with a
// register's journal and no demo ledger is refused (a demo never sells into a real register's
// journal), and -demo-reset empties a demo's folder and nothing else.
func TestDemoFolder(t *testing.T) {
	root := t.TempDir()
	write := func(path string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write(filepath.Join(root, "real", JournalFile))
	write(filepath.Join(root, "used", JournalFile))
	write(filepath.Join(root, "used", DemoStateFile))
	write(filepath.Join(root, "storage", JournalFile)) // the real register's, in the app's storage
	write(filepath.Join(root, "asked", JournalFile))   // a demo whose settings asked to start over
	write(filepath.Join(root, "asked", DemoStateFile))
	if err := requestDemoReset(filepath.Join(root, "asked")); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, data string
		reset      bool
		want       string // "" for an error
		gone       bool   // the folder was emptied
	}{
		{"the app's storage", "", false, filepath.Join(root, "storage", DemoFolder), false},
		{"a new -data folder", filepath.Join(root, "new"), false, filepath.Join(root, "new"), false},
		{"a register's journal", filepath.Join(root, "real"), false, "", false},
		{"a register's journal, reset", filepath.Join(root, "real"), true, "", false},
		{"a demo used before", filepath.Join(root, "used"), false, filepath.Join(root, "used"), false},
		{"a demo used before, reset", filepath.Join(root, "used"), true, filepath.Join(root, "used"), true},
		{"a demo whose settings asked to start over", filepath.Join(root, "asked"), false, filepath.Join(root, "asked"), true},
	}
	for _, c := range cases {
		got, err := demoFolder(c.data, filepath.Join(root, "storage"), c.reset)
		if c.want == "" {
			if err == nil {
				t.Errorf("%s: %s accepted", c.name, got)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("%s: %q, %v; want %q", c.name, got, err, c.want)
		}
		if _, err := os.Stat(filepath.Join(got, JournalFile)); c.gone != os.IsNotExist(err) && c.data != "" && c.name != "a new -data folder" {
			t.Errorf("%s: journal there = %v, want emptied = %v", c.name, err == nil, c.gone)
		}
	}
	for _, p := range []string{filepath.Join(root, "real", JournalFile), filepath.Join(root, "storage", JournalFile)} {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("a register's journal was touched: %v", err)
		}
	}
	if _, err := parseFlags([]string{"-demo-reset"}); err == nil {
		t.Error("-demo-reset without -demo accepted")
	}
	if c, err := parseFlags([]string{"-demo", "-demo-reset"}); err != nil || !c.demoReset {
		t.Errorf("-demo -demo-reset: %+v, %v", c, err)
	}
}
