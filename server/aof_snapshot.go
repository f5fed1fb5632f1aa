package server

import (
	"io"

	"github.com/heraldhq/herald/aof"
	"github.com/heraldhq/herald/keyspace"
)

// BGREWRITEAOF's base is the keyspace's snapshot (keyspace/snapshot.go):
// taken with the lock held at the moment the AOF switches to its new incr
// file, written as Redis's rewrite commands without blocking clients.
func init() { aofSnapshot = keyspaceSnapshot }

func keyspaceSnapshot(ks *keyspace.Keyspace) (aof.BaseWriter, func(), error) {
	snap, err := ks.StartSnapshot()
	if err != nil {
		return nil, nil, err
	}
	write := func(w io.Writer) error {
		_, err := snap.WriteTo(w)
		return err
	}
	// abort runs without the lock (finishRewrite, after a failure).
	abort := func() {
		ks.Lock()
		snap.Abort()
		ks.Unlock()
	}
	return write, abort, nil
}
