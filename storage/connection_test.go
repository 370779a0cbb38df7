package storage

import (
	"context"
	"reflect"
	"testing"

	"github.com/ekassa-go/ekassa/kkm"
)

// connectionSnapshot is what SaveConnection writes: the settings, the link and the state.
type connectionSnapshot struct {
	settings kkm.Settings
	link     LinkState
	state    kkm.State
}

func snapshotConnection(t *testing.T, j *Journal) connectionSnapshot {
	t.Helper()
	ctx := context.Background()
	s, _, err := j.Settings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	l, err := j.LinkState(ctx)
	if err != nil {
		t.Fatal(err)
	}
	st, err := j.State(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return connectionSnapshot{s, l, st}
}

// connectedJournal returns a journal of a register connected with token 111 and blocked on it
// (code 2), with a sale in its shift.
func connectedJournal(t *testing.T) (*Journal, kkm.Settings) {
	t.Helper()
	ctx := context.Background()
	j := openTemp(t)
	d := newDesk(t, j)
	d.sale(false)
	s := kkm.DefaultSettings()
	s.SystemID, s.Token, s.OFDAddress, s.Reg.RNM = 1001, 111, "old.example:7777", "010101010101"
	if err := j.SaveSettings(ctx, s); err != nil {
		t.Fatal(err)
	}
	if err := j.SetLinkState(ctx, LinkState{Token: 111, LastReqnum: 40, BlockedCode: 2, InfoText: "invalid token"}); err != nil {
		t.Fatal(err)
	}
	return j, s
}

// TestSaveConnection: the settings, the link and the reconciled state of a new connection are
// one transaction. A failure of any of the three writes (the first, the middle, the last)
// leaves all three as they were; without it, all three change, and the link keeps the REQNUM
// taken before.
func TestSaveConnection(t *testing.T) {
	ctx := context.Background()
	connect := func(j *Journal, s kkm.Settings) (LinkState, error) {
		s.SystemID, s.Token, s.OFDAddress, s.Reg.RNM = 2002, 222, "new.example:7777", "020202020202"
		state := kkm.State{ShiftNumber: 77, LastOfflineNumber: 5}
		return j.SaveConnection(ctx, s, func(l *LinkState) {
			l.Token = 222
			l.BlockedCode, l.InfoText = 0, ""
		}, &state)
	}

	for _, tc := range []struct{ name, trigger string }{
		{"settings", `CREATE TRIGGER fail BEFORE UPDATE ON settings BEGIN SELECT RAISE(ABORT, 'disk on fire'); END`},
		{"link", `CREATE TRIGGER fail BEFORE UPDATE OF link_token ON chain BEGIN SELECT RAISE(ABORT, 'disk on fire'); END`},
		{"state", `CREATE TRIGGER fail BEFORE UPDATE OF state_content ON chain BEGIN SELECT RAISE(ABORT, 'disk on fire'); END`},
	} {
		t.Run("failing "+tc.name, func(t *testing.T) {
			j, s := connectedJournal(t)
			before := snapshotConnection(t, j)
			if _, err := j.db.ExecContext(ctx, tc.trigger); err != nil {
				t.Fatal(err)
			}
			if _, err := connect(j, s); err == nil {
				t.Fatal("SaveConnection succeeded despite the failing write")
			}
			if after := snapshotConnection(t, j); !reflect.DeepEqual(after, before) {
				t.Errorf("after a failed SaveConnection:\n got %+v\nwant %+v", after, before)
			}
		})
	}

	t.Run("all three", func(t *testing.T) {
		j, s := connectedJournal(t)
		before := snapshotConnection(t, j)
		l, err := connect(j, s)
		if err != nil {
			t.Fatal(err)
		}
		after := snapshotConnection(t, j)
		want := LinkState{Token: 222, LastReqnum: 40}
		if l != want || after.link != want {
			t.Errorf("link returned %+v, stored %+v; want %+v", l, after.link, want)
		}
		if after.settings.Token != 222 || after.settings.SystemID != 2002 || after.settings.Reg.RNM != "020202020202" {
			t.Errorf("settings %+v", after.settings)
		}
		if after.state.ShiftNumber != 77 || after.state.LastOfflineNumber != 5 {
			t.Errorf("state %+v", after.state)
		}

		// No state (the OFD's view of the shift was not adopted): the stored one stays.
		before = after
		if _, err := j.SaveConnection(ctx, before.settings, nil, nil); err != nil {
			t.Fatal(err)
		}
		if after := snapshotConnection(t, j); !reflect.DeepEqual(after, before) {
			t.Errorf("SaveConnection without a state or link change changed them:\n got %+v\nwant %+v", after, before)
		}
	})
}
