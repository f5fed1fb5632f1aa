package token

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// DefaultLeeway is the clock skew allowed on exp and nbf when
// Options.Leeway is zero.
const DefaultLeeway = 30 * time.Second

// MaxTokenBytes is the longest token Verify reads; a longer one is refused
// as ErrMalformed before it is decoded.
const MaxTokenBytes = 16 << 10

// MinSecretBytes is the shortest HS256 secret accepted: the size of the
// hash output, as RFC 7518 section 3.2 requires.
const MinSecretBytes = 32

// Options are the checks a Verifier makes beyond the signature, exp and sub.
type Options struct {
	// Issuer, when set, must equal the token's iss claim. Empty means iss
	// is not checked.
	Issuer string
	// Audience, when set, must be one of the token's aud values. Empty
	// means aud is not checked.
	Audience string
	// Leeway is the clock skew allowed on exp and nbf. Zero means
	// DefaultLeeway; a negative value means none.
	Leeway time.Duration
}

// Verifier checks tokens signed with one algorithm and one key. It is safe
// for concurrent use.
type Verifier struct {
	alg    string // the one accepted "alg", e.g. "RS256"
	key    any    // []byte, *rsa.PublicKey or *ecdsa.PublicKey, matching alg
	parser *jwt.Parser
	opts   Options
	leeway time.Duration // the effective leeway, after Options' defaulting
}

// NewHS256Verifier returns a Verifier for HS256 tokens signed with secret,
// which must be at least MinSecretBytes long. The secret is copied.
func NewHS256Verifier(secret []byte, opts Options) (*Verifier, error) {
	if err := checkSecret(secret); err != nil {
		return nil, err
	}
	key := append([]byte(nil), secret...)
	return newVerifier(jwt.SigningMethodHS256.Alg(), key, opts), nil
}

// NewPublicKeyVerifier returns a Verifier for RS256 or ES256 tokens, the
// algorithm chosen by the key in pemBytes (see the package doc for the PEM
// forms accepted).
func NewPublicKeyVerifier(pemBytes []byte, opts Options) (*Verifier, error) {
	alg, key, err := parsePublicKey(pemBytes)
	if err != nil {
		return nil, err
	}
	return newVerifier(alg, key, opts), nil
}

func newVerifier(alg string, key any, opts Options) *Verifier {
	leeway := opts.Leeway
	switch {
	case leeway == 0:
		leeway = DefaultLeeway
	case leeway < 0:
		leeway = 0
	}
	parserOpts := []jwt.ParserOption{
		jwt.WithExpirationRequired(),
		jwt.WithLeeway(leeway),
		jwt.WithStrictDecoding(),
	}
	if opts.Issuer != "" {
		parserOpts = append(parserOpts, jwt.WithIssuer(opts.Issuer))
	}
	if opts.Audience != "" {
		parserOpts = append(parserOpts, jwt.WithAudience(opts.Audience))
	}
	return &Verifier{alg: alg, key: key, parser: jwt.NewParser(parserOpts...), opts: opts, leeway: leeway}
}

// Leeway returns the clock skew v allows on exp and nbf: a token is
// accepted until its Expiry plus Leeway, so a gateway that closes
// connections when a token expires should close them then.
func (v *Verifier) Leeway() time.Duration { return v.leeway }

// Algorithm returns the one algorithm v accepts: "HS256", "RS256" or
// "ES256".
func (v *Verifier) Algorithm() string { return v.alg }

// claims is the token payload Herald reads.
type claims struct {
	jwt.RegisteredClaims
	Subscribe []string `json:"subscribe,omitempty"`
	Publish   []string `json:"publish,omitempty"`
}

// Verify checks tokenString's algorithm, signature, exp, nbf, sub and the
// configured issuer and audience, and returns what it grants. The error
// wraps one of the package's sentinel errors.
func (v *Verifier) Verify(tokenString string) (*Grant, error) {
	if tokenString == "" {
		return nil, ErrNoToken
	}
	if len(tokenString) > MaxTokenBytes {
		return nil, fmt.Errorf("%w: longer than %d bytes", ErrMalformed, MaxTokenBytes)
	}
	var c claims
	parsed, err := v.parser.ParseWithClaims(tokenString, &c, v.keyFor)
	if err != nil {
		return nil, v.classify(err, parsed, &c)
	}
	if c.Subject == "" {
		return nil, ErrMissingSubject
	}
	// WithExpirationRequired has made sure ExpiresAt is set.
	return &Grant{
		Subject:   c.Subject,
		Expiry:    c.ExpiresAt.Time,
		Subscribe: c.Subscribe,
		Publish:   c.Publish,
	}, nil
}

// keyFor is the jwt.Keyfunc: it refuses every algorithm but v's before the
// signature is checked, and hands the signing method a key of the type its
// family needs, so an HMAC method never sees a public key as its secret.
func (v *Verifier) keyFor(t *jwt.Token) (any, error) {
	alg := t.Method.Alg()
	if alg != v.alg {
		return nil, &wrongAlgorithmError{fmt.Sprintf("got %q, this server accepts %s", alg, v.alg)}
	}
	_, keyIsSecret := v.key.([]byte)
	_, methodIsHMAC := t.Method.(*jwt.SigningMethodHMAC)
	if keyIsSecret != methodIsHMAC {
		return nil, &wrongAlgorithmError{fmt.Sprintf("%s does not fit the configured key", alg)}
	}
	return v.key, nil
}

// wrongAlgorithmError is keyFor's refusal. It carries its detail through
// jwt's wrapping so that Verify can return it without jwt's prefixes.
type wrongAlgorithmError struct{ detail string }

func (e *wrongAlgorithmError) Error() string { return ErrWrongAlgorithm.Error() + ": " + e.detail }
func (e *wrongAlgorithmError) Unwrap() error { return ErrWrongAlgorithm }

// classify turns an error from jwt's parser into one that wraps exactly
// one sentinel, with detail for logs. parsed (possibly nil) and c hold
// whatever was decoded before the failure.
func (v *Verifier) classify(err error, parsed *jwt.Token, c *claims) error {
	var wrongAlg *wrongAlgorithmError
	if errors.As(err, &wrongAlg) {
		return wrongAlg
	}
	switch {
	case errors.Is(err, jwt.ErrTokenMalformed):
		detail := strings.TrimPrefix(err.Error(), jwt.ErrTokenMalformed.Error()+": ")
		return fmt.Errorf("%w: %s", ErrMalformed, detail)
	case errors.Is(err, jwt.ErrTokenUnverifiable):
		// keyFor's refusals are handled above; what is left is an alg jwt
		// does not know, or none at all.
		var alg any
		if parsed != nil {
			alg = parsed.Header["alg"]
		}
		if alg == nil {
			return fmt.Errorf("%w: the header has no alg; this server accepts %s", ErrWrongAlgorithm, v.alg)
		}
		return fmt.Errorf("%w: got unknown %q, this server accepts %s", ErrWrongAlgorithm, fmt.Sprint(alg), v.alg)
	case errors.Is(err, jwt.ErrTokenSignatureInvalid):
		return ErrBadSignature
	case c.ExpiresAt == nil && errors.Is(err, jwt.ErrTokenRequiredClaimMissing):
		return ErrMissingExpiry
	case errors.Is(err, jwt.ErrTokenExpired):
		return fmt.Errorf("%w: it expired at %s", ErrExpired, c.ExpiresAt.UTC().Format(time.RFC3339))
	case errors.Is(err, jwt.ErrTokenNotValidYet):
		return fmt.Errorf("%w: not before %s", ErrNotYetValid, c.NotBefore.UTC().Format(time.RFC3339))
	case errors.Is(err, jwt.ErrTokenInvalidIssuer), v.opts.Issuer != "" && c.Issuer == "":
		return fmt.Errorf("%w: want %q, got %q", ErrWrongIssuer, v.opts.Issuer, c.Issuer)
	case errors.Is(err, jwt.ErrTokenInvalidAudience), v.opts.Audience != "" && len(c.Audience) == 0:
		return fmt.Errorf("%w: want %q, got %q", ErrWrongAudience, v.opts.Audience, []string(c.Audience))
	default:
		// A registered claim of the wrong type, for example.
		return fmt.Errorf("%w: %v", ErrMalformed, err)
	}
}
