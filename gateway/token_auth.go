package gateway

import (
	"errors"
	"net/http"
	"time"

	"github.com/heraldhq/herald/internal/token"
)

// Where TokenAuth looks for a token besides the Authorization header:
// browsers cannot set headers on a WebSocket or an EventSource.
const (
	// TokenQueryParam is the query parameter that may carry the token
	// (/ws?access_token=..., as in RFC 6750 section 2.3).
	TokenQueryParam = "access_token"
	// TokenCookie is the cookie that may carry the token.
	TokenCookie = "herald_token"
)

// Error codes of a 401 reply.
const (
	codeNoToken      = "no_token"      // the request carries no token
	codeTokenExpired = "token_expired" // the token's exp has passed
	codeInvalidToken = "invalid_token" // any other refusal of the token
)

// TokenAuth is the Authenticator used when a key is configured: every
// request must carry a valid token (see package token), whose grant then
// decides each subscription and publish. Where the client is does not
// matter.
//
// A token is taken from the "Authorization: Bearer" header, else the
// access_token query parameter, else the herald_token cookie. A cookie is
// sent by the browser on cross-site requests too, so a request authorized
// by a cookie must pass the gateway's Origin check (Config.AllowOrigins);
// one whose token is in the header or the query carries its own proof and
// is exempt, so pages of other origins can use the gateway with a token.
type TokenAuth struct {
	verifier *token.Verifier
}

// NewTokenAuth returns a TokenAuth that verifies tokens with v.
func NewTokenAuth(v *token.Verifier) *TokenAuth {
	return &TokenAuth{verifier: v}
}

var _ Authenticator = (*TokenAuth)(nil)

// Authenticate implements Authenticator. The Authorizer is the token's
// *token.Grant; the error is an *UnauthorizedError, answered 401.
func (a *TokenAuth) Authenticate(r *http.Request) (Authorizer, error) {
	tok, _ := token.Find(r, TokenCookie, TokenQueryParam)
	grant, err := a.verifier.Verify(tok)
	if err != nil {
		// A plain nil: a nil *token.Grant in an Authorizer would not be
		// nil to the caller.
		return nil, newUnauthorized(err)
	}
	return grant, nil
}

// skipOriginCheck reports whether r's token is one a cross-site page cannot
// make the browser send: it is in the header or the query, not a cookie.
func (a *TokenAuth) skipOriginCheck(r *http.Request) bool {
	_, src := token.Find(r, TokenCookie, TokenQueryParam)
	return src == token.SourceHeader || src == token.SourceQuery
}

// closeAt returns when a connection holding auth must be closed: its
// token's expiry plus the verifier's leeway (the last moment the token
// would still be accepted). ok is false for an Authorizer without expiry.
func (a *TokenAuth) closeAt(auth Authorizer) (at time.Time, ok bool) {
	grant, isGrant := auth.(*token.Grant)
	if !isGrant || grant == nil || grant.Expiry.IsZero() {
		return time.Time{}, false
	}
	return grant.Expiry.Add(a.verifier.Leeway()), true
}

// UnauthorizedError is a refusal for want of valid credentials: the gateway
// answers it with 401, a WWW-Authenticate header and the JSON error
// {"code": Code, "error": Text}.
type UnauthorizedError struct {
	// Code is no_token, token_expired or invalid_token.
	Code string
	// Text is fit for the client: the text of one of package token's
	// sentinel errors, without the detail Err adds.
	Text string
	// Err is the verifier's error, with detail for logs.
	Err error
}

func (e *UnauthorizedError) Error() string { return e.Err.Error() }
func (e *UnauthorizedError) Unwrap() error { return e.Err }

// tokenSentinels are package token's errors, whose texts go to the client.
var tokenSentinels = []error{
	token.ErrNoToken, token.ErrMalformed, token.ErrWrongAlgorithm,
	token.ErrBadSignature, token.ErrExpired, token.ErrNotYetValid,
	token.ErrMissingExpiry, token.ErrMissingSubject, token.ErrWrongIssuer,
	token.ErrWrongAudience,
}

// newUnauthorized classifies a Verify error.
func newUnauthorized(err error) *UnauthorizedError {
	e := &UnauthorizedError{Code: codeInvalidToken, Text: "token refused", Err: err}
	for _, s := range tokenSentinels {
		if errors.Is(err, s) {
			e.Text = s.Error()
			break
		}
	}
	switch {
	case errors.Is(err, token.ErrNoToken):
		e.Code = codeNoToken
	case errors.Is(err, token.ErrExpired):
		e.Code = codeTokenExpired
	}
	return e
}

// wwwAuthenticate is the WWW-Authenticate header of a 401 (RFC 6750
// section 3): a request without a token gets the bare challenge.
func (e *UnauthorizedError) wwwAuthenticate() string {
	if e.Code == codeNoToken {
		return `Bearer realm="herald"`
	}
	return `Bearer realm="herald", error="invalid_token"`
}
