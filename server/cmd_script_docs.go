// COMMAND DOCS entries, and the tips and key specs of COMMAND INFO, of the
// scripting commands, as redis-server 7.0.15 reports them (transcribed by
// a script): change an entry only to match Redis.

package server

func init() {
	for name, doc := range scriptDocs {
		commandDocs[name] = doc
	}
}

var scriptDocs = map[string]*commandDoc{
	"eval": {
		summary:    "Execute a Lua script server side",
		since:      "2.6.0",
		group:      "scripting",
		complexity: "Depends on the script that is executed.",
		keySpecs: []keySpec{
			{notes: "We cannot tell how the keys will be used so we assume the worst, RW and UPDATE", flags: []string{"RW", "access", "update"}, beginIndex: 2, keynum: true, keynumIdx: 0, firstKey: 1, keyStep: 1},
		},
		args: []docArg{
			{name: "script", kind: "string"},
			{name: "numkeys", kind: "integer"},
			{name: "key", kind: "key", keySpec: 0, flags: argOptionalMultiple},
			{name: "arg", kind: "string", flags: argOptionalMultiple},
		},
	},
	"evalsha": {
		summary:    "Execute a Lua script server side",
		since:      "2.6.0",
		group:      "scripting",
		complexity: "Depends on the script that is executed.",
		keySpecs: []keySpec{
			{flags: []string{"RW", "access", "update"}, beginIndex: 2, keynum: true, keynumIdx: 0, firstKey: 1, keyStep: 1},
		},
		args: []docArg{
			{name: "sha1", kind: "string"},
			{name: "numkeys", kind: "integer"},
			{name: "key", kind: "key", keySpec: 0, flags: argOptionalMultiple},
			{name: "arg", kind: "string", flags: argOptionalMultiple},
		},
	},
	"eval_ro": {
		summary:    "Execute a read-only Lua script server side",
		since:      "7.0.0",
		group:      "scripting",
		complexity: "Depends on the script that is executed.",
		keySpecs: []keySpec{
			{notes: "We cannot tell how the keys will be used so we assume the worst, RO and ACCESS", flags: []string{"RO", "access"}, beginIndex: 2, keynum: true, keynumIdx: 0, firstKey: 1, keyStep: 1},
		},
		args: []docArg{
			{name: "script", kind: "string"},
			{name: "numkeys", kind: "integer"},
			{name: "key", kind: "key", keySpec: 0, flags: argOptionalMultiple},
			{name: "arg", kind: "string", flags: argOptionalMultiple},
		},
	},
	"evalsha_ro": {
		summary:    "Execute a read-only Lua script server side",
		since:      "7.0.0",
		group:      "scripting",
		complexity: "Depends on the script that is executed.",
		keySpecs: []keySpec{
			{flags: []string{"RO", "access"}, beginIndex: 2, keynum: true, keynumIdx: 0, firstKey: 1, keyStep: 1},
		},
		args: []docArg{
			{name: "sha1", kind: "string"},
			{name: "numkeys", kind: "integer"},
			{name: "key", kind: "key", keySpec: 0, flags: argOptionalMultiple},
			{name: "arg", kind: "string", flags: argOptionalMultiple},
		},
	},
	"script": {
		summary:    "A container for Lua scripts management commands",
		since:      "2.6.0",
		group:      "scripting",
		complexity: "Depends on subcommand.",
	},
	"script|load": {
		summary:    "Load the specified Lua script into the script cache.",
		since:      "2.6.0",
		group:      "scripting",
		complexity: "O(N) with N being the length in bytes of the script body.",
		tips:       []string{"request_policy:all_nodes", "response_policy:all_succeeded"},
		args: []docArg{
			{name: "script", kind: "string"},
		},
	},
	"script|debug": {
		summary:    "Set the debug mode for executed scripts.",
		since:      "3.2.0",
		group:      "scripting",
		complexity: "O(1)",
		args: []docArg{
			{name: "mode", kind: "oneof", args: []docArg{
				{name: "yes", kind: "pure-token", token: "YES"},
				{name: "sync", kind: "pure-token", token: "SYNC"},
				{name: "no", kind: "pure-token", token: "NO"},
			}},
		},
	},
	"script|kill": {
		summary:    "Kill the script currently in execution.",
		since:      "2.6.0",
		group:      "scripting",
		complexity: "O(1)",
		tips:       []string{"request_policy:all_shards", "response_policy:one_succeeded"},
	},
	"script|help": {
		summary:    "Show helpful text about the different subcommands",
		since:      "5.0.0",
		group:      "scripting",
		complexity: "O(1)",
	},
	"script|flush": {
		summary:    "Remove all the scripts from the script cache.",
		since:      "2.6.0",
		group:      "scripting",
		complexity: "O(N) with N being the number of scripts in cache",
		history:    [][2]string{{"6.2.0", "Added the `ASYNC` and `SYNC` flushing mode modifiers."}},
		tips:       []string{"request_policy:all_nodes", "response_policy:all_succeeded"},
		args: []docArg{
			{name: "async", kind: "oneof", since: "6.2.0", flags: argOptional, args: []docArg{
				{name: "async", kind: "pure-token", token: "ASYNC"},
				{name: "sync", kind: "pure-token", token: "SYNC"},
			}},
		},
	},
	"script|exists": {
		summary:    "Check existence of scripts in the script cache.",
		since:      "2.6.0",
		group:      "scripting",
		complexity: "O(N) with N being the number of scripts to check (so checking a single script is an O(1) operation).",
		tips:       []string{"request_policy:all_shards", "response_policy:agg_logical_and"},
		args: []docArg{
			{name: "sha1", kind: "string", flags: argMultiple},
		},
	},
	"fcall": {
		summary:    "Invoke a function",
		since:      "7.0.0",
		group:      "scripting",
		complexity: "Depends on the function that is executed.",
		keySpecs: []keySpec{
			{notes: "We cannot tell how the keys will be used so we assume the worst, RW and UPDATE", flags: []string{"RW", "access", "update"}, beginIndex: 2, keynum: true, keynumIdx: 0, firstKey: 1, keyStep: 1},
		},
		args: []docArg{
			{name: "function", kind: "string"},
			{name: "numkeys", kind: "integer"},
			{name: "key", kind: "key", keySpec: 0, flags: argOptionalMultiple},
			{name: "arg", kind: "string", flags: argOptionalMultiple},
		},
	},
	"fcall_ro": {
		summary:    "Invoke a read-only function",
		since:      "7.0.0",
		group:      "scripting",
		complexity: "Depends on the function that is executed.",
		keySpecs: []keySpec{
			{notes: "We cannot tell how the keys will be used so we assume the worst, RO and ACCESS", flags: []string{"RO", "access"}, beginIndex: 2, keynum: true, keynumIdx: 0, firstKey: 1, keyStep: 1},
		},
		args: []docArg{
			{name: "function", kind: "string"},
			{name: "numkeys", kind: "integer"},
			{name: "key", kind: "key", keySpec: 0, flags: argOptionalMultiple},
			{name: "arg", kind: "string", flags: argOptionalMultiple},
		},
	},
}
