package keyspace

import (
	"strconv"
)

// Events is the set of notify-keyspace-events flags (Redis's notify.c).
type Events uint32

// The classes and forms of keyspace notifications.
const (
	EventsKeyspace Events = 1 << 0  // K: __keyspace@<db>__:<key> with the event as message
	EventsKeyevent Events = 1 << 1  // E: __keyevent@<db>__:<event> with the key as message
	ClassGeneric   Events = 1 << 2  // g: DEL, EXPIRE, RENAME, ...
	ClassString    Events = 1 << 3  // $
	ClassList      Events = 1 << 4  // l
	ClassSet       Events = 1 << 5  // s
	ClassHash      Events = 1 << 6  // h
	ClassZSet      Events = 1 << 7  // z
	ClassExpired   Events = 1 << 8  // x: a key expired
	ClassEvicted   Events = 1 << 9  // e: a key was evicted for maxmemory
	ClassStream    Events = 1 << 10 // t
	ClassKeyMiss   Events = 1 << 11 // m: a read found no key (not in A)
	ClassModule    Events = 1 << 12 // d
	ClassNew       Events = 1 << 13 // n: a key was created (not in A)

	// ClassAll is the A alias: g$lshzxetd.
	ClassAll = ClassGeneric | ClassString | ClassList | ClassSet | ClassHash | ClassZSet |
		ClassExpired | ClassEvicted | ClassStream | ClassModule
)

// ParseEvents parses a notify-keyspace-events value as Redis does
// (keyspaceEventsStringToFlags) and reports false for a character Redis
// refuses.
func ParseEvents(s string) (Events, bool) {
	var f Events
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case 'A':
			f |= ClassAll
		case 'g':
			f |= ClassGeneric
		case '$':
			f |= ClassString
		case 'l':
			f |= ClassList
		case 's':
			f |= ClassSet
		case 'h':
			f |= ClassHash
		case 'z':
			f |= ClassZSet
		case 'x':
			f |= ClassExpired
		case 'e':
			f |= ClassEvicted
		case 'K':
			f |= EventsKeyspace
		case 'E':
			f |= EventsKeyevent
		case 't':
			f |= ClassStream
		case 'm':
			f |= ClassKeyMiss
		case 'd':
			f |= ClassModule
		case 'n':
			f |= ClassNew
		default:
			return 0, false
		}
	}
	return f, true
}

// String formats the flags as CONFIG GET notify-keyspace-events shows them
// (keyspaceEventsFlagsToString).
func (f Events) String() string {
	var b []byte
	if f&ClassAll == ClassAll {
		b = append(b, 'A')
	} else {
		for _, c := range []struct {
			flag Events
			ch   byte
		}{{ClassGeneric, 'g'}, {ClassString, '$'}, {ClassList, 'l'}, {ClassSet, 's'}, {ClassHash, 'h'},
			{ClassZSet, 'z'}, {ClassExpired, 'x'}, {ClassEvicted, 'e'}, {ClassStream, 't'}, {ClassModule, 'd'}, {ClassNew, 'n'}} {
			if f&c.flag != 0 {
				b = append(b, c.ch)
			}
		}
	}
	if f&EventsKeyspace != 0 {
		b = append(b, 'K')
	}
	if f&EventsKeyevent != 0 {
		b = append(b, 'E')
	}
	if f&ClassKeyMiss != 0 {
		b = append(b, 'm')
	}
	return string(b)
}

// SetEvents sets notify-keyspace-events. It needs no lock.
func (ks *Keyspace) SetEvents(f Events) { ks.events.Store(uint32(f)) }

// Events returns notify-keyspace-events. It needs no lock.
func (ks *Keyspace) Events() Events { return Events(ks.events.Load()) }

// Notify raises a keyspace notification of class for key in database db,
// as Redis's notifyKeyspaceEvent: on __keyspace@<db>__:<key> with the
// event as message and on __keyevent@<db>__:<event> with the key as
// message, as the flags allow. Commands call it after their effect, in
// the order Redis does.
func (ks *Keyspace) Notify(db int, class Events, event, key string) {
	f := ks.Events()
	if f&class == 0 || ks.publish == nil {
		return
	}
	if f&EventsKeyspace != 0 {
		ks.publish("__keyspace@"+strconv.Itoa(db)+"__:"+key, event)
	}
	if f&EventsKeyevent != 0 {
		ks.publish("__keyevent@"+strconv.Itoa(db)+"__:"+event, key)
	}
}
