// Package server is Herald's Redis-protocol server: the RESP listener, the
// connections, subscribe-mode rules and the command table. Routing belongs
// to package broker.
package server

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/heraldhq/herald/aof"
	"github.com/heraldhq/herald/broker"
	"github.com/heraldhq/herald/internal/resp"
	"github.com/heraldhq/herald/internal/wait"
	"github.com/heraldhq/herald/keyspace"
)

// Server is a Herald RESP server.
type Server struct {
	broker *broker.Broker
	remote Remote // nil: the broker is the whole of fan-out
	ks     *keyspace.Keyspace
	// ksBatch is the batch keyspace notifications join: that of the
	// connection holding the keyspace lock. Guarded by that lock.
	ksBatch *broker.Batch
	// blocked are the clients blocked on list keys (blocking.go). Guarded
	// by the keyspace lock.
	blocked blockedClients

	// aofFile is the append-only file, nil when appendonly is off; prop
	// is what the command under way logs to it, and loading is true while
	// the AOF is replayed (aof.go). prop and loading are guarded by the
	// keyspace lock.
	aofFile atomic.Pointer[aof.AOF]
	prop    propState
	loading bool
	rewrite rewriteState // BGREWRITEAOF (aof_rewrite.go)

	// tracking is CLIENT TRACKING's state (tracking.go).
	tracking tracker

	started time.Time
	runID   string

	cfg atomic.Pointer[settings]

	aclStore *aclStore // users and the ACL log (acl.go)

	mu        sync.Mutex
	listeners []net.Listener
	// tlsListeners are the TLS listeners (tls.go), apart from listeners
	// because CONFIG SET port and bind replace only those.
	tlsListeners []net.Listener
	conns        map[int64]*conn
	closed       bool
	wg           sync.WaitGroup

	// tlsConfig is what TLS handshakes use (TLSListenerConfig): the
	// loaded tls-* settings, replaced by CONFIG SET; nil until they are
	// in use.
	tlsConfig atomic.Pointer[tls.Config]

	nextID atomic.Int64
	stats  stats

	// configMu serializes CONFIG SET, which replaces cfg and may rebind
	// the listeners.
	configMu sync.Mutex
	// samplerDone stops the instantaneous-metrics sampler (info.go); nil
	// until the first Serve starts it. Guarded by mu.
	samplerDone chan struct{}
	ops         opsSampler

	// latencyObserver receives sampled delivery latencies (metrics.go).
	latencyObserver atomic.Pointer[func(time.Duration)]
}

// settings are the values CONFIG SET may change at run time. A change
// replaces the whole struct, so readers load it with one atomic read.
type settings struct {
	Config
	protoMaxBulkLen  int64
	queryBufferLimit int64
	outputLimits     OutputLimits
}

type stats struct {
	connections            atomic.Int64 // total_connections_received
	commands               atomic.Int64 // total_commands_processed
	rejected               atomic.Int64 // rejected_connections
	outputLimitDisconnects atomic.Int64
	errorReplies           atomic.Int64
	queryLimitDisconnects  atomic.Int64 // client_query_buffer_limit_disconnections
	// Herald's: clients closed by the timeout setting, and subscribe
	// commands refused by max-subscriptions-per-client.
	idleTimeouts, subscriptionLimitRefusals atomic.Int64
	// Bytes read and written by connections that have closed; INFO adds
	// the live connections' own counters (conn.netIn, conn.netOut).
	netInClosed, netOutClosed atomic.Int64
	// Reads and writes of connections that have closed (conn.reads,
	// conn.writes).
	readsClosed, writesClosed atomic.Int64
	// PUBLISH commands run by, and messages delivered to, connections that
	// have closed; Metrics adds the live ones' (conn.published,
	// conn.delivered).
	publishedClosed, deliveredClosed atomic.Int64
}

// New returns a server routing through cfg.Broker, or a broker of its own
// when that is nil. It does not listen yet.
func New(cfg Config) *Server {
	b := cfg.Broker
	if b == nil {
		b = broker.New()
	}
	return NewWithBroker(cfg, b)
}

// NewWithBroker returns a server that routes through b, so that Go code
// embedding Herald shares the server's channels.
func NewWithBroker(cfg Config, b *broker.Broker) *Server {
	s := &Server{
		broker:  b,
		remote:  cfg.Remote,
		started: time.Now(),
		runID:   newRunID(),
		conns:   make(map[int64]*conn),
	}
	s.aclStore = newACLStore()
	s.ks = s.newKeyspace()
	s.tracking.wake = make(chan struct{}, 1)
	s.store(cfg.withDefaults())
	return s
}

func (s *Server) store(cfg Config) {
	events, _ := keyspace.ParseEvents(cfg.NotifyKeyspaceEvents) // checked by CONFIG SET and the flag parser
	s.ks.SetEvents(events)
	// requirepass is the default user's password, applied when it is set
	// (as Redis, a later ACL SETUSER default may change the user without
	// changing what CONFIG GET requirepass says).
	if old := s.cfg.Load(); old == nil || old.RequirePass != cfg.RequirePass {
		s.acl().setRequirePass(cfg.RequirePass)
	}
	s.acl().setPubsubDefault(cfg.ACLPubsubDefault == "allchannels")
	s.cfg.Store(&settings{
		Config:           cfg,
		protoMaxBulkLen:  cfg.ProtoMaxBulkLen,
		queryBufferLimit: cfg.QueryBufferLimit,
		outputLimits:     cfg.OutputLimits,
	})
}

func (s *Server) settings() *settings { return s.cfg.Load() }

func (s *Server) logger() *slog.Logger { return s.settings().Logger }

// keyspaceEvents returns notify-keyspace-events.
func (s *Server) keyspaceEvents() keyspace.Events { return s.ks.Events() }

// Broker returns the broker the server routes through.
func (s *Server) Broker() *broker.Broker { return s.broker }

// Start listens on every address of cfg.Bind at cfg.Port (none when Port is
// 0), and for TLS at cfg.TLSPort (none when 0), and serves in the
// background.
func Start(cfg Config) (*Server, error) {
	s := New(cfg)
	if err := checkDir(s.settings().Dir); err != nil {
		return nil, err
	}
	if err := s.loadACLFile(); err != nil {
		return nil, err
	}
	if err := s.startAOF(); err != nil {
		return nil, err
	}
	if err := s.listenAll(); err != nil {
		return nil, err
	}
	if err := s.listenTLS(false); err != nil {
		s.Shutdown(context.Background())
		return nil, err
	}
	return s, nil
}

// StartLocal starts a server listening on 127.0.0.1 at a port the system
// picks, whatever cfg.Bind and cfg.Port say: the one call tests and
// embedders need. Addr returns the address. When cfg.TLSPort is not 0 it
// listens for TLS too, on another such port, which TLSAddr returns.
func StartLocal(cfg Config) (*Server, error) {
	s := New(cfg)
	if err := checkDir(s.settings().Dir); err != nil {
		return nil, err
	}
	if err := s.loadACLFile(); err != nil {
		return nil, err
	}
	if err := s.startAOF(); err != nil {
		return nil, err
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s.Serve(l)
	if err := s.listenTLS(true); err != nil {
		s.Shutdown(context.Background())
		return nil, err
	}
	return s, nil
}

// checkDir refuses a dir that is not a directory, as redis-server refuses
// to start when it cannot chdir to it ("Can't chdir to ..."): the
// directory is not created (the AOF directory inside it is, when the AOF
// opens).
func checkDir(dir string) error {
	st, err := os.Stat(dir)
	if err == nil && !st.IsDir() {
		err = syscall.ENOTDIR
	}
	if err != nil {
		return fmt.Errorf("Can't chdir to '%s': %s", dir, strerror(err))
	}
	return nil
}

// loadACLFile loads the users of the ACL file, if there is one, as
// redis-server does at startup: a file that cannot be read or has an error
// stops the start.
func (s *Server) loadACLFile() error {
	path := s.settings().ACLFile
	if path == "" {
		return nil
	}
	if err := s.acl().loadFile(path); err != nil {
		return fmt.Errorf("aclfile: %w", err)
	}
	return nil
}

func (s *Server) listenAll() error {
	cfg := s.settings()
	if cfg.Port == 0 {
		return nil
	}
	for _, host := range cfg.Bind {
		addr := net.JoinHostPort(host, strconv.Itoa(cfg.Port))
		l, err := net.Listen("tcp", addr)
		if err != nil {
			s.Shutdown(context.Background())
			return fmt.Errorf("could not listen on %s: %w", addr, err)
		}
		s.Serve(l)
	}
	return nil
}

// Serve accepts connections on l in the background until Shutdown.
func (s *Server) Serve(l net.Listener) { s.serveListener(l, false) }

// serveListener accepts on l, which is one of the TLS listeners if isTLS.
func (s *Server) serveListener(l net.Listener, isTLS bool) {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		l.Close()
		return
	}
	if isTLS {
		s.tlsListeners = append(s.tlsListeners, l)
	} else {
		s.listeners = append(s.listeners, l)
	}
	s.wg.Add(1)
	s.startSamplerLocked()
	s.mu.Unlock()
	go s.acceptLoop(l)
}

// Addr returns the address of the first listener, or nil.
func (s *Server) Addr() net.Addr {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.listeners) == 0 {
		return nil
	}
	return s.listeners[0].Addr()
}

func (s *Server) acceptLoop(l net.Listener) {
	defer s.wg.Done()
	var backoff time.Duration
	for {
		nc, err := l.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			// Out of file descriptors and the like: wait and retry.
			backoff = min(max(2*backoff, 5*time.Millisecond), time.Second)
			s.logger().Warn("accept failed", "error", err, "retry_in", backoff)
			time.Sleep(backoff)
			continue
		}
		backoff = 0
		s.ServeConn(nc)
	}
}

// ServeConn serves one already-accepted connection in the background. Tests
// use it with net.Pipe.
func (s *Server) ServeConn(nc net.Conn) {
	setKeepAlive(nc, s.settings().TCPKeepAlive)
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		nc.Close()
		return
	}
	if len(s.conns) >= s.settings().MaxClients {
		s.mu.Unlock()
		s.stats.rejected.Add(1)
		nc.SetWriteDeadline(time.Now().Add(100 * time.Millisecond))
		nc.Write(resp.AppendError(nil, errMaxClients))
		nc.Close()
		return
	}
	s.stats.connections.Add(1) // as in Redis, refused connections are not counted
	if st := s.settings(); !st.DisableProtectedMode && s.acl().defaultUser().perms.Load().nopass && !isLocal(nc.RemoteAddr()) {
		s.mu.Unlock()
		// As Redis: protected mode refuses the connection at once, with
		// an explanation; it counts as received and as rejected.
		s.stats.rejected.Add(1)
		nc.SetWriteDeadline(time.Now().Add(100 * time.Millisecond))
		nc.Write(resp.AppendError(nil, errProtectedMode))
		nc.Close()
		return
	}
	c := newConn(s, nc, s.nextID.Add(1))
	s.conns[c.id] = c
	s.wg.Add(1)
	s.startSamplerLocked() // a server fed by ServeConn alone runs its cron too
	s.mu.Unlock()
	go c.serve() // calls s.wg.Done when the connection ends
}

func (s *Server) removeConn(c *conn) {
	s.mu.Lock()
	delete(s.conns, c.id)
	s.mu.Unlock()
}

// connList returns the connected clients, ordered by id.
func (s *Server) connList() []*conn {
	s.mu.Lock()
	out := make([]*conn, 0, len(s.conns))
	for _, c := range s.conns {
		out = append(out, c)
	}
	s.mu.Unlock()
	sortConns(out)
	return out
}

// Shutdown stops accepting, closes every connection and waits for their
// goroutines to finish or ctx to end.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	s.closed = true
	for _, l := range s.listeners {
		l.Close()
	}
	for _, l := range s.tlsListeners {
		l.Close()
	}
	for _, c := range s.conns {
		c.kill()
	}
	s.stopSamplerLocked()
	s.mu.Unlock()
	err := wait.Group(ctx, &s.wg)
	if aerr := s.closeAOF(); err == nil && aerr != nil {
		err = fmt.Errorf("closing the AOF: %w", aerr)
	}
	return err
}

// Close shuts the server down, waiting at most five seconds.
func (s *Server) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return s.Shutdown(ctx)
}

// isLocal reports whether a client at addr is on this host as protected
// mode means it: a loopback address, or no IP address at all (a pipe or a
// Unix socket, as Redis counts those).
func isLocal(addr net.Addr) bool {
	var ip net.IP
	switch a := addr.(type) {
	case *net.TCPAddr:
		ip = a.IP
	case *net.UDPAddr:
		ip = a.IP
	default:
		return true
	}
	return ip.IsLoopback()
}
