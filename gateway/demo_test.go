package gateway

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// The demo page and its assets are served with a Content-Security-Policy
// that allows only the page's own scripts and styles; other paths are 404.
func TestDemoRoutes(t *testing.T) {
	e := start(t, Config{})
	for _, tc := range []struct {
		method, path string
		status       int
		contentType  string
		contains     string
	}{
		{"GET", "/", 200, "text/html", `<script src="/demo/app.js"`},
		{"HEAD", "/", 200, "text/html", ""},
		{"GET", "/demo/app.js", 200, "text/javascript", "new WebSocket("},
		{"GET", "/demo/style.css", 200, "text/css", "--accent"},
		{"GET", "/demo/missing.js", 404, "", ""},
		{"GET", "/nothing-here", 404, "", ""},
		{"POST", "/", 405, "", ""},
	} {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			req, err := http.NewRequestWithContext(ctx(t), tc.method, e.http.URL+tc.path, nil)
			if err != nil {
				t.Fatal(err)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tc.status, body)
			}
			if tc.status != 200 {
				return
			}
			if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, tc.contentType) {
				t.Errorf("Content-Type %q, want %s", ct, tc.contentType)
			}
			if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") {
				t.Errorf("Content-Security-Policy %q", csp)
			}
			if !strings.Contains(string(body), tc.contains) {
				t.Errorf("body does not contain %q", tc.contains)
			}
		})
	}
}

// The page never puts text into markup: no innerHTML, outerHTML,
// insertAdjacentHTML or document.write in its script.
func TestDemoScriptHasNoHTMLSinks(t *testing.T) {
	js, err := demoFiles.ReadFile("demo/app.js")
	if err != nil {
		t.Fatal(err)
	}
	for _, sink := range []string{"innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("} {
		if strings.Contains(string(js), sink) {
			t.Errorf("demo/app.js uses %s", sink)
		}
	}
}
