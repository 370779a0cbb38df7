package storage

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/ekassa-go/ekassa/kkm"
)

// hubCopy is what a hub would hold of j after pushes: every chain row, every answered entry (read
// from cursor 0, page by page) and the latest sealed snapshot.
func hubCopy(t *testing.T, j *Journal, serial, credential string) HubSafe {
	t.Helper()
	ctx := context.Background()
	rows, err := j.ChainRows(ctx, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	safe := HubSafe{Serial: serial, Documents: rows}
	for after := int64(0); ; {
		c, err := j.SafeCopy(ctx, after, credential)
		if err != nil {
			t.Fatal(err)
		}
		safe.Answers = append(safe.Answers, c.Answers...)
		safe.Sealed = c.Sealed
		if !c.More {
			break
		}
		after = c.Answers[len(c.Answers)-1].Seq
	}
	return safe
}

const testCredential = "register-credential-0123456789abcdef"

// TestRestoreFromHubOnANewPhone: a register with answered, refused and waiting documents, its
// offline spell and its request identities, restored on a new phone from what the hub holds, is
// the same register: the same documents and seal, state, link, outbox and answers, and its next
// document follows the last one.
func TestRestoreFromHubOnANewPhone(t *testing.T) {
	ctx := context.Background()
	j := openTemp(t)
	registered(t, j, 777, "010100777001", "SWK00000001")
	if _, err := j.AddCashier(ctx, kkm.Cashier{Name: "Әлия", OperatorCode: 7, Role: kkm.RoleCashier}); err != nil {
		t.Fatal(err)
	}
	d := newDesk(t, j)
	d.fill(12)
	// The OFD answers the first eight, refuses the ninth; the rest wait, the tenth with its request.
	for seq := int64(1); seq <= 10; seq++ {
		req, err := j.AssignNextRequest(ctx, seq, 1000+uint32(seq), time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case seq == 9:
			if _, err := j.RefuseHead(ctx, seq, req, Refusal{Code: 13, Text: "bad", At: d.tick()}); err != nil {
				t.Fatal(err)
			}
		case seq < 9:
			if err := j.CompleteOutbox(ctx, seq, FiscalResult{Sign: fmt.Sprint(5000 + seq), QRLink: "http://q", At: d.tick()}, 1001+uint32(seq)); err != nil {
				t.Fatal(err)
			}
		}
	}
	st, err := j.State(ctx) // the refusal took the ninth out of the counters
	if err != nil {
		t.Fatal(err)
	}
	d.reg.State = st
	since := d.tick()
	if _, err := j.UpdateLinkState(ctx, func(l *LinkState) { l.OfflineSince = since }); err != nil {
		t.Fatal(err)
	}
	d.sale(true)

	safe := hubCopy(t, j, "SWK00000001", testCredential)
	phone := openTemp(t)
	got, err := phone.RestoreFromHub(ctx, safe, testCredential)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := j.Info(ctx)
	if got.Documents != want.Documents || !bytes.Equal(got.HeadHash, want.HeadHash) || got.ZNM != "SWK00000001" {
		t.Fatalf("restored %+v, the register %+v", got, want)
	}
	same := func(what string, a, b any, errA, errB error) {
		t.Helper()
		if errA != nil || errB != nil || fmt.Sprintf("%+v", a) != fmt.Sprintf("%+v", b) {
			t.Fatalf("%s: restored %+v (%v), the register's %+v (%v)", what, b, errB, a, errA)
		}
	}
	s1, e1 := j.State(ctx)
	s2, e2 := phone.State(ctx)
	same("state", s1, s2, e1, e2)
	l1, e1 := j.LinkState(ctx)
	l2, e2 := phone.LinkState(ctx)
	same("link", l1, l2, e1, e2)
	o1, e1 := j.OutboxStats(ctx)
	o2, e2 := phone.OutboxStats(ctx)
	same("outbox", o1, o2, e1, e2)
	n1, e1 := j.NextOutbox(ctx)
	n2, e2 := phone.NextOutbox(ctx)
	same("next in the queue", n1.Request, n2.Request, e1, e2)
	f1, e1 := j.FiscalResult(ctx, 5)
	f2, e2 := phone.FiscalResult(ctx, 5)
	same("answer", f1, f2, e1, e2)
	r1, e1 := j.Document(ctx, 9)
	r2, e2 := phone.Document(ctx, 9)
	same("refused", r1.Refusal, r2.Refusal, e1, e2)
	c1, e1 := j.Cashiers(ctx)
	c2, e2 := phone.Cashiers(ctx)
	same("cashiers", c1, c2, e1, e2)
	a1, e1 := j.Analytics(ctx, d.now.Add(-24*time.Hour), d.now.Add(time.Hour), 5)
	a2, e2 := phone.Analytics(ctx, d.now.Add(-24*time.Hour), d.now.Add(time.Hour), 5)
	same("analytics", a1, a2, e1, e2)

	// The register goes on from the restored state.
	nd := newDesk(t, phone)
	nd.reg.State, nd.now = s2, d.now
	if seq := nd.sale(false); seq != want.Documents+1 {
		t.Fatalf("the next document is %d, want %d", seq, want.Documents+1)
	}
	if _, err := phone.VerifyAll(ctx); err != nil {
		t.Fatal(err)
	}
}

// TestRestoreFromHubRefuses: a journal that is not empty, a wrong credential, another register's
// copy, an incomplete copy and a changed document are refused, and the journal stays as it was.
func TestRestoreFromHubRefuses(t *testing.T) {
	ctx := context.Background()
	j := openTemp(t)
	registered(t, j, 777, "010100777001", "SWK00000001")
	d := newDesk(t, j)
	d.fill(6)
	safe := hubCopy(t, j, "SWK00000001", testCredential)

	changed := safe
	changed.Documents = append([]ChainRow(nil), safe.Documents...)
	changed.Documents[2].Content = bytes.Replace(changed.Documents[2].Content, []byte(`"total"`), []byte(`"totaL"`), 1)
	changed.Documents[2].Total++
	other := safe
	other.Serial = "SWK00000002"
	short := safe
	short.Documents = safe.Documents[:5]

	used := openTemp(t)
	registered(t, used, 778, "010100778001", "SWK00000009")
	for _, c := range []struct {
		name       string
		into       *Journal
		safe       HubSafe
		credential string
		want       error
	}{
		{"not empty", used, safe, testCredential, ErrRestoreNotEmpty},
		{"wrong credential", nil, safe, "someone else's", ErrRestoreCredential},
		{"another register", nil, other, testCredential, ErrBackupOtherRegister},
		{"incomplete", nil, short, testCredential, ErrRestoreIncomplete},
		{"changed document", nil, changed, testCredential, ErrChainBroken},
	} {
		into := c.into
		if into == nil {
			into = openTemp(t)
		}
		before, _ := into.Info(ctx)
		if _, err := into.RestoreFromHub(ctx, c.safe, c.credential); !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
		after, err := into.Info(ctx)
		if err != nil || after.Documents != before.Documents || after.ZNM != before.ZNM {
			t.Errorf("%s: the journal changed: %+v → %+v (%v)", c.name, before, after, err)
		}
	}
}
