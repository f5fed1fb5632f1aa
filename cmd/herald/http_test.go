package main

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// herald serve --http-port N serves the gateway on the RESP server's
// broker: an HTTP publish reaches a RESP subscriber and counts it.
func TestServeHTTP(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	if runtime.GOOS != "linux" {
		t.Skip("reads /proc")
	}
	bin := buildHerald(t, t.TempDir())

	t.Run("PublishReachesRESP", func(t *testing.T) {
		port, httpPort := strconv.Itoa(freePort(t)), strconv.Itoa(freePort(t))
		p := startHerald(t, bin, "serve", "--port", port, "--http-port", httpPort)
		nc := dialReady(t, p, "127.0.0.1:"+port)
		defer nc.Close()
		r := bufio.NewReader(nc)
		if got := roundTrip(t, nc, r, "*2\r\n$9\r\nSUBSCRIBE\r\n$4\r\nnews\r\n"); got != "*3\r\n" {
			t.Fatalf("SUBSCRIBE: %q", got)
		}
		for range 5 { // the rest of the subscribe reply
			r.ReadString('\n')
		}
		dialReady(t, p, "127.0.0.1:"+httpPort).Close()
		if n := listeningSockets(t, p.cmd.Process.Pid); n != 2 {
			t.Fatalf("herald holds %d listening sockets, want 2", n)
		}
		client := &http.Client{Timeout: processTimeout}
		resp, err := client.Post("http://127.0.0.1:"+httpPort+"/publish/news", "text/plain", strings.NewReader("hello"))
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || strings.TrimSpace(string(body)) != `{"receivers":1}` {
			t.Fatalf("POST /publish/news: %s %s", resp.Status, body)
		}
		nc.SetReadDeadline(time.Now().Add(processTimeout))
		want := "*3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n$5\r\nhello\r\n"
		got := make([]byte, len(want))
		if _, err := io.ReadFull(r, got); err != nil || string(got) != want {
			t.Fatalf("RESP subscriber got %q, %v", got, err)
		}
		resp, err = client.Get("http://127.0.0.1:" + httpPort + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		body, _ = io.ReadAll(resp.Body)
		resp.Body.Close()
		for _, want := range []string{`herald_connections{transport="resp"} 1`, `herald_messages_published_total{transport="http"} 1`} {
			if !strings.Contains(string(body), want+"\n") {
				t.Errorf("GET /metrics lacks %s:\n%s", want, body)
			}
		}
		if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		if code := p.wait(t); code != 0 {
			t.Fatalf("exit code %d after SIGTERM, want 0", code)
		}
	})

	// CONFIG SET max-subscriptions-per-client and max-pattern-len on the
	// RESP port bound the gateway's clients too.
	t.Run("ConfigSetReachesGateway", func(t *testing.T) {
		port, httpPort := strconv.Itoa(freePort(t)), strconv.Itoa(freePort(t))
		p := startHerald(t, bin, "serve", "--port", port, "--http-port", httpPort)
		nc := dialReady(t, p, "127.0.0.1:"+port)
		defer nc.Close()
		r := bufio.NewReader(nc)
		configSet := func(name, value string) {
			cmd := "*4\r\n$6\r\nCONFIG\r\n$3\r\nSET\r\n$" + strconv.Itoa(len(name)) + "\r\n" + name + "\r\n$" +
				strconv.Itoa(len(value)) + "\r\n" + value + "\r\n"
			if got := roundTrip(t, nc, r, cmd); got != "+OK\r\n" {
				t.Fatalf("CONFIG SET %s %s: %q", name, value, got)
			}
		}
		dialReady(t, p, "127.0.0.1:"+httpPort).Close()
		client := &http.Client{Timeout: processTimeout}
		sseStatus := func(query string) int {
			resp, err := client.Get("http://127.0.0.1:" + httpPort + "/sse?" + query)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			return resp.StatusCode
		}
		const two, long = "channel=a&channel=b", "pattern=abcdef*"
		if a, b := sseStatus(two), sseStatus(long); a != 200 || b != 200 {
			t.Fatalf("before CONFIG SET: %d, %d, want 200", a, b)
		}
		configSet("max-subscriptions-per-client", "1")
		configSet("max-pattern-len", "4")
		if a, b := sseStatus(two), sseStatus(long); a != 400 || b != 400 {
			t.Fatalf("after CONFIG SET: %d, %d, want 400", a, b)
		}
		configSet("max-subscriptions-per-client", "0")
		configSet("max-pattern-len", "0")
		if a, b := sseStatus(two), sseStatus(long); a != 200 || b != 200 {
			t.Fatalf("after the limits were lifted: %d, %d, want 200", a, b)
		}
	})

	// An HTTP port that cannot be bound is fatal, and the message names it.
	t.Run("HTTPPortInUse", func(t *testing.T) {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		httpPort := strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
		p := startHerald(t, bin, "serve", "--port", strconv.Itoa(freePort(t)), "--http-port", httpPort)
		if code := p.wait(t); code != 1 {
			t.Fatalf("exit code %d with the HTTP port taken, want 1", code)
		}
		if out := p.stderr.String(); !strings.Contains(out, "127.0.0.1:"+httpPort) {
			t.Fatalf("the error does not name 127.0.0.1:%s:\n%s", httpPort, out)
		}
	})
}
