package resp

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
)

// multibulk encodes args as a RESP multibulk request.
func multibulk(args ...string) string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(&sb, "$%d\r\n%s\r\n", len(a), a)
	}
	return sb.String()
}

// parseOutcome is what a Parser made of a whole input: the commands, each
// rendered as a quoted list, then "error: <text>", "incomplete (need N)" or
// nothing if every byte was consumed.
type parseOutcome []string

// renderArgs renders a command as a list of Go-quoted arguments (bytes from
// 0x80 up always as \xHH), quickly, since the randomized test renders a lot.
func renderArgs(args [][]byte) string {
	const hex = "0123456789abcdef"
	b := []byte{'['}
	for i, a := range args {
		if i > 0 {
			b = append(b, ' ')
		}
		b = append(b, '"')
		for _, c := range a {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c >= 0x20 && c < 0x7f:
				b = append(b, c)
			case c >= '\a' && c <= '\r':
				b = append(b, '\\', "abtnvfr"[c-'\a'])
			default:
				b = append(b, '\\', 'x', hex[c>>4], hex[c&15])
			}
		}
		b = append(b, '"')
	}
	return string(append(b, ']'))
}

// feedChunks plays a connection: it appends each chunk to a query buffer and
// parses every command the buffer holds, as a server would, checking the
// Parser's contract on the way.
func feedChunks(t testing.TB, p *Parser, chunks ...[]byte) parseOutcome {
	t.Helper()
	var out parseOutcome
	var pending []byte
	var args [][]byte
	for _, chunk := range chunks {
		pending = append(pending, chunk...)
		for len(pending) > 0 {
			got, n, err := p.Parse(pending, args)
			args = got
			if n < 0 || n > len(pending) {
				t.Fatalf("Parse consumed %d of %d bytes", n, len(pending))
			}
			if err != nil {
				var perr *ProtocolError
				if !errors.As(err, &perr) {
					t.Fatalf("Parse returned %T %v, want *ProtocolError", err, err)
				}
				if n != 0 {
					t.Fatalf("Parse returned an error with n = %d", n)
				}
				return append(out, "error: "+err.Error())
			}
			if n == 0 {
				if need := p.Need(); need != 0 && need <= len(pending) {
					t.Fatalf("Need() = %d with %d bytes buffered", need, len(pending))
				}
				break
			}
			out = append(out, renderArgs(got))
			pending = pending[n:]
		}
	}
	if len(pending) > 0 {
		out = append(out, "incomplete")
	}
	return out
}

// splitAt cuts s at the given offsets.
func splitAt(s []byte, cuts ...int) [][]byte {
	var chunks [][]byte
	last := 0
	for _, c := range cuts {
		chunks = append(chunks, s[last:c])
		last = c
	}
	return append(chunks, s[last:])
}

// bytewise cuts s into one-byte chunks.
func bytewise(s []byte) [][]byte {
	chunks := make([][]byte, len(s))
	for i := range s {
		chunks[i] = s[i : i+1]
	}
	return chunks
}

var (
	unauth       = func(p *Parser) { p.Unauthenticated = true }
	smallLimits  = func(p *Parser) { p.Limits = Limits{MaxBulkLen: 10, MaxInline: 16, MaxArgs: 3} }
	pingMB       = multibulk("PING")
	tooBigInline = "error: ERR Protocol error: too big inline request"
	invalidCount = "error: ERR Protocol error: invalid multibulk length"
	invalidBulk  = "error: ERR Protocol error: invalid bulk length"
	bigCount     = "error: ERR Protocol error: too big mbulk count string"
	bigBulkCount = "error: ERR Protocol error: too big bulk count string"
	unbalanced   = "error: ERR Protocol error: unbalanced quotes in request"
	unauthCount  = "error: ERR Protocol error: unauthenticated multibulk length"
	unauthBulk   = "error: ERR Protocol error: unauthenticated bulk length"
)

var parseCases = []struct {
	name  string
	in    string
	setup func(*Parser)
	want  parseOutcome
}{
	// Inline commands (processInlineBuffer).
	{"inline crlf", "PING\r\n", nil, parseOutcome{`["PING"]`}},
	{"inline lf", "PING\n", nil, parseOutcome{`["PING"]`}},
	{"inline args", "SET  k\tv\r\n", nil, parseOutcome{`["SET" "k" "v"]`}},
	{"inline only one cr stripped", "PING\r\r\n", nil, parseOutcome{`["PING"]`}},
	{"inline empty line", "\r\n", nil, parseOutcome{`[]`}},
	{"inline bare lf", "\n", nil, parseOutcome{`[]`}},
	{"inline blanks", " \t\v\f\r\n", nil, parseOutcome{`[]`}},
	{"inline no newline", "PING", nil, parseOutcome{"incomplete"}},
	{"inline cr only", "PING\r", nil, parseOutcome{"incomplete"}},
	{"inline leading space before star", " *1\r\n", nil, parseOutcome{`["*1"]`}},
	{"inline double quotes", `ECHO "a b" "" "\x41\x4a\n\r\t\b\a\\\"\q"` + "\n", nil,
		parseOutcome{`["ECHO" "a b" "" "AJ\n\r\t\b\a\\\"q"]`}},
	{"inline bad hex is a plain escape", `ECHO "\xZZ" "\x4"` + "\n", nil, parseOutcome{`["ECHO" "xZZ" "x4"]`}},
	{"inline single quotes", `ECHO 'it\'s' 'a\nb' ''` + "\n", nil, parseOutcome{`["ECHO" "it's" "a\\nb" ""]`}},
	{"inline quote inside word", `ECHO a"b c"` + "\n", nil, parseOutcome{`["ECHO" "ab c"]`}},
	{"inline quote then vtab", "ECHO \"a\"\vb\n", nil, parseOutcome{`["ECHO" "a" "b"]`}},
	{"inline vtab inside word", "ECHO a\vb\n", nil, parseOutcome{`["ECHO" "a\vb"]`}},
	{"inline quote before cr", "ECHO \"a\"\r\n", nil, parseOutcome{`["ECHO" "a"]`}},
	{"inline raw cr inside quotes", "ECHO \"a\rb\"\n", nil, parseOutcome{`["ECHO" "a\rb"]`}},
	{"inline high bytes", "ECHO \xff\x80\n", nil, parseOutcome{`["ECHO" "\xff\x80"]`}},
	{"inline unterminated double", `ECHO "a` + "\n", nil, parseOutcome{unbalanced}},
	{"inline unterminated single", `ECHO 'a` + "\n", nil, parseOutcome{unbalanced}},
	{"inline text after double", `ECHO "a"b` + "\n", nil, parseOutcome{unbalanced}},
	{"inline text after single", `ECHO 'a'b` + "\n", nil, parseOutcome{unbalanced}},
	{"inline backslash at end", `ECHO "a\` + "\n", nil, parseOutcome{unbalanced}},
	{"inline escaped quote at end", `ECHO "a\"` + "\n", nil, parseOutcome{unbalanced}},
	{"inline pipeline", "PING\nPING\r\n" + pingMB + "PING\n", nil,
		parseOutcome{`["PING"]`, `["PING"]`, `["PING"]`, `["PING"]`}},
	{"inline stops at NUL", "PING\x00\r\nPING\r\n", nil, parseOutcome{"incomplete"}},
	{"inline NUL too big", "PING\x00" + strings.Repeat("x", 65532), nil, parseOutcome{tooBigInline}},
	{"inline NUL not yet too big", "PING\x00" + strings.Repeat("x", 65531), nil, parseOutcome{"incomplete"}},
	{"inline too big", strings.Repeat("x", 65537), nil, parseOutcome{tooBigInline}},
	{"inline largest partial", strings.Repeat("x", 65536), nil, parseOutcome{"incomplete"}},
	{"inline largest line", strings.Repeat("x", 65536) + "\n", nil, parseOutcome{`["` + strings.Repeat("x", 65536) + `"]`}},
	{"inline line too big though complete", strings.Repeat("x", 65537) + "\n", nil, parseOutcome{tooBigInline}},
	{"inline small limit", "ECHO 0123456789AB\n", smallLimits, parseOutcome{tooBigInline}},
	{"inline small limit fits", "ECHO 0123456789A\n", smallLimits, parseOutcome{`["ECHO" "0123456789A"]`}},
	{"inline unauthenticated has no arg limit", "a b c d e f g h i j k l\n", unauth,
		parseOutcome{`["a" "b" "c" "d" "e" "f" "g" "h" "i" "j" "k" "l"]`}},

	// Multibulk commands (processMultibulkBuffer).
	{"multibulk", multibulk("SET", "k", "v"), nil, parseOutcome{`["SET" "k" "v"]`}},
	{"multibulk empty arg", multibulk("ECHO", ""), nil, parseOutcome{`["ECHO" ""]`}},
	{"multibulk binary arg", multibulk("ECHO", "a\r\n\x00b"), nil, parseOutcome{`["ECHO" "a\r\n\x00b"]`}},
	{"multibulk zero", "*0\r\n", nil, parseOutcome{`[]`}},
	{"multibulk minus one", "*-1\r\n", nil, parseOutcome{`[]`}},
	{"multibulk negative", "*-10\r\nPING\r\n", nil, parseOutcome{`[]`, `["PING"]`}},
	{"multibulk crlf not checked after count", "*1\rX$4\r\nPING\r\n", nil, parseOutcome{`["PING"]`}},
	{"multibulk crlf not checked after bulk", "*1\r\n$4\r\nPINGxy", nil, parseOutcome{`["PING"]`}},
	{"multibulk crlf not checked after bulk len", "*1\r\n$4\rxPING\r\n", nil, parseOutcome{`["PING"]`}},
	{"multibulk count waits for lf", "*1\r", nil, parseOutcome{"incomplete"}},
	{"multibulk partial", "*2\r\n$4\r\nECHO\r\n$3\r\nhe", nil, parseOutcome{"incomplete"}},
	{"multibulk largest count", "*2147483647\r\n", nil, parseOutcome{"incomplete"}},
	{"multibulk count over INT_MAX", "*2147483648\r\n", nil, parseOutcome{invalidCount}},
	{"multibulk count 3e9", "*3000000000\r\n", nil, parseOutcome{invalidCount}},
	{"multibulk count huge", "*99999999999999999999\r\n", nil, parseOutcome{invalidCount}},
	{"multibulk count not a number", "*abc\r\n", nil, parseOutcome{invalidCount}},
	{"multibulk count empty", "*\r\n", nil, parseOutcome{invalidCount}},
	{"multibulk count plus", "*+1\r\n", nil, parseOutcome{invalidCount}},
	{"multibulk count leading zero", "*01\r\n", nil, parseOutcome{invalidCount}},
	{"multibulk count minus zero", "*-0\r\n", nil, parseOutcome{invalidCount}},
	{"multibulk count space", "*1 \r\n", nil, parseOutcome{invalidCount}},
	{"multibulk count lf only", "*1\n$4\r\nPING\r\n", nil, parseOutcome{invalidCount}},
	{"multibulk count over MaxArgs", "*4\r\n", smallLimits, parseOutcome{invalidCount}},
	{"multibulk count at MaxArgs", "*3\r\n", smallLimits, parseOutcome{"incomplete"}},
	{"multibulk count stops at NUL", "*1\x00\r\n$4\r\nPING\r\n", nil, parseOutcome{"incomplete"}},
	{"multibulk count too big", "*" + strings.Repeat("1", 65536), nil, parseOutcome{bigCount}},
	{"multibulk count largest partial", "*" + strings.Repeat("1", 65535), nil, parseOutcome{"incomplete"}},
	{"multibulk count too big though complete", "*" + strings.Repeat("1", 65536) + "\r\n", nil, parseOutcome{bigCount}},
	{"multibulk count long but fits", "*" + strings.Repeat("1", 65535) + "\r\n", nil, parseOutcome{invalidCount}},
	{"multibulk count small limit", "*00000000000000000", smallLimits, parseOutcome{bigCount}},
	{"expected dollar", "*3\r\n$3\r\nSET\r\n$1\r\nx\r\nfooz\r\n", nil, parseOutcome{"error: ERR Protocol error: expected '$', got 'f'"}},
	{"expected dollar got cr", "*1\r\n\r\n", nil, parseOutcome{"error: ERR Protocol error: expected '$', got ' '"}},
	{"expected dollar got lf", "*1\r\n\n\r\n", nil, parseOutcome{"error: ERR Protocol error: expected '$', got ' '"}},
	{"expected dollar got high byte", "*1\r\n\xff\r\n", nil, parseOutcome{"error: ERR Protocol error: expected '$', got '\xff'"}},
	{"expected dollar waits for line", "*1\r\nfoo", nil, parseOutcome{"incomplete"}},
	{"bulk len negative", "*3\r\n$3\r\nSET\r\n$1\r\nx\r\n$-10\r\n", nil, parseOutcome{invalidBulk}},
	{"bulk len minus one", "*1\r\n$-1\r\n", nil, parseOutcome{invalidBulk}},
	{"bulk len not a number", "*1\r\n$x\r\n", nil, parseOutcome{invalidBulk}},
	{"bulk len empty", "*1\r\n$\r\n", nil, parseOutcome{invalidBulk}},
	{"bulk len leading zero", "*1\r\n$04\r\nPING\r\n", nil, parseOutcome{invalidBulk}},
	{"bulk len over 512MB", "*1\r\n$536870913\r\n", nil, parseOutcome{invalidBulk}},
	{"bulk len 512MB", "*1\r\n$536870912\r\n", nil, parseOutcome{"incomplete"}},
	{"bulk len over MaxBulkLen", "*1\r\n$11\r\n", smallLimits, parseOutcome{invalidBulk}},
	{"bulk len stops at NUL", "*1\r\n$4\x00\r\nPING\r\n", nil, parseOutcome{"incomplete"}},
	{"bulk count too big", "*1\r\n$" + strings.Repeat("1", 65536), nil, parseOutcome{bigBulkCount}},
	{"bulk count largest partial", "*1\r\n$" + strings.Repeat("1", 65535), nil, parseOutcome{"incomplete"}},
	{"bulk count too big though complete", "*1\r\n$" + strings.Repeat("1", 65536) + "\r\n", nil, parseOutcome{bigBulkCount}},
	{"bulk count too big before dollar check", "*1\r\n" + strings.Repeat("x", 65537), nil, parseOutcome{bigBulkCount}},
	{"bulk count small limit", "*2\r\n$4\r\nPING\r\n$00000000000000000", smallLimits, parseOutcome{bigBulkCount}},
	{"multibulk pipeline", multibulk("A") + multibulk("B", "C") + "*0\r\n" + multibulk("D"), nil,
		parseOutcome{`["A"]`, `["B" "C"]`, `[]`, `["D"]`}},
	{"multibulk then garbage", multibulk("A") + "*x\r\n", nil, parseOutcome{`["A"]`, invalidCount}},

	// Limits before authentication.
	{"unauth ten args", multibulk("1", "2", "3", "4", "5", "6", "7", "8", "9", "10"), unauth,
		parseOutcome{`["1" "2" "3" "4" "5" "6" "7" "8" "9" "10"]`}},
	{"unauth eleven args", "*11\r\n", unauth, parseOutcome{unauthCount}},
	{"unauth invalid count first", "*2147483648\r\n", unauth, parseOutcome{invalidCount}},
	{"unauth bulk 16384", "*1\r\n$16384\r\n", unauth, parseOutcome{"incomplete"}},
	{"unauth bulk 16385", "*2\r\n$4\r\nAUTH\r\n$16385\r\n", unauth, parseOutcome{unauthBulk}},
	{"unauth invalid bulk first", "*1\r\n$536870913\r\n", unauth, parseOutcome{invalidBulk}},
	{"authenticated bulk 16385", "*1\r\n$16385\r\n", nil, parseOutcome{"incomplete"}},
}

func TestParse(t *testing.T) {
	for _, tc := range parseCases {
		t.Run(tc.name, func(t *testing.T) {
			in := []byte(tc.in)
			check := func(how string, chunks [][]byte) {
				t.Helper()
				p := new(Parser)
				if tc.setup != nil {
					tc.setup(p)
				}
				got := feedChunks(t, p, chunks...)
				if !equalOutcomes(got, tc.want) {
					t.Fatalf("%s: got %s, want %s", how, shorten(got), shorten(tc.want))
				}
			}
			check("whole", [][]byte{in})
			if len(in) <= 512 {
				check("byte by byte", bytewise(in))
				for cut := 1; cut < len(in); cut++ {
					check(fmt.Sprintf("split at %d", cut), splitAt(in, cut))
				}
			} else {
				for _, cut := range []int{1, len(in) / 2, len(in) - 2, len(in) - 1} {
					check(fmt.Sprintf("split at %d", cut), splitAt(in, cut))
				}
				check("16 KB reads", chunked(in, 16<<10))
			}
		})
	}
}

// chunked cuts s into pieces of size bytes.
func chunked(s []byte, size int) [][]byte {
	var chunks [][]byte
	for len(s) > size {
		chunks = append(chunks, s[:size])
		s = s[size:]
	}
	return append(chunks, s)
}

func equalOutcomes(a, b parseOutcome) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// shorten renders an outcome with long entries cut, for failure messages.
func shorten(o parseOutcome) string {
	parts := make([]string, len(o))
	for i, s := range o {
		if len(s) > 80 {
			s = s[:60] + fmt.Sprintf("...(%d bytes)", len(s))
		}
		parts[i] = strconv.Quote(s)
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

func TestParseNeed(t *testing.T) {
	for _, tc := range []struct {
		in   string
		need int
	}{
		{"*1\r", 4},
		{"*1\r\n", 0},
		{"*1\r\n$5", 0},
		{"*1\r\n$5\r", 8},
		{"*1\r\n$5\r\n", 15},
		{"*1\r\n$5\r\nhel", 15},
		{"*1\r\n$5\r\nhello", 15},
		{"*1\r\n$5\r\nhello\r", 15},
		{"*1\r\n$536870912\r\n", 16 + 536870912 + 2},
		{"PING", 0},
	} {
		var p Parser
		buf := []byte(tc.in)
		if _, n, err := p.Parse(buf, nil); n != 0 || err != nil {
			t.Fatalf("Parse(%q) = %d, %v; want incomplete", tc.in, n, err)
		}
		if got := p.Need(); got != tc.need {
			t.Errorf("Need() after %q = %d, want %d", tc.in, got, tc.need)
		}
	}
}

func TestParseAliasesBuffer(t *testing.T) {
	var p Parser
	buf := []byte(multibulk("PUBLISH", "ch", "hello") + "ECHO plain \"quoted\"\r\n")
	args, n, err := p.Parse(buf, nil)
	if err != nil || len(args) != 3 {
		t.Fatalf("Parse = %q, %d, %v", args, n, err)
	}
	if &args[2][0] != &buf[n-7] {
		t.Errorf("multibulk argument does not alias the buffer")
	}
	if cap(args[2]) != len(args[2]) {
		t.Errorf("argument capacity %d reaches past it (length %d)", cap(args[2]), len(args[2]))
	}
	args, _, err = p.Parse(buf[n:], args)
	if err != nil || len(args) != 3 {
		t.Fatalf("Parse inline = %q, %v", args, err)
	}
	if &args[1][0] != &buf[n+5] {
		t.Errorf("unquoted inline argument does not alias the buffer")
	}
	if string(args[2]) != "quoted" {
		t.Errorf("quoted argument = %q", args[2])
	}
}

// TestParsePipelineDoesNotAllocate: a pipeline of 64 PUBLISH commands,
// multibulk or inline, parses with no allocation once the argument slice
// has room (the README's claim; the benchmarks below measure the speed).
func TestParsePipelineDoesNotAllocate(t *testing.T) {
	payload := strings.Repeat("p", 64)
	var multi, inline []byte
	for range 64 {
		multi = append(multi, multibulk("PUBLISH", "news.sports", payload)...)
		inline = append(inline, "PUBLISH news.sports "+payload+"\r\n"...)
	}
	for name, buf := range map[string][]byte{"multibulk": multi, "inline": inline} {
		var p Parser
		args := make([][]byte, 0, 8)
		commands := 0
		allocs := testing.AllocsPerRun(100, func() {
			for rest := buf; len(rest) > 0; {
				var n int
				var err error
				args, n, err = p.Parse(rest, args)
				if err != nil || n == 0 || len(args) != 3 {
					t.Fatalf("%s: Parse = %q, %d, %v", name, args, n, err)
				}
				rest = rest[n:]
				commands++
			}
		})
		if allocs != 0 {
			t.Errorf("%s: parsing a pipeline of 64 PUBLISH allocates %v times", name, allocs)
		}
		if commands == 0 {
			t.Errorf("%s: nothing parsed", name)
		}
	}
}

// TestParseResumesWithoutRescanning checks that a command arriving in many
// pieces keeps the arguments it already read when its buffer moves.
func TestParseResumesWithoutRescanning(t *testing.T) {
	var p Parser
	in := []byte(multibulk("MSET", "a", "1", "b", "2"))
	var buf []byte
	var args [][]byte
	for i, c := range in {
		buf = append(append([]byte(nil), buf...), c) // a fresh array every time
		var n int
		var err error
		args, n, err = p.Parse(buf, args)
		if err != nil {
			t.Fatal(err)
		}
		if (n != 0) != (i == len(in)-1) {
			t.Fatalf("after %d bytes n = %d", i+1, n)
		}
	}
	if got := renderArgs(args); got != `["MSET" "a" "1" "b" "2"]` {
		t.Fatalf("got %s", got)
	}
}

func TestParseReset(t *testing.T) {
	var p Parser
	if _, n, _ := p.Parse([]byte("*2\r\n$4\r\nECHO\r\n"), nil); n != 0 {
		t.Fatal("want incomplete")
	}
	p.Reset()
	args, n, err := p.Parse([]byte("PING\r\n"), nil)
	if err != nil || n != 6 || renderArgs(args) != `["PING"]` {
		t.Fatalf("after Reset: %q %d %v", args, n, err)
	}
	// A caller that breaks the contract and passes less than before gets a
	// fresh parse, not a panic.
	if _, n, _ := p.Parse([]byte("*2\r\n$4\r\nECHO\r\n$2\r\n"), nil); n != 0 {
		t.Fatal("want incomplete")
	}
	args, n, err = p.Parse([]byte("PING\n"), nil)
	if err != nil || n != 5 || renderArgs(args) != `["PING"]` {
		t.Fatalf("after a shorter buffer: %q %d %v", args, n, err)
	}
}

func TestParseErrorReasons(t *testing.T) {
	var p Parser
	_, _, err := p.Parse([]byte("*1\r\nx\r\n"), nil)
	var perr *ProtocolError
	if !errors.As(err, &perr) || perr.Reason != "expected $ but got something else" {
		t.Fatalf("got %#v", err)
	}
}

func TestParseInteger(t *testing.T) {
	for _, tc := range []struct {
		in string
		n  int64
		ok bool
	}{
		{"0", 0, true}, {"1", 1, true}, {"-1", -1, true}, {"10", 10, true},
		{"9223372036854775807", 1<<63 - 1, true}, {"-9223372036854775808", -1 << 63, true},
		{"9223372036854775808", 0, false}, {"-9223372036854775809", 0, false},
		{"18446744073709551615", 0, false}, {"18446744073709551616", 0, false},
		{"99999999999999999999", 0, false}, {"000000000000000000001", 0, false},
		{"", 0, false}, {"-", 0, false}, {"-0", 0, false}, {"00", 0, false}, {"01", 0, false},
		{"+1", 0, false}, {" 1", 0, false}, {"1 ", 0, false}, {"1a", 0, false}, {"0x1", 0, false},
	} {
		n, ok := parseInteger([]byte(tc.in))
		if n != tc.n || ok != tc.ok {
			t.Errorf("parseInteger(%q) = %d, %v; want %d, %v", tc.in, n, ok, tc.n, tc.ok)
		}
	}
}

func BenchmarkParsePublishPipeline(b *testing.B) {
	payload := strings.Repeat("p", 64)
	var buf []byte
	for range 64 {
		buf = append(buf, multibulk("PUBLISH", "news.sports", payload)...)
	}
	var p Parser
	args := make([][]byte, 0, 8)
	b.SetBytes(int64(len(buf)))
	b.ReportAllocs()
	for b.Loop() {
		rest := buf
		for len(rest) > 0 {
			var n int
			var err error
			args, n, err = p.Parse(rest, args)
			if err != nil || n == 0 {
				b.Fatalf("Parse: %d, %v", n, err)
			}
			rest = rest[n:]
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*64), "ns/cmd")
}

func BenchmarkParseInlinePipeline(b *testing.B) {
	var buf []byte
	for range 64 {
		buf = append(buf, "PUBLISH news.sports hello-world\r\n"...)
	}
	var p Parser
	args := make([][]byte, 0, 8)
	b.SetBytes(int64(len(buf)))
	b.ReportAllocs()
	for b.Loop() {
		rest := buf
		for len(rest) > 0 {
			var n int
			var err error
			args, n, err = p.Parse(rest, args)
			if err != nil || n == 0 {
				b.Fatalf("Parse: %d, %v", n, err)
			}
			rest = rest[n:]
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*64), "ns/cmd")
}

// BenchmarkParseLargeInPieces parses a 1 MB bulk that arrives in 16 KB reads,
// which must cost a constant amount per read, not a re-parse.
func BenchmarkParseLargeInPieces(b *testing.B) {
	in := []byte(multibulk("PUBLISH", "ch", strings.Repeat("x", 1<<20)))
	buf := make([]byte, 0, len(in))
	args := make([][]byte, 0, 8)
	var p Parser
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		buf = buf[:0]
		for off := 0; off < len(in); off += 16 << 10 {
			buf = append(buf, in[off:min(off+16<<10, len(in))]...)
			var n int
			var err error
			if args, n, err = p.Parse(buf, args); err != nil || (n != 0) != (len(buf) == len(in)) {
				b.Fatalf("Parse: %d, %v", n, err)
			}
		}
	}
}
