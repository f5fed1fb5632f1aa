// Package e2e holds end-to-end tests of whole Herald nodes: the RESP
// server and the web gateway on one broker, as `herald serve` runs them,
// here on a shared Redis or Redis Cluster backend, so that what crosses
// from a client of one node to a client of another is tested over real
// sockets. They need redis-server and redis-cli and skip without them
// unless HERALD_REQUIRE_REDIS=1 (CI sets it).
package e2e
