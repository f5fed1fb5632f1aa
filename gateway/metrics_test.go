package gateway

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gobwas/ws"
	"github.com/heraldhq/herald/broker"
	"github.com/heraldhq/herald/server"
)

// startMetrics is start with the RESP server configured by scfg and added
// to /metrics as transport "resp", as cmd/herald does.
func startMetrics(t *testing.T, cfg Config, scfg server.Config) *env {
	t.Helper()
	return startWith(t, cfg, scfg, func(srv *server.Server, gw *Gateway) {
		gw.AddTransport("resp", func() TransportStats {
			m := srv.Metrics()
			return TransportStats{Connections: m.Connections, Published: m.Published, Delivered: m.Delivered,
				BytesIn: m.NetInputBytes, BytesOut: m.NetOutputBytes, SlowConsumerDisconnects: m.OutputLimitDisconnects}
		})
		srv.SetDeliveryLatencyObserver(gw.DeliveryLatencyObserver("resp"))
	})
}

// scrape GETs /metrics and returns its samples by series, as
// `name{label="value"}`.
func (e *env) scrape(t *testing.T) map[string]float64 {
	t.Helper()
	resp, err := http.Get(e.http.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("GET /metrics: %s", resp.Status)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		t.Fatalf("Content-Type %q, want the text format", ct)
	}
	samples := make(map[string]float64)
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			t.Fatalf("bad sample line %q", line)
		}
		samples[line[:i]] = v
	}
	return samples
}

// want checks the values of the given series.
func wantSamples(t *testing.T, got map[string]float64, want map[string]float64) {
	t.Helper()
	for k, v := range want {
		if g, ok := got[k]; !ok || g != v {
			t.Errorf("%s = %v (present %v), want %v", k, g, ok, v)
		}
	}
}

// After publishes over RESP, WebSocket and HTTP to a WebSocket and an SSE
// subscriber, /metrics counts them by transport.
func TestMetricsCountsByTransport(t *testing.T) {
	e := startMetrics(t, Config{}, server.Config{})
	w := e.dialWS(t)
	w.ack(map[string]any{"id": 1, "type": "subscribe", "channel": "news"})
	w.ack(map[string]any{"id": 2, "type": "psubscribe", "pattern": "n*"})
	s := e.dialSSE(t, "channel=news")
	s.event("ready")
	respSubscriber(t, e, "news")

	rdb := e.redis(t)
	for range 3 {
		if err := rdb.Publish(ctx(t), "news", "hi").Err(); err != nil {
			t.Fatal(err)
		}
	}
	w.ack(map[string]any{"id": 3, "type": "publish", "channel": "news", "data": "ws"})
	resp, err := http.Post(e.http.URL+"/publish/news", "text/plain", strings.NewReader("http"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	for range 5 {
		s.message()
	}
	for range 10 { // each publish matches the channel and the pattern
		w.message()
	}

	var got map[string]float64
	eventually(t, "the first WebSocket delivery's latency", func() bool {
		got = e.scrape(t)
		return got[`herald_delivery_latency_seconds_count{transport="websocket"}`] >= 1 &&
			got[`herald_delivery_latency_seconds_count{transport="sse"}`] >= 1 &&
			got[`herald_delivery_latency_seconds_count{transport="resp"}`] >= 1
	})
	wantSamples(t, got, map[string]float64{
		`herald_connections{transport="resp"}`:                          2,
		`herald_connections{transport="websocket"}`:                     1,
		`herald_connections{transport="sse"}`:                           1,
		`herald_messages_published_total{transport="resp"}`:             3,
		`herald_messages_published_total{transport="websocket"}`:        1,
		`herald_messages_published_total{transport="http"}`:             1,
		`herald_messages_delivered_total{transport="websocket"}`:        10,
		`herald_messages_delivered_total{transport="sse"}`:              5,
		`herald_messages_delivered_total{transport="resp"}`:             5,
		`herald_slow_consumer_disconnects_total{transport="resp"}`:      0,
		`herald_slow_consumer_disconnects_total{transport="sse"}`:       0,
		`herald_pubsub_channels`:                                        1,
		`herald_pubsub_patterns`:                                        1,
		`herald_pubsub_shard_channels`:                                  0,
		`herald_slow_consumer_disconnects_total{transport="websocket"}`: 0,
	})
	for _, k := range []string{
		`herald_net_input_bytes_total{transport="resp"}`,
		`herald_net_output_bytes_total{transport="resp"}`,
		`herald_net_input_bytes_total{transport="websocket"}`,
		`herald_net_output_bytes_total{transport="websocket"}`,
		`herald_net_output_bytes_total{transport="sse"}`,
	} {
		if got[k] <= 0 {
			t.Errorf("%s = %v, want > 0", k, got[k])
		}
	}
	if _, ok := got["go_goroutines"]; !ok {
		t.Error("no Go runtime metrics")
	}

	// A closed client's deliveries stay counted.
	w.nc.Close()
	eventually(t, "the WebSocket client to go", func() bool { return e.gw.Clients() == 1 })
	wantSamples(t, e.scrape(t), map[string]float64{
		`herald_connections{transport="websocket"}`:              0,
		`herald_messages_delivered_total{transport="websocket"}`: 10,
	})
}

// respSubscriber subscribes a raw RESP connection to channel and returns
// it; it is closed by t.Cleanup.
func respSubscriber(t *testing.T, e *env, channel string) net.Conn {
	t.Helper()
	nc, err := net.Dial("tcp", e.srv.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	n := strconv.Itoa(len(channel))
	nc.Write([]byte("*2\r\n$9\r\nSUBSCRIBE\r\n$" + n + "\r\n" + channel + "\r\n"))
	nc.SetReadDeadline(time.Now().Add(waitTimeout))
	reply := "*3\r\n$9\r\nsubscribe\r\n$" + n + "\r\n" + channel + "\r\n:1\r\n"
	if _, err := io.ReadFull(nc, make([]byte, len(reply))); err != nil {
		t.Fatal(err)
	}
	return nc
}

// Slow consumers are counted by transport: a RESP subscriber past its
// output-buffer limit and a WebSocket client past MaxQueueBytes.
func TestMetricsSlowConsumers(t *testing.T) {
	limits, err := server.ParseOutputLimits(server.DefaultOutputLimits, "pubsub 4kb 0 0")
	if err != nil {
		t.Fatal(err)
	}
	e := startMetrics(t, Config{MaxQueueBytes: 4096}, server.Config{OutputLimits: limits})
	w := e.dialWS(t)
	w.ack(map[string]any{"id": 1, "type": "subscribe", "channel": "flood"})
	respSubscriber(t, e, "flood")

	var batch broker.Batch
	payload := bytes.Repeat([]byte("x"), 100)
	for range 100 {
		e.srv.Broker().Publish([]byte("flood"), payload, &batch)
	}
	batch.Flush()
	if code, _ := w.closed(); code != ws.StatusPolicyViolation {
		t.Fatalf("WebSocket close code %d, want 1008", code)
	}
	eventually(t, "both slow consumers to go", func() bool {
		got := e.scrape(t)
		return got[`herald_connections{transport="resp"}`] == 0 && got[`herald_connections{transport="websocket"}`] == 0
	})
	wantSamples(t, e.scrape(t), map[string]float64{
		`herald_slow_consumer_disconnects_total{transport="resp"}`:      1,
		`herald_slow_consumer_disconnects_total{transport="websocket"}`: 1,
		`herald_slow_consumer_disconnects_total{transport="sse"}`:       0,
	})
}

// However many channels are published to, /metrics reports at most
// TopChannels of them, and a channel far busier than the rest is there.
func TestMetricsTopChannelsBounded(t *testing.T) {
	e := startMetrics(t, Config{}, server.Config{})
	pipe := e.redis(t).Pipeline()
	for i := range 2000 {
		pipe.Publish(ctx(t), "hot", "x")
		pipe.Publish(ctx(t), "cold:"+strconv.Itoa(i), "x")
	}
	if _, err := pipe.Exec(ctx(t)); err != nil {
		t.Fatal(err)
	}
	got := e.scrape(t)
	var series int
	for k := range got {
		if strings.HasPrefix(k, "herald_top_channel_published{") {
			series++
		}
	}
	if series == 0 || series > TopChannels {
		t.Fatalf("%d top-channel series, want 1 to %d", series, TopChannels)
	}
	if got[`herald_top_channel_published{channel="hot"}`] < 1000 {
		t.Fatalf("hot channel estimate %v, want about 2000", got[`herald_top_channel_published{channel="hot"}`])
	}
	wantSamples(t, got, map[string]float64{`herald_messages_published_total{transport="resp"}`: 4000})
}

// Two gateways in one process have registries of their own.
func TestMetricsPrivateRegistries(t *testing.T) {
	a := startMetrics(t, Config{}, server.Config{})
	b := startMetrics(t, Config{}, server.Config{})
	w := a.dialWS(t)
	w.ack(map[string]any{"id": 1, "type": "ping"})
	wantSamples(t, a.scrape(t), map[string]float64{`herald_connections{transport="websocket"}`: 1})
	wantSamples(t, b.scrape(t), map[string]float64{`herald_connections{transport="websocket"}`: 0})
}
