package hub

import (
	"context"
	"encoding/csv"
	"io"
	"strconv"
	"time"
)

// ExportCSV writes an organization's documents issued in [from, to) as CSV for a spreadsheet, as
// the register's own export does: UTF-8 with a byte-order mark, ';' between fields, amounts in
// tenge with two decimals, times in Kazakhstan (UTC+5). It streams, so a year of many registers
// does not sit in memory, and returns the number of documents written.
func (s *Store) ExportCSV(ctx context.Context, w io.Writer, orgID int64, from, to time.Time) (int, error) {
	rows, err := s.pool.Query(ctx, `SELECT r.shop, r.serial, r.name, d.seq, d.kind, d.shift_number, d.number,
			d.issued_at, d.total, d.offline, COALESCE(d.content->'operator'->>'name', '')
		FROM documents d JOIN registers r ON r.id = d.register_id
		WHERE r.organization_id = $1 AND d.issued_at >= $2 AND d.issued_at < $3
		ORDER BY d.issued_at, d.register_id, d.seq`, orgID, from, to)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	if _, err := io.WriteString(w, "\ufeff"); err != nil {
		return 0, err
	}
	cw := csv.NewWriter(w)
	cw.Comma = ';'
	cw.Write([]string{"shop", "register", "register_name", "seq", "kind", "shift", "number", "issued_at", "total", "offline", "cashier"})
	kz := time.FixedZone("UTC+5", 5*3600)
	n := 0
	for rows.Next() {
		var shop, serial, name, kind, cashier string
		var seq, shift, number, total int64
		var at time.Time
		var offline bool
		if err := rows.Scan(&shop, &serial, &name, &seq, &kind, &shift, &number, &at, &total, &offline, &cashier); err != nil {
			return n, err
		}
		cw.Write([]string{shop, serial, name, strconv.FormatInt(seq, 10), kind, strconv.FormatInt(shift, 10),
			strconv.FormatInt(number, 10), at.In(kz).Format("2006-01-02 15:04:05"), tenge(total),
			strconv.FormatBool(offline), cashier})
		n++
	}
	if err := rows.Err(); err != nil {
		return n, err
	}
	cw.Flush()
	return n, cw.Error()
}

// tenge formats tiyn as tenge with two decimals and a comma, as a Kazakh spreadsheet reads them.
func tenge(tiyn int64) string {
	sign := ""
	if tiyn < 0 {
		sign, tiyn = "-", -tiyn
	}
	frac := tiyn % 100
	s := sign + strconv.FormatInt(tiyn/100, 10) + ","
	if frac < 10 {
		s += "0"
	}
	return s + strconv.FormatInt(frac, 10)
}
