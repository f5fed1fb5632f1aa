package server

import (
	"encoding/pem"
	"os"
	"strings"
	"testing"

	"github.com/heraldhq/herald/internal/testcert"
)

// FuzzDecryptKeyPEM feeds decryptKeyPEM damaged encrypted keys: it must
// return an error or a key, never panic. Seeds: a good PBES2 key and its
// DER cut and flipped.
func FuzzDecryptKeyPEM(f *testing.F) {
	certs := testcert.New(f)
	good, err := os.ReadFile(certs.EncryptedKeyFile(f, "secret"))
	if err != nil {
		f.Fatal(err)
	}
	block, _ := pem.Decode(good)
	f.Add(block.Bytes, "secret")
	f.Add(block.Bytes, "wrong")
	f.Add(block.Bytes[:len(block.Bytes)/2], "secret")
	f.Add([]byte{0x30, 0x03, 0x02, 0x01, 0x01}, "")
	f.Fuzz(func(t *testing.T, der []byte, pass string) {
		in := pem.EncodeToMemory(&pem.Block{Type: "ENCRYPTED PRIVATE KEY", Bytes: der})
		out, err := decryptKeyPEM(in, pass)
		if err == nil && !strings.Contains(string(out), "PRIVATE KEY") {
			t.Fatalf("no key and no error: %q", out)
		}
	})
}

// Cipher lists from the fuzzer: an error or suites, never a panic, and
// never a TLS 1.3 suite in tls-ciphers.
func FuzzParseTLSCiphers(f *testing.F) {
	for _, seed := range []string{"", "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-SHA", "HIGH:!aNULL", "TLS_AES_128_GCM_SHA256", ",: \t"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, v string) {
		ids, err := ParseTLSCiphers(v)
		for _, id := range ids {
			if isTLS13Suite(id) {
				t.Fatalf("%q: TLS 1.3 suite %x", v, id)
			}
		}
		if err == nil && len(ids) == 0 && strings.Trim(v, ":, \t") != "" {
			t.Fatalf("%q: no suites and no error", v)
		}
		CheckTLSCipherSuites(v)
	})
}
