package main

import (
	"bytes"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"
)

// A minimal WebSocket client (RFC 6455), enough for the benchmark: the
// HTTP upgrade with Sec-WebSocket-Key, masked client frames, and a reader of
// unmasked, unfragmented server frames over a buffer of its own, like
// frameReader does for RESP.

// wsGUID is the fixed string the server appends to Sec-WebSocket-Key.
const wsGUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

// WebSocket opcodes.
const (
	wsText   = 0x1
	wsBinary = 0x2
	wsClose  = 0x8
	wsPing   = 0x9
	wsPong   = 0xA
)

// wsMaxFrame bounds a server frame's payload; the gateway's own limit for
// messages is 1 MiB.
const wsMaxFrame = 4 << 20

// errWSMalformed reports bytes that are not a WebSocket frame a server may
// send.
var errWSMalformed = errors.New("malformed WebSocket frame")

// A wsFrame is one complete server frame.
type wsFrame struct {
	op      byte
	payload []byte // aliases the read buffer until the next fill
}

// A wsConn reads frames from one WebSocket connection.
type wsConn struct {
	conn net.Conn
	buf  []byte
	r, w int // unread bytes are buf[r:w]
	need int // bytes the incomplete frame at r needs, 0 if unknown
}

// newWSConn returns a reader of conn with a buffer of size bytes (it grows
// for a larger frame).
func newWSConn(conn net.Conn, size int) *wsConn {
	return &wsConn{conn: conn, buf: make([]byte, size)}
}

// wsKey returns a random Sec-WebSocket-Key.
func wsKey() string {
	var k [16]byte
	rand.Read(k[:])
	return base64.StdEncoding.EncodeToString(k[:])
}

// wsAccept returns the Sec-WebSocket-Accept a server must answer key with.
func wsAccept(key string) string {
	sum := sha1.Sum([]byte(key + wsGUID))
	return base64.StdEncoding.EncodeToString(sum[:])
}

// wsUpgradeRequest returns the client's opening handshake for /ws on host.
func wsUpgradeRequest(host, key string) []byte {
	return []byte("GET /ws HTTP/1.1\r\nHost: " + host + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
		"Sec-WebSocket-Key: " + key + "\r\nSec-WebSocket-Version: 13\r\n\r\n")
}

// readUpgrade reads the server's handshake response and checks it accepts
// key. Bytes after the response stay buffered as frames.
func (c *wsConn) readUpgrade(key string) error {
	for {
		if end := bytes.Index(c.buf[c.r:c.w], []byte("\r\n\r\n")); end >= 0 {
			head := string(c.buf[c.r : c.r+end])
			c.r += end + 4
			return checkUpgrade(head, key)
		}
		if c.w == len(c.buf) {
			c.need = len(c.buf) + 1 // grow
		}
		if err := c.fill(); err != nil {
			return fmt.Errorf("handshake: %w", err)
		}
	}
}

// checkUpgrade checks a handshake response's status line and accept key.
func checkUpgrade(head, key string) error {
	lines := strings.Split(head, "\r\n")
	if f := strings.Fields(lines[0]); len(f) < 2 || f[1] != "101" {
		return fmt.Errorf("handshake answered %q", lines[0])
	}
	for _, l := range lines[1:] {
		k, v, _ := strings.Cut(l, ":")
		if strings.EqualFold(strings.TrimSpace(k), "Sec-WebSocket-Accept") {
			if strings.TrimSpace(v) != wsAccept(key) {
				return fmt.Errorf("handshake: Sec-WebSocket-Accept %q, want %q", strings.TrimSpace(v), wsAccept(key))
			}
			return nil
		}
	}
	return errors.New("handshake: no Sec-WebSocket-Accept")
}

// appendWSFrame appends a final, masked client frame with opcode op.
func appendWSFrame(dst []byte, op byte, payload []byte) []byte {
	dst = append(dst, 0x80|op)
	switch n := len(payload); {
	case n < 126:
		dst = append(dst, 0x80|byte(n))
	case n <= 0xFFFF:
		dst = append(dst, 0x80|126)
		dst = binary.BigEndian.AppendUint16(dst, uint16(n))
	default:
		dst = append(dst, 0x80|127)
		dst = binary.BigEndian.AppendUint64(dst, uint64(n))
	}
	var mask [4]byte
	rand.Read(mask[:])
	dst = append(dst, mask[:]...)
	for i, b := range payload {
		dst = append(dst, b^mask[i%4])
	}
	return dst
}

// parseWSFrame parses one server frame at the start of b. It returns the
// number of bytes the frame takes, or 0 and the total it needs (0 if not
// yet known) when b holds only a prefix of it.
func parseWSFrame(b []byte) (n int, f wsFrame, need int, err error) {
	if len(b) < 2 {
		return 0, f, 0, nil
	}
	if b[0]&0x70 != 0 {
		return 0, f, 0, fmt.Errorf("%w: reserved bits set", errWSMalformed)
	}
	if b[0]&0x80 == 0 || b[0]&0x0f == 0 {
		return 0, f, 0, fmt.Errorf("%w: fragmented frames are not supported", errWSMalformed)
	}
	if b[1]&0x80 != 0 {
		return 0, f, 0, fmt.Errorf("%w: masked server frame", errWSMalformed)
	}
	size, h := uint64(b[1]&0x7f), 2
	switch size {
	case 126:
		if len(b) < 4 {
			return 0, f, 0, nil
		}
		size, h = uint64(binary.BigEndian.Uint16(b[2:])), 4
	case 127:
		if len(b) < 10 {
			return 0, f, 0, nil
		}
		size, h = binary.BigEndian.Uint64(b[2:]), 10
	}
	if size > wsMaxFrame {
		return 0, f, 0, fmt.Errorf("%w: %d-byte frame", errWSMalformed, size)
	}
	total := h + int(size)
	if len(b) < total {
		return 0, f, total, nil
	}
	return total, wsFrame{op: b[0] & 0x0f, payload: b[h:total]}, 0, nil
}

// buffered returns the next complete frame already in the buffer, if any,
// without reading. Its payload is valid until the next fill.
func (c *wsConn) buffered() (wsFrame, bool, error) {
	n, f, need, err := parseWSFrame(c.buf[c.r:c.w])
	if err != nil || n == 0 {
		c.need = need
		return f, false, err
	}
	c.r += n
	c.need = 0
	return f, true, nil
}

// fill reads at least one more byte into the buffer, moving unread bytes to
// its start and growing it when the incomplete frame would not fit.
func (c *wsConn) fill() error {
	if c.r == c.w {
		c.r, c.w = 0, 0
	} else if c.w == len(c.buf) || c.r+c.need > len(c.buf) {
		c.w = copy(c.buf, c.buf[c.r:c.w])
		c.r = 0
	}
	if c.need > len(c.buf) {
		c.buf = append(c.buf, make([]byte, c.need-len(c.buf))...)
	}
	n, err := c.conn.Read(c.buf[c.w:])
	c.w += n
	if n > 0 {
		return nil
	}
	return err
}

// next returns the next data frame, reading as needed; pings and pongs are
// skipped and a close frame is an error.
func (c *wsConn) next() (wsFrame, error) {
	for {
		f, ok, err := c.buffered()
		if err != nil {
			return f, err
		}
		if !ok {
			if err := c.fill(); err != nil {
				return f, err
			}
			continue
		}
		if err := checkControl(f); err != nil {
			return f, err
		}
		if f.op == wsText || f.op == wsBinary {
			return f, nil
		}
	}
}

// checkControl returns an error for a close frame, with its code and reason.
func checkControl(f wsFrame) error {
	if f.op != wsClose {
		return nil
	}
	if len(f.payload) >= 2 {
		return fmt.Errorf("server closed the WebSocket: %d %s", binary.BigEndian.Uint16(f.payload), f.payload[2:])
	}
	return errors.New("server closed the WebSocket")
}

// wsSubscribeAll opens n WebSocket connections to the gateway at httpAddr,
// sends request(i) on the i-th once its handshake is done, and reads one
// reply from each, which must be an ack. It returns the connections
// positioned after the acks, each with a read buffer of bufSize bytes.
// Like subscribeAll, it writes to every connection before reading from
// any, so the round trips overlap.
func wsSubscribeAll(httpAddr string, n int, request func(i int) []byte, bufSize int) ([]*wsConn, error) {
	conns, err := dialMany(httpAddr, n)
	if err != nil {
		return nil, err
	}
	fail := func(err error) ([]*wsConn, error) {
		closeAll(conns)
		return nil, err
	}
	deadline := time.Now().Add(setupTimeout)
	keys := make([]string, n)
	for i, c := range conns {
		c.SetDeadline(deadline)
		keys[i] = wsKey()
		if _, err := c.Write(wsUpgradeRequest(httpAddr, keys[i])); err != nil {
			return fail(fmt.Errorf("upgrade on connection %d: %w", i, err))
		}
	}
	wcs := make([]*wsConn, n)
	for i, c := range conns {
		wcs[i] = newWSConn(c, bufSize)
		if err := wcs[i].readUpgrade(keys[i]); err != nil {
			return fail(fmt.Errorf("connection %d: %w", i, err))
		}
		if _, err := c.Write(appendWSFrame(nil, wsText, request(i))); err != nil {
			return fail(fmt.Errorf("request on connection %d: %w", i, err))
		}
	}
	for i, wc := range wcs {
		f, err := wc.next()
		if err != nil {
			return fail(fmt.Errorf("ack on connection %d: %w", i, err))
		}
		if !bytes.Contains(f.payload, []byte(`"type":"ack"`)) {
			return fail(fmt.Errorf("connection %d answered %s", i, f.payload))
		}
		wc.conn.SetDeadline(time.Time{})
	}
	return wcs, nil
}

// wsNetConns returns the network connections under wcs, for closeAll.
func wsNetConns(wcs []*wsConn) []net.Conn {
	conns := make([]net.Conn, len(wcs))
	for i, wc := range wcs {
		conns[i] = wc.conn
	}
	return conns
}
