package server

import (
	"bytes"
	"fmt"
	"maps"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/heraldhq/herald/internal/redistest"
	"github.com/heraldhq/herald/internal/resp"
)

// hsNotifySetup starts a session that watches keyspace notifications: n
// sets notify-keyspace-events to events, s subscribes to every keyspace
// and keyevent channel. Each session begins with an empty keyspace, on
// both servers.
func hsNotifySetup(events string) string {
	return `
		n: FLUSHALL                                    => 1
		n: CONFIG SET notify-keyspace-events ` + events + ` => 1
		s: PSUBSCRIBE __key*@*__:*                     => 1
	`
}

// hsFields returns n "HSET key fI vI" words for a script line: field and
// value names of the given widths.
func hsFields(n int, prefix string) string {
	var b strings.Builder
	for i := range n {
		b.WriteString(" " + prefix + strconv.Itoa(i) + " v" + strconv.Itoa(i))
	}
	return b.String()
}

// TestDiffHash compares the hash commands: replies, errors, encodings and
// the keyspace notifications each raises, in RESP2 and RESP3.
func TestDiffHash(t *testing.T) {
	t.Parallel()
	env := newDiffEnv(t, Config{})
	env.run(t, sessions(
		forProtocols("hset hget hmget and their notifications", "a s", hsNotifySetup("KEA")+`
			a: HSET h f1 v1 f2 v2                   => 1; s: 2
			a: HSET h f1 x f3 v3                    => 1; s: 2
			a: HMSET h f4 v4                        => 1; s: 2
			a: HSETNX h f4 no                       => 1
			a: HSETNX h f5 v5                       => 1; s: 2
			a: HSETNX h2 f v                        => 1; s: 2
			a: HGET h f1                            => 1
			a: HGET h nope                          => 1
			a: HGET nokey f                         => 1
			a: HMGET h f1 nope f3 f1                => 1
			a: HMGET nokey a b                      => 1
			a: HGETALL h                            => 1
			a: HKEYS h                              => 1
			a: HVALS h                              => 1
			a: HGETALL nokey                        => 1
			a: HKEYS nokey                          => 1
			a: HVALS nokey                          => 1
			a: HLEN h                               => 1
			a: HLEN nokey                           => 1
			a: HEXISTS h f1                         => 1
			a: HEXISTS h nope                       => 1
			a: HEXISTS nokey f                      => 1
			a: HSTRLEN h f3                         => 1
			a: HSTRLEN h nope                       => 1
			a: HSTRLEN nokey f                      => 1
			a: HSET h "" ""                         => 1; s: 2
			a: HGET h ""                            => 1
			a: HSET h "a\r\nb\x00" "\xff\x00"       => 1; s: 2
			a: HGETALL h                            => 1
			a: OBJECT ENCODING h                    => 1
			a: HDEL h f1 nope f1 f2                 => 1; s: 2
			a: HDEL h nope                          => 1
			a: HDEL nokey f                         => 1
			a: HGETALL h                            => 1
			a: HDEL h f3 f4 f5 "" "a\r\nb\x00" x     => 1; s: 4
			a: EXISTS h                             => 1
			a: HSET h a 1                           => 1; s: 2
			a: HSET h a 1                           => 1; s: 2
			a: HSET h a 2 b 3 a 4 b 5 c 6           => 1; s: 2
			a: HGETALL h                            => 1
			a: HDEL h b c                           => 1; s: 2
			a: HDEL h a                             => 1; s: 4
		`),
		forProtocols("arity, wrong type and syntax", "a", `
			a: FLUSHALL                             => 1
			a: SET str x                            => 1
			a: HSET h                               => 1
			a: HSET h f                             => 1
			a: HSET h f v g                         => 1
			a: HMSET h f v g                        => 1
			a: HMSET h f                            => 1
			a: HSETNX h f                           => 1
			a: HGET h                               => 1
			a: HMGET h                              => 1
			a: HDEL h                               => 1
			a: HGETALL                              => 1
			a: HGETALL h x                          => 1
			a: HKEYS                                => 1
			a: HVALS                                => 1
			a: HLEN                                 => 1
			a: HEXISTS h                            => 1
			a: HSTRLEN h                            => 1
			a: HINCRBY h f                          => 1
			a: HINCRBYFLOAT h f                     => 1
			a: HRANDFIELD                           => 1
			a: HSCAN h                              => 1
			a: HSET str f v                         => 1
			a: HMSET str f v                        => 1
			a: HSETNX str f v                       => 1
			a: HGET str f                           => 1
			a: HMGET str f                          => 1
			a: HDEL str f                           => 1
			a: HGETALL str                          => 1
			a: HKEYS str                            => 1
			a: HVALS str                            => 1
			a: HLEN str                             => 1
			a: HEXISTS str f                        => 1
			a: HSTRLEN str f                        => 1
			a: HINCRBY str f 1                      => 1
			a: HINCRBYFLOAT str f 1                 => 1
			a: HRANDFIELD str                       => 1
			a: HRANDFIELD str 2                     => 1
			a: HSCAN str 0                          => 1
			a: TYPE str                             => 1
			a: HSET h f v                           => 1
			a: TYPE h                               => 1
			a: GET h                                => 1
		`),
		forProtocols("hincrby and hincrbyfloat", "a s", hsNotifySetup("KEA")+`
			a: HINCRBY h n 5                        => 1; s: 2
			a: HINCRBY h n -7                       => 1; s: 2
			a: HINCRBY h n x                        => 1
			a: HINCRBY h n 1.5                      => 1
			a: HINCRBY h n ""                       => 1
			a: HINCRBY h n 9223372036854775807      => 1; s: 2
			a: HSET h n 9223372036854775806         => 1; s: 2
			a: HINCRBY h n 1                        => 1; s: 2
			a: HINCRBY h n 1                        => 1
			a: HINCRBY h n -9223372036854775808     => 1; s: 2
			a: HSET h m -9223372036854775808        => 1; s: 2
			a: HINCRBY h m -1                       => 1
			a: HINCRBY h n 9223372036854775808      => 1
			a: HSET h s abc i " 1" z 01             => 1; s: 2
			a: HINCRBY h s 1                        => 1
			a: HINCRBY h i 1                        => 1
			a: HINCRBY h z 1                        => 1
			a: HINCRBYFLOAT h s 1                   => 1
			a: HINCRBYFLOAT h f 0.1                 => 1; s: 2
			a: HINCRBYFLOAT h f 0.2                 => 1; s: 2
			a: HINCRBYFLOAT h f -0.3                => 1; s: 2
			a: HINCRBYFLOAT h f 1e3                 => 1; s: 2
			a: HINCRBYFLOAT h f 1.5e-7              => 1; s: 2
			a: HINCRBYFLOAT h f .5                  => 1; s: 2
			a: HINCRBYFLOAT h f 5.                  => 1; s: 2
			a: HINCRBYFLOAT h f +3                  => 1; s: 2
			a: HINCRBYFLOAT h f 0x10                => 1; s: 2
			a: HINCRBYFLOAT h f 0x1p-2              => 1; s: 2
			a: HINCRBYFLOAT h f -1e20               => 1; s: 2
			a: HINCRBYFLOAT h f 3.0e-100            => 1; s: 2
			a: HINCRBYFLOAT h g 1e400               => 1; s: 2
			a: OBJECT ENCODING h                    => 1
			a: HINCRBYFLOAT h g -1e400              => 1; s: 2
			a: HINCRBYFLOAT h n 1                   => 1; s: 2
			a: HINCRBYFLOAT h n 1.25                => 1; s: 2
			a: HINCRBYFLOAT h f inf                 => 1
			a: HINCRBYFLOAT h f -inf                => 1
			a: HINCRBYFLOAT h f nan                 => 1
			a: HINCRBYFLOAT h f x                   => 1
			a: HINCRBYFLOAT h f ""                  => 1
			a: HINCRBYFLOAT h f " 1"                => 1
			a: HINCRBYFLOAT h f "1 "                => 1
			a: HINCRBYFLOAT h f 1_0                 => 1
			a: HINCRBYFLOAT h f 0b1                 => 1
			a: HINCRBYFLOAT h f 1e5000              => 1
			a: HINCRBYFLOAT h f 1e4000              => 1; s: 2
			a: HINCRBYFLOAT h f 1e4000              => 1; s: 2
			a: HINCRBYFLOAT h f 1e4932              => 1; s: 2
			a: HINCRBYFLOAT h f 1.1e4932            => 1
			a: HINCRBYFLOAT h f 1e-4940             => 1; s: 2
			a: HINCRBYFLOAT h f 1e-5000             => 1
			a: HSET h inf inf ninf -Infinity        => 1; s: 2
			a: HINCRBYFLOAT h inf 1                 => 1
			a: HINCRBYFLOAT h ninf 1                => 1
			a: HSET h e 1e2 hex 0x8                 => 1; s: 2
			a: HINCRBYFLOAT h e 1                   => 1; s: 2
			a: HINCRBYFLOAT h hex 1                 => 1; s: 2
			a: HINCRBY h e 1                        => 1; s: 2
			a: HINCRBYFLOAT h neg -0.0              => 1; s: 2
			a: HINCRBYFLOAT nokey f 2.5             => 1; s: 2
			a: HINCRBYFLOAT nokey f "1\x002"        => 1
			a: HSET nokey nul "2\x00x"              => 1; s: 2
			a: HINCRBYFLOAT nokey nul 1             => 1
			a: HINCRBYFLOAT nokey nul "\x00"        => 1
			a: HGETALL nokey                        => 1
		`),
		forProtocols("encodings and insertion order", "a", `
			a: FLUSHALL                              => 1
			a: HSET h z 1 y 2 x 3                    => 1
			a: HSET h y 20 w 4                       => 1
			a: HDEL h z                              => 1
			a: HSET h z 1                            => 1
			a: HGETALL h                             => 1
			a: OBJECT ENCODING h                     => 1
			a: HSET h long 0123456789012345678901234567890123456789012345678901234567890123 => 1
			a: OBJECT ENCODING h                     => 1
			a: HSET h long 01234567890123456789012345678901234567890123456789012345678901234 => 1
			a: OBJECT ENCODING h                     => 1
			a: HGETALL h                             => 1 pairs
			a: HDEL h long                           => 1
			a: OBJECT ENCODING h                     => 1
			a: HSETNX k2 f 01234567890123456789012345678901234567890123456789012345678901234 => 1
			a: OBJECT ENCODING k2                    => 1
			a: HSETNX k3 01234567890123456789012345678901234567890123456789012345678901234 v => 1
			a: OBJECT ENCODING k3                    => 1
			a: HINCRBY k4 01234567890123456789012345678901234567890123456789012345678901234 1 => 1
			a: OBJECT ENCODING k4                    => 1
			a: HSET k5 a 1 b 01234567890123456789012345678901234567890123456789012345678901234 => 1
			a: HDEL k5 b                             => 1
			a: OBJECT ENCODING k5                    => 1
			a: HSET big`+hsFields(512, "f")+` => 1
			a: OBJECT ENCODING big                   => 1
			a: HGETALL big                           => 1
			a: HSCAN big 0                           => 1
			a: HSCAN big 0 MATCH f1* COUNT 3         => 1
			a: HSET big f512 x                       => 1
			a: OBJECT ENCODING big                   => 1
			a: HLEN big                              => 1
			a: HGETALL big                           => 1 pairs
			a: HKEYS big                             => 1 sorted
			a: HVALS big                             => 1 sorted
			a: HMGET big f1 f511 f512 nope           => 1
			a: HSET big2`+hsFields(513, "g")+` => 1
			a: OBJECT ENCODING big2                  => 1
		`),
		forProtocols("hscan", "a", `
			a: FLUSHALL                              => 1
			a: HSET h a 1 b 2 c 3 ab 4               => 1
			a: HSCAN h 0                             => 1
			a: HSCAN h 123                           => 1
			a: HSCAN h 0 MATCH a*                    => 1
			a: HSCAN h 0 match * count 1             => 1
			a: HSCAN h 0 MATCH "[ab]"                => 1
			a: HSCAN h 0 COUNT 1 MATCH nope          => 1
			a: HSCAN h 0 COUNT 0                     => 1
			a: HSCAN h 0 COUNT -1                    => 1
			a: HSCAN h 0 COUNT x                     => 1
			a: HSCAN h 0 COUNT                       => 1
			a: HSCAN h 0 MATCH                       => 1
			a: HSCAN h 0 TYPE string                 => 1
			a: HSCAN h 0 NOPE x                      => 1
			a: HSCAN h x                             => 1
			a: HSCAN h -1                            => 1
			a: HSCAN h +1                            => 1
			a: HSCAN h ""                            => 1
			a: HSCAN h " 1"                          => 1
			a: HSCAN h 18446744073709551615          => 1
			a: HSCAN h 18446744073709551616          => 1
			a: HSCAN nokey 0                         => 1
			a: HSCAN nokey 0 COUNT 0                 => 1
			a: HSCAN nokey x                         => 1
		`),
		forProtocols("hrandfield errors and whole-hash replies", "a", `
			a: FLUSHALL                              => 1
			a: HSET h a 1 b 2 c 3                    => 1
			a: HRANDFIELD nokey                      => 1
			a: HRANDFIELD nokey 3                    => 1
			a: HRANDFIELD nokey 3 WITHVALUES         => 1
			a: HRANDFIELD nokey -3 WITHVALUES        => 1
			a: HRANDFIELD h 0                        => 1
			a: HRANDFIELD h 0 withvalues             => 1
			a: HRANDFIELD h 3                        => 1
			a: HRANDFIELD h 3 WITHVALUES             => 1
			a: HRANDFIELD h 100 WITHVALUES           => 1
			a: HRANDFIELD h x                        => 1
			a: HRANDFIELD h 1 WITHSCORES             => 1
			a: HRANDFIELD h 1 WITHVALUES x           => 1
			a: HRANDFIELD nokey 1 x                  => 1
			a: HRANDFIELD h -9223372036854775808     => 1
			a: HRANDFIELD h 9223372036854775808      => 1
			a: HRANDFIELD h 4611686018427387904 WITHVALUES  => 1
			a: HRANDFIELD h -4611686018427387904 WITHVALUES => 1
			a: HRANDFIELD h 4611686018427387903 WITHVALUES  => 1
		`),
		forProtocols("new and keymiss notifications", "a s", hsNotifySetup("KEnm")+`
			a: HSET h f v                            => 1; s: 2
			a: HSET h g v                            => 1
			a: HGET nokey f                          => 1; s: 2
			a: HGET h nope                           => 1
			a: HMGET nokey f                         => 1; s: 2
			a: HGETALL nokey                         => 1; s: 2
			a: HLEN nokey                            => 1; s: 2
			a: HSCAN nokey 0                         => 1; s: 2
			a: HRANDFIELD nokey                      => 1; s: 2
			a: HRANDFIELD nokey 2                    => 1; s: 2
			a: HDEL nokey f                          => 1
			a: HINCRBY n f 1                         => 1; s: 2
			a: HINCRBYFLOAT n2 f 1                   => 1; s: 2
		`),
	))
}

// hsPair is a connection to redis-server and one to Herald, both in the
// same protocol, for the tests that check rules rather than bytes.
type hsPair struct {
	redis, herald *rawConn
	proto         int
}

func newHSPair(t *testing.T, redisAddr string, s *Server, proto int) *hsPair {
	p := &hsPair{rawDial(t, redisAddr, strconv.Itoa(proto)), rawDial(t, s.Addr().String(), strconv.Itoa(proto)), proto}
	p.both(t, "FLUSHALL")
	return p
}

// both runs a command on both servers and returns their replies.
func (p *hsPair) both(t *testing.T, args ...string) (redis, herald resp.Value) {
	t.Helper()
	return p.redis.do(t, args...), p.herald.do(t, args...)
}

// same runs a command on both servers and fails unless the replies are
// the same after normalizing with f.
func (p *hsPair) same(t *testing.T, f groupFlags, args ...string) resp.Value {
	t.Helper()
	r, h := p.both(t, args...)
	nr, nh := normalizeOne(r, f), normalizeOne(h, f)
	if strings.HasSuffix(strings.ToUpper(args[0]), "SCAN") && len(nr.Elems) == 2 && len(nh.Elems) == 2 {
		if nr.Elems[0].Str != "0" || nh.Elems[0].Str != "0" {
			return h // a hash table's cursors are the table's own
		}
		nr.Elems = []resp.Value{nr.Elems[0], normalizeOne(nr.Elems[1], f)}
		nh.Elems = []resp.Value{nh.Elems[0], normalizeOne(nh.Elems[1], f)}
	}
	if !bytes.Equal(nr.Bytes(), nh.Bytes()) {
		t.Fatalf("RESP%d %q:\n redis  %s\n herald %s", p.proto, args, r, h)
	}
	return h
}

// hsCheckRandom checks a random reply (HRANDFIELD, SRANDMEMBER, SPOP) by
// Redis's rules: n elements (pairs with values), each one of members
// (values matching, with values), distinct unless repeats are allowed.
// nested: RESP3 pairs are two-element arrays.
func hsCheckRandom(v resp.Value, n int, members map[string]string, withValues, repeats, nested bool) error {
	var got [][2]string
	switch {
	case withValues && nested:
		for _, e := range v.Elems {
			if e.Kind != '*' || len(e.Elems) != 2 {
				return fmt.Errorf("pair %s", e)
			}
			got = append(got, [2]string{e.Elems[0].Str, e.Elems[1].Str})
		}
	case withValues:
		if len(v.Elems)%2 != 0 {
			return fmt.Errorf("odd length %d", len(v.Elems))
		}
		for i := 0; i < len(v.Elems); i += 2 {
			got = append(got, [2]string{v.Elems[i].Str, v.Elems[i+1].Str})
		}
	default:
		for _, e := range v.Elems {
			got = append(got, [2]string{e.Str, ""})
		}
	}
	if len(got) != n {
		return fmt.Errorf("%d elements, want %d: %s", len(got), n, v)
	}
	seen := map[string]bool{}
	for _, g := range got {
		want, ok := members[g[0]]
		if !ok {
			return fmt.Errorf("%q is not a member", g[0])
		}
		if withValues && want != g[1] {
			return fmt.Errorf("%q has value %q, want %q", g[0], g[1], want)
		}
		if seen[g[0]] && !repeats {
			return fmt.Errorf("%q repeated", g[0])
		}
		seen[g[0]] = true
	}
	return nil
}

// TestDiffHashRandom checks HRANDFIELD's replies by Redis's rules, on a
// listpack and a hashtable hash, against both servers (so the checks are
// checked too), and HSCAN's full iterations of a hashtable hash.
func TestDiffHashRandom(t *testing.T) {
	t.Parallel()
	redisAddr := redistest.Start(t).Addr()
	s := startServer(t, Config{})
	for _, proto := range []int{2, 3} {
		p := newHSPair(t, redisAddr, s, proto)
		for _, size := range []int{5, 600} {
			key := "h" + strconv.Itoa(size)
			members := map[string]string{}
			args := []string{"HSET", key}
			for i := range size {
				f, v := "f"+strconv.Itoa(i), "v"+strconv.Itoa(i*7)
				members[f] = v
				args = append(args, f, v)
			}
			p.same(t, groupFlags{}, args...)
			for _, count := range []int{1, 2, size - 1, size, size + 3, -1, -3, -(size + 5)} {
				for _, wv := range []bool{false, true} {
					cmd := []string{"HRANDFIELD", key, strconv.Itoa(count)}
					if wv {
						cmd = append(cmd, "WITHVALUES")
					}
					r, h := p.both(t, cmd...)
					n := min(abs(count), size)
					if count < 0 {
						n = -count
					}
					for name, v := range map[string]resp.Value{"redis": r, "herald": h} {
						if err := hsCheckRandom(v, n, members, wv, count < 0, proto == 3); err != nil {
							t.Errorf("RESP%d %s %q: %v", proto, name, cmd, err)
						}
					}
				}
			}
			for range 20 {
				r, h := p.both(t, "HRANDFIELD", key)
				for name, v := range map[string]resp.Value{"redis": r, "herald": h} {
					if _, ok := members[v.Str]; !ok || v.Kind != '$' {
						t.Errorf("RESP%d %s HRANDFIELD %s: %s", proto, name, key, v)
					}
				}
			}
			for _, count := range []string{"1", "7", "100", "1000"} {
				for name, c := range map[string]*rawConn{"redis": p.redis, "herald": p.herald} {
					got := map[string]string{}
					cursor := "0"
					for {
						v := c.do(t, "HSCAN", key, cursor, "COUNT", count)
						cursor = v.Elems[0].Str
						for i := 0; i+1 < len(v.Elems[1].Elems); i += 2 {
							got[v.Elems[1].Elems[i].Str] = v.Elems[1].Elems[i+1].Str
						}
						if cursor == "0" {
							break
						}
					}
					if !maps.Equal(got, members) {
						t.Errorf("RESP%d %s: HSCAN COUNT %s found %d of %d fields", proto, name, count, len(got), len(members))
					}
				}
			}
		}
	}
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// TestDiffHashFuzz runs random hash commands on both servers over a few
// keys and fields, comparing the replies (pairs and elements sorted, for
// hashes that Redis keeps in hash order).
func TestDiffHashFuzz(t *testing.T) {
	t.Parallel()
	redisAddr := redistest.Start(t).Addr()
	s := startServer(t, Config{})
	rng := rand.New(rand.NewPCG(1, 2))
	pick := func(options ...string) string { return options[rng.IntN(len(options))] }
	field := func() string { return pick("a", "b", "c", "d", "e", "1", "-2", "") + pick("", "", "x") }
	value := func() string {
		return pick("1", "-5", "2.5", "abc", "", "9223372036854775807", "1e3", "0x10", strings.Repeat("z", 65))
	}
	for _, proto := range []int{2, 3} {
		p := newHSPair(t, redisAddr, s, proto)
		p.same(t, groupFlags{}, "SADD", "notahash", "x")
		for range 1500 {
			key := pick("h1", "h2", "notahash")
			var cmd []string
			switch rng.IntN(16) {
			case 0, 1:
				cmd = []string{"HSET", key, field(), value()}
				if rng.IntN(2) == 0 {
					cmd = append(cmd, field(), value())
				}
			case 2:
				cmd = []string{"HSETNX", key, field(), value()}
			case 3:
				cmd = []string{"HDEL", key, field(), field()}
			case 4:
				cmd = []string{"HGET", key, field()}
			case 5:
				cmd = []string{"HMGET", key, field(), field()}
			case 6:
				cmd = []string{pick("HGETALL", "HKEYS", "HVALS"), key}
			case 7:
				cmd = []string{pick("HLEN", "OBJECT"), key}
				if cmd[0] == "OBJECT" {
					cmd = []string{"OBJECT", "ENCODING", key}
				}
			case 8:
				cmd = []string{"HINCRBY", key, field(), pick("1", "-3", "x", "9223372036854775807")}
			case 9:
				cmd = []string{"HINCRBYFLOAT", key, field(), pick("1.5", "-0.1", "x", "1e10", "3")}
			case 10:
				cmd = []string{pick("HSTRLEN", "HEXISTS"), key, field()}
			case 11:
				cmd = []string{"HSCAN", key, "0", "MATCH", pick("*", "a*", "?", "[a-c]*")}
			case 12:
				cmd = []string{"HRANDFIELD", key, pick("0", "x")}
			default:
				cmd = []string{"HSET", key, field(), value()}
			}
			flags := groupFlags{pairs: true}
			if cmd[0] == "HKEYS" || cmd[0] == "HVALS" {
				flags = groupFlags{sorted: true}
			}
			p.same(t, flags, cmd...)
		}
	}
}
