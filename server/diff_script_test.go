package server

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/heraldhq/herald/internal/resp"
)

// The differential suite's script format. A script is text, one step a
// line; blank lines and lines starting with '#' are ignored:
//
//	a: SUBSCRIBE news "two words"  => 2
//	c: PUBLISH news hi             => 1; a: 1
//	b: PSUBSCRIBE n* ne*           => 2
//	c: PUBLISH news hi             => 2; b: 2 any
//	a~ "PING\r\n"                  => 1
//	a~ "*1\r\n$-2\r\n"             => 1 closed
//
// "a: ARGS" sends a command on connection a as a RESP array of bulk
// strings; the arguments are split at blanks, and an argument written as a
// Go string literal ("two words", "", "\x00") may hold anything. "a~ BYTES"
// sends the bytes of one or more Go string literals as they are (inline
// commands, pipelines, broken protocol). A connection opens, in RESP2, the
// first time a step names it.
//
// After "=>" come the replies the step makes, as groups separated by ';':
// "N" is N replies on the sending connection, "b: N" N replies on
// connection b. Each group is read in full, with a deadline, on both
// servers, in the order written; what redis-server sends decides how many
// replies there are, so a count that Redis does not meet is a script error,
// not a Herald bug. Words after a count change how its group is compared:
//
//	any      the replies are compared as a multiset (several pattern frames of one publish)
//	acks     the channel names (second elements) as a multiset, the rest in order
//	         (the acks of a bare UNSUBSCRIBE, whose order is Redis's hash order)
//	sorted   the elements of each array reply are sorted (PUBSUB CHANNELS)
//	pairs    the field-value pairs of each map reply, or of a flat array
//	         of pairs, are sorted (HGETALL of a hash in Redis's hash order)
//	hello    the id and version of a HELLO reply are masked
//	time     the digits of a TIME reply are masked
//	int      integer replies are masked, nested ones too (CLIENT ID)
//	client   the per-connection numbers of CLIENT LIST / INFO lines are masked
//	         (id, addresses, fd, ages, buffer and memory sizes)
//	idle     the idle and delivery times of the consumer-group replies are
//	         masked: the third element of an XPENDING entry [id consumer
//	         idle count] (and of a group PEL entry of XINFO STREAM FULL),
//	         the second of a consumer PEL entry [id time count], the values
//	         of "idle" and "seen-time"
//	closed   after its replies the server closes the connection
//	xid      stream IDs made from the clock (XADD *: a 13-digit
//	         millisecond time) are masked, nested ones too
//
// Everything else is compared byte for byte. When the script ends, every
// open connection sends PING and must get its reply with nothing before it;
// a connection whose replies are off gets no reply from Redis, so the check
// waits out a deadline: end scripts with CLIENT REPLY ON.

// step is one line of a script.
type step struct {
	line   int    // line number in the script, for messages
	text   string // the line as written
	conn   string // the connection that sends
	send   []byte // the bytes sent
	expect []group
}

// group is a number of replies expected on one connection.
type group struct {
	conn  string
	count int
	flags groupFlags
}

// groupFlags say how a group is compared; see the format above.
type groupFlags struct {
	any, acks, sorted, pairs, hello, time, ints, client, idle, closed, xid bool
}

// parseScript parses a script in the format above.
func parseScript(script string) ([]step, error) {
	var steps []step
	for i, line := range strings.Split(script, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		s, err := parseStep(line)
		if err != nil {
			return nil, fmt.Errorf("script line %d %q: %w", i+1, line, err)
		}
		s.line = i + 1
		steps = append(steps, s)
	}
	return steps, nil
}

func parseStep(line string) (step, error) {
	s := step{text: line}
	sendPart, expectPart, ok := cutOutsideQuotes(line, "=>")
	if !ok {
		return s, fmt.Errorf(`no "=>"`)
	}
	i := strings.IndexAny(sendPart, ":~")
	if i <= 0 || strings.ContainsAny(sendPart[:i], " \t\"") {
		return s, fmt.Errorf(`want "conn: command" or "conn~ bytes"`)
	}
	s.conn = sendPart[:i]
	words, err := splitWords(sendPart[i+1:])
	if err != nil {
		return s, err
	}
	if len(words) == 0 {
		return s, fmt.Errorf("nothing to send")
	}
	if sendPart[i] == '~' {
		s.send = []byte(strings.Join(words, ""))
	} else {
		s.send = encodeCommand(words...)
	}
	for _, g := range strings.Split(expectPart, ";") {
		parsed, err := parseGroup(strings.TrimSpace(g), s.conn)
		if err != nil {
			return s, err
		}
		s.expect = append(s.expect, parsed)
	}
	return s, nil
}

// parseGroup parses "[conn:] count flag...".
func parseGroup(text, sender string) (group, error) {
	g := group{conn: sender}
	if name, rest, ok := strings.Cut(text, ":"); ok {
		g.conn, text = strings.TrimSpace(name), rest
	}
	fields := strings.Fields(text)
	if len(fields) == 0 {
		return g, fmt.Errorf("empty reply group")
	}
	n, err := strconv.Atoi(fields[0])
	if err != nil || n < 0 {
		return g, fmt.Errorf("reply count %q", fields[0])
	}
	g.count = n
	flags := map[string]*bool{"any": &g.flags.any, "acks": &g.flags.acks, "sorted": &g.flags.sorted, "pairs": &g.flags.pairs,
		"hello": &g.flags.hello, "time": &g.flags.time, "int": &g.flags.ints, "client": &g.flags.client, "idle": &g.flags.idle, "closed": &g.flags.closed,
		"xid": &g.flags.xid}
	for _, f := range fields[1:] {
		p := flags[f]
		if p == nil {
			return g, fmt.Errorf("unknown flag %q", f)
		}
		*p = true
	}
	return g, nil
}

// splitWords splits s at blanks; a word that starts with '"' is a Go string
// literal and may hold blanks.
func splitWords(s string) ([]string, error) {
	var words []string
	for {
		s = strings.TrimLeft(s, " \t")
		if s == "" {
			return words, nil
		}
		if s[0] != '"' {
			end := strings.IndexAny(s, " \t")
			if end < 0 {
				end = len(s)
			}
			words = append(words, s[:end])
			s = s[end:]
			continue
		}
		end := closingQuote(s)
		if end < 0 {
			return nil, fmt.Errorf("unterminated string literal in %q", s)
		}
		w, err := strconv.Unquote(s[:end+1])
		if err != nil {
			return nil, fmt.Errorf("string literal %s: %w", s[:end+1], err)
		}
		words = append(words, w)
		s = s[end+1:]
	}
}

// closingQuote returns the index of the '"' closing the literal that
// starts s, or -1.
func closingQuote(s string) int {
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '"':
			return i
		}
	}
	return -1
}

// cutOutsideQuotes is strings.Cut for a separator outside string literals.
func cutOutsideQuotes(s, sep string) (before, after string, found bool) {
	for i := 0; i < len(s); i++ {
		if s[i] == '"' {
			end := closingQuote(s[i:])
			if end < 0 {
				return s, "", false
			}
			i += end
			continue
		}
		if strings.HasPrefix(s[i:], sep) {
			return s[:i], s[i+len(sep):], true
		}
	}
	return s, "", false
}

// sentinel is the argument of the PING each open connection sends when a
// script ends: its reply marks the end of the connection's output.
const sentinel = "diff-end-of-script"

// isSentinelReply reports whether v answers the closing PING: the echoed
// argument, RESP2 subscribed mode's ["pong", arg], or the NOAUTH error of a
// connection that never authenticated.
func isSentinelReply(v resp.Value) bool {
	switch v.Kind {
	case '$':
		return v.Str == sentinel
	case '*', '>':
		return len(v.Elems) == 2 && v.Elems[1].Str == sentinel
	case '-':
		return strings.HasPrefix(v.Str, "NOAUTH")
	}
	return false
}
