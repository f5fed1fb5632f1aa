package server

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/heraldhq/herald/internal/resp"
)

// registerServer registers the server commands: INFO, FLUSHALL, FLUSHDB,
// DBSIZE, TIME, DEBUG, FUNCTION, and the CONFIG and COMMAND containers.
// The meta literals are what redis-server 7.0.15 reports in COMMAND INFO.
func registerServer(t commandTable) {
	admin := []string{"@admin", "@slow", "@dangerous"}
	t.add(&command{name: "info", arity: -1, run: cmdInfo,
		meta: commandMeta{flags: []string{"loading", "stale"}, categories: []string{"@slow", "@dangerous"}}})
	flushMeta := commandMeta{flags: []string{"write"}, categories: []string{"@keyspace", "@write", "@slow", "@dangerous"}}
	t.add(&command{name: "flushall", arity: -1, flags: flagKeyspace, run: cmdFlush, meta: flushMeta})
	t.add(&command{name: "flushdb", arity: -1, flags: flagKeyspace, run: cmdFlush, meta: flushMeta})
	t.add(&command{name: "dbsize", arity: 1, flags: flagKeyspace, run: func(c *conn, _ [][]byte) { c.writeInt(int64(c.keyspaceDB().Len())) },
		meta: commandMeta{flags: []string{"readonly", "fast"}, categories: []string{"@keyspace", "@read", "@fast"}}})
	t.add(&command{name: "time", arity: 1, run: cmdTime,
		meta: commandMeta{flags: []string{"loading", "stale", "fast"}, categories: []string{"@fast"}}})
	t.add(&command{name: "debug", arity: -2, run: func(c *conn, _ [][]byte) { c.writeError(errDebugDisabled) },
		meta: commandMeta{flags: []string{"admin", "noscript", "loading", "stale"}, categories: admin}})
	registerFunction(t)
	registerConfig(t)
	registerCommand(t)
}

// cmdFlush is FLUSHALL and FLUSHDB [ASYNC|SYNC]: both empty the keyspace
// at once (ASYNC is accepted; freeing is the garbage collector's work
// either way).
func cmdFlush(c *conn, args [][]byte) {
	if len(args) > 2 {
		c.writeError(errSyntax)
		return
	}
	if len(args) == 2 {
		if mode := lowerASCII(string(args[1])); mode != "sync" && mode != "async" {
			c.writeError(errSyntax)
			return
		}
	}
	c.srv.trackingFlushed() // one null invalidation, whatever was flushed
	if equalFoldASCII(string(args[0]), "flushall") {
		c.srv.ks.FlushAll()
	} else {
		c.keyspaceDB().Flush()
	}
	c.writeOK()
}

// cmdTime is TIME: the Unix time in seconds and the microseconds within
// that second, as two bulk strings.
func cmdTime(c *conn, _ [][]byte) {
	now := time.Now()
	c.writeArrayLen(2)
	c.reply = resp.AppendBulkInt(c.reply, now.Unix())
	c.reply = resp.AppendBulkInt(c.reply, int64(now.Nanosecond()/1000))
}

// registerFunction registers FUNCTION with Redis 7.0's subcommands. Herald
// has no scripting: FUNCTION FLUSH succeeds (there is never anything to
// flush) and HELP prints Redis's text; the others reply a clear error.
func registerFunction(t commandTable) {
	fn := t.add(&command{name: "function", arity: -2, meta: commandMeta{categories: []string{"@slow"}}})
	meta := func(flags ...string) commandMeta {
		cats := []string{"@slow", "@scripting"}
		if len(flags) > 0 && flags[0] == "write" {
			cats = []string{"@write", "@slow", "@scripting"}
		}
		return commandMeta{flags: flags, categories: cats}
	}
	unsupported := func(c *conn, args [][]byte) {
		c.writeError(fmt.Sprintf(errNoScriptingFmt, "FUNCTION "+strings.ToUpper(string(args[1]))))
	}
	fn.addSub(&command{name: "flush", arity: -2, run: cmdFunctionFlush, meta: meta("write", "noscript")})
	fn.addSub(&command{name: "help", arity: 2, run: func(c *conn, _ [][]byte) { c.writeHelp(helpFunction) }, meta: meta("loading", "stale")})
	fn.addSub(&command{name: "delete", arity: 3, run: unsupported, meta: meta("write", "noscript")})
	fn.addSub(&command{name: "dump", arity: 2, run: unsupported, meta: meta("noscript")})
	fn.addSub(&command{name: "kill", arity: 2, run: unsupported, meta: meta("noscript", "allow_busy")})
	fn.addSub(&command{name: "list", arity: -2, run: unsupported, meta: meta("noscript")})
	fn.addSub(&command{name: "load", arity: -3, run: unsupported, meta: meta("write", "denyoom", "noscript")})
	fn.addSub(&command{name: "restore", arity: -3, run: unsupported, meta: meta("write", "denyoom", "noscript")})
	fn.addSub(&command{name: "stats", arity: 2, run: unsupported, meta: meta("noscript", "allow_busy")})
}

// cmdFunctionFlush is FUNCTION FLUSH [ASYNC|SYNC].
func cmdFunctionFlush(c *conn, args [][]byte) {
	switch {
	case len(args) > 3:
		c.writeSubcommandSyntaxError(args)
	case len(args) == 3 && !equalFoldASCII(string(args[2]), "sync") && !equalFoldASCII(string(args[2]), "async"):
		c.writeError(errFunctionFlush)
	default:
		c.writeOK()
	}
}

// newRunID returns a random 40-character hex run id, as Redis's.
func newRunID() string {
	var b [20]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// helpFunction is FUNCTION HELP as redis-server 7.0.15 prints it.
var helpFunction = []string{
	"FUNCTION <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
	"LOAD [REPLACE] <FUNCTION CODE>",
	"    Create a new library with the given library name and code.",
	"DELETE <LIBRARY NAME>",
	"    Delete the given library.",
	"LIST [LIBRARYNAME PATTERN] [WITHCODE]",
	"    Return general information on all the libraries:",
	"    * Library name",
	"    * The engine used to run the Library",
	"    * Library description",
	"    * Functions list",
	"    * Library code (if WITHCODE is given)",
	"    It also possible to get only function that matches a pattern using LIBRARYNAME argument.",
	"STATS",
	"    Return information about the current function running:",
	"    * Function name",
	"    * Command used to run the function",
	"    * Duration in MS that the function is running",
	"    If no function is running, return nil",
	"    In addition, returns a list of available engines.",
	"KILL",
	"    Kill the current running function.",
	"FLUSH [ASYNC|SYNC]",
	"    Delete all the libraries.",
	"    When called without the optional mode argument, the behavior is determined by the",
	"    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
	"    * ASYNC: Asynchronously flush the libraries.",
	"    * SYNC: Synchronously flush the libraries.",
	"DUMP",
	"    Return a serialized payload representing the current libraries, can be restored using FUNCTION RESTORE command",
	"RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]",
	"    Restore the libraries represented by the given payload, it is possible to give a restore policy to",
	"    control how to handle existing libraries (default APPEND):",
	"    * FLUSH: delete all existing libraries.",
	"    * APPEND: appends the restored libraries to the existing libraries. On collision, abort.",
	"    * REPLACE: appends the restored libraries to the existing libraries, On collision, replace the old",
	"      libraries with the new libraries (notice that even on this option there is a chance of failure",
	"      in case of functions name collision with another library).",
	"HELP",
	"    Prints this help.",
}
