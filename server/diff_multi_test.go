package server

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
)

// needCommands marks sessions skipped while one of the commands they use
// is not in Herald's table yet (the command groups are built in
// parallel).
func needCommands(list []session, names ...string) []session {
	var missing []string
	for _, n := range names {
		if commands[n] == nil {
			missing = append(missing, strings.ToUpper(n))
		}
	}
	if len(missing) == 0 {
		return list
	}
	out := make([]session, len(list))
	for i, s := range list {
		s.skip = "Herald has no " + strings.Join(missing, ", ") + " yet"
		out[i] = s
	}
	return out
}

// TestDiffMulti compares transactions: queuing, queue-time errors and
// EXECABORT, runtime errors inside EXEC, WATCH and what makes it fail,
// DISCARD, RESET and QUIT inside MULTI, pub/sub inside MULTI, and the
// keyspace notifications of a transaction, in order.
func TestDiffMulti(t *testing.T) {
	t.Parallel()
	env := newDiffEnv(t, Config{})
	env.run(t, sessions(
		forProtocols("commands without MULTI", "a", `
			a: EXEC                       => 1
			a: DISCARD                    => 1
			a: UNWATCH                    => 1
			a: EXEC x                     => 1
			a: DISCARD x                  => 1
			a: MULTI x                    => 1
			a: WATCH                      => 1
			a: UNWATCH x                  => 1
			a: EXEC                       => 1
		`),
		forProtocols("empty transaction, nesting, discard", "a", `
			a: MULTI                      => 1
			a: EXEC                       => 1
			a: MULTI                      => 1
			a: MULTI                      => 1
			a: WATCH k                    => 1
			a: PING                       => 1
			a: ECHO hi                    => 1
			a: EXEC                       => 1
			a: MULTI                      => 1
			a: PING                       => 1
			a: DISCARD                    => 1
			a: EXEC                       => 1
			a: MULTI                      => 1
			a: DISCARD x                  => 1
			a: EXEC x                     => 1
			a: EXEC                       => 1
			a: MULTI                      => 1
			a: RESET                      => 1
			a: EXEC                       => 1
			a: MULTI                      => 1
			a: QUIT                       => 1 closed
		`),
		forProtocols("queue-time errors abort", "a", `
			a: MULTI                      => 1
			a: PING                       => 1
			a: NOSUCH x y                 => 1
			a: PING                       => 1
			a: EXEC                       => 1
			a: MULTI                      => 1
			a: ECHO                       => 1
			a: EXEC                       => 1
			a: MULTI                      => 1
			a: CLIENT NOSUCH              => 1
			a: CONFIG GET                 => 1
			a: EXEC                       => 1
			a: MULTI                      => 1
			a: PING                       => 1
			a: EXEC x                     => 1
			a: EXEC                       => 1
		`),
		forProtocols("runtime errors are replies", "a", `
			a: MULTI                      => 1
			a: SELECT 99                  => 1
			a: SELECT x                   => 1
			a: PING a b                   => 1
			a: CONFIG GET maxclients      => 1
			a: CONFIG SET maxclients nope => 1
			a: DBSIZE                     => 1
			a: EXEC                       => 1
		`),
		needCommands(sessions(
			forProtocols("keyspace commands in a transaction", "a", `
				a: FLUSHALL               => 1
				a: MULTI                  => 1
				a: SET k v                => 1
				a: INCR n                 => 1
				a: INCR k                 => 1
				a: GET k                  => 1
				a: SET k                  => 1
				a: EXEC                   => 1
				a: GET k                  => 1
				a: MULTI                  => 1
				a: SET k v2               => 1
				a: INCR n                 => 1
				a: INCR k                 => 1
				a: GET k                  => 1
				a: GET n                  => 1
				a: EXEC                   => 1
				a: MULTI                  => 1
				a: SET k v3               => 1
				a: DISCARD                => 1
				a: GET k                  => 1
				a: MULTI                  => 1
				a: SELECT 1               => 1
				a: SET k one              => 1
				a: SELECT 99              => 1
				a: EXEC                   => 1
				a: GET k                  => 1
				a: SELECT 0               => 1
				a: GET k                  => 1
				a: FLUSHALL               => 1
			`),
			forProtocols("watch", "a", `
				a: FLUSHALL               => 1
				a: SET k 0                => 1
				a: WATCH k                => 1
				b: SET k 1                => 1
				a: MULTI                  => 1
				a: GET k                  => 1
				a: EXEC                   => 1
				a: WATCH k                => 1
				a: MULTI                  => 1
				a: SET k 2                => 1
				a: EXEC                   => 1
				a: WATCH k                => 1
				a: SET k 3                => 1
				a: MULTI                  => 1
				a: EXEC                   => 1
				a: WATCH k                => 1
				b: GET k                  => 1
				a: MULTI                  => 1
				a: EXEC                   => 1
				a: WATCH k                => 1
				a: UNWATCH                => 1
				b: SET k 4                => 1
				a: MULTI                  => 1
				a: EXEC                   => 1
				a: WATCH k                => 1
				a: MULTI                  => 1
				a: DISCARD                => 1
				b: SET k 5                => 1
				a: MULTI                  => 1
				a: EXEC                   => 1
				a: WATCH k                => 1
				a: RESET                  => 1
				b: SET k 6                => 1
				a: MULTI                  => 1
				a: EXEC                   => 1
				a: WATCH x y k z          => 1
				a: WATCH k                => 1
				b: DEL k                  => 1
				a: MULTI                  => 1
				a: EXEC                   => 1
				a: WATCH k                => 1
				b: DEL k                  => 1
				a: MULTI                  => 1
				a: EXEC                   => 1
				a: WATCH k                => 1
				b: SET k v                => 1
				a: MULTI                  => 1
				a: UNWATCH                => 1
				a: EXEC                   => 1
				a: FLUSHALL               => 1
			`),
			forProtocols("watch across databases and flushes", "a", `
				a: FLUSHALL               => 1
				a: SELECT 2               => 1
				a: WATCH k                => 1
				b: SET k 1                => 1
				a: MULTI                  => 1
				a: EXEC                   => 1
				a: WATCH k                => 1
				b: SELECT 2               => 1
				b: SET k 1                => 1
				a: MULTI                  => 1
				a: EXEC                   => 1
				a: WATCH k missing        => 1
				b: SELECT 0               => 1
				b: FLUSHDB                => 1
				a: MULTI                  => 1
				a: EXEC                   => 1
				a: WATCH k                => 1
				b: SELECT 2               => 1
				b: FLUSHDB                => 1
				a: MULTI                  => 1
				a: EXEC                   => 1
				a: WATCH missing          => 1
				b: FLUSHALL               => 1
				a: MULTI                  => 1
				a: EXEC                   => 1
				a: SET k 1                => 1
				a: WATCH k                => 1
				b: FLUSHALL               => 1
				a: MULTI                  => 1
				a: EXEC                   => 1
				a: SET k 1                => 1
				a: SELECT 0               => 1
				a: WATCH k                => 1
				b: SELECT 2               => 1
				b: EXPIRE k 100           => 1
				a: SELECT 2               => 1
				a: MULTI                  => 1
				a: EXEC                   => 1
				a: WATCH k                => 1
				b: EXPIRE k 100           => 1
				a: MULTI                  => 1
				a: EXEC                   => 1
				a: FLUSHALL               => 1
			`),
		), "set", "get", "incr", "del", "expire"),
		needCommands(sessions(
			forProtocols("notifications of a transaction, in order", "a b", `
				a: FLUSHALL                                => 1
				a: CONFIG SET notify-keyspace-events KEA   => 1
				b: PSUBSCRIBE __key*@*__:*                 => 1
				c: SUBSCRIBE ch                            => 1
				a: MULTI                                   => 1
				a: SET k v                                 => 1
				a: PUBLISH ch hi                           => 1
				a: INCR n                                  => 1
				a: INCR k                                  => 1
				a: DEL k                                   => 1
				a: EXEC                                    => 1; b: 6; c: 1
				a: MULTI                                   => 1
				a: SET k v                                 => 1
				a: NOSUCH                                  => 1
				a: EXEC                                    => 1
				a: CONFIG SET notify-keyspace-events ""    => 1
				a: FLUSHALL                                => 1
			`),
			// What the transaction delivers to its own client comes
			// inside EXEC's array, between the replies, as in Redis.
			[]session{{name: "own notifications inside EXEC/RESP3", script: `
				a: HELLO 3                                 => 1 hello
				a: FLUSHALL                                => 1
				a: CONFIG SET notify-keyspace-events KEA   => 1
				a: PSUBSCRIBE __keyspace@0__:*             => 1
				a: MULTI                                   => 1
				a: SET k v2                                => 1
				a: DEL k                                   => 1
				a: PUBLISH __keyspace@0__:x hi             => 1
				a: EXEC                                    => 4
				a: CONFIG SET notify-keyspace-events ""    => 1
				a: PUNSUBSCRIBE                            => 1
				a: FLUSHALL                                => 1
			`}},
		), "set", "incr", "del"),
		forProtocols("subscribe and publish inside MULTI", "a", `
			a: MULTI                      => 1
			a: SUBSCRIBE ch               => 1
			a: PUBLISH ch hi              => 1
			a: PING                       => 1
			a: EXEC                       => 2
			b: PUBLISH ch there           => 1; a: 1
			a: PING                       => 1
			a: MULTI                      => 1
			a: EXEC                       => 1
			a: DISCARD                    => 1
			a: WATCH k                    => 1
			a: UNSUBSCRIBE                => 1
			a: MULTI                      => 1
			a: PSUBSCRIBE p*              => 1
			a: EXEC                       => 1
			b: PUBLISH pa x               => 1; a: 1
			a: PUNSUBSCRIBE               => 1
		`),
	))
}

// TestDiffMultiClientList compares CLIENT LIST's flags x and d and its
// multi= field.
func TestDiffMultiClientList(t *testing.T) {
	t.Parallel()
	env := newDiffEnv(t, Config{})
	env.run(t, needCommands(sessions(
		forProtocols("client list in MULTI", "a", `
			a: FLUSHALL                   => 1
			a: CLIENT INFO                => 1 client
			a: MULTI                      => 1
			b: CLIENT LIST                => 1 client
			a: PING                       => 1
			a: SET k v                    => 1
			b: CLIENT LIST                => 1 client
			a: EXEC                       => 1
			a: WATCH k                    => 1
			b: SET k 1                    => 1
			a: CLIENT INFO                => 1 client
			a: MULTI                      => 1
			b: CLIENT LIST                => 1 client
			a: EXEC                       => 1
			a: CLIENT INFO                => 1 client
			a: FLUSHALL                   => 1
		`),
	), "set"))
}

// TestDiffScripting compares the scripting commands where Herald answers
// as Redis does with an empty script cache, and their argument errors;
// EVAL and the others reply Herald's own error (no scripting engine).
func TestDiffScripting(t *testing.T) {
	t.Parallel()
	env := newDiffEnv(t, Config{})
	env.run(t, forProtocols("script cache and arguments", "a", `
		a: SCRIPT EXISTS a b                      => 1
		a: SCRIPT EXISTS                          => 1
		a: SCRIPT FLUSH                           => 1
		a: SCRIPT FLUSH async                     => 1
		a: SCRIPT FLUSH SYNC                      => 1
		a: SCRIPT FLUSH nope                      => 1
		a: SCRIPT FLUSH a b                       => 1
		a: SCRIPT KILL                            => 1
		a: SCRIPT KILL x                          => 1
		a: SCRIPT DEBUG no                        => 1
		a: SCRIPT DEBUG x                         => 1
		a: SCRIPT HELP                            => 1
		a: SCRIPT NOPE                            => 1
		a: SCRIPT                                 => 1
		a: EVAL "return 1" x                      => 1
		a: EVAL "return 1" 3 a                    => 1
		a: EVAL_RO "return 1" -1                  => 1
		a: EVAL "return 1"                        => 1
		a: EVALSHA x                              => 1
		a: FCALL f                                => 1
		a: COMMAND INFO eval evalsha_ro fcall     => 1
		a: COMMAND GETKEYS EVAL "return 1" 2 a b c => 1
		a: MULTI                                  => 1
		a: SCRIPT EXISTS a                        => 1
		a: EVAL "return 1" x                      => 1
		a: EXEC                                   => 1
	`))
}

// TestDiffMultiRandom runs random interleavings of transactions, WATCHes
// and writes on two connections against redis-server, seeded so that a
// failure can be replayed.
func TestDiffMultiRandom(t *testing.T) {
	t.Parallel()
	if commands["set"] == nil || commands["lpush"] == nil || commands["expire"] == nil {
		t.Skip("Herald has no SET, LPUSH or EXPIRE yet")
	}
	env := newDiffEnv(t, Config{})
	var list []session
	for seed := range 4 {
		rng := rand.New(rand.NewPCG(uint64(seed), 7))
		var b strings.Builder
		b.WriteString("a: FLUSHALL => 1\n")
		keys := []string{"k1", "k2", "k3"}
		key := func() string { return keys[rng.IntN(len(keys))] }
		for range 250 {
			conn := []string{"a", "b"}[rng.IntN(2)]
			var cmd string
			switch rng.IntN(16) {
			case 0, 1:
				cmd = "MULTI"
			case 2, 3:
				cmd = "EXEC"
			case 4:
				cmd = "DISCARD"
			case 5:
				cmd = "WATCH " + key() + " " + key()
			case 6:
				cmd = "UNWATCH"
			case 7, 8:
				cmd = "SET " + key() + " " + strconv.Itoa(rng.IntN(5))
			case 9:
				cmd = "INCR " + key()
			case 10:
				cmd = "GET " + key()
			case 11:
				cmd = "DEL " + key()
			case 12:
				cmd = "LPUSH " + key() + " x"
			case 13:
				cmd = "EXPIRE " + key() + " 100"
			case 14:
				cmd = []string{"SELECT 1", "SELECT 0", "FLUSHDB", "NOSUCH x", "GET", "PING"}[rng.IntN(6)]
			case 15:
				cmd = "DBSIZE"
			}
			fmt.Fprintf(&b, "%s: %s => 1\n", conn, cmd)
		}
		b.WriteString("a: DISCARD => 1\nb: DISCARD => 1\na: FLUSHALL => 1\n")
		list = append(list, forProtocols("seed "+strconv.Itoa(seed), "a b", b.String())...)
	}
	env.run(t, list)
}
