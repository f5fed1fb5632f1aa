package gateway

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/gobwas/ws"
	"github.com/heraldhq/herald/broker"
)

// appendJSONString agrees with encoding/json on valid UTF-8 and never
// produces invalid UTF-8.
func TestAppendJSONString(t *testing.T) {
	for _, s := range []string{"", "plain", `q"uote\back`, "nl\ncr\rtab\t", "\x00\x1f\x7f", "héllo ✓ 😀", "\u2028", "<&>"} {
		var back string
		if err := json.Unmarshal(appendJSONString(nil, s), &back); err != nil || back != s {
			t.Errorf("%q: round trip %q, %v", s, back, err)
		}
	}
	if got := string(appendJSONString(nil, "a\xffb\xc3")); got != "\"a\ufffdb\ufffd\"" {
		t.Errorf("invalid UTF-8: %q", got)
	}
}

// Frames of every length class parse back as single text frames.
func TestWebSocketMessageFrame(t *testing.T) {
	for _, n := range []int{0, 60, 125, 126, 1000, 65535, 70000} {
		m := &broker.Message{Kind: broker.KindPMessage, Pattern: "p*", Channel: []byte("pc"), Payload: bytes.Repeat([]byte("z"), n)}
		frame := appendWebSocketMessage([]byte("prefix"), m)
		if !bytes.HasPrefix(frame, []byte("prefix")) {
			t.Fatal("the frame overwrote dst")
		}
		f, err := ws.ReadFrame(bytes.NewReader(frame[len("prefix"):]))
		if err != nil || f.Header.OpCode != ws.OpText || !f.Header.Fin || f.Header.Masked {
			t.Fatalf("payload %d: %+v, %v", n, f.Header, err)
		}
		var msg struct{ Type, Channel, Pattern, Data string }
		if err := json.Unmarshal(f.Payload, &msg); err != nil || msg.Type != "message" || msg.Pattern != "p*" || len(msg.Data) != n {
			t.Fatalf("payload %d: %+v, %v", n, msg, err)
		}
	}
}

func TestSSEMessageFormat(t *testing.T) {
	m := &broker.Message{Kind: broker.KindMessage, Channel: []byte("c\"h"), Payload: []byte("a\nb")}
	if got, want := string(appendSSEMessage(nil, m)), "data: {\"channel\":\"c\\\"h\"}\ndata: a\ndata: b\n\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	m = &broker.Message{Kind: broker.KindPMessage, Pattern: "c*", Channel: []byte("ch"), Payload: []byte{0xff}}
	if got := string(appendSSEMessage(nil, m)); got != "data: {\"channel\":\"ch\",\"pattern\":\"c*\",\"encoding\":\"base64\"}\ndata: /w==\n\n" {
		t.Errorf("binary: %q", got)
	}
	if strings.Count(string(appendSSEMessage(nil, m)), "\n\n") != 1 {
		t.Error("an event must end exactly once")
	}
}
