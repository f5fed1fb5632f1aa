package server

import (
	"strings"
	"testing"
)

// INFO's blocked_clients counts the clients waiting in BLPOP and the like.
func TestInfoBlockedClients(t *testing.T) {
	s := startServer(t, Config{})
	blocked, other := dial(t, s.Addr()), dial(t, s.Addr())
	blockedClients := func() string {
		other.send("INFO", "clients")
		info := other.read().Str
		for _, line := range strings.Split(info, "\r\n") {
			if v, ok := strings.CutPrefix(line, "blocked_clients:"); ok {
				return v
			}
		}
		t.Fatalf("INFO clients has no blocked_clients:\n%s", info)
		return ""
	}
	if got := blockedClients(); got != "0" {
		t.Fatalf("blocked_clients = %s before any BLPOP, want 0", got)
	}
	blocked.send("BLPOP", "list", "0")
	waitFor(t, "blocked_clients 1", func() bool { return blockedClients() == "1" })
	other.mustDo(":1\r\n", "RPUSH", "list", "x")
	blocked.mustRead("*2\r\n$4\r\nlist\r\n$1\r\nx\r\n")
	if got := blockedClients(); got != "0" {
		t.Fatalf("blocked_clients = %s after the BLPOP was served, want 0", got)
	}
}
