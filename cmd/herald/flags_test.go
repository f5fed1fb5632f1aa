package main

import (
	"os"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/server"
)

func mustLimits(t *testing.T, value string) server.OutputLimits {
	t.Helper()
	l, err := server.ParseOutputLimits(server.DefaultOutputLimits, value)
	if err != nil {
		t.Fatalf("ParseOutputLimits(%q): %v", value, err)
	}
	return l
}

// TestParseServeArgs: options spelled and meaning as redis-server's.
func TestParseServeArgs(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		want func(c *server.Config)
	}{
		{"defaults", nil, func(c *server.Config) {}},
		{"port", []string{"--port", "7000"}, func(c *server.Config) { c.Port = 7000 }},
		{"port inline", []string{"--port=7001"}, func(c *server.Config) { c.Port = 7001 }},
		{"port 0 means no TCP listener", []string{"--port", "0"}, func(c *server.Config) { c.Port = 0 }},
		{"option names ignore case", []string{"--PORT", "7002"}, func(c *server.Config) { c.Port = 7002 }},
		{"bind one", []string{"--bind", "0.0.0.0"}, func(c *server.Config) { c.Bind = []string{"0.0.0.0"} }},
		{"bind several", []string{"--bind", "127.0.0.1", "::1", "--port", "7003"}, func(c *server.Config) {
			c.Bind = []string{"127.0.0.1", "::1"}
			c.Port = 7003
		}},
		{"maxclients", []string{"--maxclients", "3"}, func(c *server.Config) { c.MaxClients = 3 }},
		{"maxmemory", []string{"--maxmemory", "100mb", "--maxmemory-policy", "ALLKEYS-LRU"}, func(c *server.Config) {
			c.MaxMemory, c.MaxMemoryPolicy = 100<<20, "allkeys-lru"
		}},
		{"requirepass", []string{"--requirepass", "s3cret"}, func(c *server.Config) { c.RequirePass = "s3cret" }},
		{"aclfile", []string{"--aclfile", "/etc/herald/users.acl"}, func(c *server.Config) { c.ACLFile = "/etc/herald/users.acl" }},
		{"acl-pubsub-default", []string{"--acl-pubsub-default", "AllChannels"}, func(c *server.Config) { c.ACLPubsubDefault = "allchannels" }},
		{"protected-mode no", []string{"--protected-mode", "no"}, func(c *server.Config) { c.DisableProtectedMode = true }},
		{"protected-mode yes", []string{"--protected-mode", "YES"}, func(c *server.Config) {}},
		{"notify-keyspace-events", []string{"--notify-keyspace-events", "KEA"}, func(c *server.Config) { c.NotifyKeyspaceEvents = "KEA" }},
		{"aof", []string{"--appendonly", "yes", "--appendfsync", "always", "--dir", "/var/lib/herald", "--appendfilename", "h.aof",
			"--appenddirname", "aofdir", "--aof-load-truncated", "no", "--auto-aof-rewrite-percentage", "0", "--auto-aof-rewrite-min-size", "1mb"}, func(c *server.Config) {
			c.AppendOnly, c.AppendFsync, c.Dir, c.AppendFilename, c.AppendDirname = true, "always", "/var/lib/herald", "h.aof", "aofdir"
			c.AOFRefuseTruncated, c.AutoAOFRewritePercentage, c.AutoAOFRewriteMinSize = true, -1, 1<<20
		}},
		{"output limit quoted", []string{"--client-output-buffer-limit", "pubsub 32mb 8mb 60"}, func(c *server.Config) {
			c.OutputLimits = mustLimits(t, "pubsub 32mb 8mb 60")
		}},
		{"output limit as words", []string{"--client-output-buffer-limit", "pubsub", "1mb", "256kb", "10"}, func(c *server.Config) {
			c.OutputLimits = mustLimits(t, "pubsub 1mb 256kb 10")
		}},
		{"output limit several classes", []string{"--client-output-buffer-limit", "normal 0 0 0 pubsub 1gb 0 0"}, func(c *server.Config) {
			c.OutputLimits = mustLimits(t, "normal 0 0 0 pubsub 1gb 0 0")
		}},
		{"output limit repeated", []string{"--client-output-buffer-limit", "pubsub 1mb 0 0", "--client-output-buffer-limit", "normal 2mb 0 0"}, func(c *server.Config) {
			c.OutputLimits = mustLimits(t, "pubsub 1mb 0 0 normal 2mb 0 0")
		}},
		{"proto-max-bulk-len", []string{"--proto-max-bulk-len", "1mb"}, func(c *server.Config) { c.ProtoMaxBulkLen = 1 << 20 }},
		{"client-query-buffer-limit", []string{"--client-query-buffer-limit", "64k"}, func(c *server.Config) { c.QueryBufferLimit = 64000 }},
		{"tls settings", []string{"--tls-port", "6380", "--tls-cert-file", "c.pem", "--tls-key-file", "k.pem", "--tls-key-file-pass", "pw",
			"--tls-ca-cert-dir", "cas", "--tls-ciphers", "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384",
			"--tls-ciphersuites", "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256",
			"--tls-prefer-server-ciphers", "yes"}, func(c *server.Config) {
			c.TLSPort, c.TLSCertFile, c.TLSKeyFile, c.TLSKeyFilePass, c.TLSCACertDir = 6380, "c.pem", "k.pem", "pw", "cas"
			c.TLSCiphers = "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384"
			c.TLSCipherSuites = "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256"
			c.TLSPreferServerCiphers = true
		}},
		{"http-tls-port shares the TLS settings", []string{"--http-tls-port", "8443"}, func(c *server.Config) { c.TLSShared = true }},
		{"timeout", []string{"--timeout", "300"}, func(c *server.Config) { c.Timeout = 300 }},
		{"tcp-keepalive", []string{"--tcp-keepalive", "60"}, func(c *server.Config) { c.TCPKeepAlive = 60 }},
		{"tcp-keepalive 0 is off", []string{"--tcp-keepalive", "0"}, func(c *server.Config) { c.TCPKeepAlive = -1 }},
		{"proto-max-multibulk-len", []string{"--proto-max-multibulk-len", "1000"}, func(c *server.Config) { c.ProtoMaxMultibulkLen = 1000 }},
		{"max-subscriptions-per-client", []string{"--max-subscriptions-per-client", "50"}, func(c *server.Config) { c.MaxSubscriptionsPerClient = 50 }},
		{"max-pattern-len", []string{"--max-pattern-len", "256"}, func(c *server.Config) { c.MaxPatternLen = 256 }},
		{"max-pattern-len 0 is no limit", []string{"--max-pattern-len", "0"}, func(c *server.Config) { c.MaxPatternLen = -1 }},
		{"everything", []string{"--port", "6380", "--bind", "127.0.0.1", "--maxclients", "100", "--requirepass", "pw",
			"--client-output-buffer-limit", "pubsub 32mb 8mb 60"}, func(c *server.Config) {
			c.Port, c.Bind, c.MaxClients, c.RequirePass = 6380, []string{"127.0.0.1"}, 100, "pw"
			c.OutputLimits = mustLimits(t, "pubsub 32mb 8mb 60")
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want := server.Config{Port: 6379}
			tc.want(&want)
			got, err := parseServeArgs(tc.args)
			if err != nil {
				t.Fatalf("parseServeArgs(%q): %v", tc.args, err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("parseServeArgs(%q)\n got %+v\nwant %+v", tc.args, got, want)
			}
		})
	}
}

// TestParseServeArgsErrors: bad options are errors that name the option.
func TestParseServeArgsErrors(t *testing.T) {
	for _, tc := range []struct {
		args    []string
		mention string
	}{
		{[]string{"--port"}, "--port"},
		{[]string{"--port", "x"}, "--port"},
		{[]string{"--port", "65536"}, "--port"},
		{[]string{"--port", "-1"}, "-1"}, // "-1" is a value, not an option
		{[]string{"--port", "1", "2"}, "--port"},
		{[]string{"--port="}, "--port"},
		{[]string{"port", "6379"}, "port"},
		{[]string{"--"}, "--"},
		{[]string{"--bind"}, "--bind"},
		{[]string{"--maxclients", "0"}, "--maxclients"},
		{[]string{"--maxclients", "many"}, "--maxclients"},
		{[]string{"--maxmemory", "-1"}, "--maxmemory"},
		{[]string{"--maxmemory-policy", "lru"}, "--maxmemory-policy"},
		{[]string{"--requirepass"}, "--requirepass"},
		{[]string{"--acl-pubsub-default", "some"}, "--acl-pubsub-default"},
		{[]string{"--protected-mode", "maybe"}, "--protected-mode"},
		{[]string{"--notify-keyspace-events", "KQ"}, "--notify-keyspace-events"},
		{[]string{"--appendonly", "maybe"}, "--appendonly"},
		{[]string{"--appendfsync", "sometimes"}, "--appendfsync"},
		{[]string{"--dir", ""}, "--dir"},
		{[]string{"--auto-aof-rewrite-percentage", "-1"}, "--auto-aof-rewrite-percentage"},
		{[]string{"--aof-load-truncated", "1"}, "--aof-load-truncated"},
		{[]string{"--client-output-buffer-limit", "pubsub 32mb 8mb"}, "--client-output-buffer-limit"},
		{[]string{"--client-output-buffer-limit", "bogus 1mb 1mb 1"}, "--client-output-buffer-limit"},
		{[]string{"--client-output-buffer-limit", "pubsub lots 8mb 60"}, "--client-output-buffer-limit"},
		{[]string{"--proto-max-bulk-len", "0"}, "--proto-max-bulk-len"},
		{[]string{"--tls-ciphers", "ECDHE-RSA-AES128-GCM-SHA256:BOGUS"}, "BOGUS"},
		{[]string{"--tls-ciphersuites", "TLS_AES_128_GCM_SHA256"}, "--tls-ciphersuites"},
		{[]string{"--tls-prefer-server-ciphers", "maybe"}, "--tls-prefer-server-ciphers"},
		{[]string{"--tls-ca-cert-dir"}, "--tls-ca-cert-dir"},
		{[]string{"--tls-key-file-pass", ""}, "--tls-key-file-pass"},
		{[]string{"--timeout", "-1"}, "--timeout"},
		{[]string{"--tcp-keepalive", "-1"}, "--tcp-keepalive"},
		{[]string{"--timeout", "2147483648"}, "--timeout"},
		{[]string{"--proto-max-multibulk-len", "0"}, "--proto-max-multibulk-len"},
		{[]string{"--max-subscriptions-per-client", "x"}, "--max-subscriptions-per-client"},
		{[]string{"--max-pattern-len", "-5"}, "--max-pattern-len"},
		{[]string{"--no-such-option", "1"}, "--no-such-option"},
		{[]string{"--port", "6379", "--bogus"}, "--bogus"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			_, err := parseServeArgs(tc.args)
			if err == nil {
				t.Fatalf("parseServeArgs(%q) accepted", tc.args)
			}
			if !strings.Contains(err.Error(), tc.mention) {
				t.Fatalf("parseServeArgs(%q) = %q, which does not mention %q", tc.args, err, tc.mention)
			}
		})
	}
}

// TestParseHTTPOptions: the gateway's options.
func TestParseHTTPOptions(t *testing.T) {
	for _, tc := range []struct {
		args        []string
		port        int
		allowRemote bool
	}{
		{nil, defaultHTTPPort, false},
		{[]string{"--http-port", "0"}, 0, false},
		{[]string{"--http-port", "9000", "--port", "7000"}, 9000, false},
		{[]string{"--http-allow-remote"}, defaultHTTPPort, true},
		{[]string{"--http-allow-remote", "yes"}, defaultHTTPPort, true},
		{[]string{"--http-allow-remote", "no"}, defaultHTTPPort, false},
	} {
		o, err := parseServeOptions(tc.args)
		if err != nil || o.HTTPPort != tc.port || o.HTTPAllowRemote != tc.allowRemote {
			t.Errorf("parseServeOptions(%q) = port %d, allow remote %v, %v", tc.args, o.HTTPPort, o.HTTPAllowRemote, err)
		}
	}
	limits, err := parseServeOptions([]string{"--http-maxclients", "7", "--http-max-header-bytes", "64kb", "--http-max-message-bytes", "2mb",
		"--http-read-header-timeout", "3", "--http-read-body-timeout", "1500ms", "--http-idle-timeout", "1m"})
	if err != nil || limits.HTTPMaxClients != 7 || limits.HTTPMaxHeaderBytes != 64<<10 || limits.HTTPMaxMessageBytes != 2<<20 ||
		limits.HTTPReadHeaderTimeout != 3*time.Second || limits.HTTPReadBodyTimeout != 1500*time.Millisecond || limits.HTTPIdleTimeout != time.Minute {
		t.Errorf("HTTP limits: %+v, %v", limits, err)
	}
	for _, args := range [][]string{{"--http-port", "70000"}, {"--http-port"}, {"--http-allow-remote", "maybe"},
		{"--http-maxclients", "0"}, {"--http-max-header-bytes", "0"}, {"--http-max-message-bytes", "lots"}, {"--http-read-header-timeout", "0"},
		{"--http-idle-timeout", "-1s"}, {"--http-read-body-timeout", "soon"}} {
		if _, err := parseServeOptions(args); err == nil || !strings.Contains(err.Error(), args[0]) {
			t.Errorf("parseServeOptions(%q) = %v, want an error naming the option", args, err)
		}
	}
}

// TestUsageListsEveryOption: every option of the README's configuration
// table is one that serve accepts, and the usage text names it, so that
// `herald help` does not fall behind the README.
func TestUsageListsEveryOption(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	// A table row starts with the flag in backquotes: "| `--port N` | ...",
	// "| `--tls-cert-file FILE`, `--tls-key-file FILE` | ...".
	row := regexp.MustCompile("^\\| `--")
	flag := regexp.MustCompile("`(--[a-z-]+)")
	var names []string
	for _, line := range strings.Split(string(readme), "\n") {
		if !row.MatchString(line) {
			continue
		}
		cells := strings.Split(line, "|")
		for _, m := range flag.FindAllStringSubmatch(cells[1], -1) {
			names = append(names, m[1])
		}
	}
	if len(names) < 10 {
		t.Fatalf("found %d options in the README's configuration table: %q", len(names), names)
	}
	for _, name := range names {
		if !regexp.MustCompile(`\[` + regexp.QuoteMeta(name) + `[ \]]|\| ` + regexp.QuoteMeta(name) + `[ \]]`).MatchString(usage) {
			t.Errorf("the usage text does not name %s", name)
		}
		if _, err := parseServeOptions([]string{name}); err != nil && strings.Contains(err.Error(), "unknown option") {
			t.Errorf("the README lists %s, which serve does not accept: %v", name, err)
		}
	}
}
