package token

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

func TestNewPublicKeyVerifierForms(t *testing.T) {
	k := testKeys()
	pkcs1 := pem.EncodeToMemory(&pem.Block{Type: "RSA PUBLIC KEY", Bytes: x509.MarshalPKCS1PublicKey(&k.rsa.PublicKey)})
	cases := []struct {
		name   string
		pem    []byte
		alg    string
		method jwt.SigningMethod
		key    any
	}{
		{"PKIX RSA", pkixPEM(t, &k.rsa.PublicKey), "RS256", jwt.SigningMethodRS256, k.rsa},
		{"PKCS#1 RSA", pkcs1, "RS256", jwt.SigningMethodRS256, k.rsa},
		{"PKIX ECDSA P-256", pkixPEM(t, &k.ec.PublicKey), "ES256", jwt.SigningMethodES256, k.ec},
		{"text around the block", append(append([]byte("my key\n"), pkixPEM(t, &k.ec.PublicKey)...), "\n"...), "ES256", jwt.SigningMethodES256, k.ec},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v := mustVerifier(t)(NewPublicKeyVerifier(tc.pem, Options{}))
			if v.Algorithm() != tc.alg {
				t.Fatalf("Algorithm = %s, want %s", v.Algorithm(), tc.alg)
			}
			if _, err := v.Verify(sign(t, tc.method, tc.key, validClaims(time.Minute))); err != nil {
				t.Fatalf("Verify: %v", err)
			}
		})
	}
}

func TestNewPublicKeyVerifierRefuses(t *testing.T) {
	k := testKeys()
	p384, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	edPub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	pkcs8, _ := x509.MarshalPKCS8PrivateKey(k.rsa)
	ecPriv, _ := x509.MarshalECPrivateKey(k.ec)
	block := func(typ string, der []byte) []byte { return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}) }
	cases := []struct {
		name    string
		pem     []byte
		wantErr string
	}{
		{"empty", nil, "no PEM block"},
		{"not PEM", []byte("hello"), "no PEM block"},
		{"PKCS#8 private key", block("PRIVATE KEY", pkcs8), "public key"},
		{"PKCS#1 private key", block("RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(k.rsa)), "public key"},
		{"EC private key", block("EC PRIVATE KEY", ecPriv), "public key"},
		{"certificate", block("CERTIFICATE", []byte{1, 2, 3}), "openssl x509"},
		{"unknown block", block("OPENSSH PRIVATE KEY", []byte{1}), "unsupported PEM block"},
		{"garbage in PUBLIC KEY", block("PUBLIC KEY", []byte{1, 2, 3}), "parsing the PUBLIC KEY"},
		{"garbage in RSA PUBLIC KEY", block("RSA PUBLIC KEY", []byte{1, 2, 3}), "parsing the RSA PUBLIC KEY"},
		{"ECDSA P-384", pkixPEM(t, &p384.PublicKey), "P-384"},
		{"RSA 1024", pkixPEM(t, &small.PublicKey), "1024 bits"},
		{"Ed25519", pkixPEM(t, edPub), "Ed25519"},
		{"two keys", append(pkixPEM(t, &k.rsa.PublicKey), pkixPEM(t, &k.ec.PublicKey)...), "more than one"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v, err := NewPublicKeyVerifier(tc.pem, Options{})
			if err == nil || v != nil {
				t.Fatalf("NewPublicKeyVerifier succeeded")
			}
			if !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("error %q does not say %q", err, tc.wantErr)
			}
		})
	}
}

func TestNewHS256VerifierRefuses(t *testing.T) {
	for name, secret := range map[string][]byte{
		"nil":    nil,
		"blank":  []byte("   "),
		"short":  []byte("0123456789abcdef0123456789abcde"), // 31 bytes
		"spaces": []byte(strings.Repeat(" ", MinSecretBytes)),
	} {
		if _, err := NewHS256Verifier(secret, Options{}); err == nil {
			t.Errorf("%s secret accepted", name)
		}
	}
	secret := []byte(strings.Repeat("k", MinSecretBytes))
	v := mustVerifier(t)(NewHS256Verifier(secret, Options{}))
	tok := sign(t, jwt.SigningMethodHS256, append([]byte(nil), secret...), validClaims(time.Minute))
	secret[0] = 'x' // the verifier keeps its own copy
	if _, err := v.Verify(tok); err != nil {
		t.Fatalf("Verify after the caller changed its secret: %v", err)
	}
}
