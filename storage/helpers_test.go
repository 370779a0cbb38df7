package storage

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/ekassa-go/ekassa/kkm"
)

// openTemp opens a fresh journal file in t's temporary directory and closes it after the test.
func openTemp(t testing.TB) *Journal {
	t.Helper()
	j, err := Open(context.Background(), filepath.Join(t.TempDir(), "journal.db"))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	j.scryptWork = testWorkFactor
	t.Cleanup(func() { j.Close() })
	return j
}

// testPassword is the tests' backup password; testWorkFactor keeps their scrypt fast.
const (
	testPassword   = "correct horse battery"
	testWorkFactor = 10
)

// desk is a register with its journal: it issues documents through kkm and commits them.
type desk struct {
	t   testing.TB
	j   *Journal
	reg kkm.Register
	now time.Time
	op  kkm.Operator
}

// newDesk returns a desk over j with a VAT-paying register whose clock starts at 2026-03-02 09:00.
func newDesk(t testing.TB, j *Journal) *desk {
	return &desk{
		t: t, j: j,
		reg: kkm.Register{Settings: kkm.Settings{VATPayer: true, DefaultVATRate: kkm.VAT16, AutoCashOut: true}},
		now: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC),
		op:  kkm.Operator{Code: 7, Name: "Әлия Қасымова"},
	}
}

// tick advances the desk's clock by one minute and returns it.
func (d *desk) tick() time.Time {
	d.now = d.now.Add(time.Minute)
	return d.now
}

// commit commits iss and adopts its state; it returns the sequence numbers.
func (d *desk) commit(iss kkm.Issued, err error) []int64 {
	d.t.Helper()
	if err != nil {
		d.t.Fatalf("issue: %v", err)
	}
	seqs, err := d.j.Commit(context.Background(), iss.Documents, iss.State)
	if err != nil {
		d.t.Fatalf("Commit: %v", err)
	}
	d.reg.State = iss.State
	return seqs
}

// fiveItems is an extended-mode draft of five lines paid in cash.
func fiveItems(op kkm.Operation) kkm.ReceiptDraft {
	lines := []kkm.LineDraft{
		{Name: "Нан бөлкесі", Quantity: 2000, Unit: "796", Price: 25000},
		{Name: "Сүт 1 л", Quantity: 1000, Unit: "796", Price: 54000},
		{Name: "Ірімшік", Quantity: 350, Unit: "166", Price: 420000},
		{Name: "Алма", Quantity: 1500, Unit: "166", Price: 89000},
		{Name: "Шай", Quantity: 1000, Unit: "796", Price: 129000},
	}
	return kkm.ReceiptDraft{Operation: op, Lines: lines, Payments: []kkm.Payment{{Type: kkm.PayCash, Sum: 1_000_000}}}
}

// sale issues and commits a five-item sale, online or offline.
func (d *desk) sale(offline bool) int64 {
	d.t.Helper()
	return d.commit(d.reg.IssueReceipt(fiveItems(kkm.OpSale), d.op, d.tick(), offline))[0]
}

// simpleSale issues and commits a simple-mode sale of amount paid by card.
func (d *desk) simpleSale(amount kkm.Money, offline bool) int64 {
	d.t.Helper()
	dr := kkm.SimpleDraft(kkm.OpSale, []kkm.Money{amount}, []kkm.Payment{{Type: kkm.PayCard, Sum: amount}})
	return d.commit(d.reg.IssueReceipt(dr, d.op, d.tick(), offline))[0]
}

// simpleReturn issues and commits a simple-mode sale return of amount naming parent.
func (d *desk) simpleReturn(amount kkm.Money, parent kkm.ParentReceipt) int64 {
	d.t.Helper()
	dr := kkm.SimpleDraft(kkm.OpSaleReturn, []kkm.Money{amount}, []kkm.Payment{{Type: kkm.PayCard, Sum: amount}})
	dr.Parent = &parent
	return d.commit(d.reg.IssueReceipt(dr, d.op, d.tick(), false))[0]
}

// fill commits n documents of mixed kinds.
func (d *desk) fill(n int) {
	d.t.Helper()
	for i := 0; i < n; i++ {
		switch i % 3 {
		case 0:
			d.sale(false)
		case 1:
			d.commit(d.reg.CashIn(10_000, d.op, d.tick(), false))
		default:
			d.simpleSale(50_000, i%2 == 0)
		}
	}
}
