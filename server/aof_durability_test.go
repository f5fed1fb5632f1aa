package server

import (
	"bytes"
	"os"
	"testing"
)

// runPaused runs one write command for a client that is then held between
// its AOF append and its aofSync (the goroutine of a connection descheduled
// there): its record is in the AOF's buffer, not in the file.
func runPaused(t *testing.T, s *Server, args ...string) {
	t.Helper()
	c := &conn{srv: s, proto: 2, authed: true}
	var argv [][]byte
	for _, a := range args {
		argv = append(argv, []byte(a))
	}
	cmd, errText := lookup(argv)
	if cmd == nil {
		t.Fatal(errText)
	}
	c.lockKeyspace()
	c.call(cmd, argv)
	c.unlockKeyspace()
	if c.aofUpto == 0 {
		t.Fatalf("%v appended nothing to the AOF", args)
	}
}

// TestAOFReadWaitsForWrite: a reply that shows another client's write
// (here a GET of the value it set) does not go out before that write's
// record is in the file (with always, fsynced), as Redis writes and
// fsyncs the AOF before it sends any reply. Before, the reader's reply
// went out at once, so a crash could lose a value a client had been
// shown.
func TestAOFReadWaitsForWrite(t *testing.T) {
	for _, fsync := range []string{"always", "everysec", "no"} {
		t.Run(fsync, func(t *testing.T) {
			dir := t.TempDir()
			s := startServer(t, aofConfig(dir, fsync))
			reader := dial(t, s.Addr())
			reader.mustDo("+PONG\r\n", "PING")
			runPaused(t, s, "SET", "unsynced", "value")
			reader.mustDo("$5\r\nvalue\r\n", "GET", "unsynced")
			data, err := os.ReadFile(incrFile(t, dir))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Contains(data, []byte("$8\r\nunsynced\r\n$5\r\nvalue\r\n")) {
				t.Fatalf("GET replied with the value before its record was written: file %q", data)
			}
		})
	}
}

// TestAOFBroadcastWaitsForWrite: a BCAST invalidation of a key does not
// go out before the record of the write that changed it is in the file,
// as in Redis, whose invalidations are sent with the replies, after the
// AOF is written and fsynced.
func TestAOFBroadcastWaitsForWrite(t *testing.T) {
	dir := t.TempDir()
	s := startServer(t, aofConfig(dir, "always"))
	tracker := dial(t, s.Addr())
	tracker.send("HELLO", "3")
	tracker.read()
	tracker.mustDo("+OK\r\n", "CLIENT", "TRACKING", "on", "BCAST")
	runPaused(t, s, "SET", "bcast", "value")
	tracker.mustRead(">2\r\n$10\r\ninvalidate\r\n*1\r\n$5\r\nbcast\r\n")
	data, err := os.ReadFile(incrFile(t, dir))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(data, []byte("$5\r\nbcast\r\n$5\r\nvalue\r\n")) {
		t.Fatalf("the invalidation went out before the record was written: file %q", data)
	}
}
