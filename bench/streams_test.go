package main

import (
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestValidStreamID(t *testing.T) {
	for _, id := range []string{"0-1", "1-0", "1700000000000-12", "18446744073709551615-18446744073709551615"} {
		if !validStreamID([]byte(id)) {
			t.Errorf("%q rejected", id)
		}
	}
	for _, id := range []string{"", "1", "1-", "-1", "01-0", "1-00", "a-1", "1-2-3", "+1-0", "1 -0", "123456789012345678901-0"} {
		if validStreamID([]byte(id)) {
			t.Errorf("%q accepted", id)
		}
	}
}

func TestIDLess(t *testing.T) {
	cases := []struct {
		a, b string
		less bool
	}{
		{"1-0", "1-1", true},
		{"1-9", "1-10", true},
		{"9-5", "10-0", true},
		{"10-0", "9-5", false},
		{"5-5", "5-5", false},
		{"5-6", "5-5", false},
	}
	for _, c := range cases {
		if got := idLess([]byte(c.a), []byte(c.b)); got != c.less {
			t.Errorf("idLess(%s, %s) = %v", c.a, c.b, got)
		}
	}
}

func TestXaddCommand(t *testing.T) {
	want := "*8\r\n$4\r\nXADD\r\n$1\r\ns\r\n$6\r\nMAXLEN\r\n$1\r\n~\r\n$3\r\n100\r\n$1\r\n*\r\n$1\r\nf\r\n$2\r\nvv\r\n"
	if got := string(xaddCommand("s", 100, []byte("vv"))); got != want {
		t.Errorf("capped: %q, want %q", got, want)
	}
	want = "*5\r\n$4\r\nXADD\r\n$1\r\ns\r\n$1\r\n*\r\n$1\r\nf\r\n$2\r\nvv\r\n"
	if got := string(xaddCommand("s", 0, []byte("vv"))); got != want {
		t.Errorf("uncapped: %q, want %q", got, want)
	}
	cfg := &config{kvValue: 8, streamMaxLen: 1000}
	ring := streamAddRing(cfg)
	if ring.len() < 64 || !strings.Contains(string(ring.buf), "bench:stream:15") || strings.Contains(string(ring.buf), "bench:stream:16") {
		t.Errorf("ring of %d commands over the wrong streams", ring.len())
	}
}

func TestCheckStreamID(t *testing.T) {
	if err := checkStreamID(frame{kind: '$', last: []byte("1-0")}); err != nil {
		t.Error(err)
	}
	for _, f := range []frame{{kind: '$', last: []byte("OK")}, {kind: '+', last: []byte("1-0")}, {kind: '$'}} {
		if checkStreamID(f) == nil {
			t.Errorf("%q %q accepted", f.kind, f.last)
		}
	}
	if checkAcked(3)(frame{kind: ':', num: 3}) != nil || checkAcked(3)(frame{kind: ':', num: 2}) == nil {
		t.Error("checkAcked")
	}
}

// readGroupReply encodes a RESP2 XREADGROUP reply of one stream whose
// entries each hold field with value.
func readGroupReply(key, field, value string, ids ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "*1\r\n*2\r\n$%d\r\n%s\r\n*%d\r\n", len(key), key, len(ids))
	for _, id := range ids {
		fmt.Fprintf(&b, "*2\r\n$%d\r\n%s\r\n*2\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n", len(id), id, len(field), field, len(value), value)
	}
	return b.String()
}

func TestParseReadGroupReply(t *testing.T) {
	ok := readGroupReply("k", "f", "abcd", "5-0", "5-1", "6-0")
	ids, err := parseReadGroupReply([]byte(ok), "k", 3, 4, nil)
	if err != nil || len(ids) != 3 || string(ids[0]) != "5-0" || string(ids[2]) != "6-0" {
		t.Fatalf("ids %q, %v", ids, err)
	}
	// The IDs are appended.
	if ids, err := parseReadGroupReply([]byte(ok), "k", 3, 4, ids[:1]); err != nil || len(ids) != 4 {
		t.Errorf("appended: %q, %v", ids, err)
	}
	if ids, err := parseReadGroupReply([]byte("*-1\r\n"), "k", 3, 4, nil); err != nil || len(ids) != 0 {
		t.Errorf("nil reply: %q, %v", ids, err)
	}
	bad := map[string]string{
		"other key":      readGroupReply("x", "f", "abcd", "5-0"),
		"other field":    readGroupReply("k", "g", "abcd", "5-0"),
		"short value":    readGroupReply("k", "f", "abc", "5-0"),
		"over COUNT":     readGroupReply("k", "f", "abcd", "5-0", "5-1", "5-2", "5-3"),
		"no entries":     readGroupReply("k", "f", "abcd"),
		"IDs not rising": readGroupReply("k", "f", "abcd", "5-1", "5-1"),
		"bad ID":         readGroupReply("k", "f", "abcd", "5"),
		"trailing bytes": ok + "+OK\r\n",
		"two streams":    strings.Replace(ok, "*1\r\n", "*2\r\n", 1),
		"error reply":    "-NOGROUP No such key 'k' or consumer group 'bench'\r\n",
		"RESP3 map":      "%1\r\n$1\r\nk\r\n*0\r\n",
		"truncated":      ok[:len(ok)-3],
		"empty":          "",
	}
	for name, reply := range bad {
		if _, err := parseReadGroupReply([]byte(reply), "k", 3, 4, nil); err == nil {
			t.Errorf("%s: accepted %q", name, reply)
		}
	}
}

func TestNextRaw(t *testing.T) {
	two := "*1\r\n$2\r\nab\r\n:7\r\n"
	fr := newFrameReader(strings.NewReader(two), 4) // smaller than a frame: the buffer grows
	a, err := fr.nextRaw()
	if err != nil || string(a) != "*1\r\n$2\r\nab\r\n" {
		t.Fatalf("first %q, %v", a, err)
	}
	b, err := fr.nextRaw()
	if err != nil || string(b) != ":7\r\n" {
		t.Fatalf("second %q, %v", b, err)
	}
	if _, err := fr.nextRaw(); err == nil {
		t.Error("read past the end without an error")
	}
}

func TestGroupBacklog(t *testing.T) {
	cfg := &config{streamConsumers: 10, streamProducers: 4, streamMaxLen: 100000}
	if got := groupBacklog(cfg, 100); got != 4000 {
		t.Errorf("backlog %d, want 4000", got)
	}
	cfg.streamMaxLen = 1000
	if got := groupBacklog(cfg, 100); got != 500 {
		t.Errorf("backlog %d under MAXLEN 1000, want 500", got)
	}
	cfg.streamMaxLen, cfg.streamConsumers = 0, 1
	if got := groupBacklog(cfg, 1); got != 8*streamProducerBatch {
		t.Errorf("backlog %d, want two batches of each of 4 producers", got)
	}
}

func TestAOFServerArgs(t *testing.T) {
	off := aofServerArgs(kindRedis, "", "/d")
	if !slices.Equal(off, []string{"--dir", "/d", "--appendonly", "no"}) {
		t.Errorf("off: %q", off)
	}
	redis := strings.Join(aofServerArgs(kindRedis, "always", "/d"), " ")
	herald := strings.Join(aofServerArgs(kindHerald, "always", "/d"), " ")
	base := "--dir /d --appendonly yes --appendfsync always --auto-aof-rewrite-percentage 0"
	if redis != base+" --aof-use-rdb-preamble no" || herald != base {
		t.Errorf("redis %q, herald %q", redis, herald)
	}
}

func TestDirBytes(t *testing.T) {
	dir := t.TempDir()
	if err := waitDirBytes(dir, 0, false); err != nil {
		t.Errorf("empty directory, AOF off: %v", err)
	}
	sub := filepath.Join(dir, "appendonlydir")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "a"), make([]byte, 10), 0o644)
	os.WriteFile(filepath.Join(sub, "b"), make([]byte, 32), 0o644)
	if n, err := dirBytes(dir); err != nil || n != 42 {
		t.Errorf("dirBytes = %d, %v; want 42", n, err)
	}
	if err := waitDirBytes(dir, 42, true); err != nil {
		t.Error(err)
	}
	if err := waitDirBytes(dir, 0, false); err == nil {
		t.Error("files with the AOF off were accepted")
	}
	if testing.Short() {
		return
	}
	if err := waitDirBytes(dir, 43, true); err == nil {
		t.Error("too few bytes were accepted")
	}
}

func TestParseFlagsStreams(t *testing.T) {
	def, err := parseFlags(nil)
	if err != nil {
		t.Fatal(err)
	}
	if def.cases["streams"] || def.cases["aof"] {
		t.Error("streams or aof run by default")
	}
	cfg, err := parseFlags([]string{"-cases", "streams,aof", "-streams-pipeline", "1,8,64", "-stream-count", "10,100", "-aof-pipeline", "4"})
	if err != nil {
		t.Fatal(err)
	}
	var groups []string
	for _, bc := range allCases(cfg) {
		groups = append(groups, bc.group)
		if bc.group == "aof" && bc.serverArgs == nil {
			t.Errorf("%s has no server options", bc.name)
		}
	}
	// 3 XADD depths and 2 COUNTs; 3 AOF settings at one depth.
	if want := "streams streams streams streams streams aof aof aof"; strings.Join(groups, " ") != want {
		t.Errorf("cases %q, want %q", groups, want)
	}
	for _, args := range [][]string{
		{"-stream-maxlen", "10"},
		{"-stream-consumers", "0"},
		{"-stream-producers", "0"},
		{"-stream-producers", "8", "-stream-maxlen", "1000"},
		{"-stream-count", "0"},
		{"-cases", "aof", "-aof-pipeline", "5000"},
	} {
		if _, err := parseFlags(args); err == nil {
			t.Errorf("%q accepted", args)
		}
	}
}

// TestStreamCasesAgainstRedis runs short streams and aof cases against a
// real redis-server, when one is on the PATH: the cases check every reply,
// the drained group and the AOF directory themselves.
func TestStreamCasesAgainstRedis(t *testing.T) {
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Skip("redis-server is not on the PATH")
	}
	if testing.Short() {
		t.Skip("starts redis-server")
	}
	cfg := &config{
		kvConns: 4, kvKeys: 1000, kvValue: 64, maxClients: 100, noOutputLimit: true,
		streamMaxLen: 1000, streamConsumers: 3, streamProducers: 2,
		warmup: 50 * time.Millisecond, duration: 150 * time.Millisecond, tmpDir: t.TempDir(),
	}
	spec := serverSpec{kind: kindRedis, bin: bin}
	cases := []benchCase{streamAddCase(cfg, 1), streamAddCase(cfg, 8), streamGroupCase(cfg, 10)}
	for _, m := range aofModes {
		cases = append(cases, aofCase(cfg, m.fsync, m.name, 4))
	}
	for i, bc := range cases {
		res, err := runOnce(cfg, spec, bc, i)
		if err != nil {
			t.Fatalf("%s: %v", bc.name, err)
		}
		for m, v := range res.values {
			label := bc.metrics[m].label
			if math.IsNaN(v) && strings.Contains(label, "per server CPU-second") {
				continue // see TestKeyspaceCasesAgainstRedis
			}
			if !(v > 0) {
				t.Errorf("%s: %s = %v", bc.name, label, v)
			}
		}
	}
	// Each aof run's directory is removed after it.
	left, _ := filepath.Glob(filepath.Join(cfg.tmpDir, "redis-*-"+"*"))
	for _, l := range left {
		if fi, err := os.Stat(l); err == nil && fi.IsDir() {
			t.Errorf("directory %s left behind", l)
		}
	}
}
