package storage

import (
	"context"
	"testing"
	"time"
)

// TestKeyTailOverKeysAboveTheWatermark: a watermark moved back below keys already written (by
// hand, say) does not stop every fold on a duplicate key: the keys after it are recomputed from
// their documents and the watermark comes back to the last document.
func TestKeyTailOverKeysAboveTheWatermark(t *testing.T) {
	defer setPause(setPause(time.Hour))
	ctx := context.Background()
	j := openTemp(t)
	d := newDesk(t, j)
	var last int64
	for i := 0; i < 5; i++ {
		last = d.sale(false)
	}
	if err := j.foldAnalytics(ctx); err != nil {
		t.Fatal(err)
	}
	if err := j.WriteTx(ctx, func(tx *Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE analytics_rollup SET keyed_seq = 2 WHERE id = 1`)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if err := j.foldAnalytics(ctx); err != nil {
		t.Fatalf("the fold over keys above the watermark: %v", err)
	}
	var keyed, keys int64
	if err := j.db.QueryRow(`SELECT keyed_seq, (SELECT COUNT(*) FROM document_keys) FROM analytics_rollup WHERE id = 1`).Scan(&keyed, &keys); err != nil {
		t.Fatal(err)
	}
	if keyed != last || keys != last {
		t.Errorf("keyed to %d with %d key rows, want %d and %d", keyed, keys, last, last)
	}
	if _, err := j.VerifyAll(ctx); err != nil {
		t.Errorf("VerifyAll after the catch-up: %v", err)
	}
}
