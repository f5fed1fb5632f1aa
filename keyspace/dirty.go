package keyspace

// The dirty count and the deletion hook are for the append-only file
// (server/aof.go): a command is logged when it changed data, which the
// count moving tells, and keys deleted by expiry or eviction are logged as
// DEL, which the hook tells.

// Dirty returns the number of changes made so far: every Written or
// WrittenEntry, every Flush. A command that left it unchanged changed
// nothing (Redis's server.dirty). Lock held.
func (ks *Keyspace) Dirty() int64 { return ks.dirty }

// OnDelete sets the function told of every key that expiry (lazy or
// active) or eviction deletes, with its database. Call it before the
// keyspace is used; it is called with the lock held.
func (ks *Keyspace) OnDelete(fn func(db int, key string)) { ks.deleted = fn }

func (ks *Keyspace) noteDeleted(db int, key string) {
	if ks.deleted != nil {
		ks.deleted(db, key)
	}
}

// SetLoading says whether an AOF is being loaded. While it is, nothing
// expires, lazily or actively, as in Redis (keyIsExpired returns 0 while
// loading): a key whose time passed while the server was down must stay
// for the records after its expiry's (an APPEND, a PERSIST) to replay as
// they ran, and is deleted once the load is over. Lock held, or no other
// goroutine using the keyspace.
func (ks *Keyspace) SetLoading(loading bool) { ks.loading = loading }

// Loading reports whether an AOF is being loaded (see SetLoading).
func (ks *Keyspace) Loading() bool { return ks.loading }

// expired reports whether e's time has come (never while loading).
func (db *DB) expired(e *Entry) bool {
	return e.ExpireAt != 0 && e.ExpireAt <= db.ks.Now() && !db.ks.loading
}
