package server

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
)

// listPrelude starts a list session: an empty keyspace on both servers
// (the redis-server keeps its keys from one session to the next), every
// keyspace event on, and connection s subscribed to all of them, so each
// step says which events it raises (two frames per event: __keyspace@ and
// __keyevent@).
const listPrelude = `
	n: FLUSHALL                                    => 1
	n: CONFIG SET notify-keyspace-events KEA       => 1
	s: PSUBSCRIBE __key*@*__:*                     => 1
`

// listSessions returns a list session in RESP2 and RESP3 (connections a
// and s), after listPrelude.
func listSessions(name, script string) []session {
	return forProtocols(name, "a s", listPrelude+script)
}

// TestDiffList compares the non-blocking list commands: replies, errors
// and the keyspace events each one raises, in order.
func TestDiffList(t *testing.T) {
	t.Parallel()
	env := newDiffEnv(t, Config{})
	env.run(t, sessions(
		listSessions("push and pop", `
			a: LPUSH l a b c               => 1; s: 2
			a: RPUSH l d e                 => 1; s: 2
			a: LRANGE l 0 -1               => 1
			a: LPUSHX l x                  => 1; s: 2
			a: LPUSHX nokey x              => 1
			a: RPUSHX nokey x y            => 1
			a: RPUSHX l y z                => 1; s: 2
			a: LLEN l                      => 1
			a: LLEN nokey                  => 1
			a: LPOP l                      => 1; s: 2
			a: RPOP l                      => 1; s: 2
			a: LPOP l 2                    => 1; s: 2
			a: RPOP l 2                    => 1; s: 2
			a: LPOP l 0                    => 1
			a: LPOP nokey                  => 1
			a: LPOP nokey 1                => 1
			a: LPOP nokey 0                => 1
			a: RPOP nokey 3                => 1
			a: LPOP l -1                   => 1
			a: LPOP nokey -1               => 1
			a: LPOP l x                    => 1
			a: LPOP l 01                   => 1
			a: LPOP l 99999999999999999999 => 1
			a: LPOP l 1 2                  => 1
			a: RPOP l 1 2                  => 1
			a: LRANGE l 0 -1               => 1
			a: RPOP l 100                  => 1; s: 4
			a: LLEN l                      => 1
			a: LPUSH l "" "\x00" "a b" "\r\n" => 1; s: 2
			a: LRANGE l 0 -1               => 1
			a: LPOP l 1                    => 1; s: 2
			a: RPOP l 9223372036854775807  => 1; s: 4
			a: RPUSH l x                   => 1; s: 2
			a: LPOP l                      => 1; s: 4
			a: LPOP l                      => 1
			a: LPUSH                       => 1
			a: LPUSH l                     => 1
			a: RPUSHX l                    => 1
			a: LLEN                        => 1
			a: LLEN a b                    => 1
			a: RPOP                        => 1
			a: lpush L "`+strings.Repeat("big", 5000)+`" => 1; s: 2
			a: rpop L                      => 1; s: 4
		`),
		listSessions("ranges and indexes", `
			a: RPUSH l a b c d e f         => 1; s: 2
			a: LRANGE l 0 -1               => 1
			a: LRANGE l 1 3                => 1
			a: LRANGE l -3 -1              => 1
			a: LRANGE l -100 100           => 1
			a: LRANGE l 5 5                => 1
			a: LRANGE l 6 10               => 1
			a: LRANGE l 3 1                => 1
			a: LRANGE l -1 -3              => 1
			a: LRANGE l 0 -7               => 1
			a: LRANGE l -9223372036854775808 9223372036854775807 => 1
			a: LRANGE l x 1                => 1
			a: LRANGE l 1 x                => 1
			a: LRANGE l " 1" 2             => 1
			a: LRANGE nokey 0 -1           => 1
			a: LRANGE nokey x y            => 1
			a: LRANGE l 0                  => 1
			a: LINDEX l 0                  => 1
			a: LINDEX l -1                 => 1
			a: LINDEX l 5                  => 1
			a: LINDEX l 6                  => 1
			a: LINDEX l -7                 => 1
			a: LINDEX l x                  => 1
			a: LINDEX nokey x              => 1
			a: LINDEX nokey 0              => 1
			a: LINDEX l -9223372036854775808 => 1
			a: LSET l 0 A                  => 1; s: 2
			a: LSET l -1 F                 => 1; s: 2
			a: LSET l 6 x                  => 1
			a: LSET l -7 x                 => 1
			a: LSET l x x                  => 1
			a: LSET nokey 0 x              => 1
			a: LSET nokey x x              => 1
			a: LSET l 0                    => 1
			a: LRANGE l 0 -1               => 1
			a: LINSERT l BEFORE c X        => 1; s: 2
			a: LINSERT l after c Y         => 1; s: 2
			a: LINSERT l AFTER F Z         => 1; s: 2
			a: LINSERT l before A W        => 1; s: 2
			a: LINSERT l before nope W     => 1
			a: LINSERT l middle c W        => 1
			a: LINSERT nokey before c W    => 1
			a: LINSERT nokey middle c W    => 1
			a: LINSERT l before c          => 1
			a: LRANGE l 0 -1               => 1
		`),
		listSessions("lrem and ltrim", `
			a: RPUSH l a b a c a b a       => 1; s: 2
			a: LREM l 2 a                  => 1; s: 2
			a: LRANGE l 0 -1               => 1
			a: LREM l -1 a                 => 1; s: 2
			a: LRANGE l 0 -1               => 1
			a: LREM l 0 b                  => 1; s: 2
			a: LREM l 0 nope               => 1
			a: LREM l x a                  => 1
			a: LREM nokey 1 a              => 1
			a: LREM nokey x a              => 1
			a: LRANGE l 0 -1               => 1
			a: LREM l -9223372036854775808 a => 1; s: 2
			a: LREM l 9223372036854775807 a => 1
			a: LREM l 0 c                  => 1; s: 4
			a: LLEN l                      => 1
			a: RPUSH l 1 2 3 4 5 6 7       => 1; s: 2
			a: LTRIM l 1 -2                => 1; s: 2
			a: LRANGE l 0 -1               => 1
			a: LTRIM l 0 100               => 1; s: 2
			a: LTRIM l -2 -1               => 1; s: 2
			a: LRANGE l 0 -1               => 1
			a: LTRIM l x 1                 => 1
			a: LTRIM l 1 x                 => 1
			a: LTRIM nokey 0 1             => 1
			a: LTRIM nokey x 1             => 1
			a: LTRIM l 1 0                 => 1; s: 4
			a: LLEN l                      => 1
			a: RPUSH l 1 2 3               => 1; s: 2
			a: LTRIM l 5 10                => 1; s: 4
			a: RPUSH l 1 2 3               => 1; s: 2
			a: LTRIM l -100 -3             => 1; s: 2
			a: LRANGE l 0 -1               => 1
			a: LTRIM l 0                   => 1
			a: LREM l 0                    => 1
		`),
		listSessions("lpos", `
			a: RPUSH l a b c a b c a       => 1; s: 2
			a: LPOS l a                    => 1
			a: LPOS l c                    => 1
			a: LPOS l nope                 => 1
			a: LPOS l a RANK 2             => 1
			a: LPOS l a RANK -1            => 1
			a: LPOS l a RANK -3            => 1
			a: LPOS l a RANK 4             => 1
			a: LPOS l a RANK -4            => 1
			a: LPOS l a COUNT 0            => 1
			a: LPOS l a COUNT 2            => 1
			a: LPOS l a COUNT 10           => 1
			a: LPOS l a RANK 2 COUNT 0     => 1
			a: LPOS l a RANK -2 COUNT 2    => 1
			a: LPOS l a MAXLEN 1           => 1
			a: LPOS l c MAXLEN 2           => 1
			a: LPOS l a COUNT 0 MAXLEN 4   => 1
			a: LPOS l a RANK -1 MAXLEN 1   => 1
			a: LPOS l nope COUNT 1         => 1
			a: lpos l a rank 1 count 1 maxlen 0 => 1
			a: LPOS l a RANK 0             => 1
			a: LPOS l a RANK x             => 1
			a: LPOS l a RANK               => 1
			a: LPOS l a COUNT -1           => 1
			a: LPOS l a COUNT x            => 1
			a: LPOS l a MAXLEN -1          => 1
			a: LPOS l a MAXLEN x           => 1
			a: LPOS l a FOO 1              => 1
			a: LPOS l a RANK 1 RANK 2      => 1
			a: LPOS l a RANK -9223372036854775808 => 1
			a: LPOS l a RANK -9223372036854775808 COUNT 2 => 1
			a: LPOS nokey a                => 1
			a: LPOS nokey a COUNT 1        => 1
			a: LPOS nokey a RANK 0         => 1
			a: LPOS l                      => 1
		`),
		listSessions("lmove and rpoplpush", `
			a: RPUSH src a b c             => 1; s: 2
			a: LMOVE src dst LEFT RIGHT    => 1; s: 4
			a: LMOVE src dst right left    => 1; s: 4
			a: LRANGE dst 0 -1             => 1
			a: LMOVE src src LEFT RIGHT    => 1; s: 4
			a: LMOVE src dst LEFT LEFT     => 1; s: 6
			a: LMOVE src dst LEFT LEFT     => 1
			a: LRANGE dst 0 -1             => 1
			a: RPOPLPUSH dst dst           => 1; s: 4
			a: LRANGE dst 0 -1             => 1
			a: RPOPLPUSH dst other         => 1; s: 4
			a: RPOPLPUSH nokey other       => 1
			a: LMOVE dst other UP LEFT     => 1
			a: LMOVE dst other LEFT DOWN   => 1
			a: LMOVE nokey other UP LEFT   => 1
			a: LMOVE dst other LEFT        => 1
			a: RPOPLPUSH dst               => 1
			a: RPUSH one x                 => 1; s: 2
			a: LMOVE one one RIGHT LEFT    => 1; s: 4
			a: LRANGE one 0 -1             => 1
			a: RPOPLPUSH one two           => 1; s: 6
			a: LRANGE two 0 -1             => 1
			a: LLEN one                    => 1
		`),
		listSessions("types, encodings and key misses", `
			a: RPUSH l a                   => 1; s: 2
			a: TYPE l                      => 1
			a: OBJECT ENCODING l           => 1
			a: RPUSH l "`+strings.Repeat("x", 9000)+`" => 1; s: 2
			a: OBJECT ENCODING l           => 1
			n: CONFIG SET notify-keyspace-events KElmn => 1
			a: LPUSH new x                 => 1; s: 4
			a: LRANGE nokey 0 -1           => 1; s: 2
			a: LLEN nokey                  => 1; s: 2
			a: LINDEX nokey 0              => 1; s: 2
			a: LPOS nokey x                => 1; s: 2
			a: LPOP nokey                  => 1
			a: LMOVE nokey l LEFT LEFT     => 1
			a: BLPOP nokey 0.01            => 1
			a: LLEN l                      => 1
			a: RPOPLPUSH l other           => 1; s: 6
		`),
		listSessions("long lists", longListScript(3000)),
		forProtocols("random timeouts", "a", "n: FLUSHALL => 1\n"+randomTimeoutScript(3, 300)),
		forProtocols("random arguments", "a", "n: FLUSHALL => 1\nn: SET str x => 1\n"+randomArgsScript(4, 600)),
		forProtocols("random arguments 2", "a", "n: FLUSHALL => 1\nn: SET str x => 1\n"+randomArgsScript(5, 600)),

		listSessions("random commands", randomListScript(1, 400)),
		listSessions("random commands 2", randomListScript(2, 400)),
	))
}

// TestDiffListWrongType checks WRONGTYPE from every list command, with a
// string key made by SET (skipped while Herald has no SET).
func TestDiffListWrongType(t *testing.T) {
	t.Parallel()
	env := newDiffEnv(t, Config{})
	skip := ""
	if commands["set"] == nil {
		skip = "Herald has no SET yet"
	}
	var b strings.Builder
	b.WriteString("a: SET str x => 1; s: 2\na: RPUSH l a b => 1; s: 2\na: BLPOP l str 0 => 1; s: 2\n")
	for _, cmd := range []string{
		"LPUSH str x", "RPUSH str x", "LPUSHX str x", "RPUSHX str x", "LPOP str", "RPOP str", "LPOP str 0",
		"RPOP str 2", "LLEN str", "LRANGE str 0 -1", "LRANGE str x 1", "LINDEX str 0", "LINDEX str x", "LSET str 0 x",
		"LSET str x x", "LREM str 0 x", "LREM str x x", "LTRIM str 0 1", "LTRIM str x 1", "LINSERT str BEFORE a b",
		"LINSERT str x a b", "LPOS str x", "LPOS str x RANK 0", "LPOS str x COUNT 1", "LMOVE str l LEFT LEFT",
		"LMOVE l str LEFT LEFT", "LMOVE nokey str LEFT LEFT", "LMOVE str l UP LEFT", "RPOPLPUSH str l", "RPOPLPUSH l str",
		"BLPOP str 0", "BLPOP nokey str 0", "BRPOP str x", "BLMOVE str l LEFT LEFT 0",
		"BLMOVE l str LEFT LEFT 0", "BRPOPLPUSH str l 0", "BRPOPLPUSH l str 0",
	} {
		fmt.Fprintf(&b, "a: %s => 1\n", cmd)
	}
	b.WriteString("a: LRANGE l 0 -1 => 1\n")
	list := listSessions("wrong type", b.String())
	for i := range list {
		list[i].skip = skip
	}
	env.run(t, list)
}

// longListScript builds a list of n elements and works on its middle,
// where a quicklist has several nodes.
func longListScript(n int) string {
	var b strings.Builder
	var elems []string
	for i := range n {
		elems = append(elems, fmt.Sprintf("e%d", i%97))
	}
	half := strings.Join(elems[:n/2], " ")
	fmt.Fprintf(&b, "a: RPUSH l %s => 1; s: 2\n", half)
	fmt.Fprintf(&b, "a: LPUSH l %s => 1; s: 2\n", half)
	for _, cmd := range []string{
		"LLEN l", "LINDEX l 1500", "LINDEX l -1501", "LRANGE l 1490 1510", "LPOS l e5 COUNT 0", "LPOS l e5 RANK -3 COUNT 4",
		"LPOS l e96 MAXLEN 100", "LRANGE l -5 -1",
	} {
		fmt.Fprintf(&b, "a: %s => 1\n", cmd)
	}
	for _, cmd := range []string{"LSET l 1500 mid", "LINSERT l BEFORE mid before", "LINSERT l AFTER mid after", "LREM l 10 e7", "LREM l -10 e8", "LTRIM l 10 -10"} {
		fmt.Fprintf(&b, "a: %s => 1; s: 2\n", cmd)
	}
	b.WriteString("a: LRANGE l 1480 1520 => 1\na: LLEN l => 1\n")
	b.WriteString("a: LPOP l 100 => 1; s: 2\na: RPOP l 100 => 1; s: 2\na: LRANGE l 0 -1 => 1\n")
	return b.String()
}

// randomListScript is n random list commands over a few keys and values,
// each step expecting the events Redis raises. The events are counted by
// the script (what each command does depends on the state), so the script
// keeps a model of the lists.
func randomListScript(seed uint64, n int) string {
	r := rand.New(rand.NewPCG(seed, 7))
	keys := []string{"k1", "k2", "k3"}
	values := []string{"a", "b", "c", "", "dd"}
	lists := map[string][]string{}
	var b strings.Builder
	idx := func() int { return r.IntN(9) - 4 }
	for range n {
		k := keys[r.IntN(len(keys))]
		k2 := keys[r.IntN(len(keys))]
		v := values[r.IntN(len(values))]
		l := lists[k]
		events := 0
		var cmd string
		switch r.IntN(14) {
		case 0, 1:
			cnt := 1 + r.IntN(3)
			var vs []string
			for range cnt {
				vs = append(vs, fmt.Sprintf("%q", values[r.IntN(len(values))]))
			}
			left := r.IntN(2) == 0
			x := r.IntN(4) == 0
			name := map[bool]string{true: "LPUSH", false: "RPUSH"}[left]
			if x {
				name += "X"
			}
			cmd = name + " " + k + " " + strings.Join(vs, " ")
			if !x || len(l) > 0 {
				events = 1
				for _, q := range vs {
					s := q[1 : len(q)-1]
					if left {
						l = append([]string{s}, l...)
					} else {
						l = append(l, s)
					}
				}
			}
		case 2, 3:
			left := r.IntN(2) == 0
			name := map[bool]string{true: "LPOP", false: "RPOP"}[left]
			count := -1
			if r.IntN(2) == 0 {
				count = r.IntN(4)
				cmd = fmt.Sprintf("%s %s %d", name, k, count)
			} else {
				cmd = name + " " + k
			}
			m := 1
			if count >= 0 {
				m = min(count, len(l))
			}
			if len(l) > 0 && m > 0 {
				events = 1
				if left {
					l = l[m:]
				} else {
					l = l[:len(l)-m]
				}
				if len(l) == 0 {
					events = 2
				}
			}
		case 4:
			cmd = fmt.Sprintf("LRANGE %s %d %d", k, idx(), idx())
		case 5:
			cmd = fmt.Sprintf("LINDEX %s %d", k, idx())
		case 6:
			i := idx()
			cmd = fmt.Sprintf("LSET %s %d %q", k, i, v)
			if i < 0 {
				i += len(l)
			}
			if i >= 0 && i < len(l) {
				l[i] = v
				events = 1
			}
		case 7:
			cnt := r.IntN(5) - 2
			cmd = fmt.Sprintf("LREM %s %d %q", k, cnt, v)
			var kept []string
			removed := 0
			limit := cnt
			if limit < 0 {
				limit = -limit
			}
			for j := range l {
				i := j
				if cnt < 0 {
					i = len(l) - 1 - j
				}
				if l[i] == v && (limit == 0 || removed < limit) {
					removed++
					l[i] = "\x00removed"
				}
			}
			for _, e := range l {
				if e != "\x00removed" {
					kept = append(kept, e)
				}
			}
			if removed > 0 {
				events = 1
			}
			if len(l) > 0 && len(kept) == 0 {
				events++
			}
			l = kept
		case 8:
			start, stop := idx(), idx()
			cmd = fmt.Sprintf("LTRIM %s %d %d", k, start, stop)
			if len(l) > 0 {
				events = 1
				n := len(l)
				if start < 0 {
					start += n
				}
				if stop < 0 {
					stop += n
				}
				start = max(start, 0)
				if start > stop || start >= n {
					l = nil
				} else {
					l = l[start : min(stop, n-1)+1]
				}
				if len(l) == 0 {
					events = 2
				}
			}
		case 9:
			after := r.IntN(2) == 0
			pivot := values[r.IntN(len(values))]
			cmd = fmt.Sprintf("LINSERT %s %s %q %q", k, map[bool]string{true: "AFTER", false: "BEFORE"}[after], pivot, v)
			for i, e := range l {
				if e == pivot {
					if after {
						i++
					}
					l = append(l[:i], append([]string{v}, l[i:]...)...)
					events = 1
					break
				}
			}
		case 10:
			cmd = fmt.Sprintf("LPOS %s %q RANK %d COUNT %d MAXLEN %d", k, v, []int{1, 2, -1, -2}[r.IntN(4)], r.IntN(3), r.IntN(4))
		case 11, 12:
			from, to := r.IntN(2) == 0, r.IntN(2) == 0
			side := map[bool]string{true: "LEFT", false: "RIGHT"}
			cmd = fmt.Sprintf("LMOVE %s %s %s %s", k, k2, side[from], side[to])
			if len(l) > 0 {
				var e string
				if from {
					e, l = l[0], l[1:]
				} else {
					e, l = l[len(l)-1], l[:len(l)-1]
				}
				lists[k] = l
				d := lists[k2]
				if to {
					d = append([]string{e}, d...)
				} else {
					d = append(d, e)
				}
				lists[k2] = d
				events = 2
				if len(lists[k]) == 0 {
					events = 3
				}
				l = lists[k]
			}
		case 13:
			cmd = "LLEN " + k
		}
		lists[k] = l
		if events > 0 {
			fmt.Fprintf(&b, "a: %s => 1; s: %d\n", cmd, 2*events)
		} else {
			fmt.Fprintf(&b, "a: %s => 1\n", cmd)
		}
	}
	for _, k := range keys {
		fmt.Fprintf(&b, "a: LRANGE %s 0 -1 => 1\n", k)
	}
	return b.String()
}

// randomTimeoutScript sends blocking pops with random timeouts, valid and
// not, on a list with elements: each either pops at once or is refused,
// so the timeout parsers are compared without waiting (and without
// events: how many there are depends on what is refused).
func randomTimeoutScript(seed uint64, n int) string {
	r := rand.New(rand.NewPCG(seed, 11))
	pieces := []string{"0", "1", "9", "5", "00", ".", ".", "e", "E", "-", "+", "x", "0x", "p", "P", "a", "f", "inf", "nan",
		"1e308", "1e4932", "1e-400", "e-5", "e+3", " ", "_", "9223372036854775", "9223372036854776", "0.001", "1.5"}
	var b strings.Builder
	var elems []string
	for i := range n {
		elems = append(elems, strconv.Itoa(i))
	}
	fmt.Fprintf(&b, "b: RPUSH l %s => 1\n", strings.Join(elems, " "))
	for range n {
		var t strings.Builder
		for range 1 + r.IntN(4) {
			t.WriteString(pieces[r.IntN(len(pieces))])
		}
		cmd := []string{"BLPOP l", "BRPOP nokey l", "BLMOVE l l LEFT RIGHT", "BRPOPLPUSH l l"}[r.IntN(4)]
		fmt.Fprintf(&b, "a: %s %q => 1\n", cmd, t.String())
	}
	return b.String()
}

// randomArgsScript sends the non-blocking list commands with random
// arguments, of any number, from a pool of keys (one a string), values,
// numbers and keywords: arity, syntax, range and type errors, and the
// commands that succeed.
func randomArgsScript(seed uint64, n int) string {
	r := rand.New(rand.NewPCG(seed, 13))
	names := []string{"LPUSH", "RPUSH", "LPUSHX", "RPUSHX", "LPOP", "RPOP", "LLEN", "LRANGE", "LINDEX", "LSET", "LREM",
		"LTRIM", "LINSERT", "LPOS", "LMOVE", "RPOPLPUSH"}
	keys := []string{"k1", "k2", "str", "nokey"}
	pool := []string{"a", "b", "", "0", "1", "2", "-1", "-2", "3", "x", "01", "9223372036854775807", "-9223372036854775808",
		"99999999999999999999", "LEFT", "right", "BEFORE", "after", "RANK", "COUNT", "maxlen", "1.5"}
	var b strings.Builder
	for range n {
		words := []string{names[r.IntN(len(names))]}
		if r.IntN(10) > 0 {
			words = append(words, keys[r.IntN(len(keys))])
		}
		for range r.IntN(6) {
			if r.IntN(4) == 0 {
				words = append(words, keys[r.IntN(len(keys))])
			} else {
				words = append(words, pool[r.IntN(len(pool))])
			}
		}
		for i, w := range words {
			words[i] = strconv.Quote(w)
		}
		fmt.Fprintf(&b, "a: %s => 1\n", strings.Join(words, " "))
	}
	for _, k := range keys {
		fmt.Fprintf(&b, "a: LRANGE %s 0 -1 => 1\n", k)
	}
	return b.String()
}
