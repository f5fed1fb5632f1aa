package main

// Hostile HTTP clients against the gateway's limits as the serve flags set
// them: a header sent a byte at a time, an oversized header, an oversized
// body and a body that stops coming. A bystander's publish is served
// throughout; the deadlines are hang checks, not timings.

import (
	"bufio"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/gobwas/ws"

	"github.com/heraldhq/herald/server"
)

// startTestGateway starts a RESP server and the gateway with the serve
// flags args, and returns the gateway's HTTP address.
func startTestGateway(t *testing.T, args ...string) string {
	t.Helper()
	opts, err := parseServeOptions(append([]string{"--port", "0"}, args...))
	if err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	opts.Logger = logger
	srv, err := server.StartLocal(opts.Config)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	opts.HTTPPort = freePort(t)
	gw, err := startGateway(opts, srv, fanout(srv, nil), logger)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { gw.shutdown(context.Background()) })
	return gw.addrs[0].String()
}

// publishOK checks that an HTTP publish is answered.
func publishOK(t *testing.T, addr string) {
	t.Helper()
	client := &http.Client{Timeout: 10 * time.Second}
	resp, err := client.Post("http://"+addr+"/publish/bystander", "text/plain", strings.NewReader("hello"))
	if err != nil {
		t.Fatalf("bystander publish: %v", err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("bystander publish: %s", resp.Status)
	}
}

// waitClosed reads nc until the server closes it, failing the test if it
// is still open after within; it returns what was read.
func waitClosed(t *testing.T, nc net.Conn, within time.Duration) string {
	t.Helper()
	nc.SetReadDeadline(time.Now().Add(within))
	got, err := io.ReadAll(nc)
	if errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("the server did not close the connection within %v (read %q)", within, got)
	}
	return string(got)
}

// TestGatewaySlowHeader: a request header sent a few bytes a second is cut
// off by --http-read-header-timeout, while another client's publish is
// served.
func TestGatewaySlowHeader(t *testing.T) {
	addr := startTestGateway(t, "--http-read-header-timeout", "1")
	nc, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		header := "GET /publish/x HTTP/1.1\r\nHost: herald\r\nX-Slow: " + strings.Repeat("a", 200)
		for i := range header {
			select {
			case <-stop:
				return
			case <-time.After(100 * time.Millisecond):
			}
			if _, err := nc.Write([]byte(header[i : i+1])); err != nil {
				return
			}
		}
	}()
	publishOK(t, addr)
	// Five times the timeout set, half the default: the flag applied.
	got := waitClosed(t, nc, 5*time.Second)
	if strings.Contains(got, "200 OK") {
		t.Fatalf("the slow request was served: %q", got)
	}
	publishOK(t, addr)
}

// TestGatewayHeaderTooLarge: a header over --http-max-header-bytes (plus
// net/http's 4 KB of slack) gets 431.
func TestGatewayHeaderTooLarge(t *testing.T) {
	addr := startTestGateway(t, "--http-max-header-bytes", "4kb")
	req, _ := http.NewRequest(http.MethodPost, "http://"+addr+"/publish/x", strings.NewReader("hi"))
	req.Header.Set("X-Big", strings.Repeat("a", 32<<10))
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
		t.Fatalf("a 32 KB header got %s, want 431", resp.Status)
	}
	publishOK(t, addr)
}

// TestGatewayBodyLimits: a publish body over --http-max-message-bytes gets
// 413; one that stops coming is cut off by --http-read-body-timeout.
func TestGatewayBodyLimits(t *testing.T) {
	addr := startTestGateway(t, "--http-max-message-bytes", "1kb", "--http-read-body-timeout", "1")
	client := &http.Client{Timeout: 10 * time.Second}
	resp, err := client.Post("http://"+addr+"/publish/x", "text/plain", strings.NewReader(strings.Repeat("a", 1025)))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("a 1025-byte body got %s, want 413", resp.Status)
	}

	nc, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	nc.Write([]byte("POST /publish/x HTTP/1.1\r\nHost: herald\r\nContent-Length: 100\r\n\r\nonly ten b"))
	publishOK(t, addr)
	nc.SetReadDeadline(time.Now().Add(5 * time.Second)) // the flag's 1 s, not the default 10 s
	stalled, err := http.ReadResponse(bufio.NewReader(nc), nil)
	if err != nil {
		t.Fatalf("the stalled publish got no answer: %v", err)
	}
	stalled.Body.Close()
	if stalled.StatusCode != http.StatusBadRequest {
		t.Fatalf("the stalled publish got %s, want 400", stalled.Status)
	}
	waitClosed(t, nc, 5*time.Second)
	publishOK(t, addr)
}

// TestGatewayConnectionFlood: with --http-maxclients 20, 60 WebSocket
// connections at once: 20 are upgraded and 40 get 503; a publish is
// served meanwhile; once the flood leaves, new clients are accepted. With
// no --http-maxclients the gateway takes --maxclients.
func TestGatewayConnectionFlood(t *testing.T) {
	const limit, flood = 20, 60
	addr := startTestGateway(t, "--http-maxclients", "20")
	type result struct {
		nc  net.Conn
		err error
	}
	results := make(chan result, flood)
	for range flood {
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			nc, _, _, err := ws.Dial(ctx, "ws://"+addr+"/ws")
			results <- result{nc, err}
		}()
	}
	var accepted []net.Conn
	refused := 0
	for range flood {
		r := <-results
		var status ws.StatusError
		switch {
		case r.err == nil:
			accepted = append(accepted, r.nc)
		case errors.As(r.err, &status) && int(status) == http.StatusServiceUnavailable:
			refused++
		default:
			t.Errorf("dial: %v", r.err)
		}
	}
	if len(accepted) != limit || refused != flood-limit {
		t.Fatalf("%d upgraded, %d refused; want %d and %d", len(accepted), refused, limit, flood-limit)
	}
	publishOK(t, addr)
	for _, nc := range accepted {
		nc.Close()
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		nc, _, _, err := ws.Dial(ctx, "ws://"+addr+"/ws")
		cancel()
		if err == nil {
			nc.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no client accepted after the flood left: %v", err)
		}
		time.Sleep(10 * time.Millisecond)
	}

	small := startTestGateway(t, "--maxclients", "1")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	nc, _, _, err := ws.Dial(ctx, "ws://"+small+"/ws")
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	if _, _, _, err := ws.Dial(ctx, "ws://"+small+"/ws"); err == nil {
		t.Fatal("a second WebSocket was upgraded with --maxclients 1")
	}
}
