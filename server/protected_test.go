package server

import (
	"bufio"
	"io"
	"net"
	"strings"
	"testing"
	"time"
)

// remoteConn is a loopback connection that reports another address as its
// peer's, so protected mode can be tested without traffic leaving the host.
type remoteConn struct {
	net.Conn
	addr net.Addr
}

func (c remoteConn) RemoteAddr() net.Addr { return c.addr }

// dialAs connects to s as if from addr and returns the client's end.
func dialAs(t *testing.T, s *Server, addr string) net.Conn {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	client, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { client.Close() })
	serverSide, err := l.Accept()
	if err != nil {
		t.Fatal(err)
	}
	tcp, err := net.ResolveTCPAddr("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	s.ServeConn(remoteConn{serverSide, tcp})
	client.SetDeadline(time.Now().Add(5 * time.Second))
	return client
}

// Protected mode, as Redis 7.0: with no password, a client from outside
// the loopback interface gets Redis's DENIED explanation and is
// disconnected, counted as rejected; loopback clients, a password, or
// protected-mode no let it in.
func TestProtectedMode(t *testing.T) {
	s := startServer(t, Config{})
	local := dial(t, s.Addr())

	nc := dialAs(t, s, "192.0.2.7:40000")
	got, err := io.ReadAll(nc)
	if err != nil {
		t.Fatal(err)
	}
	if want := "-" + errProtectedMode + "\r\n"; string(got) != want {
		t.Fatalf("a remote client without a password got %q, want Redis's DENIED and a close", got)
	}
	local.send("INFO", "stats")
	if info := local.read().Str; !strings.Contains(info, "rejected_connections:1\r\n") {
		t.Errorf("INFO stats after a protected-mode refusal:\n%s", info)
	}
	local.mustDo("*2\r\n$14\r\nprotected-mode\r\n$3\r\nyes\r\n", "CONFIG", "GET", "protected-mode")

	ping := func(addr string) string {
		nc := dialAs(t, s, addr)
		nc.Write([]byte("PING\r\n"))
		line, _ := bufio.NewReader(nc).ReadString('\n')
		return line
	}
	if got := ping("[::1]:40000"); got != "+PONG\r\n" {
		t.Errorf("an IPv6 loopback client got %q", got)
	}
	local.mustDo("+OK\r\n", "CONFIG", "SET", "protected-mode", "no")
	if got := ping("192.0.2.7:40001"); got != "+PONG\r\n" {
		t.Errorf("with protected-mode no, a remote client got %q", got)
	}
	local.mustDo("+OK\r\n", "CONFIG", "SET", "protected-mode", "yes", "requirepass", "secret")
	if got := ping("192.0.2.7:40002"); !strings.HasPrefix(got, "-NOAUTH") {
		t.Errorf("with a password, a remote client got %q, want to be let in (and asked to AUTH)", got)
	}
}

// Protected mode follows the default user's nopass flag, as Redis 7.0's
// clientAcceptHandler, whether a password came from requirepass or ACL
// SETUSER: a password set by ACL lets remote clients in (to AUTH), nopass
// set again shuts them out.
func TestProtectedModeFollowsDefaultUser(t *testing.T) {
	s := startServer(t, Config{})
	local := dial(t, s.Addr())
	first := func(addr string) string {
		nc := dialAs(t, s, addr)
		nc.Write([]byte("PING\r\n"))
		line, _ := bufio.NewReader(nc).ReadString('\n')
		return line
	}
	local.mustDo("+OK\r\n", "ACL", "SETUSER", "default", ">secret")
	if got := first("192.0.2.7:40010"); !strings.HasPrefix(got, "-NOAUTH") {
		t.Errorf("default user with an ACL password: a remote client got %q", got)
	}
	local.mustDo("+OK\r\n", "ACL", "SETUSER", "default", "nopass")
	if got := first("192.0.2.7:40011"); got != "-"+errProtectedMode+"\r\n" {
		t.Errorf("default user nopass again: a remote client got %q", got)
	}
}
