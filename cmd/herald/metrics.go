package main

import (
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
