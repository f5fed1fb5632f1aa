package server

import "testing"

// TestDiffServer compares the keyspace-free server commands the issue
// lists (FLUSHALL, FLUSHDB, DBSIZE, TIME, FUNCTION FLUSH, DEBUG) and the
// parts of CONFIG, INFO and COMMAND whose replies Herald shares with
// Redis.
func TestDiffServer(t *testing.T) {
	t.Parallel()
	env := newDiffEnv(t, Config{})
	env.run(t, sessions(
		forProtocols("keyspace-free commands", "a", `
			a: FLUSHALL                    => 1
			a: FLUSHALL ASYNC              => 1
			a: FLUSHALL SYNC               => 1
			a: FLUSHALL nope               => 1
			a: FLUSHALL SYNC ASYNC         => 1
			a: FLUSHDB                     => 1
			a: FLUSHDB async               => 1
			a: FLUSHDB x y                 => 1
			a: DBSIZE                      => 1
			a: DBSIZE x                    => 1
			a: TIME                        => 1 time
			a: TIME x                      => 1
			a: FUNCTION FLUSH              => 1
			a: FUNCTION FLUSH ASYNC        => 1
			a: FUNCTION FLUSH SYNC         => 1
			a: FUNCTION FLUSH nope         => 1
			a: DEBUG                       => 1
			a: DEBUG SLEEP 0               => 1
			a: debug nope                  => 1
		`),
		forProtocols("config", "a", `
			a: CONFIG GET maxclients       => 1
			a: CONFIG GET requirepass      => 1
			a: CONFIG GET proto-max-bulk-len => 1
			a: CONFIG GET client-output-buffer-limit => 1
			a: CONFIG GET nope             => 1
			a: CONFIG GET                  => 1
			a: CONFIG NOPE                 => 1
			a: CONFIG SET nope 1           => 1
			a: CONFIG SET maxclients x     => 1
			a: CONFIG GET timeout          => 1
			a: CONFIG SET timeout -1       => 1
			a: CONFIG SET timeout 2147483648 => 1
			a: CONFIG SET timeout 1x       => 1
			a: CONFIG GET tcp-keepalive    => 1
			a: CONFIG SET tcp-keepalive -1 => 1
			a: CONFIG RESETSTAT            => 1
			a: CONFIG RESETSTAT x          => 1
			a: CONFIG HELP                 => 1
		`),
		forProtocols("info", "a", `
			a: INFO keyspace               => 1
			a: INFO nosuchsection          => 1
		`),
		forProtocols("command", "a", `
			a: COMMAND INFO subscribe publish ssubscribe spublish ping nope => 1
			a: COMMAND INFO pubsub|channels => 1
			a: COMMAND COUNT x             => 1
			a: COMMAND NOPE                => 1
			a: COMMAND HELP                => 1
		`),
	))
}
