package gateway

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"unicode/utf8"

	"github.com/gobwas/ws"
	"github.com/heraldhq/herald/broker"
)

// The message encodings of the gateway's transports, registered once with
// the broker: a published message is encoded once per transport however
// many clients receive it.
var (
	formatWebSocket = broker.RegisterFormat(appendWebSocketMessage)
	formatSSE       = broker.RegisterFormat(appendSSEMessage)
)

// appendWebSocketMessage appends m as a whole server-to-client WebSocket
// text frame (header included, unmasked) carrying
// {"type":"message","channel":...,"pattern":...,"data":...}.
func appendWebSocketMessage(dst []byte, m *broker.Message) []byte {
	start := len(dst)
	dst = appendMessageJSON(dst, m)
	return frameInPlace(dst, start)
}

// appendMessageJSON appends the JSON body of a message push.
func appendMessageJSON(dst []byte, m *broker.Message) []byte {
	dst = append(dst, `{"type":"message","channel":`...)
	dst = appendJSONString(dst, m.Channel)
	if m.Kind == broker.KindPMessage {
		dst = append(dst, `,"pattern":`...)
		dst = appendJSONString(dst, m.Pattern)
	}
	if utf8.Valid(m.Payload) {
		dst = append(dst, `,"data":`...)
		dst = appendJSONString(dst, m.Payload)
	} else {
		dst = append(dst, `,"data_b64":"`...)
		dst = base64.StdEncoding.AppendEncode(dst, m.Payload)
		dst = append(dst, '"')
	}
	return append(dst, '}')
}

// frameInPlace turns dst[start:], a text message's payload, into a whole
// unmasked text frame (RFC 6455 section 5.2) by moving it after the header.
func frameInPlace(dst []byte, start int) []byte {
	n := len(dst) - start
	var hdr [10]byte
	hdr[0] = 0x80 | byte(ws.OpText) // FIN, text
	hs := 2
	switch {
	case n < 126:
		hdr[1] = byte(n)
	case n < 1<<16:
		hdr[1] = 126
		binary.BigEndian.PutUint16(hdr[2:], uint16(n))
		hs = 4
	default:
		hdr[1] = 127
		binary.BigEndian.PutUint64(hdr[2:], uint64(n))
		hs = 10
	}
	dst = append(dst, hdr[:hs]...)
	copy(dst[start+hs:], dst[start:start+n])
	copy(dst[start:], hdr[:hs])
	return dst
}

// wsFrame returns a whole unmasked frame of opcode op carrying payload.
func wsFrame(op ws.OpCode, payload []byte) []byte {
	return ws.MustCompileFrame(ws.NewFrame(op, true, payload))
}

// appendSSEMessage appends m as an SSE event, without its "id:" line (each
// stream numbers its own events): a first data line holding a JSON object
// with the channel, the pattern for a pattern subscription and
// "encoding":"base64" for a payload sent in base64, then the payload, one
// data line per line. A payload that is not valid UTF-8 or that holds a
// carriage return (which SSE would read as a line end) is sent in base64.
func appendSSEMessage(dst []byte, m *broker.Message) []byte {
	binary := !utf8.Valid(m.Payload) || bytes.IndexByte(m.Payload, '\r') >= 0
	dst = append(dst, `data: {"channel":`...)
	dst = appendJSONString(dst, m.Channel)
	if m.Kind == broker.KindPMessage {
		dst = append(dst, `,"pattern":`...)
		dst = appendJSONString(dst, m.Pattern)
	}
	if binary {
		dst = append(dst, `,"encoding":"base64"}`+"\ndata: "...)
		dst = base64.StdEncoding.AppendEncode(dst, m.Payload)
		return append(dst, '\n', '\n')
	}
	dst = append(dst, "}\n"...)
	return appendSSEData(dst, m.Payload)
}

// appendSSEData appends payload as data lines, one per line of payload
// (which holds no carriage return), and the blank line ending the event.
func appendSSEData(dst, payload []byte) []byte {
	for {
		line, rest, found := bytes.Cut(payload, []byte{'\n'})
		dst = append(dst, "data: "...)
		dst = append(dst, line...)
		dst = append(dst, '\n')
		if !found {
			break
		}
		payload = rest
	}
	return append(dst, '\n')
}
