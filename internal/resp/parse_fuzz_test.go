package resp

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// FuzzParse feeds each input whole, in two pieces, and (when short) one byte
// at a time, and requires the same commands and errors every time. The
// Parser must never panic nor consume more than it was given.
func FuzzParse(f *testing.F) {
	for _, tc := range parseCases {
		if len(tc.in) <= 4096 {
			f.Add([]byte(tc.in), uint16(len(tc.in)/2), uint8(0))
		}
	}
	f.Add([]byte(multibulk("SET", "k", "v")+"PING\r\n"), uint16(7), uint8(1))
	f.Add([]byte("*2\r\n$3\r\nabc\r\n$20\r\n01234567890123456789\r\n"), uint16(20), uint8(2))
	f.Add([]byte("ECHO \"\\x41\" 'b\\'' c\"d\"\n"), uint16(9), uint8(3))
	f.Fuzz(func(t *testing.T, in []byte, cut uint16, mode uint8) {
		newParser := func() *Parser {
			p := &Parser{Unauthenticated: mode&1 != 0}
			if mode&2 != 0 {
				p.Limits = Limits{MaxBulkLen: 16, MaxInline: 24, MaxArgs: 4}
			}
			return p
		}
		whole := feedChunks(t, newParser(), in)
		at := int(cut) % (len(in) + 1)
		if halves := feedChunks(t, newParser(), in[:at], in[at:]); !slices.Equal(whole, halves) {
			t.Fatalf("whole: %s\nsplit at %d: %s", shorten(whole), at, shorten(halves))
		}
		if len(in) <= 256 {
			if bytes := feedChunks(t, newParser(), bytewise(in)...); !slices.Equal(whole, bytes) {
				t.Fatalf("whole: %s\nbyte by byte: %s", shorten(whole), shorten(bytes))
			}
		}
	})
}

// TestParseRandomCommands serialises thousands of random commands, inline and
// multibulk mixed, and parses them back from random chunkings.
func TestParseRandomCommands(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	rounds := 60
	if testing.Short() {
		rounds = 20
	}
	for round := range rounds {
		var stream []byte
		var want parseOutcome
		for range 50 {
			args := randomArgs(rng)
			if line := encodeInline(rng, args); rng.IntN(3) == 0 && len(line) <= defaultMaxInline {
				stream = append(stream, line...)
			} else {
				stream = append(stream, multibulk(args...)...)
			}
			want = append(want, renderArgs(toBytes(args)))
		}
		for try := range 5 {
			var p Parser
			got := feedChunks(t, &p, randomChunks(rng, stream)...)
			if !slices.Equal(got, want) {
				i := 0
				for i < len(got) && i < len(want) && got[i] == want[i] {
					i++
				}
				t.Fatalf("round %d try %d: command %d differs\n got %s\nwant %s",
					round, try, i, shorten(got[i:min(i+1, len(got))]), shorten(want[i:i+1]))
			}
		}
	}
}

func toBytes(args []string) [][]byte {
	out := make([][]byte, len(args))
	for i, a := range args {
		out[i] = []byte(a)
	}
	return out
}

// randomArgs returns 0 to 8 arguments of random bytes, mostly short, some
// long, with the bytes that matter to the parsers over-represented.
func randomArgs(rng *rand.Rand) []string {
	const special = "\r\n\x00 \t\v\f\"'\\x*$0123456789"
	args := make([]string, rng.IntN(9))
	for i := range args {
		size := rng.IntN(12)
		switch rng.IntN(20) {
		case 0:
			size = rng.IntN(4000)
		case 1:
			size = 0
		}
		b := make([]byte, size)
		for j := range b {
			if rng.IntN(3) == 0 {
				b[j] = special[rng.IntN(len(special))]
			} else {
				b[j] = byte(rng.IntN(256))
			}
		}
		args[i] = string(b)
	}
	return args
}

// encodeInline writes args as an inline command that sdssplitargs reads back
// as args, choosing at random among the ways to write each one.
func encodeInline(rng *rand.Rand, args []string) string {
	const blanks = " \t\v\f\r"
	var sb strings.Builder
	if rng.IntN(4) == 0 {
		for range rng.IntN(3) + 1 {
			sb.WriteByte(" \t\v\f"[rng.IntN(4)])
		}
	}
	for i, a := range args {
		if i > 0 {
			sb.WriteByte(" \t"[rng.IntN(2)]) // must end a plain argument
			for range rng.IntN(3) {
				sb.WriteByte(blanks[rng.IntN(len(blanks))])
			}
		}
		quoted := !isPlain(a) || rng.IntN(4) == 0
		if i == 0 && sb.Len() == 0 && strings.HasPrefix(a, "*") {
			quoted = true // a line starting with '*' is a multibulk
		}
		switch {
		case !quoted:
			sb.WriteString(a)
		case !strings.Contains(a, `\`) && !strings.ContainsAny(a, "\n\x00") && rng.IntN(3) == 0:
			sb.WriteString("'" + strings.ReplaceAll(a, "'", `\'`) + "'")
		default:
			// Some plain bytes may stand before the quote: a"b c" is `ab c`.
			k := 0
			for k < len(a) && rng.IntN(3) == 0 && isPlain(a[:k+1]) && !(i == 0 && sb.Len() == 0 && a[0] == '*') {
				k++
			}
			sb.WriteString(a[:k])
			sb.WriteString(doubleQuote(rng, a[k:]))
		}
	}
	if rng.IntN(3) == 0 {
		sb.WriteByte(" \t"[rng.IntN(2)]) // '\v' and '\f' do not end a plain argument
		for range rng.IntN(3) {
			sb.WriteByte(blanks[rng.IntN(len(blanks))])
		}
	}
	if rng.IntN(2) == 0 {
		sb.WriteString("\r\n")
	} else {
		sb.WriteString("\n")
	}
	return sb.String()
}

// isPlain reports whether a can be written without quotes.
func isPlain(a string) bool {
	return a != "" && !strings.ContainsAny(a, " \t\n\v\f\r\"'\x00")
}

// doubleQuote writes a in double quotes with a random mix of escapes.
func doubleQuote(rng *rand.Rand, a string) string {
	var sb strings.Builder
	sb.WriteByte('"')
	for i := 0; i < len(a); i++ {
		c := a[i]
		switch {
		case c == '"' || c == '\\':
			sb.WriteString(`\` + string(c))
		case c == '\n' || c == 0 || rng.IntN(8) == 0:
			if rng.IntN(2) == 0 {
				fmt.Fprintf(&sb, `\x%02x`, c)
			} else {
				fmt.Fprintf(&sb, `\x%02X`, c)
			}
		case c == '\r' && rng.IntN(2) == 0:
			sb.WriteString(`\r`)
		case c == 'q' && rng.IntN(2) == 0:
			sb.WriteString(`\q`) // an escape of a byte that is not special
		default:
			sb.WriteByte(c)
		}
	}
	sb.WriteByte('"')
	return sb.String()
}

// randomChunks cuts s at random places: sometimes into single bytes, mostly
// into pieces of random sizes.
func randomChunks(rng *rand.Rand, s []byte) [][]byte {
	var chunks [][]byte
	for len(s) > 0 {
		var size int
		switch rng.IntN(4) {
		case 0:
			size = 1
		case 1:
			size = rng.IntN(16) + 1
		default:
			size = rng.IntN(4000) + 1
		}
		size = min(size, len(s))
		chunks = append(chunks, s[:size])
		s = s[size:]
	}
	return chunks
}
