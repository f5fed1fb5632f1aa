package keyspace

import (
	"math/rand/v2"
	"strings"
)

// ZSet is a sorted set: a map from member to score for lookups and a
// skiplist ordered by (score, member), with the spans Redis's t_zset.c keeps
// so that ranks are O(log N). Members compare bytewise, as Redis's sdscmp.
//
// Redis keeps a small sorted set as a listpack and converts it to a
// skiplist once it holds more than zsetMaxListpackEntries members or a
// member longer than zsetMaxListpackValue bytes; the conversion is one
// way. ZSet models that rule for OBJECT ENCODING and memory, and for the
// few replies that depend on it: a listpack stores an integral score as an
// integer (so -0 becomes 0, and ZSCAN shows the integer), ZSCAN returns a
// listpack whole, and lex ranges over members with different scores are
// walked as each encoding walks them (firstIn, lastIn).
type ZSet struct {
	scores     *scanTable[float64] // member to score, with Redis's SCAN cursor
	list       skiplist
	skiplist   bool  // the encoding Redis would have: listpack until converted
	memberSize int64 // the sum of the members' lengths
}

// Redis 7.0's defaults for zset-max-listpack-entries and
// zset-max-listpack-value.
const (
	zsetMaxListpackEntries = 128
	zsetMaxListpackValue   = 64
)

// Per-member overheads for Size, close to what Redis 7.0's used_memory
// grows by (measured: about 123 bytes a member of 10 bytes in a skiplist,
// 13 in a listpack): a skiplist node, its levels, a dict entry and the
// member's sds; or a listpack entry of the member and its score. A
// skiplist also has its header node and dict.
const (
	zsetSkiplistMemberOverhead = 112
	zsetListpackMemberOverhead = 4
	zsetListpackBaseSize       = 64
	zsetSkiplistBaseSize       = 640
)

// NewZSet returns an empty sorted set.
func NewZSet() *ZSet {
	return &ZSet{scores: newScanTable[float64](0), list: newSkiplist()}
}

// Type implements Value.
func (z *ZSet) Type() string { return "zset" }

// Encoding implements Value.
func (z *ZSet) Encoding() string {
	if z.skiplist {
		return "skiplist"
	}
	return "listpack"
}

// Size implements Value; it is O(1).
func (z *ZSet) Size() int64 {
	if z.skiplist {
		return zsetSkiplistBaseSize + z.memberSize + zsetSkiplistMemberOverhead*int64(z.scores.n)
	}
	return zsetListpackBaseSize + z.memberSize + zsetListpackMemberOverhead*int64(z.scores.n)
}

// Copy returns a deep copy (COPY), with the same encoding.
func (z *ZSet) Copy() Value {
	c := NewZSet()
	for x := z.list.header.level[0].forward; x != nil; x = x.level[0].forward {
		c.scores.put(x.member, x.score)
		c.list.insert(x.score, x.member)
	}
	c.skiplist, c.memberSize = z.skiplist, z.memberSize
	return c
}

// NewZSetFor returns an empty sorted set for n members to come, encoded
// as Redis creates one of a known length (ZRANGESTORE by rank): a skiplist
// from the start when n exceeds the listpack's limit.
func NewZSetFor(n int) *ZSet {
	z := NewZSet()
	z.skiplist = n > zsetMaxListpackEntries
	return z
}

// BuildZSet returns the sorted set of members (distinct) with scores,
// built as Redis builds the result of ZUNIONSTORE and its kind: a
// skiplist, which compact converts to a listpack when it has at most 128
// members of at most 64 bytes (zsetConvertToListpackIfNeeded).
func BuildZSet(members []string, scores []float64, compact bool) *ZSet {
	z := NewZSet()
	z.skiplist = true
	longest := 0
	for i, m := range members {
		z.Set(m, scores[i])
		longest = max(longest, len(m))
	}
	if compact && len(members) <= zsetMaxListpackEntries && longest <= zsetMaxListpackValue {
		z.skiplist = false
		for x := z.list.header.level[0].forward; x != nil; x = x.level[0].forward {
			if x.score == 0 { // -0 becomes 0 in a listpack
				x.score = 0
				z.scores.put(x.member, 0)
			}
		}
	}
	return z
}

// Scan calls fn for the members of the hash-table buckets from cursor on,
// for about count of them, and returns the next cursor (0 when done), with
// the guarantees of Redis's SCAN: a member present throughout a full
// iteration is returned at least once.
func (z *ZSet) Scan(cursor uint64, count int, fn func(member string, score float64)) uint64 {
	return z.scores.scan(cursor, count, func(m string, s *float64) { fn(m, *s) })
}

// Len returns the number of members.
func (z *ZSet) Len() int { return z.scores.n }

// Score returns member's score.
func (z *ZSet) Score(member string) (float64, bool) {
	if p, ok := z.scores.get(member); ok {
		return *p, true
	}
	return 0, false
}

// Set adds member with score, or moves it to score, and reports whether it
// was added. score must not be NaN.
func (z *ZSet) Set(member string, score float64) (added bool) {
	if p, ok := z.scores.get(member); ok {
		if old := *p; old != score { // as Redis: -0 does not replace 0
			score = z.listpackScore(score)
			z.list.updateScore(old, member, score)
			*p = score
		}
		return false
	}
	if z.scores.n+1 > zsetMaxListpackEntries || len(member) > zsetMaxListpackValue {
		z.skiplist = true
	}
	score = z.listpackScore(score)
	z.scores.put(member, score)
	z.list.insert(score, member)
	z.memberSize += int64(len(member))
	return true
}

// listpackScore returns score as a listpack would keep it: Redis 7.0
// stores an integral score as an integer there, so -0 becomes 0.
func (z *ZSet) listpackScore(score float64) float64 {
	if !z.skiplist && score == 0 {
		return 0
	}
	return score
}

// Remove removes member and reports whether it was there.
func (z *ZSet) Remove(member string) bool {
	score, ok := z.Score(member)
	if !ok {
		return false
	}
	z.list.delete(score, member)
	z.forget(member)
	return true
}

func (z *ZSet) forget(member string) {
	z.scores.del(member)
	z.memberSize -= int64(len(member))
}

// Rank returns member's 0-based rank, from the highest score when
// reverse.
func (z *ZSet) Rank(member string, reverse bool) (int, bool) {
	score, ok := z.Score(member)
	if !ok {
		return 0, false
	}
	r := z.list.rank(score, member) - 1
	if reverse {
		r = z.scores.n - 1 - r
	}
	return r, true
}

// ScoreRange is a range of scores; an exclusive bound is written "(x".
type ScoreRange struct {
	Min, Max     float64
	MinEx, MaxEx bool
}

func (r *ScoreRange) gteMin(v float64) bool {
	if r.MinEx {
		return v > r.Min
	}
	return v >= r.Min
}

func (r *ScoreRange) lteMax(v float64) bool {
	if r.MaxEx {
		return v < r.Max
	}
	return v <= r.Max
}

// LexBound is one end of a lexicographic range: "-" (Inf -1), "+" (Inf
// +1), or "[value" / "(value" (Excl).
type LexBound struct {
	Inf   int
	Value string
	Excl  bool
}

// LexRange is a range of members, for sets whose members share a score.
type LexRange struct{ Min, Max LexBound }

func (r *LexRange) gteMin(v string) bool {
	switch r.Min.Inf {
	case -1:
		return true
	case 1:
		return false
	}
	if r.Min.Excl {
		return v > r.Min.Value
	}
	return v >= r.Min.Value
}

func (r *LexRange) lteMax(v string) bool {
	switch r.Max.Inf {
	case 1:
		return true
	case -1:
		return false
	}
	if r.Max.Excl {
		return v < r.Max.Value
	}
	return v <= r.Max.Value
}

// rangeSpec is a score or a lex range, as the skiplist walks them.
type rangeSpec interface {
	gteMinNode(x *zskipNode) bool
	lteMaxNode(x *zskipNode) bool
	empty() bool // no value can be in the range
}

func (r *ScoreRange) gteMinNode(x *zskipNode) bool { return r.gteMin(x.score) }
func (r *ScoreRange) lteMaxNode(x *zskipNode) bool { return r.lteMax(x.score) }
func (r *LexRange) gteMinNode(x *zskipNode) bool   { return r.gteMin(x.member) }
func (r *LexRange) lteMaxNode(x *zskipNode) bool   { return r.lteMax(x.member) }

func (r *ScoreRange) empty() bool {
	return r.Min > r.Max || (r.Min == r.Max && (r.MinEx || r.MaxEx))
}

// empty is Redis's test with sdscmplex; "-" and "+" count as exclusive.
func (r *LexRange) empty() bool {
	cmp := compareLexBounds(r.Min, r.Max)
	return cmp > 0 || (cmp == 0 && (r.Min.Excl || r.Min.Inf != 0 || r.Max.Excl || r.Max.Inf != 0))
}

func compareLexBounds(a, b LexBound) int {
	switch {
	case a.Inf == b.Inf && a.Inf != 0:
		return 0
	case a.Inf == -1 || b.Inf == 1:
		return -1
	case a.Inf == 1 || b.Inf == -1:
		return 1
	}
	return strings.Compare(a.Value, b.Value)
}

// firstIn and lastIn find the ends of a range as Redis does for the
// set's encoding: a linear scan in a listpack, a descent in a skiplist.
// The two agree when the range is monotonic along the set, which a lex
// range is only when all scores are equal; otherwise Redis's results
// depend on the encoding (and, in a skiplist, on its random levels), and
// Herald's follow the listpack's.
func (z *ZSet) firstIn(r rangeSpec) *zskipNode {
	if !z.inRange(r) {
		return nil
	}
	if z.skiplist {
		return z.list.firstInRange(r)
	}
	for x := z.list.header.level[0].forward; x != nil; x = x.level[0].forward {
		if r.gteMinNode(x) {
			if r.lteMaxNode(x) {
				return x
			}
			return nil
		}
	}
	return nil
}

func (z *ZSet) lastIn(r rangeSpec) *zskipNode {
	if !z.inRange(r) {
		return nil
	}
	if z.skiplist {
		return z.list.lastInRange(r)
	}
	for x := z.list.tail; x != nil; x = x.backward {
		if r.lteMaxNode(x) {
			if r.gteMinNode(x) {
				return x
			}
			return nil
		}
	}
	return nil
}

// inRange is Redis's zslIsInRange: the range is not empty, and the set's
// last member is not below it nor its first above it.
func (z *ZSet) inRange(r rangeSpec) bool {
	first, last := z.list.header.level[0].forward, z.list.tail
	return !r.empty() && last != nil && r.gteMinNode(last) && r.lteMaxNode(first)
}

// Range calls fn for the members of ranks start..end (0-based,
// inclusive, already clamped to the set), in order, or from the highest
// score when reverse, until fn returns false.
func (z *ZSet) Range(start, end int, reverse bool, fn func(member string, score float64) bool) {
	n := z.scores.n
	if start < 0 || end >= n || start > end {
		return
	}
	count := end - start + 1
	var x *zskipNode
	if reverse {
		x = z.list.byRank(n - start)
	} else {
		x = z.list.byRank(start + 1)
	}
	for ; x != nil && count > 0; count-- {
		if !fn(x.member, x.score) {
			return
		}
		if reverse {
			x = x.backward
		} else {
			x = x.level[0].forward
		}
	}
}

// RangeByScore calls fn for the members whose score is in r, in order or
// reversed, skipping offset of them first and stopping after limit (< 0:
// no limit) or when fn returns false.
func (z *ZSet) RangeByScore(r ScoreRange, reverse bool, offset, limit int, fn func(member string, score float64) bool) {
	z.rangeBy(&r, reverse, offset, limit, fn)
}

// RangeByLex is RangeByScore for a lexicographic range.
func (z *ZSet) RangeByLex(r LexRange, reverse bool, offset, limit int, fn func(member string, score float64) bool) {
	z.rangeBy(&r, reverse, offset, limit, fn)
}

func (z *ZSet) rangeBy(r rangeSpec, reverse bool, offset, limit int, fn func(string, float64) bool) {
	if offset < 0 {
		return
	}
	var x *zskipNode
	if reverse {
		x = z.lastIn(r)
	} else {
		x = z.firstIn(r)
	}
	if x == nil {
		return
	}
	if offset >= z.scores.n {
		return
	}
	if offset > 0 { // jump by rank rather than walk
		rank := z.list.rank(x.score, x.member)
		if reverse {
			rank -= offset
		} else {
			rank += offset
		}
		if rank < 1 || rank > z.scores.n {
			return
		}
		x = z.list.byRank(rank)
	}
	for ; x != nil && limit != 0; limit-- {
		if reverse {
			if !r.gteMinNode(x) {
				return
			}
		} else if !r.lteMaxNode(x) {
			return
		}
		if !fn(x.member, x.score) {
			return
		}
		if reverse {
			x = x.backward
		} else {
			x = x.level[0].forward
		}
	}
}

// CountByScore returns the number of members whose score is in r.
func (z *ZSet) CountByScore(r ScoreRange) int { return z.countBy(&r) }

// CountByLex returns the number of members in r.
func (z *ZSet) CountByLex(r LexRange) int { return z.countBy(&r) }

func (z *ZSet) countBy(r rangeSpec) int {
	first := z.firstIn(r)
	if first == nil {
		return 0
	}
	if !z.skiplist { // Redis walks a listpack from the first while in range
		n := 0
		for x := first; x != nil && r.lteMaxNode(x); x = x.level[0].forward {
			n++
		}
		return n
	}
	// Redis's arithmetic on ranks (negative if the range is not monotonic).
	n := z.list.length - (z.list.rank(first.score, first.member) - 1)
	if last := z.lastIn(r); last != nil {
		n -= z.list.length - z.list.rank(last.score, last.member)
	}
	return n
}

// RemoveRange removes the members of ranks start..end (0-based,
// inclusive, clamped) and returns how many it removed.
func (z *ZSet) RemoveRange(start, end int) int {
	return z.removeWhile(func(x *zskipNode) *zskipNode {
		if start < 0 || end >= z.scores.n || start > end {
			return nil
		}
		return z.list.byRank(start + 1)
	}, func(x *zskipNode, i int) bool { return i <= end-start })
}

// RemoveRangeByScore removes the members whose score is in r and returns
// how many it removed.
func (z *ZSet) RemoveRangeByScore(r ScoreRange) int {
	return z.removeWhile(func(*zskipNode) *zskipNode { return z.firstIn(&r) },
		func(x *zskipNode, _ int) bool { return r.lteMax(x.score) })
}

// RemoveRangeByLex removes the members in r and returns how many it
// removed.
func (z *ZSet) RemoveRangeByLex(r LexRange) int {
	return z.removeWhile(func(*zskipNode) *zskipNode { return z.firstIn(&r) },
		func(x *zskipNode, _ int) bool { return r.lteMax(x.member) })
}

// removeWhile removes the nodes from first(nil) on while keep holds.
func (z *ZSet) removeWhile(first func(*zskipNode) *zskipNode, keep func(x *zskipNode, i int) bool) int {
	x := first(nil)
	n := 0
	for x != nil && keep(x, n) {
		next := x.level[0].forward
		z.list.delete(x.score, x.member)
		z.forget(x.member)
		x = next
		n++
	}
	return n
}

// The skiplist, as Redis's zskiplist (t_zset.c, after William Pugh's
// paper): levels chosen with p = 1/4 up to 32, each forward link with the
// number of nodes it spans so that ranks are computed on the way down.

const (
	skiplistMaxLevel = 32
	skiplistP        = 0.25
)

type zskipNode struct {
	member   string
	score    float64
	backward *zskipNode
	level    []zskipLevel
}

type zskipLevel struct {
	forward *zskipNode
	span    int
}

type skiplist struct {
	header *zskipNode
	tail   *zskipNode
	length int
	level  int
}

func newSkiplist() skiplist {
	return skiplist{header: &zskipNode{level: make([]zskipLevel, skiplistMaxLevel)}, level: 1}
}

func randomLevel() int {
	level := 1
	for level < skiplistMaxLevel && rand.Float64() < skiplistP {
		level++
	}
	return level
}

// less reports whether node x sorts before (score, member).
func (x *zskipNode) less(score float64, member string) bool {
	return x.score < score || (x.score == score && x.member < member)
}

// insert adds a node; the member must not be in the list.
func (sl *skiplist) insert(score float64, member string) *zskipNode {
	var update [skiplistMaxLevel]*zskipNode
	var rank [skiplistMaxLevel]int
	x := sl.header
	for i := sl.level - 1; i >= 0; i-- {
		if i != sl.level-1 {
			rank[i] = rank[i+1]
		}
		for x.level[i].forward != nil && x.level[i].forward.less(score, member) {
			rank[i] += x.level[i].span
			x = x.level[i].forward
		}
		update[i] = x
	}
	level := randomLevel()
	if level > sl.level {
		for i := sl.level; i < level; i++ {
			rank[i] = 0
			update[i] = sl.header
			update[i].level[i].span = sl.length
		}
		sl.level = level
	}
	x = &zskipNode{member: member, score: score, level: make([]zskipLevel, level)}
	for i := 0; i < level; i++ {
		x.level[i].forward = update[i].level[i].forward
		update[i].level[i].forward = x
		x.level[i].span = update[i].level[i].span - (rank[0] - rank[i])
		update[i].level[i].span = rank[0] - rank[i] + 1
	}
	for i := level; i < sl.level; i++ {
		update[i].level[i].span++
	}
	if update[0] != sl.header {
		x.backward = update[0]
	}
	if x.level[0].forward != nil {
		x.level[0].forward.backward = x
	} else {
		sl.tail = x
	}
	sl.length++
	return x
}

// find returns the nodes before (score, member) on each level.
func (sl *skiplist) find(score float64, member string, update *[skiplistMaxLevel]*zskipNode) *zskipNode {
	x := sl.header
	for i := sl.level - 1; i >= 0; i-- {
		for x.level[i].forward != nil && x.level[i].forward.less(score, member) {
			x = x.level[i].forward
		}
		update[i] = x
	}
	return x.level[0].forward
}

func (sl *skiplist) unlink(x *zskipNode, update *[skiplistMaxLevel]*zskipNode) {
	for i := 0; i < sl.level; i++ {
		if update[i].level[i].forward == x {
			update[i].level[i].span += x.level[i].span - 1
			update[i].level[i].forward = x.level[i].forward
		} else {
			update[i].level[i].span--
		}
	}
	if x.level[0].forward != nil {
		x.level[0].forward.backward = x.backward
	} else {
		sl.tail = x.backward
	}
	for sl.level > 1 && sl.header.level[sl.level-1].forward == nil {
		sl.level--
	}
	sl.length--
}

// delete removes the node (score, member) and reports whether it was
// there.
func (sl *skiplist) delete(score float64, member string) bool {
	var update [skiplistMaxLevel]*zskipNode
	x := sl.find(score, member, &update)
	if x == nil || x.score != score || x.member != member {
		return false
	}
	sl.unlink(x, &update)
	return true
}

// updateScore moves member from score old to score new.
func (sl *skiplist) updateScore(old float64, member string, score float64) {
	var update [skiplistMaxLevel]*zskipNode
	x := sl.find(old, member, &update)
	if x == nil || x.member != member {
		panic("keyspace: zset skiplist and map disagree")
	}
	// In place when the node stays between its neighbours, as Redis does.
	if (x.backward == nil || x.backward.less(score, member)) &&
		(x.level[0].forward == nil || !x.level[0].forward.less(score, member)) {
		x.score = score
		return
	}
	sl.unlink(x, &update)
	sl.insert(score, member)
}

// rank returns the 1-based rank of (score, member), which must be in the
// list.
func (sl *skiplist) rank(score float64, member string) int {
	rank := 0
	x := sl.header
	for i := sl.level - 1; i >= 0; i-- {
		for f := x.level[i].forward; f != nil && (f.less(score, member) || (f.score == score && f.member == member)); f = x.level[i].forward {
			rank += x.level[i].span
			x = f
		}
		if x != sl.header && x.member == member {
			return rank
		}
	}
	return 0
}

// byRank returns the node of 1-based rank, or nil.
func (sl *skiplist) byRank(rank int) *zskipNode {
	traversed := 0
	x := sl.header
	for i := sl.level - 1; i >= 0; i-- {
		for x.level[i].forward != nil && traversed+x.level[i].span <= rank {
			traversed += x.level[i].span
			x = x.level[i].forward
		}
		if traversed == rank {
			return x
		}
	}
	return nil
}

// firstInRange returns the first node in r, or nil.
func (sl *skiplist) firstInRange(r rangeSpec) *zskipNode {
	x := sl.header
	for i := sl.level - 1; i >= 0; i-- {
		for x.level[i].forward != nil && !r.gteMinNode(x.level[i].forward) {
			x = x.level[i].forward
		}
	}
	x = x.level[0].forward
	if x == nil || !r.lteMaxNode(x) || !r.gteMinNode(x) {
		return nil
	}
	return x
}

// lastInRange returns the last node in r, or nil.
func (sl *skiplist) lastInRange(r rangeSpec) *zskipNode {
	x := sl.header
	for i := sl.level - 1; i >= 0; i-- {
		for x.level[i].forward != nil && r.lteMaxNode(x.level[i].forward) {
			x = x.level[i].forward
		}
	}
	if x == sl.header || !r.gteMinNode(x) || !r.lteMaxNode(x) {
		return nil
	}
	return x
}
