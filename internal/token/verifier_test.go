package token

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

var testSecret = []byte("0123456789abcdef0123456789abcdef-test")

// testKeys are generated once per test binary: RSA generation is slow.
var testKeys = sync.OnceValue(func() (k struct {
	rsa, rsaOther *rsa.PrivateKey
	ec, ecOther   *ecdsa.PrivateKey
}) {
	var err error
	for _, p := range []**rsa.PrivateKey{&k.rsa, &k.rsaOther} {
		if *p, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			panic(err)
		}
	}
	for _, p := range []**ecdsa.PrivateKey{&k.ec, &k.ecOther} {
		if *p, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
			panic(err)
		}
	}
	return k
})

// pkixPEM encodes pub as a PEM "PUBLIC KEY" block.
func pkixPEM(t testing.TB, pub any) []byte {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
}

// mustVerifier returns a function that returns the verifier it is given,
// or fails the test: mustVerifier(t)(NewHS256Verifier(secret, opts)).
func mustVerifier(t testing.TB) func(*Verifier, error) *Verifier {
	return func(v *Verifier, err error) *Verifier {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

// sign signs claims c with method and key, failing the test on error.
func sign(t testing.TB, method jwt.SigningMethod, key any, c jwt.Claims) string {
	t.Helper()
	s, err := jwt.NewWithClaims(method, c).SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// validClaims returns claims for sub that expire after ttl.
func validClaims(ttl time.Duration) jwt.MapClaims {
	return jwt.MapClaims{
		"sub":       "user:42",
		"exp":       time.Now().Add(ttl).Unix(),
		"subscribe": []string{"orders:*", "chat:room1"},
		"publish":   []string{"chat:*"},
	}
}

// with returns a copy of c with key set to value, or removed when value is
// nil.
func with(c jwt.MapClaims, key string, value any) jwt.MapClaims {
	out := jwt.MapClaims{}
	for k, v := range c {
		out[k] = v
	}
	if value == nil {
		delete(out, key)
	} else {
		out[key] = value
	}
	return out
}

// tamper replaces the payload of a signed token with c, keeping header and
// signature.
func tamper(t testing.TB, signed string, c jwt.MapClaims) string {
	t.Helper()
	other := sign(t, jwt.SigningMethodHS256, []byte("another secret, only to encode a payload"), c)
	parts, otherParts := strings.Split(signed, "."), strings.Split(other, ".")
	return parts[0] + "." + otherParts[1] + "." + parts[2]
}

// unsignedNone is a token with alg "none" and an empty signature.
func unsignedNone(t testing.TB, c jwt.Claims) string {
	t.Helper()
	s, err := jwt.NewWithClaims(jwt.SigningMethodNone, c).SignedString(jwt.UnsafeAllowNoneSignatureType)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// family is one way of signing tokens and the verifier that checks them.
type family struct {
	name     string
	verifier *Verifier
	method   jwt.SigningMethod
	key      any // the signing key
	otherKey any // a key of the same kind that the verifier does not know
}

func families(t *testing.T) []family {
	k := testKeys()
	return []family{
		{
			name:     "HS256",
			verifier: mustVerifier(t)(NewHS256Verifier(testSecret, Options{})),
			method:   jwt.SigningMethodHS256,
			key:      testSecret,
			otherKey: []byte("fedcba9876543210fedcba9876543210-other"),
		},
		{
			name:     "RS256",
			verifier: mustVerifier(t)(NewPublicKeyVerifier(pkixPEM(t, &k.rsa.PublicKey), Options{})),
			method:   jwt.SigningMethodRS256,
			key:      k.rsa,
			otherKey: k.rsaOther,
		},
		{
			name:     "ES256",
			verifier: mustVerifier(t)(NewPublicKeyVerifier(pkixPEM(t, &k.ec.PublicKey), Options{})),
			method:   jwt.SigningMethodES256,
			key:      k.ec,
			otherKey: k.ecOther,
		},
	}
}

func TestVerify(t *testing.T) {
	cases := []struct {
		name  string
		token func(t *testing.T, f family) string
		want  error // nil: valid
	}{
		{"valid", func(t *testing.T, f family) string {
			return sign(t, f.method, f.key, validClaims(time.Hour))
		}, nil},
		{"expired within the leeway", func(t *testing.T, f family) string {
			return sign(t, f.method, f.key, validClaims(-5*time.Second))
		}, nil},
		{"no publish or subscribe claims", func(t *testing.T, f family) string {
			c := with(with(validClaims(time.Hour), "publish", nil), "subscribe", nil)
			return sign(t, f.method, f.key, c)
		}, nil},
		{"expired", func(t *testing.T, f family) string {
			return sign(t, f.method, f.key, validClaims(-2*time.Minute))
		}, ErrExpired},
		{"no exp", func(t *testing.T, f family) string {
			return sign(t, f.method, f.key, with(validClaims(time.Hour), "exp", nil))
		}, ErrMissingExpiry},
		{"exp is a string", func(t *testing.T, f family) string {
			return sign(t, f.method, f.key, with(validClaims(time.Hour), "exp", "tomorrow"))
		}, ErrMalformed},
		{"no sub", func(t *testing.T, f family) string {
			return sign(t, f.method, f.key, with(validClaims(time.Hour), "sub", nil))
		}, ErrMissingSubject},
		{"empty sub", func(t *testing.T, f family) string {
			return sign(t, f.method, f.key, with(validClaims(time.Hour), "sub", ""))
		}, ErrMissingSubject},
		{"not valid yet", func(t *testing.T, f family) string {
			c := with(validClaims(time.Hour), "nbf", time.Now().Add(10*time.Minute).Unix())
			return sign(t, f.method, f.key, c)
		}, ErrNotYetValid},
		{"subscribe is a string, not an array", func(t *testing.T, f family) string {
			return sign(t, f.method, f.key, with(validClaims(time.Hour), "subscribe", "orders:*"))
		}, ErrMalformed},
		{"wrong key", func(t *testing.T, f family) string {
			return sign(t, f.method, f.otherKey, validClaims(time.Hour))
		}, ErrBadSignature},
		{"tampered payload", func(t *testing.T, f family) string {
			signed := sign(t, f.method, f.key, validClaims(time.Hour))
			return tamper(t, signed, with(validClaims(time.Hour), "publish", []string{"*"}))
		}, ErrBadSignature},
		{"tampered signature", func(t *testing.T, f family) string {
			signed := sign(t, f.method, f.key, validClaims(time.Hour))
			sig, _ := base64.RawURLEncoding.DecodeString(signed[strings.LastIndex(signed, ".")+1:])
			sig[0] ^= 1
			return signed[:strings.LastIndex(signed, ".")+1] + base64.RawURLEncoding.EncodeToString(sig)
		}, ErrBadSignature},
		{"alg none", func(t *testing.T, f family) string {
			return unsignedNone(t, validClaims(time.Hour))
		}, ErrWrongAlgorithm},
		{"alg none with the signature of a valid token", func(t *testing.T, f family) string {
			signed := sign(t, f.method, f.key, validClaims(time.Hour))
			none := unsignedNone(t, validClaims(time.Hour))
			return none + signed[strings.LastIndex(signed, ".")+1:]
		}, ErrWrongAlgorithm},
		{"unknown alg", func(t *testing.T, f family) string {
			header := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"XX999","typ":"JWT"}`))
			signed := sign(t, f.method, f.key, validClaims(time.Hour))
			return header + signed[strings.Index(signed, "."):]
		}, ErrWrongAlgorithm},
		{"no alg", func(t *testing.T, f family) string {
			header := base64.RawURLEncoding.EncodeToString([]byte(`{"typ":"JWT"}`))
			signed := sign(t, f.method, f.key, validClaims(time.Hour))
			return header + signed[strings.Index(signed, "."):]
		}, ErrWrongAlgorithm},
		{"empty", func(t *testing.T, f family) string { return "" }, ErrNoToken},
		{"one segment", func(t *testing.T, f family) string { return "garbage" }, ErrMalformed},
		{"three segments of garbage", func(t *testing.T, f family) string { return "a.b.c" }, ErrMalformed},
		{"payload not JSON", func(t *testing.T, f family) string {
			signed := sign(t, f.method, f.key, validClaims(time.Hour))
			parts := strings.Split(signed, ".")
			return parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte("not json")) + "." + parts[2]
		}, ErrMalformed},
		{"too long", func(t *testing.T, f family) string {
			c := with(validClaims(time.Hour), "junk", strings.Repeat("x", MaxTokenBytes))
			return sign(t, f.method, f.key, c)
		}, ErrMalformed},
	}
	for _, f := range families(t) {
		for _, tc := range cases {
			t.Run(f.name+"/"+tc.name, func(t *testing.T) {
				g, err := f.verifier.Verify(tc.token(t, f))
				if tc.want == nil {
					if err != nil {
						t.Fatalf("Verify: %v", err)
					}
					if g.Subject != "user:42" || g.Expiry.IsZero() {
						t.Fatalf("grant = %+v", g)
					}
					return
				}
				if !errors.Is(err, tc.want) {
					t.Fatalf("Verify error = %v, want %v", err, tc.want)
				}
				if g != nil {
					t.Fatalf("grant = %+v on error", g)
				}
				assertOneSentinel(t, err)
				t.Logf("error: %v", err)
			})
		}
	}
}

// assertOneSentinel fails unless err wraps exactly one sentinel error.
func assertOneSentinel(t *testing.T, err error) {
	t.Helper()
	var found []error
	for _, s := range []error{ErrNoToken, ErrMalformed, ErrWrongAlgorithm, ErrBadSignature,
		ErrExpired, ErrNotYetValid, ErrMissingExpiry, ErrMissingSubject, ErrWrongIssuer, ErrWrongAudience} {
		if errors.Is(err, s) {
			found = append(found, s)
		}
	}
	if len(found) != 1 {
		t.Fatalf("error %q wraps %d sentinels %v, want exactly one", err, len(found), found)
	}
}

func TestVerifyGrantContents(t *testing.T) {
	v := mustVerifier(t)(NewHS256Verifier(testSecret, Options{}))
	exp := time.Now().Add(time.Hour).Truncate(time.Second)
	c := with(validClaims(time.Hour), "exp", exp.Unix())
	g, err := v.Verify(sign(t, jwt.SigningMethodHS256, testSecret, c))
	if err != nil {
		t.Fatal(err)
	}
	if g.Subject != "user:42" || g.Identity() != "user:42" || !g.Expiry.Equal(exp) ||
		strings.Join(g.Subscribe, ",") != "orders:*,chat:room1" || strings.Join(g.Publish, ",") != "chat:*" {
		t.Fatalf("grant = %+v", g)
	}
}

// TestAlgorithmConfusion presents tokens of one family to a verifier of
// another. The classic attack signs an HS256 token with the RSA public key
// (its PEM, or its DER) as the HMAC secret.
func TestAlgorithmConfusion(t *testing.T) {
	k := testKeys()
	rsaPEM := pkixPEM(t, &k.rsa.PublicKey)
	rsaDER, _ := x509.MarshalPKIXPublicKey(&k.rsa.PublicKey)
	ecPEM := pkixPEM(t, &k.ec.PublicKey)
	rs := mustVerifier(t)(NewPublicKeyVerifier(rsaPEM, Options{}))
	es := mustVerifier(t)(NewPublicKeyVerifier(ecPEM, Options{}))
	hs := mustVerifier(t)(NewHS256Verifier(testSecret, Options{}))
	claims := validClaims(time.Hour)
	cases := []struct {
		name     string
		verifier *Verifier
		token    string
	}{
		{"HS256 keyed with the RSA PEM, to RS256", rs, sign(t, jwt.SigningMethodHS256, rsaPEM, claims)},
		{"HS256 keyed with the RSA DER, to RS256", rs, sign(t, jwt.SigningMethodHS256, rsaDER, claims)},
		{"HS256 keyed with the EC PEM, to ES256", es, sign(t, jwt.SigningMethodHS256, ecPEM, claims)},
		{"RS256 to HS256", hs, sign(t, jwt.SigningMethodRS256, k.rsa, claims)},
		{"ES256 to RS256", rs, sign(t, jwt.SigningMethodES256, k.ec, claims)},
		{"RS256 to ES256", es, sign(t, jwt.SigningMethodRS256, k.rsa, claims)},
		{"RS384 with the right key, to RS256", rs, sign(t, jwt.SigningMethodRS384, k.rsa, claims)},
		{"PS256 with the right key, to RS256", rs, sign(t, jwt.SigningMethodPS256, k.rsa, claims)},
		{"HS512 with the right secret, to HS256", hs, sign(t, jwt.SigningMethodHS512, testSecret, claims)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.verifier.Verify(tc.token)
			if !errors.Is(err, ErrWrongAlgorithm) {
				t.Fatalf("Verify error = %v, want ErrWrongAlgorithm", err)
			}
			assertOneSentinel(t, err)
			if strings.Contains(err.Error(), "unverifiable") {
				t.Errorf("error %q carries jwt's prefixes", err)
			}
		})
	}
}

func TestVerifyIssuerAudienceLeeway(t *testing.T) {
	opts := Options{Issuer: "https://login.example", Audience: "herald", Leeway: -1}
	v := mustVerifier(t)(NewHS256Verifier(testSecret, opts))
	good := with(with(validClaims(time.Hour), "iss", "https://login.example"), "aud", []string{"other", "herald"})
	cases := []struct {
		name   string
		claims jwt.MapClaims
		want   error
	}{
		{"issuer and audience", good, nil},
		{"audience as a string", with(good, "aud", "herald"), nil},
		{"wrong issuer", with(good, "iss", "https://evil.example"), ErrWrongIssuer},
		{"no issuer", with(good, "iss", nil), ErrWrongIssuer},
		{"wrong audience", with(good, "aud", "other"), ErrWrongAudience},
		{"no audience", with(good, "aud", nil), ErrWrongAudience},
		{"no leeway: expired 5s ago", with(good, "exp", time.Now().Add(-5*time.Second).Unix()), ErrExpired},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := v.Verify(sign(t, jwt.SigningMethodHS256, testSecret, tc.claims))
			if tc.want == nil {
				if err != nil {
					t.Fatalf("Verify: %v", err)
				}
				return
			}
			if !errors.Is(err, tc.want) {
				t.Fatalf("Verify error = %v, want %v", err, tc.want)
			}
			assertOneSentinel(t, err)
		})
	}
}

func TestSign(t *testing.T) {
	v := mustVerifier(t)(NewHS256Verifier(testSecret, Options{}))
	s, err := Sign(testSecret, "svc:billing", []string{"orders:*"}, []string{"orders:*", "audit"}, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	g, err := v.Verify(s)
	if err != nil {
		t.Fatal(err)
	}
	if g.Subject != "svc:billing" || !g.CanPublish("audit") || !g.CanSubscribe("orders:7") || g.CanSubscribe("audit") {
		t.Fatalf("grant = %+v", g)
	}
	if d := time.Until(g.Expiry); d <= 0 || d > time.Minute+time.Second {
		t.Fatalf("expiry in %v, want about a minute", d)
	}
	for name, call := range map[string]func() (string, error){
		"short secret": func() (string, error) { return Sign([]byte("short"), "a", nil, nil, time.Minute) },
		"empty sub":    func() (string, error) { return Sign(testSecret, "", nil, nil, time.Minute) },
		"zero ttl":     func() (string, error) { return Sign(testSecret, "a", nil, nil, 0) },
	} {
		if _, err := call(); err == nil {
			t.Errorf("%s: Sign succeeded", name)
		}
	}
}

func TestVerifyConcurrent(t *testing.T) {
	for _, f := range families(t) {
		good := sign(t, f.method, f.key, validClaims(time.Hour))
		bad := sign(t, f.method, f.otherKey, validClaims(time.Hour))
		var wg sync.WaitGroup
		for i := range 8 {
			wg.Go(func() {
				for range 20 {
					tok, ok := good, true
					if i%2 == 1 {
						tok, ok = bad, false
					}
					if _, err := f.verifier.Verify(tok); (err == nil) != ok {
						t.Errorf("%s: Verify = %v, want ok=%v", f.name, err, ok)
					}
				}
			})
		}
		wg.Wait()
	}
}

// Leeway reports the leeway Verify applies, after defaulting.
func TestVerifierLeeway(t *testing.T) {
	secret := []byte("0123456789abcdef0123456789abcdef")
	for _, tc := range []struct{ set, want time.Duration }{
		{0, DefaultLeeway},
		{-1, 0},
		{5 * time.Second, 5 * time.Second},
	} {
		v, err := NewHS256Verifier(secret, Options{Leeway: tc.set})
		if err != nil {
			t.Fatal(err)
		}
		if got := v.Leeway(); got != tc.want {
			t.Errorf("Options.Leeway %v: Leeway() = %v, want %v", tc.set, got, tc.want)
		}
	}
}
