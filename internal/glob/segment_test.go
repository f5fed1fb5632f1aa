package glob

import (
	"strings"
	"testing"
)

// TestMatchSegments holds the retry shortcuts of match (a last segment
// tried only at the end of the subject, a plain segment found by
// indexFrom) to the reference matcher, over long runs of few letters where
// segments occur, nearly occur and overlap.
func TestMatchSegments(t *testing.T) {
	rng := newTestRand(7)
	pieces := []string{"*", "a", "a", "a", "b", "ab", "aab", "?", "[ab]", "\\a"}
	n := 50000
	if testing.Short() {
		n = 5000
	}
	for range n {
		var pattern, subject strings.Builder
		for range rng.IntN(12) {
			pattern.WriteString(pieces[rng.IntN(len(pieces))])
		}
		for range rng.IntN(40) {
			subject.WriteByte("aab"[rng.IntN(3)])
		}
		checkMatch(t, pattern.String(), subject.String())
	}
	// Segments of minShiftAndWidth and more, found with Shift-And, across
	// one and several 64-bit words: subjects made from the pattern, so
	// that about half match, the others with one byte changed.
	long := []string{"a", "a", "a", "b", "?", "[ab]", "[^b]", "\\a"}
	takes := map[string]string{"a": "a", "b": "b", "?": "ab", "[ab]": "ab", "[^b]": "a", "\\a": "a", "*": "aab"}
	matched := 0
	for range n / 10 {
		var pieces []string
		for range 1 + rng.IntN(3) {
			pieces = append(pieces, "*")
			for range minShiftAndWidth - 4 + rng.IntN(80) {
				pieces = append(pieces, long[rng.IntN(len(long))])
			}
		}
		if rng.IntN(2) == 0 {
			pieces = append(pieces, "*")
		}
		var subject []byte
		for _, piece := range pieces {
			from := takes[piece]
			count := 1
			if piece == "*" {
				count = rng.IntN(100)
			}
			for range count {
				subject = append(subject, from[rng.IntN(len(from))])
			}
		}
		if len(subject) > 0 && rng.IntN(2) == 0 {
			subject[rng.IntN(len(subject))] ^= 'a' ^ 'b'
		}
		pattern := strings.Join(pieces, "")
		checkMatch(t, pattern, string(subject))
		if MatchString(pattern, string(subject)) {
			matched++
		}
	}
	if matched < n/50 {
		t.Errorf("only %d of the %d long-segment cases match", matched, n/10)
	}
	for _, c := range []struct {
		pattern, subject string
		want             bool
	}{
		{"*" + strings.Repeat("a", 50) + "b*", strings.Repeat("a", 200), false},
		{"*" + strings.Repeat("a", 50) + "b*", strings.Repeat("a", 200) + "b", true},
		{"*" + strings.Repeat("a", 50) + "b", strings.Repeat("a", 200) + "b", true},
		{"*" + strings.Repeat("a", 50) + "b", strings.Repeat("a", 200) + "bb", false},
		{"x*abc*abd", "xabcabcabd", true},
		{"x*abc*abd", "xabdabc", false},
		{"*ab*ab", "ab", false},
		{"*ab*ab", "abab", true},
		{"*?" + strings.Repeat("a", 100) + "b*", strings.Repeat("a", 300), false},
		{"*?" + strings.Repeat("a", 100) + "b*", strings.Repeat("a", 300) + "b", true},
		{"*" + strings.Repeat("[a]", 70) + "b*", "x" + strings.Repeat("a", 70) + "b", true},
		{"*" + strings.Repeat("[a]", 70) + "b*", "x" + strings.Repeat("a", 69) + "b", false},
	} {
		if got := MatchString(c.pattern, c.subject); got != c.want {
			t.Errorf("MatchString(%.60q, %.60q) = %v, want %v", c.pattern, c.subject, got, c.want)
		}
	}
}

// TestIndexFrom: the rolling-hash search finds the first occurrence at or
// after from, at the very start and the very end, and none where there is
// none.
func TestIndexFrom(t *testing.T) {
	for _, c := range []struct {
		s, lit string
		from   int
		want   int
	}{
		{"abcabc", "abc", 0, 0},
		{"abcabc", "abc", 1, 3},
		{"abcabc", "abc", 4, -1},
		{"aaaaab", "aab", 0, 3},
		{"ab", "abc", 0, -1},
		{"xyz", "z", 0, 2},
		{"", "a", 0, -1},
	} {
		if got := indexFrom(c.s, c.from, c.lit, 0, len(c.lit)); got != c.want {
			t.Errorf("indexFrom(%q, %d, %q) = %d, want %d", c.s, c.from, c.lit, got, c.want)
		}
	}
}
