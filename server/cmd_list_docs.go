// Code generated from redis-server 7.0.15 COMMAND INFO and COMMAND DOCS; DO NOT EDIT by hand: change an entry only to match Redis.

package server

func init() {
	for name, doc := range listDocs {
		commandDocs[name] = doc
	}
}

var listDocs = map[string]*commandDoc{
	"lpush": {
		summary:    "Prepend one or multiple elements to a list",
		since:      "1.0.0",
		group:      "list",
		complexity: "O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.",
		history: [][2]string{
			{"2.4.0", "Accepts multiple `element` arguments."},
		},
		keySpecs: []keySpec{
			{flags: []string{"RW", "insert"}, beginIndex: 1, lastKey: 0, keyStep: 1, limit: 0},
		},
		args: []docArg{
			{name: "key", kind: "key", keySpec: 0},
			{name: "element", kind: "string", flags: argMultiple},
		},
	},
	"rpush": {
		summary:    "Append one or multiple elements to a list",
		since:      "1.0.0",
		group:      "list",
		complexity: "O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.",
		history: [][2]string{
			{"2.4.0", "Accepts multiple `element` arguments."},
		},
		keySpecs: []keySpec{
			{flags: []string{"RW", "insert"}, beginIndex: 1, lastKey: 0, keyStep: 1, limit: 0},
		},
		args: []docArg{
			{name: "key", kind: "key", keySpec: 0},
			{name: "element", kind: "string", flags: argMultiple},
		},
	},
	"lpushx": {
		summary:    "Prepend an element to a list, only if the list exists",
		since:      "2.2.0",
		group:      "list",
		complexity: "O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.",
		history: [][2]string{
			{"4.0.0", "Accepts multiple `element` arguments."},
		},
		keySpecs: []keySpec{
			{flags: []string{"RW", "insert"}, beginIndex: 1, lastKey: 0, keyStep: 1, limit: 0},
		},
		args: []docArg{
			{name: "key", kind: "key", keySpec: 0},
			{name: "element", kind: "string", flags: argMultiple},
		},
	},
	"rpushx": {
		summary:    "Append an element to a list, only if the list exists",
		since:      "2.2.0",
		group:      "list",
		complexity: "O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.",
		history: [][2]string{
			{"4.0.0", "Accepts multiple `element` arguments."},
		},
		keySpecs: []keySpec{
			{flags: []string{"RW", "insert"}, beginIndex: 1, lastKey: 0, keyStep: 1, limit: 0},
		},
		args: []docArg{
			{name: "key", kind: "key", keySpec: 0},
			{name: "element", kind: "string", flags: argMultiple},
		},
	},
	"lpop": {
		summary:    "Remove and get the first elements in a list",
		since:      "1.0.0",
		group:      "list",
		complexity: "O(N) where N is the number of elements returned",
		history: [][2]string{
			{"6.2.0", "Added the `count` argument."},
		},
		keySpecs: []keySpec{
			{flags: []string{"RW", "access", "delete"}, beginIndex: 1, lastKey: 0, keyStep: 1, limit: 0},
		},
		args: []docArg{
			{name: "key", kind: "key", keySpec: 0},
			{name: "count", kind: "integer", since: "6.2.0", flags: argOptional},
		},
	},
	"rpop": {
		summary:    "Remove and get the last elements in a list",
		since:      "1.0.0",
		group:      "list",
		complexity: "O(N) where N is the number of elements returned",
		history: [][2]string{
			{"6.2.0", "Added the `count` argument."},
		},
		keySpecs: []keySpec{
			{flags: []string{"RW", "access", "delete"}, beginIndex: 1, lastKey: 0, keyStep: 1, limit: 0},
		},
		args: []docArg{
			{name: "key", kind: "key", keySpec: 0},
			{name: "count", kind: "integer", since: "6.2.0", flags: argOptional},
		},
	},
	"llen": {
		summary:    "Get the length of a list",
		since:      "1.0.0",
		group:      "list",
		complexity: "O(1)",
		keySpecs: []keySpec{
			{flags: []string{"RO"}, beginIndex: 1, lastKey: 0, keyStep: 1, limit: 0},
		},
		args: []docArg{
			{name: "key", kind: "key", keySpec: 0},
		},
	},
	"lrange": {
		summary:    "Get a range of elements from a list",
		since:      "1.0.0",
		group:      "list",
		complexity: "O(S+N) where S is the distance of start offset from HEAD for small lists, from nearest end (HEAD or TAIL) for large lists; and N is the number of elements in the specified range.",
		keySpecs: []keySpec{
			{flags: []string{"RO", "access"}, beginIndex: 1, lastKey: 0, keyStep: 1, limit: 0},
		},
		args: []docArg{
			{name: "key", kind: "key", keySpec: 0},
			{name: "start", kind: "integer"},
			{name: "stop", kind: "integer"},
		},
	},
	"lindex": {
		summary:    "Get an element from a list by its index",
		since:      "1.0.0",
		group:      "list",
		complexity: "O(N) where N is the number of elements to traverse to get to the element at index. This makes asking for the first or the last element of the list O(1).",
		keySpecs: []keySpec{
			{flags: []string{"RO", "access"}, beginIndex: 1, lastKey: 0, keyStep: 1, limit: 0},
		},
		args: []docArg{
			{name: "key", kind: "key", keySpec: 0},
			{name: "index", kind: "integer"},
		},
	},
	"lset": {
		summary:    "Set the value of an element in a list by its index",
		since:      "1.0.0",
		group:      "list",
		complexity: "O(N) where N is the length of the list. Setting either the first or the last element of the list is O(1).",
		keySpecs: []keySpec{
			{flags: []string{"RW", "update"}, beginIndex: 1, lastKey: 0, keyStep: 1, limit: 0},
		},
		args: []docArg{
			{name: "key", kind: "key", keySpec: 0},
			{name: "index", kind: "integer"},
			{name: "element", kind: "string"},
		},
	},
	"lrem": {
		summary:    "Remove elements from a list",
		since:      "1.0.0",
		group:      "list",
		complexity: "O(N+M) where N is the length of the list and M is the number of elements removed.",
		keySpecs: []keySpec{
			{flags: []string{"RW", "delete"}, beginIndex: 1, lastKey: 0, keyStep: 1, limit: 0},
		},
		args: []docArg{
			{name: "key", kind: "key", keySpec: 0},
			{name: "count", kind: "integer"},
			{name: "element", kind: "string"},
		},
	},
	"ltrim": {
		summary:    "Trim a list to the specified range",
		since:      "1.0.0",
		group:      "list",
		complexity: "O(N) where N is the number of elements to be removed by the operation.",
		keySpecs: []keySpec{
			{flags: []string{"RW", "delete"}, beginIndex: 1, lastKey: 0, keyStep: 1, limit: 0},
		},
		args: []docArg{
			{name: "key", kind: "key", keySpec: 0},
			{name: "start", kind: "integer"},
			{name: "stop", kind: "integer"},
		},
	},
	"linsert": {
		summary:    "Insert an element before or after another element in a list",
		since:      "2.2.0",
		group:      "list",
		complexity: "O(N) where N is the number of elements to traverse before seeing the value pivot. This means that inserting somewhere on the left end on the list (head) can be considered O(1) and inserting somewhere on the right end (tail) is O(N).",
		keySpecs: []keySpec{
			{flags: []string{"RW", "insert"}, beginIndex: 1, lastKey: 0, keyStep: 1, limit: 0},
		},
		args: []docArg{
			{name: "key", kind: "key", keySpec: 0},
			{name: "where", kind: "oneof", args: []docArg{
				{name: "before", kind: "pure-token", token: "BEFORE"},
				{name: "after", kind: "pure-token", token: "AFTER"},
			}},
			{name: "pivot", kind: "string"},
			{name: "element", kind: "string"},
		},
	},
	"lpos": {
		summary:    "Return the index of matching elements on a list",
		since:      "6.0.6",
		group:      "list",
		complexity: "O(N) where N is the number of elements in the list, for the average case. When searching for elements near the head or the tail of the list, or when the MAXLEN option is provided, the command may run in constant time.",
		keySpecs: []keySpec{
			{flags: []string{"RO", "access"}, beginIndex: 1, lastKey: 0, keyStep: 1, limit: 0},
		},
		args: []docArg{
			{name: "key", kind: "key", keySpec: 0},
			{name: "element", kind: "string"},
			{name: "rank", kind: "integer", token: "RANK", flags: argOptional},
			{name: "num-matches", kind: "integer", token: "COUNT", flags: argOptional},
			{name: "len", kind: "integer", token: "MAXLEN", flags: argOptional},
		},
	},
	"lmove": {
		summary:    "Pop an element from a list, push it to another list and return it",
		since:      "6.2.0",
		group:      "list",
		complexity: "O(1)",
		keySpecs: []keySpec{
			{flags: []string{"RW", "access", "delete"}, beginIndex: 1, lastKey: 0, keyStep: 1, limit: 0},
			{flags: []string{"RW", "insert"}, beginIndex: 2, lastKey: 0, keyStep: 1, limit: 0},
		},
		args: []docArg{
			{name: "source", kind: "key", keySpec: 0},
			{name: "destination", kind: "key", keySpec: 1},
			{name: "wherefrom", kind: "oneof", args: []docArg{
				{name: "left", kind: "pure-token", token: "LEFT"},
				{name: "right", kind: "pure-token", token: "RIGHT"},
			}},
			{name: "whereto", kind: "oneof", args: []docArg{
				{name: "left", kind: "pure-token", token: "LEFT"},
				{name: "right", kind: "pure-token", token: "RIGHT"},
			}},
		},
	},
	"rpoplpush": {
		summary:         "Remove the last element in a list, prepend it to another list and return it",
		since:           "1.2.0",
		group:           "list",
		complexity:      "O(1)",
		docFlags:        []string{"deprecated"},
		deprecatedSince: "6.2.0",
		replacedBy:      "`LMOVE` with the `RIGHT` and `LEFT` arguments",
		keySpecs: []keySpec{
			{flags: []string{"RW", "access", "delete"}, beginIndex: 1, lastKey: 0, keyStep: 1, limit: 0},
			{flags: []string{"RW", "insert"}, beginIndex: 2, lastKey: 0, keyStep: 1, limit: 0},
		},
		args: []docArg{
			{name: "source", kind: "key", keySpec: 0},
			{name: "destination", kind: "key", keySpec: 1},
		},
	},
	"blpop": {
		summary:    "Remove and get the first element in a list, or block until one is available",
		since:      "2.0.0",
		group:      "list",
		complexity: "O(N) where N is the number of provided keys.",
		history: [][2]string{
			{"6.0.0", "`timeout` is interpreted as a double instead of an integer."},
		},
		keySpecs: []keySpec{
			{flags: []string{"RW", "access", "delete"}, beginIndex: 1, lastKey: -2, keyStep: 1, limit: 0},
		},
		args: []docArg{
			{name: "key", kind: "key", keySpec: 0, flags: argMultiple},
			{name: "timeout", kind: "double"},
		},
	},
	"brpop": {
		summary:    "Remove and get the last element in a list, or block until one is available",
		since:      "2.0.0",
		group:      "list",
		complexity: "O(N) where N is the number of provided keys.",
		history: [][2]string{
			{"6.0.0", "`timeout` is interpreted as a double instead of an integer."},
		},
		keySpecs: []keySpec{
			{flags: []string{"RW", "access", "delete"}, beginIndex: 1, lastKey: -2, keyStep: 1, limit: 0},
		},
		args: []docArg{
			{name: "key", kind: "key", keySpec: 0, flags: argMultiple},
			{name: "timeout", kind: "double"},
		},
	},
	"blmove": {
		summary:    "Pop an element from a list, push it to another list and return it; or block until one is available",
		since:      "6.2.0",
		group:      "list",
		complexity: "O(1)",
		keySpecs: []keySpec{
			{flags: []string{"RW", "access", "delete"}, beginIndex: 1, lastKey: 0, keyStep: 1, limit: 0},
			{flags: []string{"RW", "insert"}, beginIndex: 2, lastKey: 0, keyStep: 1, limit: 0},
		},
		args: []docArg{
			{name: "source", kind: "key", keySpec: 0},
			{name: "destination", kind: "key", keySpec: 1},
			{name: "wherefrom", kind: "oneof", args: []docArg{
				{name: "left", kind: "pure-token", token: "LEFT"},
				{name: "right", kind: "pure-token", token: "RIGHT"},
			}},
			{name: "whereto", kind: "oneof", args: []docArg{
				{name: "left", kind: "pure-token", token: "LEFT"},
				{name: "right", kind: "pure-token", token: "RIGHT"},
			}},
			{name: "timeout", kind: "double"},
		},
	},
	"brpoplpush": {
		summary:         "Pop an element from a list, push it to another list and return it; or block until one is available",
		since:           "2.2.0",
		group:           "list",
		complexity:      "O(1)",
		docFlags:        []string{"deprecated"},
		deprecatedSince: "6.2.0",
		replacedBy:      "`BLMOVE` with the `RIGHT` and `LEFT` arguments",
		history: [][2]string{
			{"6.0.0", "`timeout` is interpreted as a double instead of an integer."},
		},
		keySpecs: []keySpec{
			{flags: []string{"RW", "access", "delete"}, beginIndex: 1, lastKey: 0, keyStep: 1, limit: 0},
			{flags: []string{"RW", "insert"}, beginIndex: 2, lastKey: 0, keyStep: 1, limit: 0},
		},
		args: []docArg{
			{name: "source", kind: "key", keySpec: 0},
			{name: "destination", kind: "key", keySpec: 1},
			{name: "timeout", kind: "double"},
		},
	},
}
