package hub

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/ekassa-go/ekassa/internal/pglocal"
)

// The month report's scale: 100 registers in 20 shops of one organization, 100 000 documents each
// (10 M), a year of a busy register's receipts (about 274 a day between 08:00 and 22:00 in
// Kazakhstan, two cashiers a day: the morning's and the evening's, 5 % returns, every 50th
// document a Z report).
const (
	monthRegisters = 100
	monthDocs      = 100_000 // per register
)

// monthStart is the first document's time: 2026-01-01 08:00 in Kazakhstan.
var monthStart = time.Date(2026, 1, 1, 3, 0, 0, 0, time.UTC)

// BenchmarkMonthReport: the owner's month report (Analytics over a calendar month beside the 30
// days before, by each grouping) over 100 registers on 10 M documents. The cluster is built once
// into EKASSA_HUB_10M_DIR (default $TMPDIR/ekassa-hub-10m; minutes) and kept; it reports the p50
// and p99 of one report and, on the run that built it, how long the build took.
//
//	EKASSA_HUB_10M=1 go test -run '^$' -bench MonthReport -benchtime 400x ./hub/
func BenchmarkMonthReport(b *testing.B) {
	if os.Getenv("EKASSA_HUB_10M") != "1" {
		b.Skip("EKASSA_HUB_10M=1 builds (once) and reads the 10 M-document hub")
	}
	ctx := context.Background()
	dir := os.Getenv("EKASSA_HUB_10M_DIR")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "ekassa-hub-10m")
	}
	c, err := pglocal.Start(dir, pglocal.Options{Durable: true})
	if errors.Is(err, pglocal.ErrNotInstalled) {
		b.Skip(err)
	}
	if err != nil {
		b.Fatal(err)
	}
	defer c.Stop(false)
	s, err := Open(ctx, c.DSN)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	org, built, err := monthFixture(ctx, s)
	if err != nil {
		b.Fatal(err)
	}
	if built > 0 {
		b.Logf("built 10 M documents of %d registers in %v", monthRegisters, built.Round(time.Second))
	}
	var docs int64
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM documents`).Scan(&docs); err != nil {
		b.Fatal(err)
	}
	if docs != monthRegisters*monthDocs {
		b.Fatalf("the hub holds %d documents, want %d", docs, monthRegisters*monthDocs)
	}
	kz := time.FixedZone("UTC+5", 5*3600)
	for _, c := range []struct {
		name     string
		from, to time.Time
	}{
		// November against October: whole hours, read from the rollup alone.
		{"month", time.Date(2026, 11, 1, 0, 0, 0, 0, kz), time.Date(2026, 12, 1, 0, 0, 0, 0, kz)},
		// This month so far, to a minute: the last partial hour (and its twin in the month before)
		// read from the receipts.
		{"month-to-now", time.Date(2026, 12, 1, 0, 0, 0, 0, kz), time.Date(2026, 12, 18, 14, 37, 0, 0, kz)},
	} {
		for _, by := range []Grouping{ByShop, ByRegister, ByCashier, ByHour} {
			b.Run(c.name+"/"+string(by), func(b *testing.B) {
				took := make([]time.Duration, 0, b.N)
				var receipts int64
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					t0 := time.Now()
					figs, err := s.Analytics(ctx, org, c.from, c.to, by)
					took = append(took, time.Since(t0))
					if err != nil {
						b.Fatal(err)
					}
					receipts = 0
					for _, f := range figs {
						receipts += f.Receipts
					}
				}
				b.StopTimer()
				slices.Sort(took)
				b.ReportMetric(float64(took[len(took)/2].Microseconds())/1000, "p50-ms")
				b.ReportMetric(float64(took[len(took)*99/100].Microseconds())/1000, "p99-ms")
				b.ReportMetric(float64(receipts), "receipts")
			})
		}
	}
}

// monthFixture returns the organization of the 10 M documents, making them first when the hub has
// none (and how long that took). The documents go in with one INSERT … SELECT over
// generate_series per register with the indexes dropped and made again after, then the rollup is
// made from them as migrations 5, 8 and 9 make them: minutes, not the hours 10 M pushes would take.
func monthFixture(ctx context.Context, s *Store) (int64, time.Duration, error) {
	var org int64
	err := s.pool.QueryRow(ctx, `SELECT id FROM organizations WHERE name = 'Month report'`).Scan(&org)
	if err == nil {
		return org, 0, nil
	}
	start := time.Now()
	o, _, err := s.CreateOrganization(ctx, "Month report")
	if err != nil {
		return 0, 0, err
	}
	for i := 0; i < monthRegisters; i++ {
		serial := fmt.Sprintf("MONTH%05d", i)
		if _, _, err := s.AddRegister(ctx, o.ID, serial, fmt.Sprintf("Till %d", i), fmt.Sprintf("Shop %02d", i/5)); err != nil {
			return 0, 0, err
		}
	}
	step := float64(14*3600) / float64(monthDocs/365) // seconds between documents within the 14 open hours
	steps := []string{
		`ALTER TABLE documents DROP CONSTRAINT documents_pkey, DROP CONSTRAINT documents_uuid_key`,
		`DROP INDEX documents_by_time, documents_by_shift, documents_receipts_by_time`,
	}
	for _, q := range steps {
		if _, err := s.pool.Exec(ctx, q); err != nil {
			return 0, 0, err
		}
	}
	// Document k of a register falls on day k/274 at 08:00 + (k%274)·step; the morning's cashier
	// until 15:00, the evening's after. The hash is a SHA-256 of the register and seq, and each
	// prev_hash is the hash before it, so the chain the hub holds is linked.
	perDay := monthDocs / 365
	_, err = s.pool.Exec(ctx, fmt.Sprintf(`INSERT INTO documents (register_id, seq, uuid, kind, shift_number, number,
			issued_at, total, offline, content, prev_hash, hash)
		SELECT r.id, g.k, md5(r.id || '/' || g.k)::uuid,
			CASE WHEN g.k %% 50 = 0 THEN 'z_report' ELSE 'receipt' END, g.k / 50 + 1, g.k %% 50,
			$1::timestamptz + ((g.k - 1) / %[1]d) * interval '1 day' + (((g.k - 1) %% %[1]d) * %[2]f + r.id * 7) * interval '1 second',
			100 * (1 + (hashint8(g.k * 1000 + r.id) & 65535)), false,
			jsonb_build_object('kind', 'receipt', 'operator', jsonb_build_object('code', r.id * 10 + cashier,
				'name', 'Cashier ' || (r.id * 10 + cashier)), 'receipt', jsonb_build_object('operation',
				CASE WHEN g.k %% 20 = 7 THEN 3 ELSE 2 END, 'items', jsonb_build_array(jsonb_build_object('name', 'Товар ' || (g.k %% 500),
				'price', 1000, 'quantity', 1000)))),
			CASE WHEN g.k = 1 THEN '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea
				ELSE sha256(convert_to(r.id || '/' || (g.k - 1), 'UTF8')) END,
			sha256(convert_to(r.id || '/' || g.k, 'UTF8'))
		FROM registers r, generate_series(1, %[3]d) g(k),
			LATERAL (SELECT CASE WHEN (g.k - 1) %% %[1]d < %[1]d / 2 THEN 1 ELSE 2 END AS cashier) c
		WHERE r.organization_id = $2`, perDay, step, monthDocs), monthStart, o.ID)
	if err != nil {
		return 0, 0, err
	}
	steps = []string{
		`ALTER TABLE documents ADD PRIMARY KEY (register_id, seq), ADD UNIQUE (uuid)`,
		`CREATE INDEX documents_by_time ON documents (register_id, issued_at)`,
		`CREATE INDEX documents_by_shift ON documents (register_id, shift_number, number)`,
		`CREATE INDEX documents_receipts_by_time ON documents (issued_at, register_id) WHERE kind = 'receipt'`,
		`INSERT INTO receipt_hours (register_id, hour, cashier_code, cashier_name, receipts, revenue)
			SELECT ` + rollupSelect + ` FROM documents d JOIN registers r ON r.id = d.register_id
			WHERE r.organization_id = ` + fmt.Sprint(o.ID) + ` AND d.kind = 'receipt' GROUP BY 1, 2, 3`,
		`INSERT INTO receipt_days (register_id, day, cashier_code, cashier_name, receipts, revenue)
			SELECT register_id, ` + kzDay("hour") + `, cashier_code, MAX(cashier_name), SUM(receipts), SUM(revenue)
			FROM receipt_hours GROUP BY 1, 2, 3`,
		monthsFromHoursSQL,
		`UPDATE registers r SET head_seq = d.seq, head_hash = d.hash, pushed_at = now()
			FROM documents d WHERE d.register_id = r.id AND d.seq = ` + fmt.Sprint(monthDocs) + ` AND r.organization_id = ` + fmt.Sprint(o.ID),
		`VACUUM ANALYZE`,
	}
	for _, q := range steps {
		if _, err := s.pool.Exec(ctx, q); err != nil {
			return 0, 0, fmt.Errorf("%s: %w", q, err)
		}
	}
	return o.ID, time.Since(start), nil
}
