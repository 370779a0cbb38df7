//go:build !linux

package storage

import "os"

// dataSync makes f durable: Sync, which on macOS and iOS is F_FULLFSYNC, on Windows
// FlushFileBuffers.
func dataSync(f *os.File) error { return f.Sync() }
