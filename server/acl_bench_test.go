package server

import (
	"net"
	"testing"
)

// The cost ACL users and CLIENT TRACKING add to the hot path: PUBLISH to
// a channel nobody hears, run by execute as a client's command (replies
// dropped, as CLIENT REPLY OFF), for the default user (the unrestricted
// fast path), for a user whose permissions must be checked, and with
// tracking in use by another client.
func BenchmarkExecutePublish(b *testing.B) {
	for _, bc := range []struct {
		name     string
		rules    []string // nil: the default user
		tracking bool
	}{
		{name: "default"},
		{name: "restricted", rules: []string{"on", "nopass", "+@all", "-get", "~*", "&*"}},
		{name: "channels", rules: []string{"on", "nopass", "+@all", "~*", "&ch", "&other:*"}},
		{name: "default+tracking", tracking: true},
	} {
		b.Run(bc.name, func(b *testing.B) {
			s := New(Config{})
			p1, p2 := net.Pipe()
			defer p1.Close()
			defer p2.Close()
			c := newConn(s, p1, 1)
			if bc.rules != nil {
				p := newUserPerms(false)
				for _, r := range bc.rules {
					if err := p.apply(r, false); err != "" {
						b.Fatal(err)
					}
				}
				c.user = newACLUser("u", p)
			}
			if bc.tracking {
				other := newConn(s, p2, 2)
				other.enableTracking(trackingOptions{bcast: true})
			}
			c.replyMode = replyOff
			args := [][]byte{[]byte("PUBLISH"), []byte("ch"), []byte("hello")}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				c.execute(args)
			}
		})
	}
}
