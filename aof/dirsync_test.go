package aof

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// diskRecords returns the records of the AOF the directory's manifest
// names, in load order, failing when a file it names is missing: what a
// restart would load.
func diskRecords(t *testing.T, dir string) string {
	t.Helper()
	m, err := ReadManifest(Options{Dir: dir})
	if err != nil || m == nil {
		t.Fatalf("manifest: %v, %v", m, err)
	}
	var out []string
	for _, fi := range m.Files() {
		data, err := os.ReadFile(filepath.Join(dir, "appendonlydir", fi.Name))
		if err != nil {
			t.Fatalf("a file the manifest names: %v", err)
		}
		if err := Parse(fi.Name, data, func(args [][]byte, _ int64) error {
			if !strings.EqualFold(string(args[0]), "select") {
				out = append(out, string(bytes.Join(args, []byte(" "))))
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	return strings.Join(out, "|")
}

// failDirSync makes the fsync of the AOF directory fail until the
// returned func is called.
func failDirSync(t *testing.T) (restore func()) {
	prev := syncDirFunc
	syncDirFunc = func(string) error { return errors.New("injected directory fsync failure") }
	restore = func() { syncDirFunc = prev }
	t.Cleanup(restore)
	return restore
}

// TestFinishDirSyncFails: when the fsync of the directory fails after
// the new manifest was renamed in place, the manifest on disk names the
// new base and incr file: they must not be deleted (a restart would find
// a manifest naming files that are gone), and the records that follow
// must go where that manifest names, for a rewrite of an open AOF and
// for the first rewrite of one turned on at run time.
func TestFinishDirSyncFails(t *testing.T) {
	base := func(w io.Writer) error { _, err := w.Write(AppendCommand(nil, set("a", "1")...)); return err }
	for _, waiting := range []bool{false, true} {
		dir := t.TempDir()
		var a *AOF
		var err error
		if waiting {
			staleAOF(t, dir)
			a, err = OpenWaitRewrite(Options{Dir: dir}, FsyncAlways)
		} else {
			a, err = Open(Options{Dir: dir}, FsyncAlways)
			a.Append(0, set("a", "1"))
		}
		if err != nil {
			t.Fatal(err)
		}
		rw, err := a.StartRewrite()
		if err != nil {
			t.Fatal(err)
		}
		a.Append(0, set("b", "1"))
		if err := a.Sync(a.Offset()); err != nil {
			t.Fatal(err)
		}
		restore := failDirSync(t)
		if err := rw.Finish(base); err == nil {
			t.Fatal("Finish succeeded with the directory fsync failing")
		}
		rw.Abort()
		restore()
		if got := diskRecords(t, dir); got != "SET a 1|SET b 1" {
			t.Fatalf("waiting %v: after the failed directory fsync the AOF on disk holds %s, want SET a 1|SET b 1", waiting, got)
		}
		a.Append(0, set("c", "1"))
		if err := a.Sync(a.Offset()); err != nil {
			t.Fatal(err)
		}
		if got := diskRecords(t, dir); got != "SET a 1|SET b 1|SET c 1" {
			t.Fatalf("waiting %v: a record after the failed directory fsync: the AOF on disk holds %s", waiting, got)
		}
		// The next rewrite installs a whole AOF again.
		rw, err = a.StartRewrite()
		if err != nil {
			t.Fatal(err)
		}
		a.Append(0, set("d", "1"))
		if err := rw.Finish(func(w io.Writer) error {
			_, err := w.Write(AppendCommand(AppendCommand(AppendCommand(nil, set("a", "1")...), set("b", "1")...), set("c", "1")...))
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if err := a.Close(); err != nil {
			t.Fatal(err)
		}
		if got := diskRecords(t, dir); got != "SET a 1|SET b 1|SET c 1|SET d 1" {
			t.Fatalf("waiting %v: after the next rewrite the AOF on disk holds %s", waiting, got)
		}
		if got := dirNames(t, filepath.Join(dir, "appendonlydir")); strings.Count(got, "base") != 1 {
			t.Fatalf("waiting %v: old files left: %s", waiting, got)
		}
	}
}

// TestStartRewriteDirSyncFails: StartRewrite's manifest, renamed in place
// before the directory fsync failed, names the new incr file: it is not
// deleted, and the records go to it.
func TestStartRewriteDirSyncFails(t *testing.T) {
	dir := t.TempDir()
	a, err := Open(Options{Dir: dir}, FsyncAlways)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	a.Append(0, set("a", "1"))
	restore := failDirSync(t)
	if _, err := a.StartRewrite(); err == nil {
		t.Fatal("StartRewrite succeeded with the directory fsync failing")
	}
	restore()
	a.Append(0, set("b", "1"))
	if err := a.Sync(a.Offset()); err != nil {
		t.Fatal(err)
	}
	if got := diskRecords(t, dir); got != "SET a 1|SET b 1" {
		t.Fatalf("the AOF on disk holds %s, want SET a 1|SET b 1", got)
	}
}
