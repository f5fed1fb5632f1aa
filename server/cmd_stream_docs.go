// The COMMAND DOCS entries of the stream commands (cmd_stream.go),
// transcribed from redis-server 7.0.15's COMMAND DOCS and COMMAND INFO by a
// script, as those in cmd_command_docs.go; TestCommandMatchesRedis compares
// them with a real redis-server.

package server

func init() {
	for name, doc := range streamDocs {
		commandDocs[name] = doc
	}
}

var streamDocs = map[string]*commandDoc{
	"xadd": {
		summary:    "Appends a new entry to a stream",
		since:      "5.0.0",
		group:      "stream",
		complexity: "O(1) when adding a new entry, O(N) when trimming where N being the number of entries evicted.",
		history:    [][2]string{{"6.2.0", "Added the `NOMKSTREAM` option, `MINID` trimming strategy and the `LIMIT` option."}, {"7.0.0", "Added support for the `<ms>-*` explicit ID form."}},
		tips:       []string{"nondeterministic_output"},
		keySpecs:   []keySpec{{notes: "UPDATE instead of INSERT because of the optional trimming feature", flags: []string{"RW", "update"}, beginIndex: 1, lastKey: 0, keyStep: 1, limit: 0}},
		args: []docArg{
			{name: "key", kind: "key"},
			{name: "nomkstream", kind: "pure-token", token: "NOMKSTREAM", since: "6.2.0", flags: argOptional},
			{name: "trim", kind: "block", flags: argOptional, args: []docArg{
				{name: "strategy", kind: "oneof", args: []docArg{
					{name: "maxlen", kind: "pure-token", token: "MAXLEN"},
					{name: "minid", kind: "pure-token", token: "MINID", since: "6.2.0"},
				}},
				{name: "operator", kind: "oneof", flags: argOptional, args: []docArg{
					{name: "equal", kind: "pure-token", token: "="},
					{name: "approximately", kind: "pure-token", token: "~"},
				}},
				{name: "threshold", kind: "string"},
				{name: "count", kind: "integer", token: "LIMIT", since: "6.2.0", flags: argOptional},
			}},
			{name: "id_or_auto", kind: "oneof", args: []docArg{
				{name: "auto_id", kind: "pure-token", token: "*"},
				{name: "id", kind: "string"},
			}},
			{name: "field_value", kind: "block", flags: argMultiple, args: []docArg{
				{name: "field", kind: "string"},
				{name: "value", kind: "string"},
			}},
		},
	},
	"xdel": {
		summary:    "Removes the specified entries from the stream. Returns the number of items actually deleted, that may be different from the number of IDs passed in case certain IDs do not exist.",
		since:      "5.0.0",
		group:      "stream",
		complexity: "O(1) for each single item to delete in the stream, regardless of the stream size.",
		keySpecs:   []keySpec{{flags: []string{"RW", "delete"}, beginIndex: 1, lastKey: 0, keyStep: 1, limit: 0}},
		args: []docArg{
			{name: "key", kind: "key"},
			{name: "id", kind: "string", flags: argMultiple},
		},
	},
	"xinfo": {
		summary:    "A container for stream introspection commands",
		since:      "5.0.0",
		group:      "stream",
		complexity: "Depends on subcommand.",
	},
	"xinfo|help": {
		summary:    "Show helpful text about the different subcommands",
		since:      "5.0.0",
		group:      "stream",
		complexity: "O(1)",
	},
	"xinfo|stream": {
		summary:    "Get information about a stream",
		since:      "5.0.0",
		group:      "stream",
		complexity: "O(1)",
		history:    [][2]string{{"6.0.0", "Added the `FULL` modifier."}, {"7.0.0", "Added the `max-deleted-entry-id`, `entries-added`, `recorded-first-entry-id`, `entries-read` and `lag` fields"}},
		keySpecs:   []keySpec{{flags: []string{"RO", "access"}, beginIndex: 2, lastKey: 0, keyStep: 1, limit: 0}},
		args: []docArg{
			{name: "key", kind: "key"},
			{name: "full", kind: "block", token: "FULL", flags: argOptional, args: []docArg{
				{name: "count", kind: "integer", token: "COUNT", flags: argOptional},
			}},
		},
	},
	"xlen": {
		summary:    "Return the number of entries in a stream",
		since:      "5.0.0",
		group:      "stream",
		complexity: "O(1)",
		keySpecs:   []keySpec{{flags: []string{"RO"}, beginIndex: 1, lastKey: 0, keyStep: 1, limit: 0}},
		args: []docArg{
			{name: "key", kind: "key"},
		},
	},
	"xrange": {
		summary:    "Return a range of elements in a stream, with IDs matching the specified IDs interval",
		since:      "5.0.0",
		group:      "stream",
		complexity: "O(N) with N being the number of elements being returned. If N is constant (e.g. always asking for the first 10 elements with COUNT), you can consider it O(1).",
		history:    [][2]string{{"6.2.0", "Added exclusive ranges."}},
		keySpecs:   []keySpec{{flags: []string{"RO", "access"}, beginIndex: 1, lastKey: 0, keyStep: 1, limit: 0}},
		args: []docArg{
			{name: "key", kind: "key"},
			{name: "start", kind: "string"},
			{name: "end", kind: "string"},
			{name: "count", kind: "integer", token: "COUNT", flags: argOptional},
		},
	},
	"xread": {
		summary:    "Return never seen elements in multiple streams, with IDs greater than the ones reported by the caller for each stream. Can block.",
		since:      "5.0.0",
		group:      "stream",
		complexity: "For each stream mentioned: O(N) with N being the number of elements being returned, it means that XREAD-ing with a fixed COUNT is O(1). Note that when the BLOCK option is used, XADD will pay O(M) time in order to serve the M clients blocked on the stream getting new data.",
		keySpecs:   []keySpec{{flags: []string{"RO", "access"}, keyword: "STREAMS", startFrom: 1, lastKey: -1, keyStep: 1, limit: 2}},
		args: []docArg{
			{name: "count", kind: "integer", token: "COUNT", flags: argOptional},
			{name: "milliseconds", kind: "integer", token: "BLOCK", flags: argOptional},
			{name: "streams", kind: "block", token: "STREAMS", args: []docArg{
				{name: "key", kind: "key", flags: argMultiple},
				{name: "id", kind: "string", flags: argMultiple},
			}},
		},
	},
	"xrevrange": {
		summary:    "Return a range of elements in a stream, with IDs matching the specified IDs interval, in reverse order (from greater to smaller IDs) compared to XRANGE",
		since:      "5.0.0",
		group:      "stream",
		complexity: "O(N) with N being the number of elements returned. If N is constant (e.g. always asking for the first 10 elements with COUNT), you can consider it O(1).",
		history:    [][2]string{{"6.2.0", "Added exclusive ranges."}},
		keySpecs:   []keySpec{{flags: []string{"RO", "access"}, beginIndex: 1, lastKey: 0, keyStep: 1, limit: 0}},
		args: []docArg{
			{name: "key", kind: "key"},
			{name: "end", kind: "string"},
			{name: "start", kind: "string"},
			{name: "count", kind: "integer", token: "COUNT", flags: argOptional},
		},
	},
	"xsetid": {
		summary:    "An internal command for replicating stream values",
		since:      "5.0.0",
		group:      "stream",
		complexity: "O(1)",
		history:    [][2]string{{"7.0.0", "Added the `entries_added` and `max_deleted_entry_id` arguments."}},
		keySpecs:   []keySpec{{flags: []string{"RW", "update"}, beginIndex: 1, lastKey: 0, keyStep: 1, limit: 0}},
		args: []docArg{
			{name: "key", kind: "key"},
			{name: "last-id", kind: "string"},
			{name: "entries_added", kind: "integer", token: "ENTRIESADDED", since: "7.0.0", flags: argOptional},
			{name: "max_deleted_entry_id", kind: "string", token: "MAXDELETEDID", since: "7.0.0", flags: argOptional},
		},
	},
	"xtrim": {
		summary:    "Trims the stream to (approximately if '~' is passed) a certain size",
		since:      "5.0.0",
		group:      "stream",
		complexity: "O(N), with N being the number of evicted entries. Constant times are very small however, since entries are organized in macro nodes containing multiple entries that can be released with a single deallocation.",
		history:    [][2]string{{"6.2.0", "Added the `MINID` trimming strategy and the `LIMIT` option."}},
		tips:       []string{"nondeterministic_output"},
		keySpecs:   []keySpec{{flags: []string{"RW", "delete"}, beginIndex: 1, lastKey: 0, keyStep: 1, limit: 0}},
		args: []docArg{
			{name: "key", kind: "key"},
			{name: "trim", kind: "block", args: []docArg{
				{name: "strategy", kind: "oneof", args: []docArg{
					{name: "maxlen", kind: "pure-token", token: "MAXLEN"},
					{name: "minid", kind: "pure-token", token: "MINID", since: "6.2.0"},
				}},
				{name: "operator", kind: "oneof", flags: argOptional, args: []docArg{
					{name: "equal", kind: "pure-token", token: "="},
					{name: "approximately", kind: "pure-token", token: "~"},
				}},
				{name: "threshold", kind: "string"},
				{name: "count", kind: "integer", token: "LIMIT", since: "6.2.0", flags: argOptional},
			}},
		},
	},
}
