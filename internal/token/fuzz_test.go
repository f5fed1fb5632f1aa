package token

import (
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// FuzzVerify feeds arbitrary strings to Verify: it must never panic, must
// refuse with exactly one sentinel error, and may accept only tokens with a
// subject.
func FuzzVerify(f *testing.F) {
	v := mustVerifier(f)(NewHS256Verifier(testSecret, Options{}))
	f.Add(sign(f, jwt.SigningMethodHS256, testSecret, validClaims(time.Hour)))
	f.Add(sign(f, jwt.SigningMethodHS256, testSecret, with(validClaims(time.Hour), "exp", nil)))
	f.Add(unsignedNone(f, validClaims(time.Hour)))
	f.Add("")
	f.Add("a.b.c")
	f.Add("eyJhbGciOiJIUzI1NiJ9.e30.")
	f.Fuzz(func(t *testing.T, s string) {
		g, err := v.Verify(s)
		if err != nil {
			if g != nil {
				t.Fatalf("grant %+v with error %v", g, err)
			}
			assertOneSentinel(t, err)
			return
		}
		if g.Subject == "" || g.Expiry.IsZero() {
			t.Fatalf("accepted %q as %+v", s, g)
		}
	})
}
