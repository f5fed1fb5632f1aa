package glob

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestMatchAgainstRedis asks a real redis-server which subjects match each
// of ten thousand random patterns and compares its answers with Match.
// The subjects are subscribed channels and Redis answers PUBSUB CHANNELS
// <pattern>, which runs stringmatchlen over every channel.
func TestMatchAgainstRedis(t *testing.T) {
	addr := startRedis(t)
	rng := rand.New(rand.NewPCG(7, 15))
	subjects := differentialSubjects(rng, 500)
	patterns := differentialPatterns(rng, 10000)

	start := time.Now()
	subscriber := dialRESP(t, addr)
	subscribeAll(t, subscriber, subjects)

	client := dialRESP(t, addr)
	sendErr := make(chan error, 1)
	go func() {
		for _, p := range patterns {
			client.send("PUBSUB", "CHANNELS", p)
		}
		sendErr <- client.flush()
	}()
	mismatches := 0
	for _, p := range patterns {
		reply, err := client.readReply()
		if err != nil {
			t.Fatalf("PUBSUB CHANNELS %q: %v", p, err)
		}
		items, ok := reply.([]any)
		if !ok {
			t.Fatalf("PUBSUB CHANNELS %q: reply %v", p, reply)
		}
		var fromRedis []string
		for _, item := range items {
			fromRedis = append(fromRedis, item.(string))
		}
		var fromMatch []string
		for _, s := range subjects {
			if MatchString(p, s) {
				fromMatch = append(fromMatch, s)
			}
		}
		slices.Sort(fromRedis)
		slices.Sort(fromMatch)
		if !slices.Equal(fromRedis, fromMatch) {
			mismatches++
			if mismatches <= 20 {
				t.Errorf("pattern %q: Redis matches %d subjects, Match %d; only Redis: %q; only Match: %q",
					shorten(p), len(fromRedis), len(fromMatch),
					shortenAll(difference(fromRedis, fromMatch)), shortenAll(difference(fromMatch, fromRedis)))
			}
		}
	}
	if err := <-sendErr; err != nil {
		t.Fatalf("send: %v", err)
	}
	if mismatches > 0 {
		t.Fatalf("%d of %d patterns disagree with redis-server", mismatches, len(patterns))
	}
	t.Logf("%d patterns x %d subjects agree with redis-server (%v)", len(patterns), len(subjects), time.Since(start).Round(time.Millisecond))
}

// subscribeAll subscribes conn to every subject and waits for the
// confirmations.
func subscribeAll(t *testing.T, conn *respConn, subjects []string) {
	t.Helper()
	const perCommand = 100
	for chunk := range slices.Chunk(subjects, perCommand) {
		conn.send(append([]string{"SUBSCRIBE"}, chunk...)...)
	}
	if err := conn.flush(); err != nil {
		t.Fatalf("SUBSCRIBE: %v", err)
	}
	for range subjects {
		reply, err := conn.readReply()
		if err != nil {
			t.Fatalf("SUBSCRIBE: %v", err)
		}
		if items, ok := reply.([]any); !ok || len(items) != 3 || items[0] != "subscribe" {
			t.Fatalf("SUBSCRIBE: reply %v", reply)
		}
	}
}

// differentialAlphabet holds the pieces random patterns and subjects are
// made of: every byte with a meaning to the matcher, bytes that look special
// elsewhere (! { }), plain letters, and "é" as two bytes >= 0x80.
var differentialAlphabet = []string{"*", "?", "[", "]", "^", "-", "\\", "!", "{", "}", "a", "b", "c", "é", "\xc3", "\xa9"}

// differentialSubjects returns n distinct subjects: the empty one, those of
// matchCases, long runs of 'a' for the nesting-limit patterns, and random
// ones, mostly letters with some special bytes.
func differentialSubjects(rng *rand.Rand, n int) []string {
	seen := map[string]bool{"": true}
	subjects := []string{""}
	for _, c := range matchCases {
		if !seen[c.subject] {
			seen[c.subject] = true
			subjects = append(subjects, c.subject)
		}
	}
	for _, k := range []int{999, 1000, 1001, 1002, 1500} {
		if s := strings.Repeat("a", k); !seen[s] {
			seen[s] = true
			subjects = append(subjects, s)
		}
	}
	letters := []string{"a", "b", "c", "é", "-", "]"}
	for len(subjects) < n {
		var b strings.Builder
		for range rng.IntN(7) {
			if rng.IntN(4) == 0 {
				b.WriteString(differentialAlphabet[rng.IntN(len(differentialAlphabet))])
			} else {
				b.WriteString(letters[rng.IntN(len(letters))])
			}
		}
		if s := b.String(); !seen[s] {
			seen[s] = true
			subjects = append(subjects, s)
		}
	}
	return subjects
}

// differentialPatterns returns n random patterns and, first, the patterns
// of matchCases and more at the edge of Redis's nesting limit.
func differentialPatterns(rng *rand.Rand, n int) []string {
	var patterns []string
	for _, k := range []int{999, 1000, 1001, 1002} {
		patterns = append(patterns,
			strings.Repeat("*a", k),
			strings.Repeat("*a", k)+"*",
			strings.Repeat("a*", k),
			strings.Repeat("*?", k),
			"a"+strings.Repeat("*a", k)+"[a]",
		)
	}
	for _, c := range matchCases {
		patterns = append(patterns, c.pattern)
	}
	for len(patterns) < n {
		var b strings.Builder
		for range 1 + rng.IntN(8) {
			b.WriteString(differentialAlphabet[rng.IntN(len(differentialAlphabet))])
		}
		patterns = append(patterns, b.String())
	}
	return patterns
}

// difference returns the elements of a (sorted) that are not in b (sorted).
func difference(a, b []string) []string {
	var out []string
	for _, s := range a {
		if _, found := slices.BinarySearch(b, s); !found {
			out = append(out, s)
		}
	}
	return out
}

// shorten keeps long patterns and subjects readable in failure messages.
func shorten(s string) string {
	if len(s) <= 40 {
		return s
	}
	return fmt.Sprintf("%s...(%d bytes)", s[:20], len(s))
}

func shortenAll(list []string) []string {
	out := make([]string, len(list))
	for i, s := range list {
		out[i] = shorten(s)
	}
	return out
}
