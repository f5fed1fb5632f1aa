package gateway

import (
	"embed"
	"io/fs"
	"net/http"
)

// demoFiles is the demo page: plain HTML, JavaScript and CSS, no build
// step. It is a chat room and a live message-rate chart over /ws, or over
// /sse and POST /publish when WebSocket is not available.
//
//go:embed demo/index.html demo/app.js demo/style.css
var demoFiles embed.FS

// demoCSP keeps the demo page to its own scripts and styles and to the
// gateway it was served by: user text can never become markup or script.
const demoCSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self' ws: wss:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// demoRoutes serves the demo page at / and its assets under /demo/. The
// page is static and open to everyone, like /healthz; what it does goes
// through /ws, /sse and /publish, which check access as usual.
func (g *Gateway) demoRoutes() {
	sub, err := fs.Sub(demoFiles, "demo")
	if err != nil {
		panic(err) // the embedded tree is fixed at build time
	}
	files := http.FileServerFS(sub)
	g.mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		setDemoHeaders(w)
		http.ServeFileFS(w, r, sub, "index.html")
	})
	g.mux.Handle("GET /demo/", http.StripPrefix("/demo", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		setDemoHeaders(w)
		files.ServeHTTP(w, r)
	})))
}

// setDemoHeaders sets the headers of every demo response.
func setDemoHeaders(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Content-Security-Policy", demoCSP)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-cache")
}
