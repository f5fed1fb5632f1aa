package server

import "github.com/heraldhq/herald/keyspace"

// XINFO STREAM, as t_stream.c's xinfoReplyWithStreamInfo: the stream's
// metadata and first and last entries, or with FULL its entries and its
// groups with their PELs and consumers (COUNT bounds each list; 0 is no
// bound). XINFO GROUPS and CONSUMERS are the consumer-group commands'.

// XINFO STREAM key [FULL [COUNT count]]
func cmdXInfoStream(c *conn, args [][]byte) {
	e := c.lookupRead(args[2])
	if e == nil {
		c.writeError(errNoSuchKey)
		return
	}
	s, ok := c.streamOf(e)
	if !ok {
		return
	}
	full, count := false, int64(10)
	if opts := args[3:]; len(opts) > 0 {
		if !equalFoldASCII(cString(opts[0]), "full") {
			c.writeSubcommandSyntaxError(args)
			return
		}
		full = true
		switch {
		case len(opts) == 3 && equalFoldASCII(cString(opts[1]), "count"):
			n, ok := parseInteger(opts[2])
			if !ok {
				c.writeError(errNotInteger)
				return
			}
			if n < 0 {
				n = 10
			}
			count = n
		case len(opts) != 1:
			c.writeSubcommandSyntaxError(args)
			return
		}
	}
	if full {
		c.writeMapLen(9)
	} else {
		c.writeMapLen(10)
	}
	c.writeBulkString("length")
	c.writeInt(s.Len())
	c.writeBulkString("radix-tree-keys")
	c.writeInt(int64(s.NodeCount()))
	c.writeBulkString("radix-tree-nodes")
	c.writeInt(int64(s.RaxNodes()))
	c.writeBulkString("last-generated-id")
	c.writeStreamID(s.LastID())
	c.writeBulkString("max-deleted-entry-id")
	c.writeStreamID(s.MaxDeletedID())
	c.writeBulkString("entries-added")
	c.writeInt(s.EntriesAdded())
	c.writeBulkString("recorded-first-entry-id")
	c.writeStreamID(s.FirstID())
	if !full {
		c.writeBulkString("groups")
		c.writeInt(int64(s.GroupCount()))
		c.writeBulkString("first-entry")
		if first, ok := s.First(); ok {
			c.writeStreamEntry(first)
		} else {
			c.writeNull()
		}
		c.writeBulkString("last-entry")
		if last, ok := s.Last(); ok {
			c.writeStreamEntry(last)
		} else {
			c.writeNull()
		}
		return
	}
	c.writeBulkString("entries")
	c.writeStreamEntries(s.Range(keyspace.StreamID{}, keyspace.MaxStreamID, int(count), false))
	c.writeBulkString("groups")
	groups := s.Groups()
	c.writeArrayLen(len(groups))
	for _, g := range groups {
		c.writeStreamGroupFull(s, g, int(count))
	}
}

// writeStreamGroupFull writes one group of XINFO STREAM FULL.
func (c *conn) writeStreamGroupFull(s *keyspace.Stream, g *keyspace.StreamGroup, count int) {
	c.writeMapLen(7)
	c.writeBulkString("name")
	c.writeBulkString(g.Name)
	c.writeBulkString("last-delivered-id")
	c.writeStreamID(g.LastID)
	c.writeBulkString("entries-read")
	if g.EntriesRead != keyspace.InvalidEntriesRead {
		c.writeInt(g.EntriesRead)
	} else {
		c.writeNull()
	}
	c.writeBulkString("lag")
	if lag, ok := s.Lag(g); ok {
		c.writeInt(lag)
	} else {
		c.writeNull()
	}
	c.writeBulkString("pel-count")
	c.writeInt(int64(g.PEL.Len()))
	c.writeBulkString("pending")
	pel := g.PEL.Range(keyspace.StreamID{}, keyspace.MaxStreamID, count, false)
	c.writeArrayLen(len(pel))
	for _, n := range pel {
		c.writeArrayLen(4)
		c.writeStreamID(n.ID)
		c.writeBulkString(n.Consumer.Name)
		c.writeInt(n.DeliveryTime)
		c.writeInt(n.DeliveryCount)
	}
	c.writeBulkString("consumers")
	consumers := g.Consumers()
	c.writeArrayLen(len(consumers))
	for _, cons := range consumers {
		c.writeMapLen(4)
		c.writeBulkString("name")
		c.writeBulkString(cons.Name)
		c.writeBulkString("seen-time")
		c.writeInt(cons.SeenTime)
		c.writeBulkString("pel-count")
		c.writeInt(int64(cons.PEL.Len()))
		c.writeBulkString("pending")
		cpel := cons.PEL.Range(keyspace.StreamID{}, keyspace.MaxStreamID, count, false)
		c.writeArrayLen(len(cpel))
		for _, n := range cpel {
			c.writeArrayLen(3)
			c.writeStreamID(n.ID)
			c.writeInt(n.DeliveryTime)
			c.writeInt(n.DeliveryCount)
		}
	}
}
