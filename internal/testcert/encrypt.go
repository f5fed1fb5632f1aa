package testcert

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"path/filepath"
	"testing"
)

// EncryptedKeyFile writes the server key (KeyFile's) encrypted with pass
// as a PKCS#8 "ENCRYPTED PRIVATE KEY" under PBES2, PBKDF2 with
// HMAC-SHA256 and AES-256-CBC: what OpenSSL 3 writes by default (openssl
// pkcs8 -topk8 -v2 aes-256-cbc). It returns the file's path.
func (s *Set) EncryptedKeyFile(t testing.TB, pass string) string {
	t.Helper()
	plain, err := x509.MarshalPKCS8PrivateKey(s.serverKey)
	if err != nil {
		t.Fatal(err)
	}
	salt, iv := make([]byte, 16), make([]byte, aes.BlockSize)
	rand.Read(salt)
	rand.Read(iv)
	const iterations = 2048
	key, err := pbkdf2.Key(sha256.New, pass, salt, iterations, 32)
	if err != nil {
		t.Fatal(err)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		t.Fatal(err)
	}
	pad := aes.BlockSize - len(plain)%aes.BlockSize
	for range pad {
		plain = append(plain, byte(pad))
	}
	cipher.NewCBCEncrypter(block, iv).CryptBlocks(plain, plain)

	type algorithm = pkix.AlgorithmIdentifier
	raw := func(v any) asn1.RawValue {
		b, err := asn1.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return asn1.RawValue{FullBytes: b}
	}
	kdfParams := struct {
		Salt       []byte
		Iterations int
		KeyLength  int
		PRF        algorithm
	}{salt, iterations, 32, algorithm{Algorithm: asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 9}, Parameters: asn1.NullRawValue}}
	pbes2 := struct{ KDF, Cipher algorithm }{
		algorithm{Algorithm: asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 12}, Parameters: raw(kdfParams)},
		algorithm{Algorithm: asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 42}, Parameters: raw(iv)},
	}
	der, err := asn1.Marshal(struct {
		Algorithm algorithm
		Data      []byte
	}{algorithm{Algorithm: asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 13}, Parameters: raw(pbes2)}, plain})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(s.dir, "server-encrypted.key")
	writePEM(t, path, "ENCRYPTED PRIVATE KEY", der)
	return path
}
