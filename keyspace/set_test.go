package keyspace

import (
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"
)

// setSizeFromScratch recomputes what Set.Size keeps up to date.
func setSizeFromScratch(s *Set) int64 {
	n := int64(setBaseSize)
	if s.table == nil {
		return n + int64(len(s.ints))*intsetMemberSize
	}
	s.Each(func(m string) bool { n += int64(len(m)) + tableMemberSize; return true })
	return n + int64(len(s.table.buckets))*tableBucketSize
}

// TestSetAgainstModel runs random operations on a Set and on a map,
// checking contents, the intset's order, the encoding rules and Size.
func TestSetAgainstModel(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	for round := range 40 {
		first := strconv.Itoa(rng.IntN(10))
		if round%3 == 0 {
			first = "x"
		}
		s := NewSet(first)
		model := map[string]bool{}
		everNonInt := round%3 == 0
		for range 1500 {
			m := strconv.Itoa(rng.IntN(700) - 50)
			if round%5 == 1 && rng.IntN(300) == 0 {
				m = "m" + m
			}
			_, isInt := setInteger(m)
			if rng.IntN(3) == 2 {
				if s.Remove(m) != model[m] {
					t.Fatalf("Remove(%q) != %v", m, model[m])
				}
				delete(model, m)
			} else {
				everNonInt = everNonInt || !isInt
				if s.Add(m) == model[m] {
					t.Fatalf("Add(%q) == %v", m, model[m])
				}
				model[m] = true
			}
			if s.Len() != len(model) || s.Size() != setSizeFromScratch(s) {
				t.Fatalf("Len %d/%d, Size %d/%d", s.Len(), len(model), s.Size(), setSizeFromScratch(s))
			}
		}
		for m := range model {
			if !s.Has(m) {
				t.Fatalf("Has(%q) false", m)
			}
		}
		if s.Encoding() == "intset" {
			if everNonInt {
				t.Fatal("intset after a non-integer member")
			}
			got := s.Members()
			if !slices.IsSortedFunc(got, func(a, b string) int {
				x, _ := strconv.Atoi(a)
				y, _ := strconv.Atoi(b)
				return x - y
			}) {
				t.Fatalf("intset not ascending: %v", got)
			}
		}
		c := s.Copy().(*Set)
		c.Add("copy-only")
		if s.Has("copy-only") || c.Len() != s.Len()+1 {
			t.Fatal("Copy shares state")
		}
		if s.Len() > 0 {
			for _, n := range []int{1, s.Len() / 2, s.Len()} {
				got := s.RandomDistinct(n)
				if len(got) != n || len(got) != len(slices.Compact(slices.Sorted(slices.Values(got)))) {
					t.Fatalf("RandomDistinct(%d) = %d, with repeats", n, len(got))
				}
				for _, m := range got {
					if !model[m] {
						t.Fatalf("RandomDistinct gave %q", m)
					}
				}
			}
		}
	}
}

func TestSetEncodingThresholds(t *testing.T) {
	s := NewSet("1")
	for i := range SetMaxIntsetEntries {
		s.Add(strconv.Itoa(i))
	}
	if s.Encoding() != "intset" || s.Len() != SetMaxIntsetEntries {
		t.Fatalf("%d members: %s", s.Len(), s.Encoding())
	}
	s.Add("-1")
	if s.Encoding() != "hashtable" || s.Size() != setSizeFromScratch(s) {
		t.Fatalf("%d members: %s", s.Len(), s.Encoding())
	}
	for _, m := range []string{"01", "-0", "+1", " 1", "1.0", "9223372036854775808", ""} {
		if _, ok := setInteger(m); ok {
			t.Errorf("%q read as an integer", m)
		}
	}
	for _, m := range []string{"0", "-1", "9223372036854775807", "-9223372036854775808"} {
		if _, ok := setInteger(m); !ok {
			t.Errorf("%q not read as an integer", m)
		}
	}
	if NewSet("a").Encoding() != "hashtable" || NewSet("-3").Encoding() != "intset" {
		t.Fatal("NewSet's first member does not choose the encoding")
	}
}
