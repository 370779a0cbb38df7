//go:build unix

package storage

import "syscall"

// noSpace says whether the file system holding dir has (almost) no space left: less than
// minFreeBytes for unprivileged writers.
func noSpace(dir string) bool {
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		return false
	}
	return uint64(st.Bavail)*uint64(st.Bsize) < minFreeBytes
}
