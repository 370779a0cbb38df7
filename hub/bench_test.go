package hub

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/ekassa-go/ekassa/internal/pglocal"
)

// BenchmarkIngest: registers pushing at once over TLS into a durable cluster (fsync on, as a real
// hub runs): each register pushes its chain in batches of 20, as a register catching up does.
// It reports documents stored per second over the whole run. b.N is the number of documents per
// register; `make bench-hub` runs it with 1 000 registers.
func BenchmarkIngest(b *testing.B) {
	registers := 100
	if n := os.Getenv("EKASSA_HUB_REGISTERS"); n != "" {
		fmt.Sscan(n, &registers)
	}
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "ekassa-pg-bench-")
	if err != nil {
		b.Fatal(err)
	}
	defer os.RemoveAll(dir)
	c, err := pglocal.Start(dir, pglocal.Options{Durable: true})
	if err != nil {
		b.Skip(err)
	}
	defer c.Stop(true)
	s, err := Open(ctx, c.DSN)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	srv := httptest.NewTLSServer(NewServer(s, nil).Handler())
	defer srv.Close()
	org, _, _ := s.CreateOrganization(ctx, "Chain of shops")
	clients := make([]*Client, registers)
	chains := make([][]Document, registers)
	for i := range clients {
		serial := fmt.Sprintf("BENCH%06d", i)
		_, secret, err := s.AddRegister(ctx, org.ID, serial, serial, "Shop 1")
		if err != nil {
			b.Fatal(err)
		}
		clients[i] = &Client{BaseURL: srv.URL, Secret: secret, HTTP: srv.Client()}
		chains[i] = chain(serial, 1, zeroHash, b.N)
	}
	b.ResetTimer()
	start := time.Now()
	var wg sync.WaitGroup
	errs := make(chan error, registers)
	for i := range clients {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			for k := 0; k < b.N; k += 20 {
				if _, err := clients[i].Push(ctx, chains[i][k:min(k+20, b.N)], nil); err != nil {
					errs <- err
					return
				}
			}
		}(i)
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
	var held int64
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM documents`).Scan(&held); err != nil {
		b.Fatal(err)
	}
	if want := int64(registers * b.N); held != want {
		b.Fatalf("the hub holds %d documents, want %d", held, want)
	}
	b.ReportMetric(float64(held)/elapsed.Seconds(), "docs/s")
	b.ReportMetric(float64(registers), "registers")
}
