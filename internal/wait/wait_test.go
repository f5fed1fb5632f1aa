package wait

import (
	"context"
	"sync"
	"testing"
)

func TestGroup(t *testing.T) {
	var wg sync.WaitGroup
	wg.Add(1)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := Group(ctx, &wg); err != context.Canceled {
		t.Fatalf("cancelled context: got %v", err)
	}
	wg.Done()
	if err := Group(context.Background(), &wg); err != nil {
		t.Fatalf("done group: got %v", err)
	}
}
