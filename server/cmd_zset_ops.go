package server

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/heraldhq/herald/internal/resp"
	"github.com/heraldhq/herald/keyspace"
)

// ZUNION, ZINTER, ZDIFF, their STORE forms and ZINTERCARD, as Redis 7.0's
// zunionInterDiffGenericCommand (their inputs may be sets, whose members
// score 1); ZMPOP and ZRANDMEMBER.

func registerZSetOps(t commandTable) {
	store := commandMeta{flags: []string{"write", "denyoom", "movablekeys"}, firstKey: 1, lastKey: 1, keyStep: 1,
		categories: []string{"@write", "@sortedset", "@slow"}}
	read := commandMeta{flags: []string{"readonly", "movablekeys"}, categories: []string{"@read", "@sortedset", "@slow"}}
	add := func(name string, arity int, m commandMeta, op zsetOp, dst, card bool) {
		t.add(&command{name: name, arity: arity, flags: flagKeyspace, meta: m, run: func(c *conn, args [][]byte) {
			zsetOpGeneric(c, args, op, dst, card)
		}})
	}
	add("zunionstore", -4, store, zsetUnion, true, false)
	add("zinterstore", -4, store, zsetInter, true, false)
	add("zdiffstore", -4, store, zsetDiff, true, false)
	add("zunion", -3, read, zsetUnion, false, false)
	add("zinter", -3, read, zsetInter, false, false)
	add("zdiff", -3, read, zsetDiff, false, false)
	add("zintercard", -3, read, zsetInter, false, true)
	t.add(&command{name: "zmpop", arity: -4, flags: flagKeyspace, run: cmdZMPop,
		meta: commandMeta{flags: []string{"write", "movablekeys"}, categories: []string{"@write", "@sortedset", "@slow"}}})
	t.add(&command{name: "zrandmember", arity: -2, flags: flagKeyspace, run: cmdZRandMember,
		meta: commandMeta{flags: []string{"readonly"}, firstKey: 1, lastKey: 1, keyStep: 1, categories: []string{"@read", "@sortedset", "@slow"}}})
}

// cmdZMPop is ZMPOP numkeys key [key ...] MIN|MAX [COUNT count]: it pops
// from the first of the keys that holds a sorted set.
func cmdZMPop(c *conn, args [][]byte) {
	numkeys, ok := parseInteger(args[1])
	if !ok || numkeys < 1 {
		c.writeError(errZNumkeys)
		return
	}
	if numkeys > int64(len(args)-3) { // no room for MIN|MAX after the keys
		c.writeError(errSyntax)
		return
	}
	whereIdx := 2 + int(numkeys)
	var max bool
	switch lowerASCII(string(args[whereIdx])) {
	case "min":
	case "max":
		max = true
	default:
		c.writeError(errSyntax)
		return
	}
	count := int64(-1)
	for j := whereIdx + 1; j < len(args); j++ {
		if count == -1 && equalFoldASCII(string(args[j]), "count") && j+1 < len(args) {
			j++
			n, ok := parseInteger(args[j])
			if !ok || n < 1 {
				c.writeError(errZCountGT0)
				return
			}
			count = n
			continue
		}
		c.writeError(errSyntax)
		return
	}
	if count == -1 {
		count = 1
	}
	for _, k := range args[2:whereIdx] {
		z, ok := c.zsetWrite(k)
		if !ok {
			return
		}
		if z == nil {
			continue
		}
		n := min(count, int64(z.Len()))
		c.writeArrayLen(2)
		c.writeBulk(k)
		c.writeArrayLen(int(n))
		zpopN(c, string(k), z, int(n), max, true)
		return
	}
	c.reply = resp.AppendNullArray(c.reply, c.proto)
}

// zrandMaxCount bounds a negative ZRANDMEMBER count (members may repeat),
// whose reply Redis would build however large: Herald refuses a reply of
// more members than this.
const zrandMaxCount = 1 << 24

// cmdZRandMember is ZRANDMEMBER key [count [WITHSCORES]].
func cmdZRandMember(c *conn, args [][]byte) {
	if len(args) < 3 {
		z, ok := c.zsetRead(args[1])
		if !ok {
			return
		}
		if z == nil {
			c.writeNull()
			return
		}
		r := rand.IntN(z.Len())
		z.Range(r, r, false, func(m string, _ float64) bool {
			c.writeBulkString(m)
			return false
		})
		return
	}
	l, ok := parseInteger(args[2])
	if !ok {
		c.writeError(errNotInteger)
		return
	}
	if l == math.MinInt64 {
		c.writeError(errZRandCountRange)
		return
	}
	if len(args) > 4 || (len(args) == 4 && !equalFoldASCII(string(args[3]), "withscores")) {
		c.writeError(errSyntax)
		return
	}
	withScores := len(args) == 4
	if (withScores && (l < -math.MaxInt64/2 || l > math.MaxInt64/2)) || l < -zrandMaxCount {
		c.writeError(errZValueRange)
		return
	}
	z, ok := c.zsetRead(args[1])
	if !ok {
		return
	}
	if z == nil || l == 0 {
		c.writeArrayLen(0)
		return
	}
	size := z.Len()
	var ranks []int
	switch {
	case l < 0 || l == 1: // with repeats, in random order
		n := -l
		if l == 1 {
			n = 1
		}
		ranks = make([]int, n)
		for i := range ranks {
			ranks[i] = rand.IntN(size)
		}
	case l >= int64(size): // the whole set, from the highest score, as Redis's iterator
		ranks = make([]int, size)
		for i := range ranks {
			ranks[i] = size - 1 - i
		}
	default: // distinct members
		ranks = rand.Perm(size)[:l]
	}
	if withScores && c.proto < resp.RESP3 {
		c.writeArrayLen(2 * len(ranks))
	} else {
		c.writeArrayLen(len(ranks))
	}
	for _, r := range ranks {
		z.Range(r, r, false, func(m string, s float64) bool {
			if withScores && c.proto >= resp.RESP3 {
				c.writeArrayLen(2)
			}
			c.writeBulkString(m)
			if withScores {
				c.writeZScore(s)
			}
			return false
		})
	}
}

type zsetOp int

const (
	zsetUnion zsetOp = iota
	zsetInter
	zsetDiff
)

// zsetOpSource is one input: a sorted set, a set (scores 1) or nothing.
type zsetOpSource struct {
	zset   *keyspace.ZSet
	set    plainSet
	weight float64
}

// plainSet is what the operations need of a set value.
type plainSet interface {
	Len() int
	Has(member string) bool
	Each(fn func(member string) bool)
}

func (s *zsetOpSource) len() int {
	switch {
	case s.zset != nil:
		return s.zset.Len()
	case s.set != nil:
		return s.set.Len()
	}
	return 0
}

func (s *zsetOpSource) score(member string) (float64, bool) {
	switch {
	case s.zset != nil:
		return s.zset.Score(member)
	case s.set != nil && s.set.Has(member):
		return 1, true
	}
	return 0, false
}

func (s *zsetOpSource) each(fn func(member string, score float64) bool) {
	switch {
	case s.zset != nil:
		s.zset.Range(0, s.zset.Len()-1, false, fn)
	case s.set != nil:
		s.set.Each(func(m string) bool { return fn(m, 1) })
	}
}

// zsetOpGeneric runs an operation: dst, the destination key is args[1] and
// numkeys args[2]; else numkeys is args[1]. card: ZINTERCARD.
func zsetOpGeneric(c *conn, args [][]byte, op zsetOp, dst, card bool) {
	numkeysIdx := 1
	if dst {
		numkeysIdx = 2
	}
	setnum, ok := parseInteger(args[numkeysIdx])
	if !ok {
		c.writeError(errNotInteger)
		return
	}
	if setnum < 1 {
		c.writeError(fmt.Sprintf(errZAtLeastOneKeyFmt, lowerASCII(string(args[0]))))
		return
	}
	if setnum > int64(len(args)-numkeysIdx-1) {
		c.writeError(errSyntax)
		return
	}
	src := make([]zsetOpSource, setnum)
	j := numkeysIdx + 1
	for i := range src {
		src[i].weight = 1
		if e := c.lookupRead(args[j]); e != nil {
			switch v := e.Value.(type) {
			case *keyspace.ZSet:
				src[i].zset = v
			case plainSet:
				if e.Value.Type() != "set" {
					c.writeError(errWrongType)
					return
				}
				src[i].set = v
			default:
				c.writeError(errWrongType)
				return
			}
		}
		j++
	}
	aggregate, withScores, limit := "sum", false, int64(0)
	for j < len(args) {
		remaining := len(args) - j
		opt := lowerASCII(string(args[j]))
		switch {
		case op != zsetDiff && !card && remaining >= len(src)+1 && opt == "weights":
			j++
			for i := range src {
				w, ok := zparseDouble(args[j])
				if !ok {
					c.writeError(errZWeightFloat)
					return
				}
				src[i].weight = w
				j++
			}
		case op != zsetDiff && !card && remaining >= 2 && opt == "aggregate":
			aggregate = lowerASCII(string(args[j+1]))
			if aggregate != "sum" && aggregate != "min" && aggregate != "max" {
				c.writeError(errSyntax)
				return
			}
			j += 2
		case !dst && !card && opt == "withscores":
			withScores = true
			j++
		case card && remaining >= 2 && opt == "limit":
			n, ok := parseInteger(args[j+1])
			if !ok || n < 0 {
				c.writeError(errZLimitNegative)
				return
			}
			limit = n
			j += 2
		default:
			c.writeError(errSyntax)
			return
		}
	}
	if op != zsetDiff { // smallest first, as Redis's (stable) qsort
		slices.SortStableFunc(src, func(a, b zsetOpSource) int { return a.len() - b.len() })
	}
	var members []string
	var scores []float64
	switch op {
	case zsetInter:
		if card {
			c.writeInt(zsetInterCard(src, limit))
			return
		}
		members, scores = zsetInterOf(src, aggregate)
	case zsetUnion:
		members, scores = zsetUnionOf(src, aggregate)
	case zsetDiff:
		members, scores = zsetDiffOf(src)
	}
	result := keyspace.BuildZSet(members, scores, dst)
	if dst {
		zsetStoreResult(c, string(args[1]), result, [...]string{"zunionstore", "zinterstore", "zdiffstore"}[op])
		return
	}
	n := result.Len()
	if withScores && c.proto < resp.RESP3 {
		c.writeArrayLen(2 * n)
	} else {
		c.writeArrayLen(n)
	}
	result.Range(0, n-1, false, func(m string, s float64) bool {
		if withScores && c.proto >= resp.RESP3 {
			c.writeArrayLen(2)
		}
		c.writeBulkString(m)
		if withScores {
			c.writeZScore(s)
		}
		return true
	})
}

// zsetAggregate is zunionInterAggregate.
func zsetAggregate(target *float64, val float64, aggregate string) {
	switch aggregate {
	case "sum":
		*target += val
		if math.IsNaN(*target) { // inf + -inf
			*target = 0
		}
	case "min":
		if val < *target {
			*target = val
		}
	case "max":
		if val > *target {
			*target = val
		}
	}
}

// weighted is a member's first score in an operation: NaN (0 * inf) is 0.
func weighted(score, weight float64) float64 {
	s := score * weight
	if math.IsNaN(s) {
		return 0
	}
	return s
}

func zsetInterOf(src []zsetOpSource, aggregate string) ([]string, []float64) {
	var members []string
	var scores []float64
	if src[0].len() == 0 {
		return nil, nil
	}
	src[0].each(func(m string, s float64) bool {
		score := weighted(s, src[0].weight)
		for j := 1; j < len(src); j++ {
			v, ok := src[j].score(m)
			if !ok {
				return true
			}
			zsetAggregate(&score, v*src[j].weight, aggregate)
		}
		members, scores = append(members, m), append(scores, score)
		return true
	})
	return members, scores
}

func zsetInterCard(src []zsetOpSource, limit int64) int64 {
	var n int64
	if src[0].len() == 0 {
		return 0
	}
	src[0].each(func(m string, _ float64) bool {
		for j := 1; j < len(src); j++ {
			if _, ok := src[j].score(m); !ok {
				return true
			}
		}
		n++
		return limit == 0 || n < limit
	})
	return n
}

func zsetUnionOf(src []zsetOpSource, aggregate string) ([]string, []float64) {
	index := map[string]int{}
	var members []string
	var scores []float64
	for i := range src {
		src[i].each(func(m string, s float64) bool {
			score := weighted(s, src[i].weight)
			if k, ok := index[m]; ok {
				zsetAggregate(&scores[k], score, aggregate)
				return true
			}
			index[m] = len(members)
			members, scores = append(members, m), append(scores, score)
			return true
		})
	}
	return members, scores
}

func zsetDiffOf(src []zsetOpSource) ([]string, []float64) {
	var members []string
	var scores []float64
	src[0].each(func(m string, s float64) bool {
		for j := 1; j < len(src); j++ {
			if _, ok := src[j].score(m); ok {
				return true
			}
		}
		members, scores = append(members, m), append(scores, s)
		return true
	})
	return members, scores
}

// zsetStoreResult stores a result at dst (or deletes dst for an empty
// one) and replies, as the end of zunionInterDiffGenericCommand and
// zrangeResultFinalizeStore.
func zsetStoreResult(c *conn, dst string, z *keyspace.ZSet, event string) {
	db := c.keyspaceDB()
	if z.Len() > 0 {
		if db.Lookup(dst) == nil { // Redis's setKey: an expired destination goes first
			db.Add(dst, z)
			c.notify(keyspace.ClassNew, "new", dst)
		} else {
			db.Set(dst, z, false)
		}
		db.Written(dst)
		c.writeInt(int64(z.Len()))
		c.notify(keyspace.ClassZSet, event, dst)
		return
	}
	c.writeInt(0)
	if db.Delete(dst) { // as Redis's dbDelete, an expired destination too
		db.Written(dst)
		c.notify(keyspace.ClassGeneric, "del", dst)
	}
}

// zsetOpsDocs are the COMMAND DOCS entries of the commands above, transcribed
// from redis-server 7.0.15 as those of cmd_zset_docs.go.
var zsetOpsDocs = map[string]*commandDoc{
	"zmpop": {
		summary:    "Remove and return members with scores in a sorted set",
		since:      "7.0.0",
		group:      "sorted-set",
		complexity: "O(K) + O(M*log(N)) where K is the number of provided keys, N being the number of elements in the sorted set, and M being the number of elements popped.",
		keySpecs:   []keySpec{{flags: []string{"RW", "access", "delete"}, beginIndex: 1, keynum: true, keynumIdx: 0, firstKey: 1, keyStep: 1}},
		args: []docArg{
			{name: "numkeys", kind: "integer"},
			{name: "key", kind: "key", flags: argMultiple},
			{name: "where", kind: "oneof", args: []docArg{
				{name: "min", kind: "pure-token", token: "MIN"},
				{name: "max", kind: "pure-token", token: "MAX"},
			}},
			{name: "count", kind: "integer", token: "COUNT", flags: argOptional},
		},
	},
	"zrandmember": {
		summary:    "Get one or multiple random elements from a sorted set",
		since:      "6.2.0",
		group:      "sorted-set",
		complexity: "O(N) where N is the number of elements returned",
		tips:       []string{"nondeterministic_output"},
		keySpecs:   []keySpec{{flags: []string{"RO", "access"}, beginIndex: 1, lastKey: 0, keyStep: 1, limit: 0}},
		args: []docArg{
			{name: "key", kind: "key"},
			{name: "options", kind: "block", flags: argOptional, args: []docArg{
				{name: "count", kind: "integer"},
				{name: "withscores", kind: "pure-token", token: "WITHSCORES", flags: argOptional},
			}},
		},
	},
	"zunionstore": {
		summary:    "Add multiple sorted sets and store the resulting sorted set in a new key",
		since:      "2.0.0",
		group:      "sorted-set",
		complexity: "O(N)+O(M log(M)) with N being the sum of the sizes of the input sorted sets, and M being the number of elements in the resulting sorted set.",
		keySpecs:   []keySpec{{flags: []string{"OW", "update"}, beginIndex: 1, lastKey: 0, keyStep: 1, limit: 0}, {flags: []string{"RO", "access"}, beginIndex: 2, keynum: true, keynumIdx: 0, firstKey: 1, keyStep: 1}},
		args: []docArg{
			{name: "destination", kind: "key"},
			{name: "numkeys", kind: "integer"},
			{name: "key", kind: "key", flags: argMultiple, keySpec: 1},
			{name: "weight", kind: "integer", token: "WEIGHTS", flags: argOptionalMultiple},
			{name: "aggregate", kind: "oneof", token: "AGGREGATE", flags: argOptional, args: []docArg{
				{name: "sum", kind: "pure-token", token: "SUM"},
				{name: "min", kind: "pure-token", token: "MIN"},
				{name: "max", kind: "pure-token", token: "MAX"},
			}},
		},
	},
	"zinterstore": {
		summary:    "Intersect multiple sorted sets and store the resulting sorted set in a new key",
		since:      "2.0.0",
		group:      "sorted-set",
		complexity: "O(N*K)+O(M*log(M)) worst case with N being the smallest input sorted set, K being the number of input sorted sets and M being the number of elements in the resulting sorted set.",
		keySpecs:   []keySpec{{flags: []string{"OW", "update"}, beginIndex: 1, lastKey: 0, keyStep: 1, limit: 0}, {flags: []string{"RO", "access"}, beginIndex: 2, keynum: true, keynumIdx: 0, firstKey: 1, keyStep: 1}},
		args: []docArg{
			{name: "destination", kind: "key"},
			{name: "numkeys", kind: "integer"},
			{name: "key", kind: "key", flags: argMultiple, keySpec: 1},
			{name: "weight", kind: "integer", token: "WEIGHTS", flags: argOptionalMultiple},
			{name: "aggregate", kind: "oneof", token: "AGGREGATE", flags: argOptional, args: []docArg{
				{name: "sum", kind: "pure-token", token: "SUM"},
				{name: "min", kind: "pure-token", token: "MIN"},
				{name: "max", kind: "pure-token", token: "MAX"},
			}},
		},
	},
	"zdiffstore": {
		summary:    "Subtract multiple sorted sets and store the resulting sorted set in a new key",
		since:      "6.2.0",
		group:      "sorted-set",
		complexity: "O(L + (N-K)log(N)) worst case where L is the total number of elements in all the sets, N is the size of the first set, and K is the size of the result set.",
		keySpecs:   []keySpec{{flags: []string{"OW", "update"}, beginIndex: 1, lastKey: 0, keyStep: 1, limit: 0}, {flags: []string{"RO", "access"}, beginIndex: 2, keynum: true, keynumIdx: 0, firstKey: 1, keyStep: 1}},
		args: []docArg{
			{name: "destination", kind: "key"},
			{name: "numkeys", kind: "integer"},
			{name: "key", kind: "key", flags: argMultiple, keySpec: 1},
		},
	},
	"zunion": {
		summary:    "Add multiple sorted sets",
		since:      "6.2.0",
		group:      "sorted-set",
		complexity: "O(N)+O(M*log(M)) with N being the sum of the sizes of the input sorted sets, and M being the number of elements in the resulting sorted set.",
		keySpecs:   []keySpec{{flags: []string{"RO", "access"}, beginIndex: 1, keynum: true, keynumIdx: 0, firstKey: 1, keyStep: 1}},
		args: []docArg{
			{name: "numkeys", kind: "integer"},
			{name: "key", kind: "key", flags: argMultiple},
			{name: "weight", kind: "integer", token: "WEIGHTS", flags: argOptionalMultiple},
			{name: "aggregate", kind: "oneof", token: "AGGREGATE", flags: argOptional, args: []docArg{
				{name: "sum", kind: "pure-token", token: "SUM"},
				{name: "min", kind: "pure-token", token: "MIN"},
				{name: "max", kind: "pure-token", token: "MAX"},
			}},
			{name: "withscores", kind: "pure-token", token: "WITHSCORES", flags: argOptional},
		},
	},
	"zinter": {
		summary:    "Intersect multiple sorted sets",
		since:      "6.2.0",
		group:      "sorted-set",
		complexity: "O(N*K)+O(M*log(M)) worst case with N being the smallest input sorted set, K being the number of input sorted sets and M being the number of elements in the resulting sorted set.",
		keySpecs:   []keySpec{{flags: []string{"RO", "access"}, beginIndex: 1, keynum: true, keynumIdx: 0, firstKey: 1, keyStep: 1}},
		args: []docArg{
			{name: "numkeys", kind: "integer"},
			{name: "key", kind: "key", flags: argMultiple},
			{name: "weight", kind: "integer", token: "WEIGHTS", flags: argOptionalMultiple},
			{name: "aggregate", kind: "oneof", token: "AGGREGATE", flags: argOptional, args: []docArg{
				{name: "sum", kind: "pure-token", token: "SUM"},
				{name: "min", kind: "pure-token", token: "MIN"},
				{name: "max", kind: "pure-token", token: "MAX"},
			}},
			{name: "withscores", kind: "pure-token", token: "WITHSCORES", flags: argOptional},
		},
	},
	"zdiff": {
		summary:    "Subtract multiple sorted sets",
		since:      "6.2.0",
		group:      "sorted-set",
		complexity: "O(L + (N-K)log(N)) worst case where L is the total number of elements in all the sets, N is the size of the first set, and K is the size of the result set.",
		keySpecs:   []keySpec{{flags: []string{"RO", "access"}, beginIndex: 1, keynum: true, keynumIdx: 0, firstKey: 1, keyStep: 1}},
		args: []docArg{
			{name: "numkeys", kind: "integer"},
			{name: "key", kind: "key", flags: argMultiple},
			{name: "withscores", kind: "pure-token", token: "WITHSCORES", flags: argOptional},
		},
	},
	"zintercard": {
		summary:    "Intersect multiple sorted sets and return the cardinality of the result",
		since:      "7.0.0",
		group:      "sorted-set",
		complexity: "O(N*K) worst case with N being the smallest input sorted set, K being the number of input sorted sets.",
		keySpecs:   []keySpec{{flags: []string{"RO", "access"}, beginIndex: 1, keynum: true, keynumIdx: 0, firstKey: 1, keyStep: 1}},
		args: []docArg{
			{name: "numkeys", kind: "integer"},
			{name: "key", kind: "key", flags: argMultiple},
			{name: "limit", kind: "integer", token: "LIMIT", flags: argOptional},
		},
	},
}

func init() {
	for name, doc := range zsetOpsDocs {
		commandDocs[name] = doc
	}
}
