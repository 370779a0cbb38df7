package delivery_test

import (
	"testing"

	"github.com/ekassa-go/ekassa/delivery"
	"github.com/ekassa-go/ekassa/ofdclient/pb"
)

// A break while nothing waits is found by CheckLink's COMMAND_SYSTEM: the register is offline at
// once, so the first document after the break is issued offline with its own number (walker
// S10); the idle probe while offline ends the spell when the OFD answers, and the document goes
// out with offline_period.
func TestCheckLinkWhileIdle(t *testing.T) {
	r := newRig(t, rigOptions{})
	if err := r.sender.Refresh(r.ctx); err != nil { // loaded, as Run has it
		t.Fatal(err)
	}
	r.sender.CheckLink(r.ctx)
	if st := r.sender.State(); st.Mode != delivery.ModeOnline {
		t.Fatalf("a working link checked: %v", st.Mode)
	}
	r.net.setCut(true)
	r.sender.CheckLink(r.ctx)
	st := r.sender.State()
	if st.Mode != delivery.ModeOffline || st.OfflineSince.IsZero() || st.Waiting != 0 {
		t.Fatalf("no offline spell after a failed check: %+v", st)
	}
	reqs := r.net.requests()
	if last := reqs[len(reqs)-1]; last.Request.GetCommand() != pb.CommandTypeEnum_COMMAND_SYSTEM || last.Err == nil {
		t.Fatalf("the check was %v (%v), want a failed COMMAND_SYSTEM", last.Request.GetCommand(), last.Err)
	}
	seq := r.receipt(bread())
	if e, err := r.journal.Document(r.ctx, seq); err != nil || !e.Document.Offline || e.Document.OfflineNumber == 0 {
		t.Fatalf("the first document after the break: %+v, %v", e.Document, err)
	}
	// Still cut: the sender keeps the spell; back: the document goes out and the spell ends.
	if _, err := r.sender.Drain(r.ctx); err == nil {
		t.Fatal("drained through a cut network")
	}
	r.net.setCut(false)
	if n := r.drain(); n != 1 {
		t.Fatalf("drained %d, want 1", n)
	}
	fiscalisedOnce(t, r, seq)
	if st := r.sender.State(); st.Mode != delivery.ModeOnline {
		t.Fatalf("still %v after the queue drained", st.Mode)
	}
	for _, q := range r.net.requests() {
		if tk := q.Request.GetTicket(); tk != nil && q.Response != nil && tk.GetOfflineTicketNumber() == 0 {
			t.Errorf("the receipt went out without its offline number")
		}
	}

	// Nothing waiting: cut, checked, offline; back, the next Drain's idle probe ends the spell.
	r.net.setCut(true)
	r.sender.CheckLink(r.ctx)
	if r.sender.State().Mode != delivery.ModeOffline {
		t.Fatal("not offline after the second cut")
	}
	r.net.setCut(false)
	if _, err := r.sender.Drain(r.ctx); err != nil {
		t.Fatal(err)
	}
	if st := r.sender.State(); st.Mode != delivery.ModeOnline || !st.OfflineSince.IsZero() {
		t.Fatalf("the idle probe did not end the spell: %+v", st)
	}
}
