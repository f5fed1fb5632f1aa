package main

import (
	"cmp"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strconv"
	"time"

	"github.com/heraldhq/herald/bus"
	"github.com/heraldhq/herald/gateway"
	"github.com/heraldhq/herald/internal/token"
	"github.com/heraldhq/herald/server"
)

// httpGateway is the web gateway serving beside the RESP server, on the
// same broker.
type httpGateway struct {
	gw      *gateway.Gateway
	servers []*http.Server
	addrs   []net.Addr // HTTP
	// tlsAddrs are the HTTPS listeners' addresses.
	tlsAddrs []net.Addr
}

// startGateway listens for HTTP on every bind address at opts.HTTPPort, and
// for HTTPS at opts.HTTPTLSPort with the tls-* settings, and serves the
// gateway over fanout, which routes through srv's broker. It returns nil
// when both ports are 0.
func startGateway(opts serveOptions, srv *server.Server, fanout bus.Bus, logger *slog.Logger) (*httpGateway, error) {
	if opts.HTTPPort == 0 && opts.HTTPTLSPort == 0 {
		return nil, nil
	}
	var tc *tls.Config
	if opts.HTTPTLSPort != 0 {
		var err error
		if tc, err = opts.Config.TLSConfig(); err != nil {
			return nil, fmt.Errorf("--http-tls-port: %w", err)
		}
		// WebSocket upgrades hijack HTTP/1.1 connections.
		tc.NextProtos = []string{"http/1.1"}
		// The server's settings as CONFIG SET leaves them, when it loaded
		// them (opts.TLSShared); else these, fixed.
		if srv != nil {
			if live := srv.TLSListenerConfig(tc.NextProtos...); live != nil {
				tc = live
			}
		}
	}
	auth, err := gatewayAuthenticator(opts)
	if err != nil {
		return nil, err
	}
	if auth != nil {
		logger.Info("HTTP gateway requires tokens: the loopback rule does not apply")
	}
	g := &httpGateway{gw: gateway.New(gateway.Config{
		MaxMessageBytes: opts.HTTPMaxMessageBytes,
		BodyTimeout:     opts.HTTPReadBodyTimeout,
		AllowRemote:     opts.HTTPAllowRemote,
		Authenticator:   auth,
		Logger:          logger,

		// The RESP server's settings as the flags set them, and, when
		// the RESP server runs, as CONFIG SET changes them.
		MaxSubscriptionsPerClient: opts.MaxSubscriptionsPerClient,
		MaxPatternLen:             opts.MaxPatternLen,
		SubscriptionLimits:        subscriptionLimits(srv),
		MaxClients:                cmp.Or(opts.HTTPMaxClients, opts.MaxClients, defaultMaxClients),
	}, fanout)}
	addRESPMetrics(g.gw, srv)
	binds := opts.Bind
	if len(binds) == 0 {
		binds = []string{"127.0.0.1"}
	}
	for _, port := range []int{opts.HTTPPort, opts.HTTPTLSPort} {
		if port == 0 {
			continue
		}
		secure := port == opts.HTTPTLSPort
		for _, host := range binds {
			addr := net.JoinHostPort(host, strconv.Itoa(port))
			l, err := net.Listen("tcp", addr)
			if err != nil {
				g.shutdown(context.Background())
				return nil, fmt.Errorf("could not listen for HTTP on %s: %w", addr, err)
			}
			if secure {
				g.tlsAddrs = append(g.tlsAddrs, l.Addr())
				l = tls.NewListener(l, tc)
			} else {
				g.addrs = append(g.addrs, l.Addr())
			}
			g.serve(l, opts, logger)
		}
	}
	return g, nil
}

// Defaults of the gateway's HTTP timeouts (serveOptions).
const (
	defaultHTTPReadHeaderTimeout = 10 * time.Second
	defaultHTTPIdleTimeout       = 2 * time.Minute
	// defaultMaxClients is the RESP server's maxclients default, which
	// the gateway's --http-maxclients follows unless set.
	defaultMaxClients = 10000
)

// serve serves the gateway on l in the background.
func (g *httpGateway) serve(l net.Listener, opts serveOptions, logger *slog.Logger) {
	hs := &http.Server{
		Handler:           g.gw,
		ReadHeaderTimeout: cmp.Or(opts.HTTPReadHeaderTimeout, defaultHTTPReadHeaderTimeout),
		IdleTimeout:       cmp.Or(opts.HTTPIdleTimeout, defaultHTTPIdleTimeout),
		MaxHeaderBytes:    opts.HTTPMaxHeaderBytes, // zero: net/http's 1 MB
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	g.servers = append(g.servers, hs)
	go func() {
		if err := hs.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
			logger.Error("HTTP gateway stopped", "addr", l.Addr(), "error", err)
		}
	}()
}

// shutdown stops the listeners, then closes the WebSocket and SSE clients.
func (g *httpGateway) shutdown(ctx context.Context) error {
	var errs []error
	for _, hs := range g.servers {
		errs = append(errs, hs.Shutdown(ctx))
	}
	errs = append(errs, g.gw.Shutdown(ctx))
	return errors.Join(errs...)
}

// gatewayAuthenticator returns the gateway's token Authenticator when
// --jwt-secret or --jwt-public-key is given, or nil (the loopback rule).
func gatewayAuthenticator(opts serveOptions) (gateway.Authenticator, error) {
	var v *token.Verifier
	var err error
	switch {
	case opts.JWTSecret != "":
		v, err = token.NewHS256Verifier([]byte(opts.JWTSecret), token.Options{})
		if err != nil {
			return nil, fmt.Errorf("--jwt-secret: %w", err)
		}
	case opts.JWTPublicKey != "":
		pemBytes, err := os.ReadFile(opts.JWTPublicKey)
		if err != nil {
			return nil, fmt.Errorf("--jwt-public-key: %w", err)
		}
		if v, err = token.NewPublicKeyVerifier(pemBytes, token.Options{}); err != nil {
			return nil, fmt.Errorf("--jwt-public-key %s: %w", opts.JWTPublicKey, err)
		}
	default:
		return nil, nil
	}
	return gateway.NewTokenAuth(v), nil
}

// subscriptionLimits is the gateway's source of the RESP server's
// subscription limits, or nil without a RESP server.
func subscriptionLimits(srv *server.Server) func() (int, int) {
	if srv == nil {
		return nil
	}
	return srv.SubscriptionLimits
}
