package ofdsim

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"google.golang.org/protobuf/encoding/prototext"

	"github.com/ekassa-go/ekassa/ofdclient"
	"github.com/ekassa-go/ekassa/ofdclient/pb"
)

// startStateful starts an emulator keeping its ledgers in path, with the test register and the
// given seed (which a state file that exists already replaces with its own).
func startStateful(t *testing.T, path string, clock *testClock, seed uint64) *Server {
	t.Helper()
	s, err := New(Options{Clock: clock.now, Seed: seed, IOTimeout: 5 * time.Second, StateFile: path},
		testRegister(testID, testToken, testRNM))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	if err := s.Start(ctx, "127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		s.Close()
	})
	return s
}

// ledgerText is a ledger view as text: its protobuf messages printed (reflect.DeepEqual does not
// compare them reliably: they carry internal state), the rest compared as values.
func ledgerText(t *testing.T, v LedgerView) string {
	t.Helper()
	var b bytes.Buffer
	pt := prototext.MarshalOptions{}
	b.WriteString(pt.Format(v.X) + "\n" + pt.Format(v.LastZ) + "\n")
	for i := range v.Receipts {
		b.WriteString(pt.Format(v.Receipts[i].Request) + "\n")
		v.Receipts[i].Request = nil
	}
	for i := range v.Shifts {
		b.WriteString(pt.Format(v.Shifts[i].Z) + "\n")
		v.Shifts[i].Z = nil
	}
	v.X, v.LastZ = nil, nil
	return b.String() + "\n" + fmt.Sprintf("%+v", v)
}

// TestStateFileRoundTrip: a table of ledgers, each built by requests to an emulator with a state
// file, then loaded from a copy of that file by a new emulator (with another seed, which the
// file's replaces): the ledgers are equal, every field, and both emulators answer the register's
// next requests byte for byte alike (the same token, fiscal sign and counters: the random source
// continues where it was).
func TestStateFileRoundTrip(t *testing.T) {
	ledgers := []struct {
		name  string
		build func(t *testing.T, r *reg, s *Server)
	}{
		{"new register", func(t *testing.T, r *reg, s *Server) {}},
		{"one sale", func(t *testing.T, r *reg, s *Server) { r.do(cashSale()) }},
		{"a day: sales, a return, cash in and out, refusals", func(t *testing.T, r *reg, s *Server) {
			shiftDay(t, r)
			r.do(moneyPlacement(pb.MoneyPlacementEnum_MONEY_PLACEMENT_DEPOSIT, 0)) // refused: 13
			r.reqNum--                                                             // retried with the same REQNUM after the refusal
			r.do(moneyPlacement(pb.MoneyPlacementEnum_MONEY_PLACEMENT_DEPOSIT, 100))
		}},
		{"a closed shift and a sale in the next", func(t *testing.T, r *reg, s *Server) {
			z := shiftDay(t, r)
			if resp := r.do(closeShift(z)); code(resp) != 0 {
				t.Fatalf("Z: code %d %q", code(resp), resp.GetResult().GetResultText())
			}
			sale := r.do(cashSale())
			// a return of the last shift's receipt is checked against its receipt after the load
			_ = sale
		}},
		{"a retry replayed", func(t *testing.T, r *reg, s *Server) {
			before := r.token
			r.do(cashSale())
			_, resp, _ := send(t, r.addr, r.id, before, r.reqNum, cashSale())
			if code(resp) != 0 {
				t.Fatalf("retry: code %d", code(resp))
			}
		}},
		{"a token reset and a block", func(t *testing.T, r *reg, s *Server) {
			r.do(cashSale())
			if err := s.SetToken(testID, 555); err != nil {
				t.Fatal(err)
			}
			r.token = 555
			r.do(cashSale())
			if err := s.Block(testID, "долг"); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, tc := range ledgers {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "ofd.state")
			clock := &testClock{t: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
			s := startStateful(t, path, clock, 1)
			r := newReg(t, s)
			tc.build(t, r, s)
			clock.advance(time.Minute)

			// The copy is what a kill leaves: the first emulator is never closed before it.
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			copyPath := filepath.Join(dir, "copy.state")
			if err := os.WriteFile(copyPath, b, 0o600); err != nil {
				t.Fatal(err)
			}
			loaded := startStateful(t, copyPath, clock, 99)

			want, _ := s.Ledger(testID)
			got, err := loaded.Ledger(testID)
			if err != nil {
				t.Fatal(err)
			}
			if w, g := ledgerText(t, want), ledgerText(t, got); w != g {
				t.Fatalf("the loaded ledger differs:\n got %s\nwant %s", g, w)
			}
			if err := s.Unblock(testID); err != nil {
				t.Fatal(err)
			}
			if err := loaded.Unblock(testID); err != nil {
				t.Fatal(err)
			}
			// The next requests: both emulators answer alike, byte for byte.
			next := []*pb.Request{cashSale(), moneyPlacement(pb.MoneyPlacementEnum_MONEY_PLACEMENT_DEPOSIT, 700), infoReq()}
			token, reqNum := r.token, r.reqNum
			for _, req := range next {
				reqNum++
				h1, resp1, raw1 := send(t, s.Addr(), testID, token, reqNum, req)
				_, _, raw2 := send(t, loaded.Addr(), testID, token, reqNum, req)
				if !bytes.Equal(raw1, raw2) {
					t.Fatalf("%s: the loaded emulator answers otherwise:\n got %x\nwant %x", req.GetCommand(), raw2, raw1)
				}
				if code(resp1) != 0 {
					t.Fatalf("%s: code %d %q", req.GetCommand(), code(resp1), resp1.GetResult().GetResultText())
				}
				token = h1.Token
			}
		})
	}
}

// TestStateFileKillBetweenWriteAndAnswer: the emulator writes a sale and is "killed" before its
// answer leaves (the connection dropped after processing, and the file loaded by a new emulator
// while the first never closed it). The register retries with the same TOKEN and REQNUM: it gets
// the answer it would have got, the sale counted once.
func TestStateFileKillBetweenWriteAndAnswer(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "ofd.state")
	clock := &testClock{t: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	s := startStateful(t, path, clock, 1)
	r := newReg(t, s)
	r.do(cashSale())
	token := r.token
	s.Inject(Fault{Kind: FaultDropAfter}, 1)
	frame, _, err := ofdclient.EncodeFrame(ofdclient.Header{SystemID: testID, Token: token, ReqNum: 2}, cashSale())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := roundTrip(s.Addr(), frame); err == nil {
		t.Fatal("the dropped answer arrived")
	}
	if v, _ := s.Ledger(testID); len(v.Receipts) != 2 {
		t.Fatalf("%d receipts before the kill, want 2", len(v.Receipts))
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	copyPath := filepath.Join(dir, "after-kill.state")
	if err := os.WriteFile(copyPath, b, 0o600); err != nil {
		t.Fatal(err)
	}
	loaded := startStateful(t, copyPath, clock, 1)
	h, resp, _ := send(t, loaded.Addr(), testID, token, 2, cashSale())
	if code(resp) != 0 || h.Token == token || resp.GetTicket().GetTicketNumber() == "" {
		t.Fatalf("retry after the restart: code %d %q, token %d", code(resp), resp.GetResult().GetResultText(), h.Token)
	}
	v, _ := loaded.Ledger(testID)
	if len(v.Receipts) != 2 {
		t.Errorf("%d receipts after the retry, want 2 (nothing counted twice)", len(v.Receipts))
	}
	if st := v.Exchange(token, 2); st.Processed != 1 || st.Replayed != 1 {
		t.Errorf("exchange stats %+v, want processed once and replayed once", st)
	}
	if v.Receipts[1].FiscalSign != resp.GetTicket().GetTicketNumber() || v.Token != h.Token {
		t.Errorf("the replayed answer (sign %s, token %d) is not the ledger's (sign %s, token %d)",
			resp.GetTicket().GetTicketNumber(), h.Token, v.Receipts[1].FiscalSign, v.Token)
	}
	// The next document goes on from the replayed answer's token.
	if _, resp, _ := send(t, loaded.Addr(), testID, h.Token, 3, cashSale()); code(resp) != 0 {
		t.Fatalf("the next sale: code %d %q", code(resp), resp.GetResult().GetResultText())
	}
}

// TestStateFileTornTail: a record cut by a kill inside its write was never answered; loading cuts
// it off and the file goes on from the good records. A damaged record before the last is refused.
func TestStateFileTornTail(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "ofd.state")
	clock := &testClock{t: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	s := startStateful(t, path, clock, 1)
	r := newReg(t, s)
	r.do(cashSale())
	s.Close()
	good, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	torn := append(append([]byte(nil), good...), 200, 0, 0, 0, 1, 2, 3, 4, 'X', 1, 2) // a record of 200 bytes, 3 written
	if err := os.WriteFile(path, torn, 0o600); err != nil {
		t.Fatal(err)
	}
	loaded := startStateful(t, path, clock, 1)
	r.addr = loaded.Addr()
	r.do(cashSale())
	loaded.Close()
	again := startStateful(t, path, clock, 1)
	if v, _ := again.Ledger(testID); len(v.Receipts) != 2 || v.Token != r.token {
		t.Fatalf("after a torn tail: %d receipts, token %d; want 2 and %d", len(v.Receipts), v.Token, r.token)
	}
	again.Close()

	damaged, _ := os.ReadFile(path)
	damaged[len(good)-1] ^= 0xFF // inside the first sale's record, which is not the last
	if err := os.WriteFile(path, damaged, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := New(Options{Clock: clock.now, StateFile: path}); err == nil {
		t.Fatal("a damaged record before the last was loaded")
	}
}

// TestInfoAfterZIsDatedNow: INFO with no shift open answers the last Z dated with the OFD's
// clock (the register checks its own clock against it), its counters and checksum otherwise the Z's.
// Before, it carried the Z's own date, and a demo started again after a Z saw its clock "ahead".
func TestInfoAfterZIsDatedNow(t *testing.T) {
	s, clock := startSim(t)
	r := newReg(t, s)
	if resp := r.do(closeShift(shiftDay(t, r))); code(resp) != 0 {
		t.Fatalf("Z: code %d %q", code(resp), resp.GetResult().GetResultText())
	}
	clock.advance(10 * time.Minute)
	info := r.do(infoReq())
	z := info.GetReport().GetZxReport()
	at, err := wallTime("date_time", z.GetDateTime())
	if err != nil || !at.Equal(wallClock(clock.now())) {
		t.Fatalf("INFO's Z dated %v (%v), want the clock %v", at, err, wallClock(clock.now()))
	}
	v, _ := s.Ledger(testID)
	if z.GetShiftNumber() != v.LastZ.GetShiftNumber() || z.GetChecksum() != Checksum(z) ||
		tiyn(z.GetCashSum()) != tiyn(v.LastZ.GetCashSum()) {
		t.Fatalf("INFO's Z %v is not the last Z %v", z, v.LastZ)
	}
	if wt, _ := wallTime("date_time", v.LastZ.GetDateTime()); wt.Equal(at) {
		t.Fatal("the stored Z was redated")
	}
}
