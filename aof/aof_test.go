package aof

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"testing/iotest"
)

func TestManifestRoundTrip(t *testing.T) {
	// As redis-server 7.0.15 writes it after a BGREWRITEAOF.
	text := "file appendonly.aof.2.base.aof seq 2 type b\nfile appendonly.aof.2.incr.aof seq 2 type i\n"
	m, err := ParseManifest([]byte(text))
	if err != nil {
		t.Fatal(err)
	}
	if m.Base == nil || m.Base.Name != "appendonly.aof.2.base.aof" || m.Base.Seq != 2 || len(m.Incr) != 1 || m.Incr[0].Seq != 2 {
		t.Fatalf("parsed %+v", m)
	}
	if got := string(m.Marshal()); got != text {
		t.Fatalf("marshal:\n got %q\nwant %q", got, text)
	}
	quoted := &Manifest{Base: &FileInfo{Name: "my file.1.base.aof", Seq: 1, Type: TypeBase}}
	back, err := ParseManifest(quoted.Marshal())
	if err != nil || back.Base.Name != "my file.1.base.aof" {
		t.Fatalf("quoted name: %q %v %+v", quoted.Marshal(), err, back)
	}
}

func TestManifestErrors(t *testing.T) {
	for _, bad := range []string{
		"",
		"file a seq 1\n",
		"file a seq x type b\n",
		"file a seq 1 type b\nfile b seq 2 type b\n",
		"file a seq 2 type i\nfile b seq 1 type i\n",
		"file ../x seq 1 type b\n",
		"file a seq 1 type z\n",
		"# only a comment\n",
	} {
		if m, err := ParseManifest([]byte(bad)); err == nil {
			t.Errorf("%q parsed as %+v", bad, m)
		}
	}
}

func TestParseRecords(t *testing.T) {
	data := AppendCommand(nil, []byte("SELECT"), []byte("0"))
	data = AppendCommand(data, []byte("SET"), []byte("k"), []byte("a\r\nb"))
	whole := len(data)
	data = append(data, "*3\r\n$3\r\nSET\r\n$1\r\nk"...)
	var got []string
	err := Parse("f", data, func(args [][]byte, off int64) error {
		got = append(got, string(bytes.Join(args, []byte(" "))))
		return nil
	})
	var trunc *TruncatedError
	if !errors.As(err, &trunc) || trunc.Offset != int64(whole) {
		t.Fatalf("err %v, want truncated at %d", err, whole)
	}
	if strings.Join(got, "|") != "SELECT 0|SET k a\r\nb" {
		t.Fatalf("records %q", got)
	}
	bad := append(AppendCommand(nil, []byte("PING")), "+OK\r\n"...)
	err = Parse("f", bad, func([][]byte, int64) error { return nil })
	var corrupt *CorruptError
	if !errors.As(err, &corrupt) || corrupt.Offset != 14 || !strings.Contains(err.Error(), "f at offset 14") {
		t.Fatalf("err %v, want corrupt at 14", err)
	}
}

// TestGroupCommit: concurrent appenders and syncers under always; every
// record reaches the file, in the order appended.
func TestGroupCommit(t *testing.T) {
	dir := t.TempDir()
	a, err := Open(Options{Dir: dir}, FsyncAlways)
	if err != nil {
		t.Fatal(err)
	}
	var lock sync.Mutex // the keyspace lock's part
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				lock.Lock()
				a.Append(0, [][]byte{[]byte("INCR"), []byte("n")})
				off := a.Offset()
				lock.Unlock()
				if err := a.Sync(off); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(dir, "appendonlydir", "appendonly.aof.1.incr.aof"))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	if err := Parse("incr", data, func(args [][]byte, _ int64) error { n++; return nil }); err != nil {
		t.Fatal(err)
	}
	if n != 1+8*200 { // one SELECT
		t.Fatalf("%d records, want %d", n, 1+8*200)
	}
	man, _ := os.ReadFile(filepath.Join(dir, "appendonlydir", "appendonly.aof.manifest"))
	if string(man) != "file appendonly.aof.1.base.aof seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n" {
		t.Fatalf("manifest %q", man)
	}
}

// TestRewriteSwitch: records after StartRewrite go to the new incr file;
// Finish installs the new base and deletes the old files.
func TestRewriteSwitch(t *testing.T) {
	dir := t.TempDir()
	a, err := Open(Options{Dir: dir}, FsyncNo)
	if err != nil {
		t.Fatal(err)
	}
	a.Append(0, [][]byte{[]byte("SET"), []byte("a"), []byte("1")})
	rw, err := a.StartRewrite()
	if err != nil {
		t.Fatal(err)
	}
	a.Append(0, [][]byte{[]byte("SET"), []byte("b"), []byte("2")})
	if err := rw.Finish(func(w io.Writer) error {
		_, err := w.Write(AppendCommand(nil, []byte("SET"), []byte("a"), []byte("1")))
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	aofDir := filepath.Join(dir, "appendonlydir")
	entries, _ := os.ReadDir(aofDir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if strings.Join(names, " ") != "appendonly.aof.2.base.aof appendonly.aof.2.incr.aof appendonly.aof.manifest" {
		t.Fatalf("files %v", names)
	}
	incr, _ := os.ReadFile(filepath.Join(aofDir, "appendonly.aof.2.incr.aof"))
	want := AppendCommand(AppendCommand(nil, []byte("SELECT"), []byte("0")), []byte("SET"), []byte("b"), []byte("2"))
	if !bytes.Equal(incr, want) {
		t.Fatalf("new incr %q, want %q", incr, want)
	}
	man, _ := os.ReadFile(filepath.Join(aofDir, "appendonly.aof.manifest"))
	if string(man) != "file appendonly.aof.2.base.aof seq 2 type b\nfile appendonly.aof.2.incr.aof seq 2 type i\n" {
		t.Fatalf("manifest %q", man)
	}
}

// FuzzAOFParse: arbitrary bytes as a file never crash or hang the parser,
// and an error names a record's start within the data.
func FuzzAOFParse(f *testing.F) {
	f.Add(AppendCommand(nil, []byte("SET"), []byte("k"), []byte("v")))
	f.Add([]byte("*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*1\r\n$5\r\nMULTI\r\n"))
	f.Add([]byte("*99999999999\r\n"))
	f.Add([]byte("*1\r\n$-1\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		last := int64(-1)
		err := Parse("fuzz", data, func(args [][]byte, off int64) error {
			if off <= last || len(args) == 0 {
				t.Fatalf("record at %d after %d, %d args", off, last, len(args))
			}
			last = off
			return nil
		})
		// Streamed a byte at a time: the same records and the same error.
		var whole, streamed []string
		Parse("fuzz", data, func(args [][]byte, off int64) error {
			whole = append(whole, fmt.Sprint(off, args))
			return nil
		})
		_, serr := ParseReader("fuzz", bufio.NewReaderSize(iotest.OneByteReader(bytes.NewReader(data)), 16), func(args [][]byte, off int64) error {
			streamed = append(streamed, fmt.Sprint(off, args))
			return nil
		})
		if fmt.Sprint(whole) != fmt.Sprint(streamed) || fmt.Sprint(err) != fmt.Sprint(serr) {
			t.Fatalf("streamed a byte at a time: %v, %v\nwhole: %v, %v", streamed, serr, whole, err)
		}
		var trunc *TruncatedError
		var corrupt *CorruptError
		switch {
		case err == nil:
		case errors.As(err, &trunc):
			if trunc.Offset <= last || trunc.Offset >= int64(len(data)) {
				t.Fatalf("truncated at %d (last record %d, len %d)", trunc.Offset, last, len(data))
			}
		case errors.As(err, &corrupt):
			if corrupt.Offset <= last || corrupt.Offset >= int64(len(data)) {
				t.Fatalf("corrupt at %d (last record %d, len %d)", corrupt.Offset, last, len(data))
			}
		default:
			t.Fatalf("error of type %T: %v", err, err)
		}
	})
}

// TestWriteErrorRetried: a failed write keeps the records, reports the
// error until a later Sync writes them.
func TestWriteErrorRetried(t *testing.T) {
	dir := t.TempDir()
	a, err := Open(Options{Dir: dir}, FsyncAlways)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "appendonlydir", "appendonly.aof.1.incr.aof")
	a.Append(0, [][]byte{[]byte("SET"), []byte("a"), []byte("1")})
	a.wmu.Lock()
	a.f.Close() // the next write fails
	a.wmu.Unlock()
	if err := a.Sync(a.Offset()); err == nil || a.WriteError() == nil || a.Status().LastWriteOK {
		t.Fatalf("Sync on a closed file: %v, WriteError %v", err, a.WriteError())
	}
	a.Append(0, [][]byte{[]byte("SET"), []byte("b"), []byte("2")})
	a.wmu.Lock()
	a.f, err = os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	a.wmu.Unlock()
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Sync(a.Offset()); err != nil || a.WriteError() != nil {
		t.Fatalf("Sync after the file is back: %v", err)
	}
	a.Close()
	data, _ := os.ReadFile(path)
	want := AppendCommand(AppendCommand(AppendCommand(nil, []byte("SELECT"), []byte("0")),
		[]byte("SET"), []byte("a"), []byte("1")), []byte("SET"), []byte("b"), []byte("2"))
	if !bytes.Equal(data, want) {
		t.Fatalf("file %q, want %q", data, want)
	}
}

// TestFsyncErrorSticks: with always, once an fsync failed a later one
// that succeeds does not make the records written before it durable (the
// kernel may have dropped the pages and marked them clean), so Sync keeps
// failing, and the write error stays, instead of acknowledging them.
func TestFsyncErrorSticks(t *testing.T) {
	dir := t.TempDir()
	a, err := Open(Options{Dir: dir}, FsyncAlways)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	fail := errors.New("input/output error")
	fsyncFile = func(*os.File) error { return fail }
	defer func() { fsyncFile = (*os.File).Sync }()
	a.Append(0, [][]byte{[]byte("SET"), []byte("a"), []byte("1")})
	if err := a.Sync(a.Offset()); !errors.Is(err, fail) {
		t.Fatalf("Sync with a failing fsync: %v", err)
	}
	fsyncFile = (*os.File).Sync
	a.Append(0, [][]byte{[]byte("SET"), []byte("b"), []byte("2")})
	if err := a.Sync(a.Offset()); err == nil || a.WriteError() == nil || a.Status().LastWriteOK {
		t.Fatalf("Sync after a failed fsync: %v, WriteError %v: the records before it were acknowledged", err, a.WriteError())
	}
}

// TestSyncClosed: a Sync after Close reports an error and loses nothing
// from the buffer.
func TestSyncClosed(t *testing.T) {
	a, err := Open(Options{Dir: t.TempDir()}, FsyncAlways)
	if err != nil {
		t.Fatal(err)
	}
	a.Close()
	a.Append(0, [][]byte{[]byte("SET"), []byte("a"), []byte("1")})
	if err := a.Sync(a.Offset()); err == nil {
		t.Fatal("Sync of a closed AOF succeeded")
	}
	if st := a.Status(); st.BufferLength == 0 {
		t.Fatal("the records were dropped")
	}
}

// TestParseReaderLarge: records larger than the reader's buffer are read
// whole; one cut off inside its large argument is reported truncated at
// its start; a length claiming 512 MB at the end of a file costs what the
// file holds, not 512 MB.
func TestParseReaderLarge(t *testing.T) {
	big := bytes.Repeat([]byte("x"), 200<<10)
	data := AppendCommand(nil, []byte("SET"), []byte("a"), big)
	second := len(data)
	data = AppendCommand(data, []byte("SET"), []byte("b"), big)
	var got []int
	n, err := ParseReader("f", bytes.NewReader(data), func(args [][]byte, off int64) error {
		if len(args) != 3 || !bytes.Equal(args[2], big) {
			t.Fatalf("record at %d: %d args", off, len(args))
		}
		got = append(got, int(off))
		return nil
	})
	if err != nil || n != int64(len(data)) || fmt.Sprint(got) != fmt.Sprint([]int{0, second}) {
		t.Fatalf("records at %v, length %d, %v", got, n, err)
	}
	_, err = ParseReader("f", bytes.NewReader(data[:len(data)-1000]), func([][]byte, int64) error { return nil })
	var trunc *TruncatedError
	if !errors.As(err, &trunc) || trunc.Offset != int64(second) {
		t.Fatalf("cut off in the second record's argument: %v, want truncated at %d", err, second)
	}

	first := AppendCommand(nil, []byte("SET"), []byte("a"), []byte("1"))
	claim := append(first, "*3\r\n$3\r\nSET\r\n$1\r\nb\r\n$536870912\r\nxyz"...)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err = ParseReader("f", bytes.NewReader(claim), func([][]byte, int64) error { return nil })
	runtime.ReadMemStats(&after)
	if !errors.As(err, &trunc) || trunc.Offset != int64(len(first)) {
		t.Fatalf("a 512 MB claim cut off: %v", err)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 8<<20 {
		t.Fatalf("parsing a 512 MB claim in a small file allocated %d bytes", alloc)
	}
}
