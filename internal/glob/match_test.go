package glob

import (
	"strings"
	"testing"
)

// matchCase is one pattern, one subject and Redis's answer. Every case is
// also sent to redis-server by TestMatchAgainstRedis.
type matchCase struct {
	pattern, subject string
	want             bool
}

var matchCases = []matchCase{
	// Empty pattern and empty subject: the subject only matches "".
	{"", "", true},
	{"", "a", false},
	{"*", "", false},
	{"**", "", false},
	{"?", "", false},
	{"*", "anything", true},
	{"**", "x", true},
	// Stars.
	{"a*", "a", true},
	{"a*b", "ab", true},
	{"a*b", "acccb", true},
	{"a*b", "acbd", false},
	{"*a*b*", "xaxbx", true},
	{"a*a*a", "aa", false},
	{"news/*", "news/a/b", true}, // '*' crosses '/'
	// '?' is one byte, not one rune.
	{"?", "é", false},
	{"??", "é", true},
	{"h?llo", "hello", true},
	// Classes.
	{"h[ae]llo", "hallo", true},
	{"h[ae]llo", "hillo", false},
	{"h[^e]llo", "hallo", true},
	{"h[^e]llo", "hello", false},
	{"h[a-b]llo", "hbllo", true},
	{"[z-a]", "m", true}, // reversed range
	{"[a-cx-z]", "y", true},
	{"[a-cx-z]", "m", false},
	{"[abc", "c", true}, // unterminated class
	{"[abc", "[abc", false},
	{"[", "[", false}, // '[' alone is an empty class
	{"[^", "x", true},
	{"[]", "]", false}, // ']' first closes an empty class
	{"[]a]", "]a]", false},
	{"[^]", "x", true},
	{"[^]a", "xa", true},
	{"[a-]", "^", true}, // "a-]" is the range ']'..'a'
	{"[a-]", "-", false},
	{"[\\]]", "]", true},
	{"[\\-a]", "-", true},
	{"[\\-a]", "b", false},
	{"[a\\-z]", "m", false},
	{"[\\", "\\", true}, // a class ending in a lone backslash holds it
	{"[é]", "é", false}, // a class is one byte
	{"[é][é]", "é", true},
	// Ranges compare signed chars: 0x80-0xff sort below 0x00.
	{"[a-\xc3]", "\xff", true},
	{"[a-\xc3]", "A", true},
	{"[a-\xc3]", "b", false},
	{"[\xa9-\xc3]", "\xb0", true},
	{"[\xa9-\xc3]", "a", false},
	// Escapes.
	{"\\", "\\", true}, // a trailing backslash is literal
	{"a\\", "a\\", true},
	{"\\*", "*", true},
	{"\\*", "a", false},
	{"\\a", "a", true},
	{"\\?", "x", false},
	{"\\[a]", "[a]", true},
	// Bytes that are special elsewhere are literal here.
	{"!", "!", true},
	{"[!a]", "b", false},
	{"[!a]", "!", true},
	{"{a,b}", "a", false},
	{"{a,b}", "{a,b}", true},
	{"a+", "aa", false},
	{"a.c", "abc", false},
	// The nesting limit: no match once a match reaches a 1001st group of
	// stars with subject left.
	{strings.Repeat("*a", 1000), strings.Repeat("a", 1000), true},
	{strings.Repeat("*a", 1001), strings.Repeat("a", 1001), false},
	{strings.Repeat("*a", 1001), strings.Repeat("a", 1500), false},
	{strings.Repeat("a*", 1001), strings.Repeat("a", 1001), true},
	{strings.Repeat("a*", 1001), strings.Repeat("a", 1500), true}, // the 1001st star is last
	{strings.Repeat("a*", 1002), strings.Repeat("a", 1002), false},
}

func TestMatch(t *testing.T) {
	for _, c := range matchCases {
		if got := MatchString(c.pattern, c.subject); got != c.want {
			t.Errorf("MatchString(%q, %q) = %v, want %v", shorten(c.pattern), shorten(c.subject), got, c.want)
		}
		if got := Match([]byte(c.pattern), []byte(c.subject)); got != c.want {
			t.Errorf("Match(%q, %q) = %v, want %v", shorten(c.pattern), shorten(c.subject), got, c.want)
		}
		if got := matchRedisFromStart(c.pattern, c.subject); got != c.want {
			t.Errorf("matchRedis(%q, %q) = %v, want %v", shorten(c.pattern), shorten(c.subject), got, c.want)
		}
	}
}

func TestMatchDoesNotAllocate(t *testing.T) {
	pattern, subject := []byte("orders:*:[a-z]?\\*"), []byte("orders:eu:x1*")
	allocs := testing.AllocsPerRun(100, func() {
		Match(pattern, subject)
		MatchString("orders:*:[a-z]?\\*", "orders:eu:x1*")
	})
	if allocs != 0 {
		t.Errorf("Match allocates %v times per call", allocs)
	}
}
