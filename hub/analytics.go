package hub

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// Figures are the owner's sums of one group (a shop, a register, a cashier or an hour of the
// day) over a period and over the period of the same length just before it.
type Figures struct {
	Key          string `json:"key"`   // the shop's name, the register's serial, "serial/code" of a cashier, the hour "09"
	Label        string `json:"label"` // what to show: the register's name, the cashier's name (with the register's when shared)
	Receipts     int64  `json:"receipts"`
	Revenue      int64  `json:"revenue"` // tiyn: sales − sale returns − purchases + purchase returns
	PrevReceipts int64  `json:"prev_receipts"`
	PrevRevenue  int64  `json:"prev_revenue"`
}

// Grouping says what the owner's figures are grouped by.
type Grouping string

// The groupings.
const (
	ByShop     Grouping = "shop"
	ByRegister Grouping = "register"
	ByCashier  Grouping = "cashier"
	ByHour     Grouping = "hour" // the hour of the day in Kazakhstan (UTC+5)
)

// groupSQL is each grouping's key, label and register's name (for a label two groups share)
// over the rows p (receipts or rollup rows of an hour: register_id, at, code, name, n, rev)
// joined to their registers r.
//
// A cashier is a register's (W12): every register numbers its cashiers from 1, so cashier 1 of
// one register is another person than cashier 1 of the next. The rollups key cashiers the same
// way (register_id, hour or day, cashier_code), so no rollup needs another key.
var groupSQL = map[Grouping][3]string{
	ByShop:     {`r.shop`, `r.shop`, `''`},
	ByRegister: {`r.serial`, `r.name`, `''`},
	ByCashier:  {`r.serial || '/' || p.code`, `MAX(p.name)`, `MAX(r.name)`},
	ByHour:     {`to_char(p.at AT TIME ZONE '+05:00'::interval, 'HH24')`, `''`, `''`},
}

// signedTotal is a receipt's total with its operation's sign: kkm's Operation numbers, as on the
// wire (0 purchase, 1 purchase return, 2 sale, 3 sale return).
const signedTotal = `CASE (d.content->'receipt'->>'operation')::int WHEN 2 THEN d.total WHEN 1 THEN d.total ELSE -d.total END`

// rollupSelect rolls receipts d up by register, hour (in UTC) and cashier (GROUP BY 1, 2, 3).
const rollupSelect = `d.register_id, date_trunc('hour', d.issued_at, 'UTC'), COALESCE(d.content->'operator'->>'code', ''),
	COALESCE(MAX(d.content->'operator'->>'name'), ''), COUNT(*), SUM(` + signedTotal + `)`

// kzDay is the start of the day in Kazakhstan (UTC+5) that the time x falls in.
func kzDay(x string) string {
	return `(date_trunc('day', ` + x + ` + interval '5 hours', 'UTC') - interval '5 hours')`
}

// rollupSQL adds a register's receipts with seq in ($2, $3] to the hourly rollup; Push runs it in
// its transaction, so the rollup always holds exactly the receipts held. rollupDaysSQL then adds
// the same receipts to the daily rollup.
const rollupSQL = `INSERT INTO receipt_hours (register_id, hour, cashier_code, cashier_name, receipts, revenue)
	SELECT ` + rollupSelect + ` FROM documents d
	WHERE d.register_id = $1 AND d.seq > $2 AND d.seq <= $3 AND d.kind = 'receipt' GROUP BY 1, 2, 3
	ON CONFLICT (register_id, hour, cashier_code) DO UPDATE SET receipts = receipt_hours.receipts + EXCLUDED.receipts,
		revenue = receipt_hours.revenue + EXCLUDED.revenue, cashier_name = EXCLUDED.cashier_name`

var rollupDaysSQL = `INSERT INTO receipt_days (register_id, day, cashier_code, cashier_name, receipts, revenue)
	SELECT d.register_id, ` + kzDay("d.issued_at") + `, COALESCE(d.content->'operator'->>'code', ''),
		COALESCE(MAX(d.content->'operator'->>'name'), ''), COUNT(*), SUM(` + signedTotal + `) FROM documents d
	WHERE d.register_id = $1 AND d.seq > $2 AND d.seq <= $3 AND d.kind = 'receipt' GROUP BY 1, 2, 3
	ON CONFLICT (register_id, day, cashier_code) DO UPDATE SET receipts = receipt_days.receipts + EXCLUDED.receipts,
		revenue = receipt_days.revenue + EXCLUDED.revenue, cashier_name = EXCLUDED.cashier_name`

// unrollSQL and unrollDaysSQL take a register's receipt seq $2, refused by the OFD, out of the
// rollups.
const unrollSQL = `UPDATE receipt_hours h SET receipts = h.receipts - 1, revenue = h.revenue - ` + signedTotal + `
	FROM documents d WHERE d.register_id = $1 AND d.seq = $2 AND d.kind = 'receipt' AND h.register_id = d.register_id
		AND h.hour = date_trunc('hour', d.issued_at, 'UTC') AND h.cashier_code = COALESCE(d.content->'operator'->>'code', '')`

var unrollDaysSQL = `UPDATE receipt_days h SET receipts = h.receipts - 1, revenue = h.revenue - ` + signedTotal + `
	FROM documents d WHERE d.register_id = $1 AND d.seq = $2 AND d.kind = 'receipt' AND h.register_id = d.register_id
		AND h.day = ` + kzDay("d.issued_at") + ` AND h.cashier_code = COALESCE(d.content->'operator'->>'code', '')`

// kzMonth is the start of the month in Kazakhstan that the time x falls in, and kzHour its hour
// of the day there (0–23).
func kzMonth(x string) string {
	return `(date_trunc('month', ` + x + ` + interval '5 hours', 'UTC') - interval '5 hours')`
}

func kzHour(x string) string {
	return `EXTRACT(HOUR FROM (` + x + ` AT TIME ZONE 'UTC') + interval '5 hours')::smallint`
}

// rollupMonthsSQL adds a register's receipts with seq in ($2, $3] to the rollup by month and hour
// of the day (migration 9), which the owner's figures by the hour of the day read for whole months.
var rollupMonthsSQL = `INSERT INTO receipt_month_hours (register_id, month, hod, receipts, revenue)
	SELECT d.register_id, ` + kzMonth("d.issued_at") + `, ` + kzHour("d.issued_at") + `, COUNT(*), SUM(` + signedTotal + `)
	FROM documents d WHERE d.register_id = $1 AND d.seq > $2 AND d.seq <= $3 AND d.kind = 'receipt' GROUP BY 1, 2, 3
	ON CONFLICT (register_id, month, hod) DO UPDATE SET receipts = receipt_month_hours.receipts + EXCLUDED.receipts,
		revenue = receipt_month_hours.revenue + EXCLUDED.revenue`

// unrollMonthsSQL takes a refused receipt seq $2 out of the rollup by month and hour of the day.
var unrollMonthsSQL = `UPDATE receipt_month_hours h SET receipts = h.receipts - 1, revenue = h.revenue - ` + signedTotal + `
	FROM documents d WHERE d.register_id = $1 AND d.seq = $2 AND d.kind = 'receipt' AND h.register_id = d.register_id
		AND h.month = ` + kzMonth("d.issued_at") + ` AND h.hod = ` + kzHour("d.issued_at")

// span is a half-open time range [from, to); an empty one matches nothing.
type span struct{ from, to time.Time }

func (s span) empty() bool { return !s.from.Before(s.to) }

// kz is Kazakhstan's time, whose days the daily rollup counts.
var kz = time.FixedZone("UTC+5", 5*3600)

// splitDays splits [from, to) into its whole days in Kazakhstan and what is left at either end.
func splitDays(from, to time.Time) (whole span, rest [2]span) {
	f := from.In(kz)
	first := time.Date(f.Year(), f.Month(), f.Day(), 0, 0, 0, 0, kz)
	if first.Before(from) {
		first = first.AddDate(0, 0, 1)
	}
	t := to.In(kz)
	last := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, kz)
	if !first.Before(last) {
		return span{from, from}, [2]span{{from, to}, {to, to}}
	}
	return span{first, last}, [2]span{{from, first}, {last, to}}
}

// splitHours splits [from, to) into its whole UTC hours, which the rollup answers, and the parts
// of an hour at either end, which are read from the receipts themselves.
func splitHours(from, to time.Time) (whole span, edges [2]span) {
	first := from.UTC().Truncate(time.Hour)
	if first.Before(from) {
		first = first.Add(time.Hour)
	}
	last := to.UTC().Truncate(time.Hour)
	if !first.Before(last) {
		return span{from, from}, [2]span{{from, to}, {to, to}}
	}
	return span{first, last}, [2]span{{from, first}, {last, to}}
}

// monthPiece is the part of a period within one month in Kazakhstan: the month [start, end) and
// the part [from, to) of it the period covers.
type monthPiece struct{ start, end, from, to time.Time }

// splitMonths splits [from, to) by the months in Kazakhstan it touches.
func splitMonths(from, to time.Time) []monthPiece {
	f := from.In(kz)
	var out []monthPiece
	for m := time.Date(f.Year(), f.Month(), 1, 0, 0, 0, 0, kz); m.Before(to); m = m.AddDate(0, 1, 0) {
		end := m.AddDate(0, 1, 0)
		p := monthPiece{start: m, end: end, from: m, to: end}
		if from.After(m) {
			p.from = from
		}
		if to.Before(end) {
			p.to = to
		}
		out = append(out, p)
	}
	return out
}

// Analytics returns an organization's figures over [from, to), grouped, beside the period of the
// same length before from. Only receipts count, each operation with its sign, and not those the
// OFD refused (design.md §3 invariant 11; the refusal comes with the register's safe, PutSafe).
//
// Each period is read from the coarsest rollup that answers it: whole days in Kazakhstan from the
// daily rollup (receipt_days; not for the hour of the day, which it does not keep), whole hours
// from the hourly one (receipt_hours), and only the parts of an hour at a period's ends from the
// receipts. So a month over 100 registers reads some 6 000 daily rows, not a million receipts.
func (s *Store) Analytics(ctx context.Context, orgID int64, from, to time.Time, by Grouping) ([]Figures, error) {
	g, ok := groupSQL[by]
	if !ok || !to.After(from) {
		return nil, fmt.Errorf("%w: a grouping (shop, register, cashier, hour) and a period that ends after it starts", ErrMalformed)
	}
	prev := from.Add(-to.Sub(from))
	args := []any{orgID}
	arg := func(t time.Time) string {
		args = append(args, t)
		return fmt.Sprintf("$%d", len(args))
	}
	// Each branch says which period its rows count in (cur) and whether they are added or taken
	// away (sign: a month less the days outside the period, see below).
	var branches []string
	var cur, sign string
	rollup := func(table, column string, sp span) {
		branches = append(branches, `SELECT h.register_id, h.`+column+` AS at, h.cashier_code AS code, h.cashier_name AS name,
				`+sign+`h.receipts AS n, `+sign+`h.revenue AS rev, `+cur+` AS cur
			FROM `+table+` h JOIN registers r ON r.id = h.register_id
			WHERE r.organization_id = $1 AND h.`+column+` >= `+arg(sp.from)+` AND h.`+column+` < `+arg(sp.to))
	}
	hours := func(sp span) {
		whole, edges := splitHours(sp.from, sp.to)
		if !whole.empty() {
			rollup("receipt_hours", "hour", whole)
		}
		for _, e := range edges {
			if !e.empty() {
				branches = append(branches, `SELECT d.register_id, d.issued_at AS at, COALESCE(d.content->'operator'->>'code', '') AS code,
						COALESCE(d.content->'operator'->>'name', '') AS name, `+sign+`1 AS n, `+sign+`(`+signedTotal+`) AS rev, `+cur+` AS cur
					FROM documents d JOIN registers r ON r.id = d.register_id
					WHERE r.organization_id = $1 AND d.kind = 'receipt' AND d.issued_at >= `+arg(e.from)+` AND d.issued_at < `+arg(e.to)+`
						AND NOT EXISTS (SELECT 1 FROM register_answers a WHERE a.register_id = d.register_id AND a.seq = d.seq AND a.refused)`)
			}
		}
	}
	// hourOfDay reads a period by the hour of the day: a whole month in Kazakhstan from the rollup
	// by month and hour of the day (24 rows a register); a part of a month longer than half of it
	// as the whole month less the hours outside the part (exact: the sums are integers), a shorter
	// part from the hours. So a month beside the 30 days before reads some 5 000 rows, not 90 000.
	hourOfDay := func(period span) {
		for _, p := range splitMonths(period.from, period.to) {
			if 2*p.to.Sub(p.from) <= p.end.Sub(p.start) {
				hours(span{p.from, p.to})
				continue
			}
			branches = append(branches, `SELECT h.register_id, h.month + h.hod * interval '1 hour' AS at, '' AS code, '' AS name,
					h.receipts AS n, h.revenue AS rev, `+cur+` AS cur
				FROM receipt_month_hours h JOIN registers r ON r.id = h.register_id
				WHERE r.organization_id = $1 AND h.month = `+arg(p.start))
			sign = "-"
			for _, out := range []span{{p.start, p.from}, {p.to, p.end}} {
				if !out.empty() {
					hours(out)
				}
			}
			sign = ""
		}
	}
	for i, period := range []span{{prev, from}, {from, to}} {
		cur = []string{"false", "true"}[i]
		if by == ByHour {
			hourOfDay(period)
			continue
		}
		whole, rest := splitDays(period.from, period.to)
		if !whole.empty() {
			rollup("receipt_days", "day", whole)
		}
		for _, r := range rest {
			if !r.empty() {
				hours(r)
			}
		}
	}
	// Planned with this call's times, every time (QueryExecModeExec): a plan cached for any period
	// (generic) reads the partial-hour receipts as if they were many, in parallel, which costs seconds.
	rows, err := s.pool.Query(ctx, `WITH p AS (`+strings.Join(branches, "\n\t\t\tUNION ALL\n\t\t\t")+`)
		SELECT `+g[0]+` AS key, `+g[1]+` AS label, `+g[2]+` AS register,
			COALESCE(SUM(p.n) FILTER (WHERE p.cur), 0),
			COALESCE(SUM(p.rev) FILTER (WHERE p.cur), 0),
			COALESCE(SUM(p.n) FILTER (WHERE NOT p.cur), 0),
			COALESCE(SUM(p.rev) FILTER (WHERE NOT p.cur), 0)
		FROM p JOIN registers r ON r.id = p.register_id
		GROUP BY 1 `+groupLabel(by)+`
		HAVING SUM(p.n) FILTER (WHERE p.cur) <> 0 OR SUM(p.n) FILTER (WHERE NOT p.cur) <> 0 ORDER BY 1`, append([]any{pgx.QueryExecModeExec}, args...)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Figures
	var registers []string
	for rows.Next() {
		var f Figures
		var key, label, register *string
		if err := rows.Scan(&key, &label, &register, &f.Receipts, &f.Revenue, &f.PrevReceipts, &f.PrevRevenue); err != nil {
			return nil, err
		}
		if register != nil {
			registers = append(registers, *register)
		} else {
			registers = append(registers, "")
		}
		if key != nil {
			f.Key = *key
		}
		if label != nil {
			f.Label = *label
		}
		out = append(out, f)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if by == ByCashier {
		nameShared(out, registers)
	}
	return out, nil
}

// nameShared puts the register's name beside a cashier's name that another register's cashier
// has too, «Aliya (Till 2)», so that the owner tells the two apart; registers[i] is out[i]'s.
func nameShared(out []Figures, registers []string) {
	n := map[string]int{}
	for _, f := range out {
		n[f.Label]++
	}
	for i := range out {
		if n[out[i].Label] > 1 && registers[i] != "" {
			out[i].Label += " (" + registers[i] + ")"
		}
	}
}

// groupLabel adds the label to GROUP BY where it is a plain column.
func groupLabel(by Grouping) string {
	if by == ByRegister {
		return ", r.name"
	}
	return ""
}
