package resp

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/redistest"
)

// The parse cases on which the Parser deliberately differs from a Redis that
// received the whole input in one read: Redis checks a line's length only
// while the line's end has not arrived, the Parser always (see Parser).
var redisDiffers = map[string]bool{
	"inline line too big though complete":     true,
	"multibulk count too big though complete": true,
	"bulk count too big though complete":      true,
}

const redisPassword = "herald-test"

// startRedis starts a redis-server with a password, so that both the
// authenticated and the unauthenticated limits can be seen, and returns its
// address (see internal/redistest: skipped without redis-server unless CI
// requires it).
func startRedis(t *testing.T) string {
	t.Helper()
	return redistest.Start(t, "--requirepass", redisPassword,
		"--enable-debug-command", "yes").Addr() // DEBUG PROTOCOL, in reply_redis_test.go
}

// redisConn is a connection to the test redis-server.
type redisConn struct {
	net.Conn
	r *bufio.Reader
}

func dialRedis(t *testing.T, addr string, authenticate bool) *redisConn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	_ = c.SetDeadline(time.Now().Add(30 * time.Second))
	rc := &redisConn{c, bufio.NewReader(c)}
	if authenticate {
		if got := rc.do(t, "AUTH", redisPassword).String(); got != "+OK" {
			t.Fatalf("AUTH: %s", got)
		}
	}
	return rc
}

// do sends one command and reads its reply.
func (c *redisConn) do(t *testing.T, args ...string) Value {
	t.Helper()
	return c.send(t, []byte(multibulk(args...)))
}

// send sends one encoded command and reads its reply.
func (c *redisConn) send(t *testing.T, cmd []byte) Value {
	t.Helper()
	if _, err := c.Write(cmd); err != nil {
		t.Fatal(err)
	}
	v, err := ReadValue(c.r)
	if err != nil {
		t.Fatalf("reading the reply to %s: %v", clip(cmd), err)
	}
	return v
}

// quoteInline writes args as an inline command, every argument in double
// quotes, so that inline commands are replayed inline: the unauthenticated
// limits apply to multibulk commands only.
func quoteInline(args [][]byte) string {
	var sb strings.Builder
	for _, a := range args {
		sb.WriteString(` "`)
		for _, c := range a {
			if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' {
				sb.WriteByte(c)
			} else {
				fmt.Fprintf(&sb, `\x%02x`, c)
			}
		}
		sb.WriteByte('"')
	}
	sb.WriteString("\r\n")
	return sb.String()
}

// redisOracle compares the Parser with redis-server on raw inputs.
type redisOracle struct {
	t       *testing.T
	addr    string
	control *redisConn          // authenticated, for COMMAND INFO
	ref     map[bool]*redisConn // by authenticated: replays parsed commands
	known   map[string]bool     // command names that exist in Redis
	skipped int                 // inputs not compared
	counts  map[string]int      // compared inputs by how the Parser ended
}

func newRedisOracle(t *testing.T) *redisOracle {
	addr := startRedis(t)
	return &redisOracle{
		t:       t,
		addr:    addr,
		control: dialRedis(t, addr, true),
		ref:     map[bool]*redisConn{true: dialRedis(t, addr, true), false: dialRedis(t, addr, false)},
		known:   map[string]bool{},
		counts:  map[string]int{},
	}
}

// isRealCommand reports whether name is a Redis command (other than ECHO and
// PING), which the comparison must not run: it could change the connection.
func (o *redisOracle) isRealCommand(name string) bool {
	lower := strings.ToLower(name)
	if lower == "echo" || lower == "ping" {
		return false
	}
	known, ok := o.known[lower]
	if !ok {
		info := o.control.do(o.t, "COMMAND", "INFO", name)
		known = len(info.Elems) != 1 || !info.Elems[0].Null
		o.known[lower] = known
	}
	return known
}

// check sends in to redis-server on a fresh connection and requires exactly
// the replies Redis gives to the commands the Parser found in it, replayed
// one by one, then the Parser's protocol error, if any.
func (o *redisOracle) check(name string, in []byte, authenticated bool) {
	t := o.t
	t.Helper()
	p := &Parser{Unauthenticated: !authenticated}
	var want []byte
	ending := "complete"
	rest := in
	var args [][]byte
	for len(rest) > 0 {
		var n int
		var err error
		inline := rest[0] != '*'
		args, n, err = p.Parse(rest, args)
		if err != nil {
			want = append(want, "-"+err.Error()+"\r\n"...)
			ending = err.(*ProtocolError).Reason
			break
		}
		if n == 0 {
			ending = "incomplete"
			break
		}
		rest = rest[n:]
		if len(args) == 0 {
			continue
		}
		if o.isRealCommand(string(args[0])) {
			o.skipped++
			return
		}
		ref := o.ref[authenticated]
		if inline {
			line := quoteInline(args)
			if len(line) > defaultMaxInline {
				o.skipped++
				return
			}
			want = ref.send(t, []byte(line)).AppendTo(want)
		} else {
			want = ref.send(t, []byte(multibulk(toStrings(args)...))).AppendTo(want)
		}
	}

	o.counts[ending]++
	c := dialRedis(t, o.addr, authenticated)
	go func() {
		_, _ = c.Write(in) // fails if Redis closes first, which is fine
		_ = c.Conn.(*net.TCPConn).CloseWrite()
	}()
	got, err := io.ReadAll(c.r)
	if err != nil && !errors.Is(err, net.ErrClosed) && !strings.Contains(err.Error(), "reset by peer") {
		t.Fatalf("%s: reading from redis-server: %v", name, err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s (authenticated %v): input %s\nredis-server: %s\nParser:       %s",
			name, authenticated, clip(in), clip(got), clip(want))
	}
}

func toStrings(args [][]byte) []string {
	s := make([]string, len(args))
	for i, a := range args {
		s[i] = string(a)
	}
	return s
}

func clip(b []byte) string {
	if len(b) > 300 {
		return fmt.Sprintf("%q...(%d bytes)", b[:300], len(b))
	}
	return fmt.Sprintf("%q", b)
}

// TestParseAgainstRedis runs the parse cases, random commands and random
// corruptions of them through redis-server and the Parser and compares what
// each makes of them.
func TestParseAgainstRedis(t *testing.T) {
	o := newRedisOracle(t)
	for _, tc := range parseCases {
		if redisDiffers[tc.name] {
			continue
		}
		p := new(Parser)
		if tc.setup != nil {
			tc.setup(p)
		}
		if p.Limits == (Limits{}) { // Redis has no setting for MaxInline
			o.check(tc.name, []byte(tc.in), !p.Unauthenticated)
		}
	}
	rng := rand.New(rand.NewPCG(3, 4))
	rounds := 1000
	if testing.Short() {
		rounds = 100
	}
	for round := range rounds {
		var stream []byte
		for range rng.IntN(6) + 1 {
			args := randomArgs(rng)
			if len(args) > 0 && rng.IntN(2) == 0 {
				args[0] = []string{"ECHO", "PING", "echo"}[rng.IntN(3)]
			}
			if line := encodeInline(rng, args); rng.IntN(3) == 0 && len(line) <= defaultMaxInline {
				stream = append(stream, line...)
			} else {
				stream = append(stream, multibulk(args...)...)
			}
		}
		if round%3 != 0 {
			stream = corrupt(rng, stream)
		}
		o.check(fmt.Sprintf("round %d", round), stream, round%4 != 0)
	}
	t.Logf("compared: %v; skipped %d inputs that held a real Redis command", o.counts, o.skipped)
}

// corrupt changes, inserts or deletes a few bytes of s, favouring the bytes
// that matter to the parser.
func corrupt(rng *rand.Rand, s []byte) []byte {
	const special = "\r\n\x00*$-0123456789 \"'\\"
	s = slices.Clone(s)
	for range rng.IntN(3) + 1 {
		if len(s) == 0 {
			break
		}
		i := rng.IntN(len(s))
		c := special[rng.IntN(len(special))]
		switch rng.IntN(3) {
		case 0:
			s[i] = c
		case 1:
			s = slices.Insert(s, i, c)
		default:
			s = slices.Delete(s, i, i+1)
		}
	}
	return s
}
