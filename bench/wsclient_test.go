package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"log/slog"
	"net"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/heraldhq/herald/bus"
	"github.com/heraldhq/herald/gateway"
	heraldserver "github.com/heraldhq/herald/server"
)

func TestWSAcceptKey(t *testing.T) {
	// The example of RFC 6455, section 1.3.
	if got := wsAccept("dGhlIHNhbXBsZSBub25jZQ=="); got != "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=" {
		t.Errorf("accept = %q", got)
	}
}

func TestWSClientFrameIsMasked(t *testing.T) {
	for _, n := range []int{0, 5, 125, 126, 65535, 65536} {
		payload := makePayload(n)
		b := appendWSFrame(nil, wsText, payload)
		if b[0] != 0x81 || b[1]&0x80 == 0 {
			t.Fatalf("%d bytes: header %x", n, b[:2])
		}
		size, h := int(b[1]&0x7f), 2
		switch size {
		case 126:
			size, h = int(binary.BigEndian.Uint16(b[2:])), 4
		case 127:
			size, h = int(binary.BigEndian.Uint64(b[2:])), 10
		}
		mask, body := b[h:h+4], b[h+4:]
		if size != n || len(body) != n {
			t.Fatalf("%d bytes: length %d, body %d", n, size, len(body))
		}
		for i := range body {
			body[i] ^= mask[i%4]
		}
		if !bytes.Equal(body, payload) {
			t.Fatalf("%d bytes: unmasked payload differs", n)
		}
	}
}

// serverFrame encodes an unmasked server frame.
func serverFrame(first byte, payload []byte) []byte {
	b := []byte{first}
	switch n := len(payload); {
	case n < 126:
		b = append(b, byte(n))
	case n <= 0xFFFF:
		b = append(b, 126)
		b = binary.BigEndian.AppendUint16(b, uint16(n))
	default:
		b = append(b, 127)
		b = binary.BigEndian.AppendUint64(b, uint64(n))
	}
	return append(b, payload...)
}

func TestParseWSFrame(t *testing.T) {
	for _, n := range []int{0, 125, 126, 70000} {
		b := serverFrame(0x81, makePayload(n))
		for cut := range min(len(b), 12) {
			if got, _, _, err := parseWSFrame(b[:cut]); got != 0 || err != nil {
				t.Fatalf("%d bytes cut at %d: %d, %v", n, cut, got, err)
			}
		}
		got, f, _, err := parseWSFrame(b)
		if got != len(b) || err != nil || f.op != wsText || len(f.payload) != n {
			t.Fatalf("%d bytes: %d, op %d, %d-byte payload, %v", n, got, f.op, len(f.payload), err)
		}
	}
	for name, b := range map[string][]byte{
		"masked":     {0x81, 0x80 | 1, 1, 2, 3, 4, 'x'},
		"fragmented": {0x01, 1, 'x'},
		"reserved":   {0xC1, 1, 'x'},
	} {
		if _, _, _, err := parseWSFrame(b); !errors.Is(err, errWSMalformed) {
			t.Errorf("%s frame: %v", name, err)
		}
	}
}

func TestWSConnGrowsAndSkipsControlFrames(t *testing.T) {
	client, srv := net.Pipe()
	defer client.Close()
	big := makePayload(70000)
	go func() {
		defer srv.Close()
		srv.Write([]byte("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
			"Sec-WebSocket-Accept: " + wsAccept("k") + "\r\n\r\n"))
		srv.Write(serverFrame(0x89, []byte("ping")))
		srv.Write(serverFrame(0x81, big))
		srv.Write(serverFrame(0x88, []byte{0x03, 0xF0, 'b', 'y', 'e'}))
	}()
	wc := newWSConn(client, 64)
	if err := wc.readUpgrade("k"); err != nil {
		t.Fatal(err)
	}
	f, err := wc.next()
	if err != nil || !bytes.Equal(f.payload, big) {
		t.Fatalf("big frame: %d bytes, %v", len(f.payload), err)
	}
	if _, err := wc.next(); err == nil || !bytes.Contains([]byte(err.Error()), []byte("1008 bye")) {
		t.Fatalf("close frame: %v", err)
	}
}

// TestWSClientAgainstGateway subscribes with the bench client to a real
// gateway, publishes stamped payloads and checks what the wsfanout
// receivers rely on: the ack, and message frames that begin with
// wsMessagePrefix followed by the stamp.
func TestWSClientAgainstGateway(t *testing.T) {
	srv, err := heraldserver.StartLocal(heraldserver.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	b := bus.NewLocal(srv.Broker())
	gw := gateway.New(gateway.Config{Logger: slog.New(slog.DiscardHandler)}, b)
	hs := httptest.NewServer(gw)
	defer hs.Close()
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		gw.Shutdown(ctx)
	}()

	const subs = 3
	request := wsRequest(1, "subscribe", wsFanoutChannel)
	wcs, err := wsSubscribeAll(hs.Listener.Addr().String(), subs, func(int) []byte { return request }, 256)
	if err != nil {
		t.Fatal(err)
	}
	defer closeAll(wsNetConns(wcs))
	for _, size := range []int{64, 5000} {
		payload := makePayload(size)
		writeStamp(payload, 12345*time.Microsecond)
		n, err := b.Publish(context.Background(), wsFanoutChannel, payload)
		if err != nil || n != subs {
			t.Fatalf("publish: %d receivers, %v", n, err)
		}
		for i, wc := range wcs {
			wc.conn.SetDeadline(time.Now().Add(5 * time.Second))
			f, err := wc.next()
			if err != nil {
				t.Fatalf("subscriber %d: %v", i, err)
			}
			if !bytes.HasPrefix(f.payload, wsMessagePrefix) {
				t.Fatalf("subscriber %d: frame %.80q lacks the prefix %q", i, f.payload, wsMessagePrefix)
			}
			if d, err := parseStamp(f.payload[len(wsMessagePrefix):]); err != nil || d != 12345*time.Microsecond {
				t.Fatalf("subscriber %d: stamp %v, %v", i, d, err)
			}
		}
	}
}

func TestParseFlagsWebSocketCases(t *testing.T) {
	cfg, err := parseFlags(nil)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.cases["wsidle"] || cfg.cases["wsfanout"] {
		t.Errorf("WebSocket cases are in the default set: %v", cfg.cases)
	}
	cfg, err = parseFlags([]string{"-quick", "-cases", "wsidle,wsfanout"})
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.wsSubs) != 1 || cfg.wsSubs[0] != 1000 || len(allCases(cfg)) != 2 {
		t.Errorf("quick: ws subs %v, %d cases", cfg.wsSubs, len(allCases(cfg)))
	}
	cfg, err = parseFlags([]string{"-cases", "wsfanout"})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.maxClients <= 10000 {
		t.Errorf("maxclients %d does not cover 10,000 WebSocket subscribers", cfg.maxClients)
	}
	for _, subs := range []int{1000, 10000, 50000} {
		lc := wsLatencyConfig(cfg, subs)
		if lc.latRate < 1 || lc.duration < 2*time.Second/time.Duration(lc.latRate) {
			t.Errorf("%d subs: rate %d, window %v", subs, lc.latRate, lc.duration)
		}
	}
}
