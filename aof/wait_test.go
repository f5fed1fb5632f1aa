package aof

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// dirNames returns the names in dir, sorted.
func dirNames(t *testing.T, dir string) string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	slices.Sort(names)
	return strings.Join(names, " ")
}

func set(k, v string) [][]byte { return [][]byte{[]byte("SET"), []byte(k), []byte(v)} }

// staleAOF writes an AOF in dir (base 1, incr 1 holding SET stale 1) and
// returns its manifest's bytes.
func staleAOF(t *testing.T, dir string) []byte {
	t.Helper()
	a, err := Open(Options{Dir: dir}, FsyncAlways)
	if err != nil {
		t.Fatal(err)
	}
	a.Append(0, set("stale", "1"))
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	man, err := os.ReadFile(filepath.Join(dir, "appendonlydir", "appendonly.aof.manifest"))
	if err != nil {
		t.Fatal(err)
	}
	return man
}

// TestWaitRewrite: an AOF opened by OpenWaitRewrite over a directory that
// holds an older AOF writes its records to temp-appendonly.aof.incr,
// which the manifest does not name, leaving the manifest as it was until
// Finish; Finish then names the new base and that file, renamed, alone,
// and deletes the old files, as Redis 7.0 in AOF_WAIT_REWRITE.
func TestWaitRewrite(t *testing.T) {
	dir := t.TempDir()
	aofDir := filepath.Join(dir, "appendonlydir")
	oldManifest := staleAOF(t, dir)
	a, err := OpenWaitRewrite(Options{Dir: dir}, FsyncAlways)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if !a.Waiting() {
		t.Fatal("not waiting")
	}
	a.Append(0, set("dropped", "1")) // no rewrite runs: dropped
	rw, err := a.StartRewrite()
	if err != nil {
		t.Fatal(err)
	}
	a.Append(0, set("during", "1"))
	if err := a.Sync(a.Offset()); err != nil {
		t.Fatal(err)
	}
	man, _ := os.ReadFile(filepath.Join(aofDir, "appendonly.aof.manifest"))
	if !bytes.Equal(man, oldManifest) {
		t.Fatalf("manifest during the rewrite %q, want it untouched: %q", man, oldManifest)
	}
	temp, _ := os.ReadFile(filepath.Join(aofDir, "temp-appendonly.aof.incr"))
	want := AppendCommand(AppendCommand(nil, []byte("SELECT"), []byte("0")), set("during", "1")...)
	if !bytes.Equal(temp, want) {
		t.Fatalf("temp incr file %q, want %q", temp, want)
	}
	if err := rw.Finish(func(w io.Writer) error {
		_, err := w.Write(AppendCommand(nil, set("base", "1")...))
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if a.Waiting() {
		t.Fatal("still waiting after the rewrite")
	}
	a.Append(0, set("after", "1"))
	if err := a.Sync(a.Offset()); err != nil {
		t.Fatal(err)
	}
	if got := dirNames(t, aofDir); got != "appendonly.aof.2.base.aof appendonly.aof.2.incr.aof appendonly.aof.manifest" {
		t.Fatalf("files after the rewrite: %s", got)
	}
	man, _ = os.ReadFile(filepath.Join(aofDir, "appendonly.aof.manifest"))
	if string(man) != "file appendonly.aof.2.base.aof seq 2 type b\nfile appendonly.aof.2.incr.aof seq 2 type i\n" {
		t.Fatalf("manifest %q", man)
	}
	incr, _ := os.ReadFile(filepath.Join(aofDir, "appendonly.aof.2.incr.aof"))
	want = AppendCommand(want, set("after", "1")...)
	if !bytes.Equal(incr, want) {
		t.Fatalf("incr file %q, want %q", incr, want)
	}
}

// TestWaitRewriteFresh: in a directory without an AOF, nothing is
// written before the rewrite ends, and the AOF it installs is seq 1, as
// Redis names it.
func TestWaitRewriteFresh(t *testing.T) {
	dir := t.TempDir()
	aofDir := filepath.Join(dir, "appendonlydir")
	a, err := OpenWaitRewrite(Options{Dir: dir}, FsyncNo)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	rw, err := a.StartRewrite()
	if err != nil {
		t.Fatal(err)
	}
	if got := dirNames(t, aofDir); got != "temp-appendonly.aof.incr" {
		t.Fatalf("files during the rewrite: %s", got)
	}
	if err := rw.Finish(func(io.Writer) error { return nil }); err != nil {
		t.Fatal(err)
	}
	man, _ := os.ReadFile(filepath.Join(aofDir, "appendonly.aof.manifest"))
	if string(man) != "file appendonly.aof.1.base.aof seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n" {
		t.Fatalf("manifest %q", man)
	}
}

// TestWaitRewriteFails: when the rewrite of a waiting AOF fails, its
// temporary files are deleted, the directory holds the older AOF as it
// was, and the AOF drops records until the next rewrite starts; Close
// while waiting leaves no temporary file either.
func TestWaitRewriteFails(t *testing.T) {
	dir := t.TempDir()
	aofDir := filepath.Join(dir, "appendonlydir")
	oldManifest := staleAOF(t, dir)
	oldFiles := dirNames(t, aofDir)
	a, err := OpenWaitRewrite(Options{Dir: dir}, FsyncAlways)
	if err != nil {
		t.Fatal(err)
	}
	rw, err := a.StartRewrite()
	if err != nil {
		t.Fatal(err)
	}
	a.Append(0, set("during", "1"))
	if err := a.Sync(a.Offset()); err != nil {
		t.Fatal(err)
	}
	fail := errors.New("injected")
	if err := rw.Finish(func(io.Writer) error { return fail }); !errors.Is(err, fail) {
		t.Fatalf("Finish: %v", err)
	}
	rw.Abort()
	if got := dirNames(t, aofDir); got != oldFiles {
		t.Fatalf("files after the failed rewrite: %s, want %s", got, oldFiles)
	}
	man, _ := os.ReadFile(filepath.Join(aofDir, "appendonly.aof.manifest"))
	if !bytes.Equal(man, oldManifest) {
		t.Fatalf("manifest after the failed rewrite %q, want %q", man, oldManifest)
	}
	if !a.Waiting() {
		t.Fatal("not waiting after the failed rewrite")
	}
	off := a.Offset()
	a.Append(0, set("dropped", "1"))
	if a.Offset() != off || a.Status().BufferLength != 0 {
		t.Fatal("a record was buffered with no rewrite running")
	}
	if err := a.Sync(a.Offset()); err != nil || a.WriteError() != nil {
		t.Fatalf("Sync while waiting: %v, %v", err, a.WriteError())
	}
	// The next rewrite starts a fresh temporary file.
	rw, err = a.StartRewrite()
	if err != nil {
		t.Fatal(err)
	}
	a.Append(0, set("second", "1"))
	if err := a.Sync(a.Offset()); err != nil {
		t.Fatal(err)
	}
	temp, _ := os.ReadFile(filepath.Join(aofDir, "temp-appendonly.aof.incr"))
	want := AppendCommand(AppendCommand(nil, []byte("SELECT"), []byte("0")), set("second", "1")...)
	if !bytes.Equal(temp, want) {
		t.Fatalf("temp incr file of the second rewrite %q, want %q", temp, want)
	}
	// Closed while waiting (the server aborts the rewrite, then closes).
	rw.Finish(func(io.Writer) error { return fail })
	rw.Abort()
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	if got := dirNames(t, aofDir); got != oldFiles {
		t.Fatalf("files after Close: %s, want %s", got, oldFiles)
	}
}

// TestOpenRemovesTempFiles: the temporary files a crash leaves in the AOF
// directory (a rewrite's base, a waiting AOF's incr file, a manifest not
// renamed) are deleted when the AOF is opened; the AOF's own files stay.
func TestOpenRemovesTempFiles(t *testing.T) {
	for _, open := range []func(Options, Fsync) (*AOF, error){Open, OpenWaitRewrite} {
		dir := t.TempDir()
		aofDir := filepath.Join(dir, "appendonlydir")
		staleAOF(t, dir)
		files := dirNames(t, aofDir)
		for _, name := range []string{"temp-rewriteaof-bg-4242.aof", "temp-appendonly.aof.incr", "temp-appendonly.aof.manifest"} {
			if err := os.WriteFile(filepath.Join(aofDir, name), []byte("junk"), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		a, err := open(Options{Dir: dir}, FsyncNo)
		if err != nil {
			t.Fatal(err)
		}
		if got := dirNames(t, aofDir); got != files {
			t.Fatalf("files after open: %s, want %s", got, files)
		}
		a.Close()
	}
}

// TestOpenTruncatesUnnamedIncr: a crash of the first rewrite after
// appendonly yes, in a directory with no AOF before, between the rename
// of temp-appendonly.aof.incr to appendonly.aof.1.incr.aof and the
// manifest's write, leaves that file holding records of an AOF that
// never was, and no manifest. Open, which names a first incr file
// appendonly.aof.1.incr.aof, must start it empty: appending to it would
// replay those records at the next start on top of data that never held
// them (keys back from nowhere). The same for an incr file a manifest
// with no incr file does not name.
func TestOpenTruncatesUnnamedIncr(t *testing.T) {
	dir := t.TempDir()
	aofDir := filepath.Join(dir, "appendonlydir")
	if err := os.Mkdir(aofDir, 0o755); err != nil {
		t.Fatal(err)
	}
	ghost := AppendCommand(AppendCommand(nil, []byte("SELECT"), []byte("0")), set("ghost", "1")...)
	for _, name := range []string{"appendonly.aof.1.base.aof", "appendonly.aof.1.incr.aof"} {
		if err := os.WriteFile(filepath.Join(aofDir, name), ghost, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	a, err := Open(Options{Dir: dir}, FsyncAlways)
	if err != nil {
		t.Fatal(err)
	}
	a.Append(0, set("new", "1"))
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	want := AppendCommand(AppendCommand(nil, []byte("SELECT"), []byte("0")), set("new", "1")...)
	for name, want := range map[string][]byte{"appendonly.aof.1.base.aof": nil, "appendonly.aof.1.incr.aof": want} {
		got, err := os.ReadFile(filepath.Join(aofDir, name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("%s after Open over a crashed first rewrite: %q, want %q", name, got, want)
		}
	}
}

// TestCloseLeavesNewerTempIncr: Close of a waiting AOF whose rewrite
// failed (its temporary incr file deleted already) must not delete the
// temporary incr file of a newer AOF of the same directory, as when
// CONFIG SET appendonly no and yes in one transaction close the first
// AOF in the background while the second one's rewrite runs: that
// rewrite would fail to rename it, or install a base without its
// records.
func TestCloseLeavesNewerTempIncr(t *testing.T) {
	dir := t.TempDir()
	aofDir := filepath.Join(dir, "appendonlydir")
	old, err := OpenWaitRewrite(Options{Dir: dir}, FsyncAlways)
	if err != nil {
		t.Fatal(err)
	}
	rw, err := old.StartRewrite()
	if err != nil {
		t.Fatal(err)
	}
	rw.Finish(func(io.Writer) error { return errors.New("injected") })
	rw.Abort()

	a, err := OpenWaitRewrite(Options{Dir: dir}, FsyncAlways)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	rw, err = a.StartRewrite()
	if err != nil {
		t.Fatal(err)
	}
	a.Append(0, set("during", "1"))
	if err := a.Sync(a.Offset()); err != nil {
		t.Fatal(err)
	}
	if err := old.Close(); err != nil {
		t.Fatal(err)
	}
	if err := rw.Finish(func(io.Writer) error { return nil }); err != nil {
		t.Fatalf("the newer AOF's rewrite after the older AOF's Close: %v", err)
	}
	incr, _ := os.ReadFile(filepath.Join(aofDir, "appendonly.aof.1.incr.aof"))
	if !bytes.Contains(incr, []byte("during")) {
		t.Fatalf("the newer AOF's incr file %q lacks its record", incr)
	}
}

// TestOpenRemovesTempFilesGlobDir: a dir whose name holds glob
// metacharacters is taken literally: its temporary files are deleted, and
// no other directory's that the name would match as a pattern.
func TestOpenRemovesTempFilesGlobDir(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "[ab]")
	other := filepath.Join(parent, "a", "appendonlydir")
	for _, d := range []string{filepath.Join(dir, "appendonlydir"), other} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(d, "temp-rewriteaof-bg-4242.aof"), []byte("junk"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	a, err := Open(Options{Dir: dir}, FsyncNo)
	if err != nil {
		t.Fatal(err)
	}
	a.Close()
	if got := dirNames(t, filepath.Join(dir, "appendonlydir")); strings.Contains(got, "temp-") {
		t.Fatalf("temporary file left in the AOF directory: %s", got)
	}
	if got := dirNames(t, other); got != "temp-rewriteaof-bg-4242.aof" {
		t.Fatalf("another directory's temporary file deleted: %q", got)
	}
}
