package server

import (
	"bufio"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/testcert"
)

// dialTLS connects to s's TLS listener with tc and fails the test if the
// handshake does.
func dialTLS(t *testing.T, s *Server, tc *tls.Config) (*testClient, *tls.Conn) {
	t.Helper()
	nc, err := tryTLS(s.TLSAddr().String(), tc)
	if err != nil {
		t.Fatalf("TLS dial: %v", err)
	}
	t.Cleanup(func() { nc.Close() })
	return &testClient{t: t, conn: nc, r: bufio.NewReader(nc)}, nc
}

// tryTLS dials addr and completes the handshake and a PING, returning the
// connection or why it failed. (In TLS 1.3 a server refusing the client's
// certificate says so after the client's handshake is done, so the PING
// is what finds out.)
func tryTLS(addr string, tc *tls.Config) (*tls.Conn, error) {
	nc, err := tls.DialWithDialer(&net.Dialer{Timeout: 5 * time.Second}, "tcp", addr, tc)
	if err != nil {
		return nil, err
	}
	nc.SetDeadline(time.Now().Add(5 * time.Second))
	buf := make([]byte, 7)
	if _, err = nc.Write(encodeCommand("PING")); err == nil {
		_, err = io.ReadFull(nc, buf)
	}
	if err == nil && string(buf) != "+PONG\r\n" {
		err = fmt.Errorf("PING: %q", buf)
	}
	if err != nil {
		nc.Close()
		return nil, err
	}
	nc.SetDeadline(time.Time{})
	return nc, nil
}

// peerName is the common name of the certificate the server showed.
func peerName(nc *tls.Conn) string {
	return nc.ConnectionState().PeerCertificates[0].Subject.CommonName
}

// configSetErr is Redis's reply when applying new TLS settings fails.
func configSetErr(name string) string {
	return "-ERR CONFIG SET failed (possibly related to argument '" + name + "') - Unable to update TLS configuration. Check server logs.\r\n"
}

// freeTCPPort returns a port that was free a moment ago.
func freeTCPPort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// CONFIG SET of the certificate reloads it: a new connection gets the new
// one, a connection made before keeps working on the old one.
func TestTLSConfigSetReload(t *testing.T) {
	certs := testcert.New(t)
	s := startTLSServer(t, certs, "no", "")
	admin := dial(t, s.Addr())
	old, oldTLS := dialTLS(t, s, certs.ClientConfig(nil))
	if got := peerName(oldTLS); got != "127.0.0.1" {
		t.Fatalf("first certificate: %q", got)
	}
	certFile, keyFile := certs.ServerCert(t, "reloaded")
	admin.mustDo("+OK\r\n", "CONFIG", "SET", "tls-cert-file", certFile, "tls-key-file", keyFile)
	admin.mustDo(fmt.Sprintf("*2\r\n$13\r\ntls-cert-file\r\n$%d\r\n%s\r\n", len(certFile), certFile), "CONFIG", "GET", "tls-cert-file")

	_, fresh := dialTLS(t, s, certs.ClientConfig(nil))
	if got := peerName(fresh); got != "reloaded" {
		t.Fatalf("a new connection got the certificate of %q", got)
	}
	old.mustDo("+PONG\r\n", "PING")
	// Over the reloaded listener too: the old connection still receives.
	old.mustDo("*3\r\n$9\r\nsubscribe\r\n$4\r\nnews\r\n:1\r\n", "SUBSCRIBE", "news")
	admin.mustDo(":1\r\n", "PUBLISH", "news", "hi")
	old.mustRead("*3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n$2\r\nhi\r\n")
}

// Bad values are refused with Redis's error, and the settings in force
// stay: CONFIG GET shows them and new connections are served with them.
func TestTLSConfigSetRefused(t *testing.T) {
	certs := testcert.New(t)
	s := startTLSServer(t, certs, "yes", "")
	admin := dial(t, s.Addr())
	dir := t.TempDir()
	garbage := filepath.Join(dir, "garbage.pem")
	if err := os.WriteFile(garbage, []byte("not a certificate\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "missing.pem")
	otherCert, otherKey := certs.ServerCert(t, "other")
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	busyPort := strconv.Itoa(busy.Addr().(*net.TCPAddr).Port)
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"MissingCert", []string{"tls-cert-file", missing}, configSetErr("tls-cert-file")},
		{"GarbageCert", []string{"tls-cert-file", garbage}, configSetErr("tls-cert-file")},
		{"CertWithoutItsKey", []string{"tls-cert-file", otherCert}, configSetErr("tls-cert-file")},
		{"KeyWithoutItsCert", []string{"tls-key-file", otherKey}, configSetErr("tls-key-file")},
		// Atomic: the first TLS setting given is named, nothing is applied.
		{"PairWithMissingKey", []string{"tls-cert-file", otherCert, "tls-key-file", missing}, configSetErr("tls-cert-file")},
		{"MissingCA", []string{"tls-ca-cert-file", missing}, configSetErr("tls-ca-cert-file")},
		{"GarbageCA", []string{"tls-ca-cert-file", garbage}, configSetErr("tls-ca-cert-file")},
		{"MissingCADir", []string{"tls-ca-cert-dir", missing}, configSetErr("tls-ca-cert-dir")},
		{"NoCA", []string{"tls-ca-cert-file", ""}, configSetErr("tls-ca-cert-file")},
		{"Ciphers", []string{"tls-ciphers", "BOGUS"}, configSetErr("tls-ciphers")},
		{"CipherSuites", []string{"tls-ciphersuites", "TLS_AES_128_GCM_SHA256"}, configSetErr("tls-ciphersuites")},
		{"Protocols", []string{"tls-protocols", "TLSv1.2 SSLv3"}, configSetErr("tls-protocols")},
		{"EncryptedKeyWithoutPass", []string{"tls-key-file", certs.EncryptedKeyFile(t, "secret")}, configSetErr("tls-key-file")},
		{"AuthClients", []string{"tls-auth-clients", "maybe"},
			"-ERR CONFIG SET failed (possibly related to argument 'tls-auth-clients') - argument(s) must be one of the following: no, yes, optional\r\n"},
		{"PreferServerCiphers", []string{"tls-prefer-server-ciphers", "maybe"},
			"-ERR CONFIG SET failed (possibly related to argument 'tls-prefer-server-ciphers') - argument must be 'yes' or 'no'\r\n"},
		{"PortNotANumber", []string{"tls-port", "abc"},
			"-ERR CONFIG SET failed (possibly related to argument 'tls-port') - argument couldn't be parsed into an integer\r\n"},
		{"PortTooLarge", []string{"tls-port", "70000"},
			"-ERR CONFIG SET failed (possibly related to argument 'tls-port') - argument must be between 0 and 65535 inclusive\r\n"},
		{"PortInUse", []string{"tls-port", busyPort},
			"-ERR CONFIG SET failed (possibly related to argument 'tls-port') - Unable to listen on this port. Check server logs.\r\n"},
		// The plain listener moves back when the TLS one cannot move.
		{"PortMovedTLSPortInUse", []string{"port", strconv.Itoa(freeTCPPort(t)), "tls-port", busyPort},
			"-ERR CONFIG SET failed (possibly related to argument 'tls-port') - Unable to listen on this port. Check server logs.\r\n"},
		{"Duplicate", []string{"tls-cert-file", otherCert, "tls-cert-file", otherCert},
			"-ERR CONFIG SET failed (possibly related to argument 'tls-cert-file') - duplicate parameter\r\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := s.settings().Config
			addr, tlsAddr := s.Addr().String(), s.TLSAddr().String()
			admin.mustDo(tc.want, append([]string{"CONFIG", "SET"}, tc.args...)...)
			after := s.settings().Config
			if after.TLSCertFile != before.TLSCertFile || after.TLSKeyFile != before.TLSKeyFile ||
				after.TLSCACertFile != before.TLSCACertFile || after.TLSCACertDir != before.TLSCACertDir ||
				after.TLSCiphers != before.TLSCiphers || after.TLSAuthClients != before.TLSAuthClients ||
				s.TLSAddr().String() != tlsAddr || s.Addr().String() != addr || after.Port != before.Port {
				t.Fatalf("settings changed: %+v", after)
			}
			_, nc := dialTLS(t, s, certs.ClientConfig(&certs.Client))
			if got := peerName(nc); got != "127.0.0.1" {
				t.Fatalf("new connection got the certificate of %q", got)
			}
		})
	}
}

// tls-port at run time opens, moves and closes the TLS listener, as
// Redis's CONFIG SET tls-port; connections already made stay. With no TLS
// port, the TLS settings are stored unchecked, as Redis does, and checked
// when a port turns TLS on.
func TestTLSConfigSetPort(t *testing.T) {
	certs := testcert.New(t)
	s := startServer(t, Config{TLSAuthClients: "no"})
	admin := dial(t, s.Addr())
	if s.TLSAddr() != nil {
		t.Fatal("a TLS listener without tls-port")
	}
	admin.mustDo("+OK\r\n", "CONFIG", "SET", "tls-cert-file", filepath.Join(t.TempDir(), "missing"))
	port := strconv.Itoa(freeTCPPort(t))
	admin.mustDo(configSetErr("tls-port"), "CONFIG", "SET", "tls-port", port)
	admin.mustDo("*2\r\n$8\r\ntls-port\r\n$1\r\n0\r\n", "CONFIG", "GET", "tls-port")
	if s.TLSAddr() != nil {
		t.Fatal("listening for TLS after a refused tls-port")
	}

	admin.mustDo("+OK\r\n", "CONFIG", "SET", "tls-port", port, "tls-cert-file", certs.CertFile, "tls-key-file", certs.KeyFile)
	admin.mustDo("*2\r\n$8\r\ntls-port\r\n$"+strconv.Itoa(len(port))+"\r\n"+port+"\r\n", "CONFIG", "GET", "tls-port")
	first, _ := dialTLS(t, s, certs.ClientConfig(nil))

	moved := strconv.Itoa(freeTCPPort(t))
	admin.mustDo("+OK\r\n", "CONFIG", "SET", "tls-port", moved)
	if got := s.TLSAddr().String(); got != "127.0.0.1:"+moved {
		t.Fatalf("TLS listener at %s", got)
	}
	if nc, err := tryTLS("127.0.0.1:"+port, certs.ClientConfig(nil)); err == nil {
		nc.Close()
		t.Fatal("the old TLS port still accepts")
	}
	dialTLS(t, s, certs.ClientConfig(nil))
	first.mustDo("+PONG\r\n", "PING")

	// bind moves the TLS listeners too, as Redis's changeBindAddr.
	admin.mustDo("+OK\r\n", "CONFIG", "SET", "bind", "127.0.0.2")
	admin = dial(t, s.Addr())
	if got := s.TLSAddr().String(); got != "127.0.0.2:"+moved {
		t.Fatalf("after CONFIG SET bind, TLS listener at %s", got)
	}
	dialTLS(t, s, certs.ClientConfig(nil))
	first.mustDo("+PONG\r\n", "PING")

	admin.mustDo("+OK\r\n", "CONFIG", "SET", "tls-port", "0")
	if s.TLSAddr() != nil {
		t.Fatal("listening for TLS after tls-port 0")
	}
	first.mustDo("+PONG\r\n", "PING")
}

// tls-ciphers limits the TLS 1.2 suites: a client offering only another
// one fails the handshake; CONFIG SET changes the rule for new
// connections.
func TestTLSCiphers(t *testing.T) {
	certs := testcert.New(t) // ECDSA certificates: the ECDHE-ECDSA suites
	s := startServer(t, Config{TLSPort: 1, TLSCertFile: certs.CertFile, TLSKeyFile: certs.KeyFile, TLSAuthClients: "no",
		TLSProtocols: "TLSv1.2", TLSCiphers: "ECDHE-ECDSA-AES128-GCM-SHA256"})
	offering := func(id uint16) *tls.Config {
		tc := certs.ClientConfig(nil)
		tc.CipherSuites = []uint16{id}
		return tc
	}
	allowed, other := uint16(tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256), uint16(tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384)
	_, nc := dialTLS(t, s, offering(allowed))
	if got := nc.ConnectionState().CipherSuite; got != allowed {
		t.Fatalf("negotiated %s", tls.CipherSuiteName(got))
	}
	if nc, err := tryTLS(s.TLSAddr().String(), offering(other)); err == nil {
		nc.Close()
		t.Fatal("a client offering only a suite left out got in")
	}

	admin := dial(t, s.Addr())
	admin.mustDo("+OK\r\n", "CONFIG", "SET", "tls-ciphers", "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305")
	dialTLS(t, s, offering(other))
	if nc, err := tryTLS(s.TLSAddr().String(), offering(allowed)); err == nil {
		nc.Close()
		t.Fatal("the suite CONFIG SET left out still gets in")
	}
	admin.mustDo("+OK\r\n", "CONFIG", "SET", "tls-ciphers", "")
	dialTLS(t, s, offering(allowed))
}

func TestParseTLSCiphers(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []uint16
		err  string
	}{
		{"", nil, ""},
		{"ECDHE-RSA-AES128-GCM-SHA256", []uint16{tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256}, ""},
		{"ecdhe-rsa-aes128-gcm-sha256:TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, ECDHE-RSA-AES256-SHA",
			[]uint16{tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, tls.TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA}, ""},
		{"ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256", []uint16{tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256}, ""},
		{"ECDHE-RSA-AES128-GCM-SHA256:BOGUS", nil, `unknown cipher "BOGUS"`},
		{"HIGH:!aNULL", nil, `unknown cipher "HIGH"`},
		{"TLS_RSA_WITH_AES_128_CBC_SHA", nil, "insecure"},
		{"ECDHE-RSA-AES128-GCM-SHA256:aes128-sha", nil, "insecure"},
		{"DHE-RSA-AES128-GCM-SHA256", nil, "unknown cipher"},
		{"TLS_AES_128_GCM_SHA256", nil, "tls-ciphersuites"},
		{":", nil, "no cipher"},
	} {
		got, err := ParseTLSCiphers(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%q: error %v, want one saying %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("%q: %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
}

// tls-ciphersuites takes only what Go can honour: nothing, or all three
// of the TLS 1.3 suites it always offers.
func TestCheckTLSCipherSuites(t *testing.T) {
	for in, ok := range map[string]bool{
		"": true,
		"TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256": true,
		"TLS_CHACHA20_POLY1305_SHA256:tls_aes_256_gcm_sha384:TLS_AES_128_GCM_SHA256": true,
		"TLS_AES_128_GCM_SHA256":                        false,
		"TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384": false,
		"TLS_AES_128_CCM_SHA256":                        false,
		"ECDHE-RSA-AES128-GCM-SHA256":                   false,
	} {
		if err := CheckTLSCipherSuites(in); (err == nil) != ok {
			t.Errorf("%q: %v", in, err)
		}
	}
	certs := testcert.New(t)
	s := startTLSServer(t, certs, "no", "")
	admin := dial(t, s.Addr())
	all := "TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256"
	admin.mustDo("+OK\r\n", "CONFIG", "SET", "tls-ciphersuites", all, "tls-prefer-server-ciphers", "YES")
	admin.mustDo(fmt.Sprintf("*4\r\n$16\r\ntls-ciphersuites\r\n$%d\r\n%s\r\n$25\r\ntls-prefer-server-ciphers\r\n$3\r\nyes\r\n", len(all), all),
		"CONFIG", "GET", "tls-ciphersuites", "tls-prefer-server-ciphers")
	dialTLS(t, s, certs.ClientConfig(nil))
}

// tls-ca-cert-dir: every certificate file in the directory is a CA that
// client certificates are verified against; CONFIG SET swaps the
// directory for new connections.
func TestTLSCACertDir(t *testing.T) {
	certs := testcert.New(t)
	s := startServer(t, Config{TLSPort: 1, TLSCertFile: certs.CertFile, TLSKeyFile: certs.KeyFile, TLSCACertDir: certs.CADir(t)})
	withCert := certs.ClientConfig(&certs.Client)
	dialTLS(t, s, withCert)
	if nc, err := tryTLS(s.TLSAddr().String(), certs.ClientConfig(nil)); err == nil {
		nc.Close()
		t.Fatal("a client without a certificate got in")
	}
	other := testcert.New(t)
	admin := dial(t, s.Addr())
	admin.mustDo("+OK\r\n", "CONFIG", "SET", "tls-ca-cert-dir", other.CADir(t))
	if nc, err := tryTLS(s.TLSAddr().String(), withCert); err == nil {
		nc.Close()
		t.Fatal("a certificate of the CA no longer trusted got in")
	}
	dialTLS(t, s, certs.ClientConfig(&other.Client))
	// The file and the directory together.
	admin.mustDo("+OK\r\n", "CONFIG", "SET", "tls-ca-cert-file", certs.CAFile)
	dialTLS(t, s, withCert)
	dialTLS(t, s, certs.ClientConfig(&other.Client))
}

// tls-key-file-pass decrypts a PKCS#8 key under PBES2, the form OpenSSL 3
// writes; without it, or with a wrong one, the key is refused.
func TestTLSKeyFilePass(t *testing.T) {
	certs := testcert.New(t)
	encrypted := certs.EncryptedKeyFile(t, "secret")
	cfg := Config{TLSPort: 1, TLSCertFile: certs.CertFile, TLSKeyFile: encrypted, TLSAuthClients: "no"}
	for pass, want := range map[string]string{"": "set tls-key-file-pass", "wrong": "wrong tls-key-file-pass"} {
		cfg.TLSKeyFilePass = pass
		if s, err := StartLocal(cfg); err == nil {
			s.Close()
			t.Fatalf("started with pass %q", pass)
		} else if !strings.Contains(err.Error(), want) {
			t.Fatalf("pass %q: %v", pass, err)
		}
	}
	cfg.TLSKeyFilePass = "secret"
	s := startServer(t, cfg)
	dialTLS(t, s, certs.ClientConfig(nil))

	// At run time: the key and its pass together.
	plain := startTLSServer(t, certs, "no", "")
	admin := dial(t, plain.Addr())
	admin.mustDo(configSetErr("tls-key-file-pass"), "CONFIG", "SET", "tls-key-file-pass", "wrong", "tls-key-file", encrypted)
	admin.mustDo("+OK\r\n", "CONFIG", "SET", "tls-key-file-pass", "secret", "tls-key-file", encrypted)
	dialTLS(t, plain, certs.ClientConfig(nil))
	admin.mustDo("*2\r\n$17\r\ntls-key-file-pass\r\n$6\r\nsecret\r\n", "CONFIG", "GET", "tls-key-file-pass")
	// As with OpenSSL, a pass given for a key that is not encrypted is
	// ignored.
	admin.mustDo("+OK\r\n", "CONFIG", "SET", "tls-key-file", certs.KeyFile)
	dialTLS(t, plain, certs.ClientConfig(nil))
}

// A key encrypted by OpenSSL itself, when the openssl command is here.
func TestTLSKeyFilePassOpenSSL(t *testing.T) {
	openssl, err := exec.LookPath("openssl")
	if err != nil {
		t.Skip("no openssl command")
	}
	certs := testcert.New(t)
	for _, args := range [][]string{
		{"-v2", "aes-256-cbc"},
		{"-v2", "aes-128-cbc", "-v2prf", "hmacWithSHA1"},
	} {
		out := filepath.Join(t.TempDir(), "key.pem")
		cmd := exec.Command(openssl, append([]string{"pkcs8", "-topk8", "-in", certs.KeyFile, "-out", out, "-passout", "pass:open sesame"}, args...)...)
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("openssl %v: %v\n%s", args, err, b)
		}
		s := startServer(t, Config{TLSPort: 1, TLSCertFile: certs.CertFile, TLSKeyFile: out, TLSKeyFilePass: "open sesame", TLSAuthClients: "no"})
		dialTLS(t, s, certs.ClientConfig(nil))
	}
	// The legacy encrypted PEM format is refused with the way out.
	legacy := filepath.Join(t.TempDir(), "legacy.pem")
	cmd := exec.Command(openssl, "ec", "-in", certs.KeyFile, "-out", legacy, "-aes256", "-passout", "pass:x")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("openssl ec: %v\n%s", err, b)
	}
	_, err = Config{TLSPort: 1, TLSCertFile: certs.CertFile, TLSKeyFile: legacy, TLSKeyFilePass: "x", TLSAuthClients: "no"}.TLSConfig()
	if err == nil || !strings.Contains(err.Error(), "openssl pkcs8 -topk8") {
		t.Fatalf("legacy encrypted key: %v", err)
	}
}

// The OpenSSL names of tls-ciphers are OpenSSL's own for the suites they
// map to, when the openssl command is here to say so.
func TestTLSCipherNamesMatchOpenSSL(t *testing.T) {
	openssl, err := exec.LookPath("openssl")
	if err != nil {
		t.Skip("no openssl command")
	}
	out, err := exec.Command(openssl, "ciphers", "-stdname", "ALL:COMPLEMENTOFALL").Output()
	if err != nil {
		t.Skipf("openssl ciphers -stdname: %v", err)
	}
	iana := map[string]string{} // OpenSSL name → IANA name
	for _, line := range strings.Split(string(out), "\n") {
		if f := strings.Fields(line); len(f) >= 3 && f[1] == "-" {
			iana[f[2]] = f[0]
		}
	}
	for name, id := range tlsCiphers {
		if got := iana[name]; got != tls.CipherSuiteName(id) {
			t.Errorf("%s is %q to OpenSSL, mapped to %s", name, got, tls.CipherSuiteName(id))
		}
	}
	insecure := map[string]bool{}
	for _, cs := range tls.InsecureCipherSuites() {
		insecure[cs.Name] = true
	}
	for _, name := range tlsInsecureCiphers {
		// OpenSSL 3 is built without some (RC4): those it cannot check.
		if iana[name] != "" && !insecure[iana[name]] {
			t.Errorf("%s (%q to OpenSSL) is not among Go's insecure suites", name, iana[name])
		}
	}
}

// A session ticket from before a CONFIG SET of the CAs does not let a
// client whose certificate the new CAs do not sign back in by resuming.
// (Go 1.24.12 and 1.25.6 fixed this for GetConfigForClient, which
// TLSListenerConfig uses; this guards against an older toolchain.)
func TestTLSReloadNoStaleResumption(t *testing.T) {
	certs := testcert.New(t)
	s := startTLSServer(t, certs, "yes", "")
	tc := certs.ClientConfig(&certs.Client)
	tc.ClientSessionCache = tls.NewLRUClientSessionCache(4)
	nc, err := tryTLS(s.TLSAddr().String(), tc) // the PING's reply brings the ticket
	if err != nil {
		t.Fatal(err)
	}
	nc.Close()
	nc, err = tryTLS(s.TLSAddr().String(), tc)
	if err != nil {
		t.Fatal(err)
	}
	if !nc.ConnectionState().DidResume {
		t.Fatal("the session was not resumed before the change: the test proves nothing")
	}
	nc.Close()
	other := testcert.New(t)
	admin := dial(t, s.Addr())
	admin.mustDo("+OK\r\n", "CONFIG", "SET", "tls-ca-cert-file", other.CAFile)
	if nc, err := tryTLS(s.TLSAddr().String(), tc); err == nil {
		resumed := nc.ConnectionState().DidResume
		nc.Close()
		t.Fatalf("a client the new CA did not sign got in (resumed: %v)", resumed)
	}
}
