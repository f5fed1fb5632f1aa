package keyspace

import (
	"sort"
)

// StreamGroup is a consumer group (Redis's streamCG): its last delivered
// ID, its logical read counter, its pending entries list (PEL: every
// entry delivered and not yet acknowledged, by ID) and its consumers.
type StreamGroup struct {
	Name        string
	LastID      StreamID // last_delivered_id
	EntriesRead int64    // entries_read, InvalidEntriesRead when unknown
	PEL         PEL
	consumers   map[string]*StreamConsumer
	stream      *Stream
}

// StreamConsumer is a consumer of a group (Redis 7.0's streamConsumer):
// its name, the time it was last seen (seen-time; XINFO CONSUMERS' idle
// is now minus it) and its own PEL, which shares its NACKs with the
// group's.
type StreamConsumer struct {
	Name     string
	SeenTime int64 // ms
	PEL      PEL
}

// StreamNACK is a pending entry (Redis's streamNACK): the consumer it was
// last delivered to, when (ms) and how many times.
type StreamNACK struct {
	ID            StreamID
	Consumer      *StreamConsumer
	DeliveryTime  int64
	DeliveryCount int64
}

// PEL is a pending entries list: NACKs ordered by ID, a sorted slice with
// binary search (entries are mostly added at the end, in ID order).
type PEL struct {
	all []*StreamNACK
}

// Len returns the number of pending entries.
func (p *PEL) Len() int { return len(p.all) }

func (p *PEL) search(id StreamID) int {
	return sort.Search(len(p.all), func(i int) bool { return !p.all[i].ID.Less(id) })
}

// Get returns the NACK of id, or nil.
func (p *PEL) Get(id StreamID) *StreamNACK {
	i := p.search(id)
	if i < len(p.all) && p.all[i].ID == id {
		return p.all[i]
	}
	return nil
}

// insert adds n, replacing a NACK of the same ID.
func (p *PEL) insert(n *StreamNACK) {
	i := p.search(n.ID)
	if i < len(p.all) && p.all[i].ID == n.ID {
		p.all[i] = n
		return
	}
	p.all = append(p.all, nil)
	copy(p.all[i+1:], p.all[i:])
	p.all[i] = n
}

// remove removes id's NACK, reporting whether there was one.
func (p *PEL) remove(id StreamID) bool {
	i := p.search(id)
	if i == len(p.all) || p.all[i].ID != id {
		return false
	}
	copy(p.all[i:], p.all[i+1:])
	p.all[len(p.all)-1] = nil
	p.all = p.all[:len(p.all)-1]
	return true
}

// Range returns the NACKs with start <= ID <= end in ID order (or
// reverse), at most count (count <= 0: all).
func (p *PEL) Range(start, end StreamID, count int, rev bool) []*StreamNACK {
	if end.Less(start) {
		return nil
	}
	lo := p.search(start)
	hi := sort.Search(len(p.all), func(i int) bool { return end.Less(p.all[i].ID) })
	if lo >= hi {
		return nil
	}
	n := hi - lo
	if count > 0 && count < n {
		n = count
	}
	out := make([]*StreamNACK, 0, n)
	if rev {
		for i := hi - 1; i >= lo && len(out) < n; i-- {
			out = append(out, p.all[i])
		}
	} else {
		for i := lo; i < hi && len(out) < n; i++ {
			out = append(out, p.all[i])
		}
	}
	return out
}

// First and Last return the smallest and largest pending IDs (ok false if
// empty).
func (p *PEL) First() (StreamID, bool) {
	if len(p.all) == 0 {
		return StreamID{}, false
	}
	return p.all[0].ID, true
}

// Last returns the largest pending ID.
func (p *PEL) Last() (StreamID, bool) {
	if len(p.all) == 0 {
		return StreamID{}, false
	}
	return p.all[len(p.all)-1].ID, true
}

// Groups returns the stream's consumer groups ordered by name (bytewise,
// the rax order XINFO GROUPS uses).
func (s *Stream) Groups() []*StreamGroup {
	out := make([]*StreamGroup, 0, len(s.groups))
	for _, g := range s.groups {
		out = append(out, g)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// GroupCount returns the number of groups.
func (s *Stream) GroupCount() int { return len(s.groups) }

// Group returns the named group, or nil.
func (s *Stream) Group(name string) *StreamGroup { return s.groups[name] }

// CreateGroup creates a group (XGROUP CREATE), or returns nil if one of
// that name exists.
func (s *Stream) CreateGroup(name string, lastID StreamID, entriesRead int64) *StreamGroup {
	if _, ok := s.groups[name]; ok {
		return nil
	}
	if s.groups == nil {
		s.groups = make(map[string]*StreamGroup)
	}
	g := &StreamGroup{Name: name, LastID: lastID, EntriesRead: entriesRead,
		consumers: make(map[string]*StreamConsumer), stream: s}
	s.groups[name] = g
	return g
}

// DeleteGroup removes a group (XGROUP DESTROY), reporting whether there
// was one.
func (s *Stream) DeleteGroup(name string) bool {
	g, ok := s.groups[name]
	if !ok {
		return false
	}
	s.pending -= int64(g.PEL.Len())
	delete(s.groups, name)
	return true
}

// SetID sets the group's last delivered ID and entries_read (XGROUP
// SETID).
func (g *StreamGroup) SetID(id StreamID, entriesRead int64) {
	g.LastID, g.EntriesRead = id, entriesRead
}

// Consumer returns the named consumer, or nil.
func (g *StreamGroup) Consumer(name string) *StreamConsumer { return g.consumers[name] }

// ConsumerCount returns the number of consumers.
func (g *StreamGroup) ConsumerCount() int { return len(g.consumers) }

// ConsumerNames returns the consumers' names in bytewise order.
func (g *StreamGroup) ConsumerNames() []string {
	out := make([]string, 0, len(g.consumers))
	for name := range g.consumers {
		out = append(out, name)
	}
	sort.Strings(out)
	return out
}

// Consumers returns the consumers in name order.
func (g *StreamGroup) Consumers() []*StreamConsumer {
	names := g.ConsumerNames()
	out := make([]*StreamConsumer, len(names))
	for i, name := range names {
		out[i] = g.consumers[name]
	}
	return out
}

// CreateConsumer returns the named consumer, creating it (seen at now)
// if there is none; created says which.
func (g *StreamGroup) CreateConsumer(name string, now int64) (c *StreamConsumer, created bool) {
	if c = g.consumers[name]; c != nil {
		return c, false
	}
	c = &StreamConsumer{Name: name, SeenTime: now}
	g.consumers[name] = c
	return c, true
}

// DeleteConsumer removes the named consumer and its pending entries from
// the group (XGROUP DELCONSUMER), returning how many were pending, or -1
// if there is no such consumer.
func (g *StreamGroup) DeleteConsumer(name string) int {
	c := g.consumers[name]
	if c == nil {
		return -1
	}
	n := c.PEL.Len()
	for _, nack := range c.PEL.all {
		g.PEL.remove(nack.ID)
	}
	if g.stream != nil {
		g.stream.pending -= int64(n)
	}
	delete(g.consumers, name)
	return n
}

// Deliver records entry id delivered to c at now, as XREADGROUP does for
// a new entry: a new NACK with delivery count 1, or, if id was pending
// already (after XGROUP SETID back), that NACK moved to c with its time
// set to now and its count reset to 1.
func (g *StreamGroup) Deliver(id StreamID, c *StreamConsumer, now int64) *StreamNACK {
	if nack := g.PEL.Get(id); nack != nil {
		nack.Consumer.PEL.remove(id)
		nack.Consumer = c
		nack.DeliveryTime = now
		nack.DeliveryCount = 1
		c.PEL.insert(nack)
		return nack
	}
	nack := &StreamNACK{ID: id, Consumer: c, DeliveryTime: now, DeliveryCount: 1}
	g.PEL.insert(nack)
	c.PEL.insert(nack)
	if g.stream != nil {
		g.stream.pending++
	}
	return nack
}

// AddNACK adds a pending entry as given (XCLAIM FORCE, or loading);
// false if id is pending already.
func (g *StreamGroup) AddNACK(id StreamID, c *StreamConsumer, deliveryTime, deliveryCount int64) (*StreamNACK, bool) {
	if g.PEL.Get(id) != nil {
		return nil, false
	}
	nack := &StreamNACK{ID: id, Consumer: c, DeliveryTime: deliveryTime, DeliveryCount: deliveryCount}
	g.PEL.insert(nack)
	c.PEL.insert(nack)
	if g.stream != nil {
		g.stream.pending++
	}
	return nack, true
}

// Ack removes id from the group's PEL and its consumer's (XACK),
// reporting whether it was pending.
func (g *StreamGroup) Ack(id StreamID) bool {
	nack := g.PEL.Get(id)
	if nack == nil {
		return false
	}
	g.PEL.remove(id)
	nack.Consumer.PEL.remove(id)
	if g.stream != nil {
		g.stream.pending--
	}
	return true
}

// Claim moves a pending entry to consumer c (XCLAIM, XAUTOCLAIM): it
// leaves its old consumer's PEL and joins c's. Delivery time and count
// are the caller's to set.
func (g *StreamGroup) Claim(nack *StreamNACK, c *StreamConsumer) {
	if nack.Consumer == c {
		return
	}
	nack.Consumer.PEL.remove(nack.ID)
	nack.Consumer = c
	c.PEL.insert(nack)
}
