//go:build !unix

package storage

// noSpace cannot tell on this platform; a full disk shows as SQLite's own SQLITE_FULL.
func noSpace(string) bool { return false }
