// Code generated from redis-server 7.0.15 COMMAND INFO and COMMAND DOCS; DO NOT EDIT by hand: change an entry only to match Redis.

package server

func init() {
	for name, doc := range hashDocs {
		commandDocs[name] = doc
	}
}

// hashMeta is what COMMAND INFO reports of the commands, by name.
var hashMeta = map[string]commandMeta{
	"hset":         {flags: []string{"write", "denyoom", "fast"}, firstKey: 1, lastKey: 1, keyStep: 1, categories: []string{"@write", "@hash", "@fast"}}, // arity -4
	"hsetnx":       {flags: []string{"write", "denyoom", "fast"}, firstKey: 1, lastKey: 1, keyStep: 1, categories: []string{"@write", "@hash", "@fast"}}, // arity 4
	"hmset":        {flags: []string{"write", "denyoom", "fast"}, firstKey: 1, lastKey: 1, keyStep: 1, categories: []string{"@write", "@hash", "@fast"}}, // arity -4
	"hget":         {flags: []string{"readonly", "fast"}, firstKey: 1, lastKey: 1, keyStep: 1, categories: []string{"@read", "@hash", "@fast"}},          // arity 3
	"hmget":        {flags: []string{"readonly", "fast"}, firstKey: 1, lastKey: 1, keyStep: 1, categories: []string{"@read", "@hash", "@fast"}},          // arity -3
	"hdel":         {flags: []string{"write", "fast"}, firstKey: 1, lastKey: 1, keyStep: 1, categories: []string{"@write", "@hash", "@fast"}},            // arity -3
	"hgetall":      {flags: []string{"readonly"}, firstKey: 1, lastKey: 1, keyStep: 1, categories: []string{"@read", "@hash", "@slow"}},                  // arity 2
	"hkeys":        {flags: []string{"readonly"}, firstKey: 1, lastKey: 1, keyStep: 1, categories: []string{"@read", "@hash", "@slow"}},                  // arity 2
	"hvals":        {flags: []string{"readonly"}, firstKey: 1, lastKey: 1, keyStep: 1, categories: []string{"@read", "@hash", "@slow"}},                  // arity 2
	"hlen":         {flags: []string{"readonly", "fast"}, firstKey: 1, lastKey: 1, keyStep: 1, categories: []string{"@read", "@hash", "@fast"}},          // arity 2
	"hexists":      {flags: []string{"readonly", "fast"}, firstKey: 1, lastKey: 1, keyStep: 1, categories: []string{"@read", "@hash", "@fast"}},          // arity 3
	"hstrlen":      {flags: []string{"readonly", "fast"}, firstKey: 1, lastKey: 1, keyStep: 1, categories: []string{"@read", "@hash", "@fast"}},          // arity 3
	"hincrby":      {flags: []string{"write", "denyoom", "fast"}, firstKey: 1, lastKey: 1, keyStep: 1, categories: []string{"@write", "@hash", "@fast"}}, // arity 4
	"hincrbyfloat": {flags: []string{"write", "denyoom", "fast"}, firstKey: 1, lastKey: 1, keyStep: 1, categories: []string{"@write", "@hash", "@fast"}}, // arity 4
	"hrandfield":   {flags: []string{"readonly"}, firstKey: 1, lastKey: 1, keyStep: 1, categories: []string{"@read", "@hash", "@slow"}},                  // arity -2
	"hscan":        {flags: []string{"readonly"}, firstKey: 1, lastKey: 1, keyStep: 1, categories: []string{"@read", "@hash", "@slow"}},                  // arity -3
}

var hashDocs = map[string]*commandDoc{
	"hset": {
		summary:    "Set the string value of a hash field",
		since:      "2.0.0",
		group:      "hash",
		complexity: "O(1) for each field/value pair added, so O(N) to add N field/value pairs when the command is called with multiple field/value pairs.",
		history: [][2]string{
			{"4.0.0", "Accepts multiple `field` and `value` arguments."},
		},
		keySpecs: []keySpec{
			{flags: []string{"RW", "update"}, beginIndex: 1, lastKey: 0, keyStep: 1, limit: 0},
		},
		args: []docArg{
			{name: "key", kind: "key", keySpec: 0},
			{name: "field_value", kind: "block", flags: argMultiple, args: []docArg{
				{name: "field", kind: "string"},
				{name: "value", kind: "string"},
			}},
		},
	},
	"hsetnx": {
		summary:    "Set the value of a hash field, only if the field does not exist",
		since:      "2.0.0",
		group:      "hash",
		complexity: "O(1)",
		keySpecs: []keySpec{
			{flags: []string{"RW", "insert"}, beginIndex: 1, lastKey: 0, keyStep: 1, limit: 0},
		},
		args: []docArg{
			{name: "key", kind: "key", keySpec: 0},
			{name: "field", kind: "string"},
			{name: "value", kind: "string"},
		},
	},
	"hmset": {
		summary:         "Set multiple hash fields to multiple values",
		since:           "2.0.0",
		group:           "hash",
		complexity:      "O(N) where N is the number of fields being set.",
		docFlags:        []string{"deprecated"},
		deprecatedSince: "4.0.0",
		replacedBy:      "`HSET` with multiple field-value pairs",
		keySpecs: []keySpec{
			{flags: []string{"RW", "update"}, beginIndex: 1, lastKey: 0, keyStep: 1, limit: 0},
		},
		args: []docArg{
			{name: "key", kind: "key", keySpec: 0},
			{name: "field_value", kind: "block", flags: argMultiple, args: []docArg{
				{name: "field", kind: "string"},
				{name: "value", kind: "string"},
			}},
		},
	},
	"hget": {
		summary:    "Get the value of a hash field",
		since:      "2.0.0",
		group:      "hash",
		complexity: "O(1)",
		keySpecs: []keySpec{
			{flags: []string{"RO", "access"}, beginIndex: 1, lastKey: 0, keyStep: 1, limit: 0},
		},
		args: []docArg{
			{name: "key", kind: "key", keySpec: 0},
			{name: "field", kind: "string"},
		},
	},
	"hmget": {
		summary:    "Get the values of all the given hash fields",
		since:      "2.0.0",
		group:      "hash",
		complexity: "O(N) where N is the number of fields being requested.",
		keySpecs: []keySpec{
			{flags: []string{"RO", "access"}, beginIndex: 1, lastKey: 0, keyStep: 1, limit: 0},
		},
		args: []docArg{
			{name: "key", kind: "key", keySpec: 0},
			{name: "field", kind: "string", flags: argMultiple},
		},
	},
	"hdel": {
		summary:    "Delete one or more hash fields",
		since:      "2.0.0",
		group:      "hash",
		complexity: "O(N) where N is the number of fields to be removed.",
		history: [][2]string{
			{"2.4.0", "Accepts multiple `field` arguments."},
		},
		keySpecs: []keySpec{
			{flags: []string{"RW", "delete"}, beginIndex: 1, lastKey: 0, keyStep: 1, limit: 0},
		},
		args: []docArg{
			{name: "key", kind: "key", keySpec: 0},
			{name: "field", kind: "string", flags: argMultiple},
		},
	},
	"hgetall": {
		summary:    "Get all the fields and values in a hash",
		since:      "2.0.0",
		group:      "hash",
		complexity: "O(N) where N is the size of the hash.",
		tips:       []string{"nondeterministic_output_order"},
		keySpecs: []keySpec{
			{flags: []string{"RO", "access"}, beginIndex: 1, lastKey: 0, keyStep: 1, limit: 0},
		},
		args: []docArg{
			{name: "key", kind: "key", keySpec: 0},
		},
	},
	"hkeys": {
		summary:    "Get all the fields in a hash",
		since:      "2.0.0",
		group:      "hash",
		complexity: "O(N) where N is the size of the hash.",
		tips:       []string{"nondeterministic_output_order"},
		keySpecs: []keySpec{
			{flags: []string{"RO", "access"}, beginIndex: 1, lastKey: 0, keyStep: 1, limit: 0},
		},
		args: []docArg{
			{name: "key", kind: "key", keySpec: 0},
		},
	},
	"hvals": {
		summary:    "Get all the values in a hash",
		since:      "2.0.0",
		group:      "hash",
		complexity: "O(N) where N is the size of the hash.",
		tips:       []string{"nondeterministic_output_order"},
		keySpecs: []keySpec{
			{flags: []string{"RO", "access"}, beginIndex: 1, lastKey: 0, keyStep: 1, limit: 0},
		},
		args: []docArg{
			{name: "key", kind: "key", keySpec: 0},
		},
	},
	"hlen": {
		summary:    "Get the number of fields in a hash",
		since:      "2.0.0",
		group:      "hash",
		complexity: "O(1)",
		keySpecs: []keySpec{
			{flags: []string{"RO"}, beginIndex: 1, lastKey: 0, keyStep: 1, limit: 0},
		},
		args: []docArg{
			{name: "key", kind: "key", keySpec: 0},
		},
	},
	"hexists": {
		summary:    "Determine if a hash field exists",
		since:      "2.0.0",
		group:      "hash",
		complexity: "O(1)",
		keySpecs: []keySpec{
			{flags: []string{"RO"}, beginIndex: 1, lastKey: 0, keyStep: 1, limit: 0},
		},
		args: []docArg{
			{name: "key", kind: "key", keySpec: 0},
			{name: "field", kind: "string"},
		},
	},
	"hstrlen": {
		summary:    "Get the length of the value of a hash field",
		since:      "3.2.0",
		group:      "hash",
		complexity: "O(1)",
		keySpecs: []keySpec{
			{flags: []string{"RO"}, beginIndex: 1, lastKey: 0, keyStep: 1, limit: 0},
		},
		args: []docArg{
			{name: "key", kind: "key", keySpec: 0},
			{name: "field", kind: "string"},
		},
	},
	"hincrby": {
		summary:    "Increment the integer value of a hash field by the given number",
		since:      "2.0.0",
		group:      "hash",
		complexity: "O(1)",
		keySpecs: []keySpec{
			{flags: []string{"RW", "access", "update"}, beginIndex: 1, lastKey: 0, keyStep: 1, limit: 0},
		},
		args: []docArg{
			{name: "key", kind: "key", keySpec: 0},
			{name: "field", kind: "string"},
			{name: "increment", kind: "integer"},
		},
	},
	"hincrbyfloat": {
		summary:    "Increment the float value of a hash field by the given amount",
		since:      "2.6.0",
		group:      "hash",
		complexity: "O(1)",
		keySpecs: []keySpec{
			{flags: []string{"RW", "access", "update"}, beginIndex: 1, lastKey: 0, keyStep: 1, limit: 0},
		},
		args: []docArg{
			{name: "key", kind: "key", keySpec: 0},
			{name: "field", kind: "string"},
			{name: "increment", kind: "double"},
		},
	},
	"hrandfield": {
		summary:    "Get one or multiple random fields from a hash",
		since:      "6.2.0",
		group:      "hash",
		complexity: "O(N) where N is the number of fields returned",
		tips:       []string{"nondeterministic_output"},
		keySpecs: []keySpec{
			{flags: []string{"RO", "access"}, beginIndex: 1, lastKey: 0, keyStep: 1, limit: 0},
		},
		args: []docArg{
			{name: "key", kind: "key", keySpec: 0},
			{name: "options", kind: "block", flags: argOptional, args: []docArg{
				{name: "count", kind: "integer"},
				{name: "withvalues", kind: "pure-token", token: "WITHVALUES", flags: argOptional},
			}},
		},
	},
	"hscan": {
		summary:    "Incrementally iterate hash fields and associated values",
		since:      "2.8.0",
		group:      "hash",
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
