package app

import (
	"testing"
	"time"

	"github.com/ekassa-go/ekassa/ui"
)

// A receipt issued offline gets its answer through SubscribeAnswers when the network returns,
// the same sign and link the journal then holds, once; after the subscription ends nothing comes.
func TestSubscribeAnswersBringsTheOFDsAnswer(t *testing.T) {
	r := newRig(t)
	r.waitDrained()
	answers := make(chan ui.Answer, 16)
	cancel := r.rt.SubscribeAnswers(func(a ui.Answer) { answers <- a })
	if err := r.rt.SetNetworkCut(true); err != nil {
		t.Fatal(err)
	}
	d := r.sell(1500)
	if d.Answered || d.FiscalSign != "" {
		t.Fatalf("answered with the network cut: %+v", d)
	}
	if err := r.rt.SetNetworkCut(false); err != nil {
		t.Fatal(err)
	}
	var got ui.Answer
	for got.Seq != d.Seq {
		select {
		case got = <-answers:
		case <-time.After(10 * time.Second):
			t.Fatal("no answer for the offline receipt")
		}
	}
	stored, err := r.rt.Document(r.ctx, d.Seq)
	if err != nil {
		t.Fatal(err)
	}
	if got.Refused != nil || got.FiscalSign == "" || got.FiscalSign != stored.FiscalSign || got.QRLink != stored.QRLink {
		t.Errorf("answer %+v, the journal holds %+v", got, stored)
	}
	cancel()
	x := r.sell(700)
	r.waitDrained()
	for {
		select {
		case a := <-answers:
			if a.Seq == x.Seq {
				t.Errorf("an answer after the subscription ended: %+v", a)
			}
		default:
			return
		}
	}
}
