package backend

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package if a test leaves goroutines running: a closed
// Backend must have stopped its applier, its connection watchers and its
// clients.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
