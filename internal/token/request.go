package token

import (
	"net/http"
	"strings"
)

// Source says where in a request Find found the token.
type Source int

const (
	// SourceNone: the request carries no token.
	SourceNone Source = iota
	// SourceHeader: an "Authorization: Bearer" header.
	SourceHeader
	// SourceQuery: the query parameter.
	SourceQuery
	// SourceCookie: the cookie. The browser sends it on cross-site
	// requests too, so check the Origin of a WebSocket upgrade.
	SourceCookie
)

// String returns the source's name, for logs.
func (s Source) String() string {
	switch s {
	case SourceHeader:
		return "header"
	case SourceQuery:
		return "query"
	case SourceCookie:
		return "cookie"
	default:
		return "none"
	}
}

// FromRequest returns the token r carries, or "": see Find.
func FromRequest(r *http.Request, cookieName, queryParam string) string {
	tok, _ := Find(r, cookieName, queryParam)
	return tok
}

// Find returns the token r carries and where it was found. It looks, in
// this order, at the "Authorization: Bearer <token>" header (the scheme is
// matched without regard to case), the query parameter queryParam, and the
// cookie cookieName; an empty name skips that place, and an empty value
// counts as absent.
func Find(r *http.Request, cookieName, queryParam string) (string, Source) {
	if tok := bearer(r.Header.Get("Authorization")); tok != "" {
		return tok, SourceHeader
	}
	if queryParam != "" {
		if tok := r.URL.Query().Get(queryParam); tok != "" {
			return tok, SourceQuery
		}
	}
	if cookieName != "" {
		if c, err := r.Cookie(cookieName); err == nil && c.Value != "" {
			return c.Value, SourceCookie
		}
	}
	return "", SourceNone
}

// bearer returns the token of an Authorization header value of the Bearer
// scheme, or "".
func bearer(header string) string {
	const scheme = "bearer "
	if len(header) < len(scheme) || !strings.EqualFold(header[:len(scheme)], scheme) {
		return ""
	}
	return strings.TrimSpace(header[len(scheme):])
}

// VerifyRequest finds the token r carries (see Find) and verifies it. A
// request without a token gets ErrNoToken.
func (v *Verifier) VerifyRequest(r *http.Request, cookieName, queryParam string) (*Grant, error) {
	return v.Verify(FromRequest(r, cookieName, queryParam))
}
