package delivery_test

import (
	"sync"
	"testing"

	"github.com/ekassa-go/ekassa/delivery"
	"github.com/ekassa-go/ekassa/ofdclient"
)

// outcomes collects what SubscribeOutcomes publishes.
type outcomes struct {
	mu  sync.Mutex
	got []delivery.Outcome
}

func (o *outcomes) add(x delivery.Outcome) { o.mu.Lock(); o.got = append(o.got, x); o.mu.Unlock() }

func (o *outcomes) list() []delivery.Outcome {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]delivery.Outcome(nil), o.got...)
}

// TestOutcomePerDocument: every document the OFD accepts is published once, in the queue's
// order, with the fiscal result the journal holds; a document set aside is published with its
// refusal; after unsubscribing nothing more arrives.
func TestOutcomePerDocument(t *testing.T) {
	r := newRig(t, rigOptions{})
	emulatorOnly(t, r)
	var o outcomes
	unsubscribe := r.sender.SubscribeOutcomes(o.add)
	seqs := []int64{r.receipt(bread()), r.receipt(bread()), r.receipt(bread())}
	if n := r.drain(); n != len(seqs) {
		t.Fatalf("drained %d, want %d", n, len(seqs))
	}
	got := o.list()
	if len(got) != len(seqs) {
		t.Fatalf("%d outcomes for %d documents: %+v", len(got), len(seqs), got)
	}
	for i, seq := range seqs {
		stored := r.result(seq)
		if got[i].Seq != seq || got[i].Refusal != nil || got[i].Fiscal.Sign == "" ||
			got[i].Fiscal.Sign != stored.Sign || got[i].Fiscal.QRLink != stored.QRLink || !got[i].Fiscal.At.Equal(stored.At) {
			t.Errorf("outcome %d: %+v; the journal holds %+v for document %d", i, got[i], stored, seq)
		}
	}

	// A refusal for the document's content blocks; setting it aside publishes the refusal.
	r.tg.sim.InjectResult(ofdclient.ResultIncorrectData, "injected refusal", 1)
	refused := r.receipt(bread())
	if _, err := r.sender.Drain(r.ctx); !isCode(err, ofdclient.ResultIncorrectData) {
		t.Fatalf("drain: %v, want code %d", err, ofdclient.ResultIncorrectData)
	}
	if n := len(o.list()); n != len(seqs) {
		t.Fatalf("%d outcomes while blocked, want %d: a block completes nothing", n, len(seqs))
	}
	if _, err := r.sender.SetAside(r.ctx); err != nil {
		t.Fatal(err)
	}
	got = o.list()
	if len(got) != len(seqs)+1 {
		t.Fatalf("%d outcomes after setting aside, want %d", len(got), len(seqs)+1)
	}
	last := got[len(got)-1]
	if last.Seq != refused || last.Refusal == nil || last.Refusal.Code != ofdclient.ResultIncorrectData || last.Fiscal.Sign != "" {
		t.Fatalf("outcome of the refused document: %+v", last)
	}

	unsubscribe()
	r.drain() // takes up the register's state without the refused document
	r.receipt(bread())
	r.drain()
	if n := len(o.list()); n != len(seqs)+1 {
		t.Fatalf("%d outcomes after unsubscribing, want %d", n, len(seqs)+1)
	}
}
