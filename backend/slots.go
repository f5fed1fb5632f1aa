package backend

import (
	"context"
	"fmt"
	"net"
	"sort"
	"strconv"
	"strings"

	"github.com/redis/rueidis"
)

// numSlots is the number of hash slots of a Redis Cluster.
const numSlots = 16384

// slotOf returns the cluster hash slot of a key or shard channel name:
// CRC16 (XMODEM) of the name, or of its hash tag (the part between the
// first '{' and the next '}', if not empty), modulo 16384.
func slotOf(name string) int {
	if i := strings.IndexByte(name, '{'); i >= 0 {
		if j := strings.IndexByte(name[i+1:], '}'); j > 0 {
			name = name[i+1 : i+1+j]
		}
	}
	var crc uint16
	for i := 0; i < len(name); i++ {
		crc ^= uint16(name[i]) << 8
		for range 8 {
			if crc&0x8000 != 0 {
				crc = crc<<1 ^ 0x1021
			} else {
				crc <<= 1
			}
		}
	}
	return int(crc) & (numSlots - 1)
}

// topology is which primary serves which slots, as CLUSTER SLOTS reports.
type topology struct {
	ranges    []slotRange // sorted by start
	primaries []string    // sorted, distinct
}

type slotRange struct {
	start, end int
	addr       string
}

// owner returns the address of the primary serving slot, or "" if none.
func (t *topology) owner(slot int) string {
	i := sort.Search(len(t.ranges), func(i int) bool { return t.ranges[i].end >= slot })
	if i < len(t.ranges) && t.ranges[i].start <= slot {
		return t.ranges[i].addr
	}
	return ""
}

// fetchTopology asks the cluster for its slots. A node that announces an
// empty host is taken at the host it was reached on.
func fetchTopology(ctx context.Context, c rueidis.Client) (*topology, error) {
	entries, err := c.Do(ctx, c.B().ClusterSlots().Build()).ToArray()
	if err != nil {
		return nil, fmt.Errorf("CLUSTER SLOTS: %w", err)
	}
	t := new(topology)
	seen := map[string]bool{}
	for _, e := range entries {
		fields, err := e.ToArray()
		if err != nil || len(fields) < 3 {
			return nil, fmt.Errorf("CLUSTER SLOTS: unexpected entry")
		}
		start, err1 := fields[0].AsInt64()
		end, err2 := fields[1].AsInt64()
		node, err3 := fields[2].ToArray()
		if err1 != nil || err2 != nil || err3 != nil || len(node) < 2 {
			return nil, fmt.Errorf("CLUSTER SLOTS: unexpected entry")
		}
		host, _ := node[0].ToString()
		port, err := node[1].AsInt64()
		if err != nil {
			return nil, fmt.Errorf("CLUSTER SLOTS: unexpected port")
		}
		addr := net.JoinHostPort(host, strconv.FormatInt(port, 10))
		t.ranges = append(t.ranges, slotRange{int(start), int(end), addr})
		if !seen[addr] {
			seen[addr] = true
			t.primaries = append(t.primaries, addr)
		}
	}
	sort.Slice(t.ranges, func(i, j int) bool { return t.ranges[i].start < t.ranges[j].start })
	sort.Strings(t.primaries)
	covered := 0
	for _, r := range t.ranges {
		covered += r.end - r.start + 1
	}
	if covered != numSlots {
		return nil, fmt.Errorf("CLUSTER SLOTS: %d of %d slots served", covered, numSlots)
	}
	return t, nil
}

// Keyspace notifications are raised on the node that holds the key, so a
// subscription to them is made on every primary.
const (
	keyspacePrefix = "__keyspace@"
	keyeventPrefix = "__keyevent@"
)

// isKeyspaceChannel reports whether channel is a keyspace or keyevent
// notification channel.
func isKeyspaceChannel(channel string) bool {
	return strings.HasPrefix(channel, keyspacePrefix) || strings.HasPrefix(channel, keyeventPrefix)
}

// mayMatchKeyspace reports whether pattern might match a keyspace
// notification channel: its literal prefix (up to the first glob
// character) and one of the notification prefixes are not incompatible.
func mayMatchKeyspace(pattern string) bool {
	lit := pattern
	if i := strings.IndexAny(pattern, `*?[\`); i >= 0 {
		lit = pattern[:i]
	}
	for _, p := range []string{keyspacePrefix, keyeventPrefix} {
		if strings.HasPrefix(lit, p) || strings.HasPrefix(p, lit) {
			return true
		}
	}
	return false
}
