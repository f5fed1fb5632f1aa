package server

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
)

// TLS: a listener at Config.TLSPort on the bind addresses, beside the plain
// one, as redis-server's tls-port. Connections over TLS are served like any
// other; *tls.Conn is not a syscall.Conn, so conn.go's raw-socket paths
// (the idle read wait, non-blocking writes) fall back to Read and Write.

// Values of tls-auth-clients.
const (
	TLSAuthClientsYes      = "yes"
	TLSAuthClientsNo       = "no"
	TLSAuthClientsOptional = "optional"
)

// ParseTLSAuthClients checks a tls-auth-clients value (yes, no or
// optional, any case) and returns it in lower case.
func ParseTLSAuthClients(v string) (string, error) {
	switch l := lowerASCII(v); l {
	case TLSAuthClientsYes, TLSAuthClientsNo, TLSAuthClientsOptional:
		return l, nil
	}
	return "", fmt.Errorf("wants yes, no or optional, got %q", v)
}

// tlsVersions are the names tls-protocols takes, as Redis spells them.
var tlsVersions = []struct {
	name    string
	version uint16
}{
	{"tlsv1", tls.VersionTLS10},
	{"tlsv1.1", tls.VersionTLS11},
	{"tlsv1.2", tls.VersionTLS12},
	{"tlsv1.3", tls.VersionTLS13},
}

// ParseTLSProtocols parses a tls-protocols value, Redis's space-separated
// list of TLSv1, TLSv1.1, TLSv1.2 and TLSv1.3 (any case), into the lowest
// and highest version it names; Go enables every version in between. An
// empty value means TLSv1.2 and TLSv1.3, Redis's default.
func ParseTLSProtocols(v string) (minVersion, maxVersion uint16, err error) {
	words := strings.Fields(v)
	if len(words) == 0 {
		return tls.VersionTLS12, tls.VersionTLS13, nil
	}
	for _, w := range words {
		found := false
		for _, tv := range tlsVersions {
			if equalFoldASCII(w, tv.name) {
				found = true
				if minVersion == 0 || tv.version < minVersion {
					minVersion = tv.version
				}
				maxVersion = max(maxVersion, tv.version)
			}
		}
		if !found {
			return 0, 0, fmt.Errorf("invalid protocol %q: use a combination of 'TLSv1', 'TLSv1.1', 'TLSv1.2' and 'TLSv1.3'", w)
		}
	}
	return minVersion, maxVersion, nil
}

// TLSConfig returns the tls.Config that the tls-* settings describe, for
// the RESP listener and for other listeners that share them (the HTTP
// gateway). Errors name the setting and file at fault.
func (c Config) TLSConfig() (*tls.Config, error) {
	if c.TLSCertFile == "" || c.TLSKeyFile == "" {
		return nil, errors.New("TLS needs tls-cert-file and tls-key-file")
	}
	authClients := c.TLSAuthClients
	if authClients == "" {
		authClients = TLSAuthClientsYes
	}
	authClients, err := ParseTLSAuthClients(authClients)
	if err != nil {
		return nil, fmt.Errorf("tls-auth-clients: %w", err)
	}
	minVersion, maxVersion, err := ParseTLSProtocols(c.TLSProtocols)
	if err != nil {
		return nil, fmt.Errorf("tls-protocols: %w", err)
	}
	suites, err := ParseTLSCiphers(c.TLSCiphers)
	if err != nil {
		return nil, fmt.Errorf("tls-ciphers: %w", err)
	}
	if err := CheckTLSCipherSuites(c.TLSCipherSuites); err != nil {
		return nil, fmt.Errorf("tls-ciphersuites: %w", err)
	}
	cert, err := loadKeyPair(c.TLSCertFile, c.TLSKeyFile, c.TLSKeyFilePass)
	if err != nil {
		return nil, err
	}
	tc := &tls.Config{
		Certificates: []tls.Certificate{cert},
		MinVersion:   minVersion,
		MaxVersion:   maxVersion,
		CipherSuites: suites,
	}
	if c.TLSCACertFile == "" && c.TLSCACertDir == "" {
		if authClients != TLSAuthClientsNo {
			// As Redis: verifying clients needs a CA.
			return nil, errors.New("tls-ca-cert-file or tls-ca-cert-dir must be given when tls-auth-clients is yes or optional")
		}
		return tc, nil
	}
	if tc.ClientCAs, err = loadCAs(c.TLSCACertFile, c.TLSCACertDir); err != nil {
		return nil, err
	}
	setClientAuth(tc, authClients)
	return tc, nil
}

// setClientAuth applies a tls-auth-clients value (lower case) to tc.
// Without a CA to verify with, a certificate is required of clients and
// none passes, as with OpenSSL's empty store: Redis lets CONFIG SET
// tls-auth-clients yes through without a CA, and checks for one only when
// it loads the other settings again.
func setClientAuth(tc *tls.Config, authClients string) {
	switch authClients {
	case TLSAuthClientsYes:
		tc.ClientAuth = tls.RequireAndVerifyClientCert
	case TLSAuthClientsOptional:
		tc.ClientAuth = tls.VerifyClientCertIfGiven
	default:
		tc.ClientAuth = tls.NoClientCert
	}
	if tc.ClientAuth != tls.NoClientCert && tc.ClientCAs == nil {
		tc.ClientCAs = x509.NewCertPool()
	}
}

// loadKeyPair reads the certificate chain and the private key, decrypting
// the key with pass when it is encrypted (tls-key-file-pass). As OpenSSL
// does for Redis, a pass given for a key that is not encrypted is ignored.
func loadKeyPair(certFile, keyFile, pass string) (tls.Certificate, error) {
	certPEM, err := os.ReadFile(certFile)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("tls-cert-file: %w", err)
	}
	keyPEM, err := os.ReadFile(keyFile)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("tls-key-file: %w", err)
	}
	if keyPEM, err = decryptKeyPEM(keyPEM, pass); err != nil {
		return tls.Certificate{}, fmt.Errorf("tls-key-file %s: %w", keyFile, err)
	}
	cert, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("tls-cert-file %s, tls-key-file %s: %w", certFile, keyFile, err)
	}
	return cert, nil
}

// loadCAs reads the CA certificates of tls-ca-cert-file and of every file
// in tls-ca-cert-dir. OpenSSL looks a CA up in the directory by the file
// name c_rehash gives it (the subject hash) when it needs one; Go has no
// such lookup, so every file is read now, and those that hold no PEM
// certificate (c_rehash's directories hold other files too) are skipped.
// Unlike OpenSSL, which accepts any directory name and finds nothing in a
// missing one, a directory that cannot be read is an error: a typo here
// would otherwise lock every client out without a word.
func loadCAs(file, dir string) (*x509.CertPool, error) {
	pool := x509.NewCertPool()
	if file != "" {
		caPEM, err := os.ReadFile(file)
		if err != nil {
			return nil, fmt.Errorf("tls-ca-cert-file: %w", err)
		}
		if !pool.AppendCertsFromPEM(caPEM) {
			return nil, fmt.Errorf("tls-ca-cert-file %s: no PEM certificate found", file)
		}
	}
	if dir == "" {
		return pool, nil
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("tls-ca-cert-dir: %w", err)
	}
	for _, e := range entries {
		path := filepath.Join(dir, e.Name())
		if fi, err := os.Stat(path); err != nil || !fi.Mode().IsRegular() {
			continue // a broken link or a subdirectory, as OpenSSL skips them
		}
		if b, err := os.ReadFile(path); err == nil {
			pool.AppendCertsFromPEM(b) // the pool keeps one copy of a CA c_rehash linked twice
		}
	}
	return pool, nil
}

// tlsCiphers maps the OpenSSL names of the TLS 1.2 cipher suites Go
// implements and counts secure (tls.CipherSuites) to Go's identifiers.
var tlsCiphers = map[string]uint16{
	"ECDHE-ECDSA-AES128-SHA":        tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA,
	"ECDHE-ECDSA-AES256-SHA":        tls.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA,
	"ECDHE-RSA-AES128-SHA":          tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA,
	"ECDHE-RSA-AES256-SHA":          tls.TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA,
	"ECDHE-ECDSA-AES128-GCM-SHA256": tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
	"ECDHE-ECDSA-AES256-GCM-SHA384": tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
	"ECDHE-RSA-AES128-GCM-SHA256":   tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
	"ECDHE-RSA-AES256-GCM-SHA384":   tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
	"ECDHE-ECDSA-CHACHA20-POLY1305": tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
	"ECDHE-RSA-CHACHA20-POLY1305":   tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
}

// tlsInsecureCiphers are the OpenSSL names of the suites Go implements but
// counts insecure (tls.InsecureCipherSuites), which Herald does not offer.
var tlsInsecureCiphers = []string{
	"AES128-SHA", "AES256-SHA", "AES128-SHA256", "AES128-GCM-SHA256", "AES256-GCM-SHA384",
	"DES-CBC3-SHA", "ECDHE-RSA-DES-CBC3-SHA", "RC4-SHA", "ECDHE-ECDSA-RC4-SHA", "ECDHE-RSA-RC4-SHA",
	"ECDHE-ECDSA-AES128-SHA256", "ECDHE-RSA-AES128-SHA256",
}

// ParseTLSCiphers parses a tls-ciphers value, the TLS 1.2 (and older)
// cipher suites to offer: names separated by colons (OpenSSL's
// separator), commas or spaces, each an OpenSSL name (ECDHE-RSA-AES128-GCM-
// SHA256) or the IANA name Go uses (TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256),
// any case. Empty means Go's defaults (nil). OpenSSL's cipher-string
// language (HIGH, !aNULL, +SHA, @STRENGTH) is not understood, and unlike
// OpenSSL, which drops the names it does not know, Herald refuses the
// whole value: a suite list that silently shrank would be a surprise.
// Suites Go does not implement, or counts insecure (RSA key exchange, CBC
// with SHA-256, 3DES, RC4), are refused with the reason. The order is
// Go's to choose, as with tls-prefer-server-ciphers yes.
func ParseTLSCiphers(v string) ([]uint16, error) {
	words := strings.FieldsFunc(v, func(r rune) bool { return r == ':' || r == ',' || r == ' ' || r == '\t' })
	if len(words) == 0 {
		if strings.TrimSpace(v) != "" {
			return nil, fmt.Errorf("no cipher in %q", v)
		}
		return nil, nil
	}
	var ids []uint16
	for _, w := range words {
		id, ok := tlsCiphers[strings.ToUpper(w)]
		if !ok {
			id, ok = tlsCipherByName(w, tls.CipherSuites())
		}
		switch {
		case ok && isTLS13Suite(id):
			return nil, fmt.Errorf("%s is a TLS 1.3 suite: those are tls-ciphersuites", w)
		case ok:
			if !slices.Contains(ids, id) {
				ids = append(ids, id)
			}
		default:
			if _, insecure := tlsCipherByName(w, tls.InsecureCipherSuites()); insecure || slices.Contains(tlsInsecureCiphers, strings.ToUpper(w)) {
				return nil, fmt.Errorf("cipher %q is one Go counts insecure, and Herald does not offer it", w)
			}
			return nil, fmt.Errorf("unknown cipher %q: use OpenSSL names of suites Go implements, such as %s (Herald does not read OpenSSL's cipher-string keywords)", w, "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256")
		}
	}
	return ids, nil
}

// tlsCipherByName finds a suite of list by its IANA name, any case.
func tlsCipherByName(name string, list []*tls.CipherSuite) (uint16, bool) {
	for _, cs := range list {
		if equalFoldASCII(cs.Name, name) {
			return cs.ID, true
		}
	}
	return 0, false
}

func isTLS13Suite(id uint16) bool {
	return id == tls.TLS_AES_128_GCM_SHA256 || id == tls.TLS_AES_256_GCM_SHA384 || id == tls.TLS_CHACHA20_POLY1305_SHA256
}

// CheckTLSCipherSuites checks a tls-ciphersuites value, the TLS 1.3
// suites to offer (OpenSSL's colon-separated list of IANA names). Go does
// not let a program choose TLS 1.3 suites: it always offers
// TLS_AES_128_GCM_SHA256, TLS_AES_256_GCM_SHA384 and
// TLS_CHACHA20_POLY1305_SHA256, ordered by whether the machine has AES
// instructions (crypto/tls's Config.CipherSuites: "TLS 1.3
// ciphersuites are not configurable"). So Herald accepts only what it can honour: empty (the
// default) or a list of exactly those three, in any order; anything else
// is refused rather than ignored. To keep a client off TLS 1.3's suites,
// set tls-protocols to TLSv1.2 and choose suites with tls-ciphers.
func CheckTLSCipherSuites(v string) error {
	words := strings.FieldsFunc(v, func(r rune) bool { return r == ':' || r == ',' || r == ' ' || r == '\t' })
	if len(words) == 0 {
		return nil
	}
	var ids []uint16
	for _, w := range words {
		id, ok := tlsCipherByName(w, tls.CipherSuites())
		if !ok || !isTLS13Suite(id) {
			return fmt.Errorf("%q is not a TLS 1.3 suite Go implements (TLS_AES_128_GCM_SHA256, TLS_AES_256_GCM_SHA384, TLS_CHACHA20_POLY1305_SHA256)", w)
		}
		if !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	if len(ids) != 3 {
		return errors.New("Go always offers all three TLS 1.3 suites (TLS_AES_128_GCM_SHA256, TLS_AES_256_GCM_SHA384, TLS_CHACHA20_POLY1305_SHA256) and cannot leave one out: list all three or none, or use tls-protocols TLSv1.2 with tls-ciphers")
	}
	return nil
}

// tlsEnabled reports whether the tls-* settings are in use: a TLS port,
// or another listener sharing them. Only then are they read and checked,
// as Redis reads them only with a tls-port.
func (c Config) tlsEnabled() bool { return c.TLSPort != 0 || c.TLSShared }

// listenTLS loads the TLS settings when they are in use and listens for
// TLS on every bind address at cfg.TLSPort, or on 127.0.0.1 at a port the
// system picks when local is set (StartLocal). It listens nowhere when
// TLSPort is 0.
func (s *Server) listenTLS(local bool) error {
	cfg := s.settings()
	if !cfg.tlsEnabled() {
		return nil
	}
	tc, err := cfg.TLSConfig()
	if err != nil {
		return err
	}
	s.tlsConfig.Store(tc)
	if cfg.TLSPort == 0 {
		return nil
	}
	addrs := []string{"127.0.0.1:0"}
	if !local {
		addrs = tlsAddrs(cfg.Bind, cfg.TLSPort)
	}
	ls, err := listenAll(addrs)
	if err != nil {
		return fmt.Errorf("could not listen for TLS on %s: %w", strings.Join(addrs, " "), err)
	}
	for _, l := range ls {
		s.serveListener(&tlsListener{l, s.TLSListenerConfig()}, true)
	}
	return nil
}

func tlsAddrs(bind []string, port int) []string {
	var addrs []string
	for _, host := range bind {
		addrs = append(addrs, net.JoinHostPort(host, strconv.Itoa(port)))
	}
	return addrs
}

// TLSListenerConfig returns the tls.Config of a listener that serves with
// the server's TLS settings as they are at each handshake: once CONFIG SET
// changes them, new connections get the new certificate and rules while
// connections already made keep theirs. The HTTP gateway's HTTPS listener
// uses it, with nextProtos for ALPN. It returns nil while the settings are
// not in use (Config.TLSPort is 0 and Config.TLSShared false).
func (s *Server) TLSListenerConfig(nextProtos ...string) *tls.Config {
	if s.tlsConfig.Load() == nil {
		return nil
	}
	return &tls.Config{GetConfigForClient: func(*tls.ClientHelloInfo) (*tls.Config, error) {
		tc := s.tlsConfig.Load()
		if tc == nil { // only after a failed CONFIG SET tls-port put back no settings
			return nil, errors.New("TLS is not configured")
		}
		if len(nextProtos) > 0 {
			tc = tc.Clone()
			tc.NextProtos = nextProtos
		}
		return tc, nil
	}}
}

// ServeTLS accepts TLS connections on l, configured by tc, in the
// background until Shutdown. CONFIG SET port leaves it alone; CONFIG SET
// tls-port and bind replace it, like every TLS listener, with one at the
// new address serving with TLSListenerConfig; other tls-* settings change
// tc only if it is TLSListenerConfig's.
func (s *Server) ServeTLS(l net.Listener, tc *tls.Config) {
	s.serveListener(&tlsListener{l, tc}, true)
}

// errTLSReload is Redis's reason when new TLS settings do not load; the
// log says why.
const errTLSReload = "Unable to update TLS configuration. Check server logs."

// tlsUpdate is a CONFIG SET's change to TLS: checked by checkTLSUpdate
// before anything changes, applied by applyTLSUpdate last.
type tlsUpdate struct {
	tc      *tls.Config // settings to serve with from now on; nil: unchanged
	rebind  bool        // move the TLS listeners to addrs (none when empty)
	addrs   []string
	errName string // the setting a failure to listen is blamed on
}

// checkTLSUpdate is CONFIG SET's part for the tls-* settings (and bind,
// which the TLS listeners follow too), after the setters made cfg from
// old. As Redis's applyTlsCfg, it loads the TLS settings again when one
// of them changed (or TLS was just turned on), so that a bad file or
// value is refused with Redis's error, naming the first tls-* setting
// given (tls-port when it is the only one). Nothing changes yet. Held:
// configMu.
func (s *Server) checkTLSUpdate(old, cfg *Config, params []*configParam) (tlsUpdate, string) {
	var firstTLS, portParam *configParam
	authChanged := false
	for _, p := range params {
		switch {
		case strings.HasPrefix(p.name, "tls-") && tlsSetting(old, p.name) == tlsSetting(cfg, p.name):
			// As Redis: a value set again unchanged applies nothing (and
			// takes no blame).
		case p.name == "tls-port":
			portParam = p
		case p.name == "tls-auth-clients":
			// As in Redis, it applies to each new connection and loads
			// nothing: it is not checked against the CA settings.
			authChanged = true
		case firstTLS == nil && strings.HasPrefix(p.name, "tls-"):
			firstTLS = p
		}
	}
	var u tlsUpdate
	if firstTLS == nil && portParam == nil && !authChanged && slices.Equal(old.Bind, cfg.Bind) {
		return u, ""
	}
	oldPort := old.TLSPort
	if oldPort != 0 {
		oldPort = s.tlsPort() // StartLocal's listener is not at TLSPort
		if portParam == nil {
			cfg.TLSPort = oldPort
		}
	}
	if cfg.tlsEnabled() && (firstTLS != nil || !old.tlsEnabled()) {
		blame := firstTLS
		if blame == nil {
			blame = portParam
		}
		tc, err := cfg.TLSConfig()
		if err != nil {
			s.logger().Warn("CONFIG SET: new TLS settings not applied, the old ones stay", "setting", blame.name, "error", err)
			return u, fmt.Sprintf(errConfigSetFmt, blame.name, errTLSReload)
		}
		u.tc = tc
	} else if cur := s.tlsConfig.Load(); authChanged && cur != nil {
		u.tc = cur.Clone()
		setClientAuth(u.tc, cfg.TLSAuthClients)
	}
	if cfg.TLSPort != oldPort || (cfg.TLSPort != 0 && !slices.Equal(old.Bind, cfg.Bind)) {
		u.rebind = true
		if cfg.TLSPort != 0 {
			u.addrs = tlsAddrs(cfg.Bind, cfg.TLSPort)
		}
		u.errName = "bind"
		if portParam != nil {
			u.errName = "tls-port"
		}
	}
	return u, ""
}

// tlsSetting is the value of a tls-* setting in cfg, for comparison.
func tlsSetting(cfg *Config, name string) string {
	switch name {
	case "tls-port":
		return strconv.Itoa(cfg.TLSPort)
	case "tls-cert-file":
		return cfg.TLSCertFile
	case "tls-key-file":
		return cfg.TLSKeyFile
	case "tls-key-file-pass":
		return cfg.TLSKeyFilePass
	case "tls-ca-cert-file":
		return cfg.TLSCACertFile
	case "tls-ca-cert-dir":
		return cfg.TLSCACertDir
	case "tls-auth-clients":
		return cfg.TLSAuthClients
	case "tls-protocols":
		return cfg.TLSProtocols
	case "tls-ciphers":
		return cfg.TLSCiphers
	case "tls-ciphersuites":
		return cfg.TLSCipherSuites
	case "tls-prefer-server-ciphers":
		return yesNo(cfg.TLSPreferServerCiphers)
	}
	return ""
}

// applyTLSUpdate serves new connections with the new TLS settings and
// moves the TLS listeners, as Redis's applyTLSPort and changeBindAddr. If
// the listeners cannot move, everything stays as it was and the error is
// Redis's for the setting blamed. Held: configMu.
func (s *Server) applyTLSUpdate(u tlsUpdate) string {
	oldTC := s.tlsConfig.Load()
	if u.tc != nil {
		s.tlsConfig.Store(u.tc)
	}
	if !u.rebind {
		return ""
	}
	if err := s.rebindTLS(u.addrs); err != nil {
		s.tlsConfig.Store(oldTC)
		s.logger().Warn("CONFIG SET could not listen for TLS", "addrs", u.addrs, "error", err)
		reason := rebindReason("port")
		if u.errName == "bind" {
			reason = rebindReason("bind")
		}
		return fmt.Sprintf(errConfigSetFmt, u.errName, reason)
	}
	return ""
}

// rebindTLS replaces the TLS listeners with ones at addrs (none when
// empty). Connections already accepted stay. If an address cannot be
// bound, the old addresses are bound again and the error returned.
func (s *Server) rebindTLS(addrs []string) error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return net.ErrClosed
	}
	old := s.tlsListeners
	s.tlsListeners = nil
	s.mu.Unlock()
	oldAddrs := make([]string, len(old))
	for i, l := range old {
		oldAddrs[i] = l.Addr().String()
		l.Close()
	}
	fresh, err := listenAll(addrs)
	if err != nil {
		fresh, _ = listenAll(oldAddrs)
	}
	var srv tlsListenerServer = s
	for _, l := range fresh {
		srv.ServeTLS(l, s.TLSListenerConfig())
	}
	return err
}

// tlsListenerServer is the part of *Server rebindTLS needs, called through
// an interface for the reason listenerServer gives.
type tlsListenerServer interface {
	ServeTLS(net.Listener, *tls.Config)
}

// TLSAddr returns the address of the first TLS listener, or nil.
func (s *Server) TLSAddr() net.Addr {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.tlsListeners) == 0 {
		return nil
	}
	return s.tlsListeners[0].Addr()
}

// tlsPort is what CONFIG GET tls-port shows: the port listened on, or the
// configured one.
func (s *Server) tlsPort() int {
	if a, ok := s.TLSAddr().(*net.TCPAddr); ok {
		return a.Port
	}
	return s.settings().TLSPort
}

// CONFIG SET's setters of the tls-* settings. Only the value's form is
// checked here, with Redis's reasons; whether the files load is
// checkTLSUpdate's.

func setString(field func(*Config) *string) func(*Config, string) error {
	return func(cfg *Config, v string) error {
		*field(cfg) = v
		return nil
	}
}

func setTLSAuthClients(cfg *Config, v string) error {
	l, err := ParseTLSAuthClients(v)
	if err != nil {
		return errors.New("argument(s) must be one of the following: no, yes, optional")
	}
	cfg.TLSAuthClients = l
	return nil
}

func setTLSPort(cfg *Config, v string) error {
	n, err := integerArg(v, 0, 65535)
	cfg.TLSPort = int(n)
	return err
}

func setTLSPreferServerCiphers(cfg *Config, v string) error {
	switch lowerASCII(v) {
	case "yes":
		cfg.TLSPreferServerCiphers = true
	case "no":
		cfg.TLSPreferServerCiphers = false
	default:
		return errors.New("argument must be 'yes' or 'no'")
	}
	return nil
}

// tlsListener accepts TLS connections, each over a tlsSocket.
type tlsListener struct {
	net.Listener
	config *tls.Config
}

func (l *tlsListener) Accept() (net.Conn, error) {
	nc, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	sock := &tlsSocket{Conn: nc}
	if sc, ok := nc.(syscall.Conn); ok {
		sock.raw, _ = sc.SyscallConn()
	}
	return tls.Server(sock, l.config), nil
}

// tlsSocket is the socket under a TLS connection, which readIdleTLS can
// turn into a non-blocking one for a read.
type tlsSocket struct {
	net.Conn
	raw syscall.RawConn // nil if Conn is not a socket
	// nonBlocking makes Read return errWouldBlock instead of waiting.
	// Only the connection's reader touches it.
	nonBlocking bool
}

// errWouldBlock is a tlsSocket's Read finding nothing to read. It is a
// temporary net.Error, which tls.Conn does not keep as the connection's
// error.
var errWouldBlock = wouldBlockError{}

type wouldBlockError struct{}

func (wouldBlockError) Error() string   { return "read would block" }
func (wouldBlockError) Timeout() bool   { return true }
func (wouldBlockError) Temporary() bool { return true }

func (s *tlsSocket) Read(p []byte) (int, error) {
	if !s.nonBlocking || s.raw == nil {
		return s.Conn.Read(p)
	}
	var n int
	var err error
	rerr := s.raw.Read(func(fd uintptr) bool {
		n, err = syscall.Read(int(fd), p)
		return true // never wait
	})
	switch {
	case rerr != nil: // closed, or a deadline passed
		return 0, rerr
	case err == syscall.EAGAIN || err == syscall.EINTR:
		return 0, errWouldBlock
	case err != nil:
		return 0, os.NewSyscallError("read", err)
	case n == 0 && len(p) > 0:
		return 0, io.EOF
	}
	return n, nil
}

// readIdleTLS is readIdle for a TLS connection: it holds no read buffer
// of Herald's while the client is silent, as readIdle does for a plain
// socket (a 64 KB buffer per idle TLS subscriber otherwise). A tls.Conn
// may already hold input that came with an earlier read (a record read
// with the one before it), which the socket's readiness would not show;
// so first a read over the socket made non-blocking takes any of that,
// then the socket is waited on with a peek, which consumes nothing, and
// only once bytes are there is a buffer taken for the read. (Not a read
// deadline in the past: that would undo a deadline someone else set, as
// block does to end its read.)
func (c *conn) readIdleTLS(tc *tls.Conn) ([]byte, error) {
	// The handshake first, with no buffer of Herald's; once done,
	// Handshake returns at once.
	if err := tc.Handshake(); err != nil {
		return nil, err
	}
	sock := c.tlsSock
	buf := getReadBuf()
	sock.nonBlocking = true
	n, err := tc.Read(buf[:cap(buf)])
	sock.nonBlocking = false
	if n > 0 {
		return buf[:n], nil
	}
	putReadBuf(buf)
	if !errors.Is(err, errWouldBlock) {
		return nil, err
	}
	err = sock.raw.Read(func(fd uintptr) bool {
		var one [1]byte
		_, _, err := syscall.Recvfrom(int(fd), one[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
		return err != syscall.EAGAIN // bytes, end of stream or an error: Read tells which
	})
	if err != nil {
		return nil, err
	}
	buf = getReadBuf()
	n, err = tc.Read(buf[:cap(buf)])
	if n > 0 {
		return buf[:n], nil
	}
	putReadBuf(buf)
	return nil, err
}
