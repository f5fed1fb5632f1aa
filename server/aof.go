package server

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"time"

	"github.com/heraldhq/herald/aof"
	"github.com/heraldhq/herald/keyspace"
)

// The append-only file (package aof holds the files): every command that
// changed data is logged, in the order the keyspace lock ran the commands,
// so that replaying the log at startup rebuilds the data.
//
// What is logged, as Redis 7.0 logs it:
//
//   - A command that changed data (the keyspace's Dirty count moved while
//     it ran) is logged as it was sent, unless its text would not replay
//     to the same data: then its effects are logged instead (aofEffects:
//     EXPIRE and the like as PEXPIREAT with an absolute time, SET EX as
//     SET PXAT, INCRBYFLOAT as SET KEEPTTL, an expiry in the past as DEL
//     ...). A command that changed nothing (SET NX on an existing key,
//     DEL of a missing key) is not logged.
//   - A command whose effects only its handler knows (SPOP's members, a
//     blocking pop's key) says what to log itself, as Redis's
//     rewriteClientCommandVector, alsoPropagate and
//     preventCommandPropagation:
//
//     c.propagate(args ...[]byte)     // log this in place of the command (several calls: several commands)
//     c.alsoPropagate(args ...[]byte) // log this too; the command's own record, if it changed data, follows
//     c.preventPropagation()          // do not log the command itself (what the two above logged stays)
//
//     They copy args; call them with the keyspace lock held, from the
//     handler, after the change. What propagate and alsoPropagate log is
//     logged whether the Dirty count moved or not. Streams use this
//     (XADD * as XADD with the ID chosen, XTRIM ~ as XTRIM = with the
//     threshold reached, XREADGROUP, XCLAIM and XAUTOCLAIM as XCLAIM
//     ... FORCE JUSTID LASTID and XGROUP SETID: aof_stream.go); a test
//     can read the records back with aof.Parse (see TestAOFRecords and
//     TestAOFStreamRecordsMatchRedis).
//   - The commands one call logs (an EXEC's, or a handler's several
//     alsoPropagate) are wrapped in MULTI ... EXEC when there are more
//     than one, as Redis 7.0.15 does; one alone is logged bare.
//   - Keys deleted by expiry (lazy or active) or eviction are logged as
//     DEL, at once (not inside the command's MULTI), as Redis 7.0.15.
//   - A SELECT comes before a record whose database is not that of the
//     record before.
//
// Ordering and durability: records are appended to the AOF's buffer while
// the keyspace lock is held (unlockKeyspace), so they are in the lock's
// order; the connection then remembers the offset it must wait for, and
// before its batch's replies (and the notifications and blocked clients'
// replies its commands queued) are flushed, aofSync writes the buffer
// (and with appendfsync always fsyncs it), by group commit (aof.AOF.Sync).

// propState is the logging of the command under way. Keyspace lock held.
type propState struct {
	ops    []propOp // what the current call logs, flushed by unlockKeyspace
	custom bool     // the command under way is not logged itself (propagate, preventPropagation)
	// appended: something was appended to the AOF since the lock was
	// taken, which the holder's replies must wait for.
	appended bool
	// rewriteAfter: a BGREWRITEAOF inside MULTI/EXEC scheduled a rewrite,
	// started once the EXEC's records are appended (unlockKeyspace).
	rewriteAfter bool
}

type propOp struct {
	db   int
	args [][]byte
}

// aofOn returns the open AOF, or nil.
func (s *Server) aofOn() *aof.AOF { return s.aofFile.Load() }

// call runs cmd with the keyspace lock held, logging it if it changed
// data (see above).
func (c *conn) call(cmd *command, args [][]byte) {
	s := c.srv
	if s.aofOn() == nil {
		cmd.run(c, args)
		return
	}
	dirty := s.ks.Dirty()
	s.prop.custom = false
	cmd.run(c, args)
	if !s.prop.custom && s.ks.Dirty() != dirty {
		if eff := aofEffects[cmd.name]; eff != nil {
			for i, op := range eff(c, args) {
				if i == 0 {
					c.propagate(op...)
				} else {
					c.alsoPropagate(op...)
				}
			}
		} else {
			c.alsoPropagate(args...)
		}
	}
	s.prop.custom = false
}

// propagate logs args in place of the command under way: the command
// itself is not logged; each call logs one command. Keyspace lock held.
func (c *conn) propagate(args ...[]byte) {
	c.preventPropagation()
	c.alsoPropagate(args...)
}

// preventPropagation says the command under way is not to be logged
// itself: what it logs with propagate or alsoPropagate is all (nothing,
// for LTRIM of nothing, whose change fails WATCHes, as in Redis, but is
// none to Redis's dirty count). Keyspace lock held.
func (c *conn) preventPropagation() { c.srv.prop.custom = true }

// alsoPropagate logs args besides the command under way, before its own
// record (as Redis's call() adds the command after what its handler
// added). Keyspace lock held.
func (c *conn) alsoPropagate(args ...[]byte) {
	c.srv.propagateIn(c.db, args...)
}

// propagateIn logs args to run in database db, as part of the call under
// way. Keyspace lock held.
func (s *Server) propagateIn(db int, args ...[]byte) {
	if s.aofOn() == nil {
		return
	}
	// One allocation for the bytes of all the arguments, one for the
	// slice: a command's record is copied as one.
	n := 0
	for _, a := range args {
		n += len(a)
	}
	buf := make([]byte, 0, n)
	cp := make([][]byte, len(args))
	for i, a := range args {
		buf = append(buf, a...)
		cp[i] = buf[len(buf)-len(a) : len(buf) : len(buf)]
	}
	s.prop.ops = append(s.prop.ops, propOp{db: db, args: cp})
}

// flushPropagation appends what the call logged to the AOF, in MULTI ...
// EXEC if it is more than one command. Keyspace lock held.
func (s *Server) flushPropagation() {
	p := &s.prop
	defer func() { p.ops, p.custom = p.ops[:0], false }()
	a := s.aofOn()
	if a == nil || len(p.ops) == 0 {
		return
	}
	p.appended = true
	if len(p.ops) == 1 {
		a.Append(p.ops[0].db, p.ops[0].args)
		return
	}
	a.Append(p.ops[0].db, [][]byte{[]byte("MULTI")})
	for _, op := range p.ops {
		a.Append(op.db, op.args)
	}
	a.Append(p.ops[len(p.ops)-1].db, [][]byte{[]byte("EXEC")})
}

// propagateDeletion logs a key that expiry or eviction deleted: DEL, at
// once. Keyspace lock held.
func (s *Server) propagateDeletion(db int, key string) {
	if a := s.aofOn(); a != nil && !s.loading {
		a.Append(db, [][]byte{[]byte("DEL"), []byte(key)})
		s.prop.appended = true
	}
}

// aofSync makes what c's commands logged durable by the appendfsync
// policy before their replies are flushed: written to the file, and with
// always, fsynced. Called without the keyspace lock.
func (c *conn) aofSync() {
	if c.aofUpto == 0 {
		return
	}
	// The AOF the records were logged to: an offset of another one (the
	// AOF turned off and on again meanwhile) means nothing, and a closed
	// one flushed them when it closed.
	upto, a := c.aofUpto, c.aofFor
	c.aofUpto, c.aofFor = 0, nil
	if a == nil {
		return
	}
	if err := a.Sync(upto); err != nil && c.srv.settings().AppendFsync == "always" {
		// The replies would acknowledge writes that may not be on disk:
		// the client is closed without them (Redis exits instead).
		c.srv.logger().Warn("closing client: its writes could not be written to the AOF", "id", c.id, "error", err)
		c.kill()
	}
}

// Effects: how a command whose text would not replay to the same data is
// logged. Each returns the commands to log in its place; it runs after
// the command changed data, with the keyspace lock held.
var aofEffects = map[string]func(c *conn, args [][]byte) [][][]byte{
	"expire":   expireEffects,
	"pexpire":  expireEffects,
	"expireat": expireEffects,
	"pexpireat": func(c *conn, args [][]byte) [][][]byte {
		if _, ok := expiryOf(c, args[1]); !ok {
			return delOp(args[1]) // a time in the past deleted the key
		}
		return [][][]byte{args}
	},
	"setex":        setExpireEffects,
	"psetex":       setExpireEffects,
	"set":          setEffects,
	"getex":        getexEffects,
	"getdel":       func(_ *conn, args [][]byte) [][][]byte { return [][][]byte{{[]byte("DEL"), args[1]}} },
	"getset":       func(_ *conn, args [][]byte) [][][]byte { return [][][]byte{{[]byte("SET"), args[1], args[2]}} },
	"incrbyfloat":  incrByFloatEffects,
	"hincrbyfloat": hincrByFloatEffects,
	"blmove": func(_ *conn, args [][]byte) [][][]byte {
		return [][][]byte{{[]byte("LMOVE"), args[1], args[2], args[3], args[4]}}
	},
	"brpoplpush": func(_ *conn, args [][]byte) [][][]byte {
		return [][][]byte{{[]byte("RPOPLPUSH"), args[1], args[2]}}
	},
}

// expiryOf returns key's absolute expiry now, and whether the key exists.
func expiryOf(c *conn, key []byte) (int64, bool) {
	e := c.keyspaceDB().Peek(string(key))
	if e == nil {
		return 0, false
	}
	return e.ExpireAt, true
}

func delOp(key []byte) [][][]byte { return [][][]byte{{[]byte("DEL"), key}} }

func ms(t int64) []byte { return strconv.AppendInt(nil, t, 10) }

// EXPIRE, PEXPIRE, EXPIREAT key time [NX|XX|GT|LT] → PEXPIREAT key ms
// [option], or DEL when the time has passed.
func expireEffects(c *conn, args [][]byte) [][][]byte {
	at, ok := expiryOf(c, args[1])
	if !ok || at == 0 {
		return delOp(args[1])
	}
	op := [][]byte{[]byte("PEXPIREAT"), args[1], ms(at)}
	return [][][]byte{append(op, args[3:]...)}
}

// SETEX, PSETEX key time value → SET key value PXAT ms.
func setExpireEffects(c *conn, args [][]byte) [][][]byte {
	at, ok := expiryOf(c, args[1])
	if !ok {
		return delOp(args[1])
	}
	return [][][]byte{{[]byte("SET"), args[1], args[3], []byte("PXAT"), ms(at)}}
}

// SET key value ... EX|PX|EXAT → SET key value PXAT ms (without its other
// options, as Redis 7.0); other forms as they were sent, without GET.
func setEffects(c *conn, args [][]byte) [][][]byte {
	relative := false
	plain := [][]byte{args[0], args[1], args[2]}
	for i := 3; i < len(args); i++ {
		switch lowerASCII(string(args[i])) {
		case "ex", "px", "exat":
			relative = true
		case "get":
			continue
		}
		plain = append(plain, args[i])
	}
	if !relative {
		return [][][]byte{plain}
	}
	at, ok := expiryOf(c, args[1])
	if !ok {
		return delOp(args[1])
	}
	return [][][]byte{{[]byte("SET"), args[1], args[2], []byte("PXAT"), ms(at)}}
}

// GETEX key EX|PX|EXAT|PXAT t → PEXPIREAT key ms (DEL if gone); PERSIST
// → PERSIST key.
func getexEffects(c *conn, args [][]byte) [][][]byte {
	at, ok := expiryOf(c, args[1])
	switch {
	case !ok:
		return delOp(args[1])
	case at == 0:
		return [][][]byte{{[]byte("PERSIST"), args[1]}}
	}
	return [][][]byte{{[]byte("PEXPIREAT"), args[1], ms(at)}}
}

// INCRBYFLOAT key n → SET key value KEEPTTL.
func incrByFloatEffects(c *conn, args [][]byte) [][][]byte {
	e := c.keyspaceDB().Peek(string(args[1]))
	if e == nil {
		return delOp(args[1])
	}
	s, ok := e.Value.(*keyspace.String)
	if !ok {
		return [][][]byte{args}
	}
	return [][][]byte{{[]byte("SET"), args[1], s.B, []byte("KEEPTTL")}}
}

// HINCRBYFLOAT key field n → HSET key field value.
func hincrByFloatEffects(c *conn, args [][]byte) [][][]byte {
	e := c.keyspaceDB().Peek(string(args[1]))
	if e == nil {
		return [][][]byte{args}
	}
	h, ok := e.Value.(*keyspace.Hash)
	if !ok {
		return [][][]byte{args}
	}
	v, ok := h.Get(string(args[2]))
	if !ok {
		return [][][]byte{args}
	}
	return [][][]byte{{[]byte("HSET"), args[1], args[2], []byte(v)}}
}

// aofOptions returns where the configuration puts the AOF.
func (s *Server) aofOptions() aof.Options {
	cfg := s.settings()
	return aof.Options{Dir: cfg.Dir, DirName: cfg.AppendDirname, FileName: cfg.AppendFilename, Logger: s.logger()}
}

// startAOF loads the AOF (when appendonly is on) and opens it for
// appending. Start and StartLocal call it before accepting connections.
func (s *Server) startAOF() error {
	cfg := s.settings()
	if !cfg.AppendOnly {
		return nil
	}
	opts := s.aofOptions()
	if err := s.loadAOF(opts); err != nil {
		return err
	}
	fsync, _ := aof.ParseFsync(cfg.AppendFsync)
	a, err := aof.Open(opts, fsync)
	if err != nil {
		return err
	}
	s.aofFile.Store(a)
	s.rewrite.mu.Lock()
	s.rewrite.baseSize = a.Status().CurrentSize
	s.rewrite.mu.Unlock()
	return nil
}

// closeAOF writes and fsyncs what is buffered and closes the AOF, at
// shutdown. An AOF turned on at run time whose first rewrite runs lets
// it end first, as redis-server will not exit while "Writing initial
// AOF": aborted, it would leave the directory the AOF from before the
// AOF was turned off, or none, which a restart with appendonly yes would
// load in place of the data.
func (s *Server) closeAOF() error {
	if a := s.aofOn(); a != nil && a.Waiting() {
		s.rewrite.mu.Lock()
		running := s.rewrite.running
		s.rewrite.mu.Unlock()
		if running {
			s.logger().Warn("writing the initial AOF: waiting for its rewrite to end before shutting down")
			s.waitRewrite()
		}
	}
	return s.closeAOFLocking(true)
}

// closeAOFLocking is closeAOF, taking the keyspace lock if lock (false:
// the caller holds it). Nothing is logged once it returns. A rewrite
// under way is aborted, as Redis kills its child: its snapshot stops at
// its next chunk and its base is not installed. It still ends in its own
// time, and its snapshot needs the keyspace lock to notice, so with the
// lock held the file is closed in the background once it has.
func (s *Server) closeAOFLocking(lock bool) error {
	if lock {
		s.ks.Lock()
	}
	s.ks.AbortSnapshot()
	s.flushPropagation()
	a := s.aofFile.Swap(nil)
	s.prop.rewriteAfter = false
	s.rewrite.mu.Lock()
	s.rewrite.scheduled = false // as Redis's stopAppendOnly
	s.rewrite.mu.Unlock()
	if lock {
		s.ks.Unlock()
	}
	if a == nil {
		return nil
	}
	if !lock {
		go func() {
			s.waitRewrite()
			if err := a.Close(); err != nil {
				s.logger().Warn("error closing the AOF", "error", err)
			}
		}()
		return nil
	}
	s.waitRewrite()
	return a.Close()
}

// loadAOF replays the files of the manifest at opts, if there is one:
// the base, then the incr files in order. A record cut off at the end of
// the last file (a crash while writing it) is dropped with a warning and
// the file truncated to the records before it, unless
// aof-load-truncated is no; anything else wrong stops the start with an
// error naming the file and offset.
func (s *Server) loadAOF(opts aof.Options) error {
	m, err := aof.ReadManifest(opts)
	if err != nil || m == nil {
		return err
	}
	start := time.Now()
	s.loading = true
	// No keyspace notifications for the replay: redis-server raises them,
	// but loads before any client can subscribe; Go code embedding Herald
	// may have subscribed to the shared broker already.
	events := s.ks.Events()
	s.ks.SetEvents(0)
	// Nothing expires while loading (keyspace.SetLoading); the cron's
	// active expiry deletes, and logs, what has expired once it is over.
	s.ks.Lock()
	s.ks.SetLoading(true)
	s.ks.Unlock()
	defer func() {
		s.ks.Lock()
		s.ks.SetLoading(false)
		s.ks.Unlock()
		s.ks.SetEvents(events)
		s.loading = false
	}()
	files := m.Files()
	keys := 0
	for i, fi := range files {
		path := filepath.Join(opts.Path(), fi.Name)
		valid, err := s.loadAOFFile(path, fi.Name)
		last := i == len(files)-1
		var trunc *aof.TruncatedError
		switch {
		case err == nil:
		case errors.As(err, &trunc) && last && !s.settings().AOFRefuseTruncated:
			s.logger().Warn("!!! Warning: short read while loading the AOF file !!! AOF loaded anyway because aof-load-truncated is enabled",
				"file", fi.Name, "offset", trunc.Offset, "truncated_to", valid)
			if err := os.Truncate(path, valid); err != nil {
				return fmt.Errorf("can't truncate the AOF file %s to %d bytes: %w", fi.Name, valid, err)
			}
		case errors.As(err, &trunc) && last:
			return fmt.Errorf("%w (aof-load-truncated is no; truncate the file to %d bytes to load the records before it)", err, valid)
		default:
			return err
		}
	}
	s.ks.Lock()
	for i := 0; i < keyspace.NumDatabases; i++ {
		keys += s.ks.DB(i).Len()
	}
	s.ks.Unlock()
	s.logger().Info("DB loaded from append only file", "seconds", time.Since(start).Seconds(), "keys", keys)
	return nil
}

// loadAOFFile replays the file at path, streaming it (replayAOFFile):
// only a record at a time, or a transaction's records, are in memory.
func (s *Server) loadAOFFile(path, name string) (int64, error) {
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return 0, fmt.Errorf("the AOF file %s referenced by the manifest doesn't exist", name)
		}
		return 0, fmt.Errorf("can't read the AOF file %s: %w", name, err)
	}
	defer f.Close()
	r := bufio.NewReaderSize(f, 64<<10)
	if head, _ := r.Peek(5); string(head) == "REDIS" {
		return 0, fmt.Errorf("the AOF file %s has an RDB preamble, which Herald cannot load (write it with aof-use-rdb-preamble no)", name)
	}
	return s.replayAOFFile(name, r)
}

// replayAOFFile runs the commands of one file on a client of its own,
// with nothing sent anywhere. It returns the length of the file's whole
// part: up to the last record, or the MULTI of a transaction the file
// cuts off. A transaction's commands run once its EXEC is read, none of
// them if the file ends before it; each takes the keyspace lock on its
// own, which is enough while nothing else runs during the load.
func (s *Server) replayAOFFile(name string, r io.Reader) (int64, error) {
	c := &conn{srv: s, proto: 2, authed: true, inExec: true, aofLoader: true}
	var tx [][][]byte
	inTx := false
	txStart := int64(0)
	run := func(args [][]byte, off int64) error {
		cmd, errText := lookup(args)
		if cmd == nil {
			return fmt.Errorf("bad command in the AOF file %s at offset %d: %s", name, off, errText)
		}
		if cmd.flags&flagKeyspace == 0 && cmd.name != "select" {
			return fmt.Errorf("bad command in the AOF file %s at offset %d: %s can't be loaded", name, off, cmd.name)
		}
		s.ks.Lock()
		s.ksBatch = &c.batch
		cmd.run(c, args)
		s.ksBatch = nil
		s.ks.Unlock()
		c.reply = c.reply[:0]
		return nil
	}
	end, err := aof.ParseReader(name, r, func(args [][]byte, off int64) error {
		switch {
		case len(args) == 1 && equalFoldASCII(string(args[0]), "multi"):
			if inTx {
				return fmt.Errorf("bad file format reading the AOF file %s at offset %d: MULTI inside MULTI", name, off)
			}
			inTx, txStart, tx = true, off, tx[:0]
			return nil
		case len(args) == 1 && equalFoldASCII(string(args[0]), "exec"):
			if !inTx {
				return fmt.Errorf("bad file format reading the AOF file %s at offset %d: EXEC without MULTI", name, off)
			}
			inTx = false
			for _, a := range tx {
				if err := run(a, off); err != nil {
					return err
				}
			}
			return nil
		case inTx:
			tx = append(tx, cloneArgs(args)) // ParseReader reuses args
			return nil
		}
		return run(args, off)
	})
	var trunc *aof.TruncatedError
	switch {
	case errors.As(err, &trunc):
		if inTx {
			trunc.Offset = txStart
		}
		return trunc.Offset, trunc
	case err != nil:
		return 0, err
	case inTx:
		// Revert an incomplete MULTI/EXEC transaction, as Redis.
		return txStart, &aof.TruncatedError{File: name, Offset: txStart}
	}
	return end, nil
}

// cloneArgs copies args and the bytes they hold.
func cloneArgs(args [][]byte) [][]byte {
	n := 0
	for _, a := range args {
		n += len(a)
	}
	buf := make([]byte, 0, n)
	out := make([][]byte, len(args))
	for i, a := range args {
		buf = append(buf, a...)
		out[i] = buf[len(buf)-len(a) : len(buf) : len(buf)]
	}
	return out
}

// absDir returns dir as CONFIG GET shows it: absolute, as Redis's getcwd.
func (s *Server) absDir() string {
	d, err := filepath.Abs(s.settings().Dir)
	if err != nil {
		return s.settings().Dir
	}
	return d
}

func setAOFLoadTruncated(cfg *Config, v string) error {
	switch lowerASCII(v) {
	case "yes":
		cfg.AOFRefuseTruncated = false
	case "no":
		cfg.AOFRefuseTruncated = true
	default:
		return errors.New("argument must be 'yes' or 'no'")
	}
	return nil
}

func setAppendOnly(cfg *Config, v string) error {
	switch lowerASCII(v) {
	case "yes":
		cfg.AppendOnly = true
	case "no":
		cfg.AppendOnly = false
	default:
		return errors.New("argument must be 'yes' or 'no'")
	}
	return nil
}

func setAppendFsync(cfg *Config, v string) error {
	f, ok := aof.ParseFsync(lowerASCII(v))
	if !ok {
		return errors.New("argument(s) must be one of the following: always, everysec, no")
	}
	cfg.AppendFsync = f.String()
	return nil
}

// setDir is CONFIG SET dir: the directory must exist. An AOF already open
// stays where it is; the new dir is where the next one opens.
func setDir(cfg *Config, v string) error {
	st, err := os.Stat(v)
	if err != nil {
		return err
	}
	if !st.IsDir() {
		return errors.New("Not a directory")
	}
	cfg.Dir = v
	return nil
}

// applyAOFConfig makes a CONFIG SET of appendonly or appendfsync take
// effect, before the new configuration is stored; it returns the reason
// to refuse it. appendonly yes opens the AOF by a rewrite, as Redis: the
// current data becomes the new base.
func (s *Server) applyAOFConfig(old, cfg *Config, locked bool) error {
	if a := s.aofOn(); a != nil && old.AppendFsync != cfg.AppendFsync {
		f, _ := aof.ParseFsync(cfg.AppendFsync)
		a.SetFsync(f)
	}
	if old.AppendOnly == cfg.AppendOnly || (cfg.AppendOnly && s.aofOn() != nil) {
		return nil
	}
	if !cfg.AppendOnly {
		if err := s.closeAOFLocking(!locked); err != nil {
			s.logger().Warn("error closing the AOF", "error", err)
		}
		return nil
	}
	return s.enableAOF(cfg, locked)
}

// rejectForAOFError refuses write commands (and PING) while the AOF's
// last write or fsync failed, with Redis's MISCONF error, and returns true
// if it did. The AOF retries the write at every Sync and once a second;
// the refusals end when one succeeds.
func (c *conn) rejectForAOFError(cmd *command, args [][]byte) bool {
	a := c.srv.aofOn()
	if a == nil || (cmd.name != "ping" && !slices.Contains(cmd.meta.flags, "write") && !c.execWrites(cmd)) {
		return false
	}
	err := a.WriteError()
	if err == nil {
		return false
	}
	c.rejectCommand(args[0], "MISCONF Errors writing to the AOF file: "+strerror(err))
	return true
}

// execWrites reports whether cmd is an EXEC whose transaction queued a
// write command: Redis's processCommand counts such an EXEC as a write.
func (c *conn) execWrites(cmd *command) bool {
	if cmd.name != "exec" || !c.tx.active {
		return false
	}
	for i := range c.tx.queue {
		if slices.Contains(c.tx.queue[i].cmd.meta.flags, "write") {
			return true
		}
	}
	return false
}
