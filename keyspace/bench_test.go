package keyspace

import (
	"slices"
	"strconv"
	"testing"
	"time"
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

// BenchmarkSnapshot writes a snapshot of 100,000 keys (strings, and
// hashes of 10 fields) to a writer that times the gaps between its
// writes: the longest is about the longest the walk held the lock
// (max-hold-µs), what a client waits at worst behind the rewrite.
func BenchmarkSnapshot(b *testing.B) {
	ks, db, keys := benchKeyspace(b, 100_000)
	for i, k := range keys {
		if i%2 == 0 {
			h := NewHash()
			for f := range 10 {
				h.Set("field"+strconv.Itoa(f), k)
			}
			db.Set(k, h, false)
		}
	}
	var maxHold time.Duration
	var gaps []time.Duration
	var bytes int64
	for b.Loop() {
		ks.Lock()
		s, err := ks.StartSnapshot()
		ks.Unlock()
		if err != nil {
			b.Fatal(err)
		}
		w := &gapWriter{}
		n, err := s.WriteTo(w)
		if err != nil {
			b.Fatal(err)
		}
		maxHold = max(maxHold, w.maxGap)
		gaps = append(gaps, w.gaps...)
		bytes = n
	}
	b.SetBytes(bytes)
	slices.Sort(gaps)
	b.ReportMetric(float64(maxHold.Microseconds()), "max-hold-µs")
	if len(gaps) > 0 {
		b.ReportMetric(float64(gaps[len(gaps)/2].Microseconds()), "median-hold-µs")
		b.ReportMetric(float64(gaps[len(gaps)*99/100].Microseconds()), "p99-hold-µs")
	}
}

type gapWriter struct {
	last   time.Time
	maxGap time.Duration
	gaps   []time.Duration
}

func (w *gapWriter) Write(p []byte) (int, error) {
	now := time.Now()
	if !w.last.IsZero() {
		w.maxGap = max(w.maxGap, now.Sub(w.last))
		w.gaps = append(w.gaps, now.Sub(w.last))
	}
	w.last = time.Now()
	return len(p), nil
}
