package storage

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/ekassa-go/ekassa/kkm"
)

// UnitsOut reports which of the marked units given (by kkm.MarkingCode.ID) a sale of shift sold
// and no return of that shift has taken back, with the number in the shift of the sale that sold
// each. It is how the register refuses to sell the same pack twice in a shift.
//
// It reads only the shift's receipts whose content holds the unit's GTIN and serial (the
// documents_by_shift index, then instr over the JSON), so it costs a scan of one shift however
// long the journal, and nothing for a receipt without marked goods (the caller asks only when
// there are codes). Returns made in a later shift are not seen: a unit sold yesterday and
// returned today may be sold again, as the marking system lets it.
func (j *Journal) UnitsOut(ctx context.Context, shift uint32, ids []string) (map[string]uint32, error) {
	out := map[string]uint32{}
	for _, id := range ids {
		gtin, serial, ok := strings.Cut(id, "/")
		if !ok {
			continue
		}
		// The content is JSON: look for the GTIN and the serial as encoding/json writes them (it
		// escapes <, > and & among others); the codes found are then compared unit by unit.
		g, err := json.Marshal(gtin)
		if err != nil {
			return nil, err
		}
		sr, err := json.Marshal(serial)
		if err != nil {
			return nil, err
		}
		inShift, args := keyedSeqs(`x.kind = 'receipt' AND x.shift_number = ?`, `x.seq`, 0, shift)
		rows, err := j.db.QueryContext(ctx, `SELECT number, content FROM documents
			WHERE seq IN (`+inShift+`) AND instr(content, ?) > 0 AND instr(content, ?) > 0
				AND seq NOT IN (SELECT seq FROM refusals) ORDER BY seq`,
			append(args, strings.Trim(string(g), `"`), strings.Trim(string(sr), `"`))...)
		if err != nil {
			return nil, fmt.Errorf("storage: units out: %w", err)
		}
		var held int
		var soldBy uint32
		for rows.Next() {
			var number uint32
			var content []byte
			var d kkm.Document
			if err := rows.Scan(&number, &content); err != nil {
				rows.Close()
				return nil, fmt.Errorf("storage: units out: %w", err)
			}
			if err := decodeDocument(content, &d); err != nil {
				rows.Close()
				return nil, err
			}
			if d.Receipt == nil {
				continue
			}
			for _, l := range d.Receipt.Lines {
				for _, c := range l.Codes {
					if kkm.MarkingID(c) != id {
						continue
					}
					switch d.Receipt.Operation {
					case kkm.OpSale:
						held++
						soldBy = number
					case kkm.OpSaleReturn:
						held--
					}
				}
			}
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("storage: units out: %w", err)
		}
		if held > 0 {
			out[id] = soldBy
		}
	}
	return out, nil
}
