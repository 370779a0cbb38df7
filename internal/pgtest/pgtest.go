// Package pgtest starts a throwaway PostgreSQL cluster for a test (internal/pglocal in a
// temporary folder, fsync off) and stops and removes it when the test ends.
//
// When PostgreSQL is missing the test is skipped, unless EKASSA_REQUIRE_PG=1 (set by `make test`,
// which installs it), when it fails: CI must never pass by skipping the hub.
//
// Only tests import it.
package pgtest

import (
	"errors"
	"os"
	"testing"

	"github.com/ekassa-go/ekassa/internal/pglocal"
)

// Start starts a cluster for t and stops and removes it when t ends.
func Start(t testing.TB) *pglocal.Cluster {
	t.Helper()
	dir, err := os.MkdirTemp("", "ekassa-pg-")
	if err != nil {
		t.Fatal(err)
	}
	c, err := pglocal.Start(dir, pglocal.Options{})
	if errors.Is(err, pglocal.ErrNotInstalled) {
		os.RemoveAll(dir)
		if os.Getenv("EKASSA_REQUIRE_PG") == "1" {
			t.Fatal(err, "; `make test` installs it")
		}
		t.Skip(err)
	}
	if err != nil {
		os.RemoveAll(dir)
		t.Fatal(err)
	}
	t.Cleanup(func() {
		c.Stop(true)
		os.RemoveAll(dir)
	})
	return c
}
