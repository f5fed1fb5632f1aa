package backend

import (
	"context"
	"sync"

	"github.com/heraldhq/herald/broker"
)

// deliveryBatch batches the flushes of messages Redis pushes, as a
// pipelining publisher's batch does for local publishes: the push hooks
// deliver into the current batch, and one goroutine flushes it, so a burst
// arriving while a flush is under way costs each subscriber one more
// flush, not one per message. When messages trickle in, each is flushed at
// once.
type deliveryBatch struct {
	mu         sync.Mutex
	current    *broker.Batch // the hooks deliver into it; guarded by mu
	spare      *broker.Batch // owned by the flusher between rounds; guarded by mu
	needsFlush chan struct{} // capacity 1
}

func newDeliveryBatch() *deliveryBatch {
	return &deliveryBatch{
		current:    new(broker.Batch),
		spare:      new(broker.Batch),
		needsFlush: make(chan struct{}, 1),
	}
}

// begin locks the batch for one delivery and returns it. Lock order:
// deliveryBatch.mu, then the broker's lock.
func (d *deliveryBatch) begin() *broker.Batch {
	d.mu.Lock()
	return d.current
}

// end unlocks the batch after a delivery and wakes the flusher if a
// subscriber waits for a flush.
func (d *deliveryBatch) end() {
	pending := d.current.Len() > 0
	d.mu.Unlock()
	if pending {
		select {
		case d.needsFlush <- struct{}{}:
		default:
		}
	}
}

// run flushes the batch whenever it has pending subscribers, until ctx
// ends; then once more.
func (d *deliveryBatch) run(ctx context.Context) {
	for {
		select {
		case <-d.needsFlush:
		case <-ctx.Done():
			d.flush()
			return
		}
		d.flush()
	}
}

func (d *deliveryBatch) flush() {
	d.mu.Lock()
	b := d.current
	d.current, d.spare = d.spare, nil
	d.mu.Unlock()
	b.Flush()
	d.mu.Lock()
	d.spare = b
	d.mu.Unlock()
}
