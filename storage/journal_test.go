package storage

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

func TestOpenSetsPragmasOnEveryConnection(t *testing.T) {
	j := openTemp(t)
	ctx := context.Background()
	// Hold three connections at once, so the pool has to open more than one.
	for i := 0; i < 3; i++ {
		c, err := j.db.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		var mode string
		var sync, fk, busy int
		if err := c.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
			t.Fatal(err)
		}
		if err := c.QueryRowContext(ctx, "PRAGMA synchronous").Scan(&sync); err != nil {
			t.Fatal(err)
		}
		if err := c.QueryRowContext(ctx, "PRAGMA foreign_keys").Scan(&fk); err != nil {
			t.Fatal(err)
		}
		if err := c.QueryRowContext(ctx, "PRAGMA busy_timeout").Scan(&busy); err != nil {
			t.Fatal(err)
		}
		if mode != "wal" || sync != 2 || fk != 1 || busy != busyTimeoutMillis {
			t.Errorf("connection %d: journal_mode=%s synchronous=%d foreign_keys=%d busy_timeout=%d; want wal 2 (FULL) 1 %d",
				i, mode, sync, fk, busy, busyTimeoutMillis)
		}
	}
}

func TestOpenMigratesOnceAndReopens(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "j.db")
	for round := 0; round < 3; round++ {
		j, err := Open(ctx, path)
		if err != nil {
			t.Fatalf("round %d: Open: %v", round, err)
		}
		var v int
		if err := j.db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
			t.Fatal(err)
		}
		if v != SchemaVersion() {
			t.Errorf("round %d: user_version = %d, want %d", round, v, SchemaVersion())
		}
		if round == 0 {
			newDesk(t, j).fill(4)
		}
		var n int
		if err := j.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM documents").Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 4 {
			t.Errorf("round %d: %d documents, want 4", round, n)
		}
		if err := j.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}
	}
}

func TestOpenRefusesNewerJournal(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "j.db")
	j, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := j.db.ExecContext(ctx, "PRAGMA user_version = 99"); err != nil {
		t.Fatal(err)
	}
	j.Close()

	_, err = Open(ctx, path)
	if !errors.Is(err, ErrJournalTooNew) {
		t.Fatalf("Open of a version-99 journal: %v, want ErrJournalTooNew", err)
	}
	var ve *VersionError
	if !errors.As(err, &ve) || ve.Found != 99 || ve.Supported != SchemaVersion() {
		t.Errorf("VersionError = %+v", ve)
	}
	var m interface{ MessageID() string }
	if !errors.As(err, &m) || m.MessageID() != "err.journal.too_new" {
		t.Errorf("MessageID of %v is not err.journal.too_new", err)
	}
}

func TestDSNRefusesQuestionMark(t *testing.T) {
	if _, err := Open(context.Background(), filepath.Join(t.TempDir(), "a?b.db")); !errors.Is(err, ErrBadPath) {
		t.Errorf("Open with '?' in the path: %v, want ErrBadPath", err)
	}
	dsn, err := DSN("/data/journal.db")
	if err != nil || !strings.Contains(dsn, "synchronous%28FULL%29") || !strings.Contains(dsn, "_txlock=immediate") {
		t.Errorf("DSN = %q, %v", dsn, err)
	}
}

func TestCheckpointEmptiesWAL(t *testing.T) {
	j := openTemp(t)
	newDesk(t, j).fill(3)
	ctx := context.Background()
	if err := j.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	var busy, frames, done int
	if err := j.db.QueryRowContext(ctx, "PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &frames, &done); err != nil {
		t.Fatal(err)
	}
	if frames != 0 {
		t.Errorf("WAL holds %d frames after Checkpoint, want 0", frames)
	}
}
