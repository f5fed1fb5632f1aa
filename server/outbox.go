package server

import (
	"sync"
	"syscall"
	"time"
)

// outbox is a connection's pending output. Replies and delivered messages
// are appended to buf under mu; whoever flushes takes the whole buffer and
// writes it with one system call, so a burst of messages costs one write.
//
// Writes are first tried inline and non-blocking (see conn.Flush); only a
// socket that is full gets a writer goroutine, which writes until the outbox
// is empty and exits. At most one goroutine writes at a time (writing).
//
// Lock order: broker.mu, then outbox.mu. Nothing is written to the socket
// while mu is held.
type outbox struct {
	mu       sync.Mutex
	buf      []byte // pending bytes, not yet handed to the socket
	inflight int    // bytes taken by the writer and not yet written
	writing  bool   // a goroutine holds the right to write
	queued   bool   // added to a publisher's batch, flush pending
	closed   bool   // the connection is closing: drop everything
	pubsub   bool   // the client is subscribed: the pubsub limit class applies
	format   uint8  // broker.Format of this client's protocol

	softSince time.Time // when pending output first went over the soft limit
}

// pending is the output not yet on the wire. Lock held on entry.
func (o *outbox) pending() int64 {
	return int64(len(o.buf) + o.inflight)
}

// overLimit reports whether pending output breaks limit l, tracking how
// long the soft limit has been exceeded. Lock held on entry.
func (o *outbox) overLimit(l OutputLimit, now func() time.Time) bool {
	p := o.pending()
	if l.Hard > 0 && p > l.Hard {
		return true
	}
	if l.Soft > 0 && p > l.Soft {
		t := now()
		if o.softSince.IsZero() {
			o.softSince = t
			return false
		}
		return t.Sub(o.softSince) > l.softDuration()
	}
	o.softSince = time.Time{}
	return false
}

// Output buffers are pooled: an idle connection holds none.
const outBufSize = 16 << 10

var outBufPool = sync.Pool{New: func() any { b := make([]byte, 0, outBufSize); return &b }}

func getOutBuf() []byte {
	return (*outBufPool.Get().(*[]byte))[:0]
}

func putOutBuf(b []byte) {
	if cap(b) < outBufSize || cap(b) > 4*outBufSize {
		return
	}
	b = b[:0]
	outBufPool.Put(&b)
}

// appendOut appends p to the outbox. Lock held on entry.
func (o *outbox) appendOut(p []byte) {
	if o.buf == nil {
		if len(p) > outBufSize {
			o.buf = make([]byte, 0, len(p))
		} else {
			o.buf = getOutBuf()
		}
	}
	o.buf = append(o.buf, p...)
}

// writeNonBlocking tries one non-blocking write of p on raw and returns how
// many bytes went out. A full socket is not an error.
func writeNonBlocking(raw syscall.RawConn, p []byte) (int, error) {
	var n int
	var werr error
	err := raw.Write(func(fd uintptr) bool {
		n, werr = syscall.Write(int(fd), p)
		return true
	})
	if err != nil {
		return 0, err
	}
	if werr == syscall.EAGAIN || werr == syscall.EINTR {
		return 0, nil
	}
	if n < 0 {
		n = 0
	}
	return n, werr
}
