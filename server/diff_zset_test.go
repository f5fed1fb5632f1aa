package server

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/redistest"
	"github.com/heraldhq/herald/internal/resp"
)

// zsetSession is a sorted-set session in both protocols: the database
// flushed, notifications on (KEA), and connection s subscribed to them all,
// so each step lists the notifications it raises (two per event). A session
// that uses a command Herald does not have yet (SET, EXPIRE ... of other
// groups) is skipped, saying which.
func zsetSession(name, script string) []session {
	out := forProtocols(name, "a s", `
		a: FLUSHALL                                   => 1
		a: CONFIG SET notify-keyspace-events KEA      => 1
		s: PSUBSCRIBE __key*@*__:*                    => 1
	`+script)
	var missing []string
	for _, m := range scriptCommand.FindAllStringSubmatch(script, -1) {
		if name := strings.ToLower(m[1]); commands[name] == nil && !strings.Contains(strings.Join(missing, " "), name) {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		for i := range out {
			out[i].skip = "needs " + strings.Join(missing, ", ") + ", not in Herald yet"
		}
	}
	return out
}

var scriptCommand = regexp.MustCompile(`(?m)^\s*\w+:\s*(\S+)`)

// TestDiffZSet compares the sorted-set commands with redis-server: replies,
// errors and the notifications each raises, in RESP2 and RESP3.
func TestDiffZSet(t *testing.T) {
	t.Parallel()
	env := newDiffEnv(t, Config{})
	env.run(t, sessions(
		zsetSession("zadd", `
			a: ZADD z 1 a 2 b 3 c                  => 1; s: 2
			a: ZADD z 1 a                          => 1
			a: ZADD z 5 a 6 d                      => 1; s: 2
			a: ZADD z CH 5 a 7 d 8 e               => 1; s: 2
			a: ZADD z NX 0 a 9 f                   => 1; s: 2
			a: ZADD z XX 0 a 9 g                   => 1; s: 2
			a: ZADD z XX CH 0 a 1 b                => 1; s: 2
			a: ZADD z GT CH 10 a -1 b              => 1; s: 2
			a: ZADD z LT CH 20 a -1 b              => 1; s: 2
			a: ZADD z GT XX CH 30 a 40 nope        => 1; s: 2
			a: ZADD z gt ch nx 1 a                 => 1
			a: ZADD z LT GT 1 a                    => 1
			a: ZADD z NX XX 1 a                    => 1
			a: ZADD z LT NX 1 a                    => 1
			a: ZADD z INCR 1 a 2 b                 => 1
			a: ZADD z                              => 1
			a: ZADD z 1                            => 1
			a: ZADD z 1 a 2                        => 1
			a: ZADD z CH                           => 1
			a: ZADD z x a                          => 1
			a: ZADD z 1 a x b                      => 1
			a: ZADD z nan a                        => 1
			a: ZADD z "" a                         => 1
			a: ZADD z " 1" a                       => 1
			a: ZADD z "1 " a                       => 1
			a: ZADD z 1e400 a                      => 1
			a: ZADD z 1e-400 a                     => 1
			a: ZADD z "1\x00" a                    => 1
			a: ZADD z 1_0 a                        => 1
			a: ZADD z 1e-310 h 0x10 i 0x1p-2 j +inf k -INFINITY l .5 m 5. n 1E3 o => 1; s: 2
			a: ZRANGE z 0 -1 WITHSCORES            => 1
			a: ZADD z XX 1 nope                    => 1
			a: ZADD nokey XX 1 a                   => 1
			a: ZADD nokey XX INCR 1 a              => 1
			a: DBSIZE                          => 1
			a: ZADD                                => 1
			a: zadd z                              => 1
			a: ZCARD z                             => 1
		`),
		zsetSession("zadd incr and zincrby", `
			a: ZADD z INCR 1 a                     => 1; s: 2
			a: ZADD z INCR 2.5 a                   => 1; s: 2
			a: ZADD z INCR 0 a                     => 1
			a: ZADD z INCR NX 1 a                  => 1
			a: ZADD z INCR XX 1 b                  => 1
			a: ZADD z INCR GT -1 a                 => 1
			a: ZADD z INCR LT -1 a                 => 1; s: 2
			a: ZADD z INCR CH 1 a                  => 1; s: 2
			a: ZINCRBY z 1 a                       => 1; s: 2
			a: ZINCRBY z -10 new                   => 1; s: 2
			a: ZINCRBY z 0 new                     => 1
			a: ZINCRBY z inf a                     => 1; s: 2
			a: ZINCRBY z -inf a                    => 1
			a: ZADD z INCR -inf a                  => 1
			a: ZADD z inf a 1 x -inf a             => 1; s: 2
			a: ZRANGE z 0 -1 WITHSCORES            => 1
			a: ZINCRBY z x a                       => 1
			a: ZINCRBY z nan a                     => 1
			a: ZINCRBY z 1                         => 1
			a: ZINCRBY z 1 a b                     => 1
		`),
		zsetSession("score formats", `
			a: ZADD z 0.1 a 1e21 b -0 c 123456789012345678 d 0.30000000000000004 e 1e-5 f 3.0 g -2.5e-300 h 100 i 1.7976931348623157e308 j 4.9e-324 k 1234567.125 l => 1; s: 2
			a: ZRANGE z 0 -1 WITHSCORES            => 1
			a: ZSCORE z a                          => 1
			a: ZSCORE z c                          => 1
			a: ZMSCORE z a b c d e f g h i j k l nope => 1
			a: ZSCAN z 0                           => 1
			a: ZADD z 0 c                          => 1
			a: ZSCORE z c                          => 1
			a: ZADD z2 0 c                         => 1; s: 2
			a: ZADD z2 -0 c                        => 1
			a: ZSCORE z2 c                         => 1
			a: ZINCRBY z2 0.1 c                    => 1; s: 2
			a: ZINCRBY z2 0.2 c                    => 1; s: 2
		`),
		forProtocols("float syntax", "a", `
			a: FLUSHALL                            => 1
			a: ZADD f "0x" m                     => 1
			a: ZSCORE f m                            => 1
			a: ZCOUNT f "0x" +inf                    => 1
			a: ZCOUNT f "(0x" "0x"                   => 1
			a: ZINCRBY f "0x" m                      => 1
			a: ZADD f "0x." m                     => 1
			a: ZSCORE f m                            => 1
			a: ZCOUNT f "0x." +inf                    => 1
			a: ZCOUNT f "(0x." "0x."                   => 1
			a: ZINCRBY f "0x." m                      => 1
			a: ZADD f "0x1.p1" m                     => 1
			a: ZSCORE f m                            => 1
			a: ZCOUNT f "0x1.p1" +inf                    => 1
			a: ZCOUNT f "(0x1.p1" "0x1.p1"                   => 1
			a: ZINCRBY f "0x1.p1" m                      => 1
			a: ZADD f "0X1P-2" m                     => 1
			a: ZSCORE f m                            => 1
			a: ZCOUNT f "0X1P-2" +inf                    => 1
			a: ZCOUNT f "(0X1P-2" "0X1P-2"                   => 1
			a: ZINCRBY f "0X1P-2" m                      => 1
			a: ZADD f "0x1.8" m                     => 1
			a: ZSCORE f m                            => 1
			a: ZCOUNT f "0x1.8" +inf                    => 1
			a: ZCOUNT f "(0x1.8" "0x1.8"                   => 1
			a: ZINCRBY f "0x1.8" m                      => 1
			a: ZADD f "0x.8" m                     => 1
			a: ZSCORE f m                            => 1
			a: ZCOUNT f "0x.8" +inf                    => 1
			a: ZCOUNT f "(0x.8" "0x.8"                   => 1
			a: ZINCRBY f "0x.8" m                      => 1
			a: ZADD f "1e" m                     => 1
			a: ZSCORE f m                            => 1
			a: ZCOUNT f "1e" +inf                    => 1
			a: ZCOUNT f "(1e" "1e"                   => 1
			a: ZINCRBY f "1e" m                      => 1
			a: ZADD f "1e+" m                     => 1
			a: ZSCORE f m                            => 1
			a: ZCOUNT f "1e+" +inf                    => 1
			a: ZCOUNT f "(1e+" "1e+"                   => 1
			a: ZINCRBY f "1e+" m                      => 1
			a: ZADD f "1e+5" m                     => 1
			a: ZSCORE f m                            => 1
			a: ZCOUNT f "1e+5" +inf                    => 1
			a: ZCOUNT f "(1e+5" "1e+5"                   => 1
			a: ZINCRBY f "1e+5" m                      => 1
			a: ZADD f "." m                     => 1
			a: ZSCORE f m                            => 1
			a: ZCOUNT f "." +inf                    => 1
			a: ZCOUNT f "(." "."                   => 1
			a: ZINCRBY f "." m                      => 1
			a: ZADD f "-." m                     => 1
			a: ZSCORE f m                            => 1
			a: ZCOUNT f "-." +inf                    => 1
			a: ZCOUNT f "(-." "-."                   => 1
			a: ZINCRBY f "-." m                      => 1
			a: ZADD f "+.5" m                     => 1
			a: ZSCORE f m                            => 1
			a: ZCOUNT f "+.5" +inf                    => 1
			a: ZCOUNT f "(+.5" "+.5"                   => 1
			a: ZINCRBY f "+.5" m                      => 1
			a: ZADD f "-.5e-3" m                     => 1
			a: ZSCORE f m                            => 1
			a: ZCOUNT f "-.5e-3" +inf                    => 1
			a: ZCOUNT f "(-.5e-3" "-.5e-3"                   => 1
			a: ZINCRBY f "-.5e-3" m                      => 1
			a: ZADD f "infinity" m                     => 1
			a: ZSCORE f m                            => 1
			a: ZCOUNT f "infinity" +inf                    => 1
			a: ZCOUNT f "(infinity" "infinity"                   => 1
			a: ZINCRBY f "infinity" m                      => 1
			a: ZADD f "INF" m                     => 1
			a: ZSCORE f m                            => 1
			a: ZCOUNT f "INF" +inf                    => 1
			a: ZCOUNT f "(INF" "INF"                   => 1
			a: ZINCRBY f "INF" m                      => 1
			a: ZADD f "-Infinity" m                     => 1
			a: ZSCORE f m                            => 1
			a: ZCOUNT f "-Infinity" +inf                    => 1
			a: ZCOUNT f "(-Infinity" "-Infinity"                   => 1
			a: ZINCRBY f "-Infinity" m                      => 1
			a: ZADD f "+inf" m                     => 1
			a: ZSCORE f m                            => 1
			a: ZCOUNT f "+inf" +inf                    => 1
			a: ZCOUNT f "(+inf" "+inf"                   => 1
			a: ZINCRBY f "+inf" m                      => 1
			a: ZADD f "nan(123)" m                     => 1
			a: ZSCORE f m                            => 1
			a: ZCOUNT f "nan(123)" +inf                    => 1
			a: ZCOUNT f "(nan(123)" "nan(123)"                   => 1
			a: ZINCRBY f "nan(123)" m                      => 1
			a: ZADD f "-nan" m                     => 1
			a: ZSCORE f m                            => 1
			a: ZCOUNT f "-nan" +inf                    => 1
			a: ZCOUNT f "(-nan" "-nan"                   => 1
			a: ZINCRBY f "-nan" m                      => 1
			a: ZADD f "0x1p-1075" m                     => 1
			a: ZSCORE f m                            => 1
			a: ZCOUNT f "0x1p-1075" +inf                    => 1
			a: ZCOUNT f "(0x1p-1075" "0x1p-1075"                   => 1
			a: ZINCRBY f "0x1p-1075" m                      => 1
			a: ZADD f "4.9e-325" m                     => 1
			a: ZSCORE f m                            => 1
			a: ZCOUNT f "4.9e-325" +inf                    => 1
			a: ZCOUNT f "(4.9e-325" "4.9e-325"                   => 1
			a: ZINCRBY f "4.9e-325" m                      => 1
			a: ZADD f "2.4e-324" m                     => 1
			a: ZSCORE f m                            => 1
			a: ZCOUNT f "2.4e-324" +inf                    => 1
			a: ZCOUNT f "(2.4e-324" "2.4e-324"                   => 1
			a: ZINCRBY f "2.4e-324" m                      => 1
			a: ZADD f "2.5e-324" m                     => 1
			a: ZSCORE f m                            => 1
			a: ZCOUNT f "2.5e-324" +inf                    => 1
			a: ZCOUNT f "(2.5e-324" "2.5e-324"                   => 1
			a: ZINCRBY f "2.5e-324" m                      => 1
			a: ZADD f "1e-320" m                     => 1
			a: ZSCORE f m                            => 1
			a: ZCOUNT f "1e-320" +inf                    => 1
			a: ZCOUNT f "(1e-320" "1e-320"                   => 1
			a: ZINCRBY f "1e-320" m                      => 1
			a: ZADD f "00012" m                     => 1
			a: ZSCORE f m                            => 1
			a: ZCOUNT f "00012" +inf                    => 1
			a: ZCOUNT f "(00012" "00012"                   => 1
			a: ZINCRBY f "00012" m                      => 1
			a: ZADD f "1_000" m                     => 1
			a: ZSCORE f m                            => 1
			a: ZCOUNT f "1_000" +inf                    => 1
			a: ZCOUNT f "(1_000" "1_000"                   => 1
			a: ZINCRBY f "1_000" m                      => 1
			a: ZADD f "0b101" m                     => 1
			a: ZSCORE f m                            => 1
			a: ZCOUNT f "0b101" +inf                    => 1
			a: ZCOUNT f "(0b101" "0b101"                   => 1
			a: ZINCRBY f "0b101" m                      => 1
			a: ZADD f "\t1" m                     => 1
			a: ZSCORE f m                            => 1
			a: ZCOUNT f "\t1" +inf                    => 1
			a: ZCOUNT f "(\t1" "\t1"                   => 1
			a: ZINCRBY f "\t1" m                      => 1
			a: ZADD f "1\t" m                     => 1
			a: ZSCORE f m                            => 1
			a: ZCOUNT f "1\t" +inf                    => 1
			a: ZCOUNT f "(1\t" "1\t"                   => 1
			a: ZINCRBY f "1\t" m                      => 1
			a: ZADD f "+-1" m                     => 1
			a: ZSCORE f m                            => 1
			a: ZCOUNT f "+-1" +inf                    => 1
			a: ZCOUNT f "(+-1" "+-1"                   => 1
			a: ZINCRBY f "+-1" m                      => 1
			a: ZADD f "--1" m                     => 1
			a: ZSCORE f m                            => 1
			a: ZCOUNT f "--1" +inf                    => 1
			a: ZCOUNT f "(--1" "--1"                   => 1
			a: ZINCRBY f "--1" m                      => 1
			a: ZADD f "0x1p1024" m                     => 1
			a: ZSCORE f m                            => 1
			a: ZCOUNT f "0x1p1024" +inf                    => 1
			a: ZCOUNT f "(0x1p1024" "0x1p1024"                   => 1
			a: ZINCRBY f "0x1p1024" m                      => 1
			a: ZADD f "1.7976931348623159e308" m                     => 1
			a: ZSCORE f m                            => 1
			a: ZCOUNT f "1.7976931348623159e308" +inf                    => 1
			a: ZCOUNT f "(1.7976931348623159e308" "1.7976931348623159e308"                   => 1
			a: ZINCRBY f "1.7976931348623159e308" m                      => 1
			a: ZADD f "1.7976931348623158e308" m                     => 1
			a: ZSCORE f m                            => 1
			a: ZCOUNT f "1.7976931348623158e308" +inf                    => 1
			a: ZCOUNT f "(1.7976931348623158e308" "1.7976931348623158e308"                   => 1
			a: ZINCRBY f "1.7976931348623158e308" m                      => 1
			a: ZADD f "0x1.fffffffffffffp1023" m                     => 1
			a: ZSCORE f m                            => 1
			a: ZCOUNT f "0x1.fffffffffffffp1023" +inf                    => 1
			a: ZCOUNT f "(0x1.fffffffffffffp1023" "0x1.fffffffffffffp1023"                   => 1
			a: ZINCRBY f "0x1.fffffffffffffp1023" m                      => 1
			a: ZADD f "0xg" m                     => 1
			a: ZSCORE f m                            => 1
			a: ZCOUNT f "0xg" +inf                    => 1
			a: ZCOUNT f "(0xg" "0xg"                   => 1
			a: ZINCRBY f "0xg" m                      => 1
			a: ZADD f "1.5e3x" m                     => 1
			a: ZSCORE f m                            => 1
			a: ZCOUNT f "1.5e3x" +inf                    => 1
			a: ZCOUNT f "(1.5e3x" "1.5e3x"                   => 1
			a: ZINCRBY f "1.5e3x" m                      => 1
			a: ZADD f "1e0001" m                     => 1
			a: ZSCORE f m                            => 1
			a: ZCOUNT f "1e0001" +inf                    => 1
			a: ZCOUNT f "(1e0001" "1e0001"                   => 1
			a: ZINCRBY f "1e0001" m                      => 1
			a: ZADD f "0e999" m                     => 1
			a: ZSCORE f m                            => 1
			a: ZCOUNT f "0e999" +inf                    => 1
			a: ZCOUNT f "(0e999" "0e999"                   => 1
			a: ZINCRBY f "0e999" m                      => 1
			a: ZADD f "0x0p99999" m                     => 1
			a: ZSCORE f m                            => 1
			a: ZCOUNT f "0x0p99999" +inf                    => 1
			a: ZCOUNT f "(0x0p99999" "0x0p99999"                   => 1
			a: ZINCRBY f "0x0p99999" m                      => 1
			a: ZADD f "-0x0" m                     => 1
			a: ZSCORE f m                            => 1
			a: ZCOUNT f "-0x0" +inf                    => 1
			a: ZCOUNT f "(-0x0" "-0x0"                   => 1
			a: ZINCRBY f "-0x0" m                      => 1
			a: ZADD f "1E-5" m                     => 1
			a: ZSCORE f m                            => 1
			a: ZCOUNT f "1E-5" +inf                    => 1
			a: ZCOUNT f "(1E-5" "1E-5"                   => 1
			a: ZINCRBY f "1E-5" m                      => 1
			a: ZADD f "9007199254740993" m                     => 1
			a: ZSCORE f m                            => 1
			a: ZCOUNT f "9007199254740993" +inf                    => 1
			a: ZCOUNT f "(9007199254740993" "9007199254740993"                   => 1
			a: ZINCRBY f "9007199254740993" m                      => 1
			a: ZADD f "0.000001" m                     => 1
			a: ZSCORE f m                            => 1
			a: ZCOUNT f "0.000001" +inf                    => 1
			a: ZCOUNT f "(0.000001" "0.000001"                   => 1
			a: ZINCRBY f "0.000001" m                      => 1
			a: ZADD f "123456789e-20" m                     => 1
			a: ZSCORE f m                            => 1
			a: ZCOUNT f "123456789e-20" +inf                    => 1
			a: ZCOUNT f "(123456789e-20" "123456789e-20"                   => 1
			a: ZINCRBY f "123456789e-20" m                      => 1
			a: ZADD f "infinit" m                     => 1
			a: ZSCORE f m                            => 1
			a: ZCOUNT f "infinit" +inf                    => 1
			a: ZCOUNT f "(infinit" "infinit"                   => 1
			a: ZINCRBY f "infinit" m                      => 1
			a: ZADD f "infx" m                     => 1
			a: ZSCORE f m                            => 1
			a: ZCOUNT f "infx" +inf                    => 1
			a: ZCOUNT f "(infx" "infx"                   => 1
			a: ZINCRBY f "infx" m                      => 1
			a: ZADD f "i" m                     => 1
			a: ZSCORE f m                            => 1
			a: ZCOUNT f "i" +inf                    => 1
			a: ZCOUNT f "(i" "i"                   => 1
			a: ZINCRBY f "i" m                      => 1
			a: ZADD f "0x1P+3" m                     => 1
			a: ZSCORE f m                            => 1
			a: ZCOUNT f "0x1P+3" +inf                    => 1
			a: ZCOUNT f "(0x1P+3" "0x1P+3"                   => 1
			a: ZINCRBY f "0x1P+3" m                      => 1
			a: ZADD f "1.e2" m                     => 1
			a: ZSCORE f m                            => 1
			a: ZCOUNT f "1.e2" +inf                    => 1
			a: ZCOUNT f "(1.e2" "1.e2"                   => 1
			a: ZINCRBY f "1.e2" m                      => 1
			a: ZADD f "5." m                     => 1
			a: ZSCORE f m                            => 1
			a: ZCOUNT f "5." +inf                    => 1
			a: ZCOUNT f "(5." "5."                   => 1
			a: ZINCRBY f "5." m                      => 1
			a: ZADD f "  " m                     => 1
			a: ZSCORE f m                            => 1
			a: ZCOUNT f "  " +inf                    => 1
			a: ZCOUNT f "(  " "  "                   => 1
			a: ZINCRBY f "  " m                      => 1
			a: ZADD f "\x00" m                     => 1
			a: ZSCORE f m                            => 1
			a: ZCOUNT f "\x00" +inf                    => 1
			a: ZCOUNT f "(\x00" "\x00"                   => 1
			a: ZINCRBY f "\x00" m                      => 1
		`),
		zsetSession("zrem and del", `
			a: ZADD z 1 a 2 b 3 c                  => 1; s: 2
			a: ZREM z a nope a                     => 1; s: 2
			a: ZREM z nope                         => 1
			a: ZREM nokey a                        => 1
			a: ZREM z b c d                        => 1; s: 4
			a: DBSIZE                              => 1
			a: ZREM z                              => 1
		`),
		zsetSession("reads", `
			a: ZADD z 1 a 2 b 2 c 3 d              => 1; s: 2
			a: ZSCORE z b                          => 1
			a: ZSCORE z nope                       => 1
			a: ZSCORE nokey a                      => 1
			a: ZSCORE z                            => 1
			a: ZMSCORE z a nope d                  => 1
			a: ZMSCORE nokey a b                   => 1
			a: ZMSCORE z                           => 1
			a: ZCARD z                             => 1
			a: ZCARD nokey                         => 1
			a: ZCARD z x                           => 1
			a: ZRANK z a                           => 1
			a: ZRANK z d                           => 1
			a: ZRANK z nope                        => 1
			a: ZRANK nokey a                       => 1
			a: ZREVRANK z a                        => 1
			a: ZREVRANK z c                        => 1
			a: ZRANK z a WITHSCORE                 => 1
			a: ZCOUNT z 1 2                        => 1
			a: ZCOUNT z (1 2                       => 1
			a: ZCOUNT z (1 (2                      => 1
			a: ZCOUNT z -inf +inf                  => 1
			a: ZCOUNT z 3 1                        => 1
			a: ZCOUNT z "" ""                      => 1
			a: ZCOUNT z ( (                        => 1
			a: ZCOUNT z " 1" "2\x00x"              => 1
			a: ZCOUNT z x 1                        => 1
			a: ZCOUNT z 1 nan                      => 1
			a: ZCOUNT z 1 1e400                    => 1
			a: ZCOUNT nokey 1 2                    => 1
			a: ZCOUNT nokey x 2                    => 1
		`),
		zsetSession("lex", `
			a: ZADD z 0 a 0 b 0 c 0 d 0 e 0 "" 0 ab 0 "b\x00" => 1; s: 2
			a: ZLEXCOUNT z - +                     => 1
			a: ZLEXCOUNT z [b [d                   => 1
			a: ZLEXCOUNT z (b (d                   => 1
			a: ZLEXCOUNT z + -                     => 1
			a: ZLEXCOUNT z [ [                     => 1
			a: ZLEXCOUNT z ( [a                    => 1
			a: ZLEXCOUNT z b d                     => 1
			a: ZLEXCOUNT z -x +                    => 1
			a: ZLEXCOUNT z "-\x00x" +              => 1
			a: ZLEXCOUNT nokey - +                 => 1
			a: ZLEXCOUNT nokey x +                 => 1
			a: ZRANGEBYLEX z - +                   => 1
			a: ZRANGEBYLEX z [b (d                 => 1
			a: ZRANGEBYLEX z - + LIMIT 1 2         => 1
			a: ZRANGEBYLEX z - + LIMIT 1 -1        => 1
			a: ZRANGEBYLEX z - + LIMIT -1 2        => 1
			a: ZRANGEBYLEX z - + LIMIT 100 2       => 1
			a: ZRANGEBYLEX z - + LIMIT 1 0         => 1
			a: ZRANGEBYLEX z - + WITHSCORES        => 1
			a: ZRANGEBYLEX z - + LIMIT 1           => 1
			a: ZRANGEBYLEX z - + LIMIT x 1         => 1
			a: ZRANGEBYLEX z x +                   => 1
			a: ZREVRANGEBYLEX z + -                => 1
			a: ZREVRANGEBYLEX z (d [b              => 1
			a: ZREVRANGEBYLEX z + - LIMIT 2 3      => 1
			a: ZREVRANGEBYLEX z - +                => 1
			a: ZRANGE z [b [d BYLEX                => 1
			a: ZRANGE z [d [b BYLEX REV            => 1
			a: ZRANGE z + - BYLEX REV LIMIT 0 2    => 1
			a: ZRANGE z - + BYLEX WITHSCORES       => 1
			a: ZREMRANGEBYLEX z (a [c              => 1; s: 2
			a: ZREMRANGEBYLEX z x +                => 1
			a: ZREMRANGEBYLEX z [x [y              => 1
			a: ZREMRANGEBYLEX nokey - +            => 1
			a: ZRANGE z 0 -1                       => 1
			a: ZREMRANGEBYLEX z - +                => 1; s: 4
			a: DBSIZE                              => 1
		`),
		zsetSession("zrange", `
			a: ZADD z 1 a 2 b 3 c 4 d 5 e          => 1; s: 2
			a: ZRANGE z 0 -1                       => 1
			a: ZRANGE z 0 -1 WITHSCORES            => 1
			a: ZRANGE z 1 2 withscores             => 1
			a: ZRANGE z -2 -1                      => 1
			a: ZRANGE z -100 100                   => 1
			a: ZRANGE z 3 1                        => 1
			a: ZRANGE z 5 10                       => 1
			a: ZRANGE z 0 -1 REV                   => 1
			a: ZRANGE z 0 1 REV WITHSCORES         => 1
			a: ZRANGE z 0 -1 LIMIT 0 1             => 1
			a: ZRANGE z x 1                        => 1
			a: ZRANGE z 0 1 nope                   => 1
			a: ZRANGE z 0 1 REV REV                => 1
			a: ZRANGE z 0 1 BYSCORE BYLEX          => 1
			a: ZRANGE z 0 1 WITHSCORES WITHSCORES  => 1
			a: ZRANGE nokey 0 -1                   => 1
			a: ZRANGE nokey x -1                   => 1
			a: ZRANGE z (1 4 BYSCORE               => 1
			a: ZRANGE z 4 (1 BYSCORE REV WITHSCORES => 1
			a: ZRANGE z -inf +inf BYSCORE LIMIT 1 2 WITHSCORES => 1
			a: ZRANGE z -inf +inf BYSCORE LIMIT 1 -5 => 1
			a: ZRANGE z -inf +inf BYSCORE LIMIT -1 5 => 1
			a: ZRANGE z -inf +inf BYSCORE LIMIT 5 5 => 1
			a: ZRANGE z +inf -inf BYSCORE REV LIMIT 1 2 => 1
			a: ZRANGE z x 1 BYSCORE                => 1
			a: ZRANGE z 1 2 BYSCORE LIMIT 0 x      => 1
			a: ZREVRANGE z 0 -1                    => 1
			a: ZREVRANGE z 0 1 WITHSCORES          => 1
			a: ZREVRANGE z 0 1 REV                 => 1
			a: ZREVRANGE z 0 1 BYSCORE             => 1
			a: ZRANGEBYSCORE z 2 4                 => 1
			a: ZRANGEBYSCORE z (2 (4 WITHSCORES    => 1
			a: ZRANGEBYSCORE z -inf +inf LIMIT 2 2 => 1
			a: ZRANGEBYSCORE z -inf +inf LIMIT 2   => 1
			a: ZRANGEBYSCORE z 1 2 REV             => 1
			a: ZRANGEBYSCORE z 1 2 BYSCORE         => 1
			a: ZRANGEBYSCORE z 4 2                 => 1
			a: ZREVRANGEBYSCORE z 4 2              => 1
			a: ZREVRANGEBYSCORE z +inf -inf WITHSCORES LIMIT 1 2 => 1
			a: ZREVRANGEBYSCORE z 4 (2             => 1
			a: ZRANGE z                            => 1
			a: ZRANGEBYSCORE z 1                   => 1
		`),
		zsetSession("zrangestore", `
			a: ZADD src 1 a 2 b 3 c 4 d            => 1; s: 2
			a: ZRANGESTORE dst src 0 1             => 1; s: 2
			a: ZRANGE dst 0 -1 WITHSCORES          => 1
			a: ZRANGESTORE dst src 2 3 REV         => 1; s: 2
			a: ZRANGE dst 0 -1 WITHSCORES          => 1
			a: ZRANGESTORE dst src (1 +inf BYSCORE LIMIT 1 5 => 1; s: 2
			a: ZRANGESTORE dst src [d - BYLEX REV  => 1; s: 2
			a: ZRANGESTORE dst src 0 -1 WITHSCORES => 1
			a: ZRANGESTORE dst src 0 -1 LIMIT 0 1  => 1
			a: ZRANGESTORE dst src 10 20           => 1; s: 2
			a: DBSIZE                            => 1
			a: ZRANGESTORE dst src 10 20           => 1
			a: ZRANGESTORE dst nokey 0 -1          => 1
			a: ZRANGESTORE dst src                 => 1
			a: ZRANGESTORE src src 1 2             => 1; s: 2
			a: ZRANGE src 0 -1                     => 1
		`),
		zsetSession("zpop", `
			a: ZADD z 1 a 2 b 3 c 4 d 5 e          => 1; s: 2
			a: ZPOPMIN z                           => 1; s: 2
			a: ZPOPMAX z                           => 1; s: 2
			a: ZPOPMIN z 2                         => 1; s: 2
			a: ZPOPMIN z 0                         => 1
			a: ZPOPMIN z -1                        => 1
			a: ZPOPMIN z x                         => 1
			a: ZPOPMIN z 1 2                       => 1
			a: ZPOPMAX z 1                         => 1; s: 4
			a: DBSIZE                              => 1
			a: ZPOPMIN z                           => 1
			a: ZPOPMIN z 3                         => 1
			a: ZPOPMAX nokey -1                    => 1
			a: ZADD z 1 a 2 b                      => 1; s: 2
			a: ZPOPMAX z 10                        => 1; s: 4
			a: ZPOPMIN                             => 1
		`),
		zsetSession("zremrange", `
			a: ZADD z 1 a 2 b 3 c 4 d 5 e 6 f      => 1; s: 2
			a: ZREMRANGEBYRANK z 0 0               => 1; s: 2
			a: ZREMRANGEBYRANK z -1 -1             => 1; s: 2
			a: ZREMRANGEBYRANK z 5 10              => 1
			a: ZREMRANGEBYRANK z 2 1               => 1
			a: ZREMRANGEBYRANK z x 1               => 1
			a: ZREMRANGEBYRANK nokey 0 1           => 1
			a: ZREMRANGEBYSCORE z (2 3             => 1; s: 2
			a: ZREMRANGEBYSCORE z 10 20            => 1
			a: ZREMRANGEBYSCORE z x 20             => 1
			a: ZREMRANGEBYSCORE nokey 1 2          => 1
			a: ZRANGE z 0 -1 WITHSCORES            => 1
			a: ZREMRANGEBYRANK z -100 100          => 1; s: 4
			a: DBSIZE                              => 1
			a: ZADD z 1 a                          => 1; s: 2
			a: ZREMRANGEBYSCORE z -inf inf         => 1; s: 4
			a: ZREMRANGEBYRANK z 0                 => 1
		`),
		zsetSession("zscan", `
			a: ZADD z 1 a 2 b 3 c 1.5 ab           => 1; s: 2
			a: ZSCAN z 0                           => 1
			a: ZSCAN z 0 MATCH a*                  => 1
			a: ZSCAN z 0 MATCH * COUNT 1           => 1
			a: ZSCAN z 0 COUNT 0                   => 1
			a: ZSCAN z 0 COUNT x                   => 1
			a: ZSCAN z 0 MATCH                     => 1
			a: ZSCAN z 0 NOPE x                    => 1
			a: ZSCAN z x                           => 1
			a: ZSCAN z -1                          => 1
			a: ZSCAN z ""                          => 1
			a: ZSCAN z " 0"                        => 1
			a: ZSCAN z 99999999999999999999999     => 1
			a: ZSCAN nokey 0                       => 1
			a: ZSCAN nokey 0 NOPE                  => 1
			a: ZSCAN nokey x                       => 1
			a: ZSCAN z                             => 1
		`),
		zsetSession("zrangestore replaces a value of any type and its TTL", `
			a: ZADD src 1 a 2 b                    => 1; s: 2
			a: ZRANGESTORE dst src 0 0             => 1; s: 2
			a: EXPIRE dst 100                      => 1; s: 2
			a: ZRANGESTORE dst src 0 -1            => 1; s: 2
			a: TTL dst                             => 1
			a: SET str x                           => 1; s: 2
			a: ZRANGESTORE str src 0 0             => 1; s: 2
			a: TYPE str                            => 1
			a: SET str x                           => 1; s: 2
			a: ZRANGESTORE str src 5 6             => 1; s: 2
			a: TYPE str                            => 1
			a: SET str x                           => 1; s: 2
			a: ZRANGESTORE dst str 0 0             => 1
			a: ZRANGESTORE dst str x 0             => 1
			a: ZRANGESTORE dst str 0 0 BYLEX       => 1
		`),
		zsetSession("wrong type", `
			a: SET str x                           => 1; s: 2
			a: ZADD str 1 a                        => 1
			a: ZADD str x a                        => 1
			a: ZADD str NX XX 1 a                  => 1
			a: ZADD str XX 1 a                     => 1
			a: ZINCRBY str 1 a                     => 1
			a: ZINCRBY str x a                     => 1
			a: ZREM str a                          => 1
			a: ZSCORE str a                        => 1
			a: ZMSCORE str a                       => 1
			a: ZCARD str                           => 1
			a: ZRANK str a                         => 1
			a: ZREVRANK str a                      => 1
			a: ZCOUNT str 1 2                      => 1
			a: ZCOUNT str x 2                      => 1
			a: ZLEXCOUNT str - +                   => 1
			a: ZLEXCOUNT str x +                   => 1
			a: ZRANGE str 0 -1                     => 1
			a: ZRANGE str x -1                     => 1
			a: ZRANGE str 0 -1 nope                => 1
			a: ZRANGEBYSCORE str 0 1               => 1
			a: ZRANGEBYLEX str - +                 => 1
			a: ZREVRANGE str 0 1                   => 1
			a: ZPOPMIN str                         => 1
			a: ZPOPMAX str 0                       => 1
			a: ZPOPMAX str -1                      => 1
			a: ZPOPMAX str x                       => 1
			a: ZREMRANGEBYRANK str 0 1             => 1
			a: ZREMRANGEBYRANK str x 1             => 1
			a: ZREMRANGEBYSCORE str 0 1            => 1
			a: ZREMRANGEBYLEX str - +              => 1
			a: ZSCAN str 0                         => 1
			a: ZSCAN str x                         => 1
			a: GET str                             => 1
		`),
		forProtocols("new and keymiss", "a s", `
			a: FLUSHALL                                   => 1
			a: CONFIG SET notify-keyspace-events KEAnm    => 1
			s: PSUBSCRIBE __key*@*__:*                    => 1
			a: ZADD z 1 a                                 => 1; s: 4
			a: ZADD z 2 b                                 => 1; s: 2
			a: ZADD z XX 2 c                              => 1
			a: ZINCRBY y 1 a                              => 1; s: 4
			a: ZSCORE nokey a                             => 1; s: 2
			a: ZMSCORE nokey a b                          => 1; s: 2
			a: ZCARD nokey                                => 1; s: 2
			a: ZCOUNT nokey 1 2                           => 1; s: 2
			a: ZCOUNT nokey x 2                           => 1
			a: ZLEXCOUNT nokey - +                        => 1; s: 2
			a: ZRANK nokey a                              => 1; s: 2
			a: ZREVRANK nokey a                           => 1; s: 2
			a: ZRANGE nokey 0 -1                          => 1; s: 2
			a: ZRANGEBYSCORE nokey 0 1                    => 1; s: 2
			a: ZREVRANGEBYLEX nokey + -                   => 1; s: 2
			a: ZSCAN nokey 0                              => 1; s: 2
			a: ZREM nokey a                               => 1
			a: ZPOPMIN nokey                              => 1
			a: ZREMRANGEBYRANK nokey 0 1                  => 1
			a: ZRANGESTORE dst z 0 -1                     => 1; s: 4
			a: ZRANGESTORE dst z 0 0                      => 1; s: 2
			a: ZRANGESTORE dst nokey 0 0                  => 1; s: 4
			a: ZRANGESTORE dst2 nokey 0 0                 => 1; s: 2
			a: CONFIG SET notify-keyspace-events ""       => 1
		`),
		zsetSession("zunionstore, zinterstore, zdiffstore", `
			a: ZADD z1 1 a 2 b 3 c                 => 1; s: 2
			a: ZADD z2 10 b 20 c 30 d              => 1; s: 2
			a: SADD set c d e                      => 1; s: 2
			a: ZUNIONSTORE u 2 z1 z2               => 1; s: 2
			a: ZRANGE u 0 -1 WITHSCORES            => 1
			a: ZUNIONSTORE u 3 z1 z2 set WEIGHTS 1 2 0.5 AGGREGATE MAX => 1; s: 2
			a: ZRANGE u 0 -1 WITHSCORES            => 1
			a: ZUNIONSTORE u 2 z1 z2 aggregate min weights -1 -0 => 1; s: 2
			a: ZRANGE u 0 -1 WITHSCORES            => 1
			a: ZINTERSTORE i 2 z1 z2               => 1; s: 2
			a: ZRANGE i 0 -1 WITHSCORES            => 1
			a: ZINTERSTORE i 3 z1 z2 set           => 1; s: 2
			a: ZINTERSTORE i 2 z1 z1 WEIGHTS 2 3   => 1; s: 2
			a: ZRANGE i 0 -1 WITHSCORES            => 1
			a: ZINTERSTORE i 2 z1 nokey            => 1; s: 2
			a: DBSIZE                              => 1
			a: ZINTERSTORE i 2 z1 nokey            => 1
			a: ZDIFFSTORE d 2 z1 z2                => 1; s: 2
			a: ZRANGE d 0 -1 WITHSCORES            => 1
			a: ZDIFFSTORE d 3 z2 set nokey         => 1; s: 2
			a: ZDIFFSTORE d 1 set                  => 1; s: 2
			a: ZRANGE d 0 -1 WITHSCORES            => 1
			a: ZDIFFSTORE d 2 z1 z1                => 1; s: 2
			a: ZDIFFSTORE d 2 z1 z2 WEIGHTS 1 1    => 1
			a: ZDIFFSTORE d 1 z1 AGGREGATE SUM     => 1
			a: ZUNIONSTORE u 0 z1                  => 1
			a: ZUNIONSTORE u -1 z1                 => 1
			a: ZUNIONSTORE u x z1                  => 1
			a: ZUNIONSTORE u 3 z1 z2               => 1
			a: ZUNIONSTORE u 2 z1 z2 WEIGHTS 1     => 1
			a: ZUNIONSTORE u 2 z1 z2 WEIGHTS 1 x   => 1
			a: ZUNIONSTORE u 2 z1 z2 WEIGHTS 1 nan => 1
			a: ZUNIONSTORE u 2 z1 z2 AGGREGATE     => 1
			a: ZUNIONSTORE u 2 z1 z2 AGGREGATE avg => 1
			a: ZUNIONSTORE u 2 z1 z2 WITHSCORES    => 1
			a: ZUNIONSTORE u 2 z1 z2 nope          => 1
			a: ZINTERSTORE u 0 z1                  => 1
			a: ZDIFFSTORE u 0 z1                   => 1
			a: ZUNIONSTORE u 1                     => 1
			a: SET str x                           => 1; s: 2
			a: ZUNIONSTORE u 2 z1 str              => 1
			a: ZUNIONSTORE u 2 str z1 WEIGHTS x    => 1
			a: ZUNIONSTORE str 1 z1                => 1; s: 2
			a: TYPE str                            => 1
			a: ZADD inf 1 a                        => 1; s: 2
			a: ZADD inf inf a                      => 1; s: 2
			a: ZADD ninf -inf a 0 b                => 1; s: 2
			a: ZUNIONSTORE u 2 inf ninf            => 1; s: 2
			a: ZRANGE u 0 -1 WITHSCORES            => 1
			a: ZUNIONSTORE u 2 inf ninf WEIGHTS 0 1 => 1; s: 2
			a: ZRANGE u 0 -1 WITHSCORES            => 1
			a: ZINTERSTORE u 2 inf ninf AGGREGATE MAX => 1; s: 2
			a: ZRANGE u 0 -1 WITHSCORES            => 1
		`),
		zsetSession("zunion, zinter, zdiff, zintercard", `
			a: ZADD z1 1 a 2 b 3 c 0 z             => 1; s: 2
			a: ZADD z2 10 b 20 c 30 d              => 1; s: 2
			a: SADD set c d e                      => 1; s: 2
			a: ZUNION 2 z1 z2                      => 1
			a: ZUNION 3 z1 z2 set WITHSCORES       => 1
			a: ZUNION 2 z1 z2 WEIGHTS -1 1 WITHSCORES AGGREGATE max => 1
			a: ZUNION 1 z1 WEIGHTS -1 WITHSCORES   => 1
			a: ZINTER 2 z1 z2 WITHSCORES           => 1
			a: ZINTER 3 z1 z2 set                  => 1
			a: ZINTER 2 z1 nokey                   => 1
			a: ZDIFF 2 z1 z2 WITHSCORES            => 1
			a: ZDIFF 2 z1 z2 WEIGHTS 1 1           => 1
			a: ZDIFF 1 nokey                       => 1
			a: ZINTERCARD 2 z1 z2                  => 1
			a: ZINTERCARD 2 z1 z2 LIMIT 1          => 1
			a: ZINTERCARD 2 z1 z2 LIMIT 0          => 1
			a: ZINTERCARD 2 z1 z2 LIMIT -1         => 1
			a: ZINTERCARD 2 z1 z2 LIMIT x          => 1
			a: ZINTERCARD 2 z1 z2 LIMIT            => 1
			a: ZINTERCARD 2 z1 z2 WITHSCORES       => 1
			a: ZINTERCARD 2 z1 z2 WEIGHTS 1 1      => 1
			a: ZINTERCARD 0 z1                     => 1
			a: ZINTERCARD 1 nokey                  => 1
			a: ZINTERCARD 3 z1 z2 set              => 1
			a: ZUNION 0 z1                         => 1
			a: ZUNION 2 z1                         => 1
			a: ZUNION 1 z1 WITHSCORES WITHSCORES   => 1
			a: SET str x                           => 1; s: 2
			a: ZINTER 2 z1 str                     => 1
			a: ZINTERCARD 2 str x                  => 1
			a: ZUNION                              => 1
		`),
		zsetSession("with the generic commands and transactions", `
			a: ZADD z 1 a 2 b 3 c                  => 1; s: 2
			a: COPY z z2                           => 1; s: 2
			a: ZRANGE z2 0 -1 WITHSCORES           => 1
			a: OBJECT ENCODING z2                  => 1
			a: ZADD z2 4 d                         => 1; s: 2
			a: ZCARD z                             => 1
			a: RENAME z2 z3                        => 1; s: 4
			a: ZSCORE z3 d                         => 1
			a: MULTI                               => 1
			a: ZADD z 4 d                          => 1
			a: ZPOPMIN z 2                         => 1
			a: ZINCRBY z x nope                    => 1
			a: ZRANGE z 0 -1 WITHSCORES            => 1
			a: ZREM z c d                          => 1
			a: EXEC                                => 1; s: 8
			a: DBSIZE                              => 1
			a: DEL z3                              => 1; s: 2
			a: ZADD z 1 a                          => 1; s: 2
			a: PERSIST z                           => 1
			a: EXPIRE z 100                        => 1; s: 2
			a: ZADD z 2 b                          => 1; s: 2
			a: TTL z                               => 1
			a: ZPOPMAX z 5                         => 1; s: 4
			a: TTL z                               => 1
		`),
		zsetSession("zmpop", `
			a: ZADD z1 1 a 2 b 3 c                 => 1; s: 2
			a: ZADD z2 5 x                         => 1; s: 2
			a: ZMPOP 2 nokey z1 MIN                => 1; s: 2
			a: ZMPOP 2 nokey z1 max COUNT 1        => 1; s: 2
			a: ZMPOP 3 nokey z1 z2 MIN COUNT 10    => 1; s: 4
			a: ZMPOP 2 z1 z2 MAX                   => 1; s: 4
			a: ZMPOP 2 z1 z2 MAX                   => 1
			a: ZMPOP 1 z1 MIN                      => 1
			a: ZMPOP 0 z1 MIN                      => 1
			a: ZMPOP -1 z1 MIN                     => 1
			a: ZMPOP x z1 MIN                      => 1
			a: ZMPOP 2 z1 MIN                      => 1
			a: ZMPOP 9223372036854775807 z1 MIN    => 1
			a: ZMPOP 1 z1 MID                      => 1
			a: ZMPOP 1 z1 MIN COUNT 0              => 1
			a: ZMPOP 1 z1 MIN COUNT x              => 1
			a: ZMPOP 1 z1 MIN COUNT 1 COUNT 1      => 1
			a: ZMPOP 1 z1 MIN COUNT                => 1
			a: ZMPOP 1 z1 MIN nope                 => 1
			a: ZMPOP 1 z1                          => 1
			a: SET str x                           => 1; s: 2
			a: ZADD z3 1 a                         => 1; s: 2
			a: ZMPOP 2 str z3 MIN                  => 1
			a: ZMPOP 2 z3 str MIN                  => 1; s: 4
		`),
		zsetSession("zrandmember", `
			a: ZADD z 1 a 2 b 3 c                  => 1; s: 2
			a: ZRANDMEMBER z 3                     => 1
			a: ZRANDMEMBER z 5 WITHSCORES          => 1
			a: ZRANDMEMBER z 0                     => 1
			a: ZRANDMEMBER z 0 WITHSCORES          => 1
			a: ZRANDMEMBER z x                     => 1
			a: ZRANDMEMBER z 1 x                   => 1
			a: ZRANDMEMBER z 1 WITHSCORES x        => 1
			a: ZRANDMEMBER z -9223372036854775808  => 1
			a: ZRANDMEMBER z 9223372036854775807 WITHSCORES => 1
			a: ZRANDMEMBER z -4611686018427387904 WITHSCORES => 1
			a: ZRANDMEMBER nokey                   => 1
			a: ZRANDMEMBER nokey 3                 => 1
			a: ZRANDMEMBER nokey x                 => 1
			a: ZADD one 1 only                     => 1; s: 2
			a: ZRANDMEMBER one                     => 1
			a: ZRANDMEMBER one -3 WITHSCORES       => 1
			a: ZRANDMEMBER one 1 WITHSCORES        => 1
			a: SET str x                           => 1; s: 2
			a: ZRANDMEMBER str                     => 1
			a: ZRANDMEMBER str 1                   => 1
			a: ZRANDMEMBER str x                   => 1
			a: ZRANDMEMBER                         => 1
		`),
		zsetSession("-0 in results", `
			a: ZADD big 1 m0 1 m1 2 m2 3 m3 4 m4 5 m5 6 m6 7 m7 8 m8 9 m9 10 m10 11 m11 12 m12 13 m13 14 m14 15 m15 16 m16 17 m17 18 m18 19 m19 20 m20 21 m21 22 m22 23 m23 24 m24 25 m25 26 m26 27 m27 28 m28 29 m29 30 m30 31 m31 32 m32 33 m33 34 m34 35 m35 36 m36 37 m37 38 m38 39 m39 40 m40 41 m41 42 m42 43 m43 44 m44 45 m45 46 m46 47 m47 48 m48 49 m49 50 m50 51 m51 52 m52 53 m53 54 m54 55 m55 56 m56 57 m57 58 m58 59 m59 60 m60 61 m61 62 m62 63 m63 64 m64 65 m65 66 m66 67 m67 68 m68 69 m69 70 m70 71 m71 72 m72 73 m73 74 m74 75 m75 76 m76 77 m77 78 m78 79 m79 80 m80 81 m81 82 m82 83 m83 84 m84 85 m85 86 m86 87 m87 88 m88 89 m89 90 m90 91 m91 92 m92 93 m93 94 m94 95 m95 96 m96 97 m97 98 m98 99 m99 100 m100 101 m101 102 m102 103 m103 104 m104 105 m105 106 m106 107 m107 108 m108 109 m109 110 m110 111 m111 112 m112 113 m113 114 m114 115 m115 116 m116 117 m117 118 m118 119 m119 120 m120 121 m121 122 m122 123 m123 124 m124 125 m125 126 m126 127 m127 128 m128 129 m129 130 m130 => 1; s: 2
			a: ZADD big -0 m0                      => 1; s: 2
			a: ZSCORE big m0                       => 1
			a: ZRANGESTORE d big 0 -1              => 1; s: 2
			a: ZSCORE d m0                         => 1
			a: ZRANGESTORE d big 0 3               => 1; s: 2
			a: ZSCORE d m0                         => 1
			a: ZRANGESTORE d big -inf +inf BYSCORE => 1; s: 2
			a: ZSCORE d m0                         => 1
			a: ZUNIONSTORE d 1 big                 => 1; s: 2
			a: ZSCORE d m0                         => 1
			a: ZUNION 1 big WITHSCORES             => 1
			a: ZRANGE big 0 0 WITHSCORES           => 1
			a: ZINCRBY big -0 m0                   => 1
			a: ZADD small -0 a                     => 1; s: 2
			a: ZSCORE small a                      => 1
			a: ZADD small INCR -0 b                => 1; s: 2
			a: ZSCORE small b                      => 1
		`),
		zsetSession("type and encodings", `
			a: ZADD z 1 a                          => 1; s: 2
			a: TYPE z                              => 1
			a: OBJECT ENCODING z                   => 1
			a: ZADD z 1 aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa => 1; s: 2
			a: OBJECT ENCODING z                   => 1
			a: ZADD z 1 aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa => 1; s: 2
			a: OBJECT ENCODING z                   => 1
			a: ZREM z aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa => 1; s: 2
			a: OBJECT ENCODING z                   => 1
			a: ZRANGESTORE y z 0 -1                => 1; s: 2
			a: OBJECT ENCODING y                   => 1
			a: ZADD z 1 aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa => 1; s: 2
			a: ZUNIONSTORE u 1 z                   => 1; s: 2
			a: OBJECT ENCODING u                   => 1
			a: ZREM z aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa => 1; s: 2
			a: ZUNIONSTORE u 1 z                   => 1; s: 2
			a: OBJECT ENCODING u                   => 1
		`),
	))
}

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
