package main

import (
	"bufio"
	"io"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/redistest"
)

// Two `herald serve --backend redis://...` nodes act as one: an HTTP
// publish on node B reaches a RESP subscriber of node A, counted once for
// node A, and A's /metrics shows its backend. A backend that cannot be
// reached keeps a node from starting, with a message that names it.
func TestServeBackend(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	if runtime.GOOS != "linux" {
		t.Skip("reads /proc")
	}
	r := redistest.Start(t)
	bin := buildHerald(t, t.TempDir())
	url := "redis://" + r.Addr()

	portA, httpA := strconv.Itoa(freePort(t)), strconv.Itoa(freePort(t))
	a := startHerald(t, bin, "serve", "--port", portA, "--http-port", httpA, "--backend", url)
	httpB := strconv.Itoa(freePort(t))
	b := startHerald(t, bin, "serve", "--port", "0", "--http-port", httpB, "--backend", url)

	nc := dialReady(t, a, "127.0.0.1:"+portA)
	defer nc.Close()
	rd := bufio.NewReader(nc)
	if got := roundTrip(t, nc, rd, "*2\r\n$9\r\nSUBSCRIBE\r\n$4\r\nnews\r\n"); got != "*3\r\n" {
		t.Fatalf("SUBSCRIBE: %q", got)
	}
	for range 5 { // the rest of the subscribe reply
		rd.ReadString('\n')
	}
	dialReady(t, b, "127.0.0.1:"+httpB).Close()
	client := &http.Client{Timeout: processTimeout}
	resp, err := client.Post("http://127.0.0.1:"+httpB+"/publish/news", "text/plain", strings.NewReader("hello"))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || strings.TrimSpace(string(body)) != `{"receivers":1}` {
		t.Fatalf("POST /publish/news on node B: %s %s", resp.Status, body)
	}
	nc.SetReadDeadline(time.Now().Add(processTimeout))
	want := "*3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n$5\r\nhello\r\n"
	got := make([]byte, len(want))
	if _, err := io.ReadFull(rd, got); err != nil || string(got) != want {
		t.Fatalf("node A's RESP subscriber got %q, %v", got, err)
	}

	dialReady(t, a, "127.0.0.1:"+httpA).Close()
	resp, err = client.Get("http://127.0.0.1:" + httpA + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{"herald_backend_nodes 1", "herald_backend_nodes_connected 1", "herald_backend_subscriptions 1", "herald_backend_received_messages_total 1", "herald_backend_gaps_total 0"} {
		if !strings.Contains(string(body), want+"\n") {
			t.Errorf("node A's /metrics lacks %s", want)
		}
	}

	dead := startHerald(t, bin, "serve", "--port", "0", "--http-port", "0", "--backend", "redis://127.0.0.1:"+strconv.Itoa(freePort(t)))
	if code := dead.wait(t); code != 1 {
		t.Errorf("with an unreachable backend: exit code %d, want 1", code)
	}
	if out := dead.stderr.String(); !strings.Contains(out, "cannot start") || !strings.Contains(out, "127.0.0.1:") {
		t.Errorf("with an unreachable backend, herald said:\n%s", out)
	}
}
