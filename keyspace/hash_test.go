package keyspace

import (
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// hashSizeFromScratch recomputes what Hash.Size keeps up to date.
func hashSizeFromScratch(h *Hash) int64 {
	n := int64(setBaseSize)
	h.Each(func(f, v string) bool {
		n += int64(len(f)+len(v)) + hashPairSize
		if h.table != nil {
			n += hashTableOverhead
		}
		return true
	})
	if h.table != nil {
		n += int64(len(h.table.buckets)) * tableBucketSize
	}
	return n
}

// TestHashAgainstModel runs random operations on a Hash and on a model
// (a map and the insertion order), checking contents, order while a
// listpack, the encoding rules and Size.
func TestHashAgainstModel(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for round := range 40 {
		h := NewHash()
		model := map[string]string{}
		var order []string
		long := round%4 == 0
		for range 1500 {
			f := "f" + strconv.Itoa(rng.IntN(600))
			switch rng.IntN(3) {
			case 0, 1:
				v := strconv.Itoa(rng.IntN(1000))
				if long && rng.IntN(200) == 0 {
					v = strings.Repeat("x", HashMaxListpackValue+1)
				}
				_, existed := model[f]
				if added := h.Set(f, v); added == existed {
					t.Fatalf("Set(%q) added=%v, existed=%v", f, added, existed)
				}
				if !existed {
					order = append(order, f)
				}
				model[f] = v
			case 2:
				_, existed := model[f]
				if h.Delete(f) != existed {
					t.Fatalf("Delete(%q) != %v", f, existed)
				}
				delete(model, f)
				if i := slices.Index(order, f); i >= 0 {
					order = slices.Delete(order, i, i+1)
				}
			}
			if h.Len() != len(model) {
				t.Fatalf("Len %d, model %d", h.Len(), len(model))
			}
			if h.Size() != hashSizeFromScratch(h) {
				t.Fatalf("Size %d, from scratch %d", h.Size(), hashSizeFromScratch(h))
			}
		}
		maxLen := 0
		for f, v := range model {
			if got, ok := h.Get(f); !ok || got != v {
				t.Fatalf("Get(%q) = %q %v, want %q", f, got, ok, v)
			}
			maxLen = max(maxLen, len(f), len(v))
		}
		if h.Encoding() == "listpack" {
			var got []string
			h.Each(func(f, _ string) bool { got = append(got, f); return true })
			if !slices.Equal(got, order) {
				t.Fatalf("listpack order %v, want %v", got, order)
			}
		} else if len(model) <= HashMaxListpackEntries && maxLen <= HashMaxListpackValue && !long {
			t.Fatalf("hashtable with %d fields", len(model))
		}
		c := h.Copy().(*Hash)
		c.Set("copy-only", "1")
		if _, ok := h.Get("copy-only"); ok || c.Len() != h.Len()+1 {
			t.Fatal("Copy shares state")
		}
	}
}

func TestHashEncodingThresholds(t *testing.T) {
	h := NewHash()
	for i := range HashMaxListpackEntries {
		h.Set(strconv.Itoa(i), "v")
	}
	if h.Encoding() != "listpack" {
		t.Fatalf("%d fields: %s", h.Len(), h.Encoding())
	}
	h.Set("one more", "v")
	if h.Encoding() != "hashtable" {
		t.Fatalf("%d fields: %s", h.Len(), h.Encoding())
	}
	h.Delete("one more")
	h.Delete("0")
	if h.Encoding() != "hashtable" {
		t.Fatal("converted back")
	}
	h = NewHash()
	h.Set(strings.Repeat("f", HashMaxListpackValue), strings.Repeat("v", HashMaxListpackValue))
	if h.Encoding() != "listpack" {
		t.Fatal("64 bytes converted")
	}
	h.ConvertFor([]byte("short"), []byte(strings.Repeat("v", HashMaxListpackValue+1)))
	if h.Encoding() != "hashtable" || h.Len() != 1 || h.Size() != hashSizeFromScratch(h) {
		t.Fatalf("ConvertFor: %s, %d", h.Encoding(), h.Len())
	}
}

// TestScanTableGuarantee: a full scan returns every key present for the
// whole scan, while keys are added and removed (resizing the table both
// ways) between the steps.
func TestScanTableGuarantee(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for round := range 50 {
		tab := newScanTable[int](0)
		for i := range 200 + round*20 {
			tab.put("k"+strconv.Itoa(i), i)
		}
		stable := map[string]bool{}
		tab.each(func(k string, _ *int) bool {
			if rng.IntN(2) == 0 {
				stable[k] = true
			}
			return true
		})
		seen := map[string]bool{}
		cursor := uint64(0)
		next := 10000
		for {
			cursor = tab.scan(cursor, 1+rng.IntN(20), func(k string, _ *int) { seen[k] = true })
			if cursor == 0 {
				break
			}
			// churn: remove non-stable keys, add new ones
			for range rng.IntN(60) {
				e := tab.random()
				if !stable[e.key] {
					tab.del(e.key)
				}
			}
			grow := rng.IntN(3) == 0
			for range rng.IntN(80) {
				if grow {
					tab.put("n"+strconv.Itoa(next), next)
					next++
				}
			}
		}
		for k := range stable {
			if !seen[k] {
				t.Fatalf("round %d: scan missed %q", round, k)
			}
		}
		n := 0
		tab.each(func(string, *int) bool { n++; return true })
		if n != tab.n {
			t.Fatalf("count %d, entries %d", tab.n, n)
		}
	}
}
