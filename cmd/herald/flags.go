package main

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/heraldhq/herald/keyspace"

	"github.com/heraldhq/herald/server"
)

// serveOptions is what the serve command's flags set: the RESP server's
// configuration and the HTTP gateway's.
type serveOptions struct {
	server.Config
	// HTTPPort is the gateway's port; 0 means no HTTP listener.
	HTTPPort int
	// HTTPTLSPort is the gateway's HTTPS (and WSS) port, with the RESP
	// server's tls-* settings (and their reloads by CONFIG SET); 0 means
	// none.
	HTTPTLSPort int
	// HTTPAllowRemote lets non-loopback clients use the gateway.
	HTTPAllowRemote bool
	// JWTSecret, when set, turns on HS256 tokens for the gateway.
	JWTSecret string
	// JWTPublicKey, when set, is the path of a PEM public key that turns on
	// RS256 or ES256 tokens for the gateway.
	JWTPublicKey string
	// HTTPMaxClients bounds the gateway's WebSocket and SSE clients; more
	// get 503. Zero means --maxclients (10000 unless set).
	HTTPMaxClients int
	// HTTPMaxHeaderBytes bounds an HTTP request's header (http.Server's
	// MaxHeaderBytes); a larger one gets 431. Zero means 1 MB.
	HTTPMaxHeaderBytes int
	// HTTPMaxMessageBytes bounds a published payload: an HTTP publish body
	// (413) and a WebSocket frame or message (close 1009)
	// (gateway.Config.MaxMessageBytes). Zero means 1 MiB.
	HTTPMaxMessageBytes int64
	// HTTPReadHeaderTimeout bounds the reading of an HTTP request's header,
	// against slowloris; the connection is closed when it passes. Zero
	// means 10 seconds.
	HTTPReadHeaderTimeout time.Duration
	// HTTPReadBodyTimeout bounds the reading of an HTTP publish body
	// (gateway.Config.BodyTimeout). Zero means 10 seconds.
	HTTPReadBodyTimeout time.Duration
	// HTTPIdleTimeout closes a kept-alive HTTP connection that sends no
	// next request for that long (not WebSocket or SSE streams, whose
	// heartbeats and timeouts are the gateway's). Zero means 2 minutes.
	HTTPIdleTimeout time.Duration
	// Backend, when set, is the URL of the Redis or Redis Cluster that this
	// node shares with other Herald nodes (package backend); empty means
	// the embedded broker is the whole of fan-out.
	Backend string
}

// defaultHTTPPort is the gateway's port unless --http-port says otherwise.
const defaultHTTPPort = 8080

// parseServeArgs parses the options and returns the RESP server's part.
func parseServeArgs(args []string) (server.Config, error) {
	o, err := parseServeOptions(args)
	return o.Config, err
}

// parseServeOptions parses redis-server style options: "--name value ...",
// where an option takes every following word up to the next "--" option, so
// "--bind 127.0.0.1 ::1" binds two addresses.
func parseServeOptions(args []string) (serveOptions, error) {
	cfg := serveOptions{Config: server.Config{Port: 6379}, HTTPPort: defaultHTTPPort}
	for i := 0; i < len(args); {
		name, ok := strings.CutPrefix(args[i], "--")
		if !ok || name == "" {
			return cfg, fmt.Errorf("unexpected argument %q", args[i])
		}
		name, inline, hasInline := strings.Cut(name, "=")
		var values []string
		if hasInline {
			values = []string{inline}
		}
		i++
		for i < len(args) && !strings.HasPrefix(args[i], "--") {
			values = append(values, args[i])
			i++
		}
		if err := applyOption(&cfg, strings.ToLower(name), values); err != nil {
			return cfg, fmt.Errorf("--%s: %w", name, err)
		}
	}
	// The gateway's HTTPS serves with the server's TLS settings, so the
	// server loads them (and CONFIG SET reloads them) without a tls-port.
	cfg.TLSShared = cfg.HTTPTLSPort != 0
	return cfg, checkTokenOptions(cfg)
}

// checkTokenOptions refuses contradictory gateway auth options: one key at
// most, and no loopback rule to relax when tokens decide.
func checkTokenOptions(cfg serveOptions) error {
	switch {
	case cfg.JWTSecret != "" && cfg.JWTPublicKey != "":
		return fmt.Errorf("--jwt-secret and --jwt-public-key: give one or the other")
	case (cfg.JWTSecret != "" || cfg.JWTPublicKey != "") && cfg.HTTPAllowRemote:
		return fmt.Errorf("--http-allow-remote: has no effect with --jwt-secret or --jwt-public-key (tokens decide)")
	}
	return nil
}

func applyOption(cfg *serveOptions, name string, values []string) error {
	one := func() (string, error) {
		if len(values) != 1 {
			return "", fmt.Errorf("wants one value, got %d", len(values))
		}
		return values[0], nil
	}
	switch name {
	case "port", "http-port", "tls-port", "http-tls-port":
		v, err := one()
		if err != nil {
			return err
		}
		port, err := strconv.Atoi(v)
		if err != nil || port < 0 || port > 65535 {
			return fmt.Errorf("invalid port %q", v)
		}
		*map[string]*int{"port": &cfg.Port, "http-port": &cfg.HTTPPort, "tls-port": &cfg.TLSPort, "http-tls-port": &cfg.HTTPTLSPort}[name] = port
	case "tls-cert-file", "tls-key-file", "tls-ca-cert-file", "tls-ca-cert-dir", "tls-key-file-pass":
		v, err := one()
		if err != nil {
			return err
		}
		if v == "" {
			return fmt.Errorf("is empty")
		}
		*map[string]*string{"tls-cert-file": &cfg.TLSCertFile, "tls-key-file": &cfg.TLSKeyFile, "tls-ca-cert-file": &cfg.TLSCACertFile,
			"tls-ca-cert-dir": &cfg.TLSCACertDir, "tls-key-file-pass": &cfg.TLSKeyFilePass}[name] = v
	case "tls-ciphers":
		v := strings.Join(values, " ")
		if _, err := server.ParseTLSCiphers(v); err != nil {
			return err
		}
		cfg.TLSCiphers = v
	case "tls-ciphersuites":
		v := strings.Join(values, " ")
		if err := server.CheckTLSCipherSuites(v); err != nil {
			return err
		}
		cfg.TLSCipherSuites = v
	case "tls-prefer-server-ciphers":
		v, err := one()
		if err != nil {
			return err
		}
		if cfg.TLSPreferServerCiphers, err = yesNo(v); err != nil {
			return err
		}
	case "tls-auth-clients":
		v, err := one()
		if err != nil {
			return err
		}
		if cfg.TLSAuthClients, err = server.ParseTLSAuthClients(v); err != nil {
			return err
		}
	case "tls-protocols":
		v := strings.Join(values, " ")
		if _, _, err := server.ParseTLSProtocols(v); err != nil {
			return err
		}
		cfg.TLSProtocols = v
	case "http-allow-remote":
		if len(values) == 0 {
			cfg.HTTPAllowRemote = true
			return nil
		}
		v, err := one()
		if err != nil {
			return err
		}
		if cfg.HTTPAllowRemote, err = yesNo(v); err != nil {
			return err
		}
	case "jwt-secret", "jwt-public-key":
		v, err := one()
		if err != nil {
			return err
		}
		if v == "" {
			return fmt.Errorf("is empty")
		}
		if name == "jwt-secret" {
			cfg.JWTSecret = v
		} else {
			cfg.JWTPublicKey = v
		}
	case "appendonly", "aof-load-truncated":
		v, err := one()
		if err != nil {
			return err
		}
		on, err := yesNo(v)
		if err != nil {
			return err
		}
		if name == "appendonly" {
			cfg.AppendOnly = on
		} else {
			cfg.AOFRefuseTruncated = !on
		}
	case "auto-aof-rewrite-percentage":
		v, err := one()
		if err != nil {
			return err
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return fmt.Errorf("invalid percentage %q", v)
		}
		cfg.AutoAOFRewritePercentage = n
		if n == 0 {
			cfg.AutoAOFRewritePercentage = -1
		}
	case "auto-aof-rewrite-min-size":
		v, err := one()
		if err != nil {
			return err
		}
		n, err := server.ParseMemory(v)
		if err != nil {
			return fmt.Errorf("invalid size %q", v)
		}
		cfg.AutoAOFRewriteMinSize = n
		if n == 0 {
			cfg.AutoAOFRewriteMinSize = -1
		}
	case "appendfsync":
		v, err := one()
		if err != nil {
			return err
		}
		v = strings.ToLower(v)
		if v != "always" && v != "everysec" && v != "no" {
			return fmt.Errorf("wants always, everysec or no, got %q", v)
		}
		cfg.AppendFsync = v
	case "dir", "appendfilename", "appenddirname":
		v, err := one()
		if err != nil {
			return err
		}
		if v == "" {
			return fmt.Errorf("is empty")
		}
		switch name {
		case "dir":
			cfg.Dir = v
		case "appendfilename":
			cfg.AppendFilename = v
		default:
			cfg.AppendDirname = v
		}
	case "protected-mode":
		v, err := one()
		if err != nil {
			return err
		}
		on, err := yesNo(v)
		if err != nil {
			return err
		}
		cfg.DisableProtectedMode = !on
	case "notify-keyspace-events":
		v, err := one()
		if err != nil {
			return err
		}
		if _, ok := keyspace.ParseEvents(v); !ok {
			return fmt.Errorf("invalid event class character in %q: use 'Ag$lshzxeKEtmdn'", v)
		}
		cfg.NotifyKeyspaceEvents = v
	case "backend":
		v, err := one()
		if err != nil {
			return err
		}
		if v == "" {
			return fmt.Errorf("is empty")
		}
		cfg.Backend = v
	case "bind":
		if len(values) == 0 {
			return fmt.Errorf("wants at least one address")
		}
		cfg.Bind = values
	case "maxclients", "http-maxclients":
		v, err := one()
		if err != nil {
			return err
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return fmt.Errorf("invalid number %q", v)
		}
		if name == "maxclients" {
			cfg.MaxClients = n
		} else {
			cfg.HTTPMaxClients = n
		}
	case "requirepass":
		v, err := one()
		if err != nil {
			return err
		}
		cfg.RequirePass = v
	case "aclfile":
		v, err := one()
		if err != nil {
			return err
		}
		cfg.ACLFile = v
	case "acl-pubsub-default":
		v, err := one()
		if err != nil {
			return err
		}
		switch v = strings.ToLower(v); v {
		case "allchannels", "resetchannels":
			cfg.ACLPubsubDefault = v
		default:
			return fmt.Errorf("must be allchannels or resetchannels, not %q", v)
		}
	case "client-output-buffer-limit":
		limits, err := server.ParseOutputLimits(cfg.OutputLimits, strings.Join(values, " "))
		if err != nil {
			return err
		}
		cfg.OutputLimits = limits
	case "maxmemory":
		v, err := one()
		if err != nil {
			return err
		}
		n, err := server.ParseMemory(v)
		if err != nil {
			return fmt.Errorf("invalid size %q", v)
		}
		cfg.MaxMemory = n
	case "maxmemory-policy":
		v, err := one()
		if err != nil {
			return err
		}
		p, err := server.ParseMaxMemoryPolicy(v)
		if err != nil {
			return err
		}
		cfg.MaxMemoryPolicy = p
	case "timeout", "tcp-keepalive", "proto-max-multibulk-len", "max-subscriptions-per-client", "max-pattern-len":
		v, err := one()
		if err != nil {
			return err
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > math.MaxInt32 || n == 0 && name == "proto-max-multibulk-len" {
			return fmt.Errorf("invalid number %q", v)
		}
		switch name {
		case "timeout":
			cfg.Timeout = n
		case "tcp-keepalive":
			cfg.TCPKeepAlive = n
			if n == 0 {
				cfg.TCPKeepAlive = -1 // 0 is no probes, as in CONFIG SET
			}
		case "proto-max-multibulk-len":
			cfg.ProtoMaxMultibulkLen = n
		case "max-subscriptions-per-client":
			cfg.MaxSubscriptionsPerClient = n
		default:
			cfg.MaxPatternLen = n
			if n == 0 {
				cfg.MaxPatternLen = -1 // 0 is no limit, as in CONFIG SET
			}
		}
	case "http-max-header-bytes", "http-max-message-bytes":
		v, err := one()
		if err != nil {
			return err
		}
		n, err := server.ParseMemory(v)
		if err != nil || n < 1 || n > math.MaxInt32 {
			return fmt.Errorf("invalid size %q", v)
		}
		if name == "http-max-header-bytes" {
			cfg.HTTPMaxHeaderBytes = int(n)
		} else {
			cfg.HTTPMaxMessageBytes = n
		}
	case "http-read-header-timeout", "http-read-body-timeout", "http-idle-timeout":
		v, err := one()
		if err != nil {
			return err
		}
		d, err := parseSeconds(v)
		if err != nil {
			return err
		}
		*map[string]*time.Duration{"http-read-header-timeout": &cfg.HTTPReadHeaderTimeout,
			"http-read-body-timeout": &cfg.HTTPReadBodyTimeout, "http-idle-timeout": &cfg.HTTPIdleTimeout}[name] = d
	case "proto-max-bulk-len", "client-query-buffer-limit":
		v, err := one()
		if err != nil {
			return err
		}
		n, err := server.ParseMemory(v)
		if err != nil || n < 1 {
			return fmt.Errorf("invalid size %q", v)
		}
		if name == "proto-max-bulk-len" {
			cfg.ProtoMaxBulkLen = n
		} else {
			cfg.QueryBufferLimit = n
		}
	default:
		return fmt.Errorf("unknown option")
	}
	return nil
}

// parseSeconds parses a positive duration: seconds as redis-server writes
// them ("10"), or a Go duration ("500ms", "1m").
func parseSeconds(v string) (time.Duration, error) {
	d, err := time.ParseDuration(v)
	if n, nerr := strconv.Atoi(v); nerr == nil {
		d, err = time.Duration(n)*time.Second, nil
	}
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("invalid duration %q: want seconds or a duration such as 500ms", v)
	}
	return d, nil
}

// yesNo parses a redis-server style boolean, yes or no in any case.
func yesNo(v string) (bool, error) {
	switch strings.ToLower(v) {
	case "yes":
		return true, nil
	case "no":
		return false, nil
	}
	return false, fmt.Errorf("wants yes or no, got %q", v)
}
