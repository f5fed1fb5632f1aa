// COMMAND DOCS entries, and the key specs of COMMAND INFO, of the
// transaction commands, as redis-server 7.0.15 reports them: change an
// entry only to match Redis.

package server

func init() {
	for name, doc := range multiDocs {
		commandDocs[name] = doc
	}
}

var multiDocs = map[string]*commandDoc{
	"multi": {
		summary:    "Mark the start of a transaction block",
		since:      "1.2.0",
		group:      "transactions",
		complexity: "O(1)",
	},
	"exec": {
		summary:    "Execute all commands issued after MULTI",
		since:      "1.2.0",
		group:      "transactions",
		complexity: "Depends on commands in the transaction",
	},
	"discard": {
		summary:    "Discard all commands issued after MULTI",
		since:      "2.0.0",
		group:      "transactions",
		complexity: "O(N), when N is the number of queued commands",
	},
	"watch": {
		summary:    "Watch the given keys to determine execution of the MULTI/EXEC block",
		since:      "2.2.0",
		group:      "transactions",
		complexity: "O(1) for every key.",
		keySpecs:   []keySpec{{flags: []string{"RO"}, beginIndex: 1, lastKey: -1, keyStep: 1, limit: 0}},
		args: []docArg{
			{name: "key", kind: "key", flags: argMultiple},
		},
	},
	"unwatch": {
		summary:    "Forget about all watched keys",
		since:      "2.2.0",
		group:      "transactions",
		complexity: "O(1)",
	},
}
