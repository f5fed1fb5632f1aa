package server

import (
	"slices"
	"strings"

	"github.com/heraldhq/herald/internal/resp"
	"github.com/heraldhq/herald/keyspace"
)

// Transactions: MULTI, EXEC, DISCARD, WATCH and UNWATCH, as Redis 7.0.
//
// Between MULTI and EXEC the dispatcher (execute) queues every command but
// EXEC, DISCARD, MULTI, WATCH, QUIT and RESET and replies QUEUED. A command
// refused while queuing (unknown, wrong arity, NOAUTH, OOM, RESP2
// subscribed mode, no_multi) flags the transaction, and EXEC then answers
// EXECABORT; errors of the queued commands themselves are their replies
// inside EXEC's array. EXEC takes the keyspace lock once for all its
// commands, so a transaction is atomic and its keyspace notifications go
// out in order; replies are committed command by command so that what the
// commands deliver to the client itself (its own keyspace notifications,
// messages it publishes to itself) lands inside EXEC's array where Redis
// puts it.

// transaction is a client's MULTI state and its WATCHes. Owned by the
// connection's goroutine, apart from watch, whose dirty flag other
// clients set under the keyspace lock.
type transaction struct {
	active  bool // between MULTI and EXEC or DISCARD (Redis's CLIENT_MULTI)
	aborted bool // a command was refused while queuing (CLIENT_DIRTY_EXEC)
	denyOOM bool // a queued command has the denyoom flag
	queue   []queuedCommand
	watch   keyspace.Watch
}

// queuedCommand is a command queued by MULTI, its arguments copied out of
// the read buffer.
type queuedCommand struct {
	cmd  *command
	args [][]byte
}

// Transaction errors, as redis-server 7.0.15 sends them.
const (
	errMultiNested   = "ERR MULTI calls can not be nested"
	errWatchInMulti  = "ERR WATCH inside MULTI is not allowed"
	errExecNoMulti   = "ERR EXEC without MULTI"
	errDiscardNoMult = "ERR DISCARD without MULTI"
	errExecAbort     = "EXECABORT Transaction discarded because of previous errors."
	errExecAbortFmt  = "EXECABORT Transaction discarded because of: "
	errNoMulti       = "ERR Command not allowed inside a transaction"
)

// registerMulti registers the transaction commands. The meta literals are
// what redis-server 7.0.15 reports in COMMAND INFO.
func registerMulti(t commandTable) {
	fast := func(flags ...string) commandMeta {
		return commandMeta{flags: flags, categories: []string{"@fast", "@transaction"}}
	}
	t.add(&command{name: "multi", arity: 1, run: cmdMulti, meta: fast("noscript", "loading", "stale", "fast", "allow_busy")})
	t.add(&command{name: "exec", arity: 1, run: cmdExec,
		meta: commandMeta{flags: []string{"noscript", "loading", "stale", "skip_slowlog"}, categories: []string{"@slow", "@transaction"}}})
	t.add(&command{name: "discard", arity: 1, run: cmdDiscard, meta: fast("noscript", "loading", "stale", "fast", "allow_busy")})
	watchMeta := fast("noscript", "loading", "stale", "fast", "allow_busy")
	watchMeta.firstKey, watchMeta.lastKey, watchMeta.keyStep = 1, -1, 1
	t.add(&command{name: "watch", arity: -2, flags: flagKeyspace, run: cmdWatch, meta: watchMeta})
	t.add(&command{name: "unwatch", arity: 1, run: cmdUnwatch, meta: fast("noscript", "loading", "stale", "fast", "allow_busy")})
}

func cmdMulti(c *conn, _ [][]byte) {
	if c.tx.active {
		c.writeError(errMultiNested)
		return
	}
	c.tx.active = true
	c.noteMulti()
	c.writeOK()
}

func cmdDiscard(c *conn, _ [][]byte) {
	if !c.tx.active {
		c.writeError(errDiscardNoMult)
		return
	}
	c.discardTransaction()
	c.writeOK()
}

// cmdWatch is WATCH key [key ...]. Keyspace lock held.
func cmdWatch(c *conn, args [][]byte) {
	if c.tx.active {
		c.writeError(errWatchInMulti)
		return
	}
	db := c.keyspaceDB()
	for _, key := range args[1:] {
		db.Watch(&c.tx.watch, string(key))
	}
	c.writeOK()
}

func cmdUnwatch(c *conn, _ [][]byte) {
	c.unwatch()
	c.writeOK()
}

// cmdExec runs the queued commands under one keyspace lock.
func cmdExec(c *conn, _ [][]byte) {
	if !c.tx.active {
		c.writeError(errExecNoMulti)
		return
	}
	if c.tx.aborted {
		c.discardTransaction()
		c.writeError(errExecAbort)
		return
	}
	c.lockKeyspace()
	if c.tx.watch.Dirty() {
		c.tx.watch.Unwatch()
		c.unlockKeyspace()
		c.discardTransaction()
		c.reply = resp.AppendNullArray(c.reply, c.proto)
		return
	}
	c.tx.watch.Unwatch()
	c.inExec = true
	queue := c.tx.queue
	c.writeArrayLen(len(queue))
	for i := range queue {
		q := &queue[i]
		// What the command delivers to this client itself comes after
		// the replies before it, as in Redis.
		c.commitReply()
		c.commandsRun++
		// As Redis, permissions are checked again when the transaction
		// runs: they may have changed since the command was queued.
		if u := c.user; u != nil {
			if d, ok := u.perms.Load().check(q.cmd, q.args); !ok {
				c.logCommandDenial(q.cmd, d, "exec")
				c.writeError(errACLChangedInMulti + d.execReason())
				continue
			}
		}
		if holdsKeyspaceInExec(c, q.cmd) {
			c.call(q.cmd, q.args)
		} else {
			// A publish that waits on a backend runs without the
			// lock; inExec says whether the lock is held.
			c.inExec = false
			c.unlockKeyspace()
			q.cmd.run(c, q.args)
			c.sendRemotePublishes()
			c.lockKeyspace()
			c.inExec = true
		}
		c.pushReply = false
	}
	c.inExec = false
	c.unlockKeyspace()
	c.discardTransaction()
}

// holdsKeyspaceInExec reports whether EXEC runs cmd with the keyspace lock
// held, as it runs every command but one that waits on a backend (a
// PUBLISH through a Remote), so the transaction is atomic. Code that may
// run inside EXEC and takes the lock itself checks c.inExec first (INFO,
// UNWATCH, CONFIG SET maxmemory's eviction).
func holdsKeyspaceInExec(c *conn, cmd *command) bool {
	return cmd.flags&flagRemoteBatch == 0 || c.srv.remote == nil
}

// queueCommand queues cmd between MULTI and EXEC and replies QUEUED, or
// refuses it. It returns false for the commands that run at once.
func (c *conn) queueCommand(cmd *command, args [][]byte) bool {
	switch cmd.name {
	case "exec", "discard", "multi", "watch", "quit", "reset":
		return false
	}
	if slices.Contains(cmd.meta.flags, "no_multi") {
		c.rejectCommand(args[0], errNoMulti)
		return true
	}
	size := 0
	for _, a := range args {
		size += len(a)
	}
	buf := make([]byte, 0, size)
	copied := make([][]byte, len(args))
	for i, a := range args {
		buf = append(buf, a...)
		copied[i] = buf[len(buf)-len(a) : len(buf) : len(buf)]
	}
	c.tx.queue = append(c.tx.queue, queuedCommand{cmd: cmd, args: copied})
	if slices.Contains(cmd.meta.flags, "denyoom") {
		c.tx.denyOOM = true
	}
	c.noteMulti()
	c.writeSimple("QUEUED")
	return true
}

// rejectCommand replies a command's refusal by the dispatcher, as Redis's
// rejectCommand: inside MULTI it flags the transaction, and a refused EXEC
// discards it with the reason.
func (c *conn) rejectCommand(name []byte, text string) {
	if c.tx.active {
		c.tx.aborted = true
	}
	if equalFoldASCII(string(name), "exec") {
		c.discardTransaction()
		c.writeError(errExecAbortFmt + strings.TrimPrefix(text, "ERR "))
		return
	}
	c.writeError(text)
}

// discardTransaction ends MULTI and drops the WATCHes (EXEC, DISCARD,
// RESET, disconnect). The keyspace lock must not be held.
func (c *conn) discardTransaction() {
	wasActive := c.tx.active
	clear(c.tx.queue)
	c.tx.queue = c.tx.queue[:0]
	if cap(c.tx.queue) > 64 {
		c.tx.queue = nil
	}
	c.tx.active, c.tx.aborted, c.tx.denyOOM = false, false, false
	c.unwatch()
	if wasActive {
		c.noteMulti()
	}
}

// unwatch drops the client's WATCHes. The keyspace lock must not be held
// unless inExec says so.
func (c *conn) unwatch() {
	if c.inExec { // the keyspace lock is held
		c.tx.watch.Unwatch()
		return
	}
	if c.tx.watch.Watching() || c.tx.watch.Dirty() {
		c.srv.ks.Lock()
		c.tx.watch.Unwatch()
		c.srv.ks.Unlock()
	}
}

// noteMulti publishes the MULTI state for CLIENT LIST (flag x, multi=).
func (c *conn) noteMulti() {
	c.info.Lock()
	c.info.inMulti, c.info.multiQueued = c.tx.active, len(c.tx.queue)
	c.info.Unlock()
}
