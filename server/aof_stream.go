package server

import (
	"strconv"

	"github.com/heraldhq/herald/keyspace"
)

// How the consumer-group commands are logged to the AOF, as Redis 7.0.15's
// t_stream.c propagates them. None of them moves the keyspace's Dirty
// count (a group is not a key change: no WATCH or tracking signal, as in
// Redis), so each logs itself:
//
//   - XREADGROUP is never logged as sent (preventCommandPropagation):
//     each entry a ">" read delivers is logged as
//     XCLAIM key group consumer 0 id TIME <ms> RETRYCOUNT <n> FORCE JUSTID LASTID <group's last ID>
//     (streamPropagateXCLAIM); a NOACK ">" read that delivered something
//     as XGROUP SETID key group <last ID> ENTRIESREAD <n>
//     (streamPropagateGroupID); a NOACK read that created its consumer
//     first logs XGROUP CREATECONSUMER (streamPropagateConsumerCreation).
//     A history read logs nothing (Redis 7.0.15 does not propagate the
//     delivery counts and times it changes). A blocked read served later
//     logs the same, as a call of its own, when it is served.
//   - XCLAIM and XAUTOCLAIM log the same XCLAIM form for each entry they
//     claim and for each pending entry they drop because its entry was
//     deleted (with that entry's old owner, time and count: the replay
//     drops it too); XCLAIM whose LASTID moved the group's last ID and
//     that claimed nothing logs XGROUP SETID.
//   - XACK that acknowledged something, XGROUP CREATE, SETID, DESTROY of a
//     group, CREATECONSUMER of a new consumer and DELCONSUMER of an
//     existing one are logged as sent.
//
// XADD and XTRIM move the Dirty count and log their rewritten arguments
// (streamPropagatedArgs); XDEL and XSETID are logged as sent.

// logClaim logs, for the command under way, the XCLAIM that puts nack,
// pending entry id of group, back as it is (streamPropagateXCLAIM).
// Keyspace lock held.
func (c *conn) logClaim(key, group []byte, g *keyspace.StreamGroup, id keyspace.StreamID, nack *keyspace.StreamNACK) {
	if c.srv.aofOn() != nil {
		c.alsoPropagate(xclaimRecord(key, group, g, id, nack)...)
	}
}

// xclaimRecord returns the XCLAIM that puts nack, pending entry id of
// group, back as it is (streamPropagateXCLAIM).
func xclaimRecord(key, group []byte, g *keyspace.StreamGroup, id keyspace.StreamID, nack *keyspace.StreamNACK) [][]byte {
	return [][]byte{
		[]byte("XCLAIM"), key, group, []byte(nack.Consumer.Name), []byte("0"), id.AppendTo(nil),
		[]byte("TIME"), strconv.AppendInt(nil, nack.DeliveryTime, 10),
		[]byte("RETRYCOUNT"), strconv.AppendInt(nil, nack.DeliveryCount, 10),
		[]byte("FORCE"), []byte("JUSTID"), []byte("LASTID"), g.LastID.AppendTo(nil),
	}
}

// groupIDRecord returns the XGROUP SETID that sets group's last ID and
// entries_read (streamPropagateGroupID).
func groupIDRecord(key, group []byte, g *keyspace.StreamGroup) [][]byte {
	return [][]byte{
		[]byte("XGROUP"), []byte("SETID"), key, group, g.LastID.AppendTo(nil),
		[]byte("ENTRIESREAD"), strconv.AppendInt(nil, g.EntriesRead, 10),
	}
}

// createConsumerRecord returns XGROUP CREATECONSUMER key group consumer
// (streamPropagateConsumerCreation).
func createConsumerRecord(key, group []byte, consumer string) [][]byte {
	return [][]byte{[]byte("XGROUP"), []byte("CREATECONSUMER"), key, group, []byte(consumer)}
}

// groupLog is where a group delivery logs its records: the database and
// the key and group names as the client sent them. A nil *groupLog, or
// one while no AOF is open, logs nothing.
type groupLog struct {
	s          *Server
	db         int
	key, group []byte
	noAck      bool
	delivered  int
}

// newGroupLog returns the groupLog of a read of group on key in db, nil
// (logging nothing, costing nothing) while no AOF is open.
func (s *Server) newGroupLog(db int, key, group []byte, noAck bool) *groupLog {
	if s.aofOn() == nil {
		return nil
	}
	return &groupLog{s: s, db: db, key: key, group: group, noAck: noAck}
}

func (l *groupLog) on() bool { return l != nil && l.s.aofOn() != nil }

// created notes that the read created its consumer: a NOACK read logs it.
func (l *groupLog) created(name string) {
	if l.on() && l.noAck {
		l.s.propagateIn(l.db, createConsumerRecord(l.key, l.group, name)...)
	}
}

// deliveredEntry logs one entry a ">" read delivered (nack nil: NOACK).
func (l *groupLog) deliveredEntry(g *keyspace.StreamGroup, id keyspace.StreamID, nack *keyspace.StreamNACK) {
	if !l.on() {
		return
	}
	l.delivered++
	if nack != nil {
		l.s.propagateIn(l.db, xclaimRecord(l.key, l.group, g, id, nack)...)
	}
}

// done logs the end of a ">" read: NOACK's XGROUP SETID.
func (l *groupLog) done(g *keyspace.StreamGroup) {
	if l.on() && l.noAck && l.delivered > 0 {
		l.s.propagateIn(l.db, groupIDRecord(l.key, l.group, g)...)
	}
}
