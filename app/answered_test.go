package app

import (
	"testing"

	"github.com/ekassa-go/ekassa/kkm"
	"github.com/ekassa-go/ekassa/storage"
	"github.com/ekassa-go/ekassa/ui"
)

// Cash in, cash out and the Z report carry no fiscal sign: once the OFD has answered they read as
// answered wherever the screens get them — straight after issuing, by number, in the history —
// and again after a restart, while a document the OFD has not answered reads as waiting.
func TestAnswerWithoutFiscalSignReadsAsAnswered(t *testing.T) {
	r := newRig(t)
	var docs ui.Issued
	add := func(is ui.Issued, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		docs = append(docs, is...)
	}
	add(r.rt.CashIn(r.ctx, r.by, 100000))
	docs = append(docs, r.sell(25000))
	add(r.rt.CashOut(r.ctx, r.by, 20000))
	add(r.rt.CloseShift(r.ctx, r.by))
	r.waitDrained()

	var unanswered int64 // the document issued with the network cut, checked on its own
	check := func(when string, rt *Runtime) {
		t.Helper()
		for _, d := range docs {
			got, err := rt.Document(r.ctx, d.Seq)
			if err != nil {
				t.Fatal(err)
			}
			if !got.Answered {
				t.Errorf("%s: %v %d reads as waiting for the OFD", when, got.Document.Kind, d.Seq)
			}
			if (got.FiscalSign != "") != (got.Document.Kind == kkm.KindReceipt) {
				t.Errorf("%s: %v %d has fiscal sign %q", when, got.Document.Kind, d.Seq, got.FiscalSign)
			}
		}
		page, err := rt.History(r.ctx, ui.HistoryFilter{})
		if err != nil {
			t.Fatal(err)
		}
		kinds := map[kkm.DocumentKind]bool{}
		for _, d := range page.Documents {
			kinds[d.Document.Kind] = true
			if d.Document.Kind.Fiscal() && !d.Answered && d.Seq != unanswered {
				t.Errorf("%s: history shows %v %d as waiting", when, d.Document.Kind, d.Seq)
			}
		}
		for _, k := range []kkm.DocumentKind{kkm.KindCashIn, kkm.KindCashOut, kkm.KindZReport, kkm.KindReceipt} {
			if !kinds[k] {
				t.Errorf("%s: no %v in the history", when, k)
			}
		}
	}
	// Straight after issuing: the runtime waits for the answer of an online document.
	for _, d := range docs {
		if !d.Answered {
			t.Errorf("%v %d issued online comes back unanswered", d.Document.Kind, d.Seq)
		}
	}
	check("running", r.rt)

	// A document the OFD has not answered reads as waiting.
	if err := r.rt.SetNetworkCut(true); err != nil {
		t.Fatal(err)
	}
	cut, err := r.rt.CashIn(r.ctx, r.by, 5000)
	if err != nil {
		t.Fatal(err)
	}
	unanswered = cut.Last().Seq
	if got, err := r.rt.Document(r.ctx, unanswered); err != nil || got.Answered {
		t.Errorf("a cash in during the cut reads as answered: %+v, %v", got, err)
	}

	// After a restart, from the journal alone.
	path := r.j.Path()
	r.rt.Close()
	r.j.Close()
	j, err := storage.Open(r.ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { j.Close() })
	rt, err := NewRuntime(r.ctx, j, Options{Sender: r.rt.senderCfg, Demo: r.demo.Server})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rt.Close() })
	check("after a restart", rt)
}
