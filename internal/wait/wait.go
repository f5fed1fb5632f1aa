// Package wait holds the one helper Herald's servers share for shutting
// down.
package wait

import (
	"context"
	"sync"
)

// Group waits for wg until ctx is done, and returns ctx's error if ctx ends
// first. The goroutine that waits on wg ends when wg does.
func Group(ctx context.Context, wg *sync.WaitGroup) error {
	done := make(chan struct{})
	go func() {
		wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
