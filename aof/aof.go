package aof

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// Fsync is appendfsync.
type Fsync uint8

const (
	FsyncEverySec Fsync = iota // the default: a background fsync once a second
	FsyncAlways                // every batch of records is fsynced before its replies go out
	FsyncNo                    // records are written, the system flushes them when it will
)

// ParseFsync parses appendfsync's values.
func ParseFsync(s string) (Fsync, bool) {
	switch s {
	case "always":
		return FsyncAlways, true
	case "everysec":
		return FsyncEverySec, true
	case "no":
		return FsyncNo, true
	}
	return 0, false
}

func (f Fsync) String() string {
	switch f {
	case FsyncAlways:
		return "always"
	case FsyncNo:
		return "no"
	}
	return "everysec"
}

// Options say where an AOF lives.
type Options struct {
	Dir      string // dir
	DirName  string // appenddirname; "" means appendonlydir
	FileName string // appendfilename; "" means appendonly.aof
	Logger   *slog.Logger
}

func (o *Options) fill() {
	if o.DirName == "" {
		o.DirName = "appendonlydir"
	}
	if o.FileName == "" {
		o.FileName = "appendonly.aof"
	}
	if o.Dir == "" {
		o.Dir = "."
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
}

// Path returns the AOF directory.
func (o Options) Path() string {
	o.fill()
	return filepath.Join(o.Dir, o.DirName)
}

// AOF is an open append-only file: records are appended to a buffer
// (Append, with the caller's lock that orders them held), and Sync writes
// the buffer to the current incr file and, with FsyncAlways, fsyncs it.
//
// Group commit: a flush takes the whole buffer, so one write and one
// fsync cover every record appended before it. Under FsyncAlways the
// flushes are run by one goroutine, the flusher, and Sync callers wait
// for the flush of their records without taking wmu (see commit.go);
// under everysec and no, Sync(upto) first lets the goroutines that are
// ready append, then waits for one writer at a time (wmu), and a caller
// that finds its records written by another returns at once; everysec's
// fsync runs once a second without wmu (everysec).
//
// Locks: mu guards the buffer, the counters Append moves and the rounds
// Sync callers wait for; wmu the file and what was written. written and
// synced are set holding both, read holding either. Lock order: wmu, then
// mu.
type AOF struct {
	opts Options

	mu       sync.Mutex
	buf      []byte
	appended int64 // bytes appended since Open, written or not
	fsync    Fsync
	dbSel    int // the database the last record ran in; -1 after a file switch
	writeErr error
	fsyncErr error       // an fsync that failed under always: for good (flushLocked)
	commit   commitState // FsyncAlways's group commit (commit.go)

	wmu sync.Mutex
	f   *os.File // the current incr file
	// Set with wmu held, read without it by Sync's fast path.
	written  atomic.Int64 // of appended, bytes written to a file
	synced   atomic.Int64 // of written, bytes fsynced
	manifest *Manifest
	incrSize int64 // bytes in the incr files of the manifest
	baseSize int64

	spare []byte

	stop chan struct{}
	done chan struct{}
}

// Status is what INFO persistence reports.
type Status struct {
	CurrentSize, BaseSize int64
	LastWriteOK           bool
	BufferLength          int64
}

// Files returns the manifest's files in load order (the base, then the
// incr files), their paths in the AOF directory.
func (m *Manifest) Files() []FileInfo {
	var out []FileInfo
	if m.Base != nil {
		out = append(out, *m.Base)
	}
	return append(out, m.Incr...)
}

// ReadManifest reads the manifest of the AOF at opts; it returns nil and
// no error when there is no AOF directory or no manifest.
func ReadManifest(opts Options) (*Manifest, error) {
	opts.fill()
	data, err := os.ReadFile(filepath.Join(opts.Path(), ManifestName(opts.FileName)))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	m, err := ParseManifest(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", ManifestName(opts.FileName), err)
	}
	return m, nil
}

// Open opens the AOF at opts for appending, creating the directory, an
// empty base and a first incr file when there is no manifest yet (as
// redis-server does when it starts with appendonly yes and no AOF), else
// appending to the manifest's last incr file, as Redis does. Load the
// files before Open; Open does not read them.
func Open(opts Options, fsync Fsync) (*AOF, error) {
	opts.fill()
	a := &AOF{opts: opts, fsync: fsync, dbSel: -1}
	dir := opts.Path()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("can't open the append-only file directory: %w", err)
	}
	m, err := ReadManifest(opts)
	if err != nil {
		return nil, err
	}
	if m == nil {
		m = &Manifest{Base: &FileInfo{Name: BaseName(opts.FileName, 1), Seq: 1, Type: TypeBase}}
		if err := writeFileSync(filepath.Join(dir, m.Base.Name), nil); err != nil {
			return nil, err
		}
	}
	if len(m.Incr) == 0 {
		seq := m.lastIncrSeq() + 1
		m.Incr = append(m.Incr, FileInfo{Name: IncrName(opts.FileName, seq), Seq: seq, Type: TypeIncr})
	}
	last := m.Incr[len(m.Incr)-1]
	f, err := os.OpenFile(filepath.Join(dir, last.Name), os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("can't open the append-only file %s: %w", last.Name, err)
	}
	if err := writeManifest(dir, opts.FileName, m); err != nil {
		f.Close()
		return nil, err
	}
	a.f, a.manifest = f, m
	a.baseSize = a.fileSize(m.Base)
	for i := range m.Incr {
		a.incrSize += a.fileSize(&m.Incr[i])
	}
	a.stop, a.done = make(chan struct{}), make(chan struct{})
	a.commit.kick, a.commit.loopDone = make(chan struct{}, 1), make(chan struct{})
	go a.everysecLoop()
	go a.flushLoop()
	return a, nil
}

func (a *AOF) fileSize(fi *FileInfo) int64 {
	if fi == nil {
		return 0
	}
	st, err := os.Stat(filepath.Join(a.opts.Path(), fi.Name))
	if err != nil {
		return 0
	}
	return st.Size()
}

// SetFsync changes appendfsync.
func (a *AOF) SetFsync(f Fsync) {
	a.mu.Lock()
	a.fsync = f
	a.mu.Unlock()
}

// Append adds one transaction's records, run in database db, to the
// buffer: a SELECT first when db is not the database of the record
// before, as feedAppendOnlyFile. The caller's lock orders the records
// (the keyspace lock: the order of the commands).
func (a *AOF) Append(db int, cmds ...[][]byte) {
	a.mu.Lock()
	before := len(a.buf)
	if db != a.dbSel {
		a.buf = AppendCommand(a.buf, []byte("SELECT"), strconv.AppendInt(nil, int64(db), 10))
		a.dbSel = db
	}
	for _, args := range cmds {
		a.buf = AppendCommand(a.buf, args...)
	}
	a.appended += int64(len(a.buf) - before)
	a.mu.Unlock()
}

// Offset returns how many bytes were appended: Sync(Offset()) makes
// everything appended so far durable by the policy.
func (a *AOF) Offset() int64 {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.appended
}

// Sync writes the records appended up to offset upto (and, with
// FsyncAlways, fsyncs them), sharing the write and the fsync with
// concurrent callers. It returns nil when they are, else the error that
// kept them from it: under FsyncAlways, that of the flush that was to
// make them durable. It returns at once, without wmu, when another
// caller made them so already.
func (a *AOF) Sync(upto int64) error {
	a.mu.Lock()
	always := a.fsync == FsyncAlways
	a.mu.Unlock()
	if a.covered(upto, always) {
		return nil
	}
	if always {
		return a.syncAlways(upto)
	}
	// Let the goroutines that are ready run first (the connections the
	// last network poll woke): their records join the buffer, and the
	// first of them to come back here writes them all with one write(),
	// the others finding theirs written, as Redis's event loop writes its
	// aof_buf once for every client it served. Without it each batch of
	// commands cost a write() of its own, with one processor (as the
	// benchmarks pin the server) every SET one at a time.
	runtime.Gosched()
	if a.covered(upto, false) {
		return nil
	}
	a.wmu.Lock()
	defer a.wmu.Unlock()
	if a.covered(upto, false) {
		return nil
	}
	return a.flushLocked(false)
}

// covered reports whether the records up to upto are written (and, if
// always, fsynced).
func (a *AOF) covered(upto int64, always bool) bool {
	if always {
		return a.synced.Load() >= upto
	}
	return a.written.Load() >= upto
}

// flushLocked writes the whole buffer, and fsyncs if sync. wmu held. It
// is a round of the group commit: the Sync callers waiting for the
// records it takes are released when it ends, with its error. A closed
// file keeps the buffer.
func (a *AOF) flushLocked(sync bool) (err error) {
	if a.f == nil {
		return errClosed
	}
	a.mu.Lock()
	data := a.buf
	end := a.appended
	a.buf = a.spare[:0]
	a.commit.take(end)
	a.mu.Unlock()
	defer func() {
		a.mu.Lock()
		a.commit.finish(err)
		a.mu.Unlock()
	}()
	if len(data) > 0 {
		var n int
		n, err = writeFile(a.f, data)
		a.incrSize += int64(n)
		if err != nil {
			// What was not written goes back in front of the buffer, to
			// be written by the next Sync, as Redis retries.
			a.mu.Lock()
			a.buf = append(data[n:len(data):len(data)], a.buf...)
			a.writeErr = err
			a.mu.Unlock()
			a.opts.Logger.Error("error writing to the append-only file", "error", err)
			return err
		}
	}
	if sync && a.synced.Load() < end {
		err = fsyncFile(a.f)
	}
	a.mu.Lock()
	if err != nil && a.fsync == FsyncAlways {
		a.fsyncErr = err
	}
	if err == nil && a.fsyncErr != nil && sync {
		// A failed fsync may have dropped dirty pages the kernel then
		// marks clean, so a later fsync that succeeds proves nothing of
		// the records written before it: with always, the error stays
		// (Redis exits instead).
		err = a.fsyncErr
	}
	a.writeErr = err
	a.mu.Unlock()
	if cap(data) <= 1<<20 {
		a.spare = data[:0]
	} else {
		a.spare = nil
	}
	a.written.Store(end)
	if err != nil {
		a.opts.Logger.Error("error fsyncing the append-only file", "error", err)
		return err
	}
	if sync {
		a.synced.Store(end)
	}
	return nil
}

// WriteError returns the error of the last write or fsync, nil if it
// succeeded.
func (a *AOF) WriteError() error { return a.lastErr() }

func (a *AOF) lastErr() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.writeErr
}

// everysecLoop writes and fsyncs once a second under FsyncEverySec.
func (a *AOF) everysecLoop() {
	defer close(a.done)
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-a.stop:
			return
		case <-t.C:
		}
		a.mu.Lock()
		every := a.fsync == FsyncEverySec
		a.mu.Unlock()
		if every {
			a.everysec()
		}
	}
}

// everysec is one tick of everysecLoop: it writes what is buffered, as a
// Sync does, then fsyncs the file without wmu, as Redis fsyncs in a
// background thread: the writes of the Sync callers meanwhile (and the
// replies waiting for them) do not wait for the fsync, which takes
// milliseconds once a second's records are in the page cache.
//
// The file may be switched (StartRewrite) or closed (Close) during the
// fsync: both fsync it first, with wmu held, so the records this tick
// wrote are fsynced either way (and an *os.File closed during a Sync is
// closed once the Sync returns, so the descriptor is not reused under
// it). The outcome counts only if the file is still the current one.
func (a *AOF) everysec() {
	a.wmu.Lock()
	if a.f == nil {
		a.wmu.Unlock()
		return
	}
	if a.written.Load() < a.Offset() {
		a.flushLocked(false)
	}
	f, end := a.f, a.written.Load()
	a.wmu.Unlock()
	if a.synced.Load() >= end {
		return
	}
	err := fsyncFile(f)
	a.wmu.Lock()
	defer a.wmu.Unlock()
	if a.f != f {
		return
	}
	a.mu.Lock()
	pending := a.written.Load() < a.appended // a write failed, or records came since
	switch {
	case err != nil:
		if a.fsync == FsyncAlways {
			a.fsyncErr = err
		}
		a.writeErr = err
	case !pending:
		// As flushLocked: an fsync that succeeds clears the error of the
		// last write or fsync, but not always's (see there).
		a.writeErr = a.fsyncErr
	}
	a.mu.Unlock()
	if err != nil {
		a.opts.Logger.Error("error fsyncing the append-only file", "error", err)
		return
	}
	if a.synced.Load() < end {
		a.synced.Store(end)
	}
	if pending {
		a.flushLocked(false) // a write that failed is retried, as flushLocked's callers do
	}
}

// Status returns what INFO reports.
func (a *AOF) Status() Status {
	a.wmu.Lock()
	defer a.wmu.Unlock()
	a.mu.Lock()
	defer a.mu.Unlock()
	return Status{CurrentSize: a.baseSize + a.incrSize, BaseSize: a.baseSize, LastWriteOK: a.writeErr == nil, BufferLength: int64(len(a.buf))}
}

// Close writes and fsyncs what is buffered and closes the file.
func (a *AOF) Close() error {
	close(a.stop)
	<-a.done
	<-a.commit.loopDone
	a.wmu.Lock()
	defer a.wmu.Unlock()
	if a.f == nil {
		return nil
	}
	err := a.flushLocked(true)
	if cerr := a.f.Close(); err == nil {
		err = cerr
	}
	a.f = nil
	a.mu.Lock()
	a.commit.close()
	a.mu.Unlock()
	return err
}

// writeFileSync writes a file and fsyncs it.
func writeFileSync(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// writeManifest replaces the manifest atomically: a temporary file,
// fsynced, renamed over it, and the directory fsynced, as aof.c's
// persistAofManifest.
func writeManifest(dir, fileName string, m *Manifest) error {
	tmp := filepath.Join(dir, "temp-"+ManifestName(fileName))
	if err := writeFileSync(tmp, m.Marshal()); err != nil {
		return fmt.Errorf("can't write the AOF manifest: %w", err)
	}
	if err := os.Rename(tmp, filepath.Join(dir, ManifestName(fileName))); err != nil {
		return fmt.Errorf("can't write the AOF manifest: %w", err)
	}
	return syncDir(dir)
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("can't fsync the AOF directory: %w", err)
	}
	return nil
}

// BaseWriter writes a base file: the commands that rebuild the data as
// it was when the rewrite started (a snapshot taken under the keyspace
// lock), in RESP. It runs without the keyspace lock.
type BaseWriter func(w io.Writer) error
