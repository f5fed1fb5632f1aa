// Package socketio holds an interop test: two Socket.IO servers (Node) that
// share one Herald node as their Redis through @socket.io/redis-adapter,
// with the classic adapter (PSUBSCRIBE, PUBLISH, PUBSUB NUMSUB) and the
// sharded one (SSUBSCRIBE, SPUBLISH, PUBSUB SHARDNUMSUB), through the redis
// (v4, and v5 in RESP3) and ioredis client libraries.
//
// The scenario is scenario.js; the Go test starts Herald with
// server.StartLocal and runs it, and runs it against a throwaway
// redis-server as a control. It needs node and the packages of
// package-lock.json:
//
//	cd interop/socketio && npm ci && go test -v .
//
// Without node or node_modules the test skips, unless HERALD_REQUIRE_NODE=1
// (CI sets it), where it fails instead.
package socketio
