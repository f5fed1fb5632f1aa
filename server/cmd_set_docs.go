// Code generated from redis-server 7.0.15 COMMAND INFO and COMMAND DOCS; DO NOT EDIT by hand: change an entry only to match Redis.

package server

func init() {
	for name, doc := range setDocs {
		commandDocs[name] = doc
	}
}

// setMeta is what COMMAND INFO reports of the commands, by name.
var setMeta = map[string]commandMeta{
	"sadd":        {flags: []string{"write", "denyoom", "fast"}, firstKey: 1, lastKey: 1, keyStep: 1, categories: []string{"@write", "@set", "@fast"}}, // arity -3
	"srem":        {flags: []string{"write", "fast"}, firstKey: 1, lastKey: 1, keyStep: 1, categories: []string{"@write", "@set", "@fast"}},            // arity -3
	"smembers":    {flags: []string{"readonly"}, firstKey: 1, lastKey: 1, keyStep: 1, categories: []string{"@read", "@set", "@slow"}},                  // arity 2
	"sismember":   {flags: []string{"readonly", "fast"}, firstKey: 1, lastKey: 1, keyStep: 1, categories: []string{"@read", "@set", "@fast"}},          // arity 3
	"smismember":  {flags: []string{"readonly", "fast"}, firstKey: 1, lastKey: 1, keyStep: 1, categories: []string{"@read", "@set", "@fast"}},          // arity -3
	"scard":       {flags: []string{"readonly", "fast"}, firstKey: 1, lastKey: 1, keyStep: 1, categories: []string{"@read", "@set", "@fast"}},          // arity 2
	"spop":        {flags: []string{"write", "fast"}, firstKey: 1, lastKey: 1, keyStep: 1, categories: []string{"@write", "@set", "@fast"}},            // arity -2
	"srandmember": {flags: []string{"readonly"}, firstKey: 1, lastKey: 1, keyStep: 1, categories: []string{"@read", "@set", "@slow"}},                  // arity -2
	"smove":       {flags: []string{"write", "fast"}, firstKey: 1, lastKey: 2, keyStep: 1, categories: []string{"@write", "@set", "@fast"}},            // arity 4
	"sinter":      {flags: []string{"readonly"}, firstKey: 1, lastKey: -1, keyStep: 1, categories: []string{"@read", "@set", "@slow"}},                 // arity -2
	"sunion":      {flags: []string{"readonly"}, firstKey: 1, lastKey: -1, keyStep: 1, categories: []string{"@read", "@set", "@slow"}},                 // arity -2
	"sdiff":       {flags: []string{"readonly"}, firstKey: 1, lastKey: -1, keyStep: 1, categories: []string{"@read", "@set", "@slow"}},                 // arity -2
	"sinterstore": {flags: []string{"write", "denyoom"}, firstKey: 1, lastKey: -1, keyStep: 1, categories: []string{"@write", "@set", "@slow"}},        // arity -3
	"sunionstore": {flags: []string{"write", "denyoom"}, firstKey: 1, lastKey: -1, keyStep: 1, categories: []string{"@write", "@set", "@slow"}},        // arity -3
	"sdiffstore":  {flags: []string{"write", "denyoom"}, firstKey: 1, lastKey: -1, keyStep: 1, categories: []string{"@write", "@set", "@slow"}},        // arity -3
	"sintercard":  {flags: []string{"readonly", "movablekeys"}, firstKey: 0, lastKey: 0, keyStep: 0, categories: []string{"@read", "@set", "@slow"}},   // arity -3
	"sscan":       {flags: []string{"readonly"}, firstKey: 1, lastKey: 1, keyStep: 1, categories: []string{"@read", "@set", "@slow"}},                  // arity -3
}

var setDocs = map[string]*commandDoc{
	"sadd": {
		summary:    "Add one or more members to a set",
		since:      "1.0.0",
		group:      "set",
		complexity: "O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.",
		history: [][2]string{
			{"2.4.0", "Accepts multiple `member` arguments."},
		},
		keySpecs: []keySpec{
			{flags: []string{"RW", "insert"}, beginIndex: 1, lastKey: 0, keyStep: 1, limit: 0},
		},
		args: []docArg{
			{name: "key", kind: "key", keySpec: 0},
			{name: "member", kind: "string", flags: argMultiple},
		},
	},
	"srem": {
		summary:    "Remove one or more members from a set",
		since:      "1.0.0",
		group:      "set",
		complexity: "O(N) where N is the number of members to be removed.",
		history: [][2]string{
			{"2.4.0", "Accepts multiple `member` arguments."},
		},
		keySpecs: []keySpec{
			{flags: []string{"RW", "delete"}, beginIndex: 1, lastKey: 0, keyStep: 1, limit: 0},
		},
		args: []docArg{
			{name: "key", kind: "key", keySpec: 0},
			{name: "member", kind: "string", flags: argMultiple},
		},
	},
	"smembers": {
		summary:    "Get all the members in a set",
		since:      "1.0.0",
		group:      "set",
		complexity: "O(N) where N is the set cardinality.",
		tips:       []string{"nondeterministic_output_order"},
		keySpecs: []keySpec{
			{flags: []string{"RO", "access"}, beginIndex: 1, lastKey: 0, keyStep: 1, limit: 0},
		},
		args: []docArg{
			{name: "key", kind: "key", keySpec: 0},
		},
	},
	"sismember": {
		summary:    "Determine if a given value is a member of a set",
		since:      "1.0.0",
		group:      "set",
		complexity: "O(1)",
		keySpecs: []keySpec{
			{flags: []string{"RO"}, beginIndex: 1, lastKey: 0, keyStep: 1, limit: 0},
		},
		args: []docArg{
			{name: "key", kind: "key", keySpec: 0},
			{name: "member", kind: "string"},
		},
	},
	"smismember": {
		summary:    "Returns the membership associated with the given elements for a set",
		since:      "6.2.0",
		group:      "set",
		complexity: "O(N) where N is the number of elements being checked for membership",
		keySpecs: []keySpec{
			{flags: []string{"RO", "access"}, beginIndex: 1, lastKey: 0, keyStep: 1, limit: 0},
		},
		args: []docArg{
			{name: "key", kind: "key", keySpec: 0},
			{name: "member", kind: "string", flags: argMultiple},
		},
	},
	"scard": {
		summary:    "Get the number of members in a set",
		since:      "1.0.0",
		group:      "set",
		complexity: "O(1)",
		keySpecs: []keySpec{
			{flags: []string{"RO"}, beginIndex: 1, lastKey: 0, keyStep: 1, limit: 0},
		},
		args: []docArg{
			{name: "key", kind: "key", keySpec: 0},
		},
	},
	"spop": {
		summary:    "Remove and return one or multiple random members from a set",
		since:      "1.0.0",
		group:      "set",
		complexity: "Without the count argument O(1), otherwise O(N) where N is the value of the passed count.",
		history: [][2]string{
			{"3.2.0", "Added the `count` argument."},
		},
		tips: []string{"nondeterministic_output"},
		keySpecs: []keySpec{
			{flags: []string{"RW", "access", "delete"}, beginIndex: 1, lastKey: 0, keyStep: 1, limit: 0},
		},
		args: []docArg{
			{name: "key", kind: "key", keySpec: 0},
			{name: "count", kind: "integer", since: "3.2.0", flags: argOptional},
		},
	},
	"srandmember": {
		summary:    "Get one or multiple random members from a set",
		since:      "1.0.0",
		group:      "set",
		complexity: "Without the count argument O(1), otherwise O(N) where N is the absolute value of the passed count.",
		history: [][2]string{
			{"2.6.0", "Added the optional `count` argument."},
		},
		tips: []string{"nondeterministic_output"},
		keySpecs: []keySpec{
			{flags: []string{"RO", "access"}, beginIndex: 1, lastKey: 0, keyStep: 1, limit: 0},
		},
		args: []docArg{
			{name: "key", kind: "key", keySpec: 0},
			{name: "count", kind: "integer", since: "2.6.0", flags: argOptional},
		},
	},
	"smove": {
		summary:    "Move a member from one set to another",
		since:      "1.0.0",
		group:      "set",
		complexity: "O(1)",
		keySpecs: []keySpec{
			{flags: []string{"RW", "access", "delete"}, beginIndex: 1, lastKey: 0, keyStep: 1, limit: 0},
			{flags: []string{"RW", "insert"}, beginIndex: 2, lastKey: 0, keyStep: 1, limit: 0},
		},
		args: []docArg{
			{name: "source", kind: "key", keySpec: 0},
			{name: "destination", kind: "key", keySpec: 1},
			{name: "member", kind: "string"},
		},
	},
	"sinter": {
		summary:    "Intersect multiple sets",
		since:      "1.0.0",
		group:      "set",
		complexity: "O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets.",
		tips:       []string{"nondeterministic_output_order"},
		keySpecs: []keySpec{
			{flags: []string{"RO", "access"}, beginIndex: 1, lastKey: -1, keyStep: 1, limit: 0},
		},
		args: []docArg{
			{name: "key", kind: "key", keySpec: 0, flags: argMultiple},
		},
	},
	"sunion": {
		summary:    "Add multiple sets",
		since:      "1.0.0",
		group:      "set",
		complexity: "O(N) where N is the total number of elements in all given sets.",
		tips:       []string{"nondeterministic_output_order"},
		keySpecs: []keySpec{
			{flags: []string{"RO", "access"}, beginIndex: 1, lastKey: -1, keyStep: 1, limit: 0},
		},
		args: []docArg{
			{name: "key", kind: "key", keySpec: 0, flags: argMultiple},
		},
	},
	"sdiff": {
		summary:    "Subtract multiple sets",
		since:      "1.0.0",
		group:      "set",
		complexity: "O(N) where N is the total number of elements in all given sets.",
		tips:       []string{"nondeterministic_output_order"},
		keySpecs: []keySpec{
			{flags: []string{"RO", "access"}, beginIndex: 1, lastKey: -1, keyStep: 1, limit: 0},
		},
		args: []docArg{
			{name: "key", kind: "key", keySpec: 0, flags: argMultiple},
		},
	},
	"sinterstore": {
		summary:    "Intersect multiple sets and store the resulting set in a key",
		since:      "1.0.0",
		group:      "set",
		complexity: "O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets.",
		keySpecs: []keySpec{
			{flags: []string{"RW", "update"}, beginIndex: 1, lastKey: 0, keyStep: 1, limit: 0},
			{flags: []string{"RO", "access"}, beginIndex: 2, lastKey: -1, keyStep: 1, limit: 0},
		},
		args: []docArg{
			{name: "destination", kind: "key", keySpec: 0},
			{name: "key", kind: "key", keySpec: 1, flags: argMultiple},
		},
	},
	"sunionstore": {
		summary:    "Add multiple sets and store the resulting set in a key",
		since:      "1.0.0",
		group:      "set",
		complexity: "O(N) where N is the total number of elements in all given sets.",
		keySpecs: []keySpec{
			{flags: []string{"OW", "update"}, beginIndex: 1, lastKey: 0, keyStep: 1, limit: 0},
			{flags: []string{"RO", "access"}, beginIndex: 2, lastKey: -1, keyStep: 1, limit: 0},
		},
		args: []docArg{
			{name: "destination", kind: "key", keySpec: 0},
			{name: "key", kind: "key", keySpec: 1, flags: argMultiple},
		},
	},
	"sdiffstore": {
		summary:    "Subtract multiple sets and store the resulting set in a key",
		since:      "1.0.0",
		group:      "set",
		complexity: "O(N) where N is the total number of elements in all given sets.",
		keySpecs: []keySpec{
			{flags: []string{"OW", "update"}, beginIndex: 1, lastKey: 0, keyStep: 1, limit: 0},
			{flags: []string{"RO", "access"}, beginIndex: 2, lastKey: -1, keyStep: 1, limit: 0},
		},
		args: []docArg{
			{name: "destination", kind: "key", keySpec: 0},
			{name: "key", kind: "key", keySpec: 1, flags: argMultiple},
		},
	},
	"sintercard": {
		summary:    "Intersect multiple sets and return the cardinality of the result",
		since:      "7.0.0",
		group:      "set",
		complexity: "O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets.",
		keySpecs: []keySpec{
			{flags: []string{"RO", "access"}, beginIndex: 1, keynum: true, keynumIdx: 0, firstKey: 1, keyStep: 1},
		},
		args: []docArg{
			{name: "numkeys", kind: "integer"},
			{name: "key", kind: "key", keySpec: 0, flags: argMultiple},
			{name: "limit", kind: "integer", token: "LIMIT", flags: argOptional},
		},
	},
	"sscan": {
		summary:    "Incrementally iterate Set elements",
		since:      "2.8.0",
		group:      "set",
		complexity: "O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection..",
		tips:       []string{"nondeterministic_output"},
		keySpecs: []keySpec{
			{flags: []string{"RO", "access"}, beginIndex: 1, lastKey: 0, keyStep: 1, limit: 0},
		},
		args: []docArg{
			{name: "key", kind: "key", keySpec: 0},
			{name: "cursor", kind: "integer"},
			{name: "pattern", kind: "pattern", token: "MATCH", flags: argOptional},
			{name: "count", kind: "integer", token: "COUNT", flags: argOptional},
		},
	},
}
