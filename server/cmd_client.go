package server

import (
	"sort"
	"strings"
)

func registerClient(t commandTable) {
	client := t.add(&command{name: "client", arity: -2, meta: commandMeta{group: "connection"}})
	meta := commandMeta{flags: []string{"noscript", "loading", "stale"}, categories: []string{"@slow", "@connection"}, group: "connection"}
	client.addSub(&command{name: "id", arity: 2, run: func(c *conn, _ [][]byte) { c.writeInt(c.id) }, meta: meta})
	client.addSub(&command{name: "getname", arity: 2, run: cmdClientGetName, meta: meta})
	client.addSub(&command{name: "setname", arity: 3, run: cmdClientSetName, meta: meta})
	client.addSub(&command{name: "reply", arity: 3, run: cmdClientReply, meta: meta})
	client.addSub(&command{name: "help", arity: 2, run: func(c *conn, _ [][]byte) { c.writeHelp(helpClient) }, meta: meta})
}

func cmdClientGetName(c *conn, _ [][]byte) {
	c.info.Lock()
	name := c.info.name
	c.info.Unlock()
	if name == "" {
		c.writeNull()
		return
	}
	c.writeBulkString(name)
}

func cmdClientSetName(c *conn, args [][]byte) {
	if !validClientName(args[2]) {
		c.writeError(errClientName)
		return
	}
	c.info.Lock()
	c.info.name = string(args[2])
	c.info.Unlock()
	c.writeOK()
}

func cmdClientReply(c *conn, args [][]byte) {
	switch strings.ToLower(string(args[2])) {
	case "on":
		c.replyMode = replyOn
		c.writeOK()
	case "off":
		c.replyMode = replyOff
	case "skip":
		if c.replyMode == replyOn {
			c.replyMode = replySkipNext
		}
	default:
		c.writeError(errSyntax)
	}
}

// sortConns orders connections by id, as CLIENT LIST prints them.
func sortConns(cs []*conn) {
	sort.Slice(cs, func(i, j int) bool { return cs[i].id < cs[j].id })
}
