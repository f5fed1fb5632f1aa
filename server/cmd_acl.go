package server

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"math"
	"time"
)

// ACL and its subcommands, as redis-server 7.0.15 answers them. The users
// and rules are in acl.go and acl_rules.go; enforcement (the permission
// check before each command, AUTH against users) is the dispatcher's.

// registerACL registers ACL and its subcommands, with the arity and
// COMMAND INFO of Redis's (cmd_acl_docs.go). CAT and DRYRUN reach the
// table through t, not the package's commands variable, which they are
// part of.
func registerACL(t commandTable) {
	acl := t.add(&command{name: "acl", arity: aclMeta["acl"].arity, meta: aclMeta["acl"].meta})
	subs := map[string]func(c *conn, args [][]byte){
		"cat":     func(c *conn, args [][]byte) { cmdACLCat(c, t, args) },
		"deluser": cmdACLDelUser,
		"dryrun":  func(c *conn, args [][]byte) { cmdACLDryRun(c, t, args) },
		"genpass": cmdACLGenPass,
		"getuser": cmdACLGetUser,
		"help":    func(c *conn, _ [][]byte) { c.writeHelp(helpACL) },
		"list":    cmdACLList,
		"load":    cmdACLLoad,
		"log":     cmdACLLog,
		"save":    cmdACLSave,
		"setuser": cmdACLSetUser,
		"users":   cmdACLUsers,
		"whoami":  func(c *conn, _ [][]byte) { c.writeBulkString(c.user.name) },
	}
	for name, run := range subs {
		m := aclMeta["acl|"+name]
		acl.addSub(&command{name: name, arity: m.arity, run: run, meta: m.meta})
	}
}

// cmdACLSetUser is ACL SETUSER name [rule ...]: every rule is applied to a
// copy of the user (or a new one), which replaces it only if all succeed.
func cmdACLSetUser(c *conn, args [][]byte) {
	name := string(args[2])
	if hasSpaces(name) {
		c.writeError(errACLUsernameSpaces)
		return
	}
	ops := make([]string, len(args)-3)
	for i, a := range args[3:] {
		ops[i] = string(a)
	}
	rules, bad := mergeSelectorArgs(ops)
	if bad >= 0 {
		c.writeError(sanitize(fmt.Sprintf(errACLUnmatchedParenFmt, cString(args[3+bad]))))
		return
	}
	a := c.srv.acl()
	a.mu.Lock()
	u := a.users[name]
	var p *aclPerms
	if u != nil {
		p = u.perms.Load().clone()
	} else {
		p = newUserPerms(a.pubsubAll)
	}
	for _, rule := range rules {
		if reason := p.apply(rule, a.pubsubAll); reason != "" {
			a.mu.Unlock()
			c.writeError(sanitize(fmt.Sprintf(errACLSetUserFmt, cString([]byte(rule)), reason)))
			return
		}
	}
	if u == nil {
		u = newACLUser(name, p)
		a.users[name] = u
	} else {
		u.perms.Store(p)
	}
	a.mu.Unlock()
	c.srv.aclChanged(c, []*aclUser{u})
	c.writeOK()
}

// cmdACLDelUser is ACL DELUSER name [name ...]: the number deleted. The
// default user cannot be, and then none is.
func cmdACLDelUser(c *conn, args [][]byte) {
	for _, name := range args[2:] {
		if string(name) == "default" {
			c.writeError(errACLDeleteDefault)
			return
		}
	}
	a := c.srv.acl()
	var deleted []*aclUser
	a.mu.Lock()
	for _, name := range args[2:] {
		if u := a.users[string(name)]; u != nil {
			delete(a.users, string(name))
			u.deleted.Store(true)
			deleted = append(deleted, u)
		}
	}
	a.mu.Unlock()
	if len(deleted) > 0 {
		c.srv.aclChanged(c, deleted)
	}
	c.writeInt(int64(len(deleted)))
}

// cmdACLGetUser is ACL GETUSER name: flags, passwords, the root
// selector's commands, keys and channels, and the other selectors; a null
// for no such user.
func cmdACLGetUser(c *conn, args [][]byte) {
	u := c.srv.acl().user(string(args[2]))
	if u == nil {
		c.writeNull()
		return
	}
	p := u.perms.Load()
	c.writeMapLen(6)
	c.writeBulkString("flags")
	flags := p.flags()
	c.writeSetLen(len(flags))
	for _, f := range flags {
		c.writeBulkString(f)
	}
	c.writeBulkString("passwords")
	c.writeBulkStrings(p.passwords)
	c.writeSelector(p.root())
	c.writeBulkString("selectors")
	c.writeArrayLen(len(p.selectors) - 1)
	for _, s := range p.selectors[1:] {
		c.writeMapLen(3)
		c.writeSelector(s)
	}
}

// writeSelector writes a selector's commands, keys and channels as
// GETUSER's key-value pairs.
func (c *conn) writeSelector(s *aclSelector) {
	c.writeBulkString("commands")
	c.writeBulkString(s.describeCommands())
	c.writeBulkString("keys")
	c.writeBulkString(s.keysDescription())
	c.writeBulkString("channels")
	c.writeBulkString(s.channelsDescription())
}

// cmdACLList is ACL LIST: each user as an ACL file line, by name.
func cmdACLList(c *conn, _ [][]byte) {
	users := c.srv.acl().sortedUsers()
	c.writeArrayLen(len(users))
	for _, u := range users {
		c.writeBulkString("user " + u.name + " " + u.perms.Load().describe())
	}
}

// cmdACLUsers is ACL USERS: the user names, sorted.
func cmdACLUsers(c *conn, _ [][]byte) {
	users := c.srv.acl().sortedUsers()
	c.writeArrayLen(len(users))
	for _, u := range users {
		c.writeBulkString(u.name)
	}
}

// cmdACLCat is ACL CAT [category]: the categories in Redis's order, or the
// commands and subcommands of Herald in one.
func cmdACLCat(c *conn, t commandTable, args [][]byte) {
	switch len(args) {
	case 2:
		c.writeBulkStrings(aclCategoryNames)
	case 3:
		cat := aclCategory(string(args[2]))
		if cat == 0 {
			c.writeError(sanitize(fmt.Sprintf(errACLUnknownCategory, clip(cString(args[2]), 128))))
			return
		}
		var names []string
		for _, cmd := range t.sorted() {
			for _, x := range append([]*command{cmd}, cmd.sortedSubs()...) {
				if aclCommands[aclHeraldIDs[x]].categories&cat != 0 {
					names = append(names, x.name)
				}
			}
		}
		c.writeBulkStrings(names)
	default:
		c.writeSubcommandSyntaxError(args)
	}
}

// cmdACLGenPass is ACL GENPASS [bits]: that many random bits (256 by
// default, at most 4096) in hex, rounded up to whole hex digits.
func cmdACLGenPass(c *conn, args [][]byte) {
	bits := int64(256)
	switch len(args) {
	case 2:
	case 3:
		n, ok := parseInteger(args[2])
		if !ok {
			c.writeError(errNotInteger)
			return
		}
		bits = n
	default:
		c.writeSubcommandSyntaxError(args)
		return
	}
	if bits <= 0 || bits > 4096 {
		c.writeError(errACLGenpassBits)
		return
	}
	chars := (bits + 3) / 4
	raw := make([]byte, (chars+1)/2)
	rand.Read(raw) // never fails (crypto/rand's contract since Go 1.24)
	c.writeBulkString(hex.EncodeToString(raw)[:chars])
}

// cmdACLDryRun is ACL DRYRUN user command [arg ...]: OK if the user may
// run the command, or why not, as a bulk string.
func cmdACLDryRun(c *conn, t commandTable, args [][]byte) {
	u := c.srv.acl().user(string(args[2]))
	if u == nil {
		c.writeError(sanitize(fmt.Sprintf(errACLUserNotFoundFmt, cString(args[2]))))
		return
	}
	line := args[3:]
	cmd := t.byArgs(line)
	if cmd == nil {
		c.writeError(sanitize(fmt.Sprintf(errACLCommandNotFound, cString(args[3]))))
		return
	}
	if (cmd.arity > 0 && len(line) != cmd.arity) || len(line) < -cmd.arity {
		c.writeArity(cmd.name)
		return
	}
	if d, ok := u.perms.Load().check(cmd, line); !ok {
		c.writeBulkString(d.message(u.name, cmd, true))
		return
	}
	c.writeOK()
}

// cmdACLLog is ACL LOG [count | RESET]: the newest entries, 10 by default.
func cmdACLLog(c *conn, args [][]byte) {
	count := int64(10)
	switch len(args) {
	case 2:
	case 3:
		if equalFoldASCII(string(args[2]), "reset") {
			c.srv.acl().resetLog()
			c.writeOK()
			return
		}
		n, ok := parseInteger(args[2])
		if !ok {
			c.writeError(errNotInteger)
			return
		}
		count = max(n, 0)
	default:
		c.writeSubcommandSyntaxError(args)
		return
	}
	entries := c.srv.acl().logEntries(int(min(count, math.MaxInt32)))
	now := time.Now()
	c.writeArrayLen(len(entries))
	for _, e := range entries {
		c.writeMapLen(7)
		c.writeBulkString("count")
		c.writeInt(e.count)
		c.writeBulkString("reason")
		c.writeBulkString(e.reason.String())
		c.writeBulkString("context")
		c.writeBulkString(e.context)
		c.writeBulkString("object")
		c.writeBulkString(e.object)
		c.writeBulkString("username")
		c.writeBulkString(e.username)
		c.writeBulkString("age-seconds")
		c.writeZScore(float64(now.Sub(e.created).Milliseconds()) / 1000)
		c.writeBulkString("client-info")
		c.writeBulkString(e.clientInfo)
	}
}

// cmdACLLoad is ACL LOAD: the users of the ACL file replace all others,
// or none does.
func cmdACLLoad(c *conn, _ [][]byte) {
	path := c.srv.settings().ACLFile
	if path == "" {
		c.writeError(errACLNoFile)
		return
	}
	affected, err := c.srv.acl().load(path)
	if err != nil {
		c.writeError(sanitize("ERR " + err.Error()))
		return
	}
	c.srv.aclChanged(c, affected)
	c.writeOK()
}

// cmdACLSave is ACL SAVE: every user to the ACL file.
func cmdACLSave(c *conn, _ [][]byte) {
	path := c.srv.settings().ACLFile
	if path == "" {
		c.writeError(errACLNoFile)
		return
	}
	if err := c.srv.acl().saveFile(path); err != nil {
		c.srv.logger().Warn("saving the ACL file", "path", path, "err", err)
		c.writeError(errACLSaveFailed)
		return
	}
	c.writeOK()
}

// helpACL is ACL HELP as redis-server 7.0.15 prints it.
var helpACL = []string{
	"ACL <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
	"CAT [<category>]",
	"    List all commands that belong to <category>, or all command categories",
	"    when no category is specified.",
	"DELUSER <username> [<username> ...]",
	"    Delete a list of users.",
	"DRYRUN <username> <command> [<arg> ...]",
	"    Returns whether the user can execute the given command without executing the command.",
	"GETUSER <username>",
	"    Get the user's details.",
	"GENPASS [<bits>]",
	"    Generate a secure 256-bit user password. The optional `bits` argument can",
	"    be used to specify a different size.",
	"LIST",
	"    Show users details in config file format.",
	"LOAD",
	"    Reload users from the ACL file.",
	"LOG [<count> | RESET]",
	"    Show the ACL log entries.",
	"SAVE",
	"    Save the current config to the ACL file.",
	"SETUSER <username> <attribute> [<attribute> ...]",
	"    Create or modify a user with the specified attributes.",
	"USERS",
	"    List all the registered usernames.",
	"WHOAMI",
	"    Return the current connection username.",
	"HELP",
	"    Prints this help.",
}
