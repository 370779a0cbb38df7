package kkm

// Register is the register's settings and state together, with the methods that issue documents.
//
// The methods are pure: they take the Register by value, never change it, and return the new
// documents with the State after them (an Issued). On error nothing has changed. The caller (the
// app) commits the returned documents and State to the journal in one transaction, and only then
// replaces its Register's State with Issued.State:
//
//	iss, err := reg.IssueReceipt(draft, op, now, offline)
//	if err != nil { show(err); return }
//	if err := journal.Commit(ctx, iss); err != nil { ...; return }
//	reg.State = iss.State
type Register struct {
	Settings Settings `json:"settings"`
	State    State    `json:"state"`
}

// Issued is what an issuing method returns: the documents issued, in order (a Z report with
// auto cash-out issues the cash out first, then the Z), and the register's State after the last.
type Issued struct {
	Documents []Document `json:"documents"`
	State     State      `json:"state"`
}
