package crashdrill

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"github.com/ekassa-go/ekassa/delivery"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ekassa-go/ekassa/app"
	"github.com/ekassa-go/ekassa/kkm"
	"github.com/ekassa-go/ekassa/ofdclient"
	"github.com/ekassa-go/ekassa/ofdclient/ofdsim"
	"github.com/ekassa-go/ekassa/ofdclient/pb"
	"github.com/ekassa-go/ekassa/storage"
	"github.com/ekassa-go/ekassa/ui"
)

// The environment of the drill.
const (
	// killsEnv sets how many times the child is killed (make crash: 1 000; go test: 40, 15 with
	// -short).
	killsEnv = "EKASSA_CRASH_KILLS"
	// childEnv names the journal file when the test binary runs as the child.
	childEnv = "EKASSA_CRASHDRILL_CHILD"
	// seedEnv seeds the child's choice of documents.
	seedEnv = "EKASSA_CRASHDRILL_SEED"
	// cashierCode is the drill cashier's quick-access code.
	cashierCode = "2580"
)

// senderConfig is the sender's tuning in the drill: the pauses cut to milliseconds, so a child
// that starts on a queue left by its killed predecessor catches up within its short life.
func senderConfig() delivery.Config {
	return delivery.Config{
		TransactionTime: 300 * time.Millisecond,
		RetryDelay:      10 * time.Millisecond,
		OfflineRetry:    20 * time.Millisecond,
		MaxOfflineRetry: 50 * time.Millisecond,
		Jitter:          func(d time.Duration) time.Duration { return d },
	}
}

func runtimeOptions() app.Options {
	return app.Options{
		FiscalWait: 300 * time.Millisecond,
		Exchanger:  &ofdclient.Transport{Timeout: 2 * time.Second},
		Sender:     senderConfig(),
	}
}

// done is one document a child reported issued: the issue call had returned.
type done struct {
	seq   int64
	kind  kkm.DocumentKind
	total kkm.Money
	at    int64 // Unix milliseconds of the document's time
	child int
	draft string // a sale's draft tag (draftTag), "" for other documents
}

// figures are the drill's results.
type figures struct {
	kills, starts, readyKills, earlyKills int
	done, refused                         int
	documents, fiscal                     int
	receipts, placements, zReports        int
	duplicates, lost                      int
	drafts                                int
	replays                               int
	refusals                              map[string]int
}

func (f figures) String() string {
	return fmt.Sprintf("crash drill: kills=%d documents=%d done=%d fiscal=%d (receipts=%d placements=%d z=%d) drafts=%d duplicates=%d lost=%d replays=%d refused=%d",
		f.kills, f.documents, f.done, f.fiscal, f.receipts, f.placements, f.zReports, f.drafts, f.duplicates, f.lost, f.replays, f.refused)
}

// TestCrashDrill kills a child process issuing documents at random instants, restarting it on
// the same journal each time, and then checks the journal against the emulator's ledger (see
// the package comment).
func TestCrashDrill(t *testing.T) {
	if path := os.Getenv(childEnv); path != "" {
		child(path)
		return
	}
	// make crash runs 1 000 (CRASH_KILLS); plain go test (make test) a quick 40.
	kills := 40
	if testing.Short() {
		kills = 15
	}
	if s := os.Getenv(killsEnv); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			t.Fatalf("%s=%q: want a positive number", killsEnv, s)
		}
		kills = n
	}
	ctx := context.Background()
	demo, err := app.StartDemo(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer demo.Server.Close()
	path := filepath.Join(t.TempDir(), app.JournalFile)
	prepare(t, path, demo)

	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv(seedEnv); s != "" {
		seed, _ = strconv.ParseUint(s, 10, 64)
	}
	t.Logf("seed %d (set %s to repeat the child's choices; the kill instants vary anyway)", seed, seedEnv)
	rng := rand.New(rand.NewPCG(seed, 1))
	fig := figures{kills: kills, refusals: map[string]int{}}
	var reported []done
	start := time.Now()
	for k := 0; k < kills; k++ {
		got, refusals, err := runAndKill(t, path, k, seed+uint64(k), rng, &fig)
		if err != nil {
			t.Fatalf("child %d: %v", k, err)
		}
		reported = append(reported, got...)
		for id, n := range refusals {
			fig.refusals[id] += n
			fig.refused += n
		}
	}
	fig.done = len(reported)
	t.Logf("%d kills in %v (%d after the child was ready, %d during its start)", kills, time.Since(start).Round(time.Millisecond), fig.readyKills, fig.earlyKills)
	if fig.done < kills {
		t.Errorf("only %d documents reported in %d runs: the drill did not exercise issuing", fig.done, kills)
	}

	check(t, path, demo.Server, reported, &fig)
	keys := make([]string, 0, len(fig.refusals))
	for id := range fig.refusals {
		keys = append(keys, id)
	}
	slices.Sort(keys)
	for _, id := range keys {
		t.Logf("refused by the register (expected in a random walk): %s × %d", id, fig.refusals[id])
	}
	t.Log(fig.String())
	fmt.Println(fig.String())
}

// prepare makes the journal the children share: the drill cashier and the register connected
// to the emulator.
func prepare(t *testing.T, path string, demo *app.Demo) {
	t.Helper()
	ctx := context.Background()
	j, err := storage.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	rt, err := app.NewRuntime(ctx, j, runtimeOptions())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rt.CreateCashier(ctx, ui.NewCashier{Name: "Сәуле Қасымова", Code: cashierCode}); err != nil {
		t.Fatal(err)
	}
	if _, err := rt.Connect(ctx, demo.Connect); err != nil {
		t.Fatal(err)
	}
	if err := rt.Close(); err != nil {
		t.Fatal(err)
	}
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
}

// runAndKill starts one child and kills it with SIGKILL at a random instant: mostly a while
// after it is ready (issuing), sometimes during its start (opening the journal, the sender
// catching up). It returns the documents the child reported done.
func runAndKill(t *testing.T, path string, k int, seed uint64, rng *rand.Rand, fig *figures) ([]done, map[string]int, error) {
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashDrill$", "-test.count=1")
	cmd.Env = append(os.Environ(), childEnv+"="+path, seedEnv+"="+strconv.FormatUint(seed, 10))
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, nil, err
	}
	// The child exits when its stdin closes: a parent that dies takes its child with it.
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, nil, err
	}
	defer stdin.Close()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		return nil, nil, err
	}
	fig.starts++

	ready := make(chan struct{})
	var (
		mu       sync.Mutex
		got      []done
		refusals = map[string]int{}
		bad      error
	)
	readDone := make(chan struct{})
	go func() {
		defer close(readDone)
		sc := bufio.NewScanner(stdout)
		once := sync.Once{}
		for sc.Scan() {
			line := sc.Text()
			f := strings.Fields(line)
			mu.Lock()
			switch {
			case line == "ready":
				once.Do(func() { close(ready) })
			case (len(f) == 5 || len(f) == 6) && f[0] == "done":
				seq, e1 := strconv.ParseInt(f[1], 10, 64)
				total, e2 := strconv.ParseInt(f[3], 10, 64)
				at, e3 := strconv.ParseInt(f[4], 10, 64)
				if err := errors.Join(e1, e2, e3); err != nil {
					bad = fmt.Errorf("bad line %q: %v", line, err)
				}
				d := done{seq: seq, kind: kkm.DocumentKind(f[2]), total: kkm.Money(total), at: at, child: k}
				if len(f) == 6 {
					d.draft = f[5]
				}
				got = append(got, d)
			case len(f) == 2 && f[0] == "refused":
				refusals[f[1]]++
			case len(f) >= 1 && f[0] == "fatal":
				bad = errors.New(line)
			}
			mu.Unlock()
		}
	}()

	var wait time.Duration
	if rng.IntN(5) == 0 {
		// During the start: opening and migrating, the sender's first look at the queue, the
		// slow hash of the quick-access code.
		fig.earlyKills++
		wait = time.Duration(rng.IntN(80)) * time.Millisecond
		time.Sleep(wait)
	} else {
		fig.readyKills++
		select {
		case <-ready:
		case <-readDone:
		case <-time.After(20 * time.Second):
		}
		time.Sleep(time.Duration(rng.IntN(150)) * time.Millisecond)
	}
	killErr := cmd.Process.Kill() // SIGKILL: no deferred code, no rollback, no checkpoint
	<-readDone
	werr := cmd.Wait()
	mu.Lock()
	defer mu.Unlock()
	if bad != nil {
		return got, refusals, fmt.Errorf("%v\nstderr:\n%s", bad, stderr.String())
	}
	if killErr != nil && !errors.Is(killErr, os.ErrProcessDone) {
		return got, refusals, killErr
	}
	// A child that ended on its own (not by the kill) failed.
	if werr == nil || !strings.Contains(werr.Error(), "killed") {
		return got, refusals, fmt.Errorf("the child ended before the kill: %v\nstderr:\n%s", werr, stderr.String())
	}
	return got, refusals, nil
}

// child is the process that gets killed: it opens the journal and a Runtime and issues
// documents until it is killed, saying "done ..." after each issue call returned.
func child(path string) {
	// Exit when the parent's end of stdin closes, and in any case after a minute.
	go func() {
		buf := make([]byte, 1)
		os.Stdin.Read(buf)
		os.Exit(4)
	}()
	time.AfterFunc(time.Minute, func() { os.Exit(5) })
	fatal := func(what string, err error) {
		fmt.Printf("fatal %s: %v\n", what, err)
		os.Exit(2)
	}
	seed, _ := strconv.ParseUint(os.Getenv(seedEnv), 10, 64)
	rng := rand.New(rand.NewPCG(seed, 2))
	ctx := context.Background()
	j, err := storage.Open(ctx, path)
	if err != nil {
		fatal("open", err)
	}
	rt, err := app.NewRuntime(ctx, j, runtimeOptions())
	if err != nil {
		fatal("runtime", err)
	}
	c, err := rt.CheckCode(ctx, cashierCode)
	if err != nil {
		fatal("code", err)
	}
	by := c.Operator()
	fmt.Println("ready")
	for n := 0; ; n++ {
		draft := fmt.Sprintf("%d-%d", seed, n) // unique over the drill: each child has its own seed
		is, err := issueOne(ctx, rt, by, rng, draft)
		if err != nil {
			id := "unknown"
			var tr interface{ MessageID() string }
			if errors.As(err, &tr) {
				id = tr.MessageID()
			}
			if id == "unknown" || strings.HasPrefix(id, "err.journal") {
				fatal("issue", err)
			}
			fmt.Printf("refused %s\n", id)
			if strings.HasPrefix(id, "err.ofd") {
				// A block: the drill fails on it at the end; do not spin.
				time.Sleep(50 * time.Millisecond)
			}
			continue
		}
		for _, d := range is {
			tag := ""
			if t, ok := draftOf(d.Document); ok {
				tag = " " + t
			}
			fmt.Printf("done %d %s %d %d%s\n", d.Seq, d.Document.Kind, d.Document.Total(), d.Document.Time.UnixMilli(), tag)
		}
	}
}

// draftPrefix begins the name of a drill sale's first line; the draft's tag follows it, so the
// journal tells which draft each sale came from, and a draft committed twice shows.
const draftPrefix = "Тауар drill-"

// draftOf returns the draft tag of a drill sale (a return of it repeats its lines, tag too, and
// is not the draft).
func draftOf(d kkm.Document) (string, bool) {
	if d.Kind != kkm.KindReceipt || d.Receipt == nil || d.Receipt.Operation != kkm.OpSale || len(d.Receipt.Lines) == 0 {
		return "", false
	}
	return strings.CutPrefix(d.Receipt.Lines[0].Name, draftPrefix)
}

// issueOne issues one random document: mostly sales (cash with change, card, mixed; each an
// extended-mode receipt whose first line is named after draft), returns of recent receipts, cash
// in and out, X reports, and a Z now and then.
func issueOne(ctx context.Context, rt *app.Runtime, by kkm.Operator, rng *rand.Rand, draft string) (ui.Issued, error) {
	switch k := rng.IntN(100); {
	case k < 3:
		return rt.CloseShift(ctx, by)
	case k < 5:
		return rt.XReport(ctx, by)
	case k < 12:
		return rt.CashIn(ctx, by, kkm.Money(100*(1+rng.IntN(50000))))
	case k < 17:
		drawer := rt.Status().CashInDrawer
		if drawer < 200 {
			return rt.CashIn(ctx, by, 100000)
		}
		return rt.CashOut(ctx, by, kkm.Money(1+rng.Int64N(int64(drawer)/2)))
	case k < 30:
		if is, err, ok := returnOne(ctx, rt, by, rng); ok {
			return is, err
		}
	}
	n := 1 + rng.IntN(4)
	amounts := make([]kkm.Money, n)
	var total kkm.Money
	for i := range amounts {
		amounts[i] = kkm.Money(50 * (1 + rng.IntN(4000)))
		total += amounts[i]
	}
	var pay []kkm.Payment
	switch rng.IntN(3) {
	case 0:
		// Cash, rounded up to 100 tenge: change.
		pay = []kkm.Payment{{Type: kkm.PayCash, Sum: (total/10000 + 1) * 10000}}
	case 1:
		pay = []kkm.Payment{{Type: kkm.PayCard, Sum: total}}
	default:
		card := total / 2
		pay = []kkm.Payment{{Type: kkm.PayCash, Sum: total - card}, {Type: kkm.PayCard, Sum: card}}
	}
	if rng.IntN(4) == 0 {
		// Simple mode, as «Простой режим ККМ» sells: no names, so no draft tag.
		return rt.IssueReceipt(ctx, by, kkm.SimpleDraft(kkm.OpSale, amounts, pay))
	}
	d := kkm.ReceiptDraft{Operation: kkm.OpSale, Payments: pay}
	for i, a := range amounts {
		name := fmt.Sprintf("Тауар %d", i+1)
		if i == 0 {
			name = draftPrefix + draft
		}
		d.Lines = append(d.Lines, kkm.LineDraft{Name: name, Quantity: kkm.QuantityOne, Unit: "796", Price: a})
	}
	return rt.IssueReceipt(ctx, by, d)
}

// returnOne returns part of a recent sale, by card or cash; ok is false when no sale can be
// returned now.
func returnOne(ctx context.Context, rt *app.Runtime, by kkm.Operator, rng *rand.Rand) (ui.Issued, error, bool) {
	recent, err := rt.RecentReceipts(ctx, 20)
	if err != nil || len(recent) == 0 {
		return nil, err, err != nil
	}
	orig := recent[rng.IntN(len(recent))]
	ret, err := rt.Returnable(ctx, orig.Seq)
	if err != nil || ret.Left <= 0 {
		return nil, nil, false
	}
	if !ret.State.Original.Simple {
		// An extended-mode sale (the drill's tagged ones): some units of one of its lines, as the
		// return screen builds it (kkm.ComputeReturn), refunded by card or, when the drawer has
		// it, in cash.
		var open []int
		for i, l := range ret.Lines {
			if l.Left > 0 {
				open = append(open, i)
			}
		}
		if len(open) == 0 {
			return nil, nil, false
		}
		req := kkm.ReturnRequest{Quantities: make([]kkm.Quantity, len(ret.Lines))}
		i := open[rng.IntN(len(open))]
		req.Quantities[i] = ret.Lines[i].Left
		pt := kkm.PayCard
		if rng.IntN(2) == 0 {
			pt = kkm.PayCash
		}
		req.RefundAs = &pt
		d, err := kkm.ComputeReturn(ret.State, ret.Parent, req)
		if err != nil {
			return nil, nil, false
		}
		if pt == kkm.PayCash {
			var sum kkm.Money
			for _, p := range d.Payments {
				sum += p.Sum
			}
			if sum > rt.Status().CashInDrawer {
				card := kkm.PayCard
				req.RefundAs = &card
				if d, err = kkm.ComputeReturn(ret.State, ret.Parent, req); err != nil {
					return nil, nil, false
				}
			}
		}
		is, err := rt.IssueReceipt(ctx, by, d)
		return is, err, true
	}
	amount := kkm.Money(1 + rng.Int64N(int64(ret.Left)))
	if rng.IntN(3) == 0 {
		amount = ret.Left
	}
	pt := kkm.PayCard
	if rng.IntN(2) == 0 && amount <= rt.Status().CashInDrawer {
		pt = kkm.PayCash
	}
	d := kkm.SimpleDraft(kkm.OpSaleReturn, []kkm.Money{amount}, []kkm.Payment{{Type: pt, Sum: amount}})
	d.Parent = &ret.Parent
	is, err := rt.IssueReceipt(ctx, by, d)
	return is, err, true
}

// check drains the outbox with a fresh Runtime and checks the journal and the ledger.
func check(t *testing.T, path string, sim *ofdsim.Server, reported []done, fig *figures) {
	t.Helper()
	ctx := context.Background()
	j, err := storage.Open(ctx, path)
	if err != nil {
		t.Fatalf("open after the last kill: %v", err)
	}
	defer j.Close()
	// The chain first, before anything writes: what the kills left.
	res, err := j.Verify(ctx, 1)
	if err != nil {
		t.Fatalf("hash chain after %d kills: %v", fig.kills, err)
	}
	t.Logf("hash chain holds: %d documents checked", res.Checked)

	rt, err := app.NewRuntime(ctx, j, runtimeOptions())
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		st := rt.Status()
		if st.Waiting == 0 && st.Online {
			break
		}
		if st.Block != ui.BlockNone || time.Now().After(deadline) {
			rt.Close()
			t.Fatalf("the outbox does not drain: %+v", st)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := rt.Close(); err != nil {
		t.Fatal(err)
	}
	if res, err = j.Verify(ctx, 1); err != nil {
		t.Fatalf("hash chain after draining: %v", err)
	}
	stats, err := j.OutboxStats(ctx)
	if err != nil || stats.Waiting != 0 {
		t.Fatalf("outbox after draining: %+v, %v", stats, err)
	}

	// Every document of the journal, in order.
	var docs []storage.Entry
	for seq := int64(1); seq <= res.Last; seq++ {
		e, err := j.Document(ctx, seq)
		if err != nil {
			t.Fatalf("document %d: %v", seq, err)
		}
		docs = append(docs, e)
	}
	fig.documents = len(docs)

	// Nothing a child reported done is lost or changed.
	for _, d := range reported {
		if d.seq < 1 || d.seq > int64(len(docs)) {
			fig.lost++
			t.Errorf("child %d reported document %d done; the journal ends at %d", d.child, d.seq, len(docs))
			continue
		}
		e := docs[d.seq-1].Document
		if e.Kind != d.kind || e.Total() != d.total || e.Time.UnixMilli() != d.at {
			fig.lost++
			t.Errorf("child %d reported document %d as %s %d at %d; the journal holds %s %d at %d",
				d.child, d.seq, d.kind, d.total, d.at, e.Kind, e.Total(), e.Time.UnixMilli())
		}
	}

	// No draft twice: each sale's draft tag is in the journal at most once, and a sale reported
	// done carries the tag of the draft that was issued.
	drafts := map[string]int64{}
	for _, e := range docs {
		tag, ok := draftOf(e.Document)
		if !ok {
			continue
		}
		if first, twice := drafts[tag]; twice {
			fig.duplicates++
			t.Errorf("draft %s is in the journal twice: documents %d and %d", tag, first, e.Seq)
			continue
		}
		drafts[tag] = e.Seq
		fig.drafts++
	}
	for _, d := range reported {
		if d.draft != "" && drafts[d.draft] != d.seq {
			fig.lost++
			t.Errorf("child %d reported draft %s done as document %d; the journal holds it at %d", d.child, d.draft, d.seq, drafts[d.draft])
		}
	}

	// Each fiscal document exactly once in the ledger.
	led, err := sim.Ledger(ledgerID(t, j))
	if err != nil {
		t.Fatal(err)
	}
	compareLedger(t, j, docs, led)
	signs := map[string]int{}
	for _, r := range led.Receipts {
		signs[r.FiscalSign]++
	}
	for s, n := range signs {
		if n > 1 {
			fig.duplicates += n - 1
			t.Errorf("the OFD holds fiscal sign %s %d times", s, n)
		}
	}
	var placements, zs int
	var cashOut kkm.Money
	for _, e := range docs {
		d := e.Document
		if d.Kind == kkm.KindXReport {
			continue
		}
		fig.fiscal++
		r, err := j.FiscalResult(ctx, e.Seq)
		if err != nil {
			fig.lost++
			t.Errorf("document %d (%s) has no answer from the OFD: %v", e.Seq, d.Kind, err)
			continue
		}
		switch d.Kind {
		case kkm.KindReceipt:
			fig.receipts++
			if signs[r.Sign] == 0 {
				fig.lost++
				t.Errorf("receipt %d's fiscal sign %q is not in the OFD's ledger", e.Seq, r.Sign)
			}
			delete(signs, r.Sign)
		case kkm.KindCashIn, kkm.KindCashOut:
			placements++
			if d.Kind == kkm.KindCashOut {
				cashOut += d.Cash
			}
		case kkm.KindZReport:
			zs++
		}
	}
	fig.placements, fig.zReports = placements, zs
	for s := range signs {
		fig.duplicates++
		t.Errorf("the OFD holds receipt %s which the journal does not", s)
	}
	if len(led.Placements) != placements {
		diff := len(led.Placements) - placements
		if diff > 0 {
			fig.duplicates += diff
		} else {
			fig.lost -= diff
		}
		t.Errorf("the OFD holds %d cash placements, the journal %d", len(led.Placements), placements)
	}
	closed := 0
	for _, s := range led.Shifts {
		if !s.Open {
			closed++
		}
	}
	if closed != zs {
		t.Errorf("the OFD closed %d shifts, the journal holds %d Z reports", closed, zs)
	}
	processed := 0
	for _, ex := range led.Exchanges {
		processed += ex.Processed
		fig.replays += ex.Replayed
		if ex.Processed > 1 {
			fig.duplicates += ex.Processed - 1
			t.Errorf("TOKEN %d REQNUM %d processed %d times", ex.Token, ex.ReqNum, ex.Processed)
		}
	}
	if processed != fig.fiscal {
		t.Errorf("the OFD processed %d documents, the journal holds %d fiscal ones", processed, fig.fiscal)
	}

	// The counters kept equal a recount, and agree with the OFD.
	st, err := j.State(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range recount(docs, st) {
		t.Error(m)
	}
	if kkm.Money(led.Cash) != st.CashInDrawer {
		t.Errorf("the OFD's drawer holds %d, the register's %d", led.Cash, st.CashInDrawer)
	}
	if led.ShiftNumber != st.ShiftNumber {
		t.Errorf("the OFD's shift is %d, the register's %d", led.ShiftNumber, st.ShiftNumber)
	}
	link, err := j.LinkState(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if link.Token != led.Token || link.BlockedCode != 0 || !link.OfflineSince.IsZero() {
		t.Errorf("link %+v; the OFD expects token %d", link, led.Token)
	}
	if fig.duplicates != 0 || fig.lost != 0 {
		t.Errorf("duplicates %d, lost %d", fig.duplicates, fig.lost)
	}
}

// compareLedger compares what the journal holds with what the OFD counted, amount by amount:
// each receipt (by its fiscal sign) has the journal's operation, total, shift and offline number;
// the totals per operation agree; the cash placements, in order, have the journal's operation,
// sum, shift and offline flag; and the OFD closed the shifts the journal's Z reports close.
func compareLedger(t *testing.T, j *storage.Journal, docs []storage.Entry, led ofdsim.LedgerView) {
	t.Helper()
	ctx := context.Background()
	bySign := map[string]ofdsim.Receipt{}
	var ledgerTotals [4]int64
	for _, r := range led.Receipts {
		bySign[r.FiscalSign] = r
		ledgerTotals[r.Operation] += r.Total
	}
	var journalTotals [4]int64
	var placements []kkm.Document
	var zShifts []uint32
	for _, e := range docs {
		d := e.Document
		switch d.Kind {
		case kkm.KindReceipt:
			journalTotals[d.Receipt.Operation] += int64(d.Receipt.Total)
			f, err := j.FiscalResult(ctx, e.Seq)
			if err != nil {
				continue // reported by the caller
			}
			r, ok := bySign[f.Sign]
			if !ok {
				continue // reported by the caller
			}
			if int(r.Operation) != int(d.Receipt.Operation) || r.Total != int64(d.Receipt.Total) ||
				r.ShiftNumber != d.ShiftNumber || (d.Offline && r.OfflineNumber != d.OfflineNumber) {
				t.Errorf("receipt %d: the journal holds op %d total %d shift %d offline %d; the OFD op %d total %d shift %d offline %d",
					e.Seq, d.Receipt.Operation, d.Receipt.Total, d.ShiftNumber, d.OfflineNumber,
					r.Operation, r.Total, r.ShiftNumber, r.OfflineNumber)
			}
		case kkm.KindCashIn, kkm.KindCashOut:
			placements = append(placements, d)
		case kkm.KindZReport:
			zShifts = append(zShifts, d.ShiftNumber)
		}
	}
	if journalTotals != ledgerTotals {
		t.Errorf("totals per operation: the journal %v, the OFD %v", journalTotals, ledgerTotals)
	}
	for i, d := range placements {
		if i >= len(led.Placements) {
			break // the count is compared by the caller
		}
		p := led.Placements[i]
		op := pb.MoneyPlacementEnum_MONEY_PLACEMENT_DEPOSIT
		if d.Kind == kkm.KindCashOut {
			op = pb.MoneyPlacementEnum_MONEY_PLACEMENT_WITHDRAWAL
		}
		if p.Operation != op || p.Sum != int64(d.Cash) || p.ShiftNumber != d.ShiftNumber || p.Offline != d.Offline {
			t.Errorf("cash placement %d: the journal holds %s %d shift %d offline %v; the OFD %v %d shift %d offline %v",
				i+1, d.Kind, d.Cash, d.ShiftNumber, d.Offline, p.Operation, p.Sum, p.ShiftNumber, p.Offline)
		}
	}
	var closed []uint32
	for _, s := range led.Shifts {
		if !s.Open {
			closed = append(closed, s.Number)
		}
	}
	if !slices.Equal(closed, zShifts) {
		t.Errorf("the OFD closed shifts %v, the journal's Z reports close %v", closed, zShifts)
	}
}

// ledgerID is the register's system ID from the journal's settings.
func ledgerID(t *testing.T, j *storage.Journal) uint32 {
	t.Helper()
	s, ok, err := j.Settings(context.Background())
	if err != nil || !ok {
		t.Fatalf("settings: %v (saved: %v)", err, ok)
	}
	return s.SystemID
}

// recount recomputes, from the documents alone, what the register's state keeps: the shift
// and numbering, the drawer, the non-nullable sums, and the open (or last) shift's receipt and
// placement counters. It returns what differs.
func recount(docs []storage.Entry, st kkm.State) []string {
	var (
		shift, number, offline uint32
		open                   bool
		drawer                 kkm.Money
		nonNull                [4]kkm.Money
		receipts               [4]uint32
		offlineReceipts        [4]uint32
		payments               [4]map[kkm.PaymentType]kkm.Money
		sums                   [4]kkm.Money
		placeCount             [2]uint32
		placeSum               [2]kkm.Money
		totalReceipts          [4]uint32
		totalPlacements        [2]uint32
		last                   time.Time
	)
	for _, e := range docs {
		d := e.Document
		if d.Kind == kkm.KindXReport {
			continue
		}
		if !open {
			open = true
			receipts, offlineReceipts = [4]uint32{}, [4]uint32{}
			for i := range payments {
				payments[i] = map[kkm.PaymentType]kkm.Money{}
			}
			sums = [4]kkm.Money{}
			placeCount, placeSum = [2]uint32{}, [2]kkm.Money{}
		}
		shift, number, last = d.ShiftNumber, d.Number, d.Time
		if d.Offline {
			offline = max(offline, d.OfflineNumber)
		}
		switch d.Kind {
		case kkm.KindReceipt:
			r := d.Receipt
			op := r.Operation
			receipts[op]++
			if d.Offline {
				offlineReceipts[op]++
			}
			for _, p := range r.Payments {
				payments[op][p.Type] += p.Sum
			}
			totalReceipts[op]++
			sums[op] += r.Total
			nonNull[op] += r.Total
			cash := r.Taken - r.Change
			if op.PaysOut() {
				cash = -cash
			}
			drawer += cash
		case kkm.KindCashIn:
			placeCount[kkm.PlacementCashIn]++
			totalPlacements[kkm.PlacementCashIn]++
			placeSum[kkm.PlacementCashIn] += d.Cash
			drawer += d.Cash
		case kkm.KindCashOut:
			placeCount[kkm.PlacementCashOut]++
			totalPlacements[kkm.PlacementCashOut]++
			placeSum[kkm.PlacementCashOut] += d.Cash
			drawer -= d.Cash
		case kkm.KindZReport:
			open = false
		}
	}
	var diffs []string
	differ := func(what string, kept, counted any) {
		if fmt.Sprint(kept) != fmt.Sprint(counted) {
			diffs = append(diffs, fmt.Sprintf("%s: kept %v, recounted %v", what, kept, counted))
		}
	}
	differ("shift number", st.ShiftNumber, shift)
	differ("shift open", st.ShiftOpen, open)
	differ("document number", st.DocumentNumber, number)
	differ("last offline number", st.LastOfflineNumber, offline)
	differ("last document time", st.LastDocumentTime.UnixMilli(), last.UnixMilli())
	differ("cash in drawer", st.CashInDrawer, drawer)
	differ("non-nullable sums", st.NonNullable, nonNull)
	c := st.Counters
	for op := range 4 {
		differ(fmt.Sprintf("receipts[%d] count", op), c.Receipts[op].Count, receipts[op])
		differ(fmt.Sprintf("receipts[%d] offline", op), c.Receipts[op].OfflineCount, offlineReceipts[op])
		for _, p := range c.Receipts[op].Payments {
			differ(fmt.Sprintf("receipts[%d] payments %d", op, p.Type), p.Sum, payments[op][p.Type])
		}
		differ(fmt.Sprintf("receipts[%d] since registration", op), c.Receipts[op].TotalCount, totalReceipts[op])
		differ(fmt.Sprintf("receipts[%d] sum", op), c.Receipts[op].Sum, sums[op])
		differ(fmt.Sprintf("total result[%d]", op), c.TotalResult[op].Sum, sums[op])
	}
	for i := range 2 {
		differ(fmt.Sprintf("placements[%d] count", i), c.Placements[i].Count, placeCount[i])
		differ(fmt.Sprintf("placements[%d] since registration", i), c.Placements[i].TotalCount, totalPlacements[i])
		differ(fmt.Sprintf("placements[%d] sum", i), c.Placements[i].Sum, placeSum[i])
	}
	return diffs
}
