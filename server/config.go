package server

import (
	"fmt"
	"log/slog"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/heraldhq/herald/broker"
	"github.com/heraldhq/herald/keyspace"
)

// Config is a server's configuration. Fields are named after redis-server's
// settings of the same meaning; zero values mean Redis's defaults, filled in
// by withDefaults.
type Config struct {
	// Bind lists the addresses to listen on. Empty means 127.0.0.1.
	Bind []string
	// Port is the TCP port. Zero means no TCP listener, as in Redis; the
	// command line defaults it to 6379. StartLocal ignores Bind and Port and
	// listens on 127.0.0.1 at a port the system picks.
	Port int
	// MaxClients is the most connected clients; more are refused with
	// Redis's error. Zero means 10000.
	MaxClients int
	// RequirePass, when not empty, is the default user's password: clients
	// must AUTH before other commands.
	RequirePass string
	// ACLPubsubDefault is acl-pubsub-default: the channel permissions a
	// new ACL user starts with, "allchannels" or "resetchannels". Empty
	// means resetchannels, as in Redis 7.0.
	ACLPubsubDefault string
	// ACLFile is the ACL file (--aclfile) ACL LOAD and ACL SAVE use, and
	// that Start and StartLocal load the users from. Empty means none.
	ACLFile string
	// OutputLimits are the client-output-buffer-limit classes. The zero
	// value means Redis's defaults: normal unlimited, pubsub 32mb 8mb 60.
	OutputLimits OutputLimits
	// ProtoMaxBulkLen is the longest bulk string a client may send
	// (proto-max-bulk-len). Zero means 512 MB.
	ProtoMaxBulkLen int64
	// QueryBufferLimit is the most bytes of one client's unprocessed input
	// (client-query-buffer-limit). Zero means 1 GB.
	QueryBufferLimit int64
	// ProtoMaxMultibulkLen is Herald's proto-max-multibulk-len: the most
	// arguments one command may have; a larger "*<count>" is refused with
	// Redis's "Protocol error: invalid multibulk length" and the client is
	// closed. Redis has no such setting and allows INT_MAX, which zero
	// means.
	ProtoMaxMultibulkLen int
	// Timeout is timeout: a client idle for more than this many seconds
	// (nothing read from it or written to it) is closed, unless it is
	// subscribed or blocked, as in Redis. Zero means never.
	Timeout int
	// TCPKeepAlive is tcp-keepalive: the seconds a client's connection may
	// be silent before TCP probes whether the peer is still there (then
	// every third of that, three times, as Redis sets it), so that a
	// client that vanished without closing, subscribed ones included, is
	// freed. Zero means the default, 300 seconds; negative turns probes
	// off (tcp-keepalive 0).
	TCPKeepAlive int
	// MaxSubscriptionsPerClient is Herald's max-subscriptions-per-client:
	// the most channels, patterns and shard channels one client may hold
	// together; a subscribe command that would pass it is refused whole
	// (errMaxSubscriptions). Zero means no limit, as in Redis.
	MaxSubscriptionsPerClient int
	// MaxPatternLen is Herald's max-pattern-len: the longest glob pattern
	// PSUBSCRIBE and PUBSUB CHANNELS / SHARDCHANNELS accept
	// (errPatternTooLong). Zero means DefaultMaxPatternLen; negative means
	// no limit, as in Redis.
	MaxPatternLen int
	// Logger receives the server's log. Nil means slog.Default().
	Logger *slog.Logger
	// DisableProtectedMode turns protected mode off (protected-mode no).
	// With it on, as by default in Redis, a client connecting from outside
	// the loopback interface while RequirePass is empty is refused with
	// Redis's explanation.
	DisableProtectedMode bool
	// NotifyKeyspaceEvents is notify-keyspace-events: which keyspace
	// notifications are raised (Redis's flag characters). Empty means
	// none, as in Redis.
	NotifyKeyspaceEvents string
	// MaxMemory is maxmemory: the bytes the keyspace may use
	// (keyspace.UsedMemory, which INFO reports as used_memory) before
	// commands evict keys or are refused. Zero means no limit.
	MaxMemory int64
	// MaxMemoryPolicy is maxmemory-policy, a policy name as Redis spells
	// it (keyspace.ParsePolicy). Empty means noeviction.
	MaxMemoryPolicy string
	// MaxMemorySamples is maxmemory-samples: the keys sampled per
	// database to choose one to evict. Zero means 5.
	MaxMemorySamples int
	// TrackingTableMaxKeys is tracking-table-max-keys: the most keys the
	// tracking table remembers for CLIENT TRACKING before it invalidates
	// some. Zero means 1,000,000, Redis's default; a negative value means
	// no limit (tracking-table-max-keys 0).
	TrackingTableMaxKeys int64
	// ACLLogMaxLen is acllog-max-len: the most entries ACL LOG keeps.
	// Zero means 128, Redis's default; a negative value means none
	// (acllog-max-len 0).
	ACLLogMaxLen int64
	// Broker is the broker the server routes through, shared with Go code
	// embedding Herald (and with Remote, which delivers through it). Nil
	// means a new one.
	Broker *broker.Broker
	// Remote, when set, is the backend several Herald nodes share:
	// publishes and PUBSUB go to it (see Remote). Nil means the server's
	// broker is the whole of fan-out, as a single Redis.
	Remote Remote
	// RemoteTimeout bounds a command's wait for Remote. Zero means
	// DefaultRemoteTimeout.
	RemoteTimeout time.Duration

	// AppendOnly is appendonly: every command that changes data is
	// logged to the append-only file, which is replayed at start (aof.go).
	AppendOnly bool
	// AppendFsync is appendfsync: "always" (fsynced before the reply),
	// "everysec" (fsynced once a second) or "no". Empty means everysec.
	AppendFsync string
	// Dir is dir: the directory the AOF directory is in. Empty means the
	// working directory.
	Dir string
	// AppendFilename is appendfilename, the AOF files' name prefix; empty
	// means appendonly.aof. AppendDirname is appenddirname, the AOF
	// directory's name in Dir; empty means appendonlydir.
	AppendFilename, AppendDirname string
	// AOFRefuseTruncated is aof-load-truncated no: an AOF whose last
	// record was cut off (a crash while writing it) stops the start
	// instead of being loaded without it. False means yes, as in Redis.
	AOFRefuseTruncated bool
	// AutoAOFRewritePercentage is auto-aof-rewrite-percentage: the AOF is
	// rewritten by itself when it has grown by this many percent since
	// the last rewrite (or the start) and is larger than
	// AutoAOFRewriteMinSize. Zero means 100, Redis's default; negative
	// means never (auto-aof-rewrite-percentage 0).
	AutoAOFRewritePercentage int
	// AutoAOFRewriteMinSize is auto-aof-rewrite-min-size in bytes. Zero
	// means 64 MB, Redis's default; negative means 0.
	AutoAOFRewriteMinSize int64

	// TLSPort is tls-port: the port of the TLS listener on the Bind
	// addresses, beside the plain one. Zero means no TLS listener, as in
	// Redis. StartLocal, when it is not zero, listens for TLS on
	// 127.0.0.1 at a port the system picks (TLSAddr).
	TLSPort int
	// TLSCertFile and TLSKeyFile are tls-cert-file and tls-key-file: the
	// server's PEM certificate chain and private key. Required with
	// TLSPort.
	TLSCertFile, TLSKeyFile string
	// TLSKeyFilePass is tls-key-file-pass: the password of TLSKeyFile
	// when it is encrypted (PKCS#8 with PBES2, tls_key.go). Ignored for a
	// key that is not, as by OpenSSL.
	TLSKeyFilePass string
	// TLSCACertFile is tls-ca-cert-file: PEM certificates of the CAs that
	// client certificates are verified against. TLSCACertDir is
	// tls-ca-cert-dir: a directory of such files, every one of which is
	// read (loadCAs). One of them is required unless TLSAuthClients is
	// "no", as in Redis.
	TLSCACertFile, TLSCACertDir string
	// TLSAuthClients is tls-auth-clients: "yes" (a client must present a
	// certificate the CA signed), "optional" (verified if presented) or
	// "no". Empty means "yes", as in Redis.
	TLSAuthClients string
	// TLSProtocols is tls-protocols: Redis's space-separated list of
	// TLSv1, TLSv1.1, TLSv1.2, TLSv1.3 (ParseTLSProtocols). Empty means
	// "TLSv1.2 TLSv1.3".
	TLSProtocols string
	// TLSCiphers is tls-ciphers: the TLS 1.2 (and older) cipher suites
	// offered, by OpenSSL name (ParseTLSCiphers). Empty means Go's
	// defaults.
	TLSCiphers string
	// TLSCipherSuites is tls-ciphersuites, the TLS 1.3 suites: empty, or
	// the three Go always offers (CheckTLSCipherSuites), since Go cannot
	// leave one out.
	TLSCipherSuites string
	// TLSPreferServerCiphers is tls-prefer-server-ciphers, accepted and
	// shown for Redis configurations' sake: Go's server always chooses
	// the suite by its own order (which puts AES-GCM first on machines
	// with AES instructions, ChaCha20 otherwise), whatever the client
	// prefers, so either value behaves as Redis's "yes".
	TLSPreferServerCiphers bool
	// TLSShared loads and checks the tls-* settings even when TLSPort is
	// 0, because another listener serves with them (the HTTP gateway's
	// HTTPS, through TLSListenerConfig). CONFIG SET then refuses bad TLS
	// values as it does with a TLS port.
	TLSShared bool
}

// DefaultMaxPatternLen is max-pattern-len's default. Some of what a publish
// costs in matching grows with the patterns' length (the pattern index's
// walk compares up to an inner literal's length at each byte of the
// channel; Shift-And takes a word per 64 elements of a segment): LIMITS.md
// says more. Real patterns are tens of bytes; one of UUID classes is a few
// hundred.
const DefaultMaxPatternLen = 1024

// DefaultTCPKeepAlive is tcp-keepalive's default in Redis 7.0, in seconds.
const DefaultTCPKeepAlive = 300

// OutputLimit is one class of client-output-buffer-limit: a client whose
// pending output exceeds Hard bytes, or exceeds Soft bytes for longer than
// SoftSeconds, is disconnected. Zero disables a limit.
type OutputLimit struct {
	Hard, Soft  int64
	SoftSeconds int
}

// OutputLimits holds the limits by client class. Replica is accepted for
// compatibility with Redis configurations and unused.
type OutputLimits struct {
	Normal, Replica, PubSub OutputLimit
	set                     bool
}

// DefaultOutputLimits are Redis 7.0's defaults.
var DefaultOutputLimits = OutputLimits{
	Replica: OutputLimit{Hard: 256 << 20, Soft: 64 << 20, SoftSeconds: 60},
	PubSub:  OutputLimit{Hard: 32 << 20, Soft: 8 << 20, SoftSeconds: 60},
	set:     true,
}

func (c Config) withDefaults() Config {
	if len(c.Bind) == 0 {
		c.Bind = []string{"127.0.0.1"}
	}
	if c.MaxClients == 0 {
		c.MaxClients = 10000
	}
	if c.AppendFsync == "" {
		c.AppendFsync = "everysec"
	}
	if c.Dir == "" {
		c.Dir = "."
	}
	if c.AppendFilename == "" {
		c.AppendFilename = "appendonly.aof"
	}
	if c.AppendDirname == "" {
		c.AppendDirname = "appendonlydir"
	}
	if !c.OutputLimits.set {
		c.OutputLimits = DefaultOutputLimits
	}
	if c.ProtoMaxBulkLen == 0 {
		c.ProtoMaxBulkLen = 512 << 20
	}
	if c.QueryBufferLimit == 0 {
		c.QueryBufferLimit = 1 << 30
	}
	if c.TCPKeepAlive == 0 {
		c.TCPKeepAlive = DefaultTCPKeepAlive
	}
	if c.MaxPatternLen == 0 {
		c.MaxPatternLen = DefaultMaxPatternLen
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.MaxMemoryPolicy == "" {
		c.MaxMemoryPolicy = "noeviction"
	}
	if c.MaxMemorySamples == 0 {
		c.MaxMemorySamples = keyspace.DefaultSamples
	}
	if c.TrackingTableMaxKeys == 0 {
		c.TrackingTableMaxKeys = defaultTrackingMaxKeys
	}
	if c.ACLLogMaxLen == 0 {
		c.ACLLogMaxLen = defaultACLLogMaxLen
	}
	if c.RemoteTimeout == 0 {
		c.RemoteTimeout = DefaultRemoteTimeout
	}
	if c.TLSAuthClients == "" {
		c.TLSAuthClients = TLSAuthClientsYes
	}
	return c
}

// ParseOutputLimits parses a client-output-buffer-limit value as Redis
// does: groups of "<class> <hard> <soft> <soft-seconds>", with classes
// normal, replica (or slave) and pubsub, applied on top of base; an empty
// value changes nothing. Error texts are Redis's.
func ParseOutputLimits(base OutputLimits, value string) (OutputLimits, error) {
	if !base.set {
		base = DefaultOutputLimits
	}
	f := strings.Fields(value)
	if len(f)%4 != 0 {
		return base, fmt.Errorf("Wrong number of arguments in buffer limit configuration.")
	}
	out := base
	for i := 0; i < len(f); i += 4 {
		var target *OutputLimit
		switch lowerASCII(f[i]) {
		case "normal":
			target = &out.Normal
		case "replica", "slave":
			target = &out.Replica
		case "pubsub":
			target = &out.PubSub
		default:
			return base, fmt.Errorf("Invalid client class specified in buffer limit configuration.")
		}
		hard, err1 := ParseMemory(f[i+1])
		soft, err2 := ParseMemory(f[i+2])
		secs, err3 := strconv.Atoi(f[i+3])
		if err1 != nil || err2 != nil || err3 != nil || secs < 0 {
			return base, fmt.Errorf("Error in hard, soft or soft_seconds setting in buffer limit configuration.")
		}
		*target = OutputLimit{Hard: hard, Soft: soft, SoftSeconds: secs}
	}
	out.set = true
	return out, nil
}

// String renders the limits as CONFIG GET shows them.
func (l OutputLimits) String() string {
	one := func(name string, x OutputLimit) string {
		return fmt.Sprintf("%s %d %d %d", name, x.Hard, x.Soft, x.SoftSeconds)
	}
	return one("normal", l.Normal) + " " + one("slave", l.Replica) + " " + one("pubsub", l.PubSub)
}

// ParseMemory parses a memory amount as redis.conf writes it: digits with
// an optional unit b, k, kb, m, mb, g, gb (k = 1000, kb = 1024), any case.
// Like Redis's memtoull it refuses signs, spaces and fractions.
func ParseMemory(s string) (int64, error) {
	n, ok := parseMemory(s)
	if !ok || n > math.MaxInt64 {
		return 0, fmt.Errorf("invalid memory amount %q", s)
	}
	return int64(n), nil
}

// parseMemory is Redis's memtoull: ok is false for a malformed amount; an
// amount too large for 64 bits saturates, so that range checks refuse it.
// No digits at all ("", "mb") is 0, as in Redis.
func parseMemory(s string) (uint64, bool) {
	digits := 0
	for digits < len(s) && '0' <= s[digits] && s[digits] <= '9' {
		digits++
	}
	var mul uint64
	switch lowerASCII(s[digits:]) {
	case "", "b":
		mul = 1
	case "k":
		mul = 1000
	case "kb":
		mul = 1 << 10
	case "m":
		mul = 1000 * 1000
	case "mb":
		mul = 1 << 20
	case "g":
		mul = 1000 * 1000 * 1000
	case "gb":
		mul = 1 << 30
	default:
		return 0, false
	}
	var n uint64
	for _, ch := range s[:digits] {
		d := uint64(ch - '0')
		if n > (math.MaxUint64-d)/10 {
			return math.MaxUint64, true
		}
		n = n*10 + d
	}
	if n > math.MaxUint64/mul {
		return math.MaxUint64, true
	}
	return n * mul, true
}

// softDuration returns the soft limit's grace period.
func (l OutputLimit) softDuration() time.Duration {
	return time.Duration(l.SoftSeconds) * time.Second
}
