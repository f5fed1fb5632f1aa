package server

import (
	"errors"
	"fmt"
	"math"
	"net"
	"slices"
	"strconv"
	"strings"

	"github.com/heraldhq/herald/internal/glob"
	"github.com/heraldhq/herald/keyspace"
)

// registerConfig registers CONFIG GET, SET, RESETSTAT, REWRITE and HELP.
func registerConfig(t commandTable) {
	cfg := t.add(&command{name: "config", arity: -2, meta: commandMeta{categories: []string{"@slow"}}})
	admin := commandMeta{flags: []string{"admin", "noscript", "loading", "stale"}, categories: []string{"@admin", "@slow", "@dangerous"}}
	cfg.addSub(&command{name: "get", arity: -3, run: cmdConfigGet, meta: admin})
	cfg.addSub(&command{name: "set", arity: -4, run: cmdConfigSet, meta: admin})
	cfg.addSub(&command{name: "resetstat", arity: 2, run: func(c *conn, _ [][]byte) {
		c.srv.resetStats()
		c.writeOK()
	}, meta: admin})
	cfg.addSub(&command{name: "rewrite", arity: 2, run: func(c *conn, _ [][]byte) { c.writeError(errConfigNoFile) }, meta: admin})
	cfg.addSub(&command{name: "help", arity: 2, run: func(c *conn, _ [][]byte) { c.writeHelp(helpConfig) },
		meta: commandMeta{flags: []string{"loading", "stale"}, categories: []string{"@slow"}}})
}

// configParam is one setting CONFIG GET shows and CONFIG SET changes.
// Herald lists the settings it honours, and a few that clients read on
// connect whose values are constant and true of Herald.
type configParam struct {
	name string
	get  func(s *Server) string
	// set applies value to cfg, or returns the reason Redis gives for a
	// bad value. Nil means the setting is immutable.
	set func(cfg *Config, value string) error
}

// configParams is ordered by name, the order CONFIG GET replies in.
var configParams = []configParam{
	{"acl-pubsub-default", func(s *Server) string { return aclPubsubDefault(s.settings().ACLPubsubDefault) }, setACLPubsubDefault},
	{"acllog-max-len", getACLLogMaxLen, setACLLogMaxLen},
	{"aof-load-truncated", func(s *Server) string { return yesNo(!s.settings().AOFRefuseTruncated) }, setAOFLoadTruncated},
	{"appenddirname", func(s *Server) string { return s.settings().AppendDirname }, nil},
	{"appendfilename", func(s *Server) string { return s.settings().AppendFilename }, nil},
	{"appendfsync", func(s *Server) string { return s.settings().AppendFsync }, setAppendFsync},
	{"appendonly", func(s *Server) string { return yesNo(s.aofOn() != nil) }, setAppendOnly},
	{"auto-aof-rewrite-min-size", func(s *Server) string { return strconv.FormatInt(autoRewriteMinSize(&s.settings().Config), 10) }, setAutoRewriteMinSize},
	{"auto-aof-rewrite-percentage", func(s *Server) string { return strconv.Itoa(autoRewritePercentage(&s.settings().Config)) }, setAutoRewritePercentage},
	{"bind", func(s *Server) string { return strings.Join(s.settings().Bind, " ") }, setBind},
	{"client-output-buffer-limit", func(s *Server) string { return s.settings().OutputLimits.String() }, setOutputLimits},
	{"client-query-buffer-limit", func(s *Server) string { return strconv.FormatInt(s.settings().QueryBufferLimit, 10) },
		setMemory(func(cfg *Config) *int64 { return &cfg.QueryBufferLimit })},
	{"databases", constant(strconv.Itoa(numDatabases)), nil},
	{"dir", func(s *Server) string { return s.absDir() }, setDir},
	{"max-pattern-len", func(s *Server) string { return strconv.Itoa(max(s.settings().MaxPatternLen, 0)) }, setMaxPatternLen},
	{"max-subscriptions-per-client", func(s *Server) string { return strconv.Itoa(s.settings().MaxSubscriptionsPerClient) },
		setInt(func(cfg *Config) *int { return &cfg.MaxSubscriptionsPerClient }, 0)},
	{"maxclients", func(s *Server) string { return strconv.Itoa(s.settings().MaxClients) }, setMaxClients},
	{"maxmemory", func(s *Server) string { return strconv.FormatInt(s.settings().MaxMemory, 10) }, setMaxMemory},
	{"maxmemory-policy", func(s *Server) string { return s.settings().MaxMemoryPolicy }, setMaxMemoryPolicy},
	{"maxmemory-samples", func(s *Server) string { return strconv.Itoa(s.settings().MaxMemorySamples) }, setMaxMemorySamples},
	{"notify-keyspace-events", func(s *Server) string { return s.keyspaceEvents().String() }, setKeyspaceEvents},
	{"port", func(s *Server) string { return strconv.Itoa(s.listenPort()) }, setPort},
	{"protected-mode", func(s *Server) string { return yesNo(!s.settings().DisableProtectedMode) }, setProtectedMode},
	{"proto-max-bulk-len", func(s *Server) string { return strconv.FormatInt(s.settings().ProtoMaxBulkLen, 10) },
		setMemory(func(cfg *Config) *int64 { return &cfg.ProtoMaxBulkLen })},
	{"proto-max-multibulk-len", func(s *Server) string { return strconv.Itoa(s.settings().protoMaxMultibulkLen()) },
		setInt(func(cfg *Config) *int { return &cfg.ProtoMaxMultibulkLen }, 1)},
	{"requirepass", func(s *Server) string { return s.settings().RequirePass },
		func(cfg *Config, v string) error { cfg.RequirePass = v; return nil }},
	{"save", constant(""), setSave},
	{"tcp-keepalive", func(s *Server) string { return strconv.Itoa(max(s.settings().TCPKeepAlive, 0)) }, setTCPKeepAlive},
	{"timeout", func(s *Server) string { return strconv.Itoa(s.settings().Timeout) }, setInt(func(cfg *Config) *int { return &cfg.Timeout }, 0)},
	{"tls-auth-clients", func(s *Server) string { return s.settings().TLSAuthClients }, setTLSAuthClients},
	{"tls-ca-cert-dir", func(s *Server) string { return s.settings().TLSCACertDir },
		setString(func(cfg *Config) *string { return &cfg.TLSCACertDir })},
	{"tls-ca-cert-file", func(s *Server) string { return s.settings().TLSCACertFile },
		setString(func(cfg *Config) *string { return &cfg.TLSCACertFile })},
	{"tls-cert-file", func(s *Server) string { return s.settings().TLSCertFile },
		setString(func(cfg *Config) *string { return &cfg.TLSCertFile })},
	{"tls-ciphers", func(s *Server) string { return s.settings().TLSCiphers },
		setString(func(cfg *Config) *string { return &cfg.TLSCiphers })},
	{"tls-ciphersuites", func(s *Server) string { return s.settings().TLSCipherSuites },
		setString(func(cfg *Config) *string { return &cfg.TLSCipherSuites })},
	{"tls-key-file", func(s *Server) string { return s.settings().TLSKeyFile },
		setString(func(cfg *Config) *string { return &cfg.TLSKeyFile })},
	{"tls-key-file-pass", func(s *Server) string { return s.settings().TLSKeyFilePass },
		setString(func(cfg *Config) *string { return &cfg.TLSKeyFilePass })},
	{"tls-port", func(s *Server) string { return strconv.Itoa(s.tlsPort()) }, setTLSPort},
	{"tls-prefer-server-ciphers", func(s *Server) string { return yesNo(s.settings().TLSPreferServerCiphers) }, setTLSPreferServerCiphers},
	{"tls-protocols", func(s *Server) string { return s.settings().TLSProtocols },
		setString(func(cfg *Config) *string { return &cfg.TLSProtocols })},
	{"tracking-table-max-keys", getTrackingMaxKeys, setTrackingMaxKeys},
}

// Herald's reasons for refusing values Redis would take.
var (
	errNoPersistence = errors.New("Herald keeps no data on disk")
)

func findConfigParam(name string) *configParam {
	for i := range configParams {
		if equalFoldASCII(configParams[i].name, name) {
			return &configParams[i]
		}
	}
	return nil
}

// cmdConfigGet is CONFIG GET pattern [pattern ...]: the matching settings
// and their values, as a map in RESP3. As in Redis 7.0, a name without
// glob characters is looked up case-insensitively and echoed as given; a
// pattern matches names case-insensitively; each setting appears once.
func cmdConfigGet(c *conn, args [][]byte) {
	type match struct {
		key   string
		param *configParam
	}
	var matches []match
	seen := func(p *configParam) bool {
		return slices.ContainsFunc(matches, func(m match) bool { return m.param == p })
	}
	for _, a := range args[2:] {
		arg := string(a)
		if !strings.ContainsAny(arg, "[*?") {
			if p := findConfigParam(arg); p != nil && !seen(p) {
				matches = append(matches, match{arg, p})
			}
			continue
		}
		pattern := lowerASCII(arg)
		for i := range configParams {
			p := &configParams[i]
			if !seen(p) && glob.MatchString(pattern, p.name) {
				matches = append(matches, match{p.name, p})
			}
		}
	}
	c.writeMapLen(len(matches))
	for _, m := range matches {
		c.writeBulkString(m.key)
		c.writeBulkString(m.param.get(c.srv))
	}
}

// cmdConfigSet is CONFIG SET name value [name value ...]. Like Redis 7.0 it
// checks every name first (unknown, immutable, duplicate), then applies all
// values to a copy of the configuration and stores it only if every value
// is good, so a failed CONFIG SET changes nothing. New TLS settings are
// loaded (checkTLSUpdate); a new port, tls-port or bind rebinds the
// listeners before the change is stored.
func cmdConfigSet(c *conn, args [][]byte) {
	if len(args)%2 != 0 {
		c.writeError(errSyntax)
		return
	}
	params, errText := checkConfigNames(args[2:])
	if errText != "" {
		c.writeError(errText)
		return
	}
	s := c.srv
	s.configMu.Lock()
	defer s.configMu.Unlock()
	old := s.settings().Config
	cfg := old
	cfg.Bind = slices.Clone(cfg.Bind)
	oldPort, oldBind := s.listenPort(), slices.Clone(cfg.Bind)
	if cfg.Port == 0 {
		cfg.Port = oldPort
	}
	for i, p := range params {
		if err := p.set(&cfg, string(args[3+2*i])); err != nil {
			c.writeError(sanitize(fmt.Sprintf(errConfigSetFmt, p.name, err.Error())))
			return
		}
	}
	tlsUpdate, errText := s.checkTLSUpdate(&old, &cfg, params)
	if errText != "" {
		c.writeError(sanitize(errText))
		return
	}
	rebound := cfg.Port != oldPort || !slices.Equal(cfg.Bind, oldBind)
	if rebound {
		if err := s.rebind(cfg.Bind, cfg.Port); err != nil {
			name := "bind"
			if cfg.Port != oldPort {
				name = "port"
			}
			s.logger().Warn("CONFIG SET could not rebind", "error", err)
			c.writeError(sanitize(fmt.Sprintf(errConfigSetFmt, name, rebindReason(name))))
			return
		}
	}
	if errText := s.applyTLSUpdate(tlsUpdate); errText != "" {
		if rebound {
			s.rebind(oldBind, oldPort)
		}
		c.writeError(sanitize(errText))
		return
	}
	if err := s.applyAOFConfig(&old, &cfg, c.inExec); err != nil {
		c.writeError(sanitize(fmt.Sprintf(errConfigSetFmt, "appendonly", err.Error())))
		return
	}
	s.store(cfg)
	c.writeOK()
	if slices.Contains(params, findConfigParam("maxmemory")) {
		// As Redis's updateMaxmemory; after the OK, so that an
		// invalidation of an evicted key that this client tracks comes
		// after its reply, as in Redis.
		c.evictNow()
	}
}

// checkConfigNames finds the setting of each name in name/value pairs and
// returns Redis's error for the first unknown name, or else for the first
// immutable or repeated one.
func checkConfigNames(pairs [][]byte) ([]*configParam, string) {
	var params []*configParam
	var unknown, errText string
	invalid, isUnknown := false, false // the name may be empty: a flag, not unknown != ""
	for i := 0; i < len(pairs); i += 2 {
		name := cString(pairs[i])
		p := findConfigParam(string(pairs[i]))
		switch {
		case p == nil:
			if !invalid {
				unknown, invalid, isUnknown = name, true, true
			}
		case invalid:
		case p.set == nil:
			errText, invalid = fmt.Sprintf(errConfigSetFmt, name, "can't set immutable config"), true
		case slices.Contains(params, p):
			errText, invalid = fmt.Sprintf(errConfigSetFmt, name, "duplicate parameter"), true
		}
		params = append(params, p)
	}
	if isUnknown {
		return nil, sanitize(fmt.Sprintf(errConfigUnknownFmt, unknown))
	}
	return params, sanitize(errText)
}

func rebindReason(name string) string {
	if name == "port" {
		return "Unable to listen on this port. Check server logs."
	}
	return "Failed to bind to specified addresses."
}

func constant(v string) func(*Server) string { return func(*Server) string { return v } }

// setConstantBool accepts a yes/no setting only at its fixed value.
func setConstantBool(fixed string) func(*Config, string) error {
	return func(_ *Config, v string) error {
		switch lowerASCII(v) {
		case fixed:
			return nil
		case "yes", "no":
			return errNoPersistence
		}
		return errors.New("argument must be 'yes' or 'no'")
	}
}

// aclPubsubDefault is acl-pubsub-default's value for the setting v.
func aclPubsubDefault(v string) string {
	if v == "" {
		return "resetchannels"
	}
	return v
}

// setACLPubsubDefault is CONFIG SET acl-pubsub-default.
func setACLPubsubDefault(cfg *Config, v string) error {
	switch v = lowerASCII(v); v {
	case "allchannels", "resetchannels":
		cfg.ACLPubsubDefault = v
		return nil
	}
	return errors.New("argument(s) must be one of the following: allchannels, resetchannels")
}

// setProtectedMode is CONFIG SET protected-mode yes|no.
func setProtectedMode(cfg *Config, v string) error {
	switch lowerASCII(v) {
	case "yes":
		cfg.DisableProtectedMode = false
	case "no":
		cfg.DisableProtectedMode = true
	default:
		return errors.New("argument must be 'yes' or 'no'")
	}
	return nil
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// setSave accepts only "" (no snapshots); other well-formed values are
// refused because Herald keeps nothing on disk.
func setSave(_ *Config, v string) error {
	f := strings.Fields(v)
	if len(f)%2 != 0 {
		return errors.New("Invalid save parameters")
	}
	for _, x := range f {
		if _, ok := parseInteger([]byte(x)); !ok {
			return errors.New("Invalid save parameters")
		}
	}
	if len(f) > 0 {
		return errNoPersistence
	}
	return nil
}

// setKeyspaceEvents sets notify-keyspace-events; classes Redis does not
// know get Redis's error.
func setKeyspaceEvents(cfg *Config, v string) error {
	if _, ok := keyspace.ParseEvents(v); !ok {
		return errors.New("Invalid event class character. Use 'Ag$lshzxeKEtmdn'.")
	}
	cfg.NotifyKeyspaceEvents = v
	return nil
}

// integerArg parses v as Redis parses an integer setting and checks it is
// within [lo, hi], with Redis's reasons.
func integerArg(v string, lo, hi int64) (int64, error) {
	n, ok := parseInteger([]byte(v))
	if !ok {
		return 0, errors.New("argument couldn't be parsed into an integer")
	}
	if n < lo || n > hi {
		return 0, fmt.Errorf("argument must be between %d and %d inclusive", lo, hi)
	}
	return n, nil
}

func setMaxClients(cfg *Config, v string) error {
	n, err := integerArg(v, 1, math.MaxUint32)
	cfg.MaxClients = int(n)
	return err
}

// setInt returns a setter for an integer setting of range [lo, INT_MAX],
// as Redis's integer settings.
func setInt(field func(*Config) *int, lo int64) func(*Config, string) error {
	return func(cfg *Config, v string) error {
		n, err := integerArg(v, lo, math.MaxInt32)
		if err == nil {
			*field(cfg) = int(n)
		}
		return err
	}
}

// setTCPKeepAlive is CONFIG SET tcp-keepalive: 0 turns probes off, which
// Config spells as a negative TCPKeepAlive. As in Redis it applies to the
// connections accepted afterwards.
func setTCPKeepAlive(cfg *Config, v string) error {
	n, err := integerArg(v, 0, math.MaxInt32)
	if err == nil {
		cfg.TCPKeepAlive = int(n)
		if n == 0 {
			cfg.TCPKeepAlive = -1
		}
	}
	return err
}

// setMaxPatternLen is CONFIG SET max-pattern-len: 0 turns the limit off,
// which Config spells as a negative MaxPatternLen.
func setMaxPatternLen(cfg *Config, v string) error {
	n, err := integerArg(v, 0, math.MaxInt32)
	if err == nil {
		cfg.MaxPatternLen = int(n)
		if n == 0 {
			cfg.MaxPatternLen = -1
		}
	}
	return err
}

func setPort(cfg *Config, v string) error {
	n, err := integerArg(v, 0, 65535)
	cfg.Port = int(n)
	return err
}

func setBind(cfg *Config, v string) error {
	cfg.Bind = strings.Fields(v)
	if len(cfg.Bind) == 0 {
		cfg.Bind = []string{"127.0.0.1"}
	}
	return nil
}

// setMemory returns a setter for a memory setting of Redis's range
// [1mb, max int64].
func setMemory(field func(*Config) *int64) func(*Config, string) error {
	return func(cfg *Config, v string) error {
		n, ok := parseMemory(v)
		if !ok {
			return errors.New("argument must be a memory value")
		}
		if n < 1<<20 || n > math.MaxInt64 {
			return fmt.Errorf("argument must be between %d and %d inclusive", 1<<20, int64(math.MaxInt64))
		}
		*field(cfg) = int64(n)
		return nil
	}
}

func setOutputLimits(cfg *Config, v string) error {
	limits, err := ParseOutputLimits(cfg.OutputLimits, v)
	if err != nil {
		return err
	}
	cfg.OutputLimits = limits
	return nil
}

// rebind replaces the TCP listeners with ones on bind at port (none when
// port is 0), as CONFIG SET port / bind do in Redis. Connections already
// accepted stay. If a new address cannot be bound, the old addresses are
// bound again and the error returned.
func (s *Server) rebind(bind []string, port int) error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return net.ErrClosed
	}
	old := s.listeners
	s.listeners = nil
	s.mu.Unlock()
	oldAddrs := make([]string, len(old))
	for i, l := range old {
		oldAddrs[i] = l.Addr().String()
		l.Close()
	}
	var addrs []string
	if port != 0 {
		for _, host := range bind {
			addrs = append(addrs, net.JoinHostPort(host, strconv.Itoa(port)))
		}
	}
	fresh, err := listenAll(addrs)
	if err != nil {
		restored, _ := listenAll(oldAddrs)
		fresh = restored
	}
	var srv listenerServer = s
	for _, l := range fresh {
		srv.Serve(l)
	}
	return err
}

// listenerServer is the part of *Server that rebind needs. Calling Serve
// through an interface keeps the command table's initialization free of a
// cycle (CONFIG SET → Serve → … → dispatcher → command table).
type listenerServer interface{ Serve(net.Listener) }

// listenAll listens on every address, or on none if one fails.
func listenAll(addrs []string) ([]net.Listener, error) {
	var ls []net.Listener
	for _, a := range addrs {
		l, err := net.Listen("tcp", a)
		if err != nil {
			for _, l := range ls {
				l.Close()
			}
			return nil, err
		}
		ls = append(ls, l)
	}
	return ls, nil
}
