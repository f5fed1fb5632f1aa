package gateway

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/gobwas/ws"
	"github.com/heraldhq/herald/bus"
	"github.com/heraldhq/herald/server"
)

// FuzzWebSocket drives a live gateway over a real WebSocket connection
// with a session built from the fuzz input: JSON requests of every type
// with fields of random values and types (empty, huge, unicode, negative,
// objects for ids), raw bytes as requests (invalid JSON, invalid UTF-8),
// requests in one frame, binary, or fragmented with a ping between the
// fragments, pings and pongs, and broken frames (unmasked, reserved bits
// or opcodes, oversized or fragmented control frames, a continuation with
// nothing to continue, a message over the size limit, a close).
//
// After each step a ping request goes out as a sentinel; the checks are:
// every request gets exactly one reply before it, an ack or an error with
// a documented code, echoing the request's id; pushes are well-formed
// messages; a ping frame gets its pong; a broken frame closes the
// connection with the close code PROTOCOL.md gives for it (1002, 1007,
// 1009; the client's own code after a close). After the session a second
// client is served, and the first leaves no subscription or presence
// behind. A panic kills the fuzz process and fails the run.
func FuzzWebSocket(f *testing.F) {
	for _, s := range [][]byte{
		wsSeed(wsStepRequest, 0, 0, 1, 2, 3),
		wsSeed(wsStepRequest, 4, 1, 0, wsStepRequest, 0, 4, 4, wsStepPing, 3),
		wsSeed(wsStepRaw, 5, '{', '"', 'i', 'd', '"', wsStepRequest, 6, 6, 6),
		wsSeed(wsStepFragmented, 0, 0, 7, wsStepBroken, 0),
		wsSeed(wsStepRequest, 6, 2, 3, wsStepBroken, 3),
		wsSeed(wsStepRaw, 4, 0xff, 0xfe, '{', '}'),
	} {
		f.Add(s)
	}
	rng := rand.New(rand.NewPCG(6, 7))
	for range 8 {
		b := make([]byte, 32+rng.IntN(96))
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
		f.Add(b)
	}
	e := startFuzzGateway(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		e.run(t, data)
	})
}

// wsSeed is a seed input: its bytes as given.
func wsSeed(b ...byte) []byte { return b }

// The steps of a session; the byte that starts one is taken modulo
// wsSteps.
const (
	wsStepRequest    = iota // a generated JSON request in one text frame
	wsStepBinary            // the same in a binary frame
	wsStepFragmented        // the same in fragments, a ping between them
	wsStepRaw               // raw bytes as a request, in a text frame
	wsStepPing              // a ping frame
	wsStepBroken            // a broken frame: the connection must close
	wsSteps
)

// fuzzMaxMessage is the gateway's MaxMessageBytes in this test, small so
// that a message over it is cheap to send.
const fuzzMaxMessage = 4096

type fuzzGateway struct {
	srv  *server.Server
	gw   *Gateway
	http *httptest.Server
	url  string
}

func startFuzzGateway(f *testing.F) *fuzzGateway {
	srv, err := server.StartLocal(server.Config{})
	if err != nil {
		f.Fatal(err)
	}
	gw := New(Config{Logger: slog.New(slog.DiscardHandler), MaxMessageBytes: fuzzMaxMessage}, bus.NewLocal(srv.Broker()))
	hs := httptest.NewServer(gw)
	f.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
		defer cancel()
		gw.Shutdown(ctx)
		hs.Close()
		srv.Close()
	})
	return &fuzzGateway{srv: srv, gw: gw, http: hs, url: "ws" + strings.TrimPrefix(hs.URL, "http") + "/ws"}
}

func (e *fuzzGateway) run(t *testing.T, data []byte) {
	s := e.dial(t)
	defer s.nc.Close()
	s.in = fuzzBytes{b: data}
	s.run()
	s.nc.Close()
	joined := s.joined

	// A second client is served, and the first one's subscriptions and
	// presence go once it has gone.
	c := e.dial(t)
	defer c.nc.Close()
	c.sentinel()
	deadline := time.Now().Add(waitTimeout)
	for {
		channels := e.get(t, "/channels")
		presence := ""
		for _, ch := range joined {
			presence += e.get(t, "/presence/"+url.PathEscape(ch))
		}
		if channels == `{"channels":[]}` && !strings.Contains(presence, `"members":["`) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after the session: %s %s\n%s", channels, presence, strings.Join(s.log, "\n"))
		}
		time.Sleep(time.Millisecond)
	}
}

// get fetches path from the gateway and returns the body, trimmed.
func (e *fuzzGateway) get(t *testing.T, path string) string {
	resp, err := http.Get(e.http.URL + path)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return strings.TrimSpace(string(body))
}

func (e *fuzzGateway) dial(t *testing.T) *wsSession {
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	nc, br, _, err := ws.Dial(ctx, e.url)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	s := &wsSession{t: t, nc: nc, r: bufio.NewReader(nc)}
	if br != nil {
		s.r = br
	}
	return s
}

// fuzzBytes hands out the fuzz input; past its end it gives zeros.
type fuzzBytes struct{ b []byte }

func (in *fuzzBytes) byte() byte {
	if len(in.b) == 0 {
		return 0
	}
	c := in.b[0]
	in.b = in.b[1:]
	return c
}

func (in *fuzzBytes) intn(n int) int { return int(in.byte()) % n }

func (in *fuzzBytes) take(n int) []byte {
	n = min(n, len(in.b))
	p := in.b[:n]
	in.b = in.b[n:]
	return p
}

// wsSession is one client's session.
type wsSession struct {
	t      *testing.T
	nc     net.Conn
	r      *bufio.Reader
	in     fuzzBytes
	seq    int
	log    []string
	joined []string // channels joined, for the presence check
}

// Value pools for the generated requests.
var (
	wsTypes = []any{"subscribe", "unsubscribe", "psubscribe", "punsubscribe", "publish", "ping", "join", "leave",
		"", "PING", "bogus", 5, nil, []string{"ping"}}
	wsIDs = []any{nil, 1, -1, 0, "x", "", map[string]any{"a": []int{1}}, []int{1, 2}, 1e308,
		json.Number("123456789012345678901234567890"), true, strings.Repeat("i", 200), json.Number("-0.0e-7")}
	wsNames = []string{"a", "b", "news", "a", "é", "日本", "a/b", "__presence__:a", "*", "", "\x00", "\xed\xa0\x80",
		"orders:42", "emoji😀", strings.Repeat("x", 300)}
	wsPatterns = []string{"*", "a*", "[a-z]", "news", "", "\\", "[", "*:*", "__presence__:*", strings.Repeat("*a", 40)}
	wsData     = []any{"hello", "", "é\x00", "a\nb", strings.Repeat("d", 1000), 5, nil, map[string]any{}}
	wsB64      = []any{"aGVsbG8=", "", "!!", "AA==", "AA", base64.StdEncoding.EncodeToString([]byte{0xff, 0xfe}), 1}
)

// request builds a JSON request from the input.
func (s *wsSession) request() []byte {
	in := &s.in
	m := map[string]any{}
	m["type"] = wsTypes[in.intn(len(wsTypes))]
	if in.intn(4) != 0 {
		m["id"] = wsIDs[in.intn(len(wsIDs))]
	}
	fields := in.byte()
	if fields&1 != 0 {
		m["channel"] = wsNames[in.intn(len(wsNames))]
	}
	if fields&2 != 0 {
		m["channels"] = s.list(wsNames)
	}
	if fields&4 != 0 {
		m["pattern"] = wsPatterns[in.intn(len(wsPatterns))]
	}
	if fields&8 != 0 {
		m["patterns"] = s.list(wsPatterns)
	}
	if fields&16 != 0 {
		m["data"] = wsData[in.intn(len(wsData))]
	}
	if fields&32 != 0 {
		m["data_b64"] = wsB64[in.intn(len(wsB64))]
	}
	if fields&64 != 0 {
		m["name"] = wsNames[in.intn(len(wsNames))]
	}
	if fields&128 != 0 {
		m["extra"] = []any{1, "two", nil}
	}
	p, err := json.Marshal(m)
	if err != nil {
		s.t.Fatal(err)
	}
	return p
}

// list is a list of names from pool, or now and then a value of the
// wrong type.
func (s *wsSession) list(pool []string) any {
	n := s.in.intn(5)
	if n == 4 {
		return pool[s.in.intn(len(pool))] // a string where a list goes
	}
	out := []string{}
	for range n {
		out = append(out, pool[s.in.intn(len(pool))])
	}
	return out
}

// frame writes one client frame, masked unless told not to.
func (s *wsSession) frame(fin bool, op ws.OpCode, p []byte, masked bool, rsv byte) {
	h := ws.Header{Fin: fin, OpCode: op, Length: int64(len(p)), Masked: masked, Rsv: rsv}
	payload := bytes.Clone(p)
	if masked {
		h.Mask = [4]byte{1, 2, 3, 4}
		ws.Cipher(payload, h.Mask, 0)
	}
	var b bytes.Buffer
	ws.WriteHeader(&b, h)
	b.Write(payload)
	s.write(b.Bytes())
}

func (s *wsSession) write(p []byte) {
	s.nc.SetWriteDeadline(time.Now().Add(waitTimeout))
	s.nc.Write(p) // a server that has closed is found by the read that follows
}

// run plays the session until the input ends or the server closes.
func (s *wsSession) run() {
	for n := 0; len(s.in.b) > 0 && n < 16; n++ {
		step := s.in.intn(wsSteps)
		switch step {
		case wsStepRequest, wsStepBinary, wsStepFragmented:
			p := s.request()
			s.log = append(s.log, fmt.Sprintf("step %d: %s", step, p))
			switch step {
			case wsStepRequest:
				s.frame(true, ws.OpText, p, true, 0)
			case wsStepBinary:
				s.frame(true, ws.OpBinary, p, true, 0)
			default:
				cut := s.in.intn(len(p) + 1)
				s.frame(false, ws.OpText, p[:cut], true, 0)
				s.frame(true, ws.OpPing, []byte("mid"), true, 0)
				s.frame(true, ws.OpContinuation, p[cut:], true, 0)
			}
			if !s.expect(1, p, step == wsStepFragmented) {
				return
			}
		case wsStepRaw:
			p := s.in.take(s.in.intn(64))
			s.log = append(s.log, fmt.Sprintf("raw: %q", p))
			s.frame(true, ws.OpText, p, true, 0)
			if !utf8.Valid(p) {
				s.expectClose(ws.StatusInvalidFramePayloadData, false)
				return
			}
			if !s.expect(1, p, false) {
				return
			}
		case wsStepPing:
			s.log = append(s.log, "ping")
			s.frame(true, ws.OpPing, s.in.take(s.in.intn(126)), true, 0)
			if !s.expect(0, nil, true) {
				return
			}
		case wsStepBroken:
			s.broken()
			return
		}
	}
}

// broken sends a frame that breaks the protocol and checks the close.
func (s *wsSession) broken() {
	kind := s.in.intn(8)
	s.log = append(s.log, fmt.Sprintf("broken %d", kind))
	want := ws.StatusProtocolError
	switch kind {
	case 0: // unmasked
		s.frame(true, ws.OpText, []byte(`{"type":"ping"}`), false, 0)
	case 1: // a reserved bit
		s.frame(true, ws.OpText, []byte(`{"type":"ping"}`), true, 4)
	case 2: // a reserved opcode
		s.frame(true, ws.OpCode(3+s.in.intn(5)), []byte(`{}`), true, 0)
	case 3: // a control frame over 125 bytes
		s.frame(true, ws.OpPing, bytes.Repeat([]byte("p"), 126), true, 0)
	case 4: // a fragmented control frame
		s.frame(false, ws.OpPing, nil, true, 0)
	case 5: // a continuation with nothing to continue
		s.frame(true, ws.OpContinuation, []byte(`{}`), true, 0)
	case 6: // a message over the limit, by its header alone
		want = ws.StatusMessageTooBig
		var hdr [14]byte
		hdr[0], hdr[1] = 0x81, 0x80|127
		binary.BigEndian.PutUint64(hdr[2:], uint64(fuzzMaxMessage)+1+uint64(s.in.byte())<<40)
		s.write(hdr[:])
	case 7: // the client closes, with a code the server echoes
		want = ws.StatusCode(1000 + s.in.intn(4000))
		s.frame(true, ws.OpClose, ws.NewCloseFrameBody(want, "bye"), true, 0)
		if !want.IsApplicationSpec() && !want.IsPrivateSpec() && !slices.Contains(
			[]ws.StatusCode{1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011}, want) {
			want = ws.StatusProtocolError // a code no endpoint may send
		}
	}
	s.expectClose(want, kind == 7)
}

// sentinel sends the ping request that ends a step.
func (s *wsSession) sentinel() string {
	s.seq++
	id := fmt.Sprintf("sentinel-%d", s.seq)
	p, _ := json.Marshal(map[string]any{"type": "ping", "id": id})
	s.frame(true, ws.OpText, p, true, 0)
	return `"` + id + `"`
}

// serverFrame reads one frame from the server: its opcode and payload.
func (s *wsSession) serverFrame() (ws.OpCode, []byte, error) {
	s.nc.SetReadDeadline(time.Now().Add(waitTimeout))
	h, err := ws.ReadHeader(s.r)
	if err != nil {
		return 0, nil, err
	}
	if h.Masked || h.Length > 1<<20 {
		s.fail("server frame header %+v", h)
	}
	p := make([]byte, h.Length)
	if _, err := io.ReadFull(s.r, p); err != nil {
		return 0, nil, err
	}
	return h.OpCode, p, nil
}

// expect sends the sentinel and reads up to its ack: replies replies to
// req (nil: no request) and, if pong, a pong. It reports whether the
// session can go on.
func (s *wsSession) expect(replies int, req []byte, pong bool) bool {
	id := s.sentinel()
	var got [][]byte
	pongs := 0
	for {
		op, p, err := s.serverFrame()
		if err != nil {
			s.fail("read after %d replies: %v", len(got), err)
		}
		switch op {
		case ws.OpPong:
			pongs++
			continue
		case ws.OpPing:
			continue // a heartbeat
		case ws.OpText:
		default:
			s.fail("server frame of opcode %v: %q", op, p)
		}
		var m map[string]json.RawMessage
		if err := json.Unmarshal(p, &m); err != nil {
			s.fail("server sent %q: %v", p, err)
		}
		switch string(m["type"]) {
		case `"message"`:
			s.checkMessage(p)
			continue
		case `"ack"`, `"error"`:
		default:
			s.fail("server sent %q", p)
		}
		if string(m["id"]) == id {
			break
		}
		got = append(got, p)
	}
	if len(got) != replies {
		s.fail("%d replies, want %d: %q", len(got), replies, got)
	}
	if pong && pongs == 0 {
		s.fail("no pong")
	}
	if replies == 1 {
		s.checkReply(req, got[0])
	}
	return true
}

// checkReply checks a reply against its request: a documented error code,
// the request's id echoed.
func (s *wsSession) checkReply(req, p []byte) {
	var rep struct {
		ID   json.RawMessage `json:"id"`
		Type string          `json:"type"`
		Code string          `json:"code"`
		As   string          `json:"as"`
	}
	if err := json.Unmarshal(p, &rep); err != nil {
		s.fail("reply %q: %v", p, err)
	}
	if rep.Type == "error" && !slices.Contains([]string{codeBadJSON, codeBadRequest, codeUnknownType, codeForbidden, codeUnavailable}, rep.Code) {
		s.fail("reply %q: undocumented code", p)
	}
	if rep.Code == codeBadJSON {
		return
	}
	var r struct {
		ID      json.RawMessage `json:"id"`
		Type    string          `json:"type"`
		Channel string          `json:"channel"`
	}
	if err := json.Unmarshal(req, &r); err != nil {
		s.fail("request %q was not valid JSON, but the reply %q is not bad_json", req, p)
	}
	var want, got bytes.Buffer
	json.Compact(&want, r.ID)
	json.Compact(&got, rep.ID)
	if !bytes.Equal(want.Bytes(), got.Bytes()) && !(want.Len() == 0 && got.String() == "null") {
		s.fail("reply %q to %q: id %s, want %s", p, req, got.Bytes(), want.Bytes())
	}
	if r.Type == "join" && rep.Type == "ack" {
		s.joined = append(s.joined, r.Channel)
	}
}

// checkMessage checks a pushed message's shape.
func (s *wsSession) checkMessage(p []byte) {
	var m struct {
		Channel *string `json:"channel"`
		Data    *string `json:"data"`
		DataB64 *string `json:"data_b64"`
	}
	if err := json.Unmarshal(p, &m); err != nil || m.Channel == nil || (m.Data == nil) == (m.DataB64 == nil) {
		s.fail("message %q", p)
	}
	if m.DataB64 != nil {
		if _, err := base64.StdEncoding.DecodeString(*m.DataB64); err != nil {
			s.fail("message %q: %v", p, err)
		}
	}
}

// expectClose reads until the server's close frame and checks its code (0:
// any code) and that the connection then ends.
func (s *wsSession) expectClose(want ws.StatusCode, echo bool) {
	for {
		op, p, err := s.serverFrame()
		if err != nil {
			s.fail("no close frame (want %d): %v", want, err)
		}
		if op != ws.OpClose {
			continue // replies, messages and pongs of earlier frames
		}
		code, _ := ws.ParseCloseFrameData(p)
		if code == 1005 || code == 1006 || code == 1015 {
			s.fail("close code %d, which RFC 6455 (7.4.1) keeps out of close frames", code)
		}
		if want != 0 && code != want && !(echo && code == ws.StatusNormalClosure) {
			s.fail("close code %d %q, want %d", code, p, want)
		}
		break
	}
	s.nc.SetReadDeadline(time.Now().Add(waitTimeout))
	if _, err := io.Copy(io.Discard, s.r); err != nil {
		s.fail("connection not closed after the close frame: %v", err)
	}
}

func (s *wsSession) fail(format string, args ...any) {
	s.t.Helper()
	s.t.Fatalf("%s\nsession:\n%s", fmt.Sprintf(format, args...), strings.Join(s.log, "\n"))
}

// TestWebSocketCloseInvalidCode: a client's close with a code no endpoint
// may send (1005, 1006, 1015: RFC 6455 7.4.1) or an unassigned one is
// answered with 1002, not echoed (FuzzWebSocket found 1006 echoed); a
// valid code is echoed.
func TestWebSocketCloseInvalidCode(t *testing.T) {
	e := start(t, Config{})
	for _, tc := range []struct{ sent, want ws.StatusCode }{
		{1006, ws.StatusProtocolError},
		{1005, ws.StatusProtocolError},
		{1015, ws.StatusProtocolError},
		{1004, ws.StatusProtocolError},
		{2999, ws.StatusProtocolError},
		{5000, ws.StatusProtocolError},
		{1000, 1000},
		{3000, 3000},
		{4999, 4999},
	} {
		c := e.dialWS(t)
		c.sendRaw(ws.OpClose, ws.NewCloseFrameBody(tc.sent, "bye"))
		if code, reason := c.closed(); code != tc.want {
			t.Errorf("close %d: answered %d %q, want %d", tc.sent, code, reason, tc.want)
		}
	}
}
