package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
)

// A frame is one complete top-level RESP value, reduced to what the
// benchmark needs: its type byte, the value of an integer reply, and the
// last bulk string of an array or push (the payload of a "message" or
// "pmessage" frame, or the text of an error reply).
type frame struct {
	kind byte   // '*', '>', ':', '$', '+', '-', '_', ...
	num  int64  // value of ':' frames, element count of '*' and '>'
	last []byte // last bulk string inside the frame; aliases the read buffer
}

// errMalformed reports bytes that are not RESP.
var errMalformed = errors.New("malformed RESP")

// maxDepth bounds nesting in parseFrame; pub/sub frames are flat.
const maxDepth = 8

// parseFrame parses one complete RESP value at the start of b. It returns the
// number of bytes the value takes, or 0 when b holds only a prefix of it.
// The returned frame's last field aliases b.
func parseFrame(b []byte) (int, frame, error) {
	var f frame
	n, err := parseValue(b, &f, 0)
	return n, f, err
}

// parseValue parses the value at the start of b into f and returns its
// length, or 0 if b is incomplete.
func parseValue(b []byte, f *frame, depth int) (int, error) {
	if depth > maxDepth {
		return 0, errMalformed
	}
	nl := bytes.IndexByte(b, '\n')
	if nl < 0 {
		return 0, nil
	}
	if nl < 2 || b[nl-1] != '\r' {
		return 0, errMalformed
	}
	kind, line := b[0], b[1:nl-1]
	pos := nl + 1
	if depth == 0 {
		f.kind = kind
	}
	switch kind {
	case '+', '-', '_', '#', ',', '(':
		if depth == 0 || kind == '-' {
			f.last = line
		}
		return pos, nil
	case ':':
		v, err := parseInt(line)
		if err != nil {
			return 0, err
		}
		if depth == 0 {
			f.num = v
		}
		return pos, nil
	case '$', '=', '!':
		size, err := parseInt(line)
		if err != nil {
			return 0, err
		}
		if size < 0 { // RESP2 null bulk string
			return pos, nil
		}
		end := pos + int(size)
		if len(b) < end+2 {
			return 0, nil
		}
		if b[end] != '\r' || b[end+1] != '\n' {
			return 0, errMalformed
		}
		f.last = b[pos:end]
		return end + 2, nil
	case '*', '>', '~', '%', '|':
		count, err := parseInt(line)
		if err != nil {
			return 0, err
		}
		if depth == 0 {
			f.num = count
		}
		if kind == '%' || kind == '|' {
			count *= 2
		}
		for i := int64(0); i < count; i++ {
			n, err := parseValue(b[pos:], f, depth+1)
			if n == 0 || err != nil {
				return 0, err
			}
			pos += n
		}
		return pos, nil
	}
	return 0, fmt.Errorf("%w: unexpected type byte %q", errMalformed, kind)
}

// parseInt parses a decimal integer with an optional leading minus sign.
func parseInt(b []byte) (int64, error) {
	neg := false
	if len(b) > 0 && b[0] == '-' {
		neg, b = true, b[1:]
	}
	if len(b) == 0 || len(b) > 18 {
		return 0, errMalformed
	}
	var v int64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, errMalformed
		}
		v = v*10 + int64(c-'0')
	}
	if neg {
		v = -v
	}
	return v, nil
}

// A frameReader reads RESP frames from a connection through one large buffer
// that it owns, without allocating per frame.
type frameReader struct {
	rd   io.Reader
	buf  []byte
	r, w int // buf[r:w] is read but not yet parsed
}

// newFrameReader returns a reader with a buffer of size bytes. The buffer
// grows only if a single frame is larger than it.
func newFrameReader(rd io.Reader, size int) *frameReader {
	return &frameReader{rd: rd, buf: make([]byte, size)}
}

// fill reads more bytes from the connection, first moving any partial frame
// to the start of the buffer (or growing the buffer if it is all one frame).
func (fr *frameReader) fill() error {
	if fr.r > 0 {
		fr.w = copy(fr.buf, fr.buf[fr.r:fr.w])
		fr.r = 0
	}
	if fr.w == len(fr.buf) {
		grown := make([]byte, 2*len(fr.buf))
		copy(grown, fr.buf[:fr.w])
		fr.buf = grown
	}
	n, err := fr.rd.Read(fr.buf[fr.w:])
	fr.w += n
	if n > 0 {
		return nil
	}
	if err == nil {
		err = io.ErrNoProgress
	}
	return err
}

// next returns the next frame, reading from the connection as needed. The
// frame's last field is valid until the following call.
func (fr *frameReader) next() (frame, error) {
	for {
		f, ok, err := fr.buffered()
		if ok || err != nil {
			return f, err
		}
		if err := fr.fill(); err != nil {
			return f, err
		}
	}
}

// buffered returns the next frame if the buffer holds all of it, without
// reading; ok is false when it does not. Callers use it to handle a batch of
// frames that arrived in one read before blocking on the next.
func (fr *frameReader) buffered() (f frame, ok bool, err error) {
	n, f, err := parseFrame(fr.buf[fr.r:fr.w])
	if n == 0 || err != nil {
		return f, false, err
	}
	fr.r += n
	return f, true, nil
}

// A fastCounter counts frames of one known shape, such as every "message"
// frame of a fan-out case, by comparing a fixed header and skipping the
// payload; any other frame goes through parseFrame. It is the hot loop of
// the fan-out subscribers, so it does no per-frame work beyond a memcmp.
type fastCounter struct {
	header []byte // the frame's bytes before the payload
	size   int    // whole frame: header, payload and CRLF
}

// newFastCounter returns a counter for frames made of header, a payload of
// payloadLen bytes and a CRLF.
func newFastCounter(header []byte, payloadLen int) fastCounter {
	return fastCounter{header: header, size: len(header) + payloadLen + 2}
}

// count parses every complete frame in fr's buffer and returns how many
// there were, leaving any partial frame in place.
func (c fastCounter) count(fr *frameReader) (int64, error) {
	var n int64
	b := fr.buf[fr.r:fr.w]
	pos := 0
	for {
		rest := b[pos:]
		if len(rest) >= c.size && bytes.Equal(rest[:len(c.header)], c.header) &&
			rest[c.size-2] == '\r' && rest[c.size-1] == '\n' {
			pos += c.size
			n++
			continue
		}
		m, _, err := parseFrame(rest)
		if err != nil {
			return n, err
		}
		if m == 0 {
			break
		}
		pos += m
		n++
	}
	fr.r += pos
	return n, nil
}

// messageHeader returns the RESP2 bytes that precede the payload in a
// "message" push for channel with a payload of payloadLen bytes.
func messageHeader(channel string, payloadLen int) []byte {
	return fmt.Appendf(nil, "*3\r\n$7\r\nmessage\r\n$%d\r\n%s\r\n$%d\r\n",
		len(channel), channel, payloadLen)
}

// appendCommand appends args to b as a RESP array of bulk strings.
func appendCommand(b []byte, args ...[]byte) []byte {
	b = fmt.Appendf(b, "*%d\r\n", len(args))
	for _, a := range args {
		b = fmt.Appendf(b, "$%d\r\n", len(a))
		b = append(b, a...)
		b = append(b, '\r', '\n')
	}
	return b
}

// appendCommandStrings is appendCommand for string arguments.
func appendCommandStrings(b []byte, args ...string) []byte {
	bs := make([][]byte, len(args))
	for i, a := range args {
		bs[i] = []byte(a)
	}
	return appendCommand(b, bs...)
}
