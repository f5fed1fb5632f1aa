package server

import (
	"github.com/heraldhq/herald/broker"
)

// Enforcement of ACL users on connections: who a connection is, what it may
// run (rejectForACL, called by execute and EXEC), and what happens to the
// connections of a user whose permissions change (aclChanged).

// connUser is the user c is authenticated as (the default user until AUTH).
// Other goroutines read it (CLIENT LIST, CLIENT KILL USER, aclChanged), so
// it is kept under c.info's lock.
func (c *conn) connUser() *aclUser {
	c.info.Lock()
	u := c.user
	c.info.Unlock()
	return u
}

// setUser makes c a connection of u, authenticated or not.
func (c *conn) setUser(u *aclUser, authed bool) {
	c.info.Lock()
	c.user = u
	c.info.Unlock()
	c.authed = authed
}

// authenticate checks credentials as Redis's ACLAuthenticateUser: on
// success c becomes a connection of that user; a failure is logged in ACL
// LOG. args is the AUTH or HELLO command.
func (c *conn) authenticate(args [][]byte, user, pass []byte) bool {
	old, oldAuthed := c.connUser(), c.authed
	// An ACL DELUSER or LOAD that removes u after it is looked up does not
	// see c as u's (aclChanged reads connUser): then the AUTH counts as
	// coming after it and looks again (ACL LOAD may have a new user of
	// that name), leaving c as it was if that fails. Bounded, against a
	// stream of LOADs.
	for range 3 {
		u, ok := c.srv.acl().authenticate(user, pass)
		if !ok {
			break
		}
		c.setUser(u, true)
		if !u.deleted.Load() {
			return true
		}
		c.setUser(old, oldAuthed)
	}
	c.logAuthFailure(args, user)
	return false
}

// rejectForACL refuses cmd when c's user may not run it with args, as
// Redis's processCommand: NOPERM with the reason, and an ACL LOG entry.
// Commands refused inside MULTI for another reason (no_multi) are left to
// queueCommand, which Redis checks first.
func (c *conn) rejectForACL(cmd *command, args [][]byte) bool {
	u := c.user
	p := u.perms.Load()
	if p != c.aclPerms {
		c.aclPerms, c.aclFree = p, p.unrestricted()
	}
	if c.aclFree {
		return false
	}
	d, ok := p.check(cmd, args)
	if ok {
		return false
	}
	c.logCommandDenial(cmd, d, cmd.name)
	c.rejectCommand(args[0], "NOPERM "+d.message(u.name, cmd, false))
	return true
}

// unrestricted reports whether p allows every command of Herald's with any
// keys and channels, as the default user's "+@all ~* &*": then execute
// need not check each command (a check costs as much as a third of a
// PUBLISH to no subscriber).
func (p *aclPerms) unrestricted() bool {
	for _, s := range p.selectors {
		if !s.allKeys || !s.allChannels {
			continue
		}
		all := true
		for _, id := range aclHeraldIDs {
			if !s.allowed.get(id) {
				all = false
				break
			}
		}
		if all {
			return true
		}
	}
	return false
}

// execReason is how EXEC explains a queued command's refusal when the
// user's permissions changed after it was queued.
func (d aclDenial) execReason() string {
	switch d.reason {
	case aclDeniedCmd:
		return "no permission to execute the command or subcommand"
	case aclDeniedKey:
		return "no permission to touch the specified keys"
	case aclDeniedChannel:
		return "no permission to access one of the channels used as arguments"
	}
	return "no permission"
}

// aclChanged is called after ACL SETUSER, DELUSER and LOAD with the users
// they changed. Connections of a user that no longer exists (deleted, or
// replaced by ACL LOAD) are closed, as Redis frees them. Connections of a
// changed user that hold a channel, pattern or shard channel the user may
// no longer hold are closed too (Redis's ACLKillPubsubClientsIfNeeded), so
// revoking a channel stops its delivery at once. The connection that ran
// the command is closed after its reply: redis-server 7.0.15 crashes when
// a client revokes its own channel; Herald replies, then closes.
func (s *Server) aclChanged(caller *conn, users []*aclUser) {
	if len(users) == 0 {
		return
	}
	store := s.acl()
	for _, c := range s.connList() {
		u := c.connUser()
		if !containsUser(users, u) {
			continue
		}
		kill := u.deleted.Load() || store.user(u.name) != u // deleted or replaced
		if !kill {
			kill = !mayHoldAll(s.broker, c, u.perms.Load())
		}
		if !kill {
			continue
		}
		if c == caller {
			caller.closeAfterReply()
			continue
		}
		s.removeConn(c)
		s.broker.UnsubscribeAll(c)
		c.kill()
	}
}

// closeAfterReply makes c close once the reply of the command it runs is
// sent, as Redis's CLIENT_CLOSE_AFTER_REPLY, after which Redis adds
// nothing to the client's output: c leaves the broker now, before its
// reply is queued, so that no message published meanwhile follows the
// reply (the broker appends to outboxes under its lock, so nothing
// reaches c once UnsubscribeAll returns); its tracking goes too, so no
// invalidation follows it either (tracking.mu).
func (c *conn) closeAfterReply() {
	if c.subscribed > 0 {
		c.srv.broker.UnsubscribeAll(c)
	}
	c.srv.disableTracking(c)
	c.closing = true
}

// aclRecheckHoldings closes c, from its own goroutine, when an ACL change
// ran between the check of its subscribe command and the subscriptions
// it made: aclChanged looks at what the broker holds, so it did not see
// them. Redis, single-threaded, has no such window. Called after every
// subscribe command; costs one atomic load while the permissions the
// command was checked against are still the user's.
func (c *conn) aclRecheckHoldings() {
	u := c.user
	p := u.perms.Load()
	if p == c.aclPerms && !u.deleted.Load() {
		return
	}
	if !u.deleted.Load() && mayHoldAll(c.srv.broker, c, p) {
		return
	}
	// As aclChanged closes another client: nothing more is sent, the
	// subscribe's replies included.
	c.srv.removeConn(c)
	c.srv.broker.UnsubscribeAll(c)
	c.kill()
	c.closing = true
}

func containsUser(users []*aclUser, u *aclUser) bool {
	for _, x := range users {
		if x == u {
			return true
		}
	}
	return false
}

// mayHoldAll reports whether p allows every subscription c holds.
func mayHoldAll(b *broker.Broker, c *conn, p *aclPerms) bool {
	channels, patterns, shards := b.Holdings(c)
	for _, ch := range channels {
		if !p.mayHold(ch, false) {
			return false
		}
	}
	for _, ch := range shards {
		if !p.mayHold(ch, false) {
			return false
		}
	}
	for _, pat := range patterns {
		if !p.mayHold(pat, true) {
			return false
		}
	}
	return true
}
