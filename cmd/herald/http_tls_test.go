package main

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gobwas/ws"
	"github.com/gobwas/ws/wsutil"
	"github.com/redis/go-redis/v9"

	"github.com/heraldhq/herald/internal/testcert"
	"github.com/heraldhq/herald/server"
)

// --http-tls-port serves the gateway over HTTPS and WSS with the tls-*
// settings: a WSS subscriber gets an HTTPS publish and a RESP-over-TLS one.
func TestGatewayTLS(t *testing.T) {
	certs := testcert.New(t)
	opts, err := parseServeOptions([]string{"--port", "0", "--http-port", "0", "--http-tls-port", "1",
		"--tls-port", "1", "--tls-cert-file", certs.CertFile, "--tls-key-file", certs.KeyFile,
		"--tls-ca-cert-file", certs.CAFile, "--tls-auth-clients", "optional", "--tls-protocols", "TLSv1.2", "TLSv1.3"})
	if err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	opts.Logger = logger
	srv, err := server.StartLocal(opts.Config)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	opts.HTTPTLSPort = freePort(t)
	gw, err := startGateway(opts, srv, fanout(srv, nil), logger)
	if err != nil {
		t.Fatal(err)
	}
	defer gw.shutdown(context.Background())
	if len(gw.addrs) != 0 || len(gw.tlsAddrs) != 1 {
		t.Fatalf("listening on HTTP %v, HTTPS %v", gw.addrs, gw.tlsAddrs)
	}
	host := gw.tlsAddrs[0].String()

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	dialer := ws.Dialer{TLSConfig: certs.ClientConfig(nil)}
	wsConn, _, _, err := dialer.Dial(ctx, "wss://"+host+"/ws")
	if err != nil {
		t.Fatalf("wss dial: %v", err)
	}
	defer wsConn.Close()
	wsConn.SetDeadline(time.Now().Add(10 * time.Second))
	if err := wsutil.WriteClientText(wsConn, []byte(`{"id":1,"type":"subscribe","channel":"news"}`)); err != nil {
		t.Fatal(err)
	}
	readJSON := func() map[string]any {
		t.Helper()
		b, err := wsutil.ReadServerText(wsConn)
		if err != nil {
			t.Fatalf("wss read: %v", err)
		}
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("%s: %v", b, err)
		}
		return m
	}
	if m := readJSON(); m["type"] != "ack" {
		t.Fatalf("subscribe reply: %v", m)
	}

	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: certs.ClientConfig(nil)}}
	defer client.CloseIdleConnections()
	resp, err := client.Post("https://"+host+"/publish/news", "text/plain", strings.NewReader("over https"))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || strings.TrimSpace(string(body)) != `{"receivers":1}` {
		t.Fatalf("POST /publish/news: %s %s", resp.Status, body)
	}
	if m := readJSON(); m["type"] != "message" || m["data"] != "over https" {
		t.Fatalf("wss got %v", m)
	}

	rc := redis.NewClient(&redis.Options{Addr: srv.TLSAddr().String(), TLSConfig: certs.ClientConfig(&certs.Client), MaxRetries: -1})
	defer rc.Close()
	if n, err := rc.Publish(ctx, "news", "over rediss").Result(); err != nil || n != 1 {
		t.Fatalf("PUBLISH over TLS: %d, %v", n, err)
	}
	if m := readJSON(); m["type"] != "message" || m["data"] != "over rediss" {
		t.Fatalf("wss got %v", m)
	}

	// Plain HTTP on the HTTPS port gets nowhere.
	if resp, err := http.Get("http://" + host + "/publish/news"); err == nil {
		resp.Body.Close()
		if resp.StatusCode == 200 {
			t.Fatal("plain HTTP served on the HTTPS port")
		}
	}
}

// A bad certificate fails the gateway's start with a message naming it.
func TestGatewayTLSBadCert(t *testing.T) {
	opts, err := parseServeOptions([]string{"--http-port", "0", "--http-tls-port", "1",
		"--tls-cert-file", "/nonexistent/cert.pem", "--tls-key-file", "/nonexistent/key.pem", "--tls-auth-clients", "no"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := startGateway(opts, nil, nil, slog.New(slog.NewTextHandler(io.Discard, nil))); err == nil || !strings.Contains(err.Error(), "/nonexistent/cert.pem") {
		t.Fatalf("startGateway: %v", err)
	}
}

func TestParseTLSFlags(t *testing.T) {
	opts, err := parseServeOptions([]string{"--tls-port", "6380", "--tls-cert-file", "c.pem", "--tls-key-file", "k.pem",
		"--tls-ca-cert-file", "ca.pem", "--tls-auth-clients", "OPTIONAL", "--tls-protocols", "TLSv1.2 TLSv1.3", "--http-tls-port", "8443"})
	if err != nil {
		t.Fatal(err)
	}
	c := opts.Config
	if c.TLSPort != 6380 || c.TLSCertFile != "c.pem" || c.TLSKeyFile != "k.pem" || c.TLSCACertFile != "ca.pem" ||
		c.TLSAuthClients != "optional" || c.TLSProtocols != "TLSv1.2 TLSv1.3" || opts.HTTPTLSPort != 8443 {
		t.Fatalf("parsed %+v, http-tls-port %d", c, opts.HTTPTLSPort)
	}
	for _, args := range [][]string{
		{"--tls-auth-clients", "maybe"},
		{"--tls-protocols", "SSLv3"},
		{"--tls-port", "70000"},
		{"--tls-cert-file", ""},
	} {
		if _, err := parseServeOptions(args); err == nil || !strings.Contains(err.Error(), args[0]) {
			t.Errorf("%q: %v", args, err)
		}
	}
}

// The gateway's HTTPS serves with the RESP server's TLS settings as CONFIG
// SET leaves them, even with no RESP tls-port: a new certificate reaches
// new HTTPS connections, and a bad one is refused.
func TestGatewayTLSReload(t *testing.T) {
	certs := testcert.New(t)
	opts, err := parseServeOptions([]string{"--port", "0", "--http-port", "0", "--http-tls-port", "1",
		"--tls-cert-file", certs.CertFile, "--tls-key-file", certs.KeyFile, "--tls-auth-clients", "no"})
	if err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	opts.Logger = logger
	srv, err := server.StartLocal(opts.Config)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	if srv.TLSAddr() != nil {
		t.Fatal("a RESP TLS listener without --tls-port")
	}
	opts.HTTPTLSPort = freePort(t)
	gw, err := startGateway(opts, srv, fanout(srv, nil), logger)
	if err != nil {
		t.Fatal(err)
	}
	defer gw.shutdown(context.Background())
	served := func() string {
		t.Helper()
		tc := certs.ClientConfig(nil)
		tc.NextProtos = []string{"h2", "http/1.1"}
		nc, err := tls.Dial("tcp", gw.tlsAddrs[0].String(), tc)
		if err != nil {
			t.Fatal(err)
		}
		defer nc.Close()
		if p := nc.ConnectionState().NegotiatedProtocol; p != "http/1.1" {
			t.Fatalf("ALPN: %q", p)
		}
		return nc.ConnectionState().PeerCertificates[0].Subject.CommonName
	}
	if got := served(); got != "127.0.0.1" {
		t.Fatalf("certificate of %q", got)
	}
	ctx := context.Background()
	rc := redis.NewClient(&redis.Options{Addr: srv.Addr().String()})
	defer rc.Close()
	if err := rc.ConfigSet(ctx, "tls-cert-file", "/nonexistent/cert.pem").Err(); err == nil ||
		err.Error() != "ERR CONFIG SET failed (possibly related to argument 'tls-cert-file') - Unable to update TLS configuration. Check server logs." {
		t.Fatalf("CONFIG SET of a missing certificate: %v", err)
	}
	certFile, keyFile := certs.ServerCert(t, "reloaded")
	if err := rc.Do(ctx, "CONFIG", "SET", "tls-cert-file", certFile, "tls-key-file", keyFile).Err(); err != nil {
		t.Fatal(err)
	}
	if got := served(); got != "reloaded" {
		t.Fatalf("after CONFIG SET, certificate of %q", got)
	}
}

// The newer tls-* flags reach the server: an encrypted key with its pass,
// CAs from a directory, a TLS 1.2 suite list, and the values CONFIG GET
// shows.
func TestServeTLSFlags(t *testing.T) {
	certs := testcert.New(t)
	suites := "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256"
	opts, err := parseServeOptions([]string{"--port", "0", "--tls-port", "1", "--tls-cert-file", certs.CertFile,
		"--tls-key-file", certs.EncryptedKeyFile(t, "secret"), "--tls-key-file-pass", "secret", "--tls-ca-cert-dir", certs.CADir(t),
		"--tls-protocols", "TLSv1.2", "--tls-ciphers", "ECDHE-ECDSA-AES128-GCM-SHA256", "--tls-ciphersuites", suites,
		"--tls-prefer-server-ciphers", "yes"})
	if err != nil {
		t.Fatal(err)
	}
	opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	srv, err := server.StartLocal(opts.Config)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	ctx := context.Background()
	client := func(suite uint16) *redis.Client {
		tc := certs.ClientConfig(&certs.Client)
		tc.CipherSuites = []uint16{suite}
		c := redis.NewClient(&redis.Options{Addr: srv.TLSAddr().String(), TLSConfig: tc, MaxRetries: -1})
		t.Cleanup(func() { c.Close() })
		return c
	}
	ok := client(tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256)
	got, err := ok.ConfigGet(ctx, "tls-*").Result()
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range map[string]string{"tls-key-file-pass": "secret", "tls-ciphers": "ECDHE-ECDSA-AES128-GCM-SHA256",
		"tls-ciphersuites": suites, "tls-prefer-server-ciphers": "yes", "tls-protocols": "TLSv1.2", "tls-auth-clients": "yes"} {
		if got[k] != v {
			t.Errorf("CONFIG GET %s: %q, want %q", k, got[k], v)
		}
	}
	if err := client(tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256).Ping(ctx).Err(); err == nil {
		t.Fatal("a client offering only a suite --tls-ciphers leaves out got in")
	}
}
