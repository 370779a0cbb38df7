package kkm

import "time"

// Register is the register's settings and state together, with the methods that issue documents.
//
// The methods are pure: they take the Register by value, never change it, and return the new
// documents with the State after them (an Issued). On error nothing has changed. The caller (the
// app) commits the returned documents and State to the journal in one transaction, and only then
// replaces its Register's State with Issued.State:
//
//	iss, err := reg.IssueReceipt(draft, op, now, offline)
//	if err != nil { show(err); return }
//	iss = reg.Finish(iss, &position) // printed text, position, offline check link
//	if err := journal.Commit(ctx, iss); err != nil { ...; return }
//	reg.State = iss.State
//
// A return of a receipt in the journal is issued with IssueReturn, which checks it against the
// original and the returns already made of it.
type Register struct {
	Settings Settings `json:"settings"`
	State    State    `json:"state"`
}

// Issued is what an issuing method returns: the documents issued, in order (a Z report with
// auto cash-out issues the cash out first, then the Z), and the register's State after the last.
type Issued struct {
	Documents []Document `json:"documents"`
	State     State      `json:"state"`
	// CheckLinks is, once Register.Finish has completed the documents, the check link each one's
	// QR code holds as issued (CheckLink before the OFD's answer): a receipt issued offline has
	// its locally built one, every other document "" (an online receipt gets the OFD's).
	CheckLinks []string `json:"check_links,omitempty"`
}

// Finish completes issued documents as the register hands them to the journal and the OFD, so
// that nothing outside kkm assembles a document: each gets where the register was when it issued
// it (at, sent with it as security_stats.geo_position; nil leaves Geo as it is), its printed text
// (PrintedTicket under r's settings: what the paper shows, the journal keeps and the OFD receives
// as printed_ticket), and Issued.CheckLinks its check link as issued (CheckLink, the one place an
// offline receipt's link is built). r is the register the documents were issued from. Finish
// works on a copy of the documents: iss is left as it was.
func (r Register) Finish(iss Issued, at *GeoPosition) Issued {
	out := iss
	out.Documents = append([]Document(nil), iss.Documents...)
	out.CheckLinks = make([]string, len(out.Documents))
	for i := range out.Documents {
		d := &out.Documents[i]
		if at != nil {
			p := *at
			d.Geo = &p
		}
		d.Text = PrintedTicket(*d, r.Settings)
		out.CheckLinks[i] = CheckLink(*d, r.Settings, FiscalMark{})
	}
	return out
}

// shiftLimit returns the configured shift limit (the default when unset), or the OFD's own where
// it showed itself shorter (State.OFDShiftLimit).
func (r Register) shiftLimit() time.Duration {
	limit := DefaultShiftLimit
	if r.Settings.ShiftLimit > 0 {
		limit = r.Settings.ShiftLimit
	}
	if l := r.State.OFDShiftLimit; l > 0 && l < limit {
		limit = l
	}
	return limit
}

// ShiftLimit returns how long a shift may last: the settings' limit, or the OFD's where it
// showed itself shorter.
func (r Register) ShiftLimit() time.Duration { return r.shiftLimit() }

// ShiftExpired reports whether the open shift has lasted the shift limit or longer at now; then
// only the Z report may be issued.
//
// A shift opened after the forward-only mark (possible only after a clock correction: the shift
// was opened in a wrong future) is over too: it allows only its Z (clockcorrection.go).
func (r Register) ShiftExpired(now time.Time) bool {
	if r.State.ShiftOpen && r.State.ShiftOpenedAt.After(r.State.LastDocumentTime) {
		return true
	}
	return r.State.ShiftOpen && now.Sub(r.State.ShiftOpenedAt) >= r.shiftLimit()
}

// ShiftTimeLeft returns how long the open shift may still last at now (0 once expired). With no
// shift open it returns the whole shift limit: the next document opens a fresh shift.
func (r Register) ShiftTimeLeft(now time.Time) time.Duration {
	if !r.State.ShiftOpen {
		return r.shiftLimit()
	}
	left := r.State.ShiftOpenedAt.Add(r.shiftLimit()).Sub(now)
	if left < 0 {
		return 0
	}
	return left
}

// checkClock refuses a time before the last document's (ErrClockBackwards).
func (r Register) checkClock(now time.Time) error {
	if now.Before(r.State.LastDocumentTime) {
		return newError(ErrClockBackwards, "Last", r.State.LastDocumentTime, "Now", now)
	}
	return nil
}

// CanIssue reports whether a receipt or cash operation may be issued at now: the clock has not
// gone back before the last document (ErrClockBackwards) and the open shift has not reached its
// limit (ErrShiftExpired). The offline limit depends on the outbox; see CheckOfflineLimit.
func (r Register) CanIssue(now time.Time) error {
	if err := r.checkClock(now); err != nil {
		return err
	}
	if r.ShiftExpired(now) {
		return newError(ErrShiftExpired, "OpenedAt", r.State.ShiftOpenedAt,
			"Hours", int64(r.shiftLimit()/time.Hour))
	}
	return nil
}

// IssueReceipt computes the draft (see ComputeReceipt) and issues it as a receipt at now by op;
// offline says the register is offline, and the receipt then gets the next offline number. The
// first document after a Z (or ever) opens the next shift. A receipt that pays out cash (a sale
// return or a purchase) is refused when the drawer holds less (ErrCashInsufficient).
//
// A return is checked here only for naming a complete original; when the original is in the
// journal, IssueReturn issues it, checked against the original and the returns made of it.
func (r Register) IssueReceipt(draft ReceiptDraft, op Operator, now time.Time, offline bool) (Issued, error) {
	return r.issueReceipt(draft, op, now, offline, nil)
}

// IssueReturn issues a return of original, a receipt of this register, after the returns already
// made of it (returned, oldest first): the return is computed once, checked against them
// (ValidateReturn: each line refunds its share of what was paid, as ComputeReturn built it; no
// unit or code returned twice) and issued as IssueReceipt issues. draft must be a return.
func (r Register) IssueReturn(draft ReceiptDraft, original Receipt, returned []Receipt, op Operator, now time.Time, offline bool) (Issued, error) {
	if !draft.Operation.Returning() {
		return Issued{}, newError(ErrReturnOperationMismatch)
	}
	return r.issueReceipt(draft, op, now, offline, func(rc Receipt) error {
		return ValidateReturn(original, returned, rc)
	})
}

// issueReceipt computes the draft once, checks the receipt with check (when set) and issues it.
func (r Register) issueReceipt(draft ReceiptDraft, op Operator, now time.Time, offline bool, check func(Receipt) error) (Issued, error) {
	if err := r.CanIssue(now); err != nil {
		return Issued{}, err
	}
	rc, err := ComputeReceipt(draft, r.Settings)
	if err != nil {
		return Issued{}, err
	}
	if check != nil {
		if err := check(rc); err != nil {
			return Issued{}, err
		}
	}
	if cash := rc.Taken - rc.Change; rc.Operation.PaysOut() && cash > r.State.CashInDrawer {
		return Issued{}, newError(ErrCashInsufficient, "Amount", cash, "Cash", r.State.CashInDrawer)
	}
	st := r.State.Clone()
	doc := st.begin(KindReceipt, op, now, offline)
	if err := st.applyReceipt(&rc, offline); err != nil {
		return Issued{}, err
	}
	doc.Receipt = &rc
	return Issued{Documents: []Document{doc}, State: st}, nil
}

// CashIn issues a cash in (внесение) of amount at now by op.
func (r Register) CashIn(amount Money, op Operator, now time.Time, offline bool) (Issued, error) {
	return r.placement(KindCashIn, amount, op, now, offline)
}

// CashOut issues a cash out (изъятие) of amount at now by op; more than the cash in the drawer is
// refused (ErrCashInsufficient).
func (r Register) CashOut(amount Money, op Operator, now time.Time, offline bool) (Issued, error) {
	return r.placement(KindCashOut, amount, op, now, offline)
}

// placement issues a cash in or out.
func (r Register) placement(kind DocumentKind, amount Money, op Operator, now time.Time, offline bool) (Issued, error) {
	if err := r.CanIssue(now); err != nil {
		return Issued{}, err
	}
	if err := CheckPlacement(kind, amount, r.State.CashInDrawer); err != nil {
		return Issued{}, err
	}
	st := r.State.Clone()
	doc := st.begin(kind, op, now, offline)
	if err := st.applyPlacement(kind, amount, offline); err != nil {
		return Issued{}, err
	}
	doc.Cash = amount
	return Issued{Documents: []Document{doc}, State: st}, nil
}

// CheckPlacement says why a cash in or out (kind) of amount is refused with drawer in the drawer,
// or nil: nothing, more than one amount may be (ErrMoneyOverflow), a cash out of more than the
// drawer holds (ErrCashInsufficient), a cash in that takes the drawer past MaxDrawer
// (ErrDrawerLimit). The register issues nothing it refuses, and a screen checks the amount with it
// as it is typed.
func CheckPlacement(kind DocumentKind, amount, drawer Money) error {
	switch {
	case amount <= 0:
		return newError(ErrCashAmountZero)
	case amount > MaxMoney:
		return newError(ErrMoneyOverflow, "Input", amount, "Max", MaxMoney)
	case kind == KindCashOut && amount > drawer:
		return newError(ErrCashInsufficient, "Amount", amount, "Cash", drawer)
	case kind == KindCashIn && amount > MaxDrawer-max(drawer, 0):
		return newError(ErrDrawerLimit, "Max", MaxDrawer, "Cash", drawer)
	}
	return nil
}

// XReport builds the X report of the open shift at now: a snapshot of the counters, costing the
// same however many documents the shift holds. It is not fiscal, takes no document number and
// changes no state. With no shift open it is refused (ErrShiftNotOpen).
func (r Register) XReport(op Operator, now time.Time) (Document, error) {
	if err := r.checkClock(now); err != nil {
		return Document{}, err
	}
	if !r.State.ShiftOpen {
		return Document{}, newError(ErrShiftNotOpen)
	}
	rep := r.State.report(now)
	return Document{Kind: KindXReport, ShiftNumber: r.State.ShiftNumber, Time: now, Operator: op, Report: &rep}, nil
}

// CloseShift closes the open shift at now with a Z report, also past the shift limit. When auto
// cash-out is on and the drawer holds cash, it first issues a cash out of all of it, so Issued
// holds that cash out and then the Z. The Z report's number is the shift number, unique within the
// registration; the next document opens shift N+1. With no shift open it is refused
// (ErrShiftNotOpen).
func (r Register) CloseShift(op Operator, now time.Time, offline bool) (Issued, error) {
	if err := r.checkClock(now); err != nil {
		return Issued{}, err
	}
	if !r.State.ShiftOpen {
		return Issued{}, newError(ErrShiftNotOpen)
	}
	st := r.State.Clone()
	var docs []Document
	if r.Settings.AutoCashOut && st.CashInDrawer > 0 {
		amount := st.CashInDrawer
		doc := st.begin(KindCashOut, op, now, offline)
		if err := st.applyPlacement(KindCashOut, amount, offline); err != nil {
			return Issued{}, err
		}
		doc.Cash = amount
		docs = append(docs, doc)
	}
	doc := st.begin(KindZReport, op, now, offline)
	rep := st.report(now)
	rep.CloseTime = now
	doc.Report = &rep
	st.ShiftOpen = false
	docs = append(docs, doc)
	return Issued{Documents: docs, State: st}, nil
}
