package delivery_test

import (
	"database/sql"
	"errors"
	"github.com/ekassa-go/ekassa/delivery"
	"testing"

	"github.com/ekassa-go/ekassa/ofdclient"
	"github.com/ekassa-go/ekassa/storage"
)

// rawJournal opens the rig's journal file beside the journal, for a test that damages it.
func rawJournal(t *testing.T, r *rig) *sql.DB {
	t.Helper()
	dsn, err := storage.DSN(r.path)
	if err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// TestUnsendableDocumentBlocks: a waiting document the register cannot send — its stored
// content no longer decodes, or it decodes but no request can be built of it (ErrDocument) —
// blocks the sender with a local reason code, persisted in the link, instead of being retried
// for ever; the documents behind it are not sent around it; Retry is the way out, and blocks
// again while the cause stands; once the document is repaired, the queue drains in order.
func TestUnsendableDocumentBlocks(t *testing.T) {
	for _, tc := range []struct {
		name   string
		damage string // SQL that damages document ?
		code   uint32
		msg    string
	}{
		// Valid JSON (the journal's operation index reads it), but its time is no time.
		{"content undecodable", `UPDATE documents SET content = json_set(CAST(content AS TEXT), '$.time', 'yesterday') WHERE seq = ?`,
			ofdclient.ResultDocumentUnreadable, "err.ofd.document_unreadable"},
		// A receipt without its receipt: Identity.Request fails with ErrDocument.
		{"request unbuildable", `UPDATE documents SET content = json_remove(CAST(content AS TEXT), '$.receipt') WHERE seq = ?`,
			ofdclient.ResultDocumentUnsendable, "err.ofd.document_unsendable"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t, rigOptions{})
			first, bad, last := r.receipt(bread()), r.receipt(bread()), r.receipt(bread())
			db := rawJournal(t, r)
			var original []byte
			if err := db.QueryRowContext(r.ctx, `SELECT content FROM documents WHERE seq = ?`, bad).Scan(&original); err != nil {
				t.Fatal(err)
			}
			if _, err := db.ExecContext(r.ctx, tc.damage, bad); err != nil {
				t.Fatal(err)
			}

			blocked := func(when string) {
				t.Helper()
				n, err := r.sender.Drain(r.ctx)
				var re *ofdclient.ResultError
				if !errors.As(err, &re) || re.Code != tc.code || re.MessageID() != tc.msg {
					t.Fatalf("%s: drain after %d documents: %v; want a block with the local code %d", when, n, err, tc.code)
				}
				st := r.sender.State()
				if st.Mode != delivery.ModeBlocked || st.Block == nil || st.Block.Code != tc.code || !st.OfflineSince.IsZero() || st.Waiting != 2 {
					t.Fatalf("%s: state %+v; want blocked (not offline) on code %d with 2 waiting", when, st, tc.code)
				}
				if l := r.link(); l.BlockedCode != tc.code || l.InfoText == "" {
					t.Fatalf("%s: the block is not in the journal: %+v", when, l)
				}
				if hs := ticketHeaders(r); len(hs) != 1 {
					t.Fatalf("%s: %d receipts went out; want only the one before the damaged document", when, len(hs))
				}
				for _, seq := range []int64{bad, last} {
					if _, err := r.journal.FiscalResult(r.ctx, seq); !errors.Is(err, storage.ErrNotFound) {
						t.Fatalf("%s: document %d has an answer: %v", when, seq, err)
					}
				}
			}
			blocked("damaged")
			if r.result(first).Sign == "" {
				t.Fatal("the document before the damaged one was not fiscalised")
			}
			// The way out is Retry; while the cause stands it blocks again, sending nothing.
			if err := r.sender.Retry(r.ctx); err != nil {
				t.Fatal(err)
			}
			blocked("retried while damaged")

			if _, err := db.ExecContext(r.ctx, `UPDATE documents SET content = ? WHERE seq = ?`, original, bad); err != nil {
				t.Fatal(err)
			}
			if err := r.sender.Retry(r.ctx); err != nil {
				t.Fatal(err)
			}
			if n := r.drain(); n != 2 {
				t.Fatalf("after the repair %d documents went out, want 2", n)
			}
			hs := ticketHeaders(r)
			if len(hs) != 3 || !(hs[0].ReqNum < hs[1].ReqNum && hs[1].ReqNum < hs[2].ReqNum) {
				t.Fatalf("receipts sent: %+v; want three, in order", hs)
			}
			if r.tg.emulated() {
				if got := len(r.ledger().Receipts); got != 3 {
					t.Errorf("the OFD holds %d receipts, want 3", got)
				}
			}
		})
	}
}
