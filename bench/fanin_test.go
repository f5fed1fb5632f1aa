package main

import (
	"math"
	"net"
	"os/exec"
	"strings"
	"testing"
	"time"
)

func TestFaninFrame(t *testing.T) {
	msg := "*3\r\n$7\r\nmessage\r\n$11\r\nbench:fanin\r\n$3\r\nabc\r\n"
	if got := string(faninFrame([]byte("abc"), false)); got != msg {
		t.Errorf("message frame %q, want %q", got, msg)
	}
	pmsg := "*4\r\n$8\r\npmessage\r\n$7\r\nbench:*\r\n$11\r\nbench:fanin\r\n$3\r\nabc\r\n"
	if got := string(faninFrame([]byte("abc"), true)); got != pmsg {
		t.Errorf("pmessage frame %q, want %q", got, pmsg)
	}
}

// TestExactCounter: whole frames equal to the expected one are counted
// and consumed, a partial one is left for the next read, and any byte that
// differs, in a whole frame or a partial one, is an error.
func TestExactCounter(t *testing.T) {
	want := faninFrame([]byte("abc"), false)
	count := exactCounter(want)
	w := string(want)

	fr := newFrameReader(strings.NewReader(w+w+w[:10]), 1024)
	if err := fr.fill(); err != nil {
		t.Fatal(err)
	}
	n, err := count(fr)
	if n != 2 || err != nil || fr.w-fr.r != 10 {
		t.Errorf("two frames and a partial one: %d, %v, %d bytes left", n, err, fr.w-fr.r)
	}

	for name, input := range map[string]string{
		"other payload":          w + strings.Replace(w, "abc", "abd", 1),
		"other channel":          w + strings.Replace(w, "bench:fanin", "bench:fanix", 1),
		"partial frame differs":  w + w[:5] + "X",
		"subscribe ack":          w + "*3\r\n$9\r\nsubscribe\r\n$11\r\nbench:fanin\r\n:1\r\n",
		"error reply":            w + "-ERR nope\r\n",
		"pmessage for a message": w + string(faninFrame([]byte("abc"), true)),
	} {
		fr := newFrameReader(strings.NewReader(input), 1024)
		if err := fr.fill(); err != nil {
			t.Fatal(err)
		}
		n, err := count(fr)
		if err == nil || n != 1 {
			t.Errorf("%s: counted %d, error %v; want 1 and an error", name, n, err)
		}
	}
}

func TestFaninLag(t *testing.T) {
	frame := len(faninFrame(makePayload(64), false))
	if got := faninLag(50, 1, frame); got != int64(faninLagBytes/frame) {
		t.Errorf("50 × 1: lag %d frames, want the byte budget's %d", got, faninLagBytes/frame)
	}
	if got := faninLag(50, 1000, frame); got != 100000 {
		t.Errorf("50 × 1000: lag %d frames, want two rounds in flight (100000)", got)
	}
}

func TestParseFlagsFanin(t *testing.T) {
	def, err := parseFlags(nil)
	if err != nil {
		t.Fatal(err)
	}
	if def.cases["fanin"] || def.faninPubs != 50 || len(def.faninDepths) != 2 {
		t.Errorf("default: fanin run %v, %d publishers, depths %v", def.cases["fanin"], def.faninPubs, def.faninDepths)
	}
	cfg, err := parseFlags([]string{"-cases", "fanin", "-fanin-publishers", "300", "-fanin-pipeline", "1,8,64"})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.maxClients <= 300 {
		t.Errorf("maxclients %d is not above the publishers", cfg.maxClients)
	}
	var names []string
	for _, bc := range allCases(cfg) {
		names = append(names, bc.name)
		if bc.group != "fanin" || len(bc.metrics) != 2 {
			t.Errorf("%s: group %s, %d metrics", bc.name, bc.group, len(bc.metrics))
		}
	}
	want := "fanin 300 pubs × 1,fanin 300 pubs × 1 psub,fanin 300 pubs × 8,fanin 300 pubs × 8 psub,fanin 300 pubs × 64,fanin 300 pubs × 64 psub"
	if strings.Join(names, ",") != want {
		t.Errorf("cases %q, want %q", names, want)
	}
	for _, args := range [][]string{
		{"-fanin-publishers", "0"},
		{"-fanin-payload", "0"},
		{"-fanin-pipeline", "0"},
		{"-fanin-pipeline", "x"},
	} {
		if _, err := parseFlags(args); err == nil {
			t.Errorf("%q accepted", args)
		}
	}
}

// faninTestConfig is a short fanin load for the tests that start servers.
func faninTestConfig(t *testing.T) *config {
	return &config{
		faninPubs: 8, faninPayload: 64, maxClients: 100, noOutputLimit: true,
		warmup: 50 * time.Millisecond, duration: 150 * time.Millisecond, tmpDir: t.TempDir(),
	}
}

// testSpecs returns redis-server, when it is on the PATH, and a Herald
// built from this module.
func testSpecs(t *testing.T) []serverSpec {
	var specs []serverSpec
	if bin, err := exec.LookPath("redis-server"); err == nil {
		specs = append(specs, serverSpec{kind: kindRedis, bin: bin})
	} else {
		t.Log("redis-server is not on the PATH: Herald only")
	}
	root, err := moduleRoot()
	if err != nil {
		t.Fatal(err)
	}
	bin, err := buildHerald(root, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return append(specs, serverSpec{kind: kindHerald, bin: bin, args: []string{"serve"}})
}

// TestFaninAgainstServers runs short fanin cases, SUBSCRIBE and
// PSUBSCRIBE, one at a time and pipelined, against redis-server and a
// built Herald: the case itself checks every reply and every frame, and
// that the subscriber got one frame per acknowledged PUBLISH.
func TestFaninAgainstServers(t *testing.T) {
	if testing.Short() {
		t.Skip("builds Herald and starts servers")
	}
	cfg := faninTestConfig(t)
	seq := 0
	for _, spec := range testSpecs(t) {
		for _, bc := range []benchCase{faninCase(cfg, 1, false), faninCase(cfg, 1, true), faninCase(cfg, 8, false), faninCase(cfg, 8, true)} {
			seq++
			res, err := runOnce(cfg, spec, bc, seq)
			if err != nil {
				t.Fatalf("%s on %s: %v", bc.name, spec.kind, err)
			}
			for m, v := range res.values {
				label := bc.metrics[m].label
				if math.IsNaN(v) && strings.Contains(label, "per server CPU-second") {
					continue // see TestKeyspaceCasesAgainstRedis
				}
				if !(v > 0) {
					t.Errorf("%s on %s: %s = %v", bc.name, spec.kind, label, v)
				}
			}
		}
	}
}

// TestFaninFailsOnASecondSubscriber: with another subscriber of the
// channel, every PUBLISH reaches two receivers, and the case must fail
// rather than report a rate.
func TestFaninFailsOnASecondSubscriber(t *testing.T) {
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Skip("redis-server is not on the PATH")
	}
	if testing.Short() {
		t.Skip("starts redis-server")
	}
	cfg := faninTestConfig(t)
	s, err := startServer(cfg, serverSpec{kind: kindRedis, bin: bin}, 1, false)
	if err != nil {
		t.Fatal(err)
	}
	defer s.stop()
	extra, err := net.Dial("tcp", s.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer extra.Close()
	if _, err := subscribeAll([]net.Conn{extra}, func(int) []byte {
		return appendCommandStrings(nil, "SUBSCRIBE", faninChannel)
	}, 1, 4096); err != nil {
		t.Fatal(err)
	}
	_, err = runFanin(cfg, s, 1, false)
	if err == nil || !strings.Contains(err.Error(), "want :1") {
		t.Errorf("with a second subscriber: %v, want a PUBLISH reply error", err)
	}
}
