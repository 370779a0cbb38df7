package storage

// The schema of migration 2: the indexes behind every access path of History, and the analytics
// aggregates that Commit keeps in step with the documents.
//
// Why an expression index for the receipt's operation and not a new column: every column of a
// document row is covered by the hash chain (chain.go), so a query can trust it. A new column
// would be a copy outside the chain; an index on json_extract over the content is derived from
// hashed bytes, so an edited row is still found by Verify. The content is stored as a BLOB, and
// SQLite reads a BLOB given to the JSON functions as JSONB; the CAST makes it read text JSON.
//
// The aggregates (analytics_hours, analytics_items, analytics_operators) are not trusted: they
// are a cache of sums over the documents, folded in from the documents behind a watermark
// (analytics_fold.go, analyticsSum), and the migration fills them from the documents already in
// the journal with the same arithmetic in SQL.

// receiptOperationSQL is the receipt's operation (kkm.Operation) read from a document row's
// content; it is the expression of the documents_history_operation index, and a query must spell
// it exactly so for SQLite to use that index.
const receiptOperationSQL = `json_extract(CAST(content AS TEXT), '$.receipt.operation')`

// wallHourSQL is the wall-clock hour of a document in the register's own time zone (see
// wallHour), computed from the RFC 3339 time in its content: the first 19 characters are the
// local date and time, which strftime reads as if they were UTC.
const wallHourSQL = `CAST(strftime('%s', substr(json_extract(c, '$.time'), 1, 19)) AS INTEGER) / 3600`

// paymentSumSQL returns the SQL sum of a receipt's payments of one type (the JSON in c).
func paymentSumSQL(payType string) string {
	return `(SELECT COALESCE(SUM(json_extract(p.value, '$.sum')), 0) FROM json_each(c, '$.receipt.payments') p
		WHERE json_extract(p.value, '$.type') = ` + payType + `)`
}

// historyAndAnalyticsMigration is migration 2.
func historyAndAnalyticsMigration() []string {
	return []string{
		// History: one index per access path, each ending in seq (the rowid, implicit at the end of
		// every index), so "WHERE path = ? AND seq < ? ORDER BY seq DESC LIMIT n" reads n entries.
		`CREATE INDEX documents_history_shift ON documents(shift_number, seq)`,
		`CREATE INDEX documents_history_kind ON documents(kind, seq)`,
		`CREATE INDEX documents_history_operation ON documents(` + receiptOperationSQL + `, seq) WHERE kind = 'receipt'`,
		`CREATE INDEX documents_history_number ON documents(number, seq)`,
		`CREATE INDEX documents_history_total ON documents(total, seq)`,
		`CREATE INDEX documents_history_offline ON documents(seq) WHERE offline = 1`,

		// analytics_hours: receipts per wall-clock hour, cashier and operation. cash is the cash
		// that stayed in the drawer (taken − change); card and mobile the amounts charged.
		`CREATE TABLE analytics_hours (
			wall_hour     INTEGER NOT NULL, -- hours since 1970-01-01 00:00 of the register's wall clock
			operator_code INTEGER NOT NULL,
			operation     INTEGER NOT NULL, -- kkm.Operation
			receipts      INTEGER NOT NULL,
			total         INTEGER NOT NULL, -- tiyn
			cash          INTEGER NOT NULL,
			card          INTEGER NOT NULL,
			mobile        INTEGER NOT NULL,
			PRIMARY KEY (wall_hour, operator_code, operation)
		) WITHOUT ROWID`,
		// analytics_items: extended-mode lines per wall-clock day, item and operation.
		`CREATE TABLE analytics_items (
			wall_day  INTEGER NOT NULL, -- days since 1970-01-01 of the register's wall clock
			name      TEXT    NOT NULL,
			unit      TEXT    NOT NULL,
			operation INTEGER NOT NULL,
			lines     INTEGER NOT NULL,
			quantity  INTEGER NOT NULL, -- thousandths of unit
			total     INTEGER NOT NULL, -- Σ line sums, tiyn
			PRIMARY KEY (wall_day, name, unit, operation)
		) WITHOUT ROWID`,
		// analytics_operators: the latest name under which each operator code issued a receipt.
		`CREATE TABLE analytics_operators (
			operator_code INTEGER PRIMARY KEY,
			name          TEXT NOT NULL
		)`,

		// Fill the aggregates from the receipts already journaled.
		`INSERT INTO analytics_hours (wall_hour, operator_code, operation, receipts, total, cash, card, mobile)
		SELECT h, code, op, COUNT(*), SUM(total), SUM(cash), SUM(card), SUM(mobile) FROM (
			SELECT ` + wallHourSQL + ` AS h,
				json_extract(c, '$.operator.code') AS code,
				json_extract(c, '$.receipt.operation') AS op,
				total,
				json_extract(c, '$.receipt.taken') - json_extract(c, '$.receipt.change') AS cash,
				` + paymentSumSQL("1") + ` AS card,
				` + paymentSumSQL("4") + ` AS mobile
			FROM (SELECT CAST(content AS TEXT) AS c, total FROM documents WHERE kind = 'receipt'))
		GROUP BY h, code, op`,
		`INSERT INTO analytics_items (wall_day, name, unit, operation, lines, quantity, total)
		SELECT dd, name, unit, op, COUNT(*), SUM(q), SUM(s) FROM (
			SELECT (` + wallHourSQL + `) / 24 AS dd,
				json_extract(l.value, '$.name') AS name,
				json_extract(l.value, '$.unit') AS unit,
				json_extract(c, '$.receipt.operation') AS op,
				json_extract(l.value, '$.quantity') AS q,
				json_extract(l.value, '$.sum') AS s
			FROM (SELECT CAST(content AS TEXT) AS c FROM documents WHERE kind = 'receipt') AS r,
				json_each(r.c, '$.receipt.lines') AS l
			WHERE COALESCE(json_extract(c, '$.receipt.simple'), 0) = 0)
		GROUP BY dd, name, unit, op`,
		`INSERT INTO analytics_operators (operator_code, name)
		SELECT json_extract(CAST(content AS TEXT), '$.operator.code'), json_extract(CAST(content AS TEXT), '$.operator.name')
		FROM documents WHERE kind = 'receipt' AND seq IN (
			SELECT MAX(seq) FROM documents WHERE kind = 'receipt'
			GROUP BY json_extract(CAST(content AS TEXT), '$.operator.code'))`,
	}
}
