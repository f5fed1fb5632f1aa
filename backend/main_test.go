package backend

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package if a test leaves goroutines running: a closed
// Backend must have stopped its applier, its connection watchers and its
// clients. One rueidis goroutine is let be: after a cluster topology
// refresh replaces connections, the rueidis cluster client closes the old
// ones from a goroutine that first sleeps five seconds, and Close does not
// wait for it (rueidis v1.0.79, cluster.go, _refresh). Nor for the
// goroutine of a delayed topology refresh, which sleeps up to a second
// before it checks whether the client was closed (singleflight.go,
// DelayDo).
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m,
		goleak.IgnoreAnyFunction("github.com/redis/rueidis.(*clusterClient)._refresh.func2"),
		goleak.IgnoreAnyFunction("github.com/redis/rueidis.(*call).DelayDo.func1"))
}
