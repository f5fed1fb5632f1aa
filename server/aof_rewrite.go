package server

import (
	"errors"
	"math"
	"sync"
	"time"

	"github.com/heraldhq/herald/aof"
	"github.com/heraldhq/herald/keyspace"
)

// BGREWRITEAOF: the AOF is rewritten as Redis 7.0 does it. With the
// keyspace lock held, the AOF switches to a new incr file
// (aof.AOF.StartRewrite) and a snapshot of the data is taken
// (aofSnapshot); then, without the lock, the snapshot is written as the
// new base, and the manifest switched to the new base and the new incr
// file (aof.Rewrite.Finish), the old files deleted.
//
// Inside MULTI/EXEC, BGREWRITEAOF only schedules the rewrite, started
// once the EXEC's records are appended (unlockKeyspace), so that a
// transaction is never split across the old and new incr files. CONFIG
// SET appendonly yes opens the AOF waiting for its first rewrite
// (enableAOF); a rewrite of that AOF that fails is scheduled again, and
// the cron (autoRewrite) retries it.

// aofSnapshot takes, with the keyspace lock held, a snapshot of the data
// and returns what writes it as a base file (RESP commands) without the
// lock, and what gives it up. The keyspace's snapshot provides it
// (aof_snapshot.go); nil means the AOF cannot be rewritten.
var aofSnapshot func(ks *keyspace.Keyspace) (write aof.BaseWriter, abort func(), err error)

// rewriteState is BGREWRITEAOF's state, for INFO.
type rewriteState struct {
	mu         sync.Mutex
	running    bool
	started    time.Time
	lastTook   time.Duration // -1: none yet
	lastOK     bool
	rewrites   int64
	failStreak int64
	done       chan struct{} // closed when the running rewrite ends
	// scheduled: a rewrite is to start as soon as it can, as Redis's
	// aof_rewrite_scheduled: BGREWRITEAOF inside MULTI/EXEC (started once
	// the transaction's records are appended), or the rewrite of a waiting
	// AOF (CONFIG SET appendonly yes) failed (retried by the cron, as
	// limited by retryLimited).
	scheduled bool
	// retryDelay and retryAt: retryLimited's back-off.
	retryDelay time.Duration
	retryAt    time.Time
	// baseSize is the AOF's size after the last rewrite, or when it was
	// opened: what auto-aof-rewrite-percentage's growth is measured from.
	baseSize int64
}

var errRewriteRunning = errors.New("ERR Background append only file rewriting already in progress")

const rewriteStarted = "Background append only file rewriting started"

func registerAOF(t commandTable) {
	t.add(&command{name: "bgrewriteaof", arity: 1, run: cmdBGRewriteAOF,
		meta: commandMeta{flags: []string{"admin", "noscript", "no_async_loading"}, categories: []string{"@admin", "@slow", "@dangerous"}}})
}

const rewriteScheduled = "Background append only file rewriting scheduled"

func cmdBGRewriteAOF(c *conn, _ [][]byte) {
	s := c.srv
	if c.inExec {
		// As Redis: inside MULTI/EXEC the rewrite is only scheduled. It
		// starts once the transaction's records are appended
		// (unlockKeyspace), so that they land whole in the old incr file
		// rather than be split across the switch.
		if err := s.scheduleRewriteLocked(); err != nil {
			c.writeError(err.Error())
			return
		}
		c.writeSimple(rewriteScheduled)
		return
	}
	s.ks.Lock()
	err := s.startRewriteLocked()
	s.ks.Unlock()
	if err != nil {
		c.writeError(err.Error())
		return
	}
	c.writeSimple(rewriteStarted)
}

// errRewriteOff and errRewriteUnsupported are why a rewrite cannot start.
var (
	errRewriteOff         = errors.New("ERR Herald rewrites the append only file only while appendonly is yes")
	errRewriteUnsupported = errors.New("ERR this build of Herald cannot rewrite the append only file")
)

// startRewriteLocked starts a rewrite of the open AOF in the background.
// Keyspace lock held.
func (s *Server) startRewriteLocked() error {
	a := s.aofOn()
	if a == nil {
		return errRewriteOff
	}
	if aofSnapshot == nil {
		return errRewriteUnsupported
	}
	st := &s.rewrite
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.running {
		return errRewriteRunning
	}
	s.flushPropagation()
	rw, err := a.StartRewrite()
	if err != nil {
		return errors.New("ERR Can't rewrite append only file in background: " + err.Error())
	}
	write, abort, err := aofSnapshot(s.ks)
	if err != nil {
		rw.Abort()
		return errors.New("ERR Can't rewrite append only file in background: " + err.Error())
	}
	st.running, st.started, st.done = true, time.Now(), make(chan struct{})
	st.scheduled = false
	go s.finishRewrite(a, rw, write, abort, st.done)
	return nil
}

// scheduleRewriteLocked is BGREWRITEAOF inside MULTI/EXEC: the rewrite
// starts when the EXEC's records are appended. Keyspace lock held.
func (s *Server) scheduleRewriteLocked() error {
	if s.aofOn() == nil {
		return errRewriteOff
	}
	if aofSnapshot == nil {
		return errRewriteUnsupported
	}
	st := &s.rewrite
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.running {
		return errRewriteRunning
	}
	st.scheduled = true
	st.failStreak = 0 // as Redis's bgrewriteaofCommand
	s.prop.rewriteAfter = true
	return nil
}

// startScheduledRewriteLocked starts the rewrite a BGREWRITEAOF inside
// MULTI/EXEC scheduled, once the EXEC's records are appended; if it
// cannot start, the cron retries it. Keyspace lock held.
func (s *Server) startScheduledRewriteLocked() {
	s.prop.rewriteAfter = false
	st := &s.rewrite
	st.mu.Lock()
	scheduled := st.scheduled && !st.running
	st.mu.Unlock()
	if !scheduled {
		return
	}
	if err := s.startRewriteLocked(); err != nil {
		s.logger().Warn("the scheduled AOF rewrite could not start", "error", err)
	}
}

func (s *Server) finishRewrite(a *aof.AOF, rw *aof.Rewrite, write aof.BaseWriter, abort func(), done chan struct{}) {
	err := rw.Finish(write)
	if err != nil {
		abort()
		rw.Abort()
		s.logger().Warn("background AOF rewrite failed", "error", err)
	} else {
		s.logger().Info("background AOF rewrite finished successfully")
	}
	st := &s.rewrite
	st.mu.Lock()
	st.running = false
	st.lastTook = time.Since(st.started)
	st.lastOK = err == nil
	if err == nil {
		st.rewrites++
		st.failStreak = 0
		if a := s.aofOn(); a != nil {
			st.baseSize = a.Status().CurrentSize
		}
	} else {
		st.failStreak++
		if a.Waiting() && s.aofOn() == a {
			// The AOF turned on at run time is not on until a rewrite
			// ends: the cron tries again, as Redis schedules a rewrite
			// while in AOF_WAIT_REWRITE.
			st.scheduled = true
		}
	}
	st.mu.Unlock()
	close(done)
}

// Redis's aofRewriteLimited: after this many rewrites failed in a row, a
// scheduled rewrite is retried after a delay, doubled at each failure up
// to retryDelayMax.
const (
	retryLimitThreshold = 3
	retryDelayMax       = time.Hour
)

// retryLimited reports whether a scheduled rewrite must wait, as Redis's
// aofRewriteLimited. st.mu held.
func (st *rewriteState) retryLimited(now time.Time) bool {
	if st.failStreak < retryLimitThreshold {
		st.retryDelay, st.retryAt = 0, time.Time{}
		return false
	}
	if !st.retryAt.IsZero() {
		if now.Before(st.retryAt) {
			return true
		}
		st.retryAt = time.Time{}
		return false
	}
	st.retryDelay = min(max(2*st.retryDelay, time.Minute), retryDelayMax)
	st.retryAt = now.Add(st.retryDelay)
	return true
}

// waitRewrite waits for a running rewrite to end.
func (s *Server) waitRewrite() {
	s.rewrite.mu.Lock()
	done := s.rewrite.done
	running := s.rewrite.running
	s.rewrite.mu.Unlock()
	if running {
		<-done
	}
}

// enableAOF is CONFIG SET appendonly yes: the AOF is opened waiting for
// a rewrite (aof.OpenWaitRewrite) and at once rewritten, so that its base
// holds the data as it is. Until a rewrite ends the directory's manifest
// is left as it was, so a crash meanwhile loads what it named (the AOF
// from before the AOF was turned off, if any), as in Redis; a failed
// rewrite is retried by the cron.
func (s *Server) enableAOF(cfg *Config, locked bool) error {
	if aofSnapshot == nil {
		return errors.New("Herald cannot rewrite the AOF, which turning it on at run time needs; start with --appendonly yes")
	}
	opts := aof.Options{Dir: cfg.Dir, DirName: cfg.AppendDirname, FileName: cfg.AppendFilename, Logger: s.logger()}
	fsync, _ := aof.ParseFsync(cfg.AppendFsync)
	if !locked {
		s.ks.Lock()
		defer s.ks.Unlock()
	}
	a, err := aof.OpenWaitRewrite(opts, fsync)
	if err != nil {
		return err
	}
	s.aofFile.Store(a)
	if err := s.startRewriteLocked(); err != nil {
		s.aofFile.Store(nil)
		a.Close()
		return err
	}
	return nil
}

// infoAOF adds INFO persistence's AOF fields, as Redis 7.0 names them.
func (s *Server) infoAOF(b *infoBuilder) {
	a := s.aofOn()
	st := &s.rewrite
	st.mu.Lock()
	running, started, lastTook, lastOK, rewrites, fails := st.running, st.started, st.lastTook, st.lastOK, st.rewrites, st.failStreak
	scheduled := st.scheduled
	st.mu.Unlock()
	b.add("aof_enabled", boolDigit(a != nil))
	b.add("aof_rewrite_in_progress", boolDigit(running))
	b.add("aof_rewrite_scheduled", boolDigit(scheduled))
	if rewrites+fails == 0 {
		b.add("aof_last_rewrite_time_sec", "-1")
	} else {
		b.addInt("aof_last_rewrite_time_sec", int64(lastTook/time.Second))
	}
	if running {
		b.addInt("aof_current_rewrite_time_sec", int64(time.Since(started)/time.Second))
	} else {
		b.add("aof_current_rewrite_time_sec", "-1")
	}
	b.add("aof_last_bgrewrite_status", okErr(rewrites+fails == 0 || lastOK))
	b.addInt("aof_rewrites", rewrites)
	b.addInt("aof_rewrites_consecutive_failures", fails)
	status := aof.Status{LastWriteOK: true}
	if a != nil {
		status = a.Status()
	}
	b.add("aof_last_write_status", okErr(status.LastWriteOK))
	if a != nil {
		b.addInt("aof_current_size", status.CurrentSize)
		b.addInt("aof_base_size", status.BaseSize)
		b.add("aof_pending_rewrite", "0")
		b.addInt("aof_buffer_length", status.BufferLength)
		b.add("aof_pending_bio_fsync", "0")
		b.add("aof_delayed_fsync", "0")
	}
}

func boolDigit(v bool) string {
	if v {
		return "1"
	}
	return "0"
}

func okErr(ok bool) string {
	if ok {
		return "ok"
	}
	return "err"
}

// autoRewritePercentage and autoRewriteMinSize return the settings'
// values as CONFIG GET shows them.
func autoRewritePercentage(cfg *Config) int {
	switch {
	case cfg.AutoAOFRewritePercentage == 0:
		return 100
	case cfg.AutoAOFRewritePercentage < 0:
		return 0
	}
	return cfg.AutoAOFRewritePercentage
}

func autoRewriteMinSize(cfg *Config) int64 {
	switch {
	case cfg.AutoAOFRewriteMinSize == 0:
		return 64 << 20
	case cfg.AutoAOFRewriteMinSize < 0:
		return 0
	}
	return cfg.AutoAOFRewriteMinSize
}

func setAutoRewritePercentage(cfg *Config, v string) error {
	n, err := integerArg(v, 0, math.MaxInt32)
	if err != nil {
		return err
	}
	cfg.AutoAOFRewritePercentage = int(n)
	if n == 0 {
		cfg.AutoAOFRewritePercentage = -1
	}
	return nil
}

func setAutoRewriteMinSize(cfg *Config, v string) error {
	n, ok := parseMemory(v)
	if !ok || n > math.MaxInt64 {
		return errors.New("argument must be a memory value")
	}
	cfg.AutoAOFRewriteMinSize = int64(n)
	if n == 0 {
		cfg.AutoAOFRewriteMinSize = -1
	}
	return nil
}

// autoRewrite starts a rewrite when the AOF has grown past
// auto-aof-rewrite-percentage of its size after the last rewrite (or at
// open) and past auto-aof-rewrite-min-size, as Redis's serverCron. The
// cron calls it about once a second, without the keyspace lock.
func (s *Server) autoRewrite() {
	a := s.aofOn()
	if a == nil {
		return
	}
	st := &s.rewrite
	st.mu.Lock()
	running, base := st.running, st.baseSize
	retry := st.scheduled && !running && !st.retryLimited(time.Now())
	st.mu.Unlock()
	if retry {
		s.logger().Info("starting the scheduled rewriting of AOF")
		s.ks.Lock()
		err := s.startRewriteLocked()
		s.ks.Unlock()
		if err != nil && err != errRewriteRunning && err != errRewriteOff { // turned off meanwhile: nothing to do
			s.logger().Warn("the scheduled AOF rewrite could not start", "error", err)
		}
		return
	}
	cfg := &s.settings().Config
	perc := autoRewritePercentage(cfg)
	if perc == 0 || a.Waiting() {
		return
	}
	size := a.Status().CurrentSize
	if running || size < autoRewriteMinSize(cfg) {
		return
	}
	if base <= 0 {
		base = 1
	}
	if (size*100/base)-100 < int64(perc) {
		return
	}
	s.logger().Info("starting automatic rewriting of AOF", "growth_percent", (size*100/base)-100)
	s.ks.Lock()
	err := s.startRewriteLocked()
	s.ks.Unlock()
	if err != nil && err != errRewriteRunning {
		s.logger().Warn("automatic AOF rewrite could not start", "error", err)
	}
}
