package glob

import (
	"fmt"
	"testing"
)

// BenchmarkMatch times Match on typical pub/sub patterns.
func BenchmarkMatch(b *testing.B) {
	cases := []struct{ name, pattern, subject string }{
		{"literal", "orders:eu:created", "orders:eu:created"},
		{"prefix-star", "orders:*", "orders:eu:created"},
		{"star-middle", "orders:*:created", "orders:eu:12345:created"},
		{"two-stars", "*:eu:*", "orders:eu:created"},
		{"class", "orders:[a-z][a-z]:*", "orders:eu:created"},
		{"miss", "orders:*:deleted", "orders:eu:12345:created"},
	}
	for _, c := range cases {
		pattern, subject := []byte(c.pattern), []byte(c.subject)
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				Match(pattern, subject)
			}
		})
	}
}

// BenchmarkIndexMatch times Index.Match with 10,000 patterns of each shape
// against a channel that matches one of them, and, as the baseline, what
// Redis does: Match against every pattern.
func BenchmarkIndexMatch(b *testing.B) {
	const patterns = 10000
	for _, shape := range indexShapes {
		ix := newShapeIndex(patterns, shape.pattern)
		subjects := make([][]byte, 64)
		for i := range subjects {
			subjects[i] = []byte(shape.subject(i * 157 % patterns))
		}
		matched := 0
		count := func(string, int) { matched++ }
		b.Run(shape.name+"/index", func(b *testing.B) {
			i := 0
			for b.Loop() {
				ix.Match(subjects[i%len(subjects)], count)
				i++
			}
		})
		all := make([]string, 0, patterns)
		ix.Range(func(p string, _ int) bool { all = append(all, p); return true })
		b.Run(shape.name+"/brute-force", func(b *testing.B) {
			i := 0
			for b.Loop() {
				subject := subjects[i%len(subjects)]
				for _, p := range all {
					if match(p, subject) {
						matched++
					}
				}
				i++
			}
		})
		if matched == 0 {
			b.Fatal("nothing matched")
		}
	}
}

// BenchmarkIndexAdd times adding 10,000 patterns, then removing them.
func BenchmarkIndexAddRemove(b *testing.B) {
	patterns := make([]string, 10000)
	for i := range patterns {
		patterns[i] = fmt.Sprintf("orders:*:r%d", i)
	}
	for b.Loop() {
		var ix Index[int]
		for i, p := range patterns {
			ix.Add(p, i)
		}
		for _, p := range patterns {
			ix.Remove(p)
		}
	}
}
