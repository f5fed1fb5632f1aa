// Package testcert makes a CA, a server certificate and client
// certificates at run time, for TLS tests.
package testcert

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"
)

// Set is a CA, a server certificate for 127.0.0.1 and a client certificate
// it signed, written as PEM files in a test's temporary directory.
type Set struct {
	CAFile, CertFile, KeyFile string
	// CAPool holds the CA, for clients to verify the server with.
	CAPool *x509.CertPool
	// Client is a client certificate the CA signed.
	Client tls.Certificate

	ca        *x509.Certificate
	caKey     *ecdsa.PrivateKey
	serverKey *ecdsa.PrivateKey
	dir       string
}

// New writes a Set into t.TempDir().
func New(t testing.TB) *Set {
	t.Helper()
	dir := t.TempDir()
	s := &Set{
		dir:      dir,
		CAFile:   filepath.Join(dir, "ca.crt"),
		CertFile: filepath.Join(dir, "server.crt"),
		KeyFile:  filepath.Join(dir, "server.key"),
		CAPool:   x509.NewCertPool(),
	}
	s.caKey = newKey(t)
	caDER := create(t, &x509.Certificate{
		Subject:               pkix.Name{CommonName: "Herald test CA"},
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}, nil, s.caKey, nil)
	var err error
	if s.ca, err = x509.ParseCertificate(caDER); err != nil {
		t.Fatal(err)
	}
	s.CAPool.AddCert(s.ca)
	writePEM(t, s.CAFile, "CERTIFICATE", caDER)

	s.serverKey = s.writeServerCert(t, "127.0.0.1", s.CertFile, s.KeyFile)
	s.Client = s.ClientCert(t, "client")
	return s
}

// ServerCert writes another certificate for 127.0.0.1 that the CA
// signed, with name as its common name, and its key, into the Set's
// directory, and returns their paths.
func (s *Set) ServerCert(t testing.TB, name string) (certFile, keyFile string) {
	t.Helper()
	certFile = filepath.Join(s.dir, name+".crt")
	keyFile = filepath.Join(s.dir, name+".key")
	s.writeServerCert(t, name, certFile, keyFile)
	return certFile, keyFile
}

func (s *Set) writeServerCert(t testing.TB, name, certFile, keyFile string) *ecdsa.PrivateKey {
	t.Helper()
	key := newKey(t)
	der := create(t, &x509.Certificate{
		Subject:     pkix.Name{CommonName: name},
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
		DNSNames:    []string{"localhost"},
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}, s.ca, key, s.caKey)
	writePEM(t, certFile, "CERTIFICATE", der)
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	writePEM(t, keyFile, "EC PRIVATE KEY", keyDER)
	return key
}

// CADir returns a new directory holding the CA certificate, beside a file
// that is no certificate and a subdirectory, as tls-ca-cert-dir may be.
func (s *Set) CADir(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	writePEM(t, filepath.Join(dir, "ca.pem"), "CERTIFICATE", s.ca.Raw)
	if err := os.WriteFile(filepath.Join(dir, "README"), []byte("not a certificate\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "sub"), 0o700); err != nil {
		t.Fatal(err)
	}
	return dir
}

// ClientCert returns a client certificate for name that the CA signed.
func (s *Set) ClientCert(t testing.TB, name string) tls.Certificate {
	t.Helper()
	key := newKey(t)
	der := create(t, &x509.Certificate{
		Subject:     pkix.Name{CommonName: name},
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}, s.ca, key, s.caKey)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

// ClientConfig returns a client configuration that trusts the CA and
// presents cert if it is not nil.
func (s *Set) ClientConfig(cert *tls.Certificate) *tls.Config {
	c := &tls.Config{RootCAs: s.CAPool, ServerName: "127.0.0.1"}
	if cert != nil {
		c.Certificates = []tls.Certificate{*cert}
	}
	return c
}

var serial atomic.Int64

func newKey(t testing.TB) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// create signs tmpl with parentKey (self-signed when parent is nil).
func create(t testing.TB, tmpl, parent *x509.Certificate, key, parentKey *ecdsa.PrivateKey) []byte {
	t.Helper()
	tmpl.SerialNumber = big.NewInt(time.Now().UnixNano() + serial.Add(1))
	tmpl.NotBefore = time.Now().Add(-time.Hour)
	tmpl.NotAfter = time.Now().Add(24 * time.Hour)
	if parent == nil {
		parent, parentKey = tmpl, key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, parentKey)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

func writePEM(t testing.TB, path, typ string, der []byte) {
	t.Helper()
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
}
