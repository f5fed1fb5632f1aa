package keyspace

// Watch is one client's WATCH state: the keys it watches and whether one
// of them has changed since. It belongs to the client's connection; the
// keyspace keeps pointers to it while it watches.
type Watch struct {
	keys  []watchedKey
	dirty bool
}

type watchedKey struct {
	db  *DB
	key string
}

// Dirty reports whether a watched key changed (or expired, or was flushed)
// since it was watched: EXEC then fails.
func (w *Watch) Dirty() bool { return w.dirty }

// Watching reports whether w watches any key.
func (w *Watch) Watching() bool { return len(w.keys) > 0 }

// Watch adds key of db to w (WATCH). Redis 7.0's rules for keys that
// expire while watched (EXEC aborts when a watched key is found expired)
// are the transactions code's to apply, with Peek.
func (db *DB) Watch(w *Watch, key string) {
	for _, k := range w.keys {
		if k.db == db && k.key == key {
			return
		}
	}
	if db.watched == nil {
		db.watched = make(map[string][]*Watch)
	}
	db.watched[key] = append(db.watched[key], w)
	w.keys = append(w.keys, watchedKey{db, key})
}

// Unwatch drops every key w watches and clears its dirty flag (UNWATCH,
// EXEC, DISCARD, RESET, disconnect).
func (w *Watch) Unwatch() {
	for _, k := range w.keys {
		list := k.db.watched[k.key]
		for i, x := range list {
			if x == w {
				list = append(list[:i], list[i+1:]...)
				break
			}
		}
		if len(list) == 0 {
			delete(k.db.watched, k.key)
		} else {
			k.db.watched[k.key] = list
		}
	}
	w.keys = w.keys[:0]
	w.dirty = false
}

// touchWatched marks the watches of key dirty.
func (db *DB) touchWatched(key string) {
	for _, w := range db.watched[key] {
		w.dirty = true
	}
}
