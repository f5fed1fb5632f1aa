package keyspace

import (
	"math"
	"sort"
	"strconv"
)

// StreamID is a stream entry's ID, <ms>-<seq>, as Redis's streamID.
type StreamID struct {
	Ms, Seq uint64
}

// MaxStreamID is the largest ID, 18446744073709551615-18446744073709551615
// ("+" in a range).
var MaxStreamID = StreamID{math.MaxUint64, math.MaxUint64}

// Compare returns -1, 0 or 1 as id is less than, equal to or greater
// than o.
func (id StreamID) Compare(o StreamID) int {
	switch {
	case id.Ms < o.Ms:
		return -1
	case id.Ms > o.Ms:
		return 1
	case id.Seq < o.Seq:
		return -1
	case id.Seq > o.Seq:
		return 1
	}
	return 0
}

// Less reports whether id < o.
func (id StreamID) Less(o StreamID) bool { return id.Compare(o) < 0 }

// IsZero reports whether id is 0-0.
func (id StreamID) IsZero() bool { return id.Ms == 0 && id.Seq == 0 }

// String formats id as Redis replies with it.
func (id StreamID) String() string {
	return strconv.FormatUint(id.Ms, 10) + "-" + strconv.FormatUint(id.Seq, 10)
}

// AppendTo appends id's text to b.
func (id StreamID) AppendTo(b []byte) []byte {
	b = strconv.AppendUint(b, id.Ms, 10)
	b = append(b, '-')
	return strconv.AppendUint(b, id.Seq, 10)
}

// Next returns the ID after id (Redis's streamIncrID); ok is false when
// id is the largest ID.
func (id StreamID) Next() (StreamID, bool) {
	switch {
	case id.Seq < math.MaxUint64:
		return StreamID{id.Ms, id.Seq + 1}, true
	case id.Ms < math.MaxUint64:
		return StreamID{id.Ms + 1, 0}, true
	}
	return id, false
}

// Prev returns the ID before id (Redis's streamDecrID); ok is false when
// id is 0-0.
func (id StreamID) Prev() (StreamID, bool) {
	switch {
	case id.Seq > 0:
		return StreamID{id.Ms, id.Seq - 1}, true
	case id.Ms > 0:
		return StreamID{id.Ms - 1, math.MaxUint64}, true
	}
	return id, false
}

// ParseStreamID parses an ID argument as Redis's
// streamGenericParseIDOrReply: "-" is 0-0 and "+" the largest ID (unless
// strict), "<ms>" takes missingSeq as its sequence, "<ms>-<seq>" both
// parts as string2ull (which falls back to strtoull: leading blanks, a
// sign and leading zeros are accepted). With allowSeqStar, "<ms>-*" is
// accepted and seqGiven is false. The text ends at a NUL byte, as the C
// string does; more than 127 bytes is invalid.
func ParseStreamID(b []byte, missingSeq uint64, strict, allowSeqStar bool) (id StreamID, seqGiven, ok bool) {
	if len(b) > 127 {
		return id, false, false
	}
	for i, c := range b {
		if c == 0 {
			b = b[:i]
			break
		}
	}
	if len(b) == 1 && (b[0] == '-' || b[0] == '+') {
		if strict {
			return id, false, false
		}
		if b[0] == '-' {
			return StreamID{}, true, true
		}
		return MaxStreamID, true, true
	}
	msPart, seqPart, dash := b, []byte(nil), false
	for i, c := range b {
		if c == '-' {
			msPart, seqPart, dash = b[:i], b[i+1:], true
			break
		}
	}
	ms, ok := parseStreamUint(msPart)
	if !ok {
		return id, false, false
	}
	if !dash {
		return StreamID{ms, missingSeq}, true, true
	}
	if allowSeqStar && len(seqPart) == 1 && seqPart[0] == '*' {
		return StreamID{ms, 0}, false, true
	}
	seq, ok := parseStreamUint(seqPart)
	if !ok {
		return id, false, false
	}
	return StreamID{ms, seq}, true, true
}

// parseStreamUint is Redis's string2ull: string2ll when that parses a
// non-negative number; a negative one is rejected; otherwise strtoull in
// base 10 over the whole text (leading white space, an optional sign -
// a '-' negating modulo 2^64 - and digits; overflow is an error).
func parseStreamUint(b []byte) (uint64, bool) {
	if v, ok := ParseInt(b); ok {
		if v < 0 {
			return 0, false
		}
		return uint64(v), true
	}
	i := 0
	for i < len(b) && (b[i] == ' ' || (b[i] >= '\t' && b[i] <= '\r')) {
		i++
	}
	neg := false
	if i < len(b) && (b[i] == '+' || b[i] == '-') {
		neg = b[i] == '-'
		i++
	}
	if i == len(b) {
		return 0, false
	}
	var v uint64
	for ; i < len(b); i++ {
		c := b[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		d := uint64(c - '0')
		if v > (math.MaxUint64-d)/10 {
			return 0, false
		}
		v = v*10 + d
	}
	if neg {
		v = -v
	}
	return v, true
}

// StreamEntry is one entry of a stream: its ID and its field-value pairs,
// flattened (field, value, field, value, ...).
type StreamEntry struct {
	ID     StreamID
	Fields [][]byte
}

// Redis 7.0's defaults for stream-node-max-entries and
// stream-node-max-bytes, and the cap on a node's bytes.
const (
	StreamNodeMaxEntries = 100
	StreamNodeMaxBytes   = 4096
	streamListpackMax    = 1 << 30
)

// streamNode is one of Redis's listpack nodes of a stream's radix tree:
// the entries appended while it was the last node, deleted ones included
// (XDEL and trimming flag an entry, they do not remove it), under the
// master ID (the first entry's ID) and master fields (the first entry's
// fields). The node shapes matter for replies: XTRIM ~ removes whole
// nodes only, and the node count is XINFO's radix-tree-keys.
type streamNode struct {
	master       StreamID
	masterFields [][]byte
	entries      []streamNodeEntry
	live         int   // entries not flagged deleted
	deleted      int   // entries flagged deleted
	bytes        int64 // the listpack's size but for the live and deleted counters (see lpBytes)
	dataBytes    int64 // the live entries' fields' and values' lengths, for Size
	// AddCopy's buffers, which the entries' fields are copied into
	// (keep), and how many entries the node is expected to take.
	fieldBuf  [][]byte
	byteBuf   []byte
	entryHint int
}

// maxByteBuf bounds the byte buffer keep makes for several entries.
const maxByteBuf = 64 << 10

// keep copies an entry's fields (data bytes) into the node's buffers,
// made for the entries of its size the node is expected to take yet
// (entryHint in all), and returns the copies, each capped so that an
// append to one never reaches the next.
func (n *streamNode) keep(fields [][]byte, data int64) [][]byte {
	hint := max(n.entryHint-len(n.entries), 1)
	if cap(n.fieldBuf)-len(n.fieldBuf) < len(fields) {
		n.fieldBuf = make([][]byte, 0, len(fields)*hint)
	}
	if int64(cap(n.byteBuf)-len(n.byteBuf)) < data {
		n.byteBuf = make([]byte, 0, max(data, min(data*int64(hint), maxByteBuf)))
	}
	start := len(n.fieldBuf)
	for _, f := range fields {
		b := len(n.byteBuf)
		n.byteBuf = append(n.byteBuf, f...)
		n.fieldBuf = append(n.fieldBuf, n.byteBuf[b:len(n.byteBuf):len(n.byteBuf)])
	}
	return n.fieldBuf[start:len(n.fieldBuf):len(n.fieldBuf)]
}

type streamNodeEntry struct {
	id      StreamID
	fields  [][]byte
	deleted bool
}

// lpBytes is the size Redis's listpack for the node has (lpBytes).
func (n *streamNode) lpBytes() int64 {
	return n.bytes + lpIntSize(int64(n.live)) + lpIntSize(int64(n.deleted))
}

// last returns the node's last ID, a deleted entry's included (as
// lpGetEdgeStreamID reads it).
func (n *streamNode) last() StreamID { return n.entries[len(n.entries)-1].id }

// search returns the index of the first entry whose ID is >= id.
func (n *streamNode) search(id StreamID) int {
	return sort.Search(len(n.entries), func(i int) bool { return !n.entries[i].id.Less(id) })
}

// Stream is a stream value: entries ordered by ID in listpack-like nodes
// (see streamNode), with the metadata Redis's stream struct keeps, and
// its consumer groups.
//
// Nodes are a slice ordered by master ID; finding an ID is a binary search
// over the nodes, then within a node. XDEL flags the entry and drops a
// node whose entries are all deleted; trimming drops nodes from the front
// (the slice is resliced, and compacted when most of it is gone).
type Stream struct {
	nodes        []*streamNode
	length       int64
	lastID       StreamID // last_id: the largest ID ever added (or XSETID)
	firstID      StreamID // first_id: the first live entry's ID, 0-0 if empty
	maxDeletedID StreamID // max_deleted_entry_id
	entriesAdded int64    // entries_added
	groups       map[string]*StreamGroup
	size         int64 // for Size: the live entries' data bytes
	pending      int64 // the NACKs of all groups, for Size

	// NodeMaxEntries and NodeMaxBytes are stream-node-max-entries and
	// stream-node-max-bytes as they were when the stream was made; 0
	// means no limit (bytes: the listpack cap).
	NodeMaxEntries int
	NodeMaxBytes   int64
}

// NewStream returns an empty stream with Redis's default node limits.
func NewStream() *Stream {
	return &Stream{NodeMaxEntries: StreamNodeMaxEntries, NodeMaxBytes: StreamNodeMaxBytes}
}

// Type implements Value.
func (s *Stream) Type() string { return "stream" }

// Encoding implements Value.
func (s *Stream) Encoding() string { return "stream" }

// Per-entry, per-node and per-NACK overheads for Size.
const (
	streamBaseSize      = 96
	streamNodeOverhead  = 64
	streamEntryOverhead = 8
	streamNACKOverhead  = 64
)

// Size implements Value. O(1).
func (s *Stream) Size() int64 {
	return streamBaseSize + s.size + int64(len(s.nodes))*streamNodeOverhead +
		s.length*streamEntryOverhead + s.pending*streamNACKOverhead
}

// Len returns the number of entries (XLEN).
func (s *Stream) Len() int64 { return s.length }

// LastID returns last_id (XINFO's last-generated-id).
func (s *Stream) LastID() StreamID { return s.lastID }

// FirstID returns first_id (XINFO's recorded-first-entry-id).
func (s *Stream) FirstID() StreamID { return s.firstID }

// MaxDeletedID returns max_deleted_entry_id.
func (s *Stream) MaxDeletedID() StreamID { return s.maxDeletedID }

// EntriesAdded returns entries_added.
func (s *Stream) EntriesAdded() int64 { return s.entriesAdded }

// NodeCount returns the number of nodes (XINFO's radix-tree-keys).
func (s *Stream) NodeCount() int { return len(s.nodes) }

// SetLastID sets last_id (XSETID; the caller checked it).
func (s *Stream) SetLastID(id StreamID) { s.lastID = id }

// SetEntriesAdded sets entries_added (XSETID ENTRIESADDED).
func (s *Stream) SetEntriesAdded(n int64) { s.entriesAdded = n }

// SetMaxDeletedID sets max_deleted_entry_id (XSETID MAXDELETEDID).
func (s *Stream) SetMaxDeletedID(id StreamID) { s.maxDeletedID = id }

// NextID returns the ID XADD * generates at time nowMs (streamNextID):
// nowMs-0 if the clock is past last_id's time, else last_id + 1; ok is
// false when last_id is the largest ID.
func (s *Stream) NextID(nowMs uint64) (StreamID, bool) {
	if s.lastID.Ms < nowMs {
		return StreamID{nowMs, 0}, true
	}
	return s.lastID.Next()
}

// entryDataBytes returns the sum of the fields' and values' lengths
// (streamAppendItem's totelelen).
func entryDataBytes(fields [][]byte) int64 {
	var n int64
	for _, f := range fields {
		n += int64(len(f))
	}
	return n
}

// nodeEntriesHint estimates how many entries of data bytes in fields
// fields a node of maxBytes and maxEntries (0: no limit) takes: at least
// 1, at most maxNodeEntriesHint.
func nodeEntriesHint(maxBytes int64, maxEntries int, data int64, fields int) int {
	per := data + 2*int64(fields) + 4 // the strings' lengths, the entry's integers
	n := maxBytes/per + 1
	if maxEntries > 0 {
		n = min(n, int64(maxEntries))
	}
	return int(min(max(n, 1), maxNodeEntriesHint))
}

// maxNodeEntriesHint bounds what a new node reserves for its entries.
const maxNodeEntriesHint = 128

// Add appends an entry with the given ID, which must be greater than
// LastID, and fields (field, value, ... : an even, non-zero count; the
// stream keeps the slices). It updates length, last_id, entries_added and
// first_id as streamAppendItem does. Appending opens a new node when the
// last one holds NodeMaxEntries entries (deleted ones included) or its
// listpack's bytes plus the new fields' lengths reach NodeMaxBytes, as
// Redis does.
func (s *Stream) Add(id StreamID, fields [][]byte) { s.add(id, fields, false) }

// AddCopy is Add, the fields copied (the caller may reuse its slices):
// into buffers the node shares among its entries, so that an XADD costs
// no allocation of its own once its node has room (the first node of a
// stream, which may stay small, gets buffers for one entry at a time).
// A deleted entry's copy is freed with its node, as Redis's listpack
// keeps a deleted entry until its node goes.
func (s *Stream) AddCopy(id StreamID, fields [][]byte) { s.add(id, fields, true) }

func (s *Stream) add(id StreamID, fields [][]byte, copyFields bool) {
	maxBytes := s.NodeMaxBytes
	if maxBytes <= 0 || maxBytes > streamListpackMax {
		maxBytes = streamListpackMax
	}
	data := entryDataBytes(fields)
	var n *streamNode
	if k := len(s.nodes); k > 0 {
		n = s.nodes[k-1]
		if n.lpBytes()+data >= maxBytes ||
			(s.NodeMaxEntries > 0 && n.live+n.deleted >= s.NodeMaxEntries) {
			n = nil
		}
	}
	numFields := len(fields) / 2
	sameFields := true
	newNode := n == nil
	if newNode {
		n = &streamNode{master: id, masterFields: make([][]byte, numFields), entryHint: 1}
		if len(s.nodes) > 0 {
			// A stream that filled a node fills this one too: room for
			// the entries it will hold, if they are the size of this
			// one, at once, rather than growing by doubling (the first
			// node grows, for streams of a few entries).
			n.entryHint = nodeEntriesHint(maxBytes, s.NodeMaxEntries, data, len(fields))
			n.entries = make([]streamNodeEntry, 0, n.entryHint)
		}
	}
	if copyFields {
		fields = n.keep(fields, data)
	}
	if newNode {
		n.bytes = lpHeaderSize + 1 + lpIntSize(int64(numFields)) + lpIntSize(0)
		for i := range numFields {
			n.masterFields[i] = fields[2*i]
			n.bytes += lpStringSize(fields[2*i])
		}
		s.nodes = append(s.nodes, n)
	} else if len(n.masterFields) == numFields {
		for i, f := range n.masterFields {
			if string(f) != string(fields[2*i]) {
				sameFields = false
				break
			}
		}
	} else {
		sameFields = false
	}
	// The entry: flags, ms and seq deltas from the master ID, the fields
	// (values only when they are the master's), and lp-count.
	flags, lpCount := int64(0), int64(numFields+3)
	if sameFields {
		flags = 2
	} else {
		lpCount += int64(numFields + 1)
		n.bytes += lpIntSize(int64(numFields))
	}
	n.bytes += lpIntSize(flags) + lpIntSize(int64(id.Ms-n.master.Ms)) + lpIntSize(int64(id.Seq-n.master.Seq)) + lpIntSize(lpCount)
	for i, f := range fields {
		if i%2 == 1 || !sameFields {
			n.bytes += lpStringSize(f)
		}
	}
	n.entries = append(n.entries, streamNodeEntry{id: id, fields: fields})
	n.live++
	n.dataBytes += data
	s.size += data
	s.length++
	s.entriesAdded++
	s.lastID = id
	if s.length == 1 {
		s.firstID = id
	}
}

// locate returns the node index and the entry index of id's live entry,
// or ok false.
func (s *Stream) locate(id StreamID) (ni, ei int, ok bool) {
	ni = sort.Search(len(s.nodes), func(i int) bool { return id.Less(s.nodes[i].master) }) - 1
	if ni < 0 {
		return 0, 0, false
	}
	n := s.nodes[ni]
	ei = n.search(id)
	if ei == len(n.entries) || n.entries[ei].id != id || n.entries[ei].deleted {
		return 0, 0, false
	}
	return ni, ei, true
}

// Get returns the live entry with the given ID.
func (s *Stream) Get(id StreamID) (StreamEntry, bool) {
	ni, ei, ok := s.locate(id)
	if !ok {
		return StreamEntry{}, false
	}
	e := s.nodes[ni].entries[ei]
	return StreamEntry{e.id, e.fields}, true
}

// Delete removes the entry with the given ID (XDEL), reporting whether
// there was one. It keeps first_id and max_deleted_entry_id as XDEL does;
// a node left with no live entry is dropped.
func (s *Stream) Delete(id StreamID) bool {
	ni, ei, ok := s.locate(id)
	if !ok {
		return false
	}
	n := s.nodes[ni]
	e := &n.entries[ei]
	data := entryDataBytes(e.fields)
	n.dataBytes -= data
	s.size -= data
	if n.live == 1 {
		s.removeNode(ni)
	} else {
		e.deleted = true
		e.fields = nil
		n.live--
		n.deleted++
	}
	s.length--
	if s.maxDeletedID.Less(id) {
		s.maxDeletedID = id
	}
	if s.length == 0 {
		s.firstID = StreamID{}
	} else if id == s.firstID {
		s.firstID = s.firstLiveID()
	}
	return true
}

func (s *Stream) removeNode(i int) {
	if i == 0 {
		s.nodes[0] = nil
		s.nodes = s.nodes[1:]
		if cap(s.nodes) > 64 && len(s.nodes) < cap(s.nodes)/4 {
			s.nodes = append([]*streamNode(nil), s.nodes...)
		}
		return
	}
	copy(s.nodes[i:], s.nodes[i+1:])
	s.nodes[len(s.nodes)-1] = nil
	s.nodes = s.nodes[:len(s.nodes)-1]
}

// firstLiveID returns the first live entry's ID (0-0 if none).
func (s *Stream) firstLiveID() StreamID {
	for _, n := range s.nodes {
		if n.live == 0 {
			continue
		}
		for _, e := range n.entries {
			if !e.deleted {
				return e.id
			}
		}
	}
	return StreamID{}
}

// FirstNodeID returns the ID of the first entry of the first node,
// deleted or not (streamGetEdgeID without skipping tombstones), or the
// largest ID when there is no node.
func (s *Stream) FirstNodeID() StreamID {
	if len(s.nodes) == 0 {
		return MaxStreamID
	}
	return s.nodes[0].entries[0].id
}

// First returns the first live entry.
func (s *Stream) First() (StreamEntry, bool) {
	r := s.Range(StreamID{}, MaxStreamID, 1, false)
	if len(r) == 0 {
		return StreamEntry{}, false
	}
	return r[0], true
}

// Last returns the last live entry.
func (s *Stream) Last() (StreamEntry, bool) {
	r := s.Range(StreamID{}, MaxStreamID, 1, true)
	if len(r) == 0 {
		return StreamEntry{}, false
	}
	return r[0], true
}

// Range returns the live entries with start <= ID <= end, in ID order or
// (rev) reverse order, at most count of them (count <= 0: all).
func (s *Stream) Range(start, end StreamID, count int, rev bool) []StreamEntry {
	var out []StreamEntry
	s.Each(start, end, rev, func(e StreamEntry) bool {
		out = append(out, e)
		return count <= 0 || len(out) < count
	})
	return out
}

// Each calls fn for the live entries with start <= ID <= end, in ID order
// or (rev) reverse order, until fn returns false.
func (s *Stream) Each(start, end StreamID, rev bool, fn func(StreamEntry) bool) {
	if end.Less(start) || len(s.nodes) == 0 {
		return
	}
	// The node holding start (or the first one after it).
	first := sort.Search(len(s.nodes), func(i int) bool { return start.Less(s.nodes[i].master) }) - 1
	first = max(first, 0)
	last := sort.Search(len(s.nodes), func(i int) bool { return end.Less(s.nodes[i].master) }) - 1
	if last < 0 {
		return
	}
	if !rev {
		for ni := first; ni <= last; ni++ {
			n := s.nodes[ni]
			for ei := n.search(start); ei < len(n.entries); ei++ {
				e := n.entries[ei]
				if end.Less(e.id) {
					return
				}
				if !e.deleted && !fn(StreamEntry{e.id, e.fields}) {
					return
				}
			}
		}
		return
	}
	for ni := last; ni >= first; ni-- {
		n := s.nodes[ni]
		ei := n.search(end)
		if ei == len(n.entries) || end.Less(n.entries[ei].id) {
			ei--
		}
		for ; ei >= 0; ei-- {
			e := n.entries[ei]
			if e.id.Less(start) {
				return
			}
			if !e.deleted && !fn(StreamEntry{e.id, e.fields}) {
				return
			}
		}
	}
}

// TrimStrategy says how Trim trims.
type TrimStrategy int

// Trim strategies: none, MAXLEN, MINID.
const (
	TrimNone TrimStrategy = iota
	TrimMaxLen
	TrimMinID
)

// TrimArgs are XADD's and XTRIM's trimming arguments.
type TrimArgs struct {
	Strategy TrimStrategy
	MaxLen   int64    // TrimMaxLen: keep at most this many entries
	MinID    StreamID // TrimMinID: drop entries with smaller IDs
	Approx   bool     // '~': only whole nodes
	Limit    int64    // most entries to remove, 0 for no limit
}

// Trim removes entries from the front as Redis 7.0's streamTrim does and
// returns how many. Whole nodes go first while the node's removal keeps
// within the limit and (MAXLEN) leaves at least MaxLen entries or (MINID)
// the node's last ID, deleted entries included, is below MinID. Then, if
// not Approx, entries of the next node are flagged deleted one by one
// until the condition holds (a node emptied this way stays, as in Redis).
// max_deleted_entry_id is not changed; first_id is.
func (s *Stream) Trim(a TrimArgs) int64 {
	if a.Strategy == TrimNone {
		return 0
	}
	var removed int64
	for len(s.nodes) > 0 {
		if a.Strategy == TrimMaxLen && s.length <= a.MaxLen {
			break
		}
		n := s.nodes[0]
		entries := int64(n.live)
		if a.Limit != 0 && removed+entries > a.Limit {
			break
		}
		var whole bool
		if a.Strategy == TrimMaxLen {
			whole = s.length-entries >= a.MaxLen
		} else {
			whole = n.last().Less(a.MinID)
		}
		if whole {
			s.size -= n.dataBytes
			s.removeNode(0)
			s.length -= entries
			removed += entries
			continue
		}
		if a.Approx {
			break
		}
		for i := range n.entries {
			e := &n.entries[i]
			if a.Strategy == TrimMaxLen && s.length <= a.MaxLen {
				break
			}
			if a.Strategy == TrimMinID && !e.id.Less(a.MinID) {
				break
			}
			if !e.deleted {
				data := entryDataBytes(e.fields)
				n.dataBytes -= data
				s.size -= data
				e.deleted = true
				e.fields = nil
				n.live--
				n.deleted++
				s.length--
				removed++
			}
		}
		break
	}
	if s.length == 0 {
		s.firstID = StreamID{}
	} else {
		s.firstID = s.firstLiveID()
	}
	return removed
}

// RangeHasTombstones reports whether an entry with an ID in [start, end]
// may have been deleted (streamRangeHasTombstones); end nil means the
// largest ID.
func (s *Stream) RangeHasTombstones(start StreamID, end *StreamID) bool {
	if s.length == 0 || s.maxDeletedID.IsZero() {
		return false
	}
	if s.maxDeletedID.Less(s.firstID) {
		return false
	}
	e := MaxStreamID
	if end != nil {
		e = *end
	}
	return !s.maxDeletedID.Less(start) && !e.Less(s.maxDeletedID)
}

// InvalidEntriesRead is the entries_read of a group whose count is not
// known (SCG_INVALID_ENTRIES_READ).
const InvalidEntriesRead int64 = -1

// EstimateDistance returns id's logical read counter
// (streamEstimateDistanceFromFirstEverEntry), or InvalidEntriesRead.
func (s *Stream) EstimateDistance(id StreamID) int64 {
	if s.entriesAdded == 0 {
		return 0
	}
	if s.length == 0 && id.Compare(s.lastID) < 1 {
		return s.entriesAdded
	}
	cmpLast := id.Compare(s.lastID)
	if cmpLast == 0 {
		return s.entriesAdded
	} else if cmpLast > 0 {
		return InvalidEntriesRead
	}
	cmpFirst := id.Compare(s.firstID)
	if s.maxDeletedID.IsZero() || s.maxDeletedID.Less(s.firstID) {
		if cmpFirst < 0 {
			return s.entriesAdded - s.length
		} else if cmpFirst == 0 {
			return s.entriesAdded - s.length + 1
		}
	}
	return InvalidEntriesRead
}

// Lag returns a group's lag as XINFO reports it (streamReplyWithCGLag);
// ok is false when it is not known (a null reply).
func (s *Stream) Lag(g *StreamGroup) (lag int64, ok bool) {
	if s.entriesAdded == 0 {
		return 0, true
	}
	if g.EntriesRead != InvalidEntriesRead && !s.RangeHasTombstones(g.LastID, nil) {
		return s.entriesAdded - g.EntriesRead, true
	}
	if read := s.EstimateDistance(g.LastID); read != InvalidEntriesRead {
		return s.entriesAdded - read, true
	}
	return 0, false
}

// Delivered records that the group's reader was served entry id
// (streamReplyWithRange's bookkeeping): when id is past the group's last
// delivered ID, entries_read advances (or is estimated again) and
// last_delivered_id becomes id.
func (s *Stream) Delivered(g *StreamGroup, id StreamID) {
	if !g.LastID.Less(id) {
		return
	}
	if g.EntriesRead != InvalidEntriesRead && !s.RangeHasTombstones(id, nil) {
		g.EntriesRead++
	} else if s.entriesAdded != 0 {
		g.EntriesRead = s.EstimateDistance(id)
	}
	g.LastID = id
}

// Copy implements Copier: a deep copy, groups included.
func (s *Stream) Copy() Value {
	c := *s
	c.nodes = make([]*streamNode, len(s.nodes))
	for i, n := range s.nodes {
		nn := *n
		nn.masterFields = append([][]byte(nil), n.masterFields...)
		nn.entries = make([]streamNodeEntry, len(n.entries))
		for j, e := range n.entries {
			nn.entries[j] = streamNodeEntry{id: e.id, deleted: e.deleted, fields: cloneFields(e.fields)}
		}
		c.nodes[i] = &nn
	}
	c.groups = nil
	c.pending = 0
	for _, g := range s.Groups() {
		ng := c.CreateGroup(g.Name, g.LastID, g.EntriesRead)
		for _, name := range g.ConsumerNames() {
			oc := g.consumers[name]
			ng.CreateConsumer(name, oc.SeenTime)
		}
		for _, nack := range g.PEL.all {
			nn := ng.consumers[nack.Consumer.Name]
			copyNACK := &StreamNACK{ID: nack.ID, Consumer: nn, DeliveryTime: nack.DeliveryTime, DeliveryCount: nack.DeliveryCount}
			ng.PEL.insert(copyNACK)
			nn.PEL.insert(copyNACK)
			c.pending++
		}
	}
	return &c
}

func cloneFields(fields [][]byte) [][]byte {
	if fields == nil {
		return nil
	}
	out := make([][]byte, len(fields))
	for i, f := range fields {
		out[i] = append([]byte(nil), f...)
	}
	return out
}
