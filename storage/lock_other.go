//go:build !unix && !windows

package storage

import "os"

// tryLock: this platform (js/wasm, plan9) has no advisory file lock the journal can use; only
// the in-process check of lockJournal holds there. The register's targets (Android, iOS, Linux,
// macOS, Windows) all lock.
func tryLock(*os.File) error { return nil }
