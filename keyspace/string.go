package keyspace

import "strconv"

// String is a string value. Its encoding follows Redis's: a string that
// SET stores and that reads as a 64-bit integer is "int", one of at most
// 44 bytes "embstr", a longer one "raw"; a string changed in place
// (APPEND, SETRANGE, SETBIT) becomes "raw".
type String struct {
	B   []byte
	Raw bool // changed in place: encoding raw whatever its content
}

// NewString returns a string value holding b (not copied).
func NewString(b []byte) *String { return &String{B: b} }

// Type implements Value.
func (s *String) Type() string { return "string" }

// Encoding implements Value.
func (s *String) Encoding() string {
	if s.Raw {
		return "raw"
	}
	if len(s.B) <= 20 {
		if _, err := strconv.ParseInt(string(s.B), 10, 64); err == nil && canonicalInt(s.B) {
			return "int"
		}
	}
	if len(s.B) <= 44 {
		return "embstr"
	}
	return "raw"
}

// canonicalInt reports whether b is an integer as Redis's string2ll reads
// one: no sign but '-', no leading zeros, no spaces.
func canonicalInt(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	if b[0] == '-' {
		b = b[1:]
		if len(b) == 0 || b[0] == '0' {
			return false
		}
	}
	return b[0] != '0' || len(b) == 1
}

// Size implements Value.
func (s *String) Size() int64 { return int64(cap(s.B)) + 16 }
