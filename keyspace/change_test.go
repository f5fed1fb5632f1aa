package keyspace

import (
	"slices"
	"testing"
	"time"
)

// TestOnChange checks what the function set by OnChange is told, for
// client-side caching: every write a command signals (Written), lazy and
// active expiry and eviction (not by a command), and nothing for reads or
// a flush (the server sends a flush's invalidation itself).
func TestOnChange(t *testing.T) {
	ks := New(nil)
	now := int64(1_000_000)
	ks.Clock = func() int64 { return now }
	type change struct {
		key       string
		byCommand bool
	}
	var got []change
	ks.OnChange(func(key string, byCommand bool) { got = append(got, change{key, byCommand}) })
	expect := func(what string, want ...change) {
		t.Helper()
		if !slices.Equal(got, want) {
			t.Fatalf("%s: told %v, want %v", what, got, want)
		}
		got = nil
	}
	db := ks.DB(0)
	db.Add("a", NewString([]byte("1")))
	db.Written("a")
	expect("a write", change{"a", true})
	db.Lookup("a")
	db.Peek("a")
	expect("reads")

	e := db.Lookup("a")
	db.SetExpire("a", e, now+10)
	now += 20
	if db.Lookup("a") != nil {
		t.Fatal("expired key found")
	}
	expect("lazy expiry", change{"a", false})

	db.Add("b", NewString([]byte("2")))
	db.SetExpire("b", db.Lookup("b"), now+10)
	now += 20
	ks.ActiveExpireCycle(time.Second)
	expect("active expiry", change{"b", false})

	db.Add("c", NewString([]byte("3")))
	if !ks.Evict(BaselineMemory, AllKeysRandom, 0) {
		t.Fatal("eviction did not reach the limit")
	}
	expect("eviction", change{"c", false})

	db.Add("d", NewString([]byte("4")))
	db.Flush()
	expect("flush")
}
