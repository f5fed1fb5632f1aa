package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/server"
)

func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !cond(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// startSub runs `herald sub args...` until the test ends and returns its
// output.
func startSub(t *testing.T, args ...string) *syncBuffer {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var out, errOut syncBuffer
	done := make(chan int)
	go func() { done <- subCommand(ctx, args, &out, &errOut) }()
	t.Cleanup(func() {
		cancel()
		if code := <-done; code != 0 {
			t.Errorf("herald sub exited %d: %s", code, errOut.String())
		}
	})
	return &out
}

func TestPubSubCommands(t *testing.T) {
	srv, err := server.StartLocal(server.Config{RequirePass: "secret"})
	if err != nil {
		t.Fatal(err)
	}
	// A cleanup, not a defer: cleanups run last-in first-out after the test
	// returns, so the subscribers below stop before the server closes their
	// connections (which they would rightly report as an error).
	t.Cleanup(func() { srv.Close() })
	addr := srv.Addr().String()

	subOut := startSub(t, "--addr", addr, "--pass", "secret", "news")
	patOut := startSub(t, "--addr", addr, "--pass", "secret", "--pattern", "metrics:*")
	b := srv.Broker()
	waitUntil(t, "the subscribers", func() bool { return b.NumSub("news") == 1 && b.Stats().Patterns == 1 })

	var out, errOut bytes.Buffer
	if code := pubCommand(context.Background(), []string{"--addr", addr, "--pass", "secret", "news", "hello world"}, &out, &errOut); code != 0 {
		t.Fatalf("herald pub exited %d: %s", code, errOut.String())
	}
	if out.String() != "1\n" {
		t.Errorf("herald pub printed %q, want the receiver count 1", out.String())
	}
	waitUntil(t, "the message", func() bool { return subOut.String() == "news hello world\n" })

	out.Reset()
	args := []string{"--addr", addr, "--pass", "secret", "--rate", "1000", "--count", "3", "metrics:cpu", "v{n}"}
	if code := pubCommand(context.Background(), args, &out, &errOut); code != 0 {
		t.Fatalf("herald pub --rate exited %d: %s", code, errOut.String())
	}
	want := "metrics:* metrics:cpu v1\nmetrics:* metrics:cpu v2\nmetrics:* metrics:cpu v3\n"
	waitUntil(t, "three pattern messages", func() bool { return patOut.String() == want })
}

func TestPubSubCommandErrors(t *testing.T) {
	srv, err := server.StartLocal(server.Config{RequirePass: "secret"})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	addr := srv.Addr().String()
	for _, tc := range []struct {
		name string
		args []string
		code int
		msg  string
	}{
		{"pub usage", []string{"--addr", addr, "only-channel"}, 2, "usage: herald pub"},
		{"sub usage", []string{"--addr", addr}, 2, "usage: herald sub"},
		{"pub wrong password", []string{"--addr", addr, "--pass", "nope", "c", "m"}, 1, "WRONGPASS"},
		{"pub no password", []string{"--addr", addr, "c", "m"}, 1, "NOAUTH"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			var code int
			if strings.HasPrefix(tc.name, "sub") {
				code = subCommand(context.Background(), tc.args, &out, &errOut)
			} else {
				code = pubCommand(context.Background(), tc.args, &out, &errOut)
			}
			if code != tc.code || !strings.Contains(errOut.String(), tc.msg) {
				t.Errorf("exit %d, stderr %q; want exit %d and %q", code, errOut.String(), tc.code, tc.msg)
			}
		})
	}
}
