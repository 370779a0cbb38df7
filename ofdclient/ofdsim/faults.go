package ofdsim

import (
	"fmt"
	"time"
)

// FaultKind is a way the emulator can misbehave on one connection, to test how a register copes
// with a network and an OFD that are not perfect.
type FaultKind int

// The faults the emulator can inject. "Processed" faults run the request through the ledger first,
// so the document is counted although the register never learns it: a retry with the same TOKEN
// and REQNUM must then be replayed, not counted twice.
const (
	// FaultRefuse accepts the connection and resets it at once, before reading anything.
	FaultRefuse FaultKind = iota + 1
	// FaultDropBefore reads the request and closes the connection without processing it.
	FaultDropBefore
	// FaultDropAfter processes the request and closes the connection without answering.
	FaultDropAfter
	// FaultDelay processes the request and answers after Fault.Delay.
	FaultDelay
	// FaultGarbage processes the request and answers bytes that are not a frame.
	FaultGarbage
	// FaultTruncated processes the request and answers only the first half of the answer frame.
	FaultTruncated
	// FaultOversize processes the request and answers a header claiming a frame of 4 GiB.
	FaultOversize
	// FaultResult answers Fault.Code and Fault.Text without processing the request.
	FaultResult
)

// String names the fault as the request log and the standalone command's flags spell it.
func (k FaultKind) String() string {
	switch k {
	case FaultRefuse:
		return "refuse"
	case FaultDropBefore:
		return "drop-before"
	case FaultDropAfter:
		return "drop-after"
	case FaultDelay:
		return "delay"
	case FaultGarbage:
		return "garbage"
	case FaultTruncated:
		return "truncated"
	case FaultOversize:
		return "oversize"
	case FaultResult:
		return "result"
	}
	return fmt.Sprintf("FaultKind(%d)", int(k))
}

// Fault is one injected misbehaviour.
type Fault struct {
	Kind  FaultKind
	Delay time.Duration // FaultDelay: how long the answer waits
	Code  uint32        // FaultResult: the result code to answer
	Text  string        // FaultResult: the result text to answer
}

// String describes the fault for logs.
func (f Fault) String() string {
	switch f.Kind {
	case FaultDelay:
		return fmt.Sprintf("delay %s", f.Delay)
	case FaultResult:
		return fmt.Sprintf("result %d", f.Code)
	}
	return f.Kind.String()
}

// faultRun is a fault queued for a number of connections.
type faultRun struct {
	fault Fault
	left  int
}

// faultQueue hands out injected faults, oldest first, one per connection. It is guarded by the
// server's mutex.
type faultQueue struct {
	runs []faultRun
}

func (q *faultQueue) push(f Fault, times int) {
	if times > 0 {
		q.runs = append(q.runs, faultRun{fault: f, left: times})
	}
}

// next takes the fault for the next connection, if any.
func (q *faultQueue) next() (Fault, bool) {
	if len(q.runs) == 0 {
		return Fault{}, false
	}
	f := q.runs[0].fault
	q.runs[0].left--
	if q.runs[0].left == 0 {
		q.runs = q.runs[1:]
	}
	return f, true
}

func (q *faultQueue) pending() int {
	n := 0
	for _, r := range q.runs {
		n += r.left
	}
	return n
}
