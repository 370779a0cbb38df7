package delivery_test

import (
	"context"
	"sync"
	"testing"

	"github.com/ekassa-go/ekassa/delivery"
	"github.com/ekassa-go/ekassa/ofdclient"
	"github.com/ekassa-go/ekassa/storage"
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

// raceJournal commits a receipt right after the sender read the outbox, once, as the app's
// commit may land between the sender's read and its conclusion.
type raceJournal struct {
	delivery.Journal
	mu    sync.Mutex
	after func() // called once after the next NextOutbox or OutboxStats
}

func (j *raceJournal) fire() {
	j.mu.Lock()
	f := j.after
	j.after = nil
	j.mu.Unlock()
	if f != nil {
		f()
	}
}

func (j *raceJournal) NextOutbox(ctx context.Context) (storage.OutboxEntry, error) {
	e, err := j.Journal.NextOutbox(ctx)
	j.fire()
	return e, err
}

func (j *raceJournal) OutboxStats(ctx context.Context) (storage.OutboxStats, error) {
	st, err := j.Journal.OutboxStats(ctx)
	j.fire()
	return st, err
}

// TestQueuedCountsAtOnce: the sender's State counts what the app queues the moment it says so
// (the status line reads nothing else), and a count or an empty queue the sender read just
// before does not overwrite it: the document is sent, and the count stays the journal's.
func TestQueuedCountsAtOnce(t *testing.T) {
	for _, read := range []string{"empty queue", "count"} {
		t.Run(read, func(t *testing.T) {
			rj := &raceJournal{}
			r := newRig(t, rigOptions{journal: func(j *storage.Journal) delivery.Journal { rj.Journal = j; return rj }})
			r.drain()
			r.net.setCut(true)
			r.receipt(bread())
			if w := r.sender.State().Waiting; w != 1 {
				t.Fatalf("Waiting %d right after one document was queued, want 1 before any step", w)
			}
			r.net.setCut(false)
			r.drain()
			var late int64
			rj.mu.Lock()
			rj.after = func() { late = r.receipt(bread()) }
			rj.mu.Unlock()
			if read == "count" {
				r.sender.Wake() // the next step counts the outbox first
			}
			if _, err := r.sender.Drain(r.ctx); err != nil {
				t.Fatal(err)
			}
			if late == 0 {
				t.Fatal("the journal was not read")
			}
			stats, err := r.journal.OutboxStats(r.ctx)
			if err != nil {
				t.Fatal(err)
			}
			if st := r.sender.State(); st.Waiting != stats.Waiting || stats.Waiting != 0 {
				t.Fatalf("after the drain the sender counts %d, the journal %d; want 0 and 0", st.Waiting, stats.Waiting)
			}
			if res := r.result(late); res.Sign == "" {
				t.Fatalf("the late document has no answer: %+v", res)
			}
		})
	}
}
