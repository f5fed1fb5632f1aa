package keyspace

import (
	"strconv"
	"testing"
)

// The keyspace's hot paths, as every command takes them: a lookup that
// hits, a write over an existing key, and a delete and add. They measure
// what the snapshot's hooks (snapshot.go) cost when no rewrite runs.

func benchKeyspace(b *testing.B, n int) (*Keyspace, *DB, []string) {
	ks := New(nil)
	db := ks.DB(0)
	keys := make([]string, n)
	for i := range keys {
		keys[i] = "key:" + strconv.Itoa(i)
		db.Add(keys[i], NewString([]byte("value")))
	}
	return ks, db, keys
}

func BenchmarkLookupHit(b *testing.B) {
	_, db, keys := benchKeyspace(b, 1024)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if db.Lookup(keys[i&1023]) == nil {
			b.Fatal("miss")
		}
	}
}

func BenchmarkLookupBytesHit(b *testing.B) {
	_, db, keys := benchKeyspace(b, 1024)
	raw := make([][]byte, len(keys))
	for i, k := range keys {
		raw[i] = []byte(k)
	}
	for i := 0; b.Loop(); i++ {
		if db.LookupBytes(raw[i&1023]) == nil {
			b.Fatal("miss")
		}
	}
}

func BenchmarkSetExisting(b *testing.B) {
	_, db, keys := benchKeyspace(b, 1024)
	v := NewString([]byte("other"))
	for i := 0; b.Loop(); i++ {
		db.Set(keys[i&1023], v, false)
	}
}

func BenchmarkDeleteAdd(b *testing.B) {
	_, db, keys := benchKeyspace(b, 1024)
	v := NewString([]byte("other"))
	for i := 0; b.Loop(); i++ {
		k := keys[i&1023]
		db.Delete(k)
		db.Add(k, v)
	}
}
