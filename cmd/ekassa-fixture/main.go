// Command ekassa-fixture fills a new journal file with a busy shop's documents (see package
// storage/fixture), for the scale benchmarks and for trying the history and analytics screens on
// a year of data:
//
//	ekassa-fixture -out /tmp/journal-1m.db -docs 1000000
//
// It refuses to write into a journal that already holds documents, and verifies the hash chain
// of what it wrote unless -verify=false.
//
// A tool: nothing imports it.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"time"

	"github.com/ekassa-go/ekassa/storage"
	"github.com/ekassa-go/ekassa/storage/fixture"
)

func main() {
	out := flag.String("out", "", "journal file to create (required)")
	docs := flag.Int("docs", 1_000_000, "documents to write")
	days := flag.Int("days", 365, "days they span")
	seed := flag.Uint64("seed", 1, "random seed (the same seed makes the same shop)")
	batch := flag.Int("batch", 2000, "documents per transaction")
	waiting := flag.Int("waiting", 5, "last fiscal documents left unanswered in the outbox")
	verify := flag.Bool("verify", true, "verify the hash chain afterwards")
	flag.Parse()
	if *out == "" {
		flag.Usage()
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, *out, fixture.Options{Documents: *docs, Days: *days, Seed: *seed, Batch: *batch, Waiting: *waiting}, *verify); err != nil {
		fmt.Fprintln(os.Stderr, "ekassa-fixture:", err)
		os.Exit(1)
	}
}

// run generates the journal and reports what it wrote and how long it took.
func run(ctx context.Context, path string, o fixture.Options, verify bool) error {
	j, err := storage.Open(ctx, path)
	if err != nil {
		return err
	}
	defer j.Close()
	start := time.Now()
	st, err := fixture.Generate(ctx, j, o)
	if err != nil {
		return err
	}
	took := time.Since(start)
	fmt.Printf("%d documents in %s (%.0f docs/s): %d receipts (%d sales, %d returns, %d purchases), "+
		"%d cash in, %d cash out, %d X, %d Z, %d offline, %d days, last %s\n",
		st.Documents, took.Round(time.Millisecond), float64(st.Documents)/took.Seconds(), st.Receipts, st.Sales,
		st.Returns, st.Purchases, st.CashIns, st.CashOuts, st.XReports, st.ZReports, st.Offline, st.Days,
		st.Last.Format(time.RFC3339))
	if verify {
		start = time.Now()
		res, err := j.Verify(ctx, 1)
		if err != nil {
			return err
		}
		fmt.Printf("hash chain verified: %d rows in %s\n", res.Checked, time.Since(start).Round(time.Millisecond))
	}
	return nil
}
