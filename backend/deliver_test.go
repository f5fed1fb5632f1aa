package backend

import (
	"context"
	"sync"
	"testing"

	"github.com/heraldhq/herald/broker"
)

// slowFlusher is a subscriber whose first flush waits until released, as
// a flush to a slow socket would, and that counts its flushes.
type slowFlusher struct {
	mu        sync.Mutex
	queued    bool
	delivered int
	flushed   int // deliveries flushed so far
	flushes   int
	release   chan struct{}
	done      chan struct{} // closed once all want deliveries are flushed
	want      int
}

func (s *slowFlusher) Deliver(_ *broker.Message, batch *broker.Batch) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.delivered++
	if !s.queued {
		s.queued = true
		batch.Add(s)
	}
}

func (s *slowFlusher) Flush() {
	<-s.release
	s.mu.Lock()
	defer s.mu.Unlock()
	s.queued = false
	s.flushes++
	s.flushed = s.delivered
	if s.flushed == s.want {
		close(s.done)
	}
}

// TestDeliveryBatch checks that messages pushed while a flush is under way
// are flushed together, and every message is flushed in the end.
func TestDeliveryBatch(t *testing.T) {
	b := broker.New()
	const n = 100
	s := &slowFlusher{release: make(chan struct{}), done: make(chan struct{}), want: n}
	b.Subscribe(s, "c")
	d := newDeliveryBatch()
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		d.run(ctx)
	}()
	for range n {
		b.DeliverChannel([]byte("c"), []byte("x"), d.begin())
		d.end()
	}
	close(s.release) // the first flush was stuck until now
	<-s.done
	cancel()
	wg.Wait()
	if s.flushes > 2 {
		t.Fatalf("%d messages took %d flushes, want at most 2 (one stuck, one for the rest)", n, s.flushes)
	}
}
