package server

import (
	"strings"
	"testing"

	"github.com/heraldhq/herald/internal/testcert"
)

// A TLS client is an ACL user like any other: it authenticates as one,
// CLIENT LIST names its user, revoking its channel closes it before ACL
// SETUSER replies (a publish after the reply reaches nobody), and CLIENT
// KILL USER closes it.
func TestTLSClientACLUser(t *testing.T) {
	certs := testcert.New(t)
	s := startTLSServer(t, certs, "no", "")
	admin := dial(t, s.Addr())
	admin.mustDo("+OK\r\n", "ACL", "SETUSER", "tina", "on", ">pw", "+@all", "~*", "&feed")

	sub, _ := dialTLS(t, s, certs.ClientConfig(nil))
	sub.mustDo("-WRONGPASS invalid username-password pair or user is disabled.\r\n", "AUTH", "tina", "nope")
	sub.mustDo("$7\r\ndefault\r\n", "ACL", "WHOAMI")
	sub.mustDo("+OK\r\n", "AUTH", "tina", "pw")
	sub.mustDo("*3\r\n$9\r\nsubscribe\r\n$4\r\nfeed\r\n:1\r\n", "SUBSCRIBE", "feed")
	admin.send("CLIENT", "LIST")
	if list := admin.read().Str; !strings.Contains(list, " user=tina ") || strings.Contains(list, "pw") {
		t.Fatalf("CLIENT LIST: %s", list)
	}
	admin.mustDo("+OK\r\n", "ACL", "SETUSER", "tina", "resetchannels")
	admin.mustDo(":0\r\n", "PUBLISH", "feed", "after")
	sub.expectClosed()

	admin.mustDo("+OK\r\n", "ACL", "SETUSER", "tina", "&feed")
	other, _ := dialTLS(t, s, certs.ClientConfig(nil))
	other.mustDo("+OK\r\n", "AUTH", "tina", "pw")
	admin.mustDo(":1\r\n", "CLIENT", "KILL", "USER", "tina")
	other.expectClosed()
}
