package app

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"github.com/ekassa-go/ekassa/kkm"
	"github.com/ekassa-go/ekassa/storage"
	"github.com/ekassa-go/ekassa/ui"
)

// findOriginal finds the receipt a return names: by fiscal sign, then by offline number.
func (rt *Runtime) findOriginal(ctx context.Context, number string) (storage.Entry, error) {
	e, err := rt.journal.ReceiptByFiscalSign(ctx, number)
	if err == nil {
		return e, nil
	}
	if !errors.Is(err, storage.ErrNotFound) {
		return storage.Entry{}, err
	}
	if n, perr := strconv.ParseUint(number, 10, 32); perr == nil {
		e, err = rt.journal.ReceiptByOfflineNumber(ctx, uint32(n))
		if err == nil && e.Refusal != nil {
			// The OFD refused it: nothing was sold that could come back (a receipt with a
			// fiscal sign was accepted, so only an offline number can name a refused one).
			return storage.Entry{}, errParentRefused
		}
		if err == nil {
			return e, nil
		}
		if !errors.Is(err, storage.ErrNotFound) {
			return storage.Entry{}, err
		}
	}
	return storage.Entry{}, ui.ErrNotFound
}

// errParentRefused refuses a return of a receipt the OFD refused.
var errParentRefused = ui.Refusal("err.return.parent_refused")

// FindReceipt finds a receipt by its fiscal sign, its offline number or its journal number.
func (rt *Runtime) FindReceipt(ctx context.Context, number string) (ui.IssuedDocument, error) {
	number = strings.TrimSpace(number)
	if number == "" {
		return ui.IssuedDocument{}, ui.ErrNotFound
	}
	e, err := rt.findOriginal(ctx, number)
	if errors.Is(err, ui.ErrNotFound) {
		if seq, perr := strconv.ParseInt(number, 10, 64); perr == nil {
			e, err = rt.journal.Document(ctx, seq)
			if errors.Is(err, storage.ErrNotFound) || (err == nil && e.Document.Kind != kkm.KindReceipt) {
				return ui.IssuedDocument{}, ui.ErrNotFound
			}
			if err == nil && e.Refusal != nil {
				return ui.IssuedDocument{}, errParentRefused
			}
		}
	}
	if err != nil {
		return ui.IssuedDocument{}, err
	}
	return rt.issuedOf(e), nil
}

// Document reads one document of the journal by its sequence number, with what the OFD has
// answered for it so far.
func (rt *Runtime) Document(ctx context.Context, seq int64) (ui.IssuedDocument, error) {
	e, err := rt.journal.Document(ctx, seq)
	if errors.Is(err, storage.ErrNotFound) {
		return ui.IssuedDocument{}, ui.ErrNotFound
	}
	if err != nil {
		return ui.IssuedDocument{}, err
	}
	return rt.issuedOf(e), nil
}

// RecentReceipts lists the latest sales and purchases (what can be returned), newest first. It
// pages through the receipts with the history's keyset and drops the returns among them.
func (rt *Runtime) RecentReceipts(ctx context.Context, limit int) ([]ui.IssuedDocument, error) {
	if limit <= 0 {
		limit = storage.DefaultPageSize
	}
	var out []ui.IssuedDocument
	p := storage.Page{Limit: max(limit, storage.DefaultPageSize)}
	for {
		page, err := rt.journal.History(ctx, storage.HistoryQuery{Kind: storage.HistoryReceipts}, p)
		if err != nil {
			return nil, err
		}
		for _, e := range page.Entries {
			if r := e.Document.Receipt; r == nil || r.Operation.Returning() {
				continue
			}
			out = append(out, rt.issuedOf(e))
			if len(out) == limit {
				return out, nil
			}
		}
		if !page.More {
			return out, nil
		}
		p = page.Next
	}
}

// Returnable says what of a receipt may still be returned.
func (rt *Runtime) Returnable(ctx context.Context, seq int64) (ui.Returnable, error) {
	e, err := rt.journal.Document(ctx, seq)
	if errors.Is(err, storage.ErrNotFound) {
		return ui.Returnable{}, ui.ErrNotFound
	}
	if err != nil {
		return ui.Returnable{}, err
	}
	if e.Document.Receipt == nil || e.Document.Receipt.Operation.Returning() {
		return ui.Returnable{}, ui.ErrNotFound
	}
	orig := rt.issuedOf(e)
	parent, err := kkm.ParentOf(e.Document, orig.FiscalSign, rt.Settings().Reg.RNM)
	if err != nil {
		return ui.Returnable{}, err
	}
	returned, err := rt.journal.Returned(ctx, parent)
	if err != nil {
		return ui.Returnable{}, err
	}
	// What is left, per line (units and marking codes) and per payment type, is kkm's one
	// computation (kkm.ReturnStateOf): the screen builds the return from it with
	// kkm.ComputeReturn, and IssueReceipt checks the return against it (kkm.ValidateReturn).
	st := kkm.ReturnStateOf(*e.Document.Receipt, returned.Receipts)
	out := ui.Returnable{Original: orig, Parent: parent, Left: st.Left, State: st}
	for _, l := range st.Lines {
		out.Lines = append(out.Lines, ui.ReturnableLine{Line: l.Line, Left: l.Left(), Codes: l.Codes})
	}
	return out, nil
}

// History lists documents for «История отчетов и чеков», newest first, a page at a time: one
// index-backed query of the journal per page (storage.Journal.History), with f.Before as the
// keyset cursor, so a page deep in a year's journal costs what the first one does.
func (rt *Runtime) History(ctx context.Context, f ui.HistoryFilter) (ui.HistoryPage, error) {
	q, ok := historyQuery(f)
	if !ok {
		return ui.HistoryPage{}, nil
	}
	page, err := rt.journal.History(ctx, q, storage.Page{Before: f.Before, Limit: f.Limit})
	if err != nil {
		return ui.HistoryPage{}, err
	}
	out := ui.HistoryPage{Documents: make([]ui.IssuedDocument, 0, len(page.Entries)), More: page.More}
	for _, e := range page.Entries {
		out.Documents = append(out.Documents, rt.issuedOf(e))
	}
	return out, nil
}

// historyQuery turns the screen's filter into the journal's search; ok is false when the filter
// cannot match anything (an operation asked of a kind that is not a receipt). Values the journal
// does not know (a number that is not a number, an amount range upside down) are refused by
// storage.Journal.History with storage.ErrBadHistoryQuery, which the screen shows.
func historyQuery(f ui.HistoryFilter) (q storage.HistoryQuery, ok bool) {
	q = storage.HistoryQuery{
		Shift:  f.Shift,
		From:   f.From,
		To:     f.To,
		Number: f.Number,
		Amount: storage.AmountRange{Min: f.AmountFrom, Max: f.AmountTo},
		Kind:   storage.HistoryKind(f.Kind),
		State:  storage.HistoryState(f.State),
	}
	if f.Operation != ui.HistoryAnyOperation {
		if f.Kind != "" && f.Kind != kkm.KindReceipt {
			return q, false
		}
		q.Kind = storage.HistoryKind(f.Operation)
	}
	return q, true
}
