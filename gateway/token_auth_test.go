package gateway

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gobwas/ws"
	"github.com/golang-jwt/jwt/v5"
	"github.com/heraldhq/herald/internal/token"
)

var testSecret = []byte("0123456789abcdef0123456789abcdef")

// startTokens starts a gateway that requires HS256 tokens signed with
// testSecret, with no leeway, so that a token closes its connections at
// its exp.
func startTokens(t *testing.T) *env {
	t.Helper()
	v, err := token.NewHS256Verifier(testSecret, token.Options{Leeway: -1})
	if err != nil {
		t.Fatal(err)
	}
	return start(t, Config{Authenticator: NewTokenAuth(v)})
}

// sign returns a token for alice with the given globs.
func sign(t *testing.T, subscribe, publish []string, ttl time.Duration) string {
	t.Helper()
	tok, err := token.Sign(testSecret, "alice", subscribe, publish, ttl)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// expiredToken returns a token for alice that expired a minute ago.
func expiredToken(t *testing.T) string {
	t.Helper()
	tok, err := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{
		"sub": "alice", "exp": time.Now().Add(-time.Minute).Unix(), "subscribe": []string{"*"},
	}).SignedString(testSecret)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// The places a request may carry its token.
var tokenSources = []string{"header", "query", "cookie"}

// withToken returns the path with the token in the query (for "query"), and
// the header that carries it (for "header" and "cookie").
func withToken(path, source, tok string) (string, http.Header) {
	h := http.Header{}
	switch source {
	case "header":
		h.Set("Authorization", "Bearer "+tok)
	case "query":
		sep := "?"
		if strings.Contains(path, "?") {
			sep = "&"
		}
		path += sep + TokenQueryParam + "=" + url.QueryEscape(tok)
	case "cookie":
		h.Set("Cookie", TokenCookie+"="+tok)
	}
	return path, h
}

// dialWSToken opens a WebSocket carrying tok in source.
func (e *env) dialWSToken(t *testing.T, source, tok string) *wsClient {
	t.Helper()
	c, err := e.tryWSToken(t, source, tok, nil)
	if err != nil {
		t.Fatalf("dial /ws with a token in the %s: %v", source, err)
	}
	return c
}

// tryWSToken tries to open a WebSocket carrying tok in source, with extra
// header fields.
func (e *env) tryWSToken(t *testing.T, source, tok string, extra http.Header) (*wsClient, error) {
	t.Helper()
	path, h := withToken("/ws", source, tok)
	for k, v := range extra {
		h[k] = v
	}
	d := ws.Dialer{Header: ws.HandshakeHeaderHTTP(h)}
	nc, br, _, err := d.Dial(ctx(t), "ws"+strings.TrimPrefix(e.http.URL, "http")+path)
	if err != nil {
		return nil, err
	}
	t.Cleanup(func() { nc.Close() })
	c := &wsClient{t: t, nc: nc, rw: readWriter{nc, nc}}
	if br != nil {
		c.rw = readWriter{br, nc}
	}
	return c, nil
}

// dialSSEToken opens /sse?query carrying tok in source and returns the
// client and the status line.
func (e *env) dialSSEToken(t *testing.T, query, source, tok string, extra ...string) (*sseClient, string) {
	t.Helper()
	path, h := withToken("/sse?"+query, source, tok)
	lines := extra
	for k, v := range h {
		lines = append(lines, k+": "+v[0])
	}
	return e.dialSSEStatus(t, strings.TrimPrefix(path, "/sse?"), lines...)
}

// httpToken sends method path with tok in source and returns the status
// and the decoded JSON body.
func (e *env) httpToken(t *testing.T, method, path, source, tok string, body string) (*http.Response, map[string]any) {
	t.Helper()
	path, h := withToken(path, source, tok)
	r, err := http.NewRequestWithContext(ctx(t), method, e.http.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range h {
		r.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("%s %s: body %q is not JSON: %v", method, path, raw, err)
	}
	return resp, m
}

// A token's grant decides every subscribe, psubscribe and publish, on
// WebSocket, SSE and HTTP publish, wherever the token travels.
func TestTokenGrant(t *testing.T) {
	e := startTokens(t)
	tok := sign(t, []string{"orders:*", "chat:room1"}, []string{"chat:*"}, time.Hour)
	for _, source := range tokenSources {
		t.Run(source, func(t *testing.T) {
			w := e.dialWSToken(t, source, tok)
			for _, req := range []map[string]any{
				{"id": 1, "type": "subscribe", "channel": "chat:room1"},
				{"id": 2, "type": "subscribe", "channel": "orders:42"},
				{"id": 3, "type": "psubscribe", "pattern": "orders:*"},
				{"id": 4, "type": "publish", "channel": "chat:room9", "data": "hi"},
			} {
				w.ack(req)
			}
			for _, req := range []map[string]any{
				{"id": 5, "type": "subscribe", "channel": "chat:room2"},
				{"id": 6, "type": "subscribe", "channels": []string{"orders:1", "secret"}},
				{"id": 7, "type": "psubscribe", "pattern": "orders:1*"}, // narrower, still refused
				{"id": 8, "type": "psubscribe", "pattern": "*"},
				{"id": 9, "type": "publish", "channel": "orders:1", "data": "x"},
			} {
				if m := w.do(req); m["type"] != "error" || m["code"] != codeForbidden {
					t.Errorf("%v: got %v, want forbidden", req, m)
				}
			}

			if _, status := e.dialSSEToken(t, "channel=chat:room1&pattern=orders:*", source, tok); !strings.Contains(status, " 200 ") {
				t.Errorf("SSE allowed: %s", status)
			}
			for _, q := range []string{"channel=chat:room2", "channel=chat:room1&channel=secret", "pattern=orders:1*", "pattern=chat:*"} {
				if _, status := e.dialSSEToken(t, q, source, tok); !strings.Contains(status, " 403 ") {
					t.Errorf("SSE %s: %s, want 403", q, status)
				}
			}

			if resp, m := e.httpToken(t, "POST", "/publish/chat:room3", source, tok, "hi"); resp.StatusCode != 200 {
				t.Errorf("POST /publish/chat:room3: %s %v", resp.Status, m)
			}
			if resp, m := e.httpToken(t, "POST", "/publish/orders:1", source, tok, "x"); resp.StatusCode != 403 || m["code"] != codeForbidden {
				t.Errorf("POST /publish/orders:1: %s %v, want 403 forbidden", resp.Status, m)
			}
		})
	}
}

// A request without a valid token gets 401 with a JSON error naming why,
// on every endpoint but /healthz.
func TestTokenRefused(t *testing.T) {
	e := startTokens(t)
	good := sign(t, []string{"*"}, []string{"*"}, time.Hour)
	badSig := good[:len(good)-4] + "AAAA"
	for _, tc := range []struct {
		name, tok, code, text string
	}{
		{"none", "", codeNoToken, token.ErrNoToken.Error()},
		{"expired", expiredToken(t), codeTokenExpired, token.ErrExpired.Error()},
		{"bad signature", badSig, codeInvalidToken, token.ErrBadSignature.Error()},
		{"garbage", "not.a.token", codeInvalidToken, token.ErrMalformed.Error()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, req := range []struct{ method, path string }{
				{"POST", "/publish/news"},
				{"GET", "/channels"},
				{"GET", "/numsub?channel=a"},
				{"GET", "/sse?channel=a"},
				{"GET", "/ws"},
			} {
				resp, m := e.httpToken(t, req.method, req.path, "header", tc.tok, "x")
				if resp.StatusCode != http.StatusUnauthorized || m["code"] != tc.code || m["error"] != tc.text {
					t.Errorf("%s %s: %s %v, want 401 %s %q", req.method, req.path, resp.Status, m, tc.code, tc.text)
				}
				if !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Bearer ") {
					t.Errorf("%s %s: WWW-Authenticate %q", req.method, req.path, resp.Header.Get("WWW-Authenticate"))
				}
			}
			_, err := e.tryWSToken(t, "query", tc.tok, nil)
			if se := ws.StatusError(0); !errors.As(err, &se) || se != http.StatusUnauthorized {
				t.Errorf("WebSocket upgrade: %v, want status 401", err)
			}
		})
	}
	resp, _ := e.httpToken(t, "GET", "/healthz", "header", "", "")
	if resp.StatusCode != 200 {
		t.Errorf("/healthz without a token: %s", resp.Status)
	}
}

// TokenAuth returns a plain nil Authorizer on refusal, not a nil *Grant in
// an interface, and ignores where the client is.
func TestTokenAuthenticate(t *testing.T) {
	v, err := token.NewHS256Verifier(testSecret, token.Options{})
	if err != nil {
		t.Fatal(err)
	}
	a := NewTokenAuth(v)
	r := httptest.NewRequest("GET", "/ws", nil)
	auth, err := a.Authenticate(r)
	if auth != nil || err == nil {
		t.Fatalf("no token: %#v, %v; want a nil Authorizer and an error", auth, err)
	}
	var ue *UnauthorizedError
	if !errors.As(err, &ue) || !errors.Is(err, token.ErrNoToken) {
		t.Fatalf("no token: %v is not an *UnauthorizedError wrapping ErrNoToken", err)
	}
	r.RemoteAddr = "203.0.113.5:5000" // remote: the loopback rule no longer applies
	r.Header.Set("Authorization", "bearer "+sign(t, []string{"a"}, nil, time.Minute))
	auth, err = a.Authenticate(r)
	if err != nil || !auth.CanSubscribe("a") || auth.CanSubscribe("b") || auth.CanPublish("a") {
		t.Fatalf("remote client with a token: %#v, %v", auth, err)
	}
}

// A token for orders:1 receives nothing of orders:2, whose name it cannot
// list either.
func TestTokenNoLeak(t *testing.T) {
	e := startTokens(t)
	tok := sign(t, []string{"orders:1"}, nil, time.Hour)
	rdb := e.redis(t)
	other := rdb.Subscribe(ctx(t), "orders:2")
	defer other.Close()
	if _, err := other.Receive(ctx(t)); err != nil {
		t.Fatal(err)
	}

	w := e.dialWSToken(t, "query", tok)
	w.ack(map[string]any{"id": 1, "type": "subscribe", "channel": "orders:1"})
	if m := w.do(map[string]any{"id": 2, "type": "psubscribe", "pattern": "orders:*"}); m["code"] != codeForbidden {
		t.Fatalf("psubscribe orders:*: %v", m)
	}
	s, status := e.dialSSEToken(t, "channel=orders:1", "query", tok)
	if !strings.Contains(status, " 200 ") {
		t.Fatalf("SSE: %s", status)
	}
	s.event("ready")

	for _, ch := range []string{"orders:2", "orders:12", "orders:1"} {
		if err := rdb.Publish(ctx(t), ch, "to "+ch).Err(); err != nil {
			t.Fatal(err)
		}
	}
	if m := w.message(); m["channel"] != "orders:1" || m["data"] != "to orders:1" {
		t.Errorf("WebSocket got %v, want only orders:1's message", m)
	}
	if h, payload, _ := s.message(); h["channel"] != "orders:1" || payload != "to orders:1" {
		t.Errorf("SSE got %v %q, want only orders:1's message", h, payload)
	}

	_, m := e.httpToken(t, "GET", "/channels", "header", tok, "")
	if got, _ := json.Marshal(m["channels"]); string(got) != `["orders:1"]` {
		t.Errorf("/channels: %s, want only orders:1", got)
	}
	if resp, m := e.httpToken(t, "GET", "/numsub?channel=orders:2", "header", tok, ""); resp.StatusCode != 403 {
		t.Errorf("/numsub of orders:2: %s %v, want 403", resp.Status, m)
	}
}

// A cookie rides along on cross-site requests, so a request authorized by
// one must pass the Origin check; a token in the header or query need not.
func TestTokenCookieOrigin(t *testing.T) {
	e := startTokens(t)
	tok := sign(t, []string{"*"}, []string{"*"}, time.Hour)
	evil := http.Header{"Origin": {"http://evil.example"}}
	for _, tc := range []struct {
		source string
		origin http.Header
		ok     bool
	}{
		{"cookie", nil, true},
		{"cookie", http.Header{"Origin": {e.http.URL}}, true},
		{"cookie", evil, false},
		{"header", evil, true},
		{"query", evil, true},
	} {
		_, err := e.tryWSToken(t, tc.source, tok, tc.origin)
		if tc.ok != (err == nil) {
			t.Errorf("WebSocket, token in the %s, Origin %q: %v", tc.source, tc.origin.Get("Origin"), err)
		}
		var extra []string
		if o := tc.origin.Get("Origin"); o != "" {
			extra = append(extra, "Origin: "+o)
		}
		_, status := e.dialSSEToken(t, "channel=a", tc.source, tok, extra...)
		if want := map[bool]string{true: " 200 ", false: " 403 "}[tc.ok]; !strings.Contains(status, want) {
			t.Errorf("SSE, token in the %s, Origin %q: %s", tc.source, tc.origin.Get("Origin"), status)
		}
	}
}

// A connection is closed when its token expires: WebSocket with close code
// 1008, SSE with a close event.
func TestTokenExpiryCloses(t *testing.T) {
	e := startTokens(t)
	// exp has a resolution of a second: this token expires in 1 to 2 s.
	tok := sign(t, []string{"news"}, nil, 2*time.Second)
	w := e.dialWSToken(t, "header", tok)
	w.ack(map[string]any{"id": 1, "type": "subscribe", "channel": "news"})
	s := e.dialSSEToken1(t, "channel=news", tok)
	s.event("ready")

	if code, reason := w.closed(); code != closeTokenExpired || reason != "token expired" {
		t.Errorf("WebSocket closed with %d %q, want 1008 \"token expired\"", code, reason)
	}
	if ev := s.event("close"); ev.data != `{"reason":"token expired"}` {
		t.Errorf("SSE close event %+v", ev)
	}
	eventually(t, "clients to be gone", func() bool { return e.gw.Clients() == 0 })
}

// dialSSEToken1 opens an SSE stream with tok in the query and checks it
// opened.
func (e *env) dialSSEToken1(t *testing.T, query, tok string) *sseClient {
	t.Helper()
	s, status := e.dialSSEToken(t, query, "query", tok)
	if !strings.Contains(status, " 200 ") {
		t.Fatalf("SSE: %s", status)
	}
	return s
}

// TestTokenMetrics: /metrics names the busiest channels, so with tokens
// only a grant for every channel may scrape it.
func TestTokenMetrics(t *testing.T) {
	e := startTokens(t)
	for _, tc := range []struct {
		subscribe []string
		want      int
	}{
		{[]string{"orders:1"}, http.StatusForbidden},
		{[]string{"orders:*"}, http.StatusForbidden},
		{[]string{"*"}, http.StatusOK},
	} {
		r, err := http.NewRequestWithContext(ctx(t), http.MethodGet, e.http.URL+"/metrics", nil)
		if err != nil {
			t.Fatal(err)
		}
		r.Header.Set("Authorization", "Bearer "+sign(t, tc.subscribe, nil, time.Minute))
		resp, err := http.DefaultClient.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.want {
			t.Errorf("subscribe %v: GET /metrics = %d, want %d", tc.subscribe, resp.StatusCode, tc.want)
		}
	}
}
