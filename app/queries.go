package app

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

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
		if err == nil {
			return e, nil
		}
		if !errors.Is(err, storage.ErrNotFound) {
			return storage.Entry{}, err
		}
	}
	return storage.Entry{}, ui.ErrNotFound
}

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

// RecentReceipts lists the latest sales and purchases (what can be returned), newest first.
func (rt *Runtime) RecentReceipts(ctx context.Context, limit int) ([]ui.IssuedDocument, error) {
	return rt.collect(ctx, ui.HistoryFilter{Kind: kkm.KindReceipt, Limit: limit}, func(d kkm.Document) bool {
		return d.Receipt != nil && !d.Receipt.Operation.Returning()
	})
}

// parentOf names an issued receipt as a return's parent_ticket: its fiscal sign once the OFD has
// answered, else the offline number it was printed with.
func (rt *Runtime) parentOf(e ui.IssuedDocument) kkm.ParentReceipt {
	p := kkm.ParentReceipt{
		Number:  e.FiscalSign,
		Time:    e.Document.Time,
		RNM:     rt.Settings().Reg.RNM,
		Total:   e.Document.Total(),
		Offline: e.Document.Offline,
	}
	if p.Number == "" {
		p.Number = strconv.FormatUint(uint64(e.Document.OfflineNumber), 10)
	}
	return p
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
	if orig.FiscalSign == "" && !e.Document.Offline {
		// Issued online but not answered yet: it has no number a return could name.
		return ui.Returnable{}, ui.Refusal("err.return.original_pending")
	}
	parent := rt.parentOf(orig)
	returned, err := rt.journal.Returned(ctx, parent)
	if err != nil {
		return ui.Returnable{}, err
	}
	out := ui.Returnable{Original: orig, Parent: parent, Left: e.Document.Total() - returned.Total}
	for _, l := range e.Document.Receipt.Lines {
		left := l.Quantity
		for _, r := range returned.Lines {
			if r.Name == l.Name && r.Section == l.Section && r.Unit == l.Unit && r.Price == l.Price && r.VATRate == l.VATRate {
				left -= r.Quantity
			}
		}
		out.Lines = append(out.Lines, ui.ReturnableLine{Line: l, Left: max(left, 0)})
	}
	return out, nil
}

// History lists documents for «История отчетов и чеков», newest first, a page at a time.
func (rt *Runtime) History(ctx context.Context, f ui.HistoryFilter) (ui.HistoryPage, error) {
	limit := f.Limit
	if limit <= 0 {
		limit = storage.DefaultPageSize
	}
	g := f
	g.Limit = f.Offset + limit + 1
	docs, err := rt.collect(ctx, g, nil)
	if err != nil {
		return ui.HistoryPage{}, err
	}
	if f.Offset >= len(docs) {
		return ui.HistoryPage{}, nil
	}
	docs = docs[f.Offset:]
	page := ui.HistoryPage{Documents: docs, More: len(docs) > limit}
	if page.More {
		page.Documents = docs[:limit]
	}
	return page, nil
}

// collect pages through the journal, newest first, gathering up to f.Limit documents that match
// the filter (and keep, when given).
func (rt *Runtime) collect(ctx context.Context, f ui.HistoryFilter, keep func(kkm.Document) bool) ([]ui.IssuedDocument, error) {
	limit := f.Limit
	if limit <= 0 {
		limit = storage.DefaultPageSize
	}
	to := f.To
	if to.IsZero() {
		to = time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	var out []ui.IssuedDocument
	page := storage.Page{Limit: max(limit, storage.DefaultPageSize)}
	for len(out) < limit {
		var entries []storage.Entry
		var err error
		if f.Shift != 0 {
			entries, err = rt.journal.DocumentsByShift(ctx, f.Shift, page)
		} else {
			entries, err = rt.journal.DocumentsByPeriod(ctx, f.From, to, page)
		}
		if err != nil {
			return nil, err
		}
		for _, e := range entries {
			if f.Shift != 0 && (!f.From.IsZero() && e.Document.Time.Before(f.From) || !e.Document.Time.Before(to)) {
				continue
			}
			if f.Kind != "" && e.Document.Kind != f.Kind {
				continue
			}
			if keep != nil && !keep(e.Document) {
				continue
			}
			out = append(out, rt.issuedOf(e))
			if len(out) == limit {
				break
			}
		}
		if len(entries) < page.Limit {
			break
		}
		page.Before = entries[len(entries)-1].Seq
	}
	return out, nil
}
