package hub

import (
	"context"
	"fmt"
	"time"
)

// Figures are the owner's sums of one group (a shop, a register, a cashier or an hour of the
// day) over a period and over the period of the same length just before it.
type Figures struct {
	Key          string `json:"key"`   // the shop's name, the register's serial, the cashier's code, the hour "09"
	Label        string `json:"label"` // what to show: the register's name, the cashier's name
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

// groupSQL is each grouping's key and label over the documents d joined to their registers r.
var groupSQL = map[Grouping][2]string{
	ByShop:     {`r.shop`, `r.shop`},
	ByRegister: {`r.serial`, `r.name`},
	ByCashier:  {`d.content->'operator'->>'code'`, `MAX(d.content->'operator'->>'name')`},
	ByHour:     {`to_char(d.issued_at AT TIME ZONE '+05:00'::interval, 'HH24')`, `''`},
}

// Analytics returns an organization's figures over [from, to), grouped, beside the period of the
// same length before from. Only receipts count; each operation with its sign. The register's
// refusals by the OFD (documents the OFD never counted) are not pushed yet, so a refused receipt
// still counts here.
func (s *Store) Analytics(ctx context.Context, orgID int64, from, to time.Time, by Grouping) ([]Figures, error) {
	g, ok := groupSQL[by]
	if !ok || !to.After(from) {
		return nil, fmt.Errorf("%w: a grouping (shop, register, cashier, hour) and a period that ends after it starts", ErrMalformed)
	}
	prev := from.Add(-to.Sub(from))
	// The operation's sign: kkm's Operation numbers, as on the wire (0 purchase, 1 purchase
	// return, 2 sale, 3 sale return).
	const signed = `CASE (d.content->'receipt'->>'operation')::int WHEN 2 THEN d.total WHEN 1 THEN d.total ELSE -d.total END`
	rows, err := s.pool.Query(ctx, `SELECT `+g[0]+` AS key, `+g[1]+` AS label,
			COUNT(*) FILTER (WHERE d.issued_at >= $2),
			COALESCE(SUM(`+signed+`) FILTER (WHERE d.issued_at >= $2), 0),
			COUNT(*) FILTER (WHERE d.issued_at < $2),
			COALESCE(SUM(`+signed+`) FILTER (WHERE d.issued_at < $2), 0)
		FROM documents d JOIN registers r ON r.id = d.register_id
		WHERE r.organization_id = $1 AND d.kind = 'receipt' AND d.issued_at >= $4 AND d.issued_at < $3
		GROUP BY 1 `+groupLabel(by)+` ORDER BY 1`, orgID, from, to, prev)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Figures
	for rows.Next() {
		var f Figures
		var key, label *string
		if err := rows.Scan(&key, &label, &f.Receipts, &f.Revenue, &f.PrevReceipts, &f.PrevRevenue); err != nil {
			return nil, err
		}
		if key != nil {
			f.Key = *key
		}
		if label != nil {
			f.Label = *label
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// groupLabel adds the label to GROUP BY where it is a plain column.
func groupLabel(by Grouping) string {
	if by == ByRegister {
		return ", r.name"
	}
	return ""
}
