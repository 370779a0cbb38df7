package storage

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"
)

// answerTo is the OFD's answer to document seq in these tests.
func answerTo(seq int64) FiscalResult {
	return FiscalResult{Sign: fmt.Sprint(900_000 + seq), QRLink: fmt.Sprintf("http://consumer.oofd.kz?i=%d&f=1&s=10.00", 900_000+seq),
		At: time.Date(2026, 3, 2, 12, 0, int(seq), 0, time.UTC)}
}

// logRig is a journal with a backlog of offline receipts whose head has its request, drained as
// the sender drains it; it can be killed (the files left as a killed process leaves them) and
// opened again.
type logRig struct {
	t    *testing.T
	path string
	j    *Journal
	sent map[int64]Request // the request each document went out with
	// token is the link's token: the last answer's
	token uint32
	d     *desk // the register that issued the backlog, for sales issued while it drains
}

func newLogRig(t *testing.T, backlog int) *logRig {
	t.Helper()
	ctx := context.Background()
	r := &logRig{t: t, path: filepath.Join(t.TempDir(), "journal.db"), sent: map[int64]Request{}, token: 100}
	r.open()
	d := newDesk(t, r.j)
	r.d = d
	for i := 0; i < backlog; i++ {
		d.sale(true)
	}
	if err := r.j.SetLinkState(ctx, LinkState{Token: r.token, LastReqnum: 10}); err != nil {
		t.Fatal(err)
	}
	req, err := r.j.AssignNextRequest(ctx, 1, r.token, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	r.sent[1] = req
	return r
}

func (r *logRig) open() {
	r.t.Helper()
	j, err := Open(context.Background(), r.path)
	if err != nil {
		r.t.Fatalf("Open: %v", err)
	}
	r.j = j
	if r.d != nil {
		r.d.j = j
	}
	r.t.Cleanup(func() { j.Close() })
}

// answer answers the oldest waiting document seq and returns the next one.
func (r *logRig) answer(seq int64) *OutboxEntry {
	r.t.Helper()
	r.token++
	next, err := r.j.CompleteAndAssignNext(context.Background(), seq, answerTo(seq), r.token, time.Time{})
	if err != nil {
		r.t.Fatalf("CompleteAndAssignNext(%d): %v", seq, err)
	}
	if next != nil {
		if next.Request == nil || next.Request.Token != r.token {
			r.t.Fatalf("the next entry %d came back with request %+v; want token %d", next.Seq, next.Request, r.token)
		}
		r.sent[next.Seq] = *next.Request
	}
	return next
}

// kill lets the journal go as a killed process does: nothing applied, checkpointed or closed
// in order (closeDB releases the lock and the files, as the kernel does).
func (r *logRig) kill() {
	r.t.Helper()
	r.j.closeDB()
}

// stored counts the answers SQLite itself holds, read past the journal.
func (r *logRig) stored() int {
	r.t.Helper()
	db, err := sql.Open("sqlite", "file:"+r.path+"?mode=ro")
	if err != nil {
		r.t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow(`SELECT COUNT(*) FROM fiscal_results`).Scan(&n); err != nil {
		r.t.Fatal(err)
	}
	return n
}

// check asserts that documents 1..answered hold their answers, the next waits with the request
// it went out with, and the link's token is the last answer's.
func (r *logRig) check(answered int64) {
	r.t.Helper()
	ctx := context.Background()
	for seq := int64(1); seq <= answered; seq++ {
		want := answerTo(seq)
		if got, err := r.j.FiscalResult(ctx, seq); err != nil || got != want {
			r.t.Errorf("FiscalResult(%d) = %+v, %v; want %+v", seq, got, err, want)
		}
	}
	head, err := r.j.NextOutbox(ctx)
	if err != nil {
		r.t.Fatalf("NextOutbox: %v", err)
	}
	if head.Seq != answered+1 || head.Request == nil || *head.Request != r.sent[head.Seq] {
		r.t.Errorf("the head is %d with request %+v; want %d with %+v (the request it went out with)",
			head.Seq, head.Request, answered+1, r.sent[answered+1])
	}
	l, err := r.j.LinkState(ctx)
	if err != nil || l.Token != r.sent[head.Seq].Token || l.LastReqnum != r.sent[head.Seq].Reqnum {
		r.t.Errorf("the link is %+v, %v; want token %d, last REQNUM %d", l, err, r.sent[head.Seq].Token, r.sent[head.Seq].Reqnum)
	}
	if _, err := r.j.VerifyAll(ctx); err != nil {
		r.t.Errorf("VerifyAll: %v", err)
	}
}

// TestLoggedAnswersSurviveAKill drains part of a backlog (the first answer by a transaction,
// the next ones by the answer log), kills the journal with the answers in the log only, and
// opens it again: every answer is there, the next document waits with the request it went out
// with, the link carries the last token, and the drain goes on.
func TestLoggedAnswersSurviveAKill(t *testing.T) {
	r := newLogRig(t, 12)
	for seq := int64(1); seq <= 6; seq++ {
		r.answer(seq)
	}
	if n := r.j.ans.count.Load(); n != 5 {
		t.Fatalf("%d answers in the log; want 5 (2..6: the first starts the stream by a transaction)", n)
	}
	r.kill()
	if n := r.stored(); n != 1 {
		t.Fatalf("SQLite holds %d answers before the replay; want 1 (the others in the log only)", n)
	}
	r.open()
	if n := r.stored(); n != 6 {
		t.Errorf("SQLite holds %d answers after the replay; want 6", n)
	}
	r.check(6)
	for seq := int64(7); seq <= 12; seq++ {
		r.answer(seq)
	}
	if err := r.j.Close(); err != nil {
		t.Fatal(err)
	}
	r.open()
	if head, err := r.j.NextOutbox(context.Background()); err == nil {
		t.Errorf("the outbox still holds %d", head.Seq)
	}
	if _, err := r.j.VerifyAll(context.Background()); err != nil {
		t.Errorf("VerifyAll: %v", err)
	}
}

// TestTornAnswerRecord: a record whose write did not reach the disk whole (its sync never
// returned, so the next document never left) is not applied, nor anything after it; its
// document waits with the request it went out with, so its resend is a replay.
func TestTornAnswerRecord(t *testing.T) {
	r := newLogRig(t, 8)
	for seq := int64(1); seq <= 5; seq++ {
		r.answer(seq)
	}
	r.kill()
	// Records: 2, 3, 4, 5. Tear the third (document 4's) in its middle.
	b, err := os.ReadFile(AnswerLogFile(r.path))
	if err != nil {
		t.Fatal(err)
	}
	off := 0
	for k := 0; k < 2; k++ {
		_, n, err := decodeAnswerRecord(b[off:])
		if err != nil {
			t.Fatalf("record %d: %v", k, err)
		}
		off += n
	}
	_, n, _ := decodeAnswerRecord(b[off:])
	f, err := os.OpenFile(AnswerLogFile(r.path), os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt(make([]byte, n/2), int64(off+n/2)); err != nil {
		t.Fatal(err)
	}
	f.Close()
	r.open()
	r.check(3)
}

// TestStaleAnswerRecordsAreNotReplayed: once SQLite holds the logged answers the log starts
// again from its beginning, and the older records further on in the file are never applied;
// nor is a log another journal wrote (its seals are of another key).
func TestStaleAnswerRecordsAreNotReplayed(t *testing.T) {
	r := newLogRig(t, 12)
	for seq := int64(1); seq <= 6; seq++ {
		r.answer(seq) // 2..6 logged
	}
	theirs, err := os.ReadFile(AnswerLogFile(r.path))
	if err != nil {
		t.Fatal(err)
	}
	// A read applies them (settle); the stream starts again by a transaction (7), then 8 is
	// logged at the log's start, before the records of 3..6.
	if _, err := r.j.OutboxStats(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := r.j.ans.count.Load(); n != 0 {
		t.Fatalf("%d answers still logged after a read", n)
	}
	r.answer(7)
	r.answer(8)
	if n := r.j.ans.count.Load(); n != 1 {
		t.Fatalf("%d answers logged; want 1 (document 8)", n)
	}
	r.kill()
	recs, err := openAndRead(AnswerLogFile(r.path))
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) < 5 || recs[0].seq != 8 || recs[1].seq != 3 {
		t.Fatalf("the log holds %d records from %v; want 8, then the stale 3..6", len(recs), seqsOf(recs))
	}
	r.open()
	r.check(8)

	// Another journal, with the same backlog drained by transactions to the same point, given
	// this one's log: the chain would fit, the seals do not.
	o := newLogRig(t, 12)
	o.sent[1] = r.sent[1]
	ctx := context.Background()
	for seq := int64(1); seq <= 1; seq++ {
		o.answer(seq)
	}
	o.kill()
	if err := os.WriteFile(AnswerLogFile(o.path), theirs, 0o600); err != nil {
		t.Fatal(err)
	}
	o.open()
	if n := o.stored(); n != 1 {
		t.Errorf("the other journal applied %d answers; want its own 1", n)
	}
	if _, err := o.j.FiscalResult(ctx, 2); err == nil {
		t.Error("the other journal took an answer from a log sealed with another key")
	}
}

// openAndRead reads the records of the answer log at path.
func openAndRead(path string) ([]answerRecord, error) {
	l, recs, err := openAnswerLog(path)
	if err != nil {
		return nil, err
	}
	return recs, l.close()
}

func seqsOf(recs []answerRecord) []int64 {
	var out []int64
	for _, r := range recs {
		out = append(out, r.seq)
	}
	return out
}

// TestReadsAndWritesSeeLoggedAnswers: a read of the history, the queue or an answer, and a new
// sale's commit, each find the answers the log holds in SQLite; the log empties.
func TestReadsAndWritesSeeLoggedAnswers(t *testing.T) {
	ctx := context.Background()
	r := newLogRig(t, 10)
	for seq := int64(1); seq <= 4; seq++ {
		r.answer(seq)
	}
	page, err := r.j.History(ctx, HistoryQuery{}, Page{Limit: 20})
	if err != nil {
		t.Fatal(err)
	}
	signed := 0
	for _, e := range page.Entries {
		if e.Fiscal != nil && e.Fiscal.Sign != "" {
			signed++
		}
	}
	if signed != 4 || r.j.ans.count.Load() != 0 {
		t.Errorf("the history shows %d signed documents with %d answers still logged; want 4 and 0", signed, r.j.ans.count.Load())
	}
	r.answer(5) // a transaction: the stream starts again
	r.answer(6)
	r.answer(7)
	if n := r.j.ans.count.Load(); n != 2 {
		t.Fatalf("%d logged; want 2", n)
	}
	d := newDesk(t, r.j)
	st, err := r.j.State(ctx)
	if err != nil {
		t.Fatal(err)
	}
	d.reg.State = st
	d.now = time.Date(2026, 3, 2, 11, 0, 0, 0, time.UTC)
	d.sale(true)
	if n := r.j.ans.count.Load(); n != 0 || r.stored() != 7 {
		t.Errorf("after a sale's commit %d answers are logged and SQLite holds %d; want 0 and 7", n, r.stored())
	}
	r.check(7)
}

// TestAnswerRecordRoundTrip encodes and decodes records of every shape.
func TestAnswerRecordRoundTrip(t *testing.T) {
	begin := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	for _, r := range []answerRecord{
		{seq: 1, answered: Request{Token: 1, Reqnum: 65535}, sign: "123", signOK: true, qr: "http://x", at: 1, mac: []byte{1, 2},
			token: 2, next: 2, nextReq: Request{Token: 2, Reqnum: 0}},
		{seq: 1 << 40, answered: Request{Token: 4e9, Reqnum: 7, OfflineBegin: begin}, qr: "", at: 1 << 41, token: 3,
			next: 1<<40 + 9, nextReq: Request{Token: 3, Reqnum: 8, OfflineBegin: begin}},
		{seq: 5, sign: string(bytes.Repeat([]byte("ә"), 50)), signOK: true, qr: string(bytes.Repeat([]byte("q"), 900)), next: 6},
	} {
		b := r.encode(nil)
		got, n, err := decodeAnswerRecord(append(b, 0, 0, 0))
		if err != nil || n != len(b) {
			t.Fatalf("decode(%+v) = %d bytes, %v; want %d", r, n, err, len(b))
		}
		if len(got.mac) == 0 {
			got.mac = r.mac // nil and empty are the same seal
		}
		if !reflect.DeepEqual(got, r) {
			t.Errorf("round trip:\n got %+v\nwant %+v", got, r)
		}
	}
}

// FuzzDecodeAnswerRecord: any bytes decode to a record or to errNoRecord, never a panic, and a
// record decoded encodes to bytes that decode to it again.
func FuzzDecodeAnswerRecord(f *testing.F) {
	r := answerRecord{seq: 3, answered: Request{Token: 9, Reqnum: 4}, sign: "77", signOK: true, qr: "http://q", at: 99,
		mac: []byte("0123456789abcdef0123456789abcdef"), token: 10, next: 4, nextReq: Request{Token: 10, Reqnum: 5}}
	f.Add(r.encode(nil))
	f.Add([]byte{})
	f.Add(make([]byte, 64))
	f.Fuzz(func(t *testing.T, b []byte) {
		got, n, err := decodeAnswerRecord(b)
		if err != nil {
			return
		}
		again, m, err := decodeAnswerRecord(got.encode(nil))
		if err != nil || m == 0 || !reflect.DeepEqual(again, got) {
			t.Errorf("decoded %+v from %x; its encoding decodes to %+v, %v", got, b[:n], again, err)
		}
	})
}

// TestKilledAfterEveryAnswer kills the journal after each answer of a drain, by the log or by a
// transaction, with the log's records applied or not, and opens it again: each time every
// answer given is there and the next document waits with the request it went out with.
func TestKilledAfterEveryAnswer(t *testing.T) {
	defer func(old int) { answerFoldAt = old }(answerFoldAt)
	answerFoldAt = 3      // a fold every third logged answer, so kills fall before, at and after one
	r := newLogRig(t, 17) // one more than answered, so a head always waits to be checked
	for seq := int64(1); seq < 16; seq++ {
		r.answer(seq)
		r.answer(seq + 1) // two answers a life: the second one logged unless a fold came between
		seq++
		r.kill()
		r.open()
		r.check(seq)
	}
}

// TestAnswerLogWriteFails: when the log cannot be written the answer takes the transaction's
// way, with the answers logged before it, and nothing is lost.
func TestAnswerLogWriteFails(t *testing.T) {
	r := newLogRig(t, 8)
	for seq := int64(1); seq <= 3; seq++ {
		r.answer(seq) // 2, 3 logged
	}
	r.j.ans.answers.f.Close() // every write to it fails from now on
	r.answer(4)
	r.answer(5)
	if n := r.j.ans.count.Load(); n != 0 || r.stored() != 5 {
		t.Errorf("%d answers logged, SQLite holds %d; want 0 and 5", n, r.stored())
	}
	r.check(5)
}

// TestRestoreOverADrainingBacklog: a backup restored over a journal whose backlog drains through
// the log (the same documents, fewer answers) leaves the journal at the backup's head; an answer
// to the entry the old files were at is refused, not logged.
func TestRestoreOverADrainingBacklog(t *testing.T) {
	ctx := context.Background()
	r := newLogRig(t, 8)
	registered(t, r.j, 777, "010100777001", "SWK00000001")
	r.answer(1)
	r.answer(2) // logged
	backup := filepath.Join(t.TempDir(), "b.ekassa")
	if _, err := r.j.Backup(ctx, backup, testPassword); err != nil {
		t.Fatal(err)
	}
	sentAtBackup := r.sent[3]
	r.answer(3)
	r.answer(4) // logged: the stream's head is 5
	if _, err := r.j.RestoreFrom(ctx, backup, testPassword); err != nil {
		t.Fatalf("RestoreFrom: %v", err)
	}
	if _, err := r.j.CompleteAndAssignNext(ctx, 5, answerTo(5), 999, time.Time{}); err == nil {
		t.Error("an answer to entry 5 was taken after the restore put the head back at 3")
	}
	if _, err := r.j.FiscalResult(ctx, 5); err == nil {
		t.Error("entry 5 holds an answer")
	}
	r.sent[3] = sentAtBackup
	r.token = sentAtBackup.Token
	r.check(2)
	r.answer(3)
	r.answer(4)
	r.check(4)
}

// TestReplaceKeepsTheDamagedJournalsAnswers: a journal replaced from a backup taken while its
// backlog drained carries on from the OFD's last answer, which only the damaged journal's answer
// log held; a copy of the log stays beside the damaged journal.
func TestReplaceKeepsTheDamagedJournalsAnswers(t *testing.T) {
	ctx := context.Background()
	r := newLogRig(t, 8)
	r.answer(1)
	backup := filepath.Join(t.TempDir(), "b.ekassa")
	if _, err := r.j.Backup(ctx, backup, testPassword); err != nil {
		t.Fatal(err)
	}
	r.answer(2)
	r.answer(3) // logged, and left in the log by the kill
	r.kill()
	_, damaged, err := ReplaceFromBackup(ctx, r.path, backup, testPassword)
	if err != nil {
		t.Fatalf("ReplaceFromBackup: %v", err)
	}
	if _, recs, err := openAnswerLog(AnswerLogFile(damaged)); err != nil || len(recs) < 2 {
		t.Errorf("the answer log kept aside holds %d records (%v); want the two logged", len(recs), err)
	}
	r.open()
	r.check(3)
	r.answer(4)
	r.check(4)
}

// TestSalesWhileABacklogDrains: receipts committed while a backlog longer than one read-ahead
// batch drains are answered after it in order, and each entry goes out with the request the
// answer before gave it (a sale drops what was read ahead; the next read finds the new entry).
func TestSalesWhileABacklogDrains(t *testing.T) {
	ctx := context.Background()
	total := int64(2*aheadBatch + 3)
	r := newLogRig(t, int(total))
	for seq := int64(1); ; seq++ {
		if seq%7 == 0 {
			r.d.sale(true) // queued behind the backlog
			total++
		}
		if seq == total && r.j.ans.count.Load() == 0 {
			t.Error("no answer after the last sale was logged")
		}
		next := r.answer(seq)
		if seq == total {
			if next != nil {
				t.Fatalf("after the last entry %d came %d", seq, next.Seq)
			}
			break
		}
		if next == nil || next.Seq != seq+1 {
			t.Fatalf("after %d the next entry is %+v; want %d", seq, next, seq+1)
		}
	}
	for seq := int64(1); seq <= total; seq++ {
		if got, err := r.j.FiscalResult(ctx, seq); err != nil || got != answerTo(seq) {
			t.Errorf("FiscalResult(%d) = %+v, %v", seq, got, err)
		}
	}
	if _, err := r.j.VerifyAll(ctx); err != nil {
		t.Errorf("VerifyAll: %v", err)
	}
}
