package server

import (
	"bytes"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/heraldhq/herald/keyspace"

	"github.com/heraldhq/herald/internal/resp"
)

// cmdFlag marks how the dispatcher treats a command.
type cmdFlag uint16

const (
	// flagNoAuth: allowed before AUTH when a password is required.
	flagNoAuth cmdFlag = 1 << iota
	// flagPubSubContext: allowed on a RESP2 connection in subscribed mode.
	flagPubSubContext
	// flagHot: a command clients send at high rates, with a shallow call
	// path; others make the connection move to a fresh goroutine after the
	// batch (see conn.serve).
	flagHot
	// flagRemoteBatch: with a Remote, the command (PUBLISH, SPUBLISH) is
	// queued and sent with the others of its batch in one round trip, its
	// reply written when the batch is sent (see remotePublish).
	flagRemoteBatch
	// flagKeyspace: the command reads or writes the keyspace, and runs
	// with its lock held (keyspace.go).
	flagKeyspace
)

// command is one entry of the command table. A container command (CLIENT,
// PUBSUB, CONFIG ...) has subcommands and no handler of its own unless it
// also runs bare (COMMAND).
type command struct {
	name   string // lower case; "container|sub" for subcommands
	arity  int    // as Redis: n means exactly n arguments, -n at least n
	flags  cmdFlag
	run    func(c *conn, args [][]byte)
	subs   map[string]*command
	parent *command
	meta   commandMeta // what COMMAND INFO / DOCS report
}

// commandMeta is the description COMMAND reports for a command, as Redis 7.0
// reports it for the same command.
type commandMeta struct {
	flags      []string // e.g. "pubsub", "loading", "stale", "fast"
	firstKey   int
	lastKey    int
	keyStep    int
	categories []string // ACL categories, e.g. "@pubsub", "@fast"
}

// commandTable maps lower-case command names to commands.
type commandTable map[string]*command

var commands = buildCommandTable()

func buildCommandTable() commandTable {
	t := commandTable{}
	registerPubSub(t)
	registerConnection(t)
	registerClient(t)
	registerServer(t)
	registerList(t)
	registerMulti(t)
	registerScripting(t)
	registerGeneric(t)
	registerString(t)
	registerHash(t)
	registerSet(t)
	registerZSet(t)
	registerStream(t)
	registerStreamGroup(t) // after registerStream: it adds to XINFO
	registerACL(t)
	registerAOF(t)
	registerTracking(t) // last: it wraps the read-only commands
	return t
}

// add registers a top-level command.
func (t commandTable) add(cmd *command) *command {
	t[cmd.name] = cmd
	return cmd
}

// addSub registers a subcommand of parent; name is the bare subcommand.
func (parent *command) addSub(sub *command) *command {
	if parent.subs == nil {
		parent.subs = make(map[string]*command)
	}
	bare := sub.name
	sub.name = parent.name + "|" + bare
	sub.parent = parent
	parent.subs[bare] = sub
	return sub
}

// sortedCommands returns the table's top-level commands by name.
func (t commandTable) sorted() []*command {
	out := make([]*command, 0, len(t))
	for _, c := range t {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

// lookup finds the command args names. On failure it returns the error
// Redis replies with.
func lookup(args [][]byte) (*command, string) {
	var nameBuf [32]byte
	cmd := commands[string(lowerInto(nameBuf[:0], args[0]))]
	if cmd == nil {
		return nil, unknownCommandError(args)
	}
	if cmd.subs != nil && len(args) >= 2 {
		sub := cmd.subs[string(lowerInto(nameBuf[:0], args[1]))]
		if sub == nil {
			return nil, sanitize(fmt.Sprintf(errUnknownSubFmt, clip(cString(args[1]), 128), strings.ToUpper(cString(args[0]))))
		}
		cmd = sub
	}
	if (cmd.arity > 0 && len(args) != cmd.arity) || len(args) < -cmd.arity {
		return nil, fmt.Sprintf(errArityFmt, cmd.name)
	}
	return cmd, ""
}

// unknownCommandError builds Redis's reply to an unknown command: the name
// and the first arguments, quoted, up to about 128 bytes. Like Redis's
// printf, it ends each argument at a NUL byte.
func unknownCommandError(args [][]byte) string {
	var b strings.Builder
	for i := 1; i < len(args) && b.Len() < 128; i++ {
		room := 128 - b.Len() // as Redis's "'%.*s' ", before the quote
		b.WriteByte('\'')
		b.WriteString(clip(cString(args[i]), room))
		b.WriteString("' ")
	}
	return sanitize(fmt.Sprintf(errUnknownCmdFmt, clip(cString(args[0]), 128), b.String()))
}

// cString returns b up to its first NUL byte: what Redis's printf("%s")
// shows of an argument in an error text.
//
// Small enough to be inlined, so that where the string does not escape
// (a comparison) the conversion allocates nothing.
func cString(b []byte) string { return string(cBytes(b)) }

// cBytes returns b up to its first NUL byte. Not inlined, which keeps
// cString small enough to be.
//
//go:noinline
func cBytes(b []byte) []byte {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		return b[:i]
	}
	return b
}

func clip(s string, n int) string {
	if n < 0 {
		n = 0
	}
	if len(s) > n {
		return s[:n]
	}
	return s
}

// sanitize replaces newlines in an error text with spaces, as Redis does, so
// that user input cannot break the protocol. It works on bytes: the text
// may hold bytes that are not UTF-8, which Redis leaves as they are (a
// rune-wise strings.Map would turn each into U+FFFD).
func sanitize(s string) string {
	if !strings.ContainsAny(s, "\r\n") {
		return s
	}
	b := []byte(s)
	for i, ch := range b {
		if ch == '\r' || ch == '\n' {
			b[i] = ' '
		}
	}
	return string(b)
}

// Keywords are matched as Redis's strcasecmp matches them: ASCII letters
// only. The strings and bytes packages fold Unicode too, and would take
// "RAN\u212a" (a Kelvin sign) for RANK or "\u017fYNC" (a long s) for SYNC.

// equalFoldASCII reports whether a and b are equal ignoring the case of
// ASCII letters.
func equalFoldASCII(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		if lowerByte(a[i]) != lowerByte(b[i]) {
			return false
		}
	}
	return true
}

func bytesEqualFoldASCII(a, b []byte) bool { return equalFoldASCII(string(a), string(b)) }

// lowerASCII returns s with its ASCII letters lower-cased.
func lowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if 'A' <= s[i] && s[i] <= 'Z' {
			return string(lowerInto(make([]byte, 0, len(s)), []byte(s)))
		}
	}
	return s
}

// lowerASCIIBytes returns a lower-cased (ASCII) copy of b.
func lowerASCIIBytes(b []byte) []byte { return lowerInto(make([]byte, 0, len(b)), b) }

func lowerByte(ch byte) byte {
	if 'A' <= ch && ch <= 'Z' {
		ch += 'a' - 'A'
	}
	return ch
}

// lowerInto appends s lower-cased (ASCII) to dst.
func lowerInto(dst, s []byte) []byte {
	for _, ch := range s {
		if 'A' <= ch && ch <= 'Z' {
			ch += 'a' - 'A'
		}
		dst = append(dst, ch)
	}
	return dst
}

// execute runs one command and commits its reply.
func (c *conn) execute(args [][]byte) {
	cmd, errText := lookup(args)
	if len(c.remotePubs) > 0 && (cmd == nil || cmd.flags&flagRemoteBatch == 0) {
		c.sendRemotePublishes() // their replies come before this command's
	}
	// Refusals go through rejectCommand, which flags a MULTI (cmd_multi.go).
	switch {
	case cmd == nil:
		c.rejectCommand(args[0], errText)
	case !c.authed && cmd.flags&flagNoAuth == 0:
		c.rejectCommand(args[0], errNoAuth)
	case !(c.tx.active && slices.Contains(cmd.meta.flags, "no_multi")) && c.rejectForACL(cmd, args):
	case c.rejectForMemory(cmd, args):
	case c.rejectForAOFError(cmd, args):
	case c.subscribed > 0 && c.proto == resp.RESP2 && cmd.flags&flagPubSubContext == 0:
		c.rejectCommand(args[0], fmt.Sprintf(errSubscribeCtxFmt, cmd.name))
	case c.tx.active && c.queueCommand(cmd, args):
		c.lastCommand = cmd
		c.commandsRun++
	default:
		// Only commands that run count in total_commands_processed, as in
		// Redis; CLIENT LIST's cmd= and idle= are updated once per batch.
		c.commandsRun++
		c.lastCommand = cmd
		if cmd.flags&flagHot == 0 {
			c.freshStack = true
		}
		if cmd.flags&flagKeyspace != 0 && !c.inExec {
			c.lockKeyspace()
			c.call(cmd, args)
			c.unlockKeyspace()
		} else {
			cmd.run(c, args)
		}
	}
	c.commitReply()
	if c.tracking != nil {
		c.trackingCommandDone(cmd)
	}
	c.pushReply = false
	switch c.replyMode {
	case replySkipNext:
		c.replyMode = replySkipThis
	case replySkipThis:
		c.replyMode = replyOn
	}
}

// Reply helpers: append to the reply of the command being executed.

func (c *conn) writeError(text string) {
	c.srv.stats.errorReplies.Add(1)
	c.reply = resp.AppendError(c.reply, text)
}

func (c *conn) writeOK()                 { c.reply = append(c.reply, "+OK\r\n"...) }
func (c *conn) writeSimple(s string)     { c.reply = resp.AppendSimple(c.reply, s) }
func (c *conn) writeInt(n int64)         { c.reply = resp.AppendInt(c.reply, n) }
func (c *conn) writeBulk(p []byte)       { c.reply = resp.AppendBulk(c.reply, p) }
func (c *conn) writeBulkString(s string) { c.reply = resp.AppendBulkString(c.reply, s) }
func (c *conn) writeArrayLen(n int)      { c.reply = resp.AppendArrayLen(c.reply, n) }
func (c *conn) writeMapLen(n int)        { c.reply = resp.AppendMapLen(c.reply, n, c.proto) }
func (c *conn) writeNull()               { c.reply = resp.AppendNull(c.reply, c.proto) }
func (c *conn) writeVerbatim(s string)   { c.reply = resp.AppendVerbatim(c.reply, "txt", s, c.proto) }
func (c *conn) writeArity(cmd string)    { c.writeError(fmt.Sprintf(errArityFmt, cmd)) }
func (c *conn) writeBulkStrings(s []string) {
	c.writeArrayLen(len(s))
	for _, x := range s {
		c.writeBulkString(x)
	}
}

// writeHelp writes a HELP reply: the lines as simple strings.
func (c *conn) writeHelp(lines []string) {
	c.writeArrayLen(len(lines))
	for _, l := range lines {
		c.writeSimple(l)
	}
}

// parseInteger parses an integer argument as Redis's string2ll does: an
// optional '-', digits without leading zeros, within int64. Redis refuses
// "+1", "01", " 1", "1.0" and "-0", which strconv accepts in part.
func parseInteger(b []byte) (int64, bool) { return keyspace.ParseInt(b) }
