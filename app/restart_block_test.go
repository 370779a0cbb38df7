package app

import (
	"errors"
	"testing"
	"time"

	"github.com/ekassa-go/ekassa/ofdclient"
	"github.com/ekassa-go/ekassa/storage"
	"github.com/ekassa-go/ekassa/ui"
)

// A register the OFD blocked is still blocked after a restart: the app is closed while blocked
// (invalid token, code 2; the OFD's server block, code 15, with its text) and started again on
// the same journal; the first status the screens read says blocked, issuing is refused with the
// block at once, and nothing reaches the OFD.
func TestBlockSurvivesRestart(t *testing.T) {
	cases := []struct {
		name  string
		block func(r *rig)
		want  ui.Block
		code  uint32
	}{
		{"invalid token", func(r *rig) {
			if err := r.demo.Server.SetToken(demoSystemID, 4000000123); err != nil {
				t.Fatal(err)
			}
		}, ui.BlockToken, 2},
		{"server block", func(r *rig) {
			if err := r.demo.Server.Block(demoSystemID, "Касса бұғатталған / Касса заблокирована"); err != nil {
				t.Fatal(err)
			}
		}, ui.BlockServer, 15},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := newRig(t)
			r.sell(1000)
			r.waitDrained()
			c.block(r)
			r.rt.CashIn(r.ctx, r.by, 500) // refused by the OFD: the register blocks
			deadline := time.Now().Add(5 * time.Second)
			for r.rt.Status().Block != c.want && time.Now().Before(deadline) {
				time.Sleep(10 * time.Millisecond)
			}
			before := r.rt.Status()
			if before.Block != c.want {
				t.Fatalf("status before the restart %+v, want %s", before, c.want)
			}
			led, _ := r.demo.Server.Ledger(demoSystemID)

			// The restart: the runtime and the journal closed, both opened again.
			path := r.j.Path()
			if err := r.rt.Close(); err != nil {
				t.Fatal(err)
			}
			if err := r.j.Close(); err != nil {
				t.Fatal(err)
			}
			j, err := storage.Open(r.ctx, path)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { j.Close() })
			rt, err := NewRuntime(r.ctx, j, Options{Demo: r.demo.Server, Sender: r.rt.senderCfg,
				Exchanger: &ofdclient.Transport{Timeout: 2 * time.Second}})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { rt.Close() })

			if st := rt.Status(); st.Block != c.want || st.Waiting != before.Waiting {
				t.Errorf("the first status after the restart %+v, want %s with %d waiting", st, c.want, before.Waiting)
			}
			_, err = rt.CashIn(r.ctx, r.by, 700)
			var re *ofdclient.ResultError
			if !errors.As(err, &re) || re.Code != c.code {
				t.Errorf("issuing after the restart: %v, want the block %d", err, c.code)
			}
			if c.want == ui.BlockServer && rt.Status().BlockText == "" {
				t.Error("the OFD's text of the block is gone after the restart")
			}
			after, _ := r.demo.Server.Ledger(demoSystemID)
			if len(after.Receipts) != len(led.Receipts) || len(after.Placements) != len(led.Placements) {
				t.Errorf("the OFD counted documents after the restart: %d receipts, %d placements (before: %d, %d)",
					len(after.Receipts), len(after.Placements), len(led.Receipts), len(led.Placements))
			}
		})
	}
}
