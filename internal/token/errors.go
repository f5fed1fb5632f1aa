package token

import "errors"

// The errors Verify wraps. Their texts are fit to send to the client in a
// 401 reply; find them with errors.Is.
var (
	// ErrNoToken: the token string is empty.
	ErrNoToken = errors.New("no token")
	// ErrMalformed: not three base64url segments of JSON, a claim of the
	// wrong type, or longer than MaxTokenBytes.
	ErrMalformed = errors.New("token is malformed")
	// ErrWrongAlgorithm: the header's alg is not the one algorithm the
	// Verifier accepts ("none" included).
	ErrWrongAlgorithm = errors.New("token is signed with the wrong algorithm")
	// ErrBadSignature: the signature does not verify with the configured
	// key (wrong key, or a tampered header or payload).
	ErrBadSignature = errors.New("token signature is invalid")
	// ErrExpired: exp (plus the leeway) is in the past.
	ErrExpired = errors.New("token has expired")
	// ErrNotYetValid: nbf (minus the leeway) is in the future.
	ErrNotYetValid = errors.New("token is not valid yet")
	// ErrMissingExpiry: the token has no exp claim.
	ErrMissingExpiry = errors.New("token has no exp (expiry) claim")
	// ErrMissingSubject: the token has no sub claim, or an empty one.
	ErrMissingSubject = errors.New("token has no sub (subject) claim")
	// ErrWrongIssuer: an issuer is configured and iss is missing or differs.
	ErrWrongIssuer = errors.New("token has the wrong issuer")
	// ErrWrongAudience: an audience is configured and aud is missing or
	// does not hold it.
	ErrWrongAudience = errors.New("token has the wrong audience")
)
