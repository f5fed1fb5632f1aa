package server

import (
	"fmt"
	"strings"
)

// Scripting: Herald has no Lua engine and no functions. EVAL, EVALSHA,
// their _RO forms, FCALL, FCALL_RO, SCRIPT LOAD and SCRIPT DEBUG YES|SYNC
// reply a clear error saying so (FUNCTION's subcommands are in
// cmd_server.go). What is true of an empty script cache is answered as
// Redis answers it: SCRIPT EXISTS finds nothing, SCRIPT FLUSH and SCRIPT
// DEBUG NO succeed, SCRIPT KILL finds no script running. EVAL checks its
// numkeys as Redis does first, so a malformed call gets Redis's error.

// Errors of SCRIPT and EVAL, as redis-server 7.0.15 sends them.
const (
	errScriptFlush     = "ERR SCRIPT FLUSH only support SYNC|ASYNC option"
	errScriptDebug     = "ERR Use SCRIPT DEBUG YES/SYNC/NO"
	errNotBusy         = "NOTBUSY No scripts in execution right now."
	errNumKeysNegative = "ERR Number of keys can't be negative"
)

// registerScripting registers EVAL, EVALSHA, EVAL_RO, EVALSHA_RO, FCALL,
// FCALL_RO and SCRIPT. The meta literals are what redis-server 7.0.15
// reports in COMMAND INFO.
func registerScripting(t commandTable) {
	cats := []string{"@slow", "@scripting"}
	callMeta := commandMeta{flags: []string{"noscript", "stale", "skip_monitor", "no_mandatory_keys", "movablekeys"}, categories: cats}
	roMeta := commandMeta{flags: []string{"readonly", "noscript", "stale", "skip_monitor", "no_mandatory_keys", "movablekeys"}, categories: cats}
	for _, name := range []string{"eval", "evalsha", "fcall"} {
		t.add(&command{name: name, arity: -3, run: cmdEval, meta: callMeta})
		t.add(&command{name: name + "_ro", arity: -3, run: cmdEval, meta: roMeta})
	}
	script := t.add(&command{name: "script", arity: -2, meta: commandMeta{categories: []string{"@slow"}}})
	meta := func(flags ...string) commandMeta { return commandMeta{flags: flags, categories: cats} }
	script.addSub(&command{name: "load", arity: 3, run: cmdScriptUnsupported, meta: meta("noscript", "stale")})
	script.addSub(&command{name: "debug", arity: 3, run: cmdScriptDebug, meta: meta("noscript")})
	script.addSub(&command{name: "kill", arity: 2, run: func(c *conn, _ [][]byte) { c.writeError(errNotBusy) }, meta: meta("noscript", "allow_busy")})
	script.addSub(&command{name: "help", arity: 2, run: func(c *conn, _ [][]byte) { c.writeHelp(helpScript) }, meta: meta("loading", "stale")})
	script.addSub(&command{name: "flush", arity: -2, run: cmdScriptFlush, meta: meta("noscript")})
	script.addSub(&command{name: "exists", arity: -3, run: cmdScriptExists, meta: meta("noscript")})
}

// cmdEval is EVAL script numkeys [key ...] [arg ...] and the others of
// its kind.
func cmdEval(c *conn, args [][]byte) {
	name := strings.ToUpper(string(args[0]))
	if name == "EVAL" || name == "EVAL_RO" {
		n, ok := parseInteger(args[2])
		switch {
		case !ok:
			c.writeError(errNotInteger)
			return
		case n > int64(len(args)-3):
			c.writeError(errNumKeysTooMany)
			return
		case n < 0:
			c.writeError(errNumKeysNegative)
			return
		}
	}
	c.writeError(fmt.Sprintf(errNoScriptingFmt, name))
}

func cmdScriptUnsupported(c *conn, args [][]byte) {
	c.writeError(fmt.Sprintf(errNoScriptingFmt, "SCRIPT "+strings.ToUpper(string(args[1]))))
}

func cmdScriptDebug(c *conn, args [][]byte) {
	switch lowerASCII(string(args[2])) {
	case "no":
		c.writeOK()
	case "yes", "sync":
		c.writeError(fmt.Sprintf(errNoScriptingFmt, "SCRIPT DEBUG"))
	default:
		c.writeError(errScriptDebug)
	}
}

func cmdScriptFlush(c *conn, args [][]byte) {
	if len(args) == 2 || (len(args) == 3 && (equalFoldASCII(string(args[2]), "sync") || equalFoldASCII(string(args[2]), "async"))) {
		c.writeOK()
		return
	}
	c.writeError(errScriptFlush)
}

// cmdScriptExists is SCRIPT EXISTS sha1 [sha1 ...]: no script exists.
func cmdScriptExists(c *conn, args [][]byte) {
	c.writeArrayLen(len(args) - 2)
	for range args[2:] {
		c.writeInt(0)
	}
}

// helpScript is SCRIPT HELP as redis-server 7.0.15 prints it.
var helpScript = []string{
	"SCRIPT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
	"DEBUG (YES|SYNC|NO)",
	"    Set the debug mode for subsequent scripts executed.",
	"EXISTS <sha1> [<sha1> ...]",
	"    Return information about the existence of the scripts in the script cache.",
	"FLUSH [ASYNC|SYNC]",
	"    Flush the Lua scripts cache. Very dangerous on replicas.",
	"    When called without the optional mode argument, the behavior is determined by the",
	"    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
	"    * ASYNC: Asynchronously flush the scripts cache.",
	"    * SYNC: Synchronously flush the scripts cache.",
	"KILL",
	"    Kill the currently executing Lua script.",
	"LOAD <script>",
	"    Load a script into the scripts cache without executing it.",
	"HELP",
	"    Prints this help.",
}
