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

func cmdBGRewriteAOF(c *conn, _ [][]byte) {
	s := c.srv
	if c.inExec {
		// The lock is held: StartRewrite needs it, and it is taken.
		if err := s.startRewriteLocked(); err != nil {
			c.writeError(err.Error())
			return
		}
	} else {
		s.ks.Lock()
		err := s.startRewriteLocked()
		s.ks.Unlock()
		if err != nil {
			c.writeError(err.Error())
			return
		}
	}
	c.writeSimple(rewriteStarted)
}

// startRewriteLocked starts a rewrite of the open AOF in the background.
// Keyspace lock held.
func (s *Server) startRewriteLocked() error {
	a := s.aofOn()
	if a == nil {
		return errors.New("ERR Herald rewrites the append only file only while appendonly is yes")
	}
	if aofSnapshot == nil {
		return errors.New("ERR this build of Herald cannot rewrite the append only file")
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
	go s.finishRewrite(rw, write, abort, st.done)
	return nil
}

func (s *Server) finishRewrite(rw *aof.Rewrite, write aof.BaseWriter, abort func(), done chan struct{}) {
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
	}
	st.mu.Unlock()
	close(done)
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

// enableAOF is CONFIG SET appendonly yes: the AOF is opened and at once
// rewritten, so that its base holds the data as it is.
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
	a, err := aof.Open(opts, fsync)
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
	st.mu.Unlock()
	b.add("aof_enabled", boolDigit(a != nil))
	b.add("aof_rewrite_in_progress", boolDigit(running))
	b.add("aof_rewrite_scheduled", "0")
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
	cfg := &s.settings().Config
	perc := autoRewritePercentage(cfg)
	if a == nil || perc == 0 {
		return
	}
	st := &s.rewrite
	st.mu.Lock()
	running, base := st.running, st.baseSize
	st.mu.Unlock()
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
