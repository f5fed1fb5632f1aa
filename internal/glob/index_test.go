package glob

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
)

// matchedBy returns the patterns ix.Match reports for subject, sorted, with
// repeats kept so that a pattern reported twice shows.
func matchedBy(ix *Index[int], subject string) []string {
	var got []string
	ix.Match([]byte(subject), func(pattern string, _ int) {
		got = append(got, pattern)
	})
	slices.Sort(got)
	return got
}

// bruteForce returns the patterns of ix that match subject, testing every
// one.
func bruteForce(ix *Index[int], subject string) []string {
	var want []string
	ix.Range(func(pattern string, _ int) bool {
		if MatchString(pattern, subject) {
			want = append(want, pattern)
		}
		return true
	})
	slices.Sort(want)
	return want
}

func TestIndexBasics(t *testing.T) {
	var ix Index[int] // the zero Index is ready
	if ix.Len() != 0 || len(matchedBy(&ix, "a")) != 0 || ix.Remove("a") {
		t.Fatal("zero Index is not empty")
	}
	patterns := []string{"news.*", "*.sport", "*.eu.*", "*", "news.sport", "[a-z]*", "n\\ews.sport", "\\"}
	for i, p := range patterns {
		ix.Add(p, i)
	}
	ix.Add("news.*", 100) // replaces
	if ix.Len() != len(patterns) {
		t.Fatalf("Len = %d, want %d", ix.Len(), len(patterns))
	}
	if v, ok := ix.Get("news.*"); !ok || v != 100 {
		t.Fatalf("Get(news.*) = %v, %v; want 100, true", v, ok)
	}
	if _, ok := ix.Get("nope"); ok {
		t.Fatal("Get(nope) found something")
	}
	want := []string{"*", "*.sport", "[a-z]*", "n\\ews.sport", "news.*", "news.sport"}
	if got := matchedBy(&ix, "news.sport"); !slices.Equal(got, want) {
		t.Fatalf("Match(news.sport) = %q, want %q", got, want)
	}
	if got := matchedBy(&ix, "\\"); !slices.Equal(got, []string{"*", "\\"}) {
		t.Fatalf("Match(\\) = %q", got)
	}
	if got := matchedBy(&ix, ""); len(got) != 0 {
		t.Fatalf("Match(\"\") = %q, want nothing", got)
	}
	var values []int
	ix.Match([]byte("news.eu.x"), func(_ string, v int) { values = append(values, v) })
	slices.Sort(values)
	if !slices.Equal(values, []int{2, 3, 5, 100}) {
		t.Fatalf("values for news.eu.x = %v", values)
	}
	visited := 0
	ix.Range(func(string, int) bool { visited++; return visited < 3 })
	if visited != 3 {
		t.Fatalf("Range went on after false: %d calls", visited)
	}
	for _, p := range patterns {
		if !ix.Remove(p) {
			t.Fatalf("Remove(%q) = false", p)
		}
	}
	if ix.Remove(patterns[0]) {
		t.Fatal("Remove of a removed pattern = true")
	}
	checkEmpty(t, &ix)
}

// checkEmpty fails unless ix, after every pattern was removed, holds no
// node, bucket or map entry.
func checkEmpty(t *testing.T, ix *Index[int]) {
	t.Helper()
	if ix.Len() != 0 || len(ix.exact) != 0 || len(ix.unanchored.entries) != 0 {
		t.Fatalf("index not empty: Len %d, exact %d, unanchored %d", ix.Len(), len(ix.exact), len(ix.unanchored.entries))
	}
	for name, tree := range map[string]*radixTree[int]{"prefix": &ix.prefixes, "suffix": &ix.suffixes, "inner": &ix.inners} {
		if len(tree.root.children) != 0 || len(tree.root.firsts) != 0 {
			t.Fatalf("%s tree keeps %d nodes after all patterns were removed", name, len(tree.root.children))
		}
	}
}

// TestIndexAgainstBruteForce adds, replaces and removes random patterns
// and checks, all along, that Match reports exactly the patterns that
// testing each one finds, each once.
func TestIndexAgainstBruteForce(t *testing.T) {
	rng := newTestRand(2)
	pieces := []string{"a", "b", "ab", "ba", ":", "::", "a:b", "*", "*", "?", "[ab]", "[^a]", "[", "\\", "\\*", "\\a", "é", "]", "-"}
	subjectPieces := []string{"a", "b", ":", "*", "\\", "é", "]", "-", "ab", "a:b"}
	randomString := func(from []string, maxPieces int) string {
		var b strings.Builder
		for range rng.IntN(maxPieces + 1) {
			b.WriteString(from[rng.IntN(len(from))])
		}
		return b.String()
	}
	rounds := 3000
	if testing.Short() {
		rounds = 300
	}
	var ix Index[int]
	added := map[string]int{}
	for round := range rounds {
		for range 1 + rng.IntN(4) {
			if p := randomString(pieces, 5); rng.IntN(3) > 0 || len(added) == 0 {
				ix.Add(p, round)
				added[p] = round
			} else {
				victim := slices.Sorted(maps.Keys(added))[rng.IntN(len(added))]
				if !ix.Remove(victim) {
					t.Fatalf("Remove(%q) = false", victim)
				}
				delete(added, victim)
			}
		}
		if ix.Len() != len(added) {
			t.Fatalf("Len = %d, want %d", ix.Len(), len(added))
		}
		for range 5 {
			subject := randomString(subjectPieces, 6)
			if got, want := matchedBy(&ix, subject), bruteForce(&ix, subject); !slices.Equal(got, want) {
				t.Fatalf("round %d: Match(%q) = %q, want %q", round, subject, got, want)
			}
		}
		if round%500 == 499 { // empty it now and then
			for p := range added {
				ix.Remove(p)
			}
			clear(added)
			checkEmpty(t, &ix)
		}
	}
}

func FuzzIndex(f *testing.F) {
	f.Add("news.*\n*.sport\n*.eu.*\n[a-z]*\na\\*b", "news.eu.sport")
	f.Add("a*a\naa*\n*aa\n*a*a*", "aaa")
	f.Fuzz(func(t *testing.T, patterns, subject string) {
		var ix Index[int]
		lines := strings.Split(patterns, "\n")
		for i, p := range lines {
			ix.Add(p, i)
		}
		check := func() {
			if got, want := matchedBy(&ix, subject), bruteForce(&ix, subject); !slices.Equal(got, want) {
				t.Fatalf("Match(%q) = %q, want %q", subject, got, want)
			}
		}
		check()
		for _, p := range lines[:len(lines)/2] {
			ix.Remove(p)
		}
		check()
		for _, p := range lines {
			ix.Remove(p)
		}
		checkEmpty(t, &ix)
	})
}

// indexShapes are the pattern shapes of the issue, each with 10,000
// patterns and a channel that matches one of them.
var indexShapes = []struct {
	name    string
	pattern func(i int) string
	subject func(i int) string
}{
	{"common-prefix", func(i int) string { return fmt.Sprintf("orders:*:r%d", i) }, func(i int) string { return fmt.Sprintf("orders:1234:r%d", i) }},
	{"common-suffix", func(i int) string { return fmt.Sprintf("t%d:*:events", i) }, func(i int) string { return fmt.Sprintf("t%d:1234:events", i) }},
	{"prefix-only", func(i int) string { return fmt.Sprintf("user:%d:*", i) }, func(i int) string { return fmt.Sprintf("user:%d:profile", i) }},
	{"inner-literal", func(i int) string { return fmt.Sprintf("*:k%d:*", i) }, func(i int) string { return fmt.Sprintf("app:k%d:v", i) }},
	{"mixed", mixedPattern, func(i int) string { return mixedSubject(i) }},
}

// mixedPattern and mixedSubject take turns among the four shapes above.
func mixedPattern(i int) string {
	switch i % 4 {
	case 0:
		return fmt.Sprintf("orders:*:r%d", i)
	case 1:
		return fmt.Sprintf("t%d:*:events", i)
	case 2:
		return fmt.Sprintf("user:%d:*", i)
	}
	return fmt.Sprintf("*:k%d:*", i)
}

func mixedSubject(i int) string {
	switch i % 4 {
	case 0:
		return fmt.Sprintf("orders:1234:r%d", i)
	case 1:
		return fmt.Sprintf("t%d:1234:events", i)
	case 2:
		return fmt.Sprintf("user:%d:profile", i)
	}
	return fmt.Sprintf("app:k%d:v", i)
}

func newShapeIndex(n int, pattern func(int) string) *Index[int] {
	ix := &Index[int]{}
	for i := range n {
		ix.Add(pattern(i), i)
	}
	return ix
}

// TestIndexIsSelective checks that, for each shape with a literal, Match
// tests a handful of patterns rather than all 10,000.
func TestIndexIsSelective(t *testing.T) {
	const patterns, maxCandidates = 10000, 4
	for _, shape := range indexShapes {
		t.Run(shape.name, func(t *testing.T) {
			ix := newShapeIndex(patterns, shape.pattern)
			for _, i := range []int{0, 1, 42, 999, 5000, 9999} {
				subject := []byte(shape.subject(i))
				candidates := 0
				ix.visitCandidates(subject, func(b *bucket[int]) { candidates += len(b.entries) })
				matched := matchedBy(ix, string(subject))
				if len(matched) == 0 || candidates > maxCandidates {
					t.Errorf("%s: %d candidates, %d matches %q", subject, candidates, len(matched), matched)
				}
			}
		})
	}
}

func TestIndexMatchDoesNotAllocate(t *testing.T) {
	var ix Index[int]
	for i := range 1000 {
		ix.Add(fmt.Sprintf("orders:*:r%d", i), i)
		ix.Add(fmt.Sprintf("*:k%d:*", i), i)
		ix.Add(fmt.Sprintf("user:%d:*", i), i)
	}
	ix.Add("*", 0)
	ix.Add("exact", 0)
	subject := []byte("orders:k7:r7")
	count := 0
	allocs := testing.AllocsPerRun(100, func() {
		ix.Match(subject, func(string, int) { count++ })
	})
	if allocs != 0 {
		t.Errorf("Index.Match allocates %v times per call", allocs)
	}
	if count == 0 {
		t.Error("no match")
	}
}
