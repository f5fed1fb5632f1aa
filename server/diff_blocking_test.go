package server

import (
	"bufio"
	"fmt"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/resp"
)

// The blocking list commands against redis-server. A blocked client's
// reply comes after another connection's push, and the script format
// reads replies per connection, so
//
//	a: BLPOP l 0            => 0
//	~blocked 1
//	b: RPUSH l x            => 1; a: 1; s: 6
//
// sends BLPOP without waiting for a reply, then waits until both servers
// have one client blocked (so that the next step cannot overtake it), then
// reads the pusher's reply, the waiter's and the events. Two directives
// extend the script format here, lines of their own:
//
//	~blocked N   wait until each server has N blocked clients (INFO
//	             clients' blocked_clients on redis-server; Herald's own
//	             count)
//	~close a     close connection a on both servers
func TestDiffBlocking(t *testing.T) {
	t.Parallel()
	env := newDiffEnv(t, Config{})
	runBlockingSessions(t, env, sessions(
		listSessions("served by a push", `
			a: BLPOP l 0                   => 0
			~blocked 1
			b: CLIENT LIST                 => 1 client
			b: RPUSH l x                   => 1; a: 1; s: 6
			a: BRPOP l 0                   => 0
			~blocked 1
			b: LPUSH l x y z               => 1; a: 1; s: 4
			b: LRANGE l 0 -1               => 1
			b: LTRIM l 1 0                 => 1; s: 4
			a: BLPOP l1 l2 l3 0            => 0
			~blocked 1
			b: RPUSH l2 x y                => 1; a: 1; s: 4
			a: BLPOP l1 l2 0               => 1; s: 4
			a: BLPOP l1 l1 l3 0            => 0
			~blocked 1
			b: RPUSH l3 x                  => 1; a: 1; s: 6
		`),
		listSessions("several waiters in order", `
			a: BLPOP l 0                   => 0
			~blocked 1
			c: BRPOP l other 0             => 0
			~blocked 2
			d: BLPOP other l 0             => 0
			~blocked 3
			b: RPUSH l x y                 => 1; a: 1; c: 1; s: 8
			b: RPUSH l z                   => 1; d: 1; s: 6
			~blocked 0
			a: BLPOP l 0                   => 0
			~blocked 1
			c: BLPOP l 0                   => 0
			~blocked 2
			b: RPUSH other x               => 1; s: 2
			b: RPUSH l 1 2 3               => 1; a: 1; c: 1; s: 6
			b: LRANGE l 0 -1               => 1
		`),
		listSessions("pipelined after the blocking command", `
			a~ "BLPOP l 0\r\nPING\r\n" "*2\r\n$4\r\nECHO\r\n$2\r\nhi\r\n" => 0
			~blocked 1
			b: RPUSH l x                   => 1; a: 3; s: 6
			a~ "RPUSH q 1\r\nBLPOP l 0\r\n" => 1; s: 2
			~blocked 1
			a: PING                        => 0
			b: LPUSH l y                   => 1; a: 2; s: 6
		`),
		listSessions("timeouts", `
			a: BLPOP l 0.05                => 1
			a: BRPOP l 0.01                => 1
			a: BLMOVE l d LEFT RIGHT 0.01  => 1
			a: BRPOPLPUSH l d 0.01         => 1
			a: BLPOP l 0x0.001             => 1
			a: BLPOP l 0.0000001           => 1
			a: BLPOP l 1e-3                => 1
			a: BLPOP l .001                => 1
			b: RPUSH l x                   => 1; s: 2
			a: BLPOP l 0.01                => 1; s: 4
		`),
		listSessions("timeout errors and immediate pops", `
			a: BLPOP l -1                  => 1
			a: BLPOP l -0.5                => 1
			a: BLPOP l x                   => 1
			a: BLPOP l inf                 => 1
			a: BLPOP l -inf                => 1
			a: BLPOP l Infinity            => 1
			a: BLPOP l 1e300               => 1
			a: BLPOP l 1e5000              => 1
			a: BLPOP l 9223372036854776    => 1
			a: BLPOP l nan                 => 1
			a: BLPOP l " 1"                => 1
			a: BLPOP l "1 "                => 1
			a: BLPOP l 1_0                 => 1
			a: BLPOP l ""                  => 1
			a: BLPOP l 0x                  => 1
			a: BLPOP l 1e                  => 1
			a: BLPOP l .                   => 1
			a: BLPOP l "+-1"               => 1
			a: BRPOP l -1                  => 1
			a: BLMOVE a b LEFT UP 0        => 1
			a: BLMOVE a b UP LEFT x        => 1
			a: BLMOVE a b LEFT LEFT x      => 1
			a: BLMOVE a b LEFT LEFT -1     => 1
			a: BRPOPLPUSH a b x            => 1
			a: BRPOPLPUSH a b -1           => 1
			a: BLPOP l                     => 1
			a: BLPOP                       => 1
			a: BLMOVE a b LEFT LEFT        => 1
			a: BRPOPLPUSH a b              => 1
			b: RPUSH l a b c               => 1; s: 2
			a: BLPOP nokey l 0             => 1; s: 2
			a: BRPOP nokey l 0             => 1; s: 2
			a: BLMOVE l d RIGHT LEFT 0     => 1; s: 6
			a: BRPOPLPUSH d l 0            => 1; s: 6
			a: BLPOP l 1 l x               => 1
			a: LRANGE l 0 -1               => 1
		`),
		listSessions("blmove and brpoplpush served", `
			a: BLMOVE src dst RIGHT LEFT 0 => 0
			~blocked 1
			b: RPUSH src x y               => 1; a: 1; s: 6
			b: LRANGE dst 0 -1             => 1
			a: BRPOPLPUSH src dst 0        => 1; s: 6
			a: BRPOPLPUSH src dst 0        => 0
			~blocked 1
			b: LPUSH src z                 => 1; a: 1; s: 8
			b: LRANGE dst 0 -1             => 1
			a: BLMOVE src src LEFT RIGHT 0 => 0
			~blocked 1
			b: RPUSH src w                 => 1; a: 1; s: 6
			b: LRANGE src 0 -1             => 1
		`),
		listSessions("blmove chains", `
			a: BLMOVE l1 l2 LEFT RIGHT 0   => 0
			~blocked 1
			c: BLMOVE l2 l3 LEFT RIGHT 0   => 0
			~blocked 2
			d: BLPOP l3 0                  => 0
			~blocked 3
			b: RPUSH l1 x                  => 1; a: 1; c: 1; d: 1; s: 18
			b: LLEN l1                     => 1
			b: LLEN l2                     => 1
			b: LLEN l3                     => 1
			a: BLPOP l2 0                  => 0
			~blocked 1
			c: BLMOVE l1 l2 LEFT LEFT 0    => 0
			~blocked 2
			b: RPOPLPUSH nokey l1          => 1
			b: LPUSH l1 y                  => 1; c: 1; a: 1; s: 12
		`),
		listSessions("inside MULTI nothing blocks", `
			a: MULTI                       => 1
			a: BLPOP l 0                   => 1
			a: BRPOP l 0                   => 1
			a: BLMOVE l d LEFT LEFT 0      => 1
			a: BRPOPLPUSH l d 0            => 1
			a: BLPOP l -1                  => 1
			a: EXEC                        => 1
			c: BLPOP l 0                   => 0
			~blocked 1
			a: MULTI                       => 1
			a: RPUSH l x                   => 1
			a: RPUSH l y                   => 1
			a: RPOP l                      => 1
			a: BLPOP l 0                   => 1
			a: EXEC                        => 1; s: 10
			b: RPUSH l z                   => 1; c: 1; s: 6
			c: BLPOP l 0                   => 0
			~blocked 1
			a: MULTI                       => 1
			a: RPUSH l x                   => 1
			a: RPUSH l y                   => 1
			a: EXEC                        => 1; c: 1; s: 6
			b: LRANGE l 0 -1               => 1
		`),
		listSessions("wrong types while blocked", `
			a: BLMOVE src dst LEFT LEFT 0  => 0
			~blocked 1
			b: SET dst x                   => 1; s: 2
			b: RPUSH src a                 => 1; a: 1; s: 2
			b: LRANGE src 0 -1             => 1
			a: BLPOP k 0                   => 0
			~blocked 1
			b: SET k str                   => 1; s: 2
			b: DEL k                       => 1; s: 2
			b: RPUSH k x                   => 1; a: 1; s: 6
		`),
		listSessions("served by other commands that add a list", `
			a: BLPOP dst 0                 => 0
			~blocked 1
			b: RPUSH src x y               => 1; s: 2
			b: RENAME src dst              => 1; a: 1; s: 6
			a: BLPOP copy 0                => 0
			~blocked 1
			b: COPY dst copy               => 1; a: 1; s: 6
			b: SELECT 1                    => 1
			b: RPUSH moved z               => 1; s: 2
			a: BLPOP moved 0               => 0
			~blocked 1
			b: MOVE moved 0                => 1; a: 1; s: 8
		`),
		[]session{{name: "a RESP3 waiter subscribed to its own events", script: `
			a: HELLO 3                     => 1 hello
			n: FLUSHALL                    => 1
			n: CONFIG SET notify-keyspace-events KEA => 1
			a: PSUBSCRIBE __key*@*__:*     => 1
			a: BLPOP l 0                   => 0
			~blocked 1
			b: RPUSH l x                   => 1; a: 7
			a: BLMOVE src dst LEFT RIGHT 0 => 0
			~blocked 1
			b: RPUSH src y                 => 1; a: 9
		`}},
		listSessions("EXEC serves after the whole transaction", `
			c: BLPOP l 0                   => 0
			~blocked 1
			a: MULTI                       => 1
			a: RPUSH l x                   => 1
			a: CONFIG SET maxclients 1000  => 1
			a: RPOP l                      => 1
			a: EXEC                        => 1; s: 6
			b: RPUSH l y                   => 1; c: 1; s: 6
		`),
		listSessions("a waiter that disconnects is forgotten", `
			a: BLPOP l 0                   => 0
			~blocked 1
			c: BLPOP l 0                   => 0
			~blocked 2
			~close a
			~blocked 1
			b: RPUSH l x y                 => 1; c: 1; s: 4
			b: LRANGE l 0 -1               => 1
			c: BLPOP other 0               => 0
			~blocked 1
			~close c
			~blocked 0
			b: RPUSH other z               => 1; s: 2
			b: LLEN other                  => 1
		`),
	))
}

// runBlockingSessions is diffEnv.run with the directives above.
func runBlockingSessions(t *testing.T, e *diffEnv, list []session) {
	t.Helper()
	for _, s := range list {
		t.Run(s.name, func(t *testing.T) {
			if s.skip != "" {
				t.Skip(s.skip)
			}
			h := startServer(t, e.herald)
			r := newSessionRun(t, e.redis.Addr(), h.Addr().String())
			t.Cleanup(func() {
				r.closeAll()
				e.reset(t)
			})
			for i, line := range strings.Split(s.script, "\n") {
				line = strings.TrimSpace(line)
				switch {
				case line == "" || strings.HasPrefix(line, "#"):
					continue
				case strings.HasPrefix(line, "~blocked "):
					n, err := strconv.Atoi(strings.TrimPrefix(line, "~blocked "))
					if err != nil {
						t.Fatalf("script line %d: %q", i+1, line)
					}
					if !waitBlocked(t, e.redis.Addr(), h, int64(n)) {
						r.tr.note(true, line)
						t.Fatalf("script line %d: %s: timed out\n%s", i+1, line, r.tr.render())
					}
					continue
				case strings.HasPrefix(line, "~close "):
					name := strings.TrimPrefix(line, "~close ")
					for _, sd := range r.sides {
						if c := sd.conns[name]; c != nil {
							c.nc.Close()
							c.closed = true
						}
					}
					r.tr.both(name + "< (closed by the script)")
					continue
				}
				st, err := parseStep(line)
				if err != nil {
					t.Fatalf("script line %d %q: %v", i+1, line, err)
				}
				st.line = i + 1
				if !r.runStep(st) {
					return
				}
			}
			r.checkQuiet()
		})
	}
}

// waitBlocked polls until redis-server at redisAddr and Herald h both have
// n blocked clients.
func waitBlocked(t *testing.T, redisAddr string, h *Server, n int64) bool {
	deadline := time.Now().Add(replyTimeout)
	for time.Now().Before(deadline) {
		if h.blocked.waiting.Load() == n && redisBlockedClients(t, redisAddr) == n {
			return true
		}
		time.Sleep(time.Millisecond)
	}
	return false
}

// redisBlockedClients reads blocked_clients from INFO clients.
func redisBlockedClients(t *testing.T, addr string) int64 {
	nc, err := net.DialTimeout("tcp", addr, replyTimeout)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	nc.SetDeadline(time.Now().Add(replyTimeout))
	nc.Write(encodeCommand("INFO", "clients"))
	v, err := resp.ReadValue(bufio.NewReader(nc))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(v.Str, "\r\n") {
		if rest, ok := strings.CutPrefix(line, "blocked_clients:"); ok {
			n, _ := strconv.ParseInt(rest, 10, 64)
			return n
		}
	}
	t.Fatal(fmt.Sprintf("no blocked_clients in INFO: %q", v.Str))
	return 0
}

// withSkip marks sessions skipped, saying why.
func withSkip(list []session, why string) []session {
	for i := range list {
		list[i].skip = why
	}
	return list
}
