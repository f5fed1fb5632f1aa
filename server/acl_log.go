package server

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// ACL LOG: the commands and authentications refused, newest first, as
// Redis 7.0.15 keeps them (acl.c addACLLogEntry).

// defaultACLLogMaxLen is Redis's acllog-max-len default.
const defaultACLLogMaxLen = 128

// aclLogGroupWindow: an entry equal to one of the last ten and this close
// in time counts as that one again, as Redis's ACL_LOG_GROUPING_MAX_TIME_DELTA.
const aclLogGroupWindow = 60 * time.Second

// aclLogEntry is one entry of ACL LOG. Callers fill reason, context
// ("toplevel", "multi", "lua"), object (the command's full name, the key
// or channel refused, or for an authentication the command, "AUTH" or
// "HELLO" as sent), username and clientInfo (the client's CLIENT INFO
// line, without its newline); the store fills the rest.
type aclLogEntry struct {
	reason                       aclReason
	context                      string
	object, username, clientInfo string
	count                        int64
	created                      time.Time
}

// logDenial adds an entry, or counts it again on an equal recent one
// (same reason, context, object and user, within a minute, among the last
// ten), which then moves to the front. The log then keeps its newest
// maxLen entries; as in Redis, lowering acllog-max-len trims the log at
// its next entry, not at once.
func (a *aclStore) logDenial(e aclLogEntry, maxLen int) {
	now := time.Now()
	a.logMu.Lock()
	defer a.logMu.Unlock()
	for i := 0; i < len(a.log) && i < 10; i++ {
		old := a.log[i]
		delta := now.Sub(old.created)
		if delta < 0 {
			delta = -delta
		}
		if old.reason != e.reason || old.context != e.context || delta > aclLogGroupWindow ||
			old.object != e.object || old.username != e.username {
			continue
		}
		old.count++
		old.clientInfo = e.clientInfo
		old.created = now
		copy(a.log[1:i+1], a.log[:i])
		a.log[0] = old
		return
	}
	entry := e
	entry.count = 1
	entry.created = now
	a.log = append(a.log, nil)
	copy(a.log[1:], a.log)
	a.log[0] = &entry
	if len(a.log) > maxLen {
		clear(a.log[maxLen:])
		a.log = a.log[:maxLen]
	}
}

// logEntries returns copies of the newest n entries.
func (a *aclStore) logEntries(n int) []aclLogEntry {
	a.logMu.Lock()
	defer a.logMu.Unlock()
	n = min(n, len(a.log))
	out := make([]aclLogEntry, n)
	for i := range out {
		out[i] = *a.log[i]
	}
	return out
}

func (a *aclStore) resetLog() {
	a.logMu.Lock()
	a.log = nil
	a.logMu.Unlock()
}

// logContext is the ACL LOG context of a command c runs now.
func (c *conn) logContext() string {
	if c.tx.active {
		return "multi"
	}
	return "toplevel"
}

// clientInfoLine is c's CLIENT INFO line for ACL LOG, running the command
// named running.
func (c *conn) clientInfoLine(running string) string {
	return strings.TrimSuffix(string(c.appendClientLine(nil, c, running)), "\n")
}

// logAuthFailure records a failed AUTH or HELLO AUTH, as Redis's
// ACLAuthenticateUser: reason "auth", the command as sent (args[0]) as the
// object, the user name tried.
func (c *conn) logAuthFailure(args [][]byte, username []byte) {
	c.srv.acl().logDenial(aclLogEntry{
		reason:     aclDeniedAuth,
		context:    c.logContext(),
		object:     string(args[0]),
		username:   string(username),
		clientInfo: c.clientInfoLine(c.runningName(args[0])),
	}, c.srv.aclLogMaxLen())
}

// logCommandDenial records a command that c's user may not run, as
// Redis's processCommand does before its NOPERM reply: the refused
// command's full name, key or channel as the object. running is the
// command CLIENT INFO's line names: the refused one, or EXEC for the
// queued commands it refuses.
func (c *conn) logCommandDenial(cmd *command, d aclDenial, running string) {
	c.srv.acl().logDenial(aclLogEntry{
		reason:     d.reason,
		context:    c.logContext(),
		object:     d.object,
		username:   c.user.name,
		clientInfo: c.clientInfoLine(running),
	}, c.srv.aclLogMaxLen())
}

// aclLogMaxLen is acllog-max-len, as an int.
func (s *Server) aclLogMaxLen() int {
	return int(min(max(s.settings().ACLLogMaxLen, 0), math.MaxInt32))
}

func getACLLogMaxLen(s *Server) string {
	return strconv.FormatInt(max(s.settings().ACLLogMaxLen, 0), 10)
}

func setACLLogMaxLen(cfg *Config, v string) error {
	n, err := integerArg(v, 0, math.MaxInt64)
	if err != nil {
		return err
	}
	if n == 0 {
		n = -1
	}
	cfg.ACLLogMaxLen = n
	return nil
}

// String is the reason as ACL LOG shows it.
func (r aclReason) String() string {
	switch r {
	case aclDeniedCmd:
		return "command"
	case aclDeniedKey:
		return "key"
	case aclDeniedChannel:
		return "channel"
	case aclDeniedAuth:
		return "auth"
	}
	return "unknown"
}

// runningName is the command CLIENT INFO names while c runs the command
// called name: EXEC for a command EXEC runs, as Redis's c->cmd.
func (c *conn) runningName(name []byte) string {
	if c.inExec {
		return "exec"
	}
	return lowerASCII(string(name))
}
