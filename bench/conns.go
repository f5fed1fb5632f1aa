package main

import (
	"errors"
	"fmt"
	"net"
	"sync"
	"time"
)

// dialParallel is how many connections are dialed at once: enough to hide
// the accept latency of a busy server, few enough not to overflow a listen
// backlog (redis-server's is 511).
const dialParallel = 64

// setupTimeout bounds dialing, subscribing and waiting for acks.
const setupTimeout = 30 * time.Second

// dialMany opens n connections to addr.
func dialMany(addr string, n int) ([]net.Conn, error) {
	conns := make([]net.Conn, n)
	errs := make([]error, dialParallel)
	var wg sync.WaitGroup
	for w := range dialParallel {
		wg.Add(1)
		go func() {
			defer wg.Done()
			d := net.Dialer{Timeout: setupTimeout}
			for i := w; i < n; i += dialParallel {
				c, err := d.Dial("tcp", addr)
				if err != nil {
					errs[w] = fmt.Errorf("dial connection %d of %d: %w", i+1, n, err)
					return
				}
				conns[i] = c
			}
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		closeAll(conns)
		return nil, err
	}
	return conns, nil
}

// closeAll closes every non-nil connection.
func closeAll(conns []net.Conn) {
	for _, c := range conns {
		if c != nil {
			c.Close()
		}
	}
}

// subscribeAll writes command(i) on every connection, then reads acks
// frames from each and checks that they are subscribe confirmations. It
// returns a frame reader of bufSize bytes per connection, positioned after
// the acks. Writing everything before reading pipelines the round trips.
func subscribeAll(conns []net.Conn, command func(i int) []byte, acks, bufSize int) ([]*frameReader, error) {
	deadline := time.Now().Add(setupTimeout)
	for i, c := range conns {
		c.SetDeadline(deadline)
		if _, err := c.Write(command(i)); err != nil {
			return nil, fmt.Errorf("subscribe on connection %d: %w", i, err)
		}
	}
	readers := make([]*frameReader, len(conns))
	for i, c := range conns {
		fr := newFrameReader(c, bufSize)
		for range acks {
			f, err := fr.next()
			if err != nil {
				return nil, fmt.Errorf("subscribe ack on connection %d: %w", i, err)
			}
			if f.kind == '-' {
				return nil, fmt.Errorf("subscribe on connection %d: %s", i, f.last)
			}
			if (f.kind != '*' && f.kind != '>') || f.num != 3 {
				return nil, fmt.Errorf("subscribe on connection %d: unexpected reply type %q", i, f.kind)
			}
		}
		c.SetDeadline(time.Time{})
		readers[i] = fr
	}
	return readers, nil
}

// subscriberBufSize picks a read buffer per subscriber: large, but bounded
// so that thousands of subscribers do not need gigabytes.
func subscriberBufSize(subscribers int) int {
	const total = 128 << 20
	return min(256<<10, max(16<<10, total/max(subscribers, 1)))
}
