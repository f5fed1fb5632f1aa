package server

import (
	"github.com/heraldhq/herald/broker"
	"github.com/heraldhq/herald/internal/resp"
)

// The message frames of each protocol, registered once with the broker so
// that a published message is encoded once per protocol, not once per
// subscriber.
var (
	formatRESP2 = broker.RegisterFormat(func(dst []byte, m *broker.Message) []byte {
		return appendMessageFrame(dst, m, resp.RESP2)
	})
	formatRESP3 = broker.RegisterFormat(func(dst []byte, m *broker.Message) []byte {
		return appendMessageFrame(dst, m, resp.RESP3)
	})
)

func formatFor(proto int) broker.Format {
	if proto == resp.RESP3 {
		return formatRESP3
	}
	return formatRESP2
}

// appendMessageFrame encodes m as Redis sends it: ["message", channel,
// payload], ["pmessage", pattern, channel, payload] or ["smessage", channel,
// payload], as a push in RESP3.
func appendMessageFrame(dst []byte, m *broker.Message, proto int) []byte {
	switch m.Kind {
	case broker.KindPMessage:
		dst = resp.AppendPushLen(dst, 4, proto)
		dst = append(dst, "$8\r\npmessage\r\n"...)
		dst = resp.AppendBulkString(dst, m.Pattern)
	case broker.KindSMessage:
		dst = resp.AppendPushLen(dst, 3, proto)
		dst = append(dst, "$8\r\nsmessage\r\n"...)
	default:
		dst = resp.AppendPushLen(dst, 3, proto)
		dst = append(dst, "$7\r\nmessage\r\n"...)
	}
	dst = resp.AppendBulk(dst, m.Channel)
	return resp.AppendBulk(dst, m.Payload)
}
