package keyspace

import "sync/atomic"

// Watch is one client's WATCH state: the keys it watches and whether one
// of them has changed since. It belongs to the client's connection; the
// keyspace keeps pointers to it while it watches.
//
// Redis 7.0.15's rules, which Herald follows (checked against
// redis-server): a write to a watched key (Written, by any client, the
// watcher included) or the flushing of a watched key that exists makes
// the watch dirty, and EXEC then fails. A key that expires is not a
// change: neither its lazy or active deletion nor FLUSHDB removing it
// after its time dirties a watch, and EXEC does not fail because a
// watched key expired. A write to the same name in another database is
// another key.
type Watch struct {
	keys []watchedKey
	// dirty is written with the keyspace lock held and read by the
	// client's own goroutine (EXEC) or by CLIENT LIST (flag d) without it.
	dirty atomic.Bool
}

type watchedKey struct {
	db  *DB
	key string
}

// Dirty reports whether a watched key changed (or was flushed) since it
// was watched: EXEC then fails.
func (w *Watch) Dirty() bool { return w.dirty.Load() }

// Watching reports whether w watches any key. Only w's owner calls it.
func (w *Watch) Watching() bool { return len(w.keys) > 0 }

// Watch adds key of db to w (WATCH). Lock held.
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
// EXEC, DISCARD, RESET, disconnect). Lock held.
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
	clear(w.keys)
	w.keys = w.keys[:0]
	w.dirty.Store(false)
}

// touchWatched marks the watches of key dirty.
func (db *DB) touchWatched(key string) {
	if len(db.watched) == 0 {
		return
	}
	for _, w := range db.watched[key] {
		w.dirty.Store(true)
	}
}

// WatchedKeys returns how many keys of db some client watches. Lock held.
func (db *DB) WatchedKeys() int { return len(db.watched) }
