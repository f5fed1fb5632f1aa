package keyspace

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// readCommands parses a snapshot's bytes: RESP arrays of bulk strings,
// nothing else.
func readCommands(t testing.TB, b []byte) [][]string {
	t.Helper()
	cmds, err := parseCommands(b)
	if err != nil {
		t.Fatal(err)
	}
	return cmds
}

func parseCommands(b []byte) ([][]string, error) {
	r := bufio.NewReader(bytes.NewReader(b))
	var cmds [][]string
	line := func(prefix byte) (int, error) {
		s, err := r.ReadString('\n')
		if err != nil {
			return 0, err
		}
		if len(s) < 3 || s[0] != prefix || !strings.HasSuffix(s, "\r\n") {
			return 0, fmt.Errorf("bad line %q, want %q", s, prefix)
		}
		return strconv.Atoi(s[1 : len(s)-2])
	}
	for {
		if _, err := r.Peek(1); err == io.EOF {
			return cmds, nil
		}
		n, err := line('*')
		if err != nil {
			return nil, err
		}
		if n < 1 {
			return nil, fmt.Errorf("array of %d", n)
		}
		cmd := make([]string, n)
		for i := range cmd {
			size, err := line('$')
			if err != nil {
				return nil, err
			}
			buf := make([]byte, size+2)
			if _, err := io.ReadFull(r, buf); err != nil {
				return nil, err
			}
			if string(buf[size:]) != "\r\n" {
				return nil, fmt.Errorf("bulk string not ended by CRLF")
			}
			cmd[i] = string(buf[:size])
		}
		cmds = append(cmds, cmd)
	}
}

// replay runs a snapshot's commands on a fresh keyspace, through the
// keyspace's own API: a loader for the forms a snapshot writes, checking
// their shape (arity, 64 items at most, existing keys for PEXPIREAT).
func replay(t testing.TB, b []byte) *Keyspace {
	t.Helper()
	ks := New(nil)
	ks.Clock = func() int64 { return 0 }
	db := ks.DB(0)
	selected := false
	for _, cmd := range readCommands(t, b) {
		name, args := cmd[0], cmd[1:]
		if name == "SELECT" {
			n, err := strconv.Atoi(args[0])
			if len(args) != 1 || err != nil || n < 0 || n >= NumDatabases {
				t.Fatalf("bad %q", cmd)
			}
			db, selected = ks.DB(n), true
			continue
		}
		if !selected {
			t.Fatalf("%q before any SELECT", cmd)
		}
		if len(args) < 2 {
			t.Fatalf("bad arity: %q", cmd)
		}
		key, items := args[0], args[1:]
		e := db.keys[key]
		get := func(v Value) Value {
			if e == nil {
				e = db.Add(key, v)
			}
			return e.Value
		}
		pairs := func() {
			if len(items)%2 != 0 || len(items)/2 > RewriteItemsPerCommand {
				t.Fatalf("bad %s: %d items", name, len(items))
			}
		}
		switch name {
		case "SET":
			if e != nil || len(items) != 1 {
				t.Fatalf("bad SET %q (exists %v)", key, e != nil)
			}
			db.Add(key, NewString([]byte(items[0])))
		case "RPUSH":
			if len(items) > RewriteItemsPerCommand {
				t.Fatalf("RPUSH of %d items", len(items))
			}
			l := get(NewList()).(*List)
			for _, it := range items {
				l.PushRight([]byte(it))
			}
		case "SADD":
			if len(items) > RewriteItemsPerCommand {
				t.Fatalf("SADD of %d items", len(items))
			}
			s := get(NewSet(items[0])).(*Set)
			for _, it := range items {
				s.Add(it)
			}
		case "HMSET":
			pairs()
			h := get(NewHash()).(*Hash)
			for i := 0; i < len(items); i += 2 {
				h.Set(items[i], items[i+1])
			}
		case "ZADD":
			pairs()
			z := get(NewZSet()).(*ZSet)
			for i := 0; i < len(items); i += 2 {
				score, err := strconv.ParseFloat(items[i], 64)
				if err != nil {
					t.Fatalf("ZADD score %q: %v", items[i], err)
				}
				z.Set(items[i+1], score)
			}
		case "PEXPIREAT":
			at, err := strconv.ParseInt(items[0], 10, 64)
			if e == nil || len(items) != 1 || err != nil {
				t.Fatalf("bad %q", cmd)
			}
			db.SetExpire(key, e, at)
		default:
			t.Fatalf("unexpected command %q", cmd)
		}
		db.Written(key)
	}
	return ks
}

// state is a keyspace's content as text, one line per key, for
// comparing: every key not expired at now, its type, value and expiry.
// It reads the maps directly, without the hooks.
func state(ks *Keyspace, now int64) string {
	var lines []string
	for i, db := range ks.dbs {
		for key, e := range db.keys {
			if e.ExpireAt != 0 && e.ExpireAt <= now {
				continue
			}
			lines = append(lines, fmt.Sprintf("%d %q %s %s px=%d", i, key, e.Value.Type(), valueText(e.Value), e.ExpireAt))
		}
	}
	slices.Sort(lines)
	return strings.Join(lines, "\n")
}

func valueText(v Value) string {
	var parts []string
	switch v := v.(type) {
	case *String:
		return strconv.Quote(string(v.B))
	case *List:
		v.Range(0, v.Len()-1, false, func(b []byte) { parts = append(parts, strconv.Quote(string(b))) })
		return "[" + strings.Join(parts, " ") + "]"
	case *Set:
		v.Each(func(m string) bool { parts = append(parts, strconv.Quote(m)); return true })
	case *Hash:
		v.Each(func(f, val string) bool { parts = append(parts, strconv.Quote(f)+"="+strconv.Quote(val)); return true })
	case *ZSet:
		v.Range(0, v.Len()-1, false, func(m string, s float64) bool {
			parts = append(parts, strconv.Quote(m)+"="+strconv.FormatFloat(s, 'g', -1, 64))
			return true
		})
		return "[" + strings.Join(parts, " ") + "]"
	default:
		return fmt.Sprintf("%T", v)
	}
	slices.Sort(parts)
	return "{" + strings.Join(parts, " ") + "}"
}

// snapshotBytes starts a snapshot, lets during change the keyspace
// (lock held) after T0, and returns what the snapshot wrote.
func snapshotBytes(t testing.TB, ks *Keyspace, during func()) []byte {
	t.Helper()
	ks.Lock()
	s, err := ks.StartSnapshot()
	if err != nil {
		t.Fatal(err)
	}
	if during != nil {
		during()
	}
	ks.Unlock()
	var out bytes.Buffer
	if _, err := s.WriteTo(&out); err != nil {
		t.Fatal(err)
	}
	ks.Lock()
	defer ks.Unlock()
	if ks.SnapshotRunning() {
		t.Fatal("snapshot still running after WriteTo")
	}
	return out.Bytes()
}

func fixedClock(ks *Keyspace, now int64) { ks.Clock = func() int64 { return now } }

func TestSnapshotEveryType(t *testing.T) {
	ks := New(nil)
	const now = 1_700_000_000_000
	fixedClock(ks, now)
	db := ks.DB(0)
	db.Add("str", NewString([]byte("hello\r\nworld")))
	db.Add("int", NewInt(-42))
	l := NewList()
	l.PushRight([]byte("a"))
	l.PushRight([]byte(""))
	l.PushLeft([]byte("z"))
	db.Add("list", l)
	s := NewSet("1")
	s.Add("1")
	s.Add("20")
	db.Add("intset", s)
	s = NewSet("x")
	s.Add("x")
	s.Add("y y")
	db.Add("set", s)
	h := NewHash()
	h.Set("f", "v")
	h.Set("", "empty field")
	db.Add("hash", h)
	z := NewZSet()
	z.Set("a", 1.5)
	z.Set("b", math.Inf(-1))
	z.Set("c", math.Inf(1))
	z.Set("d", 0.1)
	z.Set("e", -3e-300)
	db.Add("zset", z)
	e := ks.DB(3).Add("ttl", NewString([]byte("v")))
	ks.DB(3).SetExpire("ttl", e, now+5000)
	e = ks.DB(3).Add("gone", NewString([]byte("v")))
	ks.DB(3).SetExpire("gone", e, now) // expired at T0

	want := state(ks, now)
	out := snapshotBytes(t, ks, nil)
	if got := state(replay(t, out), now); got != want {
		t.Fatalf("replayed:\n%s\nwant:\n%s", got, want)
	}
	// The exact forms, as Redis's rewriteAppendOnlyFileRio writes them.
	cmds := readCommands(t, out)
	has := func(want ...string) {
		t.Helper()
		if !slices.ContainsFunc(cmds, func(c []string) bool { return slices.Equal(c, want) }) {
			t.Errorf("no command %q in %q", want, cmds)
		}
	}
	has("SELECT", "0")
	has("SELECT", "3")
	has("SET", "str", "hello\r\nworld")
	has("SET", "int", "-42")
	has("RPUSH", "list", "z", "a", "")
	has("SET", "ttl", "v")
	has("PEXPIREAT", "ttl", strconv.Itoa(now+5000))
	has("ZADD", "zset", "-inf", "b", "-3.0000000000000002e-300", "e", "0.10000000000000001", "d", "1.5", "a", "inf", "c")
	for _, c := range cmds {
		if c[0] == "HMSET" && len(c) != 6 || c[0] == "SADD" && len(c) != 4 {
			t.Errorf("bad %q", c)
		}
		if len(c) > 1 && c[1] == "gone" {
			t.Errorf("key expired at T0 written: %q", c)
		}
	}
	// SELECT comes first, and each database once when nothing interleaves.
	if cmds[0][0] != "SELECT" {
		t.Errorf("first command %q", cmds[0])
	}
	selects := 0
	for _, c := range cmds {
		if c[0] == "SELECT" {
			selects++
		}
	}
	if selects != 2 {
		t.Errorf("%d SELECTs, want 2", selects)
	}
}

// TestSnapshotItemsPerCommand checks the split at 64 items per command,
// around the boundaries, and a big string.
func TestSnapshotItemsPerCommand(t *testing.T) {
	ks := New(nil)
	fixedClock(ks, 1000)
	db := ks.DB(0)
	for _, n := range []int{1, 63, 64, 65, 128, 129, 1000} {
		l := NewList()
		s := NewSet("m0")
		h := NewHash()
		z := NewZSet()
		for i := range n {
			m := "m" + strconv.Itoa(i)
			l.PushRight([]byte(m))
			s.Add(m)
			h.Set(m, strconv.Itoa(i))
			z.Set(m, float64(i)/3)
		}
		suffix := strconv.Itoa(n)
		db.Add("list"+suffix, l)
		db.Add("set"+suffix, s)
		db.Add("hash"+suffix, h)
		db.Add("zset"+suffix, z)
	}
	big := bytes.Repeat([]byte("0123456789"), 200_000)
	db.Add("big", NewString(big))
	want := state(ks, 1000)
	out := snapshotBytes(t, ks, nil)
	if got := state(replay(t, out), 1000); got != want {
		t.Fatal("replayed state differs")
	}
	// Per key, the item counts of its commands: full commands of 64 and
	// the rest last.
	counts := map[string][]int{}
	for _, c := range readCommands(t, out) {
		switch c[0] {
		case "RPUSH", "SADD":
			counts[c[1]] = append(counts[c[1]], len(c)-2)
		case "HMSET", "ZADD":
			counts[c[1]] = append(counts[c[1]], (len(c)-2)/2)
		}
	}
	for _, n := range []int{1, 63, 64, 65, 128, 129, 1000} {
		var want []int
		for left := n; left > 0; left -= RewriteItemsPerCommand {
			want = append(want, min(left, RewriteItemsPerCommand))
		}
		for _, typ := range []string{"list", "set", "hash", "zset"} {
			key := typ + strconv.Itoa(n)
			if !slices.Equal(counts[key], want) {
				t.Errorf("%s: commands of %v items, want %v", key, counts[key], want)
			}
		}
	}
}

// TestSnapshotCopyOnAccess changes, after T0, keys of every kind in
// every way the keyspace offers, and checks the snapshot is T0's.
func TestSnapshotCopyOnAccess(t *testing.T) {
	ks := New(nil)
	now := int64(10_000)
	ks.Clock = func() int64 { return now }
	for i := range 3 {
		db := ks.DB(i)
		for j := range 50 {
			key := "k" + strconv.Itoa(j)
			l := NewList()
			l.PushRight([]byte(key))
			db.Add("list:"+key, l)
			h := NewHash()
			h.Set("f", key)
			db.Add("hash:"+key, h)
			e := db.Add("str:"+key, NewString([]byte(key)))
			db.SetExpire("str:"+key, e, now+int64(j)*10+1)
		}
	}
	ks.DB(5).Add("evicted", NewString(bytes.Repeat([]byte("x"), 1<<20)))
	t0 := now
	want := state(ks, t0)

	out := snapshotBytes(t, ks, func() {
		db := ks.DB(0)
		// In-place changes after Lookup, Peek and their byte forms.
		db.Lookup("list:k1").Value.(*List).PushRight([]byte("new"))
		db.Written("list:k1")
		db.LookupBytes([]byte("list:k2")).Value.(*List).PopLeft()
		db.Delete("list:k2")
		db.Written("list:k2")
		db.Peek("hash:k1").Value.(*Hash).Set("f", "changed")
		db.PeekBytes([]byte("hash:k2")).Value.(*Hash).Set("g", "added")
		// Set over, Replace, SetExpire, Delete and re-create.
		db.Set("str:k3", NewString([]byte("over")), false)
		db.Replace("hash:k3", db.keys["hash:k3"], NewString([]byte("now a string")), false)
		db.SetExpire("list:k4", db.keys["list:k4"], now+1)
		db.Delete("hash:k5")
		db.Add("hash:k5", NewString([]byte("recreated")))
		db.Add("created-after-t0", NewString([]byte("x")))
		// Time passes: keys expire lazily and actively.
		now += 250
		db.Lookup("str:k10")
		ks.ActiveExpireCycle(1 << 40)
		// A flushed database, then new keys in it.
		ks.DB(1).Flush()
		ks.DB(1).Add("list:k1", NewString([]byte("after flush")))
		// All of a database's keys touched through Keys (read only) and
		// eviction of a big key.
		ks.DB(2).Keys(func(string, *Entry) bool { return true })
		if !ks.Evict(BaselineMemory+1, AllKeysLRU, 64) {
			t.Fatal("eviction did not free memory")
		}
	})
	if got := state(replay(t, out), t0); got != want {
		t.Fatalf("replayed:\n%s\n\nwant:\n%s", got, want)
	}
}

func TestSnapshotFlushAllAndStartAgain(t *testing.T) {
	ks := New(nil)
	fixedClock(ks, 5)
	for i := range NumDatabases {
		ks.DB(i).Add("k", NewString([]byte(strconv.Itoa(i))))
	}
	want := state(ks, 5)
	out := snapshotBytes(t, ks, func() {
		ks.FlushAll()
		ks.DB(0).Add("new", NewString([]byte("n")))
	})
	if got := state(replay(t, out), 5); got != want {
		t.Fatalf("replayed:\n%s\nwant:\n%s", got, want)
	}
	// A second snapshot sees the keyspace as it is now, the key created
	// during the first one included.
	want = state(ks, 5)
	if got := state(replay(t, snapshotBytes(t, ks, nil)), 5); got != want || !strings.Contains(got, `"new"`) {
		t.Fatalf("second snapshot:\n%s\nwant:\n%s", got, want)
	}
}

func TestSnapshotAbort(t *testing.T) {
	ks := New(nil)
	ks.DB(0).Add("k", NewString([]byte("v")))
	ks.Lock()
	s, err := ks.StartSnapshot()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ks.StartSnapshot(); !errors.Is(err, ErrSnapshotRunning) {
		t.Fatalf("second StartSnapshot: %v", err)
	}
	s.Abort()
	if ks.SnapshotRunning() {
		t.Fatal("running after Abort")
	}
	// Accesses after the abort do not dump.
	ks.DB(0).Lookup("k")
	if len(s.pending) != 0 {
		t.Fatalf("dumped after abort: %q", s.pending)
	}
	ks.Unlock()
	var out bytes.Buffer
	if _, err := s.WriteTo(&out); !errors.Is(err, ErrSnapshotAborted) || out.Len() != 0 {
		t.Fatalf("WriteTo after Abort: %v, %q", err, out.Bytes())
	}
	// A new one can start.
	ks.Lock()
	s, err = ks.StartSnapshot()
	ks.Unlock()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.WriteTo(io.Discard); err != nil {
		t.Fatal(err)
	}
	// Once written, it cannot be written again.
	if n, err := s.WriteTo(io.Discard); err == nil || n != 0 {
		t.Fatalf("second WriteTo: %d, %v", n, err)
	}
}

// abortingWriter aborts the snapshot on its first write, as a rewrite
// cancelled while the walk is under way.
type abortingWriter struct {
	s *Snapshot
	n int
}

func (w *abortingWriter) Write(b []byte) (int, error) {
	w.n++
	w.s.ks.Lock()
	w.s.Abort()
	w.s.ks.Unlock()
	return len(b), nil
}

func TestSnapshotAbortDuringWrite(t *testing.T) {
	ks := New(nil)
	for i := range 100 {
		ks.DB(0).Add(strconv.Itoa(i), NewString([]byte("v")))
	}
	ks.Lock()
	s, _ := ks.StartSnapshot()
	ks.Unlock()
	s.ChunkKeys = 10
	w := &abortingWriter{s: s}
	if _, err := s.WriteTo(w); !errors.Is(err, ErrSnapshotAborted) || w.n != 1 {
		t.Fatalf("WriteTo: %v after %d writes", err, w.n)
	}
}

type failingWriter struct{ err error }

func (w failingWriter) Write([]byte) (int, error) { return 0, w.err }

func TestSnapshotWriteError(t *testing.T) {
	ks := New(nil)
	for i := range 100 {
		ks.DB(0).Add(strconv.Itoa(i), NewString([]byte("v")))
	}
	ks.Lock()
	s, _ := ks.StartSnapshot()
	ks.Unlock()
	s.ChunkKeys = 10
	disk := errors.New("disk full")
	if _, err := s.WriteTo(failingWriter{disk}); !errors.Is(err, disk) {
		t.Fatalf("WriteTo: %v", err)
	}
	ks.Lock()
	defer ks.Unlock()
	if ks.SnapshotRunning() {
		t.Fatal("running after a write error")
	}
}

// unknownValue is a value type the snapshot has no command for (one
// calling itself a stream, which is not a *Stream).
type unknownValue struct{}

func (unknownValue) Type() string     { return "stream" }
func (unknownValue) Encoding() string { return "stream" }
func (unknownValue) Size() int64      { return 0 }

func TestSnapshotUnknownTypeFails(t *testing.T) {
	ks := New(nil)
	ks.DB(0).Add("s", unknownValue{})
	ks.Lock()
	s, _ := ks.StartSnapshot()
	ks.Unlock()
	_, err := s.WriteTo(io.Discard)
	if err == nil || !strings.Contains(err.Error(), "cannot write a stream value") {
		t.Fatalf("WriteTo: %v", err)
	}
	ks.Lock()
	defer ks.Unlock()
	if ks.SnapshotRunning() {
		t.Fatal("running after the error")
	}
}

// TestSnapshotConcurrentWriters runs writers that change, create,
// delete, expire, evict and flush keys of every type while WriteTo
// walks in small chunks, and checks that the snapshot replays to the
// keyspace of T0 exactly. Run it with -race.
func TestSnapshotConcurrentWriters(t *testing.T) {
	for seed := range uint64(4) {
		t.Run("seed"+strconv.FormatUint(seed, 10), func(t *testing.T) { concurrentSnapshot(t, seed) })
	}
}

const concurrentKeys = 300

func concurrentSnapshot(t *testing.T, seed uint64) {
	ks := New(nil)
	var clock atomic.Int64
	clock.Store(1_000_000)
	ks.Clock = clock.Load
	rng := rand.New(rand.NewPCG(seed, 0))
	ks.Lock()
	for range 3000 {
		mutate(ks, rng, &clock, false)
	}
	t0 := ks.Now()
	want := state(ks, t0)
	s, err := ks.StartSnapshot()
	ks.Unlock()
	if err != nil {
		t.Fatal(err)
	}
	s.ChunkKeys, s.ChunkBytes = 5, 256

	var ops atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := range 3 {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(seed, uint64(w)+1))
			for {
				select {
				case <-stop:
					return
				default:
				}
				ks.Lock()
				mutate(ks, rng, &clock, true)
				ks.Unlock()
				ops.Add(1)
			}
		})
	}
	// Each chunk waits for the writers to have done some work, so that
	// they interleave with the walk whatever the scheduler does.
	w := &pacedWriter{ops: &ops}
	_, err = s.WriteTo(w)
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	if w.writes < 10 {
		t.Fatalf("only %d chunks", w.writes)
	}
	got := state(replay(t, w.buf.Bytes()), t0)
	if got != want {
		t.Fatalf("replayed state differs from T0's (%d ops during the snapshot)\n%s", ops.Load(), firstDiff(got, want))
	}
	t.Logf("%d keys at T0, %d chunks, %d writer ops during the snapshot", strings.Count(want, "\n")+1, w.writes, ops.Load())
}

// pacedWriter collects the snapshot, waiting on each write until the
// writers have done 20 more operations (or a generous deadline passed:
// the test then goes on, with less interleaving).
type pacedWriter struct {
	ops    *atomic.Int64
	buf    bytes.Buffer
	writes int
}

func (w *pacedWriter) Write(b []byte) (int, error) {
	w.writes++
	target := w.ops.Load() + 20
	deadline := time.Now().Add(5 * time.Second)
	for w.ops.Load() < target && time.Now().Before(deadline) {
		runtime.Gosched()
	}
	return w.buf.Write(b)
}

func firstDiff(got, want string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := range max(len(g), len(w)) {
		var a, b string
		if i < len(g) {
			a = g[i]
		}
		if i < len(w) {
			b = w[i]
		}
		if a != b {
			return fmt.Sprintf("line %d:\n got %.300s\nwant %.300s", i, a, b)
		}
	}
	return "(same)"
}

// mutate does one random change to the keyspace, through its API as
// commands use it (lock held): in-place changes after Lookup, Set,
// Delete, expiry, and with heavy also active expiry, eviction, FLUSHDB,
// FLUSHALL and time passing.
func mutate(ks *Keyspace, rng *rand.Rand, clock *atomic.Int64, heavy bool) {
	db := ks.DB(rng.IntN(4))
	key := "k" + strconv.Itoa(rng.IntN(concurrentKeys))
	member := "m" + strconv.Itoa(rng.IntN(100))
	e := db.Lookup(key)
	switch op := rng.IntN(100); {
	case op < 15: // a list
		if e == nil {
			e = db.Add(key, NewList())
		}
		l, ok := e.Value.(*List)
		if !ok {
			return
		}
		if rng.IntN(3) == 0 && l.Len() > 0 {
			l.PopLeft()
		} else {
			for range rng.IntN(70) + 1 {
				l.PushRight([]byte(member))
			}
		}
		if l.Len() == 0 {
			db.Delete(key)
		}
	case op < 30: // a hash
		if e == nil {
			e = db.Add(key, NewHash())
		}
		h, ok := e.Value.(*Hash)
		if !ok {
			return
		}
		if rng.IntN(3) == 0 {
			h.Delete(member)
		} else {
			h.Set(member, strconv.Itoa(rng.IntN(1000)))
		}
		if h.Len() == 0 {
			db.Delete(key)
		}
	case op < 45: // a set
		if e == nil {
			e = db.Add(key, NewSet(member))
		}
		s, ok := e.Value.(*Set)
		if !ok {
			return
		}
		if rng.IntN(3) == 0 {
			s.Remove(member)
		} else {
			s.Add(member)
			s.Add(strconv.Itoa(rng.IntN(1000)))
		}
		if s.Len() == 0 {
			db.Delete(key)
		}
	case op < 60: // a sorted set
		if e == nil {
			e = db.Add(key, NewZSet())
		}
		z, ok := e.Value.(*ZSet)
		if !ok {
			return
		}
		if rng.IntN(3) == 0 {
			z.Remove(member)
		} else {
			z.Set(member, rng.NormFloat64()*1e6)
		}
		if z.Len() == 0 {
			db.Delete(key)
		}
	case op < 70: // a string, over whatever was there
		db.Set(key, NewString([]byte(strconv.Itoa(rng.IntN(1e6)))), rng.IntN(2) == 0)
	case op < 78:
		db.Delete(key)
	case op < 88: // an expiry, near or far, or none
		if e != nil {
			at := int64(0)
			if rng.IntN(4) > 0 {
				at = ks.Now() + 1 + rng.Int64N(3000)
			}
			db.SetExpire(key, e, at)
		}
	case !heavy:
	case op < 93:
		clock.Add(rng.Int64N(100))
	case op < 96:
		ks.ActiveExpireCycle(time.Millisecond)
	case op < 98:
		ks.Evict(ks.UsedMemory()-int64(rng.IntN(2000)), AllKeysRandom, 0)
	case rng.IntN(2000) == 0: // rare: the walk should see keys changed
		ks.FlushAll()
	case rng.IntN(500) == 0:
		db.Flush()
	}
	db.Written(key)
}
