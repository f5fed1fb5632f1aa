package server

import (
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/heraldhq/herald/internal/redistest"
	"github.com/heraldhq/herald/internal/resp"
)

// streamSessions returns a stream session in RESP2 and RESP3 (connections
// a and s), after listPrelude: every keyspace event on, s subscribed to
// all of them (two frames an event).
func streamSessions(name, script string) []session {
	return forProtocols(name, "a s", listPrelude+script)
}

// TestDiffStream compares the stream commands with redis-server: replies,
// errors and the keyspace events each one raises, in order.
func TestDiffStream(t *testing.T) {
	t.Parallel()
	env := newDiffEnv(t, Config{})
	env.run(t, sessions(
		streamSessions("xadd and ranges", `
			a: XADD s 1-1 f v                    => 1; s: 2
			a: XADD s 1-2 f v g w                => 1; s: 2
			a: XADD s 2-* a 1                    => 1; s: 2
			a: XADD s 2-* a 2                    => 1; s: 2
			a: XADD s 3 "" "\x00" "a b" "\r\n"   => 1; s: 2
			a: XADD s NOMKSTREAM 4-0 x y         => 1; s: 2
			a: XADD s nomkstream NOMKSTREAM 5-0 x y => 1; s: 2
			a: XADD nokey NOMKSTREAM 1-1 x y     => 1
			a: EXISTS nokey                      => 1
			a: XLEN s                            => 1
			a: XLEN nokey                        => 1
			a: XRANGE s - +                      => 1
			a: XREVRANGE s + -                   => 1
			a: XRANGE s - + COUNT 2              => 1
			a: XRANGE s - + count 2 COUNT 3      => 1
			a: XREVRANGE s + - COUNT 2           => 1
			a: XRANGE s (1-1 +                   => 1
			a: XRANGE s - (2-1                   => 1
			a: XRANGE s (1-1 (2-1                => 1
			a: XREVRANGE s (5-0 (1-2             => 1
			a: XRANGE s 1 1                      => 1
			a: XRANGE s 2 2                      => 1
			a: XRANGE s 2-1 2-0                  => 1
			a: XRANGE s - + COUNT 0              => 1
			a: XRANGE s - + COUNT -1             => 1
			a: XREVRANGE s + - COUNT 0           => 1
			a: XRANGE nokey - +                  => 1
			a: XRANGE nokey - + COUNT 0          => 1
			a: XRANGE s (0-0 (18446744073709551615-18446744073709551615 => 1
			a: XRANGE s (18446744073709551615-18446744073709551615 + => 1
			a: XRANGE s - (0-0                   => 1
			a: XREVRANGE s (0-0 -                => 1
			a: XRANGE s (- +                     => 1
			a: XRANGE s - (+                     => 1
			a: XRANGE s ( +                      => 1
			a: XRANGE s a b                      => 1
			a: XRANGE s 1-a +                    => 1
			a: XRANGE s - + COUNT                => 1
			a: XRANGE s - + COUNT x              => 1
			a: XRANGE s - + foo 1                => 1
			a: XRANGE s - +  LIMIT 1             => 1
			a: XRANGE s                          => 1
			a: XRANGE s 007-+1 " 2"              => 1
			a: XRANGE s 1--01 +                  => 1
			a: XRANGE s 18446744073709551616 +   => 1
		`),
		streamSessions("xadd ids and errors", `
			a: XADD s 0-0 f v                    => 1
			a: XADD s 0 f v                      => 1
			a: EXISTS s                          => 1
			a: XADD s 0-* f v                    => 1; s: 2
			a: XADD s 0-* f v                    => 1; s: 2
			a: XADD s 0-1 f v                    => 1
			a: XADD s 0-2 f v                    => 1
			a: XADD s 5-5 f v                    => 1; s: 2
			a: XADD s 5-5 f v                    => 1
			a: XADD s 5-4 f v                    => 1
			a: XADD s 4-* f v                    => 1
			a: XADD s 5-* f v                    => 1; s: 2
			a: XADD s 5-18446744073709551615 f v => 1; s: 2
			a: XADD s 5-* f v                    => 1
			a: XADD s 6-* f v                    => 1; s: 2
			a: XADD s - f v                      => 1
			a: XADD s + f v                      => 1
			a: XADD s abc f v                    => 1
			a: XADD s 7-x f v                    => 1
			a: XADD s 7- f v                     => 1
			a: XADD s -7 f v                     => 1
			a: XADD s 18446744073709551616-0 f v => 1
			a: XADD s 7-** f v                   => 1
			a: XADD s ** f v                     => 1
			a: XADD s 18446744073709551615-18446744073709551615 f v => 1; s: 2
			a: XADD s * f v                      => 1
			a: XADD s 18446744073709551615-* f v => 1
			a: XADD s MAXLEN 1 * f v             => 1
			a: XADD s2 18446744073709551615-* f v => 1; s: 2
			a: XADD s2 18446744073709551615-* f v => 1; s: 2
			a: XRANGE s2 - +                     => 1
			a: XADD s f                          => 1
			a: XADD s 1-1 f                      => 1
			a: XADD s 1-1 f v g                  => 1
			a: XADD s                            => 1
			a: XADD s MAXLEN                     => 1
			a: XADD s MAXLEN ~                   => 1
			a: XADD s MAXLEN = 3                 => 1
			a: XADD s NOMKSTREAM                 => 1
			a: XADD s MAXLEN -1 * a b            => 1
			a: XADD s MAXLEN = -1 * a b          => 1
			a: XADD s MAXLEN abc * a b           => 1
			a: XADD s MAXLEN 01 * a b            => 1
			a: XADD s MINID abc * a b            => 1
			a: XADD s MINID - * a b              => 1
			a: XADD s MAXLEN 5 MINID 5 * a b     => 1
			a: XADD s MINID 5 MAXLEN 5 * a b     => 1
			a: XADD s LIMIT 5 * a b              => 1
			a: XADD s LIMIT 0 * a b              => 1
			a: XADD s LIMIT -1 * a b             => 1
			a: XADD s LIMIT x * a b              => 1
			a: XADD s MAXLEN 5 LIMIT 5 * a b     => 1
			a: XADD s MAXLEN ~ 1 LIMIT -1 * a b  => 1
			a: XADD s MAXLEN = 1 LIMIT 3 * a b   => 1
			a: XADD s FOO * a b                  => 1
			a: XADD s "*\x00x" a b               => 1
			a: XADD s NOMKSTREAM MAXLEN ~ 5 LIMIT 5 18446744073709551615-18446744073709551615 a b => 1
		`),
		streamSessions("xdel", `
			a: XADD s 1-0 a 1                    => 1; s: 2
			a: XADD s 2-0 a 2                    => 1; s: 2
			a: XADD s 3-0 a 3                    => 1; s: 2
			a: XDEL s 2-0                        => 1; s: 2
			a: XDEL s 2-0                        => 1
			a: XDEL s 1 2 3 4                    => 1; s: 2
			a: XRANGE s - +                      => 1
			a: XINFO STREAM s                    => 1
			a: XDEL s 3-0                        => 1
			a: EXISTS s                          => 1
			a: XLEN s                            => 1
			a: XINFO STREAM s                    => 1
			a: XDEL nokey abc                    => 1
			a: XDEL s abc                        => 1
			a: XDEL s 1-0 abc                    => 1
			a: XDEL s -                          => 1
			a: XDEL s +                          => 1
			a: XDEL s                            => 1
			a: XADD s 5-0 a 1                    => 1; s: 2
			a: XADD s 6-0 a 1                    => 1; s: 2
			a: XDEL s 6-0 5-0 6-0                => 1; s: 2
			a: XINFO STREAM s                    => 1
		`),
		streamSessions("xtrim", `
			a: XTRIM s MAXLEN 1                  => 1
			a: XTRIM s                           => 1
			a: XTRIM s MAXLEN 1 foo              => 1
			a: XTRIM s LIMIT 1                   => 1
			a: XTRIM s LIMIT 0                   => 1
			a: XTRIM s LIMIT 0 MAXLEN 1          => 1
			a: XTRIM s MAXLEN 5 LIMIT 5          => 1
			a: XTRIM s MAXLEN -1                 => 1
			a: XTRIM s MAXLEN = -1               => 1
			a: XTRIM s MAXLEN 1 MAXLEN 2         => 1
			a: XTRIM s MINID -                   => 1
			a: XTRIM s MINID +                   => 1
			a: XTRIM s NOMKSTREAM MAXLEN 1       => 1
			a: XTRIM s MAXLEN ~                  => 1
			a: XTRIM s * MAXLEN 1                => 1
			a: XADD s 1-0 a 1                    => 1; s: 2
			a: XADD s 2-0 a 2                    => 1; s: 2
			a: XADD s 3-0 a 3                    => 1; s: 2
			a: XADD s 4-0 a 4                    => 1; s: 2
			a: XTRIM s MAXLEN ~ 1                => 1
			a: XTRIM s MAXLEN = 3                => 1; s: 2
			a: XTRIM s MAXLEN 3                  => 1
			a: XTRIM s MINID 3                   => 1; s: 2
			a: XTRIM s MINID = 3-1               => 1; s: 2
			a: XINFO STREAM s                    => 1
			a: XTRIM s MINID ~ 10                => 1; s: 2
			a: XINFO STREAM s                    => 1
			a: EXISTS s                          => 1
			a: XADD s MAXLEN 2 5-0 a 5           => 1; s: 2
			a: XADD s MAXLEN 2 6-0 a 6           => 1; s: 2
			a: XADD s MAXLEN 2 7-0 a 7           => 1; s: 4
			a: XADD s MINID 7 8-0 a 8            => 1; s: 4
			a: XADD s MINID ~ 8 9-0 a 9          => 1; s: 2
			a: XRANGE s - +                      => 1
			a: XADD s MAXLEN ~ 0 LIMIT 0 10-0 a 10 => 1; s: 4
			a: XINFO STREAM s                    => 1
		`),
		streamSessions("xsetid", `
			a: XSETID nokey 1-1                  => 1
			a: XSETID s                          => 1
			a: XSETID s abc                      => 1
			a: XSETID s -                        => 1
			a: XADD s 5-0 a b                    => 1; s: 2
			a: XADD s 6-0 a b                    => 1; s: 2
			a: XSETID s 5-9                      => 1
			a: XSETID s 6-0                      => 1; s: 2
			a: XSETID s 7                        => 1; s: 2
			a: XINFO STREAM s                    => 1
			a: XADD s 7-* a b                    => 1; s: 2
			a: XSETID s 9-0 ENTRIESADDED 1       => 1
			a: XSETID s 9-0 ENTRIESADDED -1      => 1
			a: XSETID s 9-0 ENTRIESADDED x       => 1
			a: XSETID s 9-0 ENTRIESADDED 10 MAXDELETEDID 9-1 => 1
			a: XSETID s 9-0 ENTRIESADDED 10 MAXDELETEDID x => 1
			a: XSETID s 9-0 ENTRIESADDED 10 MAXDELETEDID 2-0 => 1; s: 2
			a: XSETID s 9-0 entriesadded 10 maxdeletedid 0-0 => 1; s: 2
			a: XSETID s 9-0 FOO                  => 1
			a: XSETID s 9-0 ENTRIESADDED         => 1
			a: XINFO STREAM s                    => 1
			a: XDEL s 5-0 6-0 7-1                => 1; s: 2
			a: XSETID s 1-0                      => 1; s: 2
			a: XINFO STREAM s                    => 1
			a: XSETID s 18446744073709551615-18446744073709551615 => 1; s: 2
			a: XADD s * a b                      => 1
			a: XSETID s 18446744073709551615-18446744073709551615 ENTRIESADDED 0 => 1; s: 2
			a: XINFO STREAM s                    => 1
		`),
		streamSessions("xread", `
			a: XADD s1 1-0 a 1                   => 1; s: 2
			a: XADD s1 2-0 a 2                   => 1; s: 2
			a: XADD s2 1-0 b 1                   => 1; s: 2
			a: XREAD STREAMS s1 0                => 1
			a: XREAD STREAMS s1 s2 0 0           => 1
			a: XREAD COUNT 1 STREAMS s1 s2 0 0   => 1
			a: XREAD COUNT 0 STREAMS s1 0        => 1
			a: XREAD COUNT -1 STREAMS s1 0       => 1
			a: XREAD STREAMS s1 s2 1 1           => 1
			a: XREAD STREAMS s1 s2 $ $           => 1
			a: XREAD STREAMS s1 nokey s2 0 0 0   => 1
			a: XREAD STREAMS nokey 0             => 1
			a: XREAD STREAMS s1 s1 0 1           => 1
			a: XREAD streams s1 1-0              => 1
			a: XREAD STREAMS s1 (1               => 1
			a: XREAD                             => 1
			a: XREAD STREAMS                     => 1
			a: XREAD STREAMS s1                  => 1
			a: XREAD STREAMS s1 s2 0             => 1
			a: XREAD BLOCK -1 STREAMS s1 0       => 1
			a: XREAD BLOCK abc STREAMS s1 0      => 1
			a: XREAD BLOCK 1.5 STREAMS s1 0      => 1
			a: XREAD BLOCK 0 STREAMS s1 0        => 1
			a: XREAD COUNT abc STREAMS s1 0      => 1
			a: XREAD FOO STREAMS s1 0            => 1
			a: XREAD COUNT 1 s1 0                => 1
			a: XREAD STREAMS s1 abc              => 1
			a: XREAD STREAMS s1 +                => 1
			a: XREAD STREAMS s1 -                => 1
			a: XREAD STREAMS s1 >                => 1
			a: XREAD GROUP g c STREAMS s1 0      => 1
			a: XREAD NOACK STREAMS s1 0          => 1
			a: XREAD BLOCK 10 STREAMS s1 $       => 1
			a: XREAD BLOCK 10 STREAMS nokey 0    => 1
			a: MULTI                             => 1
			a: XREAD BLOCK 0 STREAMS s1 $        => 1
			a: XREAD BLOCK 0 STREAMS s1 0        => 1
			a: EXEC                              => 1
		`),
		streamSessions("xinfo", `
			a: XINFO                             => 1
			a: XINFO foo                         => 1
			a: XINFO STREAM                      => 1
			a: XINFO STREAM nokey                => 1
			a: XINFO STREAM nokey foo            => 1
			a: XINFO HELP                        => 1
			a: XINFO help x                      => 1
			a: XADD s 1-0 a 1                    => 1; s: 2
			a: XADD s 2-0 a 2 b 3                => 1; s: 2
			a: XINFO STREAM s                    => 1
			a: XINFO STREAM s FULL               => 1
			a: XINFO STREAM s full COUNT 1       => 1
			a: XINFO STREAM s FULL COUNT 0       => 1
			a: XINFO STREAM s FULL COUNT -1      => 1
			a: XINFO STREAM s FULL COUNT x       => 1
			a: XINFO STREAM s FULL COUNT         => 1
			a: XINFO STREAM s FULL COUNT 1 x     => 1
			a: XINFO STREAM s FULL x             => 1
			a: XINFO STREAM s foo                => 1
			a: XINFO STREAM s COUNT 1 FULL       => 1
			a: XINFO STREAM s FULL COUNT 99999999999999999999 => 1
		`),
		streamSessions("watch, multi and the new event", `
			n: CONFIG SET notify-keyspace-events KEAn => 1
			a: WATCH s                           => 1
			b: XADD s 1-1 a b                    => 1; s: 4
			a: MULTI                             => 1
			a: XLEN s                            => 1
			a: EXEC                              => 1
			a: WATCH s                           => 1
			b: XADD s 1-1 a b                    => 1
			b: XDEL s 9-9                        => 1
			b: XTRIM s MAXLEN 5                  => 1
			a: MULTI                             => 1
			a: XADD s 2-2 c d                    => 1
			a: XREAD BLOCK 0 STREAMS s $         => 1
			a: XREAD BLOCK 0 STREAMS s 0         => 1
			a: XRANGE s - +                      => 1
			a: XTRIM s MAXLEN 0                  => 1
			a: EXEC                              => 1; s: 4
			a: XINFO STREAM s                    => 1
			b: XADD s2 NOMKSTREAM 1-1 a b        => 1
			b: XADD s2 MAXLEN 0 1-1 a b          => 1; s: 6
			b: XINFO STREAM s2                   => 1
			b: COMMAND GETKEYS XREAD COUNT 1 STREAMS a b 0 0 => 1
			b: COMMAND GETKEYSANDFLAGS XREAD BLOCK 1 STREAMS a b c 0 0 0 => 1
			b: COMMAND GETKEYS XREAD COUNT 1 BLOCK 2 a b => 1
			b: COMMAND GETKEYS XREAD STREAMS     => 1
			b: COMMAND GETKEYS XREAD COUNT 1 STREAMS => 1
			b: COMMAND GETKEYS XREAD COUNT STREAMS a b => 1
			b: COMMAND GETKEYS XREAD STREAMS a b c => 1
			b: COMMAND GETKEYS XREAD STREAMS STREAMS a b => 1
			b: COMMAND GETKEYS XREAD STREAMS a   => 1
			b: COMMAND INFO XREAD XADD XINFO|STREAM => 1
		`),
		streamSessions("wrong type and generic commands", `
			a: SET str x                         => 1; s: 2
			a: XADD str 1-1 a b                  => 1
			a: XADD str NOMKSTREAM 1-1 a b       => 1
			a: XADD str 0-0 a b                  => 1
			a: XLEN str                          => 1
			a: XRANGE str - +                    => 1
			a: XRANGE str - + COUNT 0            => 1
			a: XREVRANGE str + -                 => 1
			a: XDEL str 1-1                      => 1
			a: XDEL str abc                      => 1
			a: XTRIM str MAXLEN 0                => 1
			a: XTRIM str MAXLEN x                => 1
			a: XSETID str 1-1                    => 1
			a: XREAD STREAMS str 0               => 1
			a: XREAD STREAMS nokey str 0 abc     => 1
			a: XINFO STREAM str                  => 1
			a: XADD s 1-1 a b                    => 1; s: 2
			a: TYPE s                            => 1
			a: OBJECT ENCODING s                 => 1
			a: EXISTS s                          => 1
			a: SCAN 0 TYPE stream                => 1
			a: COPY s s2                         => 1; s: 2
			a: XRANGE s2 - +                     => 1
			a: XADD s2 2-2 c d                   => 1; s: 2
			a: XLEN s                            => 1
			a: RENAME s2 s3                      => 1; s: 4
			a: XRANGE s3 - +                     => 1
			a: LPUSH s x                         => 1
			a: GET s                             => 1
			a: DEL s s3                          => 1; s: 4
			a: EXPIRE s 100                      => 1
		`),
	))
}

// TestDiffStreamAutoID compares XADD * and <ms>-*, masking the IDs made
// from the clock.
func TestDiffStreamAutoID(t *testing.T) {
	t.Parallel()
	env := newDiffEnv(t, Config{})
	env.run(t, streamSessions("auto ids", `
		a: XADD s * a 1                      => 1 xid; s: 2
		a: XADD s * a 2                      => 1 xid; s: 2
		a: XADD s MAXLEN 1 * a 3             => 1 xid; s: 4
		a: XLEN s                            => 1
		a: XRANGE s - + COUNT 5              => 1 xid
		a: XADD s NOMKSTREAM * a 4           => 1 xid; s: 2
		a: XADD s 1-1 a 5                    => 1
		a: XSETID s 9999999999999-0          => 1; s: 2
		a: XADD s * a 6                      => 1; s: 2
		a: XADD s 9999999999999-* a 7        => 1; s: 2
	`))
}

// TestDiffStreamNodes drives XTRIM ~, XDEL and radix-tree-keys/-nodes
// across many listpack nodes, by count (100 entries) and by bytes (4096).
func TestDiffStreamNodes(t *testing.T) {
	t.Parallel()
	env := newDiffEnv(t, Config{})
	var b strings.Builder
	for i := 1; i <= 350; i++ {
		fmt.Fprintf(&b, "a: XADD c %d-%d f v => 1\n", i, i)
		fmt.Fprintf(&b, "a: XADD d %d-%d f%d v%d g %s => 1\n", i*100000, i, i%3, i, strings.Repeat("x", i%50))
		fmt.Fprintf(&b, "a: XADD big %d-0 f %s => 1\n", i, strings.Repeat("y", (i*37)%700))
	}
	b.WriteString(`
		a: XINFO STREAM c                    => 1
		a: XINFO STREAM d                    => 1
		a: XINFO STREAM big                  => 1
		a: XDEL c 1-1 2-2 150-150 100-100 101-101 => 1
		a: XINFO STREAM c                    => 1
		a: XTRIM c MAXLEN ~ 200              => 1
		a: XTRIM c MINID ~ 120-0             => 1
		a: XINFO STREAM c                    => 1
		a: XTRIM c MINID 101-101             => 1
		a: XTRIM c MAXLEN ~ 10 LIMIT 50      => 1
		a: XTRIM c MAXLEN ~ 10 LIMIT 120     => 1
		a: XINFO STREAM c                    => 1
		a: XTRIM c MAXLEN 10                 => 1
		a: XINFO STREAM c FULL               => 1
		a: XTRIM d MAXLEN ~ 10               => 1
		a: XINFO STREAM d                    => 1
		a: XTRIM d MINID 3000000-0           => 1
		a: XTRIM big MAXLEN ~ 100            => 1
		a: XINFO STREAM big                  => 1
		a: XTRIM big MINID ~ 300             => 1
		a: XINFO STREAM big                  => 1
		a: XTRIM d MAXLEN 0                  => 1
		a: XINFO STREAM d FULL               => 1
	`)
	env.run(t, sessions(forProtocols("nodes", "a", "n: FLUSHALL => 1\n"+b.String()),
		forProtocols("radix tree after node deletions", "a", "n: FLUSHALL => 1\n"+raxScript(2000, 12))))
}

// raxScript adds n entries with IDs whose gaps vary from 1 to 2^24 ms, so
// the nodes' 16-byte keys share prefixes of every length, then deletes
// every entry of some whole nodes (which drops them from the radix tree)
// and compares XINFO STREAM's radix-tree-keys and -nodes after each.
func raxScript(n, deletions int) string {
	r := rand.New(rand.NewPCG(5, 5))
	var b strings.Builder
	var ids []string
	ms := uint64(0)
	for range n {
		ms += []uint64{1, 1, 3, 7, 255, 256, 65536, 1 << 24}[r.IntN(8)]
		id := fmt.Sprintf("%d-%d", ms, r.IntN(4))
		ids = append(ids, id)
		fmt.Fprintf(&b, "a: XADD r %s f v => 1\n", id)
	}
	b.WriteString("a: XINFO STREAM r => 1\n")
	var nodes [][]string
	for i := 0; i < len(ids); i += 100 {
		nodes = append(nodes, ids[i:min(i+100, len(ids))])
	}
	for _, k := range r.Perm(len(nodes))[:deletions] {
		fmt.Fprintf(&b, "a: XDEL r %s => 1\na: XINFO STREAM r => 1\n", strings.Join(nodes[k], " "))
	}
	b.WriteString("a: XTRIM r MAXLEN ~ 500 => 1\na: XINFO STREAM r => 1\n")
	return b.String()
}

// TestDiffStreamBlocking compares XREAD BLOCK: woken by XADD in the order
// the clients blocked, timeouts, and RESP3's map replies.
func TestDiffStreamBlocking(t *testing.T) {
	t.Parallel()
	env := newDiffEnv(t, Config{})
	runBlockingSessions(t, env, sessions(
		forProtocols("xread block", "a b c d s", listPrelude+`
			a: XREAD BLOCK 0 STREAMS s $         => 0
			~blocked 1
			b: XADD s 1-0 f v                    => 1; a: 1; s: 2
			a: XREAD BLOCK 0 STREAMS s 1-0       => 0
			~blocked 1
			c: XREAD BLOCK 0 STREAMS other s $ $ => 0
			~blocked 2
			d: XREAD COUNT 1 BLOCK 0 STREAMS s 0 => 1
			d: XREAD COUNT 1 BLOCK 0 STREAMS s 1-0 => 0
			~blocked 3
			b: XADD other 1-0 o p                => 1; c: 1; s: 2
			~blocked 2
			b: XADD s 2-0 f v                    => 1; a: 1; d: 1; s: 2
			~blocked 0
			a: XREAD BLOCK 0 STREAMS s s 2-0 0   => 1
			a: XREAD BLOCK 0 STREAMS s s 2-0 0-0 => 1
			a: XREAD BLOCK 0 STREAMS s s 2-0 2-0 => 0
			~blocked 1
			b: XADD s 3-0 f v                    => 1; a: 1; s: 2
			a: XREAD BLOCK 0 STREAMS s $         => 0
			~blocked 1
			b: XDEL s 3-0                        => 1; s: 2
			b: XSETID s 4-0                      => 1; s: 2
			b: XTRIM s MAXLEN 0                  => 1; s: 2
			b: XADD s 5-0 f v                    => 1; a: 1; s: 2
			a: XREAD BLOCK 0 STREAMS s $         => 0
			~blocked 1
			b: XADD s MAXLEN 0 6-0 f v           => 1; a: 1; s: 4
			a: XREAD BLOCK 0 STREAMS l s $ $     => 0
			~blocked 1
			b: RPUSH l x                         => 1; s: 2
			b: BLPOP l 0                         => 1; s: 4
			b: XADD s 6-1 f v                    => 1; a: 1; s: 2
			a: XREAD BLOCK 0 STREAMS s $         => 0
			~blocked 1
			c: BLPOP s 0                         => 1
			c: BLPOP l 0                         => 0
			~blocked 2
			b: XADD s 7-0 f v                    => 1; a: 1; s: 2
			~blocked 1
			b: RPUSH l y                         => 1; c: 1; s: 6
		`),
		forProtocols("xread block and other writers of the key", "a b s", listPrelude+`
			a: XREAD BLOCK 0 STREAMS dst $       => 0
			~blocked 1
			b: XADD src 1-0 f v                  => 1; s: 2
			b: RENAME src dst                    => 1; a: 1; s: 4
			a: XREAD BLOCK 0 STREAMS k $         => 0
			~blocked 1
			b: LPUSH k x                         => 1; s: 2
			b: DEL k                             => 1; s: 2
			b: SET k v                           => 1; s: 2
			b: DEL k                             => 1; s: 2
			b: XADD k 1-0 f v                    => 1; a: 1; s: 2
			a: XREAD BLOCK 0 STREAMS k 5-0       => 0
			~blocked 1
			b: COPY dst k REPLACE                => 1; s: 2
			b: XADD k 5-0 f v                    => 1; s: 2
			b: XADD k 6-0 f v                    => 1; a: 1; s: 2
		`),
		forProtocols("xread block timeouts", "a b s", listPrelude+`
			a: XREAD BLOCK 10 STREAMS s $        => 1
			a: XREAD BLOCK 1 STREAMS s 0         => 1
			b: XADD s 1-0 f v                    => 1; s: 2
			a: XREAD BLOCK 10 STREAMS s 0        => 1
			a: XREAD BLOCK 10 COUNT 1 STREAMS s 1-0 => 1
			a: XREAD BLOCK 0 STREAMS s $         => 0
			~blocked 1
			~close a
			~blocked 0
			b: XADD s 2-0 f v                    => 1; s: 2
		`),
	))
}

// TestDiffStreamRandom sends the same random XADD/XDEL/XTRIM/XRANGE/
// XSETID/XINFO commands with explicit IDs to Herald and redis-server and
// compares each reply and the notifications it raises: trimming by whole
// nodes (~, LIMIT) depends on where Redis's nodes begin and end.
func TestDiffStreamRandom(t *testing.T) {
	t.Parallel()
	redisAddr := redistest.Start(t).Addr()
	for _, proto := range []string{"2", "3"} {
		t.Run("RESP"+proto, func(t *testing.T) {
			h := startServer(t, Config{})
			sides := [2]*zfuzzSide{newZFuzzSide(t, redisAddr, proto), newZFuzzSide(t, h.Addr().String(), proto)}
			seed, _ := strconv.ParseUint(os.Getenv("HERALD_XFUZZ_SEED"), 10, 64) // more runs: set it
			r := rand.New(rand.NewPCG(seed, uint64(proto[0])))
			steps := 1500
			if seed != 0 {
				steps *= 10
			}
			g := &streamGen{r: r, next: map[string]uint64{}}
			var history []string
			for range steps {
				cmd := g.command()
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

// streamGen makes random stream commands on keys x1, x2, keeping the
// next ID it means to add to each, so most XADDs succeed.
type streamGen struct {
	r    *rand.Rand
	next map[string]uint64
}

func (g *streamGen) id() string {
	n := g.r.IntN(int(max(g.next["x1"], g.next["x2"])) + 10)
	return fmt.Sprintf("%d-%d", n/4, n%4)
}

func (g *streamGen) command() []string {
	r := g.r
	key := []string{"x1", "x2"}[r.IntN(2)]
	bound := func() string {
		switch r.IntN(6) {
		case 0:
			return "-"
		case 1:
			return "+"
		case 2:
			return "(" + g.id()
		}
		return g.id()
	}
	trim := func() []string {
		var out []string
		if r.IntN(2) == 0 {
			out = append(out, "MAXLEN")
		} else {
			out = append(out, "MINID")
		}
		op := []string{"", "~", "="}[r.IntN(3)]
		if op != "" {
			out = append(out, op)
		}
		if out[0] == "MAXLEN" {
			out = append(out, strconv.Itoa(r.IntN(300)))
		} else {
			out = append(out, g.id())
		}
		if op == "~" && r.IntN(2) == 0 {
			out = append(out, "LIMIT", strconv.Itoa(r.IntN(250)))
		}
		return out
	}
	switch k := r.IntN(20); {
	case k < 9:
		n := g.next[key] + uint64(1+r.IntN(3))
		g.next[key] = n
		cmd := []string{"XADD", key}
		if r.IntN(5) == 0 {
			cmd = append(cmd, trim()...)
		}
		fields := []string{"f", strconv.Itoa(r.IntN(1000))}
		if r.IntN(3) == 0 {
			fields = append(fields, "g"+strconv.Itoa(r.IntN(3)), strings.Repeat("v", r.IntN(200)))
		}
		return append(append(cmd, fmt.Sprintf("%d-%d", n/4, n%4)), fields...)
	case k < 12:
		cmd := []string{"XDEL", key}
		for range 1 + r.IntN(4) {
			cmd = append(cmd, g.id())
		}
		return cmd
	case k < 14:
		return append([]string{"XTRIM", key}, trim()...)
	case k < 16:
		cmd := []string{"XRANGE", key, bound(), bound()}
		if r.IntN(2) == 0 {
			cmd[0], cmd[2], cmd[3] = "XREVRANGE", cmd[3], cmd[2]
		}
		if r.IntN(2) == 0 {
			cmd = append(cmd, "COUNT", strconv.Itoa(r.IntN(5)))
		}
		return cmd
	case k < 17:
		return []string{"XREAD", "COUNT", strconv.Itoa(r.IntN(4)), "STREAMS", "x1", "x2", g.id(), g.id()}
	case k < 18:
		return []string{"XSETID", key, g.id()}
	default:
		if r.IntN(2) == 0 {
			return []string{"XINFO", "STREAM", key, "FULL", "COUNT", "3"}
		}
		return []string{"XINFO", "STREAM", key}
	}
}
