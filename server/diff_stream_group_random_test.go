package server

import (
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/heraldhq/herald/internal/redistest"
	"github.com/heraldhq/herald/internal/resp"
)

// TestDiffStreamGroupRandom sends the same random consumer-group commands
// to Herald and redis-server (reads, acknowledgements, claims, group and
// consumer changes, deletions and trims of the entries they hold), valid
// and not, and compares each reply and the notifications it raises, with
// idle and delivery times masked. Claims use a minimum idle time of 0, so
// that what they take does not depend on the clock.
func TestDiffStreamGroupRandom(t *testing.T) {
	t.Parallel()
	redisAddr := redistest.Start(t).Addr()
	for _, proto := range []string{"2", "3"} {
		t.Run("RESP"+proto, func(t *testing.T) {
			h := startServer(t, Config{})
			sides := [2]*zfuzzSide{newZFuzzSide(t, redisAddr, proto), newZFuzzSide(t, h.Addr().String(), proto)}
			seed, _ := strconv.ParseUint(os.Getenv("HERALD_XGFUZZ_SEED"), 10, 64) // more runs: set it
			r := rand.New(rand.NewPCG(seed, uint64(proto[0])+7))
			steps := 1500
			if seed != 0 {
				steps *= 10
			}
			g := &groupGen{r: r, next: map[string]uint64{}}
			var history []string
			for range steps {
				cmd := g.command()
				history = append(history, strings.Join(cmd, " "))
				var got [2][]resp.Value
				for j, sd := range sides {
					got[j] = sd.do(t, cmd)
					for k := range got[j] {
						got[j][k] = maskIdle(got[j][k])
					}
				}
				if !zsameValues(got[0], got[1]) {
					t.Fatalf("after\n  %s\nredis-server %v\nherald       %v", strings.Join(history[max(0, len(history)-10):], "\n  "), got[0], got[1])
				}
			}
		})
	}
}

// groupGen makes random consumer-group commands on keys y1 and y2, groups
// g1 and g2 and consumers c1 to c3, keeping the next ID it means to add
// to each key so that most XADDs succeed.
type groupGen struct {
	r    *rand.Rand
	next map[string]uint64
}

func (g *groupGen) pick(s ...string) string { return s[g.r.IntN(len(s))] }

// id is an ID near those added, mostly among the latest (which groups
// are reading and claiming): some exist, some were deleted, some are yet
// to come.
func (g *groupGen) id() string {
	top := int(max(g.next["y1"], g.next["y2"]))
	n := g.r.IntN(top + 6)
	if g.r.IntN(4) != 0 {
		n = max(0, top-20+g.r.IntN(24))
	}
	return fmt.Sprintf("%d-%d", n/3, n%3)
}

func (g *groupGen) ids() []string {
	out := []string{g.id()}
	for g.r.IntN(2) == 0 {
		out = append(out, g.id())
	}
	return out
}

func (g *groupGen) command() []string {
	r := g.r
	key := g.pick("y1", "y1", "y2")
	group := g.pick("g1", "g1", "g2")
	consumer := g.pick("c1", "c2", "c3")
	switch r.IntN(20) {
	case 0, 1, 2, 3:
		n := g.next[key]
		g.next[key] = n + 1 + uint64(r.IntN(2))
		cmd := []string{"XADD", key}
		if r.IntN(8) == 0 {
			cmd = append(cmd, "MAXLEN", strconv.Itoa(r.IntN(6)))
		}
		return append(cmd, fmt.Sprintf("%d-%d", n/3, n%3), "f", strconv.Itoa(int(n)))
	case 4:
		return append([]string{"XDEL", key}, g.ids()...)
	case 5:
		if r.IntN(3) == 0 {
			return []string{"XTRIM", key, "MAXLEN", strconv.Itoa(r.IntN(5))}
		}
		return []string{"XTRIM", key, "MINID", g.id()}
	case 6:
		cmd := []string{"XGROUP", "CREATE", key, group, g.pick("0", "$", g.id())}
		if r.IntN(2) == 0 {
			cmd = append(cmd, "MKSTREAM")
		}
		if r.IntN(4) == 0 {
			cmd = append(cmd, "ENTRIESREAD", strconv.Itoa(r.IntN(8)-1))
		}
		return cmd
	case 7:
		switch r.IntN(4) {
		case 0:
			return []string{"XGROUP", "DESTROY", key, group}
		case 1:
			return []string{"XGROUP", "CREATECONSUMER", key, group, consumer}
		case 2:
			return []string{"XGROUP", "DELCONSUMER", key, group, consumer}
		}
		cmd := []string{"XGROUP", "SETID", key, group, g.pick("0", "$", g.id())}
		if r.IntN(2) == 0 {
			cmd = append(cmd, "ENTRIESREAD", strconv.Itoa(r.IntN(8)-1))
		}
		return cmd
	case 8, 9, 10, 11:
		cmd := []string{"XREADGROUP", "GROUP", group, consumer}
		if r.IntN(2) == 0 {
			cmd = append(cmd, "COUNT", strconv.Itoa(r.IntN(4)))
		}
		if r.IntN(5) == 0 {
			cmd = append(cmd, "NOACK")
		}
		cmd = append(cmd, "STREAMS")
		keys, ids := []string{key}, []string{g.pick(">", ">", ">", "0", g.id())}
		if r.IntN(4) == 0 {
			other := map[string]string{"y1": "y2", "y2": "y1"}[key]
			keys, ids = append(keys, other), append(ids, g.pick(">", "0"))
		}
		return append(append(cmd, keys...), ids...)
	case 12, 13:
		return append([]string{"XACK", key, group}, g.ids()...)
	case 14:
		if r.IntN(3) == 0 {
			return []string{"XPENDING", key, group}
		}
		cmd := []string{"XPENDING", key, group, g.pick("-", g.id()), g.pick("+", g.id()), strconv.Itoa(r.IntN(5))}
		if r.IntN(3) == 0 {
			cmd = append(cmd, consumer)
		}
		return cmd
	case 15, 16:
		cmd := append([]string{"XCLAIM", key, group, consumer, "0"}, g.ids()...)
		for _, opt := range []string{"JUSTID", "FORCE", "RETRYCOUNT", "LASTID"} {
			if r.IntN(4) != 0 {
				continue
			}
			cmd = append(cmd, opt)
			switch opt {
			case "RETRYCOUNT":
				cmd = append(cmd, strconv.Itoa(r.IntN(4)))
			case "LASTID":
				cmd = append(cmd, g.id())
			}
		}
		return cmd
	case 17:
		cmd := []string{"XAUTOCLAIM", key, group, consumer, "0", g.pick("0", "-", g.id(), "("+g.id())}
		if r.IntN(2) == 0 {
			cmd = append(cmd, "COUNT", strconv.Itoa(1+r.IntN(4)))
		}
		if r.IntN(3) == 0 {
			cmd = append(cmd, "JUSTID")
		}
		return cmd
	case 18:
		return []string{"XINFO", "GROUPS", key}
	}
	if r.IntN(2) == 0 {
		return []string{"XINFO", "STREAM", key, "FULL"}
	}
	return []string{"XINFO", "CONSUMERS", key, group}
}
