package main

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/heraldhq/herald/backend"
	"github.com/heraldhq/herald/gateway"
	"github.com/heraldhq/herald/server"
)

// addRESPMetrics adds the RESP server to the gateway's /metrics: its
// counters at each scrape, and its sampled delivery latencies.
func addRESPMetrics(gw *gateway.Gateway, srv *server.Server) {
	gw.AddTransport("resp", respTransport(srv))
	srv.SetDeliveryLatencyObserver(gw.DeliveryLatencyObserver("resp"))
}

// respTransport reports the RESP server's counters to the gateway's
// /metrics with the label transport="resp".
func respTransport(srv *server.Server) func() gateway.TransportStats {
	return func() gateway.TransportStats {
		m := srv.Metrics()
		return gateway.TransportStats{
			Connections:             m.Connections,
			Published:               m.Published,
			Delivered:               m.Delivered,
			BytesIn:                 m.NetInputBytes,
			BytesOut:                m.NetOutputBytes,
			SlowConsumerDisconnects: m.OutputLimitDisconnects,
		}
	}
}

// addBackendMetrics adds the shared backend's counters to the gateway's
// /metrics, read at each scrape.
func addBackendMetrics(gw *gateway.Gateway, bk *backend.Backend) {
	counter := func(name, help string, v func(backend.Stats) uint64) prometheus.Collector {
		return prometheus.NewCounterFunc(prometheus.CounterOpts{Name: name, Help: help},
			func() float64 { return float64(v(bk.Stats())) })
	}
	gauge := func(name, help string, v func(backend.Stats) int64) prometheus.Collector {
		return prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help},
			func() float64 { return float64(v(bk.Stats())) })
	}
	gw.Registry().MustRegister(
		counter("herald_backend_gaps_total",
			"Times messages for this node's subscribers may have been lost: a backend connection dropped or a slot moved (each also announced on "+backend.SystemChannel+").",
			func(s backend.Stats) uint64 { return s.Gaps }),
		counter("herald_backend_reconnects_total", "Connections to a backend node made again after a loss.",
			func(s backend.Stats) uint64 { return s.Reconnects }),
		counter("herald_backend_received_messages_total", "Messages the backend pushed to this node.",
			func(s backend.Stats) uint64 { return s.Received }),
		gauge("herald_backend_subscriptions", "Subscriptions this node holds in the backend (one per name its clients hold, per primary for keyspace names in a cluster).",
			func(s backend.Stats) int64 { return s.Subscriptions }),
		gauge("herald_backend_nodes", "Backend nodes subscribed to: the server, or the cluster's primaries.",
			func(s backend.Stats) int64 { return s.Nodes }),
		gauge("herald_backend_nodes_connected", "Backend nodes connected now.",
			func(s backend.Stats) int64 { return s.Connected }),
	)
}
