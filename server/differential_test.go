package server

import (
	"strings"
	"testing"
)

// The differential suite runs the same scripted sessions against Herald
// and a real redis-server and compares the replies byte for byte (see
// diff_script_test.go for the script format). Redis is the specification:
// a difference is a Herald bug, unless the session is skipped with a note
// saying why. Each TestDiff* test starts one redis-server, configured as
// its Herald is, and runs its sessions one after the other; the tests run
// in parallel with each other.
//
// Without redis-server on the PATH the tests skip, and with
// HERALD_REQUIRE_REDIS=1 they fail instead (see internal/redistest).

// TestDiffScriptFormat checks the script parser on the forms the sessions
// use, so that a typo in a script is reported as such.
func TestDiffScriptFormat(t *testing.T) {
	steps, err := parseScript(`
		# a comment
		a: SUBSCRIBE x "two words" "" => 3
		c: PUBLISH x "a => b"          => 1; a: 1; b: 2 any
		a~ "PING\r\n" "ECHO x\r\n"     => 2 closed
		a: UNSUBSCRIBE                 => 2 acks
		b: HELLO 3                     => 1 hello
	`)
	if err != nil {
		t.Fatal(err)
	}
	if len(steps) != 5 {
		t.Fatalf("got %d steps, want 5", len(steps))
	}
	if got, want := string(steps[0].send), string(encodeCommand("SUBSCRIBE", "x", "two words", "")); got != want {
		t.Errorf("send %q, want %q", got, want)
	}
	if got := string(steps[1].send); !strings.Contains(got, "a => b") {
		t.Errorf("=> inside a literal split the step: %q", got)
	}
	if g := steps[1].expect; len(g) != 3 || g[1].conn != "a" || g[2].conn != "b" || g[2].count != 2 || !g[2].flags.any {
		t.Errorf("groups %+v", g)
	}
	if got := string(steps[2].send); got != "PING\r\nECHO x\r\n" || !steps[2].expect[0].flags.closed {
		t.Errorf("raw step %q %+v", got, steps[2].expect)
	}
	for _, bad := range []string{"a: PING", "a: PING => x", "a: PING => 1 bogus", `a: ECHO "x => 1`, "PING => 1", "a: => 1"} {
		if _, err := parseScript(bad); err == nil {
			t.Errorf("parseScript(%q) accepted a broken step", bad)
		}
	}
}

// forProtocols returns a session twice: as written (every connection
// speaking RESP2) and with the connections named in resp3 switched to RESP3
// by HELLO 3 first.
func forProtocols(name, resp3, script string) []session {
	var hello strings.Builder
	for _, c := range strings.Fields(resp3) {
		hello.WriteString(c + ": HELLO 3 => 1 hello\n")
	}
	return []session{
		{name: name + "/RESP2", script: script},
		{name: name + "/RESP3", script: hello.String() + script},
	}
}

// sessions concatenates lists of sessions.
func sessions(lists ...[]session) []session {
	var out []session
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}
