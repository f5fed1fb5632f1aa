// Package resp reads Redis protocol requests and writes RESP2 and RESP3 replies.
//
// The writers are append-style: each takes a buffer and returns it extended, so
// a connection builds its replies in its own outbox without allocating.
package resp

import (
	"math"
	"strconv"
)

// Protocol versions, as HELLO names them.
const (
	RESP2 = 2
	RESP3 = 3
)

// AppendSimple appends a simple string reply (+OK).
func AppendSimple(b []byte, s string) []byte {
	b = append(b, '+')
	b = append(b, s...)
	return append(b, '\r', '\n')
}

// AppendError appends an error reply. s is the text without the leading '-',
// e.g. "ERR unknown command".
func AppendError(b []byte, s string) []byte {
	b = append(b, '-')
	b = append(b, s...)
	return append(b, '\r', '\n')
}

// AppendInt appends an integer reply.
func AppendInt(b []byte, n int64) []byte {
	b = append(b, ':')
	b = strconv.AppendInt(b, n, 10)
	return append(b, '\r', '\n')
}

// AppendBulk appends a bulk string reply.
func AppendBulk(b []byte, p []byte) []byte {
	b = appendLen(b, '$', len(p))
	b = append(b, p...)
	return append(b, '\r', '\n')
}

// AppendBulkString appends a bulk string reply.
func AppendBulkString(b []byte, s string) []byte {
	b = appendLen(b, '$', len(s))
	b = append(b, s...)
	return append(b, '\r', '\n')
}

// AppendBulkInt appends n as a bulk string, as Redis does for numbers inside
// some arrays (for example the reply of TIME).
func AppendBulkInt(b []byte, n int64) []byte {
	var tmp [20]byte
	return AppendBulk(b, strconv.AppendInt(tmp[:0], n, 10))
}

// AppendArrayLen appends the header of an array of n elements.
func AppendArrayLen(b []byte, n int) []byte {
	return appendLen(b, '*', n)
}

// AppendPushLen appends the header of an out-of-band message of n elements:
// a RESP3 push, or a plain array in RESP2.
func AppendPushLen(b []byte, n int, proto int) []byte {
	if proto >= RESP3 {
		return appendLen(b, '>', n)
	}
	return appendLen(b, '*', n)
}

// AppendMapLen appends the header of a map of n pairs: a RESP3 map, or a flat
// array of 2n elements in RESP2.
func AppendMapLen(b []byte, n int, proto int) []byte {
	if proto >= RESP3 {
		return appendLen(b, '%', n)
	}
	return appendLen(b, '*', 2*n)
}

// AppendSetLen appends the header of a set of n elements: a RESP3 set, or an
// array in RESP2.
func AppendSetLen(b []byte, n int, proto int) []byte {
	if proto >= RESP3 {
		return appendLen(b, '~', n)
	}
	return appendLen(b, '*', n)
}

// AppendNull appends a null: RESP3 null, or the RESP2 null bulk string.
func AppendNull(b []byte, proto int) []byte {
	if proto >= RESP3 {
		return append(b, '_', '\r', '\n')
	}
	return append(b, '$', '-', '1', '\r', '\n')
}

// AppendNullArray appends a null array: RESP3 null, or the RESP2 null array.
func AppendNullArray(b []byte, proto int) []byte {
	if proto >= RESP3 {
		return append(b, '_', '\r', '\n')
	}
	return append(b, '*', '-', '1', '\r', '\n')
}

// AppendBool appends a boolean: RESP3 boolean, or the integer 1 or 0 in RESP2.
func AppendBool(b []byte, v bool, proto int) []byte {
	if proto >= RESP3 {
		if v {
			return append(b, '#', 't', '\r', '\n')
		}
		return append(b, '#', 'f', '\r', '\n')
	}
	if v {
		return AppendInt(b, 1)
	}
	return AppendInt(b, 0)
}

// AppendDouble appends a floating point number: a RESP3 double, or a bulk
// string in RESP2, formatted as Redis formats them ("%.17g", inf, -inf, nan).
func AppendDouble(b []byte, f float64, proto int) []byte {
	var tmp [32]byte
	var s []byte
	switch {
	case math.IsInf(f, 1):
		s = append(tmp[:0], "inf"...)
	case math.IsInf(f, -1):
		s = append(tmp[:0], "-inf"...)
	case math.IsNaN(f):
		s = append(tmp[:0], "nan"...)
	default:
		s = strconv.AppendFloat(tmp[:0], f, 'g', 17, 64)
	}
	if proto >= RESP3 {
		b = append(b, ',')
		b = append(b, s...)
		return append(b, '\r', '\n')
	}
	return AppendBulk(b, s)
}

// AppendVerbatim appends a RESP3 verbatim string of the given three-letter
// format ("txt"), or a bulk string in RESP2.
func AppendVerbatim(b []byte, format, s string, proto int) []byte {
	if proto < RESP3 {
		return AppendBulkString(b, s)
	}
	b = appendLen(b, '=', len(format)+1+len(s))
	b = append(b, format...)
	b = append(b, ':')
	b = append(b, s...)
	return append(b, '\r', '\n')
}

func appendLen(b []byte, kind byte, n int) []byte {
	b = append(b, kind)
	if n >= 0 && n < 10 {
		b = append(b, byte('0'+n))
	} else {
		b = strconv.AppendInt(b, int64(n), 10)
	}
	return append(b, '\r', '\n')
}
