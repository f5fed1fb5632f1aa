package glob

import (
	"bytes"
	"strings"
	"testing"
)

// referenceMatch is a plain textbook glob matcher over the elements that
// nextElement reads: dynamic programming over (element, subject byte), with
// Redis's two oddities applied on top (an empty subject matches only the
// empty pattern; the nesting limit is left out, so callers skip patterns
// with more than maxStarGroups groups of stars). It checks match against a
// model that shares nothing with it but matchClass, and checks nextElement,
// which the index's anchors rely on.
func referenceMatch(pattern, subject string) bool {
	if subject == "" {
		return pattern == ""
	}
	var elements []element
	for i := 0; i < len(pattern); {
		var e element
		e, i = nextElement(pattern, i)
		elements = append(elements, e)
	}
	// can[j] reports whether the elements so far match subject[:j].
	can := make([]bool, len(subject)+1)
	can[0] = true
	next := make([]bool, len(subject)+1)
	for _, e := range elements {
		clear(next)
		for j := 0; j <= len(subject); j++ {
			switch {
			case e.kind == starElement:
				next[j] = can[j] || j > 0 && next[j-1]
			case j == 0:
			case e.kind == anyByteElement:
				next[j] = can[j-1]
			case e.kind == classElement:
				in, _ := matchClass(pattern, e.start, subject[j-1])
				next[j] = can[j-1] && in
			default:
				next[j] = can[j-1] && e.literal == subject[j-1]
			}
		}
		can, next = next, can
	}
	return can[len(subject)]
}

// starGroups counts the groups of consecutive unescaped stars in pattern.
func starGroups(pattern string) int {
	groups := 0
	for i := 0; i < len(pattern); {
		var e element
		e, i = nextElement(pattern, i)
		if e.kind == starElement {
			groups++
		}
	}
	return groups
}

// checkMatch holds Match to matchRedis (the literal port of Redis), to
// referenceMatch, and to the pattern's anchors.
func checkMatch(t *testing.T, pattern, subject string) {
	t.Helper()
	got := MatchString(pattern, subject)
	if b := Match([]byte(pattern), []byte(subject)); b != got {
		t.Fatalf("Match(%q, %q) = %v but MatchString = %v", pattern, subject, b, got)
	}
	if redis := matchRedisFromStart(pattern, subject); redis != got {
		t.Fatalf("MatchString(%q, %q) = %v but the Redis port says %v", pattern, subject, got, redis)
	}
	if starGroups(pattern) <= maxStarGroups {
		if ref := referenceMatch(pattern, subject); ref != got {
			t.Fatalf("MatchString(%q, %q) = %v but the reference says %v", pattern, subject, got, ref)
		}
	}
	if got {
		checkAnchorsHold(t, pattern, subject)
	}
}

// checkAnchorsHold fails if subject, which matches pattern, lacks one of
// the pattern's anchors.
func checkAnchorsHold(t *testing.T, pattern, subject string) {
	t.Helper()
	a := patternAnchors(pattern)
	switch {
	case a.literalOnly && subject != a.exact:
		t.Fatalf("%q matches %q but its exact text is %q", pattern, subject, a.exact)
	case !strings.HasPrefix(subject, a.prefix):
		t.Fatalf("%q matches %q but its prefix is %q", pattern, subject, a.prefix)
	case !strings.HasSuffix(subject, a.suffix):
		t.Fatalf("%q matches %q but its suffix is %q", pattern, subject, a.suffix)
	}
	for _, run := range a.inner {
		if !strings.Contains(subject, run) {
			t.Fatalf("%q matches %q but lacks its inner run %q", pattern, subject, run)
		}
	}
}

func FuzzMatch(f *testing.F) {
	for _, c := range matchCases {
		if len(c.pattern)+len(c.subject) < 100 { // the long ones slow the fuzzer down
			f.Add(c.pattern, c.subject)
		}
	}
	f.Add("orders:*:eu", "orders:1:eu")
	f.Add("*a*b*c", "xxaxxbxxc")
	f.Fuzz(func(t *testing.T, pattern, subject string) {
		if len(pattern) > maxFuzzLen || len(subject) > maxFuzzLen {
			t.Skip("too long for the quadratic reference") // the matchers are quadratic too
		}
		checkMatch(t, pattern, subject)
	})
}

// maxFuzzLen bounds fuzzed patterns and subjects: long enough for the
// nesting limit, short enough for referenceMatch's len(pattern) x
// len(subject) table.
const maxFuzzLen = 4096

// TestMatchRandom runs checkMatch over many random pairs from a small
// alphabet, where matches are frequent; FuzzMatch explores further.
func TestMatchRandom(t *testing.T) {
	rng := newTestRand(1)
	pieces := []string{"*", "*", "?", "[", "]", "^", "-", "\\", "a", "b", "a", "b", "c", "\xc3", "\xa9"}
	subjectBytes := []string{"a", "b", "c", "-", "]", "\\", "*", "\xc3", "\xa9"}
	n := 200000
	if testing.Short() {
		n = 20000
	}
	var pattern, subject bytes.Buffer
	for range n {
		pattern.Reset()
		subject.Reset()
		for range rng.IntN(10) {
			pattern.WriteString(pieces[rng.IntN(len(pieces))])
		}
		for range rng.IntN(10) {
			subject.WriteString(subjectBytes[rng.IntN(len(subjectBytes))])
		}
		checkMatch(t, pattern.String(), subject.String())
	}
}
