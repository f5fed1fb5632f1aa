package server

import (
	"sync"
	"syscall"
	"time"
	"unsafe"
)

// outbox is a connection's pending output: a list of fixed-size chunks, the
// last one partly filled, as Redis keeps its reply list. Replies and
// delivered messages are appended under mu; appending never moves what is
// already queued, and whoever flushes takes every chunk and writes them with
// one writev.
//
// Writes are first tried inline and non-blocking (see conn.Flush); only a
// socket that is full gets a writer goroutine, which writes until the outbox
// is empty and exits. At most one goroutine writes at a time (writing).
//
// Lock order: broker.mu, then outbox.mu. Nothing is written to the socket
// while mu is held.
type outbox struct {
	mu       sync.Mutex
	chunks   [][]byte // pending output, not yet handed to the socket
	size     int      // bytes in chunks
	inflight int      // bytes taken by the writer and not yet written
	writing  bool     // a goroutine holds the right to write
	waiting  bool     // a writer goroutine waits for a full socket (CLIENT LIST events=rw)
	queued   bool     // added to a publisher's batch, flush pending
	closed   bool     // the connection is closing: drop everything
	pubsub   bool     // the client is subscribed: the pubsub limit class applies
	format   uint8    // broker.Format of this client's protocol

	softSince time.Time // when pending output first went over the soft limit
}

// pending is the output not yet on the wire. Lock held on entry.
func (o *outbox) pending() int64 {
	return int64(o.size + o.inflight)
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

// chunkSize is the size of an outbox chunk. Chunks are pooled: an idle
// connection holds none.
const chunkSize = 16 << 10

var chunkPool = sync.Pool{New: func() any { return new([chunkSize]byte) }}

func getChunk() []byte { return chunkPool.Get().(*[chunkSize]byte)[:0] }

func putChunks(chunks [][]byte) {
	for i, c := range chunks {
		chunkPool.Put((*[chunkSize]byte)(c[:chunkSize]))
		chunks[i] = nil
	}
}

// appendOut appends p, filling the last chunk before taking another. Lock
// held on entry.
func (o *outbox) appendOut(p []byte) {
	o.size += len(p)
	for len(p) > 0 {
		n := len(o.chunks)
		if n == 0 || len(o.chunks[n-1]) == chunkSize {
			o.chunks = append(o.chunks, getChunk())
			n++
		}
		last := o.chunks[n-1]
		k := min(chunkSize-len(last), len(p))
		o.chunks[n-1] = append(last, p[:k]...)
		p = p[k:]
	}
}

// take removes every pending chunk and counts it in flight. Lock held on
// entry.
func (o *outbox) take() [][]byte {
	chunks := o.chunks
	o.chunks = nil
	o.inflight += o.size
	o.size = 0
	return chunks
}

// drop discards pending output. Lock held on entry.
func (o *outbox) drop() {
	putChunks(o.chunks)
	o.chunks = nil
	o.size = 0
}

// maxIovecs bounds the chunks one writev sends (Linux's IOV_MAX is 1024).
const maxIovecs = 64

// writeNonBlocking tries one non-blocking write of chunks on raw and
// returns how many bytes went out. A full socket is not an error.
func writeNonBlocking(raw syscall.RawConn, chunks [][]byte) (int, error) {
	if len(chunks) > 1 {
		return writevNonBlocking(raw, chunks)
	}
	// One chunk, the common case, written without an iovec array: this
	// runs on every connection's goroutine, whose stack should stay small.
	p := chunks[0]
	var n uintptr
	var errno syscall.Errno
	err := raw.Write(func(fd uintptr) bool {
		// A raw system call: a write to a non-blocking socket does not
		// block, so the scheduler need not be told (syscall.Write would
		// cost a scheduler round trip per subscriber per batch).
		n, _, errno = syscall.RawSyscall(syscall.SYS_WRITE, fd, uintptr(unsafe.Pointer(&p[0])), uintptr(len(p)))
		return true
	})
	switch {
	case err != nil:
		return 0, err
	case errno == syscall.EAGAIN || errno == syscall.EINTR:
		return 0, nil
	case errno != 0:
		return 0, errno
	}
	return int(n), nil
}

// writevNonBlocking is writeNonBlocking for several chunks, with one writev.
func writevNonBlocking(raw syscall.RawConn, chunks [][]byte) (int, error) {
	var iov [maxIovecs]syscall.Iovec
	n := 0
	for _, c := range chunks {
		if n == maxIovecs {
			break
		}
		if len(c) > 0 {
			iov[n].Base = &c[0]
			iov[n].SetLen(len(c))
			n++
		}
	}
	if n == 0 {
		return 0, nil
	}
	var written uintptr
	var errno syscall.Errno
	err := raw.Write(func(fd uintptr) bool {
		written, _, errno = syscall.RawSyscall(syscall.SYS_WRITEV, fd, uintptr(unsafe.Pointer(&iov[0])), uintptr(n))
		return true
	})
	switch {
	case err != nil:
		return 0, err
	case errno == syscall.EAGAIN || errno == syscall.EINTR:
		return 0, nil
	case errno != 0:
		return 0, errno
	}
	return int(written), nil
}

// advance drops the first n bytes of chunks: chunks written whole go back
// to the pool. It returns the chunks left and the offset of the first
// unwritten byte in the first of them.
func advance(chunks [][]byte, n int) ([][]byte, int) {
	i := 0
	for i < len(chunks) && n >= len(chunks[i]) {
		n -= len(chunks[i])
		i++
	}
	putChunks(chunks[:i])
	return chunks[i:], n
}
