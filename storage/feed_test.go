package storage

import (
	"bytes"
	"context"
	"testing"
)

// TestChainRowsLinkTheChain: the feed returns every row once, in order, each linked to the one
// before it exactly as the journal verifies it, in pages of any size.
func TestChainRowsLinkTheChain(t *testing.T) {
	ctx := context.Background()
	j := openTemp(t)
	d := newDesk(t, j)
	d.fill(25)
	for _, page := range []int{1, 7, 1000} {
		var all []ChainRow
		after := int64(0)
		for {
			rows, err := j.ChainRows(ctx, after, page)
			if err != nil {
				t.Fatal(err)
			}
			if len(rows) == 0 {
				break
			}
			all = append(all, rows...)
			after = rows[len(rows)-1].Seq
		}
		if len(all) < 25 {
			t.Fatalf("page %d: %d rows, want at least 25", page, len(all))
		}
		prev := make([]byte, hashSize)
		for i, r := range all {
			if r.Seq != int64(i+1) {
				t.Fatalf("page %d: row %d has seq %d", page, i, r.Seq)
			}
			if !bytes.Equal(r.PrevHash, prev) || len(r.Hash) != hashSize || len(r.Content) == 0 || r.Kind == "" {
				t.Fatalf("page %d: row %d is not linked: %+v", page, i, r)
			}
			prev = r.Hash
		}
	}
	if rows, err := j.ChainRows(ctx, 1<<40, 10); err != nil || len(rows) != 0 {
		t.Fatalf("after the head: %d rows, %v", len(rows), err)
	}
}
