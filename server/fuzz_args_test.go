package server

import (
	"slices"
	"strconv"
	"strings"
)

// argGen builds a command's arguments for FuzzCommands from the fuzz
// input: mostly by walking the command's COMMAND DOCS arguments (so that
// options, their tokens and their values come in shapes the command
// parses), sometimes as a flat list of values from every pool (for the
// arity and syntax errors).
type argGen struct {
	in   *fuzzInput
	cmd  *command
	args []string
	bulk int // a counter for the values of a long repeated argument
}

// Value pools. Keys are few so that commands meet each other's values.
var (
	fuzzKeys = []string{"k1", "k2", "k3", "k1", "k2", "{t}a", ""}

	fuzzInts = []string{"0", "1", "-1", "2", "3", "5", "10", "100", "-5", "-100", "65536",
		"9223372036854775807", "-9223372036854775808", "9223372036854775808", "-9223372036854775809",
		"4294967296", "2147483647", "-2147483649", "18446744073709551615",
		"1.5", "abc", "", "+1", "01", "-0", " 1", "1e3", "0x10"}

	fuzzFloats = []string{"0", "1", "-1", "1.5", "-2.5", "0.1", "3e-5", "inf", "-inf", "+inf", "Infinity",
		"nan", "-nan", "1e308", "1e309", "-1e309", "1e-320", "4.9e-324", "17976931348623157e292",
		"9007199254740993", "", "abc", "1.", ".5", "0x1p3", " 1", "1 ", "-0", "1e", "5\x00"}

	// fuzzRanges are bounds as ZRANGEBYSCORE, ZRANGEBYLEX and ZRANGE take them.
	fuzzRanges = []string{"-inf", "+inf", "(1", "[a", "(a", "-", "+", "0", "1", "-1", "(inf", "(-inf",
		"[", "(", "nan", "(nan", "[\xff", "2", "1.5", "a"}

	fuzzStrings = []string{"", "a", "b", "c", "1", "-1", "12", "1.5", "hello", "é", "\x00", "a\r\nb",
		"*", "9223372036854775808", "inf", "nan", "  1", "01", "-0",
		strings.Repeat("x", 65), strings.Repeat("y", 300)}

	fuzzPatterns = []string{"*", "k*", "ch*", "__key*__:*", "__keyspace@0__:*", "k?", "[a-z]*", "[^k]*",
		"\\", "[", "*[", "", "h*llo", "*a*b*c*", "max*", "notify*"}

	fuzzChannels = []string{"ch", "ch2", "chan", "__keyspace@0__:k1", "__keyevent@0__:set", "", "*"}

	fuzzTimeouts = []string{"0.01", "0.001", "0.02", "-1", "abc", "inf", "nan", "1e400", "0.0001", "-0.5"}

	// XREAD's BLOCK milliseconds: never 0, which blocks for ever.
	fuzzBlockMillis = []string{"1", "2", "5", "-1", "abc", "01"}

	// Stream IDs and what the stream commands take in their place.
	fuzzStreamIDs = []string{"0", "0-0", "1", "1-1", "2-0", "5-*", "$", ">", "*", "+", "-", "(1-1", "(0", "",
		"18446744073709551615-18446744073709551615", "18446744073709551615-*", "1-18446744073709551615", "abc", "1--1"}

	fuzzConfigNames = []string{"maxmemory", "maxmemory-policy", "maxmemory-samples", "notify-keyspace-events",
		"appendonly", "save", "protected-mode", "databases", "tls-port", "nosuch", "MAXMEMORY", "timeout"}

	fuzzConfigValues = []string{"0", "1", "100", "1mb", "10gb", "-1", "KEA", "Ex", "Kgxe$lshzt", "A", "",
		"allkeys-lru", "allkeys-lfu", "volatile-ttl", "allkeys-random", "noeviction", "yes", "no", "bogus", "3600 1"}

	fuzzSections = []string{"server", "keyspace", "clients", "stats", "memory", "all", "default", "everything", "bogus", ""}
)

// build returns the command's name (as one or two arguments, in a random
// case now and then) followed by its generated arguments.
func (g *argGen) build(name string) []string {
	g.bulk = -1
	for _, part := range strings.Split(name, "|") {
		switch g.in.intn(8) {
		case 0:
			g.args = append(g.args, part)
		case 1:
			g.args = append(g.args, strings.ToUpper(part[:1])+part[1:])
		default:
			g.args = append(g.args, strings.ToUpper(part))
		}
	}
	doc := commandDocs[name]
	if doc == nil || g.in.intn(8) == 0 {
		for range g.in.intn(7) {
			g.args = append(g.args, g.anyValue())
		}
		return g.args
	}
	g.walk(doc.args)
	return g.args
}

// walk appends values for a list of documented arguments.
func (g *argGen) walk(args []docArg) {
	for i := range args {
		a := &args[i]
		if hasFlag(a.flags, "optional") && g.in.intn(3) == 0 {
			continue
		}
		reps := 1
		if hasFlag(a.flags, "multiple") {
			switch b := g.in.byte(); {
			case b >= 250:
				reps = 130 // past the listpack and intset limits
			default:
				reps = 1 + int(b)%3
			}
		}
		numkeys := -1
		if i > 0 && args[i-1].name == "numkeys" {
			numkeys = len(g.args) - 1 // the numkeys value just appended
		}
		start, outer := len(g.args), g.bulk
		for r := range reps {
			if reps == 130 {
				g.bulk = r
			}
			g.one(a)
		}
		g.bulk = outer
		// Most of the time numkeys says how many keys follow.
		if numkeys >= 0 && g.in.intn(4) != 0 {
			g.args[numkeys] = strconv.Itoa(len(g.args) - start)
		}
		if g.in.intn(32) == 0 {
			g.args = append(g.args, g.anyValue()) // a stray argument
		}
	}
}

// one appends one documented argument: its token, then its value.
func (g *argGen) one(a *docArg) {
	if a.token != "" {
		tok := a.token
		switch g.in.intn(16) {
		case 0, 1:
			tok = strings.ToLower(tok)
		case 2:
			// Letters Unicode folds to ASCII ones and strcasecmp does
			// not: a Kelvin sign for K, a long s for S.
			tok = strings.Replace(strings.Replace(tok, "K", "\u212a", 1), "S", "\u017f", 1)
		}
		g.args = append(g.args, tok)
	}
	switch a.kind {
	case "pure-token":
	case "oneof":
		if len(a.args) > 0 {
			sub := a.args[g.in.intn(len(a.args))]
			g.one(&sub)
		}
	case "block":
		g.walk(a.args)
	default:
		g.args = append(g.args, g.value(a))
	}
}

// value picks a value for an argument by its kind and name.
func (g *argGen) value(a *docArg) string {
	if g.in.intn(24) == 0 {
		return g.anyValue()
	}
	if g.bulk >= 0 && a.kind != "key" {
		// A long repeated argument: distinct values, small integers
		// for some (intset), strings for others.
		if g.bulk%2 == 0 || a.kind == "integer" || a.kind == "double" {
			return strconv.Itoa(g.bulk)
		}
		return "m" + strconv.Itoa(g.bulk)
	}
	switch {
	case a.kind == "key":
		return g.in.pick(fuzzKeys)
	case a.name == "timeout":
		return g.in.pick(fuzzTimeouts)
	case a.name == "milliseconds" && a.token == "BLOCK":
		return g.in.pick(fuzzBlockMillis)
	case g.cmd != nil && strings.HasPrefix(g.cmd.name, "x") && slices.Contains([]string{"id", "last-id", "max_deleted_entry_id", "threshold", "start", "end"}, a.name):
		return g.in.pick(fuzzStreamIDs)
	case a.name == "parameter" && g.cmd != nil && strings.HasPrefix(g.cmd.name, "config"):
		if g.cmd.name == "config|get" {
			return g.in.pick(fuzzPatterns)
		}
		return g.in.pick(fuzzConfigNames)
	case a.name == "value" && g.cmd != nil && g.cmd.name == "config|set":
		return g.in.pick(fuzzConfigValues)
	case a.name == "section":
		return g.in.pick(fuzzSections)
	case a.name == "db" || a.name == "destination-db" || a.name == "index" && g.cmd != nil && g.cmd.name == "select":
		return g.in.pick([]string{"0", "1", "15", "16", "-1", "a"})
	case a.name == "protover":
		return g.in.pick([]string{"2", "3", "1", "4", "0", "-1", "a"})
	case a.name == "type":
		return g.in.pick([]string{"string", "list", "hash", "set", "zset", "stream", "STRING", "bogus"})
	case a.name == "command-name" || a.name == "command":
		return fuzzCommandNames[int(g.in.byte())%len(fuzzCommandNames)]
	case a.name == "channel" || a.name == "shardchannel":
		return g.in.pick(fuzzChannels)
	case a.kind == "pattern" || a.name == "pattern":
		return g.in.pick(fuzzPatterns)
	case a.name == "min" || a.name == "max" || (a.kind == "string" && (a.name == "start" || a.name == "stop")):
		return g.in.pick(fuzzRanges)
	case a.kind == "integer" || a.kind == "unix-time":
		if a.kind == "unix-time" && g.in.intn(2) == 0 {
			// Around the session's clock (fuzzServer.base), in seconds
			// or milliseconds.
			return g.in.pick([]string{"2000000000", "2000000001", "2000000010", "1999999999",
				"2000000000000", "2000000000500", "2000000010000", "1999999999999"})
		}
		return g.in.pick(fuzzInts)
	case a.kind == "double":
		return g.in.pick(fuzzFloats)
	}
	return g.in.pick(fuzzStrings)
}

// anyValue is a value from any pool, or raw bytes from the input.
func (g *argGen) anyValue() string {
	switch g.in.intn(8) {
	case 0:
		return g.in.pick(fuzzKeys)
	case 1:
		return g.in.pick(fuzzInts)
	case 2:
		return g.in.pick(fuzzFloats)
	case 3:
		return g.in.pick(fuzzRanges)
	case 4:
		return g.in.pick(fuzzPatterns)
	case 5:
		n := g.in.intn(12)
		b := make([]byte, n)
		for i := range b {
			b[i] = g.in.byte()
		}
		return string(b)
	case 6:
		if g.cmd != nil {
			if tok := g.token(); tok != "" {
				return tok
			}
		}
	}
	return g.in.pick(fuzzStrings)
}

// token picks one of the command's documented tokens.
func (g *argGen) token() string {
	doc := commandDocs[g.cmd.name]
	if doc == nil {
		return ""
	}
	var toks []string
	var collect func([]docArg)
	collect = func(args []docArg) {
		for _, a := range args {
			if a.token != "" {
				toks = append(toks, a.token)
			}
			collect(a.args)
		}
	}
	collect(doc.args)
	if len(toks) == 0 {
		return ""
	}
	return toks[g.in.intn(len(toks))]
}

func hasFlag(flags []string, f string) bool {
	for _, x := range flags {
		if x == f {
			return true
		}
	}
	return false
}
