// The COMMAND DOCS entries of the sorted-set commands (cmd_zset.go),
// transcribed from redis-server 7.0.15's COMMAND DOCS and COMMAND INFO by a
// script, as those in cmd_command_docs.go; TestCommandMatchesRedis compares
// them with a real redis-server.

package server

func init() {
	for name, doc := range zsetDocs {
		commandDocs[name] = doc
	}
}

var zsetDocs = map[string]*commandDoc{
	"zadd": {
		summary:    "Add one or more members to a sorted set, or update its score if it already exists",
		since:      "1.2.0",
		group:      "sorted-set",
		complexity: "O(log(N)) for each item added, where N is the number of elements in the sorted set.",
		history:    [][2]string{{"2.4.0", "Accepts multiple elements."}, {"3.0.2", "Added the `XX`, `NX`, `CH` and `INCR` options."}, {"6.2.0", "Added the `GT` and `LT` options."}},
		keySpecs:   []keySpec{{flags: []string{"RW", "update"}, beginIndex: 1, lastKey: 0, keyStep: 1, limit: 0}},
		args: []docArg{
			{name: "key", kind: "key"},
			{name: "condition", kind: "oneof", since: "3.0.2", flags: argOptional, args: []docArg{
				{name: "nx", kind: "pure-token", token: "NX"},
				{name: "xx", kind: "pure-token", token: "XX"},
			}},
			{name: "comparison", kind: "oneof", since: "6.2.0", flags: argOptional, args: []docArg{
				{name: "gt", kind: "pure-token", token: "GT"},
				{name: "lt", kind: "pure-token", token: "LT"},
			}},
			{name: "change", kind: "pure-token", token: "CH", since: "3.0.2", flags: argOptional},
			{name: "increment", kind: "pure-token", token: "INCR", since: "3.0.2", flags: argOptional},
			{name: "score_member", kind: "block", flags: argMultiple, args: []docArg{
				{name: "score", kind: "double"},
				{name: "member", kind: "string"},
			}},
		},
	},
	"zcard": {
		summary:    "Get the number of members in a sorted set",
		since:      "1.2.0",
		group:      "sorted-set",
		complexity: "O(1)",
		keySpecs:   []keySpec{{flags: []string{"RO"}, beginIndex: 1, lastKey: 0, keyStep: 1, limit: 0}},
		args: []docArg{
			{name: "key", kind: "key"},
		},
	},
	"zcount": {
		summary:    "Count the members in a sorted set with scores within the given values",
		since:      "2.0.0",
		group:      "sorted-set",
		complexity: "O(log(N)) with N being the number of elements in the sorted set.",
		keySpecs:   []keySpec{{flags: []string{"RO", "access"}, beginIndex: 1, lastKey: 0, keyStep: 1, limit: 0}},
		args: []docArg{
			{name: "key", kind: "key"},
			{name: "min", kind: "double"},
			{name: "max", kind: "double"},
		},
	},
	"zincrby": {
		summary:    "Increment the score of a member in a sorted set",
		since:      "1.2.0",
		group:      "sorted-set",
		complexity: "O(log(N)) where N is the number of elements in the sorted set.",
		keySpecs:   []keySpec{{flags: []string{"RW", "access", "update"}, beginIndex: 1, lastKey: 0, keyStep: 1, limit: 0}},
		args: []docArg{
			{name: "key", kind: "key"},
			{name: "increment", kind: "integer"},
			{name: "member", kind: "string"},
		},
	},
	"zlexcount": {
		summary:    "Count the number of members in a sorted set between a given lexicographical range",
		since:      "2.8.9",
		group:      "sorted-set",
		complexity: "O(log(N)) with N being the number of elements in the sorted set.",
		keySpecs:   []keySpec{{flags: []string{"RO", "access"}, beginIndex: 1, lastKey: 0, keyStep: 1, limit: 0}},
		args: []docArg{
			{name: "key", kind: "key"},
			{name: "min", kind: "string"},
			{name: "max", kind: "string"},
		},
	},
	"zmscore": {
		summary:    "Get the score associated with the given members in a sorted set",
		since:      "6.2.0",
		group:      "sorted-set",
		complexity: "O(N) where N is the number of members being requested.",
		keySpecs:   []keySpec{{flags: []string{"RO", "access"}, beginIndex: 1, lastKey: 0, keyStep: 1, limit: 0}},
		args: []docArg{
			{name: "key", kind: "key"},
			{name: "member", kind: "string", flags: argMultiple},
		},
	},
	"zpopmax": {
		summary:    "Remove and return members with the highest scores in a sorted set",
		since:      "5.0.0",
		group:      "sorted-set",
		complexity: "O(log(N)*M) with N being the number of elements in the sorted set, and M being the number of elements popped.",
		keySpecs:   []keySpec{{flags: []string{"RW", "access", "delete"}, beginIndex: 1, lastKey: 0, keyStep: 1, limit: 0}},
		args: []docArg{
			{name: "key", kind: "key"},
			{name: "count", kind: "integer", flags: argOptional},
		},
	},
	"zpopmin": {
		summary:    "Remove and return members with the lowest scores in a sorted set",
		since:      "5.0.0",
		group:      "sorted-set",
		complexity: "O(log(N)*M) with N being the number of elements in the sorted set, and M being the number of elements popped.",
		keySpecs:   []keySpec{{flags: []string{"RW", "access", "delete"}, beginIndex: 1, lastKey: 0, keyStep: 1, limit: 0}},
		args: []docArg{
			{name: "key", kind: "key"},
			{name: "count", kind: "integer", flags: argOptional},
		},
	},
	"zrange": {
		summary:    "Return a range of members in a sorted set",
		since:      "1.2.0",
		group:      "sorted-set",
		complexity: "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements returned.",
		history:    [][2]string{{"6.2.0", "Added the `REV`, `BYSCORE`, `BYLEX` and `LIMIT` options."}},
		keySpecs:   []keySpec{{flags: []string{"RO", "access"}, beginIndex: 1, lastKey: 0, keyStep: 1, limit: 0}},
		args: []docArg{
			{name: "key", kind: "key"},
			{name: "start", kind: "string"},
			{name: "stop", kind: "string"},
			{name: "sortby", kind: "oneof", since: "6.2.0", flags: argOptional, args: []docArg{
				{name: "byscore", kind: "pure-token", token: "BYSCORE"},
				{name: "bylex", kind: "pure-token", token: "BYLEX"},
			}},
			{name: "rev", kind: "pure-token", token: "REV", since: "6.2.0", flags: argOptional},
			{name: "offset_count", kind: "block", token: "LIMIT", since: "6.2.0", flags: argOptional, args: []docArg{
				{name: "offset", kind: "integer"},
				{name: "count", kind: "integer"},
			}},
			{name: "withscores", kind: "pure-token", token: "WITHSCORES", flags: argOptional},
		},
	},
	"zrangebylex": {
		summary:         "Return a range of members in a sorted set, by lexicographical range",
		since:           "2.8.9",
		group:           "sorted-set",
		complexity:      "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned. If M is constant (e.g. always asking for the first 10 elements with LIMIT), you can consider it O(log(N)).",
		docFlags:        []string{"deprecated"},
		deprecatedSince: "6.2.0",
		replacedBy:      "`ZRANGE` with the `BYLEX` argument",
		keySpecs:        []keySpec{{flags: []string{"RO", "access"}, beginIndex: 1, lastKey: 0, keyStep: 1, limit: 0}},
		args: []docArg{
			{name: "key", kind: "key"},
			{name: "min", kind: "string"},
			{name: "max", kind: "string"},
			{name: "offset_count", kind: "block", token: "LIMIT", flags: argOptional, args: []docArg{
				{name: "offset", kind: "integer"},
				{name: "count", kind: "integer"},
			}},
		},
	},
	"zrangebyscore": {
		summary:         "Return a range of members in a sorted set, by score",
		since:           "1.0.5",
		group:           "sorted-set",
		complexity:      "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned. If M is constant (e.g. always asking for the first 10 elements with LIMIT), you can consider it O(log(N)).",
		docFlags:        []string{"deprecated"},
		deprecatedSince: "6.2.0",
		replacedBy:      "`ZRANGE` with the `BYSCORE` argument",
		history:         [][2]string{{"2.0.0", "Added the `WITHSCORES` modifier."}},
		keySpecs:        []keySpec{{flags: []string{"RO", "access"}, beginIndex: 1, lastKey: 0, keyStep: 1, limit: 0}},
		args: []docArg{
			{name: "key", kind: "key"},
			{name: "min", kind: "double"},
			{name: "max", kind: "double"},
			{name: "withscores", kind: "pure-token", token: "WITHSCORES", since: "2.0.0", flags: argOptional},
			{name: "offset_count", kind: "block", token: "LIMIT", flags: argOptional, args: []docArg{
				{name: "offset", kind: "integer"},
				{name: "count", kind: "integer"},
			}},
		},
	},
	"zrangestore": {
		summary:    "Store a range of members from sorted set into another key",
		since:      "6.2.0",
		group:      "sorted-set",
		complexity: "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements stored into the destination key.",
		keySpecs:   []keySpec{{flags: []string{"OW", "update"}, beginIndex: 1, lastKey: 0, keyStep: 1, limit: 0}, {flags: []string{"RO", "access"}, beginIndex: 2, lastKey: 0, keyStep: 1, limit: 0}},
		args: []docArg{
			{name: "dst", kind: "key"},
			{name: "src", kind: "key", keySpec: 1},
			{name: "min", kind: "string"},
			{name: "max", kind: "string"},
			{name: "sortby", kind: "oneof", flags: argOptional, args: []docArg{
				{name: "byscore", kind: "pure-token", token: "BYSCORE"},
				{name: "bylex", kind: "pure-token", token: "BYLEX"},
			}},
			{name: "rev", kind: "pure-token", token: "REV", flags: argOptional},
			{name: "offset_count", kind: "block", token: "LIMIT", flags: argOptional, args: []docArg{
				{name: "offset", kind: "integer"},
				{name: "count", kind: "integer"},
			}},
		},
	},
	"zrank": {
		summary:    "Determine the index of a member in a sorted set",
		since:      "2.0.0",
		group:      "sorted-set",
		complexity: "O(log(N))",
		keySpecs:   []keySpec{{flags: []string{"RO", "access"}, beginIndex: 1, lastKey: 0, keyStep: 1, limit: 0}},
		args: []docArg{
			{name: "key", kind: "key"},
			{name: "member", kind: "string"},
		},
	},
	"zrem": {
		summary:    "Remove one or more members from a sorted set",
		since:      "1.2.0",
		group:      "sorted-set",
		complexity: "O(M*log(N)) with N being the number of elements in the sorted set and M the number of elements to be removed.",
		history:    [][2]string{{"2.4.0", "Accepts multiple elements."}},
		keySpecs:   []keySpec{{flags: []string{"RW", "delete"}, beginIndex: 1, lastKey: 0, keyStep: 1, limit: 0}},
		args: []docArg{
			{name: "key", kind: "key"},
			{name: "member", kind: "string", flags: argMultiple},
		},
	},
	"zremrangebylex": {
		summary:    "Remove all members in a sorted set between the given lexicographical range",
		since:      "2.8.9",
		group:      "sorted-set",
		complexity: "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements removed by the operation.",
		keySpecs:   []keySpec{{flags: []string{"RW", "delete"}, beginIndex: 1, lastKey: 0, keyStep: 1, limit: 0}},
		args: []docArg{
			{name: "key", kind: "key"},
			{name: "min", kind: "string"},
			{name: "max", kind: "string"},
		},
	},
	"zremrangebyrank": {
		summary:    "Remove all members in a sorted set within the given indexes",
		since:      "2.0.0",
		group:      "sorted-set",
		complexity: "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements removed by the operation.",
		keySpecs:   []keySpec{{flags: []string{"RW", "delete"}, beginIndex: 1, lastKey: 0, keyStep: 1, limit: 0}},
		args: []docArg{
			{name: "key", kind: "key"},
			{name: "start", kind: "integer"},
			{name: "stop", kind: "integer"},
		},
	},
	"zremrangebyscore": {
		summary:    "Remove all members in a sorted set within the given scores",
		since:      "1.2.0",
		group:      "sorted-set",
		complexity: "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements removed by the operation.",
		keySpecs:   []keySpec{{flags: []string{"RW", "delete"}, beginIndex: 1, lastKey: 0, keyStep: 1, limit: 0}},
		args: []docArg{
			{name: "key", kind: "key"},
			{name: "min", kind: "double"},
			{name: "max", kind: "double"},
		},
	},
	"zrevrange": {
		summary:         "Return a range of members in a sorted set, by index, with scores ordered from high to low",
		since:           "1.2.0",
		group:           "sorted-set",
		complexity:      "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements returned.",
		docFlags:        []string{"deprecated"},
		deprecatedSince: "6.2.0",
		replacedBy:      "`ZRANGE` with the `REV` argument",
		keySpecs:        []keySpec{{flags: []string{"RO", "access"}, beginIndex: 1, lastKey: 0, keyStep: 1, limit: 0}},
		args: []docArg{
			{name: "key", kind: "key"},
			{name: "start", kind: "integer"},
			{name: "stop", kind: "integer"},
			{name: "withscores", kind: "pure-token", token: "WITHSCORES", flags: argOptional},
		},
	},
	"zrevrangebylex": {
		summary:         "Return a range of members in a sorted set, by lexicographical range, ordered from higher to lower strings.",
		since:           "2.8.9",
		group:           "sorted-set",
		complexity:      "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned. If M is constant (e.g. always asking for the first 10 elements with LIMIT), you can consider it O(log(N)).",
		docFlags:        []string{"deprecated"},
		deprecatedSince: "6.2.0",
		replacedBy:      "`ZRANGE` with the `REV` and `BYLEX` arguments",
		keySpecs:        []keySpec{{flags: []string{"RO", "access"}, beginIndex: 1, lastKey: 0, keyStep: 1, limit: 0}},
		args: []docArg{
			{name: "key", kind: "key"},
			{name: "max", kind: "string"},
			{name: "min", kind: "string"},
			{name: "offset_count", kind: "block", token: "LIMIT", flags: argOptional, args: []docArg{
				{name: "offset", kind: "integer"},
				{name: "count", kind: "integer"},
			}},
		},
	},
	"zrevrangebyscore": {
		summary:         "Return a range of members in a sorted set, by score, with scores ordered from high to low",
		since:           "2.2.0",
		group:           "sorted-set",
		complexity:      "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned. If M is constant (e.g. always asking for the first 10 elements with LIMIT), you can consider it O(log(N)).",
		docFlags:        []string{"deprecated"},
		deprecatedSince: "6.2.0",
		replacedBy:      "`ZRANGE` with the `REV` and `BYSCORE` arguments",
		history:         [][2]string{{"2.1.6", "`min` and `max` can be exclusive."}},
		keySpecs:        []keySpec{{flags: []string{"RO", "access"}, beginIndex: 1, lastKey: 0, keyStep: 1, limit: 0}},
		args: []docArg{
			{name: "key", kind: "key"},
			{name: "max", kind: "double"},
			{name: "min", kind: "double"},
			{name: "withscores", kind: "pure-token", token: "WITHSCORES", flags: argOptional},
			{name: "offset_count", kind: "block", token: "LIMIT", flags: argOptional, args: []docArg{
				{name: "offset", kind: "integer"},
				{name: "count", kind: "integer"},
			}},
		},
	},
	"zrevrank": {
		summary:    "Determine the index of a member in a sorted set, with scores ordered from high to low",
		since:      "2.0.0",
		group:      "sorted-set",
		complexity: "O(log(N))",
		keySpecs:   []keySpec{{flags: []string{"RO", "access"}, beginIndex: 1, lastKey: 0, keyStep: 1, limit: 0}},
		args: []docArg{
			{name: "key", kind: "key"},
			{name: "member", kind: "string"},
		},
	},
	"zscan": {
		summary:    "Incrementally iterate sorted sets elements and associated scores",
		since:      "2.8.0",
		group:      "sorted-set",
		complexity: "O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection..",
		tips:       []string{"nondeterministic_output"},
		keySpecs:   []keySpec{{flags: []string{"RO", "access"}, beginIndex: 1, lastKey: 0, keyStep: 1, limit: 0}},
		args: []docArg{
			{name: "key", kind: "key"},
			{name: "cursor", kind: "integer"},
			{name: "pattern", kind: "pattern", token: "MATCH", flags: argOptional},
			{name: "count", kind: "integer", token: "COUNT", flags: argOptional},
		},
	},
	"zscore": {
		summary:    "Get the score associated with the given member in a sorted set",
		since:      "1.2.0",
		group:      "sorted-set",
		complexity: "O(1)",
		keySpecs:   []keySpec{{flags: []string{"RO", "access"}, beginIndex: 1, lastKey: 0, keyStep: 1, limit: 0}},
		args: []docArg{
			{name: "key", kind: "key"},
			{name: "member", kind: "string"},
		},
	},
}
