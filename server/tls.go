package server

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
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

// TLSConfig returns the tls.Config that TLSCertFile, TLSKeyFile,
// TLSCACertFile, TLSAuthClients and TLSProtocols describe, for the RESP
// listener and for other listeners that share them (the HTTP gateway).
// Errors name the setting and file at fault.
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
	certPEM, err := os.ReadFile(c.TLSCertFile)
	if err != nil {
		return nil, fmt.Errorf("tls-cert-file: %w", err)
	}
	keyPEM, err := os.ReadFile(c.TLSKeyFile)
	if err != nil {
		return nil, fmt.Errorf("tls-key-file: %w", err)
	}
	cert, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return nil, fmt.Errorf("tls-cert-file %s, tls-key-file %s: %w", c.TLSCertFile, c.TLSKeyFile, err)
	}
	tc := &tls.Config{
		Certificates: []tls.Certificate{cert},
		MinVersion:   minVersion,
		MaxVersion:   maxVersion,
	}
	if c.TLSCACertFile == "" {
		if authClients != TLSAuthClientsNo {
			// As Redis: verifying clients needs a CA.
			return nil, errors.New("tls-ca-cert-file must be given when tls-auth-clients is yes or optional")
		}
		return tc, nil
	}
	caPEM, err := os.ReadFile(c.TLSCACertFile)
	if err != nil {
		return nil, fmt.Errorf("tls-ca-cert-file: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(caPEM) {
		return nil, fmt.Errorf("tls-ca-cert-file %s: no PEM certificate found", c.TLSCACertFile)
	}
	tc.ClientCAs = pool
	switch authClients {
	case TLSAuthClientsYes:
		tc.ClientAuth = tls.RequireAndVerifyClientCert
	case TLSAuthClientsOptional:
		tc.ClientAuth = tls.VerifyClientCertIfGiven
	default:
		tc.ClientAuth = tls.NoClientCert
	}
	return tc, nil
}

// listenTLS listens for TLS on every bind address at cfg.TLSPort, or on
// 127.0.0.1 at a port the system picks when local is set (StartLocal). It
// does nothing when TLSPort is 0.
func (s *Server) listenTLS(local bool) error {
	cfg := s.settings()
	if cfg.TLSPort == 0 {
		return nil
	}
	tc, err := cfg.TLSConfig()
	if err != nil {
		return err
	}
	addrs := []string{"127.0.0.1:0"}
	if !local {
		addrs = addrs[:0]
		for _, host := range cfg.Bind {
			addrs = append(addrs, net.JoinHostPort(host, strconv.Itoa(cfg.TLSPort)))
		}
	}
	ls, err := listenAll(addrs)
	if err != nil {
		return fmt.Errorf("could not listen for TLS on %s: %w", strings.Join(addrs, " "), err)
	}
	for _, l := range ls {
		s.ServeTLS(l, tc)
	}
	return nil
}

// ServeTLS accepts TLS connections on l, configured by tc, in the
// background until Shutdown. Unlike Serve's listeners, CONFIG SET port and
// bind leave these alone.
func (s *Server) ServeTLS(l net.Listener, tc *tls.Config) {
	s.serveListener(tls.NewListener(l, tc), true)
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
