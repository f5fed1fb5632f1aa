package server

import (
	"bufio"
	"crypto/tls"
	"fmt"
	"net"
	"os"
	"os/exec"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/testcert"
)

// TestTLSIdleMemory measures what an idle subscriber costs the server,
// over TLS and, for comparison, over plain TCP. It is a measurement, not
// a check, and runs only when asked:
//
//	HERALD_TLS_IDLE_CONNS=2000 go test ./server -run TestTLSIdleMemory -v
//
// The server runs in a child process (this test binary again), so that
// the clients' memory is not counted. After the connections have
// subscribed, the child collects garbage and returns freed memory to the
// system (as herald serve does when idle, cmd/herald/memory.go), then
// reports its Go heap and stacks in use and its RSS; the figures are
// those growths divided by the connections.
func TestTLSIdleMemory(t *testing.T) {
	if os.Getenv("HERALD_TLS_IDLE_CHILD") != "" {
		tlsIdleChild()
		return
	}
	n, _ := strconv.Atoi(os.Getenv("HERALD_TLS_IDLE_CONNS"))
	if n <= 0 {
		t.Skip("a measurement: set HERALD_TLS_IDLE_CONNS (e.g. 2000) to run it")
	}
	certs := testcert.New(t)
	cmd := exec.Command(os.Args[0], "-test.run=^TestTLSIdleMemory$")
	cmd.Env = append(os.Environ(), "HERALD_TLS_IDLE_CHILD=1", "HERALD_TLS_IDLE_CERT="+certs.CertFile, "HERALD_TLS_IDLE_KEY="+certs.KeyFile)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Wait()
	defer stdin.Close()
	out := bufio.NewScanner(stdout)
	line := func() string {
		if !out.Scan() {
			t.Fatalf("child: %v", out.Err())
		}
		return out.Text()
	}
	addrs := strings.Fields(line()) // plain, TLS
	measure := func() (heap, rss float64) {
		fmt.Fprintln(stdin, "measure")
		if _, err := fmt.Sscan(line(), &heap, &rss); err != nil {
			t.Fatal(err)
		}
		return heap, rss
	}
	for _, tc := range []struct {
		name string
		addr string
		tls  *tls.Config
	}{{"plain", addrs[0], nil}, {"TLS", addrs[1], certs.ClientConfig(nil)}} {
		heap0, rss0 := measure()
		conns := make([]net.Conn, n)
		for i := range conns {
			nc, err := net.Dial("tcp", tc.addr)
			if err != nil {
				t.Fatalf("connection %d: %v", i, err)
			}
			if tc.tls != nil {
				nc = tls.Client(nc, tc.tls)
			}
			conns[i] = nc
			if _, err := nc.Write(encodeCommand("SUBSCRIBE", "idle-"+strconv.Itoa(i))); err != nil {
				t.Fatal(err)
			}
		}
		for i, nc := range conns {
			nc.SetReadDeadline(time.Now().Add(30 * time.Second))
			if _, err := bufio.NewReaderSize(nc, 64).ReadString(':'); err != nil { // the ack's count
				t.Fatalf("ack %d: %v", i, err)
			}
		}
		heap1, rss1 := measure()
		t.Logf("%s: %d idle subscribers: %.0f bytes each of Go heap and stacks, %.0f bytes each of RSS",
			tc.name, n, (heap1-heap0)/float64(n), (rss1-rss0)/float64(n))
		for _, nc := range conns {
			nc.Close()
		}
	}
}

// tlsIdleChild is TestTLSIdleMemory's server: it prints its addresses,
// then answers each line on stdin with its memory in use.
func tlsIdleChild() {
	s, err := StartLocal(Config{TLSPort: 1, TLSCertFile: os.Getenv("HERALD_TLS_IDLE_CERT"),
		TLSKeyFile: os.Getenv("HERALD_TLS_IDLE_KEY"), TLSAuthClients: "no", MaxClients: 1 << 20})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println(s.Addr(), s.TLSAddr())
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		time.Sleep(time.Second) // let the last replies leave and the goroutines settle
		runtime.GC()
		debug.FreeOSMemory()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		fmt.Println(m.HeapInuse+m.StackInuse, rssOfSelf())
	}
	s.Close()
	os.Exit(0)
}

// rssOfSelf is VmRSS from /proc/self/status, in bytes (0 if unknown).
func rssOfSelf() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if f := strings.Fields(l); len(f) >= 2 && f[0] == "VmRSS:" {
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			return kb << 10
		}
	}
	return 0
}
