// The COMMAND DOCS entries of the consumer-group commands
// (cmd_stream_group.go), transcribed from redis-server 7.0.15's COMMAND DOCS
// and COMMAND INFO by a script, as those in cmd_command_docs.go;
// TestCommandMatchesRedis compares them with a real redis-server.

package server

func init() {
	for name, doc := range streamGroupDocs {
		commandDocs[name] = doc
	}
}

var streamGroupDocs = map[string]*commandDoc{
	"xgroup": {
		summary:    "A container for consumer groups commands",
		since:      "5.0.0",
		group:      "stream",
		complexity: "Depends on subcommand.",
	},
	"xgroup|create": {
		summary:    "Create a consumer group.",
		since:      "5.0.0",
		group:      "stream",
		complexity: "O(1)",
		history:    [][2]string{{"7.0.0", "Added the `entries_read` named argument."}},
		keySpecs:   []keySpec{{flags: []string{"RW", "insert"}, beginIndex: 2, lastKey: 0, keyStep: 1, limit: 0}},
		args: []docArg{
			{name: "key", kind: "key"},
			{name: "groupname", kind: "string"},
			{name: "id", kind: "oneof", args: []docArg{
				{name: "id", kind: "string"},
				{name: "new_id", kind: "pure-token", token: "$"},
			}},
			{name: "mkstream", kind: "pure-token", token: "MKSTREAM", flags: argOptional},
			{name: "entries_read", kind: "integer", token: "ENTRIESREAD", flags: argOptional},
		},
	},
	"xgroup|createconsumer": {
		summary:    "Create a consumer in a consumer group.",
		since:      "6.2.0",
		group:      "stream",
		complexity: "O(1)",
		keySpecs:   []keySpec{{flags: []string{"RW", "insert"}, beginIndex: 2, lastKey: 0, keyStep: 1, limit: 0}},
		args: []docArg{
			{name: "key", kind: "key"},
			{name: "groupname", kind: "string"},
			{name: "consumername", kind: "string"},
		},
	},
	"xgroup|delconsumer": {
		summary:    "Delete a consumer from a consumer group.",
		since:      "5.0.0",
		group:      "stream",
		complexity: "O(1)",
		keySpecs:   []keySpec{{flags: []string{"RW", "delete"}, beginIndex: 2, lastKey: 0, keyStep: 1, limit: 0}},
		args: []docArg{
			{name: "key", kind: "key"},
			{name: "groupname", kind: "string"},
			{name: "consumername", kind: "string"},
		},
	},
	"xgroup|destroy": {
		summary:    "Destroy a consumer group.",
		since:      "5.0.0",
		group:      "stream",
		complexity: "O(N) where N is the number of entries in the group's pending entries list (PEL).",
		keySpecs:   []keySpec{{flags: []string{"RW", "delete"}, beginIndex: 2, lastKey: 0, keyStep: 1, limit: 0}},
		args: []docArg{
			{name: "key", kind: "key"},
			{name: "groupname", kind: "string"},
		},
	},
	"xgroup|setid": {
		summary:    "Set a consumer group to an arbitrary last delivered ID value.",
		since:      "5.0.0",
		group:      "stream",
		complexity: "O(1)",
		history:    [][2]string{{"7.0.0", "Added the optional `entries_read` argument."}},
		keySpecs:   []keySpec{{flags: []string{"RW", "update"}, beginIndex: 2, lastKey: 0, keyStep: 1, limit: 0}},
		args: []docArg{
			{name: "key", kind: "key"},
			{name: "groupname", kind: "string"},
			{name: "id", kind: "oneof", args: []docArg{
				{name: "id", kind: "string"},
				{name: "new_id", kind: "pure-token", token: "$"},
			}},
			{name: "entries_read", kind: "integer", token: "ENTRIESREAD", flags: argOptional},
		},
	},
	"xgroup|help": {
		summary:    "Show helpful text about the different subcommands",
		since:      "5.0.0",
		group:      "stream",
		complexity: "O(1)",
	},
	"xreadgroup": {
		summary:    "Return new entries from a stream using a consumer group, or access the history of the pending entries for a given consumer. Can block.",
		since:      "5.0.0",
		group:      "stream",
		complexity: "For each stream mentioned: O(M) with M being the number of elements returned. If M is constant (e.g. always asking for the first 10 elements with COUNT), you can consider it O(1). On the other side when XREADGROUP blocks, XADD will pay the O(N) time in order to serve the N clients blocked on the stream getting new data.",
		keySpecs:   []keySpec{{flags: []string{"RO", "access"}, keyword: "STREAMS", startFrom: 4, lastKey: -1, keyStep: 1, limit: 2}},
		args: []docArg{
			{name: "group_consumer", kind: "block", token: "GROUP", args: []docArg{
				{name: "group", kind: "string"},
				{name: "consumer", kind: "string"},
			}},
			{name: "count", kind: "integer", token: "COUNT", flags: argOptional},
			{name: "milliseconds", kind: "integer", token: "BLOCK", flags: argOptional},
			{name: "noack", kind: "pure-token", token: "NOACK", flags: argOptional},
			{name: "streams", kind: "block", token: "STREAMS", args: []docArg{
				{name: "key", kind: "key", flags: argMultiple},
				{name: "id", kind: "string", flags: argMultiple},
			}},
		},
	},
	"xack": {
		summary:    "Marks a pending message as correctly processed, effectively removing it from the pending entries list of the consumer group. Return value of the command is the number of messages successfully acknowledged, that is, the IDs we were actually able to resolve in the PEL.",
		since:      "5.0.0",
		group:      "stream",
		complexity: "O(1) for each message ID processed.",
		keySpecs:   []keySpec{{flags: []string{"RW", "update"}, beginIndex: 1, lastKey: 0, keyStep: 1, limit: 0}},
		args: []docArg{
			{name: "key", kind: "key"},
			{name: "group", kind: "string"},
			{name: "id", kind: "string", flags: argMultiple},
		},
	},
	"xpending": {
		summary:    "Return information and entries from a stream consumer group pending entries list, that are messages fetched but never acknowledged.",
		since:      "5.0.0",
		group:      "stream",
		complexity: "O(N) with N being the number of elements returned, so asking for a small fixed number of entries per call is O(1). O(M), where M is the total number of entries scanned when used with the IDLE filter. When the command returns just the summary and the list of consumers is small, it runs in O(1) time; otherwise, an additional O(N) time for iterating every consumer.",
		history:    [][2]string{{"6.2.0", "Added the `IDLE` option and exclusive range intervals."}},
		tips:       []string{"nondeterministic_output"},
		keySpecs:   []keySpec{{flags: []string{"RO", "access"}, beginIndex: 1, lastKey: 0, keyStep: 1, limit: 0}},
		args: []docArg{
			{name: "key", kind: "key"},
			{name: "group", kind: "string"},
			{name: "filters", kind: "block", flags: argOptional, args: []docArg{
				{name: "min-idle-time", kind: "integer", token: "IDLE", since: "6.2.0", flags: argOptional},
				{name: "start", kind: "string"},
				{name: "end", kind: "string"},
				{name: "count", kind: "integer"},
				{name: "consumer", kind: "string", flags: argOptional},
			}},
		},
	},
	"xclaim": {
		summary:    "Changes (or acquires) ownership of a message in a consumer group, as if the message was delivered to the specified consumer.",
		since:      "5.0.0",
		group:      "stream",
		complexity: "O(log N) with N being the number of messages in the PEL of the consumer group.",
		tips:       []string{"nondeterministic_output"},
		keySpecs:   []keySpec{{flags: []string{"RW", "update"}, beginIndex: 1, lastKey: 0, keyStep: 1, limit: 0}},
		args: []docArg{
			{name: "key", kind: "key"},
			{name: "group", kind: "string"},
			{name: "consumer", kind: "string"},
			{name: "min-idle-time", kind: "string"},
			{name: "id", kind: "string", flags: argMultiple},
			{name: "ms", kind: "integer", token: "IDLE", flags: argOptional},
			{name: "unix-time-milliseconds", kind: "unix-time", token: "TIME", flags: argOptional},
			{name: "count", kind: "integer", token: "RETRYCOUNT", flags: argOptional},
			{name: "force", kind: "pure-token", token: "FORCE", flags: argOptional},
			{name: "justid", kind: "pure-token", token: "JUSTID", flags: argOptional},
			{name: "id", kind: "string", token: "LASTID", flags: argOptional},
		},
	},
	"xautoclaim": {
		summary:    "Changes (or acquires) ownership of messages in a consumer group, as if the messages were delivered to the specified consumer.",
		since:      "6.2.0",
		group:      "stream",
		complexity: "O(1) if COUNT is small.",
		history:    [][2]string{{"7.0.0", "Added an element to the reply array, containing deleted entries the command cleared from the PEL"}},
		tips:       []string{"nondeterministic_output"},
		keySpecs:   []keySpec{{flags: []string{"RW", "delete"}, beginIndex: 1, lastKey: 0, keyStep: 1, limit: 0}},
		args: []docArg{
			{name: "key", kind: "key"},
			{name: "group", kind: "string"},
			{name: "consumer", kind: "string"},
			{name: "min-idle-time", kind: "string"},
			{name: "start", kind: "string"},
			{name: "count", kind: "integer", token: "COUNT", flags: argOptional},
			{name: "justid", kind: "pure-token", token: "JUSTID", flags: argOptional},
		},
	},
	"xinfo|groups": {
		summary:    "List the consumer groups of a stream",
		since:      "5.0.0",
		group:      "stream",
		complexity: "O(1)",
		history:    [][2]string{{"7.0.0", "Added the `entries-read` and `lag` fields"}},
		keySpecs:   []keySpec{{flags: []string{"RO", "access"}, beginIndex: 2, lastKey: 0, keyStep: 1, limit: 0}},
		args: []docArg{
			{name: "key", kind: "key"},
		},
	},
	"xinfo|consumers": {
		summary:    "List the consumers in a consumer group",
		since:      "5.0.0",
		group:      "stream",
		complexity: "O(1)",
		tips:       []string{"nondeterministic_output"},
		keySpecs:   []keySpec{{flags: []string{"RO", "access"}, beginIndex: 2, lastKey: 0, keyStep: 1, limit: 0}},
		args: []docArg{
			{name: "key", kind: "key"},
			{name: "groupname", kind: "string"},
		},
	},
}
