package redistest

import (
	"bufio"
	"errors"
	"net"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// TestDecide checks the decision a test makes about redis-server: run it
// when it is there, skip when it is not, fail when it is not and CI
// requires it.
func TestDecide(t *testing.T) {
	missing := &exec.Error{Name: Binary, Err: exec.ErrNotFound}
	cases := []struct {
		name    string
		lookErr error
		require string
		want    Verdict
		mention string
	}{
		{"found", nil, "", Run, ""},
		{"found and required", nil, "1", Run, ""},
		{"missing", missing, "", Skip, "set HERALD_REQUIRE_REDIS=1"},
		{"missing, required", missing, "1", Fail, "HERALD_REQUIRE_REDIS=1 requires it"},
		{"missing, not 1", missing, "0", Skip, "not on the PATH"},
		{"missing, other value", missing, "yes", Skip, "not on the PATH"},
		{"other lookup error, required", errors.New("permission denied"), "1", Fail, "permission denied"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, msg := Decide(c.lookErr, c.require)
			if got != c.want {
				t.Fatalf("Decide(%v, %q) = %v, want %v (%s)", c.lookErr, c.require, got, c.want, msg)
			}
			if !strings.Contains(msg, c.mention) {
				t.Errorf("message %q does not mention %q", msg, c.mention)
			}
			if got != Run && !strings.Contains(msg, Binary) {
				t.Errorf("message %q does not name %s", msg, Binary)
			}
		})
	}
}

// TestStart starts a redis-server with an extra argument and checks that
// it runs with it and is gone after the test.
func TestStart(t *testing.T) {
	var addr string
	t.Run("run", func(t *testing.T) {
		s := Start(t, "--requirepass", "secret")
		addr = s.Addr()
		nc, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer nc.Close()
		nc.SetDeadline(time.Now().Add(5 * time.Second))
		nc.Write([]byte("AUTH secret\r\nCONFIG GET requirepass\r\n"))
		r := bufio.NewReader(nc)
		var got []string
		for range 6 {
			line, err := r.ReadString('\n')
			if err != nil {
				t.Fatalf("read: %v (so far %q)", err, got)
			}
			got = append(got, line)
		}
		want := "+OK\r\n*2\r\n$11\r\nrequirepass\r\n$6\r\nsecret\r\n"
		if strings.Join(got, "") != want {
			t.Fatalf("got %q, want %q", strings.Join(got, ""), want)
		}
	})
	if addr == "" {
		return // skipped
	}
	if nc, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		nc.Close()
		t.Fatalf("redis-server at %s still accepts connections after its test ended", addr)
	}
}
