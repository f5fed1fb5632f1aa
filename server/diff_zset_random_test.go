package server

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/redistest"
	"github.com/heraldhq/herald/internal/resp"
)

// TestDiffZSetRandom sends the same random sorted-set commands to Herald
// and redis-server, valid and not, and compares each reply and the
// notifications it raises. Small member pools keep the sets in listpacks
// (where ZSCAN is deterministic); a large one drives them to skiplists.
func TestDiffZSetRandom(t *testing.T) {
	t.Parallel()
	redisAddr := redistest.Start(t).Addr()
	for _, proto := range []string{"2", "3"} {
		for _, members := range []int{12, 400} {
			t.Run(fmt.Sprintf("RESP%s/members=%d", proto, members), func(t *testing.T) {
				h := startServer(t, Config{})
				sides := [2]*zfuzzSide{newZFuzzSide(t, redisAddr, proto), newZFuzzSide(t, h.Addr().String(), proto)}
				seed, _ := strconv.ParseUint(os.Getenv("HERALD_ZFUZZ_SEED"), 10, 64) // more runs: set it
				r := rand.New(rand.NewPCG(uint64(members)+seed, uint64(proto[0])))
				steps := 500
				if members > 100 {
					steps = 300
				}
				if seed != 0 {
					steps *= 10
				}
				var history []string
				for i := 0; i < steps; i++ {
					cmd := randomZCommand(r, members, members < 100)
					history = append(history, strings.Join(cmd, " "))
					var got [2][]resp.Value
					for j, sd := range sides {
						got[j] = sd.do(t, cmd)
					}
					if !zsameValues(got[0], got[1]) {
						t.Fatalf("after\n  %s\nredis-server %v\nherald       %v", strings.Join(history[max(0, len(history)-8):], "\n  "), got[0], got[1])
					}
				}
			})
		}
	}
}

func zsameValues(a, b []resp.Value) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !bytes.Equal(a[i].Bytes(), b[i].Bytes()) {
			return false
		}
	}
	return true
}

// zfuzzSide is one server: a command connection, and a subscriber to every
// notification and to a fence channel that marks the end of a command's.
type zfuzzSide struct {
	cmd, sub *rawConn
}

func newZFuzzSide(t *testing.T, addr, proto string) *zfuzzSide {
	sd := &zfuzzSide{cmd: rawDial(t, addr, proto), sub: rawDial(t, addr, proto)}
	sd.cmd.do(t, "FLUSHALL")
	sd.cmd.do(t, "CONFIG", "SET", "notify-keyspace-events", "KEA")
	sd.sub.do(t, "PSUBSCRIBE", "__key*@*__:*")
	sd.sub.do(t, "SUBSCRIBE", "zfence")
	return sd
}

// do runs a command and returns its reply and then the notifications it
// raised, up to the fence.
func (sd *zfuzzSide) do(t *testing.T, cmd []string) []resp.Value {
	out := []resp.Value{sd.cmd.do(t, cmd...)}
	sd.cmd.do(t, "PUBLISH", "zfence", "x")
	sd.sub.SetDeadline(time.Now().Add(5 * time.Second))
	for {
		v, err := resp.ReadValue(sd.sub.r)
		if err != nil {
			t.Fatal(err)
		}
		if len(v.Elems) == 3 && v.Elems[1].Str == "zfence" {
			return out
		}
		out = append(out, v)
	}
}

// randomZCommand returns a random sorted-set command on keys z1 to z3.
// In small sets (scan set) lex ranges apply to any key, as Redis's
// listpack walks are deterministic even when scores differ; in large ones
// they apply to zl, whose scores are all 0, since Redis's skiplist results
// depend on its random levels when the range is not monotonic.
func randomZCommand(r *rand.Rand, members int, scan bool) []string {
	pick := func(s ...string) string { return s[r.IntN(len(s))] }
	key := func() string { return pick("z1", "z1", "z2", "z3") }
	lexKey := key
	if !scan {
		lexKey = func() string { return "zl" }
	}
	member := func() string {
		m := "m" + strconv.Itoa(r.IntN(members))
		if members > 100 && r.IntN(50) == 0 {
			m += strings.Repeat("x", 60)
		}
		return m
	}
	score := func() string {
		if r.IntN(20) == 0 {
			return pick("x", "nan", "", "1e400", "inf", "-inf", "-0", "0x10", "(1", "1.5e-7", "0.1")
		}
		if r.IntN(4) == 0 {
			return strconv.FormatFloat(r.NormFloat64()*10, 'g', -1, 64)
		}
		return strconv.Itoa(r.IntN(10) - 3)
	}
	bound := func() string {
		if r.IntN(15) == 0 {
			return pick("x", "nan", "", "(", "1e400")
		}
		return pick("", "(") + pick("-inf", "+inf", "0", "1", "2.5", "3", "-1", "5")
	}
	lex := func() string {
		if r.IntN(15) == 0 {
			return pick("x", "", "-x", "++")
		}
		if r.IntN(4) == 0 {
			return pick("-", "+")
		}
		return pick("[", "(") + member()
	}
	index := func() string {
		if r.IntN(20) == 0 {
			return pick("x", "1.5", "")
		}
		return strconv.Itoa(r.IntN(12) - 5)
	}
	options := func(opts ...string) []string {
		var out []string
		for _, o := range opts {
			if r.IntN(3) == 0 {
				out = append(out, strings.Fields(o)...)
			}
		}
		r.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
		return out
	}
	limit := func() string { return fmt.Sprintf("LIMIT %d %d", r.IntN(5)-1, r.IntN(6)-2) }
	var cmd []string
	numkeys := func(cmd []string, withWeights bool) []string {
		n := 1 + r.IntN(3)
		cmd = append(cmd, strconv.Itoa(n))
		for i := 0; i < n; i++ {
			cmd = append(cmd, pick("z1", "z2", "z3", "s1", "nokey"))
		}
		if withWeights && r.IntN(3) == 0 {
			cmd = append(cmd, "WEIGHTS")
			for i := 0; i < n; i++ {
				cmd = append(cmd, pick("1", "2", "-1", "0.5", "0", "-0", "inf", "x"))
			}
		}
		if withWeights && r.IntN(3) == 0 {
			cmd = append(cmd, "AGGREGATE", pick("SUM", "MIN", "max", "avg"))
		}
		return cmd
	}
	switch r.IntN(27) {
	case 26:
		cmd = numkeys([]string{"ZMPOP"}, false)
		cmd = append(append(cmd, pick("MIN", "max", "x")), options(pick("COUNT 1", "COUNT 3", "COUNT 0"))...)
	case 22:
		cmd = []string{"SADD", "s1", member(), member(), strconv.Itoa(r.IntN(5))}
	case 23:
		op := pick("ZUNIONSTORE", "ZINTERSTORE", "ZDIFFSTORE")
		cmd = numkeys([]string{op, key()}, op != "ZDIFFSTORE")
	case 24:
		op := pick("ZUNION", "ZINTER", "ZDIFF")
		cmd = append(numkeys([]string{op}, op != "ZDIFF"), options("WITHSCORES")...)
	case 25:
		cmd = append(numkeys([]string{"ZINTERCARD"}, false), options(pick("LIMIT 1", "LIMIT 0", "LIMIT 3"))...)
	case 0:
		if !scan {
			return []string{"ZADD", "zl", "0", member(), "0", member()}
		}
		fallthrough
	case 1, 2:
		cmd = append([]string{"ZADD", key()}, options("NX", "XX", "GT", "LT", "CH", "INCR")...)
		for n := 1 + r.IntN(4); n > 0; n-- {
			cmd = append(cmd, score(), member())
		}
	case 3:
		cmd = []string{"ZINCRBY", key(), score(), member()}
	case 4:
		cmd = []string{"ZREM", key(), member(), member()}
	case 5:
		cmd = []string{pick("ZSCORE", "ZRANK", "ZREVRANK"), key(), member()}
	case 6:
		cmd = []string{"ZMSCORE", key(), member(), member(), member()}
	case 7:
		cmd = []string{"ZCARD", key()}
	case 8:
		cmd = []string{"ZCOUNT", key(), bound(), bound()}
	case 9:
		cmd = []string{"ZLEXCOUNT", lexKey(), lex(), lex()}
	case 10, 11:
		cmd = append([]string{"ZRANGE", key(), index(), index()}, options("REV", "WITHSCORES")...)
	case 12:
		cmd = append([]string{"ZRANGE", key(), bound(), bound(), "BYSCORE"}, options("REV", "WITHSCORES", limit())...)
	case 13:
		cmd = append([]string{"ZRANGE", lexKey(), lex(), lex(), "BYLEX"}, options("REV", limit(), "WITHSCORES")...)
	case 14:
		cmd = append([]string{pick("ZRANGEBYSCORE", "ZREVRANGEBYSCORE"), key(), bound(), bound()}, options("WITHSCORES", limit())...)
	case 15:
		cmd = append([]string{pick("ZRANGEBYLEX", "ZREVRANGEBYLEX"), lexKey(), lex(), lex()}, options(limit())...)
	case 16:
		cmd = append([]string{"ZREVRANGE", key(), index(), index()}, options("WITHSCORES")...)
	case 17:
		cmd = []string{"ZRANGESTORE", key(), key()}
		switch r.IntN(3) {
		case 0:
			cmd = append(append(cmd, index(), index()), options("REV")...)
		case 1:
			cmd = append(append(cmd, bound(), bound(), "BYSCORE"), options("REV", limit())...)
		default:
			cmd = []string{"ZRANGESTORE", key(), lexKey(), lex(), lex(), "BYLEX"}
			cmd = append(cmd, options("REV", limit())...)
		}
	case 18:
		cmd = append([]string{pick("ZPOPMIN", "ZPOPMAX"), key()}, options(pick("0", "1", "2", "5", "-1", "x"))...)
	case 19:
		cmd = []string{"ZREMRANGEBYRANK", key(), index(), index()}
	case 20:
		if r.IntN(2) == 0 {
			cmd = []string{"ZREMRANGEBYSCORE", key(), bound(), bound()}
		} else {
			cmd = []string{"ZREMRANGEBYLEX", lexKey(), lex(), lex()}
		}
	default:
		if !scan {
			return []string{"ZCARD", key()}
		}
		cmd = append([]string{"ZSCAN", key(), pick("0", "0", "x")}, options("MATCH m1*", "COUNT 2")...)
	}
	return cmd
}

// TestDiffZScanSkiplist: a full ZSCAN of a skiplist-encoded set returns the
// same members and scores as redis-server's, whose order is its hash
// table's, with or without MATCH and COUNT.
func TestDiffZScanSkiplist(t *testing.T) {
	t.Parallel()
	redisAddr := redistest.Start(t).Addr()
	h := startServer(t, Config{})
	conns := [2]*rawConn{rawDial(t, redisAddr, "3"), rawDial(t, h.Addr().String(), "3")}
	add := []string{"ZADD", "zscan"}
	for i := 0; i < 300; i++ {
		add = append(add, strconv.FormatFloat(float64(i)/7, 'g', -1, 64), "m"+strconv.Itoa(i))
	}
	for _, c := range conns {
		c.do(t, "DEL", "zscan")
		c.do(t, add...)
	}
	for _, opts := range [][]string{nil, {"COUNT", "1"}, {"COUNT", "37"}, {"MATCH", "m1*", "COUNT", "5"}, {"COUNT", "1000"}} {
		var got [2][]string
		for i, c := range conns {
			seen := map[string]bool{}
			cursor, calls := "0", 0
			for {
				v := c.do(t, append([]string{"ZSCAN", "zscan", cursor}, opts...)...)
				if len(v.Elems) != 2 || calls > 10000 {
					t.Fatalf("ZSCAN %v: %s", opts, v)
				}
				for j := 0; j+1 < len(v.Elems[1].Elems); j += 2 {
					seen[v.Elems[1].Elems[j].Str+"="+v.Elems[1].Elems[j+1].Str] = true
				}
				cursor, calls = v.Elems[0].Str, calls+1
				if cursor == "0" {
					break
				}
			}
			for k := range seen {
				got[i] = append(got[i], k)
			}
			slices.Sort(got[i])
		}
		if !slices.Equal(got[0], got[1]) || len(got[0]) == 0 {
			t.Errorf("ZSCAN %v: redis-server %d pairs, herald %d: %v", opts, len(got[0]), len(got[1]), got[1])
		}
	}
}

// TestZRandMemberRules checks ZRANDMEMBER's random replies by Redis's
// rules: members of the set with their scores, distinct for a positive
// count, as many as asked (or the whole set), in both encodings.
func TestZRandMemberRules(t *testing.T) {
	s := startServer(t, Config{})
	for _, proto := range []string{"2", "3"} {
		c := rawDial(t, s.Addr().String(), proto)
		for _, size := range []int{5, 200} {
			add := []string{"ZADD", "z"}
			scores := map[string]string{}
			for i := 0; i < size; i++ {
				m := "m" + strconv.Itoa(i)
				add = append(add, strconv.Itoa(i), m)
				scores[m] = strconv.Itoa(i)
			}
			c.do(t, "DEL", "z")
			c.do(t, add...)
			for _, count := range []int{1, 2, 4, size - 1, size, -1, -3, -2 * size} {
				for _, withScores := range []bool{false, true} {
					args := []string{"ZRANDMEMBER", "z", strconv.Itoa(count)}
					if withScores {
						args = append(args, "WITHSCORES")
					}
					v := c.do(t, args...)
					var members []string
					for i := 0; i < len(v.Elems); i++ {
						e := v.Elems[i]
						switch {
						case withScores && proto == "3":
							if len(e.Elems) != 2 || scores[e.Elems[0].Str] != e.Elems[1].Str {
								t.Fatalf("%v: pair %s", args, e)
							}
							members = append(members, e.Elems[0].Str)
						case withScores:
							if scores[e.Str] != v.Elems[i+1].Str {
								t.Fatalf("%v: %s scores %s", args, e.Str, v.Elems[i+1].Str)
							}
							members = append(members, e.Str)
							i++
						default:
							members = append(members, e.Str)
						}
					}
					want := min(count, size)
					if count < 0 {
						want = -count
					}
					if len(members) != want {
						t.Fatalf("%v: %d members, want %d", args, len(members), want)
					}
					seen := map[string]bool{}
					for _, m := range members {
						if _, ok := scores[m]; !ok || (count > 0 && seen[m]) {
							t.Fatalf("%v: member %q (repeated: %v)", args, m, seen[m])
						}
						seen[m] = true
					}
				}
			}
			v := c.do(t, "ZRANDMEMBER", "z")
			if _, ok := scores[v.Str]; !ok {
				t.Fatalf("ZRANDMEMBER z: %s", v)
			}
		}
	}
}
