package gateway

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/gobwas/ws"
	"github.com/gobwas/ws/wsutil"
)

// WebSocket close codes the gateway sends (RFC 6455 section 7.4.1).
const (
	closeNormal        = ws.StatusNormalClosure           // 1000: the client closed
	closeGoingAway     = ws.StatusGoingAway               // 1001: server shutting down
	closeProtocolError = ws.StatusProtocolError           // 1002: a malformed frame
	closeInvalidUTF8   = ws.StatusInvalidFramePayloadData // 1007: text frame not UTF-8
	closeSlowConsumer  = ws.StatusPolicyViolation         // 1008: queue over MaxQueueBytes
	closeTooLarge      = ws.StatusMessageTooBig           // 1009: message over MaxMessageBytes
)

// closeFrame returns a whole close frame with code and reason.
func closeFrame(code ws.StatusCode, reason string) []byte {
	return wsFrame(ws.OpClose, ws.NewCloseFrameBody(code, reason))
}

var (
	pingFrame      = wsFrame(ws.OpPing, nil)
	slowCloseFrame = closeFrame(closeSlowConsumer, "slow consumer: output queue over its limit")
	awayCloseFrame = closeFrame(closeGoingAway, "server shutting down")
)

// handleWebSocket upgrades the request and serves the JSON protocol of
// PROTOCOL.md on a goroutine of its own until the connection ends.
func (g *Gateway) handleWebSocket(w http.ResponseWriter, r *http.Request) {
	auth := g.authenticate(w, r)
	if auth == nil || !g.reserveClient(w) {
		return
	}
	nc, rw, _, err := ws.UpgradeHTTP(r, w)
	if err != nil {
		g.unreserveClient()
		return // the upgrader has answered 400 or the like
	}
	c := newClient(g, nc, r.RemoteAddr, auth)
	c.format = formatWebSocket
	c.heartbeatFrame, c.slowFrame, c.awayFrame = pingFrame, slowCloseFrame, awayCloseFrame
	if err := g.addClient(c); err != nil {
		nc.SetWriteDeadline(time.Now().Add(time.Second))
		nc.Write(awayCloseFrame)
		nc.Close()
		return
	}
	// Bytes the client sent right after its handshake are in rw's buffer;
	// read them first, then the socket directly, without a buffer.
	var src io.Reader = nc
	if n := rw.Reader.Buffered(); n > 0 {
		early, _ := rw.Reader.Peek(n)
		src = io.MultiReader(bytes.NewReader(bytes.Clone(early)), nc)
	}
	src = countingReader{src, &g.meters.bytesIn[transportWebSocket]}
	// Serve on a fresh goroutine and let net/http's handler return: its
	// request, response and buffers are then freed rather than pinned for
	// the life of the connection.
	c.startHeartbeat()
	c.startExpiry()
	go c.readWebSocket(c.newFrameReader(src))
}

// newFrameReader returns the reader of the client's frames, with the
// gateway's limits, answering control frames that come between the
// fragments of a message.
func (c *client) newFrameReader(src io.Reader) *wsutil.Reader {
	limit := c.gw.cfg.MaxMessageBytes
	rd := &wsutil.Reader{
		Source:         src,
		State:          ws.StateServerSide,
		CheckUTF8:      true,
		MaxFrameSize:   limit,
		MaxMessageSize: limit,
	}
	rd.OnIntermediate = func(h ws.Header, body io.Reader) error {
		p, err := io.ReadAll(body)
		if err != nil {
			return err
		}
		return c.control(h.OpCode, p)
	}
	return rd
}

// readWebSocket reads frames until the connection ends, answering control
// frames and handing each data message to handleRequest, then cleans up.
//
// An idle connection is mostly this goroutine's stack, and a stack grown by
// a request stays grown: so after any request but the hot ones (publish,
// ping) the loop continues on a fresh goroutine, whose stack starts small,
// and this one exits.
func (c *client) readWebSocket(rd *wsutil.Reader) {
	var msg bytes.Buffer
	for {
		c.armIdleTimeout()
		h, err := rd.NextFrame()
		if err == nil {
			msg.Reset()
			_, err = msg.ReadFrom(rd)
		}
		if err == nil && h.OpCode.IsControl() {
			err = c.control(h.OpCode, msg.Bytes())
			if err == nil {
				continue
			}
		}
		if err != nil {
			if c.readFailed(err) {
				c.drainInput()
			}
			c.cleanup()
			return
		}
		if hot := c.handleRequest(msg.Bytes()); !hot {
			go c.readWebSocket(rd)
			return
		}
		if msg.Cap() > maxKeptBuffer {
			msg = bytes.Buffer{}
		}
	}
}

// armIdleTimeout sets the read deadline for the next frame, unless the
// client is closing, whose shorter deadline stands (see finishLocked).
func (c *client) armIdleTimeout() {
	idle := c.gw.cfg.IdleTimeout
	if idle <= 0 {
		return
	}
	c.mu.Lock()
	if !c.closeAfter {
		c.nc.SetReadDeadline(time.Now().Add(idle))
	}
	c.mu.Unlock()
}

// errPeerClosed ends the read loop after a close frame.
var errPeerClosed = errors.New("peer sent close")

// control answers a control frame: a pong for a ping, the close handshake
// for a close.
func (c *client) control(op ws.OpCode, payload []byte) error {
	switch op {
	case ws.OpPing:
		c.send(wsFrame(ws.OpPong, payload))
	case ws.OpClose:
		code, reason := ws.ParseCloseFrameData(payload)
		switch {
		case code.Empty():
			code = closeNormal
		case ws.CheckCloseFrameData(code, reason) != nil || code >= 5000:
			// A code no endpoint may send (1005, 1006, 1015, unassigned
			// ones) or a reason that is not UTF-8 is a protocol error
			// (RFC 6455 7.4); echoing the code would put one of those
			// in our own close frame.
			code = closeProtocolError
		}
		c.closeWith(closeFrame(code, ""))
		return errPeerClosed
	}
	return nil
}

// readFailed closes the connection after a read error, with the close code
// that names a protocol violation; a plain disconnect needs none. It
// reports whether a close frame was sent.
func (c *client) readFailed(err error) bool {
	var pe ws.ProtocolError
	switch {
	case errors.Is(err, errPeerClosed):
	case errors.Is(err, wsutil.ErrInvalidUTF8):
		c.closeWith(closeFrame(closeInvalidUTF8, "text frame is not valid UTF-8"))
	case errors.Is(err, wsutil.ErrFrameTooLarge), errors.Is(err, wsutil.ErrMessageTooLarge):
		c.closeWith(closeFrame(closeTooLarge, "message larger than the limit of "+itoa(c.gw.cfg.MaxMessageBytes)+" bytes"))
	case errors.As(err, &pe):
		c.closeWith(closeFrame(closeProtocolError, pe.Error()))
	default:
		return false
	}
	return true
}

// closeWith sends a final frame and closes the socket once it is written.
func (c *client) closeWith(frame []byte) {
	c.mu.Lock()
	if !c.closed {
		c.finishLocked(frame)
	}
	c.mu.Unlock()
	c.Flush()
}
