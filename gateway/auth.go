package gateway

import (
	"errors"
	"net"
	"net/http"
	"net/url"
	"strings"
)

// Authorizer says what one authenticated client may do. The gateway asks it
// before every subscription and publish.
type Authorizer interface {
	CanSubscribe(channel string) bool
	CanPSubscribe(pattern string) bool
	CanPublish(channel string) bool
}

// Authenticator looks at a request (its remote address, headers, query or
// cookies) and returns what the client may do, or an error that the gateway
// answers with 403 and the error's text (401 for an *UnauthorizedError).
// TokenAuth implements it with tokens. On error the Authorizer must be a
// plain nil.
type Authenticator interface {
	Authenticate(r *http.Request) (Authorizer, error)
}

// ErrRemoteDenied is LoopbackOnly's refusal.
var ErrRemoteDenied = errors.New("only loopback clients may use this gateway unless remote access is allowed")

// LoopbackOnly is the Authenticator used when no key is configured: clients
// on a loopback address may do anything; others are refused unless
// AllowRemote is set.
type LoopbackOnly struct {
	AllowRemote bool
}

// Authenticate implements Authenticator.
func (l LoopbackOnly) Authenticate(r *http.Request) (Authorizer, error) {
	if l.AllowRemote || isLoopback(r.RemoteAddr) {
		return AllowAll{}, nil
	}
	return nil, ErrRemoteDenied
}

func isLoopback(remoteAddr string) bool {
	host, _, err := net.SplitHostPort(remoteAddr)
	if err != nil {
		host = remoteAddr
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// AllowAll is an Authorizer that allows everything.
type AllowAll struct{}

// CanSubscribe implements Authorizer.
func (AllowAll) CanSubscribe(string) bool { return true }

// CanPSubscribe implements Authorizer.
func (AllowAll) CanPSubscribe(string) bool { return true }

// CanPublish implements Authorizer.
func (AllowAll) CanPublish(string) bool { return true }

// originAllowed reports whether a browser request's Origin may use the
// gateway: no Origin header, the same host as the request's, or one listed
// in allowed ("*" allows any).
func originAllowed(r *http.Request, allowed []string) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	for _, a := range allowed {
		if a == "*" || strings.EqualFold(a, origin) {
			return true
		}
	}
	u, err := url.Parse(origin)
	return err == nil && strings.EqualFold(u.Host, r.Host)
}
