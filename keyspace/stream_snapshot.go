package keyspace

import "strconv"

// appendStream appends the commands that rebuild stream v under key in a
// snapshot, as Redis 7.0.15's rewriteStreamObject writes them:
//
//   - XADD key id field value ... for each live entry; for a stream with
//     no entries, XADD key MAXLEN 0 0-1 x y (an entry added and trimmed
//     at once: the key exists, empty);
//   - XSETID key last-id ENTRIESADDED n MAXDELETEDID id, which puts back
//     what the XADDs could not tell (the last ID of a stream whose last
//     entries were deleted, the count of entries ever added, the largest
//     deleted ID);
//   - per group, in name order: XGROUP CREATE key group last-delivered-id
//     ENTRIESREAD n (-1 when unknown), then per consumer in name order,
//     XGROUP CREATECONSUMER key group consumer if it has no pending
//     entries, else for each of them, in ID order, XCLAIM key group
//     consumer 0 id TIME delivery-time RETRYCOUNT delivery-count JUSTID
//     FORCE (which also creates the consumer).
//
// As in Redis, what the commands cannot carry is not kept: a consumer's
// seen-time (the replay makes it anew), and a pending entry whose entry
// was deleted (XCLAIM FORCE claims only an entry that exists).
func appendStream(b []byte, key string, v *Stream) []byte {
	var num [24]byte
	var idBuf [41]byte
	if v.Len() > 0 {
		v.Each(StreamID{}, MaxStreamID, false, func(e StreamEntry) bool {
			b = appendArrayHeader(b, 3+len(e.Fields))
			b = appendBulk(b, "XADD")
			b = appendBulk(b, key)
			b = appendBulkBytes(b, e.ID.AppendTo(idBuf[:0]))
			for _, f := range e.Fields {
				b = appendBulkBytes(b, f)
			}
			return true
		})
	} else {
		b = appendCommand(b, "XADD", key, "MAXLEN", "0", "0-1", "x", "y")
	}
	b = appendArrayHeader(b, 7)
	b = appendBulk(b, "XSETID")
	b = appendBulk(b, key)
	b = appendBulkBytes(b, v.LastID().AppendTo(idBuf[:0]))
	b = appendBulk(b, "ENTRIESADDED")
	b = appendBulkBytes(b, strconv.AppendInt(num[:0], v.EntriesAdded(), 10))
	b = appendBulk(b, "MAXDELETEDID")
	b = appendBulkBytes(b, v.MaxDeletedID().AppendTo(idBuf[:0]))
	for _, g := range v.Groups() {
		b = appendArrayHeader(b, 7)
		b = appendBulk(b, "XGROUP")
		b = appendBulk(b, "CREATE")
		b = appendBulk(b, key)
		b = appendBulk(b, g.Name)
		b = appendBulkBytes(b, g.LastID.AppendTo(idBuf[:0]))
		b = appendBulk(b, "ENTRIESREAD")
		b = appendBulkBytes(b, strconv.AppendInt(num[:0], g.EntriesRead, 10))
		for _, c := range g.Consumers() {
			if c.PEL.Len() == 0 {
				b = appendCommand(b, "XGROUP", "CREATECONSUMER", key, g.Name, c.Name)
				continue
			}
			for _, nack := range c.PEL.all {
				b = appendArrayHeader(b, 12)
				b = appendBulk(b, "XCLAIM")
				b = appendBulk(b, key)
				b = appendBulk(b, g.Name)
				b = appendBulk(b, c.Name)
				b = appendBulk(b, "0")
				b = appendBulkBytes(b, nack.ID.AppendTo(idBuf[:0]))
				b = appendBulk(b, "TIME")
				b = appendBulkBytes(b, strconv.AppendInt(num[:0], nack.DeliveryTime, 10))
				b = appendBulk(b, "RETRYCOUNT")
				b = appendBulkBytes(b, strconv.AppendInt(num[:0], nack.DeliveryCount, 10))
				b = appendBulk(b, "JUSTID")
				b = appendBulk(b, "FORCE")
			}
		}
	}
	return b
}
