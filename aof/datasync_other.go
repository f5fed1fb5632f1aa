//go:build !linux

package aof

import "os"

// datasync fsyncs f (F_FULLFSYNC on macOS, as Redis's redis_fsync).
func datasync(f *os.File) error { return f.Sync() }
