package gateway

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/heraldhq/herald/broker"
	"github.com/heraldhq/herald/bus"
)

// Without a key, loopback clients may do anything and others get 403,
// unless AllowRemote is set; /healthz is open to all.
func TestLoopbackRule(t *testing.T) {
	b := bus.NewLocal(broker.New())
	for _, tc := range []struct {
		remote      string
		allowRemote bool
		want        int
	}{
		{"127.0.0.1:5000", false, http.StatusOK},
		{"[::1]:5000", false, http.StatusOK},
		{"203.0.113.5:5000", false, http.StatusForbidden},
		{"[2001:db8::1]:5000", false, http.StatusForbidden},
		{"203.0.113.5:5000", true, http.StatusOK},
	} {
		g := New(Config{AllowRemote: tc.allowRemote}, b)
		for _, req := range []struct{ method, path string }{
			{"POST", "/publish/news"},
			{"GET", "/channels"},
			{"GET", "/numsub?channel=a"},
			{"GET", "/sse?channel=a"},
			{"GET", "/ws"},
		} {
			r := httptest.NewRequest(req.method, req.path, strings.NewReader("x"))
			r.RemoteAddr = tc.remote
			w := httptest.NewRecorder()
			g.ServeHTTP(w, r)
			if tc.want == http.StatusForbidden {
				var out httpError
				json.Unmarshal(w.Body.Bytes(), &out)
				if w.Code != http.StatusForbidden || out.Code != codeForbidden {
					t.Errorf("%s %s from %s: %d %s, want 403", req.method, req.path, tc.remote, w.Code, w.Body)
				}
			} else if w.Code == http.StatusForbidden {
				t.Errorf("%s %s from %s (allow remote %v): 403", req.method, req.path, tc.remote, tc.allowRemote)
			}
		}
		r := httptest.NewRequest("GET", "/healthz", nil)
		r.RemoteAddr = tc.remote
		w := httptest.NewRecorder()
		g.ServeHTTP(w, r)
		if w.Code != http.StatusOK {
			t.Errorf("/healthz from %s: %d", tc.remote, w.Code)
		}
	}
}

// A page from another origin cannot use a loopback client's rights.
func TestOriginCheck(t *testing.T) {
	for _, tc := range []struct {
		origin  string
		allowed []string
		want    int
	}{
		{"", nil, http.StatusOK},
		{"http://example.com", nil, http.StatusOK}, // the request's host
		{"http://evil.example", nil, http.StatusForbidden},
		{"http://evil.example", []string{"http://evil.example"}, http.StatusOK},
		{"http://evil.example", []string{"*"}, http.StatusOK},
	} {
		g := New(Config{AllowOrigins: tc.allowed}, bus.NewLocal(broker.New()))
		r := httptest.NewRequest("POST", "http://example.com/publish/news", strings.NewReader("x"))
		r.RemoteAddr = "127.0.0.1:5000"
		if tc.origin != "" {
			r.Header.Set("Origin", tc.origin)
		}
		w := httptest.NewRecorder()
		g.ServeHTTP(w, r)
		if w.Code != tc.want {
			t.Errorf("Origin %q allowed %q: %d, want %d", tc.origin, tc.allowed, w.Code, tc.want)
		}
	}
}

// testAuth allows everything but the channel "secret" and patterns other
// than "ok:*"; a request with header X-Deny is refused.
type testAuth struct{}

func (testAuth) Authenticate(r *http.Request) (Authorizer, error) {
	if r.Header.Get("X-Deny") != "" {
		return nil, errors.New("denied by test")
	}
	return testAuthorizer{}, nil
}

type testAuthorizer struct{}

func (testAuthorizer) CanSubscribe(c string) bool  { return c != "secret" }
func (testAuthorizer) CanPSubscribe(p string) bool { return p == "ok:*" }
func (testAuthorizer) CanPublish(c string) bool    { return c != "secret" }

// An Authenticator decides per request and per channel, on every
// transport; denied actions get a clear error and subscribe nothing.
func TestAuthenticator(t *testing.T) {
	e := start(t, Config{Authenticator: testAuth{}})
	w := e.dialWS(t)
	for _, req := range []map[string]any{
		{"id": 1, "type": "subscribe", "channels": []string{"public", "secret"}},
		{"id": 2, "type": "psubscribe", "pattern": "*"},
		{"id": 3, "type": "publish", "channel": "secret", "data": "x"},
	} {
		if m := w.do(req); m["type"] != "error" || m["code"] != codeForbidden {
			t.Errorf("%v: got %v, want forbidden", req, m)
		}
	}
	if m := w.ack(map[string]any{"id": 4, "type": "psubscribe", "pattern": "ok:*"}); m["count"] != 1.0 {
		t.Fatalf("allowed psubscribe: %v (the denied subscribe must not have subscribed public)", m)
	}
	if _, status := e.dialSSEStatus(t, "channel=public&channel=secret"); !strings.Contains(status, " 403 ") {
		t.Errorf("SSE with a denied channel: %s", status)
	}
	resp, err := http.Post(e.http.URL+"/publish/secret", "text/plain", strings.NewReader("x"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("HTTP publish to secret: %s", resp.Status)
	}
	r, _ := http.NewRequest("GET", e.http.URL+"/ws", nil)
	r.Header.Set("X-Deny", "1")
	resp, err = http.DefaultClient.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("denied WebSocket request: %s", resp.Status)
	}
}
