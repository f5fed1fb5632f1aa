package main

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/heraldhq/herald/gateway"
	"github.com/heraldhq/herald/internal/token"
)

const testSecret = "0123456789abcdef0123456789abcdef"

// TestParseTokenOptions: the token command's flags.
func TestParseTokenOptions(t *testing.T) {
	for _, tc := range []struct {
		args    []string
		want    tokenOptions
		mention string // non-empty: an error that mentions it
	}{
		{args: []string{"--secret", "s", "--sub", "alice"}, want: tokenOptions{Secret: "s", Subject: "alice", TTL: time.Hour}},
		{args: []string{"--secret", "s", "--sub", "alice", "--subscribe", "orders:*", "--subscribe", "chat:room1",
			"--publish", "chat:*", "--ttl", "10m"}, want: tokenOptions{Secret: "s", Subject: "alice",
			Subscribe: []string{"orders:*", "chat:room1"}, Publish: []string{"chat:*"}, TTL: 10 * time.Minute}},
		{args: []string{"-secret=s", "-sub=bob"}, want: tokenOptions{Secret: "s", Subject: "bob", TTL: time.Hour}},
		{args: []string{"--sub", "alice"}, mention: "--secret"},
		{args: []string{"--secret", "s"}, mention: "--sub"},
		{args: []string{"--secret", "s", "--sub", "a", "--ttl", "0s"}, mention: "--ttl"},
		{args: []string{"--secret", "s", "--sub", "a", "--ttl", "soon"}, mention: "-ttl"},
		{args: []string{"--secret", "s", "--sub", "a", "extra"}, mention: "extra"},
		{args: []string{"--bogus"}, mention: "bogus"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			got, err := parseTokenOptions(tc.args, io.Discard)
			if tc.mention != "" {
				if err == nil || !strings.Contains(err.Error(), tc.mention) {
					t.Fatalf("error %v, want one mentioning %q", err, tc.mention)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("got %+v, %v; want %+v", got, err, tc.want)
			}
		})
	}
}

// herald token prints a token that the gateway's verifier accepts, with
// the globs asked for.
func TestTokenCommand(t *testing.T) {
	var stdout, stderr bytes.Buffer
	args := []string{"--secret", testSecret, "--sub", "alice", "--subscribe", "orders:*", "--subscribe", "chat:room1", "--publish", "chat:*", "--ttl", "1h"}
	if code := tokenCommand(args, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	v, err := token.NewHS256Verifier([]byte(testSecret), token.Options{})
	if err != nil {
		t.Fatal(err)
	}
	g, err := v.Verify(strings.TrimSpace(stdout.String()))
	if err != nil {
		t.Fatal(err)
	}
	if g.Subject != "alice" || !g.CanPSubscribe("orders:*") || !g.CanSubscribe("chat:room1") || g.CanSubscribe("chat:room2") ||
		!g.CanPublish("chat:x") || time.Until(g.Expiry) > time.Hour || time.Until(g.Expiry) < 59*time.Minute {
		t.Fatalf("grant %+v", g)
	}
	stdout.Reset()
	if code := tokenCommand([]string{"--secret", "short", "--sub", "a"}, &stdout, &stderr); code == 0 || stdout.Len() > 0 {
		t.Fatalf("a short secret: exit %d, output %q", code, stdout.String())
	}
}

// TestParseJWTOptions: --jwt-secret and --jwt-public-key, one or the other,
// and not with --http-allow-remote.
func TestParseJWTOptions(t *testing.T) {
	for _, tc := range []struct {
		args      []string
		secret    string
		publicKey string
		mention   string // non-empty: an error that mentions it
	}{
		{args: nil},
		{args: []string{"--jwt-secret", testSecret}, secret: testSecret},
		{args: []string{"--jwt-secret=" + testSecret, "--http-port", "9000"}, secret: testSecret},
		{args: []string{"--jwt-public-key", "/etc/herald/key.pem"}, publicKey: "/etc/herald/key.pem"},
		{args: []string{"--jwt-secret"}, mention: "--jwt-secret"},
		{args: []string{"--jwt-secret="}, mention: "--jwt-secret"},
		{args: []string{"--jwt-public-key", "a.pem", "b.pem"}, mention: "--jwt-public-key"},
		{args: []string{"--jwt-secret", testSecret, "--jwt-public-key", "key.pem"}, mention: "one or the other"},
		{args: []string{"--jwt-secret", testSecret, "--http-allow-remote", "yes"}, mention: "--http-allow-remote"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			o, err := parseServeOptions(tc.args)
			if tc.mention != "" {
				if err == nil || !strings.Contains(err.Error(), tc.mention) {
					t.Fatalf("error %v, want one mentioning %q", err, tc.mention)
				}
				return
			}
			if err != nil || o.JWTSecret != tc.secret || o.JWTPublicKey != tc.publicKey {
				t.Fatalf("got secret %q, key %q, %v", o.JWTSecret, o.JWTPublicKey, err)
			}
		})
	}
}

// writePEM writes a PEM block to a file in dir and returns its path.
func writePEM(t *testing.T, dir, name, blockType string, der []byte) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: blockType, Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestGatewayAuthenticator: a key turns on tokens; a bad key is an error
// that names the flag.
func TestGatewayAuthenticator(t *testing.T) {
	dir := t.TempDir()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	priv, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	pubPath := writePEM(t, dir, "pub.pem", "PUBLIC KEY", pub)
	privPath := writePEM(t, dir, "priv.pem", "EC PRIVATE KEY", priv)
	for _, tc := range []struct {
		name    string
		opts    serveOptions
		tokens  bool
		mention string
	}{
		{name: "no key", opts: serveOptions{}},
		{name: "secret", opts: serveOptions{JWTSecret: testSecret}, tokens: true},
		{name: "short secret", opts: serveOptions{JWTSecret: "short"}, mention: "--jwt-secret"},
		{name: "ES256 public key", opts: serveOptions{JWTPublicKey: pubPath}, tokens: true},
		{name: "private key", opts: serveOptions{JWTPublicKey: privPath}, mention: "--jwt-public-key"},
		{name: "missing file", opts: serveOptions{JWTPublicKey: filepath.Join(dir, "none.pem")}, mention: "--jwt-public-key"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			auth, err := gatewayAuthenticator(tc.opts)
			if tc.mention != "" {
				if err == nil || !strings.Contains(err.Error(), tc.mention) {
					t.Fatalf("error %v, want one mentioning %q", err, tc.mention)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if _, isToken := auth.(*gateway.TokenAuth); isToken != tc.tokens || (!tc.tokens && auth != nil) {
				t.Fatalf("authenticator %#v, want tokens %v", auth, tc.tokens)
			}
		})
	}
}

// herald serve --jwt-secret: the gateway refuses a request without a token
// (401) and accepts one made by herald token.
func TestServeJWT(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := buildHerald(t, t.TempDir())
	httpPort := strconv.Itoa(freePort(t))
	p := startHerald(t, bin, "serve", "--port", "0", "--http-port", httpPort, "--jwt-secret", testSecret)
	dialReady(t, p, "127.0.0.1:"+httpPort).Close()
	out, err := exec.Command(bin, "token", "--secret", testSecret, "--sub", "alice", "--publish", "news").Output()
	if err != nil {
		t.Fatalf("herald token: %v", err)
	}
	client := &http.Client{Timeout: processTimeout}
	for _, tc := range []struct {
		auth, channel string
		want          int
	}{
		{"", "news", http.StatusUnauthorized},
		{"Bearer " + strings.TrimSpace(string(out)), "news", http.StatusOK},
		{"Bearer " + strings.TrimSpace(string(out)), "sport", http.StatusForbidden},
	} {
		r, _ := http.NewRequest("POST", "http://127.0.0.1:"+httpPort+"/publish/"+tc.channel, strings.NewReader("hi"))
		if tc.auth != "" {
			r.Header.Set("Authorization", tc.auth)
		}
		resp, err := client.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.want {
			t.Errorf("POST /publish/%s with %q: %s %s, want %d", tc.channel, tc.auth, resp.Status, body, tc.want)
		}
	}
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if code := p.wait(t); code != 0 {
		t.Fatalf("exit code %d after SIGTERM, want 0", code)
	}
}
