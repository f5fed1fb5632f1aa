package server

import "testing"

// groupPrelude starts a consumer-group session: an empty keyspace, every
// keyspace event on, and
// connection s subscribed to all of them, so each step says which events
// it raises (two frames per event). Idle times and delivery times differ
// between the servers by a millisecond or two: groups whose replies hold
// them are compared with the "idle" flag.
const groupPrelude = `
	n: FLUSHALL                                    => 1
	n: CONFIG SET notify-keyspace-events KEA       => 1
	s: PSUBSCRIBE __key*@*__:*                     => 1
`

// groupSessions returns a session in RESP2 and RESP3 (connections a and
// s), after groupPrelude.
func groupSessions(name, script string) []session {
	return forProtocols(name, "a s", groupPrelude+script)
}

// TestDiffStreamGroup compares the consumer-group commands (XGROUP,
// XREADGROUP without BLOCK, XACK, XPENDING, XCLAIM, XAUTOCLAIM, XINFO
// GROUPS and CONSUMERS): replies, errors and the events each one raises.
func TestDiffStreamGroup(t *testing.T) {
	t.Parallel()
	env := newDiffEnv(t, Config{})
	env.run(t, streamGroupSessions())
}

func streamGroupSessions() []session {
	return sessions(
		[]session{{name: "mkstream raises new", script: `
			n: FLUSHALL                                => 1
			n: CONFIG SET notify-keyspace-events KEAn  => 1
			s: PSUBSCRIBE __key*@*__:*                 => 1
			a: XGROUP CREATE s g $ MKSTREAM            => 1; s: 4
			a: XGROUP CREATE s g2 $ MKSTREAM           => 1; s: 2
			a: XGROUP CREATE t g $                     => 1
			a: XADD t 1-1 f v                          => 1; s: 4
		`}},
		groupSessions("xgroup create", `
			a: XGROUP CREATE s g $                     => 1
			a: XGROUP CREATE s g $ MKSTREAM            => 1; s: 2
			a: XGROUP CREATE s g $ MKSTREAM            => 1
			a: XGROUP CREATE s g 0                     => 1
			a: TYPE s                                  => 1
			a: XLEN s                                  => 1
			a: XGROUP CREATE s g2 0 ENTRIESREAD 5      => 1; s: 2
			a: XGROUP CREATE s g3 0 ENTRIESREAD -1     => 1; s: 2
			a: XGROUP CREATE s g4 0 ENTRIESREAD -2     => 1
			a: XGROUP CREATE s g4 0 ENTRIESREAD x      => 1
			a: XGROUP CREATE s g4 0 ENTRIESREAD        => 1
			a: XGROUP CREATE s g4 0 foo                => 1
			a: XGROUP CREATE s g4 bad                  => 1
			a: XGROUP CREATE s g4 -                    => 1
			a: XGROUP CREATE s g4 +                    => 1
			a: XGROUP CREATE s g4 "(1"                 => 1
			a: XGROUP CREATE s g4 0 MKSTREAM x         => 1
			a: XGROUP CREATE s g4 0 ENTRIESREAD 1 ENTRIESREAD 2 => 1
			a: XGROUP CREATE s g4 0 MKSTREAM MKSTREAM  => 1; s: 2
			a: XGROUP CREATE s g5 0 mkstream entriesread 3 => 1; s: 2
			a: XGROUP CREATE s g6 0 MKSTREAM ENTRIESREAD 3 MKSTREAM => 1
			a: XGROUP CREATE s g6 18446744073709551615-18446744073709551615 => 1; s: 2
			a: XGROUP CREATE s g7 18446744073709551616 => 1
			a: XGROUP CREATE s g7 5                    => 1; s: 2
			a: XGROUP CREATE s g8 5-                   => 1
			a: XGROUP CREATE s g8 5-*                  => 1
			a: XGROUP CREATE s "" 0                    => 1; s: 2
			a: XGROUP CREATE s "a b\x00" 0             => 1; s: 2
			a: XGROUP CREATE s $g 0                    => 1; s: 2
			a: XINFO GROUPS s                          => 1
			a: XGROUP CREATE s                         => 1
			a: XGROUP CREATE s g                       => 1
			a: XGROUP                                  => 1
			a: XGROUP FOO                              => 1
			a: XGROUP FOO s g                          => 1
			a: SET str x                               => 1; s: 2
			a: XGROUP CREATE str g 0                   => 1
			a: XGROUP CREATE str g 0 MKSTREAM          => 1
			a: XGROUP CREATE str g 0 ENTRIESREAD -9    => 1
			a: XGROUP CREATE str g bad                 => 1
			a: XADD t 5-5 f v                          => 1; s: 2
			a: XGROUP CREATE t g $                     => 1; s: 2
			a: XINFO GROUPS t                          => 1
			a: XGROUP HELP                             => 1
			a: XGROUP help                             => 1
			a: XGROUP HELP x                           => 1
		`),
		groupSessions("xgroup consumers, setid, destroy", `
			a: XGROUP CREATECONSUMER s g c             => 1
			a: XGROUP CREATE s g 0 MKSTREAM            => 1; s: 2
			a: XGROUP CREATECONSUMER s g c             => 1; s: 2
			a: XGROUP CREATECONSUMER s g c             => 1
			a: XGROUP CREATECONSUMER s g b             => 1; s: 2
			a: XGROUP CREATECONSUMER s nog c           => 1
			a: XGROUP CREATECONSUMER nos g c           => 1
			a: XGROUP CREATECONSUMER s g               => 1
			a: XGROUP CREATECONSUMER s g c x           => 1
			a: XINFO CONSUMERS s g                     => 1 idle
			a: XGROUP DELCONSUMER s g c                => 1; s: 2
			a: XGROUP DELCONSUMER s g c                => 1
			a: XGROUP DELCONSUMER s nog c              => 1
			a: XGROUP DELCONSUMER nos g c              => 1
			a: XGROUP DELCONSUMER s g                  => 1
			a: XINFO CONSUMERS s g                     => 1 idle
			a: XADD s 1-1 f v                          => 1; s: 2
			a: XADD s 2-2 f v                          => 1; s: 2
			a: XGROUP SETID s g 1-1                    => 1; s: 2
			a: XINFO GROUPS s                          => 1
			a: XGROUP SETID s g $                      => 1; s: 2
			a: XINFO GROUPS s                          => 1
			a: XGROUP SETID s g 0 ENTRIESREAD 0        => 1; s: 2
			a: XINFO GROUPS s                          => 1
			a: XGROUP SETID s g 1 ENTRIESREAD 1        => 1; s: 2
			a: XINFO GROUPS s                          => 1
			a: XGROUP SETID s g 1-1 ENTRIESREAD -1     => 1; s: 2
			a: XINFO GROUPS s                          => 1
			a: XGROUP SETID s g 9-9 ENTRIESREAD 7      => 1; s: 2
			a: XINFO GROUPS s                          => 1
			a: XGROUP SETID s g 0 ENTRIESREAD -2       => 1
			a: XGROUP SETID s g 0 ENTRIESREAD x        => 1
			a: XGROUP SETID s g 0 ENTRIESREAD          => 1
			a: XGROUP SETID s g 0 FOO 1                => 1
			a: XGROUP SETID s g 0 x                    => 1
			a: XGROUP SETID s g bad                    => 1
			a: XGROUP SETID s g -                      => 1; s: 2
			a: XGROUP SETID s g +                      => 1; s: 2
			a: XINFO GROUPS s                          => 1
			a: XGROUP SETID s nog 0                    => 1
			a: XGROUP SETID nos g 0                    => 1
			a: XGROUP SETID nos g 0 ENTRIESREAD x      => 1
			a: XGROUP SETID s g                        => 1
			a: XGROUP DESTROY s g                      => 1; s: 2
			a: XGROUP DESTROY s g                      => 1
			a: XGROUP DESTROY nos g                    => 1
			a: XGROUP DESTROY s                        => 1
			a: XGROUP DESTROY s g x                    => 1
			a: XINFO GROUPS s                          => 1
			a: SET str x                               => 1; s: 2
			a: XGROUP CREATECONSUMER str g c           => 1
			a: XGROUP DELCONSUMER str g c              => 1
			a: XGROUP SETID str g 0                    => 1
			a: XGROUP DESTROY str g                    => 1
		`),
		groupSessions("xreadgroup", `
			a: XREADGROUP GROUP g c STREAMS s >        => 1
			a: XADD s 1-0 a 1                          => 1; s: 2
			a: XADD s 2-0 b 2                          => 1; s: 2
			a: XADD s 3-0 c 3                          => 1; s: 2
			a: XREADGROUP GROUP g c STREAMS s >        => 1
			a: XGROUP CREATE s g 0                     => 1; s: 2
			a: XREADGROUP GROUP g c COUNT 1 STREAMS s > => 1; s: 2
			a: XREADGROUP GROUP g c STREAMS s 0        => 1
			a: XREADGROUP GROUP g c STREAMS s 1-0      => 1
			a: XREADGROUP GROUP g c STREAMS s 0-1      => 1
			a: XREADGROUP GROUP g c2 NOACK STREAMS s > => 1; s: 2
			a: XREADGROUP GROUP g c2 STREAMS s >       => 1
			a: XREADGROUP GROUP g c2 STREAMS s 0       => 1
			a: XPENDING s g                            => 1
			a: XINFO GROUPS s                          => 1
			a: XREADGROUP GROUP g c3 STREAMS s >       => 1
			a: XINFO CONSUMERS s g                     => 1 idle
			a: XREADGROUP GROUP g c STREAMS s > 0      => 1
			a: XREADGROUP GROUP g c STREAMS s          => 1
			a: XREADGROUP GROUP g c STREAMS s s2 > >   => 1
			a: XREADGROUP GROUP g c STREAMS s2 s > >   => 1
			a: XREADGROUP GROUP g c STREAMS s $        => 1
			a: XREADGROUP GROUP g c COUNT 0 STREAMS s 0 => 1
			a: XREADGROUP GROUP g c COUNT -1 STREAMS s 0 => 1
			a: XREADGROUP GROUP g c COUNT x STREAMS s 0 => 1
			a: XREADGROUP GROUP g c BLOCK -1 STREAMS s 0 => 1
			a: XREADGROUP GROUP g c BLOCK x STREAMS s 0 => 1
			a: XREADGROUP g c STREAMS s 0              => 1
			a: XREADGROUP GROUP g STREAMS s 0          => 1
			a: XREADGROUP COUNT 1 STREAMS s 0          => 1
			a: XREADGROUP COUNT 1 NOACK STREAMS s 0    => 1
			a: XREADGROUP COUNT 1 NOACK STREAMS s 0 x  => 1
			a: XREADGROUP GROUP g c FOO STREAMS s 0    => 1
			a: XREADGROUP GROUP g c STREAMS s bad      => 1
			a: XREADGROUP GROUP g c STREAMS s -        => 1
			a: XREADGROUP GROUP g c STREAMS s +        => 1
			a: XREADGROUP GROUP g c STREAMS s "(0"     => 1
			a: XREADGROUP GROUP g c COUNT 1 GROUP g c2 STREAMS s 0 => 1
			a: XREADGROUP STREAMS s 0 GROUP g c        => 1
			a: XREADGROUP GROUP nog c STREAMS s >      => 1
			a: xreadgroup group g c streams s >        => 1
			a: SET str x                               => 1; s: 2
			a: XREADGROUP GROUP g c STREAMS str >      => 1
			a: XREADGROUP GROUP g c STREAMS s str > >  => 1
			a: XREADGROUP GROUP g c STREAMS str s $ $  => 1
		`),
		groupSessions("xreadgroup of several streams and deleted entries", `
			a: XADD s1 1-0 a 1                         => 1; s: 2
			a: XADD s1 2-0 b 2                         => 1; s: 2
			a: XADD s2 1-5 x y                         => 1; s: 2
			a: XGROUP CREATE s1 g 0                    => 1; s: 2
			a: XGROUP CREATE s2 g $                    => 1; s: 2
			a: XREADGROUP GROUP g c STREAMS s1 s2 > >  => 1; s: 2
			a: XADD s2 2-0 z z                         => 1; s: 2
			a: XREADGROUP GROUP g c STREAMS s1 s2 > >  => 1; s: 2
			a: XREADGROUP GROUP g c STREAMS s1 s2 0 >  => 1
			a: XREADGROUP GROUP g c STREAMS s1 s2 0 0  => 1
			a: XREADGROUP GROUP g c COUNT 1 STREAMS s1 s2 0 0 => 1
			a: XDEL s1 1-0                             => 1; s: 2
			a: XREADGROUP GROUP g c STREAMS s1 0       => 1
			a: XPENDING s1 g - + 10                    => 1 idle
			a: XACK s1 g 1-0                           => 1
			a: XREADGROUP GROUP g c STREAMS s1 0       => 1
			a: XADD s1 3-0 c 3                         => 1; s: 2
			a: XADD s1 4-0 d 4                         => 1; s: 2
			a: XDEL s1 3-0                             => 1; s: 2
			a: XREADGROUP GROUP g c STREAMS s1 >       => 1
			a: XINFO GROUPS s1                         => 1
			a: XGROUP SETID s1 g 0                     => 1; s: 2
			a: XREADGROUP GROUP g c2 STREAMS s1 >      => 1; s: 2
			a: XPENDING s1 g                           => 1
			a: XPENDING s1 g - + 10                    => 1 idle
			a: XINFO GROUPS s1                         => 1
			a: XINFO CONSUMERS s1 g                    => 1 idle
			a: XGROUP SETID s1 g 0                     => 1; s: 2
			a: XREADGROUP GROUP g c2 NOACK STREAMS s1 > => 1
			a: XPENDING s1 g - + 10                    => 1 idle
			a: XTRIM s1 MAXLEN 0                       => 1; s: 2
			a: XREADGROUP GROUP g c2 STREAMS s1 0      => 1
			a: XREADGROUP GROUP g c2 STREAMS s1 >      => 1
			a: XINFO GROUPS s1                         => 1
		`),
		groupSessions("xack and xpending", `
			a: XACK s g 1-0                            => 1
			a: XACK s g                                => 1
			a: XACK s g bad                            => 1
			a: XPENDING s g                            => 1
			a: XPENDING s g - + 10                     => 1
			a: XPENDING s g - + x                      => 1
			a: XADD s 1-0 f v1                         => 1; s: 2
			a: XADD s 2-0 f v2                         => 1; s: 2
			a: XADD s 3-0 f v3                         => 1; s: 2
			a: XADD s 4-0 f v4                         => 1; s: 2
			a: XADD s 5-0 f v5                         => 1; s: 2
			a: XACK s nog 1-0                          => 1
			a: XGROUP CREATE s g 0                     => 1; s: 2
			a: XPENDING s g                            => 1
			a: XPENDING s g - + 10                     => 1
			a: XREADGROUP GROUP g c1 COUNT 2 STREAMS s > => 1; s: 2
			a: XREADGROUP GROUP g c2 COUNT 2 STREAMS s > => 1; s: 2
			a: XACK s g 1-0 1-0 9-0 bad                => 1
			a: XACK s g 1-0 - 9-0                      => 1
			a: XACK s g 1-0 1-0 9-0                    => 1
			a: XACK s g 1-0                            => 1
			a: XACK s g 1                              => 1
			a: XPENDING s g                            => 1
			a: XPENDING s nog                          => 1
			a: XPENDING nokey g                        => 1
			a: XPENDING s g - + 10 c2                  => 1 idle
			a: XPENDING s g IDLE 0 - + 10              => 1 idle
			a: XPENDING s g IDLE 100000 - + 10         => 1
			a: XPENDING s g IDLE x - + 10              => 1
			a: XPENDING s g IDLE -5 - + 10             => 1 idle
			a: XPENDING s g IDLE 100000 - + 10 c2      => 1
			a: XPENDING s g IDLE 0 - + 10 c2           => 1 idle
			a: XPENDING s g idle 0 - + 10 c2 x         => 1
			a: XPENDING s g - +                        => 1
			a: XPENDING s g - + 0                      => 1
			a: XPENDING s g - + -1                     => 1
			a: XPENDING s g - + 1                      => 1 idle
			a: XPENDING s g - + x                      => 1
			a: XPENDING s g - + 10 c2 extra            => 1 idle
			a: XPENDING s g "(2-0" + 10                => 1 idle
			a: XPENDING s g - "(4-0" 10                => 1 idle
			a: XPENDING s g 3 3 10                     => 1 idle
			a: XPENDING s g "(0-0" "(18446744073709551615-18446744073709551615" 10 => 1 idle
			a: XPENDING s g "(18446744073709551615-18446744073709551615" + 10 => 1
			a: XPENDING s g - "(0-0" 1                 => 1
			a: XPENDING s g x + 10                     => 1
			a: XPENDING s g - x 10                     => 1
			a: XPENDING s g IDLE 0                     => 1
			a: XPENDING s g IDLE                       => 1
			a: XPENDING s g IDLE 0 - +                 => 1
			a: XPENDING s g -                          => 1
			a: XPENDING s g 5-0 1-0 10                 => 1
			a: XPENDING s g - + 10 nosuch              => 1
			a: XPENDING nokey g - + 10                 => 1
			a: XPENDING nokey g - + x                  => 1
			a: XPENDING s nog - + 10                   => 1
			a: XGROUP CREATECONSUMER s g idle          => 1; s: 2
			a: XPENDING s g                            => 1
			a: XGROUP DELCONSUMER s g c2               => 1; s: 2
			a: XPENDING s g                            => 1
			a: XPENDING s g - + 10                     => 1 idle
			a: XINFO CONSUMERS s g                     => 1 idle
			a: XACK s g 2-0 3-0 4-0                    => 1
			a: XPENDING s g                            => 1
			a: SET str x                               => 1; s: 2
			a: XACK str g 1-0                          => 1
			a: XPENDING str g                          => 1
			a: XPENDING str g - + 10                   => 1
			a: XPENDING str g - + x                    => 1
		`),
		groupSessions("xclaim", `
			a: XCLAIM s g c 0 1-0                      => 1
			a: XADD s 1-0 f v1                         => 1; s: 2
			a: XADD s 2-0 f v2                         => 1; s: 2
			a: XADD s 3-0 f v3                         => 1; s: 2
			a: XADD s 4-0 f v4                         => 1; s: 2
			a: XADD s 5-0 f v5                         => 1; s: 2
			a: XGROUP CREATE s g 0                     => 1; s: 2
			a: XCLAIM s g newc 0 1-0                   => 1
			a: XINFO CONSUMERS s g                     => 1
			a: XREADGROUP GROUP g c1 COUNT 3 STREAMS s > => 1; s: 2
			a: XDEL s 2-0                              => 1; s: 2
			a: XCLAIM s g c2 0 1-0 2-0 3-0 9-0         => 1; s: 2
			a: XPENDING s g - + 10                     => 1 idle
			a: XCLAIM s g c2 0 4-0                     => 1
			a: XCLAIM s g c2 0 4-0 FORCE               => 1
			a: XCLAIM s g c2 0 5-0 FORCE JUSTID        => 1
			a: XCLAIM s g c2 0 9-0 FORCE               => 1
			a: XPENDING s g - + 10                     => 1 idle
			a: XCLAIM s g c3 0 1-0 RETRYCOUNT 7 IDLE 5000 JUSTID => 1; s: 2
			a: XPENDING s g - + 10                     => 1 idle
			a: XPENDING s g IDLE 4000 - + 10           => 1 idle
			a: XCLAIM s g c3 3600000 1-0               => 1
			a: XCLAIM s g c2 4000 1-0 3-0 JUSTID       => 1
			a: XCLAIM s g c3 0 1-0 TIME 1000 JUSTID    => 1
			a: XPENDING s g IDLE 100000 - + 10         => 1 idle
			a: XCLAIM s g c3 0 1-0 TIME -5 JUSTID      => 1
			a: XCLAIM s g c3 0 1-0 TIME 99999999999999 RETRYCOUNT 0 => 1
			a: XPENDING s g IDLE 100000 - + 10         => 1
			a: XPENDING s g - + 10 c3                  => 1 idle
			a: XCLAIM s g c3 0 1-0 IDLE x              => 1
			a: XCLAIM s g c3 0 1-0 TIME x              => 1
			a: XCLAIM s g c3 0 1-0 RETRYCOUNT x        => 1
			a: XCLAIM s g c3 0 1-0 RETRYCOUNT -1 JUSTID => 1
			a: XCLAIM s g c3 0 1-0 LASTID x            => 1
			a: XCLAIM s g c3 0 1-0 LASTID +            => 1
			a: XCLAIM s g c3 0 1-0 LASTID 100-0 JUSTID => 1
			a: XINFO GROUPS s                          => 1
			a: XCLAIM s g c3 0 1-0 LASTID 50-0 JUSTID  => 1
			a: XINFO GROUPS s                          => 1
			a: XCLAIM s g c3 0 9-9 LASTID 200-0        => 1
			a: XINFO GROUPS s                          => 1
			a: XCLAIM s g c3 0 1-0 FOO                 => 1
			a: XCLAIM s g c3 0 1-0 IDLE                => 1
			a: XCLAIM s g c3 0 1-0 justid idle 10 time 5 force retrycount 3 lastid 0 => 1
			a: XCLAIM s g c3 x 1-0                     => 1
			a: XCLAIM s g c3 -5 1-0 JUSTID             => 1
			a: XCLAIM s g c3 0 bad                     => 1
			a: XCLAIM s g c3 0 1-0 bad 3-0             => 1
			a: XCLAIM s g c3 0 1-0 3-0 JUSTID 4-0      => 1
			a: XCLAIM s g c3 0 1-0 1-0 3-0 1-0         => 1
			a: XCLAIM s g c2 0 1-0 1-0 JUSTID          => 1
			a: XPENDING s g - + 10                     => 1 idle
			a: XCLAIM s nog c3 0 1-0                   => 1
			a: XCLAIM nokey g c3 0 1-0                 => 1
			a: XCLAIM nokey g c3 x 1-0                 => 1
			a: XCLAIM s g c3 0                         => 1
			a: XPENDING s g                            => 1
			a: XINFO CONSUMERS s g                     => 1 idle
			a: SET str x                               => 1; s: 2
			a: XCLAIM str g c 0 1-0                    => 1
			a: XCLAIM str g c x 1-0                    => 1
		`),
		groupSessions("xautoclaim", `
			a: XAUTOCLAIM s g c 0 0                    => 1
			a: XAUTOCLAIM s g c x 0                    => 1
			a: XAUTOCLAIM s g c 0 x                    => 1
			a: XAUTOCLAIM s g c 0 0 COUNT 0            => 1
			a: XAUTOCLAIM s g c 0 0 FOO                => 1
			a: XADD s 1-0 f v1                         => 1; s: 2
			a: XADD s 2-0 f v2                         => 1; s: 2
			a: XADD s 3-0 f v3                         => 1; s: 2
			a: XADD s 4-0 f v4                         => 1; s: 2
			a: XADD s 5-0 f v5                         => 1; s: 2
			a: XGROUP CREATE s g 0                     => 1; s: 2
			a: XAUTOCLAIM s g newc 0 0                 => 1
			a: XINFO CONSUMERS s g                     => 1
			a: XREADGROUP GROUP g c1 STREAMS s >       => 1; s: 2
			a: XAUTOCLAIM s g c2 0 0 COUNT 2           => 1; s: 2
			a: XAUTOCLAIM s g c2 0 3-0 COUNT 2 JUSTID  => 1
			a: XAUTOCLAIM s g c2 0 5-0 COUNT 2 JUSTID  => 1
			a: XAUTOCLAIM s g c2 0 "(4-0" JUSTID       => 1
			a: XAUTOCLAIM s g c2 0 6 JUSTID            => 1
			a: XAUTOCLAIM s g c2 3600000 0             => 1
			a: XPENDING s g - + 10                     => 1 idle
			a: XDEL s 2-0 4-0                          => 1; s: 2
			a: XAUTOCLAIM s g c3 0 0 COUNT 1           => 1; s: 2
			a: XPENDING s g                            => 1
			a: XAUTOCLAIM s g c3 0 0 COUNT 2 JUSTID    => 1
			a: XPENDING s g                            => 1
			a: XAUTOCLAIM s g c3 0 0                   => 1
			a: XDEL s 1-0 3-0 5-0                      => 1; s: 2
			a: XAUTOCLAIM s g c3 0 0 COUNT 100         => 1
			a: XPENDING s g                            => 1
			a: XINFO CONSUMERS s g                     => 1 idle
			a: XAUTOCLAIM s g c4 0 0 COUNT 0           => 1
			a: XAUTOCLAIM s g c4 0 0 COUNT -1          => 1
			a: XAUTOCLAIM s g c4 0 0 COUNT x           => 1
			a: XAUTOCLAIM s g c4 0 0 COUNT             => 1
			a: XAUTOCLAIM s g c4 0 0 FOO               => 1
			a: XAUTOCLAIM s g c4 0 0 JUSTID FOO        => 1
			a: XAUTOCLAIM s g c4 0 0 count 1 justid count 2 => 1
			a: XAUTOCLAIM s g c4 x 0                   => 1
			a: XAUTOCLAIM s g c4 -7 0                  => 1
			a: XAUTOCLAIM s g c4 0 x                   => 1
			a: XAUTOCLAIM s g c4 0 -                   => 1
			a: XAUTOCLAIM s g c4 0 +                   => 1
			a: XAUTOCLAIM s nog c4 0 0                 => 1
			a: XAUTOCLAIM nokey g c4 0 0               => 1
			a: XAUTOCLAIM nokey g c4 0 x               => 1
			a: XAUTOCLAIM nokey g c4 0 0 COUNT 0       => 1
			a: XAUTOCLAIM s g c4 0 0 COUNT 576460752303423487 => 1
			a: XAUTOCLAIM s g c4 0 0 COUNT 5497558138880 => 1
			a: XAUTOCLAIM s g c4 0 0 COUNT 5497558138881 => 1
			a: XAUTOCLAIM s nog c4 0 0 COUNT 5497558138881 => 1
			a: XAUTOCLAIM s g c4 0 0 COUNT 576460752303423488 => 1
			a: XAUTOCLAIM s g c4 0 "(18446744073709551615-18446744073709551615" => 1
			a: XAUTOCLAIM s g c4                       => 1
			a: SET str x                               => 1; s: 2
			a: XAUTOCLAIM str g c 0 0                  => 1
			a: XAUTOCLAIM str g c 0 x                  => 1
		`),
		groupSessions("xautoclaim scans ten times count", `
			a: XGROUP CREATE s g $ MKSTREAM            => 1; s: 2
			a: XADD s 1 f v                            => 1; s: 2
			a: XADD s 2 f v                            => 1; s: 2
			a: XADD s 3 f v                            => 1; s: 2
			a: XADD s 4 f v                            => 1; s: 2
			a: XADD s 5 f v                            => 1; s: 2
			a: XADD s 6 f v                            => 1; s: 2
			a: XADD s 7 f v                            => 1; s: 2
			a: XADD s 8 f v                            => 1; s: 2
			a: XADD s 9 f v                            => 1; s: 2
			a: XADD s 10 f v                           => 1; s: 2
			a: XADD s 11 f v                           => 1; s: 2
			a: XADD s 12 f v                           => 1; s: 2
			a: XREADGROUP GROUP g c COUNT 11 STREAMS s > => 1; s: 2
			a: XCLAIM s g c 0 11 IDLE 1000000 JUSTID   => 1
			a: XAUTOCLAIM s g d 100000 0 COUNT 1 JUSTID => 1
			a: XCLAIM s g c 0 1 2 IDLE 1000000 JUSTID  => 1
			a: XAUTOCLAIM s g d 100000 0 COUNT 1 JUSTID => 1; s: 2
			a: XAUTOCLAIM s g d 100000 2 COUNT 1 JUSTID => 1
			a: XAUTOCLAIM s g d 100000 3 COUNT 1 JUSTID => 1
			a: XAUTOCLAIM s g d 100000 0 COUNT 1 JUSTID => 1
		`),
		groupSessions("xinfo groups and consumers", `
			a: XINFO GROUPS s                          => 1
			a: XINFO CONSUMERS s g                     => 1
			a: XINFO GROUPS                            => 1
			a: XINFO CONSUMERS s                       => 1
			a: XINFO CONSUMERS s g x                   => 1
			a: XINFO GROUPS s x                        => 1
			a: XGROUP CREATE s g $ MKSTREAM            => 1; s: 2
			a: XINFO GROUPS s                          => 1
			a: XINFO CONSUMERS s g                     => 1
			a: XINFO CONSUMERS s nog                   => 1
			a: XADD s 1-0 a 1                          => 1; s: 2
			a: XADD s 2-0 a 1                          => 1; s: 2
			a: XADD s 3-0 a 1                          => 1; s: 2
			a: XGROUP CREATE s b 0                     => 1; s: 2
			a: XGROUP CREATE s c 2-0                   => 1; s: 2
			a: XGROUP CREATE s a 1-0 ENTRIESREAD 1     => 1; s: 2
			a: XINFO GROUPS s                          => 1
			a: XREADGROUP GROUP b zed COUNT 1 STREAMS s > => 1; s: 2
			a: XREADGROUP GROUP b alpha COUNT 1 STREAMS s > => 1; s: 2
			a: XREADGROUP GROUP c x STREAMS s >        => 1; s: 2
			a: XREADGROUP GROUP a x STREAMS s >        => 1; s: 2
			a: XINFO GROUPS s                          => 1
			a: XINFO CONSUMERS s b                     => 1 idle
			a: XDEL s 3-0                              => 1; s: 2
			a: XINFO GROUPS s                          => 1
			a: XADD s 4-0 a 1                          => 1; s: 2
			a: XINFO GROUPS s                          => 1
			a: XDEL s 1-0                              => 1; s: 2
			a: XINFO GROUPS s                          => 1
			a: XREADGROUP GROUP b zed STREAMS s >      => 1
			a: XINFO GROUPS s                          => 1
			a: XGROUP SETID s b 0                      => 1; s: 2
			a: XINFO GROUPS s                          => 1
			a: XGROUP SETID s b 2-0                    => 1; s: 2
			a: XINFO GROUPS s                          => 1
			a: XGROUP SETID s b 4-0                    => 1; s: 2
			a: XINFO GROUPS s                          => 1
			a: XGROUP SETID s b 5-0                    => 1; s: 2
			a: XINFO GROUPS s                          => 1
			a: XTRIM s MAXLEN 0                        => 1; s: 2
			a: XINFO GROUPS s                          => 1
			a: XGROUP SETID s b 0                      => 1; s: 2
			a: XINFO GROUPS s                          => 1
			a: XGROUP CREATE s z 0                     => 1; s: 2
			a: XINFO GROUPS s                          => 1
			a: SET str x                               => 1; s: 2
			a: XINFO GROUPS str                        => 1
			a: XINFO CONSUMERS str g                   => 1
			a: XINFO GROUPS nokey                      => 1
			a: XINFO CONSUMERS nokey g                 => 1
		`),
		groupSessions("lag and entries-read", `
			a: XADD s 1-0 a 1                          => 1; s: 2
			a: XADD s 2-0 a 1                          => 1; s: 2
			a: XADD s 3-0 a 1                          => 1; s: 2
			a: XADD s 4-0 a 1                          => 1; s: 2
			a: XGROUP CREATE s g 0                     => 1; s: 2
			a: XGROUP CREATE s h 0 ENTRIESREAD 0       => 1; s: 2
			a: XGROUP CREATE s i $                     => 1; s: 2
			a: XGROUP CREATE s j 2-0                   => 1; s: 2
			a: XINFO GROUPS s                          => 1
			a: XREADGROUP GROUP g c COUNT 1 STREAMS s > => 1; s: 2
			a: XREADGROUP GROUP h c COUNT 1 STREAMS s > => 1; s: 2
			a: XREADGROUP GROUP j c COUNT 1 STREAMS s > => 1; s: 2
			a: XINFO GROUPS s                          => 1
			a: XDEL s 2-0                              => 1; s: 2
			a: XINFO GROUPS s                          => 1
			a: XREADGROUP GROUP g c COUNT 1 STREAMS s > => 1
			a: XREADGROUP GROUP h c COUNT 1 STREAMS s > => 1
			a: XINFO GROUPS s                          => 1
			a: XREADGROUP GROUP g c STREAMS s >        => 1
			a: XREADGROUP GROUP h c STREAMS s >        => 1
			a: XREADGROUP GROUP j c STREAMS s >        => 1
			a: XINFO GROUPS s                          => 1
			a: XADD s 5-0 a 1                          => 1; s: 2
			a: XINFO GROUPS s                          => 1
			a: XDEL s 5-0                              => 1; s: 2
			a: XINFO GROUPS s                          => 1
			a: XDEL s 1-0 3-0 4-0                      => 1; s: 2
			a: XINFO GROUPS s                          => 1
			a: XADD s 6-0 a 1                          => 1; s: 2
			a: XREADGROUP GROUP i c STREAMS s >        => 1; s: 2
			a: XINFO GROUPS s                          => 1
			a: XGROUP CREATE e g 0 MKSTREAM            => 1; s: 2
			a: XGROUP CREATE e h 5-0 MKSTREAM          => 1; s: 2
			a: XINFO GROUPS e                          => 1
			a: XADD e 1-0 a 1                          => 1; s: 2
			a: XINFO GROUPS e                          => 1
			a: XDEL e 1-0                              => 1; s: 2
			a: XINFO GROUPS e                          => 1
			a: XREADGROUP GROUP g c STREAMS e >        => 1
			a: XINFO GROUPS e                          => 1
		`),
		groupSessions("group commands do not touch watched keys", `
			a: XADD s 1-0 a 1                          => 1; s: 2
			a: XADD s 2-0 a 1                          => 1; s: 2
			a: XGROUP CREATE s g 0                     => 1; s: 2
			a: WATCH s                                 => 1
			b: XGROUP CREATE s g2 0                    => 1; s: 2
			b: XGROUP CREATECONSUMER s g c0            => 1; s: 2
			b: XGROUP DELCONSUMER s g c0               => 1; s: 2
			b: XREADGROUP GROUP g c COUNT 1 STREAMS s > => 1; s: 2
			b: XCLAIM s g d 0 1-0                      => 1; s: 2
			b: XAUTOCLAIM s g e 0 0                    => 1; s: 2
			b: XACK s g 1-0                            => 1
			b: XGROUP SETID s g 0                      => 1; s: 2
			b: XGROUP DESTROY s g2                     => 1; s: 2
			a: MULTI                                   => 1
			a: XLEN s                                  => 1
			a: EXEC                                    => 1
			a: WATCH s2                                => 1
			b: XGROUP CREATE s2 g 0 MKSTREAM           => 1; s: 2
			a: MULTI                                   => 1
			a: XLEN s2                                 => 1
			a: EXEC                                    => 1
		`),
		groupSessions("xinfo stream full with groups", `
			a: XADD s 1-0 a 1                          => 1; s: 2
			a: XADD s 2-0 b 2                          => 1; s: 2
			a: XADD s 3-0 c 3                          => 1; s: 2
			a: XGROUP CREATE s g 0                     => 1; s: 2
			a: XGROUP CREATE s h $ ENTRIESREAD 3       => 1; s: 2
			a: XGROUP CREATECONSUMER s g idle          => 1; s: 2
			a: XREADGROUP GROUP g c1 COUNT 2 STREAMS s > => 1; s: 2
			a: XREADGROUP GROUP g c2 STREAMS s >       => 1; s: 2
			a: XCLAIM s g c2 0 1-0 RETRYCOUNT 5 JUSTID => 1
			a: XDEL s 2-0                              => 1; s: 2
			a: XINFO STREAM s FULL                     => 1 idle
			a: XINFO STREAM s FULL COUNT 1             => 1 idle
			a: XINFO STREAM s                          => 1
			a: XGROUP DESTROY s h                      => 1; s: 2
			a: XINFO STREAM s FULL COUNT 0             => 1 idle
		`),
		groupSessions("odd reads", `
			a: XADD s 1-0 a 1                          => 1; s: 2
			a: XADD s 2-0 b 2                          => 1; s: 2
			a: XGROUP CREATE s g 0                     => 1; s: 2
			a: XREADGROUP GROUP g c STREAMS s s > >    => 1; s: 2
			a: XREADGROUP GROUP g c STREAMS s s 0 0    => 1
			a: XREADGROUP GROUP g c STREAMS s s 0 >    => 1
			a: XREADGROUP GROUP g c COUNT 1 STREAMS s 1-0 => 1
			a: XREADGROUP GROUP g c STREAMS s 18446744073709551615-18446744073709551615 => 1
			a: XREADGROUP GROUP g c STREAMS s 18446744073709551615-18446744073709551614 => 1
			a: XPENDING s g - + 10                     => 1 idle
			a: XREADGROUP GROUP g "" STREAMS s 0       => 1; s: 2
			a: XREADGROUP GROUP g "a b\x00c" NOACK STREAMS s 0 => 1; s: 2
			a: XINFO CONSUMERS s g                     => 1 idle
			a: XADD s 3-0 c 3                          => 1; s: 2
			a: XDEL s 3-0                              => 1; s: 2
			a: XREADGROUP GROUP g c STREAMS s >        => 1
			a: XINFO GROUPS s                          => 1
			a: XADD s 4-0 d 4                          => 1; s: 2
			a: XGROUP SETID s g 1-0                    => 1; s: 2
			a: XREADGROUP GROUP g d COUNT 1 STREAMS s > => 1; s: 2
			a: XPENDING s g - + 10                     => 1 idle
			a: XREADGROUP GROUP g d NOACK STREAMS s >  => 1
			a: XPENDING s g                            => 1
			a: XINFO GROUPS s                          => 1
			a: XGROUP CREATE s "" 0                    => 1; s: 2
			a: XREADGROUP GROUP "" x STREAMS s >       => 1; s: 2
			a: XGROUP DESTROY s ""                     => 1; s: 2
			a: XREADGROUP GROUP "no\r\ngroup" x STREAMS s > => 1
			a: XPENDING s "no\r\ngroup"              => 1
			a: XCLAIM s "no\x00group" x 0 1-0         => 1
			a: XINFO CONSUMERS s "no\r\ngroup"       => 1
			a: XGROUP SETID s "no\r\ngroup" 0        => 1
		`),
		groupSessions("copy, rename and move keep the groups", `
			a: XADD s 1-0 a 1                          => 1; s: 2
			a: XGROUP CREATE s g 0                     => 1; s: 2
			a: XREADGROUP GROUP g c STREAMS s >        => 1; s: 2
			a: COPY s t                                => 1; s: 2
			a: XINFO GROUPS t                          => 1
			a: XPENDING t g - + 10                     => 1 idle
			a: XACK t g 1-0                            => 1
			a: XPENDING s g                            => 1
			a: XPENDING t g                            => 1
			a: RENAME t u                              => 1; s: 4
			a: XINFO GROUPS u                          => 1
			a: XINFO CONSUMERS u g                     => 1 idle
			a: MOVE u 1                                => 1; s: 4
			a: SELECT 1                                => 1
			a: XINFO GROUPS u                          => 1
			a: XGROUP CREATE u h 0                     => 1; s: 2
			a: SELECT 0                                => 1
			a: XINFO GROUPS s                          => 1
		`),
		groupSessions("ACL key permissions", `
			a: XGROUP CREATE s g $ MKSTREAM            => 1; s: 2
			a: XADD s 1-0 f v                          => 1; s: 2
			a: XREADGROUP GROUP g c STREAMS s >        => 1; s: 2
			a: COMMAND GETKEYS XREADGROUP GROUP g c STREAMS s t > > => 1
			a: COMMAND GETKEYS XREADGROUP GROUP g c COUNT 1 BLOCK 0 NOACK STREAMS s > => 1
			a: COMMAND GETKEYS XGROUP CREATE s g $     => 1
			a: COMMAND GETKEYS XCLAIM s g c 0 1-0      => 1
			a: COMMAND GETKEYS XINFO CONSUMERS s g     => 1
			a: COMMAND GETKEYS XAUTOCLAIM s g c 0 0    => 1
			a: ACL SETUSER u on nopass ~s* +@all       => 1
			a: AUTH u x                                => 1
			a: XREADGROUP GROUP g c STREAMS t >        => 1
			a: XREADGROUP GROUP g c STREAMS s t > >    => 1
			a: XGROUP CREATE t g $                     => 1
			a: XACK t g 1-0                            => 1
			a: XINFO GROUPS t                          => 1
			a: XINFO CONSUMERS t g                     => 1
			a: XAUTOCLAIM t g c 0 0                    => 1
			a: XREADGROUP GROUP g c STREAMS s 0        => 1
			a: AUTH default x                          => 1
			a: ACL SETUSER r on nopass %R~* +@all      => 1
			a: AUTH r x                                => 1
			a: XREADGROUP GROUP g c STREAMS s 0        => 1
			a: XPENDING s g                            => 1
			a: XACK s g 1-0                            => 1
			a: XCLAIM s g c 0 1-0                      => 1
			a: XGROUP CREATECONSUMER s g x             => 1
			a: XINFO GROUPS s                          => 1
			a: AUTH default x                          => 1
			a: ACL DELUSER u r                         => 1
		`),
		groupSessions("inside MULTI", `
			a: XGROUP CREATE s g $ MKSTREAM            => 1; s: 2
			a: MULTI                                   => 1
			a: XADD s 1-0 a 1                          => 1
			a: XREADGROUP GROUP g c STREAMS s >        => 1
			a: XREADGROUP GROUP g c BLOCK 0 STREAMS s > => 1
			a: XACK s g 1-0                            => 1
			a: XPENDING s g                            => 1
			a: EXEC                                    => 1; s: 4
			a: MULTI                                   => 1
			a: XREADGROUP GROUP g c BLOCK 0 STREAMS s > => 1
			a: XREADGROUP GROUP g c BLOCK 0 STREAMS s 0 => 1
			a: EXEC                                    => 1
		`),
	)
}

// TestDiffStreamGroupBlocking compares XREADGROUP ... BLOCK: served by
// XADD in the order the clients blocked, each getting what its group has
// not delivered yet; timeouts; the errors of a client whose group or key
// goes away while it waits. See TestDiffBlocking for the ~blocked
// directive.
func TestDiffStreamGroupBlocking(t *testing.T) {
	t.Parallel()
	env := newDiffEnv(t, Config{})
	runBlockingSessions(t, env, streamGroupBlockingSessions())
}

func streamGroupBlockingSessions() []session {
	return sessions(
		groupSessions("served by xadd", `
			a: XGROUP CREATE s g $ MKSTREAM            => 1; s: 2
			a: XREADGROUP GROUP g c BLOCK 0 STREAMS s > => 0
			~blocked 1
			b: XADD s 1-0 f v                          => 1; a: 1; s: 4
			b: XPENDING s g                            => 1
			a: XREADGROUP GROUP g c BLOCK 0 NOACK STREAMS s > => 0
			~blocked 1
			b: XADD s 2-0 f v                          => 1; a: 1; s: 2
			b: XPENDING s g                            => 1
			a: XREADGROUP GROUP g c BLOCK 0 STREAMS s 0 => 1
			a: XREADGROUP GROUP g c BLOCK 0 COUNT 1 STREAMS t s > > => 1
			b: XGROUP CREATE t g $ MKSTREAM            => 1; s: 2
			a: XREADGROUP GROUP g c BLOCK 0 COUNT 1 STREAMS t s > > => 0
			~blocked 1
			b: XADD s 3-0 f v                          => 1; a: 1; s: 2
			a: XREADGROUP GROUP g c BLOCK 0 COUNT 1 STREAMS t s > > => 0
			~blocked 1
			b: XADD t 3-0 f v                          => 1; a: 1; s: 4
			b: XINFO GROUPS t                          => 1
			b: XINFO GROUPS s                          => 1
		`),
		groupSessions("several waiters in order", `
			a: XGROUP CREATE s g $ MKSTREAM            => 1; s: 2
			a: XGROUP CREATE s h $                     => 1; s: 2
			a: XREADGROUP GROUP g c1 BLOCK 0 STREAMS s > => 0
			~blocked 1
			c: XREADGROUP GROUP g c2 BLOCK 0 STREAMS s > => 0
			~blocked 2
			d: XREADGROUP GROUP h c1 BLOCK 0 STREAMS s > => 0
			~blocked 3
			e: XREAD BLOCK 0 STREAMS s $               => 0
			~blocked 4
			b: XADD s 1-0 f v                          => 1; a: 1; d: 1; e: 1; s: 6
			~blocked 1
			b: XADD s 2-0 f v                          => 1; c: 1; s: 4
			~blocked 0
			b: XPENDING s g                            => 1
			b: XPENDING s h                            => 1
			a: XREADGROUP GROUP g c1 BLOCK 0 COUNT 1 STREAMS s > => 0
			~blocked 1
			c: XREADGROUP GROUP g c2 BLOCK 0 STREAMS s > => 0
			~blocked 2
			b: MULTI                                   => 1
			b: XADD s 3-0 f v                          => 1
			b: XADD s 4-0 f v                          => 1
			b: XADD s 5-0 f v                          => 1
			b: EXEC                                    => 1; s: 6; a: 1; c: 1
			b: XPENDING s g                            => 1
		`),
		groupSessions("changes inside a transaction", `
			a: XGROUP CREATE s g $ MKSTREAM            => 1; s: 2
			a: XREADGROUP GROUP g c BLOCK 0 STREAMS s > => 0
			~blocked 1
			b: MULTI                                   => 1
			b: XADD s 1-0 f v                          => 1
			b: XDEL s 1-0                              => 1
			b: EXEC                                    => 1; s: 6; a: 1
			b: XINFO GROUPS s                          => 1
			a: XREADGROUP GROUP g c BLOCK 0 STREAMS s > => 0
			~blocked 1
			b: MULTI                                   => 1
			b: DEL s                                   => 1
			b: XGROUP CREATE s g $ MKSTREAM            => 1
			b: EXEC                                    => 1; s: 4
			b: XADD s 2-0 f v                          => 1; s: 4; a: 1
			a: XREADGROUP GROUP g c BLOCK 0 STREAMS s > => 0
			~blocked 1
			b: MULTI                                   => 1
			b: XGROUP DESTROY s g                      => 1
			b: XGROUP CREATE s g $                     => 1
			b: EXEC                                    => 1; s: 4
			b: XADD s 3-0 f v                          => 1; s: 4; a: 1
			a: XREADGROUP GROUP g c BLOCK 0 STREAMS s > => 0
			~blocked 1
			b: MULTI                                   => 1
			b: XGROUP SETID s g 0                      => 1
			b: XADD s 4-0 f v                          => 1
			b: EXEC                                    => 1; s: 4; a: 1
			b: XPENDING s g - + 10                     => 1 idle
			a: CLIENT REPLY OFF                        => 0
			a: XREADGROUP GROUP g c BLOCK 0 STREAMS s > => 0
			~blocked 1
			b: XADD s 5-0 f v                          => 1; s: 2
			a: CLIENT REPLY ON                         => 1
			b: XPENDING s g                            => 1
		`),
		groupSessions("timeouts", `
			a: XGROUP CREATE s g $ MKSTREAM            => 1; s: 2
			a: XREADGROUP GROUP g c BLOCK 10 STREAMS s > => 1
			a: XREADGROUP GROUP g c BLOCK 1 COUNT 5 STREAMS s > => 1
			a: XINFO CONSUMERS s g                     => 1 idle
			b: XADD s 1-0 f v                          => 1; s: 2
			a: XREADGROUP GROUP g c BLOCK 10 STREAMS s > => 1; s: 2
			a: XREADGROUP GROUP g c BLOCK 10 STREAMS s > => 1
		`),
		groupSessions("the group is destroyed", `
			a: XGROUP CREATE s g $ MKSTREAM            => 1; s: 2
			a: XREADGROUP GROUP g c BLOCK 0 STREAMS s > => 0
			~blocked 1
			c: XREAD BLOCK 0 STREAMS s $               => 0
			~blocked 2
			b: XGROUP DESTROY s g                      => 1; a: 1; s: 2
			~blocked 1
			b: XADD s 1-0 f v                          => 1; c: 1; s: 2
			b: XGROUP CREATE s g $                     => 1; s: 2
			a: XREADGROUP GROUP g c BLOCK 0 STREAMS s > => 0
			~blocked 1
			b: XGROUP DELCONSUMER s g c                => 1
			b: XGROUP SETID s g 0                      => 1; s: 2
			b: XADD s 2-0 f v                          => 1; a: 1; s: 4
			b: XINFO CONSUMERS s g                     => 1 idle
		`),
		groupSessions("the key is deleted or replaced", `
			a: XGROUP CREATE s g $ MKSTREAM            => 1; s: 2
			a: XREADGROUP GROUP g c BLOCK 0 STREAMS s > => 0
			~blocked 1
			c: XREAD BLOCK 0 STREAMS s $               => 0
			~blocked 2
			b: DEL s                                   => 1; a: 1; s: 2
			~blocked 1
			b: XADD s 1-0 f v                          => 1; c: 1; s: 2
			b: XGROUP CREATE s g $                     => 1; s: 2
			a: XREADGROUP GROUP g c BLOCK 0 STREAMS s > => 0
			~blocked 1
			b: SET s x                                 => 1; a: 1; s: 2
			b: DEL s                                   => 1; s: 2
			b: XGROUP CREATE s g $ MKSTREAM            => 1; s: 2
			a: XREADGROUP GROUP g c BLOCK 0 STREAMS s > => 0
			~blocked 1
			b: XADD t 1-0 f v                          => 1; s: 2
			b: RENAME t s                              => 1; a: 1; s: 4
			b: XGROUP CREATE s g $                     => 1; s: 2
			a: XREADGROUP GROUP g c BLOCK 0 STREAMS s > => 0
			~blocked 1
			b: FLUSHALL                                => 1; a: 1
			b: XGROUP CREATE s g $ MKSTREAM            => 1; s: 2
			a: XREADGROUP GROUP g c BLOCK 0 STREAMS s > => 0
			~blocked 1
			b: UNLINK s                                => 1; a: 1; s: 2
			b: XGROUP CREATE s g $ MKSTREAM            => 1; s: 2
			b: XGROUP CREATE u g $ MKSTREAM            => 1; s: 2
			a: XREADGROUP GROUP g c BLOCK 0 STREAMS s u > > => 0
			~blocked 1
			b: DEL u                                   => 1; a: 1; s: 2
			b: EXISTS s                                => 1
			a: XREADGROUP GROUP g c BLOCK 0 STREAMS s > => 0
			~blocked 1
			b: MOVE s 1                                => 1; a: 1; s: 4
			b: SELECT 1                                => 1
			b: XINFO GROUPS s                          => 1
			b: RENAME s s2                             => 1; s: 4
			b: MOVE s2 0                               => 1; s: 4
			b: SELECT 0                                => 1
			b: RENAME s2 s                             => 1; s: 4
			a: XREADGROUP GROUP g c BLOCK 0 STREAMS s > => 0
			~blocked 1
			b: SET str x                               => 1; s: 2
			b: COPY str s REPLACE                      => 1; a: 1; s: 2
			b: DEL s                                   => 1; s: 2
			b: XGROUP CREATE s g $ MKSTREAM            => 1; s: 2
			a: XREADGROUP GROUP g c BLOCK 0 STREAMS s > => 0
			~blocked 1
			b: XADD t 1-0 f v                          => 1; s: 2
			b: COPY t s REPLACE                        => 1; a: 1; s: 2
		`),
		groupSessions("the key expires", `
			a: XGROUP CREATE s g $ MKSTREAM            => 1; s: 2
			a: XREADGROUP GROUP g c BLOCK 0 STREAMS s > => 0
			~blocked 1
			b: PEXPIRE s 1                             => 1; s: 2
			~blocked 0
			a: PING                                    => 2; s: 2
		`),
		groupSessions("a waiter that disconnects is forgotten", `
			a: XGROUP CREATE s g $ MKSTREAM            => 1; s: 2
			a: XREADGROUP GROUP g c BLOCK 0 STREAMS s > => 0
			~blocked 1
			c: XREADGROUP GROUP g d BLOCK 0 STREAMS s > => 0
			~blocked 2
			~close a
			~blocked 1
			b: XADD s 1-0 f v                          => 1; c: 1; s: 4
			b: XPENDING s g                            => 1
		`),
	)
}
