// The entries below are redis-server 7.0.15's replies to COMMAND DOCS (and the
// tips and key specs of COMMAND INFO) for the commands Herald has, transcribed
// by a script; the two Redis 7.2 subcommands Herald accepts are transcribed from
// 7.2's command JSON by hand. TestCommandDocsMatchRedis compares them with a
// real redis-server: change an entry only to match Redis.

package server

// Argument flags, shared by the entries below.
var (
	argMultiple         = []string{"multiple"}
	argOptional         = []string{"optional"}
	argOptionalMultiple = []string{"optional", "multiple"}
)

// commandDocs holds, by full command name, what COMMAND DOCS reports and
// the tips and key specs COMMAND INFO reports, as redis-server 7.0.15 does.
var commandDocs = map[string]*commandDoc{
	"subscribe": {
		summary:    "Listen for messages published to the given channels",
		since:      "2.0.0",
		group:      "pubsub",
		complexity: "O(N) where N is the number of channels to subscribe to.",
		args: []docArg{
			{name: "channel", kind: "string", flags: argMultiple},
		},
	},
	"unsubscribe": {
		summary:    "Stop listening for messages posted to the given channels",
		since:      "2.0.0",
		group:      "pubsub",
		complexity: "O(N) where N is the number of clients already subscribed to a channel.",
		args: []docArg{
			{name: "channel", kind: "string", flags: argOptionalMultiple},
		},
	},
	"psubscribe": {
		summary:    "Listen for messages published to channels matching the given patterns",
		since:      "2.0.0",
		group:      "pubsub",
		complexity: "O(N) where N is the number of patterns the client is already subscribed to.",
		args: []docArg{
			{name: "pattern", kind: "block", flags: argMultiple, args: []docArg{
				{name: "pattern", kind: "pattern"},
			}},
		},
	},
	"punsubscribe": {
		summary:    "Stop listening for messages posted to channels matching the given patterns",
		since:      "2.0.0",
		group:      "pubsub",
		complexity: "O(N+M) where N is the number of patterns the client is already subscribed and M is the number of total patterns subscribed in the system (by any client).",
		args: []docArg{
			{name: "pattern", kind: "pattern", flags: argOptionalMultiple},
		},
	},
	"ssubscribe": {
		summary:    "Listen for messages published to the given shard channels",
		since:      "7.0.0",
		group:      "pubsub",
		complexity: "O(N) where N is the number of shard channels to subscribe to.",
		keySpecs:   []keySpec{{flags: []string{"not_key"}, beginIndex: 1, lastKey: -1, keyStep: 1, limit: 0}},
		args: []docArg{
			{name: "shardchannel", kind: "string", flags: argMultiple},
		},
	},
	"sunsubscribe": {
		summary:    "Stop listening for messages posted to the given shard channels",
		since:      "7.0.0",
		group:      "pubsub",
		complexity: "O(N) where N is the number of clients already subscribed to a shard channel.",
		keySpecs:   []keySpec{{flags: []string{"not_key"}, beginIndex: 1, lastKey: -1, keyStep: 1, limit: 0}},
		args: []docArg{
			{name: "shardchannel", kind: "string", flags: argOptionalMultiple},
		},
	},
	"publish": {
		summary:    "Post a message to a channel",
		since:      "2.0.0",
		group:      "pubsub",
		complexity: "O(N+M) where N is the number of clients subscribed to the receiving channel and M is the total number of subscribed patterns (by any client).",
		args: []docArg{
			{name: "channel", kind: "string"},
			{name: "message", kind: "string"},
		},
	},
	"spublish": {
		summary:    "Post a message to a shard channel",
		since:      "7.0.0",
		group:      "pubsub",
		complexity: "O(N) where N is the number of clients subscribed to the receiving shard channel.",
		keySpecs:   []keySpec{{flags: []string{"not_key"}, beginIndex: 1, lastKey: 0, keyStep: 1, limit: 0}},
		args: []docArg{
			{name: "shardchannel", kind: "string"},
			{name: "message", kind: "string"},
		},
	},
	"pubsub": {
		summary:    "A container for Pub/Sub commands",
		since:      "2.8.0",
		group:      "pubsub",
		complexity: "Depends on subcommand.",
	},
	"pubsub|channels": {
		summary:    "List active channels",
		since:      "2.8.0",
		group:      "pubsub",
		complexity: "O(N) where N is the number of active channels, and assuming constant time pattern matching (relatively short channels and patterns)",
		args: []docArg{
			{name: "pattern", kind: "pattern", flags: argOptional},
		},
	},
	"pubsub|numsub": {
		summary:    "Get the count of subscribers for channels",
		since:      "2.8.0",
		group:      "pubsub",
		complexity: "O(N) for the NUMSUB subcommand, where N is the number of requested channels",
		args: []docArg{
			{name: "channel", kind: "string", flags: argOptionalMultiple},
		},
	},
	"pubsub|numpat": {
		summary:    "Get the count of unique patterns pattern subscriptions",
		since:      "2.8.0",
		group:      "pubsub",
		complexity: "O(1)",
	},
	"pubsub|shardchannels": {
		summary:    "List active shard channels",
		since:      "7.0.0",
		group:      "pubsub",
		complexity: "O(N) where N is the number of active shard channels, and assuming constant time pattern matching (relatively short shard channels).",
		args: []docArg{
			{name: "pattern", kind: "pattern", flags: argOptional},
		},
	},
	"pubsub|shardnumsub": {
		summary:    "Get the count of subscribers for shard channels",
		since:      "7.0.0",
		group:      "pubsub",
		complexity: "O(N) for the SHARDNUMSUB subcommand, where N is the number of requested shard channels",
		args: []docArg{
			{name: "shardchannel", kind: "string", flags: argOptionalMultiple},
		},
	},
	"pubsub|help": {
		summary:    "Show helpful text about the different subcommands",
		since:      "6.2.0",
		group:      "pubsub",
		complexity: "O(1)",
	},
	"ping": {
		summary:    "Ping the server",
		since:      "1.0.0",
		group:      "connection",
		complexity: "O(1)",
		tips:       []string{"request_policy:all_shards", "response_policy:all_succeeded"},
		args: []docArg{
			{name: "message", kind: "string", flags: argOptional},
		},
	},
	"echo": {
		summary:    "Echo the given string",
		since:      "1.0.0",
		group:      "connection",
		complexity: "O(1)",
		args: []docArg{
			{name: "message", kind: "string"},
		},
	},
	"quit": {
		summary:    "Close the connection",
		since:      "1.0.0",
		group:      "connection",
		complexity: "O(1)",
	},
	"reset": {
		summary:    "Reset the connection",
		since:      "6.2.0",
		group:      "connection",
		complexity: "O(1)",
	},
	"select": {
		summary:    "Change the selected database for the current connection",
		since:      "1.0.0",
		group:      "connection",
		complexity: "O(1)",
		args: []docArg{
			{name: "index", kind: "integer"},
		},
	},
	"auth": {
		summary:    "Authenticate to the server",
		since:      "1.0.0",
		group:      "connection",
		complexity: "O(N) where N is the number of passwords defined for the user",
		history: [][2]string{
			{"6.0.0", "Added ACL style (username and password)."},
		},
		args: []docArg{
			{name: "username", kind: "string", since: "6.0.0", flags: argOptional},
			{name: "password", kind: "string"},
		},
	},
	"hello": {
		summary:    "Handshake with Redis",
		since:      "6.0.0",
		group:      "connection",
		complexity: "O(1)",
		history: [][2]string{
			{"6.2.0", "`protover` made optional; when called without arguments the command reports the current connection's context."},
		},
		args: []docArg{
			{name: "arguments", kind: "block", flags: argOptional, args: []docArg{
				{name: "protover", kind: "integer"},
				{name: "username_password", kind: "block", token: "AUTH", flags: argOptional, args: []docArg{
					{name: "username", kind: "string"},
					{name: "password", kind: "string"},
				}},
				{name: "clientname", kind: "string", token: "SETNAME", flags: argOptional},
			}},
		},
	},
	"client": {
		summary:    "A container for client connection commands",
		since:      "2.4.0",
		group:      "connection",
		complexity: "Depends on subcommand.",
	},
	"client|id": {
		summary:    "Returns the client ID for the current connection",
		since:      "5.0.0",
		group:      "connection",
		complexity: "O(1)",
	},
	"client|getname": {
		summary:    "Get the current connection name",
		since:      "2.6.9",
		group:      "connection",
		complexity: "O(1)",
	},
	"client|setname": {
		summary:    "Set the current connection name",
		since:      "2.6.9",
		group:      "connection",
		complexity: "O(1)",
		args: []docArg{
			{name: "connection-name", kind: "string"},
		},
	},
	"client|list": {
		summary:    "Get the list of client connections",
		since:      "2.4.0",
		group:      "connection",
		complexity: "O(N) where N is the number of client connections",
		history: [][2]string{
			{"2.8.12", "Added unique client `id` field."},
			{"5.0.0", "Added optional `TYPE` filter."},
			{"6.0.0", "Added `user` field."},
			{"6.2.0", "Added `argv-mem`, `tot-mem`, `laddr` and `redir` fields and the optional `ID` filter."},
			{"7.0.0", "Added `resp`, `multi-mem`, `rbs` and `rbp` fields."},
			{"7.0.3", "Added `ssub` field."},
		},
		tips: []string{"nondeterministic_output"},
		args: []docArg{
			{name: "normal_master_replica_pubsub", kind: "oneof", token: "TYPE", since: "5.0.0", flags: argOptional, args: []docArg{
				{name: "normal", kind: "pure-token", token: "NORMAL"},
				{name: "master", kind: "pure-token", token: "MASTER"},
				{name: "replica", kind: "pure-token", token: "REPLICA"},
				{name: "pubsub", kind: "pure-token", token: "PUBSUB"},
			}},
			{name: "id", kind: "block", token: "ID", since: "6.2.0", flags: argOptional, args: []docArg{
				{name: "client-id", kind: "integer", flags: argMultiple},
			}},
		},
	},
	"client|info": {
		summary:    "Returns information about the current client connection.",
		since:      "6.2.0",
		group:      "connection",
		complexity: "O(1)",
		tips:       []string{"nondeterministic_output"},
	},
	"client|kill": {
		summary:    "Kill the connection of a client",
		since:      "2.4.0",
		group:      "connection",
		complexity: "O(N) where N is the number of client connections",
		history: [][2]string{
			{"2.8.12", "Added new filter format."},
			{"2.8.12", "`ID` option."},
			{"3.2.0", "Added `master` type in for `TYPE` option."},
			{"5.0.0", "Replaced `slave` `TYPE` with `replica`. `slave` still supported for backward compatibility."},
			{"6.2.0", "`LADDR` option."},
		},
		args: []docArg{
			{name: "filter", kind: "oneof", args: []docArg{
				{name: "ip:port", kind: "string", deprecatedSince: "2.8.12"},
				{name: "new-format", kind: "oneof", flags: argMultiple, args: []docArg{
					{name: "client-id", kind: "integer", token: "ID", since: "2.8.12", flags: argOptional},
					{name: "normal_master_slave_pubsub", kind: "oneof", token: "TYPE", since: "2.8.12", flags: argOptional, args: []docArg{
						{name: "normal", kind: "pure-token", token: "NORMAL"},
						{name: "master", kind: "pure-token", token: "MASTER", since: "3.2.0"},
						{name: "slave", kind: "pure-token", token: "SLAVE"},
						{name: "replica", kind: "pure-token", token: "REPLICA", since: "5.0.0"},
						{name: "pubsub", kind: "pure-token", token: "PUBSUB"},
					}},
					{name: "username", kind: "string", token: "USER", flags: argOptional},
					{name: "ip:port", kind: "string", token: "ADDR", flags: argOptional},
					{name: "ip:port", kind: "string", token: "LADDR", since: "6.2.0", flags: argOptional},
					{name: "yes/no", kind: "string", token: "SKIPME", flags: argOptional},
				}},
			}},
		},
	},
	"client|reply": {
		summary:    "Instruct the server whether to reply to commands",
		since:      "3.2.0",
		group:      "connection",
		complexity: "O(1)",
		args: []docArg{
			{name: "on_off_skip", kind: "oneof", args: []docArg{
				{name: "on", kind: "pure-token", token: "ON"},
				{name: "off", kind: "pure-token", token: "OFF"},
				{name: "skip", kind: "pure-token", token: "SKIP"},
			}},
		},
	},
	"client|no-evict": {
		summary:    "Set client eviction mode for the current connection",
		since:      "7.0.0",
		group:      "connection",
		complexity: "O(1)",
		args: []docArg{
			{name: "enabled", kind: "oneof", args: []docArg{
				{name: "on", kind: "pure-token", token: "ON"},
				{name: "off", kind: "pure-token", token: "OFF"},
			}},
		},
	},
	"client|help": {
		summary:    "Show helpful text about the different subcommands",
		since:      "5.0.0",
		group:      "connection",
		complexity: "O(1)",
	},
	"info": {
		summary:    "Get information and statistics about the server",
		since:      "1.0.0",
		group:      "server",
		complexity: "O(1)",
		history: [][2]string{
			{"7.0.0", "Added support for taking multiple section arguments."},
		},
		tips: []string{"nondeterministic_output", "request_policy:all_shards", "response_policy:special"},
		args: []docArg{
			{name: "section", kind: "string", flags: argOptionalMultiple},
		},
	},
	"config": {
		summary:    "A container for server configuration commands",
		since:      "2.0.0",
		group:      "server",
		complexity: "Depends on subcommand.",
	},
	"config|get": {
		summary:    "Get the values of configuration parameters",
		since:      "2.0.0",
		group:      "server",
		complexity: "O(N) when N is the number of configuration parameters provided",
		history: [][2]string{
			{"7.0.0", "Added the ability to pass multiple pattern parameters in one call"},
		},
		args: []docArg{
			{name: "parameter", kind: "block", flags: argMultiple, args: []docArg{
				{name: "parameter", kind: "string"},
			}},
		},
	},
	"config|set": {
		summary:    "Set configuration parameters to the given values",
		since:      "2.0.0",
		group:      "server",
		complexity: "O(N) when N is the number of configuration parameters provided",
		history: [][2]string{
			{"7.0.0", "Added the ability to set multiple parameters in one call."},
		},
		tips: []string{"request_policy:all_nodes", "response_policy:all_succeeded"},
		args: []docArg{
			{name: "parameter_value", kind: "block", flags: argMultiple, args: []docArg{
				{name: "parameter", kind: "string"},
				{name: "value", kind: "string"},
			}},
		},
	},
	"config|resetstat": {
		summary:    "Reset the stats returned by INFO",
		since:      "2.0.0",
		group:      "server",
		complexity: "O(1)",
	},
	"config|rewrite": {
		summary:    "Rewrite the configuration file with the in memory configuration",
		since:      "2.8.0",
		group:      "server",
		complexity: "O(1)",
	},
	"config|help": {
		summary:    "Show helpful text about the different subcommands",
		since:      "5.0.0",
		group:      "server",
		complexity: "O(1)",
	},
	"flushall": {
		summary:    "Remove all keys from all databases",
		since:      "1.0.0",
		group:      "server",
		complexity: "O(N) where N is the total number of keys in all databases",
		history: [][2]string{
			{"4.0.0", "Added the `ASYNC` flushing mode modifier."},
			{"6.2.0", "Added the `SYNC` flushing mode modifier."},
		},
		tips: []string{"request_policy:all_shards", "response_policy:all_succeeded"},
		args: []docArg{
			{name: "async", kind: "oneof", flags: argOptional, args: []docArg{
				{name: "async", kind: "pure-token", token: "ASYNC", since: "4.0.0"},
				{name: "sync", kind: "pure-token", token: "SYNC", since: "6.2.0"},
			}},
		},
	},
	"flushdb": {
		summary:    "Remove all keys from the current database",
		since:      "1.0.0",
		group:      "server",
		complexity: "O(N) where N is the number of keys in the selected database",
		history: [][2]string{
			{"4.0.0", "Added the `ASYNC` flushing mode modifier."},
			{"6.2.0", "Added the `SYNC` flushing mode modifier."},
		},
		tips: []string{"request_policy:all_shards", "response_policy:all_succeeded"},
		args: []docArg{
			{name: "async", kind: "oneof", flags: argOptional, args: []docArg{
				{name: "async", kind: "pure-token", token: "ASYNC", since: "4.0.0"},
				{name: "sync", kind: "pure-token", token: "SYNC", since: "6.2.0"},
			}},
		},
	},
	"bgrewriteaof": {
		summary:    "Asynchronously rewrite the append-only file",
		since:      "1.0.0",
		group:      "server",
		complexity: "O(1)",
	},
	"dbsize": {
		summary:    "Return the number of keys in the selected database",
		since:      "1.0.0",
		group:      "server",
		complexity: "O(1)",
		tips:       []string{"request_policy:all_shards", "response_policy:agg_sum"},
	},
	"time": {
		summary:    "Return the current server time",
		since:      "2.6.0",
		group:      "server",
		complexity: "O(1)",
		tips:       []string{"nondeterministic_output"},
	},
	"debug": {
		summary:    "A container for debugging commands",
		since:      "1.0.0",
		group:      "server",
		complexity: "Depends on subcommand.",
		docFlags:   []string{"syscmd"},
	},
	"function": {
		summary:    "A container for function commands",
		since:      "7.0.0",
		group:      "scripting",
		complexity: "Depends on subcommand.",
	},
	"function|delete": {
		summary:    "Delete a function by name",
		since:      "7.0.0",
		group:      "scripting",
		complexity: "O(1)",
		tips:       []string{"request_policy:all_shards", "response_policy:all_succeeded"},
		args: []docArg{
			{name: "library-name", kind: "string"},
		},
	},
	"function|dump": {
		summary:    "Dump all functions into a serialized binary payload",
		since:      "7.0.0",
		group:      "scripting",
		complexity: "O(N) where N is the number of functions",
	},
	"function|flush": {
		summary:    "Deleting all functions",
		since:      "7.0.0",
		group:      "scripting",
		complexity: "O(N) where N is the number of functions deleted",
		tips:       []string{"request_policy:all_shards", "response_policy:all_succeeded"},
		args: []docArg{
			{name: "async", kind: "oneof", flags: argOptional, args: []docArg{
				{name: "async", kind: "pure-token", token: "ASYNC"},
				{name: "sync", kind: "pure-token", token: "SYNC"},
			}},
		},
	},
	"function|help": {
		summary:    "Show helpful text about the different subcommands",
		since:      "7.0.0",
		group:      "scripting",
		complexity: "O(1)",
	},
	"function|kill": {
		summary:    "Kill the function currently in execution.",
		since:      "7.0.0",
		group:      "scripting",
		complexity: "O(1)",
		tips:       []string{"request_policy:all_shards", "response_policy:one_succeeded"},
	},
	"function|list": {
		summary:    "List information about all the functions",
		since:      "7.0.0",
		group:      "scripting",
		complexity: "O(N) where N is the number of functions",
		tips:       []string{"nondeterministic_output_order"},
		args: []docArg{
			{name: "library-name-pattern", kind: "string", token: "LIBRARYNAME", flags: argOptional},
			{name: "withcode", kind: "pure-token", token: "WITHCODE", flags: argOptional},
		},
	},
	"function|load": {
		summary:    "Create a function with the given arguments (name, code, description)",
		since:      "7.0.0",
		group:      "scripting",
		complexity: "O(1) (considering compilation time is redundant)",
		tips:       []string{"request_policy:all_shards", "response_policy:all_succeeded"},
		args: []docArg{
			{name: "replace", kind: "pure-token", token: "REPLACE", flags: argOptional},
			{name: "function-code", kind: "string"},
		},
	},
	"function|restore": {
		summary:    "Restore all the functions on the given payload",
		since:      "7.0.0",
		group:      "scripting",
		complexity: "O(N) where N is the number of functions on the payload",
		tips:       []string{"request_policy:all_shards", "response_policy:all_succeeded"},
		args: []docArg{
			{name: "serialized-value", kind: "string"},
			{name: "policy", kind: "oneof", flags: argOptional, args: []docArg{
				{name: "flush", kind: "pure-token", token: "FLUSH"},
				{name: "append", kind: "pure-token", token: "APPEND"},
				{name: "replace", kind: "pure-token", token: "REPLACE"},
			}},
		},
	},
	"function|stats": {
		summary:    "Return information about the function currently running (name, description, duration)",
		since:      "7.0.0",
		group:      "scripting",
		complexity: "O(1)",
		tips:       []string{"nondeterministic_output", "request_policy:all_shards", "response_policy:special"},
	},
	"command": {
		summary:    "Get array of Redis command details",
		since:      "2.8.13",
		group:      "server",
		complexity: "O(N) where N is the total number of Redis commands",
		tips:       []string{"nondeterministic_output_order"},
	},
	"command|count": {
		summary:    "Get total number of Redis commands",
		since:      "2.8.13",
		group:      "server",
		complexity: "O(1)",
	},
	"command|docs": {
		summary:    "Get array of specific Redis command documentation",
		since:      "7.0.0",
		group:      "server",
		complexity: "O(N) where N is the number of commands to look up",
		tips:       []string{"nondeterministic_output_order"},
		args: []docArg{
			{name: "command-name", kind: "string", flags: argOptionalMultiple},
		},
	},
	"command|getkeys": {
		summary:    "Extract keys given a full Redis command",
		since:      "2.8.13",
		group:      "server",
		complexity: "O(N) where N is the number of arguments to the command",
	},
	"command|getkeysandflags": {
		summary:    "Extract keys and access flags given a full Redis command",
		since:      "7.0.0",
		group:      "server",
		complexity: "O(N) where N is the number of arguments to the command",
	},
	"command|help": {
		summary:    "Show helpful text about the different subcommands",
		since:      "5.0.0",
		group:      "server",
		complexity: "O(1)",
	},
	"command|info": {
		summary:    "Get array of specific Redis command details, or all when no argument is given.",
		since:      "2.8.13",
		group:      "server",
		complexity: "O(N) where N is the number of commands to look up",
		history: [][2]string{
			{"7.0.0", "Allowed to be called with no argument to get info on all commands."},
		},
		tips: []string{"nondeterministic_output_order"},
		args: []docArg{
			{name: "command-name", kind: "string", flags: argOptionalMultiple},
		},
	},
	"command|list": {
		summary:    "Get an array of Redis command names",
		since:      "7.0.0",
		group:      "server",
		complexity: "O(N) where N is the total number of Redis commands",
		tips:       []string{"nondeterministic_output_order"},
		args: []docArg{
			{name: "filterby", kind: "oneof", token: "FILTERBY", flags: argOptional, args: []docArg{
				{name: "module-name", kind: "string", token: "MODULE"},
				{name: "category", kind: "string", token: "ACLCAT"},
				{name: "pattern", kind: "pattern", token: "PATTERN"},
			}},
		},
	},
	// Redis 7.2, from its command JSON (src/commands/client-setinfo.json,
	// client-no-touch.json).
	"client|setinfo": {
		summary:    "Sets information specific to the client or connection.",
		since:      "7.2.0",
		group:      "connection",
		complexity: "O(1)",
		args: []docArg{
			{name: "attr", kind: "oneof", args: []docArg{
				{name: "libname", kind: "string", token: "LIB-NAME"},
				{name: "libver", kind: "string", token: "LIB-VER"},
			}},
		},
	},
	"client|no-touch": {
		summary:    "Controls whether commands sent by the client affect the LRU/LFU of accessed keys.",
		since:      "7.2.0",
		group:      "connection",
		complexity: "O(1)",
		args: []docArg{
			{name: "enabled", kind: "oneof", args: []docArg{
				{name: "on", kind: "pure-token", token: "ON"},
				{name: "off", kind: "pure-token", token: "OFF"},
			}},
		},
	},
}
