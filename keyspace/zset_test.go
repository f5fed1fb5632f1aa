package keyspace

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// zmodel is the obvious sorted set: a slice kept sorted by (score, member).
type zmodel []zpair

type zpair struct {
	member string
	score  float64
}

func (m zmodel) index(member string) int {
	return slices.IndexFunc(m, func(p zpair) bool { return p.member == member })
}

func (m *zmodel) set(member string, score float64) bool {
	i := m.index(member)
	added := i < 0
	if !added {
		if (*m)[i].score == score {
			return false
		}
		*m = slices.Delete(*m, i, i+1)
	}
	*m = append(*m, zpair{member, score})
	slices.SortFunc(*m, func(a, b zpair) int {
		switch {
		case a.score < b.score:
			return -1
		case a.score > b.score:
			return 1
		}
		return strings.Compare(a.member, b.member)
	})
	return added
}

// check compares z with the model and checks the skiplist's invariants.
func check(t *testing.T, z *ZSet, m zmodel) {
	t.Helper()
	if z.Len() != len(m) || z.list.length != len(m) {
		t.Fatalf("len %d/%d, model %d", z.Len(), z.list.length, len(m))
	}
	var got zmodel
	z.Range(0, z.Len()-1, false, func(member string, score float64) bool {
		got = append(got, zpair{member, score})
		return true
	})
	if !slices.Equal(got, m) && len(m) > 0 {
		t.Fatalf("range %v, model %v", got, m)
	}
	// Backward links, tail, spans.
	var prev *zskipNode
	n := 0
	for x := z.list.header.level[0].forward; x != nil; x = x.level[0].forward {
		if x.backward != prev {
			t.Fatalf("backward link of %q", x.member)
		}
		prev = x
		n++
		if r := z.list.rank(x.score, x.member); r != n {
			t.Fatalf("rank of %q = %d, want %d", x.member, r, n)
		}
		if z.list.byRank(n) != x {
			t.Fatalf("byRank(%d) is not %q", n, x.member)
		}
	}
	if z.list.tail != prev {
		t.Fatalf("tail")
	}
	for i := 0; i < z.list.level; i++ {
		pos := 0
		for x := z.list.header; x != nil; {
			f := x.level[i].forward
			if f == nil {
				break
			}
			pos += x.level[i].span
			if z.list.byRank(pos) != f {
				t.Fatalf("span at level %d", i)
			}
			x = f
		}
	}
	var size int64
	for _, p := range m {
		size += int64(len(p.member))
	}
	if z.memberSize != size {
		t.Fatalf("memberSize %d, want %d", z.memberSize, size)
	}
}

func TestZSetRandomAgainstModel(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for round := 0; round < 20; round++ {
		z := NewZSet()
		var m zmodel
		members := 5 + r.IntN(200)
		for op := 0; op < 600; op++ {
			member := fmt.Sprintf("m%d", r.IntN(members))
			score := float64(r.IntN(20) - 10)
			if r.IntN(4) == 0 {
				score = r.NormFloat64()
			}
			switch k := r.IntN(10); {
			case k < 5:
				if got, want := z.Set(member, score), m.set(member, score); got != want {
					t.Fatalf("Set(%q) = %v, want %v", member, got, want)
				}
			case k < 7:
				i := m.index(member)
				if i >= 0 {
					m = slices.Delete(m, i, i+1)
				}
				if z.Remove(member) != (i >= 0) {
					t.Fatalf("Remove(%q)", member)
				}
			case k < 8:
				lo, hi := float64(r.IntN(20)-10), float64(r.IntN(20)-10)
				sr := ScoreRange{Min: lo, Max: hi, MinEx: r.IntN(2) == 0, MaxEx: r.IntN(2) == 0}
				var want []string
				for _, p := range m {
					if sr.gteMin(p.score) && sr.lteMax(p.score) {
						want = append(want, p.member)
					}
				}
				if c := z.CountByScore(sr); c != len(want) {
					t.Fatalf("CountByScore %+v = %d, want %d", sr, c, len(want))
				}
				offset, limit := r.IntN(4), r.IntN(6)-1
				reverse := r.IntN(2) == 0
				if reverse {
					slices.Reverse(want)
				}
				want = window(want, offset, limit)
				var got []string
				z.RangeByScore(sr, reverse, offset, limit, func(member string, _ float64) bool {
					got = append(got, member)
					return true
				})
				if !slices.Equal(got, want) {
					t.Fatalf("RangeByScore %+v rev=%v %d %d = %v, want %v", sr, reverse, offset, limit, got, want)
				}
				if r.IntN(3) == 0 {
					before := len(m)
					n := z.RemoveRangeByScore(sr)
					m = slices.DeleteFunc(m, func(p zpair) bool { return sr.gteMin(p.score) && sr.lteMax(p.score) })
					if n != before-len(m) {
						t.Fatalf("RemoveRangeByScore removed %d", n)
					}
				}
			case k < 9:
				// A lex range over the members with the lowest score.
				lr := LexRange{Min: randomBound(r, members), Max: randomBound(r, members)}
				var all []string
				for _, p := range m {
					if p.score == m[0].score {
						all = append(all, p.member)
					}
				}
				z2 := NewZSet()
				for _, s := range all {
					z2.Set(s, 0)
				}
				var want []string
				for _, s := range all {
					if lr.gteMin(s) && lr.lteMax(s) {
						want = append(want, s)
					}
				}
				if c := z2.CountByLex(lr); c != len(want) {
					t.Fatalf("CountByLex %+v = %d, want %d", lr, c, len(want))
				}
				var got []string
				z2.RangeByLex(lr, true, 0, -1, func(member string, _ float64) bool {
					got = append(got, member)
					return true
				})
				slices.Reverse(want)
				if !slices.Equal(got, want) {
					t.Fatalf("RangeByLex %+v = %v, want %v", lr, got, want)
				}
				if n := z2.RemoveRangeByLex(lr); n != len(want) || z2.Len() != len(all)-n {
					t.Fatalf("RemoveRangeByLex removed %d, want %d", n, len(want))
				}
			default:
				if len(m) == 0 {
					continue
				}
				start, end := r.IntN(len(m)), r.IntN(len(m))
				if n := z.RemoveRange(start, end); n != max(0, end-start+1) {
					t.Fatalf("RemoveRange(%d, %d) = %d", start, end, n)
				}
				if start <= end {
					m = slices.Delete(m, start, end+1)
				}
			}
			check(t, z, m)
			for i, p := range m {
				if rank, ok := z.Rank(p.member, false); !ok || rank != i {
					t.Fatalf("Rank(%q) = %d", p.member, rank)
				}
				if rank, _ := z.Rank(p.member, true); rank != len(m)-1-i {
					t.Fatalf("reverse Rank(%q) = %d", p.member, rank)
				}
			}
		}
		c := z.Copy().(*ZSet)
		z.Set("after-copy", 1)
		check(t, c, m)
	}
}

func window(s []string, offset, limit int) []string {
	if offset >= len(s) {
		return nil
	}
	s = s[offset:]
	if limit >= 0 && limit < len(s) {
		s = s[:limit]
	}
	return s
}

func randomBound(r *rand.Rand, members int) LexBound {
	switch r.IntN(8) {
	case 0:
		return LexBound{Inf: -1}
	case 1:
		return LexBound{Inf: 1}
	}
	return LexBound{Value: fmt.Sprintf("m%d", r.IntN(members)), Excl: r.IntN(2) == 0}
}

func TestZSetEncoding(t *testing.T) {
	z := NewZSet()
	for i := 0; i < zsetMaxListpackEntries; i++ {
		z.Set(fmt.Sprint(i), float64(i))
	}
	if z.Encoding() != "listpack" {
		t.Fatalf("128 members: %s", z.Encoding())
	}
	small := z.Size()
	z.Set("x", 1)
	if z.Encoding() != "skiplist" || z.Size() <= small {
		t.Fatalf("129 members: %s, size %d", z.Encoding(), z.Size())
	}
	z.RemoveRange(0, 100)
	if z.Encoding() != "skiplist" {
		t.Fatal("converted back")
	}
	z = NewZSet()
	z.Set(strings.Repeat("a", 64), 1)
	if z.Encoding() != "listpack" {
		t.Fatal("64 bytes")
	}
	z.Set(strings.Repeat("a", 65), 1)
	if z.Encoding() != "skiplist" || z.Copy().Encoding() != "skiplist" || z.Type() != "zset" {
		t.Fatal("65 bytes")
	}
}

func TestZSetSpecialScores(t *testing.T) {
	z := NewZSet()
	z.Set("a", 0)
	z.Set("a", math.Copysign(0, -1))
	if s, _ := z.Score("a"); math.Signbit(s) {
		t.Fatal("-0 replaced 0")
	}
	z.Set("n", math.Copysign(0, -1))
	if s, _ := z.Score("n"); math.Signbit(s) {
		t.Fatal("a listpack kept -0")
	}
	z.Set(strings.Repeat("x", 65), 1)
	z.Set("n", 1)
	z.Set("n", math.Copysign(0, -1))
	if s, _ := z.Score("n"); !math.Signbit(s) {
		t.Fatal("a skiplist lost -0")
	}
	z.Set("b", math.Inf(1))
	z.Set("c", math.Inf(-1))
	var got []string
	z.RangeByScore(ScoreRange{Min: math.Inf(-1), Max: math.Inf(1)}, false, 0, -1, func(m string, _ float64) bool {
		got = append(got, m)
		return true
	})
	if strings.Join(got, " ") != "c a n "+strings.Repeat("x", 65)+" b" {
		t.Fatalf("got %v", got)
	}
	if n := z.CountByScore(ScoreRange{Min: math.Inf(1), Max: math.Inf(1)}); n != 1 {
		t.Fatalf("count [inf, inf] = %d", n)
	}
	if n := z.CountByScore(ScoreRange{Min: 1, Max: 0}); n != 0 {
		t.Fatalf("count [1, 0] = %d", n)
	}
}

func TestBuildZSet(t *testing.T) {
	negZero := math.Copysign(0, -1)
	z := BuildZSet([]string{"b", "a", "c"}, []float64{2, negZero, 1}, true)
	if z.Encoding() != "listpack" || z.Len() != 3 {
		t.Fatalf("%s %d", z.Encoding(), z.Len())
	}
	if s, _ := z.Score("a"); math.Signbit(s) {
		t.Fatal("a listpack result kept -0")
	}
	check(t, z, zmodel{{"a", 0}, {"c", 1}, {"b", 2}})
	z = BuildZSet([]string{"a"}, []float64{negZero}, false)
	if s, _ := z.Score("a"); z.Encoding() != "skiplist" || !math.Signbit(s) {
		t.Fatal("an uncompacted result")
	}
	var members []string
	var scores []float64
	for i := 0; i <= zsetMaxListpackEntries; i++ {
		members, scores = append(members, fmt.Sprint(i)), append(scores, float64(i%7))
	}
	if z := BuildZSet(members, scores, true); z.Encoding() != "skiplist" || z.Len() != 129 {
		t.Fatal("129 members")
	}
	if z := BuildZSet([]string{strings.Repeat("x", 65)}, []float64{1}, true); z.Encoding() != "skiplist" {
		t.Fatal("65 bytes")
	}
}

// TestZSetLexMixedScores: lex ranges over members whose scores differ are
// undefined in Redis, but must not break anything, in either encoding.
func TestZSetLexMixedScores(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for round := 0; round < 200; round++ {
		z := NewZSet()
		n := r.IntN(20)
		if round%2 == 1 {
			n += 130
		}
		for i := 0; i < n; i++ {
			z.Set(fmt.Sprintf("m%d", r.IntN(200)), float64(r.IntN(5)))
		}
		for k := 0; k < 20; k++ {
			lr := LexRange{Min: randomBound(r, 200), Max: randomBound(r, 200)}
			z.CountByLex(lr)
			z.RangeByLex(lr, r.IntN(2) == 0, r.IntN(3), r.IntN(4)-1, func(string, float64) bool { return true })
			c := z.Copy().(*ZSet)
			c.RemoveRangeByLex(lr)
			if c.Len() > z.Len() || c.list.length != c.Len() {
				t.Fatal("RemoveRangeByLex")
			}
		}
		z.RangeByScore(ScoreRange{Min: 0, Max: 10}, false, math.MaxInt, 1, func(string, float64) bool {
			t.Fatal("offset past the end")
			return false
		})
	}
}

// TestZSetScan: a full scan returns every member present throughout, once
// the set changes between calls.
func TestZSetScan(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	z := NewZSet()
	for i := 0; i < 1000; i++ {
		z.Set(fmt.Sprint("k", i), float64(i))
	}
	seen := map[string]bool{}
	cursor := uint64(0)
	for calls := 0; ; calls++ {
		cursor = z.Scan(cursor, 1+r.IntN(20), func(m string, s float64) {
			if got, _ := z.Score(m); got != s {
				t.Fatalf("%s: score %v, want %v", m, s, got)
			}
			seen[m] = true
		})
		// Churn: members k1000 and up come and go, growing and
		// shrinking the table.
		for j := 0; j < 20; j++ {
			m := fmt.Sprint("k", 1000+r.IntN(3000))
			if r.IntN(2) == 0 {
				z.Set(m, 1)
			} else {
				z.Remove(m)
			}
		}
		if cursor == 0 {
			break
		}
	}
	for i := 0; i < 1000; i++ {
		if !seen[fmt.Sprint("k", i)] {
			t.Fatalf("k%d never returned", i)
		}
	}
}
