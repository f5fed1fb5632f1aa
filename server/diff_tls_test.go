package server

import (
	"crypto/tls"
	"fmt"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/heraldhq/herald/internal/testcert"
)

// TestDiffTLSConfig compares CONFIG SET and GET of the tls-* settings with
// a redis-server listening for TLS on the same certificates: refusals
// (files that do not load, bad names and values, duplicates) with Redis's
// texts, and values accepted and shown back. One session, as the
// redis-server keeps what a session sets.
func TestDiffTLSConfig(t *testing.T) {
	t.Parallel()
	certs := testcert.New(t)
	env := newDiffEnv(t, Config{TLSPort: 1, TLSCertFile: certs.CertFile, TLSKeyFile: certs.KeyFile, TLSCACertFile: certs.CAFile},
		"--tls-port", strconv.Itoa(freeTCPPort(t)), "--tls-cert-file", certs.CertFile, "--tls-key-file", certs.KeyFile,
		"--tls-ca-cert-file", certs.CAFile)
	missing := filepath.Join(t.TempDir(), "missing.pem")
	other, otherKey := certs.ServerCert(t, "other")
	env.run(t, []session{{name: "tls settings", script: fmt.Sprintf(`
		a: CONFIG GET tls-cert-file                              => 1
		a: CONFIG GET tls-key-file                               => 1
		a: CONFIG GET tls-ca-cert-file                           => 1
		a: CONFIG SET tls-cert-file %[1]s                        => 1
		a: CONFIG SET tls-key-file %[1]s                         => 1
		a: CONFIG SET tls-ca-cert-file %[1]s                     => 1
		a: CONFIG SET tls-cert-file %[2]s                        => 1
		a: CONFIG SET tls-cert-file %[2]s tls-key-file %[1]s     => 1
		a: CONFIG SET tls-key-file %[1]s tls-cert-file %[2]s     => 1
		a: CONFIG SET tls-port 1 tls-cert-file %[1]s             => 1
		a: CONFIG SET tls-cert-file %[2]s tls-cert-file %[2]s    => 1
		a: CONFIG GET tls-cert-file                              => 1
		a: CONFIG SET tls-cert-file %[2]s tls-key-file %[3]s     => 1
		a: CONFIG GET tls-cert-file                              => 1
		a: CONFIG GET tls-key-file                               => 1
		a: CONFIG SET tls-ciphers BOGUS                          => 1
		a: CONFIG SET tls-ciphersuites BOGUS                     => 1
		a: CONFIG SET tls-protocols "TLSv1.2 SSLv3"              => 1
		a: CONFIG SET tls-protocols "tlsv1.2 TLSv1.3"            => 1
		a: CONFIG GET tls-protocols                              => 1
		a: CONFIG SET tls-ciphers ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256 => 1
		a: CONFIG GET tls-ciphers                                => 1
		a: CONFIG SET tls-ciphers ""                             => 1
		a: CONFIG SET tls-ciphersuites TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256 => 1
		a: CONFIG GET tls-ciphersuites                           => 1
		a: CONFIG SET tls-ciphersuites ""                        => 1
		a: CONFIG SET tls-auth-clients maybe                     => 1
		a: CONFIG SET tls-auth-clients OPTIONAL                  => 1
		a: CONFIG GET tls-auth-clients                           => 1
		a: CONFIG SET tls-ca-cert-file ""                        => 1
		a: CONFIG SET tls-auth-clients no tls-ca-cert-file ""    => 1
		a: CONFIG GET tls-ca-cert-file                           => 1
		a: CONFIG SET tls-auth-clients yes                       => 1
		a: CONFIG SET tls-auth-clients yes tls-ca-cert-file %[4]s => 1
		a: CONFIG SET tls-prefer-server-ciphers maybe            => 1
		a: CONFIG SET tls-prefer-server-ciphers YES              => 1
		a: CONFIG GET tls-prefer-server-ciphers                  => 1
		a: CONFIG SET tls-prefer-server-ciphers no               => 1
		a: CONFIG SET tls-key-file-pass secret                   => 1
		a: CONFIG GET tls-key-file-pass                          => 1
		a: CONFIG SET tls-key-file-pass ""                       => 1
		a: CONFIG SET tls-port abc                               => 1
		a: CONFIG SET tls-port 70000                             => 1
		a: CONFIG SET tls-port -1                                => 1
		a: CONFIG GET tls-ca-cert-dir                            => 1
		a: CONFIG SET tls-cert-file %[5]s tls-key-file %[6]s     => 1
	`, missing, other, otherKey, certs.CAFile, certs.CertFile, certs.KeyFile)}})
}

// Without a TLS port the tls-* settings are stored unchecked, as Redis
// does, and checked when tls-port turns TLS on.
func TestDiffTLSConfigOff(t *testing.T) {
	t.Parallel()
	env := newDiffEnv(t, Config{})
	missing := filepath.Join(t.TempDir(), "missing.pem")
	env.run(t, []session{{name: "tls off", script: fmt.Sprintf(`
		a: CONFIG GET tls-port                                   => 1
		a: CONFIG GET tls-auth-clients                           => 1
		a: CONFIG SET tls-cert-file %[1]s tls-key-file %[1]s     => 1
		a: CONFIG GET tls-cert-file                              => 1
		a: CONFIG SET tls-ciphers ""                             => 1
		a: CONFIG SET tls-port %[2]d                             => 1
		a: CONFIG SET tls-port %[2]d tls-ciphers ""              => 1
		a: CONFIG SET tls-ciphers "" tls-port %[2]d              => 1
		a: CONFIG GET tls-port                                   => 1
		a: CONFIG SET tls-cert-file "" tls-key-file ""           => 1
	`, missing, freeTCPPort(t))}})
}

// tls-auth-clients applies to new connections without loading anything:
// yes with no CA to verify against lets no client in, as with Redis.
func TestTLSConfigSetAuthClients(t *testing.T) {
	certs := testcert.New(t)
	s := startServer(t, Config{TLSPort: 1, TLSCertFile: certs.CertFile, TLSKeyFile: certs.KeyFile, TLSAuthClients: "no"})
	admin := dial(t, s.Addr())
	admin.mustDo("+OK\r\n", "CONFIG", "SET", "tls-auth-clients", "yes")
	for _, cert := range []*tls.Certificate{nil, &certs.Client} {
		if nc, err := tryTLS(s.TLSAddr().String(), certs.ClientConfig(cert)); err == nil {
			nc.Close()
			t.Fatalf("tls-auth-clients yes without a CA let a client in (certificate %v)", cert != nil)
		}
	}
	admin.mustDo("+OK\r\n", "CONFIG", "SET", "tls-auth-clients", "optional", "tls-ca-cert-file", certs.CAFile)
	dialTLS(t, s, certs.ClientConfig(nil))
	dialTLS(t, s, certs.ClientConfig(&certs.Client))
	stranger := testcert.New(t).Client
	if nc, err := tryTLS(s.TLSAddr().String(), certs.ClientConfig(&stranger)); err == nil {
		nc.Close()
		t.Fatal("a certificate of another CA got in")
	}
	admin.mustDo("+OK\r\n", "CONFIG", "SET", "tls-auth-clients", "no")
	dialTLS(t, s, certs.ClientConfig(&stranger))
}
