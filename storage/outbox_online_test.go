package storage

import (
	"context"
	"testing"
	"time"
)

// A document issued online onto an empty queue gets its request identity in its own commit
// (the link's token, the next REQNUM, no offline_period); in every other situation the sender
// assigns it later, with what that situation needs.
func TestOnlineHeadIsAssignedAtCommit(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name    string
		link    LinkState
		offline bool // the document is issued offline
		older   bool // another document already waits
		want    bool
	}{
		{"online, empty queue", LinkState{Token: 3000000001, LastReqnum: 41}, false, false, true},
		{"no token yet (not connected)", LinkState{}, false, false, false},
		{"issued offline", LinkState{Token: 3000000001}, true, false, false},
		{"link offline", LinkState{Token: 3000000001, OfflineSince: time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)}, false, false, false},
		{"link blocked", LinkState{Token: 3000000001, BlockedCode: 2}, false, false, false},
		{"an older document waits", LinkState{Token: 3000000001, LastReqnum: 41}, false, true, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			j := openTemp(t)
			d := newDesk(t, j)
			if c.older {
				d.sale(true)
			}
			if err := j.SetLinkState(ctx, c.link); err != nil {
				t.Fatal(err)
			}
			seq := d.sale(c.offline)
			e, err := j.NextOutbox(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if !c.want {
				if e.Seq == seq && e.Request != nil {
					t.Fatalf("assigned at commit: %+v", e.Request)
				}
				return
			}
			if e.Seq != seq || e.Request == nil || e.Request.Token != c.link.Token || e.Request.Reqnum != c.link.LastReqnum+1 || !e.Request.OfflineBegin.IsZero() {
				t.Fatalf("request at commit = %+v (seq %d)", e.Request, e.Seq)
			}
			l, err := j.LinkState(ctx)
			if err != nil || l.LastReqnum != c.link.LastReqnum+1 {
				t.Fatalf("link REQNUM not taken: %+v %v", l, err)
			}
			// The sender's assignment before sending returns the stored pair unchanged.
			got, err := j.AssignNextRequest(ctx, seq, 12345, time.Time{})
			if err != nil || got != *e.Request {
				t.Fatalf("sender's assignment %+v, %v, want %+v", got, err, *e.Request)
			}
		})
	}
}
