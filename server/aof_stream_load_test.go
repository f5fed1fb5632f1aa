package server

import (
	"bufio"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/redistest"
	"github.com/heraldhq/herald/internal/resp"
)

// The stream AOF tests under load or at random: a rewrite during writes,
// randomized sessions against redis-server, a SIGKILL under load. The
// session and the helpers they share are aof_stream_test.go's.

// TestAOFStreamRewriteDuringWrites runs BGREWRITEAOF while clients add,
// read, claim, acknowledge, delete and trim stream entries and change
// groups and consumers, then restarts on the same directory: the base
// (the snapshot) and the incr file together give back the streams as
// they were at the stop.
func TestAOFStreamRewriteDuringWrites(t *testing.T) {
	dir := t.TempDir()
	cfg := aofConfig(dir, "no")
	cfg.Logger = slog.New(slog.DiscardHandler)
	src := startServer(t, cfg)
	addr := src.Addr().String()
	// Enough streams for the snapshot to take many chunks.
	var fill [][]string
	for i := range 10000 {
		k := "st:" + itoa(i)
		fill = append(fill, []string{"XADD", k, "1-1", "f", "v"}, []string{"XADD", k, "2-1", "f", "w"},
			[]string{"XGROUP", "CREATE", k, "g", "0"}, []string{"XREADGROUP", "GROUP", "g", "c0", "COUNT", "1", "STREAMS", k, ">"})
	}
	mustDoAll(t, addr, fill)
	const hot = 40
	// Entries are deleted with their pending entries (XDEL and XACK in
	// one transaction), and trimmed in streams without groups: a pending
	// entry whose entry is gone does not survive a rewrite, in Redis
	// 7.0.15 either (its XCLAIM ... FORCE claims nothing; see
	// TestAOFStreamRewriteMatchesRedis).
	randomStreamOp := func(rng *rand.Rand) [][]string {
		k := "st:" + itoa(rng.IntN(hot))
		c := "c" + itoa(rng.IntN(4))
		id := itoa(rng.IntN(3)+1) + "-1"
		switch rng.IntN(10) {
		case 0, 1, 2:
			return [][]string{{"XADD", k, "*", "f", itoa(rng.IntN(100))}}
		case 3, 4:
			return [][]string{{"XREADGROUP", "GROUP", "g", c, "COUNT", "2", "STREAMS", k, ">"}}
		case 5:
			return [][]string{{"XAUTOCLAIM", k, "g", c, "0", "0", "COUNT", "2"}}
		case 6:
			return [][]string{{"XCLAIM", k, "g", c, "0", id, "FORCE"}}
		case 7:
			return [][]string{{"XACK", k, "g", id}}
		case 8:
			return [][]string{{"MULTI"}, {"XDEL", k, id}, {"XACK", k, "g", id}, {"EXEC"}}
		default:
			if rng.IntN(2) == 0 {
				tk := "tr:" + itoa(rng.IntN(5))
				return [][]string{{"XADD", tk, "MAXLEN", "~", "150", "*", "f", "v"}, {"XTRIM", tk, "MAXLEN", "~", "20"}}
			}
			return [][]string{{"XGROUP", "DELCONSUMER", k, "g", c}}
		}
	}
	load := startWriteLoad(addr, 3, 11, randomStreamOp)
	load.waitOps(t, 200)
	rewriteAndWait(t, addr)
	load.waitOps(t, 200)
	load.end(t)
	var keys []string
	for i := range hot + 5 {
		keys = append(keys, "st:"+itoa(i))
	}
	for i := range 5 {
		keys = append(keys, "tr:"+itoa(i))
	}
	want := xinfoFull(t, addr, keys, false, true)
	if err := src.Close(); err != nil {
		t.Fatal(err)
	}
	again := startServer(t, cfg)
	if got := xinfoFull(t, again.Addr().String(), keys, false, true); got != want {
		t.Fatalf("after the rewrite during writes (%d commands) and a restart:\n%s\nbefore:\n%s", load.ops.Load(), got, want)
	}
}

// randomStreamSession returns n random stream commands over a few keys,
// groups and consumers, whose effects do not depend on the clock (explicit
// IDs, min-idle 0), so that two servers given them write the same AOF
// records but for delivery times.
func randomStreamSession(rng *rand.Rand, n int) [][]string {
	keys := []string{"r0", "r1", "r2"}
	groups := []string{"g0", "g1"}
	ms := 0
	key := func() string { return keys[rng.IntN(len(keys))] }
	group := func() string { return groups[rng.IntN(len(groups))] }
	consumer := func() string { return "c" + itoa(rng.IntN(4)) }
	id := func() string { // mostly one of the last entries
		if rng.IntN(5) == 0 {
			return itoa(rng.IntN(ms+2)) + "-" + itoa(rng.IntN(3))
		}
		return itoa(max(0, ms-rng.IntN(12))) + "-" + itoa(rng.IntN(2))
	}
	var out [][]string
	for len(out) < n {
		k := key()
		var cmd []string
		switch rng.IntN(16) {
		case 0, 1, 2, 3:
			ms++
			cmd = []string{"XADD", k}
			switch rng.IntN(6) {
			case 0:
				cmd = append(cmd, "MAXLEN", []string{"~", "="}[rng.IntN(2)], itoa(rng.IntN(8)))
			case 1:
				cmd = append(cmd, "MINID", "~", id())
			case 2:
				cmd = append(cmd, "NOMKSTREAM")
			}
			next := itoa(ms) + "-" + itoa(rng.IntN(2))
			if rng.IntN(3) == 0 {
				next = itoa(ms) + "-*"
			}
			cmd = append(cmd, next, "f", itoa(rng.IntN(10)))
		case 4:
			cmd = []string{"XDEL", k, id(), id()}
		case 5:
			cmd = []string{"XTRIM", k, []string{"MAXLEN", "MINID"}[rng.IntN(2)], []string{"~", "="}[rng.IntN(2)]}
			if cmd[2] == "MAXLEN" {
				cmd = append(cmd, itoa(rng.IntN(6)))
			} else {
				cmd = append(cmd, id())
			}
		case 6:
			cmd = []string{"XGROUP", "CREATE", k, group(), []string{"0", "$", id()}[rng.IntN(3)]}
			if rng.IntN(2) == 0 {
				cmd = append(cmd, "MKSTREAM")
			}
			if rng.IntN(3) == 0 {
				cmd = append(cmd, "ENTRIESREAD", itoa(rng.IntN(5)))
			}
		case 7:
			cmd = []string{"XGROUP", "SETID", k, group(), []string{"0", "$", id()}[rng.IntN(3)]}
			if rng.IntN(2) == 0 {
				cmd = append(cmd, "ENTRIESREAD", itoa(rng.IntN(5)))
			}
		case 8:
			cmd = []string{"XGROUP", []string{"DESTROY", "CREATECONSUMER", "DELCONSUMER", "CREATECONSUMER"}[rng.IntN(4)], k, group()}
			if cmd[1] != "DESTROY" {
				cmd = append(cmd, consumer())
			} else if rng.IntN(3) != 0 {
				cmd[1] = "CREATECONSUMER"
				cmd = append(cmd, consumer())
			}
		case 9, 10, 11:
			cmd = []string{"XREADGROUP", "GROUP", group(), consumer()}
			if rng.IntN(2) == 0 {
				cmd = append(cmd, "COUNT", itoa(rng.IntN(3)+1))
			}
			if rng.IntN(4) == 0 {
				cmd = append(cmd, "NOACK")
			}
			from := ">"
			if rng.IntN(4) == 0 {
				from = "0"
			}
			if rng.IntN(3) == 0 {
				cmd = append(cmd, "STREAMS", k, key(), from, from)
			} else {
				cmd = append(cmd, "STREAMS", k, from)
			}
		case 12:
			cmd = []string{"XACK", k, group(), id(), id()}
		case 13:
			cmd = []string{"XCLAIM", k, group(), consumer(), "0", id(), id()}
			for _, opt := range []string{"FORCE", "JUSTID"} {
				if rng.IntN(2) == 0 {
					cmd = append(cmd, opt)
				}
			}
			if rng.IntN(3) == 0 {
				cmd = append(cmd, "RETRYCOUNT", itoa(rng.IntN(9)))
			}
			if rng.IntN(4) == 0 {
				cmd = append(cmd, "TIME", "1000")
			}
			if rng.IntN(3) == 0 {
				cmd = append(cmd, "LASTID", id())
			}
		case 14:
			cmd = []string{"XAUTOCLAIM", k, group(), consumer(), "0", id(), "COUNT", itoa(rng.IntN(3) + 1)}
			if rng.IntN(2) == 0 {
				cmd = append(cmd, "JUSTID")
			}
		default:
			switch rng.IntN(4) {
			case 0:
				cmd = []string{"XSETID", k, id(), "ENTRIESADDED", itoa(rng.IntN(20)), "MAXDELETEDID", "0-1"}
			case 1:
				cmd = []string{"DEL", k}
			default:
				// A transaction of a read and a claim.
				out = append(out, []string{"MULTI"},
					[]string{"XREADGROUP", "GROUP", group(), consumer(), "COUNT", "1", "STREAMS", k, ">"},
					[]string{"XAUTOCLAIM", k, group(), consumer(), "0", "0", "COUNT", "1"})
				cmd = []string{"EXEC"}
			}
		}
		out = append(out, cmd)
	}
	return out
}

// TestAOFStreamRecordsRandom: for random stream sessions, Herald's AOF
// records and replies are redis-server 7.0.15's (times masked), so is
// its BGREWRITEAOF's base, and each server's reload gives the same XINFO
// STREAM FULL.
func TestAOFStreamRecordsRandom(t *testing.T) {
	redistest.Find(t)
	for seed := range uint64(3) {
		rs := redistest.Start(t, "--appendonly", "yes", "--aof-use-rdb-preamble", "no", "--appendfsync", "always")
		dir := t.TempDir()
		s := startServer(t, aofConfig(dir, "always"))
		cmds := randomStreamSession(rand.New(rand.NewPCG(seed, 88)), 1500)
		replies := func(addr string) []string {
			conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			r := bufio.NewReader(conn)
			var out []string
			for _, args := range cmds {
				out = append(out, timeMask.ReplaceAllString(rawDo(t, conn, r, args...).String(), "<ms>"))
			}
			return out
		}
		want, got := replies(rs.Addr()), replies(s.Addr().String())
		for i := range cmds {
			if want[i] != got[i] {
				t.Fatalf("seed %d, command %d %q: Herald %s, redis-server %s", seed, i, cmds[i], got[i], want[i])
			}
		}
		wantRec, gotRec := aofRecords(t, redisDir(rs)), aofRecords(t, dir)
		for i := 0; i < max(len(wantRec), len(gotRec)); i++ {
			var w, g string
			if i < len(wantRec) {
				w = wantRec[i]
			}
			if i < len(gotRec) {
				g = gotRec[i]
			}
			if w != g {
				lo := max(0, i-10)
				t.Fatalf("seed %d, record %d: Herald %q, redis-server %q\nHerald's before:\n%s\nredis-server's before:\n%s", seed, i, g, w,
					strings.Join(gotRec[lo:min(i+1, len(gotRec))], "\n"), strings.Join(wantRec[lo:min(i+1, len(wantRec))], "\n"))
			}
		}
		if len(wantRec) < 300 {
			t.Fatalf("seed %d: only %d records", seed, len(wantRec))
		}
		if os.Getenv("DUMP_RECORDS") != "" {
			kinds := map[string]int{}
			for _, r := range gotRec {
				w := strings.Fields(r)
				if w[0] == "XGROUP" || w[0] == "XTRIM" || w[0] == "XADD" {
					w[0] += " " + w[1]
				}
				kinds[w[0]]++
			}
			t.Logf("seed %d: %d records: %v", seed, len(gotRec), kinds)
		}
		// The same rewritten base, and then the same reload.
		rewriteAndWait(t, rs.Addr())
		rewriteAndWait(t, s.Addr().String())
		wantBase, gotBase := baseRecordsByKey(t, redisDir(rs)), baseRecordsByKey(t, dir)
		if fmt.Sprint(gotBase) != fmt.Sprint(wantBase) {
			t.Fatalf("seed %d: Herald's rewrite:\n%v\nredis-server's:\n%v", seed, gotBase, wantBase)
		}
		keys := []string{"r0", "r1", "r2"}
		s.Close()
		s2 := startServer(t, aofConfig(dir, "always"))
		rs2 := restartRedis(t, rs, redisDir(rs))
		if got, want := xinfoFull(t, s2.Addr().String(), keys, true, false), xinfoFull(t, rs2.Addr(), keys, true, false); got != want {
			t.Fatalf("seed %d: Herald reloaded:\n%s\nredis-server reloaded:\n%s", seed, got, want)
		}
		s2.Close()
	}
}

// TestAOFStreamKillAtLeastOnce: with appendfsync always, producers add
// entries and consumers read them with XREADGROUP and acknowledge every
// other one, until the server is killed (SIGKILL) under that load. After
// the restart every acknowledged XADD is there, every entry a consumer
// was sent and did not acknowledge is pending for that consumer, and
// another consumer takes all of those over with XAUTOCLAIM: none is lost.
func TestAOFStreamKillAtLeastOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the herald binary")
	}
	tmp := t.TempDir()
	bin := filepath.Join(tmp, "herald")
	if out, err := exec.Command("go", "build", "-o", bin, "../cmd/herald").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	dir := filepath.Join(tmp, "data")
	os.Mkdir(dir, 0o755)
	start := func() (*exec.Cmd, string) {
		port, err := redistest.FreePort()
		if err != nil {
			t.Fatal(err)
		}
		addr := "127.0.0.1:" + strconv.Itoa(port)
		cmd := exec.Command(bin, "serve", "--port", strconv.Itoa(port), "--http-port", "0",
			"--appendonly", "yes", "--appendfsync", "always", "--dir", dir)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
		waitFor(t, "herald to listen", func() bool {
			c, err := net.Dial("tcp", addr)
			if err == nil {
				c.Close()
			}
			return err == nil
		})
		return cmd, addr
	}
	cmd, addr := start()
	if _, err := redistest.Do(addr, "XGROUP", "CREATE", "jobs", "workers", "$", "MKSTREAM"); err != nil {
		t.Fatal(err)
	}

	const producers, consumers = 2, 2
	var mu sync.Mutex
	added := map[string]bool{}   // IDs whose XADD was acknowledged
	pending := map[string]bool{} // IDs sent to a consumer and not acknowledged
	var wg sync.WaitGroup
	enough := make(chan struct{}, producers+consumers)
	for i := range producers + consumers {
		wg.Go(func() {
			conn, err := net.Dial("tcp", addr)
			if err != nil {
				t.Error(err)
				return
			}
			defer conn.Close()
			r := bufio.NewReader(conn)
			do := func(args ...string) (resp.Value, bool) {
				conn.SetDeadline(time.Now().Add(10 * time.Second))
				if _, err := conn.Write(encodeCommand(args...)); err != nil {
					return resp.Value{}, false
				}
				v, err := resp.ReadValue(r)
				return v, err == nil
			}
			name := "consumer" + itoa(i)
			for n := 1; ; n++ {
				if i < producers {
					v, ok := do("XADD", "jobs", "*", "job", itoa(i)+"/"+itoa(n))
					if !ok {
						return
					}
					mu.Lock()
					added[v.Str] = true
					mu.Unlock()
				} else {
					v, ok := do("XREADGROUP", "GROUP", "workers", name, "COUNT", "2", "BLOCK", "1000", "STREAMS", "jobs", ">")
					if !ok {
						return
					}
					if v.Null {
						n-- // only reads that got entries count
					} else {
						for _, e := range v.Elems[0].Elems[1].Elems {
							id := e.Elems[0].Str
							// An entry whose XACK is sent may be acknowledged
							// or not after a kill: only those never acknowledged
							// are known to be pending.
							if n%2 == 0 {
								if _, ok := do("XACK", "jobs", "workers", id); !ok {
									return
								}
								continue
							}
							mu.Lock()
							pending[name+" "+id] = true
							mu.Unlock()
						}
					}
				}
				if n == 300 {
					enough <- struct{}{}
				}
			}
		})
	}
	for range producers + consumers {
		<-enough
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	wg.Wait()

	_, addr = start()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	r := bufio.NewReader(conn)
	for id := range added {
		if v := rawDo(t, conn, r, "XRANGE", "jobs", id, id); len(v.Elems) != 1 {
			t.Fatalf("acknowledged XADD %s missing after the restart", id)
		}
	}
	// Each entry sent and not acknowledged is pending for its consumer.
	for key := range pending {
		name, id, _ := strings.Cut(key, " ")
		v := rawDo(t, conn, r, "XPENDING", "jobs", "workers", id, id, "1")
		if len(v.Elems) != 1 || v.Elems[0].Elems[1].Str != name {
			t.Fatalf("entry %s sent to %s: pending after the restart %s", id, name, v)
		}
	}
	// A new consumer takes every pending entry over.
	claimed := map[string]bool{}
	for cursor := "0-0"; ; {
		v := rawDo(t, conn, r, "XAUTOCLAIM", "jobs", "workers", "rescuer", "0", cursor, "COUNT", "50", "JUSTID")
		for _, e := range v.Elems[1].Elems {
			claimed[e.Str] = true
		}
		if cursor = v.Elems[0].Str; cursor == "0-0" {
			break
		}
	}
	for key := range pending {
		if _, id, _ := strings.Cut(key, " "); !claimed[id] {
			t.Fatalf("unacknowledged entry %s not claimed after the restart", id)
		}
	}
	t.Logf("%d entries added, %d pending at the kill, %d claimed after the restart", len(added), len(pending), len(claimed))
	if len(pending) == 0 || len(added) < 600 {
		t.Fatalf("too little load: %d added, %d pending", len(added), len(pending))
	}
}
