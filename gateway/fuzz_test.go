package gateway

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/heraldhq/herald/broker"
)

// FuzzJSONString: the output is valid UTF-8 and valid JSON, and decodes to
// the input when the input is valid UTF-8.
func FuzzJSONString(f *testing.F) {
	for _, s := range []string{"", "a\"b\\c", "\x00\n\r\t", "é😀", "\xff\xc3", "\u2028"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := appendJSONString(nil, s)
		if !utf8.Valid(out) {
			t.Fatalf("%q: invalid UTF-8 %q", s, out)
		}
		var back string
		if err := json.Unmarshal(out, &back); err != nil {
			t.Fatalf("%q: invalid JSON %q: %v", s, out, err)
		}
		if utf8.ValidString(s) && back != s {
			t.Fatalf("%q: decodes to %q", s, back)
		}
	})
}

// FuzzSSEMessage: every message is one well-formed event whose data gives
// back the channel and the payload exactly (after base64 when marked).
func FuzzSSEMessage(f *testing.F) {
	f.Add("news", "", "hello")
	f.Add("orders:42", "orders:*", "a\nb\n")
	f.Add("c", "", "x\r\ny")
	f.Add("c", "p", "\xff\x00")
	f.Fuzz(func(t *testing.T, channel, pattern, payload string) {
		m := &broker.Message{Kind: broker.KindMessage, Channel: []byte(channel), Payload: []byte(payload)}
		if pattern != "" {
			m.Kind, m.Pattern = broker.KindPMessage, pattern
		}
		ev := string(appendSSEMessage(nil, m))
		if !strings.HasSuffix(ev, "\n\n") || strings.Count(ev, "\n\n") != 1 || strings.Contains(ev, "\r") {
			t.Fatalf("malformed event %q", ev)
		}
		var data []string
		for _, line := range strings.Split(strings.TrimSuffix(ev, "\n\n"), "\n") {
			v, ok := strings.CutPrefix(line, "data: ")
			if !ok {
				t.Fatalf("line %q in %q", line, ev)
			}
			data = append(data, v)
		}
		var head struct{ Channel, Pattern, Encoding string }
		if err := json.Unmarshal([]byte(data[0]), &head); err != nil {
			t.Fatalf("header %q: %v", data[0], err)
		}
		got := []byte(strings.Join(data[1:], "\n"))
		if head.Encoding == "base64" {
			var err error
			if got, err = base64Decode(string(got)); err != nil {
				t.Fatal(err)
			}
		}
		if !bytes.Equal(got, m.Payload) || (utf8.ValidString(pattern) && head.Pattern != pattern) {
			t.Fatalf("%q decodes to %+v %q", ev, head, got)
		}
		if utf8.ValidString(channel) && head.Channel != channel {
			t.Fatalf("channel %q came back as %q", channel, head.Channel)
		}
	})
}

// FuzzRequest: any message from a client gets exactly one reply, a valid
// JSON object of type ack or error, and never a panic.
func FuzzRequest(f *testing.F) {
	for _, s := range []string{`{"id":1,"type":"ping"}`, `{"type":"subscribe","channels":["a"]}`,
		`{"id":"x","type":"publish","channel":"a","data_b64":"AA=="}`, `[]`, `{"id":{"a":1},"type":5}`, `nul`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, req []byte) {
		e := newPipeClient(t)
		e.handleRequest(req)
		out := e.takeOutput()
		if len(out) < 2 || out[0] != 0x81 {
			t.Fatalf("no text frame for %q: %q", req, out)
		}
		body := out[2:]
		switch out[1] {
		case 126:
			body = out[4:]
		case 127:
			body = out[10:]
		}
		var rep reply
		if err := json.Unmarshal(body, &rep); err != nil || (rep.Type != "ack" && rep.Type != "error") {
			t.Fatalf("reply %q to %q: %v", body, req, err)
		}
	})
}
