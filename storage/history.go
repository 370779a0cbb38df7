package storage

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/ekassa-go/ekassa/kkm"
)

// HistoryKind narrows the history («История отчетов и чеков») to one kind of document. Sales,
// returns and purchases are all documents of kind receipt, told apart by their operation.
type HistoryKind string

// The kinds the history can be narrowed to; HistoryAll selects every document.
const (
	HistoryAll            HistoryKind = ""
	HistoryReceipts       HistoryKind = "receipt" // every receipt, whatever its operation
	HistorySales          HistoryKind = "sale"
	HistorySaleReturns    HistoryKind = "sale_return"
	HistoryPurchases      HistoryKind = "purchase"
	HistoryPurchaseReturn HistoryKind = "purchase_return"
	HistoryCashIn         HistoryKind = "cash_in"
	HistoryCashOut        HistoryKind = "cash_out"
	HistoryXReports       HistoryKind = "x_report"
	HistoryZReports       HistoryKind = "z_report"
)

// HistoryKinds lists the kinds in the order a filter menu shows them.
func HistoryKinds() []HistoryKind {
	return []HistoryKind{HistoryAll, HistoryReceipts, HistorySales, HistorySaleReturns, HistoryPurchases,
		HistoryPurchaseReturn, HistoryCashIn, HistoryCashOut, HistoryXReports, HistoryZReports}
}

// HistoryState narrows the history to documents in one state of their way to the OFD.
type HistoryState string

// The states; a document issued offline and answered since is both offline and fiscalised.
const (
	StateAny        HistoryState = ""
	StateFiscalised HistoryState = "fiscalised" // the OFD has answered
	StateWaiting    HistoryState = "waiting"    // in the outbox, not answered yet
	StateOffline    HistoryState = "offline"    // issued in offline mode
	StateRefused    HistoryState = "refused"    // refused by the OFD for good (RefuseHead)
)

// AmountRange selects documents by total: Min ≤ total ≤ Max. A zero Max means no upper bound;
// the zero range selects every amount. ExactAmount(m) is the range of one amount.
type AmountRange struct {
	Min, Max kkm.Money
}

// ExactAmount returns the range that holds only m.
func ExactAmount(m kkm.Money) AmountRange { return AmountRange{Min: m, Max: m} }

// HistoryQuery is a history search. Zero fields select everything; the fields given all apply.
type HistoryQuery struct {
	Shift    uint32       // shift number
	From, To time.Time    // issued in [From, To); a zero bound is open
	Number   string       // a receipt's fiscal sign, offline number, or number within its shift
	Amount   AmountRange  // the document's total (receipts, cash in and out)
	Kind     HistoryKind  // one kind of document
	State    HistoryState // one state
}

// ErrBadHistoryQuery: a history query that cannot match anything as asked (a number that is not
// a number, an amount range upside down, an unknown kind or state).
const ErrBadHistoryQuery ErrorCode = "err.history.bad_query"

// HistoryPage is one page of a history search: its entries, newest first, and the Page that asks
// for the next one (Next.Before is the last entry's seq); More says whether there is one.
type HistoryPage struct {
	Entries []Entry
	Next    Page
	More    bool
}

// History searches the journal, newest first, one page at a time (keyset paging on seq: p.Before
// is the Next.Before of the page before, 0 for the first page).
//
// Every filter has an index whose last column is seq (migration 2), so a page reads about as many
// rows as it returns, however large the journal; a page filtered on several fields walks the
// index of the most selective one and checks the others. A period is first turned into the range
// of seqs issued in it — the journal's times only move forward (design §3.8) — so it narrows any
// other index to that range. An amount range is the one filter whose page may cost more: its
// matches are found by the amount index and sorted.
//
// A damaged database found on the way is latched as the journal's fault (fault.go) and returned
// as it: the history says what happened instead of an unexpected error.
func (j *Journal) History(ctx context.Context, q HistoryQuery, p Page) (HistoryPage, error) {
	out, err := j.history(ctx, q, p)
	return out, j.fail(err)
}

func (j *Journal) history(ctx context.Context, q HistoryQuery, p Page) (HistoryPage, error) {
	var out HistoryPage
	query, args, empty, err := j.historySQL(ctx, q, p)
	if err != nil || empty {
		return out, err
	}
	limit := pageLimit(p)
	rows, err := j.db.QueryContext(ctx, query, args...)
	if err != nil {
		return out, fmt.Errorf("storage: history: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		e, err := scanEntry(rows)
		if err != nil {
			return out, fmt.Errorf("storage: history: %w", err)
		}
		out.Entries = append(out.Entries, e)
	}
	if err := rows.Err(); err != nil {
		return out, fmt.Errorf("storage: history: %w", err)
	}
	if len(out.Entries) > limit {
		out.Entries, out.More = out.Entries[:limit], true
	}
	if n := len(out.Entries); n > 0 {
		out.Next = Page{Before: out.Entries[n-1].Seq, Limit: p.Limit}
	}
	return out, nil
}

// pageLimit is p's page size.
func pageLimit(p Page) int {
	if p.Limit <= 0 {
		return DefaultPageSize
	}
	return p.Limit
}

// historySQL builds the query of one history page (one row more than the page, to tell whether
// there is a next). empty is true when the query can match nothing (a period without documents).
func (j *Journal) historySQL(ctx context.Context, q HistoryQuery, p Page) (query string, args []any, empty bool, err error) {
	var where []string
	add := func(cond string, a ...any) {
		where = append(where, cond)
		args = append(args, a...)
	}
	// The keyset: always a bound on seq, so every plan is an index range, not a scan.
	upper := int64(math.MaxInt64)
	if p.Before > 0 {
		upper = p.Before
	}
	lower := int64(0)
	if !q.From.IsZero() || !q.To.IsZero() {
		lo, hi, ok, err := j.periodSeqs(ctx, q.From, q.To)
		if err != nil {
			return "", nil, false, err
		}
		if !ok {
			return "", nil, true, nil
		}
		lower, upper = lo, min(upper, hi+1)
		if !q.From.IsZero() {
			add(`x.issued_at >= ?`, toMillis(q.From))
		}
		if !q.To.IsZero() {
			add(`x.issued_at < ?`, toMillis(q.To))
		}
	}
	add(`x.seq < ?`, upper)
	if lower > 0 {
		add(`x.seq >= ?`, lower)
	}
	if q.Shift > 0 {
		add(`x.shift_number = ?`, int64(q.Shift))
	}
	if s := strings.TrimSpace(q.Number); s != "" {
		n, perr := strconv.ParseUint(s, 10, 63)
		if perr != nil {
			return "", nil, false, fmt.Errorf("%w: number %q", ErrBadHistoryQuery, q.Number)
		}
		cond := `(x.seq IN (SELECT seq FROM fiscal_results WHERE fiscal_sign = ?)`
		a := []any{s}
		if n <= math.MaxUint32 {
			cond += ` OR x.offline_number = ? OR x.number = ?`
			a = append(a, int64(n), int64(n))
		}
		add(cond+`)`, a...)
	}
	switch {
	case q.Amount.Min < 0 || q.Amount.Max < 0 || (q.Amount.Max > 0 && q.Amount.Max < q.Amount.Min):
		return "", nil, false, fmt.Errorf("%w: amount %v…%v", ErrBadHistoryQuery, q.Amount.Min, q.Amount.Max)
	case q.Amount.Max > 0 && q.Amount.Min == q.Amount.Max:
		add(`x.total = ?`, int64(q.Amount.Min))
	default:
		if q.Amount.Min > 0 {
			add(`x.total >= ?`, int64(q.Amount.Min))
		}
		if q.Amount.Max > 0 {
			add(`x.total <= ?`, int64(q.Amount.Max))
		}
	}
	switch q.Kind {
	case HistoryAll:
	case HistoryReceipts, HistoryCashIn, HistoryCashOut, HistoryXReports, HistoryZReports:
		add(`x.kind = ?`, string(q.Kind))
	case HistorySales, HistorySaleReturns, HistoryPurchases, HistoryPurchaseReturn:
		op := map[HistoryKind]kkm.Operation{HistorySales: kkm.OpSale, HistorySaleReturns: kkm.OpSaleReturn,
			HistoryPurchases: kkm.OpPurchase, HistoryPurchaseReturn: kkm.OpPurchaseReturn}[q.Kind]
		add(`x.kind = 'receipt' AND x.operation = ?`, int64(op))
	default:
		return "", nil, false, fmt.Errorf("%w: kind %q", ErrBadHistoryQuery, q.Kind)
	}
	switch q.State {
	case StateAny:
	case StateFiscalised:
		add(`EXISTS (SELECT 1 FROM fiscal_results f WHERE f.seq = x.seq)`)
	case StateWaiting:
		add(`x.seq IN (SELECT seq FROM outbox WHERE ` + waitingWhere + `)`)
	case StateOffline:
		add(`x.offline = 1`)
	case StateRefused:
		add(`x.seq IN (SELECT seq FROM refusals)`)
	default:
		return "", nil, false, fmt.Errorf("%w: state %q", ErrBadHistoryQuery, q.State)
	}
	seqs, args := keyedSeqs(strings.Join(where, ` AND `), `x.seq DESC`, pageLimit(p)+1, args...)
	args = append(args, pageLimit(p)+1)
	return `SELECT ` + entryColumns + ` WHERE d.seq IN (` + seqs + `) ORDER BY d.seq DESC LIMIT ?`, args, false, nil
}

// periodSeqs returns the first and last seq of the documents issued in [from, to) (a zero bound
// is open), each found in O(log n) on the time index of the keyed documents and in the tail
// (keys.go); ok is false when there are none. It relies on the journal's times moving forward
// with seq.
func (j *Journal) periodSeqs(ctx context.Context, from, to time.Time) (lo, hi int64, ok bool, err error) {
	fromMs, toMs := periodMillis(from, to)
	const in = `x.issued_at >= ? AND x.issued_at < ?`
	first, args := keyedSeqs(in, `x.issued_at, x.seq`, 1, fromMs, toMs)
	var l, h sql.NullInt64
	err = j.db.QueryRowContext(ctx, `SELECT MIN(seq) FROM (`+first+`)`, args...).Scan(&l)
	if err == nil && l.Valid {
		last, args := keyedSeqs(in, `x.issued_at DESC, x.seq DESC`, 1, fromMs, toMs)
		err = j.db.QueryRowContext(ctx, `SELECT MAX(seq) FROM (`+last+`)`, args...).Scan(&h)
	}
	if err != nil {
		return 0, 0, false, fmt.Errorf("storage: history: period: %w", err)
	}
	if !l.Valid || !h.Valid {
		return 0, 0, false, nil
	}
	return l.Int64, h.Int64, true, nil
}

// periodMillis returns [from, to) in the journal's milliseconds, a zero bound open.
func periodMillis(from, to time.Time) (fromMs, toMs int64) {
	fromMs, toMs = math.MinInt64, math.MaxInt64
	if !from.IsZero() {
		fromMs = toMillis(from)
	}
	if !to.IsZero() {
		toMs = toMillis(to)
	}
	return fromMs, toMs
}
