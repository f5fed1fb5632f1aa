package server

import (
	"net"
	"strconv"
	"testing"
)

// The cost of XADD as the streams benchmark sends it, run by execute as
// a client's command (replies dropped), over 16 streams: with the
// append-only file off, and on (everysec; the records are written every
// 64 commands, as a batch of replies would wait for them).
func BenchmarkExecuteXAdd(b *testing.B) {
	value := make([]byte, 64)
	for i := range value {
		value[i] = 'x'
	}
	for _, bc := range []struct {
		name string
		aof  bool
		trim bool
	}{
		{name: "plain"},
		{name: "maxlen~", trim: true},
		{name: "maxlen~+aof", trim: true, aof: true},
	} {
		b.Run(bc.name, func(b *testing.B) {
			cfg := Config{}
			if bc.aof {
				cfg.AppendOnly, cfg.Dir, cfg.AppendFsync = true, b.TempDir(), "everysec"
			}
			s := New(cfg)
			if err := s.startAOF(); err != nil {
				b.Fatal(err)
			}
			defer s.closeAOF()
			p1, p2 := net.Pipe()
			defer p1.Close()
			defer p2.Close()
			c := newConn(s, p1, 1)
			c.replyMode = replyOff
			var keys [16][]byte
			for i := range keys {
				keys[i] = []byte("bench:stream:" + strconv.Itoa(i))
			}
			args := [][]byte{[]byte("XADD"), nil, []byte("*"), []byte("f"), value}
			if bc.trim {
				args = [][]byte{[]byte("XADD"), nil, []byte("MAXLEN"), []byte("~"), []byte("100000"), []byte("*"), []byte("f"), value}
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				args[1] = keys[i%len(keys)]
				c.execute(args)
				if i%64 == 63 {
					c.aofSync()
				}
			}
		})
	}
}
