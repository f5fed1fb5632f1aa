package server

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package if a test leaves goroutines running once its
// servers have shut down.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
