package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/heraldhq/herald/bus"
	"github.com/heraldhq/herald/gateway"
	"github.com/heraldhq/herald/server"
)

// httpGateway is the web gateway serving beside the RESP server, on the
// same broker.
type httpGateway struct {
	gw      *gateway.Gateway
	servers []*http.Server
	addrs   []net.Addr
}

// startGateway listens for HTTP on every bind address at opts.HTTPPort and
// serves the gateway over srv's broker. It returns nil when the port is 0.
func startGateway(opts serveOptions, srv *server.Server, logger *slog.Logger) (*httpGateway, error) {
	if opts.HTTPPort == 0 {
		return nil, nil
	}
	g := &httpGateway{gw: gateway.New(gateway.Config{
		AllowRemote: opts.HTTPAllowRemote,
		Logger:      logger,
	}, bus.NewLocal(srv.Broker()))}
	binds := opts.Bind
	if len(binds) == 0 {
		binds = []string{"127.0.0.1"}
	}
	for _, host := range binds {
		addr := net.JoinHostPort(host, strconv.Itoa(opts.HTTPPort))
		l, err := net.Listen("tcp", addr)
		if err != nil {
			g.shutdown(context.Background())
			return nil, fmt.Errorf("could not listen for HTTP on %s: %w", addr, err)
		}
		hs := &http.Server{Handler: g.gw, ReadHeaderTimeout: 10 * time.Second, ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelWarn)}
		g.servers = append(g.servers, hs)
		g.addrs = append(g.addrs, l.Addr())
		go func() {
			if err := hs.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
				logger.Error("HTTP gateway stopped", "addr", addr, "error", err)
			}
		}()
	}
	return g, nil
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
