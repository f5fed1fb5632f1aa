package socketio_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/redistest"
	"github.com/heraldhq/herald/server"
)

// requireEnv turns a missing node or node_modules from a skip into a
// failure.
const requireEnv = "HERALD_REQUIRE_NODE"

// scenarioTimeout bounds one run of scenario.js; the script bounds itself
// at 30 s and this is the backstop if node hangs regardless.
const scenarioTimeout = 60 * time.Second

// requiredModules are the packages scenario.js loads, looked for under
// node_modules to tell "npm ci was not run" from a failing scenario.
var requiredModules = []string{"socket.io", "socket.io-client", "@socket.io/redis-adapter", "redis", "redis5", "ioredis"}

// verdict is what a test does about the Node environment it needs.
type verdict int

const (
	run verdict = iota
	skip
	fail
)

// decide says whether the test runs, skips or fails given the result of
// looking node up, the modules missing from node_modules and the value of
// requireEnv. The message explains a skip or a failure.
func decide(nodeErr error, missing []string, require string) (verdict, string) {
	var problem string
	switch {
	case nodeErr != nil:
		problem = fmt.Sprintf("node is not on the PATH (%v)", nodeErr)
	case len(missing) > 0:
		problem = fmt.Sprintf("node_modules lacks %s: run `npm ci` in interop/socketio", strings.Join(missing, ", "))
	default:
		return run, ""
	}
	if require == "1" {
		return fail, fmt.Sprintf("%s, and %s=1 requires the Socket.IO interop test", problem, requireEnv)
	}
	return skip, fmt.Sprintf("%s: skipping the Socket.IO interop test (set %s=1 to make this a failure)", problem, requireEnv)
}

// findNode returns the path of node, or skips or fails t as decide says.
func findNode(t *testing.T) string {
	t.Helper()
	node, err := exec.LookPath("node")
	var missing []string
	for _, m := range requiredModules {
		if _, err := os.Stat(filepath.Join("node_modules", m, "package.json")); err != nil {
			missing = append(missing, m)
		}
	}
	switch v, msg := decide(err, missing, os.Getenv(requireEnv)); v {
	case fail:
		t.Fatal(msg)
	case skip:
		t.Skip(msg)
	}
	return node
}

// runScenario runs scenario.js against addr and fails t, with the script's
// output, unless it exits 0.
func runScenario(t *testing.T, node, addr string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), scenarioTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "scenario.js", addr)
	cmd.WaitDelay = 5 * time.Second // do not wait on pipes a killed node left open
	out, err := cmd.CombinedOutput()
	if ctx.Err() != nil {
		t.Fatalf("scenario.js against %s did not finish within %v; output:\n%s", addr, scenarioTimeout, out)
	}
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		t.Fatalf("scenario.js against %s exited %d; output:\n%s", addr, exit.ExitCode(), out)
	}
	if err != nil {
		t.Fatalf("run scenario.js: %v; output:\n%s", err, out)
	}
	t.Logf("scenario.js against %s:\n%s", addr, out)
}

// TestSocketIOAdapterHerald runs the scenario with one Herald node, with its
// embedded broker, as the two Socket.IO servers' Redis.
func TestSocketIOAdapterHerald(t *testing.T) {
	node := findNode(t)
	srv, err := server.StartLocal(server.Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	runScenario(t, node, srv.Addr().String())
}

// TestSocketIOAdapterRedis runs the same scenario against a real
// redis-server: the control that shows the scenario itself is right.
func TestSocketIOAdapterRedis(t *testing.T) {
	node := findNode(t)
	rs := redistest.Start(t)
	runScenario(t, node, rs.Addr())
}

func TestDecide(t *testing.T) {
	noNode := errors.New(`exec: "node": executable file not found in $PATH`)
	tests := []struct {
		name    string
		nodeErr error
		missing []string
		require string
		want    verdict
		wantMsg string
	}{
		{"all there", nil, nil, "", run, ""},
		{"all there, required", nil, nil, "1", run, ""},
		{"no node", noNode, nil, "", skip, "node is not on the PATH"},
		{"no node, required", noNode, nil, "1", fail, "HERALD_REQUIRE_NODE=1 requires"},
		{"no modules", nil, []string{"socket.io", "redis"}, "", skip, "node_modules lacks socket.io, redis: run `npm ci`"},
		{"no modules, required", nil, []string{"ioredis"}, "1", fail, "node_modules lacks ioredis"},
		{"required only by 1", noNode, nil, "yes", skip, "set HERALD_REQUIRE_NODE=1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, msg := decide(tt.nodeErr, tt.missing, tt.require)
			if got != tt.want || !strings.Contains(msg, tt.wantMsg) {
				t.Errorf("decide = %v, %q; want %v and a message containing %q", got, msg, tt.want, tt.wantMsg)
			}
		})
	}
}
