package keyspace

import "strconv"

// String is a string value. Its encoding follows Redis 7.0's: a string
// that SET (and the other commands that call tryObjectEncoding) stores and
// that reads as a 64-bit integer is "int", one of at most 44 bytes
// "embstr", a longer one "raw"; INCR's results are "int"; INCRBYFLOAT's
// "embstr" up to 44 bytes whatever they look like; a string changed in
// place (APPEND, SETRANGE, SETBIT) becomes "raw".
type String struct {
	B   []byte
	enc StringEncoding
}

// StringEncoding is a String's OBJECT ENCODING.
type StringEncoding uint8

// The encodings. EncodingAuto, the zero value, chooses as Redis's
// tryObjectEncoding does, from the content.
const (
	EncodingAuto StringEncoding = iota
	EncodingInt
	EncodingEmbstr
	EncodingRaw
)

// embstrMax is the longest string Redis stores as embstr.
const embstrMax = 44

// sharedIntegers is Redis's OBJ_SHARED_INTEGERS: int-encoded values in
// [0, sharedIntegers) are shared objects (OBJECT REFCOUNT 2147483647).
const sharedIntegers = 10000

// NewString returns a string value holding b (not copied), encoded as
// Redis's tryObjectEncoding would encode it.
func NewString(b []byte) *String { return &String{B: b} }

// NewStringEncoded returns a string value holding b (not copied) with the
// given encoding: EncodingRaw for a string built in place (SETRANGE and
// SETBIT on a new key), EncodingEmbstr for one Redis creates with
// createStringObject (INCRBYFLOAT: embstr up to 44 bytes, else raw).
func NewStringEncoded(b []byte, enc StringEncoding) *String {
	if enc == EncodingEmbstr && len(b) > embstrMax {
		enc = EncodingRaw
	}
	return &String{B: b, enc: enc}
}

// NewInt returns the int-encoded string of n (INCR, DECR ...).
func NewInt(n int64) *String {
	return &String{B: strconv.AppendInt(nil, n, 10), enc: EncodingInt}
}

// Type implements Value.
func (s *String) Type() string { return "string" }

// Encoding implements Value.
func (s *String) Encoding() string {
	switch s.encoding() {
	case EncodingInt:
		return "int"
	case EncodingEmbstr:
		return "embstr"
	}
	return "raw"
}

func (s *String) encoding() StringEncoding {
	if s.enc != EncodingAuto {
		return s.enc
	}
	if _, ok := ParseInt(s.B); ok {
		return EncodingInt
	}
	if len(s.B) <= embstrMax {
		return EncodingEmbstr
	}
	return EncodingRaw
}

// SetRaw marks the string as changed in place: its encoding is raw from
// now on (Redis's dbUnshareStringValue).
func (s *String) SetRaw() { s.enc = EncodingRaw }

// Shared reports whether Redis would hold the value as one of its shared
// integer objects (OBJECT REFCOUNT answers 2147483647 for those).
func (s *String) Shared() bool {
	if s.encoding() != EncodingInt {
		return false
	}
	n, _ := ParseInt(s.B)
	return n >= 0 && n < sharedIntegers
}

// Size implements Value.
func (s *String) Size() int64 { return int64(cap(s.B)) + 16 }

// Copy implements Copier: a deep copy with the same encoding.
func (s *String) Copy() Value {
	return &String{B: append([]byte(nil), s.B...), enc: s.enc}
}

// Copier is a value COPY can duplicate. Every value type implements it
// with a deep copy: the copy shares nothing mutable with the original.
type Copier interface {
	Copy() Value
}

// ParseInt parses b as Redis's string2ll does: an optional '-', then
// digits without leading zeros (only "0" itself), within int64, at most
// 20 bytes; no '+', no spaces, no "-0".
func ParseInt(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) > 20 {
		return 0, false
	}
	if len(b) == 1 && b[0] == '0' {
		return 0, true
	}
	s := b
	negative := s[0] == '-'
	if negative {
		s = s[1:]
	}
	if len(s) == 0 || s[0] < '1' || s[0] > '9' {
		return 0, false
	}
	var v uint64
	for _, ch := range s {
		if ch < '0' || ch > '9' {
			return 0, false
		}
		d := uint64(ch - '0')
		if v > (1<<64-1-d)/10 {
			return 0, false
		}
		v = v*10 + d
	}
	if negative {
		if v > 1<<63 {
			return 0, false
		}
		return int64(-v), true
	}
	if v > 1<<63-1 {
		return 0, false
	}
	return int64(v), true
}

// LookupBytes is Lookup for a key held in a byte slice (a command's
// argument), without converting the key to a string on the way: a hit or
// a miss costs no allocation. An expired key goes through Lookup, which
// deletes it and notifies.
func (db *DB) LookupBytes(key []byte) *Entry {
	e := db.keys[string(key)]
	if e == nil {
		return nil
	}
	if db.expired(e) {
		return db.Lookup(string(key))
	}
	if e.epoch < db.ks.dumping { // db.dumpEntry, without converting key when no snapshot runs
		db.ks.snapshot.dump(db.id, string(key), e)
	}
	db.touch(e)
	return e
}

// PeekBytes is Peek for a key held in a byte slice, as LookupBytes.
func (db *DB) PeekBytes(key []byte) *Entry {
	e := db.keys[string(key)]
	if e == nil {
		return nil
	}
	if db.expired(e) {
		return db.Peek(string(key))
	}
	if e.epoch < db.ks.dumping {
		db.ks.snapshot.dump(db.id, string(key), e)
	}
	return e
}
