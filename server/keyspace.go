package server

import (
	"time"

	"github.com/heraldhq/herald/broker"
	"github.com/heraldhq/herald/keyspace"
)

// The keyspace (package keyspace) beside pub/sub. Commands flagged
// flagKeyspace run with the keyspace's lock held, taken by execute (or
// once for a whole EXEC), so their handlers read and write it directly.
// Keyspace notifications are published on the server's broker during the
// command, joining the batch of the connection that ran it, so they reach
// subscribers in the order of the changes and are flushed with the
// command's other output.

// newKeyspace returns the server's keyspace, publishing its notifications
// on the server's broker.
func (s *Server) newKeyspace() *keyspace.Keyspace {
	ks := keyspace.New(func(channel, message string) {
		batch := s.ksBatch // set by whoever holds the keyspace lock
		s.broker.Publish([]byte(channel), []byte(message), batch)
	})
	ks.OnChange(s.keyChanged)        // CLIENT TRACKING's invalidations (tracking.go)
	ks.OnDelete(s.propagateDeletion) // expired and evicted keys are logged as DEL (aof.go)
	ks.OnRemove(s.streamRemoved)     // XREADGROUP waiters of a deleted stream (cmd_stream_group.go)
	return ks
}

// lockKeyspace takes the keyspace for a command of c: its notifications go
// into c's batch.
func (c *conn) lockKeyspace() {
	c.srv.ks.Lock()
	c.srv.prop.appended = false
	c.srv.ksBatch = &c.batch
	c.srv.tracking.current = c
}

// unlockKeyspace releases the keyspace after a command (or an EXEC) of c.
// First the command's reply is queued, then clients blocked on keys the
// command made ready are served (blocking.go), as Redis does after each
// command, then what the command made CLIENT TRACKING send c, and its
// broadcasts (tracking.go): all before another command can run, so no
// invalidation of a key overtakes the reply that read it.
func (c *conn) unlockKeyspace() {
	c.srv.flushPropagation()
	if c.srv.prop.rewriteAfter {
		c.srv.startScheduledRewriteLocked() // BGREWRITEAOF inside MULTI/EXEC
	}
	c.commitReply()
	c.srv.serveBlocked()
	// The replies queued so far wait for the AOF (aofSync): for what this
	// holder appended, and for what others appended before, which its
	// replies may show (a GET of a value another client set): as Redis
	// writes and fsyncs the AOF before it sends any reply.
	c.srv.prop.appended = false
	if a := c.srv.aofOn(); a != nil {
		c.aofUpto, c.aofFor = a.Offset(), a
	}
	c.srv.trackingAfterCommand(c)
	c.srv.tracking.current = nil
	c.srv.ksBatch = nil
	c.srv.ks.Unlock()
}

// keyspaceDB returns the database the client has selected. Keyspace lock
// held.
func (c *conn) keyspaceDB() *keyspace.DB { return c.srv.ks.DB(c.db) }

// notify raises a keyspace notification for key in the client's database.
// Keyspace lock held.
func (c *conn) notify(class keyspace.Events, event, key string) {
	c.srv.ks.Notify(c.db, class, event, key)
}

// activeExpireInterval is how often the cron expires keys (Redis's hz 10),
// and activeExpireBudget how long one cycle may run (Redis's 25%).
const (
	activeExpireInterval = 100 * time.Millisecond
	activeExpireBudget   = 25 * time.Millisecond
)

// cronLoop runs the keyspace's background work until done closes: active
// expiry. Its notifications are flushed after each cycle.
func (s *Server) cronLoop(done chan struct{}) {
	defer s.wg.Done()
	t := time.NewTicker(activeExpireInterval)
	defer t.Stop()
	var batch broker.Batch
	for tick := 1; ; tick++ {
		select {
		case <-done:
			return
		case <-t.C:
		}
		if tick%10 == 0 {
			s.autoRewrite() // about once a second (aof_rewrite.go)
		}
		s.ks.Lock()
		s.ksBatch = &batch
		s.prop.appended = false
		s.ks.ActiveExpireCycle(activeExpireBudget)
		s.serveBlocked()            // XREADGROUP waiters of an expired stream
		s.trackingAfterCommand(nil) // the broadcasts of what expired; the table's limit
		var upto int64
		if a := s.aofOn(); a != nil && s.prop.appended {
			upto = a.Offset()
		}
		s.prop.appended = false
		s.ksBatch = nil
		s.ks.Unlock()
		if a := s.aofOn(); a != nil && upto > 0 {
			a.Sync(upto) // the DELs before the "expired" notifications
		}
		batch.Flush()
	}
}
