package aof

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
)

// Rewrite is an AOF rewrite under way (BGREWRITEAOF), as Redis 7.0 does
// it: StartRewrite sends new records to a new incr file and lists it in
// the manifest, so a crash during the rewrite loads the old base and
// every incr file; Finish writes the new base, then a manifest of the new
// base and the new incr file, and deletes the old files.
//
// The rewrite of a waiting AOF (OpenWaitRewrite) sends the new records
// to a temporary incr file instead, which the manifest does not name;
// Finish renames it to the new incr file and writes a manifest of the
// new base and it alone. If it fails, the temporary files are deleted and
// the AOF goes on waiting (Abort), as Redis's AOF_WAIT_REWRITE.
type Rewrite struct {
	a        *AOF
	newIncr  FileInfo
	baseSeq  int64
	temp     string // the base being written
	tempIncr string // the waiting AOF's temporary incr file; "" if not waiting
}

// StartRewrite switches to a new incr file. Call it with the lock that
// orders Append held, at the moment the snapshot the base is written from
// is taken: the records appended after are those of the new incr file.
func (a *AOF) StartRewrite() (*Rewrite, error) {
	a.wmu.Lock()
	defer a.wmu.Unlock()
	if err := a.flushLocked(true); err != nil {
		return nil, err
	}
	dir := a.opts.Path()
	seq := a.manifest.lastIncrSeq() + 1
	fi := FileInfo{Name: IncrName(a.opts.FileName, seq), Seq: seq, Type: TypeIncr}
	temp := filepath.Join(dir, tempBasePrefix+strconv.Itoa(os.Getpid())+".aof")
	if a.waiting {
		return a.startWaitingRewrite(fi, temp)
	}
	f, err := os.OpenFile(filepath.Join(dir, fi.Name), os.O_WRONLY|os.O_APPEND|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return nil, fmt.Errorf("can't open the append-only file %s: %w", fi.Name, err)
	}
	m := &Manifest{Base: a.manifest.Base, History: a.manifest.History}
	m.Incr = append(append([]FileInfo(nil), a.manifest.Incr...), fi)
	err = writeManifest(dir, a.opts.FileName, m)
	if err != nil && !manifestRenamed(err) {
		f.Close()
		os.Remove(filepath.Join(dir, fi.Name))
		return nil, err
	}
	// The manifest on disk names the new incr file (even when the
	// directory's fsync failed after its rename): the records go to it.
	a.f.Close()
	a.f, a.manifest = f, m
	a.mu.Lock()
	a.dbSel = -1 // the new file starts with a SELECT
	a.mu.Unlock()
	if err != nil {
		return nil, err // no rewrite: the fsync failed
	}
	return &Rewrite{a: a, newIncr: fi, baseSeq: m.baseSeq() + 1, temp: temp}, nil
}

// startWaitingRewrite is StartRewrite of a waiting AOF, as Redis's
// openNewIncrAofForAppend in AOF_WAIT_REWRITE: the records go to the
// temporary incr file, created empty; the manifest is not touched. wmu
// held.
func (a *AOF) startWaitingRewrite(newIncr FileInfo, temp string) (*Rewrite, error) {
	tempIncr := filepath.Join(a.opts.Path(), TempIncrName(a.opts.FileName))
	f, err := os.OpenFile(tempIncr, os.O_WRONLY|os.O_APPEND|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return nil, fmt.Errorf("can't open the append-only file %s: %w", filepath.Base(tempIncr), err)
	}
	if a.f != nil {
		a.f.Close()
	}
	a.f = f
	a.incrSize = 0
	a.mu.Lock()
	a.discard = false
	a.dbSel = -1
	a.mu.Unlock()
	return &Rewrite{a: a, newIncr: newIncr, baseSeq: a.manifest.baseSeq() + 1, temp: temp, tempIncr: tempIncr}, nil
}

// Finish writes the new base with write (without the lock that orders
// Append: records go on being appended to the new incr file meanwhile),
// then installs it. On an error the old files stay in use and the
// manifest keeps listing them with the new incr file; except when the
// new manifest was renamed in place and only the directory's fsync
// failed: then the new manifest is the AOF's, the old files kept as its
// history, and the error is returned all the same.
func (r *Rewrite) Finish(write BaseWriter) error {
	a := r.a
	if err := r.writeTemp(write); err != nil {
		os.Remove(r.temp)
		return err
	}
	a.wmu.Lock()
	defer a.wmu.Unlock()
	dir := a.opts.Path()
	base := FileInfo{Name: BaseName(a.opts.FileName, r.baseSeq), Seq: r.baseSeq, Type: TypeBase}
	if err := os.Rename(r.temp, filepath.Join(dir, base.Name)); err != nil {
		os.Remove(r.temp)
		return fmt.Errorf("can't rename the temporary AOF base file: %w", err)
	}
	old := a.manifest.Files()
	old = append(old, a.manifest.History...)
	m := &Manifest{Base: &base}
	if r.tempIncr != "" {
		// As backgroundRewriteDoneHandler in AOF_WAIT_REWRITE: the
		// temporary incr file becomes the new incr file (its descriptor
		// stays the one written to), the only one the manifest names.
		if err := os.Rename(r.tempIncr, filepath.Join(dir, r.newIncr.Name)); err != nil {
			os.Remove(filepath.Join(dir, base.Name))
			return fmt.Errorf("can't rename the temporary AOF incr file: %w", err)
		}
		m.Incr = []FileInfo{r.newIncr}
	} else {
		for _, fi := range a.manifest.Incr {
			if fi.Seq >= r.newIncr.Seq {
				m.Incr = append(m.Incr, fi)
			}
		}
	}
	err := writeManifest(dir, a.opts.FileName, m)
	if err != nil && !manifestRenamed(err) {
		os.Remove(filepath.Join(dir, base.Name))
		if r.tempIncr != "" {
			os.Remove(filepath.Join(dir, r.newIncr.Name))
		}
		return err
	}
	// The manifest on disk is the new one, even when the directory's
	// fsync failed after its rename: the files it names are the AOF's.
	var replaced []FileInfo
	for _, fi := range old {
		if fi.Name != base.Name && (fi.Type == TypeBase || fi.Seq < r.newIncr.Seq || fi.Type == TypeHistory) {
			replaced = append(replaced, fi)
		}
	}
	a.manifest = m
	if r.tempIncr != "" {
		a.mu.Lock()
		a.waiting = false
		a.mu.Unlock()
	}
	if err != nil {
		// A crash may still bring the old manifest back: the files it
		// names stay, as history the next rewrite deletes.
		for _, fi := range replaced {
			fi.Type = TypeHistory
			m.History = append(m.History, fi)
		}
	} else {
		for _, fi := range replaced {
			if err := os.Remove(filepath.Join(dir, fi.Name)); err != nil && !os.IsNotExist(err) {
				a.opts.Logger.Warn("can't delete an old AOF file", "file", fi.Name, "error", err)
			}
		}
	}
	a.baseSize = a.fileSize(m.Base)
	a.incrSize = 0
	for i := range m.Incr {
		a.incrSize += a.fileSize(&m.Incr[i])
	}
	return err
}

// Abort gives the rewrite up after StartRewrite or a failed Finish: the
// manifest keeps the old base and all the incr files. A waiting AOF's
// temporary incr file is deleted, what is buffered dropped, and the AOF
// drops records until the next StartRewrite, as Redis clears its AOF
// buffer and deletes the temporary incr file.
func (r *Rewrite) Abort() {
	os.Remove(r.temp)
	if r.tempIncr == "" {
		return
	}
	a := r.a
	a.wmu.Lock()
	defer a.wmu.Unlock()
	if !a.waiting {
		return // Finish installed it
	}
	if a.f != nil {
		a.f.Close()
		a.f = nil
	}
	if err := os.Remove(r.tempIncr); err != nil && !os.IsNotExist(err) {
		a.opts.Logger.Warn("can't delete the temporary AOF incr file", "file", filepath.Base(r.tempIncr), "error", err)
	}
	a.incrSize = 0
	a.mu.Lock()
	a.discard = true
	a.dropRecordsLocked()
	a.mu.Unlock()
}

func (r *Rewrite) writeTemp(write BaseWriter) error {
	f, err := os.OpenFile(r.temp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return fmt.Errorf("can't open the temporary AOF base file: %w", err)
	}
	w := bufio.NewWriterSize(f, 64<<10)
	err = write(w)
	if err == nil {
		err = w.Flush()
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
