package token

import (
	"errors"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Sign returns an HS256 token for sub that may subscribe to the subscribe
// globs and publish to the publish globs, valid for ttl from now. It is for
// tests, the README's example token command and local tooling; production
// tokens come from the application's own login service.
func Sign(secret []byte, sub string, subscribe, publish []string, ttl time.Duration) (string, error) {
	if err := checkSecret(secret); err != nil {
		return "", err
	}
	if sub == "" {
		return "", errors.New("token: sub is empty")
	}
	if ttl <= 0 {
		return "", errors.New("token: ttl must be positive")
	}
	now := time.Now()
	c := claims{
		RegisteredClaims: jwt.RegisteredClaims{
			Subject:   sub,
			IssuedAt:  jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(now.Add(ttl)),
		},
		Subscribe: subscribe,
		Publish:   publish,
	}
	return jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString(secret)
}
