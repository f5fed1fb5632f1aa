package token

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"

	"github.com/golang-jwt/jwt/v5"
)

// MinRSABits is the smallest RSA modulus accepted for RS256.
const MinRSABits = 2048

// parsePublicKey reads the one PEM public key in pemBytes and returns the
// algorithm it verifies and the key.
func parsePublicKey(pemBytes []byte) (alg string, key any, err error) {
	block, rest := pem.Decode(pemBytes)
	if block == nil {
		return "", nil, errors.New("token: no PEM block found in the public key (want -----BEGIN PUBLIC KEY-----)")
	}
	if next, _ := pem.Decode(rest); next != nil {
		return "", nil, fmt.Errorf("token: the public key file holds more than one PEM block (%s, then %s); give exactly one key", block.Type, next.Type)
	}
	switch block.Type {
	case "PUBLIC KEY":
		key, err = x509.ParsePKIXPublicKey(block.Bytes)
		if err != nil {
			return "", nil, fmt.Errorf("token: parsing the PUBLIC KEY block: %w", err)
		}
	case "RSA PUBLIC KEY":
		key, err = x509.ParsePKCS1PublicKey(block.Bytes)
		if err != nil {
			return "", nil, fmt.Errorf("token: parsing the RSA PUBLIC KEY block: %w", err)
		}
	case "PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY", "ENCRYPTED PRIVATE KEY":
		return "", nil, fmt.Errorf("token: got a %s; Herald needs only the public key (openssl pkey -in key.pem -pubout)", block.Type)
	case "CERTIFICATE":
		return "", nil, errors.New("token: got a CERTIFICATE; give its public key instead (openssl x509 -in cert.pem -pubkey -noout)")
	default:
		return "", nil, fmt.Errorf("token: unsupported PEM block %q (want PUBLIC KEY, or RSA PUBLIC KEY)", block.Type)
	}
	return algorithmFor(key)
}

// algorithmFor returns the one algorithm key verifies, refusing key types
// and sizes Herald does not accept.
func algorithmFor(key any) (string, any, error) {
	switch k := key.(type) {
	case *rsa.PublicKey:
		if bits := k.N.BitLen(); bits < MinRSABits {
			return "", nil, fmt.Errorf("token: RSA key has %d bits; RS256 needs at least %d", bits, MinRSABits)
		}
		return jwt.SigningMethodRS256.Alg(), k, nil
	case *ecdsa.PublicKey:
		if k.Curve != elliptic.P256() {
			return "", nil, fmt.Errorf("token: ECDSA key is on curve %s; ES256 needs P-256", k.Curve.Params().Name)
		}
		return jwt.SigningMethodES256.Alg(), k, nil
	case ed25519.PublicKey:
		return "", nil, errors.New("token: Ed25519 (EdDSA) keys are not supported; use an RSA (RS256) or ECDSA P-256 (ES256) key")
	default:
		return "", nil, fmt.Errorf("token: unsupported public key type %T; use an RSA (RS256) or ECDSA P-256 (ES256) key", key)
	}
}

// checkSecret refuses HS256 secrets that are too short to be safe.
func checkSecret(secret []byte) error {
	if len(bytes.TrimSpace(secret)) == 0 {
		return errors.New("token: the HS256 secret is empty")
	}
	if len(secret) < MinSecretBytes {
		return fmt.Errorf("token: the HS256 secret has %d bytes; it needs at least %d (openssl rand -base64 32)", len(secret), MinSecretBytes)
	}
	return nil
}
