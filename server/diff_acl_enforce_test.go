package server

import (
	"slices"
	"testing"

	"github.com/heraldhq/herald/internal/redistest"
	"github.com/heraldhq/herald/internal/resp"
)

// TestDiffACLEnforce compares what ACL users may do: NOPERM for a command,
// a key and a channel, the PSUBSCRIBE rule, AUTH and HELLO AUTH as users,
// MULTI and EXEC, CLIENT LIST user= and CLIENT KILL USER, and the
// disconnection of subscribers whose channels are revoked. Each session
// deletes the users it made: the redis-server lives across sessions.
func TestDiffACLEnforce(t *testing.T) {
	t.Parallel()
	env := newDiffEnv(t, Config{})
	env.run(t, sessions(
		forProtocols("noperm for commands, keys and channels", "", `
			a: ACL SETUSER alice on >pw -@all +ping +get +set +publish +spublish +subscribe +psubscribe +ssubscribe +unsubscribe %R~r:* %W~w:* ~rw:* &news:* &ev:* => 1
			b: AUTH alice pw               => 1
			b: PING                        => 1
			b: GET r:1                     => 1
			b: GET w:1                     => 1
			b: SET w:1 x                   => 1
			b: SET r:1 x                   => 1
			b: SET rw:1 x                  => 1
			b: GET rw:1                    => 1
			b: DEL rw:1                    => 1
			b: CLIENT ID                   => 1
			b: ECHO x                      => 1
			b: PUBLISH news:1 x            => 1
			b: PUBLISH other x             => 1
			b: SPUBLISH other x            => 1
			b: SPUBLISH ev:1 x             => 1
			b: SUBSCRIBE other             => 1
			b: SUBSCRIBE news:1 other      => 1
			b: PSUBSCRIBE news:1*          => 1
			b: PSUBSCRIBE *                => 1
			b: SSUBSCRIBE other            => 1
			b: UNSUBSCRIBE                 => 1
			a: ACL DELUSER alice           => 1; b: 0 closed
		`),
		forProtocols("noperm while subscribed", "", `
			a: ACL SETUSER alice on >pw -@all +ping +get +psubscribe +subscribe ~k* &news:* => 1
			b: AUTH alice pw               => 1
			b: PSUBSCRIBE news:*           => 1
			b: GET other                   => 1
			b: GET k1                      => 1
			b: DEL k1                      => 1
			b: SUBSCRIBE x                 => 1
			b: PING                        => 1
			a: ACL DELUSER alice           => 1; b: 0 closed
		`),
		forProtocols("auth as a user", "", `
			a: ACL SETUSER bob on >one >two +@all ~* &* => 1
			a: ACL SETUSER off1 off >pw +@all => 1
			a: ACL SETUSER free on nopass +@all => 1
			b: AUTH bob two                => 1
			b: ACL WHOAMI                  => 1
			b: AUTH bob three              => 1
			b: ACL WHOAMI                  => 1
			b: AUTH off1 pw                => 1
			b: AUTH free anything          => 1
			b: ACL WHOAMI                  => 1
			b: AUTH nobody pw              => 1
			b: AUTH pw                     => 1
			b: HELLO 2 AUTH bob one        => 1 hello
			b: ACL WHOAMI                  => 1
			b: HELLO 2 AUTH bob nope       => 1
			b: RESET                       => 1
			b: ACL WHOAMI                  => 1
			a: ACL DELUSER bob off1 free   => 1
		`),
		forProtocols("client list and kill by user", "", `
			a: ACL SETUSER carol on >pw +@all ~* &* => 1
			b: AUTH carol pw               => 1
			b: CLIENT INFO                 => 1 client
			c: CLIENT KILL USER nobody     => 1
			c: CLIENT KILL USER carol      => 1; b: 0 closed
			a: ACL DELUSER carol           => 1
		`),
		forProtocols("multi: noperm when queued and when run", "", `
			a: ACL SETUSER dave on >pw +@all -get ~* &* => 1
			b: AUTH dave pw                => 1
			b: MULTI                       => 1
			b: GET k                       => 1
			b: SET k v                     => 1
			b: EXEC                        => 1
			b: MULTI                       => 1
			b: SET k v                     => 1
			b: PUBLISH ch m                => 1
			b: INCR n:1                    => 1
			b: PING                        => 1
			a: ACL SETUSER dave -set resetchannels resetkeys ~k => 1
			b: EXEC                        => 1
			a: ACL DELUSER dave            => 1; b: 0 closed
		`),
		forProtocols("revoked channels disconnect their subscribers", "", `
			a: ACL SETUSER erin on >pw +@all ~* &chat:* &news => 1
			b: AUTH erin pw                => 1
			b: SUBSCRIBE chat:1            => 1
			c: AUTH erin pw                => 1
			c: PSUBSCRIBE chat:*           => 1
			d: AUTH erin pw                => 1
			d: SUBSCRIBE news              => 1
			e: AUTH erin pw                => 1
			e: PING                        => 1
			a: ACL SETUSER erin &chat:*    => 1
			b: PING                        => 1
			a: ACL SETUSER erin resetchannels &chat:1 &news => 1; c: 0 closed
			b: PING                        => 1
			d: PING                        => 1
			a: ACL SETUSER erin resetchannels &news => 1; b: 0 closed
			d: PING                        => 1
			e: PING                        => 1
			a: ACL SETUSER erin allchannels => 1
			d: PING                        => 1
			a: ACL DELUSER erin            => 1; d: 0 closed; e: 0 closed
		`),
		forProtocols("acl-pubsub-default", "", `
			a: CONFIG GET acl-pubsub-default => 1
			a: CONFIG SET acl-pubsub-default allchannels => 1
			a: ACL SETUSER frank on >pw +@all => 1
			a: ACL GETUSER frank           => 1
			b: AUTH frank pw               => 1
			b: PUBLISH anything x          => 1
			a: CONFIG SET acl-pubsub-default resetchannels => 1
			a: ACL SETUSER frank reset on >pw +@all => 1
			b: PUBLISH anything x          => 1
			a: CONFIG SET acl-pubsub-default nope => 1
			a: ACL DELUSER frank           => 1; b: 0 closed
		`),
		forProtocols("requirepass is the default user's password", "", `
			a: CONFIG SET requirepass secret => 1
			a: ACL GETUSER default         => 1
			b: PING                        => 1
			b: AUTH secret                 => 1
			b: CONFIG SET requirepass ""   => 1
			c: PING                        => 1
			c: AUTH x                      => 1
			b: ACL LIST                    => 1
		`),
	))
}

// TestDiffACLLogDenials compares the ACL LOG entries of refused commands,
// keys and channels, at top level, in MULTI and at EXEC, and of failed
// AUTHs: every field but age-seconds, and CLIENT INFO's line with its
// per-connection numbers masked (so user= and cmd= are compared); then
// the log under a lowered acllog-max-len.
func TestDiffACLLogDenials(t *testing.T) {
	t.Parallel()
	redisAddr := redistest.Start(t).Addr()
	s := startServer(t, Config{})
	for _, proto := range []string{"2", "3"} {
		r, h := rawDial(t, redisAddr, proto), rawDial(t, s.Addr().String(), proto)
		admin := [][]string{
			{"ACL", "LOG", "RESET"},
			{"ACL", "SETUSER", "logu", "reset", "on", ">pw", "+@all", "-flushall", "~k:*", "&c:*"},
		}
		user := [][]string{
			{"AUTH", "logu", "pw"},
			{"FLUSHALL"},
			{"FLUSHALL"},
			{"GET", "other"},
			{"MSET", "k:1", "v", "other2", "v"},
			{"PUBLISH", "nope", "x"},
			{"SUBSCRIBE", "c:1", "nope2"},
			{"PSUBSCRIBE", "c:*", "c:1*"},
			{"UNSUBSCRIBE"},
			{"PUNSUBSCRIBE"},
			{"MULTI"},
			{"GET", "other3"},
			{"DISCARD"},
			{"MULTI"},
			{"SET", "k:2", "v"},
			{"PUBLISH", "c:2", "x"},
		}
		later := [][]string{
			{"ACL", "SETUSER", "logu", "resetkeys", "resetchannels"},
		}
		end := [][]string{
			{"EXEC"},
			{"AUTH", "logu", "wrong"},
		}
		// Lowering acllog-max-len trims the log at its next entry.
		capped := [][]string{
			{"CONFIG", "SET", "acllog-max-len", "2"},
			{"CONFIG", "GET", "acllog-max-len"},
			{"ACL", "LOG"},
			{"CONFIG", "SET", "acllog-max-len", "-1"},
		}
		again := [][]string{
			{"AUTH", "logu", "wrong2"},
		}
		check := [][]string{
			{"ACL", "LOG"},
			{"CONFIG", "SET", "acllog-max-len", "128"},
			{"ACL", "LOG", "RESET"},
			{"ACL", "DELUSER", "logu"},
		}
		ru, hu := rawDial(t, redisAddr, proto), rawDial(t, s.Addr().String(), proto)
		for _, step := range []struct {
			r, h *rawConn
			cmds [][]string
		}{{r, h, admin}, {ru, hu, user}, {r, h, later}, {ru, hu, end}, {r, h, capped}, {ru, hu, again}, {r, h, check}} {
			for _, args := range step.cmds {
				want, got := maskLogEntries(step.r.do(t, args...)), maskLogEntries(step.h.do(t, args...))
				if string(got.Bytes()) != string(want.Bytes()) {
					t.Errorf("RESP%s %v:\n herald %s\n  redis %s", proto, args, got, want)
				}
			}
		}
	}
}

// maskLogEntries masks what differs between two servers in ACL LOG's
// entries: age-seconds, and the per-connection numbers of client-info.
func maskLogEntries(v resp.Value) resp.Value {
	if v.Kind != '*' {
		return v
	}
	v.Elems = slices.Clone(v.Elems)
	for i, e := range v.Elems {
		e.Elems = slices.Clone(e.Elems)
		for j := 0; j+1 < len(e.Elems); j += 2 {
			switch e.Elems[j].Str {
			case "age-seconds":
				e.Elems[j+1] = masked
			case "client-info":
				e.Elems[j+1].Str = maskClientFields(e.Elems[j+1].Str)
			}
		}
		v.Elems[i] = e
	}
	return v
}
