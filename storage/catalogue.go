package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/ekassa-go/ekassa/kkm"
)

// The catalogue's tables (kkm.Item). items.search is what the search as you type scans: the
// item's name, article code and NTIN folded (kkm.FoldForSearch) and joined by a unit separator
// (0x1F, which no query holds, so a match never spans two fields). A barcode is stored by its key
// (kkm.ReadBarcode), at most once in the whole catalogue: its primary key is the scan's lookup.
func catalogueMigration() []string {
	return []string{
		`CREATE TABLE items (
			id        INTEGER PRIMARY KEY,
			name      TEXT    NOT NULL,
			ntin      TEXT    NOT NULL,
			code      TEXT    NOT NULL,      -- the shop's article / PLU code, '' when none
			unit      TEXT    NOT NULL,      -- ИС ЭСФ unit code
			price     INTEGER NOT NULL,      -- tiyn, VAT included
			vat_rate  INTEGER NOT NULL,      -- kkm.VATRate
			marked    TEXT    NOT NULL,      -- kkm.MarkedGroup, '' when not marked
			favourite INTEGER NOT NULL,      -- 0 or 1
			archived  INTEGER NOT NULL,      -- 0 or 1: hidden from sale, never deleted
			search    TEXT    NOT NULL       -- folded name, code and NTIN
		)`,
		`CREATE UNIQUE INDEX items_by_code ON items(code) WHERE code <> ''`,
		`CREATE INDEX items_by_ntin ON items(ntin) WHERE ntin <> ''`,
		`CREATE INDEX items_favourites ON items(search) WHERE favourite = 1 AND archived = 0`,
		`CREATE TABLE item_barcodes (
			code    TEXT    PRIMARY KEY,     -- kkm.Barcode.Key
			item_id INTEGER NOT NULL REFERENCES items(id)
		) WITHOUT ROWID`,
		`CREATE INDEX item_barcodes_by_item ON item_barcodes(item_id)`,
	}
}

// searchText is an item's items.search column.
func searchText(it kkm.Item) string {
	return kkm.FoldForSearch(it.Name) + "\x1f" + kkm.FoldForSearch(it.Code) + "\x1f" + it.NTIN
}

const itemColumns = `id, name, ntin, code, unit, price, vat_rate, marked, favourite, archived`

// SaveItem validates it (kkm.Item.Validate) and writes it in one transaction: a new item (ID 0)
// is added and returned with its ID, an existing one replaced whole, its barcodes with it. A
// barcode or article code that is another item's (archived ones too: a code once printed keeps
// naming its item) is refused with kkm.ErrBarcodeTaken or kkm.ErrItemCodeTaken naming that item,
// and nothing is written. Receipts already issued keep their own copy of every line.
func (j *Journal) SaveItem(ctx context.Context, it kkm.Item) (kkm.Item, error) {
	if err := it.Validate(); err != nil {
		return kkm.Item{}, err
	}
	err := j.inTx(ctx, func(tx *Tx) error {
		if err := saveItemTx(ctx, tx, &it); err != nil {
			return err
		}
		return markHubChange(ctx, tx, it.ID)
	})
	if err != nil {
		return kkm.Item{}, err
	}
	j.catalogue.put(it)
	return it, nil
}

// itemQuerier is a transaction, or an import's statements prepared once in it (txStatements).
type itemQuerier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// txStatements prepares each query once in its transaction: an import runs the same few
// statements for every row, and modernc's prepare costs about what the statement does.
type txStatements struct {
	tx *Tx
	m  map[string]*sql.Stmt
}

func (t *txStatements) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if st, ok := t.m[query]; ok {
		return st, nil
	}
	st, err := t.tx.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	t.m[query] = st
	return st, nil
}

// QueryRowContext runs query as a prepared statement.
func (t *txStatements) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	st, err := t.stmt(ctx, query)
	if err != nil {
		return t.tx.QueryRowContext(ctx, query, args...) // the same error, as a Row carries it
	}
	return st.QueryRowContext(ctx, args...)
}

// ExecContext runs query as a prepared statement.
func (t *txStatements) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	st, err := t.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(ctx, args...)
}

func (t *txStatements) close() {
	for _, st := range t.m {
		st.Close()
	}
}

// saveItemTx writes one validated item in tx (see SaveItem); a new item gets its ID in it.
func saveItemTx(ctx context.Context, tx itemQuerier, it *kkm.Item) error {
	if it.ID != 0 {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM items WHERE id = ?`, it.ID).Scan(&n); err != nil {
			return fmt.Errorf("storage: save item: %w", err)
		}
		if n == 0 {
			return &kkm.Error{Code: kkm.ErrItemNotFound}
		}
	}
	if it.Code != "" {
		var other string
		err := tx.QueryRowContext(ctx, `SELECT name FROM items WHERE code = ? AND code <> '' AND id <> ?`, it.Code, it.ID).Scan(&other)
		if err == nil {
			return &kkm.Error{Code: kkm.ErrItemCodeTaken, Data: map[string]any{"Code": it.Code, "Name": other}}
		} else if !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("storage: save item: %w", err)
		}
	}
	args := []any{it.Name, it.NTIN, it.Code, it.Unit, int64(it.Price), int(it.VATRate), string(it.Marked),
		it.Favourite, it.Archived, searchText(*it)}
	if it.ID == 0 {
		res, err := tx.ExecContext(ctx, `INSERT INTO items (name, ntin, code, unit, price, vat_rate, marked,
			favourite, archived, search) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, args...)
		if err != nil {
			return fmt.Errorf("storage: save item: %w", err)
		}
		if it.ID, err = res.LastInsertId(); err != nil {
			return fmt.Errorf("storage: save item: %w", err)
		}
	} else {
		if _, err := tx.ExecContext(ctx, `UPDATE items SET name = ?, ntin = ?, code = ?, unit = ?, price = ?,
			vat_rate = ?, marked = ?, favourite = ?, archived = ?, search = ? WHERE id = ?`, append(args, it.ID)...); err != nil {
			return fmt.Errorf("storage: save item: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM item_barcodes WHERE item_id = ?`, it.ID); err != nil {
			return fmt.Errorf("storage: save item: %w", err)
		}
	}
	// A barcode another item holds is found by its primary key as it is inserted (one statement
	// a barcode instead of a look-up and an insert: an import's rows are mostly barcodes); the
	// caller's transaction then rolls the item back.
	for _, b := range it.Barcodes {
		res, err := tx.ExecContext(ctx, `INSERT INTO item_barcodes (code, item_id) VALUES (?, ?) ON CONFLICT (code) DO NOTHING`, b, it.ID)
		if err != nil {
			return fmt.Errorf("storage: save item: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("storage: save item: %w", err)
		} else if n == 0 {
			var other string
			if err := tx.QueryRowContext(ctx, `SELECT i.name FROM item_barcodes b JOIN items i ON i.id = b.item_id
				WHERE b.code = ?`, b).Scan(&other); err != nil {
				return fmt.Errorf("storage: save item: %w", err)
			}
			return &kkm.Error{Code: kkm.ErrBarcodeTaken, Data: map[string]any{"Code": kkm.DisplayBarcode(b), "Name": other}}
		}
	}
	return nil
}

// ImportItems saves items in one transaction, all or none: the first that is invalid or takes
// another's barcode or code (an item earlier in the list included) refuses the whole import with
// its error wrapped in an *ItemRowError naming its index, and the catalogue is as before. New items
// (ID 0) get their IDs in the returned copy. A price list's preview validates first, so a refusal
// here is rare. ImportItemsWith (catalogue_io.go) adds progress, cancelling and updating.
func (j *Journal) ImportItems(ctx context.Context, items []kkm.Item) ([]kkm.Item, error) {
	out, _, err := j.ImportItemsWith(ctx, items, ImportOptions{})
	return out, err
}

// ItemRowError is an import's refusal: the item at index Row (from 0) and why.
type ItemRowError struct {
	Row int
	Err error
}

// Error names the row and its cause, for logs.
func (e *ItemRowError) Error() string { return fmt.Sprintf("storage: item %d: %v", e.Row, e.Err) }

// Unwrap gives the cause, a *kkm.Error the screen translates.
func (e *ItemRowError) Unwrap() error { return e.Err }

// SetItemArchived archives an item (hidden from sale, search and favourites, its codes kept) or
// brings it back.
func (j *Journal) SetItemArchived(ctx context.Context, id int64, archived bool) error {
	err := j.inTx(ctx, func(tx *Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE items SET archived = ? WHERE id = ?`, archived, id)
		if err != nil {
			return fmt.Errorf("storage: archive item: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return &kkm.Error{Code: kkm.ErrItemNotFound}
		}
		return markHubChange(ctx, tx, id)
	})
	if err == nil {
		j.catalogue.archive(id, archived)
	}
	return err
}

// Item returns the item with the given ID, archived or not (kkm.ErrItemNotFound when none).
func (j *Journal) Item(ctx context.Context, id int64) (kkm.Item, error) {
	items, err := j.queryItems(ctx, `SELECT `+itemColumns+` FROM items WHERE id = ?`, id)
	if err != nil {
		return kkm.Item{}, err
	}
	if len(items) == 0 {
		return kkm.Item{}, &kkm.Error{Code: kkm.ErrItemNotFound}
	}
	return items[0], j.withBarcodes(ctx, items)
}

// ItemByBarcode reads raw as a scan (kkm.ReadBarcode) and returns the item that carries it,
// archived or not, with the barcode read; found is false when no item has it (the screen offers
// to create one). A code that is no barcode is the reading's error.
func (j *Journal) ItemByBarcode(ctx context.Context, raw string) (it kkm.Item, b kkm.Barcode, found bool, err error) {
	if b, err = kkm.ReadBarcode(raw); err != nil {
		return kkm.Item{}, b, false, err
	}
	items, err := j.queryItems(ctx, `SELECT `+itemColumns+` FROM items
		WHERE id = (SELECT item_id FROM item_barcodes WHERE code = ?)`, b.Key)
	if err != nil || len(items) == 0 {
		return kkm.Item{}, b, false, err
	}
	return items[0], b, true, j.withBarcodes(ctx, items)
}

// ItemByCode returns the item with the shop's article code, archived or not.
func (j *Journal) ItemByCode(ctx context.Context, code string) (kkm.Item, bool, error) {
	items, err := j.queryItems(ctx, `SELECT `+itemColumns+` FROM items WHERE code = ? AND code <> ''`, code)
	if err != nil || len(items) == 0 {
		return kkm.Item{}, false, err
	}
	return items[0], true, j.withBarcodes(ctx, items)
}

// ItemQuery is a search of the catalogue as the cashier types.
type ItemQuery struct {
	Text     string // what is typed: part of a name, code or NTIN, or a barcode (or its first digits)
	Archived bool   // search the archived items instead of those on sale
	Limit    int    // at most this many items; 0 means 50
}

// SearchItems finds the items the query names, best first: those whose barcode is the query (or
// begins with it, from four digits on), then those whose name, article code or NTIN holds it
// (folded, kkm.FoldForSearch), names that begin with it first, then favourites, then by name.
// Barcodes are looked up on their index in the journal; names are scanned in memory
// (catalogue_index.go), since a substring is what a cashier types and no SQL index serves it:
// SQLite's scan of 50 000 rows took 60–200 ms a keystroke here (docs/benchmarks.md).
// An empty query lists the favourites, then the others, by name.
func (j *Journal) SearchItems(ctx context.Context, q ItemQuery) ([]kkm.Item, error) {
	limit := q.Limit
	if limit <= 0 {
		limit = 50
	}
	if err := j.catalogue.load(ctx, j.db.DB); err != nil {
		return nil, err
	}
	text := kkm.FoldForSearch(q.Text)
	var out []kkm.Item
	seen := map[int64]bool{}
	if digits := strings.TrimSpace(q.Text); len(digits) >= 4 && !strings.ContainsAny(digits, " \x1f") {
		var keys []string
		if b, err := kkm.ReadBarcode(digits); err == nil {
			keys = append(keys, b.Key)
		}
		// The first digits of a GS1 code, as printed: its key is padded to 14 digits. Each
		// prefix is its own range on the barcodes' primary key (an OR of ranges would scan them).
		var ranges [][2]string
		for _, k := range keys {
			ranges = append(ranges, [2]string{k, k + "\x00"})
		}
		if isDigits(digits) && len(digits) < 14 {
			for _, pad := range []string{"", "0", "00", "000000"} { // as typed, EAN-13, UPC-A, EAN-8
				p := pad + digits
				if len(p) <= 14 {
					ranges = append(ranges, [2]string{p, p + ":"}) // ':' follows '9'
				}
			}
		}
		var found []kkm.Item
		for _, r := range ranges {
			got, err := scanItems(j.catalogue.barcodeRange.QueryContext(ctx, r[0], r[1], q.Archived, limit))
			if err != nil {
				return nil, err
			}
			found = append(found, got...)
		}
		for _, it := range found {
			if !seen[it.ID] && len(out) < limit {
				seen[it.ID] = true
				out = append(out, it)
			}
		}
	}
	if len(out) < limit {
		ids := j.catalogue.search(text, q.Archived, limit+len(out))
		var fresh []int64
		for _, id := range ids {
			if !seen[id] && len(out)+len(fresh) < limit {
				fresh = append(fresh, id)
			}
		}
		if len(fresh) > 0 {
			found, err := scanItems(j.catalogue.byIDs.QueryContext(ctx, jsonIDs(fresh)))
			if err != nil {
				return nil, err
			}
			byID := make(map[int64]kkm.Item, len(found))
			for _, it := range found {
				byID[it.ID] = it
			}
			for _, id := range fresh {
				if it, ok := byID[id]; ok {
					out = append(out, it)
				}
			}
		}
	}
	return out, j.withBarcodes(ctx, out)
}

// jsonIDs is ids as a JSON array, for json_each.
func jsonIDs(ids []int64) string {
	b := make([]byte, 0, 8*len(ids)+2)
	b = append(b, '[')
	for i, id := range ids {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, id, 10)
	}
	return string(append(b, ']'))
}

// Favourites returns the favourite items on sale, by name, for the one-tap grid.
func (j *Journal) Favourites(ctx context.Context, limit int) ([]kkm.Item, error) {
	if limit <= 0 {
		limit = 100
	}
	items, err := j.queryItems(ctx, `SELECT `+itemColumns+` FROM items
		WHERE favourite = 1 AND archived = 0 ORDER BY search LIMIT ?`, limit)
	if err != nil {
		return nil, err
	}
	return items, j.withBarcodes(ctx, items)
}

// CountItems counts the catalogue's items on sale and archived.
func (j *Journal) CountItems(ctx context.Context) (onSale, archived int, err error) {
	err = j.db.QueryRowContext(ctx, `SELECT count(*) FILTER (WHERE archived = 0), count(*) FILTER (WHERE archived = 1)
		FROM items`).Scan(&onSale, &archived)
	if err != nil {
		err = fmt.Errorf("storage: count items: %w", err)
	}
	return onSale, archived, err
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// queryItems runs a query of itemColumns and reads the items, without their barcodes (withBarcodes).
func (j *Journal) queryItems(ctx context.Context, query string, args ...any) ([]kkm.Item, error) {
	return scanItems(j.db.QueryContext(ctx, query, args...))
}

// scanItems reads the items of a query of itemColumns.
func scanItems(rows *sql.Rows, err error) ([]kkm.Item, error) {
	if err != nil {
		return nil, fmt.Errorf("storage: items: %w", err)
	}
	defer rows.Close()
	var items []kkm.Item
	for rows.Next() {
		var it kkm.Item
		var price int64
		var vat int
		var marked string
		if err := rows.Scan(&it.ID, &it.Name, &it.NTIN, &it.Code, &it.Unit, &price, &vat, &marked,
			&it.Favourite, &it.Archived); err != nil {
			return nil, fmt.Errorf("storage: items: %w", err)
		}
		it.Price, it.VATRate, it.Marked = kkm.Money(price), kkm.VATRate(vat), kkm.MarkedGroup(marked)
		items = append(items, it)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("storage: items: %w", err)
	}
	return items, nil
}

// withBarcodes fills in the barcodes of items, in one query.
func (j *Journal) withBarcodes(ctx context.Context, items []kkm.Item) error {
	if len(items) == 0 {
		return nil
	}
	at := make(map[int64]int, len(items))
	args := make([]any, len(items))
	for i, it := range items {
		at[it.ID], args[i] = i, it.ID
		items[i].Barcodes = nil
	}
	var rows *sql.Rows
	var err error
	if st := j.catalogue.barcodesStmt(); st != nil {
		ids := make([]int64, len(items))
		for i, it := range items {
			ids[i] = it.ID
		}
		rows, err = st.QueryContext(ctx, jsonIDs(ids))
	} else {
		rows, err = j.db.QueryContext(ctx, `SELECT item_id, code FROM item_barcodes WHERE item_id IN (?`+
			strings.Repeat(", ?", len(items)-1)+`) ORDER BY item_id, code`, args...)
	}
	if err != nil {
		return fmt.Errorf("storage: item barcodes: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var code string
		if err := rows.Scan(&id, &code); err != nil {
			return fmt.Errorf("storage: item barcodes: %w", err)
		}
		items[at[id]].Barcodes = append(items[at[id]].Barcodes, code)
	}
	return rows.Err()
}
