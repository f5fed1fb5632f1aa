package broker

import "sync"

// Kind says which subscription a message is delivered for.
type Kind uint8

const (
	// KindMessage is a delivery to a SUBSCRIBE subscription ("message").
	KindMessage Kind = iota
	// KindPMessage is a delivery to a PSUBSCRIBE subscription ("pmessage").
	KindPMessage
	// KindSMessage is a delivery to an SSUBSCRIBE subscription ("smessage").
	KindSMessage
)

// Message is one delivery handed to a Subscriber. Channel and Payload alias
// the publisher's buffers and are valid only during Deliver: a subscriber
// that keeps them must copy them.
type Message struct {
	Kind    Kind
	Pattern string // the matching pattern, for KindPMessage
	Channel []byte
	Payload []byte

	valid  uint8 // bit f set: frames[f] holds this message in format f
	frames [maxFormats][]byte
}

// Format identifies one wire encoding of messages (RESP2, RESP3, a
// WebSocket JSON frame, ...). A message is encoded at most once per format,
// however many subscribers receive it: "encode once, deliver many".
type Format uint8

const maxFormats = 8

var formats struct {
	sync.Mutex
	encoders [maxFormats]func(dst []byte, m *Message) []byte
	n        int
}

// RegisterFormat registers an encoder and returns the Format that names it.
// It is meant to be called from package initialisation; at most eight
// formats can be registered.
func RegisterFormat(encode func(dst []byte, m *Message) []byte) Format {
	formats.Lock()
	defer formats.Unlock()
	if formats.n == maxFormats {
		panic("broker: too many message formats")
	}
	formats.encoders[formats.n] = encode
	formats.n++
	return Format(formats.n - 1)
}

// Frame returns m encoded in format f, encoding it on the first call for f.
// The bytes are valid only during Deliver and must not be modified.
func (m *Message) Frame(f Format) []byte {
	if m.valid&(1<<f) != 0 {
		return m.frames[f]
	}
	m.frames[f] = formats.encoders[f](m.frames[f][:0], m)
	m.valid |= 1 << f
	return m.frames[f]
}

// reset prepares m for its next delivery; encoded frames are forgotten but
// their buffers are kept for reuse.
func (m *Message) reset(kind Kind, pattern string, channel, payload []byte) {
	m.Kind = kind
	m.Pattern = pattern
	m.Channel = channel
	m.Payload = payload
	m.valid = 0
}

var messagePool = sync.Pool{New: func() any { return new(Message) }}

// maxPooledFrame bounds the frame buffers a pooled Message keeps, so one huge
// publish does not pin its memory forever.
const maxPooledFrame = 64 << 10

func putMessage(m *Message) {
	m.Channel, m.Payload, m.Pattern = nil, nil, ""
	for i := range m.frames {
		if cap(m.frames[i]) > maxPooledFrame {
			m.frames[i] = nil
		}
	}
	messagePool.Put(m)
}
