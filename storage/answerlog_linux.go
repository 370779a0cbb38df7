package storage

import (
	"os"
	"syscall"
)

// dataSync makes f's data durable without its times (fdatasync): the answer log is written over
// inside its allocated size, so nothing else of it needs to reach the disk. Android builds this
// file too.
func dataSync(f *os.File) error { return syscall.Fdatasync(int(f.Fd())) }
