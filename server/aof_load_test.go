package server

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/heraldhq/herald/aof"
)

// writeAOF writes an AOF directory in dir holding an empty base and one
// incr file of the commands cmds.
func writeAOF(t *testing.T, dir string, cmds ...[]string) {
	t.Helper()
	d := filepath.Join(dir, "appendonlydir")
	if err := os.MkdirAll(d, 0o755); err != nil {
		t.Fatal(err)
	}
	var incr []byte
	for _, args := range cmds {
		var argv [][]byte
		for _, a := range args {
			argv = append(argv, []byte(a))
		}
		incr = aof.AppendCommand(incr, argv...)
	}
	files := map[string][]byte{
		"appendonly.aof.1.base.aof": nil,
		"appendonly.aof.1.incr.aof": incr,
		"appendonly.aof.manifest":   []byte("file appendonly.aof.1.base.aof seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n"),
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(d, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestAOFLoadNothingExpires: while the AOF loads nothing expires, as in
// Redis (keyIsExpired and checkAlreadyExpired while loading), so the
// records that followed an expiry time that has passed since replay as
// they ran: a PERSIST keeps its key, an INCR counts from the value set.
// Before, a key whose time had passed was deleted at the next record
// touching it: the PERSISTed key was lost, the INCRed one restarted at 1,
// the APPENDed one came back without its TTL. What redis-server 7.0.15
// loads from the same file is the expected data.
func TestAOFLoadNothingExpires(t *testing.T) {
	dir := t.TempDir()
	writeAOF(t, dir,
		[]string{"SELECT", "0"},
		[]string{"SET", "k", "v", "PXAT", "1000"}, []string{"APPEND", "k", "x"},
		[]string{"RPUSH", "l", "a"}, []string{"PEXPIREAT", "l", "1000"}, []string{"RPUSH", "l", "b"},
		[]string{"SET", "p", "v", "PXAT", "1000"}, []string{"PERSIST", "p"},
		[]string{"SET", "n", "5", "PXAT", "1000"}, []string{"INCR", "n"}, []string{"PERSIST", "n"},
		[]string{"SET", "e", "v"}, []string{"PEXPIREAT", "e", "1000"}, []string{"PERSIST", "e"},
	)
	s := startServer(t, aofConfig(dir, "always"))
	c := dial(t, s.Addr())
	c.mustDo("$-1\r\n", "GET", "k")
	c.mustDo(":0\r\n", "EXISTS", "l")
	c.mustDo("$1\r\nv\r\n", "GET", "p")
	c.mustDo(":-1\r\n", "PTTL", "p")
	c.mustDo("$1\r\n6\r\n", "GET", "n")
	c.mustDo(":-1\r\n", "PTTL", "n")
	c.mustDo("$1\r\nv\r\n", "GET", "e")
	c.mustDo(":-1\r\n", "PTTL", "e")
}

// TestStartDirMissing: a dir that does not exist, or is a file, stops the
// start with an error naming it, as redis-server refuses to start when it
// cannot chdir to its dir; nothing is created.
func TestStartDirMissing(t *testing.T) {
	parent := t.TempDir()
	missing := filepath.Join(parent, "nope")
	file := filepath.Join(parent, "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ dir, want string }{
		{missing, "Can't chdir to '" + missing + "': No such file or directory"},
		{file, "Can't chdir to '" + file + "': Not a directory"},
	} {
		for _, appendonly := range []bool{true, false} {
			s, err := StartLocal(Config{Dir: c.dir, AppendOnly: appendonly})
			if err == nil {
				s.Close()
				t.Fatalf("started with dir %s", c.dir)
			}
			if err.Error() != c.want {
				t.Fatalf("error %q, want %q", err, c.want)
			}
		}
	}
	if _, err := os.Stat(missing); !os.IsNotExist(err) {
		t.Fatalf("the missing dir was created: %v", err)
	}
}
