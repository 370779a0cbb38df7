package app

import (
	"github.com/ekassa-go/ekassa/delivery"
	"github.com/ekassa-go/ekassa/kkm"
	"github.com/ekassa-go/ekassa/ui"
)

// SubscribeAnswers calls f with the OFD's answer to each document the sender completes, as the
// sender publishes it (delivery.Sender.SubscribeOutcomes), after the journal committed it: the
// one way an answer reaches the screens, so that the document screen never reads the journal
// again on a status tick. The subscription outlives a sender restarted by a new connection or a
// restore. f is called from the sender's goroutine and must return quickly.
func (rt *Runtime) SubscribeAnswers(f func(ui.Answer)) (cancel func()) {
	rt.subMu.Lock()
	defer rt.subMu.Unlock()
	if rt.answerSubs == nil {
		rt.answerSubs = map[int]func(ui.Answer){}
	}
	id := rt.nextSub
	rt.nextSub++
	rt.answerSubs[id] = f
	return func() {
		rt.subMu.Lock()
		delete(rt.answerSubs, id)
		rt.subMu.Unlock()
	}
}

// publishAnswer hands a sender's outcome to the answer subscribers.
func (rt *Runtime) publishAnswer(o delivery.Outcome) {
	a := answerOf(o)
	rt.subMu.Lock()
	subs := make([]func(ui.Answer), 0, len(rt.answerSubs))
	for _, f := range rt.answerSubs {
		subs = append(subs, f)
	}
	rt.subMu.Unlock()
	for _, f := range subs {
		f(a)
	}
}

// answerOf turns a sender's outcome into the screens' answer, as issuedOf reads the same answer
// from the journal: a check link for receipts only, the refusal as a translatable error.
func answerOf(o delivery.Outcome) ui.Answer {
	a := ui.Answer{Seq: o.Seq}
	if o.Refusal != nil {
		a.Refused = o.Refusal
		return a
	}
	a.FiscalSign = o.Fiscal.Sign
	if o.Kind == kkm.KindReceipt {
		a.QRLink = o.Fiscal.QRLink
	}
	return a
}
