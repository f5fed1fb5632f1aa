package keyspace

import (
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
)

// Snapshots: the keyspace as it was at one instant (T0), written as the
// commands that rebuild it, while clients go on changing it. This is what
// BGREWRITEAOF writes as the new base file of the append-only file; Redis
// forks and lets the child write its copy-on-write view of memory
// (aof.c's rewriteAppendOnlyFileRio). Go cannot fork, and commands change
// values in place, so a snapshot is copy-on-access instead:
//
//   - StartSnapshot (lock held) opens epoch E and remembers each
//     database's key map as it is at T0. Every key of T0 has an entry
//     whose epoch is below E; an entry created from then on gets epoch E
//     and is not part of the snapshot.
//   - Before the keyspace hands out or changes an entry whose epoch is
//     below E (Lookup, Peek and their Bytes forms, Replace and Set over
//     it, SetExpire, Delete, lazy and active expiry, eviction), it writes
//     the entry's value, still its T0 value since nothing touched it since
//     T0, to the snapshot's pending buffer, and sets the entry's epoch to
//     E: it is dumped, and whatever the command then does to it is the
//     append-only file's incr part's business, not the snapshot's.
//   - WriteTo walks the T0 maps in chunks: with the lock held it dumps up
//     to ChunkKeys keys (or ChunkBytes bytes) not yet dumped, takes the
//     pending buffer, releases the lock and writes the chunk to its writer
//     outside it. A Go map may be ranged over while other code inserts
//     and deletes, as long as every access is serialized (here by the
//     keyspace's mutex): a key deleted before the walk reaches it is not
//     produced (it was dumped on its way out), a key added may or may not
//     be (it has epoch E and is skipped).
//   - FLUSHDB and FLUSHALL need nothing: Flush gives the database a new
//     map and leaves the old one, the T0 map, to the walk, which dumps
//     what no command had touched. Nobody else can reach those entries
//     any more, so the flush costs clients no serialization at all.
//   - SWAPDB (which Herald does not have) would have to dump the two
//     databases' undumped keys first: after a swap, an entry dumped on
//     access would be written under the wrong SELECT.
//
// When no snapshot runs, Keyspace.dumping is 0 and each hook is one
// comparison (entry epoch < 0, never true) that the branch predictor
// always gets right.
//
// A key that had expired at T0 was not there at T0: it is skipped. A key
// whose expiry passed after T0 is written with its PEXPIREAT, which is in
// the past by the time the file is loaded, so it expires there, as it did
// here.
//
// The commands are the ones Redis 7.0.15's rewriteAppendOnlyFileRio
// writes, RESP arrays of bulk strings that redis-server loads: SELECT
// before the first key of a database (and again whenever the next key
// dumped belongs to another one, since accesses dump keys of any database
// in between), SET for a string, RPUSH, SADD, HMSET and ZADD with at most
// RewriteItemsPerCommand items each, a stream's XADD, XSETID, XGROUP and
// XCLAIM (stream_snapshot.go), then PEXPIREAT with the absolute expiry in
// milliseconds.

// RewriteItemsPerCommand is how many elements (members, field-value
// pairs, score-member pairs) one command of a snapshot carries at most,
// Redis's AOF_REWRITE_ITEMS_PER_CMD.
const RewriteItemsPerCommand = 64

// The default chunk WriteTo dumps per hold of the lock.
const (
	DefaultChunkKeys  = 256
	DefaultChunkBytes = 64 << 10
)

// ErrSnapshotRunning is StartSnapshot's error when a snapshot is already
// under way.
var ErrSnapshotRunning = errors.New("keyspace: a snapshot is already in progress")

// ErrSnapshotAborted is WriteTo's error when the snapshot was aborted.
var ErrSnapshotAborted = errors.New("keyspace: snapshot aborted")

var errSnapshotWritten = errors.New("keyspace: snapshot already written")

// Snapshot is the keyspace at one instant, being written. Start it with
// StartSnapshot, then call WriteTo exactly once, or Abort.
type Snapshot struct {
	ks    *Keyspace
	epoch uint32
	t0    int64 // the keyspace's time at StartSnapshot, Unix milliseconds

	// ChunkKeys and ChunkBytes bound what WriteTo dumps per hold of the
	// lock: ChunkKeys keys walked, or ChunkBytes bytes of commands,
	// whichever comes first (a single key is always dumped whole). Zero
	// means DefaultChunkKeys, DefaultChunkBytes. Set them before WriteTo.
	ChunkKeys  int
	ChunkBytes int

	// The rest is guarded by the keyspace's lock.
	maps     [NumDatabases]map[string]*Entry // each database's map at T0, nil once walked
	pending  []byte                          // commands dumped and not yet taken by WriteTo
	selected int                             // the database pending's last SELECT chose, -1 none
	keys     int64                           // keys dumped
	err      error                           // a value that could not be written
	aborted  bool
	done     bool
}

// StartSnapshot starts a snapshot of the keyspace as it is now. Lock
// held; the caller switches the append-only file to a new incr file in
// the same hold of the lock, so that every change after T0 is there.
func (ks *Keyspace) StartSnapshot() (*Snapshot, error) {
	if ks.snapshot != nil {
		return nil, ErrSnapshotRunning
	}
	ks.epoch++
	s := &Snapshot{ks: ks, epoch: ks.epoch, t0: ks.Now(), selected: -1}
	for i, db := range ks.dbs {
		if len(db.keys) > 0 {
			s.maps[i] = db.keys
		}
	}
	ks.snapshot = s
	ks.dumping = s.epoch
	return s, nil
}

// SnapshotRunning reports whether a snapshot is under way. Lock held.
func (ks *Keyspace) SnapshotRunning() bool { return ks.snapshot != nil }

// T0 returns the instant of the snapshot, in Unix milliseconds.
func (s *Snapshot) T0() int64 { return s.t0 }

// Keys returns how many keys the snapshot has written so far (a key
// that had expired at T0 is not counted). Lock held.
func (s *Snapshot) Keys() int64 { return s.keys }

// Abort stops the snapshot: the keyspace stops dumping, and WriteTo, if
// it runs, returns ErrSnapshotAborted when it next takes the lock. Lock
// held. Aborting a finished snapshot does nothing.
func (s *Snapshot) Abort() {
	if s.done {
		return
	}
	s.aborted = true
	s.detach()
}

// detach ends the snapshot for the keyspace. Lock held.
func (s *Snapshot) detach() {
	s.done = true
	if s.ks.snapshot == s {
		s.ks.snapshot = nil
		s.ks.dumping = 0
	}
	s.maps = [NumDatabases]map[string]*Entry{}
	s.pending = nil
}

// WriteTo writes the snapshot to w: every key of T0, as commands. It
// takes and releases the keyspace's lock itself (call it without the
// lock, typically from its own goroutine), and writes to w only while
// the lock is released, so a slow disk does not hold up clients. It
// returns the bytes written and the first error: w's, ErrSnapshotAborted,
// or a value it cannot write. On an error the snapshot is over (the
// keyspace stops dumping).
func (s *Snapshot) WriteTo(w io.Writer) (int64, error) {
	ks := s.ks
	chunkKeys, chunkBytes := s.ChunkKeys, s.ChunkBytes
	if chunkKeys <= 0 {
		chunkKeys = DefaultChunkKeys
	}
	if chunkBytes <= 0 {
		chunkBytes = DefaultChunkBytes
	}
	var written int64
	var spare []byte
	// flush writes what is pending, releasing the lock while it does.
	// It returns with the lock held, and an error if the snapshot must
	// stop.
	flush := func() error {
		chunk := s.pending
		s.pending = spare[:0]
		ks.Unlock()
		n, err := w.Write(chunk)
		written += int64(n)
		ks.Lock()
		spare = chunk
		if err != nil {
			s.Abort()
			return err
		}
		return s.check()
	}
	ks.Lock()
	if err := s.check(); err != nil {
		ks.Unlock()
		return 0, err
	}
	for i := range s.maps {
		m := s.maps[i]
		walked := 0
		for key, e := range m {
			if e.epoch < s.epoch {
				s.dump(i, key, e)
			}
			walked++
			if walked >= chunkKeys || len(s.pending) >= chunkBytes {
				walked = 0
				if err := flush(); err != nil {
					ks.Unlock()
					return written, err
				}
			}
		}
		s.maps[i] = nil
	}
	if err := s.check(); err != nil {
		ks.Unlock()
		return written, err
	}
	// Every key of T0 is dumped: the keyspace may stop dumping, in the
	// same hold of the lock as the last pending commands are taken.
	chunk := s.pending
	s.detach()
	ks.Unlock()
	n, err := w.Write(chunk)
	return written + int64(n), err
}

// check returns the error that ends the snapshot, if any. Lock held.
func (s *Snapshot) check() error {
	if s.aborted {
		return ErrSnapshotAborted
	}
	if s.done && s.err == nil {
		return errSnapshotWritten
	}
	if s.err != nil {
		s.detach()
		return s.err
	}
	return nil
}

// dumpEntry is the hook the keyspace calls before it hands out or
// changes an entry: it dumps the entry if it belongs to the running
// snapshot and has not been dumped. Lock held. Kept small so the common
// case (no snapshot: dumping is 0) inlines into one comparison.
func (db *DB) dumpEntry(key string, e *Entry) {
	if e.epoch < db.ks.dumping {
		db.ks.snapshot.dump(db.id, key, e)
	}
}

// dump writes key's value (its T0 value) to pending and marks the entry
// dumped. Lock held.
func (s *Snapshot) dump(dbID int, key string, e *Entry) {
	e.epoch = s.epoch
	if e.ExpireAt != 0 && e.ExpireAt <= s.t0 {
		return // expired at T0: not in the snapshot
	}
	if s.selected != dbID {
		s.pending = appendCommand(s.pending, "SELECT", strconv.Itoa(dbID))
		s.selected = dbID
	}
	var err error
	s.pending, err = appendValue(s.pending, key, e.Value)
	if err != nil {
		if s.err == nil {
			s.err = err
		}
		return
	}
	if e.ExpireAt != 0 {
		s.pending = appendCommand(s.pending, "PEXPIREAT", key, strconv.FormatInt(e.ExpireAt, 10))
	}
	s.keys++
}

// appendValue appends the commands that create key holding v. Each value
// type has its case; a type without one is an error, so that a snapshot
// never silently leaves a key out.
func appendValue(b []byte, key string, v Value) ([]byte, error) {
	switch v := v.(type) {
	case *String:
		b = appendArrayHeader(b, 3)
		b = appendBulk(b, "SET")
		b = appendBulk(b, key)
		b = appendBulkBytes(b, v.B)
	case *List:
		n := v.Len()
		for i := 0; i < n; i += RewriteItemsPerCommand {
			items := min(RewriteItemsPerCommand, n-i)
			b = appendArrayHeader(b, 2+items)
			b = appendBulk(b, "RPUSH")
			b = appendBulk(b, key)
			v.Range(i, i+items-1, false, func(elem []byte) { b = appendBulkBytes(b, elem) })
		}
	case *Set:
		left := v.Len()
		var count int
		v.Each(func(m string) bool {
			if count == 0 {
				count = min(RewriteItemsPerCommand, left)
				b = appendArrayHeader(b, 2+count)
				b = appendBulk(b, "SADD")
				b = appendBulk(b, key)
			}
			b = appendBulk(b, m)
			count--
			left--
			return true
		})
	case *Hash:
		left := v.Len()
		var count int
		v.Each(func(field, value string) bool {
			if count == 0 {
				count = min(RewriteItemsPerCommand, left)
				b = appendArrayHeader(b, 2+2*count)
				b = appendBulk(b, "HMSET")
				b = appendBulk(b, key)
			}
			b = appendBulk(b, field)
			b = appendBulk(b, value)
			count--
			left--
			return true
		})
	case *ZSet:
		left := v.Len()
		var count int
		v.Range(0, left-1, false, func(member string, score float64) bool {
			if count == 0 {
				count = min(RewriteItemsPerCommand, left)
				b = appendArrayHeader(b, 2+2*count)
				b = appendBulk(b, "ZADD")
				b = appendBulk(b, key)
			}
			var num [32]byte
			b = appendBulkBytes(b, appendScore(num[:0], score))
			b = appendBulk(b, member)
			count--
			left--
			return true
		})
	case *Stream:
		b = appendStream(b, key, v) // stream_snapshot.go
	default:
		return b, fmt.Errorf("keyspace: a snapshot cannot write a %s value (key %q)", v.Type(), key)
	}
	return b, nil
}

// appendScore formats a score as Redis's rioWriteBulkDouble does
// ("%.17g"; inf and -inf spelled so), which ZADD parses back to the same
// double.
func appendScore(b []byte, f float64) []byte {
	switch {
	case math.IsInf(f, 1):
		return append(b, "inf"...)
	case math.IsInf(f, -1):
		return append(b, "-inf"...)
	}
	return strconv.AppendFloat(b, f, 'g', 17, 64)
}

// appendCommand appends a command of string arguments.
func appendCommand(b []byte, args ...string) []byte {
	b = appendArrayHeader(b, len(args))
	for _, a := range args {
		b = appendBulk(b, a)
	}
	return b
}

func appendArrayHeader(b []byte, n int) []byte {
	b = append(b, '*')
	b = strconv.AppendInt(b, int64(n), 10)
	return append(b, '\r', '\n')
}

func appendBulk(b []byte, s string) []byte {
	b = append(b, '$')
	b = strconv.AppendInt(b, int64(len(s)), 10)
	b = append(b, '\r', '\n')
	b = append(b, s...)
	return append(b, '\r', '\n')
}

func appendBulkBytes(b []byte, s []byte) []byte {
	b = append(b, '$')
	b = strconv.AppendInt(b, int64(len(s)), 10)
	b = append(b, '\r', '\n')
	b = append(b, s...)
	return append(b, '\r', '\n')
}

// AbortSnapshot aborts the snapshot under way, if any (see
// Snapshot.Abort): for a server turning its AOF off, which Redis does by
// killing the rewrite's child. Lock held.
func (ks *Keyspace) AbortSnapshot() {
	if ks.snapshot != nil {
		ks.snapshot.Abort()
	}
}
