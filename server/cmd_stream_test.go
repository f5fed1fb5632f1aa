package server

import (
	"fmt"
	"strings"
	"testing"

	"github.com/heraldhq/herald/keyspace"
)

// TestStreamPropagatedArgs checks the arguments XADD and XTRIM are to be
// logged with against the records redis-server 7.0.15 wrote to its AOF
// for the same commands (appendonly yes, read back from the .incr.aof):
// a stream of 1-0 ... 250-0 with 1-0 deleted, then the commands in turn.
func TestStreamPropagatedArgs(t *testing.T) {
	s := keyspace.NewStream()
	for i := uint64(1); i <= 250; i++ {
		s.Add(keyspace.StreamID{Ms: i}, [][]byte{[]byte("f"), []byte("v")})
	}
	s.Delete(keyspace.StreamID{Ms: 1})
	empty := keyspace.NewStream()
	empty.Add(keyspace.StreamID{Ms: 1}, [][]byte{[]byte("a"), []byte("b")})
	empty.Delete(keyspace.StreamID{Ms: 1})
	cases := []struct {
		stream *keyspace.Stream
		cmd    string
		want   string // "" when logged as sent
	}{
		{s, "xadd s MAXLEN ~ 120 LIMIT 200 300-* a b", "xadd s MAXLEN = 151 LIMIT 200 300-0 a b"},
		{s, "xadd s MINID ~ 200 300-* a b", "xadd s MINID = 101-0 300-1 a b"},
		{s, "xadd s minid ~ 220 400-5 a b", "xadd s minid = 201-0 400-5 a b"},
		{s, "xtrim s maxlen 0", ""},
		{empty, "xadd t MINID ~ 5 2-* a b", "xadd t MINID = 18446744073709551615-18446744073709551615 2-0 a b"},
		{empty, "xadd t 3-1 a b", ""},
		{empty, "xadd t NOMKSTREAM MAXLEN = 5 4-* a b", "xadd t NOMKSTREAM MAXLEN = 5 4-0 a b"},
	}
	for _, tc := range cases {
		args := bytesArgs(strings.Fields(tc.cmd))
		xadd := tc.cmd[:4] == "xadd"
		c := &conn{}
		a, idPos := c.parseStreamAddArgs(args, xadd)
		if idPos < 0 {
			t.Fatalf("%s: parse error %q", tc.cmd, c.reply)
		}
		var id keyspace.StreamID
		if xadd {
			id = a.id
			if !a.seqGiven {
				id = keyspace.StreamID{Ms: a.id.Ms}
				if tc.stream.LastID().Ms == a.id.Ms {
					id.Seq = tc.stream.LastID().Seq + 1
				}
			}
			tc.stream.Add(id, [][]byte{[]byte("a"), []byte("b")})
		} else {
			idPos = -1
		}
		tc.stream.Trim(a.trim)
		got := streamPropagatedArgs(args, idPos, a, id, tc.stream)
		want := tc.want
		if want == "" {
			if got != nil {
				t.Errorf("%s: logged as %q, want as sent", tc.cmd, got)
			}
			continue
		}
		if g := fmt.Sprintf("%s", got); g != fmt.Sprintf("%s", bytesArgs(strings.Fields(want))) {
			t.Errorf("%s: logged as %s, Redis logs %s", tc.cmd, g, want)
		}
	}
}

func bytesArgs(words []string) [][]byte {
	out := make([][]byte, len(words))
	for i, w := range words {
		out[i] = []byte(w)
	}
	return out
}
