package storage

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ekassa-go/ekassa/kkm"
)

// The prepared statements work whatever connection of the pool a transaction gets: a cashier
// commits receipts while a sender drains the outbox and the UI reads the link and the queue, with
// a pool that closes every connection it is given back, so that each transaction runs on a new
// connection and database/sql prepares the statements again there. Every document is answered
// once, with its own REQNUM, and the chain holds.
func TestStatementsAcrossConnections(t *testing.T) {
	j := openTemp(t)
	j.db.SetMaxIdleConns(0)
	ctx := context.Background()
	const token = 77
	if err := j.SetLinkState(ctx, LinkState{Token: token}); err != nil {
		t.Fatal(err)
	}
	d := newDesk(t, j)
	const n = 60
	var wg sync.WaitGroup
	errs := make(chan error, 3)
	stop := make(chan struct{})
	wg.Add(2)
	go func() { // the cashier
		defer wg.Done()
		for i := 0; i < n; i++ {
			iss, err := d.reg.IssueReceipt(fiveItems(kkm.OpSale), d.op, d.tick(), false)
			if err == nil {
				_, err = j.Commit(ctx, iss.Documents, iss.State)
			}
			if err != nil {
				errs <- fmt.Errorf("receipt %d: %w", i, err)
				return
			}
			d.reg.State = iss.State
		}
	}()
	reqnums := map[uint16]int64{}
	go func() { // the sender
		defer wg.Done()
		for answered := 0; answered < n; {
			e, err := j.NextOutbox(ctx)
			if errors.Is(err, ErrNotFound) {
				runtime.Gosched()
				continue
			}
			if err != nil {
				errs <- err
				return
			}
			req := e.Request
			if req == nil {
				r, err := j.AssignNextRequest(ctx, e.Seq, token, time.Time{})
				if err != nil {
					errs <- err
					return
				}
				req = &r
			}
			if other, ok := reqnums[req.Reqnum]; ok {
				errs <- fmt.Errorf("REQNUM %d given to %d and %d", req.Reqnum, other, e.Seq)
				return
			}
			reqnums[req.Reqnum] = e.Seq
			res := FiscalResult{Sign: fmt.Sprint(1000 + e.Seq), QRLink: "http://q", At: e.Document.Time}
			if _, err := j.CompleteAndAssignNext(ctx, e.Seq, res, token, time.Time{}); err != nil {
				errs <- err
				return
			}
			answered++
		}
	}()
	readers := make(chan struct{})
	go func() { // the screens
		defer close(readers)
		for {
			select {
			case <-stop:
				return
			default:
			}
			if _, err := j.LinkState(ctx); err != nil {
				errs <- err
				return
			}
			if _, err := j.OutboxStats(ctx); err != nil {
				errs <- err
				return
			}
		}
	}()
	wg.Wait()
	close(stop)
	<-readers
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if len(reqnums) != n {
		t.Errorf("%d REQNUMs for %d documents", len(reqnums), n)
	}
	for r := uint16(1); r <= n; r++ {
		if _, ok := reqnums[r]; !ok {
			t.Errorf("REQNUM %d never sent", r)
		}
	}
	if st, err := j.OutboxStats(ctx); err != nil || st.Waiting != 0 {
		t.Errorf("OutboxStats = %+v, %v", st, err)
	}
	if res, err := j.Verify(ctx, 1); err != nil || res.Last != n {
		t.Errorf("Verify = %+v, %v", res, err)
	}
	if l, err := j.LinkState(ctx); err != nil || l.LastReqnum != n {
		t.Errorf("LinkState = %+v, %v", l, err)
	}
}

// Close closes the prepared statements with the database; closing twice does no harm.
func TestCloseClosesStatements(t *testing.T) {
	j := openTemp(t)
	newDesk(t, j).fill(3)
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := j.st.readLink.Exec(); err == nil || !strings.Contains(err.Error(), "statement is closed") {
		t.Errorf("a prepared statement after Close: %v, want closed", err)
	}
}
