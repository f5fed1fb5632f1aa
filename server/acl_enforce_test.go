package server

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A client that revokes its own user's channel gets its reply, then is
// closed. redis-server 7.0.15 crashes here (it frees the client that is
// running the command), so this is tested against Herald alone.
func TestACLRevokeOwnChannel(t *testing.T) {
	s := startServer(t, Config{})
	admin := dial(t, s.Addr())
	admin.mustDo("+OK\r\n", "ACL", "SETUSER", "gina", "on", ">pw", "+@all", "~*", "&room:*")

	// RESP3, so the subscribed client may run ACL SETUSER.
	c := dial(t, s.Addr())
	c.send("HELLO", "3", "AUTH", "gina", "pw")
	c.read()
	c.mustDo(">3\r\n$9\r\nsubscribe\r\n$6\r\nroom:1\r\n:1\r\n", "SUBSCRIBE", "room:1")
	c.mustDo("+OK\r\n", "ACL", "SETUSER", "gina", "resetchannels")
	c.expectClosed()
	waitFor(t, "the subscription to go", func() bool { return s.Broker().NumSub("room:1") == 0 })
}

// A subscriber whose channel is revoked by another client stops receiving
// at once: it is closed before ACL SETUSER replies, so a publish made after
// the reply reaches nobody.
func TestACLRevokeStopsDelivery(t *testing.T) {
	s := startServer(t, Config{})
	admin := dial(t, s.Addr())
	admin.mustDo("+OK\r\n", "ACL", "SETUSER", "hal", "on", ">pw", "+@all", "~*", "&feed")
	sub := dial(t, s.Addr())
	sub.mustDo("+OK\r\n", "AUTH", "hal", "pw")
	sub.mustDo("*3\r\n$9\r\nsubscribe\r\n$4\r\nfeed\r\n:1\r\n", "SUBSCRIBE", "feed")
	admin.mustDo(":1\r\n", "PUBLISH", "feed", "before")
	sub.mustRead("*3\r\n$7\r\nmessage\r\n$4\r\nfeed\r\n$6\r\nbefore\r\n")
	admin.mustDo("+OK\r\n", "ACL", "SETUSER", "hal", "resetchannels")
	admin.mustDo(":0\r\n", "PUBLISH", "feed", "after")
	sub.expectClosed()
}

// NOPERM is checked before anything else a command may be refused for
// but NOAUTH, and the check costs nothing for a user with every right.
func TestACLNoPermText(t *testing.T) {
	s := startServer(t, Config{})
	admin := dial(t, s.Addr())
	admin.mustDo("+OK\r\n", "ACL", "SETUSER", "ivy", "on", ">pw", "+publish", "&ok")
	c := dial(t, s.Addr())
	c.mustDo("+OK\r\n", "AUTH", "ivy", "pw")
	c.send("PUBLISH", "secret", "x")
	if v := c.read(); !strings.HasPrefix(v.Str, "NOPERM ") {
		t.Fatalf("PUBLISH to a channel not granted: %s", v)
	}
	c.mustDo(":0\r\n", "PUBLISH", "ok", "x")
}

// With an ACL file, the server starts with its users, and does not start
// when the file has an error or cannot be read, as redis-server.
func TestACLFileAtStart(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.acl")
	if err := os.WriteFile(good, []byte("user default on nopass ~* &* +@all\nuser jo on >pw ~* &* +@all\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	s := startServer(t, Config{ACLFile: good})
	c := dial(t, s.Addr())
	c.mustDo("+OK\r\n", "AUTH", "jo", "pw")
	c.mustDo("$2\r\njo\r\n", "ACL", "WHOAMI")

	bad := filepath.Join(dir, "bad.acl")
	if err := os.WriteFile(bad, []byte("user jo on +nosuchcommand\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{bad, filepath.Join(dir, "missing.acl")} {
		if s, err := StartLocal(Config{ACLFile: path}); err == nil {
			s.Close()
			t.Errorf("started with ACL file %s", path)
		} else if !strings.Contains(err.Error(), path) {
			t.Errorf("error does not name the file: %v", err)
		}
	}
}

// unrestricted is what lets execute skip the check: true only for
// permissions that allow every command with any key and channel.
func TestACLUnrestricted(t *testing.T) {
	for _, tc := range []struct {
		rules []string
		want  bool
	}{
		{[]string{"on", "nopass", "~*", "&*", "+@all"}, true},
		{[]string{"on", "nopass", "allkeys", "allchannels", "allcommands"}, true},
		{[]string{"on", "nopass", "~*", "&*", "+@all", "-get"}, false},
		{[]string{"on", "nopass", "~*", "&*", "-@all", "+@pubsub"}, false},
		{[]string{"on", "nopass", "~k*", "&*", "+@all"}, false},
		{[]string{"on", "nopass", "%R~*", "&*", "+@all"}, false},
		{[]string{"on", "nopass", "~*", "&c*", "+@all"}, false},
		{[]string{"on", "nopass", "(~* &* +@all)"}, true},
		{[]string{"on", "nopass", "(~* &* +@all -get)"}, false},
	} {
		p := newUserPerms(false)
		for _, op := range tc.rules {
			if err := p.apply(op, false); err != "" {
				t.Fatalf("%s: %s", op, err)
			}
		}
		if got := p.unrestricted(); got != tc.want {
			t.Errorf("%q: unrestricted %v, want %v", tc.rules, got, tc.want)
		}
	}
}

// Checking a channel against a user's channel patterns, which PUBLISH does
// for every user without allchannels, does not allocate.
func TestACLChannelCheckAllocs(t *testing.T) {
	list := []string{"other:*", "news:*", "ch"}
	name := []byte("news:sports")
	if n := testing.AllocsPerRun(100, func() {
		if !channelAllowed(list, name, false) {
			t.Fatal("news:sports not allowed")
		}
	}); n != 0 {
		t.Errorf("channelAllowed allocates %v times", n)
	}
}
