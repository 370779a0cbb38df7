package storage

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/ekassa-go/ekassa/kkm"
)

// searchIndex holds what the search as you type compares, for every item, in memory: its folded
// name, code and NTIN (items.search), sorted, with its favourite and archived flags. It is read
// from the journal at the first search and kept in step by every write of this Journal after its
// transaction commits (one writer per journal, design.md §3.10), so a keystroke costs one pass
// over about 3 MB for 50 000 items and no I/O. The items found are then read by ID.
type searchIndex struct {
	mu     sync.RWMutex
	loaded bool
	rows   []searchRow // sorted by search, then id

	// blob is every row's search text in rows' order, each ended by 0x1E, and starts[i] where
	// row i begins: one strings.Index over the blob finds the next match far faster than a
	// Contains per row (Cyrillic text repeats the first byte of every letter). Rebuilt after a
	// change, at the next search.
	blob   string
	starts []int
	stale  bool

	// Statements a keystroke runs, prepared once at load: modernc's prepare costs as much as the
	// query. Their text never changes with the number of IDs (json_each of a JSON array).
	byIDs, barcodesOf, barcodeRange *sql.Stmt
}

type searchRow struct {
	id        int64
	search    string
	favourite bool
	archived  bool
}

func rowLess(a, b searchRow) bool {
	if a.search != b.search {
		return a.search < b.search
	}
	return a.id < b.id
}

// load reads the index from the journal unless it is read already.
func (x *searchIndex) load(ctx context.Context, db *sql.DB) error {
	x.mu.RLock()
	loaded := x.loaded
	x.mu.RUnlock()
	if loaded {
		return nil
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.loaded {
		return nil
	}
	if x.byIDs == nil {
		var err error
		if x.byIDs, err = db.PrepareContext(ctx, `SELECT `+itemColumns+` FROM items
			WHERE id IN (SELECT value FROM json_each(?))`); err != nil {
			return fmt.Errorf("storage: catalogue index: %w", err)
		}
		if x.barcodesOf, err = db.PrepareContext(ctx, `SELECT item_id, code FROM item_barcodes
			WHERE item_id IN (SELECT value FROM json_each(?)) ORDER BY item_id, code`); err != nil {
			return fmt.Errorf("storage: catalogue index: %w", err)
		}
		if x.barcodeRange, err = db.PrepareContext(ctx, `SELECT i.id, i.name, i.ntin, i.code, i.unit, i.price,
			i.vat_rate, i.marked, i.favourite, i.archived FROM item_barcodes b JOIN items i ON i.id = b.item_id
			WHERE b.code >= ? AND b.code < ? AND i.archived = ? LIMIT ?`); err != nil {
			return fmt.Errorf("storage: catalogue index: %w", err)
		}
	}
	rows, err := db.QueryContext(ctx, `SELECT id, search, favourite, archived FROM items`)
	if err != nil {
		return fmt.Errorf("storage: catalogue index: %w", err)
	}
	defer rows.Close()
	var all []searchRow
	for rows.Next() {
		var r searchRow
		if err := rows.Scan(&r.id, &r.search, &r.favourite, &r.archived); err != nil {
			return fmt.Errorf("storage: catalogue index: %w", err)
		}
		all = append(all, r)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("storage: catalogue index: %w", err)
	}
	sort.Slice(all, func(i, j int) bool { return rowLess(all[i], all[j]) })
	x.rows, x.loaded, x.stale = all, true, true
	return nil
}

// put brings saved items into the index (nothing while it is not loaded: the load reads them).
func (x *searchIndex) put(items ...kkm.Item) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if !x.loaded {
		return
	}
	if len(items) > 64 {
		x.loaded, x.rows = false, nil // an import: read it all again at the next search
		return
	}
	for _, it := range items {
		x.remove(it.ID)
		r := searchRow{id: it.ID, search: searchText(it), favourite: it.Favourite, archived: it.Archived}
		i := sort.Search(len(x.rows), func(i int) bool { return !rowLess(x.rows[i], r) })
		x.rows = append(x.rows, searchRow{})
		copy(x.rows[i+1:], x.rows[i:])
		x.rows[i] = r
	}
	x.stale = true
}

// barcodesStmt is the prepared query of items' barcodes, nil before the first load.
func (x *searchIndex) barcodesStmt() *sql.Stmt {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return x.barcodesOf
}

// reset drops the index, to be read again at the next search (after a restore).
func (x *searchIndex) reset() {
	x.mu.Lock()
	x.loaded, x.rows, x.blob, x.starts = false, nil, "", nil
	x.mu.Unlock()
}

// archive sets an item's archived flag in the index.
func (x *searchIndex) archive(id int64, archived bool) {
	x.mu.Lock()
	defer x.mu.Unlock()
	for i := range x.rows {
		if x.rows[i].id == id {
			x.rows[i].archived = archived
		}
	}
}

func (x *searchIndex) remove(id int64) {
	for i := range x.rows {
		if x.rows[i].id == id {
			x.rows = append(x.rows[:i], x.rows[i+1:]...)
			return
		}
	}
}

// rebuild makes blob and starts from rows; the caller holds mu for writing.
func (x *searchIndex) rebuild() {
	var b strings.Builder
	n := 0
	for _, r := range x.rows {
		n += len(r.search) + 1
	}
	b.Grow(n)
	x.starts = make([]int, len(x.rows)+1)
	for i, r := range x.rows {
		x.starts[i] = b.Len()
		b.WriteString(r.search)
		b.WriteByte(0x1e)
	}
	x.starts[len(x.rows)] = b.Len()
	x.blob, x.stale = b.String(), false
}

// search returns up to limit IDs of the items (archived or on sale) whose search text holds
// text: those that begin with it first, favourites first within each, by name.
func (x *searchIndex) search(text string, archived bool, limit int) []int64 {
	x.mu.RLock()
	if x.stale {
		x.mu.RUnlock()
		x.mu.Lock()
		if x.stale {
			x.rebuild()
		}
		x.mu.Unlock()
		x.mu.RLock()
	}
	defer x.mu.RUnlock()
	var buckets [4][]int64 // prefix+favourite, prefix, favourite, other
	put := func(b int, r searchRow) {
		if r.favourite {
			b--
		}
		if len(buckets[b]) < limit {
			buckets[b] = append(buckets[b], r.id)
		}
	}
	// The rows that begin with text are one run of the sorted rows: two binary searches.
	lo := sort.Search(len(x.rows), func(i int) bool { return x.rows[i].search >= text })
	hi := lo + sort.Search(len(x.rows)-lo, func(i int) bool { return !strings.HasPrefix(x.rows[lo+i].search, text) })
	for i := lo; i < hi; i++ {
		if r := x.rows[i]; r.archived == archived {
			put(1, r)
		}
	}
	// The rows that hold text further in, only when those that begin with it are too few.
	if text != "" && len(buckets[0])+len(buckets[1]) < limit {
		for pos := 0; pos < len(x.blob); {
			k := strings.Index(x.blob[pos:], text)
			if k < 0 {
				break
			}
			i := sort.SearchInts(x.starts, pos+k+1) - 1 // the row that holds the match
			pos = x.starts[i+1]                         // on to the next row: one match per row
			if r := x.rows[i]; (i < lo || i >= hi) && r.archived == archived {
				put(3, r)
			}
		}
	}
	var ids []int64
	for _, b := range buckets {
		for _, id := range b {
			if len(ids) < limit {
				ids = append(ids, id)
			}
		}
	}
	return ids
}
