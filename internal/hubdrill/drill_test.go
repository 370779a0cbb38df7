package hubdrill

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/ekassa-go/ekassa/hub"
	"github.com/ekassa-go/ekassa/internal/pgtest"
)

// TestMain runs the test binary as a child of the drill when ChildEnv says so.
func TestMain(m *testing.M) {
	child := os.Getenv(ChildEnv)
	if child == "" {
		os.Exit(m.Run())
	}
	var a Args
	if err := json.Unmarshal([]byte(os.Getenv(ArgsEnv)), &a); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	ctx := context.Background()
	switch child {
	case "hub":
		err := RunHub(ctx, a)
		fmt.Fprintln(os.Stderr, "hub:", err)
		os.Exit(1)
	case "register":
		rep, err := RunRegister(ctx, a, os.Getenv(CredentialEnv), trusting(a.CA))
		if err != nil {
			fmt.Fprintln(os.Stderr, "register:", err)
			os.Exit(1)
		}
		json.NewEncoder(os.Stdout).Encode(rep)
		os.Exit(0)
	}
	os.Exit(2)
}

// trusting is an HTTPS client that trusts the certificate in the PEM file ca.
func trusting(ca string) *http.Client {
	pool := x509.NewCertPool()
	if pem, err := os.ReadFile(ca); err == nil {
		pool.AppendCertsFromPEM(pem)
	}
	return &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}}
}

func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}

// TestHubDrill: registers as processes push through the hub's faults, and the owner's figures
// equal the registers' own journals. Register 0 is held back (it pushes only at the end, days
// later); register 1's phone is lost after the first day and restored from the hub; register 2
// repeats its pushes whole; the hub process is killed (SIGKILL) during the second day's pushes
// and started again. EKASSA_HUB_DRILL_REGISTERS, _DAYS and _SELL make it bigger (make hub-drill).
func TestHubDrill(t *testing.T) {
	registers := max(envInt("EKASSA_HUB_DRILL_REGISTERS", 4), 3)
	days := max(envInt("EKASSA_HUB_DRILL_DAYS", 3), 2)
	sell := envInt("EKASSA_HUB_DRILL_SELL", 8)
	ctx := context.Background()
	c := pgtest.Start(t)
	store, err := hub.Open(ctx, c.DSN)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	org, _, err := store.CreateOrganization(ctx, "Drill")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	cert, key := filepath.Join(dir, "hub.crt"), filepath.Join(dir, "hub.key")
	if err := hub.WriteSelfSignedCert(cert, key, []string{"127.0.0.1"}); err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	listen := l.Addr().String()
	l.Close()

	type till struct {
		serial, credential, data string
		id                       int64
	}
	tills := make([]*till, registers)
	for i := range tills {
		serial := fmt.Sprintf("DRILL%03d", i)
		r, secret, err := store.AddRegister(ctx, org.ID, serial, "Till "+serial, fmt.Sprintf("Shop %d", i%2))
		if err != nil {
			t.Fatal(err)
		}
		tills[i] = &till{serial: serial, credential: secret, data: filepath.Join(dir, serial, "phone-1"), id: r.ID}
	}

	child := func(kind string, a Args, credential string) *exec.Cmd {
		b, _ := json.Marshal(a)
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), ChildEnv+"="+kind, ArgsEnv+"="+string(b), CredentialEnv+"="+credential)
		return cmd
	}
	var hubProc *exec.Cmd
	startHub := func() {
		hubProc = child("hub", Args{DSN: c.DSN, Listen: listen, Cert: cert, Key: key}, "")
		hubProc.Stderr = os.Stderr
		if err := hubProc.Start(); err != nil {
			t.Fatal(err)
		}
		for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
			if conn, err := net.Dial("tcp", listen); err == nil {
				conn.Close()
				return
			}
			if time.Now().After(deadline) {
				t.Fatal("the hub did not start")
			}
		}
	}
	killHub := func() {
		hubProc.Process.Kill()
		hubProc.Wait()
	}
	startHub()
	defer func() { killHub() }()

	run := func(tl *till, a Args) (Report, error) {
		a.Data, a.Hub, a.CA, a.Serial, a.Wait = tl.data, "https://"+listen, cert, tl.serial, 2*time.Minute
		cmd := child("register", a, tl.credential)
		var out, errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errb
		if err := cmd.Run(); err != nil {
			return Report{}, fmt.Errorf("%s: %v: %s", tl.serial, err, errb.String())
		}
		var rep Report
		err := json.Unmarshal(out.Bytes(), &rep)
		return rep, err
	}
	day0 := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	restored, killedDayPushes := int64(0), 0
	var mu sync.Mutex
	for d := 0; d < days; d++ {
		var wg sync.WaitGroup
		errs := make(chan error, registers)
		for i, tl := range tills {
			a := Args{Day: day0.AddDate(0, 0, d), Sell: sell, Push: i != 0, Duplicate: i == 2}
			if i == 1 && d == 1 {
				// Register 1's phone was lost after the first day: a new phone restores it.
				if err := os.RemoveAll(filepath.Dir(tl.data)); err != nil {
					t.Fatal(err)
				}
				tl.data = filepath.Join(dir, tl.serial, "phone-2")
				a.Restore = true
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				rep, err := run(tl, a)
				mu.Lock()
				if a.Restore {
					restored = rep.Restored
				}
				if d == 1 {
					killedDayPushes += rep.Pushes
				}
				mu.Unlock()
				errs <- err
			}()
		}
		if d == 1 {
			// The hub dies while the day's pushes run, and comes back a moment later.
			time.Sleep(300 * time.Millisecond)
			killHub()
			time.Sleep(time.Second)
			startHub()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	if restored == 0 {
		t.Fatal("register 1's new phone restored nothing")
	}
	// The end: every register pushes once more (register 0 for the first time, days late) and
	// reports its own journal.
	var total Report
	reports := make([]Report, registers)
	for i, tl := range tills {
		rep, err := run(tl, Args{Day: day0.AddDate(0, 0, days), Push: true})
		if err != nil {
			t.Fatal(err)
		}
		reports[i] = rep
		total.Receipts += rep.Receipts
		total.Revenue += rep.Revenue
		cur, err := store.Cursor(ctx, tl.id)
		if err != nil || cur.Seq != rep.Head {
			t.Fatalf("%s: the hub holds up to %d (%v), the journal %d", tl.serial, cur.Seq, err, rep.Head)
		}
	}
	from, to := day0.AddDate(0, 0, -1), day0.AddDate(0, 0, days+1)
	figs, err := store.Analytics(ctx, org.ID, from, to, hub.ByRegister)
	if err != nil {
		t.Fatal(err)
	}
	if len(figs) != registers {
		t.Fatalf("the owner sees %d registers, want %d", len(figs), registers)
	}
	for i, f := range figs {
		if r := reports[i]; f.Key != r.Serial || f.Receipts != r.Receipts || f.Revenue != r.Revenue {
			t.Errorf("the owner sees %s: %d receipts, %d tiyn; its journal holds %d, %d", f.Key, f.Receipts, f.Revenue, r.Receipts, r.Revenue)
		}
	}
	shops, err := store.Analytics(ctx, org.ID, from, to, hub.ByShop)
	if err != nil {
		t.Fatal(err)
	}
	var owner Report
	for _, f := range shops {
		owner.Receipts += f.Receipts
		owner.Revenue += f.Revenue
	}
	if owner.Receipts != total.Receipts || owner.Revenue != total.Revenue || total.Receipts != int64(registers*days*sell) {
		t.Fatalf("the owner's shops: %d receipts, %d tiyn; the journals: %d, %d (issued %d)", owner.Receipts, owner.Revenue,
			total.Receipts, total.Revenue, registers*days*sell)
	}
	// By the hour of the day over the whole months around the drill: read from the rollup by month
	// and hour of the day, it sums to the journals' own too.
	kz := time.FixedZone("UTC+5", 5*3600)
	first := day0.AddDate(0, 0, -1).In(kz)
	last := day0.AddDate(0, 0, days+1).In(kz)
	monthFrom := time.Date(first.Year(), first.Month(), 1, 0, 0, 0, 0, kz)
	monthTo := time.Date(last.Year(), last.Month(), 1, 0, 0, 0, 0, kz).AddDate(0, 1, 0)
	hours, err := store.Analytics(ctx, org.ID, monthFrom, monthTo, hub.ByHour)
	if err != nil {
		t.Fatal(err)
	}
	var byHour Report
	for _, f := range hours {
		byHour.Receipts += f.Receipts
		byHour.Revenue += f.Revenue
	}
	if byHour.Receipts != total.Receipts || byHour.Revenue != total.Revenue {
		t.Fatalf("the owner's hours of the day: %d receipts, %d tiyn; the journals: %d, %d", byHour.Receipts, byHour.Revenue,
			total.Receipts, total.Revenue)
	}
	t.Logf("%d registers × %d days × %d receipts: the owner's figures equal the journals (%d receipts, %d tiyn); "+
		"the hub killed once (%d push attempts that day by %d pushing registers), register 1 restored with %d documents",
		registers, days, sell, total.Receipts, total.Revenue, killedDayPushes, registers-1, restored)
}
