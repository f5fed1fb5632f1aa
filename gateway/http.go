package gateway

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"slices"
	"time"
)

// routes registers the gateway's endpoints.
func (g *Gateway) routes() {
	g.mux.HandleFunc("POST /publish/{channel...}", g.handlePublish)
	g.mux.HandleFunc("GET /channels", g.handleChannels)
	g.mux.HandleFunc("GET /numsub", g.handleNumSub)
	g.mux.HandleFunc("GET /presence/{channel...}", g.handlePresence)
	g.mux.HandleFunc("GET /healthz", g.handleHealthz)
	g.mux.HandleFunc("GET /ws", g.handleWebSocket)
	g.mux.HandleFunc("GET /sse", g.handleSSE)
	g.mux.HandleFunc("GET /metrics", g.handleMetrics)
	g.demoRoutes()
}

// Error codes of JSON error replies (HTTP and WebSocket).
const (
	codeBadJSON     = "bad_json"
	codeBadRequest  = "bad_request"
	codeUnknownType = "unknown_type"
	codeForbidden   = "forbidden"
	codeTooLarge    = "too_large"
	codeUnavailable = "unavailable"
)

// httpError is the body of an HTTP error reply.
type httpError struct {
	Code  string `json:"code"`
	Error string `json:"error"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, code, text string) {
	writeJSON(w, status, httpError{Code: code, Error: text})
}

// authenticate checks the request's origin (unless its token is in a
// header or the query: see TokenAuth) and asks the Authenticator what it may
// do. On refusal it answers 401 (an *UnauthorizedError: no valid token) or
// 403 and returns nil.
func (g *Gateway) authenticate(w http.ResponseWriter, r *http.Request) Authorizer {
	if g.needsOriginCheck(r) && !originAllowed(r, g.cfg.AllowOrigins) {
		writeError(w, http.StatusForbidden, codeForbidden, "origin not allowed: "+r.Header.Get("Origin"))
		return nil
	}
	auth, err := g.cfg.Authenticator.Authenticate(r)
	var unauthorized *UnauthorizedError
	switch {
	case errors.As(err, &unauthorized):
		g.cfg.Logger.Debug("gateway: token refused", "addr", r.RemoteAddr, "error", err)
		w.Header().Set("WWW-Authenticate", unauthorized.wwwAuthenticate())
		writeError(w, http.StatusUnauthorized, unauthorized.Code, unauthorized.Text)
		return nil
	case err != nil:
		writeError(w, http.StatusForbidden, codeForbidden, err.Error())
		return nil
	}
	return auth
}

// authenticateChannel authenticates r and returns the {channel} of its
// path; it answers the request itself and returns a nil Authorizer when
// either is missing.
func (g *Gateway) authenticateChannel(w http.ResponseWriter, r *http.Request) (Authorizer, string) {
	auth := g.authenticate(w, r)
	if auth == nil {
		return nil, ""
	}
	channel := r.PathValue("channel")
	if channel == "" {
		writeError(w, http.StatusBadRequest, codeBadRequest, "missing channel")
		return nil, ""
	}
	return auth, channel
}

// handlePublish publishes the request body on the channel named in the
// path and answers {"receivers": n}.
func (g *Gateway) handlePublish(w http.ResponseWriter, r *http.Request) {
	auth, channel := g.authenticateChannel(w, r)
	if auth == nil {
		return
	}
	if !auth.CanPublish(channel) || isPresenceChannel(channel) {
		writeError(w, http.StatusForbidden, codeForbidden, "not allowed to publish to "+channel)
		return
	}
	// Unsupported only by test recorders, which need no deadline.
	_ = http.NewResponseController(w).SetReadDeadline(time.Now().Add(g.cfg.BodyTimeout))
	payload, err := io.ReadAll(http.MaxBytesReader(w, r.Body, g.cfg.MaxMessageBytes))
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		writeError(w, http.StatusRequestEntityTooLarge, codeTooLarge, "payload larger than the limit of "+itoa(tooLarge.Limit)+" bytes")
		return
	case err != nil:
		writeError(w, http.StatusBadRequest, codeBadRequest, "reading the body: "+err.Error())
		return
	}
	n, err := g.bus.Publish(r.Context(), channel, payload)
	if err != nil {
		writeError(w, http.StatusServiceUnavailable, codeUnavailable, err.Error())
		return
	}
	g.stats.Published.Add(1)
	g.meters.published[transportHTTP].Add(1)
	writeJSON(w, http.StatusOK, map[string]int{"receivers": n})
}

// handleChannels answers {"channels": [...]}, the channels with
// subscribers, matching ?pattern= when given (PUBSUB CHANNELS), and only
// those the client may subscribe to.
func (g *Gateway) handleChannels(w http.ResponseWriter, r *http.Request) {
	auth := g.authenticate(w, r)
	if auth == nil {
		return
	}
	chans, err := g.bus.Channels(r.Context(), r.URL.Query().Get("pattern"))
	if err != nil {
		writeError(w, http.StatusServiceUnavailable, codeUnavailable, err.Error())
		return
	}
	chans = slices.DeleteFunc(chans, func(c string) bool { return !auth.CanSubscribe(c) })
	if chans == nil {
		chans = []string{}
	}
	writeJSON(w, http.StatusOK, map[string][]string{"channels": chans})
}

// handleNumSub answers {"numsub": {"a": 1, "b": 0}} for
// ?channel=a&channel=b (PUBSUB NUMSUB).
func (g *Gateway) handleNumSub(w http.ResponseWriter, r *http.Request) {
	auth := g.authenticate(w, r)
	if auth == nil {
		return
	}
	channels := r.URL.Query()["channel"]
	for _, c := range channels {
		if !auth.CanSubscribe(c) {
			writeError(w, http.StatusForbidden, codeForbidden, "not allowed to subscribe to channel "+jsonQuote(c))
			return
		}
	}
	counts, err := g.bus.NumSub(r.Context(), channels...)
	if err != nil {
		writeError(w, http.StatusServiceUnavailable, codeUnavailable, err.Error())
		return
	}
	out := make(map[string]int, len(channels))
	for i, c := range channels {
		out[c] = counts[i]
	}
	writeJSON(w, http.StatusOK, map[string]map[string]int{"numsub": out})
}

// handleHealthz answers {"status":"ok"} to anyone, for load balancers.
func (g *Gateway) handleHealthz(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}
