// Package crashdrill holds the register's crash consistency drill (design.md §3, issue 7 item 1).
//
// The drill is a test (crashdrill_test.go): the parent runs the OFD emulator on loopback and
// prepares a journal with a connected register; then, again and again, it starts a real child
// process (the test binary re-executed) that opens the same journal file and an app.Runtime and
// issues documents in a loop — cash and card sales (most in extended mode, the first line named
// after the draft: "Тауар drill-<child's seed>-<n>"), returns naming earlier sales, cash in and
// out, X reports and now and then a Z — printing "done <seq> <kind> <total> <unix ms> [draft]"
// after each issue call returns, and kills it with SIGKILL at a random instant. After the last
// kill it drains the outbox with a fresh Runtime and checks that
//
//   - the journal's hash chain verifies from the first row;
//   - every document a child reported done is in the journal, as reported (nothing lost);
//   - no draft is in the journal twice, and a sale reported done is the draft it was issued from;
//   - the emulator's ledger holds each fiscal document of the journal exactly once (receipts by
//     fiscal sign, cash placements, closed shifts, and no TOKEN/REQNUM processed twice);
//   - what the ledger holds is what the journal holds, amount by amount: each receipt's
//     operation, total, shift and offline number, the totals per operation, each cash
//     placement's operation, sum, shift and offline flag in order, the shifts closed;
//   - the register's counters equal a recount over the journal's documents, and agree with the
//     emulator's drawer and shift;
//   - the outbox is drained and the journal's token is the one the emulator expects.
//
// The number of kills is EKASSA_CRASH_KILLS: `make crash` runs 1 000 (CRASH_KILLS); a plain
// go test (make test) runs 40, 15 with -short. The figures are printed with t.Logf and as the
// test's last line:
//
//	crash drill: kills=1000 documents=… done=… fiscal=… drafts=… duplicates=0 lost=0 ...
//
// The storage package's own crash test (storage/crash_test.go) kills a child inside the real
// Journal.Commit's transaction.
//
// Its tests are its content; nothing imports it.
package crashdrill
