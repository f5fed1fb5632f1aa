package keyspace

import (
	"fmt"
	"testing"
)

// fill adds n string keys named prefix0..; every third gets an expiry
// (now+1000*(i+1)) when volatile is set.
func fill(ks *Keyspace, db *DB, prefix string, n int, volatile bool) {
	for i := range n {
		key := fmt.Sprintf("%s%d", prefix, i)
		e := db.Add(key, NewString([]byte("0123456789")))
		if volatile && i%3 == 0 {
			db.SetExpire(key, e, ks.Now()+int64(1000*(i+1)))
		}
	}
}

func TestEvictPolicies(t *testing.T) {
	for _, p := range []Policy{AllKeysLRU, VolatileLRU, AllKeysLFU, VolatileLFU, AllKeysRandom, VolatileRandom, VolatileTTL} {
		t.Run(p.String(), func(t *testing.T) {
			var events []string
			ks := New(func(ch, msg string) { events = append(events, ch+" "+msg) })
			ks.SetEvents(EventsKeyevent | ClassEvicted)
			now := int64(1_000_000)
			ks.Clock = func() int64 { return now }
			db := ks.DB(0)
			fill(ks, db, "k", 300, true)
			ks.DB(3).Add("other", NewString([]byte("x")))
			limit := ks.UsedMemory() - 2000
			if !ks.Evict(limit, p, 5) {
				t.Fatal("Evict failed with keys to evict")
			}
			if ks.UsedMemory() > limit {
				t.Fatalf("used %d > limit %d", ks.UsedMemory(), limit)
			}
			evicted := ks.Stats().EvictedKeys
			if evicted == 0 || int(evicted) != len(events) {
				t.Fatalf("%d evicted, %d events", evicted, len(events))
			}
			for _, ev := range events {
				var key string
				fmt.Sscanf(ev, "__keyevent@0__:evicted %s", &key)
				if key == "" && ev != "__keyevent@3__:evicted other" {
					t.Fatalf("event %q", ev)
				}
				if p.volatile() && db.keys[key] == nil {
					var i int
					fmt.Sscanf(key, "k%d", &i)
					if i%3 != 0 {
						t.Fatalf("%s evicted %s, which has no expiry", p, key)
					}
				}
			}
		})
	}
}

func TestEvictNoEvictionAndNothingLeft(t *testing.T) {
	ks := New(nil)
	db := ks.DB(0)
	fill(ks, db, "k", 10, false)
	if ks.Evict(ks.UsedMemory()-1, NoEviction, 5) {
		t.Fatal("noeviction evicted")
	}
	if ks.Evict(0, NoEviction, 5) != true || ks.Evict(ks.UsedMemory(), NoEviction, 5) != true {
		t.Fatal("under the limit is not a failure")
	}
	// No volatile keys: the volatile policies cannot free anything.
	if ks.Evict(ks.UsedMemory()-1, VolatileLRU, 5) || db.Len() != 10 {
		t.Fatal("volatile-lru evicted a key without expiry")
	}
	// Below the baseline nothing is enough: every key goes, then failure.
	if ks.Evict(1, AllKeysRandom, 5) || db.Len() != 0 || ks.Used() != 0 {
		t.Fatalf("allkeys-random to 1 byte: ok, %d keys, %d used", db.Len(), ks.Used())
	}
}

// TestEvictLRUColdFirst: with LRU sampling, keys not touched for long
// are evicted well before recently used ones (statistically, as Redis's
// approximation).
func TestEvictLRUColdFirst(t *testing.T) {
	ks := New(nil)
	now := int64(1_000_000)
	ks.Clock = func() int64 { return now }
	db := ks.DB(0)
	fill(ks, db, "k", 1000, false)
	now += 100_000
	for i := 500; i < 1000; i++ { // the hot half
		db.Lookup(fmt.Sprintf("k%d", i))
	}
	now += 10
	limit := ks.UsedMemory() - 250*(ks.Used()/1000) // evict about a quarter
	ks.Evict(limit, AllKeysLRU, 5)
	hotGone := 0
	for i := 500; i < 1000; i++ {
		if db.keys[fmt.Sprintf("k%d", i)] == nil {
			hotGone++
		}
	}
	if hotGone > 10 {
		t.Fatalf("%d hot keys evicted among about 250", hotGone)
	}
}

// TestEvictTTLNearestFirst: volatile-ttl evicts the nearest expiries
// first (statistically).
func TestEvictTTLNearestFirst(t *testing.T) {
	ks := New(nil)
	now := int64(1_000_000)
	ks.Clock = func() int64 { return now }
	db := ks.DB(0)
	for i := range 1000 {
		key := fmt.Sprintf("k%d", i)
		e := db.Add(key, NewString([]byte("v")))
		db.SetExpire(key, e, now+int64(1000+i*1000))
	}
	per := ks.Used() / 1000
	ks.Evict(ks.UsedMemory()-200*per, VolatileTTL, 10)
	late := 0
	for i := 600; i < 1000; i++ {
		if db.keys[fmt.Sprintf("k%d", i)] == nil {
			late++
		}
	}
	if late > 20 {
		t.Fatalf("%d of the latest expiries evicted among about 200", late)
	}
}

func TestEvictLFU(t *testing.T) {
	ks := New(nil)
	now := int64(1_000_000)
	ks.Clock = func() int64 { return now }
	db := ks.DB(0)
	fill(ks, db, "k", 400, false)
	for i := 200; i < 400; i++ { // frequently used
		for range 200 {
			db.Lookup(fmt.Sprintf("k%d", i))
		}
	}
	ks.Evict(ks.UsedMemory()-100*(ks.Used()/400), AllKeysLFU, 5)
	hotGone := 0
	for i := 200; i < 400; i++ {
		if db.keys[fmt.Sprintf("k%d", i)] == nil {
			hotGone++
		}
	}
	if hotGone > 5 {
		t.Fatalf("%d frequently used keys evicted", hotGone)
	}
	if _, ok := ParsePolicy("ALLKEYS-LFU"); !ok || !AllKeysLFU.LFU() {
		t.Fatal("ParsePolicy")
	}
	if _, ok := ParsePolicy("lru"); ok {
		t.Fatal("ParsePolicy accepted lru")
	}
}
