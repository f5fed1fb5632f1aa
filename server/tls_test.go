package server

import (
	"bufio"
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/heraldhq/herald/internal/testcert"
)

// startTLSServer starts a server with a plain and a TLS listener on
// 127.0.0.1, the TLS one using certs and the given tls-auth-clients and
// tls-protocols.
func startTLSServer(t *testing.T, certs *testcert.Set, authClients, protocols string) *Server {
	t.Helper()
	return startServer(t, Config{
		TLSPort:        1, // StartLocal picks the port
		TLSCertFile:    certs.CertFile,
		TLSKeyFile:     certs.KeyFile,
		TLSCACertFile:  certs.CAFile,
		TLSAuthClients: authClients,
		TLSProtocols:   protocols,
	})
}

// tlsClient returns a go-redis client of s's TLS listener, which gives up
// at the first error.
func tlsClient(t *testing.T, s *Server, tc *tls.Config) *redis.Client {
	t.Helper()
	c := redis.NewClient(&redis.Options{Addr: s.TLSAddr().String(), TLSConfig: tc, MaxRetries: -1, DialTimeout: 5 * time.Second})
	t.Cleanup(func() { c.Close() })
	return c
}

func TestTLS(t *testing.T) {
	certs := testcert.New(t)
	s := startTLSServer(t, certs, "yes", "")
	ctx := context.Background()
	secure := tlsClient(t, s, certs.ClientConfig(&certs.Client))
	plain := redis.NewClient(&redis.Options{Addr: s.Addr().String()})
	t.Cleanup(func() { plain.Close() })

	t.Run("Ping", func(t *testing.T) {
		if got, err := secure.Ping(ctx).Result(); err != nil || got != "PONG" {
			t.Fatalf("PING over TLS: %q, %v", got, err)
		}
		// The server's side of a TLS connection has no raw socket: conn.go
		// reads and writes through the tls.Conn.
		for _, c := range s.connList() {
			if _, isTLS := c.nc.(*tls.Conn); isTLS && c.raw != nil {
				t.Fatal("a TLS connection uses the raw socket")
			}
		}
	})

	t.Run("PubSubAcrossListeners", func(t *testing.T) {
		for _, tc := range []struct {
			name     string
			sub, pub *redis.Client
		}{{"TLSSubscriber", secure, plain}, {"PlainSubscriber", plain, secure}} {
			t.Run(tc.name, func(t *testing.T) {
				// A channel of its own: the server may not have seen the
				// previous subtest's subscriber go yet.
				channel := "news-" + tc.name
				ps := tc.sub.Subscribe(ctx, channel)
				defer ps.Close()
				if _, err := ps.Receive(ctx); err != nil {
					t.Fatal(err)
				}
				if n, err := tc.pub.Publish(ctx, channel, "hello").Result(); err != nil || n != 1 {
					t.Fatalf("PUBLISH: %d, %v", n, err)
				}
				msg, err := ps.ReceiveMessage(ctx)
				if err != nil || msg.Channel != channel || msg.Payload != "hello" {
					t.Fatalf("message: %+v, %v", msg, err)
				}
			})
		}
	})

	t.Run("Pipeline", func(t *testing.T) {
		pipe := secure.Pipeline()
		for range 5000 {
			pipe.Incr(ctx, "tls-counter")
		}
		cmds, err := pipe.Exec(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got := cmds[len(cmds)-1].(*redis.IntCmd).Val(); got != 5000 {
			t.Fatalf("last INCR: %d", got)
		}
	})

	t.Run("ConfigGet", func(t *testing.T) {
		got, err := secure.ConfigGet(ctx, "tls-*").Result()
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]string{
			"tls-auth-clients": "yes",
			"tls-ca-cert-file": certs.CAFile,
			"tls-cert-file":    certs.CertFile,
			"tls-key-file":     certs.KeyFile,
			"tls-port":         strings.TrimPrefix(s.TLSAddr().String(), "127.0.0.1:"),
			"tls-protocols":    "",
		}
		for k, v := range want {
			if got[k] != v {
				t.Errorf("CONFIG GET %s: %q, want %q", k, got[k], v)
			}
		}
	})

	// CONFIG SET port replaces the plain listeners and leaves TLS alone.
	t.Run("RebindKeepsTLS", func(t *testing.T) {
		tlsAddr := s.TLSAddr().String()
		if err := plain.ConfigSet(ctx, "port", "0").Err(); err != nil {
			t.Fatal(err)
		}
		if s.TLSAddr().String() != tlsAddr {
			t.Fatalf("TLS address moved to %s", s.TLSAddr())
		}
		if err := tlsClient(t, s, certs.ClientConfig(&certs.Client)).Ping(ctx).Err(); err != nil {
			t.Fatalf("PING over TLS after CONFIG SET port 0: %v", err)
		}
	})
}

// tls-auth-clients decides whether a client without a certificate gets in.
func TestTLSAuthClients(t *testing.T) {
	certs := testcert.New(t)
	ctx := context.Background()
	// A certificate from another CA is refused wherever one is verified.
	stranger := testcert.New(t).Client
	for _, tc := range []struct {
		auth                             string
		withCert, withoutCert, otherCert bool // whether each gets in
	}{
		{"yes", true, false, false},
		{"optional", true, true, false},
		{"no", true, true, true},
	} {
		t.Run(tc.auth, func(t *testing.T) {
			s := startTLSServer(t, certs, tc.auth, "")
			for _, client := range []struct {
				name string
				cert *tls.Certificate
				ok   bool
			}{{"WithCert", &certs.Client, tc.withCert}, {"WithoutCert", nil, tc.withoutCert}, {"OtherCA", &stranger, tc.otherCert}} {
				err := tlsClient(t, s, certs.ClientConfig(client.cert)).Ping(ctx).Err()
				if client.ok && err != nil {
					t.Errorf("%s: refused: %v", client.name, err)
				}
				if !client.ok && err == nil {
					t.Errorf("%s: accepted", client.name)
				}
			}
		})
	}
}

// tls-protocols TLSv1.3 refuses a client that speaks at most TLS 1.2.
func TestTLSProtocols(t *testing.T) {
	certs := testcert.New(t)
	ctx := context.Background()
	s := startTLSServer(t, certs, "no", "TLSv1.3")
	old := certs.ClientConfig(nil)
	old.MaxVersion = tls.VersionTLS12
	if err := tlsClient(t, s, old).Ping(ctx).Err(); err == nil {
		t.Fatal("a TLS 1.2 client got in with tls-protocols TLSv1.3")
	}
	if err := tlsClient(t, s, certs.ClientConfig(nil)).Ping(ctx).Err(); err != nil {
		t.Fatalf("a TLS 1.3 client: %v", err)
	}

	s12 := startTLSServer(t, certs, "no", "tlsv1.2")
	nc, err := tls.Dial("tcp", s12.TLSAddr().String(), certs.ClientConfig(nil))
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	if v := nc.ConnectionState().Version; v != tls.VersionTLS12 {
		t.Fatalf("tls-protocols TLSv1.2 negotiated %x", v)
	}
}

// Bad TLS settings fail Start with a message naming the file or setting.
func TestTLSBadConfig(t *testing.T) {
	certs := testcert.New(t)
	dir := t.TempDir()
	garbage := filepath.Join(dir, "garbage.pem")
	if err := os.WriteFile(garbage, []byte("not a certificate\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "missing.pem")
	good := Config{Port: 0, TLSPort: 1, TLSCertFile: certs.CertFile, TLSKeyFile: certs.KeyFile, TLSCACertFile: certs.CAFile}
	for _, tc := range []struct {
		name   string
		change func(*Config)
		want   string
	}{
		{"MissingCert", func(c *Config) { c.TLSCertFile = missing }, missing},
		{"GarbageCert", func(c *Config) { c.TLSCertFile = garbage }, garbage},
		{"MissingKey", func(c *Config) { c.TLSKeyFile = missing }, missing},
		{"KeyOfAnotherCert", func(c *Config) { c.TLSKeyFile = garbage }, garbage},
		{"MissingCA", func(c *Config) { c.TLSCACertFile = missing }, missing},
		{"GarbageCA", func(c *Config) { c.TLSCACertFile = garbage }, garbage},
		{"NoCAToVerifyWith", func(c *Config) { c.TLSCACertFile = "" }, "tls-ca-cert-file"},
		{"NoCert", func(c *Config) { c.TLSCertFile = "" }, "tls-cert-file"},
		{"AuthClients", func(c *Config) { c.TLSAuthClients = "maybe" }, "tls-auth-clients"},
		{"Protocols", func(c *Config) { c.TLSProtocols = "TLSv1.2 SSLv3" }, "SSLv3"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := good
			tc.change(&cfg)
			for _, start := range []func(Config) (*Server, error){Start, StartLocal} {
				s, err := start(cfg)
				if err == nil {
					s.Close()
					t.Fatal("started")
				}
				if !strings.Contains(err.Error(), tc.want) {
					t.Fatalf("error %q does not name %s", err, tc.want)
				}
			}
		})
	}
	// The same settings without a TLS port are not read.
	cfg := good
	cfg.TLSPort, cfg.TLSCertFile = 0, missing
	s, err := Start(cfg)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
}

// A TLS subscriber that stops reading is cut off at its output limit, and
// shutdown does not wait on it.
func TestTLSSlowConsumer(t *testing.T) {
	certs := testcert.New(t)
	cfg := Config{TLSPort: 1, TLSCertFile: certs.CertFile, TLSKeyFile: certs.KeyFile, TLSAuthClients: "no"}
	cfg.OutputLimits, _ = ParseOutputLimits(OutputLimits{}, "pubsub 256kb 0 0")
	s := startServer(t, cfg)
	nc, err := tls.Dial("tcp", s.TLSAddr().String(), certs.ClientConfig(nil))
	if err != nil {
		t.Fatal(err)
	}
	sub := &testClient{t: t, conn: nc, r: bufio.NewReader(nc)}
	t.Cleanup(func() { nc.Close() })
	sub.mustDo("*3\r\n$9\r\nsubscribe\r\n$4\r\nslow\r\n:1\r\n", "SUBSCRIBE", "slow")

	pub := dial(t, s.Addr())
	payload := strings.Repeat("x", 64<<10)
	deadline := time.Now().Add(10 * time.Second)
	for {
		pub.send("PUBLISH", "slow", payload)
		if v := pub.read(); string(v.Bytes()) == ":0\r\n" {
			break // the subscriber is gone
		}
		if time.Now().After(deadline) {
			t.Fatal("the stalled TLS subscriber was not cut off")
		}
	}
	if n := s.stats.outputLimitDisconnects.Load(); n != 1 {
		t.Fatalf("output limit disconnects: %d", n)
	}
	// What reached the client before the cut is readable; then the close.
	nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, err = io.Copy(io.Discard, nc)
	if err != nil && strings.Contains(err.Error(), "timeout") {
		t.Fatalf("the subscriber's connection is still open: %v", err)
	}
}

// Shutdown closes TLS connections mid-handshake and idle ones.
func TestTLSShutdown(t *testing.T) {
	certs := testcert.New(t)
	s, err := StartLocal(Config{TLSPort: 1, TLSCertFile: certs.CertFile, TLSKeyFile: certs.KeyFile, TLSAuthClients: "no"})
	if err != nil {
		t.Fatal(err)
	}
	raw, err := net.Dial("tcp", s.TLSAddr().String()) // never handshakes
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	nc, err := tls.Dial("tcp", s.TLSAddr().String(), certs.ClientConfig(nil))
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	c := &testClient{t: t, conn: nc, r: bufio.NewReader(nc)}
	c.mustDo("+PONG\r\n", "PING")
	waitFor(t, "both connections", func() bool { return len(s.connList()) == 2 })
	start := time.Now()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > time.Second {
		t.Fatalf("shutdown took %v", d)
	}
}

// batchConn holds what is written to it while batching, then sends it in
// one write: several TLS records reach the server in one segment.
type batchConn struct {
	net.Conn
	batching bool
	held     []byte
}

func (b *batchConn) Write(p []byte) (int, error) {
	if b.batching {
		b.held = append(b.held, p...)
		return len(p), nil
	}
	return b.Conn.Write(p)
}

func (b *batchConn) flush() error {
	b.batching = false
	_, err := b.Conn.Write(b.held)
	b.held = nil
	return err
}

// Records that arrive together are all served: the tls.Conn reads several
// from the socket at once and hands them out one per Read, so an idle
// TLS connection, which waits for its socket without a buffer, must first
// take what the tls.Conn already holds (readIdleTLS).
func TestTLSRecordsReadTogether(t *testing.T) {
	certs := testcert.New(t)
	s := startTLSServer(t, certs, "no", "")
	raw, err := net.Dial("tcp", s.TLSAddr().String())
	if err != nil {
		t.Fatal(err)
	}
	bc := &batchConn{Conn: raw}
	nc := tls.Client(bc, certs.ClientConfig(nil))
	t.Cleanup(func() { nc.Close() })
	c := &testClient{t: t, conn: nc, r: bufio.NewReader(nc)}
	c.mustDo("+PONG\r\n", "PING") // the handshake, unbatched
	const n = 200
	bc.batching = true
	for i := range n {
		c.send("ECHO", strconv.Itoa(i)) // one record each
	}
	if err := bc.flush(); err != nil {
		t.Fatal(err)
	}
	for i := range n {
		c.mustRead(fmt.Sprintf("$%d\r\n%d\r\n", len(strconv.Itoa(i)), i))
	}
}

// A blocking command over TLS: block watches the connection with a read
// of its own and ends that read with a deadline, which readIdleTLS must
// leave alone; the connection serves on after being woken or timing out.
func TestTLSBlockingCommand(t *testing.T) {
	certs := testcert.New(t)
	s := startTLSServer(t, certs, "no", "")
	c, _ := dialTLS(t, s, certs.ClientConfig(nil))
	other := dial(t, s.Addr())
	c.send("BLPOP", "tls-list", "0")
	waitFor(t, "the blocked client", func() bool { return s.blocked.waiting.Load() == 1 })
	other.mustDo(":1\r\n", "LPUSH", "tls-list", "x")
	c.mustRead("*2\r\n$8\r\ntls-list\r\n$1\r\nx\r\n")
	c.mustDo("+PONG\r\n", "PING")
	c.mustDo("*-1\r\n", "BLPOP", "tls-list", "0.05")
	c.mustDo("+PONG\r\n", "PING")
	// Input sent while blocked is kept for after the wait.
	c.send("BLPOP", "tls-list", "0")
	c.send("ECHO", "after")
	waitFor(t, "the blocked client", func() bool { return s.blocked.waiting.Load() == 1 })
	other.mustDo(":1\r\n", "LPUSH", "tls-list", "y")
	c.mustRead("*2\r\n$8\r\ntls-list\r\n$1\r\ny\r\n")
	c.mustRead("$5\r\nafter\r\n")
}
