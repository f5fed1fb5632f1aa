package server

import (
	"bufio"
	"fmt"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"
)

// CLIENT TRACKING against redis-server: invalidations in RESP3 (pushes)
// and RESP2 (messages on __redis__:invalidate to a redirect target), in
// default mode, BCAST with and without prefixes, OPTIN/OPTOUT, NOLOOP,
// the options' errors, flushes, a broken redirect, expiry, eviction, and
// their order relative to the replies (MULTI/EXEC, a blocked BLMOVE that
// a push serves).
//
// The script format is the suite's (diff_script_test.go), with the
// directives of the blocking tests (~blocked N, ~close a) and two more:
//
//	~id r        send CLIENT ID on r on both servers and remember each
//	             server's answer: "{r}" in later steps stands for it (the
//	             two servers number their clients differently)
//	~read a N    read N replies on a, sending nothing (an invalidation
//	             that expiry or eviction sends when the cron runs)
//
// Integers nested in replies that carry a client id (tracking-redir-broken)
// are compared masked with "int".
func TestDiffTracking(t *testing.T) {
	t.Parallel()
	env := newDiffEnv(t, Config{})
	runTrackingSessions(t, env, []session{
		{name: "default mode RESP3", script: `
			a: HELLO 3                        => 1 hello
			a: CLIENT TRACKING on             => 1
			a: GET k                          => 1
			b: SET k 1                        => 1; a: 1
			b: SET k 2                        => 1
			a: GET k                          => 1
			a: SET k 3                        => 2
			a: MGET k x y                     => 1
			b: MSET k 1 x 2 y 3               => 1; a: 3
			a: GET l                          => 1
			b: LPUSH l x                      => 1; a: 1
			a: GET l                          => 1
			b: RPUSH l y                      => 1; a: 1
			a: LRANGE l 0 -1                  => 1
			a: HGET h f                       => 1
			a: EXISTS l h                     => 1
			b: DEL l h nothing                => 1; a: 1
			a: SELECT 1                       => 1
			a: GET k                          => 1
			b: SET k 9                        => 1; a: 1
			a: CLIENT TRACKING off            => 1
			a: GET k                          => 1
			b: SET k 10                       => 1
			a: CLIENT TRACKINGINFO            => 1
			a: CLIENT GETREDIR                => 1
		`},
		{name: "no invalidations for RESP2 without redirect", script: `
			a: CLIENT TRACKING on             => 1
			a: GET k                          => 1
			b: SET k 1                        => 1
			a: CLIENT TRACKINGINFO            => 1
			a: CLIENT GETREDIR                => 1
		`},
		{name: "redirect to a RESP2 subscriber", script: `
			~id r
			r: SUBSCRIBE __redis__:invalidate => 1
			a: CLIENT TRACKING on REDIRECT {r} => 1
			a: GET k                          => 1
			b: SET k 1                        => 1; r: 1
			a: GET k                          => 1
			a: SET k 2                        => 1; r: 1
			a: MGET k x                       => 1
			b: MSET k 1 x 2                   => 1; r: 2
			a: GET k                          => 1
			a: FLUSHALL                       => 1; r: 1
			a: CLIENT GETREDIR                => 1 int
			a: CLIENT TRACKINGINFO            => 1 int
		`},
		{name: "redirect to a RESP2 client not subscribed", script: `
			~id r
			a: CLIENT TRACKING on REDIRECT {r} => 1
			a: GET k                          => 1
			b: SET k 1                        => 1
			r: PING                           => 1
		`},
		{name: "redirect to a RESP3 client", script: `
			~id r
			r: HELLO 3                        => 1 hello
			a: CLIENT TRACKING on REDIRECT {r} => 1
			a: GET k                          => 1
			b: SET k 1                        => 1; r: 1
			a: GET k                          => 1
			b: FLUSHDB                        => 1; r: 1
		`},
		{name: "broken redirect", script: `
			~id r
			r: SUBSCRIBE __redis__:invalidate => 1
			a: HELLO 3                        => 1 hello
			a: CLIENT TRACKING on REDIRECT {r} => 1
			a: GET k                          => 1
			b: SET k 1                        => 1; r: 1
			a: GET k                          => 1
			r: QUIT                           => 1 closed
			b: SET k 2                        => 1; a: 1 int
			a: GET k                          => 1
			a: SET k 3                        => 2 int
			a: FLUSHALL                       => 2 int
			a: CLIENT TRACKINGINFO            => 1 int
			a: CLIENT TRACKING off            => 1
			a: CLIENT TRACKINGINFO            => 1
		`},
		{name: "broken redirect in RESP2 is silent", script: `
			~id r
			a: CLIENT TRACKING on REDIRECT {r} => 1
			a: GET k                          => 1
			~close r
			b: SET k 1                        => 1
			a: CLIENT TRACKINGINFO            => 1 int
		`},
		{name: "noloop", script: `
			a: HELLO 3                        => 1 hello
			a: CLIENT TRACKING on NOLOOP      => 1
			a: GET k                          => 1
			a: SET k 1                        => 1
			b: SET k 2                        => 1
			a: GET k                          => 1
			b: SET k 3                        => 1; a: 1
			a: CLIENT TRACKINGINFO            => 1
		`},
		// A partial command left in the input does not hold back the
		// broadcast of what the batch before it changed: the push comes
		// with that batch's replies (it is read with them, as Herald's
		// broadcaster sends it a moment after), before the command ends.
		{name: "bcast without prefixes", script: `
			c: HELLO 3                        => 1 hello
			c: CLIENT TRACKING on BCAST       => 1
			b: MSET b 1 a 2 c 3               => 1; c: 1
			c: SET z 1                        => 2
			c~ "SET p 1\r\nSET o 2\r\nGET p\r\n" => 4
			c~ "SET p 1\r\nPING\r\n"         => 3
			c~ "SET p 1\r\nSET o 2\r\nGET" => 3
			c~ " p\r\n"                       => 1
			b~ "SET q 1\r\nSET r 2\r\n"       => 2; c: 1
			b: DEL nothing                    => 1
			b: DEL z a                        => 1; c: 1
			c: CLIENT TRACKINGINFO            => 1
			c: CLIENT LIST                    => 1 client
		`},
		{name: "bcast with prefixes and noloop", script: `
			c: HELLO 3                        => 1 hello
			c: CLIENT TRACKING on BCAST PREFIX user: PREFIX item: => 1
			d: HELLO 3                        => 1 hello
			d: CLIENT TRACKING on BCAST PREFIX user: NOLOOP => 1
			d: MSET user:1 a item:1 b other c user:2 d => 1; c: 2
			d: SET user:3 x                   => 1; c: 1
			b: SET user:4 x                   => 1; c: 1; d: 1
			b: SET other x                    => 1
			c: CLIENT TRACKING on BCAST PREFIX us => 1
			c: CLIENT TRACKINGINFO            => 1
			d: CLIENT TRACKINGINFO            => 1
		`},
		{name: "bcast to a RESP2 subscriber", script: `
			~id r
			r: SUBSCRIBE __redis__:invalidate => 1
			a: CLIENT TRACKING on BCAST PREFIX k REDIRECT {r} => 1
			b: MSET k2 1 k1 2 j 3             => 1; r: 1
			b: FLUSHDB                        => 1; r: 1
		`},
		{name: "optin and optout", script: `
			a: HELLO 3                        => 1 hello
			a: CLIENT TRACKING on OPTIN       => 1
			a: GET k                          => 1
			b: SET k 1                        => 1
			a: CLIENT CACHING yes             => 1
			a: CLIENT TRACKINGINFO            => 1
			a: GET k                          => 1
			b: SET k 2                        => 1; a: 1
			a: CLIENT CACHING yes             => 1
			a: PING                           => 1
			a: GET k                          => 1
			b: SET k 3                        => 1
			a: CLIENT CACHING yes             => 1
			a: MULTI                          => 1
			a: GET k                          => 1
			a: GET j                          => 1
			a: EXEC                           => 1
			b: MSET k 4 j 4                   => 1; a: 2
			a: CLIENT TRACKING off            => 1
			a: CLIENT TRACKING on OPTOUT      => 1
			a: CLIENT CACHING no              => 1
			a: CLIENT TRACKINGINFO            => 1
			a: GET k                          => 1
			b: SET k 5                        => 1
			a: GET k                          => 1
			b: SET k 6                        => 1; a: 1
		`},
		{name: "option errors", script: `
			~id b
			b: CLIENT TRACKING on BCAST OPTIN => 1
			b: CLIENT TRACKING on BCAST PREFIX a PREFIX ab => 1
			b: CLIENT TRACKING on BCAST PREFIX x PREFIX a PREFIX ab => 2
			b: CLIENT TRACKINGINFO            => 1
			b: CLIENT TRACKING on             => 1
			b: CLIENT TRACKING on BCAST PREFIX b PREFIX a => 1
			b: CLIENT TRACKING on BCAST PREFIX abc => 1
			b: CLIENT TRACKING on BCAST PREFIX b => 1
			b: CLIENT TRACKINGINFO            => 1
			b: CLIENT TRACKING off            => 1
			b: CLIENT TRACKING on BCAST       => 1
			b: CLIENT TRACKING on BCAST PREFIX q => 1
			b: CLIENT TRACKING off            => 1
			b: CLIENT TRACKING on PREFIX a    => 1
			b: CLIENT CACHING yes             => 1
			b: CLIENT TRACKING on OPTIN OPTOUT => 1
			b: CLIENT TRACKING on OPTIN       => 1
			b: CLIENT TRACKING on OPTOUT      => 1
			b: CLIENT TRACKING on BCAST       => 1
			b: CLIENT CACHING no              => 1
			b: CLIENT CACHING maybe           => 1
			b: CLIENT CACHING yes             => 1
			b: CLIENT TRACKING foo            => 1
			b: CLIENT TRACKING on REDIRECT abc => 1
			b: CLIENT TRACKING on REDIRECT 0  => 1
			b: CLIENT TRACKING on REDIRECT -1 => 1
			b: CLIENT TRACKING on REDIRECT 99999 => 1
			b: CLIENT TRACKING on REDIRECT {b} REDIRECT {b} => 1
			b: CLIENT TRACKING on REDIRECT    => 1
			b: CLIENT TRACKING on FOO         => 1
			b: CLIENT TRACKING off BCAST PREFIX a PREFIX ab => 1
			b: CLIENT TRACKING                => 1
			b: CLIENT CACHING                 => 1
			b: CLIENT CACHING yes no          => 1
			b: CLIENT GETREDIR x              => 1
			b: CLIENT TRACKINGINFO x          => 1
			b: CLIENT TRACKING off            => 1
			b: CLIENT TRACKINGINFO            => 1
			b: CLIENT GETREDIR                => 1
			b: COMMAND INFO client|tracking client|caching client|getredir client|trackinginfo => 1
			b: COMMAND DOCS client|tracking client|caching client|getredir client|trackinginfo => 1 pairs
		`},
		{name: "flush", script: `
			a: HELLO 3                        => 1 hello
			a: CLIENT TRACKING on             => 1
			c: HELLO 3                        => 1 hello
			c: CLIENT TRACKING on BCAST PREFIX x => 1
			a: GET k                          => 1
			b: FLUSHDB                        => 1; a: 1; c: 1
			a: FLUSHALL                       => 2; c: 1
			b: SET k 1                        => 1
			a: CLIENT TRACKING off            => 1
			b: FLUSHALL                       => 1; c: 1
		`},
		{name: "multi exec", script: `
			a: HELLO 3                        => 1 hello
			a: CLIENT TRACKING on             => 1
			a: GET k                          => 1
			a: GET j                          => 1
			a: MULTI                          => 1
			a: SET k 3                        => 1
			a: GET k                          => 1
			a: SET j 1                        => 1
			a: EXEC                           => 3
			c: HELLO 3                        => 1 hello
			c: CLIENT TRACKING on BCAST       => 1
			c: MULTI                          => 1
			c: SET y 1                        => 1
			c: SET x 1                        => 1
			c: EXEC                           => 2
			b: MULTI                          => 1
			b: SET k 1                        => 1
			b: FLUSHALL                       => 1
			b: EXEC                           => 1; a: 2; c: 2
		`},
		{name: "expiry", script: `
			a: HELLO 3                        => 1 hello
			a: CLIENT TRACKING on             => 1
			c: HELLO 3                        => 1 hello
			c: CLIENT TRACKING on BCAST PREFIX e => 1
			b: SET e1 1 PX 30                 => 1; c: 1
			a: GET e1                         => 1
			~read c 1
			~read a 1
		`},
		{name: "eviction", script: `
			a: HELLO 3                        => 1 hello
			a: CLIENT TRACKING on             => 1
			b: CONFIG SET maxmemory-policy allkeys-random => 1
			b: SET big 1                      => 1
			a: GET big                        => 1
			b: CONFIG SET maxmemory 1         => 1
			~read a 1
			b: CONFIG SET maxmemory 0         => 1
			b: CONFIG SET maxmemory-policy noeviction => 1
			b: GET big                        => 1
		`},
		{name: "eviction by the tracking client's own CONFIG SET", script: `
			a: HELLO 3                        => 1 hello
			a: CLIENT TRACKING on             => 1
			a: SET big 1                      => 1
			a: GET big                        => 1
			a: CONFIG SET maxmemory-policy allkeys-random => 1
			a: CONFIG SET maxmemory 1         => 2
			a: CONFIG SET maxmemory 0         => 1
			a: CONFIG SET maxmemory-policy noeviction => 1
			a: GET big                        => 1
		`},
		{name: "tracking table limit", script: `
			a: HELLO 3                        => 1 hello
			a: CLIENT TRACKING on             => 1
			b: CONFIG SET tracking-table-max-keys 1 => 1
			a: GET k1                         => 1
			b: CONFIG SET tracking-table-max-keys 0 => 1
			b: CONFIG GET tracking-table-max-keys => 1
			b: CONFIG SET tracking-table-max-keys -1 => 1
			b: CONFIG SET tracking-table-max-keys 1000000 => 1
			b: CONFIG GET tracking-table-max-keys => 1
		`},
		{name: "blocked blmove", script: `
			c: HELLO 3                        => 1 hello
			c: CLIENT TRACKING on             => 1
			c: LRANGE dst 0 -1                => 1
			d: BLMOVE src dst LEFT RIGHT 0    => 0
			~blocked 1
			b: RPUSH src x                    => 1; d: 1; c: 1
			e: HELLO 3                        => 1 hello
			e: CLIENT TRACKING on             => 1
			e: LRANGE dst 0 -1                => 1
			e: BLMOVE src dst LEFT RIGHT 0    => 0
			~blocked 1
			b: RPUSH src y                    => 1; e: 2
			e: LRANGE src 0 -1                => 1
			e: BLMOVE src2 src LEFT RIGHT 0   => 0
			~blocked 1
			b: LRANGE src 0 -1                => 1
			b: RPUSH src2 z                   => 1; e: 2
			f: HELLO 3                        => 1 hello
			f: CLIENT TRACKING on BCAST NOLOOP => 1
			f: BLMOVE src3 dst3 LEFT RIGHT 0  => 0
			~blocked 1
			b: RPUSH src3 w                   => 1; f: 2
		`},
		{name: "reset turns tracking off", script: `
			a: HELLO 3                        => 1 hello
			a: CLIENT TRACKING on BCAST       => 1
			a: RESET                          => 1
			a: CLIENT TRACKINGINFO            => 1
			b: SET k 1                        => 1
		`},
	})
}

// TestDiffTrackingInfo compares the tracking fields of INFO and CLIENT
// LIST's flags with redis-server's as clients turn tracking on and off.
func TestDiffTrackingInfo(t *testing.T) {
	t.Parallel()
	env := newDiffEnv(t, Config{})
	runTrackingSessions(t, env, []session{{name: "info", script: `
		a: CLIENT TRACKING on             => 1
		a: MGET k1 k2 k3                  => 1
		c: CLIENT TRACKING on BCAST PREFIX x PREFIX y => 1
		d: CLIENT TRACKING on BCAST PREFIX x => 1
		e: CLIENT TRACKING on OPTIN       => 1
		~info tracking_clients:4 tracking_total_keys:3 tracking_total_items:3 tracking_total_prefixes:2
		a: CLIENT LIST                    => 1 client
		b: SET k1 1                       => 1
		c: CLIENT TRACKING off            => 1
		~info tracking_clients:3 tracking_total_keys:2 tracking_total_items:2 tracking_total_prefixes:1
		~close d
		~close e
		~info tracking_clients:1 tracking_total_keys:2 tracking_total_items:2 tracking_total_prefixes:0
		b: FLUSHALL                       => 1
		~info tracking_clients:1 tracking_total_keys:0 tracking_total_items:0 tracking_total_prefixes:0
	`}})
}

// runTrackingSessions runs sessions in the format above.
func runTrackingSessions(t *testing.T, e *diffEnv, list []session) {
	t.Helper()
	for _, s := range list {
		t.Run(s.name, func(t *testing.T) {
			h := startServer(t, e.herald)
			r := newSessionRun(t, e.redis.Addr(), h.Addr().String())
			t.Cleanup(func() {
				r.closeAll()
				redisDo(e.redis.Addr(), [][]string{{"CONFIG", "SET", "tracking-table-max-keys", "1000000"}, {"CONFIG", "SET", "maxmemory", "0"}, {"CONFIG", "SET", "maxmemory-policy", "noeviction"}, {"FLUSHALL"}, {"QUIT"}})
				e.reset(t)
			})
			ids := [2]map[string]string{{}, {}}
			for i, line := range strings.Split(s.script, "\n") {
				line = strings.TrimSpace(line)
				fatal := func(format string, args ...any) {
					t.Fatalf("script line %d %q: %s\n%s", i+1, line, fmt.Sprintf(format, args...), r.tr.render())
				}
				directive, arg, _ := strings.Cut(line, " ")
				switch directive {
				case "", "#":
					continue
				case "~blocked":
					n, _ := strconv.Atoi(arg)
					if !waitBlocked(t, e.redis.Addr(), h, int64(n)) {
						fatal("timed out")
					}
					continue
				case "~close":
					for _, sd := range r.sides {
						if c := sd.conns[arg]; c != nil {
							c.nc.Close()
							c.closed = true
						}
					}
					// Wait until both servers have let the client go.
					waitClients(t, e.redis.Addr(), h, len(openConns(r)))
					r.tr.both(arg + "< (closed by the script)")
					continue
				case "~id":
					for i, sd := range r.sides {
						c, err := sd.conn(arg)
						if err != nil {
							fatal("%v", err)
						}
						c.nc.Write(encodeCommand("CLIENT", "ID"))
						got, err := readReplies(c, 1, replyTimeout)
						if err != nil || got[0].Kind != ':' {
							fatal("%s: CLIENT ID: %v %v", sd.name, got, err)
						}
						ids[i][arg] = strconv.FormatInt(got[0].Int, 10)
					}
					continue
				case "~read":
					name, n, _ := strings.Cut(arg, " ")
					count, _ := strconv.Atoi(n)
					if !r.runStep(step{line: i + 1, text: line, conn: name, expect: []group{{conn: name, count: count}}}) {
						return
					}
					continue
				case "~info":
					for _, field := range strings.Fields(arg) {
						name, want, _ := strings.Cut(field, ":")
						if got := redisInfoField(t, e.redis.Addr(), name); got != want {
							fatal("script error: redis-server has %s:%s", name, got)
						}
						if got := heraldInfoField(t, h, name); got != want {
							fatal("herald has %s:%s, redis-server %s", name, got, want)
						}
					}
					// The connections that asked are gone before the
					// next step (CLIENT LIST).
					waitClients(t, e.redis.Addr(), h, len(openConns(r)))
					continue
				}
				var sides [2]step
				for i := range sides {
					text := line
					for name, id := range ids[i] {
						text = strings.ReplaceAll(text, "{"+name+"}", id)
					}
					st, err := parseStep(text)
					if err != nil {
						fatal("%v", err)
					}
					st.line, st.text = i+1, line
					sides[i] = st
				}
				if !runStepSides(r, sides) {
					return
				}
			}
			r.checkQuiet()
		})
	}
}

// runStepSides is sessionRun.runStep with a step of its own for each
// server (client ids substituted).
func runStepSides(r *sessionRun, steps [2]step) bool {
	r.tr.sent(steps[0].conn, steps[0].text)
	for i, sd := range r.sides {
		c, err := sd.conn(steps[i].conn)
		if err != nil {
			return r.fail(steps[i], "script error", fmt.Sprintf("%s: %v", sd.name, err))
		}
		c.nc.SetWriteDeadline(time.Now().Add(replyTimeout))
		c.nc.Write(steps[i].send)
	}
	for _, g := range steps[0].expect {
		if !r.compareGroup(steps[0], g) {
			return false
		}
	}
	return true
}

func openConns(r *sessionRun) []string {
	var names []string
	for name, c := range r.sides[0].conns {
		if !c.closed {
			names = append(names, name)
		}
	}
	return names
}

// waitClients polls until both servers have n clients (redis-server's
// count less the connection that asks).
func waitClients(t *testing.T, redisAddr string, h *Server, n int) {
	deadline := time.Now().Add(replyTimeout)
	for time.Now().Before(deadline) {
		r, _ := strconv.Atoi(redisInfoField(t, redisAddr, "connected_clients"))
		if r-1 == n && len(h.connList()) == n {
			return
		}
		time.Sleep(time.Millisecond)
	}
	t.Fatalf("timed out waiting for %d clients", n)
}

// redisInfoField reads one INFO field of the server at addr.
func redisInfoField(t *testing.T, addr, field string) string {
	t.Helper()
	nc, err := net.DialTimeout("tcp", addr, replyTimeout)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	nc.SetDeadline(time.Now().Add(replyTimeout))
	nc.Write(encodeCommand("INFO", "everything"))
	got, err := readReplies(&scriptConn{nc: nc, r: bufio.NewReader(nc)}, 1, replyTimeout)
	if err != nil {
		t.Fatalf("INFO: %v", err)
	}
	return infoFieldOf(got[0].Str, field)
}

// heraldInfoField reads one INFO field of h.
func heraldInfoField(t *testing.T, h *Server, field string) string {
	t.Helper()
	return redisInfoField(t, h.Addr().String(), field)
}
