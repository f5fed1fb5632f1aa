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
	"strings"
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
	// waiting: opened by OpenWaitRewrite, no rewrite has ended yet (Redis's
	// AOF_WAIT_REWRITE); the directory's manifest is not the AOF's yet.
	// discard: waiting, and no rewrite runs: Append drops the records, as
	// feedAppendOnlyFile does without a rewrite child (the next rewrite's
	// snapshot holds their effects). Both set holding wmu and mu.
	waiting bool
	discard bool

	wmu sync.Mutex
	f   *os.File // the current incr file; nil while discard, and once closed
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

// Open opens the AOF at opts for appending, creating the AOF directory
// (not Dir, which must exist), an empty base and a first incr file when
// there is no manifest yet (as redis-server does when it starts with
// appendonly yes and no AOF), else appending to the manifest's last incr
// file, as Redis does. Load the files before Open; Open does not read
// them. Temporary files a crash left are deleted (removeTempFiles).
func Open(opts Options, fsync Fsync) (*AOF, error) {
	opts.fill()
	a := &AOF{opts: opts, fsync: fsync, dbSel: -1}
	dir := opts.Path()
	if err := makeDir(dir); err != nil {
		return nil, err
	}
	m, err := ReadManifest(opts)
	if err != nil {
		return nil, err
	}
	removeTempFiles(opts)
	if m == nil {
		m = &Manifest{Base: &FileInfo{Name: BaseName(opts.FileName, 1), Seq: 1, Type: TypeBase}}
		if err := writeFileSync(filepath.Join(dir, m.Base.Name), nil); err != nil {
			return nil, err
		}
	}
	flags := os.O_WRONLY | os.O_APPEND | os.O_CREATE
	if len(m.Incr) == 0 {
		seq := m.lastIncrSeq() + 1
		m.Incr = append(m.Incr, FileInfo{Name: IncrName(opts.FileName, seq), Seq: seq, Type: TypeIncr})
		// The manifest does not name this file yet: whatever a file of
		// that name holds is no record of this AOF (a crash of a waiting
		// AOF's rewrite between the rename of its temporary incr file and
		// the manifest's write leaves one), and appending to it would
		// replay it at the next start. Redis 7.0 appends to it.
		flags |= os.O_TRUNC
	}
	last := m.Incr[len(m.Incr)-1]
	f, err := os.OpenFile(filepath.Join(dir, last.Name), flags, 0o644)
	if err != nil {
		return nil, fmt.Errorf("can't open the append-only file %s: %w", last.Name, err)
	}
	if flags&os.O_TRUNC != 0 {
		// The truncation is durable before the manifest names the file.
		if err := f.Sync(); err != nil {
			f.Close()
			return nil, fmt.Errorf("can't fsync the append-only file %s: %w", last.Name, err)
		}
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
	a.run()
	return a, nil
}

// OpenWaitRewrite opens the AOF at opts for CONFIG SET appendonly yes, in
// the state Redis 7.0 calls AOF_WAIT_REWRITE: the directory's manifest
// and files, if any (an AOF left from before the AOF was turned off),
// are left as they are until a rewrite ends. Its StartRewrite sends the
// records to a temporary incr file the manifest does not name
// (TempIncrName), and its Finish installs the new base and that file,
// renamed, as the whole AOF, in one manifest write. So a crash or a
// failed rewrite meanwhile never replays the records of the new AOF on
// top of the stale files. Until a rewrite starts, and again after one
// fails, Append drops the records: the next rewrite's snapshot holds
// their effects. Call StartRewrite at once, as Redis starts the rewrite.
func OpenWaitRewrite(opts Options, fsync Fsync) (*AOF, error) {
	opts.fill()
	a := &AOF{opts: opts, fsync: fsync, dbSel: -1, waiting: true, discard: true}
	if err := makeDir(opts.Path()); err != nil {
		return nil, err
	}
	m, err := ReadManifest(opts)
	if err != nil {
		return nil, err
	}
	if m == nil {
		m = &Manifest{}
	}
	removeTempFiles(opts)
	a.manifest = m
	a.run()
	return a, nil
}

// makeDir creates the AOF directory if it is missing, as Redis's
// dirCreateIfMissing: not the dir it is in, which must exist.
func makeDir(dir string) error {
	if err := os.Mkdir(dir, 0o755); err != nil && !errors.Is(err, os.ErrExist) {
		return fmt.Errorf("can't create the append-only file directory: %w", err)
	}
	return nil
}

// run starts the background loops.
func (a *AOF) run() {
	a.stop, a.done = make(chan struct{}), make(chan struct{})
	a.commit.kick, a.commit.loopDone = make(chan struct{}, 1), make(chan struct{})
	go a.everysecLoop()
	go a.flushLoop()
}

// Waiting reports whether the AOF was opened by OpenWaitRewrite and no
// rewrite has ended yet: its records are not in the directory's AOF.
func (a *AOF) Waiting() bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.waiting
}

// TempIncrName returns the name of the incr file a rewrite of an AOF
// opened by OpenWaitRewrite writes to, as Redis's getTempIncrAofName:
// temp-appendonly.aof.incr.
func TempIncrName(fileName string) string { return "temp-" + fileName + ".incr" }

// tempBasePrefix starts the name of the file a rewrite writes its base
// to, followed by the pid and ".aof", as Redis's
// temp-rewriteaof-bg-<pid>.aof.
const tempBasePrefix = "temp-rewriteaof-bg-"

// removeTempFiles deletes the temporary files a crash can leave in the
// AOF directory: a rewrite's base, a waiting AOF's incr file, a manifest
// not yet renamed. None is named by the manifest. (Redis 7.0 leaves them;
// the next rewrite overwrites them.)
func removeTempFiles(opts Options) {
	dir := opts.Path()
	var names []string
	// Not filepath.Glob: dir is a path, not a pattern.
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if n := e.Name(); strings.HasPrefix(n, tempBasePrefix) && strings.HasSuffix(n, ".aof") {
			names = append(names, filepath.Join(dir, n))
		}
	}
	names = append(names, filepath.Join(dir, TempIncrName(opts.FileName)), filepath.Join(dir, "temp-"+ManifestName(opts.FileName)))
	for _, path := range names {
		err := os.Remove(path)
		switch {
		case err == nil:
			opts.Logger.Info("removed a temporary AOF file left by an earlier run", "file", filepath.Base(path))
		case !errors.Is(err, os.ErrNotExist):
			opts.Logger.Warn("can't remove a temporary AOF file", "file", filepath.Base(path), "error", err)
		}
	}
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
	if a.discard {
		a.mu.Unlock()
		return
	}
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
	a.mu.Lock()
	if a.f == nil && !a.discard {
		a.mu.Unlock()
		return errClosed
	}
	// Discarding, the buffer is empty and everything appended counts as
	// written and synced (dropRecordsLocked): the round releases its
	// waiters.
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
	if a.f == nil && !a.discard {
		return nil
	}
	err := a.flushLocked(true)
	hadFile := a.f != nil
	if a.f != nil {
		if cerr := a.f.Close(); err == nil {
			err = cerr
		}
		a.f = nil
	}
	a.mu.Lock()
	a.discard = false
	a.commit.close()
	waiting := a.waiting
	a.mu.Unlock()
	if waiting && hadFile {
		// Its records are in no AOF: the file is of no use. Only while
		// it is this AOF's (a rewrite started, not ended): once Abort
		// deleted it, the name may be a newer AOF's.
		os.Remove(filepath.Join(a.opts.Path(), TempIncrName(a.opts.FileName)))
	}
	return err
}

// dropRecordsLocked drops what is buffered and counts everything appended
// as written and synced, for a waiting AOF whose rewrite failed. wmu and
// mu held.
func (a *AOF) dropRecordsLocked() {
	a.buf = a.buf[:0]
	a.written.Store(a.appended)
	a.synced.Store(a.appended)
	a.writeErr, a.fsyncErr = nil, nil
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
	if err := syncDirFunc(dir); err != nil {
		return &renamedError{err}
	}
	return nil
}

// renamedError is writeManifest's error when the new manifest was renamed
// in place but the directory's fsync failed: the manifest on disk is the
// new one (a crash may still lose the rename), so the files it names
// must not be deleted.
type renamedError struct{ err error }

func (e *renamedError) Error() string { return e.err.Error() }
func (e *renamedError) Unwrap() error { return e.err }

// manifestRenamed reports whether writeManifest's err says the new
// manifest is in place all the same.
func manifestRenamed(err error) bool {
	var r *renamedError
	return errors.As(err, &r)
}

// syncDirFunc is syncDir; tests replace it.
var syncDirFunc = syncDir

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
