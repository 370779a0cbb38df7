package storage

import (
	"context"
	"errors"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ekassa-go/ekassa/kkm"
)

func TestCommitWritesDocumentsOutboxAndState(t *testing.T) {
	j := openTemp(t)
	d := newDesk(t, j)
	ctx := context.Background()

	sale := d.sale(false)
	cashIn := d.commit(d.reg.CashIn(20_000, d.op, d.tick(), false))[0]
	x, err := d.reg.XReport(d.op, d.tick())
	if err != nil {
		t.Fatal(err)
	}
	xSeq, err := j.Commit(ctx, []kkm.Document{x}, d.reg.State)
	if err != nil {
		t.Fatal(err)
	}
	z := d.commit(d.reg.CloseShift(d.op, d.tick(), false)) // auto cash-out, then Z: one transaction

	if got, want := []int64{sale, cashIn, xSeq[0], z[0], z[1]}, []int64{1, 2, 3, 4, 5}; !reflect.DeepEqual(got, want) {
		t.Fatalf("seqs = %v, want %v", got, want)
	}
	kinds := []kkm.DocumentKind{kkm.KindReceipt, kkm.KindCashIn, kkm.KindXReport, kkm.KindCashOut, kkm.KindZReport}
	for i, k := range kinds {
		e, err := j.Document(ctx, int64(i+1))
		if err != nil {
			t.Fatalf("Document(%d): %v", i+1, err)
		}
		if e.Document.Kind != k {
			t.Errorf("document %d kind %s, want %s", i+1, e.Document.Kind, k)
		}
	}

	// The receipt comes back whole.
	e, _ := j.Document(ctx, sale)
	if e.Document.Receipt == nil || len(e.Document.Receipt.Lines) != 5 || e.Document.Operator != d.op {
		t.Errorf("receipt round trip lost content: %+v", e.Document)
	}
	var total int64
	j.db.QueryRowContext(ctx, "SELECT total FROM documents WHERE seq = ?", sale).Scan(&total)
	if kkm.Money(total) != e.Document.Total() || total == 0 {
		t.Errorf("total column %d, document total %d", total, e.Document.Total())
	}

	// Every fiscal document is queued; the X report is not.
	var queued []int64
	rows, _ := j.db.QueryContext(ctx, "SELECT seq FROM outbox ORDER BY seq")
	for rows.Next() {
		var s int64
		rows.Scan(&s)
		queued = append(queued, s)
	}
	rows.Close()
	if want := []int64{1, 2, 4, 5}; !reflect.DeepEqual(queued, want) {
		t.Errorf("outbox = %v, want %v", queued, want)
	}

	st, err := j.State(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(st, d.reg.State) {
		t.Errorf("State() = %+v\nwant %+v", st, d.reg.State)
	}
	if st.ShiftOpen || st.ShiftNumber != 1 || st.CashInDrawer != 0 {
		t.Errorf("after Z: open=%v shift=%d cash=%d", st.ShiftOpen, st.ShiftNumber, st.CashInDrawer)
	}
}

func TestStateIsZeroOnFreshJournal(t *testing.T) {
	st, err := openTemp(t).State(context.Background())
	if err != nil || !reflect.DeepEqual(st, kkm.State{}) {
		t.Errorf("State() = %+v, %v; want the zero state", st, err)
	}
}

func TestCommitIsAllOrNothing(t *testing.T) {
	j := openTemp(t)
	d := newDesk(t, j)
	ctx := context.Background()
	d.sale(false)
	before, _ := j.State(ctx)

	// Make the outbox insert of the next document fail: the document row, the chain head and the
	// state written before it in the same transaction must all roll back.
	if _, err := j.db.ExecContext(ctx, `CREATE TRIGGER fail_outbox BEFORE INSERT ON outbox
		BEGIN SELECT RAISE(ABORT, 'disk on fire'); END`); err != nil {
		t.Fatal(err)
	}
	iss, err := d.reg.IssueReceipt(fiveItems(kkm.OpSale), d.op, d.tick(), false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := j.Commit(ctx, iss.Documents, iss.State); err == nil {
		t.Fatal("Commit succeeded despite the failing outbox insert")
	}
	var n int
	j.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM documents").Scan(&n)
	after, _ := j.State(ctx)
	if n != 1 || !reflect.DeepEqual(after, before) {
		t.Errorf("after a failed Commit: %d documents, state changed %v", n, !reflect.DeepEqual(after, before))
	}
	if _, err := j.Verify(ctx, 1); err != nil {
		t.Errorf("Verify after a failed Commit: %v", err)
	}
	if _, err := j.Commit(ctx, nil, iss.State); !errors.Is(err, ErrNoDocuments) {
		t.Errorf("Commit of nothing: %v, want ErrNoDocuments", err)
	}
}

func TestLookups(t *testing.T) {
	j := openTemp(t)
	d := newDesk(t, j)
	ctx := context.Background()
	d.sale(false)                                     // 1: shift 1 no 1
	d.simpleSale(30_000, true)                        // 2: shift 1 no 2, offline number 1
	d.commit(d.reg.CloseShift(d.op, d.tick(), false)) // 3: cash out, 4: Z
	d.simpleSale(40_000, false)                       // 5: shift 2 no 1
	if err := j.CompleteOutbox(ctx, 1, FiscalResult{Sign: "1234567890", QRLink: "http://q", At: d.now}, 11); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name    string
		find    func() (Entry, error)
		wantSeq int64
	}{
		{"by seq", func() (Entry, error) { return j.Document(ctx, 5) }, 5},
		{"by shift and number", func() (Entry, error) { return j.ReceiptByNumber(ctx, 1, 2) }, 2},
		{"by number, next shift", func() (Entry, error) { return j.ReceiptByNumber(ctx, 2, 1) }, 5},
		{"by offline number", func() (Entry, error) { return j.ReceiptByOfflineNumber(ctx, 1) }, 2},
		{"by fiscal sign", func() (Entry, error) { return j.ReceiptByFiscalSign(ctx, "1234567890") }, 1},
		{"missing seq", func() (Entry, error) { return j.Document(ctx, 99) }, 0},
		{"number of a Z is not a receipt", func() (Entry, error) { return j.ReceiptByNumber(ctx, 1, 4) }, 0},
		{"unknown sign", func() (Entry, error) { return j.ReceiptByFiscalSign(ctx, "42") }, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := tt.find()
			if tt.wantSeq == 0 {
				if !errors.Is(err, ErrNotFound) {
					t.Errorf("got seq %d, %v; want ErrNotFound", e.Seq, err)
				}
				return
			}
			if err != nil || e.Seq != tt.wantSeq {
				t.Errorf("got seq %d, %v; want %d", e.Seq, err, tt.wantSeq)
			}
		})
	}
	e, _ := j.Document(ctx, 1)
	if e.Fiscal == nil || e.Fiscal.Sign != "1234567890" || e.Fiscal.QRLink != "http://q" {
		t.Errorf("document 1 fiscal result = %+v", e.Fiscal)
	}
	if e, _ := j.Document(ctx, 2); e.Fiscal != nil {
		t.Errorf("unanswered document has fiscal result %+v", e.Fiscal)
	}
}

// ReceiptByNumber reads the documents with that number within the shift's seqs, on indexes: not
// the whole shift, nor every shift's document of that number.
func TestReceiptByNumberPlan(t *testing.T) {
	s, _ := historyShop(t)
	plan := explain(t, s.j, `SELECT `+entryColumns+` WHERE `+receiptByNumberWhere+` LIMIT 1`, 3, 2, 2, 2, 3, 2)
	if !strings.Contains(plan, "SEARCH document_keys USING INDEX keys_number (number=? AND seq>? AND seq<?)") {
		t.Errorf("ReceiptByNumber does not search the number within the shift's seqs:\n%s", plan)
	}
	if strings.Contains(plan, "SCAN") || strings.Contains(plan, "TEMP B-TREE") {
		t.Errorf("ReceiptByNumber scans or sorts:\n%s", plan)
	}
	// Every receipt of the shop is found by its shift and number, none keyed, half, or all
	// (keys.go).
	ctx := context.Background()
	for _, keyed := range []int64{0, s.seqs[len(s.seqs)/2], s.seqs[len(s.seqs)-1]} {
		keyUpTo(t, s.j, keyed)
		for i, d := range s.docs {
			if d.Kind != kkm.KindReceipt {
				continue
			}
			e, err := s.j.ReceiptByNumber(ctx, d.ShiftNumber, d.Number)
			if err != nil || e.Seq != s.seqs[i] {
				t.Errorf("keyed to %d: ReceiptByNumber(%d, %d) = %d, %v; want %d", keyed, d.ShiftNumber, d.Number, e.Seq, err, s.seqs[i])
			}
		}
	}
	if _, err := s.j.ReceiptByNumber(ctx, 99, 1); !errors.Is(err, ErrNotFound) {
		t.Errorf("ReceiptByNumber of a shift not in the journal: %v, want ErrNotFound", err)
	}
}

func TestPagesNewestFirst(t *testing.T) {
	j := openTemp(t)
	d := newDesk(t, j)
	ctx := context.Background()
	start := d.now
	for i := 0; i < 7; i++ { // shift 1: seq 1..7 paid by card, so the Z (8) needs no cash out
		d.simpleSale(10_000, false)
	}
	d.commit(d.reg.CloseShift(d.op, d.tick(), false))
	mid := d.now.Add(time.Second)
	for i := 0; i < 3; i++ { // shift 2: seq 9..11
		d.simpleSale(10_000, false)
	}

	collect := func(list func(Page) ([]Entry, error), limit int) [][]int64 {
		var pages [][]int64
		p := Page{Limit: limit}
		for {
			es, err := list(p)
			if err != nil {
				t.Fatal(err)
			}
			if len(es) == 0 {
				return pages
			}
			var seqs []int64
			for _, e := range es {
				seqs = append(seqs, e.Seq)
			}
			pages = append(pages, seqs)
			p.Before = es[len(es)-1].Seq
		}
	}
	tests := []struct {
		name string
		list func(Page) ([]Entry, error)
		want [][]int64
	}{
		{"shift 1", func(p Page) ([]Entry, error) { return j.DocumentsByShift(ctx, 1, p) },
			[][]int64{{8, 7, 6, 5}, {4, 3, 2, 1}}},
		{"shift 2", func(p Page) ([]Entry, error) { return j.DocumentsByShift(ctx, 2, p) },
			[][]int64{{11, 10, 9}}},
		{"shift 3 is empty", func(p Page) ([]Entry, error) { return j.DocumentsByShift(ctx, 3, p) }, nil},
		{"period of shift 1", func(p Page) ([]Entry, error) { return j.DocumentsByPeriod(ctx, start, mid, p) },
			[][]int64{{8, 7, 6, 5}, {4, 3, 2, 1}}},
		{"period from mid", func(p Page) ([]Entry, error) { return j.DocumentsByPeriod(ctx, mid, d.now.Add(time.Hour), p) },
			[][]int64{{11, 10, 9}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := collect(tt.list, 4); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("pages = %v, want %v", got, tt.want)
			}
		})
	}
	if es, err := j.DocumentsByShift(ctx, 1, Page{}); err != nil || len(es) != 8 {
		t.Errorf("default page: %d entries, %v", len(es), err)
	}
}

func TestReturnedAgainstParent(t *testing.T) {
	j := openTemp(t)
	d := newDesk(t, j)
	ctx := context.Background()
	online := d.simpleSale(100_000, false) // 1
	offline := d.simpleSale(80_000, true)  // 2, offline number 1
	if err := j.CompleteOutbox(ctx, online, FiscalResult{Sign: "555", At: d.now}, 1); err != nil {
		t.Fatal(err)
	}
	if err := j.CompleteOutbox(ctx, offline, FiscalResult{Sign: "777", At: d.now}, 2); err != nil {
		t.Fatal(err)
	}
	parent := func(number string, total kkm.Money) kkm.ParentReceipt {
		return kkm.ParentReceipt{Number: number, Time: d.now, RNM: "010101012345", Total: total}
	}
	d.simpleReturn(10_000, parent("555", 100_000))
	d.simpleReturn(5_000, parent("1", 80_000))   // the offline receipt by its offline number
	d.simpleReturn(7_000, parent("777", 80_000)) // and by its fiscal sign, later
	d.simpleReturn(3_000, parent("999", 50_000)) // a receipt of another journal
	d.simpleReturn(2_000, parent("999", 50_000))

	tests := []struct {
		parent    kkm.ParentReceipt
		wantCount int
		wantTotal kkm.Money
	}{
		{parent("555", 100_000), 1, 10_000},
		{parent("1", 80_000), 2, 12_000},
		{parent("777", 80_000), 2, 12_000},
		{parent("999", 50_000), 2, 5_000},
		{parent("12345", 1), 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.parent.Number, func(t *testing.T) {
			r, err := j.Returned(ctx, tt.parent)
			if err != nil {
				t.Fatal(err)
			}
			if len(r.Receipts) != tt.wantCount || r.Total != tt.wantTotal {
				t.Errorf("Returned = %d receipts, total %d; want %d, %d", len(r.Receipts), r.Total, tt.wantCount, tt.wantTotal)
			}
			var q kkm.Quantity
			var sum kkm.Money
			for _, l := range r.Lines {
				q += l.Quantity
				sum += l.Sum
			}
			if sum != tt.wantTotal || q != kkm.Quantity(tt.wantCount)*kkm.QuantityOne {
				t.Errorf("Lines = %+v", r.Lines)
			}
		})
	}
}

func TestReturnedPerItemFeedsValidateReturn(t *testing.T) {
	j := openTemp(t)
	d := newDesk(t, j)
	ctx := context.Background()
	seq := d.sale(false)
	if err := j.CompleteOutbox(ctx, seq, FiscalResult{Sign: "9001", At: d.now}, 1); err != nil {
		t.Fatal(err)
	}
	orig, _ := j.Document(ctx, seq)
	parent := kkm.ParentReceipt{Number: "9001", Time: orig.Document.Time, RNM: "010101012345", Total: orig.Document.Total()}
	ret := fiveItems(kkm.OpSaleReturn)
	ret.Lines = ret.Lines[:1] // one of the two loaves
	ret.Lines[0].Quantity = 1000
	ret.Payments = nil
	ret.Payments = []kkm.Payment{{Type: kkm.PayCash, Sum: 25000}}
	ret.Parent = &parent
	for i := 0; i < 2; i++ {
		returned, err := j.Returned(ctx, parent)
		if err != nil {
			t.Fatal(err)
		}
		iss, err := d.reg.IssueReceipt(ret, d.op, d.tick(), false)
		if err != nil {
			t.Fatal(err)
		}
		if err := kkm.ValidateReturn(*orig.Document.Receipt, returned.Receipts, *iss.Documents[0].Receipt); err != nil {
			t.Fatalf("return %d refused: %v", i+1, err)
		}
		d.commit(iss, nil)
	}
	returned, _ := j.Returned(ctx, parent)
	if len(returned.Lines) != 1 || returned.Lines[0].Quantity != 2000 || returned.Lines[0].Name != "Нан бөлкесі" {
		t.Fatalf("Lines = %+v", returned.Lines)
	}
	iss, err := d.reg.IssueReceipt(ret, d.op, d.tick(), false)
	if err != nil {
		t.Fatal(err)
	}
	if err := kkm.ValidateReturn(*orig.Document.Receipt, returned.Receipts, *iss.Documents[0].Receipt); err == nil {
		t.Error("a third loaf of two was accepted")
	}
}

func TestSettingsAndCashiers(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "j.db")
	j, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok, err := j.Settings(ctx); ok || err != nil {
		t.Fatalf("fresh Settings: ok=%v err=%v", ok, err)
	}
	want := kkm.Settings{SystemID: 200773, Token: 4000000001, RegisterName: "Касса №1", VATPayer: true,
		DefaultVATRate: kkm.VAT16, OfflineLimit: kkm.DefaultOfflineLimit,
		Reg: kkm.RegInfo{OrgTitle: "ЖШС «Ақжол»", RNM: "010101012345"}}
	if err := j.SaveSettings(ctx, want); err != nil {
		t.Fatal(err)
	}
	a, err := j.AddCashier(ctx, kkm.Cashier{Name: "Айгүл", OperatorCode: 1, Role: kkm.RoleAdministrator, CodeHash: []byte{1, 2}})
	if err != nil {
		t.Fatal(err)
	}
	b, err := j.AddCashier(ctx, kkm.Cashier{Name: "Бауыржан", OperatorCode: 2, Role: kkm.RoleCashier})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := j.AddCashier(ctx, kkm.Cashier{Name: "Copy", OperatorCode: 1, Role: kkm.RoleCashier}); !errors.Is(err, ErrDuplicateOperatorCode) {
		t.Errorf("duplicate operator code: %v", err)
	}
	b.Email = "b@example.kz"
	b.OperatorCode = 1
	if err := j.UpdateCashier(ctx, b); !errors.Is(err, ErrDuplicateOperatorCode) {
		t.Errorf("update to a taken code: %v", err)
	}
	b.OperatorCode = 3
	if err := j.UpdateCashier(ctx, b); err != nil {
		t.Fatal(err)
	}
	j.Close()

	j, err = Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	got, ok, err := j.Settings(ctx)
	if !ok || err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("Settings after reopen = %+v, %v, %v", got, ok, err)
	}
	all, err := j.Cashiers(ctx)
	if err != nil || !reflect.DeepEqual(all, []kkm.Cashier{a, b}) {
		t.Errorf("Cashiers = %+v, %v", all, err)
	}
	if c, err := j.CashierByOperatorCode(ctx, 3); err != nil || c.ID != b.ID || c.Email != "b@example.kz" {
		t.Errorf("CashierByOperatorCode(3) = %+v, %v", c, err)
	}
	if err := j.DeleteCashier(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := j.Cashier(ctx, a.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("deleted cashier: %v", err)
	}
	if err := j.DeleteCashier(ctx, a.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("delete twice: %v", err)
	}
	if err := j.UpdateCashier(ctx, a); !errors.Is(err, ErrNotFound) {
		t.Errorf("update of a deleted cashier: %v", err)
	}
}
