package main

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/heraldhq/herald/backend"
	"github.com/heraldhq/herald/broker"
	"github.com/heraldhq/herald/bus"
	"github.com/heraldhq/herald/server"
)

var _ server.Remote = (*backend.Backend)(nil)

// openBackend connects to the --backend URL, if there is one, with its own
// broker for the node's local subscribers. It waits for the backend as long
// as the backend's own timeout allows: a node that cannot reach its backend
// at start-up does not start.
func openBackend(opts serveOptions, logger *slog.Logger) (*backend.Backend, error) {
	if opts.Backend == "" {
		return nil, nil
	}
	log := logger.With("component", "backend")
	bk, err := backend.Open(context.Background(), opts.Backend, broker.New(), backend.Options{
		Logf: func(format string, args ...any) { log.Warn(fmt.Sprintf(format, args...)) },
	})
	if err != nil {
		return nil, err
	}
	log.Info("fan-out through a shared backend: PUBLISH and PUBSUB counts are the backend's")
	return bk, nil
}

// fanout is the gateway's bus: the backend when there is one, else the
// RESP server's broker.
func fanout(srv *server.Server, bk *backend.Backend) bus.Bus {
	if bk != nil {
		return bk
	}
	return bus.NewLocal(srv.Broker())
}
