package storage

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"sort"
	"time"

	"github.com/ekassa-go/ekassa/kkm"
)

// Analytics: what the owner compares with the OFD cabinet's statistics (revenue, number of
// receipts, average receipt), over any period and the period before it.
//
// The figures come from small aggregate tables folded from the documents behind a watermark before
// every read and in the background (analytics_fold.go; analyticsSum adds them up), one row
// per wall-clock hour × cashier × operation and one per
// wall-clock day × item × operation, so a month costs a few thousand rows whatever the number of
// receipts.
//
// Hours and days are those of the register's wall clock: the time zone a document was issued in
// is kept in its content (kkm.Document.Time), and a document issued at 09:15 in Astana counts in
// the 09:00 hour of that day. A period is read in the time zone of its From.

// Figures are the analytics of a set of receipts. Purchases and purchase returns are not part of
// them: they are money the shop pays out, not revenue.
type Figures struct {
	Sales       kkm.Money // Σ totals of sales
	SaleCount   int64     // number of sales (the cabinet's «количество покупок»)
	Returns     kkm.Money // Σ totals of sale returns
	ReturnCount int64     // number of sale returns
	Revenue     kkm.Money // Sales − Returns
	Cash        kkm.Money // cash kept (taken − change) for sales, less cash paid back for returns
	Card        kkm.Money // card, sales less returns
	Mobile      kkm.Money // mobile payments, sales less returns
}

// Average returns the average receipt: Sales / SaleCount, rounded half up to the tiyn; 0 with no
// sales. This is the cabinet's «средний чек».
func (f Figures) Average() kkm.Money {
	if f.SaleCount == 0 {
		return 0
	}
	return kkm.Money((int64(f.Sales)*2 + f.SaleCount) / (2 * f.SaleCount))
}

// add adds a row of analytics_hours (one operation's receipts) to f.
func (f *Figures) add(op kkm.Operation, receipts int64, total, cash, card, mobile kkm.Money) {
	switch op {
	case kkm.OpSale:
		f.Sales += total
		f.SaleCount += receipts
		f.Cash += cash
		f.Card += card
		f.Mobile += mobile
	case kkm.OpSaleReturn:
		f.Returns += total
		f.ReturnCount += receipts
		f.Cash -= cash
		f.Card -= card
		f.Mobile -= mobile
	default:
		return
	}
	f.Revenue = f.Sales - f.Returns
}

// DayFigures are the figures of one wall-clock day.
type DayFigures struct {
	Day time.Time // the day's midnight, in the period's time zone
	Figures
}

// CashierFigures are the figures of the receipts one cashier issued.
type CashierFigures struct {
	Operator kkm.Operator // code, and the latest name it issued a receipt under
	Figures
}

// ItemFigures are the sales of one item of extended mode (name and unit), net of its returns.
type ItemFigures struct {
	Name     string
	Unit     string       // ИС ЭСФ unit code
	Lines    int64        // receipt lines that sold it, less lines that returned it
	Quantity kkm.Quantity // sold less returned, thousandths of Unit
	Sum      kkm.Money    // line sums sold less returned
}

// Analytics are the figures of one period [From, To).
type Analytics struct {
	From, To      time.Time
	Total         Figures
	ByHour        [24]Figures      // by hour of the day, summed over the period's days
	ByDay         []DayFigures     // every day the period touches, oldest first, days without sales too
	ByCashier     []CashierFigures // by revenue, highest first
	TopBySum      []ItemFigures    // the items with the highest Sum, at most the top asked for
	TopByQuantity []ItemFigures    // the items with the highest Quantity
}

// Comparison is a period's analytics beside those of the period of equal length just before it.
type Comparison struct {
	Current, Previous Analytics
}

// DefaultTopItems is how many items the top lists hold when a query asks for 0.
const DefaultTopItems = 10

// CompareAnalytics returns the analytics of [from, to) and of [from − (to − from), from).
func (j *Journal) CompareAnalytics(ctx context.Context, from, to time.Time, top int) (Comparison, error) {
	var c Comparison
	var err error
	if c.Current, err = j.Analytics(ctx, from, to, top); err != nil {
		return c, err
	}
	prevFrom := from.Add(-to.Sub(from))
	c.Previous, err = j.Analytics(ctx, prevFrom, from, top)
	return c, err
}

// Analytics returns the figures of the receipts issued in [from, to), read in from's time zone;
// from and to are taken to the hour (minutes dropped). ByDay and the item lists cover the days
// the period touches; items are kept per day, so a period that starts or ends inside a day counts
// that day's items whole. top limits the item lists (DefaultTopItems when 0).
func (j *Journal) Analytics(ctx context.Context, from, to time.Time, top int) (Analytics, error) {
	if top <= 0 {
		top = DefaultTopItems
	}
	loc := from.Location()
	to = to.In(loc)
	a := Analytics{From: from, To: to}
	h0, h1 := wallHour(from), wallHour(to)
	if h1 <= h0 {
		return a, nil
	}
	d0, d1 := floorDiv(h0, 24), floorDiv(h1+23, 24)
	for d := d0; d < d1; d++ {
		a.ByDay = append(a.ByDay, DayFigures{Day: wallTime(d*24, loc)})
	}
	// The receipts committed since the last fold go into the fine tables first (analytics_fold.go);
	// a journal that cannot be written is read as far as it was folded.
	if err := j.foldAnalytics(ctx); err != nil && j.Fault() == nil {
		return a, err
	}
	names, err := j.operatorNames(ctx)
	if err != nil {
		return a, err
	}
	byCashier := map[uint32]*CashierFigures{}
	cashier := func(code uint32, _ string) *CashierFigures {
		c := byCashier[code]
		if c == nil {
			c = &CashierFigures{Operator: kkm.Operator{Code: code, Name: names[code]}}
			byCashier[code] = c
		}
		return c
	}
	// The rolled part of the period: the whole days [r0, r1) before the watermark, read from the
	// rollups; the rest from the fine tables (analytics_rollup.go). A failed roll-up leaves the
	// watermark where it was, which costs speed and nothing else.
	var w int64 // 0: nothing of a period after 1970 is rolled
	if analyticsRollups {
		_ = j.rollAnalytics(ctx)
		if err := j.db.QueryRowContext(ctx, `SELECT `+rolledDaySQL).Scan(&w); err != nil {
			return a, fmt.Errorf("storage: analytics: watermark: %w", err)
		}
	}
	r0, r1 := floorDiv(h0+23, 24), floorDiv(h1, 24)
	r1 = max(r0, min(r1, w))
	hours := [][2]int64{{h0, h1}}
	if r1 > r0 {
		hours = [][2]int64{{h0, r0 * 24}, {r1 * 24, h1}}
	}
	// Hours at the edges count in everything.
	for _, hr := range hours {
		err := j.hourRows(ctx, hr[0], hr[1], func(hour int64, code uint32, name string, op kkm.Operation, receipts int64, total, cash, card, mobile kkm.Money) {
			a.Total.add(op, receipts, total, cash, card, mobile)
			a.ByHour[floorMod(hour, 24)].add(op, receipts, total, cash, card, mobile)
			if i := floorDiv(hour, 24) - d0; i >= 0 && i < int64(len(a.ByDay)) {
				a.ByDay[i].add(op, receipts, total, cash, card, mobile)
			}
			cashier(code, name).add(op, receipts, total, cash, card, mobile)
		})
		if err != nil {
			return a, err
		}
	}
	if r1 > r0 {
		// Rolled days: totals, days and cashiers from analytics_days.
		err := j.dayRows(ctx, r0, r1, func(day int64, code uint32, name string, op kkm.Operation, receipts int64, total, cash, card, mobile kkm.Money) {
			a.Total.add(op, receipts, total, cash, card, mobile)
			if i := day - d0; i >= 0 && i < int64(len(a.ByDay)) {
				a.ByDay[i].add(op, receipts, total, cash, card, mobile)
			}
			cashier(code, name).add(op, receipts, total, cash, card, mobile)
		})
		if err != nil {
			return a, err
		}
		// Their hours of the day: whole months from analytics_month_hours, the days of a partial
		// month from analytics_hours.
		byHour := func(hour int64, _ uint32, _ string, op kkm.Operation, receipts int64, total, cash, card, mobile kkm.Money) {
			a.ByHour[floorMod(hour, 24)].add(op, receipts, total, cash, card, mobile)
		}
		edges := [][2]int64{{r0, r1}}
		if m0, m1, end := rolledMonths(r0, r1, w); m1 > m0 {
			edges = [][2]int64{{r0, monthFirstDay(m0)}, {end, r1}}
			if err := j.monthHourRows(ctx, m0, m1, byHour); err != nil {
				return a, err
			}
		}
		for _, e := range edges {
			if err := j.hourRows(ctx, e[0]*24, e[1]*24, byHour); err != nil {
				return a, err
			}
		}
	}
	for _, c := range byCashier {
		a.ByCashier = append(a.ByCashier, *c)
	}
	sort.Slice(a.ByCashier, func(i, k int) bool {
		x, y := a.ByCashier[i], a.ByCashier[k]
		if x.Revenue != y.Revenue {
			return x.Revenue > y.Revenue
		}
		return x.Operator.Code < y.Operator.Code
	})
	items, err := j.items(ctx, d0, d1, w)
	if err != nil {
		return a, err
	}
	a.TopBySum = topItems(items, top, func(x, y ItemFigures) bool {
		return x.Sum > y.Sum || x.Sum == y.Sum && x.Quantity > y.Quantity
	})
	a.TopByQuantity = topItems(items, top, func(x, y ItemFigures) bool {
		return x.Quantity > y.Quantity || x.Quantity == y.Quantity && x.Sum > y.Sum
	})
	return a, nil
}

// items returns every item sold or returned in the wall days [d0, d1), net of its returns, in
// order of name and unit: the months rolled up before watermark w from analytics_item_months, the
// other days from analytics_items. A shop's catalogue is hundreds of items, so they are ranked in Go.
func (j *Journal) items(ctx context.Context, d0, d1, w int64) ([]ItemFigures, error) {
	const days = `SELECT name, unit, operation, lines, quantity, total FROM analytics_items
		WHERE wall_day >= ? AND wall_day < ? AND operation IN (2, 3)`
	parts, args := days, []any{d0, d1}
	if m0, m1, end := rolledMonths(d0, d1, w); m1 > m0 {
		parts = days + ` UNION ALL ` + days + ` UNION ALL SELECT name, unit, operation, lines, quantity, total
			FROM analytics_item_months WHERE wall_month >= ? AND wall_month < ? AND operation IN (2, 3)`
		args = []any{d0, monthFirstDay(m0), end, d1, m0, m1}
	}
	// Sales add, sale returns subtract; purchases are not sales of the shop's items.
	rows, err := j.db.QueryContext(ctx, `SELECT name, unit,
			SUM(CASE operation WHEN 2 THEN lines ELSE -lines END),
			SUM(CASE operation WHEN 2 THEN quantity ELSE -quantity END),
			SUM(CASE operation WHEN 2 THEN total ELSE -total END)
		FROM (`+parts+`) GROUP BY name, unit ORDER BY name, unit`, args...)
	if err != nil {
		return nil, fmt.Errorf("storage: analytics: items: %w", err)
	}
	defer rows.Close()
	var out []ItemFigures
	for rows.Next() {
		var it ItemFigures
		if err := rows.Scan(&it.Name, &it.Unit, &it.Lines, &it.Quantity, &it.Sum); err != nil {
			return nil, fmt.Errorf("storage: analytics: items: %w", err)
		}
		out = append(out, it)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("storage: analytics: items: %w", err)
	}
	return out, nil
}

// figureRow receives one row of an aggregate table: its hour (or day, or hour of the day), cashier
// (0 and "" where the table has none), operation and sums.
type figureRow func(at int64, code uint32, name string, op kkm.Operation, receipts int64, total, cash, card, mobile kkm.Money)

// hourRows reads analytics_hours for the wall hours [h0, h1).
func (j *Journal) hourRows(ctx context.Context, h0, h1 int64, fn figureRow) error {
	if h1 <= h0 {
		return nil
	}
	return j.figureRows(ctx, `SELECT wall_hour, operator_code, '', operation, receipts, total, cash, card, mobile
		FROM analytics_hours WHERE wall_hour >= ? AND wall_hour < ?`, h0, h1, fn)
}

// dayRows reads the rollup analytics_days for the wall days [d0, d1).
func (j *Journal) dayRows(ctx context.Context, d0, d1 int64, fn figureRow) error {
	return j.figureRows(ctx, `SELECT wall_day, operator_code, '', operation, receipts, total, cash, card, mobile
		FROM analytics_days WHERE wall_day >= ? AND wall_day < ?`, d0, d1, fn)
}

// operatorNames returns the latest name of every operator code that issued a receipt (a few rows),
// read once per period instead of joined to every aggregate row.
func (j *Journal) operatorNames(ctx context.Context) (map[uint32]string, error) {
	rows, err := j.db.QueryContext(ctx, `SELECT operator_code, name FROM analytics_operators`)
	if err != nil {
		return nil, fmt.Errorf("storage: analytics: cashiers: %w", err)
	}
	defer rows.Close()
	names := map[uint32]string{}
	for rows.Next() {
		var code uint32
		var name string
		if err := rows.Scan(&code, &name); err != nil {
			return nil, fmt.Errorf("storage: analytics: cashiers: %w", err)
		}
		names[code] = name
	}
	return names, rows.Err()
}

// monthHourRows reads the rollup analytics_month_hours for the wall months [m0, m1); the row's
// "at" is its hour of the day.
func (j *Journal) monthHourRows(ctx context.Context, m0, m1 int64, fn figureRow) error {
	return j.figureRows(ctx, `SELECT hour_of_day, 0, '', operation, SUM(receipts), SUM(total), SUM(cash),
			SUM(card), SUM(mobile)
		FROM analytics_month_hours WHERE wall_month >= ? AND wall_month < ? GROUP BY hour_of_day, operation`, m0, m1, fn)
}

// figureRows runs query over [lo, hi) and hands each row to fn.
func (j *Journal) figureRows(ctx context.Context, query string, lo, hi int64, fn figureRow) error {
	rows, err := j.db.QueryContext(ctx, query, lo, hi)
	if err != nil {
		return fmt.Errorf("storage: analytics: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var at, receipts int64
		var code uint32
		var name string
		var op kkm.Operation
		var total, cash, card, mobile kkm.Money
		if err := rows.Scan(&at, &code, &name, &op, &receipts, &total, &cash, &card, &mobile); err != nil {
			return fmt.Errorf("storage: analytics: %w", err)
		}
		fn(at, code, name, op, receipts, total, cash, card, mobile)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("storage: analytics: %w", err)
	}
	return nil
}

// topItems returns the first top of items in the order less gives (ties by name and unit).
func topItems(items []ItemFigures, top int, less func(x, y ItemFigures) bool) []ItemFigures {
	s := append([]ItemFigures(nil), items...)
	sort.SliceStable(s, func(i, k int) bool { return less(s[i], s[k]) })
	if len(s) > top {
		s = s[:top]
	}
	return s
}

// The statements of the analytics aggregates, prepared once (see statements.go). Each adds one
// row's sums of a fold step (analyticsSum) to the row's figures.
const (
	analyticsHourSQL = `INSERT INTO analytics_hours (wall_hour, operator_code, operation,
			receipts, total, cash, card, mobile) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (wall_hour, operator_code, operation) DO UPDATE SET receipts = receipts + excluded.receipts,
			total = total + excluded.total, cash = cash + excluded.cash, card = card + excluded.card,
			mobile = mobile + excluded.mobile`
	analyticsOperatorSQL = `INSERT INTO analytics_operators (operator_code, name) VALUES (?, ?)
		ON CONFLICT (operator_code) DO UPDATE SET name = excluded.name WHERE name <> excluded.name`
	analyticsItemSQL = `INSERT INTO analytics_items (wall_day, name, unit, operation, lines,
			quantity, total) VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (wall_day, name, unit, operation) DO UPDATE SET lines = lines + excluded.lines,
			quantity = quantity + excluded.quantity, total = total + excluded.total`
)

// analyticsSum is what a fold step adds to the analytics aggregates (analytics_fold.go): its
// receipts added up per row of analytics_hours and analytics_items in memory, outside the write
// lock, and each cashier's last name. Its rows are then written with one statement each, where a
// statement per receipt and per line used to run under the lock.
type analyticsSum struct {
	hours     map[hourKey]hourFigures
	operators map[int64]string // the name of the last receipt of each cashier
	items     map[itemKey]itemFigures
}

// hourKey is a row of analytics_hours; hourFigures, its sums.
type (
	hourKey     struct{ hour, operator, operation int64 }
	hourFigures struct{ receipts, total, cash, card, mobile int64 }
)

// itemKey is a row of analytics_items; itemFigures, its sums.
type (
	itemKey struct {
		day        int64
		name, unit string
		operation  int64
	}
	itemFigures struct{ lines, quantity, total int64 }
)

// newAnalyticsSum returns an empty sum.
func newAnalyticsSum() analyticsSum {
	return analyticsSum{hours: map[hourKey]hourFigures{}, operators: map[int64]string{}, items: map[itemKey]itemFigures{}}
}

// figuresOf is what document d adds to the aggregates; nil for all but receipts.
func figuresOf(d *kkm.Document) *receiptFigures {
	if d.Kind != kkm.KindReceipt || d.Receipt == nil {
		return nil
	}
	r := d.Receipt
	var card, mobile kkm.Money
	for _, p := range r.Payments {
		switch p.Type {
		case kkm.PayCard:
			card += p.Sum
		case kkm.PayMobile:
			mobile += p.Sum
		}
	}
	hour := wallHour(d.Time)
	f := &receiptFigures{
		hour:     hourKey{hour, int64(d.Operator.Code), int64(r.Operation)},
		figures:  hourFigures{receipts: 1, total: int64(r.Total), cash: int64(r.Taken - r.Change), card: int64(card), mobile: int64(mobile)},
		operator: d.Operator.Name,
	}
	if r.Simple {
		return f
	}
	day := floorDiv(hour, 24)
	f.items = make([]itemFigure, len(r.Lines))
	for i, l := range r.Lines {
		f.items[i] = itemFigure{itemKey{day, l.Name, l.Unit, int64(r.Operation)}, itemFigures{1, int64(l.Quantity), int64(l.Sum)}}
	}
	return f
}

// add adds a receipt's figures (figuresOf), in seq order; nil adds nothing.
func (s analyticsSum) add(f *receiptFigures) {
	if f == nil {
		return
	}
	h := s.hours[f.hour]
	h.receipts += f.figures.receipts
	h.total += f.figures.total
	h.cash += f.figures.cash
	h.card += f.figures.card
	h.mobile += f.figures.mobile
	s.hours[f.hour] = h
	s.operators[f.hour.operator] = f.operator
	for _, it := range f.items {
		i := s.items[it.key]
		i.lines += it.figures.lines
		i.quantity += it.figures.quantity
		i.total += it.figures.total
		s.items[it.key] = i
	}
}

// write adds the sums to the aggregates in transaction tx, a row at a time in the rows' order (so
// two journals folded alike are written alike).
func (s analyticsSum) write(ctx context.Context, tx *Tx, st *statements) error {
	fail := func(err error) error { return fmt.Errorf("storage: analytics: fold: %w", err) }
	if len(s.hours) == 0 {
		return nil
	}
	hours, operators, items := tx.StmtContext(ctx, st.analyticsHour), tx.StmtContext(ctx, st.analyticsOperator),
		tx.StmtContext(ctx, st.analyticsItem)
	for _, k := range slices.SortedFunc(maps.Keys(s.hours), func(a, b hourKey) int {
		return cmp.Or(cmp.Compare(a.hour, b.hour), cmp.Compare(a.operator, b.operator), cmp.Compare(a.operation, b.operation))
	}) {
		h := s.hours[k]
		if _, err := hours.ExecContext(ctx, k.hour, k.operator, k.operation, h.receipts, h.total, h.cash, h.card, h.mobile); err != nil {
			return fail(err)
		}
	}
	for _, code := range slices.Sorted(maps.Keys(s.operators)) {
		if _, err := operators.ExecContext(ctx, code, s.operators[code]); err != nil {
			return fail(err)
		}
	}
	for _, k := range slices.SortedFunc(maps.Keys(s.items), func(a, b itemKey) int {
		return cmp.Or(cmp.Compare(a.day, b.day), cmp.Compare(a.name, b.name), cmp.Compare(a.unit, b.unit),
			cmp.Compare(a.operation, b.operation))
	}) {
		i := s.items[k]
		if _, err := items.ExecContext(ctx, k.day, k.name, k.unit, k.operation, i.lines, i.quantity, i.total); err != nil {
			return fail(err)
		}
	}
	return nil
}

// wallHour returns the hours from 1970-01-01 00:00 to t as read on the wall clock of t's own
// time zone: 09:15 in UTC+5 and 09:15 in UTC fall in the same wall hour.
func wallHour(t time.Time) int64 {
	y, m, d := t.Date()
	return time.Date(y, m, d, t.Hour(), 0, 0, 0, time.UTC).Unix() / 3600
}

// wallTime returns the moment of wall hour h in loc.
func wallTime(h int64, loc *time.Location) time.Time {
	u := time.Unix(h*3600, 0).UTC()
	return time.Date(u.Year(), u.Month(), u.Day(), u.Hour(), 0, 0, 0, loc)
}

// floorDiv is a / b rounded towards minus infinity (b > 0).
func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b < 0 {
		q--
	}
	return q
}

// floorMod is a − b·floorDiv(a, b), in [0, b).
func floorMod(a, b int64) int64 { return a - b*floorDiv(a, b) }
