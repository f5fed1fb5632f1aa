package resp

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"testing"
	"time"
)

// TestReadValueAgainstRedis reads every RESP3 type from redis-server (DEBUG
// PROTOCOL sends one of each) and requires Bytes to give back exactly the
// bytes Redis sent.
func TestReadValueAgainstRedis(t *testing.T) {
	addr := startRedis(t)
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(30 * time.Second))
	var raw bytes.Buffer
	r := bufio.NewReader(io.TeeReader(conn, &raw))
	var reencoded []byte
	do := func(args ...string) Value {
		t.Helper()
		if _, err := conn.Write([]byte(multibulk(args...))); err != nil {
			t.Fatal(err)
		}
		v, err := ReadValue(r)
		if err != nil {
			t.Fatalf("%q: %v", args, err)
		}
		reencoded = v.AppendTo(reencoded)
		return v
	}
	if v := do("HELLO", "3", "AUTH", "default", redisPassword); v.Kind != '%' {
		t.Fatalf("HELLO 3 = %s", v)
	}
	for _, tc := range []struct{ name, want string }{
		{"string", `"Hello World"`},
		{"integer", "12345"},
		{"double", "(double) 3.141"},
		{"bignum", "(bignum) 1234567999999999999999999999999999999"},
		{"null", "(null)"},
		{"array", "[0,1,2]"},
		{"set", "set~[0,1,2]"},
		{"map", "{0:false,1:true,2:false}"},
		{"attrib", `|{"key-popularity":["key:123",90]} "Some real reply following the attribute"`},
		{"push", `push>["server-cpu-usage",42]`},
		{"verbatim", `(verbatim) "txt:This is a verbatim\nstring"`},
		{"true", "true"},
		{"false", "false"},
	} {
		v := do("DEBUG", "PROTOCOL", tc.name)
		if tc.name == "push" { // the push comes first, then the reply
			if got := v.String(); got != tc.want {
				t.Errorf("DEBUG PROTOCOL push: %s, want %s", got, tc.want)
			}
			reply, err := ReadValue(r)
			if err != nil {
				t.Fatal(err)
			}
			reencoded = reply.AppendTo(reencoded)
			continue
		}
		if got := v.String(); got != tc.want {
			t.Errorf("DEBUG PROTOCOL %s: %s, want %s", tc.name, got, tc.want)
		}
	}
	do("SUBSCRIBE", "news")
	if got := do("PING").String(); got != `["pong",""]` && got != "+PONG" {
		t.Errorf("PING while subscribed in RESP3: %s", got)
	}
	read := raw.Bytes()[:raw.Len()-r.Buffered()]
	if !bytes.Equal(reencoded, read) {
		t.Errorf("re-encoded replies differ from what redis-server sent:\n got %q\nwant %q", reencoded, read)
	}
}
