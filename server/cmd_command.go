package server

import (
	"sort"
	"strings"

	"github.com/heraldhq/herald/internal/glob"
	"github.com/heraldhq/herald/internal/resp"
)

// COMMAND and its subcommands describe Herald's command table the way
// redis-server 7.0.15 describes its own: COMMAND INFO from each command's
// arity and meta (flags, key range, ACL categories) plus the tips and key
// specs in commandDocs, COMMAND DOCS from commandDocs (cmd_command_docs.go,
// generated from Redis). Clients such as go-redis's cluster client and
// rueidis call COMMAND on connect. Commands come out sorted by name, where
// Redis's order follows its hash table.

// commandDoc is what COMMAND DOCS reports of a command, and the parts of
// COMMAND INFO that commandMeta does not hold (tips, key specs).
type commandDoc struct {
	summary, since, group, complexity string
	docFlags                          []string
	deprecatedSince, replacedBy       string      // of a deprecated command
	history                           [][2]string // version, change
	tips                              []string
	keySpecs                          []keySpec
	args                              []docArg
}

// docArg is one argument in COMMAND DOCS; oneof and block arguments nest.
type docArg struct {
	name, kind, token, since, deprecatedSince string
	flags                                     []string
	args                                      []docArg
	keySpec                                   int // key_spec_index, written for a "key" argument
}

// keySpec is a key specification of the begin_search "index" kind (or,
// with keyword set, of the "keyword" kind: the keys follow the keyword,
// searched from startFrom; XREAD's STREAMS), with
// find_keys of the "range" kind or, with keynum, of the "keynum" kind
// (SINTERCARD: the number of keys at keynumIdx, the first key at
// firstKey, both relative to beginIndex).
type keySpec struct {
	notes                   string // Redis's note on the flags, if any
	flags                   []string
	beginIndex              int
	lastKey, keyStep, limit int
	keynum                  bool
	keynumIdx, firstKey     int
	keyword                 string
	startFrom               int
}

// registerCommand registers COMMAND. The handlers reach the table through
// t, not the package's commands variable, which they are part of.
func registerCommand(t commandTable) {
	meta := commandMeta{flags: []string{"loading", "stale"}, categories: []string{"@slow", "@connection"}}
	cmd := t.add(&command{name: "command", arity: -1, meta: meta,
		run: func(c *conn, _ [][]byte) { c.writeCommandInfos(t.sorted()) }})
	cmd.addSub(&command{name: "count", arity: 2, meta: meta,
		run: func(c *conn, _ [][]byte) { c.writeInt(int64(len(t))) }})
	cmd.addSub(&command{name: "info", arity: -2, meta: meta, run: func(c *conn, args [][]byte) {
		if len(args) == 2 {
			c.writeCommandInfos(t.sorted())
			return
		}
		c.writeArrayLen(len(args) - 2)
		for _, name := range args[2:] {
			if found := t.byFullName(name); found != nil {
				c.writeCommandInfo(found)
			} else {
				c.writeNull()
			}
		}
	}})
	cmd.addSub(&command{name: "docs", arity: -2, meta: meta, run: func(c *conn, args [][]byte) {
		found := t.sorted()
		if len(args) > 2 {
			found = found[:0]
			for _, name := range args[2:] {
				if x := t.byFullName(name); x != nil {
					found = append(found, x)
				}
			}
		}
		c.writeMapLen(len(found))
		for _, x := range found {
			c.writeBulkString(x.name)
			c.writeCommandDocs(x)
		}
	}})
	cmd.addSub(&command{name: "list", arity: -2, meta: meta, run: func(c *conn, args [][]byte) { cmdCommandList(c, t, args) }})
	cmd.addSub(&command{name: "getkeys", arity: -4, meta: meta, run: func(c *conn, args [][]byte) { cmdCommandGetKeys(c, t, args, false) }})
	cmd.addSub(&command{name: "getkeysandflags", arity: -4, meta: meta, run: func(c *conn, args [][]byte) { cmdCommandGetKeys(c, t, args, true) }})
	cmd.addSub(&command{name: "help", arity: 2, meta: meta, run: func(c *conn, _ [][]byte) { c.writeHelp(helpCommand) }})
}

// byFullName finds a command by its full name, "client" or "client|list",
// in any case, as Redis's lookupCommandBySds does.
func (t commandTable) byFullName(name []byte) *command {
	parts := strings.Split(lowerASCII(string(name)), "|")
	cmd := t[parts[0]]
	switch {
	case cmd == nil || len(parts) > 2:
		return nil
	case len(parts) == 2:
		return cmd.subs[parts[1]]
	}
	return cmd
}

// byArgs finds the command a full command line runs, as Redis's
// lookupCommand does for COMMAND GETKEYS.
func (t commandTable) byArgs(args [][]byte) *command {
	cmd := t[lowerASCII(string(args[0]))]
	if cmd == nil || len(args) == 1 || cmd.subs == nil {
		return cmd
	}
	return cmd.subs[lowerASCII(string(args[1]))]
}

// sortedSubs returns cmd's subcommands by name.
func (cmd *command) sortedSubs() []*command {
	out := make([]*command, 0, len(cmd.subs))
	for _, s := range cmd.subs {
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

func (c *conn) writeSetLen(n int) { c.reply = resp.AppendSetLen(c.reply, n, c.proto) }

// writeStatusSet writes names as a set of simple strings (flags, ACL
// categories), an array in RESP2.
func (c *conn) writeStatusSet(names []string) {
	c.writeSetLen(len(names))
	for _, n := range names {
		c.writeSimple(n)
	}
}

func (c *conn) writeCommandInfos(cmds []*command) {
	c.writeArrayLen(len(cmds))
	for _, cmd := range cmds {
		c.writeCommandInfo(cmd)
	}
}

// writeCommandInfo writes Redis 7.0's ten-element COMMAND INFO entry: name,
// arity, flags, first key, last key, key step, ACL categories, tips, key
// specs, subcommands. Flags, categories, tips and key specs are sets in
// RESP3; the subcommands are an array, or an empty set when there are none.
func (c *conn) writeCommandInfo(cmd *command) {
	doc := commandDocs[cmd.name]
	if doc == nil {
		doc = &commandDoc{}
	}
	c.writeArrayLen(10)
	c.writeBulkString(cmd.name)
	c.writeInt(int64(cmd.arity))
	c.writeStatusSet(cmd.meta.flags)
	c.writeInt(int64(cmd.meta.firstKey))
	c.writeInt(int64(cmd.meta.lastKey))
	c.writeInt(int64(cmd.meta.keyStep))
	c.writeStatusSet(cmd.meta.categories)
	c.writeSetLen(len(doc.tips))
	for _, tip := range doc.tips {
		c.writeBulkString(tip)
	}
	c.writeSetLen(len(doc.keySpecs))
	for _, ks := range doc.keySpecs {
		c.writeKeySpec(ks)
	}
	if len(cmd.subs) == 0 {
		c.writeSetLen(0)
		return
	}
	c.writeCommandInfos(cmd.sortedSubs())
}

func (c *conn) writeKeySpec(ks keySpec) {
	if ks.notes != "" {
		c.writeMapLen(4)
		c.writeBulkString("notes")
		c.writeBulkString(ks.notes)
	} else {
		c.writeMapLen(3)
	}
	c.writeBulkString("flags")
	c.writeStatusSet(ks.flags)
	c.writeBulkString("begin_search")
	c.writeMapLen(2)
	c.writeBulkString("type")
	if ks.keyword != "" {
		c.writeBulkString("keyword")
		c.writeBulkString("spec")
		c.writeMapLen(2)
		c.writeBulkString("keyword")
		c.writeBulkString(ks.keyword)
		c.writeBulkString("startfrom")
		c.writeInt(int64(ks.startFrom))
	} else {
		c.writeBulkString("index")
		c.writeBulkString("spec")
		c.writeMapLen(1)
		c.writeBulkString("index")
		c.writeInt(int64(ks.beginIndex))
	}
	c.writeBulkString("find_keys")
	c.writeMapLen(2)
	c.writeBulkString("type")
	fields := []struct {
		k string
		v int
	}{{"lastkey", ks.lastKey}, {"keystep", ks.keyStep}, {"limit", ks.limit}}
	if ks.keynum {
		c.writeBulkString("keynum")
		fields = []struct {
			k string
			v int
		}{{"keynumidx", ks.keynumIdx}, {"firstkey", ks.firstKey}, {"keystep", ks.keyStep}}
	} else {
		c.writeBulkString("range")
	}
	c.writeBulkString("spec")
	c.writeMapLen(3)
	for _, kv := range fields {
		c.writeBulkString(kv.k)
		c.writeInt(int64(kv.v))
	}
}

// writeCommandDocs writes a command's COMMAND DOCS map, with the keys in
// Redis's order.
func (c *conn) writeCommandDocs(cmd *command) {
	doc := commandDocs[cmd.name]
	if doc == nil {
		doc = &commandDoc{group: "server"}
	}
	fields := []struct {
		key     string
		present bool
		write   func()
	}{
		{"summary", doc.summary != "", func() { c.writeBulkString(doc.summary) }},
		{"since", doc.since != "", func() { c.writeBulkString(doc.since) }},
		{"group", true, func() { c.writeBulkString(doc.group) }},
		{"complexity", doc.complexity != "", func() { c.writeBulkString(doc.complexity) }},
		{"doc_flags", len(doc.docFlags) > 0, func() { c.writeStatusSet(doc.docFlags) }},
		{"deprecated_since", doc.deprecatedSince != "", func() { c.writeBulkString(doc.deprecatedSince) }},
		{"replaced_by", doc.replacedBy != "", func() { c.writeBulkString(doc.replacedBy) }},
		{"history", len(doc.history) > 0, func() {
			c.writeSetLen(len(doc.history))
			for _, h := range doc.history {
				c.writeBulkStrings(h[:])
			}
		}},
		{"arguments", len(doc.args) > 0, func() { c.writeDocArgs(doc.args) }},
		{"subcommands", len(cmd.subs) > 0, func() {
			c.writeMapLen(len(cmd.subs))
			for _, sub := range cmd.sortedSubs() {
				c.writeBulkString(sub.name)
				c.writeCommandDocs(sub)
			}
		}},
	}
	n := 0
	for _, f := range fields {
		if f.present {
			n++
		}
	}
	c.writeMapLen(n)
	for _, f := range fields {
		if f.present {
			c.writeBulkString(f.key)
			f.write()
		}
	}
}

// writeDocArgs writes an argument list: an array of maps.
func (c *conn) writeDocArgs(args []docArg) {
	c.writeArrayLen(len(args))
	for _, a := range args {
		optional := []struct{ key, value string }{{"token", a.token}, {"since", a.since}, {"deprecated_since", a.deprecatedSince}}
		n := 2
		if a.kind == "key" {
			n++
		}
		for _, o := range optional {
			if o.value != "" {
				n++
			}
		}
		if len(a.flags) > 0 {
			n++
		}
		if len(a.args) > 0 {
			n++
		}
		c.writeMapLen(n)
		c.writeBulkString("name")
		c.writeBulkString(a.name)
		c.writeBulkString("type")
		c.writeBulkString(a.kind)
		if a.kind == "key" {
			c.writeBulkString("key_spec_index")
			c.writeInt(int64(a.keySpec))
		}
		for _, o := range optional {
			if o.value != "" {
				c.writeBulkString(o.key)
				c.writeBulkString(o.value)
			}
		}
		if len(a.flags) > 0 {
			c.writeBulkString("flags")
			c.writeStatusSet(a.flags)
		}
		if len(a.args) > 0 {
			c.writeBulkString("arguments")
			c.writeDocArgs(a.args)
		}
	}
}

// cmdCommandList is COMMAND LIST [FILTERBY MODULE name|ACLCAT category|
// PATTERN pattern]: the full names of the commands and subcommands that
// pass the filter. Herald has no modules.
func cmdCommandList(c *conn, t commandTable, args [][]byte) {
	keep := func(*command) bool { return true }
	if len(args) > 2 {
		if len(args) != 5 || !equalFoldASCII(string(args[2]), "filterby") {
			c.writeError(errSyntax)
			return
		}
		arg := string(args[4])
		switch lowerASCII(string(args[3])) {
		case "module":
			keep = func(*command) bool { return false }
		case "aclcat":
			keep = func(cmd *command) bool {
				for _, cat := range cmd.meta.categories {
					if equalFoldASCII(cat, "@"+arg) {
						return true
					}
				}
				return false
			}
		case "pattern":
			pattern := lowerASCII(arg)
			keep = func(cmd *command) bool { return glob.MatchString(pattern, cmd.name) }
		default:
			c.writeError(errSyntax)
			return
		}
	}
	var names []string
	for _, cmd := range t.sorted() {
		for _, x := range append([]*command{cmd}, cmd.sortedSubs()...) {
			if keep(x) {
				names = append(names, x.name)
			}
		}
	}
	c.writeBulkStrings(names)
}

// cmdCommandGetKeys is COMMAND GETKEYS / GETKEYSANDFLAGS full-command, with
// Redis's checks in Redis's order. A command has keys when one of its key
// specs is not marked not_key (the shard-channel commands' are); the keys
// are found spec by spec, each with its spec's flags.
func cmdCommandGetKeys(c *conn, t commandTable, args [][]byte, withFlags bool) {
	line := args[2:]
	cmd := t.byArgs(line)
	if cmd == nil {
		c.writeError(errGetKeysInvalid)
		return
	}
	var specs []keySpec
	if doc := commandDocs[cmd.name]; doc != nil {
		for _, spec := range doc.keySpecs {
			if !containsFold(spec.flags, "not_key") {
				specs = append(specs, spec)
			}
		}
	}
	if len(specs) == 0 {
		c.writeError(errGetKeysNoKeys)
		return
	}
	if (cmd.arity > 0 && len(line) != cmd.arity) || len(line) < -cmd.arity {
		c.writeError(errGetKeysArity)
		return
	}
	// The keys of each spec in turn, as Redis's getKeysUsingKeySpecs.
	type foundKey struct {
		arg   []byte
		flags []string
	}
	var keys []foundKey
	for _, spec := range specs {
		first, last, ok := spec.keyRange(line)
		if !ok {
			c.writeError(errGetKeysArgs)
			return
		}
		for i := first; i <= last; i += max(spec.keyStep, 1) {
			keys = append(keys, foundKey{line[i], spec.flags})
		}
	}
	c.writeArrayLen(len(keys))
	for _, k := range keys {
		if withFlags {
			c.writeArrayLen(2)
			c.writeBulk(k.arg)
			c.writeStatusSet(k.flags)
		} else {
			c.writeBulk(k.arg)
		}
	}
}

// keyRange returns the indexes in line of the first and the last key the
// spec finds, as Redis's getKeysUsingKeySpecs, or false when the line
// does not have them.
func (spec keySpec) keyRange(line [][]byte) (first, last int, ok bool) {
	argc := len(line)
	first = spec.beginIndex
	if spec.keyword != "" {
		// Redis's KSPEC_BS_KEYWORD: the first match from startfrom (from
		// the end when negative), the last argument excluded.
		start, end, step := spec.startFrom, argc-1, 1
		if start <= 0 {
			start, end, step = argc+spec.startFrom, 0, -1
		}
		first = 0
		for i := start; i != end; i += step {
			if i >= argc || i < 1 {
				break
			}
			if equalFoldASCII(cString(line[i]), spec.keyword) {
				first = i + 1
				break
			}
		}
		if first == 0 {
			return 0, 0, false
		}
	}
	switch {
	case spec.keynum:
		i := first + spec.keynumIdx
		if i >= argc {
			return 0, 0, false
		}
		n, ok := parseInteger(line[i])
		if !ok || n < 0 || n > int64(argc) {
			return 0, 0, false
		}
		first += spec.firstKey
		last = first + int(n) - 1
	case spec.lastKey >= 0:
		last = first + spec.lastKey
	case spec.limit == 0:
		last = argc + spec.lastKey
	default:
		last = first + ((argc-first)/spec.limit + spec.lastKey)
	}
	if last >= argc || last < first || first >= argc {
		return 0, 0, false
	}
	return first, last, true
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if equalFoldASCII(x, s) {
			return true
		}
	}
	return false
}
