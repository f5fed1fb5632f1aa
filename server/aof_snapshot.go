package server

import (
	"io"

	"github.com/heraldhq/herald/aof"
	"github.com/heraldhq/herald/keyspace"
)

// The two halves of BGREWRITEAOF joined: the keyspace's snapshot
// (keyspace/snapshot.go) writes the base file the AOF's rewrite installs
// (aof/rewrite.go, aof_rewrite.go).
func init() {
	aofSnapshot = func(ks *keyspace.Keyspace) (aof.BaseWriter, func(), error) {
		snap, err := ks.StartSnapshot()
		if err != nil {
			return nil, nil, err
		}
		write := func(w io.Writer) error {
			_, err := snap.WriteTo(w) // takes the keyspace lock itself, in chunks
			return err
		}
		abort := func() {
			ks.Lock()
			snap.Abort() // nothing if WriteTo ended it
			ks.Unlock()
		}
		return write, abort, nil
	}
}
