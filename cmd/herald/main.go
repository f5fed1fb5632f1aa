// Command herald runs the Herald broadcast server.
//
//	herald serve [--port 6379] [--bind 127.0.0.1 ...] [--maxclients 10000]
//	             [--requirepass secret] [--client-output-buffer-limit "pubsub 32mb 8mb 60"]
//	             [--proto-max-bulk-len 512mb] [--client-query-buffer-limit 1gb] [--timeout 0] [--tcp-keepalive 300]
//	             [--proto-max-multibulk-len N] [--max-subscriptions-per-client N] [--max-pattern-len 1024]
//	             [--http-maxclients N] [--http-max-header-bytes 1mb] [--http-max-message-bytes 1mb]
//	             [--http-read-header-timeout 10s] [--http-read-body-timeout 10s] [--http-idle-timeout 2m]
//	             [--http-port 8080] [--http-allow-remote yes|no]
//	             [--tls-port N --tls-cert-file FILE --tls-key-file FILE [--tls-ca-cert-file FILE]
//	              [--tls-key-file-pass PASS] [--tls-ca-cert-dir DIR]
//	              [--tls-auth-clients yes|no|optional] [--tls-protocols "TLSv1.2 TLSv1.3"]
//	              [--tls-ciphers OPENSSL-NAMES] [--tls-ciphersuites TLS13-NAMES]
//	              [--tls-prefer-server-ciphers yes|no]]
//	             [--http-tls-port N]
//	             [--jwt-secret SECRET | --jwt-public-key FILE]
//	herald token --secret SECRET --sub ID [--subscribe GLOB ...] [--publish GLOB ...] [--ttl 1h]
//
// Flags are spelled as redis-server spells them and mean the same.

package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"runtime/pprof"
	"syscall"
	"time"

	"github.com/heraldhq/herald/server"
)

const usage = `usage: herald serve [--port N] [--bind ADDR ...] [--maxclients N] [--requirepass PASS]
                    [--aclfile FILE] [--acl-pubsub-default allchannels|resetchannels]
                    [--client-output-buffer-limit "CLASS HARD SOFT SECONDS" ...]
                    [--proto-max-bulk-len SIZE] [--client-query-buffer-limit SIZE] [--timeout SECONDS] [--tcp-keepalive SECONDS]
                    [--proto-max-multibulk-len N] [--max-subscriptions-per-client N] [--max-pattern-len N]
                    [--http-maxclients N] [--http-max-header-bytes SIZE] [--http-max-message-bytes SIZE]
                    [--http-read-header-timeout DURATION] [--http-read-body-timeout DURATION]
                    [--http-idle-timeout DURATION]
                    [--http-port N] [--http-allow-remote yes|no]
                    [--tls-port N] [--http-tls-port N] [--tls-cert-file FILE] [--tls-key-file FILE]
                    [--tls-key-file-pass PASS] [--tls-ca-cert-file FILE] [--tls-ca-cert-dir DIR]
                    [--tls-auth-clients yes|no|optional] [--tls-protocols PROTO ...]
                    [--tls-ciphers NAME:NAME...] [--tls-ciphersuites NAME:NAME...] [--tls-prefer-server-ciphers yes|no]
                    [--jwt-secret SECRET | --jwt-public-key FILE] [--protected-mode yes|no]
                    [--notify-keyspace-events FLAGS] [--maxmemory SIZE] [--maxmemory-policy POLICY]
                    [--appendonly yes|no] [--appendfsync always|everysec|no] [--dir DIR]
                    [--appendfilename NAME] [--appenddirname NAME] [--aof-load-truncated yes|no]
                    [--auto-aof-rewrite-percentage N] [--auto-aof-rewrite-min-size SIZE]
                    [--backend URL]
       herald token --secret SECRET --sub ID [--subscribe GLOB ...] [--publish GLOB ...] [--ttl 1h]
       herald pub [--addr HOST:PORT] [--pass P] [--rate N] [--count N] CHANNEL MESSAGE
       herald sub [--addr HOST:PORT] [--pass P] [--pattern] NAME...
       herald version
`

func main() {
	if len(os.Args) < 2 {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	switch os.Args[1] {
	case "serve":
		reexecWithSmallStacks()
		os.Exit(serve(os.Args[2:]))
	case "token":
		os.Exit(tokenCommand(os.Args[2:], os.Stdout, os.Stderr))
	case "pub", "sub":
		ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
		run := pubCommand
		if os.Args[1] == "sub" {
			run = subCommand
		}
		code := run(ctx, os.Args[2:], os.Stdout, os.Stderr)
		stop()
		os.Exit(code)
	case "version", "--version", "-v":
		fmt.Printf("herald %s (Redis %s protocol)\n", server.HeraldVersion, server.Version)
	case "help", "--help", "-h":
		fmt.Print(usage)
	default:
		fmt.Fprintf(os.Stderr, "herald: unknown command %q\n%s", os.Args[1], usage)
		os.Exit(2)
	}
}

func serve(args []string) int {
	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))
	opts, err := parseServeOptions(args)
	if err != nil {
		fmt.Fprintf(os.Stderr, "herald: %v\n%s", err, usage)
		return 2
	}
	opts.Logger = logger
	cfg := opts.Config
	if path := os.Getenv("HERALD_CPUPROFILE"); path != "" {
		// For performance work: profile the whole run, written at shutdown.
		if stop, err := startCPUProfile(path); err != nil {
			logger.Warn("cannot profile", "error", err)
		} else {
			defer stop()
		}
	}
	bk, err := openBackend(opts, logger)
	if err != nil {
		logger.Error("cannot start", "error", err)
		return 1
	}
	if bk != nil {
		defer bk.Close()
		cfg.Broker, cfg.Remote = bk.Broker(), bk
	}
	srv, err := server.Start(cfg)
	if err != nil {
		logger.Error("cannot start", "error", err)
		return 1
	}
	gw, err := startGateway(opts, srv, fanout(srv, bk), logger)
	if err != nil {
		logger.Error("cannot start", "error", err)
		srv.Close()
		return 1
	}
	if gw != nil && bk != nil {
		addBackendMetrics(gw.gw, bk)
	}
	if srv.Addr() == nil && srv.TLSAddr() == nil {
		logger.Warn("--port 0: not listening on any TCP port")
	}
	if gw != nil {
		logger.Info("HTTP gateway ready (WebSocket /ws, SSE /sse, POST /publish/{channel})", "addrs", gw.addrs, "tls_addrs", gw.tlsAddrs)
		if len(gw.addrs) > 0 {
			logger.Info("demo page", "url", "http://"+gw.addrs[0].String()+"/")
		} else {
			logger.Info("demo page", "url", "https://"+gw.tlsAddrs[0].String()+"/")
		}
	}
	ready := []any{"addr", srv.Addr(), "version", server.HeraldVersion}
	if a := srv.TLSAddr(); a != nil {
		ready = append(ready, "tls_addr", a)
	}
	logger.Info("Herald ready to accept connections", ready...)

	memCtx, stopMem := context.WithCancel(context.Background())
	defer stopMem()
	go releaseIdleMemory(memCtx)

	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGINT, syscall.SIGTERM)
	sig := <-stop
	logger.Info("shutting down", "signal", sig.String())
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if gw != nil {
		if err := gw.shutdown(ctx); err != nil {
			logger.Warn("HTTP gateway shutdown incomplete", "error", err)
		}
	}
	if err := srv.Shutdown(ctx); err != nil {
		logger.Warn("shutdown incomplete", "error", err)
	}
	return 0
}

// startCPUProfile writes a CPU profile to path until the returned function
// is called.
func startCPUProfile(path string) (func(), error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}, nil
}
