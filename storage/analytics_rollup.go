package storage

import (
	"context"
	"fmt"
	"time"
)

// Rollups: the analytics of a long period read from a few thousand rows.
//
// analytics_hours and analytics_items (analytics.go) are folded from the documents (analytics_fold.go), one row per wall hour
// × cashier × operation and per wall day × item × operation. A year of a busy shop is ~15 000
// hour rows and ~100 000 item rows, too many to sum in milliseconds. The rollups are coarser
// copies of those two tables for the days before a watermark (analytics_rollup.rolled_day):
//
//   - analytics_days: per wall day × cashier × operation (Total, ByDay, ByCashier);
//   - analytics_month_hours: per wall month × hour of the day × operation (ByHour);
//   - analytics_item_months: per wall month × item × operation (the top items).
//
// A day is in analytics_days when it is before the watermark W; the month tables hold every month
// before W's whole, and W's month with its days before W (rolledMonths). Analytics reads the rollups inside the rolled part of its period and the fine
// tables at its edges (the hours of a partial day, the days of a partial month, the days past the
// watermark), so its result is the same as from the fine tables alone (TestAnalyticsRollupSame).
//
// The watermark is moved by rollAnalytics, not by Commit, so a receipt's commit writes nothing of
// the analytics. It stops one day short of the newest wall day in analytics_hours: wall days are
// read on the register's own clock, and a change of its time zone can put a later receipt in an
// earlier wall hour, never by a day. The fine tables are never deleted from: the rollups are a
// cache, rebuilt from them by dropping their rows and setting the watermark to 0.
//
// Months and days are counted from 1970-01 and 1970-01-01 of the wall clock (wallMonth, wall days
// as in analytics.go); in SQL, monthOfDaySQL and firstDayOfMonthSQL say the same.

// monthOfDaySQL is the wall month (years × 12 + month − 1) of wall day d (an SQL expression).
func monthOfDaySQL(d string) string {
	return `(CAST(strftime('%Y', (` + d + `) * 86400, 'unixepoch') AS INTEGER) * 12 + CAST(strftime('%m', (` + d + `) * 86400, 'unixepoch') AS INTEGER) - 1)`
}

// firstDayOfMonthSQL is the first wall day of the month that holds wall day d (an SQL expression).
func firstDayOfMonthSQL(d string) string {
	return `(CAST(strftime('%s', (` + d + `) * 86400, 'unixepoch', 'start of month') AS INTEGER) / 86400)`
}

const (
	// rolledDaySQL is the watermark: the days before it are rolled up.
	rolledDaySQL = `(SELECT rolled_day FROM analytics_rollup WHERE id = 1)`
	// rollTargetSQL is where rollAnalytics moves the watermark: one day before the newest wall day
	// that holds a receipt (never back).
	rollTargetSQL = `(SELECT MAX(COALESCE(MAX(wall_hour) / 24 - 1, 0), ` + rolledDaySQL + `) FROM analytics_hours)`
)

// rollAnalyticsV6SQL is how migration 6 filled the rollups: whole months only. Migration 7 empties
// and refills them with rollAnalyticsSQL; this stays as released.
func rollAnalyticsV6SQL() []string {
	w, t := rolledDaySQL, rollTargetSQL
	monthsFrom, monthsTo := firstDayOfMonthSQL(w), firstDayOfMonthSQL(t) // the months completed: [from, to)
	return []string{
		`INSERT INTO analytics_days (wall_day, operator_code, operation, receipts, total, cash, card, mobile)
		SELECT wall_hour / 24, operator_code, operation, SUM(receipts), SUM(total), SUM(cash), SUM(card), SUM(mobile)
		FROM analytics_hours WHERE wall_hour >= ` + w + ` * 24 AND wall_hour < ` + t + ` * 24
		GROUP BY wall_hour / 24, operator_code, operation`,
		`INSERT INTO analytics_month_hours (wall_month, hour_of_day, operation, receipts, total, cash, card, mobile)
		SELECT ` + monthOfDaySQL("wall_hour / 24") + `, wall_hour % 24, operation,
			SUM(receipts), SUM(total), SUM(cash), SUM(card), SUM(mobile)
		FROM analytics_hours WHERE wall_hour >= ` + monthsFrom + ` * 24 AND wall_hour < ` + monthsTo + ` * 24
		GROUP BY 1, 2, 3`,
		`INSERT INTO analytics_item_months (wall_month, name, unit, operation, lines, quantity, total)
		SELECT ` + monthOfDaySQL("wall_day") + `, name, unit, operation, SUM(lines), SUM(quantity), SUM(total)
		FROM analytics_items WHERE wall_day >= ` + monthsFrom + ` AND wall_day < ` + monthsTo + `
		GROUP BY 1, 2, 3, 4`,
		`UPDATE analytics_rollup SET rolled_day = ` + t + ` WHERE id = 1`,
	}
}

// analyticsRollupMigration creates the rollups and fills them from the journal's aggregates.
func analyticsRollupMigration() []string {
	return append([]string{
		`CREATE TABLE analytics_days (
			wall_day      INTEGER NOT NULL,
			operator_code INTEGER NOT NULL,
			operation     INTEGER NOT NULL,
			receipts      INTEGER NOT NULL,
			total         INTEGER NOT NULL,
			cash          INTEGER NOT NULL,
			card          INTEGER NOT NULL,
			mobile        INTEGER NOT NULL,
			PRIMARY KEY (wall_day, operator_code, operation)
		) WITHOUT ROWID`,
		`CREATE TABLE analytics_month_hours (
			wall_month  INTEGER NOT NULL, -- years × 12 + month − 1 of the wall clock
			hour_of_day INTEGER NOT NULL, -- 0..23
			operation   INTEGER NOT NULL,
			receipts    INTEGER NOT NULL,
			total       INTEGER NOT NULL,
			cash        INTEGER NOT NULL,
			card        INTEGER NOT NULL,
			mobile      INTEGER NOT NULL,
			PRIMARY KEY (wall_month, hour_of_day, operation)
		) WITHOUT ROWID`,
		`CREATE TABLE analytics_item_months (
			wall_month INTEGER NOT NULL,
			name       TEXT    NOT NULL,
			unit       TEXT    NOT NULL,
			operation  INTEGER NOT NULL,
			lines      INTEGER NOT NULL,
			quantity   INTEGER NOT NULL,
			total      INTEGER NOT NULL,
			PRIMARY KEY (wall_month, name, unit, operation)
		) WITHOUT ROWID`,
		`CREATE TABLE analytics_rollup (
			id         INTEGER PRIMARY KEY CHECK (id = 1),
			rolled_day INTEGER NOT NULL -- the wall days before it are in the rollups
		)`,
		`INSERT INTO analytics_rollup VALUES (1, 0)`,
	}, rollAnalyticsV6SQL()...)
}

// rollAnalyticsSQL moves the watermark W (rolledDaySQL) to T (rollTargetSQL): the days [W, T) go
// into analytics_days, and the month tables are recomputed from the first day of W's month to T,
// so every month before T's is whole in them and T's month holds its days before T.
func rollAnalyticsSQL() []string {
	w, t := rolledDaySQL, rollTargetSQL
	from := firstDayOfMonthSQL(w) // W's month: its row held [its first day, W); now it goes to T
	return []string{
		`INSERT INTO analytics_days (wall_day, operator_code, operation, receipts, total, cash, card, mobile)
		SELECT wall_hour / 24, operator_code, operation, SUM(receipts), SUM(total), SUM(cash), SUM(card), SUM(mobile)
		FROM analytics_hours WHERE wall_hour >= ` + w + ` * 24 AND wall_hour < ` + t + ` * 24
		GROUP BY wall_hour / 24, operator_code, operation`,
		`DELETE FROM analytics_month_hours WHERE wall_month >= ` + monthOfDaySQL(w) + ` AND ` + t + ` > ` + w,
		`INSERT INTO analytics_month_hours (wall_month, hour_of_day, operation, receipts, total, cash, card, mobile)
		SELECT ` + monthOfDaySQL("wall_hour / 24") + `, wall_hour % 24, operation,
			SUM(receipts), SUM(total), SUM(cash), SUM(card), SUM(mobile)
		FROM analytics_hours WHERE wall_hour >= ` + from + ` * 24 AND wall_hour < ` + t + ` * 24 AND ` + t + ` > ` + w + `
		GROUP BY 1, 2, 3`,
		`DELETE FROM analytics_item_months WHERE wall_month >= ` + monthOfDaySQL(w) + ` AND ` + t + ` > ` + w,
		`INSERT INTO analytics_item_months (wall_month, name, unit, operation, lines, quantity, total)
		SELECT ` + monthOfDaySQL("wall_day") + `, name, unit, operation, SUM(lines), SUM(quantity), SUM(total)
		FROM analytics_items WHERE wall_day >= ` + from + ` AND wall_day < ` + t + ` AND ` + t + ` > ` + w + `
		GROUP BY 1, 2, 3, 4`,
		`UPDATE analytics_rollup SET rolled_day = ` + t + ` WHERE id = 1`,
	}
}

// analyticsRollupRefillMigration is migration 7: the rollups emptied and filled anew with
// rollAnalyticsSQL, so the month of the watermark holds its days before it (migration 6 kept
// whole months only).
func analyticsRollupRefillMigration() []string {
	return append([]string{
		`DELETE FROM analytics_days`,
		`DELETE FROM analytics_month_hours`,
		`DELETE FROM analytics_item_months`,
		`UPDATE analytics_rollup SET rolled_day = 0 WHERE id = 1`,
	}, rollAnalyticsSQL()...)
}

// analyticsRollups is true in the app; the storage package's tests set it false to compute the
// same analytics from the fine tables alone and compare.
var analyticsRollups = true

// rollAnalytics moves the rollups' watermark up to the day before the newest, in a transaction
// of its own beside Commit's (commitMu). It costs nothing when the watermark is where it would go,
// and one day's rows once a day. A journal that cannot be written (a fault latched, read-only)
// is left as it is: Analytics reads the fine tables past the watermark, so only speed is lost.
func (j *Journal) rollAnalytics(ctx context.Context) error {
	if j.Fault() != nil {
		return nil
	}
	var w, t int64
	if err := j.db.QueryRowContext(ctx, `SELECT `+rolledDaySQL+`, `+rollTargetSQL).Scan(&w, &t); err != nil {
		return fmt.Errorf("storage: analytics: watermark: %w", err)
	}
	if t <= w {
		return nil
	}
	j.commitMu.Lock()
	defer j.commitMu.Unlock()
	return j.inTx(ctx, func(tx *Tx) error {
		for _, q := range rollAnalyticsSQL() {
			if _, err := tx.ExecContext(ctx, q); err != nil {
				return fmt.Errorf("storage: analytics: roll up: %w", err)
			}
		}
		return nil
	})
}

// wallMonth returns the wall month (years × 12 + month − 1) of wall day d.
func wallMonth(d int64) int64 {
	t := time.Unix(d*86400, 0).UTC()
	return int64(t.Year())*12 + int64(t.Month()) - 1
}

// monthFirstDay returns the first wall day of wall month m.
func monthFirstDay(m int64) int64 {
	return time.Date(int(floorDiv(m, 12)), time.Month(floorMod(m, 12)+1), 1, 0, 0, 0, 0, time.UTC).Unix() / 86400
}

// fullMonths returns the months [m0, m1) whose days all lie in the wall days [a, b); m1 <= m0
// when there is none.
func fullMonths(a, b int64) (m0, m1 int64) {
	m0 = wallMonth(a)
	if monthFirstDay(m0) < a {
		m0++
	}
	return m0, wallMonth(b)
}

// rolledMonths returns the months [m0, m1) of the month tables, rolled up to watermark w, whose
// rows cover days inside [a, b): together the days [monthFirstDay(m0), end). m1 <= m0 when none.
// A month before w's is whole in them; w's month holds its days before w.
func rolledMonths(a, b, w int64) (m0, m1, end int64) {
	m0, m1 = fullMonths(a, b)
	mw := wallMonth(w)
	if m1 > mw || m1 == mw && w <= b {
		m1 = mw + 1 // nothing after w's month is in them; w's month up to w
	}
	return m0, m1, min(monthFirstDay(m1), w)
}
