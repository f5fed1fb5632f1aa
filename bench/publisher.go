package main

import (
	"fmt"
	"net"
	"sync"
	"sync/atomic"
)

// A publisher writes pre-encoded batches of PUBLISH commands, taking turns,
// over and over on one connection while a second goroutine reads the integer replies, so the
// connection is always pipelined. It never lets more than window commands
// go unanswered, and an optional gate adds flow control of its own (the
// fan-out case uses it to bound how far subscribers lag behind).
type publisher struct {
	conn     net.Conn
	batches  [][]byte // each holds perBatch PUBLISH commands, written whole
	perBatch int64
	window   int64
	expect   int64 // the reply every PUBLISH should get, or -1 for any
	gate     func(sent int64) bool

	sent    atomic.Int64 // commands written
	replied atomic.Int64 // integer replies read
	wrong   atomic.Int64 // replies other than expect
	wake    chan struct{}

	mu       sync.Mutex
	firstErr error
}

// newPublisher returns a publisher that writes batches (each holding
// perBatch commands) on conn. Call run and readReplies on their own
// goroutines.
func newPublisher(conn net.Conn, batches [][]byte, perBatch, window, expect int64) *publisher {
	return &publisher{
		conn: conn, batches: batches, perBatch: perBatch,
		window: max(window, perBatch), expect: expect,
		wake: make(chan struct{}, 1),
	}
}

// notify wakes the writer if it is waiting for replies or for its gate.
// It never blocks, so readers can call it after every read.
func (p *publisher) notify() {
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// fail records the first error the publisher saw.
func (p *publisher) fail(err error) {
	p.mu.Lock()
	if p.firstErr == nil {
		p.firstErr = err
	}
	p.mu.Unlock()
}

// err returns the first error seen, if any.
func (p *publisher) err() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.firstErr
}

// run writes batches until stop is closed or a write fails.
func (p *publisher) run(stop <-chan struct{}) {
	for i := 0; ; i++ {
		select {
		case <-stop:
			return
		default:
		}
		sent := p.sent.Load()
		if sent-p.replied.Load()+p.perBatch > p.window || (p.gate != nil && !p.gate(sent)) {
			select {
			case <-p.wake:
			case <-stop:
				return
			}
			continue
		}
		if _, err := p.conn.Write(p.batches[i%len(p.batches)]); err != nil {
			select {
			case <-stop: // closed at the end of the case
			default:
				p.fail(fmt.Errorf("publish: %w", err))
			}
			return
		}
		p.sent.Add(p.perBatch)
	}
}

// stop ends run by closing stop, then closes the connection, before the
// caller closes any subscriber: a PUBLISH answered after a subscriber left
// would otherwise count as a wrong reply.
func (p *publisher) stop(stop chan struct{}) {
	close(stop)
	p.conn.Close()
}

// readReplies counts PUBLISH replies until the connection fails or closes.
func (p *publisher) readReplies() {
	fr := newFrameReader(p.conn, 256<<10)
	for {
		var replied, wrong int64
		for {
			f, ok, err := fr.buffered()
			if err != nil {
				p.fail(fmt.Errorf("publish reply: %w", err))
				return
			}
			if !ok {
				break
			}
			switch {
			case f.kind == '-':
				p.fail(fmt.Errorf("publish reply: %s", f.last))
				return
			case f.kind != ':':
				p.fail(fmt.Errorf("publish reply of type %q", f.kind))
				return
			case p.expect >= 0 && f.num != p.expect:
				wrong++
			}
			replied++
		}
		if replied > 0 {
			p.replied.Add(replied)
			p.wrong.Add(wrong)
			p.notify()
		}
		if err := fr.fill(); err != nil {
			return // closed at the end of the case, or the server went away
		}
	}
}

// publishBatches encodes count PUBLISH commands, the i-th to channel(i), all
// with the same payload, into count/perBatch batches of perBatch commands.
func publishBatches(count, perBatch int, channel func(i int) string, payload []byte) [][]byte {
	var batches [][]byte
	var b []byte
	for i := range count {
		b = appendCommand(b, []byte("PUBLISH"), []byte(channel(i)), payload)
		if (i+1)%perBatch == 0 {
			batches, b = append(batches, b), nil
		}
	}
	return batches
}

// makePayload returns n bytes of printable filler.
func makePayload(n int) []byte {
	p := make([]byte, n)
	for i := range p {
		p[i] = 'a' + byte(i%26)
	}
	return p
}
