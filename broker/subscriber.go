package broker

// Subscriber receives messages from the broker.
type Subscriber interface {
	// Deliver queues m for the subscriber. It is called with the broker's
	// read lock held, so it must not block and must not call back into the
	// broker: it appends the frame to an outbox and returns. batch is never
	// nil: a subscriber that needs flushing adds itself to batch once, and
	// the publisher flushes it after its whole batch of publishes, outside
	// the broker's lock.
	Deliver(m *Message, batch *Batch)
}

// Flusher is something with pending output, flushed at the end of a batch.
type Flusher interface {
	Flush()
}

// Batch collects the subscribers that received messages during a batch of
// publishes (one read of a pipelining client's input), so that each is
// flushed once for the whole batch rather than once per message. A Batch
// belongs to one publisher and is not safe for concurrent use.
type Batch struct {
	pending []Flusher
	// sampleIn says which publish through this batch is the next one
	// counted by the busiest-channels sketch: 1 is the next; 0 means not
	// drawn yet (topk.go).
	sampleIn uint32
}

// Add records f to be flushed by the next Flush. The caller makes sure it
// adds itself at most once per batch.
func (b *Batch) Add(f Flusher) {
	b.pending = append(b.pending, f)
}

// Len reports how many flushers are pending.
func (b *Batch) Len() int { return len(b.pending) }

// Flush flushes every pending flusher and empties the batch.
func (b *Batch) Flush() {
	for i, f := range b.pending {
		f.Flush()
		b.pending[i] = nil
	}
	if cap(b.pending) > maxKeptBatch {
		b.pending = nil // a rare huge fan-out should not pin its memory
	} else {
		b.pending = b.pending[:0]
	}
}

// maxKeptBatch is the capacity a Batch keeps between batches.
const maxKeptBatch = 1024
